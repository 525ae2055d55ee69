package io.meshery.broker.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestBroker;
import io.meshery.broker.testkit.WireClient;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Per-user permissions on the wire and through the official client. The expected lines are what nats-server
 * 2.9.10 sends for the same configuration and input.
 */
class PermissionsIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String CONF = """
        authorization {
          users = [
            {user: alice, password: secret, permissions: {
              publish: { allow: ["foo.>"], deny: ["foo.bar"] }
              subscribe: { allow: ["foo.*", "q.* grp"], deny: "foo.no" }
            }}
            {user: bob, password: pw}
            {user: resp, password: pw, permissions: { subscribe: "svc", allow_responses: true }}
          ]
        }
        """;

    @TempDir
    static Path dir;
    private static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = ConfiguredBroker.start(dir, CONF);
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static WireClient as(String user, String pass, boolean verbose) throws Exception {
        return WireClient.connect(broker.port(),
            "{\"user\":\"" + user + "\",\"pass\":\"" + pass + "\",\"verbose\":" + verbose + "}");
    }

    @Test
    void violationsUseNatsServerTextsAndTheConnectionStaysOpen() throws Exception {
        try (WireClient c = as("alice", "secret", true)) {
            c.send("PUB foo.bar 2\r\nhi\r\n").expect("-ERR 'Permissions Violation for Publish to \"foo.bar\"'");
            c.send("PUB foo.x 2\r\nhi\r\n").expect("+OK");
            c.send("PUB bar 2\r\nhi\r\n").expect("-ERR 'Permissions Violation for Publish to \"bar\"'");
            c.send("SUB foo.x 1\r\n").expect("+OK");
            c.send("SUB foo.no 2\r\n").expect("-ERR 'Permissions Violation for Subscription to \"foo.no\"'");
            c.send("SUB foo.> 3\r\n").expect("+OK");
            c.send("SUB q.a grp 4\r\n").expect("+OK");
            c.send("SUB q.a other 5\r\n")
                .expect("-ERR 'Permissions Violation for Subscription to \"q.a\" using queue \"other\"'");
            c.send("SUB q.a 6\r\n").expect("-ERR 'Permissions Violation for Subscription to \"q.a\"'");
            c.send("SUB foo.a grp2 7\r\n").expect("+OK");
            c.send("SUB bad..subj 8\r\n").expect("-ERR 'Permissions Violation for Subscription to \"bad..subj\"'");
            c.send("PING\r\n").expect("PONG");
        }
    }

    @Test
    void deniedSubjectsNeverReachAWildcardSubscriber() throws Exception {
        try (WireClient alice = as("alice", "secret", false); WireClient bob = as("bob", "pw", false)) {
            alice.send("SUB foo.* 1\r\nPING\r\n").expect("PONG");
            bob.send("PUB foo.no 1\r\nx\r\nPUB foo.yes 1\r\ny\r\nPING\r\n").expect("PONG");
            alice.expect("MSG foo.yes 1 1");
            alice.expect("y");
        }
    }

    @Test
    void aResponderMayAnswerEachRequestOnceAndPublishNothingElse() throws Exception {
        try (WireClient resp = as("resp", "pw", false); WireClient bob = as("bob", "pw", false)) {
            resp.send("SUB svc 1\r\nPING\r\n").expect("PONG");
            bob.send("SUB rep.> 9\r\nPUB svc rep.1 1\r\nq\r\nPING\r\n").expect("PONG");
            resp.expect("MSG svc 1 rep.1 1").expect("q");
            resp.send("PUB rep.1 1\r\na\r\nPUB rep.1 1\r\nb\r\nPUB rep.2 1\r\nc\r\nPUB other 1\r\nd\r\nPING\r\n");
            resp.expect("-ERR 'Permissions Violation for Publish to \"rep.1\"'");
            resp.expect("-ERR 'Permissions Violation for Publish to \"rep.2\"'");
            resp.expect("-ERR 'Permissions Violation for Publish to \"other\"'");
            resp.expect("PONG");
            bob.expect("MSG rep.1 9 1").expect("a");
        }
    }

    @Test
    void officialClientsRequestReplyUnderAllowResponsesAndSeeViolations() throws Exception {
        List<String> errors = new CopyOnWriteArrayList<>();
        ErrorListener recorder = new ErrorListener() {
            @Override
            public void errorOccurred(Connection conn, String error) {
                errors.add(error);
            }
        };
        Options.Builder common = new Options.Builder().server(broker.url()).noReconnect().connectionTimeout(WAIT);
        try (Connection responder = Nats.connect(common.userInfo("resp", "pw").errorListener(recorder).build());
             Connection requester = Nats.connect(new Options.Builder().server(broker.url()).noReconnect()
                 .connectionTimeout(WAIT).userInfo("bob", "pw").errorListener(new ErrorListener() { }).build())) {
            responder.createDispatcher(m -> responder.publish(m.getReplyTo(),
                ("re: " + new String(m.getData(), StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8)))
                .subscribe("svc");
            responder.flush(WAIT);
            Message reply = requester.request("svc", "ping".getBytes(StandardCharsets.UTF_8), WAIT);
            assertNotNull(reply);
            assertEquals("re: ping", new String(reply.getData(), StandardCharsets.UTF_8));

            responder.publish("not.a.reply", new byte[0]);
            responder.flush(WAIT);
            Poll.until(WAIT, "the client's error listener to hear of the violation", () -> !errors.isEmpty());
            assertTrue(errors.get(0).contains("Permissions Violation for Publish to \"not.a.reply\""), errors::toString);
            assertTrue(responder.getStatus() == Connection.Status.CONNECTED, "a violation does not close");
        }
    }
}
