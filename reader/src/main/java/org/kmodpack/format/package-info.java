/**
 * The bundle format v1 (spec/FORMAT.md), once: every structure's layout as named constants, its encoder and
 * decoder, and the checks that make a decoded structure safe to read. Pure functions over bytes; no I/O, no
 * kmod semantics (what the MODULES section's tables mean to kmod is the kmod module's).
 */
package org.kmodpack.format;
