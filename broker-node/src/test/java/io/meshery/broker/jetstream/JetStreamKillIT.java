package io.meshery.broker.jetstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.BrokerProcess;
import io.meshery.broker.testkit.Poll;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StreamConfiguration;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of a real broker process in the middle of a burst of asynchronous publishes: after a restart on the
 * same store_dir, every message that was acknowledged is there, with its payload, and the store opens.
 */
class JetStreamKillIT {

    private static final Duration START = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedMessageSurvivesAKillDuringAWriteBurst() throws Exception {
        Map<Long, String> acked = new ConcurrentHashMap<>();
        for (int round = 0; round < 3; round++) {
            try (BrokerProcess broker = start()) {
                String url = "nats://127.0.0.1:" + broker.clientPort(START);
                try (Connection nc = connect(url)) {
                    JetStreamManagement jsm = nc.jetStreamManagement();
                    if (round == 0) {
                        jsm.addStream(StreamConfiguration.builder().name("BURST").subjects("burst.>").build());
                    }
                    JetStream js = nc.jetStream();
                    int before = acked.size();
                    int killAfter = 200 + 150 * round;
                    List<CompletableFuture<PublishAck>> inFlight = new ArrayList<>();
                    for (int i = 0; acked.size() - before < killAfter && i < 1_000_000; i++) {
                        String body = "round " + round + " message " + i;
                        CompletableFuture<PublishAck> f = js.publishAsync("burst.r" + round,
                            body.getBytes(StandardCharsets.UTF_8));
                        f.thenAccept(ack -> acked.put(ack.getSeqno(), body));
                        inFlight.add(f);
                        if (inFlight.size() >= 500) {
                            inFlight.remove(0).exceptionally(e -> null).join();
                        }
                    }
                    broker.process().destroyForcibly(); // SIGKILL, with publishes still in flight
                    broker.process().waitFor();
                }
            }
        }
        assertTrue(acked.size() >= 200 + 350 + 500, "acknowledged " + acked.size());
        try (BrokerProcess broker = start(); Connection nc = connect("nats://127.0.0.1:" + broker.clientPort(START))) {
            JetStreamManagement jsm = nc.jetStreamManagement();
            long stored = jsm.getStreamInfo("BURST").getStreamState().getMsgCount();
            assertTrue(stored >= acked.size(), "stored " + stored + " < acknowledged " + acked.size());
            for (Map.Entry<Long, String> e : acked.entrySet()) {
                MessageInfo m = jsm.getMessage("BURST", e.getKey());
                assertNotNull(m, "acknowledged sequence " + e.getKey());
                assertArrayEquals(e.getValue().getBytes(StandardCharsets.UTF_8), m.getData(),
                    "payload of sequence " + e.getKey());
            }
            assertEquals(jsm.getStreamInfo("BURST").getStreamState().getLastSequence() + 1,
                nc.jetStream().publish("burst.after", "x".getBytes(StandardCharsets.UTF_8)).getSeqno());
        }
    }

    private BrokerProcess start() throws Exception {
        BrokerProcess p = BrokerProcess.start("-a", "127.0.0.1", "-p", "-1", "-m", "0", "-js", "-sd", dir.toString());
        Poll.until(START, "the node to listen", () -> !p.stderr().isEmpty() || !p.process().isAlive());
        return p;
    }

    private static Connection connect(String url) throws Exception {
        return Nats.connect(new Options.Builder().server(url).noReconnect()
            .errorListener(new io.nats.client.ErrorListener() { }).build());
    }
}
