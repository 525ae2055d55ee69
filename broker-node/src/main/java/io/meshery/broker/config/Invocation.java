package io.meshery.broker.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the command line asks the process to do; produced by {@link CommandLine#parse(String...)}. The caller
 * switches over the cases; none of them has performed any side effect yet.
 */
public sealed interface Invocation {

    /**
     * Start the broker with {@code options}, logging each of {@code warnings} at WARN once logging is set up.
     * {@code positions} locate the configuration file's keys, for errors found while the node starts (a
     * certificate that cannot be read names the {@code tls.cert_file} line).
     */
    record Run(BrokerOptions options, List<String> warnings, KeyPositions positions) implements Invocation {
        public Run {
            Objects.requireNonNull(options, "options");
            warnings = List.copyOf(warnings);
            Objects.requireNonNull(positions, "positions");
        }
    }

    /** {@code -h}: print {@code text} to standard output and exit with status 0. */
    record PrintHelp(String text) implements Invocation {}

    /** {@code -v}: print {@code text} to standard output and exit with status 0. */
    record PrintVersion(String text) implements Invocation {}

    /**
     * {@code -t}: the configuration file is valid as far as it can be read; print each of {@code warnings}, then
     * {@link #message()}, to standard error (as nats-server does) and exit with status 0. {@code positions} as in
     * {@link Run}, for the checks the caller still makes (files the configuration names).
     */
    record TestConfig(Path configFile, BrokerOptions options, List<String> warnings, KeyPositions positions)
            implements Invocation {
        public TestConfig {
            Objects.requireNonNull(configFile, "configFile");
            Objects.requireNonNull(options, "options");
            warnings = List.copyOf(warnings);
            Objects.requireNonNull(positions, "positions");
        }

        public String message() {
            return CommandLine.PRODUCT + ": configuration file " + configFile + " is valid";
        }
    }

    /**
     * {@code -sl signal[=pid]}: send {@code signal} to a running broker and exit.
     *
     * @param pid a process id or the path of a pid file, or {@code null} when none was given
     */
    record SendSignal(Signal signal, String pid) implements Invocation {
        public SendSignal {
            Objects.requireNonNull(signal, "signal");
        }

        public Optional<String> pidOrPidFile() {
            return Optional.ofNullable(pid);
        }
    }

    /**
     * The command line or the configuration is wrong: print {@code message} to standard error (followed by
     * {@link CommandLine#usage()} on standard output when {@code showUsage}) and exit with {@code exitCode}: 2 for
     * a malformed command line, 1 for anything else.
     */
    record Fail(String message, int exitCode, boolean showUsage) implements Invocation {}

    /** The signals {@code -sl} accepts, by their nats-server names. */
    enum Signal {
        /** Enter lame-duck mode. */
        LDM("ldm"),
        /** Stop now. */
        STOP("stop"),
        /** Stop now (as SIGINT). */
        QUIT("quit"),
        /** Stop gracefully (as SIGTERM). */
        TERM("term"),
        /** Reopen the log file. */
        REOPEN("reopen"),
        /** Reload the configuration. */
        RELOAD("reload");

        private final String command;

        Signal(String command) {
            this.command = command;
        }

        /** The name used on the command line. */
        public String command() {
            return command;
        }

        /** The signal called {@code command} (case-sensitive, as in nats-server). */
        static Optional<Signal> of(String command) {
            for (Signal s : values()) {
                if (s.command.equals(command)) {
                    return Optional.of(s);
                }
            }
            return Optional.empty();
        }
    }
}
