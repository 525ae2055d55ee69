package io.meshery.broker.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.TestBroker;
import io.meshery.broker.testkit.TestPki;
import io.meshery.broker.testkit.TestPki.KeyFormat;
import io.meshery.broker.testkit.WireClient;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS on the client port as nats-server 2.9 does it: INFO in plain text with {@code tls_required}, then the
 * handshake; optional client certificate verification; plain-text clients are cut off. Certificates are made
 * by the test.
 */
class TlsIT {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static TestPki pki;

    @TempDir
    Path dir;

    @BeforeAll
    static void createCa() {
        pki = TestPki.create();
    }

    /** Writes a server certificate and key (in {@code format}) and a CA file; returns the tls block. */
    private String tlsBlock(String algorithm, KeyFormat format, String extra) throws IOException {
        TestPki.Issued server = pki.issueServer(algorithm);
        Path cert = dir.resolve("tls.crt");
        Path key = dir.resolve("tls.key");
        Path ca = dir.resolve("ca.crt");
        TestPki.writeCertificates(cert, server.certificate(), pki.caCertificate());
        TestPki.writeKey(key, server.keys().getPrivate(), format);
        TestPki.writeCertificates(ca, pki.caCertificate());
        return "tls {\n  cert_file: \"" + cert + "\"\n  key_file: \"" + key + "\"\n  ca_file: \"" + ca + "\"\n"
            + extra + "}\n";
    }

    private static Connection connect(TestBroker broker, SSLContext context, Duration timeout) throws Exception {
        return Nats.connect(new Options.Builder().server(broker.url()).sslContext(context).noReconnect()
            .connectionTimeout(timeout).errorListener(new ErrorListener() { }).build());
    }

    private static void assertWorks(Connection nc) throws Exception {
        Subscription sub = nc.subscribe("tls.check");
        nc.publish("tls.check", "secret payload".getBytes(StandardCharsets.UTF_8));
        Message m = sub.nextMessage(WAIT);
        assertEquals("secret payload", new String(m.getData(), StandardCharsets.UTF_8));
    }

    @Test
    void officialClientOverTlsWithoutClientCertificates() throws Exception {
        try (TestBroker broker = ConfiguredBroker.start(dir, tlsBlock("EC", KeyFormat.PKCS8, ""))) {
            try (WireClient plain = new WireClient(broker.port())) {
                String info = plain.readLine(WAIT);
                assertTrue(info.startsWith("INFO {") && info.contains("\"tls_required\":true"), info);
                assertFalse(info.contains("tls_verify"), info);
            }
            try (Connection nc = connect(broker, pki.clientContext(null), WAIT)) {
                assertTrue(nc.getServerInfo().isTLSRequired());
                assertWorks(nc);
            }
        }
    }

    /**
     * Messages of up to max_payload cross TLS intact in both directions, each in many records, between small ones,
     * in order; the stage's buffers grow for them and shrink again.
     */
    @Test
    void largeMessagesCrossTlsIntactAndInOrder() throws Exception {
        try (TestBroker broker = ConfiguredBroker.start(dir, tlsBlock("EC", KeyFormat.PKCS8, ""));
             Connection nc = connect(broker, pki.clientContext(null), WAIT)) {
            Subscription sub = nc.subscribe("tls.large");
            java.util.Random random = new java.util.Random(7);
            List<byte[]> sent = new java.util.ArrayList<>();
            for (int size : new int[] {1024 * 1024, 10, 300_000, 16 * 1024 + 1, 1024 * 1024, 1}) {
                byte[] payload = new byte[size];
                random.nextBytes(payload);
                sent.add(payload);
                nc.publish("tls.large", payload);
            }
            for (byte[] expected : sent) {
                Message m = sub.nextMessage(WAIT);
                assertTrue(m != null && java.util.Arrays.equals(expected, m.getData()),
                    () -> "message of " + expected.length + " bytes changed or missing");
            }
        }
    }

    @Test
    void plainTextClientIsClosedAfterInfo() throws Exception {
        try (TestBroker broker = ConfiguredBroker.start(dir, tlsBlock("EC", KeyFormat.PKCS8, ""));
             WireClient c = new WireClient(broker.port())) {
            c.expectMatch("INFO \\{.*\"tls_required\":true.*");
            c.send("CONNECT {\"verbose\":false}\r\nPING\r\n");
            assertNoPlainTextAnswer(c);
        }
    }

    @Test
    void handshakeMustCompleteWithinTheTlsTimeout() throws Exception {
        try (TestBroker broker = ConfiguredBroker.start(dir, tlsBlock("EC", KeyFormat.PKCS8, "  timeout: 0.5\n"));
             WireClient c = new WireClient(broker.port())) {
            c.expectMatch("INFO \\{.*");
            long start = System.nanoTime();
            c.expectClosed();
            assertTrue(System.nanoTime() - start >= Duration.ofMillis(400).toNanos(), "closed before the timeout");
        }
    }

