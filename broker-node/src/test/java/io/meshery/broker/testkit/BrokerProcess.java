package io.meshery.broker.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged broker run as a separate process, the way the launcher runs it: the jar and its lib/ folder
 * from {@code target/} (integration tests run after {@code package}). Collects what it prints.
 */
public final class BrokerProcess implements AutoCloseable {

    private static final Pattern LISTENING = Pattern.compile("Listening for client connections on .*:(\\d+)$");

    private final Process process;
    private final List<String> stderr = new CopyOnWriteArrayList<>();
    private final List<String> stdout = new CopyOnWriteArrayList<>();

    private BrokerProcess(Process process) {
        this.process = process;
        drain(process.getErrorStream(), stderr);
        drain(process.getInputStream(), stdout);
    }

    /** Starts {@code io.meshery.broker.Main} with {@code args}. */
    public static BrokerProcess start(String... args) throws IOException {
        return start(List.of(), args);
    }

    /** Starts {@code io.meshery.broker.Main} with {@code args} in a JVM given {@code jvmOptions}. */
    public static BrokerProcess start(List<String> jvmOptions, String... args) throws IOException {
        return startWrapped(List.of(), jvmOptions, args);
    }

    /**
     * The same, with the java command run by {@code wrapper} (e.g. {@code unshare ... sh -c '... exec "$0" "$@"'}),
     * which must end by executing its arguments.
     */
    public static BrokerProcess startWrapped(List<String> wrapper, List<String> jvmOptions, String... args)
            throws IOException {
        Path target = Path.of("target").toAbsolutePath();
        Path jar = target.resolve("broker-node.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run the integration tests through `mvn verify`");
        }
        List<String> command = new ArrayList<>(wrapper);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of(
            "-cp", jar + java.io.File.pathSeparator + target.resolve("lib") + "/*",
            "io.meshery.broker.Main"));
        command.addAll(List.of(args));
        return new BrokerProcess(new ProcessBuilder(command).start());
    }

    public Process process() {
        return process;
    }

    /**
     * Sends a POSIX signal ({@code TERM}, {@code INT}, {@code USR2}...) through the shell's kill. Not
     * {@link Process#destroy()}: that also closes our ends of the process's pipes, losing its last lines.
     */
    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -s " + name + " " + process.pid()).start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -s " + name + " " + process.pid() + " failed");
        }
    }

    public long pid() {
        return process.pid();
    }

    public List<String> stderr() {
        return stderr;
    }

    public List<String> stdout() {
        return stdout;
    }

    /** The client port from the node's "Listening for client connections" line, waiting for it to appear. */
    public int clientPort(Duration deadline) {
        String line = awaitLine(deadline, l -> LISTENING.matcher(l).find());
        Matcher m = LISTENING.matcher(line);
        m.find();
        return Integer.parseInt(m.group(1));
    }

    /** The first line of standard error that satisfies {@code test}, waiting for it up to {@code deadline}. */
    public String awaitLine(Duration deadline, java.util.function.Predicate<String> test) {
        long end = System.nanoTime() + deadline.toNanos();
        while (System.nanoTime() < end) {
            for (String l : stderr) {
                if (test.test(l)) {
                    return l;
                }
            }
            if (!process.isAlive() && stderrDrained()) {
                break;
            }
            Poll.pause();
        }
        throw new AssertionError("no matching line within " + deadline + "; stderr was:\n" + String.join("\n", stderr));
    }

    /** The exit status, waiting up to {@code deadline}; fails when the process is still running then. */
    public int awaitExit(Duration deadline) throws InterruptedException {
        if (!process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("still running after " + deadline + "; stderr was:\n" + String.join("\n", stderr));
        }
        return process.exitValue();
    }

    private volatile boolean drained;

    private boolean stderrDrained() {
        return drained;
    }

    private void drain(java.io.InputStream in, List<String> into) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    into.add(line);
                }
            } catch (IOException e) {
                // The process ended; what was read is kept.
            } finally {
                if (into == stderr) {
                    drained = true;
                }
            }
        }, "broker-process-reader");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
