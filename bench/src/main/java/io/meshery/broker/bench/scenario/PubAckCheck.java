package io.meshery.broker.bench.scenario;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks the PubAcks of one publisher to one stream, in the order they arrive: each must be
 * {@code {"stream":"<name>","seq":N}} with no {@code "error"} and no {@code "duplicate":true}, the sequence one
 * above the previous ack's (the first is {@code firstSeq}), and it must arrive on the inbox of the message that got
 * that sequence: message {@code n} (counting from 0) is acknowledged on inbox token {@code n} with sequence
 * {@code firstSeq + n}.
 *
 * <p>The JSON is scanned as bytes for the few fields a PubAck has; nothing is allocated for a good ack. Each kind of
 * fault is counted, and the first example of each kept for the report. Thread-safety: none; the publisher's thread.
 */
final class PubAckCheck {

    private static final byte[] STREAM_KEY = "\"stream\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SEQ_KEY = "\"seq\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ERROR_KEY = "\"error\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DUPLICATE = "\"duplicate\":true".getBytes(StandardCharsets.US_ASCII);

    private final byte[] stream;
    private final long firstSeq;
    private long expectedSeq;
    private long acks;
    private long errors;
    private long wrongStream;
    private long outOfOrder;
    private long wrongInbox;
    private long duplicates;
    private final List<String> examples = new ArrayList<>();

    PubAckCheck(String stream, long firstSeq) {
        this.stream = stream.getBytes(StandardCharsets.US_ASCII);
        this.firstSeq = firstSeq;
        this.expectedSeq = firstSeq;
    }

    /**
     * Checks one ack: {@code json[0, length)}, received on the inbox of message {@code token} (-1 when the inbox
     * carried no number).
     */
    void check(long token, byte[] json, int length) {
        long seq = expectedSeq++;
        acks++;
        if (indexOf(json, length, ERROR_KEY, 0) >= 0) {
            fault(++errors, "error", json, length);
            return;
        }
        int s = indexOf(json, length, STREAM_KEY, 0);
        if (s < 0 || !nameAt(json, length, s + STREAM_KEY.length)) {
            fault(++wrongStream, "wrong or missing stream", json, length);
        }
        int q = indexOf(json, length, SEQ_KEY, 0);
        long got = q < 0 ? -1 : number(json, length, q + SEQ_KEY.length);
        if (got != seq) {
            fault(++outOfOrder, "sequence " + got + " where " + seq + " was due", json, length);
            if (got > 0) {
                expectedSeq = got + 1; // judge the next ack against this one: one gap is one fault
            }
        }
        if (token >= 0 && got >= 0 && got != token + firstSeq) {
            fault(++wrongInbox, "sequence " + got + " on the inbox of message " + token, json, length);
        }
        if (indexOf(json, length, DUPLICATE, 0) >= 0) {
            fault(++duplicates, "duplicate", json, length);
        }
    }

    private void fault(long count, String what, byte[] json, int length) {
        if (count == 1 && examples.size() < 8) {
            examples.add(what + " (ack " + acks + ": " + new String(json, 0, Math.min(length, 200),
                    StandardCharsets.UTF_8) + ")");
        }
    }

    private boolean nameAt(byte[] json, int length, int from) {
        int end = from + stream.length;
        if (end >= length || json[end] != '"') {
            return false;
        }
        for (int k = 0; k < stream.length; k++) {
            if (json[from + k] != stream[k]) {
                return false;
            }
        }
        return true;
    }

    private static long number(byte[] json, int length, int from) {
        int i = from;
        while (i < length && json[i] == ' ') {
            i++;
        }
        long n = 0;
        int digits = 0;
        for (; i < length && json[i] >= '0' && json[i] <= '9' && digits < 19; i++, digits++) {
            n = n * 10 + (json[i] - '0');
        }
        return digits == 0 ? -1 : n;
    }

    static int indexOf(byte[] b, int length, byte[] key, int from) {
        outer:
        for (int i = from; i <= length - key.length; i++) {
            for (int k = 0; k < key.length; k++) {
                if (b[i + k] != key[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** Acks checked. */
    long acks() {
        return acks;
    }

    /** Faults seen, over every kind (one ack may have several). */
    long faults() {
        return errors + wrongStream + outOfOrder + wrongInbox + duplicates;
    }

    /** One line per kind of fault seen: its count and its first example. Empty when every ack was good. */
    List<String> problems() {
        List<String> problems = new ArrayList<>();
        add(problems, errors, "PubAcks with an error");
        add(problems, wrongStream, "PubAcks naming another stream or none");
        add(problems, outOfOrder, "PubAcks whose sequence is not the previous one + 1");
        add(problems, wrongInbox, "PubAcks on another message's inbox");
        add(problems, duplicates, "PubAcks marked duplicate");
        if (!problems.isEmpty()) {
            problems.add("first examples: " + String.join("; ", examples));
        }
        return problems;
    }

    private static void add(List<String> problems, long n, String what) {
        if (n > 0) {
            problems.add(n + " " + what);
        }
    }
}
