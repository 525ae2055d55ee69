package io.meshery.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.BrokerProcess;
import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.ThrottledDataPort;
import io.meshery.broker.testkit.WireClient;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * A node in a JVM with a small heap, as in a pod with a memory limit, driven far past its outbound budget by a
 * fan-out to subscribers that read slowly and subscribers that do not read at all. Each connection may hold
 * 64 MiB (max_pending), so without one budget for all of them this burst ends in OutOfMemoryError and the
 * process exits; with it the node stays up, the readers get everything and the stuck ones are cut.
 */
class MemoryBudgetIT {

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final Pattern MONITOR = Pattern.compile("Starting http monitor on .*:(\\d+)$");
    private static final Pattern METRIC = Pattern.compile("(?m)^(meshery_broker_[a-z_]+) ([0-9.eE+-]+)$");

    @Test
    void smallHeapNodeSurvivesABurstPastItsBudgetAndKeepsServing() throws Exception {
        try (BrokerProcess broker = BrokerProcess.start(List.of("-Xmx128m", "-XX:+ExitOnOutOfMemoryError"),
                "-a", "127.0.0.1", "-p", "-1", "-m", "-1")) {
            int port = broker.clientPort(Duration.ofSeconds(30));
            Matcher m = MONITOR.matcher(broker.awaitLine(Duration.ofSeconds(30), l -> MONITOR.matcher(l).find()));
            assertTrue(m.find());
            String metricsUrl = "http://127.0.0.1:" + m.group(1) + "/metrics";
            String url = "nats://127.0.0.1:" + port;
            double budget = metrics(metricsUrl).get("meshery_broker_outbound_buffer_budget_bytes");
            assertTrue(budget < 64L << 20, "budget from the 128 MiB heap: " + budget);

            int count = 60_000;
            byte[] payload = new byte[1024]; // 60 MB per subscriber: more than the whole budget, under max_pending
            List<WireClient> stuck = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                WireClient c = WireClient.connect(port, "{\"verbose\":false,\"pedantic\":false}");
                c.socket().setReceiveBufferSize(4096);
                c.send("SUB fanout 1\r\nPING\r\n").expect("PONG");
                stuck.add(c);
            }
            ThrottledDataPort.bytesPerSecond = 24L << 20;
            List<Connection> readers = new ArrayList<>();
            AtomicInteger received = new AtomicInteger();
            try {
                for (int i = 0; i < 3; i++) {
                    Connection r = Nats.connect(options(url, "reader-" + i)
                        .dataPortType(ThrottledDataPort.class.getName()).build());
                    Dispatcher d = r.createDispatcher(msg -> received.incrementAndGet());
                    d.setPendingLimits(-1, -1);
                    d.subscribe("fanout");
                    r.flush(WAIT);
                    readers.add(r);
                }
                try (Connection pub = Nats.connect(options(url, "publisher").build())) {
                    for (int i = 0; i < count; i++) {
                        pub.publish("fanout", payload);
                    }
                    pub.flush(WAIT);
                }
                Poll.until(WAIT, "every message at the three readers", () -> received.get() == 3 * count);
                for (WireClient c : stuck) {
                    assertCut(c);
                }
                assertTrue(broker.process().isAlive(), "the node is still running");
                var after = metrics(metricsUrl);
                assertEquals(2.0, after.get("meshery_broker_slow_consumers_total"), "the two stuck readers were cut");
                assertTrue(after.get("meshery_broker_publisher_stalls_total") > 0, "the publisher was held back");
                double peak = after.get("meshery_broker_outbound_buffer_peak_bytes");
                assertTrue(peak < budget * 1.5, "peak " + peak + " within reach of the budget " + budget);

                // and it keeps serving
                try (Connection fresh = Nats.connect(options(url, "after").build())) {
                    Subscription sub = fresh.subscribe("after");
                    fresh.publish("after", "still here".getBytes(StandardCharsets.UTF_8));
                    Message got = sub.nextMessage(Duration.ofSeconds(10));
                    assertEquals("still here", new String(got.getData(), StandardCharsets.UTF_8));
                }
            } finally {
                for (Connection r : readers) {
                    r.close();
                }
                for (WireClient c : stuck) {
                    c.close();
                }
            }
            assertTrue(broker.stderr().stream().noneMatch(l -> l.contains("OutOfMemoryError")),
                String.join("\n", broker.stderr()));
        }
    }

    /** Reads what a stuck client was sent until the node's close shows; fails when it stays open. */
    private static void assertCut(WireClient c) throws IOException {
        c.socket().setSoTimeout((int) WAIT.toMillis());
        InputStream in = c.socket().getInputStream();
        byte[] buf = new byte[64 * 1024];
        try {
            while (in.read(buf) >= 0) {
                // what was queued before the cut
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("a stuck reader was never cut", e);
        } catch (SocketException reset) {
            // the node aborted the connection: that is the cut
        }
    }

    private static java.util.Map<String, Double> metrics(String url) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
            HttpResponse.BodyHandlers.ofString());
        java.util.Map<String, Double> values = new java.util.HashMap<>();
        Matcher m = METRIC.matcher(r.body());
        while (m.find()) {
            values.put(m.group(1), Double.parseDouble(m.group(2)));
        }
        return values;
    }

    private static Options.Builder options(String url, String name) {
        return new Options.Builder().server(url).connectionName(name).noReconnect()
            .errorListener(new io.nats.client.ErrorListener() { });
    }
}
