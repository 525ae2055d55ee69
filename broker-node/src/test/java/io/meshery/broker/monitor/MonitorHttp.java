package io.meshery.broker.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshery.broker.config.BrokerOptions;
import io.meshery.broker.testkit.TestBroker;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A client for one node's monitoring port: plain GETs over a real socket, answers parsed as JSON. Registered as
 * an extension ({@code @RegisterExtension static final MonitorHttp http = MonitorHttp.node(s -> s);}) it also
 * starts its node before the test class and stops it after.
 */
final class MonitorHttp implements BeforeAllCallback, AfterAllCallback {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One answer: status, content type and body. */
    record Response(int status, String contentType, String body) {

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }
    }

    /** How the extension's node is set up; null for a client of a node started elsewhere. */
    private final UnaryOperator<BrokerOptions.Builder> tweak;
    private TestBroker broker;
    private String base;

    private MonitorHttp(TestBroker broker, UnaryOperator<BrokerOptions.Builder> tweak) {
        this.tweak = tweak;
        if (broker != null) {
            use(broker);
        }
    }

    /** A client for the monitoring port of {@code broker}. */
    static MonitorHttp of(TestBroker broker) {
        return new MonitorHttp(broker, null);
    }

    /** An extension that runs a node with monitoring on, set up by {@code tweak}, for one test class. */
    static MonitorHttp node(UnaryOperator<BrokerOptions.Builder> tweak) {
        return new MonitorHttp(null, tweak);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        use(startBroker(tweak));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        broker.close();
    }

    private void use(TestBroker b) {
        this.broker = b;
        this.base = "http://127.0.0.1:" + b.node().httpPort();
    }

    /** The node this client talks to. */
    TestBroker broker() {
        return broker;
    }

    /** Starts a node on free ports with monitoring on. */
    static TestBroker startBroker(UnaryOperator<BrokerOptions.Builder> tweak) {
        return TestBroker.start(o -> tweak.apply(o.httpHost("127.0.0.1").httpPort(BrokerOptions.RANDOM_PORT)));
    }

    /** A jnats connection to the node under {@code name}, without reconnects or error logging. */
    Connection connect(String name) throws Exception {
        return Nats.connect(new Options.Builder().server(broker.url()).connectionName(name).noReconnect()
            .errorListener(new ErrorListener() { }).build());
    }

    Response get(String pathAndQuery) {
        return get(pathAndQuery, null);
    }

    Response get(String pathAndQuery, String accept) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
            .timeout(Duration.ofSeconds(10))
            .GET();
        if (accept != null) {
            request.header("Accept", accept);
        }
        try {
            HttpResponse<String> r = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
        } catch (IOException e) {
            throw new AssertionError("GET " + pathAndQuery + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** A 200 answer with JSON content, parsed. */
    JsonNode json(String pathAndQuery) {
        Response r = get(pathAndQuery);
        assertEquals(200, r.status(), pathAndQuery + ": " + r.body());
        assertEquals("application/json", r.contentType(), pathAndQuery);
        return r.json();
    }
}
