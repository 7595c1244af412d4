package org.kmodpack.reader;

import org.kmodpack.format.Codec;

/**
 * What {@code kmodpack info} reports. {@code fileBytes} counts every file name's bytes (the size of the
 * unpacked tree); {@code dataLength} counts each distinct content once. {@code firmwareFiles} counts the files
 * and symlinks of the firmware tree, {@code firmwareBytes} its files' bytes (0 and 0 without firmware).
 */
public record BundleInfo(String formatVersion, String kernelVersion, Codec codec, int level, int blockSize,
        int blockCount, int directories, int files, int symlinks, long fileBytes, long dataLength,
        long storedDataLength, long indexLength, long bundleLength, int firmwareFiles, long firmwareBytes) {

    /** Bundle size divided by the size of the unpacked files. */
    public double ratio() {
        return fileBytes == 0 ? 0 : (double) bundleLength / fileBytes;
    }
}
