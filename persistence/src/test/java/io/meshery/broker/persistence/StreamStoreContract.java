package io.meshery.broker.persistence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link StreamStore} owes the stream layer. Each store's test extends this class; the
 * file store's reopens the store at the end of each test and checks that nothing changed.
 */
abstract class StreamStoreContract {

    private final List<StreamStore> opened = new ArrayList<>();

    /** A new, empty store with these limits. */
    protected abstract StreamStore create(StreamLimits limits);

    /** The same store after a close and open (the memory store returns it unchanged). */
    protected abstract StreamStore reopen(StreamStore store);

    protected StreamStore store(StreamLimits limits) {
        StreamStore s = create(limits);
        opened.add(s);
        return s;
    }

    @AfterEach
    void closeAll() {
        for (StreamStore s : opened) {
            s.close();
        }
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static long size(String subject, byte[] headers, byte[] payload) {
        return StoredMessage.storedSize(subject.length(), headers == null ? 0 : headers.length, payload.length);
    }

    static Predicate<String> subject(String s) {
        return s::equals;
    }

    static Predicate<String> prefix(String p) {
        return s -> s.startsWith(p);
    }

    /** Reopens and checks that state and every message survived. */
    protected StreamStore checkReopen(StreamStore s) {
        StreamState before = s.state();
        List<StoredMessage> messages = all(s);
        opened.remove(s);
        StreamStore again = reopen(s);
        opened.add(again);
        assertEquals(before, again.state(), "state after reopen");
        assertEquals(messages, all(again), "messages after reopen");
        return again;
    }

    static List<StoredMessage> all(StreamStore s) {
        List<StoredMessage> out = new ArrayList<>();
        StreamState st = s.state();
        for (long seq = Math.max(1, st.firstSeq() - 1); seq <= st.lastSeq() + 1; seq++) {
            StoredMessage m = s.get(seq);
            if (m != null) {
                out.add(m);
            }
        }
        return out;
    }

    static void fill(StreamStore s, int n, String... subjects) {
        for (int i = 0; i < n; i++) {
            s.append(subjects[i % subjects.length], null, b("m" + i), 1000 + i);
        }
    }

    @Test
    void appendAssignsContiguousSequencesAndGetReturnsExactMessages() {
        StreamStore s = store(StreamLimits.UNLIMITED);
        byte[] hdr = b("NATS/1.0\r\nA: b\r\n\r\n");
        assertEquals(1, s.append("a.b", null, b("one"), 10));
        assertEquals(2, s.append("a.c", hdr, b("two"), 20));
        assertEquals(3, s.append("a.b", null, new byte[0], 30));
        assertEquals(new StoredMessage(1, "a.b", null, b("one"), 10), s.get(1));
        StoredMessage two = s.get(2);
        assertArrayEquals(hdr, two.headers());
        assertArrayEquals(b("two"), two.payload());
        assertEquals(0, s.get(3).payload().length);
        assertNull(s.get(0));
        assertNull(s.get(4));
        long bytes = size("a.b", null, b("one")) + size("a.c", hdr, b("two")) + size("a.b", null, new byte[0]);
        assertEquals(new StreamState(3, bytes, 1, 10, 3, 30, 0, 2), s.state());
        checkReopen(s);
    }

    @Test
    void emptyStoreState() {
        StreamStore s = store(StreamLimits.UNLIMITED);
        assertEquals(new StreamState(0, 0, 1, 0, 0, 0, 0, 0), s.state());
        assertNull(s.lastBySubject(x -> true));
        assertNull(s.nextBySubject(x -> true, 1));
        checkReopen(s);
    }

    @Test
    void batchAppendAssignsSequencesInOrder() {
        StreamStore s = store(StreamLimits.UNLIMITED);
        s.append("x", null, b("0"), 1);
        long[] seqs = s.appendBatch(List.of(new StreamStore.Message("a", null, b("1"), 2),
                new StreamStore.Message("b", b("NATS/1.0\r\n\r\n"), b("2"), 3), new StreamStore.Message("a", null, b("3"), 4)));
        assertArrayEquals(new long[] {2, 3, 4}, seqs);
        assertEquals("b", s.get(3).subject());
        assertEquals(4, s.state().msgs());
        checkReopen(s);
    }

    @Test
    void deleteLeavesAGapAndMovesFirstSeqWhenAtTheHead() {
        StreamStore s = store(StreamLimits.UNLIMITED);
        fill(s, 5, "a", "b");
        assertTrue(s.delete(3));
        assertFalse(s.delete(3));
        assertFalse(s.delete(42));
        assertNull(s.get(3));
        assertEquals(1, s.state().numDeleted());
        assertTrue(s.delete(1));
        assertTrue(s.delete(2));
        StreamState st = s.state();
        assertEquals(4, st.firstSeq());
        assertEquals(1003, st.firstTs());
        assertEquals(2, st.msgs());
        assertEquals(0, st.numDeleted());
        s = checkReopen(s);
        assertTrue(s.delete(5));
        assertTrue(s.delete(4));
        assertEquals(new StreamState(0, 0, 6, 0, 5, 1004, 0, 0), s.state());
        s = checkReopen(s);
        assertEquals(6, s.append("a", null, b("after"), 2000));
    }

    @Test
    void purgeAllLeavesFirstSeqAfterLastSeq() {
        StreamStore s = store(StreamLimits.UNLIMITED);
        fill(s, 10, "a", "b", "c");
        assertEquals(10, s.purge(PurgeRequest.all()));
        StreamState st = s.state();
        assertEquals(0, st.msgs());
        assertEquals(0, st.bytes());
        assertEquals(11, st.firstSeq());
        assertEquals(10, st.lastSeq());
        assertEquals(0, st.numSubjects());
        s = checkReopen(s);
        assertEquals(0, s.purge(PurgeRequest.all()));
        assertEquals(11, s.append("a", null, b("x"), 5000));
        assertEquals(11, s.state().firstSeq());
    }

    @Test
    void purgeUpToSequenceIsExclusive() {
        StreamStore s = store(StreamLimits.UNLIMITED);
        fill(s, 10, "a", "b");
        s.delete(3);
        assertEquals(4, s.purge(PurgeRequest.upTo(6)));
        assertNull(s.get(5));
        assertEquals(6, s.state().firstSeq());
        assertEquals(5, s.state().msgs());
        assertEquals(5, s.purge(PurgeRequest.upTo(100)));
        assertEquals(11, s.state().firstSeq());
        checkReopen(s);
    }

    @Test
    void purgeKeepingTheLastN() {
        StreamStore s = store(StreamLimits.UNLIMITED);
        fill(s, 10, "a", "b");
        s.delete(9);
        assertEquals(6, s.purge(PurgeRequest.keepLast(3)));
        assertEquals(7, s.state().firstSeq());
        assertEquals(3, s.state().msgs());
        assertEquals(0, s.purge(PurgeRequest.keepLast(3)));
        checkReopen(s);
    }

    @Test
    void purgeBySubjectFilterAloneWithSeqAndWithKeep() {
        StreamStore s = store(StreamLimits.UNLIMITED);
        fill(s, 12, "a.1", "a.2", "b.1");
        assertEquals(4, s.purge(PurgeRequest.subjects(subject("b.1"))));
        assertNull(s.lastBySubject(subject("b.1")));
        assertEquals(2, s.state().numSubjects());
        assertEquals(1, s.state().firstSeq());
        s = checkReopen(s);
        // a.1 at 1,4,7,10; a.2 at 2,5,8,11: below 6 drops 1,2,4,5
        assertEquals(4, s.purge(new PurgeRequest(prefix("a."), 6, 0)));
        assertEquals(7, s.state().firstSeq());
        // keep the newest 2 of a.*: 10, 11
        assertEquals(2, s.purge(new PurgeRequest(prefix("a."), 0, 2)));
        assertEquals(10, s.state().firstSeq());
        assertEquals(2, s.state().msgs());
        assertEquals(0, s.purge(PurgeRequest.subjects(subject("nope"))));
        checkReopen(s);
    }

    @Test
    void maxMsgsDiscardOldDropsTheOldest() {
        StreamStore s = store(StreamLimits.UNLIMITED.withMaxMsgs(3));
        fill(s, 5, "a");
        StreamState st = s.state();
        assertEquals(3, st.msgs());
        assertEquals(3, st.firstSeq());
        assertEquals(5, st.lastSeq());
        assertNull(s.get(2));
        checkReopen(s);
    }

    @Test
    void maxMsgsDiscardNewRejectsAndChangesNothing() {
        StreamStore s = store(StreamLimits.UNLIMITED.withMaxMsgs(3).withDiscard(StreamLimits.Discard.NEW));
        fill(s, 3, "a");
        StreamState before = s.state();
        StoreException e = assertThrows(StoreException.MaximumMessagesExceeded.class,
                () -> s.append("a", null, b("x"), 9));
        assertTrue(e.getMessage().contains("maximum messages"), e.getMessage());
        assertThrows(StoreException.MaximumMessagesExceeded.class, () -> s.appendBatch(List.of(
                new StreamStore.Message("a", null, b("x"), 9))));
        assertEquals(before, s.state());
        s.delete(1);
        assertEquals(4, s.append("a", null, b("x"), 9));
        checkReopen(s);
    }

    @Test
    void batchUnderDiscardNewIsAllOrNothing() {
        StreamStore s = store(StreamLimits.UNLIMITED.withMaxMsgs(3).withDiscard(StreamLimits.Discard.NEW));
        fill(s, 1, "a");
        List<StreamStore.Message> three = List.of(new StreamStore.Message("a", null, b("1"), 1),
                new StreamStore.Message("a", null, b("2"), 2), new StreamStore.Message("a", null, b("3"), 3));
        assertThrows(StoreException.MaximumMessagesExceeded.class, () -> s.appendBatch(three));
        assertEquals(1, s.state().msgs());
        assertEquals(1, s.state().lastSeq());
    }

    @Test
    void maxBytesDiscardOldAndNew() {
        long one = size("a", null, b("m0"));
        StreamStore old = store(StreamLimits.UNLIMITED.withMaxBytes(one * 2));
        fill(old, 5, "a");
        assertEquals(2, old.state().msgs());
        assertEquals(one * 2, old.state().bytes());
        assertEquals(4, old.state().firstSeq());
        assertThrows(StoreException.MaximumBytesExceeded.class, () -> old.append("a", null, new byte[(int) one * 3], 9));
        checkReopen(old);
        StreamStore neu = store(StreamLimits.UNLIMITED.withMaxBytes(one * 2).withDiscard(StreamLimits.Discard.NEW));
        fill(neu, 2, "a");
        assertThrows(StoreException.MaximumBytesExceeded.class, () -> neu.append("a", null, b("m9"), 9));
        assertEquals(2, neu.state().msgs());
    }

    @Test
    void maxMsgSizeRejectsTooLargeMessages() {
        StreamStore s = store(StreamLimits.UNLIMITED.withMaxMsgSize(8));
        s.append("a", b("1234"), b("5678"), 1);
        StoreException e = assertThrows(StoreException.MessageTooLarge.class, () -> s.append("a", b("1234"), b("56789"), 2));
        assertTrue(e.getMessage().contains("9 bytes > 8 bytes"), e.getMessage());
        assertEquals(1, s.state().lastSeq());
    }

    @Test
    void maxMsgsPerSubjectKeepsTheNewestOfEachSubject() {
        StreamStore s = store(StreamLimits.UNLIMITED.withMaxMsgsPerSubject(2));
        fill(s, 9, "a", "b", "c");
        StreamState st = s.state();
        assertEquals(6, st.msgs());
        assertEquals(4, st.firstSeq());
        assertEquals(3, st.numSubjects());
        for (long seq = 4; seq <= 9; seq++) {
            assertEquals(seq, s.get(seq).seq());
        }
        s = checkReopen(s);
        s.append("b", null, b("b!"), 50);
        assertNull(s.get(5));
        assertEquals(1, s.state().numDeleted());
        checkReopen(s);
    }

    @Test
    void discardNewPerSubjectRejectsAFullSubject() {
        StreamStore s = store(StreamLimits.UNLIMITED.withMaxMsgsPerSubject(1).withDiscard(StreamLimits.Discard.NEW)
                .withDiscardNewPerSubject(true));
        s.append("a", null, b("1"), 1);
        s.append("b", null, b("1"), 1);
        assertThrows(StoreException.MaximumMessagesPerSubjectExceeded.class, () -> s.append("a", null, b("2"), 2));
        assertEquals(2, s.state().msgs());
    }

    @Test
    void expireRemovesMessagesOlderThanMaxAge() {
        StreamStore s = store(StreamLimits.UNLIMITED.withMaxAgeNanos(100));
        for (int i = 0; i < 10; i++) {
            s.append("a", null, b("m" + i), 1000 + i * 10);
        }
        assertEquals(0, s.expire(1000 + 99));
        assertEquals(1, s.expire(1000 + 100));
        assertEquals(4, s.expire(1049 + 100));
        StreamState st = s.state();
        assertEquals(6, st.firstSeq());
        assertEquals(1050, st.firstTs());
        checkReopen(s);
        StreamStore none = store(StreamLimits.UNLIMITED);
        fill(none, 3, "a");
        assertEquals(0, none.expire(Long.MAX_VALUE));
    }

    @Test
    void lastAndNextBySubjectWithFilters() {
        StreamStore s = store(StreamLimits.UNLIMITED);
        fill(s, 12, "orders.eu", "orders.us", "pay.eu");
        assertEquals(12, s.lastBySubject(subject("pay.eu")).seq());
        assertEquals(11, s.lastBySubject(prefix("orders.")).seq());
        assertEquals(12, s.lastBySubject(x -> true).seq());
        assertNull(s.lastBySubject(subject("nope")));
        s.delete(12);
        s.delete(9);
        assertEquals(6, s.lastBySubject(subject("pay.eu")).seq());
        assertEquals(2, s.nextBySubject(subject("orders.us"), 1).seq());
        assertEquals(5, s.nextBySubject(subject("orders.us"), 3).seq());
        assertEquals(3, s.nextBySubject(x -> x.endsWith(".eu") && x.startsWith("pay"), 0).seq());
        assertEquals(10, s.nextBySubject(subject("orders.eu"), 8).seq());
        assertEquals(10, s.nextBySubject(x -> true, 9).seq());
        assertNull(s.nextBySubject(subject("pay.eu"), 7));
        assertNull(s.nextBySubject(x -> true, 13));
        checkReopen(s);
    }

    @Test
    void updateLimitsTrimsAtOnce() {
        StreamStore s = store(StreamLimits.UNLIMITED.withDiscard(StreamLimits.Discard.NEW));
        fill(s, 10, "a", "b");
        s.updateLimits(s.limits().withMaxMsgs(4));
        assertEquals(4, s.state().msgs());
        assertEquals(7, s.state().firstSeq());
        s.updateLimits(s.limits().withMaxMsgsPerSubject(1));
        assertEquals(2, s.state().msgs());
        assertEquals(9, s.state().firstSeq());
    }

    @Test
    void removalListenerHearsDeletesLimitsAndExpiry() {
        List<String> heard = new ArrayList<>();
        StreamStore l = createWithListener(StreamLimits.UNLIMITED.withMaxMsgs(3).withMaxAgeNanos(5),
                (seq, subj) -> heard.add(seq + ":" + subj));
        opened.add(l);
        fill(l, 4, "a", "b");
        l.delete(3);
        l.expire(1002 + 5);
        assertEquals(List.of("1:a", "3:a", "2:b"), heard);
    }

    /** A new store with a removal listener. */
    protected abstract StreamStore createWithListener(StreamLimits limits, RemovalListener listener);

    @Test
    void aClosedStoreRefusesCalls() {
        StreamStore s = store(StreamLimits.UNLIMITED);
        fill(s, 1, "a");
        s.close();
        assertThrows(StoreException.Closed.class, () -> s.append("a", null, b("x"), 1));
        assertThrows(StoreException.Closed.class, () -> s.get(1));
    }
}
