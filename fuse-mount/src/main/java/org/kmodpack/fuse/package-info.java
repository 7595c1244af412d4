/**
 * The read-only FUSE file system (libfuse 2 through jnr-fuse) that serves a bundle as /lib/modules/KVER.
 */
package org.kmodpack.fuse;
