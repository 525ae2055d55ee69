package io.meshery.broker.cluster;

import io.meshery.broker.routing.Fanout;
import io.meshery.broker.routing.SubjectShard;
import io.meshery.broker.routing.SubjectShards;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's end of every route, one actor per node (a system actor named {@value #NAME}, so every node finds
 * its peers' at the same path). It follows the cluster's membership, introduces this node to each member that
 * comes up ({@link RouteMessage.Hello}), makes a {@link RouteLink} for each member that introduced itself, reads
 * every peer's frames in order (delivering their messages here, acknowledging each frame) and drops a peer's
 * link and interest when it leaves the cluster.
 */
final class RouteManager extends AbstractBehavior<RouteManager.Command> {

    private static final Logger log = LoggerFactory.getLogger(RouteManager.class);

    static final String NAME = "meshery-routes";
    private static final Duration TICK = Duration.ofMillis(100);
    /** Every this many ticks: a hello to members not linked yet, a ping to each peer. */
    private static final int HELLO_TICKS = 10;
    private static final int PING_TICKS = 50;
    /** How long a link may go on with a node the membership does not show (a hello that overtook its MemberUp). */
    private static final long STRANGER_MILLIS = 10_000;
    /** After this many ticks without joining, then every {@link #NOT_JOINED_REPEAT}: a warning that says why. */
    private static final int NOT_JOINED_TICKS = 50;
    private static final int NOT_JOINED_REPEAT = 300;

    interface Command {}

    private record MemberChange(ClusterEvent.MemberEvent event) implements Command {}

    /** A shard inserted a peer's subscription. */
    private record Confirmed(SubjectShard.Subscribed subscribed) implements Command {}

    private enum Tick implements Command { INSTANCE }

    private final ClusterSettings settings;
    private final ClusterNode.Identity identity;
    private final SubjectShards shards;
    private final ClusterInterest interest;
    private final Map<Long, RouteLink> links;
    private final LongAdder routeSlowConsumers;
    private final long maxPending;
    private final Runnable peersChanged;
    private final Cluster cluster;
    private final ActorRefResolver resolver;
    private final UniqueAddress self;
    private final ActorRef<SubjectShard.Subscribed> confirmations;
    /** Members that are up, by uid, until they introduce themselves. */
    private final Map<Long, Member> upMembers = new HashMap<>();
    private final RouteInbound inbound;
    /** The routes' own connections, or null when frames go over Pekko remoting only. */
    private final RouteStreams streams;
    private long ticks;
    private long rids;

