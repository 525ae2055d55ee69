package io.meshery.broker.jetstream;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * One waiting {@code $JS.API.CONSUMER.MSG.NEXT} request: where to deliver, how many messages and bytes it still
 * takes, when it expires and when its next idle heartbeat is due. A body is empty (one message), a number (the
 * batch) or {@code {"batch","expires","no_wait","max_bytes","idle_heartbeat"}} with durations in nanoseconds,
 * as nats-server's {@code nextReqFromMsg}. Mutable; owned by its consumer on the JetStream thread.
 */
final class PullRequest {

    final String reply;
    final boolean noWait;
    /** {@link System#nanoTime} when it expires; 0 for never. */
    final long expiresAt;
    final long heartbeatNanos;
    final long maxBytes;
    int remaining;
    long bytesLeft;
    int delivered;
    long nextHeartbeat;

    private PullRequest(String reply, int batch, long expiresNanos, boolean noWait, long maxBytes, long heartbeat,
                        long now) {
        this.reply = reply;
        this.remaining = batch;
        this.noWait = noWait;
        this.expiresAt = expiresNanos > 0 ? now + expiresNanos : 0;
        this.maxBytes = maxBytes;
        this.bytesLeft = maxBytes;
        this.heartbeatNanos = heartbeat;
        this.nextHeartbeat = heartbeat > 0 ? now + heartbeat : 0;
    }

    /** The request in {@code body}; {@link IllegalArgumentException} says what is wrong (a 400 to the client). */
    static PullRequest parse(String reply, byte[] body, long now) {
        String text = new String(body, StandardCharsets.UTF_8).trim();
        if (text.isEmpty()) {
            return new PullRequest(reply, 1, 0, false, 0, 0, now);
        }
        if (text.charAt(0) != '{') {
            try {
                int batch = Integer.parseInt(text);
                return new PullRequest(reply, Math.max(batch, 1), 0, false, 0, 0, now);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid request");
            }
        }
        JsonNode r;
        try {
            r = JetStream.JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        int batch = r.path("batch").asInt(0);
        long expires = r.path("expires").asLong(0);
        long heartbeat = r.path("idle_heartbeat").asLong(0);
        if (batch < 0 || expires < 0 || heartbeat < 0) {
            throw new IllegalArgumentException("invalid request");
        }
        if (heartbeat > 0 && expires > 0 && heartbeat * 2 > expires) {
            throw new IllegalArgumentException("heartbeat value too large");
        }
        return new PullRequest(reply, Math.max(batch, 1), expires, r.path("no_wait").asBoolean(false),
            Math.max(0, r.path("max_bytes").asLong(0)), heartbeat, now);
    }

    boolean expired(long now) {
        return expiresAt != 0 && now - expiresAt >= 0;
    }
}
