package io.meshery.broker.bench.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A run of {@code PUB <subject> <n>\r\n<payload>\r\n} frames encoded once into a direct buffer, so that publishing
 * costs one socket write per batch and nothing per message. Payloads are taken from a list in turn, which lets a
 * batch mix message sizes.
 *
 * <p>Thread-safety: none; the buffer's position and limit are changed by {@link #frames}. One batch per publisher.
 */
public final class PubBatch {

    private final ByteBuffer frames;
    private final int[] ends;
    private final long[] payloadBytes;

    private PubBatch(ByteBuffer frames, int[] ends, long[] payloadBytes) {
        this.frames = frames;
        this.ends = ends;
        this.payloadBytes = payloadBytes;
    }

    /**
     * Encodes frames, cycling through {@code payloads}, until the batch reaches {@code targetBytes} (at least one
     * frame, and at least one pass through the payloads when that fits in {@code 4 * targetBytes}).
     */
    public static PubBatch encode(String subject, List<byte[]> payloads, int targetBytes) {
        if (payloads.isEmpty()) {
            throw new IllegalArgumentException("no payloads");
        }
        byte[] subjectBytes = subject.getBytes(StandardCharsets.US_ASCII);
        int frameCount = 0;
        long size = 0;
        while (frameCount == 0 || size < targetBytes
                || (frameCount < payloads.size() && size < 4L * targetBytes)) {
            size += frameLength(subjectBytes, payloads.get(frameCount % payloads.size()).length);
            frameCount++;
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(Math.toIntExact(size));
        int[] ends = new int[frameCount];
        long[] cumulative = new long[frameCount];
        long payloadTotal = 0;
        for (int k = 0; k < frameCount; k++) {
            byte[] payload = payloads.get(k % payloads.size());
            buf.put(("PUB " + subject + " " + payload.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            buf.put(payload);
            buf.put((byte) '\r').put((byte) '\n');
            ends[k] = buf.position();
            payloadTotal += payload.length;
            cumulative[k] = payloadTotal;
        }
        return new PubBatch(buf, ends, cumulative);
    }

    private static int frameLength(byte[] subject, int payloadLength) {
        return 4 + subject.length + 1 + Integer.toString(payloadLength).length() + 2 + payloadLength + 2;
    }

    /** Frames in the batch. */
    public int messages() {
        return ends.length;
    }

    /** Encoded bytes of the whole batch. */
    public int bytes() {
        return ends[ends.length - 1];
    }

    /** The buffer positioned to write the first {@code count} frames (1 ≤ count ≤ {@link #messages()}). */
    public ByteBuffer frames(int count) {
        frames.clear();
        frames.limit(ends[count - 1]);
        return frames;
    }

    /** Payload bytes in the first {@code count} frames. */
    public long payloadBytes(int count) {
        return payloadBytes[count - 1];
    }

    /** Payload bytes in {@code total} frames published batch after batch from the start. */
    public long payloadBytesOf(long total) {
        long full = total / messages();
        int rest = (int) (total % messages());
        return full * payloadBytes[messages() - 1] + (rest == 0 ? 0 : payloadBytes[rest - 1]);
    }
}
