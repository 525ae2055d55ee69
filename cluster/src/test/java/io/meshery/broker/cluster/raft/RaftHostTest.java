package io.meshery.broker.cluster.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.meshery.broker.cluster.ClusterSettings;
import io.meshery.broker.cluster.PekkoClusterConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ratis over the cluster's Artery link, with three real actor systems on loopback: a group of three elects a
 * leader, what the leader submits is applied on every member in order, and after the leader's node goes the other
 * two elect another and go on.
 */
class RaftHostTest {

    /** Keeps what it applied, in order. */
    static final class Recorder extends BaseStateMachine {
        final List<String> applied = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
            var entry = trx.getLogEntry();
            applied.add(entry.getStateMachineLogEntry().getLogData().toString(StandardCharsets.UTF_8));
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
            return CompletableFuture.completedFuture(Message.EMPTY);
        }
    }

    @TempDir
    Path dir;
    private final List<ActorSystem<Void>> systems = new ArrayList<>();
    private final List<RaftHost> hosts = new ArrayList<>();
    private final List<Recorder> machines = new ArrayList<>();
    private final List<RaftTransport> transports = new ArrayList<>();

    @AfterEach
    void stop() throws IOException {
        for (RaftHost h : hosts) {
            if (h != null) {
                h.close();
            }
        }
        for (RaftTransport t : transports) {
            t.close();
        }
        for (ActorSystem<Void> s : systems) {
            s.terminate();
        }
    }

    /**
     * {@code pekko}: every call over Pekko remoting; {@code own}: over the transport's own connections;
     * {@code mixed}: node 0 takes no connections of its own (the others call it over Pekko, it calls them over theirs).
     */
    @ParameterizedTest
    @ValueSource(strings = {"pekko", "own", "mixed"})
    void aGroupOfThreeReplicatesInOrderAndSurvivesItsLeader(String transport) throws Exception {
        int[] ports = freePorts(3);
        List<ClusterSettings.Route> routes = new ArrayList<>();
        for (int p : ports) {
            routes.add(new ClusterSettings.Route("127.0.0.1", p));
        }
        List<RaftPeer> peers = new ArrayList<>();
        for (int i = 0; i < 3; i++) { // every cluster port bound before a transport takes a port of its own
            ClusterSettings s = new ClusterSettings("raft", "127.0.0.1", ports[i], "", false, routes);
            systems.add(ActorSystem.create(Behaviors.empty(), PekkoClusterConfig.systemName(s),
                PekkoClusterConfig.of(s, ConfigFactory.load())));
        }
        for (int i = 0; i < 3; i++) {
            ActorSystem<Void> system = systems.get(i);
            String address = Cluster.get(system).selfMember().address().toString();
            peers.add(RaftHost.peer("n" + i, address));
            Recorder m = new Recorder();
            machines.add(m);
            boolean own = transport.equals("own") || transport.equals("mixed") && i > 0;
            RaftTransport t = own ? RaftTransport.start(system, address, "127.0.0.1", "127.0.0.1")
                : RaftTransport.start(system, address);
            transports.add(t);
            hosts.add(RaftHost.start(t, "n" + i, dir.resolve("n" + i), g -> m));
        }
        RaftGroupId id = RaftHost.groupId("ORDERS");
        RaftGroup group = RaftGroup.valueOf(id, peers);
        for (RaftHost h : hosts) {
            h.addGroup(group);
        }
        int leader = awaitLeader(id, -1);
        for (int i = 0; i < 100; i++) {
            RaftClientReply r = hosts.get(leader).submit(id, ("m" + i).getBytes(StandardCharsets.UTF_8))
                .get(10, TimeUnit.SECONDS);
            assertTrue(r.isSuccess(), () -> "submit failed: " + r.getException());
        }
        await(() -> machines.stream().allMatch(m -> m.applied.size() == 100), "all three apply 100 entries");
        for (Recorder m : machines) {
            assertEquals("m0", m.applied.get(0));
            assertEquals("m99", m.applied.get(99));
        }

        hosts.get(leader).close();
        systems.get(leader).terminate();
        hosts.set(leader, null);
        int next = awaitLeader(id, leader);
        RaftClientReply r = hosts.get(next).submit(id, "after".getBytes(StandardCharsets.UTF_8))
            .get(10, TimeUnit.SECONDS);
        assertTrue(r.isSuccess(), () -> "submit to the new leader failed: " + r.getException());
        int survivor = 3 - leader - next;
        await(() -> machines.get(survivor).applied.contains("after"), "the other survivor applies it");
    }

    @Test
    void aConnectionThatIsNotOneOfOursIsClosed() throws Exception {
        ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "raft-junk");
        systems.add(system);
        RaftTransport t = RaftTransport.start(system, "pekko://raft-junk@127.0.0.1:1", "127.0.0.1", "127.0.0.1");
        transports.add(t);
        assertTrue(t.port() > 0, "listening");
        byte[] self = "pekko://x@127.0.0.1:2".getBytes(StandardCharsets.UTF_8);
        ByteBuffer preambleThenShortCall = ByteBuffer.allocate(10 + self.length + 6)
            .putInt(0x4d425254).putShort((short) 1).putInt(self.length).put(self) // a proper preamble
            .putInt(2).put((byte) 1).put((byte) 0); // a call frame too short to hold a call
        List<byte[]> junk = List.of(new byte[64], "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
            preambleThenShortCall.array());
        for (byte[] bytes : junk) {
            try (Socket s = new Socket("127.0.0.1", t.port())) {
                s.setSoTimeout(10_000);
                s.getOutputStream().write(bytes);
                assertEquals(-1, readEnd(s), "closed by the transport");
            }
        }
    }

    /** -1 once the other end closed the connection (a reset, when it left bytes unread, counts as closed). */
    private static int readEnd(Socket s) throws IOException {
        try {
            return s.getInputStream().read();
        } catch (SocketException e) {
            return -1;
        }
    }

    private int awaitLeader(RaftGroupId id, int not) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < hosts.size(); i++) {
                if (i == not || hosts.get(i) == null) {
                    continue;
                }
                RaftServer.Division d = hosts.get(i).server().getDivision(id);
                if (d.getInfo().isLeader() && d.getInfo().isLeaderReady()) {
                    return i;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no leader within 20 s");
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within 20 s: " + what);
            }
            Thread.sleep(20);
        }
    }

    /** {@code n} different ports free now (all held open while picked, so none is handed out twice). */
    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0);
                held.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }
}
