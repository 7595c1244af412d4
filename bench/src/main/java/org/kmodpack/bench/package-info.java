/**
 * JMH benchmarks, each side by side with the kmod tool or peer it replaces.
 */
package org.kmodpack.bench;
