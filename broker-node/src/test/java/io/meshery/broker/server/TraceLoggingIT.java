package io.meshery.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.meshery.broker.logging.LogSetup;
import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestBroker;
import io.meshery.broker.testkit.WireClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** {@code -V} and {@code -D}: one line per protocol operation and per connection event, credentials redacted. */
class TraceLoggingIT {

    private static final String PREFIX = "127\\.0\\.0\\.1:\\d+ - cid:\\d+ - ";

    /** Connection events go to the connection's logger, protocol lines to the trace logger. */
    private final List<Logger> loggers = List.of((Logger) LoggerFactory.getLogger(ClientConnection.class),
        (Logger) LoggerFactory.getLogger(LogSetup.TRACE_LOGGER));
    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    private final List<Level> levelsBefore = new java.util.ArrayList<>();
    private final List<Boolean> additiveBefore = new java.util.ArrayList<>();

    @BeforeEach
    void captureTraces() {
        captured.start();
        for (Logger logger : loggers) {
            levelsBefore.add(logger.getLevel());
            additiveBefore.add(logger.isAdditive());
            logger.addAppender(captured);
            logger.setAdditive(false);
            logger.setLevel(Level.TRACE); // before connecting: each connection decides once whether it traces
        }
    }

    @AfterEach
    void restore() {
        for (int i = 0; i < loggers.size(); i++) {
            loggers.get(i).setLevel(levelsBefore.get(i));
            loggers.get(i).setAdditive(additiveBefore.get(i));
            loggers.get(i).detachAppender(captured);
        }
    }

    private List<String> lines(Level level) {
        List<ILoggingEvent> events;
        synchronized (captured) { // the appender adds under its own lock, from the connections' threads
            events = new java.util.ArrayList<>(captured.list);
        }
        return events.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage)
            .collect(Collectors.toList());
    }

    @Test
    void protocolIsTracedNatsStyleWithoutCredentials() throws Exception {
        try (TestBroker broker = TestBroker.start(o -> o.authorization(Map.of("user", "alice", "password", "hunter2")))) {
            try (WireClient c = WireClient.connect(broker.port(),
                    "{\"user\":\"alice\",\"pass\":\"hunter2\",\"verbose\":false}")) {
                c.send("SUB foo 1\r\nPUB foo 5\r\nhello\r\nUNSUB 1\r\nPING\r\n");
                c.expect("MSG foo 1 5").expect("hello").expect("PONG");
            }
            Poll.until(Duration.ofSeconds(10), "the connection's close to be logged",
                () -> lines(Level.DEBUG).stream().anyMatch(l -> l.contains("Client connection closed")));
        }
        List<String> traces = lines(Level.TRACE);
        String[] expected = {
            "<<- \\[CONNECT \\{\"user\":\"alice\",\"pass\":\"\\[REDACTED\\]\",\"verbose\":false\\}\\]",
            "<<- \\[PING\\]", "->> \\[PONG\\]",
            "<<- \\[SUB foo 1\\]",
            "<<- \\[PUB foo 5\\]", "<<- MSG_PAYLOAD: \\[\"hello\"\\]", "->> \\[MSG foo 1 5\\]",
            "<<- \\[UNSUB 1\\]",
            "<<- \\[PING\\]", "->> \\[PONG\\]",
        };
        assertEquals(expected.length, traces.size(), traces::toString);
        for (int i = 0; i < expected.length; i++) {
            assertTrue(traces.get(i).matches(PREFIX + expected[i]), traces.get(i) + " !~ " + expected[i]);
        }
        List<String> debug = lines(Level.DEBUG);
        assertTrue(debug.get(0).matches(PREFIX + "Client connection created"), debug::toString);
        assertTrue(debug.get(debug.size() - 1).matches(PREFIX + "Client connection closed: Client Closed"),
            debug::toString);
        for (ILoggingEvent e : captured.list) {
            assertFalse(e.getFormattedMessage().contains("hunter2"), e.getFormattedMessage());
            assertFalse(e.getFormattedMessage().contains("\n"), "one line per event: " + e.getFormattedMessage());
            assertEquals(null, e.getThrowableProxy(), "no stack traces");
        }
    }

    @Test
    void refusalsAreOneErrorLineAndTheErrIsTraced() throws Exception {
        try (TestBroker broker = TestBroker.start(o -> o.authorization(Map.of("token", "t0p-secret")));
             WireClient c = WireClient.connect(broker.port())) {
            c.send("CONNECT {\"auth_token\":\"t0p-secreT\"}\r\n");
            c.expect("-ERR 'Authorization Violation'");
            c.expectClosed();
            Poll.until(Duration.ofSeconds(10), "the close to be logged",
                () -> lines(Level.DEBUG).stream().anyMatch(l -> l.endsWith("closed: Authentication Failure")));
        }
        assertTrue(lines(Level.ERROR).stream().anyMatch(l -> l.matches(PREFIX + "authentication error")),
            lines(Level.ERROR)::toString);
        assertTrue(lines(Level.TRACE).stream().anyMatch(l -> l.matches(PREFIX
            + "<<- \\[CONNECT \\{\"auth_token\":\"\\[REDACTED\\]\"\\}\\]")), lines(Level.TRACE)::toString);
        assertTrue(lines(Level.TRACE).stream().anyMatch(l -> l.matches(PREFIX
            + "->> \\[-ERR Authorization Violation\\]")), lines(Level.TRACE)::toString);
        for (ILoggingEvent e : captured.list) {
            assertFalse(e.getFormattedMessage().contains("t0p-secre"), e.getFormattedMessage());
        }
    }
}
