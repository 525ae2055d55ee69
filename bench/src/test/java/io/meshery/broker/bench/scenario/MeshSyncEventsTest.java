package io.meshery.broker.bench.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MeshSyncEventsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eventsAreValidMeshkitMessagesOfTheRequestedSize() throws Exception {
        List<byte[]> events = MeshSyncEvents.generate(200, 7, 2048, 8192);
        for (byte[] event : events) {
            assertTrue(event.length >= 2048 && event.length <= 8192, "size " + event.length);
            JsonNode message = JSON.readTree(event);
            assertEquals(List.of("ObjectType", "EventType", "Request", "Object"), fieldNames(message));
            assertEquals("meshsync-data", message.get("ObjectType").asText());
            assertTrue(Set.of("ADDED", "MODIFIED", "DELETED").contains(message.get("EventType").asText()));
            assertTrue(message.get("Request").isNull());
            JsonNode object = message.get("Object");
            for (String field : List.of("id", "apiVersion", "kind", "metadata", "spec", "status", "cluster_id")) {
                assertTrue(object.has(field), field);
            }
            assertTrue(object.get("metadata").get("annotations")
                    .has("kubectl.kubernetes.io/last-applied-configuration"));
        }
    }

    @Test
    void generationIsDeterministic() {
        List<byte[]> a = MeshSyncEvents.generate(5, 1, 2048, 8192);
        List<byte[]> b = MeshSyncEvents.generate(5, 1, 2048, 8192);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(new String(a.get(i)), new String(b.get(i)));
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
