package io.meshery.broker.persistence;

/**
 * Told of each message a store removes by {@link StreamStore#delete}, by a limit or by expiry (not by
 * {@link StreamStore#purge}, which returns a count). Called on the writer's thread after the change is
 * applied and outside the store's locks; it must not block.
 */
@FunctionalInterface
public interface RemovalListener {
    void removed(long seq, String subject);
}
