package io.meshery.broker.monitor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshery.broker.protocol.Subjects;
import io.meshery.broker.routing.SubjectIndex;
import io.meshery.broker.routing.Subscription;
import io.meshery.broker.server.ConnectionInfo;
import io.meshery.broker.server.Server;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /subsz} (also {@code /subscriptionsz}): the subscription index's statistics and, with
 * {@code subs=1}, its subscriptions, paged by {@code offset} and {@code limit} (default 1024) and filtered
 * by {@code test}, a literal subject that each listed subscription must match.
 */
final class Subsz {

    /** nats-server names the account of every subscription; ours are all in its global account. */
    static final String GLOBAL_ACCOUNT = "$G";

    record Options(boolean subs, int offset, int limit, String test) {

        static Options from(Params p) {
            boolean subs = p.bool("subs");
            int offset = p.offset();
            int limit = p.limit();
            String test = p.string("test");
            if (!test.isEmpty() && !Subjects.isValidLiteral(test)) {
                throw new Params.BadRequest("invalid test subject, must be valid publish subject: " + test);
            }
            return new Options(subs, offset, limit, test);
        }
    }

    private Subsz() {
    }

    static ObjectNode build(Server server, Options o, Instant now) {
        SubjectIndex index = server.index();
        List<Subscription> matching = new ArrayList<>();
        if (o.subs()) {
            index.forEach(s -> {
                if (!s.isClosed() && (o.test().isEmpty() || Subjects.matches(s.subject(), o.test()))) {
                    matching.add(s);
                }
            });
        }
        // Like nats-server, the listing fields appear only when there is something to list.
        boolean listing = !matching.isEmpty();
        ObjectNode root = Json.object();
        if (listing) {
            root.put("server_id", server.serverId());
            root.put("now", GoFormat.time(now));
        }
        long matches = index.matches();
        SubjectIndex.Fanout fanout = index.cachedFanout();
        root.put("num_subscriptions", index.count());
        root.put("num_cache", index.cacheEntries());
        root.put("num_inserts", index.inserts());
        root.put("num_removes", index.removes());
        root.put("num_matches", matches);
        Json.putFloat(root, "cache_hit_rate", matches == 0 ? 0 : (double) index.cacheHits() / matches);
        root.put("max_fanout", fanout.max());
        Json.putFloat(root, "avg_fanout", fanout.average());
        if (listing) {
            int total = matching.size();
            root.put("total", total);
            root.put("offset", o.offset());
            root.put("limit", o.limit());
            ArrayNode list = root.putArray("subscriptions_list");
            int end = (int) Math.min(total, (long) o.offset() + o.limit());
            for (int i = o.offset(); i < end; i++) {
                Subscription s = matching.get(i);
                list.add(detail(true, ConnectionInfo.Sub.of(s), s.owner().id()));
            }
        }
        return root;
    }

    /** One subscription as nats-server details it, with its account or without. */
    static ObjectNode detail(boolean withAccount, ConnectionInfo.Sub s, long cid) {
        ObjectNode n = Json.object();
        if (withAccount) {
            n.put("account", GLOBAL_ACCOUNT);
        }
        n.put("subject", s.subject());
        if (s.queue() != null) {
            n.put("qgroup", s.queue());
        }
        n.put("sid", s.sid());
        n.put("msgs", s.msgs());
        if (s.max() > 0) {
            n.put("max", s.max());
        }
        n.put("cid", cid);
        return n;
    }
}
