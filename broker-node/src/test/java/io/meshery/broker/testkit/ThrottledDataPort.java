package io.meshery.broker.testkit;

import io.nats.client.impl.SocketDataPort;
import java.io.IOException;
import java.util.concurrent.locks.LockSupport;

/**
 * jnats' own socket transport, reading no faster than {@link #bytesPerSecond}: an official client on a slow
 * link, or one whose reader keeps up only so far. It keeps reading (it makes progress); it just reads slowly.
 * Given to jnats by name through {@code Options.Builder.dataPortType}.
 */
public class ThrottledDataPort extends SocketDataPort {

    /** The read rate of every connection made with this port from now on. */
    public static volatile long bytesPerSecond = 16L << 20;
    private static final int MAX_READ = 16 * 1024;

    private long started;
    private long read;

    @Override
    public int read(byte[] dst, int off, int len) throws IOException {
        if (started == 0) {
            started = System.nanoTime();
        }
        long due = started + read * 1_000_000_000L / bytesPerSecond;
        long wait = due - System.nanoTime();
        if (wait > 0) {
            LockSupport.parkNanos(wait);
        }
        int n = super.read(dst, off, Math.min(len, MAX_READ));
        if (n > 0) {
            read += n;
        }
        return n;
    }
}
