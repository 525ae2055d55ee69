package io.meshery.broker.cluster;

/**
 * What the nodes' {@link RouteManager}s send each other over Pekko's remoting (frames over their own connections when both ends have them, {@link RouteStreams}), written by {@link RouteSerializer}.
 * Each message names its sender by the unique id of its cluster member (address and incarnation), so a node that
 * restarted is a new peer.
 */
sealed interface RouteMessage extends RouteManager.Command permits RouteMessage.Hello, RouteMessage.Frame, RouteMessage.Ack,
        RouteMessage.Ping, RouteMessage.Pong {

    long fromUid();

    /**
     * A node introduces itself to a member it saw come up; the other answers with its own once. After it, the
     * sender's frames follow, starting with its whole interest.
     *
     * @param clientUrl where its clients connect ({@code host:port}), or empty when it does not advertise it
     * @param streamPort where it takes the routes' own connections ({@link RouteStreams}), on its cluster address;
     *                   0 when its frames go over Pekko remoting only
     */
    record Hello(long fromUid, String address, String serverId, String serverName, String clusterName,
                 String clientUrl, boolean jetStream, long startMillis, int streamPort) implements RouteMessage {}

    /** The next piece of the sender's record stream to this node ({@link RouteRecords}); {@code seq} counts from 1. */
    record Frame(long fromUid, long seq, byte[] data) implements RouteMessage {}

    /** Every frame up to {@code seq} was processed: the sender may send that much more. */
    record Ack(long fromUid, long seq) implements RouteMessage {}

    /** Asks for a {@link Pong}, to measure the round trip ({@code /routez} {@code rtt}). */
    record Ping(long fromUid, long sentNanos) implements RouteMessage {}

    record Pong(long fromUid, long sentNanos) implements RouteMessage {}
}
