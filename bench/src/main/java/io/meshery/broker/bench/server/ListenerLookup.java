package io.meshery.broker.bench.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Finds which process of a process tree owns the socket listening on a TCP port, so that the process measured is
 * the server itself even when it was started through {@code sh -c} and a launcher script.
 *
 * <p>Reads the listening sockets' inodes from {@code /proc/net/tcp} and {@code /proc/net/tcp6} (a JVM bound to
 * 127.0.0.1 may appear in either), then looks for {@code socket:[inode]} among each candidate's open descriptors.
 */
final class ListenerLookup {

    private static final String LISTEN = "0A";

    private ListenerLookup() {
    }

    /** The first of {@code candidates} holding a socket that listens on {@code port}. */
    static Optional<ProcessHandle> ownerOf(int port, List<ProcessHandle> candidates) {
        Set<String> inodes = new HashSet<>();
        inodes.addAll(listeningInodes(Path.of("/proc/net/tcp"), port));
        inodes.addAll(listeningInodes(Path.of("/proc/net/tcp6"), port));
        if (inodes.isEmpty()) {
            return Optional.empty();
        }
        for (ProcessHandle candidate : candidates) {
            if (holdsAny(candidate.pid(), inodes)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Inodes of sockets in state LISTEN on {@code port} in one {@code /proc/net/tcp*} table. */
    static Set<String> listeningInodes(Path table, int port) {
        Set<String> inodes = new HashSet<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(table, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            return inodes;
        }
        String hexPort = String.format(":%04X", port);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.trim().split("\\s+");
            // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
            if (f.length > 9 && f[1].endsWith(hexPort) && LISTEN.equals(f[3])) {
                inodes.add(f[9]);
            }
        }
        return inodes;
    }

    private static boolean holdsAny(long pid, Set<String> inodes) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue;
                }
                if (target.startsWith("socket:[")
                        && inodes.contains(target.substring(8, target.length() - 1))) {
                    return true;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }
}