    @Test
    void verifyRequiresAClientCertificateFromTheCa() throws Exception {
        try (TestBroker broker = ConfiguredBroker.start(dir, tlsBlock("EC", KeyFormat.PKCS8, "  verify: true\n"))) {
            try (WireClient plain = new WireClient(broker.port())) {
                plain.expectMatch("INFO \\{.*\"tls_required\":true,\"tls_verify\":true.*");
            }
            try (Connection nc = connect(broker, pki.clientContext(pki.issueClient("meshsync")), WAIT)) {
                assertWorks(nc);
            }
            assertThrows(Exception.class, () -> connect(broker, pki.clientContext(null), Duration.ofSeconds(3)).close(),
                "no client certificate");
            TestPki stranger = TestPki.create();
            assertThrows(Exception.class,
                () -> connect(broker, stranger.clientContext(stranger.issueClient("x")), Duration.ofSeconds(3)).close(),
                "a client certificate from another CA");

            // On the wire: the server refuses the handshake and closes.
            try (WireClient c = new WireClient(broker.port())) {
                c.expectMatch("INFO \\{.*");
                SSLSocket tls = (SSLSocket) pki.clientContext(null).getSocketFactory()
                    .createSocket(c.socket(), "localhost", broker.port(), true);
                tls.setSoTimeout((int) WAIT.toMillis());
                assertThrows(IOException.class, () -> {
                    tls.startHandshake();
                    tls.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
                    tls.getOutputStream().flush();
                    if (tls.getInputStream().read() < 0) {
                        throw new IOException("closed");
                    }
                });
            }
        }
    }

    @Test
    void certificatesAndKeysInEveryPemForm() throws Exception {
        String[][] cases = {{"EC", "PKCS8"}, {"EC", "TRADITIONAL"}, {"RSA", "PKCS8"}, {"RSA", "TRADITIONAL"}};
        for (String[] c : cases) {
            String conf = tlsBlock(c[0], KeyFormat.valueOf(c[1]), "");
            try (TestBroker broker = ConfiguredBroker.start(dir, conf);
                 Connection nc = connect(broker, pki.clientContext(null), WAIT)) {
                assertWorks(nc);
            }
        }
    }

    @Test
    void tokenOverTls() throws Exception {
        String conf = tlsBlock("EC", KeyFormat.PKCS8, "") + "authorization { token: \"over-tls\" }\n";
        try (TestBroker broker = ConfiguredBroker.start(dir, conf)) {
            try (Connection nc = Nats.connect(new Options.Builder().server(broker.url())
                    .sslContext(pki.clientContext(null)).token("over-tls".toCharArray()).noReconnect()
                    .connectionTimeout(WAIT).errorListener(new ErrorListener() { }).build())) {
                assertWorks(nc);
            }
            try (WireClient c = new WireClient(broker.port())) {
                c.expectMatch("INFO \\{.*\"auth_required\":true,\"tls_required\":true.*");
                SSLSocket tls = (SSLSocket) pki.clientContext(null).getSocketFactory()
                    .createSocket(c.socket(), "localhost", broker.port(), true);
                tls.setSoTimeout((int) WAIT.toMillis());
                tls.getOutputStream().write("CONNECT {\"auth_token\":\"wrong\"}\r\nPING\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
                tls.getOutputStream().flush();
                assertEquals("-ERR 'Authorization Violation'\r\n", readAll(tls.getInputStream()));
            }
        }
    }

    @Test
    void authTimeoutDefaultsToTheTlsTimeoutPlusOneSecond() throws Exception {
        String conf = tlsBlock("EC", KeyFormat.PKCS8, "  timeout: 0.5\n") + "authorization { token: t }\n";
        try (TestBroker broker = ConfiguredBroker.start(dir, conf);
             WireClient c = new WireClient(broker.port())) {
            long start = System.nanoTime();
            c.expectMatch("INFO \\{.*");
            SSLSocket tls = (SSLSocket) pki.clientContext(null).getSocketFactory()
                .createSocket(c.socket(), "localhost", broker.port(), true);
            tls.setSoTimeout((int) WAIT.toMillis());
            tls.startHandshake();
            assertEquals("-ERR 'Authentication Timeout'\r\n", readAll(tls.getInputStream()));
            long waited = System.nanoTime() - start;
            assertTrue(waited >= Duration.ofMillis(1400).toNanos(), "timed out after " + waited + "ns, not 1.5s");
        }
    }

    /** A plain-text client gets nothing readable back (nats-server 2.9 sends no -ERR either) and is closed. */
    private static void assertNoPlainTextAnswer(WireClient c) throws IOException {
        c.socket().setSoTimeout((int) WAIT.toMillis());
        String rest = readAll(c.socket().getInputStream());
        assertFalse(rest.contains("PONG") || rest.contains("-ERR"), rest);
    }

    /** Everything until the server closes the connection. */
    private static String readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1024];
        try {
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                out.write(buf, 0, n);
            }
        } catch (IOException e) {
            // reset or TLS alert on close: what came before is what counts
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }
}
