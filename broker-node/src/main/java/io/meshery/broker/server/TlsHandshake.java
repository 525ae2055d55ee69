package io.meshery.broker.server;

import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS handshake of one client connection. The TLS stage reports the session here, from its own thread, when
 * the handshake completes; the connection reads it to enforce the handshake timeout and to name the close reason.
 * A failure is logged once, nats-server's way.
 */
final class TlsHandshake {

    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

    private final String logPrefix;
    private volatile SSLSession session;
    private final AtomicBoolean failureReported = new AtomicBoolean();

    TlsHandshake(String logPrefix) {
        this.logPrefix = logPrefix;
    }

    /** Called by the TLS stage once the peer is verified. */
    void completed(SSLSession s) {
        session = s;
        if (log.isDebugEnabled()) {
            log.debug("{}TLS handshake complete", logPrefix);
            log.debug("{}TLS version {}, cipher suite {}", logPrefix, version(), s.getCipherSuite());
        }
    }

    /** The connection ended before the handshake completed, for {@code reason}; logged the first time only. */
    void failed(String reason) {
        if (failureReported.compareAndSet(false, true)) {
            log.error("{}TLS handshake error: {}", logPrefix, reason);
        }
    }

    boolean isComplete() {
        return session != null;
    }

    /** {@code 1.3}, {@code 1.2}, as nats-server logs it; empty before the handshake completes. */
    private String version() {
        SSLSession s = session;
        if (s == null) {
            return "";
        }
        String p = s.getProtocol();
        return p.startsWith("TLSv") ? p.substring(4) : p;
    }
}
