package io.meshery.broker.bench.scenario;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small helpers shared by the scenarios: fixed payloads, PUB frame tails and metric maps. */
final class Payloads {

    /** Target size of one pre-encoded publish batch. */
    static final int BATCH_BYTES = 256 * 1024;

    private Payloads() {
    }

    /** {@code size} printable bytes, {@code a..z} repeated. */
    static byte[] filled(int size) {
        byte[] payload = new byte[size];
        for (int i = 0; i < size; i++) {
            payload[i] = (byte) ('a' + i % 26);
        }
        return payload;
    }

    /** {@code " <n>\r\n<payload>\r\n"}: what follows the subject (and reply) in a {@code PUB} frame. */
    static byte[] pubTail(byte[] payload) {
        byte[] size = (" " + payload.length + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = Arrays.copyOf(size, size.length + payload.length + 2);
        System.arraycopy(payload, 0, tail, size.length, payload.length);
        tail[tail.length - 2] = '\r';
        tail[tail.length - 1] = '\n';
        return tail;
    }

    /** An insertion-ordered map of metric values: {@code values("a", 1.0, "b", 2.0)}. */
    static Map<String, Double> values(Object... idsAndValues) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (int i = 0; i < idsAndValues.length; i += 2) {
            values.put((String) idsAndValues[i], ((Number) idsAndValues[i + 1]).doubleValue());
        }
        return values;
    }
}
