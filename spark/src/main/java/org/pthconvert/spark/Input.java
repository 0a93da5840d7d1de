package org.pthconvert.spark;

import java.io.Serializable;

/**
 * One checkpoint to convert, as the driver found it.
 *
 * @param uri      the file, fully qualified ({@code hdfs://nn/zoo/a/b.pth})
 * @param relative its path below the folder it was found under ({@code a/b.pth}); the output mirrors it
 * @param size     its length in bytes (largest first)
 * @param modified its modification time, ms since the epoch (outputs newer than this are kept)
 */
public record Input(String uri, String relative, long size, long modified) implements Serializable {
}
