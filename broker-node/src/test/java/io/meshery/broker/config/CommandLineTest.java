package io.meshery.broker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.cluster.ClusterSettings;
import io.meshery.broker.config.Invocation.Fail;
import io.meshery.broker.config.Invocation.Run;
import io.meshery.broker.config.Invocation.SendSignal;
import io.meshery.broker.config.Invocation.Signal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** nats-server's command line, as its 2.9.10 binary reads it. */
class CommandLineTest {
    private final CommandLine commandLine = new CommandLine("0.1.0", Map.of("SERVER_NAME", "from-env")::get);

    private BrokerOptions run(String... args) {
        Invocation invocation = commandLine.parse(args);
        return assertInstanceOf(Run.class, invocation, invocation::toString).options();
    }

    private Fail fail(String... args) {
        Invocation invocation = commandLine.parse(args);
        return assertInstanceOf(Fail.class, invocation, invocation::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"-p 4333", "-p=4333", "--port 4333", "--port=4333", "-port 4333"})
    void everyFlagForm(String args) {
        assertEquals(4333, run(args.split(" ")).port());
    }

    @Test
    void noArgumentsMeansDefaults() {
        Run run = assertInstanceOf(Run.class, commandLine.parse());
        assertEquals(BrokerOptions.defaults(), run.options());
        assertEquals(List.of(), run.warnings());
    }

    static Stream<Arguments> flags() {
        return Stream.of(
                Arguments.of("-a 127.0.0.1", BrokerOptions.builder().host("127.0.0.1")),
                Arguments.of("--addr 127.0.0.1", BrokerOptions.builder().host("127.0.0.1")),
                Arguments.of("--net=127.0.0.1", BrokerOptions.builder().host("127.0.0.1")),
                Arguments.of("-p -1", BrokerOptions.builder().port(-1)),
                Arguments.of("-m 8333", BrokerOptions.builder().httpPort(8333)),
                Arguments.of("--http_port=-1", BrokerOptions.builder().httpPort(-1)),
                Arguments.of("-m 0", BrokerOptions.builder().httpPort(0)),
                Arguments.of("-n a", BrokerOptions.builder().serverName("a")),
                Arguments.of("--name a", BrokerOptions.builder().serverName("a")),
                Arguments.of("--server_name a", BrokerOptions.builder().serverName("a")),
                Arguments.of("-D", BrokerOptions.builder().debug(true)),
                Arguments.of("--debug", BrokerOptions.builder().debug(true)),
                Arguments.of("-V", BrokerOptions.builder().trace(true)),
                Arguments.of("--trace", BrokerOptions.builder().trace(true)),
                Arguments.of("-DV", BrokerOptions.builder().debug(true).trace(true)),
                Arguments.of("-VV", BrokerOptions.builder().trace(true).traceVerbose(true)),
                Arguments.of("-DVV", BrokerOptions.builder().debug(true).trace(true).traceVerbose(true)),
                Arguments.of("-l /tmp/b.log", BrokerOptions.builder().logFile(Path.of("/tmp/b.log"))),
                Arguments.of("--log=/tmp/b.log", BrokerOptions.builder().logFile(Path.of("/tmp/b.log"))),
                Arguments.of("-T", BrokerOptions.builder()),
                Arguments.of("-T=false", BrokerOptions.builder().logtime(false)),
                Arguments.of("--logtime=0", BrokerOptions.builder().logtime(false)),
                Arguments.of("-P /run/b.pid", BrokerOptions.builder().pidFile(Path.of("/run/b.pid"))),
                Arguments.of("--pid /run/b.pid", BrokerOptions.builder().pidFile(Path.of("/run/b.pid"))),
                Arguments.of("-sd /data", BrokerOptions.builder().storeDir(Path.of("/data"))),
                Arguments.of("--store_dir /data", BrokerOptions.builder().storeDir(Path.of("/data"))),
                Arguments.of("-js", BrokerOptions.builder().jetStream(true)),
                Arguments.of("--jetstream", BrokerOptions.builder().jetStream(true)),
                Arguments.of("-D -D=false", BrokerOptions.builder()),
                Arguments.of("-p 1 -p 2", BrokerOptions.builder().port(2)),
                Arguments.of("-D --", BrokerOptions.builder().debug(true)));
    }

