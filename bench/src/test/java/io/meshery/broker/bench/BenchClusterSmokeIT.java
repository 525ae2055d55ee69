package io.meshery.broker.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshery.broker.bench.scenario.Executables;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code bin/bench --smoke --scenarios cluster} in-process: the cluster scenarios with tiny counts, one
 * round; and {@code --smoke --scenarios jsr3}, the JetStream publishes into a stream with 3 replicas. They are not
 * part of {@link BenchSmokeIT}'s default smoke run: three nodes of our broker take some 10 s to start on a small
 * machine, per scenario.
 *
 * <p>By default only B, nats-server (when it is on the PATH): a few seconds, and it shows the harness starts a
 * cluster, waits for its routes and the subscribers' interest, and loses nothing. {@code -Dbench.cluster.servers=a,b}
 * adds our broker, launched as {@code ../bin/meshery-broker -c {config}} from this module's directory, or as
 * {@code -Dbench.cluster.a-cmd=...} (with {@code {config}}).
 */
class BenchClusterSmokeIT {

    @Test
    void clusterSmokeRunLosesNothing() {
        smoke("cluster", "target/bench-cluster-smoke.json");
    }

    /**
     * {@code --smoke --scenarios jsr3}: 200 synchronous and 5 000 pipelined publishes into an R3 stream, every PubAck
     * checked. Against nats-server 5-15 s, most of it the wait for its JetStream meta leader.
     */
    @Test
    void replicatedJetStreamSmokeRunLosesNothing() {
        smoke("jsr3", "target/bench-jsr3-smoke.json");
    }

    private static void smoke(String scenarios, String json) {
        String servers = System.getProperty("bench.cluster.servers", "b");
        assumeTrue(!servers.contains("b") || Executables.onPath("nats-server"), "nats-server is not installed");
        List<String> args = new ArrayList<>(List.of("--smoke", "--scenarios", scenarios, "--servers", servers,
                "--log-dir", "target/bench-logs", "--json", json));
        if (servers.contains("a")) {
            args.add("--a-name");
            args.add("meshery-broker");
            args.add("--a-cluster-cmd");
            args.add(System.getProperty("bench.cluster.a-cmd", "cd .. && exec bin/meshery-broker -c {config}"));
        }
        assertEquals(0, BenchMain.run(System.out, args.toArray(String[]::new)),
                scenarios + " smoke run lost messages or failed; see the output above and target/bench-logs");
    }
}
