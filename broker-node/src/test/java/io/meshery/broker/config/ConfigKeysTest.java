package io.meshery.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The key table: unknown keys and access control the node lacks are errors naming {@code file:line:column}, keys of
 * features not implemented yet are exactly one warning each, and every value error names its file and line.
 */
class ConfigKeysTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        return file;
    }

    private BrokerOptions.Loaded load(String text) throws IOException {
        return BrokerOptions.fromConfig(new ConfigParser(Map.of("POD_NAME", "broker-0")::get)
                .parseFile(write("nats.conf", text)));
    }

    private ConfigException error(String text) throws IOException {
        return assertThrows(ConfigException.class, () -> load(text));
    }

    private String conf() {
        return dir.resolve("nats.conf").toString();
    }

    @Test
    void anUnknownKeyIsAnErrorWithFileLineAndColumnAsInNatsServer() throws IOException {
        ConfigException e = error("port: 4333\n  max_paylod: 2MB\n");
        assertEquals(conf() + ":2:3: unknown field \"max_paylod\"", e.getMessage());
        assertEquals(conf(), e.source());
        assertEquals(2, e.line());
        assertEquals(3, e.column());
    }

    @Test
    void everyUnknownKeyIsReportedOnePerLine() throws IOException {
        ConfigException e = error("""
                max_paylod: 2MB
                authorization {
                  users: [ {user: a, password: b, nick: x} ]
                  bogus: 1
                }
                tls { cert_file: a, key_file: b, colour: red }
                """);
        assertEquals(conf() + ":1:1: unknown field \"max_paylod\"\n"
                + conf() + ":4:3: unknown field \"bogus\"\n"
                + conf() + ":3:35: unknown field \"nick\"\n"
                + conf() + ":6:34: unknown field \"colour\"", e.getMessage());
    }

    static Stream<Arguments> accessControl() {
        return Stream.of(
                Arguments.of("accounts { A { users: [ {user: a, password: b} ] } }", "accounts", "1:1"),
                Arguments.of("accounts {}", "accounts", "1:1"),
                Arguments.of("port: 4222\noperator: /etc/op.jwt", "operator", "2:1"),
                Arguments.of("operators: [/etc/op.jwt]", "operators", "1:1"),
                Arguments.of("trusted: \"OABC\"", "trusted", "1:1"),
                Arguments.of("trusted_keys: [\"OABC\"]", "trusted_keys", "1:1"),
                Arguments.of("resolver: MEMORY", "resolver", "1:1"),
                Arguments.of("resolver { type: full, dir: /jwt }", "resolver", "1:1"),
                Arguments.of("resolver_preload { ACC: \"jwt\" }", "resolver_preload", "1:1"),
                Arguments.of("resolver_tls { cert_file: a }", "resolver_tls", "1:1"),
                Arguments.of("system_account: SYS", "system_account", "1:1"),
                Arguments.of("no_auth_user: guest", "no_auth_user", "1:1"),
                Arguments.of("authorization {\n  auth_callout { issuer: x }\n}", "authorization.auth_callout", "2:3"),
                Arguments.of("authorization {\n  users: [\n    {user: a, password: b}\n    {nkey: UABC}\n  ]\n}",
                        "authorization.users[1].nkey", "4:6"),
                Arguments.of("authorization { users: [ {user: a, password: b, allowed_connection_types: [MQTT]} ] }",
                        "authorization.users[0].allowed_connection_types", "1:49"),
                Arguments.of("authorization { users: [ {user: a, password: b, account: A} ] }",
                        "authorization.users[0].account", "1:49"),
                Arguments.of("leafnodes {\n  port: 7422\n  authorization { user: a, password: b }\n}",
                        "leafnodes.authorization", "3:3"),
                Arguments.of("websocket { port: 8080, no_auth_user: guest }", "websocket.no_auth_user", "1:25"),
                Arguments.of("mqtt { port: 1883, authorization { token: t } }", "mqtt.authorization", "1:20"),
                Arguments.of("gateway { name: g, authorization { token: t } }", "gateway.authorization", "1:20"),
                Arguments.of("cluster { port: 6222, authorization { user: a, password: b } }",
                        "cluster.authorization", "1:23"),
                Arguments.of("tls { cert_file: a, key_file: b, verify_and_map: true }", "tls.verify_and_map", "1:34"),
                Arguments.of("tls { cert_file: a, key_file: b, pinned_certs: [abc] }", "tls.pinned_certs", "1:34"),
                Arguments.of("tls { cert_file: a, key_file: b, cipher_suites: [x] }", "tls.cipher_suites", "1:34"));
    }

    @ParameterizedTest
    @MethodSource("accessControl")
    void accessControlTheNodeDoesNotImplementIsAnErrorNamingTheKey(String text, String key, String at)
            throws IOException {
        ConfigException e = error(text);
        assertTrue(e.getMessage().startsWith(conf() + ":" + at + ": \"" + key + "\" is not supported: this node does"
                + " not implement "), e.getMessage());
        assertTrue(e.getMessage().contains("it refuses to run with access control ignored"), e.getMessage());
    }

    @Test
    void accessControlIsRefusedEvenWhenUsedAsAVariable() throws IOException {
        ConfigException e = error("no_auth_user: guest\nserver_name: $no_auth_user\n");
        assertTrue(e.getMessage().startsWith(conf() + ":1:1: \"no_auth_user\" is not supported"), e.getMessage());
    }

    static Stream<Arguments> notImplementedYet() {
        return Stream.of(
                Arguments.of("cluster {\n  pool_size: 3\n}", "cluster.pool_size",
                        "has no effect on this node: the cluster's transport has one connection per pair of nodes"),
                Arguments.of("default_js_domain { ACC: hub }", "default_js_domain",
                        "is not implemented yet; JetStream has no domains on this node, it is ignored"),
                Arguments.of("jetstream {\n  domain: hub\n}", "jetstream.domain",
                        "is not implemented yet; the node has no JetStream domain (its API is $JS.API)"),
                Arguments.of("jetstream {\n  extension_hint: x\n}", "jetstream.extension_hint",
                        "is not implemented yet; the JetStream API has no extension"),
                Arguments.of("jetstream {\n  limits { max_ack_pending: 100, duplicate_window: \"1m\" }\n}",
                        "jetstream.limits",
                        "is not implemented yet; no server-wide stream and consumer limits are applied"),
                Arguments.of("jetstream {\n  unique_tag: az\n}", "jetstream.unique_tag",
                        "is not implemented yet (clustering is coming); streams have no replicas to place by tag"),
                Arguments.of("jetstream {\n  max_outstanding_catchup: 64MB\n}", "jetstream.max_outstanding_catchup",
                        "is not implemented yet (clustering is coming); streams have no replicas to catch up"),
                Arguments.of("leafnodes { port: 7422, remotes: [ {url: \"nats://a:7422\"} ] }", "leafnodes",
                        "is not implemented yet; no leaf node port is opened and no remote is dialled"),
                Arguments.of("gateway { name: g, port: 7222 }", "gateway",
                        "is not implemented yet; no gateway port is opened"),
                Arguments.of("websocket { port: 8080, no_tls: true }", "websocket",
                        "is not implemented yet; no WebSocket port is opened"),
                Arguments.of("mqtt { port: 1883 }", "mqtt", "is not implemented yet; no MQTT port is opened"),
                Arguments.of("mappings { a: b }", "mappings",
                        "is not implemented yet; messages keep the subject they are published on"),
                Arguments.of("server_tags: [az1]", "server_tags", "has no effect on this node: tags are not reported"),
                Arguments.of("no_sys_acc: true", "no_sys_acc", "has no effect on this node: the node has no system"
                        + " account"));
    }

    @ParameterizedTest
    @MethodSource("notImplementedYet")
    void aKeyNotImplementedYetIsExactlyOneWarning(String text, String key, String what) throws IOException {
        BrokerOptions.Loaded loaded = load("port: 4333\n" + text + "\n");
        String at = key.contains(".") ? ":3:3: " : ":2:1: ";
        assertEquals(List.of(conf() + at + "\"" + key + "\" " + what), loaded.warnings());
        assertEquals(4333, loaded.options().port());
    }

    @ParameterizedTest
    @ValueSource(strings = {"jetstream {}", "jetstream: enabled", "jetstream: true", "store_dir: /data",
        "storedir: /data", "jetstream { enabled: true, store_dir: /data, max_mem: 1G, max_file: 10GB, sync: always }",
        "jetstream { enable: true, storedir: /data, max_memory_store: -1, max_file_store: 1TB, sync_interval: \"2m\" }",
        "jetstream { store: /data, max_mem_store: 512MB }"})
    void jetStreamAndItsStorageKeysAreReadWithoutWarning(String text) throws IOException {
        BrokerOptions.Loaded loaded = load(text);
        assertEquals(List.of(), loaded.warnings());
        assertTrue(loaded.options().jetStream() || text.startsWith("stor"), text);
    }

    @Test
    void anUnknownKeyInTheJetStreamBlockIsAnErrorWithFileLineAndColumn() throws IOException {
        ConfigException e = error("jetstream {\n  store_dir: /data\n  max_memroy_store: 1G\n  sync_intervall: 1s\n}\n");
        assertEquals(conf() + ":3:3: unknown field \"max_memroy_store\"\n"
                + conf() + ":4:3: unknown field \"sync_intervall\"", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"key", "ek", "encryption_key", "cipher"})
    void jetStreamEncryptionAtRestIsRefusedNamingTheKey(String key) throws IOException {
        ConfigException e = error("jetstream {\n  store_dir: /data\n  " + key + ": \"s3cr3t-chacha\"\n}\n");
        assertEquals(conf() + ":3:3: \"jetstream." + key + "\" is not supported: this node does not implement"
                + " JetStream encryption at rest, and it refuses to store messages in the clear (encrypt the volume"
                + " under store_dir instead)", e.getMessage());
        assertFalse(e.getMessage().contains("s3cr3t"), "the key itself is never shown");
    }

    @Test
    void aTlsKeyWithNoEffectIsOneWarning() throws IOException {
        BrokerOptions.Loaded loaded = load("tls {\n  cert_file: a\n  key_file: b\n  insecure: true\n}\n");
        assertEquals(List.of(conf() + ":4:3: \"tls.insecure\" has no effect on this node: it concerns outgoing"
                + " connections only"), loaded.warnings());
    }

    @ParameterizedTest
    @ValueSource(strings = {"jetstream: disabled", "jetstream: false", "jetstream { enabled: false }",
        "jetstream { enabled: false, domain: hub, unique_tag: az }"})
    void jetStreamTurnedOffIsNoWarning(String text) throws IOException {
        BrokerOptions.Loaded loaded = load(text);
        assertEquals(List.of(), loaded.warnings());
        assertFalse(loaded.options().jetStream());
    }

    @Test
    void everyTopLevelKeyOfNatsServer2910IsInTheTable() {
        // The cases of processConfigFileLine in nats-server 2.9.10's server/opts.go.
        List<String> natsServer = List.of("listen", "client_advertise", "port", "server_name", "host", "net", "debug",
                "trace", "trace_verbose", "logtime", "mappings", "maps", "disable_sublist_cache", "no_sublist_cache",
                "accounts", "authorization", "http", "https", "http_port", "monitor_port", "https_port",
                "http_base_path", "cluster", "gateway", "leaf", "leafnodes", "store_dir", "storedir", "jetstream",
                "logfile", "log_file", "logfile_size_limit", "log_size_limit", "syslog", "remote_syslog", "pidfile",
                "pid_file", "ports_file_dir", "prof_port", "max_control_line", "max_payload", "max_pending",
                "max_connections", "max_conn", "max_traced_msg_len", "max_subscriptions", "max_subs", "max_sub_tokens",
                "max_subscription_tokens", "ping_interval", "ping_max", "tls", "ocsp", "allow_non_tls",
                "write_deadline", "lame_duck_duration", "lame_duck_grace_period", "operator", "operators", "roots",
                "root", "root_operators", "root_operator", "resolver", "account_resolver", "accounts_resolver",
                "resolver_tls", "resolver_preload", "resolver_pinned_accounts", "no_auth_user", "system_account",
                "system", "no_system_account", "no_system", "no_sys_acc", "no_header_support", "trusted",
                "trusted_keys", "connect_error_reports", "reconnect_error_reports", "websocket", "ws", "mqtt",
                "server_tags", "default_js_domain");
        for (String key : natsServer) {
            assertTrue(ConfigKeys.TOP_LEVEL.containsKey(key), key);
        }
        assertEquals(natsServer.size(), ConfigKeys.TOP_LEVEL.size(), "only nats-server's keys");
    }

    @Test
    void everyJetStreamKeyOfNatsServer2910IsInTheTable() {
        // The cases of parseJetStream in nats-server 2.9.10's server/opts.go, and sync_interval (sync) of 2.10.
        List<String> natsServer = List.of("store", "store_dir", "storedir", "max_memory_store", "max_mem_store",
                "max_mem", "max_file_store", "max_file", "domain", "enable", "enabled", "key", "ek", "encryption_key",
                "cipher", "extension_hint", "limits", "unique_tag", "max_outstanding_catchup", "sync_interval",
                "sync");
        for (String key : natsServer) {
            assertTrue(ConfigKeys.JETSTREAM.containsKey(key), key);
        }
        assertEquals(natsServer.size(), ConfigKeys.JETSTREAM.size(), "only nats-server's keys");
        for (String key : List.of("enabled", "store_dir", "max_memory_store", "max_file_store", "sync_interval")) {
            assertEquals(ConfigKeys.Kind.READ, ConfigKeys.JETSTREAM.get(key).kind(), key);
        }
        for (String key : List.of("jetstream", "store_dir", "storedir")) {
            assertEquals(ConfigKeys.Kind.READ, ConfigKeys.TOP_LEVEL.get(key).kind(), key);
        }
        assertEquals(ConfigKeys.Kind.NOT_YET, ConfigKeys.TOP_LEVEL.get("default_js_domain").kind());
    }

    @Test
    void anOutOfRangePortNamesTheFileAndTheLine() throws IOException {
        assertEquals(conf() + ":2:1: port: 99999 is out of range (-1 for a random port, or 0 to 65535)",
                error("debug: true\nport: 99999\n").getMessage());
        assertEquals(conf() + ":1:1: port: 99999 is out of range (-1 for a random port, or 0 to 65535)",
                error("listen: \"127.0.0.1:99999\"\n").getMessage());
        assertEquals(conf() + ":3:3: http_port: 70000 is out of range (-1 for a random port, or 0 to 65535)",
                error("\n\n  http: 70000\n").getMessage());
    }

    static Stream<Arguments> valueErrors() {
        return Stream.of(
                Arguments.of("port: \"4222\"", "1:1: port: expected an integer, got \"4222\""),
                Arguments.of("debug: true\nmax_payload: 1.5", "2:1: max_payload: invalid size 1.5"),
                Arguments.of("write_deadline: \"5y\"", "1:1: write_deadline: unknown unit \"y\" in duration \"5y\""),
                Arguments.of("max_conn: -1", "1:1: max_connections: -1 must not be negative"),
                Arguments.of("authorization {\n  timeout: true\n}",
                        "2:3: authorization.timeout: expected a number of seconds or a duration, got true"),
                Arguments.of("jetstream {\n  store_dir: 5\n}", "2:3: jetstream.store_dir: expected a string, got 5"),
                Arguments.of("jetstream {\n  max_file_store: -5\n}",
                        "2:3: jetstream.max_file_store: -5 is out of range (-1 for no limit, or a size such as 10GB)"),
                Arguments.of("jetstream {\n  enabled: true\n  max_mem: -2G\n}",
                        "3:3: jetstream.max_mem: -2000000000 is out of range (-1 for no limit, or a size such as"
                                + " 10GB)"),
                Arguments.of("jetstream {\n  max_memory_store: lots\n}",
                        "2:3: jetstream.max_memory_store: invalid size \"lots\""),
                Arguments.of("jetstream {\n  sync_interval: \"fast\"\n}",
                        "2:3: jetstream.sync_interval: expected always or a duration such as \"2m\" or \"10s\","
                                + " got \"fast\""),
                Arguments.of("jetstream {\n  sync: \"0s\"\n}", "2:3: jetstream.sync: 0s must be positive (or always)"),
                Arguments.of("jetstream {\n  sync: \"-1m\"\n}",
                        "2:3: jetstream.sync: -1m0s must be positive (or always)"),
                Arguments.of("store_dir: /a\njetstream {\n  store_dir: /b\n}",
                        "3:3: jetstream.store_dir: duplicate store_dir configuration (already set by store_dir)"),
                Arguments.of("lame_duck_duration: \"31s\"\nlame_duck_grace_period: \"1m\"",
                        "2:1: lame_duck_grace_period: 1m0s should be strictly lower than lame_duck_duration (31s)"));
    }

    @ParameterizedTest
    @MethodSource("valueErrors")
    void everyValueErrorNamesTheFileAndTheLine(String text, String message) throws IOException {
        assertEquals(conf() + ":" + message, error(text).getMessage());
    }

    @Test
    void anErrorInAnIncludedFileNamesTheIncludedFile() throws IOException {
        Path included = write("limits.conf", "\n  max_paylod: 2MB\n");
        ConfigException e = error("port: 4333\ninclude limits.conf\n");
        assertEquals(included + ":2:3: unknown field \"max_paylod\"", e.getMessage());

        write("limits.conf", "max_payload: 1MB\nport: 99999\n");
        assertEquals(included + ":2:1: port: 99999 is out of range (-1 for a random port, or 0 to 65535)",
                error("include limits.conf\n").getMessage());

        write("auth.conf", "users: [ {nkey: UABC} ]\n");
        ConfigException nkey = error("authorization {\n  include auth.conf\n}\n");
        assertTrue(nkey.getMessage().startsWith(dir.resolve("auth.conf") + ":1:11: \"authorization.users[0].nkey\""
                + " is not supported"), nkey.getMessage());
    }

    @Test
    void errorsFromTheSecurityBlocksAreLocatedByTheirKey() throws IOException {
        ParsedConfig config = new ConfigParser().parseFile(write("nats.conf",
                "port: 4222\ntls {\n  cert_file: \"/none/tls.crt\"\n  key_file: \"/none/tls.key\"\n}\n"));
        ConfigException late = new ConfigException("tls.cert_file: cannot read /none/tls.crt: no such file");
        assertEquals(conf() + ":3:3: tls.cert_file: cannot read /none/tls.crt: no such file",
                config.positions().locate(late).getMessage());
        assertEquals(conf() + ":2:1: tls: cert_file and key_file are both required",
                config.positions().locate(new ConfigException("tls: cert_file and key_file are both required"))
                        .getMessage());
        assertEquals(conf() + ": something: else", config.positions().locate(new ConfigException("something: else"))
                .getMessage());
    }

    /** What the operator's renderNatsConf writes, with clustering, JetStream, TLS and auth all on. */
    @Test
    void theOperatorsConfigurationLoadsWithOneWarningForClusterOnly() throws IOException {
        BrokerOptions.Loaded loaded = load("""
                # Generated by meshery-broker operator-lite for Broker default/b. Edits are overwritten.
                port: 4222
                http_port: 8222
                server_name: $POD_NAME
                pid_file: "/var/run/meshery-broker/broker.pid"
                max_payload: 1MB
                max_connections: 1000
                lame_duck_duration: "30s"
                lame_duck_grace_period: "10s"
                debug: false
                trace: false
                logtime: true
                cluster {
                  name: "b"
                  port: 6222
                  routes: ["nats://b-0.b-headless:6222", "nats://b-1.b-headless:6222"]
                }
                jetstream {
                  store_dir: "/data/jetstream"
                  max_file_store: 10GB
                }
                tls {
                  cert_file: "/etc/meshery-broker/tls/tls.crt"
                  key_file: "/etc/meshery-broker/tls/tls.key"
                  ca_file: "/etc/meshery-broker/tls/ca.crt"
                  verify: false
                  timeout: 2
                }
                # Credentials: key users.json of Secret b-auth
                authorization {
                  users_file: "/etc/meshery-broker/auth/users.json"
                }
                """);
        assertEquals("broker-0", loaded.options().serverName());
        assertTrue(loaded.options().jetStream());
        assertEquals(Path.of("/data/jetstream"), loaded.options().storeDir());
        assertEquals(10L << 30, loaded.options().maxFileStore());
        assertEquals(BrokerOptions.UNLIMITED, loaded.options().maxMemoryStore());
        assertEquals(List.of(), loaded.warnings());
        var cluster = loaded.options().clusterSettings().orElseThrow();
        assertEquals("b", cluster.name());
        assertEquals(6222, cluster.port());
        assertEquals("0.0.0.0", cluster.host());
        assertEquals(2, cluster.routes().size());
        assertEquals("b-0.b-headless", cluster.routes().get(0).host());
    }

    @Test
    void clusterTlsIsRefusedRatherThanIgnored() throws IOException {
        ConfigException e = error("cluster {\n  port: 6222\n  tls { cert_file: a, key_file: b }\n}\n");
        assertTrue(e.getMessage().startsWith(conf() + ":3:3: \"cluster.tls\" is not supported"), e.getMessage());
    }

    @Test
    void clusterValuesAreChecked() throws IOException {
        assertTrue(error("cluster { routes: [\"ftp://a:1\"] }").getMessage().contains(
                "cluster.routes: invalid route URL \"ftp://a:1\""));
        assertTrue(error("cluster { routes: \"nats://a:1\" }").getMessage().contains(
                "cluster.routes: expected a list of route URLs"));
        assertTrue(error("cluster { name: \"my cluster\" }").getMessage().contains(
                "cluster.name: invalid cluster name"));
        assertTrue(error("cluster { port: 70000 }").getMessage().contains("cluster.port"));
        var c = load("cluster { listen: \"127.0.0.1:7222\", no_advertise: true, advertise: \"10.0.0.1:7222\" }")
                .options().clusterSettings().orElseThrow();
        assertEquals("127.0.0.1", c.host());
        assertEquals(7222, c.port());
        assertTrue(c.noAdvertise());
        assertEquals("10.0.0.1:7222", c.advertise());
        assertEquals("meshery-broker", c.name(), "the default name");
    }
}
