package io.meshery.broker.server;

import io.meshery.broker.protocol.Subjects;
import io.meshery.broker.routing.SubjectShard;
import io.meshery.broker.routing.SubjectShards;
import io.meshery.broker.routing.Subscription;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One client's subscriptions by sid, and their place in the node's subject index: added through the shard that
 * owns the subject (which confirms once publishers can see it), removed from delivery at once and from the index
 * by its shard soon after.
 *
 * <p>Changed on the connection's thread; read from others (monitoring, a close on another thread).
 */
final class ClientSubscriptions {

    private final Map<String, Subscription> bySid = new ConcurrentHashMap<>();
    private final SubjectShards shards;

    ClientSubscriptions(SubjectShards shards) {
        this.shards = shards;
    }

    boolean has(String sid) {
        return bySid.containsKey(sid);
    }

    Subscription get(String sid) {
        return bySid.get(sid);
    }

    int size() {
        return bySid.size();
    }

    /** Adds {@code sub} and asks its subject's shard to index it; the shard answers {@code replyTo} when it has. */
    void add(Subscription sub, ActorRef<SubjectShard.Subscribed> replyTo) {
        bySid.put(sub.sid(), sub);
        shards.shardFor(sub.subject()).tell(new SubjectShard.Subscribe(sub, replyTo));
    }

    /** Ends {@code sub} for delivery now and drops it from the index; nothing when it was already removed. */
    void remove(Subscription sub) {
        if (bySid.remove(sub.sid(), sub)) {
            drop(sub);
        }
    }

    /** Ends every subscription, as the connection closes. */
    void removeAll() {
        for (Subscription s : bySid.values()) {
            drop(s);
        }
        bySid.clear();
    }

    /**
     * Where a "no responders" status for a request with reply subject {@code reply} goes: the requester's own
     * subscription on that subject, or one whose wildcard covers it; {@code null} when there is none.
     */
    Subscription replyTarget(String reply) {
        Subscription target = null;
        for (Subscription s : bySid.values()) {
            if (!s.isClosed() && Subjects.matches(s.subject(), reply)) {
                target = s;
                if (s.subject().equals(reply)) {
                    break;
                }
            }
        }
        return target;
    }

    List<Subscription> list() {
        return new ArrayList<>(bySid.values());
    }

    /** What monitoring shows of them. */
    List<ConnectionInfo.Sub> describe() {
        List<ConnectionInfo.Sub> list = new ArrayList<>(bySid.size());
        for (Subscription s : bySid.values()) {
            list.add(new ConnectionInfo.Sub(s.subject(), s.queue(), s.sid(), s.delivered(), s.max()));
        }
        return list;
    }

    private void drop(Subscription sub) {
        sub.close();
        shards.shardFor(sub.subject()).tell(new SubjectShard.Unsubscribe(sub));
    }
}
