package io.meshery.broker.protocol;

import java.nio.charset.StandardCharsets;

/**
 * The client side of the NATS wire protocol, parsed incrementally from whatever chunks the socket delivers.
 *
 * <p>Operations are recognised case-insensitively, arguments are separated by runs of spaces or tabs, and a
 * control line ends with {@code \n} (an optional {@code \r} before it is dropped). A message payload must be
 * followed by exactly {@code \r\n}. When a whole control line and its payload sit in the chunk passed to
 * {@link #parse}, the handler receives slices of that chunk and nothing is copied; a line or payload that
 * spans chunks is carried over in a buffer of the parser's own.
 *
 * <p>The parser stops at the first fault: it reports one {@link ParseError} and ignores all later input.
 * A handler may {@link #pause()} the parser from inside a callback; {@link #parse} then returns how many
 * bytes it consumed, and the caller hands the rest in again when it is ready to go on.
 *
 * <p>Not thread-safe: one parser belongs to one connection and is driven by that connection alone.
 */
public final class ProtocolParser {

    /** Receives the operations of one connection, in order. */
    public interface Handler {
        /** {@code CONNECT <json>}: the JSON text as a slice. */
        void onConnect(byte[] buf, int off, int len);

        /**
         * {@code PUB} or {@code HPUB}: {@code args} describes the control line (valid only during the
         * call), the payload is {@code buf[off, off+len)} and includes the header block for HPUB.
         */
        void onPublish(PubArgs args, byte[] buf, int off, int len);

        /** {@code SUB <subject> [queue] <sid>}; {@code queue} is {@code null} when absent. */
        void onSubscribe(String subject, String queue, String sid);

        /**
         * {@code UNSUB <sid> [max]}: {@code max} is the number of messages after which the subscription
         * ends, or {@code 0} to end it now (also when the max is not a number, as nats-server does).
         */
        void onUnsubscribe(String sid, long max);

        void onPing();

        void onPong();

        /** A fault: the connection must be closed; {@code detail} is for the log. */
        void onParseError(ParseError error, String detail);
    }


    private static final int OP_UNDECIDED = 0;
    private static final int OP_UNKNOWN = -1;
    private static final int OP_PUB = 1;
    private static final int OP_HPUB = 2;
    private static final int OP_SUB = 3;
    private static final int OP_UNSUB = 4;
    private static final int OP_CONNECT = 5;
    private static final int OP_PING = 6;
    private static final int OP_PONG = 7;
    private static final int OP_INFO = 8;
    private static final int OP_OK = 9;
    private static final int OP_ERR = 10;

    private static final byte[][] OP_NAMES = {
        null, "PUB".getBytes(StandardCharsets.US_ASCII), "HPUB".getBytes(StandardCharsets.US_ASCII),
        "SUB".getBytes(StandardCharsets.US_ASCII), "UNSUB".getBytes(StandardCharsets.US_ASCII),
        "CONNECT".getBytes(StandardCharsets.US_ASCII), "PING".getBytes(StandardCharsets.US_ASCII),
        "PONG".getBytes(StandardCharsets.US_ASCII), "INFO".getBytes(StandardCharsets.US_ASCII),
        "+OK".getBytes(StandardCharsets.US_ASCII), "-ERR".getBytes(StandardCharsets.US_ASCII),
    };

    private static final int[] P_OPS = {OP_PUB, OP_PING, OP_PONG};
    private static final int[] H_OPS = {OP_HPUB};
    private static final int[] S_OPS = {OP_SUB};
    private static final int[] U_OPS = {OP_UNSUB};
    private static final int[] C_OPS = {OP_CONNECT};
    private static final int[] I_OPS = {OP_INFO};
    private static final int[] OK_OPS = {OP_OK};
    private static final int[] ERR_OPS = {OP_ERR};

    private final Handler handler;
    private final int maxControlLine;
    private final int maxPayload;
    private boolean headersAllowed;

    private final PubArgs pubArgs = new PubArgs();
    private final int[] argStart = new int[4];
    private final int[] argEnd = new int[4];

