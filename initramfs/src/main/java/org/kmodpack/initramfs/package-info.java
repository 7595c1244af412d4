/**
 * The initramfs export: the modules some names need, read from a bundle, with depmod's index files written for
 * them, as a newc cpio archive.
 */
package org.kmodpack.initramfs;
