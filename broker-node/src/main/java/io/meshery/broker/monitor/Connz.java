package io.meshery.broker.monitor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshery.broker.server.ClientConnection;
import io.meshery.broker.server.ConnectionInfo;
import io.meshery.broker.server.Server;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@code /connz}: the open connections and the recently closed ones, filtered, sorted and paged as
 * nats-server does it.
 *
 * <p>Parameters: {@code sort} (see {@link SortKey}), {@code subs} ({@code 1}/{@code true} for subjects,
 * {@code detail} for full subscriptions), {@code auth} (adds the user), {@code offset}, {@code limit}
 * (default 1024), {@code cid} (one connection), {@code state} ({@code open}, {@code closed},
 * {@code any}/{@code all}).
 */
final class Connz {

    /**
     * The orders nats-server offers. Only {@code cid} and {@code start} (the same order, as ids grow with
     * time) and {@code uptime} and {@code reason} are ascending; the others put the largest first. Ties
     * go by connection id, so pages stay stable.
     */
    enum SortKey {
        CID("cid"), START("start"), SUBS("subs"), PENDING("pending"), MSGS_TO("msgs_to"),
        MSGS_FROM("msgs_from"), BYTES_TO("bytes_to"), BYTES_FROM("bytes_from"), LAST("last"), IDLE("idle"),
        UPTIME("uptime"), STOP("stop"), REASON("reason"), RTT("rtt");

        final String key;

        SortKey(String key) {
            this.key = key;
        }

        static SortKey parse(String key) {
            if (key.isEmpty()) {
                return CID;
            }
            for (SortKey k : values()) {
                if (k.key.equals(key)) {
                    return k;
                }
            }
            throw new Params.BadRequest("invalid sorting option: " + key);
        }

        Comparator<ConnectionInfo> order(Instant now) {
            Comparator<ConnectionInfo> c = switch (this) {
                case CID, START -> Comparator.comparingLong(ConnectionInfo::cid);
                case SUBS -> Comparator.<ConnectionInfo>comparingInt(i -> i.subscriptions().size()).reversed();
                case PENDING -> Comparator.comparingLong(ConnectionInfo::pendingBytes).reversed();
                case MSGS_TO -> Comparator.comparingLong(ConnectionInfo::outMsgs).reversed();
                case MSGS_FROM -> Comparator.comparingLong(ConnectionInfo::inMsgs).reversed();
                case BYTES_TO -> Comparator.comparingLong(ConnectionInfo::outBytes).reversed();
                case BYTES_FROM -> Comparator.comparingLong(ConnectionInfo::inBytes).reversed();
                case LAST -> Comparator.comparing(ConnectionInfo::lastActivity).reversed();
                case IDLE -> Comparator.<ConnectionInfo, Duration>comparing(i -> idle(i, now)).reversed();
                case UPTIME -> Comparator.comparing(i -> uptime(i, now));
                case STOP -> Comparator.comparing(ConnectionInfo::stop).reversed();
                case REASON -> Comparator.comparing(i -> i.reason().text());
                case RTT -> Comparator.comparing(ConnectionInfo::rtt).reversed();
            };
            return c.thenComparingLong(ConnectionInfo::cid);
        }
    }

    record Options(SortKey sort, Params.Subs subs, boolean auth, int offset, int limit, long cid,
                   Params.State state) {

        /** Reads the parameters in nats-server's order, so that of several bad ones the same is reported. */
        static Options from(Params p) {
            boolean auth = p.bool("auth");
            Params.Subs subs = p.subs();
            int offset = p.offset();
            int limit = p.limit();
            long cid = p.uint64("cid");
            Params.State state = p.state();
            SortKey sort = SortKey.parse(p.string("sort"));
            if ((sort == SortKey.STOP || sort == SortKey.REASON) && state != Params.State.CLOSED) {
                throw new Params.BadRequest("sort by " + sort.key + " only valid on closed connections");
            }
            return new Options(sort, subs, auth, offset, limit, cid, state);
        }
    }

    private Connz() {
    }

