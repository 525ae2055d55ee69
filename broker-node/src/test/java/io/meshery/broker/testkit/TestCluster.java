package io.meshery.broker.testkit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.meshery.broker.config.BrokerOptions;
import io.meshery.broker.node.BrokerNode;
import io.meshery.broker.routing.Match;
import io.meshery.broker.routing.Subscription;
import io.meshery.broker.server.ServerSettings;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Three (or more) broker nodes in this JVM, each with its own actor system, forming one cluster on 127.0.0.1:
 * client, monitoring and cluster ports only, every node listing every cluster port in its routes, as a
 * nats-server cluster on one host is configured.
 */
public final class TestCluster implements AutoCloseable {

    public static final Duration FORMATION = Duration.ofSeconds(60);

    private final String name;
    private final int[] clusterPorts;
    private final BrokerNode[] nodes;
    private final UnaryOperator<BrokerOptions.Builder> tweak;
    /** Where each node keeps its JetStream store (node-1, node-2...), or {@code null} for nodes without JetStream. */
    private java.nio.file.Path jetStreamBase;
    /** Each node's actor-system configuration (before the cluster's own settings are added). */
    private IntFunction<Config> nodeConfig =
        i -> ConfigFactory.load();

    private TestCluster(String name, int[] clusterPorts, UnaryOperator<BrokerOptions.Builder> tweak) {
        this.name = name;
        this.clusterPorts = clusterPorts;
        this.nodes = new BrokerNode[clusterPorts.length];
        this.tweak = tweak;
    }

    /** Starts {@code size} nodes at once and waits until each has a route to every other. */
    public static TestCluster start(int size) {
        return start(size, UnaryOperator.identity());
    }

    public static TestCluster start(int size, UnaryOperator<BrokerOptions.Builder> tweak) {
        return start(size, tweak, null);
    }

    /** Nodes with JetStream, each storing under {@code jetStreamBase/node-<n>}. */
    public static TestCluster startWithJetStream(int size, java.nio.file.Path jetStreamBase) {
        return start(size, UnaryOperator.identity(), jetStreamBase);
    }

    /** Nodes with JetStream under {@code jetStreamBase/node-<n>}, their options changed by {@code tweak}. */
    public static TestCluster startWithJetStream(int size, java.nio.file.Path jetStreamBase,
                                                 UnaryOperator<BrokerOptions.Builder> tweak) {
        return start(size, tweak, jetStreamBase);
    }

    /** Nodes whose actor systems start from {@code nodeConfig.apply(i)} instead of the default configuration. */
    public static TestCluster startWithConfig(int size, IntFunction<Config>
                                                  nodeConfig) {
        return start(size, UnaryOperator.identity(), null, nodeConfig);
    }

    private static TestCluster start(int size, UnaryOperator<BrokerOptions.Builder> tweak,
                                     java.nio.file.Path jetStreamBase) {
        return start(size, tweak, jetStreamBase, null);
    }

    private static TestCluster start(int size, UnaryOperator<BrokerOptions.Builder> tweak,
                                     java.nio.file.Path jetStreamBase,
                                     IntFunction<Config> nodeConfig) {
        TestCluster c = new TestCluster("test-" + Long.toHexString(System.nanoTime()), freePorts(size), tweak);
        c.jetStreamBase = jetStreamBase;
        if (nodeConfig != null) {
            c.nodeConfig = nodeConfig;
        }
        List<CompletableFuture<Void>> starts = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int n = i;
            starts.add(CompletableFuture.runAsync(() -> c.startNode(n)));
        }
        try {
            starts.forEach(CompletableFuture::join);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
        c.awaitFormed();
        return c;
    }

    /** The options of node {@code i}: its cluster port, every node's in the routes. */
    public BrokerOptions.Builder options(int i) {
        String routes = java.util.Arrays.stream(clusterPorts).mapToObj(p -> "nats-route://127.0.0.1:" + p)
            .collect(Collectors.joining(","));
        BrokerOptions.Builder b = BrokerOptions.builder()
            .host("127.0.0.1")
            .port(BrokerOptions.RANDOM_PORT)
            .httpPort(BrokerOptions.RANDOM_PORT)
            .serverName("node-" + (i + 1))
            .clusterListen("nats-route://127.0.0.1:" + clusterPorts[i])
            .routes(routes)
            .clusterName(name);
        return tweak.apply(b);
    }

