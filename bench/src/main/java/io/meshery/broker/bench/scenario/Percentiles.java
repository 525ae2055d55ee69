package io.meshery.broker.bench.scenario;

import java.util.Arrays;

/** Nearest-rank percentiles of recorded samples. */
final class Percentiles {

    private final long[] sorted;

    /** Sorts a copy of {@code samples[0, count)}. */
    Percentiles(long[] samples, int count) {
        this.sorted = Arrays.copyOf(samples, count);
        Arrays.sort(sorted);
    }

    /** The smallest sample with at least {@code fraction} of the samples at or below it; 0 when empty. */
    long at(double fraction) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(fraction * sorted.length);
        return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
    }
}
