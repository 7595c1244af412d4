/**
 * kmod's semantics, once: module files (ELF, .modinfo, appended signatures, compression by magic), depmod's
 * index files (read and written by {@link org.kmodpack.modules.DepmodBin}) and depmod itself
 * ({@link org.kmodpack.modules.Depmod} over a {@link org.kmodpack.modules.ModuleTree}), module names
 * ({@link org.kmodpack.modules.ModuleNames}), modprobe.d and the kernel command line, and the lookups over a
 * bundle's module index ({@link org.kmodpack.modules.ModuleIndex}: modprobe's resolver, modinfo). Answers are
 * data and errno values; the words users read are the command's.
 */
package org.kmodpack.modules;