    static ObjectNode build(Server server, Options o, Instant now) {
        boolean open = o.state() != Params.State.CLOSED;
        boolean closed = o.state() != Params.State.OPEN;
        List<ConnectionInfo> page = new ArrayList<>();
        int total;
        int limit = o.limit();
        if (o.cid() != 0) {
            // One connection by id: nats-server reports limit 1 and, as total, the size of the state asked for.
            limit = 1;
            total = (open ? server.connectionCount() : 0) + (closed ? server.closedConnectionCount() : 0);
            ConnectionInfo found = null;
            ClientConnection.Client client = open ? server.client(o.cid()) : null;
            if (client != null) {
                found = client.info();
            } else if (closed) {
                found = server.closedConnection(o.cid());
            }
            if (found != null) {
                page.add(found);
            }
        } else {
            List<ConnectionInfo> all = new ArrayList<>();
            if (open) {
                for (ClientConnection.Client c : server.clients()) {
                    all.add(c.info());
                }
            }
            if (closed) {
                all.addAll(server.closedConnections());
            }
            all.sort(o.sort().order(now));
            total = all.size();
            if (o.offset() < total) {
                page = all.subList(o.offset(), (int) Math.min(total, (long) o.offset() + limit));
            }
        }

        ObjectNode root = Json.object();
        root.put("server_id", server.serverId());
        root.put("now", GoFormat.time(now));
        root.put("num_connections", page.size());
        root.put("total", total);
        root.put("offset", o.offset());
        root.put("limit", limit);
        ArrayNode list = root.putArray("connections");
        for (ConnectionInfo c : page) {
            list.add(connection(c, o, now));
        }
        return root;
    }

    private static ObjectNode connection(ConnectionInfo c, Options o, Instant now) {
        ObjectNode n = Json.object();
        n.put("cid", c.cid());
        n.put("kind", "Client");
        n.put("type", "nats");
        n.put("ip", c.ip());
        n.put("port", c.port());
        n.put("start", GoFormat.time(c.start()));
        n.put("last_activity", GoFormat.time(c.lastActivity()));
        if (c.isClosed()) {
            n.put("stop", GoFormat.time(c.stop()));
            n.put("reason", c.reason().text());
        }
        if (!c.rtt().isZero()) {
            n.put("rtt", GoFormat.rtt(c.rtt()));
        }
        n.put("uptime", GoFormat.uptime(uptime(c, now)));
        n.put("idle", GoFormat.uptime(idle(c, now)));
        n.put("pending_bytes", c.pendingBytes());
        n.put("in_msgs", c.inMsgs());
        n.put("out_msgs", c.outMsgs());
        n.put("in_bytes", c.inBytes());
        n.put("out_bytes", c.outBytes());
        n.put("subscriptions", c.subscriptions().size());
        putIfNotEmpty(n, "name", c.name());
        putIfNotEmpty(n, "lang", c.lang());
        putIfNotEmpty(n, "version", c.version());
        if (o.auth()) {
            // The user name only: nats-server would also show a token here, which a monitoring page should not.
            putIfNotEmpty(n, "authorized_user", c.user());
        }
        if (!c.subscriptions().isEmpty()) {
            if (o.subs() == Params.Subs.LIST) {
                ArrayNode subjects = n.putArray("subscriptions_list");
                for (ConnectionInfo.Sub s : c.subscriptions()) {
                    subjects.add(s.subject());
                }
            } else if (o.subs() == Params.Subs.DETAIL) {
                ArrayNode details = n.putArray("subscriptions_list_detail");
                for (ConnectionInfo.Sub s : c.subscriptions()) {
                    // nats-server 2.9 names the account only for closed connections; we follow it.
                    details.add(Subsz.detail(c.isClosed(), s, c.cid()));
                }
            }
        }
        return n;
    }

    /** How long the connection has been (or was) open. */
    static Duration uptime(ConnectionInfo c, Instant now) {
        return positive(Duration.between(c.start(), c.isClosed() ? c.stop() : now));
    }

    /** How long since the connection last did something (until it closed, for a closed one). */
    static Duration idle(ConnectionInfo c, Instant now) {
        return positive(Duration.between(c.lastActivity(), c.isClosed() ? c.stop() : now));
    }

    private static Duration positive(Duration d) {
        return d.isNegative() ? Duration.ZERO : d;
    }

    private static void putIfNotEmpty(ObjectNode n, String field, String value) {
        if (value != null && !value.isEmpty()) {
            n.put(field, value);
        }
    }
}
