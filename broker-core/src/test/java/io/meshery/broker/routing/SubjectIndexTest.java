package io.meshery.broker.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.protocol.Subjects;
import io.meshery.broker.testkit.NoSubscriber;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class SubjectIndexTest {

    private static final Subscriber NOBODY = NoSubscriber.INSTANCE;

    private final SubjectIndex index = new SubjectIndex(4, 64);

    private Subscription sub(String subject, String queue) {
        Subscription s = new Subscription(NOBODY, subject, queue, subject + "/" + queue);
        index.insert(s);
        return s;
    }

    @Test
    void aReplySubjectIsMatchedWithoutFillingTheCache() {
        Subscription inbox = new Subscription(NOBODY, "_INBOX.abc.*", null, "1");
        index.insert(inbox);
        int before = index.cacheEntries();
        for (int i = 0; i < 100; i++) {
            assertEquals(1, index.matchOnce("_INBOX.abc." + i).plain().length);
        }
        assertEquals(before, index.cacheEntries(), "one-off subjects are not cached");
        index.match("_INBOX.abc.hot");
        assertEquals(before + 1, index.cacheEntries());
        assertEquals(1, index.matchOnce("_INBOX.abc.hot").plain().length, "a cached subject still answers");
    }

    @Test
    void matchesLiteralsAndWildcards() {
        Subscription literal = sub("foo.bar", null);
        Subscription star = sub("foo.*", null);
        Subscription tail = sub("foo.>", null);
        Subscription all = sub(">", null);
        Subscription leadingStar = sub("*.bar", null);
        sub("foo.baz", null);
        assertEquals(Set.of(literal, star, tail, all, leadingStar), plain("foo.bar"));
        assertEquals(Set.of(tail, all), plain("foo.bar.baz"));
        assertEquals(Set.of(all), plain("foo"));
        assertEquals(Set.of(all), plain("bar"));
    }

    @Test
    void groupsQueueMembersByName() {
        Subscription a1 = sub("q.x", "a");
        Subscription a2 = sub("q.*", "a");
        Subscription b1 = sub("q.x", "b");
        Subscription plainSub = sub("q.x", null);
        Match m = index.match("q.x");
        assertEquals(List.of(plainSub), Arrays.asList(m.plain()));
        assertEquals(2, m.queues().length);
        Set<Set<Subscription>> groups = new HashSet<>();
        for (Subscription[] g : m.queues()) {
            groups.add(Set.of(g));
        }
        assertEquals(Set.of(Set.of(a1, a2), Set.of(b1)), groups);
    }

    @Test
    void removalIsSeenThroughTheCache() {
        Subscription s = sub("cache.me", null);
        Subscription w = sub("cache.*", null);
        assertEquals(2, index.match("cache.me").size());
        assertEquals(2, index.match("cache.me").size());
        index.countMatches(2); // as a publisher does for its batch
        assertEquals(1, index.cacheHits(), "the second lookup was answered by the cache");
        assertTrue(index.remove(w));
        assertEquals(Set.of(s), plain("cache.me"));
        assertTrue(index.remove(s));
        assertTrue(index.match("cache.me").isEmpty());
        assertFalse(index.remove(s));
        assertEquals(0, index.count());
        Subscription again = sub("cache.>", null);
        assertEquals(Set.of(again), plain("cache.me"));
    }

    @Test
    void agreesWithBruteForceOnRandomSubjects() {
        Random r = new Random(42);
        String[] tokens = {"a", "b", "c", "*", ">"};
        List<Subscription> live = new ArrayList<>();
        for (int round = 0; round < 2000; round++) {
            if (!live.isEmpty() && r.nextInt(3) == 0) {
                Subscription gone = live.remove(r.nextInt(live.size()));
                assertTrue(index.remove(gone));
            } else {
                String subject = randomSubject(r, tokens);
                if (Subjects.isValidSubscribe(subject)) {
                    live.add(sub(subject, null));
                }
            }
            String literal = randomSubject(r, new String[] {"a", "b", "c"});
            Set<Subscription> expected = new HashSet<>();
            for (Subscription s : live) {
                if (Subjects.matches(s.subject(), literal)) {
                    expected.add(s);
                }
            }
            assertEquals(expected, plain(literal), "round " + round + " subject " + literal);
        }
    }

    @Test
    void concurrentMatchersNeverSeeAStaleCacheAfterAWriterFinishes() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        Thread reader = new Thread(() -> {
            while (!stop.get()) {
                index.match("race.x");
            }
        });
        reader.start();
        try {
            for (int i = 0; i < 2000; i++) {
                Subscription s = sub(i % 2 == 0 ? "race.*" : "race.x", null);
                assertSame(s, index.match("race.x").plain()[0]);
                index.remove(s);
                assertTrue(index.match("race.x").isEmpty());
            }
        } finally {
            stop.set(true);
            reader.join();
        }
    }

    private static String randomSubject(Random r, String[] tokens) {
        int n = 1 + r.nextInt(3);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                b.append('.');
            }
            b.append(tokens[r.nextInt(tokens.length)]);
        }
        return b.toString();
    }

    private Set<Subscription> plain(String subject) {
        return new HashSet<>(Arrays.asList(index.match(subject).plain()));
    }
}
