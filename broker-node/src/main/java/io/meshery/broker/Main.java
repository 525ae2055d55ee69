package io.meshery.broker;

import io.meshery.broker.config.BrokerOptions;
import io.meshery.broker.config.CommandLine;
import io.meshery.broker.config.ConfigException;
import io.meshery.broker.config.Invocation;
import io.meshery.broker.jetstream.JetStreamConfig;
import io.meshery.broker.logging.LogSetup;
import io.meshery.broker.node.BrokerNode;
import io.meshery.broker.security.Security;
import io.meshery.broker.server.Server;
import io.meshery.broker.server.ServerSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The {@code meshery-broker} program: nats-server's command line, one broker node, and nats-server's signals
 * (TERM and INT stop gracefully, USR1 reopens the log file, USR2 enters lame duck mode).
 */
public final class Main {

    /** How long a graceful stop may take before the process exits anyway. */
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    private Main() {
    }

    public static void main(String[] args) {
        // Before the first logger exists: every log line starts with the pid, as nats-server's do.
        System.setProperty("PID", Long.toString(ProcessHandle.current().pid()));
        commonPoolOfTwo();
        System.exit(run(args));
    }

    /**
     * With one or two CPUs (a small pod, this project's 2-core machines) the JVM's common fork-join pool has a
     * parallelism of 1, and then every {@code CompletableFuture.*Async} without an executor starts a new thread:
     * Apache Ratis does that for each append on a follower (one thread created per replicated publish, measured with
     * JFR's thread-start events). A common pool of at least two threads is reused instead. Must run before the
     * pool's class is first used; an explicit {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism} wins.
     */
    static void commonPoolOfTwo() {
        String key = "java.util.concurrent.ForkJoinPool.common.parallelism";
        if (System.getProperty(key) == null && Runtime.getRuntime().availableProcessors() <= 2) {
            System.setProperty(key, "2");
        }
    }

    static int run(String... args) {
        Invocation invocation = new CommandLine(Server.VERSION).parse(args);
        if (invocation instanceof Invocation.PrintHelp help) {
            System.out.print(help.text());
            return 0;
        }
        if (invocation instanceof Invocation.PrintVersion version) {
            System.out.println(version.text());
            return 0;
        }
        if (invocation instanceof Invocation.TestConfig test) {
            try {
                Security.fromOptions(test.options()); // reads the users file, certificates and keys
            } catch (ConfigException e) {
                System.err.println(CommandLine.PRODUCT + ": " + test.positions().locate(e).getMessage());
                return 1;
            }
            test.warnings().forEach(w -> System.err.println(CommandLine.PRODUCT + ": warning: " + w));
            System.err.println(test.message());
            return 0;
        }
        if (invocation instanceof Invocation.Fail fail) {
            System.err.println(fail.message());
            if (fail.showUsage()) {
                System.out.print(CommandLine.usage());
            }
            return fail.exitCode();
        }
        if (invocation instanceof Invocation.SendSignal signal) {
            SignalSender.Result result = SignalSender.send(signal.signal(), signal.pidOrPidFile());
            if (!result.message().isEmpty()) {
                System.err.println(result.message());
            }
            return result.exitCode();
        }
        return serve((Invocation.Run) invocation);
    }

