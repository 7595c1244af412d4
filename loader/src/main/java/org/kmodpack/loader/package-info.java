/**
 * Loading and removing a bundle's modules in a kernel as kmod's modprobe, modprobe -r and insmod do. The
 * kernel is a {@link org.kmodpack.loader.Kernel} (the running one makes the system calls through jnr-ffi and
 * reads /sys/module); what happens goes to {@link org.kmodpack.loader.LoadEvents} for the caller to word.
 */
package org.kmodpack.loader;
