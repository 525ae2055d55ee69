package io.meshery.broker.operator.controller;

import java.time.Duration;
import java.util.List;

/**
 * What one reconcile did, for the log line and for the work queue.
 *
 * @param key namespace/name of the Broker
 * @param outcome how it ended
 * @param reason the Ready condition's reason, or a short word
 * @param message detail
 * @param changes objects written, such as {@code StatefulSet/meshery-broker updated}
 * @param millis duration
 */
public record ReconcileResult(String key, Outcome outcome, String reason, String message, List<String> changes,
        long millis) {

    /** How a reconcile ended, and what the work queue does next. */
    public enum Outcome {
        /** Everything applied and every replica ready. Nothing to do until the next event. */
        READY,
        /** Applied; pods are starting or rolling. Checked again after {@link #PROGRESS_RECHECK}. */
        PROGRESSING,
        /** The spec breaks a rule; reported in status. Nothing to do until the spec changes. */
        INVALID,
        /** An API error or an unusable Secret; reported in status. Retried with backoff. */
        FAILED,
        /** A write conflict or an object being deleted. Retried soon. */
        RETRY,
        /** The Broker is gone or going. */
        DELETED
    }

    /** When a progressing Broker is looked at again even if no event arrives. */
    public static final Duration PROGRESS_RECHECK = Duration.ofSeconds(30);

    public ReconcileResult {
        changes = List.copyOf(changes);
    }

    static ReconcileResult of(String key, Outcome outcome, String reason, String message, List<String> changes) {
        return new ReconcileResult(key, outcome, reason, message, changes, 0);
    }

    ReconcileResult took(long ms) {
        return new ReconcileResult(key, outcome, reason, message, changes, ms);
    }

    /** The one log line of this reconcile. */
    public String logLine() {
        return "reconciled " + key + ": " + outcome + " (" + reason + ": " + message + ")"
                + (changes.isEmpty() ? ", no changes" : ", " + String.join(", ", changes)) + " in " + millis + " ms";
    }
}
