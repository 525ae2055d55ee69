package io.meshery.broker.persistence;

import java.util.function.Predicate;

/**
 * What to purge, as JetStream's {@code STREAM.PURGE} request {@code {"filter","seq","keep"}}: optionally only
 * the subjects the filter accepts, and either every message below a sequence or all but the last {@code keep}
 * (not both, as nats-server).
 *
 * @param filter  the subjects to purge, or null for all (wildcard matching is the caller's)
 * @param upToSeq purge sequences strictly below this one; 0 for no bound
 * @param keep    keep this many of the newest (matching) messages; 0 for none
 */
public record PurgeRequest(Predicate<String> filter, long upToSeq, long keep) {

    public PurgeRequest {
        if (upToSeq < 0 || keep < 0) {
            throw new IllegalArgumentException("seq and keep must not be negative");
        }
        if (upToSeq > 0 && keep > 0) {
            throw new IllegalArgumentException("seq and keep are mutually exclusive");
        }
    }

    public static PurgeRequest all() {
        return new PurgeRequest(null, 0, 0);
    }

    public static PurgeRequest subjects(Predicate<String> filter) {
        return new PurgeRequest(filter, 0, 0);
    }

    public static PurgeRequest upTo(long seqExclusive) {
        return new PurgeRequest(null, seqExclusive, 0);
    }

    public static PurgeRequest keepLast(long keep) {
        return new PurgeRequest(null, 0, keep);
    }

    public PurgeRequest withFilter(Predicate<String> f) {
        return new PurgeRequest(f, upToSeq, keep);
    }
}
