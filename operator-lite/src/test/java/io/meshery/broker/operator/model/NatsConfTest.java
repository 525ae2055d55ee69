package io.meshery.broker.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class NatsConfTest {
    @Test
    void stringsAreQuotedAndEscaped() {
        assertEquals("\"a\\\"b\\\\c\\nd\"", NatsConf.quote("a\"b\\c\nd"));
        assertEquals("\"$2a$11$x\"", NatsConf.quote("$2a$11$x"), "a $ inside quotes is not a variable");
    }

    @Test
    void blocksAndArraysAreIndented() {
        String conf = new NatsConf().raw("port", 4222).open("cluster").stringArray("routes", List.of("nats://a:6222"))
                .close().toString();
        assertEquals("port: 4222\ncluster {\n  routes: [\n    \"nats://a:6222\"\n  ]\n}\n", conf);
    }
}
