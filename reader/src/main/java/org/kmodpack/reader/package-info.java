/**
 * The bundle library: opens a bundle from a {@link org.kmodpack.reader.ByteSource} (a file, a mapping), serves
 * the tree and random-access reads through a bounded block cache, checks every block against its hash and the
 * signatures against a {@link org.kmodpack.reader.TrustPolicy}, and extracts trees.
 */
package org.kmodpack.reader;
