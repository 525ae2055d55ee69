package io.meshery.broker.security;

import io.meshery.broker.config.ConfigException;
import io.meshery.broker.config.ConfigValues;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;

/**
 * The client port's TLS: nats-server's {@code tls} block.
 *
 * <pre>
 * tls {
 *   cert_file: "/etc/meshery-broker/tls/tls.crt"   # PEM chain, server certificate first
 *   key_file:  "/etc/meshery-broker/tls/tls.key"   # PEM key: PKCS#8, PKCS#1 (RSA) or SEC 1 (EC), unencrypted
 *   ca_file:   "/etc/meshery-broker/tls/ca.crt"    # CAs that sign client certificates (with verify)
 *   verify:    true                                # require a client certificate signed by ca_file
 *   timeout:   2                                   # seconds (or "500ms") for the handshake; default 2
 * }
 * </pre>
 *
 * <p>Paths are used as written (relative ones from the working directory, as nats-server). TLS 1.2 and 1.3 only,
 * as nats-server's minimum. Immutable and thread-safe.
 */
public final class TlsConfig {

    /** nats-server's {@code DEFAULT_TLS_TIMEOUT}. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    private static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    /**
     * System property choosing the TLS implementation: {@code openssl} (BoringSSL through netty-tcnative, the
     * default where its native library loads) or {@code jdk} (the JDK's own).
     */
    public static final String PROVIDER_PROPERTY = "meshery.broker.tls.provider";

    private final SSLContext context;
    private final SslContext openSsl;
    private final boolean verify;
    private final Duration timeout;
    private final String[] protocols;

    private TlsConfig(SSLContext context, SslContext openSsl, boolean verify, Duration timeout) {
        this.context = context;
        this.openSsl = openSsl;
        this.verify = verify;
        this.timeout = timeout;
        List<String> supported = Arrays.asList(context.getSupportedSSLParameters().getProtocols());
        this.protocols = PROTOCOLS.stream().filter(supported::contains).toArray(String[]::new);
    }

    /** Whether clients must present a certificate signed by the configured CAs. */
    public boolean verify() {
        return verify;
    }

    /** How long a client has to complete the TLS handshake. */
    public Duration timeout() {
        return timeout;
    }

    /** {@code BoringSSL (netty-tcnative)} or {@code JDK}: which implementation serves handshakes and records. */
    public String provider() {
        return openSsl != null ? "BoringSSL (netty-tcnative)" : "JDK";
    }

    /**
     * A server-side engine for one new connection. BoringSSL's engine copies heap buffers into direct ones from the
     * allocator it is given: Netty 4.2's default (adaptive) allocator made a fresh, zeroed direct buffer often enough
     * to take 16 % of the node's CPU in a TLS pub/sub run (JFR); the pooled one reuses them (go-tls-pubsub 824k -> 1.03M
     * msg/s, 1,535 -> 1,140 ns of CPU per message, docs/performance.md). The pool's arenas add 12-25 MiB of resident
     * memory to a node that serves TLS; one arena of 1 MiB chunks instead saved half of that and lost the gain.
     */
    public SSLEngine newEngine() {
        if (openSsl != null) {
            return openSsl.newEngine(PooledByteBufAllocator.DEFAULT);
        }
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        engine.setEnabledProtocols(protocols);
        if (verify) {
            engine.setNeedClientAuth(true);
        }
        return engine;
    }

