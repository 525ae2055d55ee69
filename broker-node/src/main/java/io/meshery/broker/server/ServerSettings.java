package io.meshery.broker.server;

import java.time.Duration;

/**
 * The limits and identity one node runs with, as the protocol layer needs them. Built from the parsed
 * configuration by the launcher; tests build it directly.
 */
public record ServerSettings(
    String serverName,
    String host,
    int port,
    int maxPayload,
    int maxControlLine,
    int maxConnections,
    int maxSubscriptions,
    long maxPending,
    Duration writeDeadline,
    Duration pingInterval,
    int pingMax,
    Duration authTimeout) {

    /** nats-server's defaults, on a given address. */
    public static ServerSettings defaults(String host, int port) {
        return new ServerSettings("", host, port, 1024 * 1024, 4096, 65536, 0, 64L * 1024 * 1024,
            Duration.ofSeconds(10), Duration.ofMinutes(2), 2, Duration.ofSeconds(2));
    }

    public ServerSettings withPort(int newPort) {
        return new ServerSettings(serverName, host, newPort, maxPayload, maxControlLine, maxConnections,
            maxSubscriptions, maxPending, writeDeadline, pingInterval, pingMax, authTimeout);
    }

    public ServerSettings withLimits(int newMaxPayload, int newMaxConnections, int newMaxSubscriptions,
                                     long newMaxPending) {
        return new ServerSettings(serverName, host, port, newMaxPayload, maxControlLine, newMaxConnections,
            newMaxSubscriptions, newMaxPending, writeDeadline, pingInterval, pingMax, authTimeout);
    }

    public ServerSettings withTimings(Duration newWriteDeadline, Duration newPingInterval, int newPingMax) {
        return new ServerSettings(serverName, host, port, maxPayload, maxControlLine, maxConnections,
            maxSubscriptions, maxPending, newWriteDeadline, newPingInterval, newPingMax, authTimeout);
    }
}
