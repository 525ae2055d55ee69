package io.meshery.broker.bench.scenario;

import io.meshery.broker.bench.server.ProcessMetrics;
import io.meshery.broker.bench.wire.NatsWireClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What a scenario run may use: the server's address and metrics, the run's limits, and a registry of the
 * connections and threads it opens.
 *
 * <p>Every run is bounded twice. The publisher stops at {@link #publishDeadlineNanos()} (the run then reports what
 * it managed); and a watchdog closes every connection at the hard limit, which unblocks any thread stuck on a
 * server that stopped answering. {@link #close} closes the connections and joins the threads.
 *
 * <p>Thread-safety: {@link #connect} and {@link #startThread} may be called from any thread of the run.
 */
public final class ScenarioContext implements AutoCloseable {

    /**
     * Limits of one run.
     *
     * @param publish     how long a publisher may publish before it stops early
     * @param drainIdle   how long to wait for deliveries after they stopped arriving, before calling the rest lost
     * @param hard        when the watchdog closes every connection
     * @param windowBytes how far (in encoded bytes) a publisher may run ahead of its slowest consumer; 0 = no limit
     */
    public record Limits(Duration publish, Duration drainIdle, Duration hard, long windowBytes) {
    }

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final InetSocketAddress server;
    private final ProcessMetrics serverMetrics;
    private final Limits limits;
    private final long publishDeadline;
    private final List<NatsWireClient> connections = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final ScheduledFuture<?> watchdog;
    private final boolean warmup;
    private volatile boolean expired;

    /** Starts the clock of a timed run: the publish deadline and the watchdog count from now. */
    public ScenarioContext(InetSocketAddress server, ProcessMetrics serverMetrics, Limits limits) {
        this(server, serverMetrics, limits, false);
    }

    /**
     * Starts the clock of a run: the publish deadline and the watchdog count from now.
     *
     * @param warmup true for the untimed warm-up run before a timed run on the same server
     */
    public ScenarioContext(InetSocketAddress server, ProcessMetrics serverMetrics, Limits limits, boolean warmup) {
        this.warmup = warmup;
        this.server = server;
        this.serverMetrics = serverMetrics;
        this.limits = limits;
        this.publishDeadline = System.nanoTime() + limits.publish().toNanos();
        this.watchdog = WATCHDOG.schedule(this::expire, limits.hard().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void expire() {
        expired = true;
        connections.forEach(NatsWireClient::close);
    }

    /** Opens a connection (handshake included) that the context will close. */
    public NatsWireClient connect(String name, int readBufferBytes) throws IOException {
        NatsWireClient client = NatsWireClient.connect(server, name, readBufferBytes);
        connections.add(client);
        if (expired) {
            client.close();
        }
        return client;
    }

    /** Starts a daemon thread that {@link #close} will join. */
    public Thread startThread(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
        return t;
    }

    /** CPU and memory of the server process. */
    public ProcessMetrics serverMetrics() {
        return serverMetrics;
    }

    /** {@link System#nanoTime()} after which publishers stop. */
    public long publishDeadlineNanos() {
        return publishDeadline;
    }

    /** The run's limits. */
    public Limits limits() {
        return limits;
    }

    /** Flow-control window in messages for frames of {@code frameBytes} each; 0 when flow control is off. */
    public long windowMessages(long frameBytes) {
        return limits.windowBytes() <= 0 ? 0 : Math.max(1, limits.windowBytes() / Math.max(1, frameBytes));
    }

    /**
     * True for the warm-up run: a scenario that leaves state in the server (a JetStream stream) keeps the warm-up's
     * state apart from the timed run's.
     */
    public boolean warmup() {
        return warmup;
    }

    /** True once the watchdog fired. */
    public boolean expired() {
        return expired;
    }

    /** Closes every connection, joins the threads, and stops the watchdog. */
    @Override
    public void close() {
        watchdog.cancel(false);
        connections.forEach(NatsWireClient::close);
        for (Thread t : threads) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
