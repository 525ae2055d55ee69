package io.meshery.broker.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshery.broker.bench.wire.FrameScanner;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReplayPartsTest {

    private static boolean parse(String reply, long[] out) {
        byte[] b = ("xx" + reply + "yy").getBytes(StandardCharsets.US_ASCII);
        return AckMetadata.parse(b, 2, 2 + reply.length(), out);
    }

    @Test
    void ackSubjectsGiveDeliveredStreamAndConsumerSequence() {
        long[] out = new long[3];
        assertTrue(parse("$JS.ACK.REPLAY.REPLAYER.1.4711.42.1700000000000000000.999", out));
        assertArrayEquals(new long[] {1, 4711, 42}, out);
        assertTrue(parse("$JS.ACK.hub.ACCHASH.REPLAY.C.3.7.8.1700000000000000000.0.rand", out), "12 tokens");
        assertArrayEquals(new long[] {3, 7, 8}, out);
        assertTrue(parse("$JS.ACK.hub.ACCHASH.REPLAY.C.2.5.6.1700000000000000000.0", out), "11 tokens");
        assertArrayEquals(new long[] {2, 5, 6}, out);
        assertFalse(parse("$JS.ACK.REPLAY.C.1.2.3", out), "too few tokens");
        assertFalse(parse("$JS.FC.REPLAY.C.1.2.3.4.5", out));
        assertFalse(parse("$JS.ACK.REPLAY.C.1.x.3.4.5", out), "not a number");
        assertFalse(parse("_INBOX.abc", out));
    }

    @Test
    void replayCheckCountsGapsDuplicatesAndLoss() {
        ReplayCheck good = new ReplayCheck(3);
        for (long s = 1; s <= 3; s++) {
            good.record(s, s, 1);
        }
        assertTrue(good.complete());
        assertEquals(0, good.faults());
        assertTrue(good.problems().isEmpty());

        ReplayCheck bad = new ReplayCheck(6);
        bad.record(1, 1, 1);
        bad.record(3, 2, 1); // 2 skipped
        bad.record(3, 3, 2); // redelivered duplicate
        bad.record(4, 4, 1);
        bad.record(9, 5, 1); // outside the stream
        assertFalse(bad.complete());
        assertEquals(3, bad.received());
        assertEquals(4, bad.faults()); // one out of order, one duplicate, one redelivery, one out of range
        String missing = bad.missing();
        assertTrue(missing.startsWith("3 of 6 stream sequences never delivered: the first missing is 2, the last 6"),
                missing);
        assertTrue(String.join("\n", bad.problems()).contains("1 duplicate deliveries"), bad.problems().toString());

        ReplayCheck gaps = new ReplayCheck(2);
        gaps.record(1, 1, 1);
        gaps.record(2, 5, 1);
        assertEquals(1, gaps.faults(), "a consumer sequence gap");

        ReplayCheck counted = new ReplayCheck(2);
        counted.recordUnchecked();
        counted.recordUnchecked();
        assertTrue(counted.complete());
        assertEquals(2, counted.uncheckedCount());
    }

    /** Feeds server frames to a reader through the scanner the connection uses. */
    private static void feed(JetStreamReplayScenario.Reader reader, String frames) throws Exception {
        byte[] b = frames.getBytes(StandardCharsets.US_ASCII);
        assertEquals(b.length, new FrameScanner().scan(b, 0, b.length, reader));
    }

    private static String hmsg(String subject, String reply, String headers) {
        return "HMSG " + subject + " 2 " + (reply == null ? "" : reply + " ") + headers.length() + " "
                + headers.length() + "\r\n" + headers + "\r\n";
    }

    @Test
    void pullReaderAcksEachMessageAndTakesBackExpiredCredit() throws Exception {
        JetStreamReplayScenario.Reader reader = new JetStreamReplayScenario.Reader(JetStreamReplayScenario.Mode.PULL,
                2);
        String payload = "x".repeat(128);
        feed(reader, "MSG replay.msg 2 $JS.ACK.REPLAY.REPLAYER.1.1.1.17.1 128\r\n" + payload + "\r\n"
                + "MSG replay.msg 2 $JS.ACK.REPLAY.REPLAYER.1.2.2.17.0 128\r\n" + payload + "\r\n"
                + hmsg(JetStreamReplayScenario.PULL_INBOX, null, "NATS/1.0 408 Request Timeout\r\n"
                + "Nats-Pending-Messages: 498\r\nNats-Pending-Bytes: 0\r\n\r\n")
                + "MSG _INBOX.bjr.api 1 11\r\n{\"ok\":true}\r\n");
        assertEquals("PUB $JS.ACK.REPLAY.REPLAYER.1.1.1.17.1 4\r\n+ACK\r\n"
                + "PUB $JS.ACK.REPLAY.REPLAYER.1.2.2.17.0 4\r\n+ACK\r\n", reader.out.text());
        assertEquals(2, reader.deliveries);
        assertEquals(2, reader.acksSent);
        assertEquals(1, reader.timeouts);
        assertEquals(498, reader.expiredCredit);
        assertEquals("{\"ok\":true}", reader.apiResponse);
        assertTrue(reader.check.complete());
        assertTrue(reader.problems().isEmpty(), reader.problems().toString());

        feed(reader, hmsg(JetStreamReplayScenario.PULL_INBOX, null, "NATS/1.0 409 Exceeded MaxWaiting\r\n\r\n"));
        assertTrue(reader.problems().get(0).contains("409 Exceeded MaxWaiting"), reader.problems().toString());
    }

    @Test
    void orderedReaderAnswersFlowControlAndStalledHeartbeats() throws Exception {
        JetStreamReplayScenario.Reader reader = new JetStreamReplayScenario.Reader(
                JetStreamReplayScenario.Mode.ORDERED, 1);
        String deliver = JetStreamReplayScenario.DELIVER_SUBJECT;
        feed(reader, "MSG replay.msg 2 $JS.ACK.REPLAY.abc.1.1.1.17.0 128\r\n" + "y".repeat(128) + "\r\n"
                + hmsg(deliver, "$JS.FC.REPLAY.abc.7", "NATS/1.0 100 FlowControl Request\r\n\r\n")
                + hmsg(deliver, null, "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 1\r\n"
                + "Nats-Last-Stream: 1\r\n\r\n")
                + hmsg(deliver, null, "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: 1\r\n"
                + "Nats-Consumer-Stalled: $JS.FC.REPLAY.abc.8\r\n\r\n"));
        assertEquals("PUB $JS.FC.REPLAY.abc.7 0\r\n\r\nPUB $JS.FC.REPLAY.abc.8 0\r\n\r\n", reader.out.text(),
                "no ack (ack policy none); flow control and the stalled heartbeat answered");
        assertEquals(1, reader.flowControls);
        assertEquals(2, reader.heartbeats);
        assertEquals(1, reader.stalled);
        assertTrue(reader.check.complete());
        assertTrue(reader.problems().isEmpty(), reader.problems().toString());
        assertNull(JetStreamReplayScenario.Reader.header("NATS/1.0 100 Idle Heartbeat\r\n\r\n", "X"));
    }

    @Test
    void orderedConsumerRequestIsWhatNatsGoSends() throws Exception {
        JsonNode request = new ObjectMapper().readTree(JetStreamReplayScenario.orderedConfig("REPLAY", "replay.>"));
        assertEquals("REPLAY", request.get("stream_name").asText());
        JsonNode c = request.get("config");
        assertEquals("all", c.get("deliver_policy").asText());
        assertEquals("none", c.get("ack_policy").asText());
        assertEquals(Duration.ofHours(22).toNanos(), c.get("ack_wait").asLong());
        assertEquals(1, c.get("max_deliver").asInt());
        assertEquals("replay.>", c.get("filter_subject").asText());
        assertEquals("instant", c.get("replay_policy").asText());
        assertTrue(c.get("flow_control").asBoolean());
        assertEquals(5_000_000_000L, c.get("idle_heartbeat").asLong());
        assertEquals(JetStreamReplayScenario.DELIVER_SUBJECT, c.get("deliver_subject").asText());
        assertEquals(1, c.get("num_replicas").asInt());
        assertTrue(c.get("mem_storage").asBoolean());
    }

    @Test
    void phaseLimitAllowsTenThousandMessagesASecondAndAtLeastAMinute() {
        assertEquals(Duration.ofSeconds(60), JetStreamReplayScenario.phaseLimit(10_000));
        assertEquals(Duration.ofSeconds(100), JetStreamReplayScenario.phaseLimit(1_000_000));
        assertEquals("PUB a b 2\r\n{}\r\n",
                new String(JetStreamReplayScenario.frame("a", "b", "{}"), StandardCharsets.US_ASCII));
    }
}
