package io.meshery.broker.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * {@code /healthz} (the process runs) and {@code /readyz} (the supplied check holds: a standby is ready, a
 * leader once its informers have synced) for the operator Deployment's probes, on the JDK's HTTP server.
 */
final class HealthServer implements AutoCloseable {
    private final HttpServer server;

    HealthServer(int port, BooleanSupplier ready) throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/healthz", ex -> reply(ex, 200, "ok"));
        server.createContext("/readyz", ex -> {
            boolean isReady = ready.getAsBoolean();
            reply(ex, isReady ? 200 : 503, isReady ? "ok" : "not ready");
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void reply(HttpExchange ex, int code, String body) throws IOException {
        byte[] bytes = (body + "\n").getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
