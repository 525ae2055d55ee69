package io.meshery.broker.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshery.broker.bench.scenario.Executables;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code bin/bench --smoke} in-process: every scenario with tiny counts, one round, no timing claims. It shows
 * the harness still works and that the server(s) lose nothing.
 *
 * <p>A is our broker, launched as {@code ../bin/meshery-broker} from this module's directory (the reactor builds
 * broker-node first: it is a test dependency of this module), or as {@code -Dbench.smoke.a-cmd=...}. B is
 * nats-server, included when it is on the PATH. {@code -Dbench.smoke.servers=a|b|a,b} chooses explicitly.
 */
class BenchSmokeIT {

    @Test
    void smokeRunLosesNothing() {
        String servers = System.getProperty("bench.smoke.servers", Executables.onPath("nats-server") ? "a,b" : "a");
        assumeTrue(!servers.contains("b") || Executables.onPath("nats-server"), "nats-server is not installed");
        List<String> args = new ArrayList<>(List.of("--smoke", "--servers", servers,
                "--log-dir", "target/bench-logs", "--json", "target/bench-smoke.json"));
        if (servers.contains("a")) {
            args.add("--a-name");
            args.add("meshery-broker");
            args.add("--a-cmd");
            args.add(System.getProperty("bench.smoke.a-cmd",
                    "cd .. && exec bin/meshery-broker -p {port} -m 0 -a 127.0.0.1"));
        }
        assertEquals(0, BenchMain.run(System.out, args.toArray(String[]::new)),
                "smoke run lost messages or failed; see the output above and target/bench-logs");
    }
}
