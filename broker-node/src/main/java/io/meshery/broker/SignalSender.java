package io.meshery.broker;

import io.meshery.broker.config.CommandLine;
import io.meshery.broker.config.Invocation.Signal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * {@code --signal}: delivers a nats-server signal command to a running broker process, as the POSIX signal
 * nats-server uses for it, so that scripts and preStop hooks written for nats-server keep working.
 */
final class SignalSender {

    /** The outcome: exit status and the line to print on standard error (empty when all went well). */
    record Result(int exitCode, String message) {
    }

    private SignalSender() {
    }

    /** The POSIX signal nats-server maps each command to. */
    static String posixName(Signal signal) {
        return switch (signal) {
            case STOP -> "KILL";
            case QUIT -> "INT";
            case TERM -> "TERM";
            case LDM -> "USR2";
            case REOPEN -> "USR1";
            case RELOAD -> "HUP";
        };
    }

    static Result send(Signal signal, Optional<String> pidOrPidFile) {
        long pid;
        try {
            pid = pidOrPidFile.isPresent() ? resolve(pidOrPidFile.get()) : findTheBroker();
        } catch (IllegalArgumentException e) {
            return new Result(1, CommandLine.PRODUCT + ": " + e.getMessage());
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty()) {
            return new Result(1, CommandLine.PRODUCT + ": no process with pid " + pid);
        }
        boolean sent = switch (signal) {
            case TERM -> process.get().destroy();
            case STOP -> process.get().destroyForcibly();
            default -> kill(posixName(signal), pid);
        };
        return sent ? new Result(0, "")
            : new Result(1, CommandLine.PRODUCT + ": could not send SIG" + posixName(signal) + " to pid " + pid);
    }

    /** A number is a pid; anything else is the path of a pid file. */
    private static long resolve(String pidOrPidFile) {
        String text = pidOrPidFile;
        if (!pidOrPidFile.chars().allMatch(Character::isDigit)) {
            try {
                text = Files.readString(Path.of(pidOrPidFile)).trim();
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read pid file " + pidOrPidFile + ": " + e.getMessage());
            }
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid pid \"" + text + "\"");
        }
    }

    /** Without a pid, nats-server signals the only server process running, and refuses when there are several. */
    private static long findTheBroker() {
        long self = ProcessHandle.current().pid();
        List<Long> pids = ProcessHandle.allProcesses()
            .filter(p -> p.pid() != self)
            .filter(p -> p.info().commandLine().map(c -> c.contains(Main.class.getName())).orElse(false))
            .map(ProcessHandle::pid)
            .collect(Collectors.toList());
        if (pids.isEmpty()) {
            throw new IllegalArgumentException("no " + CommandLine.PRODUCT + " process running");
        }
        if (pids.size() > 1) {
            throw new IllegalArgumentException("multiple " + CommandLine.PRODUCT + " processes running: "
                + pids.stream().map(String::valueOf).collect(Collectors.joining(", "))
                + "; give one as --signal <signal>=<pid>");
        }
        return pids.get(0);
    }

    /** The shell's kill, so no procps is needed in a slim image. */
    private static boolean kill(String posixSignal, long pid) {
        try {
            Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -s " + posixSignal + " " + pid)
                .redirectErrorStream(true)
                .start();
            return kill.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
