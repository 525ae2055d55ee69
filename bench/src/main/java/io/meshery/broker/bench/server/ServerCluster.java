package io.meshery.broker.bench.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A cluster of one server's nodes, all on 127.0.0.1, for the cluster scenarios.
 *
 * <p>{@link #start} picks three free ports per node (client, HTTP monitoring, cluster), writes each node a
 * configuration file into a fresh temporary directory, in the syntax nats-server and our broker both read:
 * <pre>
 * server_name: n1
 * listen: 127.0.0.1:&lt;client&gt;
 * http: 127.0.0.1:&lt;monitor&gt;
 * cluster { name: bench, listen: 127.0.0.1:&lt;cluster&gt;, routes: [nats-route://127.0.0.1:&lt;cluster of n1&gt;, ...] }
 * </pre>
 * (every node's routes list every node, itself included, as a static nats-server cluster is configured), and runs
 * {@link ServerSpec#clusterCommand()} for each with {@code {config}} replaced by that file. A cluster with JetStream
 * (for the {@code jsr3*} scenarios) gets one more line per node, {@code jetstream { store_dir: "<dir>" }}, with a
 * fresh directory per node under {@code java.io.tmpdir} ({@code bench-store-n1-...}), deleted by {@link #close}
 * once every node has stopped; {@code server_name}, which both servers require for a JetStream cluster, is always
 * there. It waits until every node
 * accepts clients, then until the cluster has formed: {@code /routez} of every node reports {@code num_routes} equal
 * to the number of other nodes. Last it records each node's idle subscription count ({@code /subsz}), so that
 * {@link #interest} tells how many subscriptions a node knows beyond the ones it has with no client connected: its
 * own clients' and the interest its routes announced.
 *
 * <p>The {@code /subsz} query asks for account {@code $G} ({@code ?acc=%24G}): nats-server then leaves out the
 * hundred-odd internal subscriptions of its system account, a server without accounts ignores the parameter.
 *
 * <p>Each node is a {@link ServerProcess} with its own log ({@code <base>-n1.log} ...); the metrics are the sum over
 * the nodes. {@link #close} sends SIGTERM to every node at once, stops them, and deletes the configuration files.
 *
 * <p>Thread-safety: meant to be used by the one thread that runs the benchmark; {@link #interest} may be called
 * from any thread.
 */
public final class ServerCluster implements ServerUnderTest {

    /** How long {@link #awaitIdle} waits for the interest of the previous run's clients to disappear. */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SETTLE_LIMIT = Duration.ofSeconds(5);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    private static final Pattern NUM_ROUTES = Pattern.compile("\"num_routes\"\\s*:\\s*(\\d+)");
    private static final Pattern NUM_SUBSCRIPTIONS = Pattern.compile("\"num_subscriptions\"\\s*:\\s*(\\d+)");

    /**
     * The ports of one node.
     *
     * @param name    {@code n1}, {@code n2}, ...
     * @param client  NATS client port
     * @param monitor HTTP monitoring port
     * @param cluster cluster (route) port
     */
    public record NodePorts(String name, int client, int monitor, int cluster) {
    }

    private final ServerSpec spec;
    private final List<NodePorts> ports;
    private final Path configDir;
    /** Per node, its JetStream store directory; empty without JetStream. */
    private final List<Path> storeDirs = new ArrayList<>();
    private final List<ServerProcess> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();
    private long[] idle;
    private String startNote = "";

    private ServerCluster(ServerSpec spec, List<NodePorts> ports, Path configDir) {
        this.spec = spec;
        this.ports = List.copyOf(ports);
        this.configDir = configDir;
    }

    /**
     * Starts a cluster of {@code size} nodes of {@code spec} and waits until it has formed.
     *
     * @param logBase          log file name without extension; node {@code i} logs to {@code <logBase>-n<i>.log}
     *                         in {@code logDir}
     * @param startupTimeout   how long the nodes may take to accept clients
     * @param formationTimeout how long the routes may take to connect once every node accepts clients
     * @param oneFirst         start node 1 alone and wait for it before starting the others: the first start of a
     *                         launcher that builds the server when the build is stale must not run three builds at once
     * @throws IOException if a node exits or does not answer in time, or the cluster does not form in time; every
     *                     node started is stopped first
     */
    public static ServerCluster start(ServerSpec spec, int size, Path logDir, String logBase, Duration startupTimeout,
                                      Duration formationTimeout, boolean oneFirst) throws IOException {
        return start(spec, size, logDir, logBase, startupTimeout, formationTimeout, oneFirst, false);
    }

    /**
     * Starts a cluster as {@link #start(ServerSpec, int, Path, String, Duration, Duration, boolean)} does, with
     * JetStream on every node when {@code jetStream}: each node's configuration then has
     * {@code jetstream { store_dir: "<a fresh directory of its own>" }}.
     */
    public static ServerCluster start(ServerSpec spec, int size, Path logDir, String logBase, Duration startupTimeout,
                                      Duration formationTimeout, boolean oneFirst, boolean jetStream)
            throws IOException {
        if (size < 2) {
            throw new IllegalArgumentException("a cluster needs at least 2 nodes: " + size);
        }
        List<NodePorts> ports = nodePorts(size);
        Path dir = Files.createTempDirectory("bench-cluster-");
        ServerCluster cluster = new ServerCluster(spec, ports, dir);
        try {
            if (jetStream) {
                for (NodePorts node : ports) {
                    cluster.storeDirs.add(Files.createTempDirectory("bench-store-" + node.name() + "-"));
                }
            }
            cluster.launch(logDir, logBase, startupTimeout, formationTimeout, oneFirst);
            return cluster;
        } catch (IOException | RuntimeException e) {
            cluster.close();
            throw e;
        }
    }

    private void launch(Path logDir, String logBase, Duration startupTimeout, Duration formationTimeout,
                        boolean oneFirst) throws IOException {
        long t0 = System.nanoTime();
        List<Path> configs = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            NodePorts node = ports.get(i);
            Path config = configDir.resolve(node.name() + ".conf");
            Files.writeString(config, configText(node, ports, storeDirs.isEmpty() ? null : storeDirs.get(i)),
                    StandardCharsets.UTF_8);
            configs.add(config);
        }
        long startupDeadline = System.nanoTime() + startupTimeout.toNanos();
        for (int i = 0; i < ports.size(); i++) {
            NodePorts node = ports.get(i);
            nodes.add(ServerProcess.launch(spec, node.name(), spec.clusterCommandFor(configs.get(i)), node.client(),
                    logDir.resolve(logBase + "-" + node.name() + ".log")));
            if (i == 0 && oneFirst) {
                nodes.get(0).awaitStarted(remaining(startupDeadline));
            }
        }
        for (int i = oneFirst ? 1 : 0; i < nodes.size(); i++) {
            nodes.get(i).awaitStarted(remaining(startupDeadline));
        }
        long answered = System.nanoTime();
        awaitFormed(formationTimeout);
        long formed = System.nanoTime();
        idle = settledSubscriptions();
        startNote = String.format(Locale.ROOT, "cluster of %d: every node accepted clients %.1f s after the start%s,"
                        + " routes complete %.1f s later; idle subscriptions per node %s", ports.size(),
                (answered - t0) / 1e9, oneFirst ? " (node 1 first, alone)" : "", (formed - answered) / 1e9,
                Arrays.toString(idle));
    }

    private static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(0, deadlineNanos - System.nanoTime()));
    }

    /** {@code size} nodes' ports, all distinct: every probe socket is held until all are chosen. */
    static List<NodePorts> nodePorts(int size) throws IOException {
        List<ServerSocket> probes = new ArrayList<>();
        try {
            for (int i = 0; i < size * 3; i++) {
                probes.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            List<NodePorts> ports = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                ports.add(new NodePorts("n" + (i + 1), probes.get(3 * i).getLocalPort(),
                        probes.get(3 * i + 1).getLocalPort(), probes.get(3 * i + 2).getLocalPort()));
            }
            return ports;
        } finally {
            for (ServerSocket probe : probes) {
                probe.close();
            }
        }
    }

    /** The configuration file of {@code node} in a cluster of {@code all}, without JetStream. */
    static String configText(NodePorts node, List<NodePorts> all) {
        return configText(node, all, null);
    }

    /**
     * The configuration file of {@code node} in a cluster of {@code all}; with {@code storeDir} not null, JetStream
     * on and storing there ({@code jetstream { store_dir: "<absolute path>" }}).
     */
    static String configText(NodePorts node, List<NodePorts> all, Path storeDir) {
        String routes = all.stream().map(n -> "nats-route://127.0.0.1:" + n.cluster())
                .collect(Collectors.joining(", "));
        return "server_name: " + node.name() + "\n"
                + "listen: 127.0.0.1:" + node.client() + "\n"
                + "http: 127.0.0.1:" + node.monitor() + "\n"
                + "cluster { name: bench, listen: 127.0.0.1:" + node.cluster() + ", routes: [" + routes + "] }\n"
                + (storeDir == null ? "" : "jetstream { store_dir: \"" + storeDir.toAbsolutePath() + "\" }\n");
    }

    private void awaitFormed(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int want = ports.size() - 1;
        while (true) {
            long[] routes = new long[ports.size()];
            boolean formed = true;
            for (int i = 0; i < ports.size(); i++) {
                routes[i] = monitorValue(i, "/routez", NUM_ROUTES);
                formed &= routes[i] == want;
            }
            if (formed) {
                return;
            }
            for (int i = 0; i < nodes.size(); i++) {
                ServerProcess node = nodes.get(i);
                if (!node.isAlive()) {
                    throw new IOException(spec.display() + " node " + ports.get(i).name() + " exited before the"
                            + " cluster formed; log " + node.log() + ":\n" + node.logTail(20));
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(spec.display() + ": the cluster did not form within " + timeout
                        + ": num_routes per node " + Arrays.toString(routes) + " (want " + want + " on every node,"
                        + " -1 = no answer); logs:\n" + logTails(10));
            }
            LockSupport.parkNanos(POLL_NANOS * 5);
        }
    }

    /**
     * Every node's subscription count once it holds still: read until two readings 200 ms apart agree (at most
     * 5 s; the last reading otherwise).
     */
    private long[] settledSubscriptions() throws IOException {
        long deadline = System.nanoTime() + SETTLE_LIMIT.toNanos();
        long[] last = subscriptionCounts();
        while (System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
            long[] now = subscriptionCounts();
            if (Arrays.equals(now, last)) {
                return now;
            }
            last = now;
        }
        return last;
    }

    private long[] subscriptionCounts() throws IOException {
        long[] counts = new long[ports.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = subscriptions(i);
        }
        return counts;
    }

    /** {@code num_subscriptions} of node {@code i} (account {@code $G} where the server has accounts). */
    private long subscriptions(int node) throws IOException {
        long n = monitorValue(node, "/subsz?acc=%24G", NUM_SUBSCRIPTIONS);
        if (n < 0) {
            throw new IOException(ports.get(node).name() + ": no num_subscriptions from "
                    + monitorUri(node, "/subsz?acc=%24G"));
        }
        return n;
    }

    /**
     * Subscriptions node {@code node} (0-based) knows beyond its idle count: its own clients' and what its routes
     * announced. nats-server counts a remote node's interest once per subject (and queue group), however many of
     * that node's clients share it.
     */
    public long interest(int node) throws IOException {
        return subscriptions(node) - idle[node];
    }

    /**
     * Waits until every node is back at its idle subscription count: the interest of the previous run's clients,
     * closed on their nodes, has been withdrawn everywhere. Returns a problem when that did not happen within
     * {@link #IDLE_TIMEOUT}, else nothing.
     */
    public List<String> awaitIdle() throws IOException {
        long deadline = System.nanoTime() + IDLE_TIMEOUT.toNanos();
        while (true) {
            long[] now = subscriptionCounts();
            if (Arrays.equals(now, idle)) {
                return List.of();
            }
            if (System.nanoTime() > deadline) {
                return List.of("subscriptions of the previous run's clients were not withdrawn within "
                        + IDLE_TIMEOUT.toSeconds() + " s: per node " + Arrays.toString(now) + ", idle "
                        + Arrays.toString(idle));
            }
            LockSupport.parkNanos(POLL_NANOS);
        }
    }

    /** A number from a monitoring endpoint's JSON; -1 when the node does not answer or the field is missing. */
    private long monitorValue(int node, String path, Pattern field) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(monitorUri(node, path))
                    .timeout(HTTP_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? parse(response.body(), field) : -1;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The first match of {@code field}'s number in {@code json}, or -1. */
    static long parse(String json, Pattern field) {
        Matcher m = field.matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /** {@code num_routes} from a {@code /routez} answer, or -1. */
    static long numRoutes(String json) {
        return parse(json, NUM_ROUTES);
    }

    /** {@code num_subscriptions} from a {@code /subsz} answer, or -1. */
    static long numSubscriptions(String json) {
        return parse(json, NUM_SUBSCRIPTIONS);
    }

    private URI monitorUri(int node, String path) {
        return URI.create("http://127.0.0.1:" + ports.get(node).monitor() + path);
    }

    /** Client addresses of the nodes, node 1 first. */
    public List<InetSocketAddress> clientAddresses() {
        return ports.stream().map(p -> new InetSocketAddress(InetAddress.getLoopbackAddress(), p.client()))
                .toList();
    }

    /** Ports of the nodes, node 1 first. */
    public List<NodePorts> ports() {
        return ports;
    }

    /** Start-up and formation times, and the idle subscription counts. */
    public String startNote() {
        return startNote;
    }

    /** Peak RSS of each node: {@code n1 210.3 MiB, n2 ...}. */
    public String peakRssPerNode() {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            String rss;
            try {
                rss = String.format(Locale.ROOT, "%.1f MiB", nodes.get(i).metrics().peakRssKib() / 1024.0);
            } catch (IOException | UncheckedIOException | IllegalStateException e) {
                rss = "?";
            }
            parts.add(ports.get(i).name() + " " + rss);
        }
        return String.join(", ", parts);
    }

    @Override
    public ServerSpec spec() {
        return spec;
    }

    /** The sum over the nodes: CPU time, RSS, and the sum of the nodes' peak RSS. */
    @Override
    public ProcessMetrics metrics() {
        return ProcessMetrics.sum(nodes.stream().map(ServerProcess::metrics).toList());
    }

    @Override
    public String measuredDescription() {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            parts.add(ports.get(i).name() + " " + nodes.get(i).measuredDescription());
        }
        return String.join(", ", parts);
    }

    @Override
    public boolean isAlive() {
        return nodes.stream().allMatch(ServerProcess::isAlive);
    }

    @Override
    public String exitReport(int lines) {
        return nodes.stream().filter(n -> !n.isAlive()).map(n -> n.exitReport(lines))
                .collect(Collectors.joining("\n"));
    }

    private String logTails(int lines) {
        return nodes.stream().map(n -> "--- " + n.log() + ":\n" + n.logTail(lines)).collect(Collectors.joining("\n"));
    }

    /**
     * SIGTERM to every node at once, then each is stopped as a {@link ServerProcess}; the configs and the JetStream
     * store directories are deleted.
     */
    @Override
    public void close() {
        nodes.forEach(ServerProcess::terminate);
        nodes.forEach(ServerProcess::close);
        deleteTree(configDir);
        storeDirs.forEach(ServerCluster::deleteTree);
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            System.err.println("could not delete " + root + ": " + e);
        }
    }
}
