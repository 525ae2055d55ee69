package io.meshery.broker.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.config.BrokerOptions;
import io.meshery.broker.config.ConfigParser;
import io.meshery.broker.testkit.TestBroker;
import io.meshery.broker.testkit.TestPki;
import io.meshery.broker.testkit.WireClient;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration examples of docs/operations.md (each marked {@code <!-- example: name -->}) are loaded and run
 * as written, so the page cannot drift from what the node does.
 */
class OperationsDocIT {

    private static final Path DOC = Path.of("..", "docs", "operations.md");
    private static final Pattern EXAMPLE =
        Pattern.compile("<!-- example: ([a-z-]+) -->\\s*```[a-z]*\\n(.*?)```", Pattern.DOTALL);
    private static Map<String, String> examples;

    @TempDir
    Path dir;

    @BeforeAll
    static void readTheDoc() throws Exception {
        examples = new LinkedHashMap<>();
        Matcher m = EXAMPLE.matcher(Files.readString(DOC));
        while (m.find()) {
            examples.put(m.group(1), m.group(2));
        }
    }

    private static String example(String name) {
        String text = examples.get(name);
        assertNotNull(text, "docs/operations.md has no example " + name + "; it has " + examples.keySet());
        return text;
    }

    private static WireClient as(TestBroker broker, String connectJson) throws Exception {
        return WireClient.connect(broker.port(), connectJson);
    }

    private static void refused(TestBroker broker, String connectJson) throws Exception {
        try (WireClient c = WireClient.connect(broker.port())) {
            c.send("CONNECT " + connectJson + "\r\nPING\r\n");
            c.expect("-ERR 'Authorization Violation'");
            c.expectClosed();
        }
    }

    @Test
    void tokenExample() throws Exception {
        try (TestBroker broker = ConfiguredBroker.start(dir, example("auth-token"))) {
            as(broker, "{\"auth_token\":\"s3cr3t-token\",\"verbose\":false}").close();
            refused(broker, "{\"auth_token\":\"s3cr3t\"}");
        }
    }

    @Test
    void singleUserExample() throws Exception {
        try (TestBroker broker = ConfiguredBroker.start(dir, example("auth-user"))) {
            as(broker, "{\"user\":\"meshery\",\"pass\":\"change-me\",\"verbose\":false}").close();
            refused(broker, "{\"user\":\"meshery\",\"pass\":\"change\"}");
        }
    }

    @Test
    void usersAndPermissionsExample() throws Exception {
        try (TestBroker broker = ConfiguredBroker.start(dir, example("auth-users"))) {
            try (WireClient admin = as(broker, "{\"user\":\"admin\",\"pass\":\"admin-pass\"}")) {
                admin.send("PUB anything.at.all 0\r\n\r\n").expect("+OK");
            }
            try (WireClient sync = as(broker, "{\"user\":\"meshsync\",\"pass\":\"sync-pass\"}")) {
                sync.send("SUB meshery.meshsync.request meshsync-request-stream 1\r\n").expect("+OK");
                sync.send("SUB meshery.meshsync.request 2\r\n")
                    .expect("-ERR 'Permissions Violation for Subscription to \"meshery.meshsync.request\"'");
                sync.send("PUB meshery.meshsync.core 0\r\n\r\n").expect("+OK");
                sync.send("PUB meshery.meshsync.secret 0\r\n\r\n")
                    .expect("-ERR 'Permissions Violation for Publish to \"meshery.meshsync.secret\"'");
            }
            try (WireClient viewer = as(broker, "{\"user\":\"viewer\",\"pass\":\"view-pass\"}")) {
                viewer.send("PUB meshery.x 0\r\n\r\n").expect("+OK");
                viewer.send("PUB other 0\r\n\r\n").expect("-ERR 'Permissions Violation for Publish to \"other\"'");
            }
            try (WireClient responder = as(broker, "{\"user\":\"responder\",\"pass\":\"resp-pass\",\"verbose\":false}");
                 WireClient admin = as(broker, "{\"user\":\"admin\",\"pass\":\"admin-pass\",\"verbose\":false}")) {
                responder.send("SUB meshery.svc 1\r\nPING\r\n").expect("PONG");
                admin.send("SUB _INBOX.r 1\r\nPUB meshery.svc _INBOX.r 1\r\nq\r\nPING\r\n").expect("PONG");
                responder.expect("MSG meshery.svc 1 _INBOX.r 1").expect("q");
                responder.send("PUB _INBOX.r 1\r\na\r\nPING\r\n").expect("PONG");
                admin.expect("MSG _INBOX.r 1 1").expect("a");
            }
            refused(broker, "{\"user\":\"admin\",\"pass\":\"$2a$10$/eIfplBwEwUOEy9z2AhKC.5wa0EtQBOox3mKVaTTr1kB5BpLpVKge\"}");
        }
    }

    @Test
    void usersFileExample() throws Exception {
        Files.writeString(dir.resolve("users.json"), example("users-json"));
        try (TestBroker broker = ConfiguredBroker.start(dir, example("auth-users-file"))) {
            as(broker, "{\"user\":\"meshery\",\"pass\":\"change-me\",\"verbose\":false}").close();
            refused(broker, "{\"user\":\"meshery\",\"pass\":\"nope\"}");
        }
    }

    @Test
    void tlsExample() throws Exception {
        Path tlsDir = Files.createDirectories(dir.resolve("tls"));
        TestPki pki = TestPki.create();
        TestPki.Issued server = pki.issueServer("EC");
        TestPki.writeCertificates(tlsDir.resolve("tls.crt"), server.certificate(), pki.caCertificate());
        TestPki.writeKey(tlsDir.resolve("tls.key"), server.keys().getPrivate(), TestPki.KeyFormat.PKCS8);
        TestPki.writeCertificates(tlsDir.resolve("ca.crt"), pki.caCertificate());
        String conf = example("tls").replace("/etc/meshery-broker/tls/", tlsDir + "/");
        try (TestBroker broker = ConfiguredBroker.start(dir, conf)) {
            Options.Builder options = new Options.Builder().server(broker.url()).noReconnect()
                .errorListener(new ErrorListener() { });
            try (Connection nc = Nats.connect(options.sslContext(pki.clientContext(pki.issueClient("meshery")))
                    .connectionTimeout(Duration.ofSeconds(10)).build())) {
                assertTrue(nc.getServerInfo().isTLSRequired());
            }
            assertThrows(Exception.class, () -> Nats.connect(options.sslContext(pki.clientContext(null))
                .connectionTimeout(Duration.ofSeconds(3)).build()).close(), "verify: true wants a client certificate");
        }
    }

    @Test
    void lameDuckAndLoggingExamplesLoad() {
        BrokerOptions ldm = load(example("lame-duck"));
        assertEquals(Duration.ofSeconds(30), ldm.lameDuckDuration());
        assertEquals(Duration.ofSeconds(10), ldm.lameDuckGracePeriod());
        assertEquals(Path.of("/var/run/meshery-broker/broker.pid"), ldm.pidFile().orElseThrow());

        BrokerOptions logging = load(example("logging"));
        assertTrue(logging.debug() && logging.trace() && logging.logtime());
    }

    private static BrokerOptions load(String conf) {
        BrokerOptions.Loaded loaded = BrokerOptions.fromConfig(new ConfigParser().parseString(conf));
        assertTrue(loaded.warnings().isEmpty(), loaded.warnings()::toString);
        return loaded.options();
    }
}
