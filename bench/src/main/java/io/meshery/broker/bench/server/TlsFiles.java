package io.meshery.broker.bench.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A fresh self-signed ECDSA P-256 certificate for 127.0.0.1 and localhost, with its key, made by {@code openssl}
 * in a directory of the run's: the same files for both servers of a TLS scenario, and the certificate is the CA the
 * client verifies against.
 *
 * @param certificate the certificate, PEM (also the clients' CA)
 * @param key         the private key, PEM (PKCS#8)
 */
public record TlsFiles(Path certificate, Path key) {

    /** Makes the certificate and key in {@code dir}. */
    public static TlsFiles create(Path dir) throws IOException {
        Path cert = dir.resolve("server-cert.pem");
        Path key = dir.resolve("server-key.pem");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", key.toString(), "-out", cert.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("openssl could not make the TLS certificate: " + output.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while making the TLS certificate", e);
        }
        return new TlsFiles(cert, key);
    }

    /**
     * A server configuration: client port {@code port} on 127.0.0.1, no monitoring port (ours would take 8222
     * otherwise), TLS required with these files.
     */
    public String configText(int port) {
        return "listen: \"127.0.0.1:" + port + "\"\n"
                + "http_port: 0\n"
                + "tls {\n"
                + "  cert_file: \"" + certificate.toAbsolutePath() + "\"\n"
                + "  key_file: \"" + key.toAbsolutePath() + "\"\n"
                + "}\n";
    }
}
