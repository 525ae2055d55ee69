package io.meshery.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshery.broker.testkit.Poll;
import io.meshery.broker.testkit.TestBroker;
import io.meshery.broker.testkit.WireClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every operation and fault over a raw socket, with the bytes nats-server 2.9 answers. */
class WireProtocolIT {

    private static final String QUIET = "{\"verbose\":false,\"pedantic\":false}";
    private static TestBroker broker;

    @BeforeAll
    static void start() {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    @Test
    void greetsWithInfoThatTheClientsNeed() throws Exception {
        try (WireClient c = new WireClient(broker.port())) {
            String line = c.readLine(Duration.ofSeconds(5));
            assertTrue(line.startsWith("INFO {") && line.endsWith("} "), line);
            JsonNode info = new ObjectMapper().readTree(line.substring(5));
            assertEquals(List.of("server_id", "server_name", "version", "proto", "go", "host", "port", "headers",
                "max_payload", "client_id", "client_ip"), fieldNames(info), "nats-server 2.9.10's fields and order");
            assertEquals(1, info.get("proto").asInt());
            assertTrue(info.get("headers").asBoolean());
            assertEquals(1024 * 1024, info.get("max_payload").asInt());
            assertEquals(broker.port(), info.get("port").asInt());
            assertEquals("127.0.0.1", info.get("client_ip").asText());
            assertTrue(info.get("client_id").asLong() > 0);
            assertTrue(info.get("server_id").asText().matches("N[A-Z2-7]{55}"));
            assertTrue(info.get("version").asText().compareTo("2.9.0") >= 0);
            assertTrue(info.has("server_name") && info.has("host"));
        }
    }

    @Test
    void verboseAcknowledgesEveryOperationBeforeConnectToo() throws Exception {
        try (WireClient c = WireClient.connect(broker.port())) {
            c.send("SUB foo 1\r\nPUB foo 1\r\nx\r\nUNSUB 1\r\nPING\r\n");
            c.expect("+OK").expect("+OK").expect("MSG foo 1 1").expect("x").expect("+OK").expect("PONG");
            c.send("CONNECT {\"verbose\":true}\r\nPING\r\n").expect("+OK").expect("PONG");
        }
    }

    @Test
    void pingPongBothWaysAndLowerCase() throws Exception {
        try (WireClient c = WireClient.connect(broker.port(), QUIET)) {
            c.send("ping\r\nPING extra\r\nPONG\r\n").expect("PONG").expect("PONG");
            c.send("INFO {}\r\n+OK\r\nPING\r\n").expect("PONG");
        }
    }

    @Test
    void publishAndSubscribeWithReplyWildcardsAndQueues() throws Exception {
        try (WireClient c = WireClient.connect(broker.port(), QUIET)) {
            c.send("SUB a.* 1\r\nSUB a.> 2\r\nSUB a.b q 3\r\nPUB a.b reply.to 5\r\nhello\r\nPING\r\n");
            String[] seen = {c.readLine(Duration.ofSeconds(5)), c.readLine(Duration.ofSeconds(5)),
                c.readLine(Duration.ofSeconds(5)), c.readLine(Duration.ofSeconds(5)),
                c.readLine(Duration.ofSeconds(5)), c.readLine(Duration.ofSeconds(5))};
            java.util.List<String> lines = java.util.List.of(seen);
            assertTrue(lines.contains("MSG a.b 1 reply.to 5"), lines.toString());
            assertTrue(lines.contains("MSG a.b 2 reply.to 5"), lines.toString());
            assertTrue(lines.contains("MSG a.b 3 reply.to 5"), lines.toString());
            c.expect("PONG");
            c.send("PUB a 0\r\n\r\nPUB a.b.c 0\r\n\r\nPING\r\n").expect("MSG a.b.c 2 0").expect("").expect("PONG");
        }
    }

    @Test
    void headersGoAsHmsgOnlyToClientsThatAnnouncedThem() throws Exception {
        try (WireClient withHeaders = WireClient.connect(broker.port(), "{\"verbose\":false,\"headers\":true}");
             WireClient without = WireClient.connect(broker.port(), QUIET)) {
            withHeaders.send("SUB h 1\r\nPING\r\n").expect("PONG");
            without.send("SUB h 9\r\nPING\r\n").expect("PONG");
            withHeaders.send("HPUB h r 18 20\r\nNATS/1.0\r\nK: V\r\n\r\nhi\r\nPING\r\n");
            withHeaders.expect("HMSG h 1 r 18 20").expect("NATS/1.0").expect("K: V").expect("").expect("hi");
            withHeaders.expect("PONG");
            without.expect("MSG h 9 r 2").expect("hi");
        }
    }

    @Test
    void hpubWithoutAnnouncingHeadersClosesSilently() throws Exception {
        try (WireClient c = WireClient.connect(broker.port(), QUIET)) {
            c.send("HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n").expectClosed();
        }
    }

    @Test
    void noRespondersGoesToTheRequestersOwnInbox() throws Exception {
        try (WireClient c = WireClient.connect(broker.port(),
            "{\"verbose\":false,\"headers\":true,\"no_responders\":true}")) {
            c.send("SUB _INBOX.x.* 7\r\nPUB nobody.home _INBOX.x.1 2\r\nhi\r\nPING\r\n");
            c.expect("HMSG _INBOX.x.1 7 16 16").expect("NATS/1.0 503").expect("").expect("").expect("PONG");
        }
        try (WireClient c = WireClient.connect(broker.port(), "{\"verbose\":false,\"headers\":true}")) {
            c.send("SUB _INBOX.y.* 7\r\nPUB nobody.home _INBOX.y.1 2\r\nhi\r\nPING\r\n").expect("PONG");
        }
    }

    @Test
    void echoOffKeepsOwnMessagesAway() throws Exception {
        try (WireClient c = WireClient.connect(broker.port(), "{\"verbose\":false,\"echo\":false}");
             WireClient other = WireClient.connect(broker.port(), QUIET)) {
            c.send("SUB e 1\r\nPUB e 1\r\nx\r\nPING\r\n").expect("PONG");
            other.send("PUB e 1\r\ny\r\nPING\r\n").expect("PONG");
            c.expect("MSG e 1 1").expect("y");
        }
    }

    @Test
    void unsubscribeWithMaxDeliversThatManyThenStops() throws Exception {
        try (WireClient c = WireClient.connect(broker.port(), QUIET)) {
            c.send("SUB m 1\r\nUNSUB 1 2\r\nPUB m 1\r\nx\r\nPUB m 1\r\ny\r\nPUB m 1\r\nz\r\nPING\r\n");
            c.expect("MSG m 1 1").expect("x").expect("MSG m 1 1").expect("y").expect("PONG");
            c.send("SUB n 2\r\nUNSUB 2\r\nPUB n 1\r\nx\r\nUNSUB 99\r\nPING\r\n").expect("PONG");
        }
    }

    @Test
    void aRepeatedSidIsOneSubscription() throws Exception {
        try (WireClient c = WireClient.connect(broker.port(), QUIET)) {
            c.send("SUB d 1\r\nSUB d 1\r\nPUB d 1\r\nx\r\nPING\r\n").expect("MSG d 1 1").expect("x").expect("PONG");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"foo.", "foo..bar", ">.foo", ".foo"})
    void invalidSubjectIsRefusedButTheConnectionStays(String subject) throws Exception {
        try (WireClient c = WireClient.connect(broker.port(), "{\"verbose\":true}")) {
            c.send("SUB " + subject + " 1\r\nPING\r\n").expect("-ERR 'Invalid Subject'").expect("PONG");
        }
    }

    @Test
    void pedanticRefusesAWildcardPublish() throws Exception {
        try (WireClient c = WireClient.connect(broker.port(), "{\"verbose\":true,\"pedantic\":true}")) {
            c.send("PUB foo.* 3\r\nabc\r\nPING\r\n").expect("-ERR 'Invalid Publish Subject'").expect("+OK").expect("PONG");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "FOO|Unknown Protocol Operation",
        "PUB|Unknown Protocol Operation",
        "UNSUB|Unknown Protocol Operation",
        "' PING'|Unknown Protocol Operation",
        "CONNECT {\"protocol\":2}|invalid client protocol",
        "CONNECT {\"no_responders\":true}|no responders requires headers support",
        "PUB foo 2000000|Maximum Payload Violation"})
    void faultsThatCloseWithAnError(String line, String err) throws Exception {
        try (WireClient c = WireClient.connect(broker.port())) {
            c.send(line + "\r\n").expect("-ERR '" + err + "'");
            c.expectClosed();
        }
    }

    @Test
    void payloadNotFollowedByCrlfIsUnknownOperation() throws Exception {
        try (WireClient c = WireClient.connect(broker.port(), QUIET)) {
            c.send("PUB foo 2\r\nabc\r\n").expect("-ERR 'Unknown Protocol Operation'");
            c.expectClosed();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"PUB foo", "PUB foo bar", "PUB foo -1", "PUB foo +3", "PUB foo a b c", "SUB foo",
        "SUB foo bar baz qux", "UNSUB ", "CONNECT", "CONNECT {bad json", "CONNECT [1]",
        "CONNECT {\"lang\":3}", "CONNECT {\"protocol\":\"1\"}", "HPUB foo 5 3", "-ERR 'x'"})
    void faultsThatCloseWithoutAWord(String line) throws Exception {
        try (WireClient c = WireClient.connect(broker.port())) {
            c.send(line + "\r\n").expectClosed();
        }
    }

    @Test
    void controlLineLimitAppliesBeforeTheLineEnds() throws Exception {
        try (WireClient c = WireClient.connect(broker.port())) {
            c.send("PUB " + "a".repeat(5000)).expect("-ERR 'maximum control line exceeded'");
            c.expectClosed();
        }
        try (WireClient c = WireClient.connect(broker.port())) {
            c.send("PUB " + "a".repeat(5000) + " 1\r\n").expect("-ERR 'maximum control line exceeded'");
            c.expectClosed();
        }
    }

    @Test
    void aFaultyClientDoesNotDisturbOthers() throws Exception {
        try (WireClient good = WireClient.connect(broker.port(), QUIET);
             WireClient bad = WireClient.connect(broker.port(), QUIET)) {
            good.send("SUB calm 1\r\nPING\r\n").expect("PONG");
            bad.send("PUB calm 1\r\nx\r\nGARBAGE\r\n").expect("-ERR 'Unknown Protocol Operation'");
            bad.expectClosed();
            good.expect("MSG calm 1 1").expect("x");
            good.send("PUB calm 1\r\ny\r\nPING\r\n").expect("MSG calm 1 1").expect("y").expect("PONG");
        }
    }

    @Test
    void closedConnectionsLeaveNoSubscriptionsBehind() throws Exception {
        long before = broker.node().server().index().count();
        try (WireClient c = WireClient.connect(broker.port(), QUIET)) {
            c.send("SUB gone.1 1\r\nSUB gone.* 2\r\nSUB gone.> q 3\r\nPING\r\n").expect("PONG");
            assertEquals(before + 3, broker.node().server().index().count());
        }
        Poll.until(Duration.ofSeconds(5), "subscriptions removed",
            () -> broker.node().server().index().count() == before);
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
