package io.meshery.broker.jetstream;

import com.fasterxml.jackson.databind.JsonNode;
import io.meshery.broker.persistence.StoredMessage;
import io.meshery.broker.protocol.PubArgs;
import io.meshery.broker.routing.Subscription;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * {@code $JS.API.DIRECT.GET.<stream>} (a request {@code {"seq"}}, {@code {"last_by_subj"}} or
 * {@code {"next_by_subj","seq"}}) and {@code $JS.API.DIRECT.GET.<stream>.<subject>} (the last message on that
 * subject), served only by streams with {@code allow_direct}. The answer is the stored message itself, its
 * headers followed by {@code Nats-Stream}, {@code Nats-Subject}, {@code Nats-Sequence} and
 * {@code Nats-Time-Stamp}; or a status {@code 404 Message Not Found} / {@code 408 Bad Request}, as nats-server.
 */
final class DirectGet implements InternalSubscriber {

    private static final byte[] NOT_FOUND = "NATS/1.0 404 Message Not Found\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] BAD_REQUEST = "NATS/1.0 408 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final JetStream js;
    private final MessageStream stream;

    DirectGet(JetStream js, MessageStream stream) {
        this.js = js;
        this.stream = stream;
    }

    /** Heard of by the other nodes of a cluster: direct gets come from clients on any node. */
    @Override
    public boolean sharedWithCluster() {
        return true;
    }

    @Override
    public boolean deliver(Subscription sub, PubArgs msg, byte[] buf, int off, int len) {
        if (msg.replyLength() == 0) {
            return false;
        }
        byte[] body = InternalSubscriber.body(msg, buf, off, len);
        String subject = msg.subject();
        String reply = msg.reply();
        js.execute(() -> answer(subject, reply, body));
        return true;
    }

    private void answer(String subject, String reply, byte[] body) {
        String prefix = "$JS.API.DIRECT.GET." + stream.spec().name();
        StoredMessage m;
        if (subject.length() > prefix.length()) {
            String last = subject.substring(prefix.length() + 1);
            m = stream.store().lastBySubject(SubjectFilter.predicate(last));
        } else {
            JsonNode request;
            try {
                request = JetStream.JSON.readTree(body);
            } catch (IOException e) {
                request = null;
            }
            if (request == null || !request.isObject()) {
                js.replyWithHeaders(reply, BAD_REQUEST, new byte[0]);
                return;
            }
            long seq = request.path("seq").asLong(0);
            String last = request.path("last_by_subj").asText("");
            String next = request.path("next_by_subj").asText("");
            if (!last.isEmpty()) {
                m = stream.store().lastBySubject(SubjectFilter.predicate(last));
            } else if (!next.isEmpty()) {
                m = stream.store().nextBySubject(SubjectFilter.predicate(next), Math.max(seq, 1));
            } else if (seq > 0) {
                m = stream.store().get(seq);
            } else {
                js.replyWithHeaders(reply, BAD_REQUEST, new byte[0]);
                return;
            }
        }
        if (m == null) {
            js.replyWithHeaders(reply, NOT_FOUND, new byte[0]);
            return;
        }
        StringBuilder h = new StringBuilder();
        if (m.headers() != null && m.headers().length > 4) {
            String original = new String(m.headers(), StandardCharsets.ISO_8859_1);
            h.append(original, 0, original.length() - 2); // without the blank line that ends it
        } else {
            h.append("NATS/1.0\r\n");
        }
        h.append("Nats-Stream: ").append(stream.spec().name()).append("\r\n");
        h.append("Nats-Subject: ").append(m.subject()).append("\r\n");
        h.append("Nats-Sequence: ").append(m.seq()).append("\r\n");
        h.append("Nats-Time-Stamp: ").append(JetStreamApi.goTimeNanos(m.timestamp())).append("\r\n\r\n");
        js.replyWithHeaders(reply, h.toString().getBytes(StandardCharsets.ISO_8859_1), m.payload());
    }
}