    @ParameterizedTest
    @MethodSource("flags")
    void flagsSetOptions(String args, BrokerOptions.Builder expected) {
        assertEquals(expected.build(), run(args.split(" ")));
    }

    @Test
    void flagsOverrideTheFileWhateverTheirOrder(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("nats.conf");
        Files.writeString(conf, """
            port: 5000
            debug: true
            logtime: true
            server_name: $SERVER_NAME
            http: "127.0.0.1:9000"
            jetstream { store_dir: /from-file }
            """);

        BrokerOptions o = run("-p", "6000", "-c", conf.toString(), "-T=false", "-a", "10.0.0.1", "-sd", "/from-flag");

        assertEquals(6000, o.port());
        assertTrue(o.debug(), "not overridden, so the file's value stays");
        assertFalse(o.logtime());
        assertEquals("from-env", o.serverName());
        assertEquals("10.0.0.1", o.host());
        assertEquals("127.0.0.1", o.httpHost(), "the file's http host is not replaced by -a");
        assertEquals(9000, o.httpPort());
        assertTrue(o.jetStream());
        assertEquals(Path.of("/from-flag"), o.storeDir());
        assertEquals(Optional.of(conf), o.configFile());
    }

    @Test
    void aFlagCanRepairAnOutOfRangeFileValue(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("nats.conf");
        Files.writeString(conf, "port: 70000\n");
        assertEquals(4222, run("-c", conf.toString(), "-p", "4222").port());
    }

    @Test
    void aFileValueOutOfRangeNamesTheFileAndLineButAFlagValueDoesNot(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("nats.conf");
        Files.writeString(conf, "debug: true\nport: 99999\n");
        assertEquals(new Fail("meshery-broker: " + conf + ":2:1: port: 99999 is out of range (-1 for a random port,"
                + " or 0 to 65535)", 1, false), commandLine.parse("-c", conf.toString()));
        Files.writeString(conf, "port: 4222\n");
        assertEquals(new Fail("meshery-broker: port: 99999 is out of range (-1 for a random port, or 0 to 65535)", 1,
                false), commandLine.parse("-c", conf.toString(), "-p", "99999"));
    }

    @Test
    void jetStreamFlagsEnableJetStreamWithoutWarnings() {
        Run run = assertInstanceOf(Run.class, commandLine.parse("-js", "--jetstream", "-sd", "/data"));
        assertEquals(List.of(), run.warnings());
        assertTrue(run.options().jetStream());
        assertEquals(Path.of("/data"), run.options().storeDir());
        assertEquals(BrokerOptions.UNLIMITED, run.options().maxFileStore());
        Run off = assertInstanceOf(Run.class, commandLine.parse("-js=false"));
        assertEquals(List.of(), off.warnings());
        assertFalse(off.options().jetStream());
    }

    @Test
    void theStoreDirFlagKeepsTheFilesJetStreamLimits(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("nats.conf");
        Files.writeString(conf, "jetstream {\n  store_dir: /from-file\n  max_mem: 1G\n  sync: \"1s\"\n}\n");
        Run run = assertInstanceOf(Run.class, commandLine.parse("-c", conf.toString(), "-sd", "/from-flag"));
        assertEquals(List.of(), run.warnings());
        assertEquals(Path.of("/from-flag"), run.options().storeDir());
        assertEquals(1_000_000_000L, run.options().maxMemoryStore());
        assertEquals(Duration.ofSeconds(1), run.options().syncInterval());
    }

