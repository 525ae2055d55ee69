package io.meshery.broker.jetstream;

import java.nio.charset.StandardCharsets;

/**
 * Reads one value out of a NATS header block ({@code NATS/1.0\r\nName: value\r\n...\r\n\r\n}), without building
 * a map: a stored message keeps its header block as bytes. Names compare case-sensitively, as the clients write
 * them ({@code Nats-Msg-Id}, {@code Nats-Expected-Last-Sequence}, ...).
 */
final class Headers {

    static final String MSG_ID = "Nats-Msg-Id";
    static final String EXPECTED_STREAM = "Nats-Expected-Stream";
    static final String EXPECTED_LAST_SEQ = "Nats-Expected-Last-Sequence";
    static final String EXPECTED_LAST_SUBJECT_SEQ = "Nats-Expected-Last-Subject-Sequence";
    static final String EXPECTED_LAST_MSG_ID = "Nats-Expected-Last-Msg-Id";

    private Headers() {
    }

    /** The first value of {@code name}, trimmed, or {@code null}; {@code block} may be null. */
    static String get(byte[] block, String name) {
        if (block == null) {
            return null;
        }
        String text = new String(block, StandardCharsets.ISO_8859_1);
        int line = text.indexOf("\r\n");
        while (line >= 0 && line + 2 < text.length()) {
            int start = line + 2;
            int end = text.indexOf("\r\n", start);
            if (end < 0 || end == start) {
                return null;
            }
            int colon = text.indexOf(':', start);
            if (colon > start && colon < end && text.regionMatches(start, name, 0, name.length())
                    && colon - start == name.length()) {
                return new String(block, colon + 1, end - colon - 1, StandardCharsets.UTF_8).trim();
            }
            line = end;
        }
        return null;
    }

    /**
     * The headers that decide how a published message is stored, read in one pass over its header block: its
     * {@code Nats-Msg-Id} and its {@code Nats-Expected-*} conditions (each null when absent).
     */
    record Publish(String msgId, String expectedStream, String expectedLastSeq, String expectedLastSubjectSeq,
                   String expectedLastMsgId) {

        static final Publish NONE = new Publish(null, null, null, null, null);

        static Publish of(byte[] block) {
            if (block == null) {
                return NONE;
            }
            return new Publish(get(block, MSG_ID), get(block, EXPECTED_STREAM), get(block, EXPECTED_LAST_SEQ),
                get(block, EXPECTED_LAST_SUBJECT_SEQ), get(block, EXPECTED_LAST_MSG_ID));
        }

        /** Whether the message may be stored only if the stream is as it expects. */
        boolean hasExpectations() {
            return expectedStream != null || expectedLastSeq != null || expectedLastSubjectSeq != null
                || expectedLastMsgId != null;
        }
    }
}
