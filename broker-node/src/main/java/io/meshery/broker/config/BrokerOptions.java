package io.meshery.broker.config;

import static io.meshery.broker.config.ConfigValues.checkPort;
import static io.meshery.broker.config.ConfigValues.orDefault;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Every option of one broker node, immutable, with nats-server's defaults.
 *
 * <p>Built with {@link #builder()} (or {@link #toBuilder()}); {@link Builder#build()} applies nats-server's
 * "zero means default" rules and rejects values out of range. A nats.conf document is applied with
 * {@link #fromConfig(ParsedConfig)}; the nats.conf keys and their aliases are listed in {@code OptionsMapper}.
 *
 * <p>Conventions: durations are {@link Duration}s and sizes are byte counts. A port of {@link #RANDOM_PORT}
 * (-1) asks the operating system for a free port; an {@linkplain #httpPort() HTTP port} of 0 disables monitoring.
 * The {@code authorization}, {@code tls}, {@code cluster} and {@code jetstream} blocks are kept
 * as raw, deeply unmodifiable maps (keys as written, values as {@link ConfigParser} reads them) for the code that
 * interprets them; their keys should be matched case-insensitively, as nats-server does.
 */
public final class BrokerOptions {
    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 4222;
    /** A port value that asks for any free port. */
    public static final int RANDOM_PORT = -1;
    /** Our embedded default; nats-server's is 0 (monitoring off). */
    public static final int DEFAULT_HTTP_PORT = 8222;
    public static final long DEFAULT_MAX_PAYLOAD = 1L << 20;
    public static final int DEFAULT_MAX_CONTROL_LINE = 4096;
    public static final int DEFAULT_MAX_CONNECTIONS = 65536;
    public static final long DEFAULT_MAX_PENDING = 64L << 20;
    public static final Duration DEFAULT_WRITE_DEADLINE = Duration.ofSeconds(10);
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofMinutes(2);
    public static final int DEFAULT_PING_MAX = 2;
    public static final Duration DEFAULT_AUTH_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_LAME_DUCK_DURATION = Duration.ofMinutes(2);
    public static final Duration DEFAULT_LAME_DUCK_GRACE_PERIOD = Duration.ofSeconds(10);
    public static final Path DEFAULT_STORE_DIR = Path.of("./data/jetstream");

    private final Path configFile;
    private final String serverName;
    private final String host;
    private final int port;
    private final String httpHost;
    private final int httpPort;
    private final long maxPayload;
    private final int maxControlLine;
    private final int maxConnections;
    private final int maxSubscriptions;
    private final long maxPending;
    private final Duration writeDeadline;
    private final Duration pingInterval;
    private final int pingMax;
    private final Duration authTimeout;
    private final boolean debug;
    private final boolean trace;
    private final boolean traceVerbose;
    private final boolean logtime;
    private final Path logFile;
    private final Path pidFile;
    private final boolean noLog;
    private final Duration lameDuckDuration;
    private final Duration lameDuckGracePeriod;
    private final boolean jetStream;
    private final Path storeDir;
    private final Map<String, Object> authorization;
    private final Map<String, Object> tls;
    private final Map<String, Object> cluster;
    private final Map<String, Object> jetStreamConfig;

    private BrokerOptions(Builder b) {
        configFile = b.configFile;
        serverName = b.serverName;
        host = b.host;
        port = b.port;
        httpHost = b.httpHost;
        httpPort = b.httpPort;
        maxPayload = b.maxPayload;
        maxControlLine = b.maxControlLine;
        maxConnections = b.maxConnections;
        maxSubscriptions = b.maxSubscriptions;
        maxPending = b.maxPending;
        writeDeadline = b.writeDeadline;
        pingInterval = b.pingInterval;
        pingMax = b.pingMax;
        authTimeout = b.authTimeout;
        debug = b.debug;
        trace = b.trace;
        traceVerbose = b.traceVerbose;
        logtime = b.logtime;
        logFile = b.logFile;
        pidFile = b.pidFile;
        noLog = b.noLog;
        lameDuckDuration = b.lameDuckDuration;
        lameDuckGracePeriod = b.lameDuckGracePeriod;
        jetStream = b.jetStream;
        storeDir = b.storeDir;
        authorization = b.authorization;
        tls = b.tls;
        cluster = b.cluster;
        jetStreamConfig = b.jetStreamConfig;
    }

    /** All defaults. */
    public static BrokerOptions defaults() {
        return builder().build();
    }

    /** A builder holding all defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this instance's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Defaults with a parsed nats.conf applied. The keys are checked first against the table in {@code ConfigKeys}:
     * unknown keys and access control this node does not implement are errors; keys of features not implemented
     * yet, and discouraged values, are warnings, returned (not logged) for the caller to show, one line each.
     *
     * @throws ConfigException starting with {@code file:line:column:} when the document names an unknown key or
     *     access control the node lacks (all such keys, one per line), or a value is invalid or out of range
     */
    public static Loaded fromConfig(ParsedConfig config) {
        return OptionsMapper.load(config);
    }

    /**
     * As {@link #fromConfig(ParsedConfig)} for a bare map, in which every top-level key must be an option
     * (variable definitions cannot be told apart and are reported as unknown keys), without positions.
     */
    public static Loaded fromConfig(Map<String, Object> config) {
        return fromConfig(new ParsedConfig(config, Set.of()));
    }

    /** Options built from a configuration, and the warnings found on the way (not logged yet). */
    public record Loaded(BrokerOptions options, List<String> warnings) {
        public Loaded {
            Objects.requireNonNull(options, "options");
            warnings = List.copyOf(warnings);
        }
    }

    /** The configuration file these options were read from, if any ({@code -c}); used for reloads. */
    public Optional<Path> configFile() {
        return Optional.ofNullable(configFile);
    }

    /** The server name; empty means "use the server id". */
    public String serverName() {
        return serverName;
    }

    /** The address the client listener binds to. */
    public String host() {
        return host;
    }

    /** The client port: 1..65535, or {@link #RANDOM_PORT}. */
    public int port() {
        return port;
    }

    /** The address the monitoring listener binds to; the client {@link #host()} unless set. */
    public String httpHost() {
        return httpHost != null ? httpHost : host;
    }

    /** The monitoring port: 1..65535, 0 when monitoring is off, or {@link #RANDOM_PORT}. */
    public int httpPort() {
        return httpPort;
    }

    /** The largest message payload a client may publish, in bytes. */
    public long maxPayload() {
        return maxPayload;
    }

    /** The longest protocol control line accepted, in bytes. */
    public int maxControlLine() {
        return maxControlLine;
    }

    /** The most client connections accepted at once. */
    public int maxConnections() {
        return maxConnections;
    }

    /** The most subscriptions per connection; 0 = unlimited. */
    public int maxSubscriptions() {
        return maxSubscriptions;
    }

    /** The most bytes buffered for one connection before it is a slow consumer. */
    public long maxPending() {
        return maxPending;
    }

    /** How long a write to a client may block before the client is a slow consumer. */
    public Duration writeDeadline() {
        return writeDeadline;
    }

    /** How often the server pings each client. */
    public Duration pingInterval() {
        return pingInterval;
    }

    /** How many pings may go unanswered before the connection is stale. */
    public int pingMax() {
        return pingMax;
    }

    /** How long a client has to authenticate (nats.conf {@code authorization { timeout }}). */
    public Duration authTimeout() {
        return authTimeout;
    }

    public boolean debug() {
        return debug;
    }

    public boolean trace() {
        return trace;
    }

    /** Verbose tracing (also traces the system account), {@code -VV} or {@code trace_verbose}. */
    public boolean traceVerbose() {
        return traceVerbose;
    }

    /** Whether log lines carry a timestamp. */
    public boolean logtime() {
        return logtime;
    }

    /** The file to log to instead of standard error, if any. */
    public Optional<Path> logFile() {
        return Optional.ofNullable(logFile);
    }

    /** The file to write the process id to, if any. */
    public Optional<Path> pidFile() {
        return Optional.ofNullable(pidFile);
    }

    /** Whether logging is off entirely (embedded use; no nats.conf key). */
    public boolean noLog() {
        return noLog;
    }

    /** Over how long lame-duck mode closes the client connections. */
    public Duration lameDuckDuration() {
        return lameDuckDuration;
    }

    /** How long lame-duck mode waits before it starts closing client connections. */
    public Duration lameDuckGracePeriod() {
        return lameDuckGracePeriod;
    }

    /** Whether JetStream is enabled ({@code -js}, {@code jetstream: enabled} or a {@code jetstream {}} block). */
    public boolean jetStream() {
        return jetStream;
    }

    /** Where JetStream keeps its data. */
    public Path storeDir() {
        return storeDir;
    }

    /** The raw {@code authorization} block; empty when absent. */
    public Map<String, Object> authorization() {
        return authorization;
    }

    /** The raw {@code tls} block; empty when absent. */
    public Map<String, Object> tls() {
        return tls;
    }

    /** The raw {@code cluster} block; empty when absent. */
    public Map<String, Object> cluster() {
        return cluster;
    }

    /** The raw {@code jetstream} block; empty when absent or given as a word ({@code jetstream: enabled}). */
    public Map<String, Object> jetStreamConfig() {
        return jetStreamConfig;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof BrokerOptions other && values().equals(other.values());
    }

    @Override
    public int hashCode() {
        return values().hashCode();
    }

    /** Every field, for {@link #equals} and {@link #hashCode}. */
    private List<Object> values() {
        return Arrays.asList(configFile, serverName, host, port, httpHost, httpPort, maxPayload, maxControlLine,
                maxConnections, maxSubscriptions, maxPending, writeDeadline, pingInterval, pingMax, authTimeout, debug,
                trace, traceVerbose, logtime, logFile, pidFile, noLog, lameDuckDuration, lameDuckGracePeriod, jetStream,
                storeDir, authorization, tls, cluster, jetStreamConfig);
    }

    /** All scalar options; of the raw blocks only the key names, so secrets such as tokens are never printed. */
    @Override
    public String toString() {
        return new StringJoiner(", ", "BrokerOptions{", "}")
                .add("configFile=" + configFile).add("serverName=" + serverName).add("host=" + host)
                .add("port=" + port).add("httpHost=" + httpHost()).add("httpPort=" + httpPort)
                .add("maxPayload=" + maxPayload).add("maxControlLine=" + maxControlLine)
                .add("maxConnections=" + maxConnections).add("maxSubscriptions=" + maxSubscriptions)
                .add("maxPending=" + maxPending).add("writeDeadline=" + GoDuration.format(writeDeadline))
                .add("pingInterval=" + GoDuration.format(pingInterval)).add("pingMax=" + pingMax)
                .add("authTimeout=" + GoDuration.format(authTimeout)).add("debug=" + debug).add("trace=" + trace)
                .add("traceVerbose=" + traceVerbose).add("logtime=" + logtime).add("logFile=" + logFile)
                .add("pidFile=" + pidFile).add("noLog=" + noLog)
                .add("lameDuckDuration=" + GoDuration.format(lameDuckDuration))
                .add("lameDuckGracePeriod=" + GoDuration.format(lameDuckGracePeriod)).add("jetStream=" + jetStream)
                .add("storeDir=" + storeDir).add("authorization=" + authorization.keySet()).add("tls=" + tls.keySet())
                .add("cluster=" + cluster.keySet()).add("jetstream=" + jetStreamConfig.keySet()).toString();
    }

    /**
     * Collects option values; {@link #build()} checks them. Setters accept what nats-server accepts: 0 for a size,
     * count or duration means "the default", and a negative {@code maxSubscriptions} means unlimited. Not
     * thread-safe.
     */
    public static final class Builder {
        private Path configFile;
        private String serverName = "";
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private String httpHost;
        private int httpPort = DEFAULT_HTTP_PORT;
        private long maxPayload = DEFAULT_MAX_PAYLOAD;
        private int maxControlLine = DEFAULT_MAX_CONTROL_LINE;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int maxSubscriptions;
        private long maxPending = DEFAULT_MAX_PENDING;
        private Duration writeDeadline = DEFAULT_WRITE_DEADLINE;
        private Duration pingInterval = DEFAULT_PING_INTERVAL;
        private int pingMax = DEFAULT_PING_MAX;
        private Duration authTimeout = DEFAULT_AUTH_TIMEOUT;
        private boolean debug;
        private boolean trace;
        private boolean traceVerbose;
        private boolean logtime = true;
        private Path logFile;
        private Path pidFile;
        private boolean noLog;
        private Duration lameDuckDuration = DEFAULT_LAME_DUCK_DURATION;
        private Duration lameDuckGracePeriod = DEFAULT_LAME_DUCK_GRACE_PERIOD;
        private boolean jetStream;
        private Path storeDir = DEFAULT_STORE_DIR;
        private Map<String, Object> authorization = Map.of();
        private Map<String, Object> tls = Map.of();
        private Map<String, Object> cluster = Map.of();
        private Map<String, Object> jetStreamConfig = Map.of();

        private Builder() {}

        private Builder(BrokerOptions o) {
            configFile = o.configFile;
            serverName = o.serverName;
            host = o.host;
            port = o.port;
            httpHost = o.httpHost;
            httpPort = o.httpPort;
            maxPayload = o.maxPayload;
            maxControlLine = o.maxControlLine;
            maxConnections = o.maxConnections;
            maxSubscriptions = o.maxSubscriptions;
            maxPending = o.maxPending;
            writeDeadline = o.writeDeadline;
            pingInterval = o.pingInterval;
            pingMax = o.pingMax;
            authTimeout = o.authTimeout;
            debug = o.debug;
            trace = o.trace;
            traceVerbose = o.traceVerbose;
            logtime = o.logtime;
            logFile = o.logFile;
            pidFile = o.pidFile;
            noLog = o.noLog;
            lameDuckDuration = o.lameDuckDuration;
            lameDuckGracePeriod = o.lameDuckGracePeriod;
            jetStream = o.jetStream;
            storeDir = o.storeDir;
            authorization = o.authorization;
            tls = o.tls;
            cluster = o.cluster;
            jetStreamConfig = o.jetStreamConfig;
        }

        public Builder configFile(Path value) {
            configFile = value;
            return this;
        }

        /** {@code null} or empty: use the server id. */
        public Builder serverName(String value) {
            serverName = value == null ? "" : value;
            return this;
        }

        /** {@code null} or empty: {@value #DEFAULT_HOST}. */
        public Builder host(String value) {
            host = value;
            return this;
        }

        /** 0: {@value #DEFAULT_PORT}; -1: any free port. */
        public Builder port(int value) {
            port = value;
            return this;
        }

        /** {@code null} or empty: the client host. */
        public Builder httpHost(String value) {
            httpHost = value;
            return this;
        }

        /** 0: monitoring off; -1: any free port. */
        public Builder httpPort(int value) {
            httpPort = value;
            return this;
        }

        public Builder maxPayload(long value) {
            maxPayload = value;
            return this;
        }

        public Builder maxControlLine(int value) {
            maxControlLine = value;
            return this;
        }

        public Builder maxConnections(int value) {
            maxConnections = value;
            return this;
        }

        /** 0 or negative: unlimited. */
        public Builder maxSubscriptions(int value) {
            maxSubscriptions = value;
            return this;
        }

        public Builder maxPending(long value) {
            maxPending = value;
            return this;
        }

        public Builder writeDeadline(Duration value) {
            writeDeadline = value;
            return this;
        }

        public Builder pingInterval(Duration value) {
            pingInterval = value;
            return this;
        }

        public Builder pingMax(int value) {
            pingMax = value;
            return this;
        }

        public Builder authTimeout(Duration value) {
            authTimeout = value;
            return this;
        }

        public Builder debug(boolean value) {
            debug = value;
            return this;
        }

        public Builder trace(boolean value) {
            trace = value;
            return this;
        }

        public Builder traceVerbose(boolean value) {
            traceVerbose = value;
            return this;
        }

        public Builder logtime(boolean value) {
            logtime = value;
            return this;
        }

        public Builder logFile(Path value) {
            logFile = value;
            return this;
        }

        public Builder pidFile(Path value) {
            pidFile = value;
            return this;
        }

        public Builder noLog(boolean value) {
            noLog = value;
            return this;
        }

        public Builder lameDuckDuration(Duration value) {
            lameDuckDuration = value;
            return this;
        }

        public Builder lameDuckGracePeriod(Duration value) {
            lameDuckGracePeriod = value;
            return this;
        }

        public Builder jetStream(boolean value) {
            jetStream = value;
            return this;
        }

        /** {@code null}: {@link #DEFAULT_STORE_DIR}. */
        public Builder storeDir(Path value) {
            storeDir = value;
            return this;
        }

        public Builder authorization(Map<String, Object> value) {
            authorization = ConfigValues.freezeMap(value);
            return this;
        }

        public Builder tls(Map<String, Object> value) {
            tls = ConfigValues.freezeMap(value);
            return this;
        }

        public Builder cluster(Map<String, Object> value) {
            cluster = ConfigValues.freezeMap(value);
            return this;
        }

        public Builder jetStreamConfig(Map<String, Object> value) {
            jetStreamConfig = ConfigValues.freezeMap(value);
            return this;
        }

        /**
         * Replaces zeros with defaults and checks every value. The normalised values are also kept in this builder,
         * so building twice gives equal options.
         *
         * @throws ConfigException naming the option (by its nats.conf key) and the bad value
         */
        public BrokerOptions build() {
            host = host == null || host.isBlank() ? DEFAULT_HOST : host;
            httpHost = httpHost == null || httpHost.isBlank() ? null : httpHost;
            port = port == 0 ? DEFAULT_PORT : port;
            checkPort("port", port);
            checkPort("http_port", httpPort);
            maxPayload = orDefault("max_payload", maxPayload, DEFAULT_MAX_PAYLOAD);
            maxPending = orDefault("max_pending", maxPending, DEFAULT_MAX_PENDING);
            ConfigValues.checkPayload(maxPayload, maxPending);
            maxControlLine = (int) orDefault("max_control_line", maxControlLine, DEFAULT_MAX_CONTROL_LINE);
            maxConnections = (int) orDefault("max_connections", maxConnections, DEFAULT_MAX_CONNECTIONS);
            maxSubscriptions = Math.max(0, maxSubscriptions);
            pingMax = (int) orDefault("ping_max", pingMax, DEFAULT_PING_MAX);
            writeDeadline = orDefault("write_deadline", writeDeadline, DEFAULT_WRITE_DEADLINE);
            pingInterval = orDefault("ping_interval", pingInterval, DEFAULT_PING_INTERVAL);
            authTimeout = orDefault("authorization.timeout", authTimeout, DEFAULT_AUTH_TIMEOUT);
            lameDuckDuration = orDefault("lame_duck_duration", lameDuckDuration, DEFAULT_LAME_DUCK_DURATION);
            lameDuckGracePeriod =
                    orDefault("lame_duck_grace_period", lameDuckGracePeriod, DEFAULT_LAME_DUCK_GRACE_PERIOD);
            ConfigValues.checkLameDuck(lameDuckDuration, lameDuckGracePeriod);
            storeDir = storeDir == null ? DEFAULT_STORE_DIR : storeDir;
            return new BrokerOptions(this);
        }
    }
}