    /** A control line that spans chunks. */
    private byte[] lineBuf = new byte[64];
    private int lineLen;

    /** While {@code true} the parser waits for a payload of {@code payloadNeed} bytes (CRLF included). */
    private boolean inPayload;
    private int payloadNeed;
    private byte[] payloadBuf;
    private int payloadLen;

    private boolean paused;
    private boolean failed;

    public ProtocolParser(Handler handler, int maxControlLine, int maxPayload) {
        this.handler = handler;
        this.maxControlLine = maxControlLine;
        this.maxPayload = maxPayload;
    }

    /** Whether HPUB is accepted: set once the client announced {@code headers:true}. */
    public void setHeadersAllowed(boolean allowed) {
        this.headersAllowed = allowed;
    }

    /** Called from inside a handler callback: stop after the current operation. */
    public void pause() {
        paused = true;
    }

    public boolean hasFailed() {
        return failed;
    }

    /**
     * Whether the next byte parsed starts a new operation (no control line or payload is half read): where
     * nats-server checks that a client which must authenticate begins with {@code CONNECT}.
     */
    public boolean atOperationStart() {
        return !inPayload && lineLen == 0 && !failed;
    }

    /**
     * Parses {@code buf[off, off+len)}.
     *
     * @return how many bytes were consumed: {@code len} unless the handler paused the parser or a fault
     *     stopped it
     */
    public int parse(byte[] buf, int off, int len) {
        paused = false;
        int pos = off;
        final int end = off + len;
        while (pos < end && !paused && !failed) {
            if (inPayload) {
                pos = parsePayload(buf, pos, end);
            } else {
                pos = parseLine(buf, pos, end);
            }
        }
        return pos - off;
    }

    private int parseLine(byte[] buf, int pos, int end) {
        if (lineLen == 0) {
            int next = parsePubInOnePass(buf, pos, end);
            if (next >= 0) {
                return next;
            }
        }
        int nl = indexOf(buf, pos, end, (byte) '\n');
        if (nl < 0) {
            appendLine(buf, pos, end - pos);
            int op = recognise(lineBuf, 0, lineLen, false);
            if (op == OP_UNKNOWN) {
                fail(ParseError.UNKNOWN_OPERATION, "unknown operation");
            } else if (lineLen > maxControlLine) {
                fail(ParseError.MAX_CONTROL_LINE, "control line of " + lineLen + " bytes and not ended");
            }
            return end;
        }
        byte[] line;
        int lineOff;
        int contentEnd;
        if (lineLen == 0) {
            line = buf;
            lineOff = pos;
            contentEnd = nl;
        } else {
            appendLine(buf, pos, nl - pos);
            line = lineBuf;
            lineOff = 0;
            contentEnd = lineLen;
            lineLen = 0;
        }
        if (contentEnd > lineOff && line[contentEnd - 1] == '\r') {
            contentEnd--;
        }
        processLine(line, lineOff, contentEnd);
        if (inPayload && line == buf && nl + 1 + payloadNeed > end) {
            // The payload continues in a later chunk: keep the control line, the chunk may not live on.
            keepPubLine();
        }
        return nl + 1;
    }

    private void processLine(byte[] line, int off, int end) {
        int len = end - off;
        int op = recognise(line, off, len, true);
        if (op == OP_UNKNOWN || op == OP_UNDECIDED) {
            fail(ParseError.UNKNOWN_OPERATION, "unknown operation");
            return;
        }
        if (len > maxControlLine) {
            fail(ParseError.MAX_CONTROL_LINE, "control line of " + len + " bytes");
            return;
        }
        int argsOff = off + OP_NAMES[op].length;
        switch (op) {
            case OP_PUB -> processPub(line, argsOff, end, false);
            case OP_HPUB -> processPub(line, argsOff, end, true);
            case OP_SUB -> processSub(line, argsOff, end);
            case OP_UNSUB -> processUnsub(line, argsOff, end);
            case OP_CONNECT -> processConnect(line, argsOff, end);
            case OP_PING -> handler.onPing();
            case OP_PONG -> handler.onPong();
            case OP_ERR -> fail(ParseError.CLIENT_ERROR, "client sent -ERR");
            default -> { } // INFO and +OK from a client are accepted and ignored, as nats-server does
        }
    }

