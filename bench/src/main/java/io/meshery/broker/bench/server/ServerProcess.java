package io.meshery.broker.bench.server;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * A server under test, started fresh on a free loopback port, with its output sent to a log file.
 *
 * <p>{@link #start} runs the command through {@code /bin/sh -c}, waits until the port answers with {@code INFO},
 * then picks the process to measure: the one in the started process tree that owns the listening socket (the
 * {@code java} behind {@code bin/meshery-broker}, whether or not the script {@code exec}s it). {@link #close} sends
 * SIGTERM to that tree, and SIGKILL to whatever is left after a grace period.
 *
 * <p>Thread-safety: meant to be used by the one thread that runs the benchmark.
 */
public final class ServerProcess implements ServerUnderTest {

    private static final Duration STOP_GRACE = Duration.ofSeconds(10);

    private final ServerSpec spec;
    private final String node;
    private final Process process;
    private final int port;
    private final Path log;
    private ProcessHandle measured;
    private boolean terminated;

    private ServerProcess(ServerSpec spec, String node, Process process, int port, Path log) {
        this.spec = spec;
        this.node = node;
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /**
     * Starts {@code spec} on a free port and waits until it accepts NATS clients.
     *
     * @throws IOException if the command exits, or does not answer within {@code startupTimeout}
     */
    public static ServerProcess start(ServerSpec spec, Path log, Duration startupTimeout) throws IOException {
        return start(spec, false, null, log, startupTimeout);
    }

    /**
     * Starts {@code spec}'s plain or JetStream command on a free port, with {@code {storedir}} replaced by
     * {@code storeDir} (which may be null when the command has none), and waits until it accepts NATS clients.
     *
     * @throws IOException if the command exits, or does not answer within {@code startupTimeout}
     */
    public static ServerProcess start(ServerSpec spec, boolean jetStream, Path storeDir, Path log,
                                      Duration startupTimeout) throws IOException {
        int port = freePort();
        ServerProcess server = launch(spec, null, spec.commandFor(port, jetStream, storeDir), port, log);
        server.awaitStarted(startupTimeout);
        return server;
    }

    /**
     * Starts {@code spec}'s cluster command (the executable with {@code -c {config}}) on a free port, with the
     * configuration file {@code config} written first from {@code configText} given that port, and waits until it
     * accepts NATS clients. A TLS scenario starts its server so.
     *
     * @throws IOException if the command exits, or does not answer within {@code startupTimeout}
     */
    public static ServerProcess startConfigured(ServerSpec spec, Path config, IntFunction<String> configText,
                                                Path log, Duration startupTimeout) throws IOException {
        int port = freePort();
        Files.writeString(config, configText.apply(port));
        ServerProcess server = launch(spec, null, spec.clusterCommandFor(config), port, log);
        server.awaitStarted(startupTimeout);
        return server;
    }

    /**
     * Runs {@code command} through {@code /bin/sh -c}, output to {@code log}, without waiting: call
     * {@link #awaitStarted} next. Several servers (the nodes of a cluster) can be launched before waiting for any.
     *
     * @param node    the node's name in messages (e.g. {@code n2}), or null for a lone server
     * @param command the complete command line
     * @param port    the client port the command makes the server listen on
     */
    static ServerProcess launch(ServerSpec spec, String node, String command, int port, Path log)
            throws IOException {
        Files.createDirectories(log.toAbsolutePath().getParent());
        Process process = new ProcessBuilder("/bin/sh", "-c", command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new ServerProcess(spec, node, process, port, log);
    }

    /**
     * Waits until the launched server accepts NATS clients, then picks the process to measure. On failure the
     * process tree is stopped before the exception is thrown.
     *
     * @throws IOException if the command exits, or does not answer within {@code startupTimeout}
     */
    void awaitStarted(Duration startupTimeout) throws IOException {
        try {
            awaitReady(startupTimeout);
            measured = findListener();
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** A TCP port nothing listens on at the moment. */
    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    private void awaitReady(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException(who() + " exited with " + process.exitValue() + " before accepting "
                        + "clients; log " + log + ":\n" + logTail(20));
            }
            if (answersInfo()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(who() + " did not answer on port " + port + " within " + timeout
                        + "; log " + log + ":\n" + logTail(20));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    /** Connects and reads the first bytes: a NATS server speaks first, with {@code INFO}. */
    private boolean answersInfo() {
        try (Socket socket = new Socket()) {
            socket.connect(address(), 250);
            socket.setSoTimeout(1000);
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(4);
            return "INFO".equals(new String(head, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return false;
        }
    }

    private ProcessHandle findListener() {
        List<ProcessHandle> tree = tree();
        return ListenerLookup.ownerOf(port, tree).orElseGet(() -> {
            // No /proc/net view of the socket: the deepest process is the likeliest server.
            return tree.get(tree.size() - 1);
        });
    }

    /** The started process followed by its descendants, parents before children. */
    private List<ProcessHandle> tree() {
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(process.toHandle());
        tree.addAll(process.toHandle().descendants().collect(Collectors.toList()));
        return tree;
    }

    /** {@code A (meshery-broker)}, or {@code A (meshery-broker) node n2}. */
    private String who() {
        return node == null ? spec.display() : spec.display() + " node " + node;
    }

    /** The client address: 127.0.0.1 and the chosen port. */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    /** Which server this is. */
    @Override
    public ServerSpec spec() {
        return spec;
    }

    /** CPU and memory of the process that owns the listening socket. */
    @Override
    public ProcessMetrics metrics() {
        return new ProcessMetrics(measured.pid());
    }

    /** A description of the measured process: pid and executable. */
    @Override
    public String measuredDescription() {
        return "pid " + measured.pid() + " (" + measured.info().command().orElse("?") + ")";
    }

    /** True while the measured process runs. */
    @Override
    public boolean isAlive() {
        return measured.isAlive();
    }

    @Override
    public String exitReport(int lines) {
        return (node == null ? "server" : "node " + node) + " exited during the run; log " + log + ":\n"
                + logTail(lines);
    }

    /** The server's log file. */
    public Path log() {
        return log;
    }

    /** The last lines of the server's log. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /**
     * Sends SIGTERM to the measured process and returns at once, so that the nodes of a cluster shut down together;
     * {@link #close} still has to follow. Does nothing before the server was found.
     */
    void terminate() {
        if (measured != null && !terminated) {
            terminated = true;
            measured.destroy();
        }
    }

    /**
     * Stops the whole process tree, deepest processes first so that each parent is still there to reap its child
     * (an orphan would wait for a PID 1 that, in a container, may never reap it): SIGTERM, then SIGKILL to whatever
     * is still running after a 10 s grace.
     */
    @Override
    public void close() {
        List<ProcessHandle> tree = tree();
        if (measured != null && !tree.contains(measured)) {
            tree.add(measured);
        }
        tree.sort(Comparator.comparingInt(ServerProcess::depth).reversed());
        long deadline = System.nanoTime() + STOP_GRACE.toNanos();
        for (ProcessHandle p : tree) {
            if (!(terminated && p.equals(measured))) {
                p.destroy();
            }
            if (!awaitExit(p, deadline)) {
                p.destroyForcibly();
                awaitExit(p, System.nanoTime() + TimeUnit.SECONDS.toNanos(2));
            }
        }
    }

    private boolean awaitExit(ProcessHandle p, long deadline) {
        while (isRunning(p)) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        return true;
    }

    /** Alive and not a zombie; the started process is reaped through {@link Process}, which knows best. */
    private boolean isRunning(ProcessHandle p) {
        return p.pid() == process.pid() ? process.isAlive() : p.isAlive();
    }

    private static int depth(ProcessHandle p) {
        int depth = 0;
        for (Optional<ProcessHandle> parent = p.parent(); parent.isPresent() && depth < 64;
             parent = parent.get().parent()) {
            depth++;
        }
        return depth;
    }
}
