package io.meshery.broker.persistence;

import java.util.Arrays;
import java.util.Objects;

/**
 * One message as stored: its stream sequence, subject, optional headers, payload and the store time in
 * nanoseconds since the epoch. Equality compares the byte arrays by content.
 *
 * @param seq       the stream sequence, from 1, contiguous and never reused
 * @param subject   the subject the message was published on
 * @param headers   the raw NATS header block ({@code NATS/1.0\r\n...}), or null when there is none
 * @param payload   the payload, never null
 * @param timestamp the store time, nanoseconds since the epoch
 */
public record StoredMessage(long seq, String subject, byte[] headers, byte[] payload, long timestamp) {

    public StoredMessage {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(payload, "payload");
        if (headers != null && headers.length == 0) {
            headers = null;
        }
    }

    /** The bytes this message counts for in {@link StreamState#bytes()}: see {@link #storedSize}. */
    public long size() {
        return storedSize(Records.utf8Length(subject), headers == null ? 0 : headers.length, payload.length);
    }

    /**
     * The accounting of nats-server ({@code fileStoreMsgSize}): subject, headers and payload plus a fixed
     * overhead; ours is the record header of the file format, so that a message counts for exactly the bytes
     * its record takes in a segment file, in both stores.
     */
    public static long storedSize(int subjectBytes, int headerBytes, int payloadBytes) {
        return (long) Records.HEADER_BYTES + subjectBytes + headerBytes + payloadBytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredMessage m && seq == m.seq && timestamp == m.timestamp && subject.equals(m.subject)
                && Arrays.equals(headers, m.headers) && Arrays.equals(payload, m.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(seq, subject, timestamp) * 31 + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        return "StoredMessage[seq=" + seq + ", subject=" + subject + ", headers="
                + (headers == null ? "none" : headers.length + "B") + ", payload=" + payload.length + "B, ts=" + timestamp + "]";
    }
}
