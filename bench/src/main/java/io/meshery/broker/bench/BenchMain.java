package io.meshery.broker.bench;

import io.meshery.broker.bench.report.JsonReport;
import io.meshery.broker.bench.report.Summary;
import io.meshery.broker.bench.report.TableReport;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;

/**
 * Entry point of {@code bin/bench}: parses options, runs the scenarios, prints the per-run lines and the summary
 * tables, optionally writes JSON. Exits 0 when every run completed with no lost message and no error, 1 otherwise,
 * 2 on bad options.
 */
public final class BenchMain {

    private BenchMain() {
    }

    /** Runs and exits with {@link #run}'s status. */
    public static void main(String[] args) {
        System.exit(run(System.out, args));
    }

    /** Runs the benchmark with {@code args}; returns the exit status. Used by {@code main} and the smoke test. */
    public static int run(PrintStream out, String... args) {
        if (BenchOptions.wantsHelp(args)) {
            out.println(BenchOptions.USAGE);
            return 0;
        }
        if (List.of(args).contains("--fsync-probe")) {
            return FsyncProbe.run(out, args);
        }
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(BenchOptions.USAGE);
            return 2;
        }
        Instant started = Instant.now();
        out.println("meshery-broker bench" + (options.smoke() ? " (smoke)" : "") + ", " + Runtime.getRuntime()
                .availableProcessors() + " CPUs, started " + started);
        options.servers().forEach(s -> out.println("  " + s.display() + ": " + s.command()));
        if (options.scenarios().stream().anyMatch(s -> s.jetStream() && s.clusterSize() == 0)) {
            options.servers().forEach(s -> out.println("  " + s.display() + ", JetStream scenarios: " + s.jsCommand()));
        }
        if (options.scenarios().stream().anyMatch(s -> s.clusterSize() > 0)) {
            options.servers().forEach(s -> out.println("  " + s.display() + ", each node of a cluster: "
                    + s.clusterCommand()));
        }
        List<RunResult> results = new BenchRunner(options, out).run();
        Summary summary = Summary.of(options.servers(), options.scenarios(), results);
        out.println();
        new TableReport(out).print(summary, options.rounds());
        if (options.json() != null) {
            try {
                JsonReport.write(options.json(), options, started, results, summary);
                out.println("JSON written to " + options.json());
            } catch (IOException e) {
                System.err.println("could not write " + options.json() + ": " + e);
                return 1;
            }
        }
        long failed = results.stream().filter(r -> !r.ok()).count();
        if (failed > 0) {
            out.println("FAILED: " + failed + " of " + results.size() + " runs lost messages or had errors");
            return 1;
        }
        out.println("OK: " + results.size() + " runs, no message lost");
        return 0;
    }
}
