package io.meshery.broker.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/meshery-broker} keeps a class data sharing archive: the first run writes one when it exits, the next
 * checks it and starts with it ({@code -Xshare:on} in {@code JAVA_OPTS} makes the JVM refuse to start without it), and
 * an archive cut short (its node killed while writing it) is thrown away instead of crashing the next start.
 */
class LauncherCdsIT {

    @TempDir
    Path dir;

    @Test
    void theSecondStartUsesTheArchiveTheFirstWroteAndACutOneIsDropped() throws Exception {
        Path home = dir.resolve("home");
        Files.createDirectories(home);
        Path target = Path.of("target").toAbsolutePath();
        Files.createSymbolicLink(home.resolve("broker-node.jar"), target.resolve("broker-node.jar"));
        Files.createSymbolicLink(home.resolve("lib"), target.resolve("lib"));
        Path cds = dir.resolve("cds");

        runUntilReady(home, cds, "");
        List<Path> written = files(cds);
        assertEquals(1, written.size(), "one archive written at exit: " + written);
        assertTrue(written.get(0).getFileName().toString().matches("node-\\d+\\.jsa\\.\\d+"), written.toString());

        runUntilReady(home, cds, "-Xshare:on");
        List<Path> kept = files(cds);
        assertEquals(1, kept.size(), kept.toString());
        assertTrue(kept.get(0).getFileName().toString().matches("node-\\d+\\.jsa"), "checked and kept: " + kept);
        runUntilReady(home, cds, "-Xshare:on");

        // an archive cut short by a kill: dropped, the node starts without it and writes a new one
        Path archive = kept.get(0);
        Path cut = archive.resolveSibling(archive.getFileName() + ".999999");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(archive), 100_000));
        Files.delete(archive);
        runUntilReady(home, cds, "");
        List<Path> after = files(cds);
        assertEquals(1, after.size(), after.toString());
        assertTrue(!after.get(0).equals(cut) && after.get(0).getFileName().toString().matches("node-\\d+\\.jsa\\.\\d+"),
            "the cut archive is gone and a new one was written: " + after);
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /** Runs the launcher until {@code Server is ready}, then stops it with SIGTERM and waits for it to exit. */
    private void runUntilReady(Path home, Path cds, String javaOpts) throws Exception {
        String launcher = Path.of("..", "bin", "meshery-broker").toAbsolutePath().normalize().toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(launcher, "-a", "127.0.0.1", "-p", "-1", "-m", "-1"))
            .redirectErrorStream(true);
        pb.environment().put("MESHERY_BROKER_HOME", home.toString());
        pb.environment().put("MESHERY_BROKER_CDS_DIR", cds.toString());
        pb.environment().put("JAVA_OPTS", javaOpts);
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv("PATH"));
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        java.util.concurrent.atomic.AtomicBoolean ready = new java.util.concurrent.atomic.AtomicBoolean();
        CompletableFuture<Void> reader = CompletableFuture.runAsync(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                    if (line.contains("Server is ready") && !ready.getAndSet(true)) {
                        new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
                    }
                }
            } catch (IOException e) {
                // the process is gone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        reader.get(10, TimeUnit.SECONDS);
        assertTrue(exited && ready.get(), () -> "ready, then stopped: " + String.join("\n", lines));
        assertEquals(0, p.exitValue(), () -> String.join("\n", lines));
    }
}
