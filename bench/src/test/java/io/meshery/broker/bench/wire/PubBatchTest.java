package io.meshery.broker.bench.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PubBatchTest {

    private static String text(ByteBuffer frames) {
        byte[] b = new byte[frames.remaining()];
        frames.duplicate().get(b);
        return new String(b, StandardCharsets.US_ASCII);
    }

    @Test
    void encodesFramesCyclingThroughPayloads() {
        PubBatch batch = PubBatch.encode("s", List.of("ab".getBytes(StandardCharsets.US_ASCII),
                "cde".getBytes(StandardCharsets.US_ASCII)), 30);
        assertTrue(batch.bytes() >= 30);
        assertEquals("PUB s 2\r\nab\r\nPUB s 3\r\ncde\r\nPUB s 2\r\nab\r\n", text(batch.frames(3)));
        assertEquals("PUB s 2\r\nab\r\n", text(batch.frames(1)));
        assertEquals(batch.bytes(), batch.frames(batch.messages()).remaining());
    }

    @Test
    void countsPayloadBytesAcrossRepeatedBatches() {
        PubBatch batch = PubBatch.encode("s", List.of(new byte[10], new byte[20]), 40);
        assertEquals(2, batch.messages(), "one pass through the payloads");
        assertEquals(10, batch.payloadBytes(1));
        assertEquals(30 + 30 + 10, batch.payloadBytesOf(5));
        assertEquals(60, batch.payloadBytesOf(4));
    }
}
