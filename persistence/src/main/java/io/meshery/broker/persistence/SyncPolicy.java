package io.meshery.broker.persistence;

import java.time.Duration;
import java.util.Objects;

/**
 * When a {@link FileStreamStore} forces written records to the device ({@code FileChannel.force(false)}).
 * <ul>
 *   <li>{@link #ALWAYS}: an append, delete or purge returns only after its records are forced. Callers that
 *       append concurrently, and the messages of one batch, share one force (group commit). A returned
 *       sequence survives a process crash, a kernel crash and a power loss (on a device that honours
 *       flushes).</li>
 *   <li>{@link Interval}: records are forced every interval by a shared timer thread, when a segment is
 *       sealed, and on close. A returned sequence survives a process crash (the page cache keeps it) but not
 *       a power loss or kernel crash within the interval. nats-server's default is 2 minutes.</li>
 * </ul>
 */
public sealed interface SyncPolicy permits SyncPolicy.Always, SyncPolicy.Interval {

    /** Force before returning; the default. */
    SyncPolicy ALWAYS = new Always();

    static SyncPolicy interval(Duration every) {
        return new Interval(every);
    }

    /** Force before returning, with group commit. */
    record Always() implements SyncPolicy {
    }

    /** Force on a timer, on seal and on close. */
    record Interval(Duration every) implements SyncPolicy {
        public Interval {
            Objects.requireNonNull(every, "every");
            if (every.isNegative() || every.isZero()) {
                throw new IllegalArgumentException("sync interval must be positive: " + every);
            }
        }
    }
}
