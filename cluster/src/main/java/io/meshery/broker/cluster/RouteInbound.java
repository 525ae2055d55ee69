package io.meshery.broker.cluster;

import io.meshery.broker.protocol.PubArgs;
import io.meshery.broker.routing.Fanout;
import io.meshery.broker.routing.SubjectShard;
import io.meshery.broker.routing.SubjectShards;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Delivers a peer's records here: its messages to this node's subscribers only, its interest to the index. One
 * instance per thread that reads route frames (the {@link RouteManager}'s, each {@link RouteStreams} reader), each
 * with its own {@link Fanout}; {@link #link} is the link whose frame is being read.
 */
final class RouteInbound implements RouteRecords.Handler {

    final Fanout fanout;
    private final SubjectShards shards;
    private final ActorRef<SubjectShard.Subscribed> confirmations;
    RouteLink link;

    RouteInbound(Fanout fanout, SubjectShards shards, ActorRef<SubjectShard.Subscribed> confirmations) {
        this.fanout = fanout;
        this.shards = shards;
        this.confirmations = confirmations;
    }

    @Override
    public void message(String match, PubArgs msg, byte[] buf, int off, int len, String[] queues, int queueCount) {
        link.countIn(len);
        fanout.publishFromRoute(link, match == null ? msg.subject() : match, msg, buf, off, len, queues, queueCount);
    }

    @Override
    public void interest(boolean add, String subject, String queue) {
        if (add) {
            link.addInterest(subject, queue, shards, confirmations);
        } else {
            link.removeInterest(subject, queue, shards);
        }
    }

    @Override
    public void reset() {
        link.dropInterest(shards);
    }

    @Override
    public boolean mustWait() {
        return link.mustWait();
    }
}