    @Test
    void clusterFlagsAsNatsServerTakesThem() {
        Run run = assertInstanceOf(Run.class, commandLine.parse("--cluster", "nats://127.0.0.1:16222", "--routes",
                "nats-route://127.0.0.1:16222,nats://localhost:16223", "--cluster_name", "c3", "-n", "node-a"));
        ClusterSettings c = run.options().clusterSettings().orElseThrow();
        assertEquals("c3", c.name());
        assertEquals("127.0.0.1", c.host());
        assertEquals(16222, c.port());
        assertEquals(List.of(new ClusterSettings.Route("127.0.0.1", 16222), new ClusterSettings.Route("localhost", 16223)),
                c.routes());
        assertEquals("node-a", run.options().serverName());
        assertTrue(assertInstanceOf(Run.class, commandLine.parse("-p", "4222")).options().clusterSettings().isEmpty(),
                "no cluster without the block or a flag");
    }

    @Test
    void badClusterFlagsAreNamed() {
        Fail route = fail("--routes", "http://a:6222");
        assertTrue(route.message().contains("--routes: invalid route URL \"http://a:6222\""), route.message());
        assertEquals(1, route.exitCode());
        Fail name = fail("--cluster", "nats://127.0.0.1:6222", "--cluster_name", "a.b");
        assertTrue(name.message().contains("--cluster_name: invalid cluster name \"a.b\""), name.message());
    }

    @Test
    void helpAndVersion() {
        assertEquals(new Invocation.PrintHelp(CommandLine.usage()), commandLine.parse("-h"));
        assertEquals(new Invocation.PrintHelp(CommandLine.usage()), commandLine.parse("--help", "-p", "1"));
        assertEquals(new Invocation.PrintVersion("meshery-broker: v0.1.0"), commandLine.parse("-v"));
        assertEquals(new Invocation.PrintVersion("meshery-broker: v0.1.0"), commandLine.parse("--version"));
    }

    @Test
    void usageListsEverySupportedFlag() {
        String usage = CommandLine.usage();
        assertTrue(usage.contains("Usage: meshery-broker [options]"));
        for (String flag : List.of("-a, --addr, --net", "-p, --port", "-n, --name", "--server_name", "-P, --pid",
                "-m, --http_port", "-c, --config", "-t ", "-sl,--signal", "-l, --log", "-T, --logtime", "-D, --debug",
                "-V, --trace", "-VV", "-DV", "-DVV", "-js, --jetstream", "-sd, --store_dir", "-h, --help",
                "-v, --version", "--routes", "--cluster <cluster-url>", "--cluster_name")) {
            assertTrue(usage.contains(flag), flag);
        }
        assertFalse(usage.contains("--tls"), "only what we support");
        assertTrue(usage.contains("JetStream Options:\n"), usage);
        assertFalse(usage.contains("not implemented"), usage);
        assertTrue(usage.contains("Cluster Options:\n"), usage);
        assertTrue(usage.contains("Not available yet: leaf nodes"), usage);
        assertFalse(usage.contains("traces system account as well"), "there is no system account");
    }

    @Test
    void signals() {
        assertEquals(new SendSignal(Signal.LDM, "/var/run/nats/nats.pid"),
                commandLine.parse("-sl=ldm=/var/run/nats/nats.pid"));
        assertEquals(new SendSignal(Signal.RELOAD, "42"), commandLine.parse("--signal", "reload=42"));
        assertEquals(new SendSignal(Signal.STOP, null), commandLine.parse("-sl", "stop"));
        assertEquals(Optional.empty(), new SendSignal(Signal.QUIT, null).pidOrPidFile());
        for (Signal s : Signal.values()) {
            assertEquals(s, ((SendSignal) commandLine.parse("-sl", s.command())).signal());
        }
        assertEquals(new Fail("meshery-broker: unknown signal \"kill\"", 1, false), commandLine.parse("-sl", "kill"));
        assertEquals(new Fail("meshery-broker: unknown signal \"LDM\"", 1, false), commandLine.parse("-sl", "LDM"));
    }

