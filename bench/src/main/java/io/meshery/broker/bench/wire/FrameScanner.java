package io.meshery.broker.bench.wire;

import java.nio.charset.StandardCharsets;

/**
 * Incremental scanner for the frames a NATS server sends to a client.
 *
 * <p>The caller reads from the socket into a byte array and hands the filled range to {@link #scan}; the scanner
 * walks control lines in place, reports each {@code MSG}/{@code HMSG} header to a {@link MsgHandler}, and then passes
 * over the payload and its trailing CRLF without looking at it, even when the payload spans many reads. It returns
 * where an incomplete control line starts; the caller keeps those bytes and appends the next read after them.
 * {@code PING}, {@code PONG}, {@code +OK}, {@code INFO} and {@code -ERR} are only counted (the first error text is
 * kept); answering a {@code PING} is the connection's job.
 *
 * <p>Nothing is allocated per message. Thread-safety: none; one scanner per connection, used by the thread that
 * reads that connection. Counters may be read from other threads only through the owner's own publication.
 */
public final class FrameScanner {

    /** Receives each message header. The byte ranges point into the caller's buffer and are valid during the call. */
    @FunctionalInterface
    public interface MsgHandler {
        /**
         * @param buf          the read buffer
         * @param subjectStart first byte of the subject
         * @param subjectEnd   one past the last byte of the subject
         * @param replyStart   first byte of the reply subject, or -1 if the message has none
         * @param replyEnd     one past the last byte of the reply subject, or -1
         * @param payloadSize  payload bytes that follow (headers included for HMSG)
         */
        void onMsg(byte[] buf, int subjectStart, int subjectEnd, int replyStart, int replyEnd, int payloadSize);
    }

    /**
     * A handler that also sees each message's payload (for HMSG: headers and payload), without the trailing CRLF.
     * After {@link #onMsg}, {@link #onPayload} gets the payload's bytes in order, in as many pieces as the reads
     * cut it into (none for an empty payload), then {@link #onPayloadEnd} is called once. Pass the same handler to
     * every {@link #scan} while a payload is open.
     */
    public interface PayloadHandler extends MsgHandler {
        /** The next piece of the current payload: {@code buf[from, to)}, valid during the call. */
        void onPayload(byte[] buf, int from, int to);

        /** The current payload has arrived in full. */
        void onPayloadEnd();
    }

    /** A handler for connections that only count. */
    public static final MsgHandler IGNORE = (b, s, e, rs, re, n) -> { };

    /** Longest control line accepted; INFO can be long, MSG lines are bounded by the server's 4096. */
    public static final int MAX_CONTROL_LINE = 64 * 1024;

    private static final int MAX_TOKENS = 6;

    private final int[] tokenStart = new int[MAX_TOKENS];
    private final int[] tokenEnd = new int[MAX_TOKENS];
    /** Payload and CRLF bytes of the current message not yet passed over; 0 between frames. */
    private long skip;
    private long completed;
    private long pings;
    private long pongs;
    private long infos;
    private long oks;
    private long errors;
    private String firstError;

    /**
     * Scans {@code buf[from, to)}.
     *
     * @return the index of the first byte not consumed: the start of an incomplete control line, or {@code to}
     * @throws NatsProtocolException on a malformed frame or an over-long control line
     */
    public int scan(byte[] buf, int from, int to, MsgHandler handler) throws NatsProtocolException {
        int i = from;
        PayloadHandler payloads = handler instanceof PayloadHandler p ? p : null;
        while (i < to) {
            if (skip > 0) {
                int available = to - i;
                if (payloads != null) {
                    int piece = (int) Math.min(available, Math.max(0, skip - 2));
                    if (piece > 0) {
                        payloads.onPayload(buf, i, i + piece);
                    }
                }
                if (available < skip) {
                    skip -= available;
                    return to;
                }
                i += (int) skip;
                skip = 0;
                completed++;
                if (payloads != null) {
                    payloads.onPayloadEnd();
                }
                continue;
            }
            int newline = indexOfNewline(buf, i, to);
            if (newline < 0) {
                if (to - i > MAX_CONTROL_LINE) {
                    throw new NatsProtocolException("control line longer than " + MAX_CONTROL_LINE + " bytes");
                }
                return i;
            }
            controlLine(buf, i, newline, handler);
            i = newline + 1;
        }
        return to;
    }

