package io.meshery.broker.bench;

import io.meshery.broker.bench.report.Format;
import io.meshery.broker.bench.scenario.Measurement;
import io.meshery.broker.bench.scenario.Scenario;
import io.meshery.broker.bench.scenario.ScenarioContext;
import io.meshery.broker.bench.server.ServerCluster;
import io.meshery.broker.bench.server.ServerProcess;
import io.meshery.broker.bench.server.ServerSpec;
import io.meshery.broker.bench.server.ServerUnderTest;
import io.meshery.broker.bench.server.TlsFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Runs every scenario for every round against every server: for each scenario, round after round, A then B.
 *
 * <p>Each (scenario, round, server) gets a fresh server process: peak RSS is then that scenario's own, nothing
 * one scenario leaves behind (buffers, heap, subscriptions) skews the next, and A and B never share a machine
 * state. Because a fresh JVM starts cold, each timed run is preceded by an untimed warm-up run (a tenth of the
 * count) on the same process. Server CPU time is the {@code /proc} delta over the timed run; client CPU time is
 * this JVM's process CPU time over the same interval; the machine's busy time over it shows what else ran. A
 * scenario with untimed setup inside its run (a JetStream replay fills its stream first) moves the start of that
 * interval to its timed part ({@link ScenarioContext#timedPartStarts()}), and gets its
 * {@link Scenario#setupAllowance} added to the watchdog's limit.
 *
 * <p>A cluster scenario gets a fresh {@link ServerCluster} of each server per round instead, A's cluster then B's,
 * each stopped before the next starts; its CPU time and peak RSS are the sums over the nodes. A cluster scenario
 * that is also a JetStream one ({@code jsr3*}) gets JetStream on every node, each with a fresh store directory.
 */
final class BenchRunner {

    private final BenchOptions options;
    private final PrintStream out;
    /** Labels of the servers that have started a cluster in this run. */
    private final Set<String> clustersStarted = new HashSet<>();

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
                    RunResult result = scenario.clusterSize() > 0
                            ? runCluster(scenario, server, round, count)
                            : runOnce(scenario, server, round, count);
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
        Path tlsDir = null;
        try {
            if (spec.needsStoreDir(scenario.jetStream())) {
                storeDir = Files.createTempDirectory("bench-store-");
            }
            if (scenario.tls()) {
                tlsDir = Files.createTempDirectory("bench-tls-");
            }
            return runOnce(scenario, spec, round, count, storeDir, tlsDir);
        } catch (IOException e) {
            return RunResult.failed(scenario.name(), spec, round, "", "no temporary directory: " + e);
        } finally {
            if (storeDir != null) {
                deleteTree(storeDir);
            }
            if (tlsDir != null) {
                deleteTree(tlsDir);
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

    /**
     * One run on a fresh server process: its plain or JetStream command, or for a TLS scenario its cluster command
     * with a configuration file in {@code tlsDir} that requires TLS with a fresh certificate made there.
     */
    private RunResult runOnce(Scenario scenario, ServerSpec spec, int round, long count, Path storeDir,
                              Path tlsDir) {
        Path log = options.logDir().resolve(scenario.name() + "-r" + round + "-" + spec.label() + ".log");
        String process = "";
        try {
            TlsFiles tls = tlsDir == null ? null : TlsFiles.create(tlsDir);
            try (ServerProcess server = tls == null
                    ? ServerProcess.start(spec, scenario.jetStream(), storeDir, log, options.startupTimeout())
                    : ServerProcess.startConfigured(spec, tlsDir.resolve("server.conf"), tls::configText, log,
                            options.startupTimeout())) {
                process = server.measuredDescription();
                return measure(scenario, spec, round, count, server, null, tls);
            }
        } catch (Exception e) {
            return RunResult.failed(scenario.name(), spec, round, process, e.toString());
        }
    }

    /**
     * One run on a fresh cluster of {@link Scenario#clusterSize()} nodes, with JetStream on every node for a
     * JetStream scenario. The first cluster of each server starts node 1 alone first (its launcher may build the
     * server); later ones start every node at once.
     */
    private RunResult runCluster(Scenario scenario, ServerSpec spec, int round, long count) {
        String process = "";
        boolean first = clustersStarted.add(spec.label());
        for (int attempt = 1; ; attempt++) {
            ServerCluster cluster;
            try {
                cluster = ServerCluster.start(spec, scenario.clusterSize(), options.logDir(),
                        scenario.name() + "-r" + round + "-" + spec.label(), options.startupTimeout(),
                        options.clusterTimeout(), first, scenario.jetStream());
            } catch (Exception e) {
                if (attempt == 1 && String.valueOf(e.getMessage()).contains("Address already in use")) {
                    // a port chosen free was taken before the node bound it (another socket's ephemeral port)
                    out.println("  (a node's port was taken before it bound it; starting the cluster again)");
                    continue;
                }
                return RunResult.failed(scenario.name(), spec, round, process, e.toString());
            }
            try (cluster) {
                process = cluster.measuredDescription();
                return measure(scenario, spec, round, count, cluster, cluster, null);
            } catch (Exception e) {
                return RunResult.failed(scenario.name(), spec, round, process, e.toString());
            }
        }
    }

    /**
     * The warm-up run, then the timed run, on a started server. Against a cluster, the timed run first waits until
     * every node is idle again (no subscription of the previous run's clients left); not in a JetStream scenario,
     * whose warm-up leaves a stream, with its subscriptions, behind, and whose timed run waits for no subscriber's
     * interest.
     *
     * @param cluster the same as {@code server} for a cluster, null for a lone server
     * @param tls     the certificate a TLS server was started with, or null
     */
    private RunResult measure(Scenario scenario, ServerSpec spec, int round, long count, ServerUnderTest server,
                              ServerCluster cluster, TlsFiles tls) throws Exception {
        String process = server.measuredDescription();
        List<String> problems = new ArrayList<>();
        long warmup = options.warmup() ? scenario.warmupCount(count) : 0;
        if (warmup > 0) {
            try (ScenarioContext ctx = context(server, cluster, true, scenario.setupAllowance(warmup), tls)) {
                Measurement w = scenario.run(ctx, warmup);
                if (!w.ok()) {
                    problems.add("warm-up: lost " + w.lost() + ", " + w.problems()
                            + (ctx.notes().isEmpty() ? "" : "; its notes: " + ctx.notes()));
                }
            }
            if (cluster != null && !scenario.jetStream()) {
                problems.addAll(cluster.awaitIdle());
            }
        }
        AtomicReference<ResourceUsage.Snapshot> before = new AtomicReference<>(
                ResourceUsage.Snapshot.take(server.metrics()));
        Measurement m;
        try (ScenarioContext ctx = context(server, cluster, false, scenario.setupAllowance(count), tls)) {
            ctx.onTimedPartStart(() -> {
                try {
                    before.set(ResourceUsage.Snapshot.take(server.metrics()));
                } catch (IOException e) {
                    ctx.note("CPU counted from the start of the run: could not read it at the timed part: " + e);
                }
            });
            m = scenario.run(ctx, count).withNotes(ctx.notes());
            if (ctx.expired()) {
                problems.add("hard time limit reached: connections were closed by the watchdog");
            }
        }
        if (!server.isAlive()) {
            problems.add(server.exitReport(10));
            return new RunResult(scenario.name(), spec, round, process, m, ResourceUsage.NONE,
                    problems(m, problems));
        }
        ResourceUsage usage = ResourceUsage.between(before.get(), ResourceUsage.Snapshot.take(server.metrics()),
                server.metrics().peakRssKib());
        if (cluster != null) {
            m = m.withNotes(List.of(cluster.startNote(), "peak RSS per node (the table shows their sum): "
                    + cluster.peakRssPerNode()));
        }
        return new RunResult(scenario.name(), spec, round, process, m, usage, problems(m, problems));
    }

    private static List<String> problems(Measurement m, List<String> runner) {
        List<String> all = new ArrayList<>(m.problems());
        if (m.lost() > 0 && m.problems().isEmpty()) {
            all.add("lost " + m.lost() + " of " + m.expected());
        }
        all.addAll(runner);
        return List.copyOf(all);
    }

    private ScenarioContext context(ServerUnderTest server, ServerCluster cluster, boolean warmup,
                                    Duration setupAllowance, TlsFiles tls) {
        Duration hard = options.publishLimit().plus(options.drainIdle()).plusSeconds(60).plus(setupAllowance);
        ScenarioContext.Limits limits = new ScenarioContext.Limits(options.publishLimit(), options.drainIdle(), hard,
                options.windowBytes());
        ScenarioContext.Nodes nodes = cluster == null
                ? new ScenarioContext.Nodes(List.of(((ServerProcess) server).address()), null)
                : new ScenarioContext.Nodes(cluster.clientAddresses(), cluster::interest);
        ScenarioContext ctx = new ScenarioContext(nodes, server.metrics(), limits, warmup);
        if (tls != null) {
            ctx.useTls(tls.certificate());
        }
        return ctx;
    }
}
