package io.meshery.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
                Arguments.of("cluster {\n  name: c\n  port: 6222\n  routes: [nats://a:6222]\n}", "cluster",
                        "is not implemented yet (clustering is coming); the node runs as a single server"),
                Arguments.of("jetstream {}", "jetstream",
                        "is not implemented yet (JetStream is coming); no streams are kept"),
                Arguments.of("jetstream: enabled", "jetstream",
                        "is not implemented yet (JetStream is coming); no streams are kept"),
                Arguments.of("store_dir: /data", "store_dir",
                        "is not implemented yet (JetStream is coming); nothing is stored there"),
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
        assertEquals(List.of(conf() + ":2:1: \"" + key + "\" " + what), loaded.warnings());
        assertEquals(4333, loaded.options().port());
    }

    @Test
    void aTlsKeyWithNoEffectIsOneWarning() throws IOException {
        BrokerOptions.Loaded loaded = load("tls {\n  cert_file: a\n  key_file: b\n  insecure: true\n}\n");
        assertEquals(List.of(conf() + ":4:3: \"tls.insecure\" has no effect on this node: it concerns outgoing"
                + " connections only"), loaded.warnings());
    }

    @ParameterizedTest
    @ValueSource(strings = {"jetstream: disabled", "jetstream: false", "jetstream { enabled: false }"})
    void jetStreamTurnedOffIsNoWarning(String text) throws IOException {
        assertEquals(List.of(), load(text).warnings());
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
    void theOperatorsConfigurationLoadsWithOneWarningForClusterAndJetStream() throws IOException {
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
        assertEquals(List.of(
                conf() + ":13:1: \"cluster\" is not implemented yet (clustering is coming); the node runs as a single"
                        + " server",
                conf() + ":18:1: \"jetstream\" is not implemented yet (JetStream is coming); no streams are kept"),
                loaded.warnings());
    }
}
