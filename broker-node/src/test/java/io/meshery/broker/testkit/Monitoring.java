package io.meshery.broker.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** A node's monitoring endpoints, read over HTTP as an operator's tools read them. */
public final class Monitoring {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private Monitoring() {
    }

    /** The JSON {@code path} answers on the monitoring port {@code httpPort} of 127.0.0.1. */
    public static JsonNode get(int httpPort, String path) throws IOException, InterruptedException {
        return get("127.0.0.1", httpPort, path);
    }

    /** The JSON {@code path} answers on the monitoring port {@code httpPort} of {@code host}. */
    public static JsonNode get(String host, int httpPort, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://" + host + ":" + httpPort + path)).timeout(java.time.Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    /** {@code /routez}'s {@code num_routes}, or -1 while the node does not answer. */
    public static int routes(int httpPort) {
        try {
            return get(httpPort, "/routez").get("num_routes").asInt();
        } catch (IOException | RuntimeException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
