package io.meshery.broker.monitor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshery.broker.cluster.ClusterNode;
import io.meshery.broker.cluster.ClusterSettings;
import io.meshery.broker.jetstream.JetStream;
import io.meshery.broker.security.Security;
import io.meshery.broker.server.Server;
import io.meshery.broker.server.ServerSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code /varz}: identity, configuration, process use and traffic counters, in nats-server 2.9's field
 * order. Blocks for what a single node does not run (cluster, gateway, leaf, mqtt, websocket, jetstream)
 * are empty objects, as nats-server prints them when they are not configured.
 */
final class Varz {

    /** nats-server's TLS handshake timeout, which it reports even without TLS. */
    private static final double DEFAULT_TLS_TIMEOUT_SECONDS = 2;

    private final Server server;
    private final ProcessStats process;
    /** Null when JetStream is off. */
    private final JetStream jetStream;

    Varz(Server server, ProcessStats process, JetStream jetStream) {
        this.server = server;
        this.process = process;
        this.jetStream = jetStream;
    }

    ObjectNode build(String httpHost, int httpPort, Map<String, Long> httpRequests, Instant now) {
        ServerSettings s = server.settings();
        int cores = Runtime.getRuntime().availableProcessors();
        ObjectNode v = Json.object();
        v.put("server_id", server.serverId());
        v.put("server_name", server.serverName());
        v.put("version", Server.NATS_VERSION);
        v.put("proto", 1);
        v.put("go", Server.RUNTIME);
        v.put("host", s.listen().host());
        v.put("port", server.clientPort());
        Security security = s.security();
        if (security.authRequired()) {
            v.put("auth_required", true);
        }
        if (security.tlsRequired()) {
            v.put("tls_required", true);
            if (security.tls().verify()) {
                v.put("tls_verify", true);
            }
        }
        v.put("max_connections", server.maxConnections());
        v.put("ping_interval", s.timings().pingInterval().toNanos());
        v.put("ping_max", s.timings().pingMax());
        v.put("http_host", httpHost);
        v.put("http_port", httpPort);
        v.put("http_base_path", "");
        v.put("https_port", 0);
        Json.putFloat(v, "auth_timeout", seconds(s.timings().authTimeout()));
        v.put("max_control_line", s.limits().maxControlLine());
        v.put("max_payload", s.limits().maxPayload());
        v.put("max_pending", s.limits().maxPending());
        ObjectNode clusterBlock = v.putObject("cluster");
        ClusterNode cluster = server.cluster();
        if (cluster != null) {
            ClusterSettings c = cluster.settings();
            clusterBlock.put("name", c.name());
            clusterBlock.put("addr", c.host());
            clusterBlock.put("cluster_port", c.port());
            Json.putFloat(clusterBlock, "auth_timeout", DEFAULT_TLS_TIMEOUT_SECONDS); // nats-server's defaults: 2 s
            if (!c.routes().isEmpty()) {
                ArrayNode urls = clusterBlock.putArray("urls");
                c.routes().forEach(r -> urls.add(r.toString()));
            }
            Json.putFloat(clusterBlock, "tls_timeout", DEFAULT_TLS_TIMEOUT_SECONDS);
        }
        for (String block : new String[] {"gateway", "leaf", "mqtt", "websocket"}) {
            v.putObject(block);
        }
        ObjectNode js = v.putObject("jetstream");
        if (jetStream != null) {
            // as nats-server: the configuration, and the stats of /jsz without the stream counts
            ObjectNode jsz = Jsz.build(Json.object(), jetStream, false, false, false);
            js.set("config", jsz.get("config"));
            ObjectNode stats = js.putObject("stats");
            for (String f : new String[] {"memory", "storage", "reserved_memory", "reserved_storage", "accounts",
                "ha_assets", "api"}) {
                stats.set(f, jsz.get(f));
            }
        }
        Json.putFloat(v, "tls_timeout",
            security.tlsRequired() ? seconds(security.tls().timeout()) : DEFAULT_TLS_TIMEOUT_SECONDS);
        v.put("write_deadline", s.timings().writeDeadline().toNanos());
        // Not in nats-server 2.9's /varz; shown because operators tune them for rolling restarts.
        v.put("lame_duck_duration", s.lameDuck().duration().toNanos());
        v.put("lame_duck_grace_period", s.lameDuck().gracePeriod().toNanos());
        v.put("start", GoFormat.time(server.start()));
        v.put("now", GoFormat.time(now));
        v.put("uptime", GoFormat.uptime(Duration.between(server.start(), now)));
        v.put("mem", process.residentBytes());
        v.put("cores", cores);
        v.put("gomaxprocs", cores);
        Json.putFloat(v, "cpu", process.cpuPercent());
        List<String> connectUrls = server.connectUrls();
        if (!connectUrls.isEmpty()) {
            ArrayNode urls = v.putArray("connect_urls");
            connectUrls.forEach(urls::add);
        }
        v.put("connections", server.connectionCount());
        v.put("total_connections", server.totalConnections());
        v.put("routes", cluster == null ? 0 : cluster.routes().size());
        v.put("remotes", 0);
        v.put("leafnodes", 0);
        v.put("in_msgs", server.inMsgs());
        v.put("out_msgs", server.outMsgs());
        v.put("in_bytes", server.inBytes());
        v.put("out_bytes", server.outBytes());
        v.put("slow_consumers", server.slowConsumers());
        ObjectNode slow = v.putObject("slow_consumer_stats"); // as nats-server 2.10 breaks them down
        slow.put("clients", server.slowConsumers());
        slow.put("routes", cluster == null ? 0 : cluster.routeSlowConsumers());
        slow.put("gateways", 0);
        slow.put("leafs", 0);
        v.put("subscriptions", server.index().count());
        ObjectNode requests = v.putObject("http_req_stats");
        httpRequests.forEach(requests::put);
        // Configuration is not reloaded while running, so it was loaded when the node started.
        v.put("config_load_time", GoFormat.time(server.start()));
        return v;
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
