package io.meshery.broker.persistence;

import java.io.IOException;

/**
 * Why a store refused or failed an operation. Unchecked: the stream layer maps each subclass to a JetStream
 * error (a PubAck with an error, or an API error). A refusal by a limit leaves the store unchanged; an
 * {@link IoFailure} leaves it consistent with what is on disk (see {@link FileStreamStore}).
 */
public class StoreException extends RuntimeException {

    public StoreException(String message) {
        super(message);
    }

    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Discard NEW and the stream holds {@code maxMsgs} messages already. */
    public static final class MaximumMessagesExceeded extends StoreException {
        public MaximumMessagesExceeded(long max) {
            super("maximum messages exceeded: the stream is limited to " + max + " messages");
        }
    }

    /** Discard NEW and the message does not fit in {@code maxBytes}, or it could never fit. */
    public static final class MaximumBytesExceeded extends StoreException {
        public MaximumBytesExceeded(long size, long max) {
            super("maximum bytes exceeded: a message of " + size + " bytes does not fit in the limit of " + max + " bytes");
        }
    }

    /** Discard NEW with discard-new-per-subject, and the subject holds {@code maxMsgsPerSubject} messages. */
    public static final class MaximumMessagesPerSubjectExceeded extends StoreException {
        public MaximumMessagesPerSubjectExceeded(String subject, long max) {
            super("maximum messages per subject exceeded: subject " + subject + " is limited to " + max + " messages");
        }
    }

    /** Headers plus payload are bigger than {@code maxMsgSize}. */
    public static final class MessageTooLarge extends StoreException {
        public MessageTooLarge(long size, long max) {
            super("message size exceeds maximum allowed: " + size + " bytes > " + max + " bytes");
        }
    }

    /** The store was closed. */
    public static final class Closed extends StoreException {
        public Closed(String store) {
            super("store is closed: " + store);
        }
    }

    /**
     * An I/O error: a full disk, a failed force, an unreadable file. The operation did not happen (nothing it
     * wrote is acknowledged); the store stays usable when it could put itself back in line with the disk,
     * otherwise every later call fails this way until it is closed and opened again.
     */
    public static final class IoFailure extends StoreException {
        public IoFailure(String message, IOException cause) {
            super(message + ": " + cause, cause);
        }
    }

    /** A record failed its checksum or framing when read, or the files do not fit together on open. */
    public static final class Corrupt extends StoreException {
        public Corrupt(String message) {
            super(message);
        }
    }
}
