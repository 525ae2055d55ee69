package io.meshery.broker.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.meshery.broker.testkit.BrokerProcess;
import io.meshery.broker.testkit.Poll;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.Subscription;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The program as users run it: flags, the seed's configuration, signals, exit statuses, log lines. */
class LauncherIT {

    private static final Duration START = Duration.ofSeconds(30);
    private static final Duration STOP = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    @Test
    void seedConfigLoadsServesClientsAndSigtermExitsZero() throws Exception {
        Path conf = dir.resolve("nats.conf");
        try (InputStream seed = getClass().getResourceAsStream("/config/seed-nats.conf")) {
            Files.write(conf, seed.readAllBytes());
        }
        try (BrokerProcess broker = BrokerProcess.start("-c", conf.toString(), "-a", "127.0.0.1", "-p", "-1",
                "-m", "-1")) {
            int port = broker.clientPort(START);
            AtomicBoolean disconnected = new AtomicBoolean();
            ConnectionListener listener = (c, event) -> {
                if (event == ConnectionListener.Events.DISCONNECTED || event == ConnectionListener.Events.CLOSED) {
                    disconnected.set(true);
                }
            };
            Options options = new Options.Builder().server("nats://127.0.0.1:" + port).connectionListener(listener)
                .maxReconnects(0).build();
            try (Connection nc = Nats.connect(options)) {
                // The seed raises max_payload to 10MB; the client reads it from INFO.
                assertEquals(10L * 1024 * 1024, nc.getServerInfo().getMaxPayload());
                Subscription sub = nc.subscribe("meshery.meshsync.core");
                nc.publish("meshery.meshsync.core", "pod added".getBytes(StandardCharsets.UTF_8));
                Message m = sub.nextMessage(Duration.ofSeconds(5));
                assertEquals("pod added", new String(m.getData(), StandardCharsets.UTF_8));

                broker.signal("TERM");
                assertEquals(0, broker.awaitExit(STOP));
                Poll.until(Duration.ofSeconds(5), "the client to see the close", disconnected::get);
            }
            broker.awaitLine(STOP, l -> l.contains("[INF] Trapped \"terminated\" signal"));
            broker.awaitLine(STOP, l -> l.endsWith("[INF] Server exiting"));
        }
    }

    @Test
    void signalCommandStopsTheBrokerNamedInItsPidFile() throws Exception {
        Path pidFile = dir.resolve("broker.pid");
        try (BrokerProcess broker = BrokerProcess.start("-a", "127.0.0.1", "-p", "-1", "-m", "0",
                "-P", pidFile.toString())) {
            broker.clientPort(START);
            Poll.until(START, "the pid file", () -> Files.exists(pidFile));
            assertEquals(Long.toString(broker.pid()), Files.readString(pidFile).trim());

            try (BrokerProcess signal = BrokerProcess.start("--signal", "quit=" + pidFile)) {
                assertEquals(0, signal.awaitExit(START));
            }
            assertEquals(0, broker.awaitExit(STOP));
            broker.awaitLine(STOP, l -> l.contains("Trapped \"interrupt\" signal"));
            assertFalse(Files.exists(pidFile), "the pid file is removed on exit");
        }
    }

    @Test
    void signalToAMissingPidFileFails() throws Exception {
        try (BrokerProcess signal = BrokerProcess.start("--signal", "term=" + dir.resolve("none.pid"))) {
            assertEquals(1, signal.awaitExit(START));
            signal.awaitLine(STOP, l -> l.contains("cannot read pid file"));
        }
    }

    @Test
    void versionAndHelpPrintAndExitZero() throws Exception {
        try (BrokerProcess version = BrokerProcess.start("-v")) {
            assertEquals(0, version.awaitExit(START));
            Poll.until(STOP, "the version line", () -> !version.stdout().isEmpty());
            assertTrue(version.stdout().get(0).matches("meshery-broker: v\\d+\\.\\d+\\.\\d+.*"), version.stdout()::toString);
        }
        try (BrokerProcess help = BrokerProcess.start("--help")) {
            assertEquals(0, help.awaitExit(START));
            Poll.until(STOP, "the usage text", () -> help.stdout().stream().anyMatch(l -> l.contains("--config")));
            Poll.until(STOP, "the JetStream flags", () -> help.stdout().stream()
                .anyMatch(l -> l.contains("-sd, --store_dir <dir>")));
            assertTrue(help.stdout().contains("JetStream Options:"), help.stdout()::toString);
            assertTrue(help.stdout().stream().anyMatch(l -> l.contains("-js, --jetstream")), help.stdout()::toString);
            assertFalse(help.stdout().stream().anyMatch(l -> l.contains("not implemented")), help.stdout()::toString);
        }
    }

