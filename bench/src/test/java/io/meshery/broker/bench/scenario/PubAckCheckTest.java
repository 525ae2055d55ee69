package io.meshery.broker.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PubAckCheckTest {

    private static void ack(PubAckCheck check, long token, String json) {
        byte[] b = (json + "trailing bytes beyond the length are ignored").getBytes(StandardCharsets.US_ASCII);
        check.check(token, b, json.length());
    }

    @Test
    void acceptsContiguousAcksOnTheirOwnInboxes() {
        PubAckCheck check = new PubAckCheck("BENCH", 1);
        ack(check, 0, "{\"stream\":\"BENCH\",\"seq\":1}");
        ack(check, 1, "{\"stream\":\"BENCH\", \"seq\": 2}");
        ack(check, 2, "{\"stream\":\"BENCH\",\"domain\":\"x\",\"seq\":3}");
        assertEquals(3, check.acks());
        assertEquals(0, check.faults());
        assertEquals(List.of(), check.problems());
    }

    @Test
    void reportsEachKindOfFault() {
        PubAckCheck check = new PubAckCheck("BENCH", 1);
        ack(check, 0, "{\"stream\":\"BENCHX\",\"seq\":1}");
        ack(check, 1, "{\"error\":{\"code\":503,\"description\":\"no responders\"}}");
        ack(check, 2, "{\"stream\":\"BENCH\",\"seq\":4}");
        ack(check, 3, "{\"stream\":\"BENCH\",\"seq\":5,\"duplicate\":true}");
        ack(check, 7, "{\"stream\":\"BENCH\",\"seq\":6}");
        assertEquals(5, check.acks());
        // the error's ack shifts the rest: 4 arrives where 3 was due, and 4, 5, 6 sit on the inboxes of 2, 3, 7
        assertEquals(7, check.faults());
        String all = String.join("\n", check.problems());
        assertTrue(all.contains("1 PubAcks with an error"), all);
        assertTrue(all.contains("1 PubAcks naming another stream"), all);
        assertTrue(all.contains("1 PubAcks whose sequence is not the previous one + 1"), all);
        assertTrue(all.contains("3 PubAcks on another message's inbox"), all);
        assertTrue(all.contains("1 PubAcks marked duplicate"), all);
        assertTrue(all.contains("sequence 4 where 3 was due"), all);
    }

    @Test
    void aGapIsOneFaultNotOnePerFollowingAck() {
        PubAckCheck check = new PubAckCheck("BENCH", 1);
        ack(check, -1, "{\"stream\":\"BENCH\",\"seq\":1}");
        ack(check, -1, "{\"stream\":\"BENCH\",\"seq\":3}");
        ack(check, -1, "{\"stream\":\"BENCH\",\"seq\":4}");
        assertEquals(1, check.faults());
    }

    @Test
    void aMissingSequenceIsAFault() {
        PubAckCheck check = new PubAckCheck("BENCH", 1);
        ack(check, 0, "{\"stream\":\"BENCH\"}");
        assertEquals(1, check.faults());
    }
}
