/**
 * Builds bundles: scans a tree, plans the contents (identical files once), compresses them in blocks on
 * worker threads, writes the index and the module index (gathered by the kmod module), and signs.
 */
package org.kmodpack.packer;
