package io.meshery.broker.bench;

import io.meshery.broker.bench.scenario.Scenario;
import io.meshery.broker.bench.scenario.Scenarios;
import io.meshery.broker.bench.server.ServerSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Command-line options of a benchmark run; {@link #parse} reads them and {@link #USAGE} documents them.
 *
 * @param servers        the servers to compare, A before B
 * @param scenarios      the scenarios to run, in order
 * @param rounds         rounds per scenario; each round runs every server once, A then B
 * @param counts         count per scenario name (defaults, scaled, smoke counts and overrides already applied)
 * @param warmup         whether each timed run is preceded by an untimed warm-up run on the same server process
 * @param publishLimit   how long one run may publish before it stops early
 * @param drainIdle      how long to wait after deliveries stop before the rest counts as lost
 * @param startupTimeout how long a server may take to answer (the first start of A may build the broker)
 * @param clusterTimeout how long a cluster's routes may take to connect once every node answers
 * @param windowBytes    publisher flow-control window, 0 for none
 * @param json           where to write the JSON report, or null
 * @param logDir         where server logs go
 * @param smoke          tiny counts, one round: does everything still work?
 */
public record BenchOptions(List<ServerSpec> servers, List<Scenario> scenarios, int rounds, Map<String, Long> counts,
                           boolean warmup, Duration publishLimit, Duration drainIdle, Duration startupTimeout,
                           Duration clusterTimeout, long windowBytes, Path json, Path logDir, boolean smoke) {

    /** Help text. */
    public static final String USAGE = String.join("\n",
            "usage: bin/bench [options]",
            "",
            "Runs NATS benchmark scenarios against server A (default: our broker) and server B (default: nats-server),",
            "alternating A, B in each round, a fresh server process per scenario, round and server (for a cluster-*",
            "scenario a fresh 3-node cluster of each).",
            "",
            "  --smoke                 the default scenarios and the jsreplay-* ones (or --scenarios) with tiny counts,",
            "                          1 round, no warm-up; exit 1 on any loss/error",
            "  --servers a,b           which servers to run (default a,b)",
            "  --a-cmd CMD             command for A; {port} is replaced (default: " + ServerSpec.DEFAULT_A_COMMAND + ")",
            "  --b-cmd CMD             command for B (default: " + ServerSpec.DEFAULT_B_COMMAND + ")",
            "  --a-js-cmd CMD          command for A in JetStream scenarios; {storedir} is replaced by a fresh directory",
            "                          per run, deleted after it (default: the A command + \"" + ServerSpec.JETSTREAM_FLAGS
                    + "\",",
            "                          i.e. " + ServerSpec.DEFAULT_A_JS_COMMAND + ")",
            "  --b-js-cmd CMD          command for B in JetStream scenarios (default: the B command + \""
                    + ServerSpec.JETSTREAM_FLAGS + "\")",
            "  --a-cluster-cmd CMD     command for one node of A in cluster scenarios; {config} is replaced by the node's",
            "                          config file (server_name, listen, http, cluster { name, listen, routes }; for",
            "                          jsr3* also jetstream { store_dir }), written to a temporary directory",
            "                          (default: the A command up to its first option + \""
                    + ServerSpec.CLUSTER_FLAGS + "\",",
            "                          i.e. " + ServerSpec.DEFAULT_A_CLUSTER_COMMAND + ")",
            "  --b-cluster-cmd CMD     command for one node of B in cluster scenarios (default: derived the same way,",
            "                          i.e. " + ServerSpec.DEFAULT_B_CLUSTER_COMMAND + ")",
            "  --a-name NAME           label for A in reports (default: derived from the command)",
            "  --b-name NAME           label for B in reports",
            "  --scenarios LIST        comma-separated subset of: " + String.join(",", scenarioNames()),
            "                          (default: all but the jsreplay-*, cluster-*, jsr3* and go-* ones; \""
                    + Scenarios.REPLAY_GROUP + "\" = every jsreplay-*",
            "                          scenario, \"" + Scenarios.CLUSTER_GROUP + "\" = every cluster-* scenario, \""
                    + Scenarios.R3_GROUP + "\" = every jsr3* scenario,",
            "                          \"" + Scenarios.GO_GROUP + "\" = every go-* scenario, \"all\" = every scenario).",
            "                          A cluster-* scenario starts a 3-node cluster of A,",
            "                          then of B, in each round, and waits until each node's /routez shows the other",
            "                          two. A jsr3* scenario does the same with JetStream on every node (its own",
            "                          jetstream { store_dir }, a fresh directory deleted after the run) and publishes",
            "                          from node 1 into a file stream with num_replicas 3, as jspubsync / jspubasync",
            "                          do into a single-node one; it retries the stream create for up to 30 s while",
            "                          the cluster's JetStream gets ready. A jsreplay-* scenario fills a file stream",
            "                          with the count of 128 B messages (untimed), then times reading it back: by a",
            "                          durable pull consumer acking every message (jsreplay-pull), or by an ordered push",
            "                          consumer with flow control (jsreplay-ordered); the JetStream command is used.",
            "                          A go-* scenario runs the shape of the Java one of the same name with the Go",
            "                          client nats.go instead (bench/clients/go-bench, built on first use with Debian's",
            "                          golang-go and golang-github-nats-io-go-nats-dev), a fresh client process per run;",
            "                          go-tls-* start the server from a config file (-c, as cluster nodes are) with a",
            "                          tls {} block and a fresh ECDSA P-256 certificate made by openssl",
            "  --rounds N              rounds per scenario (default 3; smoke 1)",
            "  --count NAME=N[,...]    messages/requests/connections for a scenario",
            "  --scale F               multiply every default count by F (e.g. 0.2 for a quick run)",
            "  --no-warmup             skip the untimed warm-up run before each timed run",
            "  --max-seconds S         publish time limit per run (default 20; smoke 10). Not for jsreplay-*: its fill",
            "                          and its replay may each take max(60 s, count / 10 000 msg/s)",
            "  --drain-seconds S       wait this long after deliveries stop before counting loss (default 3)",
            "  --startup-seconds S     server start timeout (default 300: the first A start may build the broker)",
            "  --cluster-seconds S     cluster formation timeout, once every node answers (default 120)",
            "  --window-mb N           publisher flow-control window in MiB of frames, 0 = off (default 16)",
            "  --json FILE             also write every run and the summary as JSON",
            "  --log-dir DIR           server logs (default target/bench-logs)",
            "  --fsync-probe           measure this machine's bound for a synchronous JetStream publish instead:",
            "                          loopback round trip + append 200 B and FileChannel.force(false); then exit",
            "  --probe-count N         fsync probe: samples of each (default 2000)",
            "  --probe-dir DIR         fsync probe: where to write (default: java.io.tmpdir, where store dirs go)",
            "  -h, --help              this text");

    /** Parses the command line. */
    public static BenchOptions parse(String... args) {
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--smoke", "--no-warmup", "-h", "--help" -> opts.put(arg, "true");
                case "--count" -> opts.merge(arg, value(args, ++i, arg), (x, y) -> x + "," + y);
                default -> {
                    if (!arg.startsWith("--") || !isValued(arg)) {
                        throw new IllegalArgumentException("unknown option: " + arg);
                    }
                    opts.put(arg, value(args, ++i, arg));
                }
            }
        }
        boolean smoke = opts.containsKey("--smoke");
        List<ServerSpec> servers = servers(opts);
        List<Scenario> scenarios = scenarios(opts.get("--scenarios"), smoke);
        double scale = Double.parseDouble(opts.getOrDefault("--scale", "1"));
        Map<String, Long> counts = new LinkedHashMap<>();
        for (Scenario s : scenarios) {
            counts.put(s.name(), smoke ? s.smokeCount() : Math.max(1, Math.round(s.defaultCount() * scale)));
        }
        if (opts.containsKey("--count")) {
            for (String pair : opts.get("--count").split(",")) {
                String[] kv = pair.split("=", 2);
                if (kv.length != 2 || Scenarios.named(kv[0].trim()).isEmpty()) {
                    throw new IllegalArgumentException("bad --count entry: " + pair);
                }
                counts.put(kv[0].trim(), parseCount(kv[1].trim()));
            }
        }
        int rounds = Integer.parseInt(opts.getOrDefault("--rounds", smoke ? "1" : "3"));
        if (rounds < 1) {
            throw new IllegalArgumentException("--rounds must be at least 1");
        }
        String json = opts.get("--json");
        return new BenchOptions(servers, scenarios, rounds, counts,
                !smoke && !opts.containsKey("--no-warmup"),
                seconds(opts.getOrDefault("--max-seconds", smoke ? "10" : "20")),
                seconds(opts.getOrDefault("--drain-seconds", "3")),
                seconds(opts.getOrDefault("--startup-seconds", "300")),
                seconds(opts.getOrDefault("--cluster-seconds", "120")),
                (long) (Double.parseDouble(opts.getOrDefault("--window-mb", "16")) * 1024 * 1024),
                json == null ? null : Path.of(json),
                Path.of(opts.getOrDefault("--log-dir", "target/bench-logs")),
                smoke);
    }

    /** True when help was asked for; {@link #parse} returns normally in that case too. */
    public static boolean wantsHelp(String... args) {
        return List.of(args).contains("-h") || List.of(args).contains("--help");
    }

    /** The count for {@code scenario}. */
    public long countFor(Scenario scenario) {
        return counts.get(scenario.name());
    }

    private static boolean isValued(String arg) {
        return List.of("--servers", "--a-cmd", "--b-cmd", "--a-js-cmd", "--b-js-cmd", "--a-cluster-cmd",
                "--b-cluster-cmd", "--a-name", "--b-name", "--scenarios", "--rounds", "--scale", "--max-seconds",
                "--drain-seconds", "--startup-seconds", "--cluster-seconds", "--window-mb", "--json",
                "--log-dir").contains(arg);
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static List<ServerSpec> servers(Map<String, String> opts) {
        String aCmd = opts.getOrDefault("--a-cmd", ServerSpec.DEFAULT_A_COMMAND);
        String bCmd = opts.getOrDefault("--b-cmd", ServerSpec.DEFAULT_B_COMMAND);
        String aJs = opts.getOrDefault("--a-js-cmd", ServerSpec.jetStreamOf(aCmd));
        String bJs = opts.getOrDefault("--b-js-cmd", ServerSpec.jetStreamOf(bCmd));
        String aCluster = opts.getOrDefault("--a-cluster-cmd", ServerSpec.clusterOf(aCmd));
        String bCluster = opts.getOrDefault("--b-cluster-cmd", ServerSpec.clusterOf(bCmd));
        List<ServerSpec> servers = new ArrayList<>();
        for (String which : opts.getOrDefault("--servers", "a,b").toLowerCase(Locale.ROOT).split(",")) {
            switch (which.trim()) {
                case "a" -> servers.add(new ServerSpec("A", opts.getOrDefault("--a-name", nameOf(aCmd)), aCmd, aJs,
                        aCluster));
                case "b" -> servers.add(new ServerSpec("B", opts.getOrDefault("--b-name", nameOf(bCmd)), bCmd, bJs,
                        bCluster));
                default -> throw new IllegalArgumentException("--servers takes a, b or a,b; got " + which);
            }
        }
        if (servers.isEmpty()) {
            throw new IllegalArgumentException("no server selected");
        }
        return servers;
    }

    /** The executable's base name: {@code JAVA_OPTS=-Xmx1g bin/meshery-broker -p 1} gives {@code meshery-broker}. */
    static String nameOf(String command) {
        for (String token : command.trim().split("\\s+")) {
            if (!token.contains("=")) {
                return token.substring(token.lastIndexOf('/') + 1);
            }
        }
        return command;
    }

    private static List<Scenario> scenarios(String list, boolean smoke) {
        if (list == null || list.isBlank()) {
            return smoke ? Scenarios.smoke() : Scenarios.defaults();
        }
        List<Scenario> chosen = new ArrayList<>();
        for (String name : list.split(",")) {
            String n = name.trim();
            List<Scenario> these = switch (n) {
                case "all" -> Scenarios.all();
                case Scenarios.CLUSTER_GROUP -> Scenarios.cluster();
                case Scenarios.REPLAY_GROUP -> Scenarios.replay();
                case Scenarios.R3_GROUP -> Scenarios.r3();
                case Scenarios.GO_GROUP -> Scenarios.go();
                default -> List.of(Scenarios.named(n).orElseThrow(() -> new IllegalArgumentException(
                        "unknown scenario: " + name + "; known: " + scenarioNames())));
            };
            these.stream().filter(s -> !chosen.contains(s)).forEach(chosen::add);
        }
        return chosen;
    }

    private static List<String> scenarioNames() {
        return Scenarios.all().stream().map(Scenario::name).toList();
    }

    /** {@code 2000000}, {@code 2_000_000}, {@code 2M} or {@code 500k}. */
    static long parseCount(String text) {
        String t = text.replace("_", "").toLowerCase(Locale.ROOT);
        long multiplier = 1;
        if (t.endsWith("k")) {
            multiplier = 1_000;
        } else if (t.endsWith("m")) {
            multiplier = 1_000_000;
        }
        if (multiplier > 1) {
            t = t.substring(0, t.length() - 1);
        }
        long n = Math.round(Double.parseDouble(t) * multiplier);
        if (n < 1) {
            throw new IllegalArgumentException("count must be positive: " + text);
        }
        return n;
    }

    private static Duration seconds(String text) {
        return Duration.ofMillis(Math.round(Double.parseDouble(text) * 1000));
    }
}
