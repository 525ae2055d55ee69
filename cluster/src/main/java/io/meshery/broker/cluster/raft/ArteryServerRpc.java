package io.meshery.broker.cluster.raft;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionReplyProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpc;

/**
 * Ratis's server RPC over {@link RaftTransport}: a peer's address is its node's Pekko address (what
 * {@link RaftHost#peer} puts in a group), each request goes to it as one call and its reply comes back as bytes.
 * The leader's log appender sends one append at a time per follower, so a follower's appends arrive in order.
 */
final class ArteryServerRpc implements RaftServerRpc {

    /** Ratis retries a failed request itself; an append waits for the follower's forced write. */
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final RaftServer server;
    private final RaftTransport transport;
    private final Map<RaftPeerId, String> addresses = new ConcurrentHashMap<>();

    ArteryServerRpc(RaftServer server, RaftTransport transport) {
        this.server = server;
        this.transport = transport;
    }

    @Override
    public void start() {
        transport.handle(RaftTransport.REQUEST_VOTE,
            b -> server.requestVote(RequestVoteRequestProto.parseFrom(b)).toByteArray());
        // a follower's append does not block its caller: it answers once its log has the entries forced
        transport.handleAsync(RaftTransport.APPEND_ENTRIES,
            b -> server.appendEntriesAsync(AppendEntriesRequestProto.parseFrom(b)).thenApply(r -> r.toByteArray()));
        transport.handle(RaftTransport.INSTALL_SNAPSHOT,
            b -> server.installSnapshot(InstallSnapshotRequestProto.parseFrom(b)).toByteArray());
        transport.handle(RaftTransport.START_LEADER_ELECTION,
            b -> server.startLeaderElection(StartLeaderElectionRequestProto.parseFrom(b)).toByteArray());
    }

    @Override
    public InetSocketAddress getInetSocketAddress() {
        Address a = AddressFromURIString.parse(transport.selfAddress());
        return InetSocketAddress.createUnresolved(a.host().getOrElse(() -> "localhost"),
            (Integer) a.port().getOrElse(() -> 0));
    }

    @Override
    public RpcType getRpcType() {
        return ArteryRpcType.INSTANCE;
    }

    @Override
    public void addRaftPeers(Collection<RaftPeer> peers) {
        for (RaftPeer p : peers) {
            addresses.put(p.getId(), p.getAddress());
        }
    }

    @Override
    public void handleException(RaftPeerId serverId, Exception e, boolean reconnect) {
        // nothing to reconnect: Artery keeps the association to a member and redials it
    }

    @Override
    public RequestVoteReplyProto requestVote(RequestVoteRequestProto request) throws IOException {
        return RequestVoteReplyProto.parseFrom(
            call(request.getServerRequest(), RaftTransport.REQUEST_VOTE, request.toByteArray()));
    }

    @Override
    public AppendEntriesReplyProto appendEntries(AppendEntriesRequestProto request) throws IOException {
        return AppendEntriesReplyProto.parseFrom(
            call(request.getServerRequest(), RaftTransport.APPEND_ENTRIES, request.toByteArray()));
    }

    @Override
    public InstallSnapshotReplyProto installSnapshot(InstallSnapshotRequestProto request) throws IOException {
        return InstallSnapshotReplyProto.parseFrom(
            call(request.getServerRequest(), RaftTransport.INSTALL_SNAPSHOT, request.toByteArray()));
    }

    @Override
    public StartLeaderElectionReplyProto startLeaderElection(StartLeaderElectionRequestProto request)
            throws IOException {
        return StartLeaderElectionReplyProto.parseFrom(
            call(request.getServerRequest(), RaftTransport.START_LEADER_ELECTION, request.toByteArray()));
    }

    private byte[] call(RaftRpcRequestProto header, int kind, byte[] body) throws IOException {
        RaftPeerId to = RaftPeerId.valueOf(header.getReplyId());
        String address = addresses.get(to);
        if (address == null) {
            throw new IOException("no address known for raft peer " + to);
        }
        return transport.callAndWait(address, kind, body, TIMEOUT);
    }

    @Override
    public void close() {
    }
}
