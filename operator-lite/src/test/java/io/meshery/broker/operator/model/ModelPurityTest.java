package io.meshery.broker.operator.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.meshery.broker.operator.TestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The model never talks to the API server: no fabric8 client import in its sources. */
class ModelPurityTest {
    @Test
    void modelImportsNoClient() throws IOException {
        Path dir = TestSupport.repoRoot().resolve("operator-lite/src/main/java/io/meshery/broker/operator/model");
        try (Stream<Path> files = Files.list(dir)) {
            List<String> offenders = files.filter(f -> {
                try {
                    return Files.readAllLines(f).stream().anyMatch(l -> l.startsWith("import io.fabric8.kubernetes.client")
                            || l.startsWith("import io.meshery.broker.operator.controller"));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).map(p -> p.getFileName().toString()).toList();
            assertEquals(List.of(), offenders);
        }
    }
}
