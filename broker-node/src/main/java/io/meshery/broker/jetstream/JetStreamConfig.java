package io.meshery.broker.jetstream;

import io.meshery.broker.persistence.SyncPolicy;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code jetstream} block: where streams are stored, the storage limits, and when the store forces to disk.
 *
 * @param sync {@code always} (the default here: a PubAck means the message is on disk) or an interval
 *             (nats-server's default is two minutes)
 */
public record JetStreamConfig(Path storeDir, long maxMemory, long maxStore, Duration syncInterval) {

    SyncPolicy sync() {
        return syncInterval == null ? SyncPolicy.ALWAYS : SyncPolicy.interval(syncInterval);
    }

    String syncDescription() {
        return syncInterval == null ? "always (before each PubAck)" : "every " + syncInterval;
    }
}
