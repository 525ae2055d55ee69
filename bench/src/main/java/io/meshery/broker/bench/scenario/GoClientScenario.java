package io.meshery.broker.bench.scenario;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A scenario driven by the Go client, nats.go: each run (warm-up and timed alike) is a fresh process of the
 * {@link GoClient} harness ({@code bench/clients/go-bench}), which connects to the server, runs the load and prints
 * what it measured as {@code key value} lines. The server side (fresh process per run, CPU, RSS) is the runner's,
 * as for every scenario; the harness process's CPU counts as the client's (see
 * {@code ResourceUsage#reapedChildrenCpuNanos}) and is noted from its own figure too.
 *
 * <p>Names start with {@code go-}: {@code go-pubsub} is the shape of {@code pubsub} with nats.go instead of the Java
 * wire client, so the two runs show what each client sees of the same servers.
 */
public final class GoClientScenario implements Scenario {

    private final String name;
    private final String summary;
    private final String unit;
    private final List<Metric> metrics;
    private final long defaultCount;
    private final long smokeCount;
    private final boolean tls;
    private final List<String> harnessArgs;

    private GoClientScenario(String name, String summary, String unit, List<Metric> metrics, long defaultCount,
                             long smokeCount, boolean tls, String... harnessArgs) {
        this.name = name;
        this.summary = summary;
        this.unit = unit;
        this.metrics = metrics;
        this.defaultCount = defaultCount;
        this.smokeCount = smokeCount;
        this.tls = tls;
        this.harnessArgs = List.of(harnessArgs);
    }

    /** Every nats.go scenario, in the order a run executes them. */
    public static List<Scenario> all() {
        List<Metric> rate = List.of(Metric.higher("msgs_per_sec", "msg/s"));
        Metric p50 = Metric.lower("p50_us", "µs p50");
        Metric p99 = Metric.lower("p99_us", "µs p99");
        Metric p999 = Metric.lower("p999_us", "µs p99.9");
        Metric reqs = Metric.higher("reqs_per_sec", "req/s");
        List<Metric> connections = List.of(Metric.higher("conns_per_sec", "conn/s"));
        return List.of(
                new GoClientScenario("go-pub", "nats.go: 1 publisher, no subscriber, 16 B: msg/s the server takes in",
                        "msg", rate, 30_000_000, 50_000, false, "-scenario", "pub"),
                new GoClientScenario("go-pubsub", "nats.go: 1 publisher -> 1 subscriber, 16 B: msg/s delivered",
                        "msg", rate, 10_000_000, 50_000, false, "-scenario", "pubsub"),
                new GoClientScenario("go-fanout", "nats.go: 1 publisher -> 5 subscribers, 16 B: deliveries/s",
                        "msg", List.of(Metric.higher("deliveries_per_sec", "dlv/s"),
                                Metric.higher("msgs_per_sec", "msg/s")),
                        3_000_000, 20_000, false, "-scenario", "fanout"),
                new GoClientScenario("go-queue", "nats.go: 1 publisher -> queue group of 4, 16 B: msg/s", "msg", rate,
                        6_000_000, 50_000, false, "-scenario", "queue"),
                new GoClientScenario("go-pubsub64k", "nats.go: 1 publisher -> 1 subscriber, 64 KiB: payload MB/s",
                        "msg", List.of(Metric.higher("mb_per_sec", "MB/s"), Metric.higher("msgs_per_sec", "msg/s")),
                        30_000, 500, false, "-scenario", "pubsub64k"),
                new GoClientScenario("go-reqrep", "nats.go: sequential request-reply, 16 B: latency p50/p99/p99.9",
                        "req", List.of(p50, p99, p999, reqs), 20_000, 500, false, "-scenario", "reqrep"),
                new GoClientScenario("go-reqmany", "nats.go: 50 requesters at once -> queue group of 4 responders,"
                        + " 16 B (Meshery's request pattern): req/s and latency", "req",
                        List.of(reqs, p50, p99, p999), 100_000, 1_000, false, "-scenario", "reqmany"),
                new GoClientScenario("go-conns", "nats.go: 16 workers open connections (handshake and first"
                        + " PING/PONG): conn/s; server CPU per connection", "conn", connections, 1_000, 100, false,
                        "-scenario", "conns", "-workers", "16"),
                new GoClientScenario("go-tls-pubsub", "nats.go over TLS (ECDSA P-256 certificate): 1 publisher -> 1"
                        + " subscriber, 128 B: msg/s delivered", "msg", rate, 2_000_000, 20_000, true,
                        "-scenario", "pubsub", "-payload", "128"),
                new GoClientScenario("go-tls-conns", "nats.go over TLS: connections opened one after another"
                        + " (TLS handshake included): conn/s; server CPU per connection", "conn", connections, 200, 20,
                        true, "-scenario", "conns", "-workers", "1"));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String summary() {
        return summary;
    }

    @Override
    public List<Metric> metrics() {
        return metrics;
    }

    @Override
    public long defaultCount() {
        return defaultCount;
    }

    @Override
    public long smokeCount() {
        return smokeCount;
    }

    @Override
    public boolean tls() {
        return tls;
    }

    @Override
    public Measurement run(ScenarioContext ctx, long count) throws Exception {
        Path harness;
        try {
            harness = GoClient.binary();
        } catch (IOException e) {
            return failed(unit, count, e.getMessage());
        }
        List<String> command = new ArrayList<>(List.of(harness.toString()));
        command.addAll(harnessArgs);
        Path ca = ctx.tlsCa();
        String host = ctx.address(0).getAddress().getHostAddress();
        command.addAll(List.of("-url", (ca == null ? "nats://" : "tls://") + host + ":" + ctx.address(0).getPort(),
                "-count", Long.toString(count),
                "-max-seconds", seconds(Math.max(0, ctx.publishDeadlineNanos() - System.nanoTime()) / 1e9),
                "-drain-seconds", seconds(ctx.limits().drainIdle().toMillis() / 1e3),
                "-window-bytes", Long.toString(ctx.limits().windowBytes())));
        if (ca != null) {
            command.addAll(List.of("-ca", ca.toString()));
        }
        Path stderr = Files.createTempFile("natsgo-bench-", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            process.getOutputStream().close();
            byte[] out = process.getInputStream().readAllBytes();
            long waitMillis = Math.max(1, ctx.limits().hard().toMillis());
            if (!process.waitFor(waitMillis, TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return failed(unit, count, "nats.go harness did not finish within " + waitMillis + " ms");
            }
            String err = Files.readString(stderr, StandardCharsets.UTF_8).strip();
            if (process.exitValue() != 0 || out.length == 0) {
                return failed(unit, count, "nats.go harness exited with " + process.exitValue() + ": " + err);
            }
            return measurement(new String(out, StandardCharsets.UTF_8), unit);
        } finally {
            Files.deleteIfExists(stderr);
        }
    }

    private static String seconds(double s) {
        return String.format(Locale.ROOT, "%.3f", s);
    }

    private static Measurement failed(String unit, long count, String problem) {
        return new Measurement(0, unit, Map.of(), count, 0, 0, List.of(problem), List.of());
    }

    /** Reads the harness's lines: {@code units N}, {@code value ID X}, {@code problem TEXT}, ... */
    static Measurement measurement(String output, String unit) {
        Map<String, Double> values = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        long units = 0;
        long expected = 0;
        long received = 0;
        int disconnects = 0;
        String unitName = unit;
        for (String line : output.split("\n")) {
            String[] kv = line.split(" ", 2);
            String v = kv.length == 2 ? kv[1].strip() : "";
            switch (kv[0]) {
                case "units" -> units = Long.parseLong(v);
                case "unit" -> unitName = v;
                case "value" -> {
                    String[] idValue = v.split(" ", 2);
                    values.put(idValue[0], Double.parseDouble(idValue[1]));
                }
                case "expected" -> expected = Long.parseLong(v);
                case "received" -> received = Long.parseLong(v);
                case "disconnects" -> disconnects = Integer.parseInt(v);
                case "problem" -> problems.add(v);
                case "note" -> notes.add(v);
                case "client_cpu_ms" -> notes.add(String.format(Locale.ROOT, "nats.go harness process CPU: %.0f ms",
                        Double.parseDouble(v)));
                default -> {
                    if (!line.isBlank()) {
                        problems.add("unexpected line from the nats.go harness: " + line);
                    }
                }
            }
        }
        return new Measurement(units, unitName, Collections.unmodifiableMap(values), expected, received, disconnects,
                List.copyOf(problems), List.copyOf(notes));
    }
}
