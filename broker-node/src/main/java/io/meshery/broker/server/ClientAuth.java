package io.meshery.broker.server;

import io.meshery.broker.security.Authenticator;
import io.meshery.broker.security.ClientPermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who one client is and what it may do: the credentials of its CONNECT checked against the node's
 * {@link Authenticator}, then its permissions; and the words nats-server uses, in the log and on the wire, when
 * it is refused. The connection asks and acts (pauses its parser, sends the {@code -ERR}, closes).
 *
 * <p>Written on the connection's thread; {@link #permissions()} and {@link #authorizedUser()} are read from
 * others (publishers checking deliveries, monitoring).
 */
final class ClientAuth {

    private static final Logger log = LoggerFactory.getLogger(ClientConnection.class);

    /** Null when anyone may connect; otherwise nothing but CONNECT is accepted until it authenticates. */
    private final Authenticator authenticator;
    private final String logPrefix;
    private boolean authenticated;
    private volatile Authenticator.Identity identity;
    /** The user's permissions, or null when it may do anything. */
    private volatile ClientPermissions perms;

    ClientAuth(Authenticator authenticator, String logPrefix) {
        this.authenticator = authenticator;
        this.logPrefix = logPrefix;
        this.authenticated = authenticator == null;
    }

    /** Whether CONNECT must carry credentials. */
    boolean isRequired() {
        return authenticator != null;
    }

    boolean isAuthenticated() {
        return authenticated;
    }

    /** nats-server's check on the first byte of an operation while a client still has to authenticate. */
    boolean mayStartWith(byte b) {
        return authenticated || b == 'C' || b == 'c';
    }

    /** Whether checking takes long (bcrypt): then it runs off the connection's thread, through {@link #check}. */
    boolean isSlow() {
        return authenticator.isSlow();
    }

    /** The identity {@code connect}'s credentials prove, or {@code null}; thread-safe. */
    Authenticator.Identity check(ConnectOptions connect) {
        return authenticator.authenticate(connect.user(), connect.pass(), connect.authToken());
    }

    /** Records a proven identity; {@code false} (and the refusal logged) when {@code proven} is null. */
    boolean accept(Authenticator.Identity proven, ConnectOptions connect) {
        if (proven == null) {
            logRefusal(connect);
            return false;
        }
        identity = proven;
        perms = proven.permissions() == null ? null : new ClientPermissions(proven.permissions());
        authenticated = true;
        return true;
    }

    /** Logs wrong or missing credentials (or something other than CONNECT first), as nats-server does. */
    void logRefusal(ConnectOptions connect) {
        String user = connect == null ? null : connect.user();
        if (authenticator.hasUserList() && user != null && !user.isEmpty()) {
            log.error("{}authentication error - User {}", logPrefix, ProtocolTrace.quote(user));
        } else {
            log.error("{}authentication error", logPrefix);
        }
    }

    ClientPermissions permissions() {
        return perms;
    }

    /** Logs a refused publish and returns the {@code -ERR} text for it. */
    String refusePublish(String subject) {
        String quoted = ProtocolTrace.quote(subject);
        log.error("{}Publish Violation - {}, Subject {}", logPrefix, identity.describe(), quoted);
        return "Permissions Violation for Publish to " + quoted;
    }

    /** Logs a refused subscription and returns the {@code -ERR} text for it. */
    String refuseSubscription(String subject, String queue, String sid) {
        String quoted = ProtocolTrace.quote(subject);
        if (queue == null) {
            log.error("{}Subscription Violation - {}, Subject {}, SID {}", logPrefix, identity.describe(), quoted, sid);
            return "Permissions Violation for Subscription to " + quoted;
        }
        String q = ProtocolTrace.quote(queue);
        log.error("{}Subscription Violation - {}, Subject {}, Queue: {}, SID {}", logPrefix, identity.describe(),
            quoted, q, sid);
        return "Permissions Violation for Subscription to " + quoted + " using queue " + q;
    }

    /** The user the client authenticated as; empty without auth or with a token. */
    String authorizedUser() {
        Authenticator.Identity id = identity;
        return id == null || id.user() == null ? "" : id.user();
    }
}
