package io.meshery.broker.cluster;

import io.meshery.broker.routing.InterestListener;
import io.meshery.broker.routing.Subscription;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The interest of this node's clients as the other nodes see it: one entry per subject and queue group, however
 * many clients subscribed to it. The first subscription to an entry sends an RS+ to every peer, the last one to
 * leave it an RS-, each on the peer's ordered stream (nats-server does the same). A new peer gets a reset and the
 * whole table first; the table and the link list change under one lock, so no change is missed or sent twice.
 */
final class ClusterInterest implements InterestListener {

    /** An entry of the table: a subject and its queue group ({@code null} for plain subscriptions). */
    record Key(String subject, String queue) {}

    private final Map<Key, int[]> counts = new HashMap<>();
    private final List<RouteLink> links = new ArrayList<>();

    @Override
    public synchronized void subscribed(Subscription sub) {
        Key key = new Key(sub.subject(), sub.queue());
        int[] n = counts.computeIfAbsent(key, k -> new int[1]);
        if (n[0]++ == 0) {
            for (RouteLink link : links) {
                link.sendInterest(true, key.subject(), key.queue());
            }
        }
    }

    @Override
    public synchronized void unsubscribed(Subscription sub) {
        Key key = new Key(sub.subject(), sub.queue());
        int[] n = counts.get(key);
        if (n == null) {
            return;
        }
        if (--n[0] == 0) {
            counts.remove(key);
            for (RouteLink link : links) {
                link.sendInterest(false, key.subject(), key.queue());
            }
        }
    }

    /** {@code link} gets the whole table now and every change from now on. */
    synchronized void addLink(RouteLink link) {
        link.sendSnapshot(counts.keySet());
        links.add(link);
    }

    synchronized void removeLink(RouteLink link) {
        links.remove(link);
    }
}
