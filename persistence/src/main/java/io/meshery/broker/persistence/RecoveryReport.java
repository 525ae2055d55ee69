package io.meshery.broker.persistence;

import java.util.List;

/**
 * What {@link FileStreamStore#open} found and repaired.
 *
 * @param segments       segment files loaded
 * @param scanned        segments read record by record (the active one, and any without a valid index)
 * @param indexesRebuilt index files written again because they were missing or inconsistent
 * @param truncations    each torn or corrupt tail cut off, in file order
 * @param lostSeqs       sequences that were stored but are gone with a truncated tail of a sealed segment
 */
public record RecoveryReport(int segments, int scanned, int indexesRebuilt, List<Truncation> truncations,
                             long lostSeqs) {

    public RecoveryReport {
        truncations = List.copyOf(truncations);
    }

    /** Bytes dropped by all truncations. */
    public long bytesTruncated() {
        return truncations.stream().mapToLong(Truncation::bytesDropped).sum();
    }

    /**
     * One truncation.
     *
     * @param file         the segment file name
     * @param offset       where the first bad record started: the new file size
     * @param bytesDropped bytes cut off from there to the old end of file
     * @param reason       why the record at {@code offset} was rejected
     */
    public record Truncation(String file, long offset, long bytesDropped, String reason) {
    }
}
