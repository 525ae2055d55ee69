package io.meshery.broker.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.config.ConfigException;
import io.meshery.broker.config.ConfigParser;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules of a permissions block, checked against what nats-server 2.9.10 answers on the wire. */
class PermissionsTest {

    private static Permissions parse(String block) {
        Map<String, Object> doc = new ConfigParser(name -> null).parseString("p = " + block).values();
        return Permissions.parse("permissions", doc.get("p"));
    }

    @Test
    void shortFormsAreAllowLists() {
        Permissions p = parse("{ publish = \"x.>\", subscribe = [\"x.*\", \"_INBOX.>\"] }");
        assertTrue(p.canPublish("x.a.b"));
        assertFalse(p.canPublish("y"));
        assertTrue(p.canSubscribe("x.a"));
        assertTrue(p.canSubscribe("_INBOX.abc.def"));
        assertFalse(p.canSubscribe("x.a.b"));
    }

    @Test
    void denyWinsOverAllow() {
        Permissions p = parse("{ publish: { allow: \"foo.>\", deny: [\"foo.bar\"] }, sub: { deny: \"secret.>\" } }");
        assertTrue(p.canPublish("foo.x"));
        assertFalse(p.canPublish("foo.bar"));
        assertFalse(p.canPublish("bar"));
        assertTrue(p.canSubscribe("anything"), "no allow list: everything not denied");
        assertFalse(p.canSubscribe("secret.plans"));
    }

    @Test
    void subscriptionSubjectsAreMatchedAsLiteralsAsNatsServerDoes() {
        Permissions p = parse("{ subscribe: \"foo.*\" }");
        assertTrue(p.canSubscribe("foo.*"));
        assertTrue(p.canSubscribe("foo.>"), "nats-server 2.9.10 allows SUB foo.> under allow foo.*");
        assertFalse(p.canSubscribe("foo"));
    }

    @Test
    void queueEntriesGovernQueueSubscriptions() {
        Permissions p = parse("{ subscribe: { allow: [\"foo.*\", \"q.* grp\", \"v.> *.dev\"], deny: \"foo.no\" } }");
        assertTrue(p.canQueueSubscribe("foo.a", "any"), "a plain entry allows any group");
        assertTrue(p.canQueueSubscribe("q.a", "grp"));
        assertFalse(p.canQueueSubscribe("q.a", "other"));
        assertFalse(p.canSubscribe("q.a"), "a queue entry does not allow a plain subscription");
        assertTrue(p.canQueueSubscribe("v.x", "team.dev"), "queue names may use wildcards");
        assertFalse(p.canQueueSubscribe("v.x", "team.prod"));
        assertFalse(p.canQueueSubscribe("foo.no", "any"));
    }

    @Test
    void deniedSubjectsAreFilteredFromDeliveries() {
        Permissions p = parse("{ subscribe: { allow: \"foo.*\", deny: \"foo.no\" } }");
        assertTrue(p.deniesDelivery("foo.no"));
        assertFalse(p.deniesDelivery("foo.yes"));
        assertFalse(parse("{ subscribe: \"foo.*\" }").hasDeliveryFilter());
    }

    @Test
    void allowResponsesTurnsBlanketPublishOffWithNatsDefaults() {
        Permissions p = parse("{ subscribe: \"svc\", allow_responses: true }");
        assertFalse(p.canPublish("anything"));
        assertEquals(new Permissions.Responses(1, Duration.ofMinutes(2)), p.responses());

        Permissions custom = parse("{ publish: \"log.>\", allow_responses: { max: 5, expires: \"1m\" } }");
        assertTrue(custom.canPublish("log.x"), "an explicit allow list stays");
        assertEquals(new Permissions.Responses(5, Duration.ofMinutes(1)), custom.responses());
        assertNull(parse("{ allow_responses: false }").responses());
    }

    @Test
    void responderMayAnswerEachReplySubjectOnce() {
        ClientPermissions c = new ClientPermissions(parse("{ subscribe: \"svc\", allow_responses: true }"));
        assertFalse(c.canPublish("_INBOX.1"));
        c.replyReceived("_INBOX.1");
        assertTrue(c.canPublish("_INBOX.1"));
        assertFalse(c.canPublish("_INBOX.1"), "max 1");
        assertFalse(c.canPublish("_INBOX.2"));
    }

    @Test
    void mistakesAreNamedByKey() {
        ConfigException unknown = assertThrows(ConfigException.class, () -> parse("{ publsh: \"x\" }"));
        assertTrue(unknown.getMessage().startsWith("permissions.publsh: unknown field"), unknown.getMessage());
        ConfigException bad = assertThrows(ConfigException.class, () -> parse("{ publish: \"a..b\" }"));
        assertTrue(bad.getMessage().contains("not a valid subject"), bad.getMessage());
        ConfigException queue = assertThrows(ConfigException.class, () -> parse("{ publish: \"a q\" }"));
        assertTrue(queue.getMessage().contains("permissions.publish"), queue.getMessage());
        ConfigException allowDeny = assertThrows(ConfigException.class, () -> parse("{ sub: { allowed: \"x\" } }"));
        assertTrue(allowDeny.getMessage().contains("only allow and deny"), allowDeny.getMessage());
    }
}
