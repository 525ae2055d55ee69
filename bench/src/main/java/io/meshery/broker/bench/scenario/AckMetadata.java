package io.meshery.broker.bench.scenario;

/**
 * Reads the delivery metadata out of a JetStream message's reply subject, in place and without allocating, as
 * nats.go's {@code getMetadataFields} does: {@code $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer
 * seq>.<timestamp>.<pending>} (9 tokens, nats-server 2.9), or the form with {@code <domain>.<account hash>} after
 * {@code $JS.ACK} (11 tokens, 12 with a trailing random token).
 */
final class AckMetadata {

    private static final byte[] PREFIX = "$JS.ACK.".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private AckMetadata() {
    }

    /**
     * Parses {@code b[from, to)}; on success puts the delivered count, the stream sequence and the consumer
     * sequence into {@code out[0..2]}.
     *
     * @return false when it is not a {@code $JS.ACK} subject of a known form
     */
    static boolean parse(byte[] b, int from, int to, long[] out) {
        if (to - from < PREFIX.length) {
            return false;
        }
        for (int i = 0; i < PREFIX.length; i++) {
            if (b[from + i] != PREFIX[i]) {
                return false;
            }
        }
        int tokens = 1;
        for (int i = from; i < to; i++) {
            if (b[i] == '.') {
                tokens++;
            }
        }
        int shift;
        if (tokens == 9) {
            shift = 0;
        } else if (tokens >= 11) {
            shift = 2;
        } else {
            return false;
        }
        int token = 0;
        int start = from;
        for (int i = from; i <= to; i++) {
            if (i == to || b[i] == '.') {
                int field = token - shift - 4; // 0 delivered, 1 stream seq, 2 consumer seq
                if (field >= 0 && field <= 2) {
                    long n = number(b, start, i);
                    if (n < 0) {
                        return false;
                    }
                    out[field] = n;
                }
                token++;
                start = i + 1;
            }
        }
        return true;
    }

    private static long number(byte[] b, int from, int to) {
        if (from == to || to - from > 19) {
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
}
