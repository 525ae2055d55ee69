package io.meshery.broker.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.bench.scenario.Scenarios;
import io.meshery.broker.bench.server.ServerSpec;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {

    @Test
    void defaultsCompareOurBrokerWithNatsServer() {
        BenchOptions o = BenchOptions.parse();
        assertEquals(List.of("A", "B"), o.servers().stream().map(s -> s.label()).toList());
        assertEquals("meshery-broker", o.servers().get(0).name());
        assertEquals("nats-server", o.servers().get(1).name());
        assertEquals(3, o.rounds());
        assertEquals(Scenarios.defaults(), o.scenarios());
        assertTrue(o.scenarios().stream().allMatch(s -> s.clusterSize() == 0), "cluster scenarios only on request");
        assertTrue(o.warmup());
        assertEquals(16L << 20, o.windowBytes());
    }

    @Test
    void smokeUsesTinyCountsAndOneRound() {
        BenchOptions o = BenchOptions.parse("--smoke", "--servers", "b");
        assertEquals(1, o.rounds());
        assertFalse(o.warmup());
        assertEquals(Scenarios.smoke(), o.scenarios());
        Scenarios.smoke().forEach(s -> assertEquals(s.smokeCount(), o.countFor(s)));
        assertTrue(o.scenarios().containsAll(Scenarios.defaults()));
        assertTrue(o.scenarios().containsAll(Scenarios.replay()), "the replays run in the smoke, small");
        assertEquals(1, o.servers().size());
    }

    @Test
    void replayScenariosAreChosenByNameByGroupOrWithAll() {
        List<String> replay = List.of("jsreplay-pull", "jsreplay-ordered");
        assertEquals(replay, names(BenchOptions.parse("--scenarios", "jsreplay")));
        assertEquals(List.of("jsreplay-ordered"), names(BenchOptions.parse("--scenarios", "jsreplay-ordered")));
        assertTrue(Scenarios.all().containsAll(Scenarios.replay()));
        assertTrue(Scenarios.replay().stream().noneMatch(Scenarios.defaults()::contains),
                "a million-message fill per run: only on request");
        Scenarios.replay().forEach(s -> {
            assertTrue(s.jetStream());
            assertEquals(1_000_000, s.defaultCount());
            assertTrue(s.setupAllowance(s.defaultCount()).toSeconds() >= 200, "fill and replay limits");
        });
        BenchOptions o = BenchOptions.parse("--scenarios", "jsreplay", "--count", "jsreplay-pull=2k");
        assertEquals(2000, o.countFor(Scenarios.named("jsreplay-pull").orElseThrow()));
        assertEquals(1_000_000, o.countFor(Scenarios.named("jsreplay-ordered").orElseThrow()));
    }

    @Test
    void clusterScenariosAreChosenByNameByGroupOrWithAll() {
        List<String> cluster = List.of("cluster-pubsub", "cluster-reqrep", "cluster-queue", "cluster-queue-remote");
        assertEquals(cluster, names(BenchOptions.parse("--scenarios", "cluster")));
        assertEquals(cluster, names(BenchOptions.parse("--scenarios",
                "cluster-pubsub,cluster-reqrep,cluster-queue,cluster-queue-remote")));
        assertEquals(List.of("pub", "cluster-queue"), names(BenchOptions.parse("--scenarios", "pub,cluster-queue")));
        assertEquals(List.of("cluster-pubsub", "cluster-reqrep", "cluster-queue", "cluster-queue-remote", "pub"),
                names(BenchOptions.parse("--scenarios", "cluster,cluster-queue,pub")), "no scenario twice");
        assertEquals(Scenarios.all(), BenchOptions.parse("--scenarios", "all").scenarios());
        assertTrue(Scenarios.all().containsAll(Scenarios.cluster()));
        Scenarios.cluster().forEach(s -> assertEquals(3, s.clusterSize()));
        BenchOptions smoke = BenchOptions.parse("--smoke", "--scenarios", "cluster");
        Scenarios.cluster().forEach(s -> assertEquals(s.smokeCount(), smoke.countFor(s)));
        assertEquals(Scenarios.named("pubsub").orElseThrow().defaultCount(),
                Scenarios.named("cluster-pubsub").orElseThrow().defaultCount());
        assertEquals(Scenarios.named("reqrep").orElseThrow().defaultCount(),
                Scenarios.named("cluster-reqrep").orElseThrow().defaultCount());
    }

    @Test
    void replicatedJetStreamScenariosAreChosenByNameByGroupOrWithAll() {
        List<String> r3 = List.of("jsr3pubsync", "jsr3pubasync");
        assertEquals(r3, names(BenchOptions.parse("--scenarios", "jsr3")));
        assertEquals(List.of("jsr3pubasync"), names(BenchOptions.parse("--scenarios", "jsr3pubasync")));
        assertTrue(Scenarios.all().containsAll(Scenarios.r3()));
        assertTrue(Scenarios.r3().stream().noneMatch(Scenarios.defaults()::contains), "a cluster per run: on request");
        assertTrue(Scenarios.r3().stream().noneMatch(Scenarios.smoke()::contains));
        Scenarios.r3().forEach(s -> {
            assertTrue(s.jetStream());
            assertEquals(3, s.clusterSize());
        });
        BenchOptions smoke = BenchOptions.parse("--smoke", "--scenarios", "jsr3");
        assertEquals(List.of(200L, 5_000L), Scenarios.r3().stream().map(smoke::countFor).toList());
        BenchOptions full = BenchOptions.parse("--scenarios", "jsr3");
        assertEquals(List.of(2_000L, 100_000L), Scenarios.r3().stream().map(full::countFor).toList());
        assertEquals("MESHERY_BROKER_HOME=/tmp/mb-r3 bin/meshery-broker -c {config}", BenchOptions.parse("--scenarios",
                "jsr3", "--a-cluster-cmd", "MESHERY_BROKER_HOME=/tmp/mb-r3 bin/meshery-broker -c {config}")
                .servers().get(0).clusterCommand());
    }

    @Test
    void clusterNodeCommandsDefaultToTheExecutableWithAConfigFile() {
        BenchOptions defaults = BenchOptions.parse("--scenarios", "cluster");
        assertEquals("bin/meshery-broker -c {config}", defaults.servers().get(0).clusterCommand());
        assertEquals("nats-server -c {config}", defaults.servers().get(1).clusterCommand());
        assertEquals(ServerSpec.DEFAULT_A_CLUSTER_COMMAND, defaults.servers().get(0).clusterCommand());
        assertEquals(ServerSpec.DEFAULT_B_CLUSTER_COMMAND, defaults.servers().get(1).clusterCommand());
        assertEquals(120_000, defaults.clusterTimeout().toMillis());

        BenchOptions derived = BenchOptions.parse("--a-cmd", "cd .. && exec bin/meshery-broker -p {port} -m 0",
                "--b-cluster-cmd", "/opt/nats-server --cluster_name x -c {config}", "--cluster-seconds", "30");
        assertEquals("cd .. && exec bin/meshery-broker -c {config}", derived.servers().get(0).clusterCommand());
        assertEquals("/opt/nats-server --cluster_name x -c {config}", derived.servers().get(1).clusterCommand());
        assertEquals("cd .. && exec bin/meshery-broker -c /tmp/c/n1.conf",
                derived.servers().get(0).clusterCommandFor(Path.of("/tmp/c/n1.conf")));
        assertEquals(30_000, derived.clusterTimeout().toMillis());

        assertEquals("JAVA_OPTS=\"-Xmx1g -Xss1m\" x/nats-server -c {config}",
                ServerSpec.clusterOf("JAVA_OPTS=\"-Xmx1g -Xss1m\" x/nats-server -p {port} -a 127.0.0.1"));
        assertEquals("MESHERY_BROKER_HOME=/tmp/s /tmp/s/bin/meshery-broker -c {config}",
                ServerSpec.clusterOf("MESHERY_BROKER_HOME=/tmp/s /tmp/s/bin/meshery-broker -p {port}"));
        assertEquals("nats-server -c {config}", ServerSpec.clusterOf("nats-server"));
        assertEquals("x -c {config} -D", ServerSpec.clusterOf("x -c {config} -D"));
        assertEquals("nats-server -c {config}", new ServerSpec("B", "b", "nats-server -p {port}").clusterCommand());
    }

    private static List<String> names(BenchOptions options) {
        return options.scenarios().stream().map(s -> s.name()).toList();
    }

    @Test
    void countsCanBeScaledAndOverridden() {
        BenchOptions o = BenchOptions.parse("--scenarios", "pub,reqrep", "--scale", "0.5", "--count", "reqrep=2k",
                "--a-cmd", "JAVA_OPTS=-Xmx1g /opt/x/nats-server -p {port}");
        assertEquals(Scenarios.named("pub").orElseThrow().defaultCount() / 2,
                o.countFor(Scenarios.named("pub").orElseThrow()));
        assertEquals(2000, o.countFor(Scenarios.named("reqrep").orElseThrow()));
        assertEquals("nats-server", o.servers().get(0).name());
        assertEquals("JAVA_OPTS=-Xmx1g /opt/x/nats-server -p 4222", o.servers().get(0).commandFor(4222));
    }

    @Test
    void jetStreamScenariosGetTheCommandWithAFreshStoreDirectory() {
        BenchOptions defaults = BenchOptions.parse("--scenarios", "jspubsync,jspubasync");
        assertEquals("bin/meshery-broker -p {port} -m 0 -a 127.0.0.1 -js -sd {storedir}",
                defaults.servers().get(0).jsCommand());
        assertEquals("nats-server -p {port} -m 0 -a 127.0.0.1 -js -sd {storedir}",
                defaults.servers().get(1).jsCommand());
        assertTrue(Scenarios.named("jspubsync").orElseThrow().jetStream());
        assertFalse(Scenarios.named("pub").orElseThrow().jetStream());

        BenchOptions derived = BenchOptions.parse("--a-cmd", "cd .. && exec bin/meshery-broker -p {port}",
                "--b-js-cmd", "nats-server -c x.conf -p {port} -js -sd {storedir}/b");
        ServerSpec a = derived.servers().get(0);
        ServerSpec b = derived.servers().get(1);
        assertEquals("cd .. && exec bin/meshery-broker -p {port} -js -sd {storedir}", a.jsCommand());
        assertEquals("cd .. && exec bin/meshery-broker -p 4222 -js -sd /tmp/s1",
                a.commandFor(4222, true, Path.of("/tmp/s1")));
        assertEquals("cd .. && exec bin/meshery-broker -p 4222", a.commandFor(4222, false, null));
        assertEquals("nats-server -c x.conf -p 4222 -js -sd /tmp/s2/b", b.commandFor(4222, true, Path.of("/tmp/s2")));
        assertTrue(a.needsStoreDir(true));
        assertFalse(a.needsStoreDir(false));
        assertEquals("x -sd {storedir}", ServerSpec.jetStreamOf("x -sd {storedir}"));
    }

    @Test
    void rejectsWhatItDoesNotKnow() {
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--scenarios", "nope"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--bogus"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--rounds"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--count", "pub=0"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--servers", "c"));
        assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("--a-cluster-cmd"));
    }
}