    @Test
    void malformedCommandLineExitsTwoWithUsage() throws Exception {
        try (BrokerProcess broker = BrokerProcess.start("--no-such-flag")) {
            assertEquals(2, broker.awaitExit(START));
            Poll.until(STOP, "the usage text", () -> broker.stdout().stream().anyMatch(l -> l.contains("Usage")));
        }
    }

    @Test
    void invalidValueIsNamedAndExitsNonZero() throws Exception {
        Path conf = dir.resolve("bad.conf");
        Files.writeString(conf, "port: 4222\nmax_payload: \"lots\"\n");
        try (BrokerProcess broker = BrokerProcess.start("-c", conf.toString())) {
            assertEquals(1, broker.awaitExit(START));
            broker.awaitLine(STOP, l -> l.contains("max_payload"));
        }
    }

    @Test
    void unknownKeyExitsOneNamingTheFileLineAndKey() throws Exception {
        Path conf = dir.resolve("unknown.conf");
        Files.writeString(conf, "listen: 127.0.0.1:-1\nhttp_port: 0\nmax_paylod: 2MB\n");
        try (BrokerProcess broker = BrokerProcess.start("-c", conf.toString())) {
            assertEquals(1, broker.awaitExit(START));
            broker.awaitLine(STOP, l -> l.equals("meshery-broker: " + conf + ":3:1: unknown field \"max_paylod\""));
            assertFalse(broker.stderr().stream().anyMatch(l -> l.contains("Server is ready")),
                broker.stderr()::toString);
        }
    }

    @Test
    void accountsBlockWithUsersExitsOneNamingAccounts() throws Exception {
        Path conf = dir.resolve("accounts.conf");
        Files.writeString(conf, """
            listen: 127.0.0.1:-1
            http_port: 0
            accounts {
              A { users: [ {user: a, password: b} ] }
            }
            """);
        try (BrokerProcess broker = BrokerProcess.start("-c", conf.toString())) {
            assertEquals(1, broker.awaitExit(START));
            String error = broker.awaitLine(STOP, l -> l.contains("\"accounts\" is not supported"));
            assertTrue(error.startsWith("meshery-broker: " + conf + ":3:1: "), error);
            assertFalse(broker.stderr().stream().anyMatch(l -> l.contains("Listening for client connections")),
                broker.stderr()::toString);
        }
    }

    @Test
    void testFlagReportsAnUnknownKeyAndExitsOne() throws Exception {
        Path conf = dir.resolve("typo.conf");
        Files.writeString(conf, "port: 4222\n  max_paylod: 2MB\n");
        try (BrokerProcess check = BrokerProcess.start("-t", "-c", conf.toString())) {
            assertEquals(1, check.awaitExit(START));
            check.awaitLine(STOP, l -> l.equals("meshery-broker: " + conf + ":2:3: unknown field \"max_paylod\""));
        }
    }

    @Test
    void testFlagReportsAWarnedKeyAndExitsZero() throws Exception {
        Path conf = dir.resolve("cluster.conf");
        Files.writeString(conf, "port: 4222\ncluster {\n  port: 6222\n  pool_size: 3\n}\n");
        try (BrokerProcess check = BrokerProcess.start("-t", "-c", conf.toString())) {
            assertEquals(0, check.awaitExit(START));
            check.awaitLine(STOP, l -> l.equals("meshery-broker: warning: " + conf + ":4:3: \"cluster.pool_size\" has"
                + " no effect on this node: the cluster's transport has one connection per pair of nodes"));
            check.awaitLine(STOP, l -> l.equals("meshery-broker: configuration file " + conf + " is valid"));
        }
    }

