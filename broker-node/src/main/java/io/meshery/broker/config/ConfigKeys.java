package io.meshery.broker.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one table of nats.conf keys: every key nats-server 2.9.10 knows (its {@code server/opts.go}), and what this
 * node does with it. {@link #check(ParsedConfig)} applies the table to a document before any value is read.
 *
 * <ul>
 *   <li>{@link Kind#READ}: the node implements it; its value is read by {@code OptionsMapper} or, for the
 *       {@code authorization} and {@code tls} blocks, by the security package.</li>
 *   <li>{@link Kind#NOT_YET}: a feature still to come (clustering, leaf nodes, JetStream domains...) or a detail
 *       not done; accepted with exactly one warning that says what the node does instead.</li>
 *   <li>{@link Kind#NO_EFFECT}: harmless here; accepted with one warning.</li>
 *   <li>{@link Kind#ACCESS_CONTROL}: access control the node does not implement (accounts, nkeys, JWT operator
 *       mode, auth callout, {@code no_auth_user}, the authorization of leaf nodes and the other listeners...). An
 *       error: running without it would let in clients the configuration keeps out.</li>
 *   <li>{@link Kind#ENCRYPTION}: JetStream encryption at rest, which the node does not implement. An error:
 *       running without it would write in the clear what the configuration says to encrypt.</li>
 *   <li>Any other key is an error, {@code unknown field "name"}, as in nats-server; so is an unknown key inside
 *       {@code authorization}, one of its {@code users}, {@code tls} or {@code jetstream}. A key that the document
 *       uses as a {@code $variable} is not reported, as in nats-server.</li>
 *   <li>The keys of a {@code jetstream} block that turns JetStream off ({@code enabled: false}) are checked, but
 *       not warned about.</li>
 * </ul>
 *
 * <p>Every message starts with the key's {@code file:line:column}. Stateless and thread-safe.
 */
final class ConfigKeys {

    /** What the node does with a key. */
    enum Kind { READ, NOT_YET, NO_EFFECT, ACCESS_CONTROL, ENCRYPTION }

    /** One row: the kind, and for the kinds that are reported, the text that follows the quoted key. */
    record Entry(Kind kind, String text) {}

    /** Errors and warnings, each a complete message starting with the key's position when it is known. */
    record Findings(List<ConfigException> errors, List<String> warnings) {}

    private static final Entry READ = new Entry(Kind.READ, "");

    /** Top-level keys. */
    static final Map<String, Entry> TOP_LEVEL = table(
            read("listen", "port", "host", "net", "server_name", "debug", "trace", "trace_verbose", "logtime",
                    "authorization", "tls", "http", "http_port", "monitor_port", "log_file", "logfile", "pid_file",
                    "pidfile", "max_control_line", "max_payload", "max_pending", "max_connections", "max_conn",
                    "max_subscriptions", "max_subs", "ping_interval", "ping_max", "write_deadline",
                    "lame_duck_duration", "lame_duck_grace_period", "jetstream", "store_dir", "storedir", "cluster"),
            notYet("is not implemented yet; JetStream has no domains on this node, it is ignored",
                    "default_js_domain"),
            notYet("is not implemented yet; no gateway port is opened", "gateway"),
            notYet("is not implemented yet; no leaf node port is opened and no remote is dialled", "leafnodes", "leaf"),
            notYet("is not implemented yet; no WebSocket port is opened", "websocket", "ws"),
            notYet("is not implemented yet; no MQTT port is opened", "mqtt"),
            notYet("is not implemented yet; messages keep the subject they are published on", "mappings", "maps"),
            notYet("is not implemented yet; monitoring is served over plain HTTP only (http, http_port)", "https",
                    "https_port"),
            notYet("is not implemented yet; monitoring is served at /", "http_base_path"),
            notYet("is not implemented yet; INFO advertises the listen address only", "client_advertise"),
            notYet("is not implemented yet; the log goes to standard error or log_file", "syslog", "remote_syslog"),
            notYet("is not implemented yet; the log file is not rotated by size (rotate it, then send SIGUSR1)",
                    "logfile_size_limit", "log_size_limit"),
            notYet("is not implemented yet; no ports file is written", "ports_file_dir"),
            notYet("is not implemented yet; no profiling port is opened", "prof_port"),
            notYet("is not implemented yet; traced messages are not shortened", "max_traced_msg_len"),
            notYet("is not implemented yet; the tokens of a subscription's subject are not limited", "max_sub_tokens",
                    "max_subscription_tokens"),
            notYet("is not implemented yet; with tls set, every client must use TLS", "allow_non_tls"),
            notYet("is not implemented yet; no OCSP response is stapled", "ocsp"),
            notYet("is not implemented yet; message headers stay supported", "no_header_support"),
            noEffect("tags are not reported", "server_tags"),
            noEffect("it concerns route, gateway and leaf node connections only", "connect_error_reports",
                    "reconnect_error_reports"),
            noEffect("the subject index has no such cache", "disable_sublist_cache", "no_sublist_cache"),
            noEffect("the node has no system account", "no_system_account", "no_system", "no_sys_acc"),
            refused("accounts", "use authorization { users } with permissions", "accounts"),
            refused("JWT operator mode", "", "operator", "operators", "root", "roots", "root_operator",
                    "root_operators"),
            refused("JWT operator mode (trusted operator keys)", "", "trusted", "trusted_keys"),
            refused("JWT operator mode (an account resolver)", "", "resolver", "account_resolver",
                    "accounts_resolver", "resolver_tls", "resolver_preload", "resolver_pinned_accounts"),
            refused("the system account", "", "system_account", "system"),
            refused("a default user for clients without credentials", "", "no_auth_user"));

    /** Keys of the {@code authorization} block. */
    static final Map<String, Entry> AUTHORIZATION = table(
            read("user", "username", "pass", "password", "token", "timeout", "users", "users_file",
                    "default_permission", "default_permissions", "permissions"),
            refused("auth callout", "", "auth_callout"));

    /** Keys of one entry of {@code authorization { users = [...] }}. */
    static final Map<String, Entry> USER = table(
            read("user", "username", "pass", "password", "permission", "permissions", "authorization"),
            refused("nkey authentication", "give the user a user name and a password", "nkey"),
            refused("per-user connection types", "", "allowed_connection_types", "connection_types", "clients"),
            refused("accounts", "", "account"));

    /** Keys of the {@code tls} block. */
    static final Map<String, Entry> TLS = table(
            read("cert_file", "key_file", "ca_file", "verify", "timeout"),
            noEffect("it concerns outgoing connections only", "insecure"),
            refused("mapping client certificates to users", "", "verify_and_map"),
            refused("client certificate checks against known URLs", "", "verify_cert_and_check_known_urls"),
            refused("certificate pinning", "", "pinned_certs"),
            refused("restricting TLS cipher suites and curves", "", "cipher_suites", "curve_preferences"),
            refused("TLS connection rate limiting", "", "connection_rate_limit"));

    /**
     * Keys of the {@code jetstream} block: those of nats-server 2.9.10's {@code parseJetStream}, and
     * {@code sync_interval} ({@code sync}) of later versions.
     */
    static final Map<String, Entry> JETSTREAM = table(
            read("enabled", "enable", "store_dir", "storedir", "store", "max_memory_store", "max_mem_store", "max_mem",
                    "max_file_store", "max_file", "sync_interval", "sync"),
            notYet("is not implemented yet; the node has no JetStream domain (its API is $JS.API)", "domain"),
            notYet("is not implemented yet; the JetStream API has no extension", "extension_hint"),
            notYet("is not implemented yet; no server-wide stream and consumer limits are applied", "limits"),
            notYet("is not implemented yet (clustering is coming); streams have no replicas to place by tag",
                    "unique_tag"),
            notYet("is not implemented yet (clustering is coming); streams have no replicas to catch up",
                    "max_outstanding_catchup"),
            encryption("key", "ek", "encryption_key", "cipher"));

    /** Keys of the {@code cluster} block. */
    static final Map<String, Entry> CLUSTER = table(
            read("name", "listen", "host", "net", "port", "routes", "advertise", "cluster_advertise", "no_advertise"),
            noEffect("the cluster's transport (Pekko Artery) reconnects on its own", "connect_retries"),
            noEffect("the cluster's transport has one connection per pair of nodes", "pool_size"),
            noEffect("route messages are not compressed", "compression"),
            noEffect("there is one account", "accounts", "pinned_accounts"),
            noEffect("the cluster's transport has its own timeouts", "ping_interval", "ping_max", "write_deadline"),
            refused("TLS between cluster nodes", "run the nodes on a private network (docs/cluster.md)", "tls"),
            refused("route authorization", "", "authorization", "permissions"));

    /**
     * The keys that also set an option whose checks name it by its main key: {@code listen} sets the port, so an
     * out-of-range {@code port} error points at {@code listen} when the document has no {@code port}.
     */
    static final Map<String, List<String>> ALSO_SET_BY = Map.of(
            "port", List.of("listen"),
            "host", List.of("net", "listen"),
            "http_port", List.of("monitor_port", "http"),
            "max_connections", List.of("max_conn"),
            "max_subscriptions", List.of("max_subs"));

    /** Inside the blocks of features not implemented yet: the keys that carry access control. */
    private static final Set<String> FEATURE_BLOCKS = Set.of("gateway", "leafnodes", "leaf", "websocket",
            "ws", "mqtt");
    private static final Set<String> FEATURE_ACCESS_CONTROL = Set.of("authorization", "authentication",
            "no_auth_user", "jwt_cookie", "permissions");

    private ConfigKeys() {}

    /** Applies the table to every key of {@code config}; reads no value beyond what the check needs. */
    static Findings check(ParsedConfig config) {
        Findings findings = new Findings(new ArrayList<>(), new ArrayList<>());
        KeyPositions at = config.positions();
        Set<String> variables = config.usedVariables();
        config.values().forEach((key, value) -> {
            String lower = key.toLowerCase(Locale.ROOT);
            if (!TOP_LEVEL.containsKey(lower) && variables.contains(key)) {
                return;
            }
            Entry entry = report(TOP_LEVEL, key, key, at, findings);
            if (entry == null) {
                return;
            }
            if (entry.kind() == Kind.READ && value instanceof Map<?, ?> block) {
                if (lower.equals("authorization")) {
                    checkAuthorization(key, block, config, findings);
                } else if (lower.equals("tls")) {
                    checkBlock(TLS, key, block, config, findings, true);
                } else if (lower.equals("jetstream")) {
                    checkBlock(JETSTREAM, key, block, config, findings, jetStreamEnabled(block));
                } else if (lower.equals("cluster")) {
                    checkBlock(CLUSTER, key, block, config, findings, true);
                }
            } else if (FEATURE_BLOCKS.contains(lower) && value instanceof Map<?, ?> block) {
                block.keySet().stream().map(String::valueOf)
                        .filter(k -> FEATURE_ACCESS_CONTROL.contains(k.toLowerCase(Locale.ROOT)))
                        .forEach(k -> findings.errors().add(at.error(key + "." + k, "\"" + key + "." + k + "\" "
                                + refusal(lower + " " + k.toLowerCase(Locale.ROOT), ""))));
            }
        });
        // Reported only now, so that a block that also holds refused keys is refused, not merely warned about.
        config.values().forEach((key, value) -> {
            Entry entry = TOP_LEVEL.get(key.toLowerCase(Locale.ROOT));
            if (entry != null && (entry.kind() == Kind.NOT_YET || entry.kind() == Kind.NO_EFFECT)) {
                findings.warnings().add(at.prefix(key) + "\"" + key + "\" " + entry.text());
            }
        });
        return findings;
    }

    /** {@code errors} as one exception (one error per line, as nats-server prints them), or null if none. */
    static ConfigException asOneError(List<ConfigException> errors) {
        if (errors.isEmpty()) {
            return null;
        }
        if (errors.size() == 1) {
            return errors.get(0);
        }
        List<String> lines = errors.stream().map(ConfigException::getMessage).toList();
        return new ConfigException(String.join("\n", lines), errors.get(0));
    }

    private static void checkAuthorization(String key, Map<?, ?> block, ParsedConfig config, Findings findings) {
        checkBlock(AUTHORIZATION, key, block, config, findings, true);
        block.forEach((k, v) -> {
            if (String.valueOf(k).equalsIgnoreCase("users") && v instanceof List<?> users) {
                for (int i = 0; i < users.size(); i++) {
                    if (users.get(i) instanceof Map<?, ?> user) {
                        checkBlock(USER, key + "." + k + "[" + i + "]", user, config, findings, true);
                    }
                }
            }
        });
    }

    /**
     * Errors for the unknown and refused keys of a nested block, and when {@code warn}, warnings for its keys not
     * implemented yet or of no effect; its other keys are read elsewhere.
     */
    private static void checkBlock(Map<String, Entry> table, String path, Map<?, ?> block, ParsedConfig config,
            Findings findings, boolean warn) {
        for (Object k : block.keySet()) {
            String key = String.valueOf(k);
            if (!table.containsKey(key.toLowerCase(Locale.ROOT)) && config.usedVariables().contains(key)) {
                continue;
            }
            Entry entry = report(table, path + "." + key, key, config.positions(), findings);
            if (warn && entry != null && (entry.kind() == Kind.NOT_YET || entry.kind() == Kind.NO_EFFECT)) {
                findings.warnings().add(config.positions().prefix(path + "." + key) + "\"" + path + "." + key
                        + "\" " + entry.text());
            }
        }
    }

    /** The key's entry; adds the error when the key is unknown (then returns null) or refused. */
    private static Entry report(Map<String, Entry> table, String path, String key, KeyPositions at,
            Findings findings) {
        Entry entry = table.get(key.toLowerCase(Locale.ROOT));
        if (entry == null) {
            findings.errors().add(at.error(path, "unknown field \"" + key + "\""));
        } else if (entry.kind() == Kind.ACCESS_CONTROL || entry.kind() == Kind.ENCRYPTION) {
            findings.errors().add(at.error(path, "\"" + path + "\" " + entry.text()));
        }
        return entry;
    }

    /** {@code jetstream { enabled: false }} turns it off: its keys not implemented yet are not warned about. */
    private static boolean jetStreamEnabled(Map<?, ?> block) {
        for (Map.Entry<?, ?> e : block.entrySet()) {
            String k = String.valueOf(e.getKey());
            boolean enabledKey = k.equalsIgnoreCase("enabled") || k.equalsIgnoreCase("enable");
            if (enabledKey && Boolean.FALSE.equals(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    // ---- building the table -------------------------------------------------------------------------------

    private static String refusal(String what, String hint) {
        return "is not supported: this node does not implement " + what + ", and it refuses to run with access"
                + " control ignored" + (hint.isEmpty() ? "" : " (" + hint + ")");
    }

    private static Map<String, Entry> read(String... keys) {
        return rows(READ, keys);
    }

    private static Map<String, Entry> notYet(String text, String... keys) {
        return rows(new Entry(Kind.NOT_YET, text), keys);
    }

    private static Map<String, Entry> noEffect(String why, String... keys) {
        return rows(new Entry(Kind.NO_EFFECT, "has no effect on this node: " + why), keys);
    }

    private static Map<String, Entry> refused(String what, String hint, String... keys) {
        return rows(new Entry(Kind.ACCESS_CONTROL, refusal(what, hint)), keys);
    }

    private static Map<String, Entry> encryption(String... keys) {
        return rows(new Entry(Kind.ENCRYPTION, "is not supported: this node does not implement JetStream encryption"
                + " at rest, and it refuses to store messages in the clear (encrypt the volume under store_dir"
                + " instead)"), keys);
    }

    private static Map<String, Entry> rows(Entry entry, String... keys) {
        Map<String, Entry> rows = new LinkedHashMap<>();
        for (String k : keys) {
            rows.put(k, entry);
        }
        return rows;
    }

    @SafeVarargs
    private static Map<String, Entry> table(Map<String, Entry>... parts) {
        Map<String, Entry> table = new LinkedHashMap<>();
        for (Map<String, Entry> part : parts) {
            part.forEach((k, v) -> {
                if (table.put(k, v) != null) {
                    throw new IllegalStateException("key listed twice: " + k);
                }
            });
        }
        return Map.copyOf(table);
    }
}