    @Test
    void testConfig(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.conf");
        Files.writeString(good, "port: 4333\ncluster { port: 6222 }\n");
        Path unknown = dir.resolve("unknown.conf");
        Files.writeString(unknown, "port: 4333\ncolour: blue\n");
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "port: 4333\nauthorization {\n");
        Path wrong = dir.resolve("wrong.conf");
        Files.writeString(wrong, "max_payload: abc\n");

        Invocation.TestConfig ok =
                assertInstanceOf(Invocation.TestConfig.class, commandLine.parse("-t", "-c", good.toString()));
        assertEquals(4333, ok.options().port());
        assertEquals(List.of(), ok.warnings());
        assertEquals(6222, ok.options().clusterSettings().orElseThrow().port());
        assertEquals(new Fail("meshery-broker: " + unknown + ":2:1: unknown field \"colour\"", 1, false),
                commandLine.parse("-t", "-c", unknown.toString()));
        assertEquals(new Fail("meshery-broker: " + unknown + ":2:1: unknown field \"colour\"", 1, false),
                commandLine.parse("-c", unknown.toString()));
        assertEquals("meshery-broker: configuration file " + good + " is valid", ok.message());

        assertEquals(new Fail("meshery-broker: " + bad + ":2:15: '{' is not closed before the end of input", 1, false),
                commandLine.parse("-t", "-c", bad.toString()));
        assertEquals(new Fail("meshery-broker: " + wrong + ":1:1: max_payload: invalid size \"abc\"", 1, false),
                commandLine.parse("-c", wrong.toString()));
        assertEquals(new Fail("meshery-broker: must specify [-c, --config] option to check configuration file syntax",
                1, false), commandLine.parse("-t"));
        assertEquals(new Fail("meshery-broker: cannot read configuration file " + dir.resolve("none.conf")
                + ": no such file", 1, false), commandLine.parse("-c", dir.resolve("none.conf").toString()));
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("-x", new Fail("flag provided but not defined: -x", 2, true)),
                Arguments.of("--bogus=1", new Fail("flag provided but not defined: -bogus", 2, true)),
                Arguments.of("-d", new Fail("flag provided but not defined: -d", 2, true)),
                Arguments.of("-p abc", new Fail("invalid value \"abc\" for flag -p: parse error", 2, true)),
                Arguments.of("--port=4.5", new Fail("invalid value \"4.5\" for flag -port: parse error", 2, true)),
                Arguments.of("-p", new Fail("flag needs an argument: -p", 2, true)),
                Arguments.of("-T=maybe", new Fail("invalid boolean value \"maybe\" for -T: parse error", 2, true)),
                Arguments.of("---p", new Fail("bad flag syntax: ---p", 2, true)),
                Arguments.of("-p 70000", new Fail("meshery-broker: port: 70000 is out of range (-1 for a random port,"
                        + " or 0 to 65535)", 1, false)),
                Arguments.of("extra", new Fail("meshery-broker: unrecognized command: \"extra\"", 1, false)),
                Arguments.of("-D -- -p", new Fail("meshery-broker: unrecognized command: \"-p\"", 1, false)),
                Arguments.of("-T false", new Fail("meshery-broker: unrecognized command: \"false\"", 1, false)));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void malformedCommandLines(String args, Fail expected) {
        assertEquals(expected, commandLine.parse(args.split(" ")));
    }

    @Test
    void aFileWithIntegerDurationsRunsWithWarnings(@TempDir Path dir) throws Exception {
        Path conf = dir.resolve("nats.conf");
        Files.writeString(conf, "ping_interval: 60\n");
        Run run = assertInstanceOf(Run.class, commandLine.parse("--config", conf.toString()));
        assertEquals(Duration.ofSeconds(60), run.options().pingInterval());
        assertEquals(1, run.warnings().size());
        assertEquals(Optional.of(conf), run.options().configFile());
        assertEquals(2, fail("-c").exitCode());
    }
}
