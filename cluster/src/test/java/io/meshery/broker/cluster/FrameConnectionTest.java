package io.meshery.broker.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Frames over a real loopback connection: order, sizes past the read buffer, both directions, and its end. */
class FrameConnectionTest {

    /** Collects what a connection's thread hands over. */
    private static final class Collector implements FrameConnection.Receiver {
        final List<byte[]> frames = new CopyOnWriteArrayList<>();
        final CompletableFuture<Exception> closed = new CompletableFuture<>();
        final CountDownLatch expected;

        Collector(int count) {
            expected = new CountDownLatch(count);
        }

        @Override
        public void frame(ByteBuffer frame) {
            byte[] b = new byte[frame.remaining()];
            frame.get(b);
            frames.add(b);
            expected.countDown();
        }

        @Override
        public void closed(Exception cause) {
            closed.complete(cause);
        }
    }

    @Test
    void framesArriveWholeAndInOrderBothWaysAndTheEndIsReported() throws Exception {
        int count = 2_000;
        Random random = new Random(42);
        byte[][] sent = new byte[count][];
        for (int i = 0; i < count; i++) {
            // mostly small, some past the 256 KiB read buffer, some empty
            int size = i % 200 == 7 ? 300_000 + random.nextInt(700_000) : i % 50 == 3 ? 0 : random.nextInt(2_000);
            sent[i] = new byte[size];
            random.nextBytes(sent[i]);
        }
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            SocketChannel a = SocketChannel.open(server.getLocalAddress());
            SocketChannel b = server.accept();
            Collector atA = new Collector(count);
            Collector atB = new Collector(count);
            FrameConnection ca = FrameConnection.start(a, 2 << 20, "test-a", atA);
            FrameConnection cb = FrameConnection.start(b, 2 << 20, "test-b", atB);
            Thread other = new Thread(() -> sendAll(cb, sent));
            other.start();
            sendAll(ca, sent);
            other.join(30_000);
            assertTrue(atA.expected.await(30, TimeUnit.SECONDS), "A got " + atA.frames.size());
            assertTrue(atB.expected.await(30, TimeUnit.SECONDS), "B got " + atB.frames.size());
            for (int i = 0; i < count; i++) {
                byte[] head = {(byte) (i >> 8), (byte) i};
                assertArrayEquals(concat(head, sent[i]), atB.frames.get(i), "frame " + i + " at B");
                assertArrayEquals(concat(head, sent[i]), atA.frames.get(i), "frame " + i + " at A");
            }
            ca.close();
            assertNull(atA.closed.get(10, TimeUnit.SECONDS), "closed here: no cause");
            Exception atOtherEnd = atB.closed.get(10, TimeUnit.SECONDS);
            assertNotNull(atOtherEnd, "the other end sees the connection end");
            assertFalse(cb.isOpen());
            assertFalse(cb.send(ByteBuffer.allocate(0), ByteBuffer.allocate(1)), "nothing is sent once closed");
            assertEquals(count, atB.frames.size(), "nothing more arrived");
        }
    }

    @Test
    void aFrameOverTheLimitEndsTheConnection() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            SocketChannel a = SocketChannel.open(server.getLocalAddress());
            SocketChannel b = server.accept();
            Collector atB = new Collector(1);
            FrameConnection.start(b, 1024, "test-b", atB);
            a.write(ByteBuffer.allocate(4).putInt(4096).flip());
            Exception cause = atB.closed.get(10, TimeUnit.SECONDS);
            assertTrue(cause instanceof IOException && cause.getMessage().contains("4096"), String.valueOf(cause));
            assertEquals(0, atB.frames.size());
            a.close();
        }
    }

    private static void sendAll(FrameConnection c, byte[][] frames) {
        for (int i = 0; i < frames.length; i++) {
            ByteBuffer head = ByteBuffer.wrap(new byte[] {(byte) (i >> 8), (byte) i});
            if (!c.send(head, ByteBuffer.wrap(frames[i]))) {
                throw new AssertionError("send " + i + " failed");
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
