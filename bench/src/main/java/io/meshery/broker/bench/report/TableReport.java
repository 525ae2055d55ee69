package io.meshery.broker.bench.report;

import io.meshery.broker.bench.scenario.Scenarios;
import io.meshery.broker.bench.server.ServerSpec;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Prints a {@link Summary} as two plain-text tables: the headline figures with the A-vs-B ratio, then loss and
 * resource use. The tables are also valid Markdown, so they can be pasted into {@code docs/performance.md}.
 */
public final class TableReport {

    /** Load from other work above which the report warns that figures are noisy. */
    static final double NOISY_CORES = 0.25;

    private final PrintStream out;

    /** Prints to {@code out}. */
    public TableReport(PrintStream out) {
        this.out = out;
    }

    /** Prints both tables. */
    public void print(Summary summary, int rounds) {
        List<ServerSpec> servers = summary.servers();
        boolean compare = servers.size() == 2;
        out.println("Results: medians over " + rounds + " round" + (rounds == 1 ? "" : "s") + " (good runs only);"
                + " spread = (max - min) / median over the rounds"
                + (compare ? "; A vs B > 1.00 means A is better (A/B for rates, B/A for latency and memory)" : ""));
        List<String> header = new ArrayList<>(List.of("scenario", "metric"));
        servers.forEach(s -> {
            header.add(s.display());
            header.add("spread");
        });
        if (compare) {
            header.add("A vs B");
        }
        List<List<String>> body = new ArrayList<>();
        for (Summary.Row row : summary.rows()) {
            List<String> line = new ArrayList<>(List.of(row.scenario(), row.metric().unit()));
            servers.forEach(s -> {
                line.add(Format.value(row.metric(), row.medians().get(s.label())));
                line.add(Format.percent(row.spreads().get(s.label())));
            });
            if (compare) {
                line.add(row.ratio() == null ? "n/a" : Format.fixed2(row.ratio()));
            }
            body.add(line);
        }
        table(header, body);

        out.println();
        out.println("Loss and resources: peak RSS = highest VmHWM over the rounds; CPU = medians per published "
                + "message (request, connection) and average cores busy during the timed run; others = the most "
                + "cores anything else kept busy during a run (noise)");
        List<String> header2 = List.of("scenario", "server", "good runs", "lost", "peak RSS", "server CPU/unit",
                "server cores", "client CPU/unit", "client cores", "others");
        List<List<String>> body2 = new ArrayList<>();
        for (Summary.Resources r : summary.resources()) {
            body2.add(List.of(r.scenario(), r.server().display(), r.goodRuns() + "/" + r.runs(),
                    r.lost() + (r.disconnects() > 0 ? " (" + r.disconnects() + " disconnects)" : ""),
                    Format.mib(r.peakRssKib()),
                    perUnit(r.serverCpuPerUnit(), r.unitName()), cores(r.serverCores()),
                    perUnit(r.clientCpuPerUnit(), r.unitName()), cores(r.clientCores()), cores(r.otherCores())));
        }
        table(header2, body2);
        if (summary.resources().stream().anyMatch(r -> Scenarios.named(r.scenario())
                .map(s -> s.clusterSize() > 0).orElse(false))) {
            out.println();
            out.println("cluster-* and jsr3* scenarios: peak RSS is the sum of the 3 nodes' peaks and server CPU that"
                    + " of all 3 nodes (each run's notes give every node's peak).");
        }
        double noisiest = summary.resources().stream().mapToDouble(Summary.Resources::otherCores).max().orElse(0);
        if (noisiest > NOISY_CORES) {
            out.println();
            out.println("WARNING: other work kept up to " + Format.fixed2(noisiest) + " cores busy during some runs;"
                    + " those figures are noisy. Re-run on a quiet machine before comparing.");
        }
    }

    private static String perUnit(Double ns, String unit) {
        return ns == null ? "n/a" : Format.nanos(ns) + "/" + unit;
    }

    private static String cores(Double cores) {
        return cores == null ? "n/a" : Format.fixed2(cores);
    }

    private void table(List<String> header, List<List<String>> body) {
        int[] width = new int[header.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = header.get(c).length();
            for (List<String> line : body) {
                width[c] = Math.max(width[c], line.get(c).length());
            }
        }
        row(header, width);
        StringBuilder rule = new StringBuilder("|");
        for (int c = 0; c < width.length; c++) {
            rule.append(c < 2 ? " :" : " ").append("-".repeat(Math.max(1, width[c] - 1))).append(c < 2 ? " |" : ": |");
        }
        out.println(rule);
        body.forEach(line -> row(line, width));
    }

    private void row(List<String> cells, int[] width) {
        StringBuilder s = new StringBuilder("|");
        for (int c = 0; c < width.length; c++) {
            String cell = cells.get(c);
            String pad = " ".repeat(width[c] - cell.length());
            s.append(' ').append(c < 2 ? cell + pad : pad + cell).append(" |");
        }
        out.println(s);
    }
}
