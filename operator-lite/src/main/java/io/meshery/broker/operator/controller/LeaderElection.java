package io.meshery.broker.operator.controller;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election on a {@code coordination.k8s.io} Lease, with fabric8's LeaderElector: only the holder of the
 * Lease runs the controller, so two operator replicas never both write. The Lease is released when the
 * election is stopped, letting a standby take over at once rather than after the lease expires. A leader that
 * fails to renew within {@code renewDeadline} stops leading ({@code onStopLeading}) before another replica
 * can acquire the Lease ({@code leaseDuration} later).
 */
public final class LeaderElection {
    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    /** Timings: how long a Lease is valid, how long a leader keeps trying to renew, how often to try. */
    public record Timings(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        public static final Timings DEFAULT = new Timings(Duration.ofSeconds(15), Duration.ofSeconds(10),
                Duration.ofSeconds(2));
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String leaseName;
    private final String identity;
    private final Timings timings;
    private final Runnable onStartLeading;
    private final Runnable onStopLeading;
    private CompletableFuture<?> running;

    public LeaderElection(KubernetesClient client, String namespace, String leaseName, String identity,
            Timings timings, Runnable onStartLeading, Runnable onStopLeading) {
        this.client = client;
        this.namespace = namespace;
        this.leaseName = leaseName;
        this.identity = identity;
        this.timings = timings;
        this.onStartLeading = onStartLeading;
        this.onStopLeading = onStopLeading;
    }

    /** Joins the election; the callbacks run on the elector's thread. */
    public synchronized CompletableFuture<?> start() {
        LOG.info("{} joins the election for Lease {}/{}", identity, namespace, leaseName);
        running = client.leaderElector()
                .withConfig(new LeaderElectionConfigBuilder()
                        .withName(leaseName)
                        .withLock(new LeaseLock(namespace, leaseName, identity))
                        .withLeaseDuration(timings.leaseDuration())
                        .withRenewDeadline(timings.renewDeadline())
                        .withRetryPeriod(timings.retryPeriod())
                        .withReleaseOnCancel(true)
                        .withLeaderCallbacks(new LeaderCallbacks(
                                () -> {
                                    LOG.info("{} is the leader", identity);
                                    onStartLeading.run();
                                },
                                () -> {
                                    LOG.info("{} stopped leading", identity);
                                    onStopLeading.run();
                                },
                                leader -> LOG.info("leader is now {}", leader)))
                        .build())
                .build()
                .start();
        return running;
    }

    /** Leaves the election, releasing the Lease if held. */
    public synchronized void stop() {
        if (running != null) {
            running.cancel(true);
        }
    }
}
