package io.meshery.broker.bench.scenario;

import java.io.File;

/** Whether a command can be run by name. */
public final class Executables {

    private Executables() {
    }

    /** True when an executable file named {@code command} is in a directory of the {@code PATH}. */
    public static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (new File(dir, command).canExecute()) {
                return true;
            }
        }
        return false;
    }
}
