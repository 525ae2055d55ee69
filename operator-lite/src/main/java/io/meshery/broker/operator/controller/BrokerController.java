package io.meshery.broker.operator.controller;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.meshery.broker.operator.api.Broker;
import io.meshery.broker.operator.model.Labels;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches Brokers and the objects they own through shared informers and reconciles each Broker a change
 * concerns. An event on an owned object (a deleted Service, an edited ConfigMap, a StatefulSet whose ready
 * count moved, a load balancer that got its address) is mapped to its controlling Broker; informers are
 * filtered to the operator's own objects by the {@code app.kubernetes.io/managed-by} label. Broker updates
 * that change neither the generation nor anything but status are skipped (they are the operator's own status
 * writes); the informers' periodic resync reconciles every Broker again, which also picks up changes to the
 * Secrets a Broker refers to (the operator does not list or watch Secrets: it may only read the ones named).
 *
 * <p>Threads: informer callbacks only enqueue keys; {@code workers} threads take keys from the {@link WorkQueue},
 * which never hands one key to two workers at once. Before each reconcile a worker asks {@code mayAct} (the
 * operator's "do I still hold the Lease"), so a replica that lost leadership while its controller was starting
 * or stopping drops keys instead of writing.
 */
public final class BrokerController implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BrokerController.class);
    private static final Duration TAKE_TIMEOUT = Duration.ofMillis(500);

    private final KubernetesClient client;
    private final BrokerReconciler reconciler;
    private final String namespace;
    private final Duration resync;
    private final int workers;
    private final BooleanSupplier mayAct;
    private final WorkQueue queue = new WorkQueue();
    private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicInteger reconciles = new AtomicInteger();
    private final AtomicInteger dropped = new AtomicInteger();
    private ExecutorService pool;

    /**
     * @param namespace the one namespace to watch, or null for all
     * @param resync how often every Broker is reconciled even without events
     */
    public BrokerController(KubernetesClient client, BrokerReconciler reconciler, String namespace, Duration resync,
            int workers) {
        this(client, reconciler, namespace, resync, workers, () -> true);
    }

    /**
     * @param mayAct checked before every reconcile; false drops the key (the next leader lists every Broker)
     */
    public BrokerController(KubernetesClient client, BrokerReconciler reconciler, String namespace, Duration resync,
            int workers, BooleanSupplier mayAct) {
        this.mayAct = mayAct;
        this.client = client;
        this.reconciler = reconciler;
        this.namespace = namespace;
        this.resync = resync;
        this.workers = workers;
    }

    /** Starts the informers, waits for their first listing (at most {@code timeout}), then the workers. */
    public synchronized void start(Duration timeout) {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        // Brokers are watched untyped: the handler needs only metadata, and one Broker whose spec does not
        // deserialize (possible only without the CRD's schema) must not stop the informer for all the others.
        var brokers = namespace == null
                ? client.genericKubernetesResources(Broker.API_VERSION, Broker.KIND).inAnyNamespace()
                : client.genericKubernetesResources(Broker.API_VERSION, Broker.KIND).inNamespace(namespace);
        SharedIndexInformer<GenericKubernetesResource> brokerInformer = brokers.runnableInformer(resync.toMillis());
        brokerInformer.addEventHandler(new BrokerHandler());
        informers.add(brokerInformer);
        owned(StatefulSet.class);
        owned(Service.class);
        owned(ConfigMap.class);
        owned(NetworkPolicy.class);
        owned(PodDisruptionBudget.class);
        List<CompletableFuture<Void>> started = new ArrayList<>();
        for (SharedIndexInformer<?> informer : informers) {
            started.add(informer.start().toCompletableFuture());
        }
        try {
            CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).get(timeout.toMillis(),
                    TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            close();
            throw new IllegalStateException("informers did not start: " + e.getMessage()
                    + " (is the CRD " + Broker.CRD_NAME + " installed and the operator allowed to list its kinds?)", e);
        }
        pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "reconciler");
            t.setDaemon(true);
            return t;
        });
        for (int i = 0; i < workers; i++) {
            pool.execute(this::work);
        }
        LOG.info("watching Brokers in {} with {} workers, resync every {} s",
                namespace == null ? "all namespaces" : "namespace " + namespace, workers, resync.toSeconds());
    }

    private <T extends HasMetadata> void owned(Class<T> type) {
        var ops = namespace == null ? client.resources(type).inAnyNamespace() : client.resources(type).inNamespace(namespace);
        SharedIndexInformer<T> informer = ops.withLabel(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
                .runnableInformer(resync.toMillis());
        informer.addEventHandler(new OwnedHandler<>());
        informers.add(informer);
    }

    private void work() {
        while (running.get()) {
            String key;
            try {
                key = queue.take(TAKE_TIMEOUT);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (key == null) {
                continue;
            }
            if (!mayAct.getAsBoolean()) {
                dropped.incrementAndGet();
                queue.done(key);
                continue;
            }
            try {
                int slash = key.indexOf('/');
                ReconcileResult result = reconciler.reconcile(key.substring(0, slash), key.substring(slash + 1));
                reconciles.incrementAndGet();
                switch (result.outcome()) {
                    case READY, INVALID, DELETED -> queue.forget(key);
                    case PROGRESSING -> {
                        queue.forget(key);
                        queue.addAfter(key, ReconcileResult.PROGRESS_RECHECK);
                    }
                    case FAILED, RETRY -> queue.addRateLimited(key);
                    default -> throw new IllegalStateException("unknown outcome " + result.outcome());
                }
            } catch (RuntimeException e) {
                LOG.error("reconcile of {} threw", key, e);
                queue.addRateLimited(key);
            } finally {
                queue.done(key);
            }
        }
    }

    /** Whether every informer has its first listing. */
    public boolean hasSynced() {
        return running.get() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    /** Reconciles done so far (for tests and health). */
    public int reconcileCount() {
        return reconciles.get();
    }

    /** Keys taken while {@code mayAct} said no, and dropped (for tests). */
    public int droppedCount() {
        return dropped.get();
    }

    @Override
    public synchronized void close() {
        running.set(false);
        informers.forEach(SharedIndexInformer::close);
        informers.clear();
        queue.shutdown();
        if (pool != null) {
            // let a reconcile in flight finish (they take milliseconds), then interrupt what is left
            pool.shutdown();
            try {
                if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
                    pool.shutdownNow();
                    pool.awaitTermination(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                pool.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }

    static String key(HasMetadata o) {
        return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    }

    /** The Broker that controls an object, as a queue key, or null. */
    static String ownerKey(HasMetadata o) {
        String broker = ResourceApplier.controllingBroker(o);
        return broker == null ? null : o.getMetadata().getNamespace() + "/" + broker;
    }

    private final class BrokerHandler implements ResourceEventHandler<GenericKubernetesResource> {
        @Override
        public void onAdd(GenericKubernetesResource b) {
            queue.add(key(b));
        }

        @Override
        public void onUpdate(GenericKubernetesResource old, GenericKubernetesResource b) {
            boolean resync = Objects.equals(old.getMetadata().getResourceVersion(), b.getMetadata().getResourceVersion());
            boolean specChanged = !Objects.equals(old.getMetadata().getGeneration(), b.getMetadata().getGeneration());
            boolean metaChanged = !Objects.equals(old.getMetadata().getLabels(), b.getMetadata().getLabels())
                    || !Objects.equals(old.getMetadata().getAnnotations(), b.getMetadata().getAnnotations())
                    || !Objects.equals(old.getMetadata().getDeletionTimestamp(), b.getMetadata().getDeletionTimestamp());
            if (resync || specChanged || metaChanged) {
                queue.add(key(b));
            }
        }

        @Override
        public void onDelete(GenericKubernetesResource b, boolean deletedFinalStateUnknown) {
            queue.add(key(b));
        }
    }

    private final class OwnedHandler<T extends HasMetadata> implements ResourceEventHandler<T> {
        @Override
        public void onAdd(T o) {
            enqueueOwner(o);
        }

        @Override
        public void onUpdate(T old, T o) {
            enqueueOwner(o);
        }

        @Override
        public void onDelete(T o, boolean deletedFinalStateUnknown) {
            enqueueOwner(o);
        }

        private void enqueueOwner(T o) {
            String key = ownerKey(o);
            if (key != null) {
                queue.add(key);
            }
        }
    }
}
