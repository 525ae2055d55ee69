package io.meshery.broker.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The arguments of a PUB or HPUB control line, as slices of the line. Reused from one message to the next. */
public final class PubArgs {

    /** Slots of the per-connection table of recent subjects (a power of two). */
    private static final int RECENT_SUBJECTS = 8;
    /** Longer subjects are not kept: comparing them could cost more than making them. */
    private static final int MAX_RECENT_SUBJECT = 256;

    byte[] line;
    int subjectOff;
    int subjectLen;
    int replyOff;
    int replyLen;
    int headerSize = -1;
    int totalSize;
    private String subject;
    /** Subjects published to lately and their bytes, made on the first publish; see {@link #recentSubject()}. */
    private String[] recentSubjects;
    private byte[][] recentSubjectBytes;

    public byte[] line() { return line; }
    public int subjectOffset() { return subjectOff; }
    public int subjectLength() { return subjectLen; }
    public int replyOffset() { return replyOff; }
    /** Length of the reply subject, {@code 0} when there is none. */
    public int replyLength() { return replyLen; }
    /** Size of the header block, or {@code -1} for a plain PUB. */
    public int headerSize() { return headerSize; }
    public int totalSize() { return totalSize; }
    public boolean hasHeaders() { return headerSize >= 0; }

    /**
     * The subject as a string (ISO-8859-1, so every byte maps to one char and back). A subject this
     * connection published to lately comes back as the same {@code String}: nothing is allocated, and
     * its hash is already computed when it is looked up in the match cache.
     */
    public String subject() {
        if (subject == null) {
            subject = recentSubject();
        }
        return subject;
    }

    /**
     * Looks the subject up among the last subjects seen, in a small table indexed by the length and two
     * bytes of the subject (no loop over it); a miss makes the string and takes the slot.
     */
    private String recentSubject() {
        byte[] b = line;
        int off = subjectOff;
        int len = subjectLen;
        if (len == 0 || len > MAX_RECENT_SUBJECT) {
            return new String(b, off, len, StandardCharsets.ISO_8859_1);
        }
        byte[][] keys = recentSubjectBytes;
        if (keys == null) {
            keys = new byte[RECENT_SUBJECTS][];
            recentSubjectBytes = keys;
            recentSubjects = new String[RECENT_SUBJECTS];
        }
        int slot = (len + 31 * b[off + len - 1] + 7 * b[off + (len >> 1)]) & (RECENT_SUBJECTS - 1);
        byte[] key = keys[slot];
        if (key != null && Arrays.equals(key, 0, key.length, b, off, off + len)) {
            return recentSubjects[slot];
        }
        String made = new String(b, off, len, StandardCharsets.ISO_8859_1);
        keys[slot] = Arrays.copyOfRange(b, off, off + len);
        recentSubjects[slot] = made;
        return made;
    }

    /** The reply subject as a string, or {@code null}. */
    public String reply() {
        return replyLen == 0 ? null : new String(line, replyOff, replyLen, StandardCharsets.ISO_8859_1);
    }

    /**
     * Arguments for a message the server makes itself: {@code reply} may be {@code null}, and
     * {@code headerSize} is {@code -1} for a message without headers.
     */
    public static PubArgs of(String subject, String reply, int headerSize, int totalSize) {
        String line = reply == null ? subject : subject + " " + reply;
        PubArgs a = new PubArgs();
        a.line = line.getBytes(StandardCharsets.ISO_8859_1);
        a.subjectOff = 0;
        a.subjectLen = subject.length();
        if (reply != null) {
            a.replyOff = subject.length() + 1;
            a.replyLen = reply.length();
        }
        a.headerSize = headerSize;
        a.totalSize = totalSize;
        a.subject = subject;
        return a;
    }

    /**
     * Points these arguments at a message held elsewhere (one that came from another node): the subject is
     * {@code line[subjectOff, +subjectLen)}, the reply {@code line[replyOff, +replyLen)} ({@code replyLen} 0 for
     * none). Reuse one instance per reader, as the parser does.
     */
    public void wrap(byte[] line, int subjectOff, int subjectLen, int replyOff, int replyLen, int headerSize,
                     int totalSize) {
        this.line = line;
        this.subjectOff = subjectOff;
        this.subjectLen = subjectLen;
        this.replyOff = replyOff;
        this.replyLen = replyLen;
        this.headerSize = headerSize;
        this.totalSize = totalSize;
        this.subject = null;
    }

    void reset() {
        subject = null;
        replyLen = 0;
        headerSize = -1;
    }
}
