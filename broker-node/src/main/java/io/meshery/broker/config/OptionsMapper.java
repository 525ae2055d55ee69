package io.meshery.broker.config;

import static io.meshery.broker.config.ConfigValues.block;
import static io.meshery.broker.config.ConfigValues.bool;
import static io.meshery.broker.config.ConfigValues.duration;
import static io.meshery.broker.config.ConfigValues.intSize;
import static io.meshery.broker.config.ConfigValues.integer;
import static io.meshery.broker.config.ConfigValues.path;
import static io.meshery.broker.config.ConfigValues.size;
import static io.meshery.broker.config.ConfigValues.storageLimit;
import static io.meshery.broker.config.ConfigValues.string;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Applies the top-level keys of a nats.conf document to a {@link BrokerOptions.Builder}, in document order (so a
 * later key wins). Keys are matched case-insensitively, as nats-server does.
 *
 * <table>
 *   <caption>Keys and the option each sets</caption>
 *   <tr><th>key (aliases)</th><th>option</th></tr>
 *   <tr><td>server_name</td><td>serverName</td></tr>
 *   <tr><td>host (net)</td><td>host</td></tr>
 *   <tr><td>port</td><td>port (-1 = random, 0 = 4222)</td></tr>
 *   <tr><td>listen</td><td>host and port, {@code "host:port"} or a port</td></tr>
 *   <tr><td>http_port (monitor_port)</td><td>httpPort</td></tr>
 *   <tr><td>http</td><td>httpHost and httpPort, {@code "host:port"} or a port</td></tr>
 *   <tr><td>max_payload, max_pending, max_control_line</td><td>sizes ({@code 10MB})</td></tr>
 *   <tr><td>max_connections (max_conn), max_subscriptions (max_subs), ping_max</td><td>integers</td></tr>
 *   <tr><td>write_deadline, ping_interval, lame_duck_duration, lame_duck_grace_period</td>
 *       <td>durations ({@code "10s"}; an integer means seconds)</td></tr>
 *   <tr><td>debug, trace, trace_verbose, logtime</td><td>booleans</td></tr>
 *   <tr><td>log_file (logfile), pid_file (pidfile), store_dir (storedir)</td><td>paths</td></tr>
 *   <tr><td>jetstream</td><td>true/false, enabled/disabled, or a block, which enables JetStream</td></tr>
 *   <tr><td>jetstream { enabled (enable) }</td><td>jetStream, a boolean</td></tr>
 *   <tr><td>jetstream { store_dir (storedir, store) }</td><td>storeDir, a path; set once, here or at the top
 *       level</td></tr>
 *   <tr><td>jetstream { max_memory_store (max_mem_store, max_mem), max_file_store (max_file) }</td>
 *       <td>maxMemoryStore, maxFileStore: sizes ({@code 1G}, {@code 10GB}), -1 for no limit</td></tr>
 *   <tr><td>jetstream { sync_interval (sync) }</td><td>syncInterval: {@code always} or a duration</td></tr>
 *   <tr><td>authorization</td><td>raw block; its {@code timeout} (seconds) sets authTimeout</td></tr>
 *   <tr><td>tls, cluster</td><td>raw blocks</td></tr>
 * </table>
 *
 * <p>Before any value is read, {@link ConfigKeys} checks every key: unknown keys and access control the node does
 * not implement stop the load, keys of features not implemented yet are warnings. Each error and warning starts
 * with the {@code file:line:column} of its key.
 *
 * <p>As nats-server does: a lame_duck_duration under 30 seconds is rejected, and a max_payload over 8MB is
 * allowed with a warning.
 */
final class OptionsMapper {
    static final Duration MIN_LAME_DUCK_DURATION = Duration.ofSeconds(30);
    static final long DISCOURAGED_MAX_PAYLOAD = 8L << 20;
    private static final Set<String> STORE_DIR_IN_BLOCK = Set.of("store_dir", "storedir", "store");

    private OptionsMapper() {}

