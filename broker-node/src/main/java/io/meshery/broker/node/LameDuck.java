package io.meshery.broker.node;

import io.meshery.broker.server.ClientConnection;
import io.meshery.broker.server.ClientListener;
import io.meshery.broker.server.CloseReason;
import io.meshery.broker.server.Server;
import io.meshery.broker.server.ServerSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lame duck mode, nats-server's way of leaving a cluster without a thundering herd:
 *
 * <ol>
 *   <li>stop accepting clients, and tell each connected client with an INFO carrying {@code "ldm":true} (clients
 *       that understand it start looking for another server);</li>
 *   <li>wait {@code lame_duck_grace_period}, so that several nodes put in lame duck mode together do not send
 *       their clients to each other;</li>
 *   <li>close the clients one at a time, spread over what is left of {@code lame_duck_duration} (at most one
 *       second apart, each pause drawn between half and all of the interval);</li>
 *   <li>shut the node down. A node without clients shuts down at once.</li>
 * </ol>
 *
 * Runs on its own thread; a {@link BrokerNode#shutdown} meanwhile cuts it short.
 */
final class LameDuck implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(LameDuck.class);
    private static final long MAX_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    private final BrokerNode node;
    private final Server server;
    private final ClientListener listener;
    private final CountDownLatch stopping;

    private LameDuck(BrokerNode node, Server server, ClientListener listener, CountDownLatch stopping) {
        this.node = node;
        this.server = server;
        this.listener = listener;
        this.stopping = stopping;
    }

    static void start(BrokerNode node, Server server, ClientListener listener, CountDownLatch stopping) {
        Thread thread = new Thread(new LameDuck(node, server, listener, stopping), "meshery-broker-lame-duck");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void run() {
        log.info("Entering lame duck mode, stop accepting new clients");
        try {
            listener.beginLameDuckMode().toCompletableFuture()
                .get(SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            log.warn("Unbinding the client port failed: {}", e.getMessage());
        }
        List<ClientConnection.Client> clients = new ArrayList<>(server.clients());
        if (clients.isEmpty()) {
            node.shutdown(SHUTDOWN_TIMEOUT);
            return;
        }
        for (ClientConnection.Client c : clients) {
            c.notifyLameDuck();
        }
        ServerSettings settings = server.settings();
        long grace = settings.lameDuck().gracePeriod().toNanos();
        if (pause(grace)) {
            return;
        }
        log.info("Closing existing clients");
        long interval = interval(settings.lameDuck().duration().toNanos() - grace, clients.size());
        for (int i = 0; i < clients.size(); i++) {
            clients.get(i).requestClose(CloseReason.SERVER_SHUTDOWN);
            if (i < clients.size() - 1 && pause(ThreadLocalRandom.current().nextLong(interval / 2, interval))) {
                return;
            }
        }
        node.shutdown(SHUTDOWN_TIMEOUT);
    }

    /** The pause between two closes: the time left spread over the clients, at most one second. */
    static long interval(long spreadNanos, int clients) {
        long spread = spreadNanos <= 0 ? MAX_INTERVAL_NANOS : spreadNanos;
        return Math.max(2, Math.min(MAX_INTERVAL_NANOS, spread / clients));
    }

    /** Waits {@code nanos}; true when the node started stopping meanwhile. */
    private boolean pause(long nanos) {
        try {
            return stopping.await(nanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }
}
