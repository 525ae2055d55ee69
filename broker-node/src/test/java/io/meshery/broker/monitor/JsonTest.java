package io.meshery.broker.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bytes Go's {@code json.MarshalIndent(v, "", "  ")} writes for the same values. */
class JsonTest {

    @Test
    void indentedAsGoIndents() {
        ObjectNode n = Json.object();
        n.put("subject", "meshery.>");
        n.put("name", "a<b&c");
        n.put("rtt", "880µs");
        n.putArray("routes");
        n.putObject("cluster");
        n.putArray("list").add("x").add("y");
        n.putObject("api").put("total", 0);
        Json.putFloat(n, "whole", 2.0);
        Json.putFloat(n, "fraction", 0.7142857142857143);
        Json.putFloat(n, "small", 0.0001);
        String expected = """
            {
              "subject": "meshery.\\u003e",
              "name": "a\\u003cb\\u0026c",
              "rtt": "880µs",
              "routes": [],
              "cluster": {},
              "list": [
                "x",
                "y"
              ],
              "api": {
                "total": 0
              },
              "whole": 2,
              "fraction": 0.7142857142857143,
              "small": 0.0001
            }""";
        assertEquals(expected, new String(Json.pretty(n), StandardCharsets.UTF_8));
    }

    @Test
    void compactForHealthz() {
        ObjectNode n = Json.object();
        n.put("status", "ok");
        assertEquals("{\"status\":\"ok\"}", new String(Json.compact(n), StandardCharsets.UTF_8));
    }
}
