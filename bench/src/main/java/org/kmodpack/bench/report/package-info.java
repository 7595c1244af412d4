/**
 * bench/run's report and chart, drawn from its results file.
 */
package org.kmodpack.bench.report;
