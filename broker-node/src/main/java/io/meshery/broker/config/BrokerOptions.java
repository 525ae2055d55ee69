package io.meshery.broker.config;

import static io.meshery.broker.config.ConfigValues.checkPort;
import static io.meshery.broker.config.ConfigValues.orDefault;

import io.meshery.broker.cluster.ClusterSettings;
import io.meshery.broker.config.NodeSettings.LameDuck;
import io.meshery.broker.config.NodeSettings.Limits;
import io.meshery.broker.config.NodeSettings.Listen;
import io.meshery.broker.config.NodeSettings.Logging;
import io.meshery.broker.config.NodeSettings.Storage;
import io.meshery.broker.config.NodeSettings.Timings;
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
 * Every option of one broker node, immutable: the {@link NodeSettings} it runs with (which hold every default), and
 * what only the launcher and the security code read (the configuration and pid files, the raw blocks).
 *
 * <p>Built with {@link #builder()} (or {@link #toBuilder()}); {@link Builder#build()} applies nats-server's
 * "zero means default" rules and rejects values out of range. A nats.conf document is applied with
 * {@link #fromConfig(ParsedConfig)}; the nats.conf keys and their aliases are listed in {@code OptionsMapper}.
 *
 * <p>Conventions: durations are {@link Duration}s and sizes are byte counts. A port of {@link #RANDOM_PORT}
 * (-1) asks the operating system for a free port; an {@linkplain #httpPort() HTTP port} of 0 disables monitoring;
 * a JetStream storage size of {@link #UNLIMITED} (-1) sets no limit.
 * The {@code authorization}, {@code tls}, {@code cluster} and {@code jetstream} blocks are kept
 * as raw, deeply unmodifiable maps (keys as written, values as {@link ConfigParser} reads them) for the code that
 * interprets them; their keys should be matched case-insensitively, as nats-server does.
 */
public final class BrokerOptions {
    /** A port value that asks for any free port. */
    public static final int RANDOM_PORT = Listen.RANDOM_PORT;
    /** A JetStream storage size that sets no limit. */
    public static final long UNLIMITED = Storage.UNLIMITED;
    public static final Path DEFAULT_STORE_DIR = Storage.DEFAULTS.storeDir();

    private final Path configFile;
    private final NodeSettings settings;
    private final Path pidFile;
    private final boolean jetStream;
    private final Storage storage;
    private final Map<String, Object> authorization;
    private final Map<String, Object> tls;
    private final Map<String, Object> cluster;
    private final Map<String, Object> jetStreamConfig;
    private final ClusterSettings clusterSettings;

    private BrokerOptions(Builder b, NodeSettings settings, Storage storage, ClusterSettings clusterSettings) {
        configFile = b.configFile;
        this.settings = settings;
        pidFile = b.pidFile;
        jetStream = b.jetStream;
        this.storage = storage;
        authorization = b.authorization;
        tls = b.tls;
        cluster = b.cluster;
        jetStreamConfig = b.jetStreamConfig;
        this.clusterSettings = clusterSettings;
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

    /** The settings the node runs with: listen, limits, timings, lame duck, logging. */
    public NodeSettings settings() {
        return settings;
    }

    /** The server name; empty means "use the server id". */
    public String serverName() {
        return settings.listen().serverName();
    }

    public String host() {
        return settings.listen().host();
    }

    /** The client port: 1..65535, or {@link #RANDOM_PORT}. */
    public int port() {
        return settings.listen().port();
    }

    /** The address the monitoring listener binds to; the client {@link #host()} unless set. */
    public String httpHost() {
        return settings.listen().httpHost();
    }

    /** The monitoring port: 1..65535, 0 when monitoring is off, or {@link #RANDOM_PORT}. */
    public int httpPort() {
        return settings.listen().httpPort();
    }

    public long maxPayload() {
        return settings.limits().maxPayload();
    }

    public int maxControlLine() {
        return settings.limits().maxControlLine();
    }

    public int maxConnections() {
        return settings.limits().maxConnections();
    }

    public int maxSubscriptions() {
        return settings.limits().maxSubscriptions();
    }

    public long maxPending() {
        return settings.limits().maxPending();
    }

    public Duration writeDeadline() {
        return settings.timings().writeDeadline();
    }

    public Duration pingInterval() {
        return settings.timings().pingInterval();
    }

    public int pingMax() {
        return settings.timings().pingMax();
    }

    /** How long a client has to authenticate (nats.conf {@code authorization { timeout }}). */
    public Duration authTimeout() {
        return settings.timings().authTimeout();
    }

    public boolean debug() {
        return settings.logging().debug();
    }

    public boolean trace() {
        return settings.logging().trace();
    }

    public boolean traceVerbose() {
        return settings.logging().traceVerbose();
    }

    public boolean logtime() {
        return settings.logging().logtime();
    }

    /** The file to log to instead of standard error, if any. */
    public Optional<Path> logFile() {
        return Optional.ofNullable(settings.logging().file());
    }

    /** The file to write the process id to, if any. */
    public Optional<Path> pidFile() {
        return Optional.ofNullable(pidFile);
    }

    public boolean noLog() {
        return settings.logging().noLog();
    }

    public Duration lameDuckDuration() {
        return settings.lameDuck().duration();
    }

    public Duration lameDuckGracePeriod() {
        return settings.lameDuck().gracePeriod();
    }

    /** Whether JetStream is enabled ({@code -js}, {@code jetstream: enabled} or a {@code jetstream {}} block). */
    public boolean jetStream() {
        return jetStream;
    }

    /** Where JetStream keeps its data. */
    public Path storeDir() {
        return storage.storeDir();
    }

    /** The most bytes JetStream keeps in memory streams, or {@link #UNLIMITED}. */
    public long maxMemoryStore() {
        return storage.maxMemoryStore();
    }

    /** The most bytes JetStream keeps in file streams, or {@link #UNLIMITED}. */
    public long maxFileStore() {
        return storage.maxFileStore();
    }

    /** How often JetStream forces stored messages to disk; {@code null}: always, before each PubAck. */
    public Duration syncInterval() {
        return storage.syncInterval();
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

    /** The cluster this node is to join, or empty for a node on its own. */
    public Optional<ClusterSettings> clusterSettings() {
        return Optional.ofNullable(clusterSettings);
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
        return Arrays.asList(configFile, settings, pidFile, jetStream, storage, authorization, tls, cluster,
                jetStreamConfig, clusterSettings);
    }

    /** All scalar options; of the raw blocks only the key names, so secrets such as tokens are never printed. */
    @Override
    public String toString() {
        return new StringJoiner(", ", "BrokerOptions{", "}")
                .add("configFile=" + configFile).add("serverName=" + serverName()).add("host=" + host())
                .add("port=" + port()).add("httpHost=" + httpHost()).add("httpPort=" + httpPort())
                .add("maxPayload=" + maxPayload()).add("maxControlLine=" + maxControlLine())
                .add("maxConnections=" + maxConnections()).add("maxSubscriptions=" + maxSubscriptions())
                .add("maxPending=" + maxPending()).add("writeDeadline=" + GoDuration.format(writeDeadline()))
                .add("pingInterval=" + GoDuration.format(pingInterval())).add("pingMax=" + pingMax())
                .add("authTimeout=" + GoDuration.format(authTimeout())).add("debug=" + debug())
                .add("trace=" + trace()).add("traceVerbose=" + traceVerbose()).add("logtime=" + logtime())
                .add("logFile=" + settings.logging().file()).add("pidFile=" + pidFile).add("noLog=" + noLog())
                .add("lameDuckDuration=" + GoDuration.format(lameDuckDuration()))
                .add("lameDuckGracePeriod=" + GoDuration.format(lameDuckGracePeriod())).add("jetStream=" + jetStream)
                .add("storage=" + storage).add("authorization=" + authorization.keySet()).add("tls=" + tls.keySet())
                .add("cluster=" + cluster.keySet()).add("jetstream=" + jetStreamConfig.keySet()).toString();
    }

    /**
     * Collects option values; {@link #build()} checks them. Setters accept what nats-server accepts: 0 for a size,
     * count or duration means "the default", and a negative {@code maxSubscriptions} means unlimited. Not
     * thread-safe.
     */
    public static final class Builder {
        private static final Listen LISTEN = NodeSettings.DEFAULTS.listen();
        private static final Limits LIMITS = NodeSettings.DEFAULTS.limits();
        private static final Timings TIMINGS = NodeSettings.DEFAULTS.timings();
        private static final LameDuck LAME_DUCK = NodeSettings.DEFAULTS.lameDuck();
        private static final Logging LOGGING = NodeSettings.DEFAULTS.logging();
        private static final Storage STORAGE = Storage.DEFAULTS;

        private Path configFile;
        private String serverName = LISTEN.serverName();
        private String host = LISTEN.host();
        private int port = LISTEN.port();
        /** {@code null}: the client host. */
        private String httpHost;
        private int httpPort = LISTEN.httpPort();
        private long maxPayload = LIMITS.maxPayload();
        private int maxControlLine = LIMITS.maxControlLine();
        private int maxConnections = LIMITS.maxConnections();
        private int maxSubscriptions = LIMITS.maxSubscriptions();
        private long maxPending = LIMITS.maxPending();
        private Duration writeDeadline = TIMINGS.writeDeadline();
        private Duration pingInterval = TIMINGS.pingInterval();
        private int pingMax = TIMINGS.pingMax();
        private Duration authTimeout = TIMINGS.authTimeout();
        private boolean debug = LOGGING.debug();
        private boolean trace = LOGGING.trace();
        private boolean traceVerbose = LOGGING.traceVerbose();
        private boolean logtime = LOGGING.logtime();
        private Path logFile = LOGGING.file();
        private Path pidFile;
        private boolean noLog = LOGGING.noLog();
        private Duration lameDuckDuration = LAME_DUCK.duration();
        private Duration lameDuckGracePeriod = LAME_DUCK.gracePeriod();
        private boolean jetStream;
        private Path storeDir = STORAGE.storeDir();
        private long maxMemoryStore = STORAGE.maxMemoryStore();
        private long maxFileStore = STORAGE.maxFileStore();
        private Duration syncInterval = STORAGE.syncInterval();
        private Map<String, Object> authorization = Map.of();
        private Map<String, Object> tls = Map.of();
        private Map<String, Object> cluster = Map.of();
        private Map<String, Object> jetStreamConfig = Map.of();
        private String clusterListen;
        private String routes;
        private String clusterName;

        private Builder() {}

        private Builder(BrokerOptions o) {
            configFile = o.configFile;
            serverName = o.serverName();
            host = o.host();
            port = o.port();
            // A monitoring host that only followed the client host keeps following it.
            httpHost = o.httpHost().equals(o.host()) ? null : o.httpHost();
            httpPort = o.httpPort();
            maxPayload = o.maxPayload();
            maxControlLine = o.maxControlLine();
            maxConnections = o.maxConnections();
            maxSubscriptions = o.maxSubscriptions();
            maxPending = o.maxPending();
            writeDeadline = o.writeDeadline();
            pingInterval = o.pingInterval();
            pingMax = o.pingMax();
            authTimeout = o.authTimeout();
            debug = o.debug();
            trace = o.trace();
            traceVerbose = o.traceVerbose();
            logtime = o.logtime();
            logFile = o.settings.logging().file();
            pidFile = o.pidFile;
            noLog = o.noLog();
            lameDuckDuration = o.lameDuckDuration();
            lameDuckGracePeriod = o.lameDuckGracePeriod();
            jetStream = o.jetStream;
            storeDir = o.storeDir();
            maxMemoryStore = o.maxMemoryStore();
            maxFileStore = o.maxFileStore();
            syncInterval = o.syncInterval();
            authorization = o.authorization;
            tls = o.tls;
            cluster = o.cluster;
            jetStreamConfig = o.jetStreamConfig;
            if (o.clusterSettings != null) {
                ClusterSettings c = o.clusterSettings;
                clusterListen = "nats-route://" + c.host() + ":" + c.port();
                routes = String.join(",", c.routes().stream().map(r -> "nats-route://" + r).toList());
                clusterName = c.name();
            }
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

        /** {@code null} or empty: the default host, 0.0.0.0. */
        public Builder host(String value) {
            host = value;
            return this;
        }

        /** 0: the default port, 4222; -1: any free port. */
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

        /** A byte count, or {@link #UNLIMITED}. */
        public Builder maxMemoryStore(long value) {
            maxMemoryStore = value;
            return this;
        }

        /** A byte count, or {@link #UNLIMITED}. */
        public Builder maxFileStore(long value) {
            maxFileStore = value;
            return this;
        }

        /** {@code null}: always sync, before each PubAck. */
        public Builder syncInterval(Duration value) {
            syncInterval = value;
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

        /** {@code --cluster nats://host:port}: where the cluster port listens. */
        public Builder clusterListen(String url) {
            clusterListen = url;
            return this;
        }

        /** {@code --routes url,url}: replaces the block's routes. */
        public Builder routes(String urls) {
            routes = urls;
            return this;
        }

        /** {@code --cluster_name}. */
        public Builder clusterName(String name) {
            clusterName = name;
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
            host = host == null || host.isBlank() ? LISTEN.host() : host;
            httpHost = httpHost == null || httpHost.isBlank() ? null : httpHost;
            port = port == 0 ? LISTEN.port() : port;
            checkPort("port", port);
            checkPort("http_port", httpPort);
            maxPayload = orDefault("max_payload", maxPayload, LIMITS.maxPayload());
            maxPending = orDefault("max_pending", maxPending, LIMITS.maxPending());
            ConfigValues.checkPayload(maxPayload, maxPending);
            maxControlLine = (int) orDefault("max_control_line", maxControlLine, LIMITS.maxControlLine());
            maxConnections = (int) orDefault("max_connections", maxConnections, LIMITS.maxConnections());
            maxSubscriptions = Math.max(0, maxSubscriptions);
            pingMax = (int) orDefault("ping_max", pingMax, TIMINGS.pingMax());
            writeDeadline = orDefault("write_deadline", writeDeadline, TIMINGS.writeDeadline());
            pingInterval = orDefault("ping_interval", pingInterval, TIMINGS.pingInterval());
            authTimeout = orDefault("authorization.timeout", authTimeout, TIMINGS.authTimeout());
            lameDuckDuration = orDefault("lame_duck_duration", lameDuckDuration, LAME_DUCK.duration());
            lameDuckGracePeriod = orDefault("lame_duck_grace_period", lameDuckGracePeriod, LAME_DUCK.gracePeriod());
            ConfigValues.checkLameDuck(lameDuckDuration, lameDuckGracePeriod);
            storeDir = storeDir == null ? STORAGE.storeDir() : storeDir;
            Storage storage = new Storage(storeDir,
                    ConfigValues.storageLimit("jetstream.max_memory_store", maxMemoryStore),
                    ConfigValues.storageLimit("jetstream.max_file_store", maxFileStore),
                    ConfigValues.syncInterval("jetstream.sync_interval", syncInterval));
            NodeSettings settings = new NodeSettings(
                    new Listen(serverName, host, port, httpHost == null ? host : httpHost, httpPort),
                    new Limits((int) maxPayload, maxControlLine, maxConnections, maxSubscriptions, maxPending),
                    new Timings(writeDeadline, pingInterval, pingMax, authTimeout),
                    new LameDuck(lameDuckDuration, lameDuckGracePeriod),
                    new Logging(debug, trace, traceVerbose, logtime, logFile, noLog));
            ClusterSettings clusterSettings = ClusterBlock.read(cluster, clusterListen, routes, clusterName);
            return new BrokerOptions(this, settings, storage, clusterSettings);
        }
    }
}