    /** Defaults with {@code config} applied and checked: what {@link BrokerOptions#fromConfig(ParsedConfig)} does. */
    static BrokerOptions.Loaded load(ParsedConfig config) {
        BrokerOptions.Builder builder = BrokerOptions.builder();
        List<String> warnings = apply(config, builder);
        try {
            return new BrokerOptions.Loaded(builder.build(), warnings);
        } catch (ConfigException e) {
            throw config.positions().locate(e);
        }
    }

    /**
     * Checks the keys of {@code config} and applies their values to {@code builder}; returns the warnings, each
     * starting with the position of its key. Nothing is logged.
     *
     * @throws ConfigException starting with {@code file:line:column:}: every unknown or refused key (one per line),
     *     or else the first bad value
     */
    static List<String> apply(ParsedConfig config, BrokerOptions.Builder builder) {
        ConfigKeys.Findings findings = ConfigKeys.check(config);
        ConfigException errors = ConfigKeys.asOneError(findings.errors());
        if (errors != null) {
            throw errors;
        }
        List<String> valueWarnings = new ArrayList<>();
        try {
            checkOneStoreDir(config.values());
            config.values().forEach((key, value) -> applyKey(key, value, builder, valueWarnings));
        } catch (ConfigException e) {
            throw config.positions().locate(e);
        }
        List<String> warnings = new ArrayList<>(findings.warnings());
        valueWarnings.forEach(w -> warnings.add(config.positions().locate(w)));
        return warnings;
    }

    private static void applyKey(String key, Object v, BrokerOptions.Builder b, List<String> warnings) {
        switch (key.toLowerCase(Locale.ROOT)) {
            case "server_name" -> b.serverName(string(key, v));
            case "host", "net" -> b.host(string(key, v));
            case "port" -> b.port(integer(key, v));
            case "listen" -> {
                HostPort listen = HostPort.parse(key, v);
                if (listen.host() != null) {
                    b.host(listen.host());
                }
                b.port(listen.port());
            }
            case "http_port", "monitor_port" -> b.httpPort(integer(key, v));
            case "http" -> {
                HostPort http = HostPort.parse(key, v);
                if (http.host() != null) {
                    b.httpHost(http.host());
                }
                b.httpPort(http.port());
            }
            case "max_payload" -> {
                long payload = size(key, v);
                if (payload > DISCOURAGED_MAX_PAYLOAD) {
                    warnings.add(key + ": payloads over 8MB (here " + payload
                            + " bytes) are discouraged and could lead to poor performance");
                }
                b.maxPayload(payload);
            }
            case "max_pending" -> b.maxPending(size(key, v));
            case "max_control_line" -> b.maxControlLine(intSize(key, v));
            case "max_connections", "max_conn" -> b.maxConnections(integer(key, v));
            case "max_subscriptions", "max_subs" -> b.maxSubscriptions(integer(key, v));
            case "ping_max" -> b.pingMax(integer(key, v));
            case "write_deadline" -> b.writeDeadline(duration(key, v, warnings));
            case "ping_interval" -> b.pingInterval(duration(key, v, warnings));
            case "lame_duck_duration" -> b.lameDuckDuration(lameDuckDuration(key, duration(key, v, warnings)));
            case "lame_duck_grace_period" -> b.lameDuckGracePeriod(duration(key, v, warnings));
            case "debug" -> b.debug(bool(key, v));
            case "trace" -> b.trace(bool(key, v));
            case "trace_verbose" -> {
                boolean verbose = bool(key, v);
                b.traceVerbose(verbose);
                if (verbose) {
                    b.trace(true);
                }
            }
            case "logtime" -> b.logtime(bool(key, v));
            case "log_file", "logfile" -> b.logFile(path(key, v));
            case "pid_file", "pidfile" -> b.pidFile(path(key, v));
            case "store_dir", "storedir" -> b.storeDir(path(key, v));
            case "jetstream" -> jetStream(key, v, b, warnings);
            case "authorization" -> {
                Map<String, Object> auth = block(key, v);
                b.authorization(auth);
                auth.forEach((k, tv) -> {
                    if (k.equalsIgnoreCase("timeout")) {
                        b.authTimeout(ConfigValues.seconds(key + "." + k, tv));
                    }
                });
            }
            case "tls" -> b.tls(block(key, v));
            case "cluster" -> b.cluster(block(key, v));
            default -> { } // variables, and keys ConfigKeys accepts with a warning
        }
    }

