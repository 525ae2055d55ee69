package io.meshery.broker.node;

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
 * The packages of the node form no cycle: {@code server} (connections, the shared {@code Server}) knows neither
 * {@code monitor} nor the node's assembly in {@code node}, and {@code monitor} reads {@code server} but does not
 * know {@code node}. Only {@code node} (and {@code Main}) sees them all. Scans the sources, as broker-core's
 * {@code LayeringTest} does, so a reference in code or in a fully qualified name counts, not only an import.
 */
class NodeLayeringTest {

    private static final Path SOURCES = Path.of("src/main/java/io/meshery/broker");

    @Test
    void serverReferencesNeitherMonitorNorNode() {
        assertEquals(List.of(), references("server", "io.meshery.broker.monitor", "io.meshery.broker.node"));
    }

    @Test
    void monitorDoesNotReferenceNode() {
        assertEquals(List.of(), references("monitor", "io.meshery.broker.node"));
    }

    /** Each line of a source in {@code pkg}, other than its package declaration, that names one of {@code banned}. */
    private static List<String> references(String pkg, String... banned) {
        Path dir = SOURCES.resolve(pkg);
        List<Path> sources;
        try (Stream<Path> files = Files.list(dir)) {
            sources = files.filter(f -> f.toString().endsWith(".java")).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        assertFalse(sources.isEmpty(), "no sources under " + dir.toAbsolutePath());
        return sources.stream()
            .flatMap(f -> lines(f).stream()
                .filter(l -> !l.startsWith("package "))
                .filter(l -> Stream.of(banned).anyMatch(b -> l.contains(b + ".") || l.contains(b + ";")))
                .map(l -> pkg + "/" + f.getFileName() + ": " + l.strip()))
            .collect(Collectors.toList());
    }

    private static List<String> lines(Path f) {
        try {
            return Files.readAllLines(f);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
