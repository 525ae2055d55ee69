package io.meshery.broker.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.meshery.broker.cluster.raft.RaftHost;
import io.meshery.broker.cluster.raft.RaftMessage;
import io.meshery.broker.cluster.raft.RaftSerializer;
import io.meshery.broker.cluster.raft.RaftTransport;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The Pekko configuration of a clustered node, from its {@link ClusterSettings}: the cluster provider, Artery on
 * the cluster port, the seed nodes, the split brain resolver and the cluster-name check. docs/cluster.md explains
 * each choice.
 */
public final class PekkoClusterConfig {

    /** The actor system's name of a node outside a cluster. */
    public static final String SYSTEM_NAME = "meshery-broker";
    private static final String CANONICAL_HOST_PROPERTY = "pekko.remote.artery.canonical.hostname";

    private PekkoClusterConfig() {}

    /** {@code settings} on top of {@code base}. */
    public static Config of(ClusterSettings settings, Config base) {
        return of(settings, base, RaftHost.maxFrameBytes(0));
    }

    /**
     * @param maxLargeFrameBytes the largest frame of Artery's large-message stream, which carries Raft: one append
     *                           of the largest log entry ({@link RaftHost#maxFrameBytes})
     */
    public static Config of(ClusterSettings settings, Config base, long maxLargeFrameBytes) {
        String self = canonicalHost(settings);
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("pekko.actor.provider", "cluster");
        c.put("pekko.actor.serializers.meshery-route", RouteSerializer.class.getName());
        c.put("pekko.actor.serialization-bindings.\"" + RouteMessage.class.getName() + "\"", "meshery-route");
        c.put("pekko.actor.serializers.meshery-raft", RaftSerializer.class.getName());
        c.put("pekko.actor.serialization-bindings.\"" + RaftMessage.class.getName() + "\"", "meshery-raft");
        c.put("pekko.remote.artery.transport", "tcp");
        // Raft between the replicas of a stream: Artery's large-message stream, apart from the routes (no head of
        // line between them), with frames large enough for an append of a max_payload message. Few buffers kept.
        c.put("pekko.remote.artery.large-message-destinations", List.of("/system/" + RaftTransport.NAME));
        c.put("pekko.remote.artery.advanced.maximum-large-frame-size", maxLargeFrameBytes + "b");
        // Buffers are direct memory, kept for reuse up to the pool's size (Artery's defaults keep up to 32 x 2 MiB
        // and 128 x 256 KiB): two large ones and 32 ordinary ones bound what a node keeps at 16 MiB.
        c.put("pekko.remote.artery.advanced.large-buffer-pool-size", 2);
        c.put("pekko.remote.artery.advanced.buffer-pool-size", 32);
        // Latency across nodes (docs/performance.md, cluster): one inbound lane (the route manager is one actor,
        // so more lanes only add a hand-off) and Artery's streams on the dispatcher the connections use (one
        // thread pool fewer to wake per message on a small machine). Measured: request-reply p50 704 -> 398 us.
        c.put("pekko.remote.artery.advanced.inbound-lanes", 1);
        c.put("pekko.remote.artery.advanced.use-dispatcher", "pekko.actor.default-dispatcher");
        c.put("pekko.remote.artery.canonical.port", settings.port());
        c.put("pekko.remote.artery.bind.hostname", bindHost(settings.host()));
        c.put("pekko.remote.artery.bind.port", settings.port());
        if (!isWildcard(settings.host())) {
            // a node bound to one address also connects to the others from it (one host, several nodes)
            c.put("pekko.remote.artery.advanced.tcp.outbound-client-hostname", settings.host());
        }
        if (System.getProperty(CANONICAL_HOST_PROPERTY) == null) {
            c.put("pekko.remote.artery.canonical.hostname", self);
        }
        c.put("pekko.cluster.seed-nodes", seedNodes(settings, self));
        // Pekko's default downs nobody: a partitioned minority would live on as a second cluster.
        c.put("pekko.cluster.downing-provider-class", "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider");
        c.put("pekko.cluster.split-brain-resolver.active-strategy", "keep-majority");
        c.put("pekko.cluster.split-brain-resolver.stable-after", "4s");
        c.put("pekko.cluster.seed-node-timeout", "3s");
        c.put("pekko.cluster.retry-unsuccessful-join-after", "2s");
        c.put("pekko.cluster.shutdown-after-unsuccessful-join-seed-nodes", "off");
        c.put("pekko.cluster.jmx.enabled", "off");
        c.put("pekko.cluster.log-info", "off");
        // pekko-management (served by the node): the cluster endpoint only shows, it never changes membership
        c.put("pekko.management.http.route-providers-read-only", "true");
        if (System.getProperty("pekko.management.http.hostname") == null) {
            c.put("pekko.management.http.hostname", self);
        }
        if (System.getProperty("pekko.management.http.bind-hostname") == null) {
            c.put("pekko.management.http.bind-hostname", bindHost(settings.host()));
        }
        c.put("pekko.coordinated-shutdown.exit-jvm", "off");
        c.put("pekko.coordinated-shutdown.terminate-actor-system", "on");
        return ConfigFactory.parseMap(c).withFallback(base);
    }

