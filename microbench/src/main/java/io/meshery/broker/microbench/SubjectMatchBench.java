package io.meshery.broker.microbench;

import io.meshery.broker.protocol.PubArgs;
import io.meshery.broker.routing.Match;
import io.meshery.broker.routing.SubjectIndex;
import io.meshery.broker.routing.Subscriber;
import io.meshery.broker.routing.Subscription;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link SubjectIndex#match}: one operation is one publish looked up.
 *
 * <ul>
 *   <li>{@code hit*}: one subscription on {@code bench.pubsub}, every lookup a cache hit. {@code hitSameString}
 *       passes one {@code String} again and again (its hash is cached); {@code hitFreshString} makes the
 *       subject from bytes each time, as a connection that parses every PUB does.</li>
 *   <li>{@code many*}: {@value #MANY} subscriptions {@code svc.<i>.events}, 100 queue subscriptions, and with
 *       {@code subs=wildcard} also {@code svc.*.events} and {@code svc.>}. {@code manyHit} publishes to 1024
 *       of those subjects in turn (they fit the cache); {@code manyMiss} to 65536 distinct subjects in turn
 *       (15 % of them with a literal subscription), sixteen times the cache, so nearly every lookup walks
 *       the trie and stores its result, and every 1024th one also evicts a quarter of the cache.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SubjectMatchBench {

    static final int MANY = 10_000;
    private static final int HIT_SUBJECTS = 1024;
    private static final int MISS_SUBJECTS = 65536;

    /** {@code literal}: only literal subscriptions; {@code wildcard}: two wildcard ones as well. */
    @Param({"literal", "wildcard"})
    public String subs;

    private SubjectIndex single;
    private String singleSubject;
    private byte[] singleSubjectBytes;

    private SubjectIndex many;
    private String[] hitSubjects;
    private String[] missSubjects;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        Subscriber owner = new NullSubscriber();
        single = new SubjectIndex(8);
        single.insert(new Subscription(owner, "bench.pubsub", null, "1"));
        if (subs.equals("wildcard")) {
            single.insert(new Subscription(owner, "bench.*", null, "2"));
        }
        singleSubject = "bench.pubsub";
        singleSubjectBytes = singleSubject.getBytes(StandardCharsets.ISO_8859_1);

        many = new SubjectIndex(8);
        for (int i = 0; i < MANY; i++) {
            many.insert(new Subscription(owner, "svc." + i + ".events", null, Integer.toString(i)));
        }
        for (int i = 0; i < 100; i++) {
            many.insert(new Subscription(owner, "svc." + i + ".events", "workers", "q" + i));
        }
        if (subs.equals("wildcard")) {
            many.insert(new Subscription(owner, "svc.*.events", null, "w1"));
            many.insert(new Subscription(owner, "svc.>", null, "w2"));
        }
        hitSubjects = subjects(HIT_SUBJECTS);
        missSubjects = subjects(MISS_SUBJECTS);
        for (String s : hitSubjects) {
            many.match(s);
        }
    }

    private static String[] subjects(int n) {
        String[] s = new String[n];
        for (int i = 0; i < n; i++) {
            s[i] = "svc." + ((i * 7919) & (n - 1)) + ".events"; // n distinct subjects, in a scattered order
        }
        return s;
    }

    @Benchmark
    public Match hitSameString() {
        return single.match(singleSubject);
    }

    @Benchmark
    public Match hitFreshString() {
        return single.match(new String(singleSubjectBytes, 0, singleSubjectBytes.length, StandardCharsets.ISO_8859_1));
    }

    @Benchmark
    public Match manyHit() {
        String s = hitSubjects[next++ & (HIT_SUBJECTS - 1)];
        return many.match(s);
    }

    @Benchmark
    public Match manyMiss() {
        String s = missSubjects[next++ & (MISS_SUBJECTS - 1)];
        return many.match(s);
    }

    /** A subscriber that is never delivered to: only the index is under test. */
    static final class NullSubscriber implements Subscriber {
        @Override
        public boolean deliver(Subscription sub, PubArgs msg, byte[] buf, int off, int len) {
            return true;
        }

        @Override
        public void flush() {
        }

        @Override
        public void subscriptionFinished(Subscription sub) {
        }

        @Override
        public long id() {
            return 0;
        }
    }
}
