package io.meshery.broker.operator;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonDeletingOperation;
import io.meshery.broker.operator.api.Broker;
import io.meshery.broker.operator.controller.BrokerController;
import io.meshery.broker.operator.controller.BrokerReconciler;
import io.meshery.broker.operator.controller.LeaderElection;
import io.meshery.broker.operator.model.OperatorSettings;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running operator: checks (or installs) the CRD, serves health, joins the leader election and, while it
 * leads, runs the {@link BrokerController}. {@link #run} blocks until {@link #shutdown} or a lost leadership.
 */
public final class Operator {
    private static final Logger LOG = LoggerFactory.getLogger(Operator.class);
    /** The CRD inside the jar (copied from k8s/crds at build time). */
    static final String CRD_RESOURCE = "/crds/" + Broker.CRD_NAME + "-v1.yml";

    /** Exit codes of {@link #run}. */
    public static final int EXIT_OK = 0;
    public static final int EXIT_LOST_LEADERSHIP = 1;
    public static final int EXIT_STARTUP_FAILED = 2;

    private final KubernetesClient client;
    private final OperatorConfig config;
    private final LeaderElection.Timings timings;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private final AtomicInteger exitCode = new AtomicInteger(EXIT_OK);
    private final AtomicReference<BrokerController> controller = new AtomicReference<>();
    private volatile boolean shuttingDown;
    /** True between onStartLeading and onStopLeading. */
    private volatile boolean leading;
    /**
     * Starts the controller off the elector's thread: starting informers takes seconds, and the elector must keep
     * renewing the Lease meanwhile, or another replica would take it while this one starts acting.
     */
    private final ExecutorService starter = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "controller-start");
        t.setDaemon(true);
        return t;
    });
    private LeaderElection election;
    private HealthServer health;

    public Operator(KubernetesClient client, OperatorConfig config, LeaderElection.Timings timings) {
        this.client = client;
        this.config = config;
        this.timings = timings;
    }

    /** Runs until shut down; returns the process exit code. */
    public int run() {
        try {
            return runUntilStopped();
        } finally {
            done.countDown();
        }
    }

    /** Waits for {@link #run} to return (for a shutdown hook). */
    public boolean awaitDone(Duration timeout) throws InterruptedException {
        return done.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private int runUntilStopped() {
        try {
            if (config.installCrd()) {
                installCrd();
            } else if (!crdPresent()) {
                return EXIT_STARTUP_FAILED;
            }
            if (config.healthPort() > 0) {
                health = new HealthServer(config.healthPort(), this::ready);
                LOG.info("health on :{} (/healthz, /readyz)", health.port());
            }
        } catch (IOException | KubernetesClientException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            LOG.error("cannot start: {}{}", e.getMessage(), root == e ? "" : " (" + root + ")");
            return EXIT_STARTUP_FAILED;
        }
        if (config.leaderElection()) {
            election = new LeaderElection(client, config.leaseNamespace(), OperatorConfig.LEASE_NAME, config.identity(),
                    timings, this::startedLeading, this::lostLeadership);
            election.start();
        } else {
            LOG.warn("leader election is off: run a single replica");
            leading = true;
            startController();
        }
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        leading = false;
        stopController();
        starter.shutdownNow();
        if (election != null) {
            election.stop();
        }
        if (health != null) {
            health.close();
        }
        return exitCode.get();
    }

    /** Stops the operator (releasing the Lease); {@link #run} then returns. */
    public void shutdown() {
        shuttingDown = true;
        stopped.countDown();
    }

    /** A standby is ready; a leader is ready once its informers have synced. */
    public boolean ready() {
        BrokerController c = controller.get();
        return c == null || c.hasSynced();
    }

    /** The running controller, or null while standing by. */
    public BrokerController controller() {
        return controller.get();
    }

    private void startedLeading() {
        leading = true;
        starter.execute(this::startController);
    }

    private void startController() {
        if (!leading) {
            return;
        }
        OperatorSettings settings = config.settings();
        if (settings.nodePortHost() == null) {
            settings = settings.withNodePortHost(defaultNodePortHost(client.getMasterUrl(),
                    System.getenv("KUBERNETES_SERVICE_HOST")));
        }
        BrokerController c = new BrokerController(client, new BrokerReconciler(client, settings, Clock.systemUTC()),
                config.watchNamespace(), config.resync(), config.workers(), () -> leading);
        try {
            c.start(Duration.ofMinutes(2));
            synchronized (this) {
                if (!leading) {
                    c.close();
                    return;
                }
                controller.set(c);
            }
        } catch (RuntimeException e) {
            LOG.error("{}", e.getMessage());
            exitCode.set(EXIT_STARTUP_FAILED);
            stopped.countDown();
        }
    }

    /**
     * The host reported for NodePort Services when {@code NODEPORT_HOST} is not set: the API server's host, as
     * meshery-operator reports it, which out of cluster (kind, minikube, a single-node cluster) is usually a node's
     * address. In cluster the API server is reached through the {@code kubernetes} Service's cluster IP, which is
     * no address for outside clients: then none (external stays empty).
     */
    static String defaultNodePortHost(java.net.URL masterUrl, String inClusterServiceHost) {
        if (masterUrl == null || masterUrl.getHost() == null || masterUrl.getHost().isEmpty()) {
            return null;
        }
        String host = masterUrl.getHost();
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (bare.equals(inClusterServiceHost) || bare.startsWith("kubernetes.default")) {
            return null;
        }
        return host;
    }

    private void lostLeadership() {
        leading = false;
        stopController();
        if (!shuttingDown) {
            LOG.error("lost leadership; stopping so that a restart rejoins the election");
            exitCode.compareAndSet(EXIT_OK, EXIT_LOST_LEADERSHIP);
            stopped.countDown();
        }
    }

    private synchronized void stopController() {
        BrokerController c = controller.getAndSet(null);
        if (c != null) {
            c.close();
        }
    }

    private boolean crdPresent() {
        try {
            if (client.apiextensions().v1().customResourceDefinitions().withName(Broker.CRD_NAME).get() == null) {
                LOG.error("CRD {} is not installed: kubectl apply -f k8s/crds/, or start with --install-crd",
                        Broker.CRD_NAME);
                return false;
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() != 403) {
                throw e;
            }
            LOG.info("not allowed to read CRDs; assuming {} is installed", Broker.CRD_NAME);
        }
        return true;
    }

    private void installCrd() throws IOException {
        try (InputStream in = Operator.class.getResourceAsStream(CRD_RESOURCE)) {
            if (in == null) {
                throw new IOException(CRD_RESOURCE + " is not in the jar");
            }
            CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(in, CustomResourceDefinition.class);
            client.apiextensions().v1().customResourceDefinitions().resource(crd).createOr(NonDeletingOperation::update);
            LOG.info("installed CRD {}", Broker.CRD_NAME);
        }
    }
}
