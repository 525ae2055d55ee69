package io.meshery.broker.monitor;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshery.broker.cluster.ClusterNode;
import io.meshery.broker.cluster.RouteLink;
import io.meshery.broker.jetstream.JetStream;
import io.meshery.broker.routing.Subscription;
import io.meshery.broker.server.ConnectionInfo;
import io.meshery.broker.server.Server;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Accept;
import org.apache.pekko.japi.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitoring HTTP server of one node: nats-server's endpoints ({@code /varz}, {@code /connz},
 * {@code /subsz}, {@code /routez}, {@code /gatewayz}, {@code /leafz}, {@code /jsz}, {@code /healthz} and the
 * index page {@code /}) with its JSON and its error texts, plus Prometheus metrics at {@code /metrics}.
 *
 * <p>Monitoring only reads: the counters the node keeps, and copies of each connection's statistics.
 * Requests are answered on the blocking dispatcher so that a large {@code /connz} never delays the
 * connections' own work on the default one.
 */
public final class MonitorServer {

    private static final Logger log = LoggerFactory.getLogger(MonitorServer.class);

    private static final ContentType JAVASCRIPT =
        ContentTypes.create(MediaTypes.APPLICATION_JAVASCRIPT, HttpCharsets.UTF_8);
    /** A JSONP callback must be a plain name: anything else would let a link run script in the page. */
    private static final Pattern CALLBACK = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$.]*");
    private static final String SHUTTING_DOWN = "server is shutting down";

    /** The monitoring port could not be bound. */
    public static final class BindFailed extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        BindFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Server server;
    private final String host;
    /** Null when JetStream is off. */
    private final JetStream jetStream;
    private final Varz varz;
    private final Metrics metrics;
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private ServerBinding binding;

    private MonitorServer(Server server, String host, JetStream jetStream) {
        this.server = server;
        this.host = host;
        this.jetStream = jetStream;
        this.varz = new Varz(server, new ProcessStats(), jetStream);
        this.metrics = new Metrics(server, jetStream);
    }

    /** Binds {@code host:port} (0 for any free port) and returns once it listens. */
    public static MonitorServer start(ActorSystem<?> system, Server server, String host, int port) {
        return start(system, server, host, port, null);
    }

    /** The same, showing {@code jetStream} (null when it is off) in /jsz, /varz, /healthz and /metrics. */
    public static MonitorServer start(ActorSystem<?> system, Server server, String host, int port,
                                      JetStream jetStream) {
        return start(system, server, host, port, jetStream, null);
    }

    /**
     * The same, also serving pekko-management's routes ({@code /cluster/...}, {@code /alive}, {@code /ready}) through
     * {@code management} when it is not null.
     */
    public static MonitorServer start(ActorSystem<?> system, Server server, String host, int port,
                                      JetStream jetStream,
                                      Function<HttpRequest, CompletionStage<HttpResponse>> management) {
        MonitorServer monitor = new MonitorServer(server, host, jetStream);
        Executor executor = system.dispatchers().lookup(DispatcherSelector.blocking());
        Function<HttpRequest, CompletionStage<HttpResponse>> handler = request -> {
            String path = request.getUri().path();
            if (management != null && (path.startsWith("/cluster/") || path.equals("/alive")
                    || path.equals("/ready"))) {
                monitor.count(path.startsWith("/cluster/") ? "/cluster/" : path);
                return management.apply(request);
            }
            request.discardEntityBytes(system);
            return CompletableFuture.supplyAsync(() -> monitor.handle(request), executor);
        };
        try {
            monitor.binding = Http.get(system).newServerAt(host, port)
                .bind(handler)
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new BindFailed("cannot listen for monitoring on " + host + ":" + port + ": " + rootMessage(e), e);
        }
        log.info("Starting http monitor on {}:{}", host, monitor.port());
        return monitor;
    }

    /** The port actually bound. */
    public int port() {
        InetSocketAddress address = binding.localAddress();
        return address.getPort();
    }

    /** Stops listening and ends open monitoring requests; waits at most {@code timeout}. */
    public void stop(Duration timeout) {
        try {
            binding.terminate(timeout).toCompletableFuture().get(timeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("Stopping the http monitor failed: {}", rootMessage(e));
        }
    }

    HttpResponse handle(HttpRequest request) {
        String path = request.getUri().path();
        Params params = new Params(request.getUri().query());
        Instant now = Instant.now();
        try {
            switch (path) {
                case "/":
                    count(path);
                    return HttpResponse.create().withEntity(ContentTypes.TEXT_HTML_UTF8, IndexPage.html());
                case "/varz":
                    count(path);
                    return json(params, varz.build(host, port(), requestCounts(), now));
                case "/connz":
                    count(path);
                    return json(params, Connz.build(server, Connz.Options.from(params), now));
                case "/subsz", "/subscriptionsz":
                    count("/subsz");
                    return json(params, Subsz.build(server, Subsz.Options.from(params), now));
                case "/routez":
                    count(path);
                    return json(params, routez(params, now));
                case "/gatewayz":
                    count(path);
                    return json(params, gatewayz(params, now));
                case "/leafz":
                    count(path);
                    return json(params, leafz(params, now));
                case "/jsz":
                    count(path);
                    return json(params, jsz(params, now));
                case "/healthz":
                    count(path);
                    return healthz(params);
                case "/metrics":
                    count(path);
                    return metrics(request);
                default:
                    return text(StatusCodes.NOT_FOUND, "404 page not found\n");
            }
        } catch (Params.BadRequest e) {
            return text(StatusCodes.BAD_REQUEST, e.getMessage());
        } catch (RuntimeException e) {
            log.warn("Monitoring request {} failed: {}", path, e.toString());
            return text(StatusCodes.INTERNAL_SERVER_ERROR, "internal error\n");
        }
    }

    // ---- the small endpoints: what a single node without routes, gateways, leafs or JetStream shows ----

    /** One entry per other node of the cluster, as nats-server lists its routes (with 2.10's remote_name). */
    private ObjectNode routez(Params p, Instant now) {
        Params.Subs subs = p.subs();
        ObjectNode r = header(now);
        ClusterNode cluster = server.cluster();
        List<RouteLink> links = cluster == null ? List.of() : cluster.routes();
        r.put("num_routes", links.size());
        ArrayNode routes = r.putArray("routes");
        for (RouteLink l : links) {
            ObjectNode n = routes.addObject();
            n.put("rid", l.id());
            n.put("remote_id", l.peer().serverId());
            n.put("remote_name", l.peer().serverName());
            n.put("did_solicit", l.didSolicit());
            n.put("is_configured", l.isConfigured());
            n.put("ip", l.peer().host());
            n.put("port", l.peer().port());
            n.put("start", GoFormat.time(l.start()));
            n.put("last_activity", GoFormat.time(l.lastActivity()));
            if (l.rttNanos() > 0) {
                n.put("rtt", GoFormat.rtt(Duration.ofNanos(l.rttNanos())));
            }
            n.put("uptime", GoFormat.uptime(Duration.between(l.start(), now)));
            n.put("idle", GoFormat.uptime(Duration.between(l.lastActivity(), now).isNegative() ? Duration.ZERO
                : Duration.between(l.lastActivity(), now)));
            n.put("pending_size", l.pendingBytes());
            n.put("in_msgs", l.inMsgs());
            n.put("out_msgs", l.outMsgs());
            n.put("in_bytes", l.inBytes());
            n.put("out_bytes", l.outBytes());
            List<Subscription> peerSubs = l.subscriptions();
            n.put("subscriptions", peerSubs.size());
            if (!peerSubs.isEmpty() && subs == Params.Subs.DETAIL) {
                ArrayNode list = n.putArray("subscriptions_list_detail");
                for (Subscription s : peerSubs) {
                    list.add(Subsz.detail(true, new ConnectionInfo.Sub(s.subject(), s.queue(), s.sid(), 0, 0),
                        l.id()));
                }
            } else if (!peerSubs.isEmpty() && subs == Params.Subs.LIST) {
                ArrayNode list = n.putArray("subscriptions_list");
                peerSubs.forEach(s -> list.add(s.subject()));
            }
        }
        return r;
    }

    private ObjectNode gatewayz(Params p, Instant now) {
        p.bool("accs");
        ObjectNode g = header(now);
        g.putObject("outbound_gateways");
        g.putObject("inbound_gateways");
        return g;
    }

    private ObjectNode leafz(Params p, Instant now) {
        p.bool("subs");
        ObjectNode l = header(now);
        l.put("leafnodes", 0);
        l.putNull("leafs");
        return l;
    }

    /** JetStream's figures; with JetStream off, nats-server reports it disabled, with zeros. */
    private ObjectNode jsz(Params p, Instant now) {
        boolean accounts = p.bool("accounts");
        boolean streams = p.bool("streams");
        boolean consumers = p.bool("consumers");
        boolean withConfig = p.bool("config");
        p.integer("offset", 0);
        p.integer("limit", 0);
        p.bool("leader-only");
        if (jetStream != null) {
            return Jsz.build(header(now), jetStream, accounts || streams || consumers, streams || consumers,
                withConfig);
        }
        ObjectNode j = header(now);
        j.put("disabled", true);
        ObjectNode config = j.putObject("config");
        config.put("max_memory", 0);
        config.put("max_storage", 0);
        for (String field : new String[] {"memory", "storage", "reserved_memory", "reserved_storage", "accounts",
            "ha_assets"}) {
            j.put(field, 0);
        }
        ObjectNode api = j.putObject("api");
        api.put("total", 0);
        api.put("errors", 0);
        for (String field : new String[] {"streams", "consumers", "messages", "bytes"}) {
            j.put(field, 0);
        }
        return j;
    }

    /**
     * 200 {@code {"status":"ok"}} while the node serves clients, 503 once it is shutting down. The JetStream
     * options are checked as nats-server checks them; with JetStream off there is nothing more to look at,
     * which is what nats-server 2.9 answers too.
     */
    private HttpResponse healthz(Params p) {
        p.bool("js-enabled-only");
        p.bool("js-server-only");
        p.bool("js-enabled");
        ObjectNode h = Json.object();
        if (server.isShuttingDown()) {
            h.put("status", "unavailable");
            h.put("error", SHUTTING_DOWN);
            return respond(p, StatusCodes.SERVICE_UNAVAILABLE, Json.compact(h));
        }
        if (server.isJetStreamEnabled() && (jetStream == null || !jetStream.isRunning())) {
            h.put("status", "unavailable");
            h.put("error", "JetStream not enabled");
            return respond(p, StatusCodes.SERVICE_UNAVAILABLE, Json.compact(h));
        }
        ClusterNode cluster = server.cluster();
        if (cluster != null && !cluster.isUp()) {
            h.put("status", "unavailable");
            h.put("error", "not a member of cluster \"" + cluster.name() + "\" yet: no seed node has answered");
            return respond(p, StatusCodes.SERVICE_UNAVAILABLE, Json.compact(h));
        }
        h.put("status", "ok");
        return respond(p, StatusCodes.OK, Json.compact(h));
    }

    private HttpResponse metrics(HttpRequest request) {
        String accept = request.getHeader(Accept.class).map(a -> a.value()).orElse(null);
        Metrics.Scrape scrape = metrics.scrape(accept);
        ContentType type = ContentTypes.parse(scrape.contentType());
        return HttpResponse.create().withEntity(HttpEntities.create(type, scrape.body()));
    }

    private ObjectNode header(Instant now) {
        ObjectNode n = Json.object();
        n.put("server_id", server.serverId());
        n.put("now", GoFormat.time(now));
        return n;
    }

    // ---- responses ----------------------------------------------------------------------------------

    private HttpResponse json(Params p, ObjectNode body) {
        return respond(p, StatusCodes.OK, Json.pretty(body));
    }

    /** JSON, or JSONP when a {@code callback} is named, as nats-server offers it. */
    private static HttpResponse respond(Params p, StatusCode status,
                                        byte[] json) {
        String callback = p.string("callback");
        if (callback.isEmpty()) {
            return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, json);
        }
        if (!CALLBACK.matcher(callback).matches()) {
            throw new Params.BadRequest("invalid callback: " + callback);
        }
        byte[] prefix = (callback + "(").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[prefix.length + json.length + 1];
        System.arraycopy(prefix, 0, body, 0, prefix.length);
        System.arraycopy(json, 0, body, prefix.length, json.length);
        body[body.length - 1] = ')';
        return HttpResponse.create().withStatus(status).withEntity(JAVASCRIPT, body);
    }

    private static HttpResponse text(StatusCode status, String body) {
        return HttpResponse.create().withStatus(status).withEntity(ContentTypes.TEXT_PLAIN_UTF8, body);
    }

    private void count(String path) {
        requests.computeIfAbsent(path, k -> new LongAdder()).increment();
    }

    /** Requests served per path, sorted by path as Go writes a map. */
    private Map<String, Long> requestCounts() {
        Map<String, Long> sorted = new TreeMap<>();
        requests.forEach((path, n) -> sorted.put(path, n.sum()));
        return sorted;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
