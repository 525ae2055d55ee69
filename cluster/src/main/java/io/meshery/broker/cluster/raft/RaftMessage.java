package io.meshery.broker.cluster.raft;

/**
 * What the nodes' {@link RaftTransport}s send each other over Pekko's remoting (on Artery's large-message
 * stream, apart from the routes), written by {@link RaftSerializer}: a call and its reply.
 */
public sealed interface RaftMessage permits RaftMessage.Call, RaftMessage.Reply {

    /**
     * A request to the node this is sent to.
     *
     * @param from the caller's Pekko address, where the reply goes
     * @param id the caller's number for the call, echoed in the reply
     * @param kind what is asked ({@link RaftTransport#REQUEST_VOTE}, ...): which handler serves it
     * @param body the request, as the handler reads it (a Ratis protocol buffer, or the node's own format)
     */
    record Call(String from, long id, int kind, byte[] body) implements RaftMessage {}

    /** The answer to call {@code id}: its body, or when {@code ok} is false the reason it failed (UTF-8). */
    record Reply(long id, boolean ok, byte[] body) implements RaftMessage {}
}