    /**
     * The actor system's name in the cluster {@code settings} names: part of every node's address, so a node of
     * another cluster is a stranger to this one's members (they drop what it sends; it keeps asking its seeds and
     * says so in its log), as nats-server refuses a route from another cluster.
     */
    public static String systemName(ClusterSettings settings) {
        StringBuilder b = new StringBuilder(SYSTEM_NAME).append('-');
        for (char ch : settings.name().toCharArray()) {
            b.append(Character.isLetterOrDigit(ch) && ch < 128 || ch == '-' || ch == '_' ? ch : '_');
        }
        return b.toString();
    }

    /** {@code pekko://<system>@host:port} of every route and of this node, in one order on every node. */
    static List<String> seedNodes(ClusterSettings settings, String selfHost) {
        TreeSet<ClusterSettings.Route> all = new TreeSet<>(
            Comparator.comparing(ClusterSettings.Route::host).thenComparingInt(ClusterSettings.Route::port));
        all.addAll(settings.routes());
        if (settings.port() != 0) { // on any free port, no other node can list this one
            all.add(new ClusterSettings.Route(selfHost, settings.port()));
        }
        // The first seed is the one that starts a cluster on its own; the same list on every node makes it the same
        // node everywhere, so two nodes can never each start one.
        List<String> seeds = new ArrayList<>();
        for (ClusterSettings.Route r : all) {
            seeds.add("pekko://" + systemName(settings) + "@" + r.host() + ":" + r.port());
        }
        return seeds;
    }

    /**
     * The host the other nodes know this one by, which Artery must call itself: {@code advertise}; else the route
     * that names this node (its port, an address of this machine), as nats-server configurations list every
     * member; else the listen host when it is one address; else this machine's address.
     */
    public static String canonicalHost(ClusterSettings settings) {
        String fromProperty = System.getProperty(CANONICAL_HOST_PROPERTY);
        if (fromProperty != null && !fromProperty.isBlank()) {
            return fromProperty;
        }
        if (settings.advertise() != null && !settings.advertise().isBlank()) {
            String a = settings.advertise();
            int colon = a.lastIndexOf(':');
            return colon > 0 && a.indexOf(':') == colon ? a.substring(0, colon) : a;
        }
        for (ClusterSettings.Route r : settings.routes()) {
            // the name the other nodes' routes use for this one: listening on one address (several nodes on one
            // host, each on its own loopback address and the same port), a route to that address; else any local one
            boolean self = isWildcard(settings.host()) ? isLocalAddress(r.host()) : sameAddress(r.host(), settings.host());
            if (r.port() == settings.port() && self) {
                return r.host();
            }
        }
        if (!isWildcard(settings.host())) {
            return settings.host();
        }
        try {
            return InetAddress.getLocalHost().getHostAddress();
        } catch (UnknownHostException e) {
            return "127.0.0.1";
        }
    }

    static boolean isWildcard(String host) {
        return host == null || host.isEmpty() || host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
    }

    static String bindHost(String host) {
        return isWildcard(host) ? "0.0.0.0" : host;
    }

    private static boolean sameAddress(String a, String b) {
        try {
            InetAddress mine = InetAddress.getByName(b);
            for (InetAddress x : InetAddress.getAllByName(a)) {
                if (x.equals(mine)) {
                    return true;
                }
            }
        } catch (UnknownHostException e) {
            return false;
        }
        return false;
    }

    private static boolean isLocalAddress(String host) {
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (a.isLoopbackAddress() || a.isAnyLocalAddress() || NetworkInterface.getByInetAddress(a) != null) {
                    return true;
                }
            }
        } catch (Exception e) {
            return false; // not resolvable (yet): not this node
        }
        return false;
    }
}