    static Behavior<Command> create(ClusterSettings settings, ClusterNode.Identity identity, SubjectShards shards,
                                    Fanout fanout, ClusterInterest interest, Map<Long, RouteLink> links,
                                    LongAdder routeSlowConsumers, long maxPending, Runnable peersChanged,
                                    Supplier<Fanout> fanouts) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
            timers.startTimerWithFixedDelay(Tick.INSTANCE, TICK);
            return new RouteManager(ctx, settings, identity, shards, fanout, interest, links, routeSlowConsumers,
                maxPending, peersChanged, fanouts);
        }));
    }

    private RouteManager(ActorContext<Command> ctx, ClusterSettings settings, ClusterNode.Identity identity,
                         SubjectShards shards, Fanout fanout, ClusterInterest interest, Map<Long, RouteLink> links,
                         LongAdder routeSlowConsumers, long maxPending, Runnable peersChanged,
                         Supplier<Fanout> fanouts) {
        super(ctx);
        this.settings = settings;
        this.identity = identity;
        this.shards = shards;
        this.interest = interest;
        this.links = links;
        this.routeSlowConsumers = routeSlowConsumers;
        this.maxPending = maxPending;
        this.peersChanged = peersChanged;
        this.cluster = Cluster.get(ctx.getSystem());
        this.resolver = ActorRefResolver.get(ctx.getSystem());
        this.self = cluster.selfMember().uniqueAddress();
        this.confirmations = ctx.messageAdapter(SubjectShard.Subscribed.class, Confirmed::new);
        this.inbound = new RouteInbound(fanout, shards, confirmations);
        this.streams = openStreams(settings, fanouts);
        ActorRef<ClusterEvent.MemberEvent> events = ctx.messageAdapter(ClusterEvent.MemberEvent.class,
            MemberChange::new);
        cluster.subscriptions().tell(Subscribe.create(events, ClusterEvent.MemberEvent.class));
    }

    @Override
    public Receive<Command> createReceive() {
        return newReceiveBuilder()
            .onMessage(RouteMessage.Frame.class, this::onFrame)
            .onMessage(RouteMessage.Ack.class, this::onAck)
            .onMessage(RouteMessage.Hello.class, this::onHello)
            .onMessage(RouteMessage.Ping.class, this::onPing)
            .onMessage(RouteMessage.Pong.class, this::onPong)
            .onMessage(MemberChange.class, this::onMemberChange)
            .onMessage(Confirmed.class, this::onConfirmed)
            .onMessageEquals(Tick.INSTANCE, this::onTick)
            .onSignal(PostStop.class, stop -> onStop())
            .build();
    }

    private RouteStreams openStreams(ClusterSettings settings, Supplier<Fanout> fanouts) {
        var config = getContext().getSystem().settings().config();
        if (config.hasPath(ClusterNode.ROUTE_STREAMS_SETTING) && !config.getBoolean(ClusterNode.ROUTE_STREAMS_SETTING)) {
            log.info("Route streams off ({} = false): messages between nodes go over Pekko remoting", ClusterNode.ROUTE_STREAMS_SETTING);
            return null;
        }
        String bind = PekkoClusterConfig.bindHost(settings.host());
        try {
            return RouteStreams.open(bind, PekkoClusterConfig.isWildcard(settings.host()) ? null : settings.host(),
                self.longUid(), settings.name(), () -> new RouteInbound(fanouts.get(), shards, confirmations));
        } catch (IOException | RuntimeException e) {
            log.warn("Route streams: cannot listen on {} ({}); messages between nodes go over Pekko remoting", bind,
                e.toString());
            return null;
        }
    }

    private Behavior<Command> onStop() {
        for (RouteLink link : links.values()) {
            link.closeStream();
        }
        if (streams != null) {
            streams.close();
        }
        return this;
    }

    // ---- membership and hellos ---------------------------------------------------------------------------

    private Behavior<Command> onMemberChange(MemberChange change) {
        Member m = change.event().member();
        if (m.uniqueAddress().equals(self)) {
            return this;
        }
        long uid = m.uniqueAddress().longUid();
        if (change.event() instanceof ClusterEvent.MemberUp || m.status() == MemberStatus.up()) {
            if (!links.containsKey(uid)) {
                upMembers.put(uid, m);
                sendHello(m.address(), uid);
            }
        } else if (change.event() instanceof ClusterEvent.MemberRemoved) {
            upMembers.remove(uid);
            dropLink(uid, "the node left the cluster");
        }
        return this;
    }

    private void dropLink(long uid, String why) {
        RouteLink link = links.remove(uid);
        if (streams != null) {
            streams.unlinked(uid);
        }
        if (link != null) {
            log.info("Route {} to {} ({}) closed: {}", link.id(), link.peer().serverName(), link.peer().address(), why);
            interest.removeLink(link);
            link.close(shards);
            peersChanged.run();
        }
    }

    private void sendHello(Address to, long uid) {
        managerAt(to).tell(new RouteMessage.Hello(self.longUid(), self.address().toString(), identity.serverId(),
            identity.serverName(), settings.name(), identity.clientUrl(), identity.jetStream(),
            identity.startMillis(), streams == null ? 0 : streams.port()));
    }

    private ActorRef<RouteMessage> managerAt(Address address) {
        return resolver.resolveActorRef(address + "/system/" + NAME);
    }

    private Behavior<Command> onHello(RouteMessage.Hello hello) {
        if (links.containsKey(hello.fromUid())) {
            return this;
        }
        if (!hello.clusterName().equals(settings.name())) {
            log.error("Rejecting route from {}: cluster name \"{}\" is not \"{}\"", hello.address(),
                hello.clusterName(), settings.name());
            return this;
        }
        Address address = org.apache.pekko.actor.AddressFromURIString.parse(hello.address());
        for (RouteLink old : List.copyOf(links.values())) {
            if (old.peer().address().equals(hello.address())) {
                dropLink(old.peer().uid(), "the node restarted");
            }
        }
        String host = address.getHost().orElse("");
        int port = address.getPort().orElse(0);
        RouteLink.Peer peer = new RouteLink.Peer(hello.fromUid(), hello.address(), host, port, hello.serverId(),
            hello.serverName(), hello.clientUrl(), hello.jetStream(), hello.streamPort());
        boolean configured = settings.routes().stream().anyMatch(r -> r.host().equals(host) && r.port() == port);
        boolean solicit = self.address().toString().compareTo(hello.address()) < 0;
        RouteLink link = new RouteLink(++rids, peer, managerAt(address), self.longUid(), solicit, configured,
            maxPending, routeSlowConsumers);
        if (streams != null && peer.streamPort() > 0) {
            link.sendOver(streams.connect(link, peer.streamPort()));
        }
        links.put(hello.fromUid(), link);
        if (streams != null) {
            streams.linked(link);
        }
        upMembers.remove(hello.fromUid());
        // Always answered, even when this node sent one already: that one may have reached the other before its
        // route manager existed (a node joins the cluster before its JetStream has started, and so before its
        // routes). A hello from a linked node is not answered, so this ends after one exchange.
        sendHello(address, hello.fromUid());
        interest.addLink(link);
        log.info("Route {} to {} ({}) is up", link.id(), peer.serverName(), host + ":" + port);
        peersChanged.run();
        link.ping();
        return this;
    }

    private Behavior<Command> onTick() {
        ticks++;
        long now = System.nanoTime();
        for (RouteLink link : links.values()) {
            link.flushAck();
            link.tick(now);
            if (ticks % PING_TICKS == 0) {
                link.ping();
            }
        }
        if ((ticks == NOT_JOINED_TICKS || ticks % NOT_JOINED_REPEAT == 0)
                && cluster.selfMember().status() != MemberStatus.up()) {
            log.warn("Not a member of cluster \"{}\" yet: no seed node has let this node join; still trying {}"
                + " (a node configured with another cluster name never answers)", settings.name(), settings.routes());
        }
        if (ticks % HELLO_TICKS == 0) {
            dropStrangers();
            for (Map.Entry<Long, Member> e : upMembers.entrySet()) {
                if (!links.containsKey(e.getKey())) {
                    sendHello(e.getValue().address(), e.getKey());
                }
            }
        }
        return this;
    }

    /**
     * A hello can arrive after its sender was removed (it was on the way): a link to a node that is not a member
     * for {@value #STRANGER_MILLIS} ms is dropped, with its interest.
     */
    private void dropStrangers() {
        Set<Long> members = new java.util.HashSet<>();
        for (Member m : cluster.state().getMembers()) {
            members.add(m.uniqueAddress().longUid());
        }
        long now = System.currentTimeMillis();
        for (RouteLink link : List.copyOf(links.values())) {
            if (!members.contains(link.peer().uid())
                    && now - link.start().toEpochMilli() > STRANGER_MILLIS) {
                dropLink(link.peer().uid(), "the node is not a member of the cluster");
            }
        }
    }

    // ---- the route streams -------------------------------------------------------------------------------

    private Behavior<Command> onFrame(RouteMessage.Frame frame) {
        RouteLink link = links.get(frame.fromUid());
        if (link == null) {
            log.debug("Frame {} from a node with no route ({}), dropped", frame.seq(), frame.fromUid());
            return this;
        }
        inbound.link = link;
        link.receive(frame, inbound);
        return this;
    }

    /** The last of a peer's pending subscriptions is in the index: its held-back messages go on. */
    private Behavior<Command> onConfirmed(Confirmed c) {
        if (c.subscribed().sub().owner() instanceof RouteLink link && links.get(link.peer().uid()) == link) {
            inbound.link = link;
            link.confirmed(inbound);
        }
        return this;
    }

    private Behavior<Command> onAck(RouteMessage.Ack ack) {
        RouteLink link = links.get(ack.fromUid());
        if (link != null) {
            link.acked(ack.seq());
        }
        return this;
    }

    private Behavior<Command> onPing(RouteMessage.Ping ping) {
        RouteLink link = links.get(ping.fromUid());
        if (link != null) {
            link.remote().tell(new RouteMessage.Pong(self.longUid(), ping.sentNanos()));
        }
        return this;
    }

    private Behavior<Command> onPong(RouteMessage.Pong pong) {
        RouteLink link = links.get(pong.fromUid());
        if (link != null) {
            link.pong(pong.sentNanos());
        }
        return this;
    }
}
