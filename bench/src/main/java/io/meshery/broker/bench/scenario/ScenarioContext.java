package io.meshery.broker.bench.scenario;

import io.meshery.broker.bench.server.ProcessMetrics;
import io.meshery.broker.bench.wire.NatsWireClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What a scenario run may use: the server's address (or the addresses of a cluster's nodes) and metrics, the run's
 * limits, and a registry of the connections and threads it opens.
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

    /**
     * The nodes of a cluster under test.
     *
     * @param clients  client address of each node, node 1 (index 0) first
     * @param interest how many subscriptions a node (by index) knows beyond its idle count: its own clients' and
     *                 the interest other nodes announced to it
     */
    public record Nodes(List<InetSocketAddress> clients, Interest interest) {
        public Nodes {
            clients = List.copyOf(clients);
        }
    }

    /** Reads one node's interest count; see {@link Nodes#interest()}. */
    @FunctionalInterface
    public interface Interest {
        long of(int node) throws IOException;
    }

    /** How long {@link #awaitInterest} waits for subscriptions to reach a node. */
    public static final Duration INTEREST_TIMEOUT = Duration.ofSeconds(30);

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bench-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final Nodes nodes;
    private final ProcessMetrics serverMetrics;
    private final Limits limits;
    private final long publishDeadline;
    private final List<NatsWireClient> connections = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final ScheduledFuture<?> watchdog;
    private final boolean warmup;
    private final List<String> notes = new CopyOnWriteArrayList<>();
    private volatile Runnable timedPartHook = () -> { };
    private volatile boolean expired;
    private volatile Path tlsCa;

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
        this(new Nodes(List.of(server), null), serverMetrics, limits, warmup);
    }

    /**
     * Starts the clock of a run against a cluster's nodes (or, with one address and no interest reader, a lone
     * server): the publish deadline and the watchdog count from now.
     *
     * @param serverMetrics CPU and memory of the server, summed over the nodes
     * @param warmup        true for the untimed warm-up run before a timed run on the same server
     */
    public ScenarioContext(Nodes nodes, ProcessMetrics serverMetrics, Limits limits, boolean warmup) {
        this.warmup = warmup;
        this.nodes = nodes;
        this.serverMetrics = serverMetrics;
        this.limits = limits;
        this.publishDeadline = System.nanoTime() + limits.publish().toNanos();
        this.watchdog = WATCHDOG.schedule(this::expire, limits.hard().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void expire() {
        expired = true;
        connections.forEach(NatsWireClient::close);
    }

    /** Opens a connection (handshake included) to the server, or node 1 of a cluster, that the context will close. */
    public NatsWireClient connect(String name, int readBufferBytes) throws IOException {
        return connect(0, name, readBufferBytes);
    }

    /** Opens a connection (handshake included) to node {@code node} (0-based) that the context will close. */
    public NatsWireClient connect(int node, String name, int readBufferBytes) throws IOException {
        NatsWireClient client = NatsWireClient.connect(nodes.clients().get(node), name, readBufferBytes);
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

    /** The client address of node {@code node} (0-based; 0 for a lone server). */
    public InetSocketAddress address(int node) {
        return nodes.clients().get(node);
    }

    /**
     * Tells the run that the server requires TLS with a certificate signed by {@code ca} (a PEM file): only the
     * runner calls this, for a {@link Scenario#tls()} scenario, before the run.
     */
    public void useTls(Path ca) {
        tlsCa = ca;
    }

    /** The CA certificate of a TLS server, or null when the server speaks plain TCP. */
    public Path tlsCa() {
        return tlsCa;
    }

    /** Nodes to connect to: 1 for a lone server. */
    public int nodeCount() {
        return nodes.clients().size();
    }

    /** True when the run is against a cluster. */
    public boolean clustered() {
        return nodes.interest() != null;
    }

    /**
     * In a cluster, waits until node {@code node} (0-based) knows at least {@code subscriptions} subscriptions beyond
     * its idle count, polling its monitoring endpoint: the interest of subscribers on other nodes has reached it,
     * so what a publisher connected to it sends now is routed to them. Notes the time it took. Does nothing for a
     * lone server, where a subscriber's flush already guarantees its interest.
     *
     * @throws IOException when the count is not reached within {@link #INTEREST_TIMEOUT}, or the node does not
     *                     answer
     */
    public void awaitInterest(int node, long subscriptions) throws IOException {
        if (!clustered()) {
            return;
        }
        long start = System.nanoTime();
        long deadline = start + INTEREST_TIMEOUT.toNanos();
        long seen;
        while ((seen = nodes.interest().of(node)) < subscriptions) {
            if (System.nanoTime() > deadline || expired) {
                throw new IOException("node " + (node + 1) + " knows " + seen + " of the run's subscriptions after "
                        + INTEREST_TIMEOUT.toSeconds() + " s, expected at least " + subscriptions
                        + ": interest did not propagate");
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        note(String.format(Locale.ROOT, "node %d had the subscribers' interest (%d subscriptions) after %.0f ms",
                node + 1, seen, (System.nanoTime() - start) / 1e6));
    }

    /**
     * Sets what {@link #timedPartStarts} runs: the runner restarts its CPU and wall-clock measurement there. Only
     * the runner calls this, on the context of a timed run.
     */
    public void onTimedPartStart(Runnable hook) {
        timedPartHook = hook;
    }

    /**
     * Called by a scenario whose run begins with untimed setup (a JetStream replay fills its stream first), just
     * before its timed part: the run's server and client CPU time and wall-clock time are then counted from here
     * instead of from the start of the run. Does nothing in a warm-up run.
     */
    public void timedPartStarts() {
        timedPartHook.run();
    }

    /** Adds a note to the run's report. */
    public void note(String note) {
        notes.add(note);
    }

    /** Notes added by the context and the scenario, for the run's report. */
    public List<String> notes() {
        return List.copyOf(notes);
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
