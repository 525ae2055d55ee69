package io.meshery.broker.bench.report;

import io.meshery.broker.bench.BenchOptions;
import io.meshery.broker.bench.RunResult;
import io.meshery.broker.bench.scenario.Measurement;
import io.meshery.broker.bench.server.ServerSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the whole run as JSON: host, options, servers, every run (metrics, loss, resources, problems, notes) and
 * the summary rows. Units: times in ns, memory in KiB, rates per second, latency in µs.
 */
public final class JsonReport {

    private JsonReport() {
    }

    /** Writes the report to {@code file}. */
    public static void write(Path file, BenchOptions options, Instant started, List<RunResult> results,
                             Summary summary) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("started", started.toString());
        root.put("finished", Instant.now().toString());
        Map<String, Object> host = new LinkedHashMap<>();
        host.put("cpus", Runtime.getRuntime().availableProcessors());
        host.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        host.put("java", System.getProperty("java.version"));
        root.put("host", host);
        Map<String, Object> opts = new LinkedHashMap<>();
        opts.put("smoke", options.smoke());
        opts.put("rounds", options.rounds());
        opts.put("counts", options.counts());
        opts.put("warmup", options.warmup());
        opts.put("publish_limit_s", options.publishLimit().toMillis() / 1e3);
        opts.put("window_bytes", options.windowBytes());
        opts.put("cluster_formation_limit_s", options.clusterTimeout().toMillis() / 1e3);
        root.put("options", opts);
        List<Object> servers = new ArrayList<>();
        for (ServerSpec s : options.servers()) {
            Map<String, Object> server = new LinkedHashMap<>();
            server.put("label", s.label());
            server.put("name", s.name());
            server.put("command", s.command());
            server.put("jetstream_command", s.jsCommand());
            server.put("cluster_node_command", s.clusterCommand());
            servers.add(server);
        }
        root.put("servers", servers);
        List<Object> runs = new ArrayList<>();
        results.forEach(r -> runs.add(run(r)));
        root.put("runs", runs);
        List<Object> rows = new ArrayList<>();
        for (Summary.Row row : summary.rows()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scenario", row.scenario());
            m.put("metric", row.metric().id());
            m.put("unit", row.metric().unit());
            m.put("higher_is_better", row.metric().higherIsBetter());
            m.put("medians", row.medians());
            m.put("spreads", row.spreads());
            m.put("a_vs_b", row.ratio());
            rows.add(m);
        }
        root.put("summary", rows);
        List<Object> resources = new ArrayList<>();
        for (Summary.Resources r : summary.resources()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("scenario", r.scenario());
            m.put("server", r.server().label());
            m.put("runs", r.runs());
            m.put("good_runs", r.goodRuns());
            m.put("lost", r.lost());
            m.put("disconnects", r.disconnects());
            m.put("peak_rss_kib", r.peakRssKib());
            m.put("server_cpu_ns_per_" + r.unitName(), r.serverCpuPerUnit());
            m.put("server_cores", r.serverCores());
            m.put("client_cpu_ns_per_" + r.unitName(), r.clientCpuPerUnit());
            m.put("client_cores", r.clientCores());
            m.put("max_other_cores", r.otherCores());
            resources.add(m);
        }
        root.put("resources", resources);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, Json.write(root), StandardCharsets.UTF_8);
    }

    private static Map<String, Object> run(RunResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scenario", r.scenario());
        m.put("server", r.server().label());
        m.put("round", r.round());
        m.put("ok", r.ok());
        Measurement x = r.measurement();
        if (x != null) {
            m.put("values", x.values());
            m.put("units", x.units());
            m.put("unit", x.unitName());
            m.put("expected", x.expected());
            m.put("received", x.received());
            m.put("lost", x.lost());
            m.put("disconnects", x.disconnects());
            m.put("notes", x.notes());
        }
        m.put("process", r.process());
        m.put("server_cpu_ns", r.usage().serverCpuNanos());
        m.put("client_cpu_ns", r.usage().clientCpuNanos());
        m.put("machine_busy_ns", r.usage().machineNanos());
        m.put("wall_ns", r.usage().wallNanos());
        m.put("peak_rss_kib", r.usage().peakRssKib());
        m.put("problems", r.problems());
        return m;
    }
}
