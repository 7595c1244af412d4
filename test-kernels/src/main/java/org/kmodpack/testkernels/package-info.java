/**
 * Test data for the other modules' tests: synthetic module trees built with gcc and depmod, real Debian kernels,
 * and small builders (module signing, a minimal ELF object).
 */
package org.kmodpack.testkernels;