    @Test
    void aNodeWhoseSeedsDoNotAnswerServesItsClientsAndSaysItWaits() throws Exception {
        Path conf = dir.resolve("cluster.conf");
        Files.writeString(conf, """
            listen: 127.0.0.1:-1
            http_port: 0
            logtime: false
            cluster {
              name: meshery
              port: -1
              routes: ["nats://127.0.0.1:1"]
            }
            """);
        try (BrokerProcess broker = BrokerProcess.start("-c", conf.toString())) {
            int port = broker.clientPort(START);
            // logtime: false drops the date and time, as nats-server does.
            String ready = broker.awaitLine(STOP, l -> l.endsWith("Server is ready"));
            assertTrue(ready.matches("\\[\\d+\\] \\[INF\\] Server is ready"), ready);
            String waiting = broker.awaitLine(Duration.ofSeconds(30), l -> l.contains("Not a member of cluster"));
            assertTrue(waiting.matches("\\[\\d+\\] \\[WRN\\] Not a member of cluster \"meshery\" yet: no seed node has let"
                + " this node join; still trying \\[127.0.0.1:1\\].*"), waiting);
            try (Connection nc = Nats.connect(new Options.Builder().server("nats://127.0.0.1:" + port)
                    .maxReconnects(0).build())) {
                assertEquals(Connection.Status.CONNECTED, nc.getStatus());
            }
            broker.signal("TERM");
            assertEquals(0, broker.awaitExit(STOP));
        }
    }

    @Test
    void jetStreamFlagsStartWithoutWarningAndInfoAdvertisesJetStream() throws Exception {
        Path store = dir.resolve("store");
        try (BrokerProcess broker = BrokerProcess.start("-a", "127.0.0.1", "-p", "-1", "-m", "0", "-js",
                "-sd", store.toString())) {
            int port = broker.clientPort(START);
            broker.awaitLine(STOP, l -> l.endsWith("Server is ready"));
            assertEquals(List.of(), broker.stderr().stream().filter(l -> l.contains("[WRN]")).toList());
            String info = readInfoLine(port);
            assertTrue(info.startsWith("INFO {"), info);
            assertTrue(info.contains("\"jetstream\":true"), info);
            broker.signal("TERM");
            assertEquals(0, broker.awaitExit(STOP));
        }
    }

    @Test
    void logFileFlagWritesTheLogThere() throws Exception {
        Path log = dir.resolve("broker.log");
        try (BrokerProcess broker = BrokerProcess.start("-a", "127.0.0.1", "-p", "-1", "-m", "0", "-D",
                "-l", log.toString())) {
            Poll.until(START, "the log file to say ready", () -> contains(log, "Server is ready"));
            assertTrue(contains(log, "[INF] Listening for client connections on 127.0.0.1:"));
            broker.signal("TERM");
            assertEquals(0, broker.awaitExit(STOP));
        }
    }

    @Test
    void signalReopenStartsANewLogFileAfterRotation() throws Exception {
        Path log = dir.resolve("broker.log");
        Path rotated = dir.resolve("broker.log.1");
        try (BrokerProcess broker = BrokerProcess.start("-a", "127.0.0.1", "-p", "-1", "-m", "0",
                "-l", log.toString())) {
            Poll.until(START, "the log file to say ready", () -> contains(log, "Server is ready"));
            Files.move(log, rotated); // what logrotate does before it signals

            try (BrokerProcess signal = BrokerProcess.start("--signal", "reopen=" + broker.pid())) {
                assertEquals(0, signal.awaitExit(START));
            }
            Poll.until(STOP, "a new log file", () -> contains(log, "Reopened log file"));
            assertTrue(contains(rotated, "Server is ready"), "the rotated file keeps what was written before");
            assertFalse(contains(rotated, "Reopened log file"), "nothing more goes to the rotated file");
            broker.signal("TERM");
            assertEquals(0, broker.awaitExit(STOP));
        }
    }

    @Test
    void portInUseIsOneErrorLineAndExitOne() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            try (BrokerProcess broker = BrokerProcess.start("-a", "127.0.0.1", "-p",
                    Integer.toString(taken.getLocalPort()), "-m", "0")) {
                assertEquals(1, broker.awaitExit(START));
                broker.awaitLine(STOP, l -> l.contains("[ERR]") && l.contains("cannot listen"));
                assertFalse(broker.stderr().stream().anyMatch(l -> l.trim().startsWith("at ")),
                    "no stack trace: " + broker.stderr());
            }
        }
    }

    /** The first line a client reads: the server's INFO, read over a raw socket. */
    private static String readInfoLine(int port) throws java.io.IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout((int) STOP.toMillis());
            BufferedReader in = new BufferedReader(
                new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line = in.readLine();
            return line == null ? "" : line;
        }
    }

    private static boolean contains(Path file, String text) {
        try {
            return Files.exists(file) && Files.readString(file).contains(text);
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
