package io.meshery.broker.operator.controller;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keys of Brokers waiting to be reconciled, with the guarantees of client-go's work queue: a key is queued at
 * most once however many events arrive for it, a key is handed to one worker at a time, and a key added while
 * it is being processed is queued again when the worker calls {@link #done}. Failures back off exponentially
 * per key (1 s doubling up to 5 min) until {@link #forget}.
 *
 * <p>Thread safety: all state is guarded by this object's monitor.
 */
public final class WorkQueue {
    static final Duration BASE_DELAY = Duration.ofSeconds(1);
    static final Duration MAX_DELAY = Duration.ofMinutes(5);

    private final Deque<String> queue = new ArrayDeque<>();
    private final Set<String> queued = new HashSet<>();
    private final Set<String> processing = new HashSet<>();
    private final Set<String> dirty = new HashSet<>();
    private final Map<String, Integer> failures = new HashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "work-queue-timer");
        t.setDaemon(true);
        return t;
    });
    private boolean shutdown;

    /** Queues a key now. */
    public synchronized void add(String key) {
        if (shutdown) {
            return;
        }
        if (processing.contains(key)) {
            dirty.add(key);
            return;
        }
        if (queued.add(key)) {
            queue.addLast(key);
            notifyAll();
        }
    }

    /** Queues a key after a delay. */
    public void addAfter(String key, Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            add(key);
            return;
        }
        synchronized (this) {
            if (shutdown) {
                return;
            }
        }
        timer.schedule(() -> add(key), delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Queues a key after its backoff delay, which doubles with each call until {@link #forget}. */
    public Duration addRateLimited(String key) {
        int n;
        synchronized (this) {
            n = failures.merge(key, 1, Integer::sum);
        }
        long millis = BASE_DELAY.toMillis() << Math.min(n - 1, 20);
        Duration delay = Duration.ofMillis(Math.min(millis, MAX_DELAY.toMillis()));
        addAfter(key, delay);
        return delay;
    }

    /** Clears the key's backoff. */
    public synchronized void forget(String key) {
        failures.remove(key);
    }

    /** Waits for a key, or returns null once shut down or after {@code timeout}. */
    public synchronized String take(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (queue.isEmpty() && !shutdown) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        if (shutdown) {
            return null;
        }
        String key = queue.pollFirst();
        queued.remove(key);
        processing.add(key);
        return key;
    }

    /** The worker finished with the key; if it was added meanwhile, it is queued again. */
    public synchronized void done(String key) {
        processing.remove(key);
        if (dirty.remove(key) && !shutdown && queued.add(key)) {
            queue.addLast(key);
            notifyAll();
        }
    }

    public synchronized int size() {
        return queue.size();
    }

    public void shutdown() {
        synchronized (this) {
            shutdown = true;
            notifyAll();
        }
        timer.shutdownNow();
    }
}