    /**
     * The common case in one pass over the bytes: a PUB or HPUB whose control line lies whole in this chunk,
     * and, when its payload does too, the delivery to the handler. It splits the arguments while it looks for
     * the end of the line (the general path looks for the end, recognises the operation, then splits).
     *
     * @return where parsing goes on, or {@code -1} when this is not such a line, or an unusual one (too
     *     many arguments, too long, HPUB not allowed): the general path then parses it and reports any fault
     */
    private int parsePubInOnePass(byte[] buf, int pos, int end) {
        int i = pos;
        if (end - i < 8) { // the shortest, "PUB a 0\n"
            return -1;
        }
        boolean headers = (buf[i] | 0x20) == 'h'; // letters differ from their capitals in bit 5 only
        if (headers) {
            if (!headersAllowed) {
                return -1;
            }
            i++;
        }
        if ((buf[i] | 0x20) != 'p' || (buf[i + 1] | 0x20) != 'u' || (buf[i + 2] | 0x20) != 'b'
            || (buf[i + 3] != ' ' && buf[i + 3] != '\t')) {
            return -1;
        }
        i += 4;
        int[] starts = argStart;
        int[] ends = argEnd;
        int n = 0;
        int c;
        while (true) {
            while ((c = buf[i]) == ' ' || c == '\t') { // the blanks before an argument or the end
                if (++i == end) {
                    return -1; // the line goes on in the next chunk
                }
            }
            if (c == '\n') {
                break;
            }
            if (n == starts.length) {
                return -1;
            }
            starts[n] = i;
            do { // an argument: any byte but blank and LF; most are above the space, which one compare tells
                if (++i == end) {
                    return -1;
                }
                c = buf[i];
            } while (c > ' ' || (c != ' ' && c != '\t' && c != '\n'));
            ends[n++] = i;
            if (c == '\n') {
                break;
            }
        }
        int nl = i;
        int contentEnd = nl;
        if (n > 0 && ends[n - 1] == nl && buf[nl - 1] == '\r') {
            // The line ends in CRLF: the CR belongs to no argument.
            contentEnd--;
            if (--ends[n - 1] == starts[n - 1]) {
                n--;
            }
        }
        if (contentEnd - pos > maxControlLine) {
            return -1;
        }
        if (!takePubArgs(buf, n, headers)) {
            return nl + 1;
        }
        int payloadStart = nl + 1;
        if (end - payloadStart < payloadNeed) {
            keepPubLine(); // the payload continues in a later chunk, which may not live on
            return payloadStart;
        }
        int size = payloadNeed - 2;
        if (buf[payloadStart + size] != '\r' || buf[payloadStart + size + 1] != '\n') {
            fail(ParseError.UNKNOWN_OPERATION, "payload not followed by CRLF");
            return end;
        }
        inPayload = false;
        handler.onPublish(pubArgs, buf, payloadStart, size);
        return payloadStart + payloadNeed;
    }

    private void processPub(byte[] line, int off, int end, boolean headers) {
        if (headers && !headersAllowed) {
            fail(ParseError.BAD_ARGUMENTS, "HPUB without headers support");
            return;
        }
        takePubArgs(line, splitArgs(line, off, end), headers);
    }

