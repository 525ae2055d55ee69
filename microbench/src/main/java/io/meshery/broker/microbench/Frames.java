package io.meshery.broker.microbench;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Client protocol bytes as the benchmark clients and the official clients send them. */
public final class Frames {

    /** Messages per read chunk: one chunk of 16 B publishes is about 38 KiB, well inside one 128 KiB read. */
    public static final int BATCH = 1000;

    private Frames() {
    }

    public static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    public static byte[] payload(int size) {
        byte[] p = new byte[size];
        Arrays.fill(p, (byte) 'x');
        return p;
    }

    /** {@code count} times {@code PUB <subject> [reply] <n>\r\n<payload>\r\n}. */
    public static byte[] pubs(String subject, String reply, int payloadSize, int count) {
        byte[] line = ascii("PUB " + subject + (reply == null ? "" : " " + reply) + " " + payloadSize + "\r\n");
        return repeat(line, payload(payloadSize), count);
    }

    /** {@code count} times {@code HPUB <subject> <hdr> <total>\r\n<headers><payload>\r\n}. */
    public static byte[] hpubs(String subject, String headers, int payloadSize, int count) {
        byte[] hdr = ascii(headers);
        byte[] line = ascii("HPUB " + subject + " " + hdr.length + " " + (hdr.length + payloadSize) + "\r\n");
        byte[] body = new byte[hdr.length + payloadSize];
        System.arraycopy(hdr, 0, body, 0, hdr.length);
        Arrays.fill(body, hdr.length, body.length, (byte) 'x');
        return repeat(line, body, count);
    }

    /** {@code count} lines {@code SUB <prefix>.<i> [queue] <i>\r\n}. */
    public static byte[] subs(String prefix, String queue, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            out.writeBytes(ascii("SUB " + prefix + "." + i + (queue == null ? "" : " " + queue) + " " + i + "\r\n"));
        }
        return out.toByteArray();
    }

    private static byte[] repeat(byte[] line, byte[] body, int count) {
        int frame = line.length + body.length + 2;
        byte[] out = new byte[frame * count];
        for (int i = 0, p = 0; i < count; i++, p += frame) {
            System.arraycopy(line, 0, out, p, line.length);
            System.arraycopy(body, 0, out, p + line.length, body.length);
            out[p + frame - 2] = '\r';
            out[p + frame - 1] = '\n';
        }
        return out;
    }
}
