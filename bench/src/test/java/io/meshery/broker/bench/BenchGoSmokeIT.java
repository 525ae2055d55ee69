package io.meshery.broker.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshery.broker.bench.scenario.Executables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code bin/bench --smoke --scenarios go}: every nats.go scenario (the TLS ones included) with tiny counts
 * against our broker, and nats-server when it is installed. It shows the Go harness builds, that both servers
 * serve the Go client, plain and over TLS, and that nothing is lost. Skipped where Go or Debian's nats.go sources
 * are missing (.ci/run installs both).
 */
class BenchGoSmokeIT {

    @Test
    void natsGoSmokeRunLosesNothing() throws IOException {
        assumeTrue(Executables.onPath("go"), "Go is not installed (apt-get install golang-go)");
        assumeTrue(Files.isDirectory(Path.of("/usr/share/gocode/src/github.com/nats-io/nats.go")),
                "nats.go sources are not installed (apt-get install golang-github-nats-io-go-nats-dev)");
        assumeTrue(Executables.onPath("openssl"), "openssl is not installed");
        String servers = Executables.onPath("nats-server") ? "a,b" : "a";
        Path json = Path.of("target/bench-go-smoke.json");
        List<String> args = new ArrayList<>(List.of("--smoke", "--scenarios", "go", "--servers", servers,
                "--log-dir", "target/bench-logs", "--json", json.toString(),
                "--a-name", "meshery-broker",
                "--a-cmd", "cd .. && exec bin/meshery-broker -p {port} -m 0 -a 127.0.0.1"));
        assertEquals(0, BenchMain.run(System.out, args.toArray(String[]::new)),
                "nats.go smoke run lost messages or failed; see the output above and target/bench-logs");
        String report = Files.readString(json);
        for (String scenario : List.of("go-pubsub", "go-reqmany", "go-conns", "go-tls-pubsub", "go-tls-conns")) {
            assertTrue(report.contains("\"" + scenario + "\""), scenario + " missing from the report");
        }
    }
}
