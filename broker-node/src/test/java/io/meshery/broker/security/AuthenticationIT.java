package io.meshery.broker.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.TestBroker;
import io.meshery.broker.testkit.WireClient;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way of configuring who may connect, with right and wrong credentials, through the official client and
 * on the wire; the wire texts and closes are those of nats-server 2.9.10.
 */
class AuthenticationIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration REFUSAL = Duration.ofSeconds(2);

    @TempDir
    Path dir;

    private static Connection connect(TestBroker broker, UnaryOperator<Options.Builder> credentials) throws Exception {
        return connect(broker, credentials, WAIT);
    }

    private static Connection connect(TestBroker broker, UnaryOperator<Options.Builder> credentials, Duration timeout)
            throws Exception {
        Options.Builder b = new Options.Builder().server(broker.url()).noReconnect().connectionTimeout(timeout)
            .errorListener(new ErrorListener() { });
        return Nats.connect(credentials.apply(b).build());
    }

    /**
     * jnats reports the server's -ERR only when its connection timeout ends (against nats-server too), so the
     * timeout is short here.
     */
    private static void assertRefused(TestBroker broker, UnaryOperator<Options.Builder> credentials) {
        Exception e = assertThrows(Exception.class, () -> connect(broker, credentials, REFUSAL).close());
        assertTrue(String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("authorization violation"),
            e::toString);
    }

    /** The connection works end to end: a message goes round through the broker. */
    private static void assertWorks(Connection nc) throws Exception {
        Subscription sub = nc.subscribe("auth.check");
        nc.publish("auth.check", "ok".getBytes(StandardCharsets.UTF_8));
        Message m = sub.nextMessage(WAIT);
        assertEquals("ok", new String(m.getData(), StandardCharsets.UTF_8));
    }

    @Test
    void tokenIsRequiredAndChecked() throws Exception {
        try (TestBroker broker = ConfiguredBroker.start(dir, "authorization { token: \"s3cr3t\" }\n")) {
            try (Connection nc = connect(broker, b -> b.token("s3cr3t".toCharArray()))) {
                assertTrue(nc.getServerInfo().isAuthRequired());
                assertWorks(nc);
            }
            assertRefused(broker, b -> b.token("wrong".toCharArray()));
            assertRefused(broker, b -> b.userInfo("s3cr3t", "s3cr3t"));

            try (WireClient c = new WireClient(broker.port())) {
                c.expectMatch("INFO \\{.*\"auth_required\":true.*");
                c.send("CONNECT {\"auth_token\":\"wrong\",\"verbose\":false}\r\nPING\r\n");
                c.expect("-ERR 'Authorization Violation'");
                c.expectClosed();
            }
        }
    }

    /**
     * A bcrypt check runs off the connection's thread and the parser waits for it: a client that sends CONNECT,
     * SUB, PUB and PING in one write and then shuts down its sending side still gets all of it processed.
     */
    @Test
    void inputAfterASlowCredentialsCheckIsProcessedBeforeTheClose() throws Exception {
        String users = "authorization { users = [ {user: bob, password: \"" + AuthenticatorTest.bcrypt("pass")
            + "\"} ] }\n";
        try (TestBroker broker = ConfiguredBroker.start(dir, users)) {
            for (int i = 0; i < 20; i++) {
                try (WireClient c = WireClient.connect(broker.port())) {
                    c.send("CONNECT {\"user\":\"bob\",\"pass\":\"pass\",\"verbose\":false}\r\nSUB t 1\r\n"
                        + "PUB t 2\r\nhi\r\nPING\r\n");
                    c.socket().shutdownOutput();
                    c.expect("MSG t 1 2").expect("hi").expect("PONG");
                    c.expectClosed();
                }
            }
        }
    }

    @Test
    void bcryptTokenAndPasswords() throws Exception {
        String conf = "authorization { token: \"" + AuthenticatorTest.bcrypt("t0ken") + "\" }\n";
        try (TestBroker broker = ConfiguredBroker.start(dir, conf)) {
            try (Connection nc = connect(broker, b -> b.token("t0ken".toCharArray()))) {
                assertWorks(nc);
            }
            assertRefused(broker, b -> b.token("t0ke".toCharArray()));
        }
        String users = "authorization { users = [ {user: bob, password: \"" + AuthenticatorTest.bcrypt("pass")
            + "\"} ] }\n";
        try (TestBroker broker = ConfiguredBroker.start(dir, users)) {
            try (Connection nc = connect(broker, b -> b.userInfo("bob", "pass"))) {
                assertWorks(nc);
            }
            try (WireClient c = WireClient.connect(broker.port(), "{\"user\":\"bob\",\"pass\":\"pass\",\"verbose\":false}")) {
                c.send("PING\r\n").expect("PONG");
            }
            try (WireClient c = WireClient.connect(broker.port())) {
                // the hash itself is not the password
                c.send("CONNECT {\"user\":\"bob\",\"pass\":\"" + users.split("\"")[1] + "\"}\r\nPING\r\n");
                c.expect("-ERR 'Authorization Violation'");
                c.expectClosed();
            }
        }
    }

    @Test
    void singleUserAndPassword() throws Exception {
        try (TestBroker broker = ConfiguredBroker.start(dir,
                "authorization { user: meshery, password: \"change-me\" }\n")) {
            try (Connection nc = connect(broker, b -> b.userInfo("meshery", "change-me"))) {
                assertWorks(nc);
            }
            assertRefused(broker, b -> b.userInfo("meshery", "changed"));
            assertRefused(broker, b -> b.userInfo("other", "change-me"));
            assertRefused(broker, b -> b);

            try (WireClient c = WireClient.connect(broker.port())) {
                c.send("CONNECT {\"user\":\"meshery\",\"pass\":\"change-me\"}\r\nPING\r\n");
                c.expect("+OK").expect("PONG");
            }
            try (WireClient c = WireClient.connect(broker.port())) {
                c.send("CONNECT {\"verbose\":false}\r\nPING\r\n");
                c.expect("-ERR 'Authorization Violation'");
                c.expectClosed();
            }
        }
    }

    @Test
    void usersFileHoldsTheAuthSecretsUsersJson() throws Exception {
        Files.writeString(dir.resolve("users.json"), "{\"users\":[{\"user\":\"meshery\",\"password\":\""
            + AuthenticatorTest.bcrypt("from-secret") + "\"},{\"user\":\"meshsync\",\"password\":\"plain\"}]}");
        try (TestBroker broker = ConfiguredBroker.start(dir, "authorization { users_file: \"users.json\" }\n")) {
            try (Connection nc = connect(broker, b -> b.userInfo("meshery", "from-secret"))) {
                assertWorks(nc);
            }
            try (Connection nc = connect(broker, b -> b.userInfo("meshsync", "plain"))) {
                assertWorks(nc);
            }
            assertRefused(broker, b -> b.userInfo("meshery", "plain"));
        }
    }

    @Test
    void operatorRenderedAuthConfIsIncludedAndUnderstood() throws Exception {
        // What operator-lite writes: nats.conf includes auth.conf, rendered from the auth Secret's users.json.
        Files.writeString(dir.resolve("auth.conf"), "# Rendered by meshery-broker operator-lite from Secret x.\n"
            + "authorization {\n  users = [\n    {user: \"meshery\", password: \""
            + AuthenticatorTest.bcrypt("op-pass") + "\"}\n  ]\n}\n");
        try (TestBroker broker = ConfiguredBroker.start(dir, "port: 4222\ninclude \"auth.conf\"\n")) {
            try (Connection nc = connect(broker, b -> b.userInfo("meshery", "op-pass"))) {
                assertWorks(nc);
            }
            assertRefused(broker, b -> b.userInfo("meshery", "nope"));
        }
    }

    @Test
    void anythingButConnectFirstIsAnAuthorizationViolation() throws Exception {
        try (TestBroker broker = ConfiguredBroker.start(dir, "authorization { user: u, password: p }\n")) {
            for (String first : new String[] {"PING\r\n", "SUB foo 1\r\n", "PUB foo 5\r\n", "FOO\r\n", "\r\n"}) {
                try (WireClient c = WireClient.connect(broker.port())) {
                    c.send(first);
                    c.expect("-ERR 'Authorization Violation'");
                    c.expectClosed();
                }
            }
            // A good CONNECT, then a second one with a wrong password: checked again, refused.
            try (WireClient c = WireClient.connect(broker.port())) {
                c.send("CONNECT {\"user\":\"u\",\"pass\":\"p\",\"verbose\":false}\r\n"
                    + "CONNECT {\"user\":\"u\",\"pass\":\"x\"}\r\nPING\r\n");
                c.expect("-ERR 'Authorization Violation'");
                c.expectClosed();
            }
        }
    }

    @Test
    void noConnectWithinTheAuthTimeoutIsClosed() throws Exception {
        try (TestBroker broker = ConfiguredBroker.start(dir, "authorization { token: t, timeout: 0.5 }\n")) {
            for (String partial : new String[] {"", "CONN"}) {
                try (WireClient c = WireClient.connect(broker.port())) {
                    long start = System.nanoTime();
                    c.send(partial);
                    c.expect("-ERR 'Authentication Timeout'");
                    long waited = System.nanoTime() - start;
                    assertTrue(waited >= Duration.ofMillis(400).toNanos(), "waited only " + waited + "ns");
                    c.expectClosed();
                }
            }
            // Authenticated in time: the timer is off, the connection stays.
            try (WireClient c = WireClient.connect(broker.port(), "{\"auth_token\":\"t\",\"verbose\":false}")) {
                c.expectSilence(Duration.ofMillis(800));
                c.send("PING\r\n").expect("PONG");
            }
        }
    }

    @Test
    void withoutAuthorizationInfoDoesNotAskForIt() throws Exception {
        try (TestBroker broker = ConfiguredBroker.start(dir, "authorization { timeout: 1 }\n");
             WireClient c = new WireClient(broker.port())) {
            String info = c.readLine(WAIT);
            assertFalse(info.contains("auth_required"), info);
            c.send("PING\r\n").expect("PONG");
        }
    }
}
