package io.meshery.broker.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
 * {@code bin/meshery-broker} keeps what makes the next start faster. On JDK 17, a class data sharing archive: the
 * first run writes one when it exits, the next checks it and starts with it ({@code -Xshare:on} in {@code JAVA_OPTS}
 * makes the JVM refuse to start without it), and an archive cut short (its node killed while writing it) is thrown
 * away instead of crashing the next start. On JDK 25 and newer, an ahead-of-time cache: the first run records, the
 * second makes the cache in the background, the third starts with it ({@code -XX:AOTMode=on} refuses to start
 * without a usable one).
 */
class LauncherCdsIT {

    @TempDir
    Path dir;

    @Test
    void theSecondStartUsesTheArchiveTheFirstWroteAndACutOneIsDropped() throws Exception {
        Path home = home();
        Path cds = dir.resolve("cds");

        String java17 = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        runUntilReady(home, cds, "", java17);
        List<Path> written = files(cds);
        assertEquals(1, written.size(), "one archive written at exit: " + written);
        assertTrue(written.get(0).getFileName().toString().matches("node-\\d+\\.jsa\\.\\d+"), written.toString());

        runUntilReady(home, cds, "-Xshare:on", java17);
        List<Path> kept = files(cds);
        assertEquals(1, kept.size(), kept.toString());
        assertTrue(kept.get(0).getFileName().toString().matches("node-\\d+\\.jsa"), "checked and kept: " + kept);
        runUntilReady(home, cds, "-Xshare:on", java17);

        // an archive cut short by a kill: dropped, the node starts without it and writes a new one
        Path archive = kept.get(0);
        Path cut = archive.resolveSibling(archive.getFileName() + ".999999");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(archive), 100_000));
        Files.delete(archive);
        runUntilReady(home, cds, "", java17);
        List<Path> after = files(cds);
        assertEquals(1, after.size(), after.toString());
        assertTrue(!after.get(0).equals(cut) && after.get(0).getFileName().toString().matches("node-\\d+\\.jsa\\.\\d+"),
            "the cut archive is gone and a new one was written: " + after);
    }

    @Test
    void onJava25TheThirdStartUsesTheAheadOfTimeCacheTheSecondMade() throws Exception {
        Path java25 = newestJdk25();
        assumeTrue(java25 != null, "no JDK 25 or newer under /usr/lib/jvm");
        Path home = home();
        Path cds = dir.resolve("aot");

        runUntilReady(home, cds, "", java25.toString());
        List<Path> recorded = files(cds);
        assertEquals(1, recorded.size(), "one recording written at exit: " + recorded);
        assertTrue(recorded.get(0).getFileName().toString().matches("node-\\d+\\.aotconf\\.\\d+"), recorded.toString());

        runUntilReady(home, cds, "", java25.toString()); // starts making the cache in the background
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (files(cds).stream().noneMatch(p -> p.getFileName().toString().matches("node-\\d+\\.aot"))
            || files(cds).size() != 1) {
            assertTrue(System.nanoTime() < deadline, () -> "no cache made within 120 s: " + filesOrError(cds));
            Thread.sleep(100);
        }
        runUntilReady(home, cds, "-XX:AOTMode=on", java25.toString());
        assertEquals(1, files(cds).size(), filesOrError(cds));
    }

    /** A broker home in the test's directory: links to this module's jar and libraries. */
    private Path home() throws IOException {
        Path home = dir.resolve("home");
        Files.createDirectories(home);
        Path target = Path.of("target").toAbsolutePath();
        Files.createSymbolicLink(home.resolve("broker-node.jar"), target.resolve("broker-node.jar"));
        Files.createSymbolicLink(home.resolve("lib"), target.resolve("lib"));
        return home;
    }

    /** The newest JDK of version 25 or later under /usr/lib/jvm, as the launcher looks for one; null if none. */
    private static Path newestJdk25() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return null;
        }
        Path best = null;
        int bestMajor = 24;
        try (Stream<Path> s = Files.list(jvms)) {
            for (Path jdk : s.toList()) {
                Path release = jdk.resolve("release");
                Path java = jdk.resolve("bin/java");
                if (!Files.isRegularFile(release) || !Files.isExecutable(java)) {
                    continue;
                }
                for (String line : Files.readAllLines(release)) {
                    if (line.startsWith("JAVA_VERSION=\"")) {
                        String v = line.substring("JAVA_VERSION=\"".length()).split("[.\"]")[0];
                        int major = v.matches("\\d+") ? Integer.parseInt(v) : 0;
                        if (major > bestMajor) {
                            bestMajor = major;
                            best = java;
                        }
                    }
                }
            }
        }
        return best;
    }

    private static String filesOrError(Path dir) {
        try {
            return files(dir).toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    /** Runs the launcher until {@code Server is ready}, then stops it with SIGTERM and waits for it to exit. */
    private void runUntilReady(Path home, Path cds, String javaOpts, String java) throws Exception {
        String launcher = Path.of("..", "bin", "meshery-broker").toAbsolutePath().normalize().toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(launcher, "-a", "127.0.0.1", "-p", "-1", "-m", "-1"))
            .redirectErrorStream(true);
        pb.environment().put("MESHERY_BROKER_HOME", home.toString());
        pb.environment().put("MESHERY_BROKER_CDS_DIR", cds.toString());
        pb.environment().put("JAVA_OPTS", javaOpts);
        pb.environment().put("MESHERY_BROKER_JAVA", java);
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
