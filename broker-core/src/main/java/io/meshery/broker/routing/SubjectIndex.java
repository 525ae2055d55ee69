package io.meshery.broker.routing;

import io.meshery.broker.protocol.Subjects;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The subscription index: which subscriptions a published subject reaches.
 *
 * <p>Subscriptions live in a token trie split into partitions. A subject whose first token is literal
 * belongs to partition {@code hash(first token) % literalPartitions}; one more partition holds the
 * subjects that start with a wildcard. A publish looks at two partitions: its own and the wildcard one.
 *
 * <p>Thread-safety contract: {@link #match} may be called from any thread at any time and never blocks.
 * {@link #insert} and {@link #remove} for one partition must only ever be called by that partition's single
 * owner (its {@code SubjectShard} actor); different partitions change in parallel. Each change is visible
 * to matchers atomically per trie node.
 *
 * <p>A bounded cache maps literal subjects to their {@link Match}. A change invalidates the cached subjects
 * it can affect; a generation counter stops a match computed across a change from being cached stale.
 */
public final class SubjectIndex {

    private static final int DEFAULT_CACHE_SIZE = 4096;

    private final Node[] roots;
    private final int literalPartitions;
    private final int cacheSize;
    private final ConcurrentHashMap<String, Match> cache = new ConcurrentHashMap<>();
    private final AtomicLong generation = new AtomicLong();
    private final LongAdder count = new LongAdder();
    private final LongAdder inserts = new LongAdder();
    private final LongAdder removes = new LongAdder();
    /** Lookups, added by the callers once per batch ({@link #countMatches}): no shared write on a cache hit. */
    private final LongAdder matches = new LongAdder();
    private final LongAdder cacheMisses = new LongAdder();
    private volatile InterestListener interestListener = InterestListener.NONE;

    public SubjectIndex(int literalPartitions) {
        this(literalPartitions, DEFAULT_CACHE_SIZE);
    }

    public SubjectIndex(int literalPartitions, int cacheSize) {
        this.literalPartitions = literalPartitions;
        this.cacheSize = cacheSize;
        this.roots = new Node[literalPartitions + 1];
        for (int i = 0; i < roots.length; i++) {
            roots[i] = new Node();
        }
    }

    /** Number of partitions, the wildcard one included. */
    public int partitions() {
        return roots.length;
    }

    /** The partition a subscription subject belongs to. */
    public int partitionOf(String subject) {
        int dot = subject.indexOf('.');
        int end = dot < 0 ? subject.length() : dot;
        if (end == 1 && (subject.charAt(0) == '*' || subject.charAt(0) == '>')) {
            return literalPartitions;
        }
        return literalPartition(subject, end);
    }

    private int literalPartition(String subject, int firstTokenEnd) {
        int h = 0;
        for (int i = 0; i < firstTokenEnd; i++) {
            h = 31 * h + subject.charAt(i);
        }
        return ((h ^ (h >>> 16)) & 0x7fffffff) % literalPartitions;
    }

    /** The subscriptions that a message published to the literal {@code subject} reaches. */
    public Match match(String subject) {
        Match cached = cache.get(subject);
        if (cached != null) {
            return cached;
        }
        cacheMisses.increment();
        long gen = generation.get();
        Match computed = compute(subject);
        if (cache.size() >= cacheSize) {
            evict();
        }
        // Cached only if no writer has moved the generation since the match was computed. Checked inside the
        // map's per-key update, so a stale entry can never be seen after a writer's invalidate() returns
        // (a put-then-remove would leave it visible to other readers for a moment).
        cache.compute(subject, (k, old) -> generation.get() == gen ? computed : old);
        return computed;
    }

    /**
     * As {@link #match}, but a miss is not cached: for a subject used once (a reply inbox of one request), which
     * would only push the subjects in use out of the cache.
     */
    public Match matchOnce(String subject) {
        Match cached = cache.get(subject);
        if (cached != null) {
            return cached;
        }
        cacheMisses.increment();
        return compute(subject);
    }

    private Match compute(String subject) {
        String[] tokens = tokenize(subject);
        if (tokens == null) {
            return Match.EMPTY;
        }
        Collector c = new Collector();
        int dot = subject.indexOf('.');
        collect(roots[literalPartition(subject, dot < 0 ? subject.length() : dot)], tokens, 0, c);
        collect(roots[literalPartitions], tokens, 0, c);
        return c.toMatch();
    }

    private static void collect(Node node, String[] tokens, int i, Collector c) {
        if (i == tokens.length) {
            c.add(node);
            return;
        }
        Node gt = node.gt;
        if (gt != null) {
            c.add(gt);
        }
        Node star = node.star;
        if (star != null) {
            collect(star, tokens, i + 1, c);
        }
        Map<String, Node> children = node.children;
        if (children != null) {
            Node next = children.get(tokens[i]);
            if (next != null) {
                collect(next, tokens, i + 1, c);
            }
        }
    }

    /** Adds a subscription. Only the owner of {@code partitionOf(sub.subject())} may call this. */
    public void insert(Subscription sub) {
        String[] tokens = tokenize(sub.subject());
        if (tokens == null) {
            throw new IllegalArgumentException("invalid subject: " + sub.subject());
        }
        Node node = roots[partitionOf(sub.subject())];
        for (String t : tokens) {
            node = node.childForInsert(t);
        }
        node.add(sub);
        count.increment();
        inserts.increment();
        invalidate(sub.subject());
    }

    /**
     * Removes a subscription. Only the owner of {@code partitionOf(sub.subject())} may call this.
     *
     * @return whether it was present
     */
    public boolean remove(Subscription sub) {
        String[] tokens = tokenize(sub.subject());
        if (tokens == null) {
            return false;
        }
        Node[] path = new Node[tokens.length + 1];
        Node node = roots[partitionOf(sub.subject())];
        path[0] = node;
        for (int i = 0; i < tokens.length; i++) {
            node = node.child(tokens[i]);
            if (node == null) {
                return false;
            }
            path[i + 1] = node;
        }
        if (!node.remove(sub)) {
            return false;
        }
        for (int i = tokens.length; i > 0 && path[i].isEmpty(); i--) {
            path[i - 1].prune(tokens[i - 1], path[i]);
        }
        count.decrement();
        removes.increment();
        invalidate(sub.subject());
        return true;
    }

    private void invalidate(String subject) {
        generation.incrementAndGet();
        if (Subjects.hasWildcard(subject)) {
            cache.keySet().removeIf(cachedSubject -> Subjects.matches(subject, cachedSubject));
        } else {
            cache.remove(subject);
        }
    }

    private void evict() {
        int toDrop = Math.max(1, cacheSize / 4);
        var it = cache.keySet().iterator();
        while (toDrop-- > 0 && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    /** Visits every subscription (monitoring; a consistent snapshot is not promised). */
    public void forEach(Consumer<Subscription> visitor) {
        for (Node root : roots) {
            visit(root, visitor);
        }
    }

    private static void visit(Node node, Consumer<Subscription> visitor) {
        for (Subscription s : node.plain) {
            visitor.accept(s);
        }
        for (Subscription[] group : node.queues) {
            for (Subscription s : group) {
                visitor.accept(s);
            }
        }
        if (node.children != null) {
            for (Node child : node.children.values()) {
                visit(child, visitor);
            }
        }
        Node star = node.star;
        if (star != null) {
            visit(star, visitor);
        }
        Node gt = node.gt;
        if (gt != null) {
            visit(gt, visitor);
        }
    }

    /** Who hears of the changes to the clients' interest (the cluster); set before clients connect. */
    public void setInterestListener(InterestListener listener) {
        this.interestListener = listener == null ? InterestListener.NONE : listener;
    }

    public InterestListener interestListener() {
        return interestListener;
    }

    public long count() { return count.sum(); }
    public long inserts() { return inserts.sum(); }
    public long removes() { return removes.sum(); }
    /** Counts {@code n} calls of {@link #match}; publishers add their lookups once per batch. */
    public void countMatches(long n) { matches.add(n); }
    public long matches() { return matches.sum(); }
    /** Lookups the cache answered: those counted by {@link #countMatches} less the misses. */
    public long cacheHits() { return Math.max(0, matches.sum() - cacheMisses.sum()); }
    public int cacheEntries() { return cache.size(); }

    /**
     * How many receivers the cached subjects reach (a queue group counts once, as it gets one copy): the
     * largest and the mean over the cache, as nats-server reports them. Walks the cache; for monitoring.
     */
    public Fanout cachedFanout() {
        int entries = 0;
        int max = 0;
        long sum = 0;
        for (Match m : cache.values()) {
            int fanout = m.plain().length + m.queues().length;
            entries++;
            sum += fanout;
            max = Math.max(max, fanout);
        }
        return new Fanout(max, entries == 0 ? 0 : (double) sum / entries);
    }

    /** See {@link #cachedFanout()}. */
    public record Fanout(int max, double average) {
    }

    /** Splits a valid subject into tokens, or {@code null} when it has an empty token. */
    static String[] tokenize(String subject) {
        int n = 1;
        for (int i = 0; i < subject.length(); i++) {
            if (subject.charAt(i) == '.') {
                n++;
            }
        }
        String[] tokens = new String[n];
        int start = 0;
        int k = 0;
        for (int i = 0; i <= subject.length(); i++) {
            if (i == subject.length() || subject.charAt(i) == '.') {
                if (i == start) {
                    return null;
                }
                tokens[k++] = subject.substring(start, i);
                start = i + 1;
            }
        }
        return tokens;
    }

    /** A trie node. Written by one partition owner, read by anyone. */
    private static final class Node {
        volatile ConcurrentHashMap<String, Node> children;
        volatile Node star;
        volatile Node gt;
        volatile Subscription[] plain = Match.NO_SUBS;
        /** One array per queue group; members of a group share the queue name. */
        volatile Subscription[][] queues = Match.NO_QUEUES;

        Node child(String token) {
            if (token.length() == 1) {
                char c = token.charAt(0);
                if (c == '*') {
                    return star;
                }
                if (c == '>') {
                    return gt;
                }
            }
            Map<String, Node> ch = children;
            return ch == null ? null : ch.get(token);
        }

        Node childForInsert(String token) {
            Node existing = child(token);
            if (existing != null) {
                return existing;
            }
            Node created = new Node();
            if (token.equals("*")) {
                star = created;
            } else if (token.equals(">")) {
                gt = created;
            } else {
                ConcurrentHashMap<String, Node> ch = children;
                if (ch == null) {
                    ch = new ConcurrentHashMap<>(4);
                    children = ch;
                }
                ch.put(token, created);
            }
            return created;
        }

        void prune(String token, Node child) {
            if (token.equals("*")) {
                if (star == child) {
                    star = null;
                }
            } else if (token.equals(">")) {
                if (gt == child) {
                    gt = null;
                }
            } else if (children != null) {
                children.remove(token, child);
            }
        }

        boolean isEmpty() {
            Map<String, Node> ch = children;
            return plain.length == 0 && queues.length == 0 && star == null && gt == null
                && (ch == null || ch.isEmpty());
        }

        void add(Subscription sub) {
            if (sub.queue() == null) {
                Subscription[] p = plain;
                Subscription[] np = Arrays.copyOf(p, p.length + 1);
                np[p.length] = sub;
                plain = np;
                return;
            }
            Subscription[][] q = queues;
            for (int i = 0; i < q.length; i++) {
                if (q[i][0].queue().equals(sub.queue())) {
                    Subscription[] members = Arrays.copyOf(q[i], q[i].length + 1);
                    members[q[i].length] = sub;
                    Subscription[][] nq = q.clone();
                    nq[i] = members;
                    queues = nq;
                    return;
                }
            }
            Subscription[][] nq = Arrays.copyOf(q, q.length + 1);
            nq[q.length] = new Subscription[] {sub};
            queues = nq;
        }

        boolean remove(Subscription sub) {
            if (sub.queue() == null) {
                Subscription[] p = plain;
                int i = indexOf(p, sub);
                if (i < 0) {
                    return false;
                }
                plain = without(p, i);
                return true;
            }
            Subscription[][] q = queues;
            for (int g = 0; g < q.length; g++) {
                int i = indexOf(q[g], sub);
                if (i < 0) {
                    continue;
                }
                if (q[g].length == 1) {
                    Subscription[][] nq = new Subscription[q.length - 1][];
                    System.arraycopy(q, 0, nq, 0, g);
                    System.arraycopy(q, g + 1, nq, g, q.length - g - 1);
                    queues = nq;
                } else {
                    Subscription[][] nq = q.clone();
                    nq[g] = without(q[g], i);
                    queues = nq;
                }
                return true;
            }
            return false;
        }

        private static int indexOf(Subscription[] a, Subscription s) {
            for (int i = 0; i < a.length; i++) {
                if (a[i] == s) {
                    return i;
                }
            }
            return -1;
        }

        private static Subscription[] without(Subscription[] a, int i) {
            Subscription[] n = new Subscription[a.length - 1];
            System.arraycopy(a, 0, n, 0, i);
            System.arraycopy(a, i + 1, n, i, a.length - i - 1);
            return n;
        }
    }

    /** Gathers the subscriptions of the nodes a subject reaches, merging queue groups by name. */
    private static final class Collector {
        private final List<Subscription> plain = new ArrayList<>();
        private Map<String, List<Subscription>> queues;

        void add(Node node) {
            for (Subscription s : node.plain) {
                plain.add(s);
            }
            Subscription[][] q = node.queues;
            if (q.length == 0) {
                return;
            }
            if (queues == null) {
                queues = new LinkedHashMap<>();
            }
            for (Subscription[] group : q) {
                queues.computeIfAbsent(group[0].queue(), k -> new ArrayList<>()).addAll(Arrays.asList(group));
            }
        }

        Match toMatch() {
            if (plain.isEmpty() && queues == null) {
                return Match.EMPTY;
            }
            Subscription[][] q = Match.NO_QUEUES;
            if (queues != null) {
                q = new Subscription[queues.size()][];
                int i = 0;
                for (List<Subscription> members : queues.values()) {
                    q[i++] = members.toArray(Match.NO_SUBS);
                }
            }
            return new Match(plain.toArray(Match.NO_SUBS), q);
        }
    }
}