    /** Starts node {@code i} (again, after {@link #stop}). */
    public void startNode(int i) {
        BrokerOptions o = options(i).build();
        var js = jetStreamBase == null ? null
            : new io.meshery.broker.jetstream.JetStreamConfig(jetStreamBase.resolve("node-" + (i + 1)), -1, -1, null);
        nodes[i] = BrokerNode.start(ServerSettings.from(o), js, o.clusterSettings().orElseThrow(), nodeConfig.apply(i));
    }

    /** Stops node {@code i} gracefully (it leaves the cluster). */
    public void stop(int i) {
        BrokerNode n = nodes[i];
        nodes[i] = null;
        if (n != null) {
            n.shutdown(Duration.ofSeconds(20));
        }
    }

    /** Waits until every running node has a route to every other running node. */
    public void awaitFormed() {
        long running = java.util.Arrays.stream(nodes).filter(java.util.Objects::nonNull).count();
        Poll.until(FORMATION, "a cluster of " + running, () -> {
            for (BrokerNode n : nodes) {
                if (n != null && (n.server().cluster() == null
                        || n.server().cluster().routes().size() != running - 1 || !n.server().cluster().isUp())) {
                    return false;
                }
            }
            return true;
        });
    }

    /** Waits until node {@code i} knows of interest in {@code subject} held by another node. */
    public void awaitRemoteInterest(int i, String subject) {
        Poll.until(Duration.ofSeconds(10), "node " + (i + 1) + " to learn of interest in " + subject,
            () -> remoteInterest(i, subject) > 0);
    }

    /** Waits until node {@code i} knows of no interest in {@code subject} on other nodes. */
    public void awaitNoRemoteInterest(int i, String subject) {
        Poll.until(Duration.ofSeconds(10), "node " + (i + 1) + " to forget interest in " + subject,
            () -> remoteInterest(i, subject) == 0);
    }

    /** How many subscriptions of other nodes match {@code subject} on node {@code i}. */
    public int remoteInterest(int i, String subject) {
        Match m = nodes[i].server().index().match(subject);
        int n = 0;
        for (Subscription s : m.plain()) {
            n += s.isRemote() && !s.isClosed() ? 1 : 0;
        }
        for (Subscription[] g : m.queues()) {
            for (Subscription s : g) {
                n += s.isRemote() && !s.isClosed() ? 1 : 0;
            }
        }
        return n;
    }

    public BrokerNode node(int i) {
        return nodes[i];
    }

    public int size() {
        return nodes.length;
    }

    public String url(int i) {
        return "nats://127.0.0.1:" + nodes[i].port();
    }

    public String name() {
        return name;
    }

    public int clusterPort(int i) {
        return clusterPorts[i];
    }

    @Override
    public void close() {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (int i = 0; i < nodes.length; i++) {
            int n = i;
            stops.add(CompletableFuture.runAsync(() -> stop(n)));
        }
        stops.forEach(CompletableFuture::join);
    }

    /** Every port {@link #freePorts} handed out in this JVM: never handed out twice (two calls for one test). */
    private static final java.util.Set<Integer> GIVEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Ports free now (bound and released at once; the node binds them a moment later), none handed out before in
     * this JVM (a test that asks twice, cluster ports then monitoring ports, must not get one port for two uses).
     * They are taken below the kernel's ephemeral range, which it uses for every port-0 listener (the nodes' route
     * and Raft connections among them) and every outgoing connection: a port picked here is never taken by one of
     * those between the pick and the node's bind.
     */
    public static int[] freePorts(int n) {
        int high = ephemeralLow();
        int low = Math.max(1024, high - 12_000);
        if (high - low < 1_000) { // an unusual range: any ports, checked one by one
            low = 20_000;
            high = 30_000;
        }
        java.util.Random random = new java.util.Random();
        int[] ports = new int[n];
        for (int i = 0, tries = 0; i < n; tries++) {
            if (tries > 10_000) {
                throw new IllegalStateException("no free port in " + low + "-" + high);
            }
            int port = low + random.nextInt(high - low);
            if (!GIVEN.contains(port) && bindable(port) && GIVEN.add(port)) {
                ports[i++] = port;
            }
        }
        return ports;
    }

    private static boolean bindable(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The first port of the kernel's ephemeral range (32768 when it cannot be read). */
    private static int ephemeralLow() {
        try {
            // readAllLines, not readString: a /proc file reports size 0 and readString gets one byte of it
            String range = java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                .get(0);
            return Integer.parseInt(range.trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768;
        }
    }
}
