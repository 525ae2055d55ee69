package io.meshery.broker.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A raw-socket client for wire tests: send bytes, then expect lines (or regular expressions) back, each
 * within a deadline. Reads byte by byte, so what the server sent after the expected part stays unread.
 */
public final class WireClient implements AutoCloseable {

    private static final Duration DEFAULT_WAIT = Duration.ofSeconds(5);

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public WireClient(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setTcpNoDelay(true);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Connects and reads the INFO line; returns its JSON. */
    public static WireClient connect(int port) throws IOException {
        WireClient c = new WireClient(port);
        String info = c.readLine(DEFAULT_WAIT);
        assertTrue(info.startsWith("INFO {"), "expected INFO, got " + info);
        return c;
    }

    /** Connects with {@code CONNECT <json>} and checks the PONG that answers the PING after it. */
    public static WireClient connect(int port, String connectJson) throws IOException {
        WireClient c = connect(port);
        c.send("CONNECT " + connectJson + "\r\nPING\r\n");
        String line = c.readLine(DEFAULT_WAIT);
        if (line.equals("+OK")) {
            line = c.readLine(DEFAULT_WAIT);
        }
        assertEquals("PONG", line);
        return c;
    }

    public WireClient send(String text) throws IOException {
        return send(text.getBytes(StandardCharsets.UTF_8));
    }

    public WireClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    /** Expects exactly this line next. */
    public WireClient expect(String line) throws IOException {
        assertEquals(line, readLine(DEFAULT_WAIT));
        return this;
    }

    /** Expects the next line to match {@code regex}; returns it. */
    public String expectMatch(String regex) throws IOException {
        String line = readLine(DEFAULT_WAIT);
        assertTrue(Pattern.compile(regex).matcher(line).matches(), "'" + line + "' does not match " + regex);
        return line;
    }

    /** Expects the server to close the connection with nothing more to say. */
    public void expectClosed() throws IOException {
        socket.setSoTimeout((int) DEFAULT_WAIT.toMillis());
        try {
            int b = in.read();
            if (b >= 0) {
                fail("expected the connection to close, got '" + (char) b + restOfLine() + "'");
            }
        } catch (SocketTimeoutException e) {
            fail("the connection stayed open");
        } catch (IOException e) {
            // reset by the server: closed
        }
    }

    /** Expects nothing at all to arrive within {@code wait}. */
    public void expectSilence(Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        try {
            int b = in.read();
            fail(b < 0 ? "connection closed" : "unexpected data '" + (char) b + restOfLine() + "'");
        } catch (SocketTimeoutException expected) {
            // nothing came
        }
    }

    /** Reads exactly {@code n} bytes. */
    public byte[] readBytes(int n) throws IOException {
        socket.setSoTimeout((int) DEFAULT_WAIT.toMillis());
        byte[] b = in.readNBytes(n);
        assertEquals(n, b.length, "connection closed early");
        return b;
    }

    /** One line without its CRLF. */
    public String readLine(Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b;
            try {
                b = in.read();
            } catch (SocketTimeoutException e) {
                fail("no complete line within " + wait + ", got '" + line.toString(StandardCharsets.UTF_8) + "'");
                return null;
            }
            if (b < 0) {
                fail("connection closed, partial line '" + line.toString(StandardCharsets.UTF_8) + "'");
            }
            if (b == '\n') {
                String s = line.toString(StandardCharsets.UTF_8);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            line.write(b);
        }
    }

    private String restOfLine() {
        try {
            socket.setSoTimeout(200);
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                rest.write(b);
            }
            return rest.toString(StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * The lines before the PONG that answers a PING this client sent; the node's own keep-alive PINGs (it sends one
     * soon after a connection starts, as nats-server does) are answered and left out.
     */
    public List<String> linesUntilPong(Duration wait) throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line = readLine(wait); !line.equals("PONG"); line = readLine(wait)) {
            if (line.equals("PING")) {
                send("PONG\r\n");
            } else {
                lines.add(line);
            }
        }
        return lines;
    }

    public Socket socket() {
        return socket;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
