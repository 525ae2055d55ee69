package io.meshery.broker.bench.scenario;

/** Writes a non-negative int as ASCII decimal digits into a byte array, without allocating. */
final class Digits {

    private Digits() {
    }

    /** Writes {@code n} at {@code at}; returns the number of digits written. */
    static int write(int n, byte[] to, int at) {
        if (n < 0) {
            throw new IllegalArgumentException("negative: " + n);
        }
        int digits = 1;
        for (int v = n; v >= 10; v /= 10) {
            digits++;
        }
        int v = n;
        for (int i = at + digits - 1; i >= at; i--) {
            to[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        return digits;
    }
}
