package io.meshery.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The protocol codec is plain Java: no Pekko, and nothing from routing (routing uses the codec, not the other
 * way round). The module map itself (which module may depend on which) is enforced by the build's
 * bannedDependencies rules; docs/architecture.md draws it.
 */
class LayeringTest {

    private static final Path PROTOCOL = Path.of("src/main/java/io/meshery/broker/protocol");

    @Test
    void protocolImportsNeitherPekkoNorRouting() throws IOException {
        List<Path> sources;
        try (Stream<Path> files = Files.list(PROTOCOL)) {
            sources = files.filter(f -> f.toString().endsWith(".java")).collect(Collectors.toList());
        }
        assertFalse(sources.isEmpty(), "no sources under " + PROTOCOL.toAbsolutePath());
        List<String> offending = sources.stream()
            .flatMap(f -> lines(f).stream().filter(l -> l.startsWith("import org.apache.pekko")
                || l.startsWith("import scala.") || l.startsWith("import io.meshery.broker.routing"))
                .map(l -> f.getFileName() + ": " + l))
            .collect(Collectors.toList());
        assertEquals(List.of(), offending);
    }

    private static List<String> lines(Path f) {
        try {
            return Files.readAllLines(f);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
