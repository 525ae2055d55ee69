package io.meshery.broker.security;

import io.meshery.broker.config.BrokerOptions;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A node's client security, read once at start-up: who may connect ({@code authenticator}, null when anyone may)
 * and the TLS the client port requires ({@code tls}, null for plain TCP).
 */
public record Security(Authenticator authenticator, TlsConfig tls) {

    /** No authentication, no TLS: nats-server's default. */
    public static final Security NONE = new Security(null, null);

    /**
     * The security the {@code authorization} and {@code tls} blocks of {@code options} ask for.
     *
     * @throws io.meshery.broker.config.ConfigException naming the key when a block cannot be used
     */
    public static Security fromOptions(BrokerOptions options) {
        Path baseDir = options.configFile()
            .map(Path::toAbsolutePath)
            .map(Path::getParent)
            .orElse(Path.of("").toAbsolutePath());
        return new Security(Authenticator.fromConfig(options.authorization(), baseDir),
            TlsConfig.fromConfig(options.tls()));
    }

    /**
     * The time a new client has to authenticate, nats-server's way: {@code authorization.timeout} when the block
     * sets it, otherwise the TLS handshake timeout plus one second when TLS is on (the handshake comes out of it),
     * otherwise {@code options.authTimeout()} (2s).
     */
    public Duration authTimeout(BrokerOptions options) {
        boolean explicit = options.authorization().keySet().stream().anyMatch(k -> k.equalsIgnoreCase("timeout"));
        return explicit || tls == null ? options.authTimeout() : tls.timeout().plusSeconds(1);
    }

    public boolean authRequired() {
        return authenticator != null;
    }

    public boolean tlsRequired() {
        return tls != null;
    }
}
