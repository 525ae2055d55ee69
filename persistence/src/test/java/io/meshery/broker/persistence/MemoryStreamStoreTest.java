package io.meshery.broker.persistence;

/** The contract, against the memory store. */
class MemoryStreamStoreTest extends StreamStoreContract {

    @Override
    protected StreamStore create(StreamLimits limits) {
        return new MemoryStreamStore("test", limits);
    }

    @Override
    protected StreamStore createWithListener(StreamLimits limits, RemovalListener listener) {
        return new MemoryStreamStore("test", limits, listener);
    }

    @Override
    protected StreamStore reopen(StreamStore store) {
        return store;
    }
}