    /**
     * Takes the {@code n} arguments of a PUB or HPUB line from {@link #argStart}/{@link #argEnd} and sets the
     * parser to read the payload; or reports the fault.
     *
     * @return {@code false} after a fault
     */
    private boolean takePubArgs(byte[] line, int n, boolean headers) {
        String op = headers ? "HPUB" : "PUB";
        int sizeArgs = headers ? 2 : 1;
        if (n < 1 + sizeArgs || n > 2 + sizeArgs) {
            fail(ParseError.BAD_ARGUMENTS, op + " with " + n + " arguments");
            return false;
        }
        PubArgs a = pubArgs;
        a.reset();
        a.line = line;
        a.subjectOff = argStart[0];
        a.subjectLen = argEnd[0] - argStart[0];
        if (n == 2 + sizeArgs) {
            a.replyOff = argStart[1];
            a.replyLen = argEnd[1] - argStart[1];
        }
        int total = parseSize(line, argStart[n - 1], argEnd[n - 1]);
        if (total < 0) {
            fail(ParseError.BAD_ARGUMENTS, op + " with a bad size");
            return false;
        }
        if (headers) {
            int hdr = parseSize(line, argStart[n - 2], argEnd[n - 2]);
            if (hdr < 0 || hdr > total) {
                fail(ParseError.BAD_ARGUMENTS, "HPUB with a bad header size");
                return false;
            }
            a.headerSize = hdr;
        }
        if (total > maxPayload) {
            fail(ParseError.MAX_PAYLOAD, op + " of " + total + " bytes");
            return false;
        }
        a.totalSize = total;
        inPayload = true;
        payloadNeed = total + 2;
        payloadLen = 0;
        payloadBuf = null;
        return true;
    }

    private int parsePayload(byte[] buf, int pos, int end) {
        int available = end - pos;
        if (payloadBuf == null && available >= payloadNeed) {
            int size = payloadNeed - 2;
            if (buf[pos + size] != '\r' || buf[pos + size + 1] != '\n') {
                fail(ParseError.UNKNOWN_OPERATION, "payload not followed by CRLF");
                return end;
            }
            inPayload = false;
            handler.onPublish(pubArgs, buf, pos, size);
            return pos + payloadNeed;
        }
        if (payloadBuf == null) {
            payloadBuf = new byte[payloadNeed];
        }
        int take = Math.min(available, payloadNeed - payloadLen);
        System.arraycopy(buf, pos, payloadBuf, payloadLen, take);
        payloadLen += take;
        if (payloadLen == payloadNeed) {
            int size = payloadNeed - 2;
            byte[] p = payloadBuf;
            payloadBuf = null;
            inPayload = false;
            if (p[size] != '\r' || p[size + 1] != '\n') {
                fail(ParseError.UNKNOWN_OPERATION, "payload not followed by CRLF");
                return end;
            }
            handler.onPublish(pubArgs, p, 0, size);
        }
        return pos + take;
    }

    /** Copies the current PUB control line into a buffer of the parser's own and re-points the arguments. */
    private void keepPubLine() {
        PubArgs a = pubArgs;
        int from = a.subjectOff;
        int to = a.replyLen > 0 ? a.replyOff + a.replyLen : a.subjectOff + a.subjectLen;
        byte[] copy = new byte[to - from];
        System.arraycopy(a.line, from, copy, 0, copy.length);
        a.line = copy;
        a.subjectOff -= from;
        if (a.replyLen > 0) {
            a.replyOff -= from;
        }
    }

    private void processSub(byte[] line, int off, int end) {
        int n = splitArgs(line, off, end);
        if (n != 2 && n != 3) {
            fail(ParseError.BAD_ARGUMENTS, "SUB with " + n + " arguments");
            return;
        }
        String subject = ascii(line, 0);
        String queue = n == 3 ? ascii(line, 1) : null;
        String sid = ascii(line, n - 1);
        handler.onSubscribe(subject, queue, sid);
    }

    private void processUnsub(byte[] line, int off, int end) {
        int n = splitArgs(line, off, end);
        if (n != 1 && n != 2) {
            fail(ParseError.BAD_ARGUMENTS, "UNSUB with " + n + " arguments");
            return;
        }
        long max = 0;
        if (n == 2) {
            max = Math.max(0, parseSize(line, argStart[1], argEnd[1]));
        }
        handler.onUnsubscribe(ascii(line, 0), max);
    }

    private void processConnect(byte[] line, int off, int end) {
        int start = off;
        while (start < end && (line[start] == ' ' || line[start] == '\t')) {
            start++;
        }
        if (start == end) {
            fail(ParseError.BAD_ARGUMENTS, "CONNECT without arguments");
            return;
        }
        handler.onConnect(line, start, end - start);
    }

    private String ascii(byte[] line, int arg) {
        return new String(line, argStart[arg], argEnd[arg] - argStart[arg], StandardCharsets.ISO_8859_1);
    }