    private static int indexOfNewline(byte[] buf, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void controlLine(byte[] b, int start, int newline, MsgHandler handler) throws NatsProtocolException {
        int end = newline > start && b[newline - 1] == '\r' ? newline - 1 : newline;
        if (startsWith(b, start, end, "MSG ") || startsWith(b, start, end, "MSG\t")) {
            message(b, start + 4, end, false, handler);
        } else if (startsWith(b, start, end, "HMSG ") || startsWith(b, start, end, "HMSG\t")) {
            message(b, start + 5, end, true, handler);
        } else if (startsWith(b, start, end, "PING")) {
            pings++;
        } else if (startsWith(b, start, end, "PONG")) {
            pongs++;
        } else if (startsWith(b, start, end, "+OK")) {
            oks++;
        } else if (startsWith(b, start, end, "-ERR")) {
            errors++;
            if (firstError == null) {
                firstError = new String(b, start, end - start, StandardCharsets.US_ASCII);
            }
        } else if (startsWith(b, start, end, "INFO")) {
            infos++;
        } else {
            throw new NatsProtocolException("unexpected frame: " + printable(b, start, end));
        }
    }

    /** Case-insensitive prefix test against an upper-case ASCII op. */
    private static boolean startsWith(byte[] b, int start, int end, String op) {
        int n = op.length();
        if (end - start < n) {
            return false;
        }
        for (int k = 0; k < n; k++) {
            int c = b[start + k];
            if (c >= 'a' && c <= 'z') {
                c -= 'a' - 'A';
            }
            if (c != op.charAt(k)) {
                return false;
            }
        }
        return true;
    }

    /** {@code MSG <subject> <sid> [reply] <size>} or {@code HMSG <subject> <sid> [reply] <hdr> <total>}. */
    private void message(byte[] b, int from, int end, boolean withHeaders, MsgHandler handler)
            throws NatsProtocolException {
        int count = tokenize(b, from, end);
        int plain = withHeaders ? 4 : 3;
        if (count != plain && count != plain + 1) {
            throw new NatsProtocolException("bad message line: " + printable(b, from, end));
        }
        int reply = count == plain + 1 ? 2 : -1;
        long size = parseSize(b, tokenStart[count - 1], tokenEnd[count - 1]);
        if (size < 0) {
            throw new NatsProtocolException("bad message size: " + printable(b, from, end));
        }
        handler.onMsg(b, tokenStart[0], tokenEnd[0],
                reply < 0 ? -1 : tokenStart[reply], reply < 0 ? -1 : tokenEnd[reply], (int) size);
        skip = size + 2;
    }

    private int tokenize(byte[] b, int from, int end) throws NatsProtocolException {
        int count = 0;
        int i = from;
        while (i < end) {
            while (i < end && (b[i] == ' ' || b[i] == '\t')) {
                i++;
            }
            if (i == end) {
                break;
            }
            if (count == MAX_TOKENS) {
                throw new NatsProtocolException("too many arguments: " + printable(b, from, end));
            }
            tokenStart[count] = i;
            while (i < end && b[i] != ' ' && b[i] != '\t') {
                i++;
            }
            tokenEnd[count++] = i;
        }
        return count;
    }

    private static long parseSize(byte[] b, int from, int to) {
        if (from == to || to - from > 10) {
            return -1;
        }
        long n = 0;
        for (int i = from; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            n = n * 10 + d;
        }
        return n;
    }

    private static String printable(byte[] b, int from, int to) {
        int n = Math.min(to - from, 120);
        return new String(b, from, Math.max(n, 0), StandardCharsets.US_ASCII);
    }

    /** Messages whose payload and trailing CRLF have been passed over in full. */
    public long messagesCompleted() {
        return completed;
    }

    /** {@code PING} frames seen. */
    public long pings() {
        return pings;
    }

    /** {@code PONG} frames seen. */
    public long pongs() {
        return pongs;
    }

    /** {@code INFO} frames seen. */
    public long infos() {
        return infos;
    }

    /** {@code +OK} frames seen. */
    public long oks() {
        return oks;
    }

    /** {@code -ERR} frames seen. */
    public long errors() {
        return errors;
    }

    /** The text of the first {@code -ERR}, or null. */
    public String firstError() {
        return firstError;
    }
}
