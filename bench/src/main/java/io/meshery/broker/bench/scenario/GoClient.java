package io.meshery.broker.bench.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The nats.go harness of the {@code go-*} scenarios ({@code bench/clients/go-bench/main.go}): found at
 * {@code -Dbench.go.client=PATH}, else built once per JVM into the bench module's {@code target/natsgo-bench} when
 * missing or older than its source, with Debian's Go packages ({@code golang-go},
 * {@code golang-github-nats-io-go-nats-dev}) in GOPATH mode: {@code GOPATH} from {@code BENCH_GOPATH}, else
 * {@code /usr/share/gocode}.
 */
final class GoClient {

    private static final String SOURCE = "clients/go-bench";
    private static Path built;

    private GoClient() {
    }

    /** The harness executable, built if needed. */
    static synchronized Path binary() throws IOException {
        String given = System.getProperty("bench.go.client");
        if (given != null) {
            return Path.of(given).toAbsolutePath();
        }
        if (built != null) {
            return built;
        }
        Path module = benchModule();
        Path source = module.resolve(SOURCE);
        Path binary = module.resolve("target/natsgo-bench");
        if (!Files.isExecutable(binary) || Files.getLastModifiedTime(binary).compareTo(
                Files.getLastModifiedTime(source.resolve("main.go"))) < 0) {
            build(source, binary, module.resolve("target/go-cache"));
        }
        built = binary;
        return binary;
    }

    /** The bench module's directory: the working directory is the repository root (bin/bench) or the module. */
    private static Path benchModule() throws IOException {
        for (Path candidate : List.of(Path.of("bench"), Path.of("."))) {
            if (Files.isRegularFile(candidate.resolve(SOURCE).resolve("main.go"))) {
                return candidate.toAbsolutePath().normalize();
            }
        }
        throw new IOException("nats.go harness source " + SOURCE + "/main.go not found from "
                + Path.of("").toAbsolutePath());
    }

    private static void build(Path source, Path binary, Path cache) throws IOException {
        if (!Executables.onPath("go")) {
            throw new IOException("the go-* scenarios need Go and nats.go: apt-get install golang-go"
                    + " golang-github-nats-io-go-nats-dev (or -Dbench.go.client=PATH to a built harness)");
        }
        Files.createDirectories(binary.getParent());
        ProcessBuilder pb = new ProcessBuilder("go", "build", "-o", binary.toString(), ".")
                .directory(source.toFile())
                .redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("GO111MODULE", "off");
        env.put("GOPATH", System.getenv().getOrDefault("BENCH_GOPATH", "/usr/share/gocode"));
        env.put("GOCACHE", cache.toString());
        env.put("GOFLAGS", "");
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new IOException("building the nats.go harness failed (is golang-github-nats-io-go-nats-dev"
                        + " installed?): " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building the nats.go harness", e);
        }
    }
}
