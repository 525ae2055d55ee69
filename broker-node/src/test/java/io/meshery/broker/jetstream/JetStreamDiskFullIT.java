package io.meshery.broker.jetstream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.meshery.broker.testkit.BrokerProcess;
import io.meshery.broker.testkit.Unshare;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk, for real: the node runs in a mount namespace of the test's own ({@code unshare}) with its store on a
 * 3 MiB tmpfs. Publishing until the disk is full gives the publisher nats-server's store error (503, 10077, the
 * system's "No space left on device"), never a timeout; the node keeps serving; every acknowledged message is
 * there with its payload; after a purge makes room, publishing goes on. The namespace and its tmpfs go with the
 * process.
 */
class JetStreamDiskFullIT {

    @TempDir
    Path dir;

    @Test
    void aFullDiskGivesPublishersAnErrorKeepsTheNodeUpAndLosesNothingAcknowledged() throws Exception {
        Path store = dir.resolve("store");
        Files.createDirectories(store);
        assumeTrue(Unshare.allowed("true", "--user", "--map-root-user", "--mount"), "unshare --user --map-root-user --mount is not allowed here");
        List<String> wrapper = List.of("unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
            "mount -t tmpfs -o size=3m tmpfs '" + store + "' && exec \"$0\" \"$@\"");
        try (BrokerProcess broker = BrokerProcess.startWrapped(wrapper, List.of("-Xmx256m"), "-a", "127.0.0.1",
                "-p", "-1", "-m", "0", "-js", "-sd", store.toString())) {
            int port = broker.clientPort(Duration.ofSeconds(60));
            try (Connection nc = Nats.connect(Options.builder().server("nats://127.0.0.1:" + port).build())) {
                JetStreamManagement jsm = nc.jetStreamManagement();
                jsm.addStream(StreamConfiguration.builder().name("FULL").subjects("full.>")
                    .storageType(StorageType.File).build());
                JetStream js = nc.jetStream();
                Map<Long, byte[]> acked = new LinkedHashMap<>();
                JetStreamApiException refused = null;
                for (int i = 0; i < 10_000 && refused == null; i++) {
                    byte[] payload = new byte[4096];
                    java.util.Arrays.fill(payload, (byte) i);
                    try {
                        PublishAck ack = js.publish("full.data", payload);
                        acked.put(ack.getSeqno(), payload);
                    } catch (JetStreamApiException e) {
                        refused = e;
                    }
                }
                assertNotNull(refused, "the 3 MiB disk filled up");
                assertEquals(10077, refused.getApiErrorCode(), refused.toString());
                assertTrue(refused.getMessage().contains("No space left on device"), refused.getMessage());
                assertTrue(acked.size() > 100, "acknowledged before the disk was full: " + acked.size());

                // the node is up: core messaging works
                Subscription sub = nc.subscribe("still.up");
                nc.publish("still.up", new byte[] {1});
                assertNotNull(sub.nextMessage(Duration.ofSeconds(5)), "core messaging after the full disk");
                // every acknowledged message is there, with its payload
                for (Map.Entry<Long, byte[]> e : acked.entrySet()) {
                    MessageInfo m = jsm.getMessage("FULL", e.getKey());
                    assertArrayEquals(e.getValue(), m.getData(), "message " + e.getKey());
                }
                // room again: publishing goes on
                jsm.purgeStream("FULL");
                PublishAck after = js.publish("full.data", new byte[] {42});
                assertTrue(after.getSeqno() > acked.size(), "stored after the purge: " + after.getSeqno());
                assertEquals(42, jsm.getMessage("FULL", after.getSeqno()).getData()[0]);
            }
        }
    }
}
