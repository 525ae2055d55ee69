/** Turning run results into medians, ratios and resource figures, printed as tables or written as JSON. */
package io.meshery.broker.bench.report;
