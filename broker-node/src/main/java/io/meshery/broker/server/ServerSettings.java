package io.meshery.broker.server;

import io.meshery.broker.security.Security;
import java.time.Duration;

/**
 * The limits and identity one node runs with, as the protocol layer needs them. Built from the parsed
 * configuration by the launcher; tests build it directly.
 *
 * @param port the client port; 0 binds a free one
 * @param httpPort the monitoring port; 0 binds a free one, a negative value disables monitoring
 * @param security authentication and TLS for clients; {@link Security#NONE} for neither
 */
public record ServerSettings(
    String serverName,
    String host,
    int port,
    String httpHost,
    int httpPort,
    int maxPayload,
    int maxControlLine,
    int maxConnections,
    int maxSubscriptions,
    long maxPending,
    Duration writeDeadline,
    Duration pingInterval,
    int pingMax,
    Duration authTimeout,
    Duration lameDuckDuration,
    Duration lameDuckGracePeriod,
    Security security) {

    /** Monitoring is off (nats-server's default when no {@code http_port} is configured). */
    public static final int NO_HTTP = -1;

    /** nats-server's defaults, on a given address, without monitoring. */
    public static ServerSettings defaults(String host, int port) {
        return new ServerSettings("", host, port, host, NO_HTTP, 1024 * 1024, 4096, 65536, 0, 64L * 1024 * 1024,
            Duration.ofSeconds(10), Duration.ofMinutes(2), 2, Duration.ofSeconds(2),
            Duration.ofMinutes(2), Duration.ofSeconds(10), Security.NONE);
    }

    public ServerSettings withName(String newName) {
        return new ServerSettings(newName, host, port, httpHost, httpPort, maxPayload, maxControlLine,
            maxConnections, maxSubscriptions, maxPending, writeDeadline, pingInterval, pingMax, authTimeout,
            lameDuckDuration, lameDuckGracePeriod, security);
    }

    public ServerSettings withPort(int newPort) {
        return new ServerSettings(serverName, host, newPort, httpHost, httpPort, maxPayload, maxControlLine,
            maxConnections, maxSubscriptions, maxPending, writeDeadline, pingInterval, pingMax, authTimeout,
            lameDuckDuration, lameDuckGracePeriod, security);
    }

    /** Monitoring on {@code newHttpHost:newHttpPort} (port 0 binds a free one). */
    public ServerSettings withHttp(String newHttpHost, int newHttpPort) {
        return new ServerSettings(serverName, host, port, newHttpHost, newHttpPort, maxPayload, maxControlLine,
            maxConnections, maxSubscriptions, maxPending, writeDeadline, pingInterval, pingMax, authTimeout,
            lameDuckDuration, lameDuckGracePeriod, security);
    }

    public ServerSettings withLimits(int newMaxPayload, int newMaxConnections, int newMaxSubscriptions,
                                     long newMaxPending) {
        return new ServerSettings(serverName, host, port, httpHost, httpPort, newMaxPayload, maxControlLine,
            newMaxConnections, newMaxSubscriptions, newMaxPending, writeDeadline, pingInterval, pingMax,
            authTimeout, lameDuckDuration, lameDuckGracePeriod, security);
    }

    public ServerSettings withMaxControlLine(int newMaxControlLine) {
        return new ServerSettings(serverName, host, port, httpHost, httpPort, maxPayload, newMaxControlLine,
            maxConnections, maxSubscriptions, maxPending, writeDeadline, pingInterval, pingMax, authTimeout,
            lameDuckDuration, lameDuckGracePeriod, security);
    }

    public ServerSettings withTimings(Duration newWriteDeadline, Duration newPingInterval, int newPingMax) {
        return new ServerSettings(serverName, host, port, httpHost, httpPort, maxPayload, maxControlLine,
            maxConnections, maxSubscriptions, maxPending, newWriteDeadline, newPingInterval, newPingMax,
            authTimeout, lameDuckDuration, lameDuckGracePeriod, security);
    }

    public ServerSettings withAuthTimeout(Duration newAuthTimeout) {
        return new ServerSettings(serverName, host, port, httpHost, httpPort, maxPayload, maxControlLine,
            maxConnections, maxSubscriptions, maxPending, writeDeadline, pingInterval, pingMax, newAuthTimeout,
            lameDuckDuration, lameDuckGracePeriod, security);
    }

    public ServerSettings withLameDuck(Duration newDuration, Duration newGracePeriod) {
        return new ServerSettings(serverName, host, port, httpHost, httpPort, maxPayload, maxControlLine,
            maxConnections, maxSubscriptions, maxPending, writeDeadline, pingInterval, pingMax, authTimeout,
            newDuration, newGracePeriod, security);
    }

    public ServerSettings withSecurity(Security newSecurity) {
        return new ServerSettings(serverName, host, port, httpHost, httpPort, maxPayload, maxControlLine,
            maxConnections, maxSubscriptions, maxPending, writeDeadline, pingInterval, pingMax, authTimeout,
            lameDuckDuration, lameDuckGracePeriod, newSecurity);
    }
}
