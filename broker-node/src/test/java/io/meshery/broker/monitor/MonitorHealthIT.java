package io.meshery.broker.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestBroker;
import io.meshery.broker.testkit.WireClient;
import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code /healthz} turns 503 while the node shuts down, so that a load balancer stops sending it clients. */
class MonitorHealthIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    /**
     * A client that does not read keeps the node in its shutdown drain (its queued bytes cannot be written),
     * which leaves time to ask the monitoring port how the node is.
     */
    @Test
    void healthzIsUnavailableWhileShuttingDown() throws Exception {
        TestBroker broker = MonitorHttp.startBroker(s -> s);
        MonitorHttp http = MonitorHttp.of(broker);
        CompletableFuture<Void> shutdown = null;
        try (WireClient stuck = WireClient.connect(broker.port(), "{\"verbose\":false,\"name\":\"stuck\"}")) {
            stuck.socket().setReceiveBufferSize(4096);
            stuck.send("SUB flood 1\r\nPING\r\n").expect("PONG");
            try (Connection pub = Nats.connect(new Options.Builder().server(broker.url()).noReconnect()
                    .errorListener(new io.nats.client.ErrorListener() { }).build())) {
                byte[] payload = new byte[64 * 1024];
                // 32 MiB: far more than loopback's auto-tuned socket buffers hold (a few MiB), well under
                // max_pending, so the node can neither finish writing nor cut the client off as slow.
                for (int i = 0; i < 512; i++) {
                    pub.publish("flood", payload);
                }
                pub.flush(WAIT);
            }
            assertEquals(200, http.get("/healthz").status());

            shutdown = CompletableFuture.runAsync(() -> broker.node().shutdown(Duration.ofSeconds(20)));
            Poll.until(WAIT, "healthz to report the shutdown", () -> http.get("/healthz").status() == 503);
            MonitorHttp.Response r = http.get("/healthz");
            assertEquals("application/json", r.contentType());
            assertEquals("{\"status\":\"unavailable\",\"error\":\"server is shutting down\"}", r.body());
        } finally {
            // The stuck client is gone now, so the drain ends.
            if (shutdown != null) {
                shutdown.get(30, TimeUnit.SECONDS);
            }
            broker.close();
        }
    }
}