    /**
     * The TLS a {@code tls} block asks for, or null when the block is empty.
     *
     * @throws ConfigException naming the key when a file cannot be read or a key is missing or unsupported
     */
    public static TlsConfig fromConfig(Map<String, Object> block) {
        if (block.isEmpty()) {
            return null;
        }
        String certFile = null;
        String keyFile = null;
        String caFile = null;
        boolean verify = false;
        Duration timeout = DEFAULT_TIMEOUT;
        for (Map.Entry<String, Object> e : block.entrySet()) {
            String key = "tls." + e.getKey();
            Object v = e.getValue();
            switch (e.getKey().toLowerCase(Locale.ROOT)) {
                case "cert_file" -> certFile = ConfigValues.string(key, v);
                case "key_file" -> keyFile = ConfigValues.string(key, v);
                case "ca_file" -> caFile = ConfigValues.string(key, v);
                case "verify" -> verify = ConfigValues.bool(key, v);
                case "timeout" -> {
                    timeout = ConfigValues.seconds(key, v);
                    if (timeout.isZero() || timeout.isNegative()) {
                        timeout = DEFAULT_TIMEOUT;
                    }
                }
                default -> throw new ConfigException(key + ": not supported; tls takes cert_file, key_file, "
                    + "ca_file, verify and timeout");
            }
        }
        if (certFile == null || keyFile == null) {
            throw new ConfigException("tls: cert_file and key_file are both required");
        }
        List<X509Certificate> chain = PemFiles.certificates("tls.cert_file", Path.of(certFile));
        PrivateKey key = PemFiles.privateKey("tls.key_file", Path.of(keyFile));
        if (!isPair(key, chain.get(0))) {
            throw new ConfigException("tls: the private key in " + keyFile + " does not match the certificate in "
                + certFile);
        }
        List<X509Certificate> cas = caFile == null ? null : PemFiles.certificates("tls.ca_file", Path.of(caFile));
        TrustManagerFactory trust = trustManagers(cas);
        return new TlsConfig(sslContext(chain, key, trust), openSslContext(chain, key, trust, verify), verify,
            timeout);
    }

    /** Whether {@code key} is the private half of the certificate's public key: a signature made with it verifies. */
    private static boolean isPair(PrivateKey key, X509Certificate cert) {
        String algorithm = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        if (algorithm == null) {
            return true; // an unusual key type: let the handshake be the judge
        }
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(cert.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** Without {@code cas}, client certificates (if verified) are checked against the JDK's default trust store. */
    private static TrustManagerFactory trustManagers(List<X509Certificate> cas) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (cas == null) {
                tmf.init((KeyStore) null);
            } else {
                KeyStore trusted = KeyStore.getInstance("PKCS12");
                trusted.load(null, null);
                for (int i = 0; i < cas.size(); i++) {
                    trusted.setCertificateEntry("ca-" + i, cas.get(i));
                }
                tmf.init(trusted);
            }
            return tmf;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new ConfigException("tls: the CA certificates cannot be used (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static SSLContext sslContext(List<X509Certificate> chain, PrivateKey key, TrustManagerFactory trust) {
        try {
            char[] password = new char[0];
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(null, null);
            keys.setKeyEntry("server", key, password, chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), trust.getTrustManagers(), new SecureRandom());
            return context;
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new ConfigException("tls: the certificate and key cannot be used together ("
                + e.getClass().getSimpleName() + ")");
        }
    }

    /**
     * The same TLS in BoringSSL, or null when {@link #PROVIDER_PROPERTY} says {@code jdk} or its native library does
     * not load here (another platform): the JDK's engine serves then. Client certificates are checked by the JDK's
     * trust manager either way, so both verify alike.
     */
    private static SslContext openSslContext(List<X509Certificate> chain, PrivateKey key, TrustManagerFactory trust,
                                             boolean verify) {
        if (!"openssl".equalsIgnoreCase(System.getProperty(PROVIDER_PROPERTY, "openssl")) || !OpenSsl.isAvailable()) {
            return null;
        }
        try {
            return SslContextBuilder.forServer(key, chain.toArray(new X509Certificate[0]))
                .sslProvider(SslProvider.OPENSSL)
                .protocols(PROTOCOLS)
                .trustManager(trust)
                .clientAuth(verify ? ClientAuth.REQUIRE : ClientAuth.NONE)
                .build();
        } catch (javax.net.ssl.SSLException | RuntimeException e) {
            throw new ConfigException("tls: the certificate and key cannot be used together ("
                + e.getClass().getSimpleName() + ")");
        }
    }
}
