package io.meshery.broker.bench;

import io.meshery.broker.bench.report.Format;
import io.meshery.broker.bench.scenario.Measurement;
import io.meshery.broker.bench.scenario.Scenario;
import io.meshery.broker.bench.scenario.ScenarioContext;
import io.meshery.broker.bench.server.ServerProcess;
import io.meshery.broker.bench.server.ServerSpec;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs every scenario for every round against every server: for each scenario, round after round, A then B.
 *
 * <p>Each (scenario, round, server) gets a fresh server process: peak RSS is then that scenario's own, nothing
 * one scenario leaves behind (buffers, heap, subscriptions) skews the next, and A and B never share a machine
 * state. Because a fresh JVM starts cold, each timed run is preceded by an untimed warm-up run (a tenth of the
 * count) on the same process. Server CPU time is the {@code /proc} delta over the timed run; client CPU time is
 * this JVM's process CPU time over the same interval; the machine's busy time over it shows what else ran.
 */
final class BenchRunner {

    private final BenchOptions options;
    private final PrintStream out;

    BenchRunner(BenchOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Runs everything and returns the results in execution order. */
    List<RunResult> run() {
        List<RunResult> results = new ArrayList<>();
        for (Scenario scenario : options.scenarios()) {
            long count = options.countFor(scenario);
            out.printf("%n== %s: %s (count %s, %d round%s)%n", scenario.name(), scenario.summary(),
                    Format.count(count), options.rounds(), options.rounds() == 1 ? "" : "s");
            for (int round = 1; round <= options.rounds(); round++) {
                for (ServerSpec server : options.servers()) {
                    RunResult result = runOnce(scenario, server, round, count);
                    out.println(Format.runLine(result, scenario));
                    results.add(result);
                }
            }
        }
        return results;
    }

    /**
     * One run on a fresh server process. A command with {@code {storedir}} (every JetStream command) gets a fresh
     * empty directory under {@code java.io.tmpdir}, deleted after the server has stopped.
     */
    private RunResult runOnce(Scenario scenario, ServerSpec spec, int round, long count) {
        Path storeDir = null;
        try {
            if (spec.needsStoreDir(scenario.jetStream())) {
                storeDir = Files.createTempDirectory("bench-store-");
            }
            return runOnce(scenario, spec, round, count, storeDir);
        } catch (IOException e) {
            return RunResult.failed(scenario.name(), spec, round, "", "no store directory: " + e);
        } finally {
            if (storeDir != null) {
                deleteTree(storeDir);
            }
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + root + ": " + e);
        }
    }

    private RunResult runOnce(Scenario scenario, ServerSpec spec, int round, long count, Path storeDir) {
        Path log = options.logDir().resolve(scenario.name() + "-r" + round + "-" + spec.label() + ".log");
        String process = "";
        try (ServerProcess server = ServerProcess.start(spec, scenario.jetStream(), storeDir, log,
                options.startupTimeout())) {
            process = server.measuredDescription();
            List<String> problems = new ArrayList<>();
            long warmup = options.warmup() ? scenario.warmupCount(count) : 0;
            if (warmup > 0) {
                try (ScenarioContext ctx = context(server, true)) {
                    Measurement w = scenario.run(ctx, warmup);
                    if (!w.ok()) {
                        problems.add("warm-up: lost " + w.lost() + ", " + w.problems());
                    }
                }
            }
            ResourceUsage.Snapshot before = ResourceUsage.Snapshot.take(server.metrics());
            Measurement m;
            try (ScenarioContext ctx = context(server, false)) {
                m = scenario.run(ctx, count);
                if (ctx.expired()) {
                    problems.add("hard time limit reached: connections were closed by the watchdog");
                }
            }
            if (!server.isAlive()) {
                problems.add("server exited during the run; log " + log + ":\n" + server.logTail(10));
                return new RunResult(scenario.name(), spec, round, process, m, ResourceUsage.NONE,
                        problems(m, problems));
            }
            ResourceUsage usage = ResourceUsage.between(before, ResourceUsage.Snapshot.take(server.metrics()),
                    server.metrics().peakRssKib());
            return new RunResult(scenario.name(), spec, round, process, m, usage, problems(m, problems));
        } catch (Exception e) {
            return RunResult.failed(scenario.name(), spec, round, process, e.toString());
        }
    }

    private static List<String> problems(Measurement m, List<String> runner) {
        List<String> all = new ArrayList<>(m.problems());
        if (m.lost() > 0 && m.problems().isEmpty()) {
            all.add("lost " + m.lost() + " of " + m.expected());
        }
        all.addAll(runner);
        return List.copyOf(all);
    }

    private ScenarioContext context(ServerProcess server, boolean warmup) throws IOException {
        Duration hard = options.publishLimit().plus(options.drainIdle()).plusSeconds(60);
        return new ScenarioContext(server.address(), server.metrics(), new ScenarioContext.Limits(
                options.publishLimit(), options.drainIdle(), hard, options.windowBytes()), warmup);
    }
}
