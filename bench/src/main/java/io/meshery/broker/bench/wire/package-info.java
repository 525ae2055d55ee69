/**
 * A minimal NATS client for load generation: a blocking {@link java.nio.channels.SocketChannel} per connection,
 * pre-encoded publish batches ({@link io.meshery.broker.bench.wire.PubBatch}) and an incremental scanner that counts
 * {@code MSG} frames without copying payloads ({@link io.meshery.broker.bench.wire.FrameScanner}).
 *
 * <p>Each connection is owned by one thread: the thread that writes it is the thread that reads it.
 */
package io.meshery.broker.bench.wire;
