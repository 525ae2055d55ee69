package io.meshery.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshery.broker.testkit.Unshare;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network partition, for real and on nothing but the test's own network namespace: {@link PartitionDriver} runs
 * in {@code unshare --user --map-root-user --net} with three nodes on loopback addresses of that namespace, cuts the
 * leader of an R3 stream off from the other two with policy-routing blackhole rules, and checks that the cut-off
 * side acknowledges nothing while the majority goes on, and that after the heal every acknowledged message is
 * there once. The namespace, its rules and the nodes go with the driver's process.
 */
class ReplicatedStreamPartitionIT {

    @TempDir
    Path stores;

    @Test
    void theCutOffLeaderAcknowledgesNothingAndTheMajorityLosesNothing() throws Exception {
        assumeTrue(Unshare.allowed("ip link set lo up && ip rule add pref 100 lookup local && ip rule del pref 0", "--user", "--map-root-user", "--net"), "unshare --user --map-root-user --net is not allowed here");
        List<String> command = new ArrayList<>(List.of("unshare", "--user", "--map-root-user", "--net", "sh", "-c",
            "ip link set lo up && exec \"$0\" \"$@\"",
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
            "-cp", System.getProperty("java.class.path"), PartitionDriver.class.getName(), stores.toString()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.add(line);
                if (line.startsWith("RESULT")) {
                    System.out.println(line);
                }
            }
        }
        boolean ended = p.waitFor(5, TimeUnit.MINUTES);
        if (!ended) {
            p.destroyForcibly();
        }
        assertTrue(ended, "the driver ended");
        assertEquals(0, p.exitValue(), () -> String.join("\n", out));
        assertTrue(out.stream().anyMatch(l -> l.startsWith("RESULT ok")), () -> String.join("\n", out));
    }
}
