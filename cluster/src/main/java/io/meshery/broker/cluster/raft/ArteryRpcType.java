package io.meshery.broker.cluster.raft;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.ServerFactory;

/**
 * Ratis's RPC type for servers that talk over the cluster's Pekko remoting: named by its class, as Ratis loads
 * user-defined types, and given the node's {@link RaftTransport} through the server's {@link Parameters}.
 */
public final class ArteryRpcType implements RpcType {

    static final String TRANSPORT = "meshery.raft.transport";
    static final ArteryRpcType INSTANCE = new ArteryRpcType();

    @Override
    public String name() {
        return ArteryRpcType.class.getName();
    }

    @Override
    public RpcFactory newFactory(Parameters parameters) {
        RaftTransport transport = parameters.getNonNull(TRANSPORT, RaftTransport.class);
        return new ServerFactory() {
            @Override
            public RaftServerRpc newRaftServerRpc(RaftServer server) {
                return new ArteryServerRpc(server, transport);
            }

            @Override
            public RpcType getRpcType() {
                return INSTANCE;
            }
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ArteryRpcType;
    }

    @Override
    public int hashCode() {
        return ArteryRpcType.class.hashCode();
    }

    @Override
    public String toString() {
        return "ARTERY";
    }
}
