package io.meshery.broker.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshery.broker.testkit.Unshare;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/meshery-broker} bounds the heap: half a container's memory limit (at least 160 MiB left for the rest),
 * 128 MiB where there is no limit, and an {@code -Xmx} in {@code JAVA_OPTS} wins. Each case runs the launcher in a
 * mount namespace of the test's own whose {@code /sys/fs/cgroup} is a tmpfs holding the limit the case needs, and
 * reads the JVM's resulting {@code MaxHeapSize} ({@code -XX:+PrintFlagsFinal}, then {@code --version}).
 */
class LauncherMemoryIT {

    private static final Pattern MAX_HEAP = Pattern.compile("size_t MaxHeapSize\\s+=\\s+(\\d+)");
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    @Test
    void theHeapFollowsTheContainersLimit() throws Exception {
        assumeTrue(Unshare.allowed("mount -t tmpfs none /sys/fs/cgroup", "--user", "--map-root-user", "--mount"),
            "this machine lets a test make a mount namespace");
        assertEquals(512 * MIB, maxHeap("1073741824", ""), "half of a 1 GiB limit");
        assertEquals(96 * MIB, maxHeap("268435456", ""), "a 256 MiB limit leaves 160 MiB for the rest");
        assertEquals(64 * MIB, maxHeap("134217728", ""), "never less than 64 MiB");
        assertEquals(128 * MIB, maxHeap("max", ""), "no limit (cgroup v2)");
        assertEquals(128 * MIB, maxHeap(null, ""), "no cgroup files at all");
        assertEquals(300 * MIB, maxHeap("2147483648", "-Xmx300m"), "JAVA_OPTS wins");
    }

    /** The launcher's heap with {@code memory.max} holding {@code limit} (none when null) and {@code javaOpts}. */
    private long maxHeap(String limit, String javaOpts) throws IOException, InterruptedException {
        Path home = dir.resolve("home-" + System.nanoTime());
        Files.createDirectories(home);
        Path target = Path.of("target").toAbsolutePath();
        Files.createSymbolicLink(home.resolve("broker-node.jar"), target.resolve("broker-node.jar"));
        Files.createSymbolicLink(home.resolve("lib"), target.resolve("lib"));
        String launcher = Path.of("..", "bin", "meshery-broker").toAbsolutePath().normalize().toString();
        String setup = "mount -t tmpfs none /sys/fs/cgroup"
            + (limit == null ? "" : " && echo " + limit + " > /sys/fs/cgroup/memory.max");
        ProcessBuilder pb = new ProcessBuilder(List.of("unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
            setup + " && exec \"$0\" --version", launcher)).redirectErrorStream(true);
        pb.environment().put("MESHERY_BROKER_HOME", home.toString());
        pb.environment().put("JAVA_OPTS", (javaOpts + " -XX:+PrintFlagsFinal").trim());
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":"
            + System.getenv("PATH"));
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the launcher exits");
        assertEquals(0, p.exitValue(), out);
        Matcher m = MAX_HEAP.matcher(out);
        assertTrue(m.find(), "MaxHeapSize printed: " + out.substring(0, Math.min(500, out.length())));
        return Long.parseLong(m.group(1));
    }
}
