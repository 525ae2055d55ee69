package io.meshery.broker.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The store is plain Java: no Pekko, no logging framework, no other module of the project. */
class PersistencePurityTest {

    @Test
    void mainSourcesImportOnlyTheJdkAndThisPackage() throws IOException {
        Path dir = Path.of("src/main/java/io/meshery/broker/persistence");
        assertTrue(Files.isDirectory(dir), "run from the module directory: " + dir.toAbsolutePath());
        try (Stream<Path> files = Files.list(dir)) {
            List<String> offenders = files.flatMap(f -> {
                try {
                    return Files.readAllLines(f).stream().filter(l -> l.startsWith("import ")).filter(l -> {
                        String what = l.substring(l.startsWith("import static ") ? 14 : 7);
                        return !(what.startsWith("java.") || what.startsWith("javax.")
                                || what.startsWith("io.meshery.broker.persistence."));
                    }).map(l -> f.getFileName() + ": " + l);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
            assertEquals(List.of(), offenders);
        }
    }

    @Test
    void noSourceFileIsAGodFile() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src"))) {
            List<String> big = files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
                try {
                    return Files.readAllLines(f).size() > 600;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).map(Path::toString).toList();
            assertEquals(List.of(), big);
        }
    }
}
