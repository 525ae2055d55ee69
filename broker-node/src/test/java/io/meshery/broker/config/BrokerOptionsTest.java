package io.meshery.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Applying nats.conf documents to {@link BrokerOptions}; defaults and limits as nats-server 2.9.10 has them. */
class BrokerOptionsTest {
    private static final Map<String, String> ENV =
            Map.of("SERVER_NAME", "meshery-nats-0", "NATS_TOKEN", "t0123456789abcdef");

    private static BrokerOptions.Loaded load(String text) {
        return BrokerOptions.fromConfig(new ConfigParser(ENV::get).parseString(text));
    }

    private static BrokerOptions options(String text) {
        return load(text).options();
    }

    /** The message without its position, after checking that there is one. */
    private static String invalid(String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> load(text));
        assertEquals("<string>", e.source(), e::getMessage);
        assertTrue(e.line() >= 1 && e.column() >= 1, e::getMessage);
        return e.reason();
    }

    private static Path resource(String name) throws URISyntaxException {
        return Path.of(BrokerOptionsTest.class.getResource("/config/" + name).toURI());
    }

    @Test
    void defaults() {
        BrokerOptions o = BrokerOptions.defaults();
        assertEquals("", o.serverName());
        assertEquals("0.0.0.0", o.host());
        assertEquals(4222, o.port());
        assertEquals("0.0.0.0", o.httpHost());
        assertEquals(8222, o.httpPort());
        assertEquals(1_048_576L, o.maxPayload());
        assertEquals(4096, o.maxControlLine());
        assertEquals(65536, o.maxConnections());
        assertEquals(0, o.maxSubscriptions());
        assertEquals(67_108_864L, o.maxPending());
        assertEquals(Duration.ofSeconds(10), o.writeDeadline());
        assertEquals(Duration.ofMinutes(2), o.pingInterval());
        assertEquals(2, o.pingMax());
        assertEquals(Duration.ofSeconds(2), o.authTimeout());
        assertFalse(o.debug());
        assertFalse(o.trace());
        assertFalse(o.traceVerbose());
        assertTrue(o.logtime());
        assertEquals(Optional.empty(), o.logFile());
        assertEquals(Optional.empty(), o.pidFile());
        assertEquals(Optional.empty(), o.configFile());
        assertFalse(o.noLog());
        assertEquals(Duration.ofMinutes(2), o.lameDuckDuration());
        assertEquals(Duration.ofSeconds(10), o.lameDuckGracePeriod());
        assertFalse(o.jetStream());
        assertEquals(Path.of("./data/jetstream"), o.storeDir());
        assertEquals(BrokerOptions.UNLIMITED, o.maxMemoryStore());
        assertEquals(-1, o.maxFileStore());
        assertEquals(null, o.syncInterval(), "always");
        assertEquals(Map.of(), o.authorization());
        assertEquals(Map.of(), o.tls());
        assertEquals(Map.of(), o.cluster());
        assertEquals(Map.of(), o.jetStreamConfig());
        assertEquals(o, options(""));
    }

    /** The ConfigMap from the Meshery seed docs. */
    @Test
    void mesherySeedConfig() throws Exception {
        BrokerOptions.Loaded loaded =
                BrokerOptions.fromConfig(new ConfigParser(name -> null).parseFile(resource("seed-nats.conf")));
        BrokerOptions o = loaded.options();
        assertEquals(4222, o.port());
        assertEquals(10L * 1024 * 1024, o.maxPayload());
        assertEquals(1000, o.maxConnections());
        assertEquals(8222, o.httpPort());
        assertFalse(o.debug());
        assertFalse(o.trace());
        assertTrue(o.logtime());
        assertEquals(List.of(resource("seed-nats.conf") + ":4:1: max_payload: payloads over 8MB (here 10485760 bytes)"
                + " are discouraged and could lead to poor performance"), loaded.warnings());
        assertEquals(BrokerOptions.builder().maxPayload(10L << 20).maxConnections(1000).build(), o);
    }

    /** The nats.conf the Meshery Helm chart renders (JSON, with $VARS from the pod environment). */
    @Test
    void mesheryHelmChartConfig() throws Exception {
        BrokerOptions.Loaded loaded =
                BrokerOptions.fromConfig(new ConfigParser(ENV::get).parseFile(resource("helm-nats.conf")));
        BrokerOptions o = loaded.options();
        assertEquals(8222, o.httpPort());
        assertEquals(Duration.ofSeconds(30), o.lameDuckDuration());
        assertEquals(Duration.ofSeconds(10), o.lameDuckGracePeriod());
        assertEquals(Optional.of(Path.of("/var/run/nats/nats.pid")), o.pidFile());
        assertEquals(4222, o.port());
        assertEquals("meshery-nats-0", o.serverName());
        assertEquals(Map.of("token", "t0123456789abcdef"), o.authorization());
        assertEquals(Duration.ofSeconds(2), o.authTimeout());
        assertEquals(List.of(), loaded.warnings());
    }

    @Test
    void everyScalarOption() {
        BrokerOptions o = options("""
            server_name: n1
            host: 127.0.0.1
            port: 4333
            http_port: 8333
            max_payload: 2MB
            max_pending: 32MB
            max_control_line: 8KB
            max_connections: 100
            max_subscriptions: 50
            ping_interval: "30s"
            ping_max: 5
            write_deadline: "1.5s"
            debug: true
            trace: yes
            logtime: off
            log_file: /var/log/broker.log
            pid_file: /var/run/broker.pid
            lame_duck_duration: "1h30m"
            lame_duck_grace_period: "500ms"
            store_dir: /data
            """);
        assertEquals("n1", o.serverName());
        assertEquals("127.0.0.1", o.host());
        assertEquals("127.0.0.1", o.httpHost());
        assertEquals(4333, o.port());
        assertEquals(8333, o.httpPort());
        assertEquals(2L << 20, o.maxPayload());
        assertEquals(32L << 20, o.maxPending());
        assertEquals(8192, o.maxControlLine());
        assertEquals(100, o.maxConnections());
        assertEquals(50, o.maxSubscriptions());
        assertEquals(Duration.ofSeconds(30), o.pingInterval());
        assertEquals(5, o.pingMax());
        assertEquals(Duration.ofMillis(1500), o.writeDeadline());
        assertTrue(o.debug());
        assertTrue(o.trace());
        assertFalse(o.logtime());
        assertEquals(Optional.of(Path.of("/var/log/broker.log")), o.logFile());
        assertEquals(Optional.of(Path.of("/var/run/broker.pid")), o.pidFile());
        assertEquals(Duration.ofMinutes(90), o.lameDuckDuration());
        assertEquals(Duration.ofMillis(500), o.lameDuckGracePeriod());
        assertEquals(Path.of("/data"), o.storeDir());
    }

    static Stream<Arguments> aliases() {
        return Stream.of(
                Arguments.of("net: 10.0.0.1", BrokerOptions.builder().host("10.0.0.1")),
                Arguments.of("listen: 10.0.0.1:4333", BrokerOptions.builder().host("10.0.0.1").port(4333)),
                Arguments.of("listen: \"[::1]:4333\"", BrokerOptions.builder().host("::1").port(4333)),
                Arguments.of("listen: 4333", BrokerOptions.builder().port(4333)),
                Arguments.of("host: 10.0.0.1\nlisten: \":4333\"", BrokerOptions.builder().port(4333)),
                Arguments.of("http: 8333", BrokerOptions.builder().httpPort(8333)),
                Arguments.of("http: \"127.0.0.1:8333\"", BrokerOptions.builder().httpHost("127.0.0.1").httpPort(8333)),
                Arguments.of("monitor_port: 8333", BrokerOptions.builder().httpPort(8333)),
                Arguments.of("max_conn: 7", BrokerOptions.builder().maxConnections(7)),
                Arguments.of("max_subs: 7", BrokerOptions.builder().maxSubscriptions(7)),
                Arguments.of("max_subs: -1", BrokerOptions.builder().maxSubscriptions(0)),
                Arguments.of("pidfile: /p", BrokerOptions.builder().pidFile(Path.of("/p"))),
                Arguments.of("logfile: /l", BrokerOptions.builder().logFile(Path.of("/l"))),
                Arguments.of("storedir: /s", BrokerOptions.builder().storeDir(Path.of("/s"))),
                Arguments.of("trace_verbose: true", BrokerOptions.builder().trace(true).traceVerbose(true)),
                Arguments.of("PORT: 4333\nMax_Payload: 1KB\nDEBUG: TRUE", BrokerOptions.builder().port(4333)
                        .maxPayload(1024).debug(true)),
                Arguments.of("port: 1\nPort: 2", BrokerOptions.builder().port(2)),
                Arguments.of("port: -1", BrokerOptions.builder().port(BrokerOptions.RANDOM_PORT)),
                Arguments.of("port: 0", BrokerOptions.builder().port(4222)),
                Arguments.of("http_port: 0", BrokerOptions.builder().httpPort(0)),
                Arguments.of("http_port: -1", BrokerOptions.builder().httpPort(BrokerOptions.RANDOM_PORT)),
                Arguments.of("max_payload: 0\nmax_connections: 0\nping_max: 0", BrokerOptions.builder()),
                Arguments.of("ping_interval: \"0s\"\nwrite_deadline: \"0\"", BrokerOptions.builder()),
                Arguments.of("max_payload: \"512KB\"", BrokerOptions.builder().maxPayload(512 * 1024)),
                Arguments.of("ping_interval: 10s", BrokerOptions.builder().pingInterval(Duration.ofSeconds(10))),
                Arguments.of("authorization { timeout: 5 }", BrokerOptions.builder().authTimeout(Duration.ofSeconds(5))
                        .authorization(Map.of("timeout", 5L))),
                Arguments.of("authorization { TIMEOUT: 0.5 }", BrokerOptions.builder().authTimeout(Duration.ofMillis(500))
                        .authorization(Map.of("TIMEOUT", 0.5))),
                Arguments.of("authorization { timeout: \"3s\" }", BrokerOptions.builder()
                        .authTimeout(Duration.ofSeconds(3)).authorization(Map.of("timeout", "3s"))),
                Arguments.of("jetstream: enabled", BrokerOptions.builder().jetStream(true)),
                Arguments.of("jetstream: true", BrokerOptions.builder().jetStream(true)),
                Arguments.of("jetstream: Disabled", BrokerOptions.builder()),
                Arguments.of("jetstream { store_dir: /js, max_file_store: 10GB }", BrokerOptions.builder().jetStream(true)
                        .storeDir(Path.of("/js")).maxFileStore(10L << 30)
                        .jetStreamConfig(Map.of("store_dir", "/js", "max_file_store", 10L << 30))),
                Arguments.of("jetstream { enabled: false }", BrokerOptions.builder()
                        .jetStreamConfig(Map.of("enabled", false))),
                Arguments.of("tls { cert_file: a, key_file: b }", BrokerOptions.builder()
                        .tls(Map.of("cert_file", "a", "key_file", "b"))),
                Arguments.of("cluster { name: c, routes: [nats://a:6222] }", BrokerOptions.builder()
                        .cluster(Map.of("name", "c", "routes", List.of("nats://a:6222")))));
    }

    @ParameterizedTest
    @MethodSource("aliases")
    void keysAliasesAndForms(String text, BrokerOptions.Builder expected) {
        assertEquals(expected.build(), options(text));
    }

    static Stream<Arguments> jetStreamStorage() {
        return Stream.of(
                Arguments.of("max_memory_store: 1G", "/d", 1_000_000_000L, -1L, null),
                Arguments.of("max_mem_store: 512MB", "/d", 512L << 20, -1L, null),
                Arguments.of("max_mem: \"2GB\"", "/d", 2L << 30, -1L, null),
                Arguments.of("max_mem: 0", "/d", 0L, -1L, null),
                Arguments.of("max_file_store: 10GB", "/d", -1L, 10L << 30, null),
                Arguments.of("max_file: 1T", "/d", -1L, 1_000_000_000_000L, null),
                Arguments.of("max_file_store: -1", "/d", -1L, -1L, null),
                Arguments.of("max_file_store: 1048576", "/d", -1L, 1_048_576L, null),
                Arguments.of("sync_interval: always", "/d", -1L, -1L, null),
                Arguments.of("sync: ALWAYS", "/d", -1L, -1L, null),
                Arguments.of("sync_interval: \"2m\"", "/d", -1L, -1L, Duration.ofMinutes(2)),
                Arguments.of("sync: 500ms", "/d", -1L, -1L, Duration.ofMillis(500)),
                Arguments.of("storedir: /s", "/s", -1L, -1L, null),
                Arguments.of("store: /s", "/s", -1L, -1L, null));
    }

    @ParameterizedTest
    @MethodSource("jetStreamStorage")
    void everyJetStreamStorageKeyIsReadAsATypedValue(String key, String storeDir, long maxMemory, long maxFile,
            Duration sync) {
        String block = key.startsWith("store") ? "jetstream { " + key + " }" : "store_dir: /d\njetstream { " + key
                + " }";
        BrokerOptions.Loaded loaded = load(block);
        assertEquals(List.of(), loaded.warnings());
        BrokerOptions o = loaded.options();
        assertTrue(o.jetStream());
        assertEquals(Path.of(storeDir), o.storeDir());
        assertEquals(maxMemory, o.maxMemoryStore());
        assertEquals(maxFile, o.maxFileStore());
        assertEquals(sync, o.syncInterval());
        assertEquals(o, o.toBuilder().build());
    }

    @Test
    void anIntegerSyncIntervalIsSecondsWithAWarning() {
        BrokerOptions.Loaded loaded = load("jetstream {\n  sync_interval: 30\n}");
        assertEquals(Duration.ofSeconds(30), loaded.options().syncInterval());
        assertEquals(List.of("<string>:2:3: jetstream.sync_interval: the integer 30 is read as 30 seconds; write a"
                + " duration such as \"30s\" instead"), loaded.warnings());
    }

    @Test
    void theBuilderChecksTheStorageSettings() {
        BrokerOptions o = BrokerOptions.builder().maxMemoryStore(1L << 30).maxFileStore(BrokerOptions.UNLIMITED)
                .syncInterval(Duration.ofSeconds(1)).storeDir(null).build();
        assertEquals(BrokerOptions.DEFAULT_STORE_DIR, o.storeDir());
        assertEquals(NodeSettings.Storage.DEFAULTS.storeDir(), o.storeDir());
        assertEquals(1L << 30, o.maxMemoryStore());
        assertEquals(Duration.ofSeconds(1), o.syncInterval());
        assertTrue(o.toString().contains("maxMemoryStore=1073741824"), o.toString());
        assertEquals("jetstream.max_file_store: -2 is out of range (-1 for no limit, or a size such as 10GB)",
                assertThrows(ConfigException.class, () -> BrokerOptions.builder().maxFileStore(-2).build())
                        .getMessage());
        assertEquals("jetstream.max_memory_store: -1024 is out of range (-1 for no limit, or a size such as 10GB)",
                assertThrows(ConfigException.class, () -> BrokerOptions.builder().maxMemoryStore(-1024).build())
                        .getMessage());
        BrokerOptions.Builder zeroSync = BrokerOptions.builder().syncInterval(Duration.ZERO);
        assertEquals("jetstream.sync_interval: 0s must be positive (or always)",
                assertThrows(ConfigException.class, zeroSync::build).getMessage());
    }

    @Test
    void integerDurationsAreSecondsWithAWarning() {
        BrokerOptions.Loaded loaded = load("ping_interval: 60\nwrite_deadline: 5");
        assertEquals(Duration.ofSeconds(60), loaded.options().pingInterval());
        assertEquals(Duration.ofSeconds(5), loaded.options().writeDeadline());
        assertEquals(List.of(
                "<string>:1:1: ping_interval: the integer 60 is read as 60 seconds; write a duration such as \"60s\""
                        + " instead",
                "<string>:2:1: write_deadline: the integer 5 is read as 5 seconds; write a duration such as \"5s\""
                        + " instead"),
                loaded.warnings());
    }

    @Test
    void aKeyUsedAsAVariableIsNotUnknown() {
        BrokerOptions.Loaded loaded = load("""
            TOKEN: abc
            authorization { token: $TOKEN }
            """);
        assertEquals(Map.of("token", "abc"), loaded.options().authorization());
        assertEquals(List.of(), loaded.warnings());
    }

    @Test
    void aBareMapCannotTellVariablesFromUnknownKeys() {
        ConfigException e = assertThrows(ConfigException.class, () -> BrokerOptions.fromConfig(Map.of("TOKEN", "abc")));
        assertEquals("unknown field \"TOKEN\"", e.getMessage());
    }

    static Stream<Arguments> invalidValues() {
        return Stream.of(
                Arguments.of("max_payload: abc", "max_payload: invalid size \"abc\""),
                Arguments.of("max_payload: \"1.5MB\"", "max_payload: invalid size \"1.5MB\""),
                Arguments.of("max_payload: true", "max_payload: invalid size true"),
                Arguments.of("max_payload: 100MB",
                        "max_payload: 104857600 cannot be higher than max_pending (67108864)"),
                Arguments.of("max_payload: 3GB\nmax_pending: 4GB", "max_payload: 3221225472 is too big (the limit is"
                        + " 2147483647)"),
                Arguments.of("max_payload: -1", "max_payload: -1 must not be negative"),
                Arguments.of("max_pending: -1KB", "max_pending: -1024 must not be negative"),
                Arguments.of("max_control_line: 4GB", "max_control_line: 4294967296 is out of range"),
                Arguments.of("port: \"4222\"", "port: expected an integer, got \"4222\""),
                Arguments.of("port: 42x", "port: expected an integer, got \"42x\""),
                Arguments.of("port: 4222.0", "port: expected an integer, got 4222.0"),
                Arguments.of("port: 70000", "port: 70000 is out of range (-1 for a random port, or 0 to 65535)"),
                Arguments.of("port: -5", "port: -5 is out of range (-1 for a random port, or 0 to 65535)"),
                Arguments.of("http_port: 65536", "http_port: 65536 is out of range (-1 for a random port, or 0 to 65535)"),
                Arguments.of("port: 99999999999", "port: 99999999999 is out of range"),
                Arguments.of("max_connections: -1", "max_connections: -1 must not be negative"),
                Arguments.of("ping_max: -2", "ping_max: -2 must not be negative"),
                Arguments.of("debug: 1", "debug: expected true or false, got 1"),
                Arguments.of("debug: \"true\"", "debug: expected true or false, got \"true\""),
                Arguments.of("trace: maybe", "trace: expected true or false, got \"maybe\""),
                Arguments.of("server_name: 123", "server_name: expected a string, got 123"),
                Arguments.of("pid_file: [a]", "pid_file: expected a string, got a list [ ... ]"),
                Arguments.of("ping_interval: \"abc\"", "ping_interval: invalid duration \"abc\""),
                Arguments.of("ping_interval: \"5\"", "ping_interval: missing unit in duration \"5\""),
                Arguments.of("ping_interval: \"5y\"", "ping_interval: unknown unit \"y\" in duration \"5y\""),
                Arguments.of("ping_interval: 1.5", "ping_interval: expected a duration such as \"2m\" or \"10s\", got 1.5"),
                Arguments.of("ping_interval: \"-5s\"", "ping_interval: -5s must not be negative"),
                Arguments.of("write_deadline: {}",
                        "write_deadline: expected a duration such as \"2m\" or \"10s\", got a block { ... }"),
                Arguments.of("lame_duck_duration: \"10s\"", "lame_duck_duration: invalid value 10s, the minimum is 30s"),
                Arguments.of("lame_duck_grace_period: \"-5s\"", "lame_duck_grace_period: -5s must not be negative"),
                Arguments.of("lame_duck_duration: \"30s\"\nlame_duck_grace_period: \"40s\"",
                        "lame_duck_grace_period: 40s should be strictly lower than lame_duck_duration (30s)"),
                Arguments.of("authorization: token", "authorization: expected a block { ... }, got \"token\""),
                Arguments.of("authorization { timeout: true }",
                        "authorization.timeout: expected a number of seconds or a duration, got true"),
                Arguments.of("tls: [a]", "tls: expected a block { ... }, got a list [ ... ]"),
                Arguments.of("jetstream: maybe", "jetstream: expected enabled, disabled or a block { ... }, got \"maybe\""),
                Arguments.of("jetstream { enabled: 1 }", "jetstream.enabled: expected true or false, got 1"),
                Arguments.of("jetstream { max_file_store: -10GB }", "jetstream.max_file_store: -10737418240 is out"
                        + " of range (-1 for no limit, or a size such as 10GB)"),
                Arguments.of("jetstream { max_mem_store: true }", "jetstream.max_mem_store: invalid size true"),
                Arguments.of("jetstream { max_file: \"10QB\" }", "jetstream.max_file: invalid size \"10QB\""),
                Arguments.of("jetstream { sync_interval: \"fast\" }", "jetstream.sync_interval: expected always or a"
                        + " duration such as \"2m\" or \"10s\", got \"fast\""),
                Arguments.of("jetstream { sync: [always] }", "jetstream.sync: expected always or a duration such as"
                        + " \"2m\" or \"10s\", got a list [ ... ]"),
                Arguments.of("jetstream { store_dir: /a, storedir: /b }",
                        "jetstream.storedir: duplicate store_dir configuration (already set by"
                                + " jetstream.store_dir)"),
                Arguments.of("jetstream { store_dir: /a }\nstoredir: /b",
                        "storedir: duplicate store_dir configuration (already set by jetstream.store_dir)"),
                Arguments.of("listen: \"127.0.0.1\"",
                        "listen: could not parse address string \"127.0.0.1\" (expected host:port)"),
                Arguments.of("listen: \"::1:4222\"",
                        "listen: could not parse address string \"::1:4222\" (expected host:port)"),
                Arguments.of("http: \"localhost:http\"", "http: could not parse port \"http\" in \"localhost:http\""),
                Arguments.of("http: true", "http: expected a port or \"host:port\", got true"));
    }

    @ParameterizedTest
    @MethodSource("invalidValues")
    void invalidValuesNameTheKeyAndTheValue(String text, String message) {
        assertEquals(message, invalid(text));
    }

    @Test
    void builderRoundTripAndImmutability() {
        BrokerOptions o = BrokerOptions.builder().serverName("a").port(-1).httpPort(0).noLog(true)
                .authorization(Map.of("token", "secret")).build();
        assertEquals(o, o.toBuilder().build());
        assertEquals(o.hashCode(), o.toBuilder().build().hashCode());
        assertNotEquals(o, o.toBuilder().port(1).build());
        assertTrue(o.noLog());
        assertThrows(UnsupportedOperationException.class, () -> o.authorization().put("x", "y"));
        assertFalse(o.toString().contains("secret"), o.toString());
        assertTrue(o.toString().contains("authorization=[token]"), o.toString());
    }

    @Test
    void httpHostFollowsHostUnlessSet() {
        assertEquals("10.0.0.1", BrokerOptions.builder().host("10.0.0.1").build().httpHost());
        assertEquals("127.0.0.1",
                BrokerOptions.builder().host("10.0.0.1").httpHost("127.0.0.1").build().httpHost());
    }
}
