package io.meshery.broker.persistence;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * Opens the file channels of a {@link FileStreamStore} (segments, index files). The seam where tests put a
 * channel that fails like a full disk.
 */
@FunctionalInterface
public interface ChannelOpener {

    ChannelOpener DEFAULT = (path, options) -> FileChannel.open(path, options);

    FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException;
}