    /** Runs one node until it is stopped; returns the exit status. */
    private static int serve(Invocation.Run run) {
        BrokerOptions options = run.options();
        LogSetup.apply(new LogSetup.Settings(options.debug(), options.trace() || options.traceVerbose(),
            options.logtime(), options.logFile()));
        Logger log = LoggerFactory.getLogger(Main.class);
        log.info("Starting {}", CommandLine.PRODUCT);
        log.info("  Version:  {} (protocol of nats-server {})", Server.VERSION, Server.NATS_VERSION);
        log.info("  Java:     {}", Runtime.version());
        log.info("  Config:   {}", options.configFile().map(Path::toString).orElse("(none: embedded defaults)"));
        run.warnings().forEach(w -> log.warn("{}", w));
        ServerSettings settings;
        JetStreamConfig jetStream;
        try {
            settings = ServerSettings.from(options);
            jetStream = options.jetStream() ? jetStreamConfig(options) : null;
            if (jetStream != null && options.clusterSettings().isPresent()
                && (options.serverName() == null || options.serverName().isEmpty())) {
                // as nats-server: a stream's replicas know each other by server name, which must not change
                log.error("jetstream cluster requires `server_name` to be set");
                return 1;
            }
        } catch (ConfigException e) {
            log.error("{}", run.positions().locate(e).getMessage());
            return 1;
        }
        // Signals are trapped before the node starts, so that a stop asked for during start-up is still
        // graceful (a TERM arriving before the handler would end the JVM with status 143).
        AtomicReference<BrokerNode> running = new AtomicReference<>();
        AtomicBoolean stopAsked = new AtomicBoolean();
        trap("TERM", () -> stop(running, stopAsked, "terminated", log));
        trap("INT", () -> stop(running, stopAsked, "interrupt", log));
        trap("USR1", () -> {
            LogSetup.reopen();
            log.info("Reopened log file");
        });
        trap("USR2", () -> {
            log.debug("Trapped \"user defined signal 2\" signal");
            BrokerNode n = running.get();
            if (n != null) {
                n.enterLameDuckMode();
            }
        });
        trap("HUP", () -> log.warn("Configuration reload is not supported; restart the node to apply changes"));
        BrokerNode node;
        try {
            node = BrokerNode.start(settings, jetStream, options.clusterSettings().orElse(null));
        } catch (IllegalStateException | ConfigException e) {
            log.error("{}", e.getMessage());
            return 1;
        }
        Optional<Path> pidFile = options.pidFile();
        if (pidFile.isPresent() && !writePidFile(pidFile.get(), log)) {
            node.shutdown(SHUTDOWN_TIMEOUT);
            return 1;
        }
        running.set(node);
        if (stopAsked.get()) {
            stopInBackground(node);
        }
        log.info("Server is ready");
        node.system().getWhenTerminated().toCompletableFuture().join();
        pidFile.ifPresent(Main::deleteQuietly);
        log.info("Server exiting");
        return 0;
    }

    /** Signal handlers run on the JVM's signal thread; the stop itself runs on its own thread. */
    private static void trap(String signal, Runnable action) {
        Signal.handle(new Signal(signal), s -> action.run());
    }

    private static void stop(AtomicReference<BrokerNode> running, AtomicBoolean stopAsked, String signalName,
                             Logger log) {
        log.info("Trapped \"{}\" signal", signalName);
        stopAsked.set(true);
        BrokerNode node = running.get();
        if (node != null) {
            stopInBackground(node);
        }
    }

    private static void stopInBackground(BrokerNode node) {
        new Thread(() -> node.shutdown(SHUTDOWN_TIMEOUT), "meshery-broker-shutdown").start();
    }

    private static boolean writePidFile(Path pidFile, Logger log) {
        try {
            // Written beside and moved into place, so that a reader never sees an empty pid file.
            Path absolute = pidFile.toAbsolutePath();
            Path partial = absolute.resolveSibling(absolute.getFileName() + ".partial");
            Files.writeString(partial, Long.toString(ProcessHandle.current().pid()));
            Files.move(partial, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return true;
        } catch (IOException e) {
            log.error("Could not write pid file {}: {}", pidFile, e.getMessage());
            return false;
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // The process is exiting; a stale pid file is harmless and is overwritten on the next start.
        }
    }

    /**
     * JetStream's storage settings, as read and checked from {@code store_dir} (or {@code -sd}) and the
     * {@code jetstream} block: {@code max_memory_store}, {@code max_file_store} (-1: no limit) and
     * {@code sync_interval} (null: always, the default here).
     */
    static JetStreamConfig jetStreamConfig(BrokerOptions options) {
        return new JetStreamConfig(options.storeDir(), options.maxMemoryStore(), options.maxFileStore(),
            options.syncInterval());
    }
}
