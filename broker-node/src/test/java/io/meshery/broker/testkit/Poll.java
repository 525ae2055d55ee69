package io.meshery.broker.testkit;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for a condition with a deadline, never a bare sleep. */
public final class Poll {

    private Poll() {
    }

    public static void until(Duration deadline, String what, BooleanSupplier condition) {
        long end = System.nanoTime() + deadline.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("timed out after " + deadline + " waiting for " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    /** The first non-null value {@code supplier} gives, polling until {@code deadline}. */
    public static <T> T value(Duration deadline, String what, java.util.function.Supplier<T> supplier) {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            T v = supplier.get();
            if (v != null) {
                return v;
            }
            if (System.nanoTime() > end) {
                fail("timed out after " + deadline + " waiting for " + what);
            }
            pause();
        }
    }

    /** One short wait inside a polling loop that has its own deadline. */
    public static void pause() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while polling");
        }
    }
}
