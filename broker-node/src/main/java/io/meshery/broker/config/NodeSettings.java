package io.meshery.broker.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What one node runs with, in small groups, and the one place of every default (nats-server's, except the
 * monitoring port). {@link BrokerOptions.Builder} reads nats.conf and the command line into it, applying
 * nats-server's "zero means the default" rules; the node's {@code server.ServerSettings} adds the security read
 * from the same options. Immutable.
 *
 * <p>Ports follow nats-server: {@link Listen#RANDOM_PORT} (-1) asks for any free port, and a monitoring port of
 * {@link Listen#NO_MONITORING} (0) turns monitoring off.
 */
public record NodeSettings(Listen listen, Limits limits, Timings timings, LameDuck lameDuck, Logging logging) {

    /** Every default. */
    public static final NodeSettings DEFAULTS =
        new NodeSettings(Listen.DEFAULTS, Limits.DEFAULTS, Timings.DEFAULTS, LameDuck.DEFAULTS, Logging.DEFAULTS);

    public NodeSettings {
        Objects.requireNonNull(listen, "listen");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(timings, "timings");
        Objects.requireNonNull(lameDuck, "lameDuck");
        Objects.requireNonNull(logging, "logging");
    }

    /**
     * Where the node listens and what it is called.
     *
     * @param serverName the name in INFO and monitoring; empty means "use the server id"
     * @param host the address the client listener binds to
     * @param port the client port: 1..65535, or {@link #RANDOM_PORT}
     * @param httpHost the address the monitoring listener binds to
     * @param httpPort the monitoring port: 1..65535, {@link #NO_MONITORING} or {@link #RANDOM_PORT}
     */
    public record Listen(String serverName, String host, int port, String httpHost, int httpPort) {
        /** A port value that asks for any free port. */
        public static final int RANDOM_PORT = -1;
        /** The monitoring port that turns monitoring off (nats-server's default). */
        public static final int NO_MONITORING = 0;
        /** Clients on 0.0.0.0:4222, monitoring on 8222 (our embedded default; nats-server's is off). */
        public static final Listen DEFAULTS = new Listen("", "0.0.0.0", 4222, "0.0.0.0", 8222);

        /** The client port to bind: 0 (any free one) for {@link #RANDOM_PORT}. */
        public int bindPort() {
            return port == RANDOM_PORT ? 0 : port;
        }

        public boolean monitoring() {
            return httpPort != NO_MONITORING;
        }

        /** The monitoring port to bind: 0 (any free one) for {@link #RANDOM_PORT}. */
        public int httpBindPort() {
            return httpPort == RANDOM_PORT ? 0 : httpPort;
        }
    }

    /**
     * The limits of what a client may send and hold.
     *
     * @param maxPayload the largest message payload a client may publish, in bytes
     * @param maxControlLine the longest protocol control line accepted, in bytes
     * @param maxConnections the most client connections accepted at once
     * @param maxSubscriptions the most subscriptions per connection; 0 = unlimited
     * @param maxPending the most bytes buffered for one connection before it is a slow consumer
     */
    public record Limits(int maxPayload, int maxControlLine, int maxConnections, int maxSubscriptions,
                         long maxPending) {
        public static final Limits DEFAULTS = new Limits(1 << 20, 4096, 65536, 0, 64L << 20);
    }

    /**
     * The timers of a connection.
     *
     * @param writeDeadline how long a write to a client may take before the client is a slow consumer
     * @param pingInterval how often the server pings each client
     * @param pingMax how many pings may go unanswered before the connection is stale
     * @param authTimeout how long a new client has to authenticate
     */
    public record Timings(Duration writeDeadline, Duration pingInterval, int pingMax, Duration authTimeout) {
        public static final Timings DEFAULTS =
            new Timings(Duration.ofSeconds(10), Duration.ofMinutes(2), 2, Duration.ofSeconds(2));

        public Timings withAuthTimeout(Duration newAuthTimeout) {
            return new Timings(writeDeadline, pingInterval, pingMax, newAuthTimeout);
        }
    }

    /**
     * Lame duck mode.
     *
     * @param duration over how long the client connections are closed
     * @param gracePeriod how long to wait before the first close; strictly shorter than {@code duration}
     */
    public record LameDuck(Duration duration, Duration gracePeriod) {
        public static final LameDuck DEFAULTS = new LameDuck(Duration.ofMinutes(2), Duration.ofSeconds(10));
    }

    /**
     * Where and how JetStream stores streams (the {@code jetstream} block, {@code store_dir}, {@code -sd}). Kept by
     * {@link BrokerOptions}, not a component of these settings: only a node with JetStream enabled uses it.
     *
     * @param storeDir the directory holding the streams
     * @param maxMemoryStore the most bytes kept in memory streams; {@link #UNLIMITED} for no limit
     * @param maxFileStore the most bytes kept in file streams; {@link #UNLIMITED} for no limit
     * @param syncInterval how often the store forces written messages to disk, or {@code null} for always (before
     *     each PubAck; nats.conf {@code sync_interval: always})
     */
    public record Storage(Path storeDir, long maxMemoryStore, long maxFileStore, Duration syncInterval) {
        /** A storage size meaning "no limit" (nats-server's -1). */
        public static final long UNLIMITED = -1;
        /** {@code ./data/jetstream}, no size limits, and a sync before every PubAck. */
        public static final Storage DEFAULTS = new Storage(Path.of("./data/jetstream"), UNLIMITED, UNLIMITED, null);
    }

    /**
     * What the node logs, and where.
     *
     * @param traceVerbose verbose tracing ({@code -VV} or {@code trace_verbose}), which implies {@code trace}
     * @param logtime whether log lines carry a timestamp
     * @param file the file to log to instead of standard error, or {@code null}
     * @param noLog logging off entirely (embedded use; no nats.conf key)
     */
    public record Logging(boolean debug, boolean trace, boolean traceVerbose, boolean logtime, Path file,
                          boolean noLog) {
        public static final Logging DEFAULTS = new Logging(false, false, false, true, null, false);
    }
}
