package io.meshery.broker.monitor;

import io.meshery.broker.cluster.RouteLink;
import io.meshery.broker.jetstream.JetStream;
import io.meshery.broker.server.Server;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * The node's Prometheus metrics, served at {@code /metrics}. Every broker metric is a callback that reads
 * the counters the node keeps anyway when a scrape asks, so the message path pays nothing for them.
 *
 * <p>The names follow what prometheus-nats-exporter calls the same {@code /varz} fields
 * ({@code gnatsd_varz_in_msgs} is {@code meshery_broker_in_msgs_total}); see docs/operations.md. Each node
 * has its own registry, so several nodes in one JVM (tests) do not collide.
 */
final class Metrics {

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final ExpositionFormats formats = ExpositionFormats.init();

    Metrics(Server server, JetStream jetStream) {
        if (jetStream != null) {
            gauge("meshery_broker_jetstream_streams", "JetStream streams", () -> jetStream.stats().streams());
            gauge("meshery_broker_jetstream_consumers", "JetStream consumers", () -> jetStream.stats().consumers());
            gauge("meshery_broker_jetstream_messages", "Messages stored in JetStream streams",
                () -> jetStream.stats().messages());
            gauge("meshery_broker_jetstream_storage_bytes", "Bytes stored in file streams",
                () -> jetStream.stats().storage());
            gauge("meshery_broker_jetstream_memory_bytes", "Bytes stored in memory streams",
                () -> jetStream.stats().memory());
            counter("meshery_broker_jetstream_api_requests", "JetStream API requests", () -> jetStream.stats().apiTotal());
            counter("meshery_broker_jetstream_api_errors", "JetStream API requests answered with an error",
                () -> jetStream.stats().apiErrors());
        }
        gauge("meshery_broker_connections", "Client connections open now", server::connectionCount);
        counter("meshery_broker_connections_accepted", "Client connections accepted since start",
            server::totalConnections);
        gauge("meshery_broker_subscriptions", "Subscriptions in the subject index", () -> server.index().count());
        counter("meshery_broker_in_msgs", "Messages received from clients", server::inMsgs);
        counter("meshery_broker_out_msgs", "Messages delivered to clients", server::outMsgs);
        counter("meshery_broker_in_bytes", "Payload bytes received from clients", server::inBytes);
        counter("meshery_broker_out_bytes", "Payload bytes delivered to clients", server::outBytes);
        counter("meshery_broker_slow_consumers", "Clients closed for not reading fast enough",
            server::slowConsumers);
        gauge("meshery_broker_outbound_buffer_bytes", "Bytes held for clients' sockets, all connections together",
            () -> server.budget().used());
        gauge("meshery_broker_outbound_buffer_peak_bytes", "The most bytes held for clients' sockets since start",
            () -> server.budget().peak());
        gauge("meshery_broker_outbound_buffer_budget_bytes", "The node's budget for bytes held for clients' sockets",
            () -> server.budget().limit());
        counter("meshery_broker_publisher_stalls", "Times a publisher was held back for a backlogged subscriber",
            server::publisherStalls);
        routeMetrics(server);
        counter("meshery_broker_subject_matches", "Subject lookups made for published messages",
            () -> server.index().matches());
        counter("meshery_broker_subject_cache_hits", "Subject lookups answered from the match cache",
            () -> server.index().cacheHits());
        gauge("meshery_broker_start_time_seconds", "When the node started, in seconds since the epoch",
            () -> server.start().getEpochSecond());
        Info info = Info.builder()
            .name("meshery_broker")
            .help("The node's identity and versions")
            .labelNames("server_id", "server_name", "version", "nats_version")
            .register(registry);
        info.setLabelValues(server.serverId(), server.serverName(), Server.VERSION, Server.NATS_VERSION);

        JvmMemoryMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        JvmBufferPoolMetrics.builder().register(registry);
        JvmThreadsMetrics.builder().register(registry);
        JvmRuntimeInfoMetric.builder().register(registry);
        ProcessMetrics.builder().register(registry);
    }

    /** One exposition: the body, and its content type as chosen from the scraper's {@code Accept} header. */
    record Scrape(String contentType, byte[] body) {
    }

    Scrape scrape(String acceptHeader) {
        ExpositionFormatWriter writer = formats.findWriter(acceptHeader);
        if (!writer.isAvailable()) {
            writer = formats.getPrometheusTextFormatWriter();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new IllegalStateException("cannot write metrics", e);
        }
        return new Scrape(writer.getContentType(), out.toByteArray());
    }

    /** The cluster's routes: how many, and per peer (label {@code remote}: its server name) what crossed. */
    private void routeMetrics(Server server) {
        gauge("meshery_broker_routes", "Routes to other nodes of the cluster",
            () -> server.cluster() == null ? 0 : server.cluster().routes().size());
        counter("meshery_broker_route_slow_consumers", "Times a route fell so far behind that messages to it were dropped",
            () -> server.cluster() == null ? 0 : server.cluster().routeSlowConsumers());
        java.util.function.Supplier<java.util.List<RouteLink>> routes =
            () -> server.cluster() == null ? java.util.List.of() : server.cluster().routes();
        perRoute(routes, "meshery_broker_route_in_msgs", "Messages received from another node", true, RouteLink::inMsgs);
        perRoute(routes, "meshery_broker_route_out_msgs", "Messages forwarded to another node", true, RouteLink::outMsgs);
        perRoute(routes, "meshery_broker_route_in_bytes", "Payload bytes received from another node", true, RouteLink::inBytes);
        perRoute(routes, "meshery_broker_route_out_bytes", "Payload bytes forwarded to another node", true, RouteLink::outBytes);
        perRoute(routes, "meshery_broker_route_pending_bytes", "Bytes queued for another node and not yet acknowledged", false,
            RouteLink::pendingBytes);
    }

    private void perRoute(java.util.function.Supplier<java.util.List<RouteLink>> routes, String name, String help,
                          boolean counter, ToLongFunction<RouteLink> value) {
        if (counter) {
            CounterWithCallback.builder().name(name).help(help).labelNames("remote")
                .callback(cb -> routes.get().forEach(l -> cb.call(value.applyAsLong(l), l.peer().serverName())))
                .register(registry);
        } else {
            GaugeWithCallback.builder().name(name).help(help).labelNames("remote")
                .callback(cb -> routes.get().forEach(l -> cb.call(value.applyAsLong(l), l.peer().serverName())))
                .register(registry);
        }
    }

    private void gauge(String name, String help, LongSupplier value) {
        GaugeWithCallback.builder().name(name).help(help)
            .callback(cb -> cb.call(value.getAsLong()))
            .register(registry);
    }

    private void counter(String name, String help, LongSupplier value) {
        CounterWithCallback.builder().name(name).help(help)
            .callback(cb -> cb.call(value.getAsLong()))
            .register(registry);
    }
}
