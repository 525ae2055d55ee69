package io.meshery.broker.testkit;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Whether this machine lets a test make namespaces of its own with {@code unshare} (fault tests need them). */
public final class Unshare {

    private Unshare() {
    }

    /** Whether {@code unshare <options> sh -c <probe>} succeeds, e.g. {@code --user --map-root-user --mount}. */
    public static boolean allowed(String probe, String... options) {
        List<String> command = new ArrayList<>(List.of("unshare"));
        command.addAll(List.of(options));
        command.addAll(List.of("sh", "-c", probe));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
