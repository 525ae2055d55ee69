package io.meshery.broker.cluster;

import io.meshery.broker.cluster.raft.RaftTransport;
import io.meshery.broker.routing.Fanout;
import io.meshery.broker.routing.SubjectShards;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * A node's place in the cluster: started once the node's actor system runs with {@link PekkoClusterConfig}, it
 * joins the seed nodes, links to every member (one {@link RouteLink} each), tells them this node's interest and
 * forwards them the messages they want. What monitoring and INFO need is read here.
 */
public final class ClusterNode {

    /**
     * The actor system's setting (a system property of the same name overrides it) that, set to false, sends the
     * routes' messages over Pekko remoting instead of their own stream connections ({@link RouteStreams}).
     */
    public static final String ROUTE_STREAMS_SETTING = "meshery.broker.cluster.route-streams";

    /**
     * This node as it introduces itself to the others.
     *
     * @param clientUrl where clients reach this node ({@code host:port}), or empty not to advertise it
     */
    public record Identity(String serverId, String serverName, String clientUrl, boolean jetStream,
                           long startMillis) {}

    private final ActorSystem<?> system;
    private final ClusterSettings settings;
    private final SubjectShards shards;
    private final Map<Long, RouteLink> links = new ConcurrentHashMap<>();
    private final ClusterInterest interest = new ClusterInterest();
    private final LongAdder routeSlowConsumers = new LongAdder();
    private final String selfAddress;

    private ClusterNode(ActorSystem<?> system, ClusterSettings settings, SubjectShards shards) {
        this.system = system;
        this.settings = settings;
        this.shards = shards;
        this.selfAddress = Cluster.get(system).selfMember().address().toString();
    }

    /**
     * A node's place in the cluster, before it links to anyone: from now on the interest of this node's clients is
     * kept for the other nodes. Call before clients connect, then {@link #start}.
     */
    public static ClusterNode create(ActorSystem<?> system, ClusterSettings settings, SubjectShards shards) {
        ClusterNode node = new ClusterNode(system, settings, shards);
        shards.index().setInterestListener(node.interest);
        return node;
    }

    /**
     * Starts the routes: this node introduces itself to every member, tells it its interest and forwards it the
     * messages it wants, and delivers here what the others forward.
     *
     * @param fanouts makes a fanout for each thread that reads the other nodes' frames (the route manager's, one per
     *                peer connection), to deliver their messages here
     * @param maxPending the bytes a route may hold for a peer that does not keep up (the node's max_pending, as
     *                   nats-server bounds a route as any connection), before its messages are dropped and counted
     * @param peersChanged run (on the routes' thread) when a node joins or leaves, to send clients a new INFO
     */
    public void start(Identity identity, Supplier<Fanout> fanouts, long maxPayload, long maxPending,
                      Runnable peersChanged) {
        long bound = Math.max(maxPending, 2 * maxPayload);
        system.systemActorOf(RouteManager.create(settings, identity, shards, fanouts.get(), interest, links,
            routeSlowConsumers, bound, peersChanged, fanouts), RouteManager.NAME, Props.empty());
    }

    /**
     * Starts the calls between this node and the others that Raft uses: over connections of their own (any free
     * port, asked for over Pekko remoting) unless {@link #ROUTE_STREAMS_SETTING} is false, else over Pekko only.
     */
    public RaftTransport startRaftTransport() {
        var config = system.settings().config();
        boolean streams = !config.hasPath(ROUTE_STREAMS_SETTING) || config.getBoolean(ROUTE_STREAMS_SETTING);
        return RaftTransport.start(system, selfAddress,
            streams ? PekkoClusterConfig.bindHost(settings.host()) : null,
            PekkoClusterConfig.isWildcard(settings.host()) ? null : settings.host());
    }

    public ClusterSettings settings() {
        return settings;
    }

    public String name() {
        return settings.name();
    }

    /** This node's Pekko address ({@code pekko://meshery-broker@host:port}). */
    public String selfAddress() {
        return selfAddress;
    }

    /** The links to the other nodes, oldest first. */
    public List<RouteLink> routes() {
        List<RouteLink> list = new ArrayList<>(links.values());
        list.sort(Comparator.comparingLong(RouteLink::id));
        return list;
    }

    /** The other nodes' client addresses, for INFO {@code connect_urls}; none with {@code no_advertise}. */
    public List<String> peerClientUrls() {
        if (settings.noAdvertise()) {
            return List.of();
        }
        List<String> urls = new ArrayList<>();
        for (RouteLink l : routes()) {
            if (!l.peer().clientUrl().isEmpty()) {
                urls.add(l.peer().clientUrl());
            }
        }
        return urls;
    }

    /** How many times a route fell behind so far that its messages were dropped. */
    public long routeSlowConsumers() {
        return routeSlowConsumers.sum();
    }

    /**
     * The server name of the cluster's leader in Pekko's sense (the member that moves others in and out: the
     * oldest reachable one), or null when there is none or it has not introduced itself yet.
     */
    public String leaderServerName(String selfName) {
        var leader = Cluster.get(system).state().getLeader();
        if (leader == null) {
            return null;
        }
        if (leader.toString().equals(selfAddress)) {
            return selfName;
        }
        for (RouteLink l : routes()) {
            if (l.peer().address().equals(leader.toString())) {
                return l.peer().serverName();
            }
        }
        return null;
    }

    /** Whether this node is an {@code Up} member of the cluster. */
    public boolean isUp() {
        return Cluster.get(system).selfMember().status() == MemberStatus.up();
    }
}
