package io.meshery.broker.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One thread that waits on a {@link Selector} for the client sockets given to it and does their readiness work:
 * it reads what a readable socket holds and hands the bytes to the connection ({@link ClientSocket#onReadable}),
 * and it finishes writes the socket could not take at once ({@link ClientSocket#onWritable}). Interest changes
 * asked from other threads run here as tasks ({@link #execute}), so that only this thread changes a key.
 *
 * <p>Nothing else runs here: parsing and delivery happen in the connection's actor, and writes are made by
 * whichever thread flushes a connection (docs/architecture.md, "Client connections").
 */
final class SelectorLoop implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(SelectorLoop.class);

    /** The most one read takes from a socket; each read is parsed as one batch. */
    static final int READ_BYTES = 128 * 1024;

    private final Selector selector;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BYTES);
    private final Thread thread;
    private volatile boolean running = true;

    SelectorLoop(String name) throws IOException {
        this.selector = Selector.open();
        this.thread = new Thread(this, name);
        thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    Selector selector() {
        return selector;
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Runs {@code task} on this loop's thread: at once when called there, else at its next turn. */
    void execute(Runnable task) {
        if (inLoop()) {
            task.run();
            return;
        }
        tasks.add(task);
        selector.wakeup();
    }

    /** Stops the loop; the sockets still registered are closed by their connections. */
    void stop() {
        running = false;
        selector.wakeup();
    }

    @Override
    public void run() {
        try {
            while (running) {
                selector.select();
                runTasks();
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    ClientSocket socket = (ClientSocket) key.attachment();
                    if (!key.isValid()) {
                        continue;
                    }
                    try {
                        int ready = key.readyOps();
                        if ((ready & SelectionKey.OP_WRITE) != 0) {
                            socket.onWritable();
                        }
                        if ((ready & SelectionKey.OP_READ) != 0 && key.isValid()) {
                            socket.onReadable(readBuffer);
                        }
                    } catch (CancelledKeyException e) {
                        // the connection closed its socket meanwhile
                    }
                }
            }
        } catch (ClosedSelectorException e) {
            // stopped
        } catch (IOException | RuntimeException e) {
            log.error("Client socket loop {} failed: {}", thread.getName(), e.toString());
        } finally {
            runTasks();
            try {
                selector.close();
            } catch (IOException e) {
                // nothing more to release
            }
        }
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.warn("Client socket loop task failed: {}", e.toString());
            }
        }
    }
}