    /**
     * Splits {@code line[off, end)} at runs of spaces and tabs into {@link #argStart}/{@link #argEnd}.
     *
     * @return the number of arguments, or {@code argStart.length + 1} when there are more than fit
     */
    private int splitArgs(byte[] line, int off, int end) {
        if (off < end && line[off] != ' ' && line[off] != '\t') {
            return 0; // the operation name runs on: "PUBX"
        }
        int n = 0;
        int i = off;
        while (i < end) {
            while (i < end && (line[i] == ' ' || line[i] == '\t')) {
                i++;
            }
            if (i == end) {
                break;
            }
            if (n == argStart.length) {
                return n + 1;
            }
            argStart[n] = i;
            while (i < end && line[i] != ' ' && line[i] != '\t') {
                i++;
            }
            argEnd[n++] = i;
        }
        return n;
    }

    /** A non-negative decimal of at most 9 digits, or {@code -1}: nats-server accepts no sign and no blanks. */
    static int parseSize(byte[] b, int from, int to) {
        int len = to - from;
        if (len == 0 || len > 9) {
            return -1;
        }
        int n = 0;
        for (int i = from; i < to; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            n = n * 10 + d;
        }
        return n;
    }

    /**
     * Which operation {@code b[off, off+len)} starts with. On an incomplete line {@link #OP_UNDECIDED}
     * means the bytes so far are still the start of some operation.
     */
    private static int recognise(byte[] b, int off, int len, boolean complete) {
        if (len == 0) {
            return complete ? OP_UNKNOWN : OP_UNDECIDED;
        }
        int[] candidates = switch (upper(b[off])) {
            case 'P' -> P_OPS;
            case 'H' -> H_OPS;
            case 'S' -> S_OPS;
            case 'U' -> U_OPS;
            case 'C' -> C_OPS;
            case 'I' -> I_OPS;
            case '+' -> OK_OPS;
            case '-' -> ERR_OPS;
            default -> null;
        };
        if (candidates == null) {
            return OP_UNKNOWN;
        }
        boolean undecided = false;
        for (int op : candidates) {
            byte[] name = OP_NAMES[op];
            int cmp = Math.min(len, name.length);
            boolean prefix = true;
            for (int i = 1; i < cmp; i++) {
                if (upper(b[off + i]) != name[i]) {
                    prefix = false;
                    break;
                }
            }
            if (!prefix) {
                continue;
            }
            if (len < name.length || (!complete && len == name.length && takesArguments(op))) {
                undecided = true;
                continue;
            }
            if (takesArguments(op) && len > name.length) {
                byte next = b[off + name.length];
                if (!complete && next == '\r' && len == name.length + 1) {
                    undecided = true; // the line may end right here
                    continue;
                }
                if (next != ' ' && next != '\t') {
                    continue; // "PUBX": not an operation
                }
            } else if (takesArguments(op) && op != OP_CONNECT) {
                continue; // "PUB" alone: nats-server calls it unknown; "CONNECT" alone is a bad argument
            }
            return op;
        }
        return undecided && !complete ? OP_UNDECIDED : OP_UNKNOWN;
    }

    private static boolean takesArguments(int op) {
        return op == OP_PUB || op == OP_HPUB || op == OP_SUB || op == OP_UNSUB || op == OP_CONNECT;
    }

    private static int upper(byte c) {
        return c >= 'a' && c <= 'z' ? c - 32 : c;
    }

    private static int indexOf(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private void appendLine(byte[] buf, int off, int len) {
        if (lineLen + len > lineBuf.length) {
            // Grow, but never keep more than the limit allows plus one chunk: the caller fails past it.
            byte[] bigger = new byte[Math.max(lineBuf.length * 2, lineLen + len)];
            System.arraycopy(lineBuf, 0, bigger, 0, lineLen);
            lineBuf = bigger;
        }
        System.arraycopy(buf, off, lineBuf, lineLen, len);
        lineLen += len;
    }

    private void fail(ParseError error, String detail) {
        failed = true;
        handler.onParseError(error, detail);
    }
}
