package io.meshery.broker.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meshery.broker.testkit.TestBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A client for one node's monitoring port: plain GETs over a real socket, answers parsed as JSON. */
final class MonitorHttp {

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

    private final String base;

    MonitorHttp(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    static MonitorHttp of(TestBroker broker) {
        return new MonitorHttp(broker.node().httpPort());
    }

    /** Starts a node on free ports with monitoring on. */
    static TestBroker startBroker(java.util.function.UnaryOperator<io.meshery.broker.server.ServerSettings> tweak) {
        return TestBroker.start(s -> tweak.apply(s.withHttp("127.0.0.1", 0)));
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
