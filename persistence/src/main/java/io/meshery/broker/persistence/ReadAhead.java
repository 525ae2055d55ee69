package io.meshery.broker.persistence;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reading ahead for a sequential reader (a consumer replaying a stream): the last block of up to {@value #BLOCK}
 * bytes read from a segment. A record is served from the block only when it lies whole inside it and passes its
 * CRC and sequence check: a block read while the writer was appending may end inside a record, and such a record
 * fails the check and is read again. Thread-safe (one lock; readers of one stream are few).
 */
final class ReadAhead {

    static final int BLOCK = 256 * 1024;

    /** Opens (or finds open) the segment's read channel. */
    interface Channel {
        FileChannel open() throws IOException;
    }

    private final ByteBuffer block = ByteBuffer.allocate(BLOCK);
    /** The segment the block was read from, by identity: a segment file removed and made again is another one. */
    private Object segment;
    private long start;
    private int length;

    /**
     * The record of {@code seq}, {@code size} bytes at {@code position} of {@code segment}, from the block (read
     * there first when it does not hold it); null when it cannot be served so (too big, a read error, a check that
     * fails): the caller then reads it exactly.
     */
    synchronized StoredMessage fetch(long seq, Object segment, long position, int size, Channel channel) {
        if (size > BLOCK) {
            return null;
        }
        if (segment == this.segment && position >= start && position + size <= start + length) {
            StoredMessage m = fromBlock(seq, position, size);
            if (m != null) {
                return m;
            }
        }
        try {
            FileChannel ch = channel.open();
            block.clear();
            while (block.hasRemaining() && ch.read(block, position + block.position()) >= 0) {
                // positional reads until the block is full or the file ends
            }
        } catch (IOException e) {
            this.segment = null;
            return null; // the exact read reports it
        }
        this.segment = segment;
        this.start = position;
        this.length = block.position();
        return size <= length ? fromBlock(seq, position, size) : null;
    }

    private StoredMessage fromBlock(long seq, long position, int size) {
        int at = (int) (position - start);
        if (Records.check(block, at, size) != null || Records.seqField(block, at) != seq) {
            return null;
        }
        return Records.decode(block, at);
    }
}
