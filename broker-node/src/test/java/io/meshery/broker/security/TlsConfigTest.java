package io.meshery.broker.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.config.ConfigException;
import io.meshery.broker.testkit.TestPki;
import io.meshery.broker.testkit.TestPki.KeyFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the tls block: files, key forms, and the mistakes an operator can make. */
class TlsConfigTest {

    @TempDir
    Path dir;

    private final TestPki pki = TestPki.create();

    private Map<String, Object> files(TestPki.Issued server, TestPki.Issued keyOf) throws Exception {
        TestPki.writeCertificates(dir.resolve("tls.crt"), server.certificate());
        TestPki.writeKey(dir.resolve("tls.key"), keyOf.keys().getPrivate(), KeyFormat.PKCS8);
        TestPki.writeCertificates(dir.resolve("ca.crt"), pki.caCertificate());
        return Map.of("cert_file", dir.resolve("tls.crt").toString(), "key_file", dir.resolve("tls.key").toString(),
            "ca_file", dir.resolve("ca.crt").toString());
    }

    @Test
    void engineFollowsTheBlock() throws Exception {
        TestPki.Issued server = pki.issueServer("EC");
        Map<String, Object> block = new java.util.HashMap<>(files(server, server));
        block.put("verify", true);
        block.put("timeout", 0.5);
        TlsConfig tls = TlsConfig.fromConfig(block);
        assertTrue(tls.verify());
        assertEquals(Duration.ofMillis(500), tls.timeout());
        SSLEngine engine = tls.newEngine();
        assertFalse(engine.getUseClientMode());
        assertTrue(engine.getNeedClientAuth());
        assertFalse(java.util.Arrays.asList(engine.getEnabledProtocols()).contains("TLSv1.1"));
        assertEquals(io.netty.handler.ssl.OpenSsl.isAvailable() ? "BoringSSL (netty-tcnative)" : "JDK", tls.provider());
        assertNull(TlsConfig.fromConfig(Map.of()));
        assertEquals(TlsConfig.DEFAULT_TIMEOUT,
            TlsConfig.fromConfig(files(server, server)).timeout());
    }

    @Test
    void theJdkServesWhenAskedFor() throws Exception {
        TestPki.Issued server = pki.issueServer("EC");
        String before = System.setProperty(TlsConfig.PROVIDER_PROPERTY, "jdk");
        try {
            TlsConfig tls = TlsConfig.fromConfig(files(server, server));
            assertEquals("JDK", tls.provider());
            assertFalse(tls.newEngine().getUseClientMode());
        } finally {
            if (before == null) {
                System.clearProperty(TlsConfig.PROVIDER_PROPERTY);
            } else {
                System.setProperty(TlsConfig.PROVIDER_PROPERTY, before);
            }
        }
    }

    @Test
    void mistakesAreNamedAndShowNoKeyMaterial() throws Exception {
        TestPki.Issued server = pki.issueServer("EC");
        assertMessage(files(server, pki.issueServer("EC")), "does not match the certificate");
        assertMessage(Map.of("cert_file", "/nonexistent/tls.crt", "key_file", "/nonexistent/tls.key"),
            "tls.cert_file: cannot read /nonexistent/tls.crt");
        assertMessage(Map.of("cert_file", "x"), "cert_file and key_file are both required");
        assertMessage(Map.of("cert_file", "x", "key_file", "y", "verify_and_map", true), "tls.verify_and_map: not supported");

        Map<String, Object> block = files(server, server);
        Files.writeString(dir.resolve("tls.key"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\n"
            + "MIIBAAYJKoZIhvcNAQUNMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n");
        ConfigException e = assertThrows(ConfigException.class, () -> TlsConfig.fromConfig(block));
        assertFalse(e.getMessage().contains("MIIB"), e.getMessage());
        Files.writeString(dir.resolve("tls.key"), "not pem at all\n");
        assertMessage(block, "does not hold a PEM private key");
    }

    private static void assertMessage(Map<String, Object> block, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> TlsConfig.fromConfig(block));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