    private static Duration lameDuckDuration(String key, Duration d) {
        if (d.compareTo(MIN_LAME_DUCK_DURATION) < 0) {
            throw new ConfigException(key + ": invalid value " + GoDuration.format(d) + ", the minimum is "
                    + GoDuration.format(MIN_LAME_DUCK_DURATION));
        }
        return d;
    }

    /** {@code jetstream: true|false|enabled|disabled} or {@code jetstream { enabled: ..., store_dir: ... }}. */
    private static void jetStream(String key, Object v, BrokerOptions.Builder b, List<String> warnings) {
        if (v instanceof Boolean enabled) {
            b.jetStream(enabled);
        } else if (v instanceof String word) {
            switch (word.toLowerCase(Locale.ROOT)) {
                case "enabled", "enable" -> b.jetStream(true);
                case "disabled", "disable" -> b.jetStream(false);
                default -> throw new ConfigException(
                        key + ": expected enabled, disabled or a block { ... }, got " + ConfigValues.show(v));
            }
        } else if (v instanceof Map<?, ?>) {
            Map<String, Object> js = block(key, v);
            b.jetStream(true).jetStreamConfig(js);
            js.forEach((k, value) -> {
                String sub = key + "." + k;
                switch (k.toLowerCase(Locale.ROOT)) {
                    case "enabled", "enable" -> b.jetStream(bool(sub, value));
                    case "store_dir", "storedir", "store" -> b.storeDir(path(sub, value));
                    case "max_memory_store", "max_mem_store", "max_mem" ->
                            b.maxMemoryStore(storageLimit(sub, size(sub, value)));
                    case "max_file_store", "max_file" -> b.maxFileStore(storageLimit(sub, size(sub, value)));
                    case "sync_interval", "sync" -> b.syncInterval(syncInterval(sub, value, warnings));
                    default -> { } // variables, and keys ConfigKeys accepts with a warning
                }
            });
        } else {
            throw new ConfigException(
                    key + ": expected enabled, disabled or a block { ... }, got " + ConfigValues.show(v));
        }
    }

    /** {@code always} (null: sync before each PubAck) or a positive duration. */
    private static Duration syncInterval(String key, Object v, List<String> warnings) {
        if (v instanceof String word && word.equalsIgnoreCase("always")) {
            return null;
        }
        Duration interval;
        try {
            interval = duration(key, v, warnings);
        } catch (ConfigException e) {
            throw new ConfigException(key + ": expected always or a duration such as \"2m\" or \"10s\", got "
                    + ConfigValues.show(v));
        }
        return ConfigValues.syncInterval(key, interval);
    }

    /**
     * As nats-server: the store directory may be set once, at the top level ({@code store_dir}) or in the
     * {@code jetstream} block; a second setting is an error naming it.
     */
    private static void checkOneStoreDir(Map<String, Object> values) {
        String first = null;
        for (Map.Entry<String, Object> e : values.entrySet()) {
            List<String> keys = new ArrayList<>();
            String lower = e.getKey().toLowerCase(Locale.ROOT);
            if (lower.equals("store_dir") || lower.equals("storedir")) {
                keys.add(e.getKey());
            } else if (lower.equals("jetstream") && e.getValue() instanceof Map<?, ?> block) {
                block.keySet().stream().map(String::valueOf)
                        .filter(k -> STORE_DIR_IN_BLOCK.contains(k.toLowerCase(Locale.ROOT)))
                        .forEach(k -> keys.add(e.getKey() + "." + k));
            }
            for (String key : keys) {
                if (first != null) {
                    throw new ConfigException(key + ": duplicate store_dir configuration (already set by " + first
                            + ")");
                }
                first = key;
            }
        }
    }
}
