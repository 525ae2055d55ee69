package io.meshery.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.meshery.broker.protocol.PubArgs;
import io.meshery.broker.routing.Subscription;
import io.meshery.broker.testkit.NoSubscriber;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Trace line texts: nats-server's shapes, and no credential ever shown. */
class ProtocolTraceTest {

    @Test
    void redactsPasswordsAndTokensAsNatsServerDoes() {
        assertEquals("{\"user\":\"alice\",\"pass\":\"[REDACTED]\",\"verbose\":false}",
            ProtocolTrace.redact("{\"user\":\"alice\",\"pass\":\"secret\",\"verbose\":false}"));
        assertEquals("{\"auth_token\" : \"[REDACTED]\", \"pass\":\"[REDACTED]\"}",
            ProtocolTrace.redact("{\"auth_token\" : \"t\\\"ok\", \"pass\":\"p\"}"));
        assertEquals("{\"name\":\"pass\",\"pass\":\"[REDACTED]\"",
            ProtocolTrace.redact("{\"name\":\"pass\",\"pass\":\"unterminated"), "a broken value is cut off");
    }

    @Test
    void connectLineNeverHoldsTheSecret() {
        byte[] json = "{\"user\":\"u\",\"pass\":\"hunter2\",\"auth_token\":\"t0k3n\"}".getBytes(StandardCharsets.UTF_8);
        String line = ProtocolTrace.connect(json, 0, json.length);
        assertFalse(line.contains("hunter2") || line.contains("t0k3n"), line);
    }

    @Test
    void controlLinesAndPayloads() {
        PubArgs pub = PubArgs.of("foo", "_INBOX.1", -1, 5);
        assertEquals("PUB foo _INBOX.1 5", ProtocolTrace.pub(pub));
        assertEquals("HPUB foo 12 17", ProtocolTrace.pub(PubArgs.of("foo", null, 12, 17)));
        Subscription sub = new Subscription(NoSubscriber.INSTANCE, "foo", null, "7");
        assertEquals("MSG foo 7 _INBOX.1 5", ProtocolTrace.msg(sub, pub, true));
        assertEquals("MSG foo 7 5", ProtocolTrace.msg(sub, PubArgs.of("foo", null, 12, 17), false));
        byte[] payload = "he said \"hi\"\r\n\u0001".getBytes(StandardCharsets.UTF_8);
        assertEquals("\"he said \\\"hi\\\"\\r\\n\\x01\"", ProtocolTrace.payload(payload, 0, payload.length));
    }
}
