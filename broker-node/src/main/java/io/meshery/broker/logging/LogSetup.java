package io.meshery.broker.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Applies the logging options of nats-server ({@code debug}, {@code trace}, {@code logtime}, {@code log_file})
 * to logback once the configuration is known. The packaged {@code logback.xml} covers the time before that
 * (and embedded use); this replaces it with the same shape of line: {@code [pid] date time [LVL] message}.
 */
public final class LogSetup {

    /** What to log, and where. An empty {@code file} means standard error. */
    public record Settings(boolean debug, boolean trace, boolean logtime, Optional<Path> file) {
        String rootLevel() {
            return debug ? "DEBUG" : "INFO";
        }

        /** Protocol trace is a logger of its own: nats-server's {@code -V} does not turn on debug lines. */
        String traceLevel() {
            return trace ? "TRACE" : "OFF";
        }
    }

    /** The logger protocol lines go to; {@code trace}/{@code -V} turns it on independently of {@code debug}. */
    public static final String TRACE_LOGGER = "io.meshery.broker.trace";

    private static volatile Settings current;

    private LogSetup() {
    }

    /** Reconfigures logback; called at start and again on SIGUSR1 (reopens the log file after rotation). */
    public static synchronized void apply(Settings settings) {
        current = settings;
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        context.reset();
        try {
            configurator.doConfigure(new ByteArrayInputStream(xml(settings).getBytes(StandardCharsets.UTF_8)));
        } catch (JoranException e) {
            throw new IllegalStateException("cannot configure logging: " + e.getMessage(), e);
        }
    }

    /** Reopens the log file with the current settings, for log rotation. */
    public static void reopen() {
        Settings settings = current;
        if (settings != null) {
            apply(settings);
        }
    }

    static String xml(Settings settings) {
        String pattern = "[${PID:-0}] " + (settings.logtime() ? "%d{yyyy/MM/dd HH:mm:ss.SSSSSS} " : "")
            + "[%lvl] %msg%n";
        String appender = settings.file()
            .map(f -> "<appender name=\"OUT\" class=\"ch.qos.logback.core.FileAppender\">"
                + "<file>" + escape(f.toAbsolutePath().toString()) + "</file><append>true</append>")
            .orElse("<appender name=\"OUT\" class=\"ch.qos.logback.core.ConsoleAppender\"><target>System.err</target>");
        return "<configuration>"
            + "<conversionRule conversionWord=\"lvl\" class=\"" + NatsLevelConverter.class.getName() + "\"/>"
            + appender + "<encoder><pattern>" + escape(pattern) + "</pattern></encoder></appender>"
            + "<logger name=\"org.apache.pekko\" level=\"WARN\"/>"
            // Raft (replicated streams): Ratis logs every setting and role change at INFO; the node says what matters
            + "<logger name=\"org.apache.ratis\" level=\"WARN\"/>"
            // A failed bind is reported by the node itself, in one line.
            + "<logger name=\"org.apache.pekko.io.TcpListener\" level=\"OFF\"/>"
            + "<logger name=\"" + TRACE_LOGGER + "\" level=\"" + settings.traceLevel() + "\"/>"
            + "<root level=\"" + settings.rootLevel() + "\"><appender-ref ref=\"OUT\"/></root>"
            + "</configuration>";
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
