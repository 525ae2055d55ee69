package io.meshery.broker.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ConnectionLimitTest {

    private static final long MIB = 1L << 20;

    @Test
    void theHeapBoundsTheConfiguredLimit() {
        assertEquals(5461, Server.connectionLimit(65536, 128 * MIB), "the launcher's default heap");
        assertEquals(21845, Server.connectionLimit(65536, 512 * MIB), "a 1 GiB pod");
        assertEquals(65536, Server.connectionLimit(65536, 4096 * MIB), "a heap that holds them all");
        assertEquals(100, Server.connectionLimit(100, 128 * MIB), "a lower configured limit stays");
        assertEquals(Server.MIN_HEAP_CONNECTIONS, Server.connectionLimit(65536, 8 * MIB), "at least this many");
        assertEquals(65536, Server.connectionLimit(65536, Long.MAX_VALUE), "no heap limit");
    }
}
