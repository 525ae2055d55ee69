package io.meshery.broker.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random operations, with closes and reopens between them, against the file store (tiny segments, so that it
 * rolls and deletes segments all the time) and a model that is a sorted map of the live messages; state and
 * contents must agree after every step.
 */
class FileStreamStorePropertyTest {

    private static final String[] SUBJECTS = {"a.1", "a.2", "b.1", "b.2", "c"};

    @TempDir
    Path tmp;

    /** The obvious implementation: live messages by sequence. */
    private static final class Model {
        final TreeMap<Long, StoredMessage> live = new TreeMap<>();
        final StreamLimits limits;
        long last;
        long lastTs;

        Model(StreamLimits limits) {
            this.limits = limits;
        }

        void append(String subject, byte[] headers, byte[] payload, long ts) {
            live.put(++last, new StoredMessage(last, subject, headers, payload, ts));
            lastTs = ts;
            if (limits.maxMsgsPerSubject() > 0) {
                while (live.values().stream().filter(m -> m.subject().equals(subject)).count() > limits.maxMsgsPerSubject()) {
                    live.values().removeIf(new Predicate<StoredMessage>() {
                        boolean done;

                        @Override
                        public boolean test(StoredMessage m) {
                            if (!done && m.subject().equals(subject)) {
                                done = true;
                                return true;
                            }
                            return false;
                        }
                    });
                }
            }
            while (limits.maxMsgs() >= 0 && live.size() > limits.maxMsgs()) {
                live.pollFirstEntry();
            }
        }

        long purge(Predicate<String> filter, long upTo, long keep) {
            List<Long> matching = new ArrayList<>();
            for (StoredMessage m : live.values()) {
                if ((filter == null || filter.test(m.subject())) && (upTo == 0 || m.seq() < upTo)) {
                    matching.add(m.seq());
                }
            }
            int n = keep > 0 ? (int) Math.max(0, matching.size() - keep) : matching.size();
            for (int i = 0; i < n; i++) {
                live.remove(matching.get(i));
            }
            return n;
        }

        long expire(long now) {
            long n = 0;
            for (Iterator<StoredMessage> it = live.values().iterator(); it.hasNext(); ) {
                if (it.next().timestamp() > now - limits.maxAgeNanos()) {
                    break;
                }
                it.remove();
                n++;
            }
            return n;
        }

        StreamState state() {
            long bytes = live.values().stream().mapToLong(StoredMessage::size).sum();
            long first = live.isEmpty() ? last + 1 : live.firstKey();
            long firstTs = live.isEmpty() ? 0 : live.firstEntry().getValue().timestamp();
            long deleted = live.isEmpty() ? 0 : last - first + 1 - live.size();
            long subjects = live.values().stream().map(StoredMessage::subject).distinct().count();
            return new StreamState(live.size(), bytes, first, firstTs, last, lastTs, deleted, subjects);
        }

        StoredMessage last(Predicate<String> f) {
            return live.descendingMap().values().stream().filter(m -> f.test(m.subject())).findFirst().orElse(null);
        }

        StoredMessage next(Predicate<String> f, long from) {
            return live.tailMap(from, true).values().stream().filter(m -> f.test(m.subject())).findFirst().orElse(null);
        }
    }

    private static StreamLimits limitsFor(long seed) {
        return switch ((int) (seed % 3)) {
            case 0 -> StreamLimits.UNLIMITED;
            case 1 -> StreamLimits.UNLIMITED.withMaxMsgs(40);
            default -> StreamLimits.UNLIMITED.withMaxMsgsPerSubject(3).withMaxAgeNanos(500);
        };
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9})
    void fileStoreAgreesWithTheModel(long seed) {
        Random random = new Random(seed);
        StreamLimits limits = limitsFor(seed);
        FileStoreConfig config = FileStoreConfig.of(tmp.resolve("s" + seed)).withSegmentBytes(1024);
        Model model = new Model(limits);
        FileStreamStore store = FileStreamStore.open(config, limits);
        long ts = 0;
        try {
            for (int step = 0; step < 600; step++) {
                int op = random.nextInt(100);
                String what;
                if (op < 55) {
                    String subject = SUBJECTS[random.nextInt(SUBJECTS.length)];
                    byte[] headers = random.nextInt(4) == 0 ? bytes(random, 1 + random.nextInt(20)) : null;
                    byte[] payload = bytes(random, random.nextInt(120));
                    ts += 1 + random.nextInt(10);
                    what = "append " + subject;
                    assertEquals(model.last + 1, store.append(subject, headers, payload, ts), what);
                    model.append(subject, headers, payload, ts);
                } else if (op < 62) {
                    int n = 1 + random.nextInt(5);
                    List<StreamStore.Message> batch = new ArrayList<>();
                    for (int i = 0; i < n; i++) {
                        ts += 1;
                        batch.add(new StreamStore.Message(SUBJECTS[random.nextInt(SUBJECTS.length)], null,
                                bytes(random, random.nextInt(60)), ts));
                    }
                    what = "batch of " + n;
                    store.appendBatch(batch);
                    batch.forEach(m -> model.append(m.subject(), m.headers(), m.payload(), m.timestamp()));
                } else if (op < 75) {
                    long seq = model.last - random.nextInt(30);
                    what = "delete " + seq;
                    assertEquals(model.live.remove(seq) != null, store.delete(seq), what);
                } else if (op < 82) {
                    Predicate<String> filter = random.nextBoolean() ? null : filter(random);
                    long upTo = 0;
                    long keep = 0;
                    switch (random.nextInt(3)) {
                        case 0 -> upTo = model.last - random.nextInt(20);
                        case 1 -> keep = random.nextInt(10);
                        default -> { }
                    }
                    upTo = Math.max(0, upTo);
                    what = "purge filter=" + (filter != null) + " upTo=" + upTo + " keep=" + keep;
                    assertEquals(model.purge(filter, upTo, keep), store.purge(new PurgeRequest(filter, upTo, keep)), what);
                } else if (op < 87 && limits.maxAgeNanos() > 0) {
                    what = "expire";
                    assertEquals(model.expire(ts), store.expire(ts), what);
                } else if (op < 92) {
                    what = "reopen";
                    store.close();
                    store = FileStreamStore.open(config, limits);
                    assertEquals(0, store.recoveryReport().bytesTruncated());
                    assertContents(model, store, what);
                } else {
                    Predicate<String> f = filter(random);
                    long from = model.last - random.nextInt(40);
                    what = "queries from " + from;
                    assertEquals(model.last(f), store.lastBySubject(f), what + " last");
                    assertEquals(model.next(f, from), store.nextBySubject(f, from), what + " next");
                }
                assertEquals(model.state(), store.state(), "seed " + seed + " step " + step + ": " + what);
                if (step % 50 == 0) {
                    assertContents(model, store, what);
                }
            }
            assertContents(model, store, "end");
        } finally {
            store.close();
        }
    }

    private static void assertContents(Model model, StreamStore store, String what) {
        StreamState st = store.state();
        for (long seq = Math.max(1, st.firstSeq() - 3); seq <= st.lastSeq() + 1; seq++) {
            assertEquals(model.live.get(seq), store.get(seq), what + ": seq " + seq);
        }
        for (Map.Entry<Long, StoredMessage> e : model.live.entrySet()) {
            assertEquals(e.getValue(), store.get(e.getKey()));
        }
    }

    private static Predicate<String> filter(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> s -> s.startsWith("a.");
            case 1 -> s -> s.endsWith(".1");
            case 2 -> s -> s.equals("c");
            default -> s -> true;
        };
    }

    private static byte[] bytes(Random random, int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }
}
