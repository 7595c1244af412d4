/**
 * The kmodpack command: one picocli class per subcommand, and every word a user reads, kmod's messages and
 * modinfo's layout included. The only package that prints.
 */
package org.kmodpack.cli;
