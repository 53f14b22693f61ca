/* SPDX-License-Identifier: MIT */
/* reload.h -- SIGHUP: read the configuration again, apply what can change
 * live.
 *
 * reload_init() keeps the program's original command line and catches
 * SIGHUP; the main loop asks reload_pending() each turn and, when it is
 * set, re-expands the same command line (its --config files read afresh)
 * with reload_read(). The program takes the values of its live options from
 * the new vector (reload_value) and reload_changed() names the others whose
 * values differ: those take effect at the next restart, and the program
 * says so. A file that does not read (a syntax error, an unknown option) or
 * a live value that does not parse leaves everything as it was, with one
 * line saying why. What is live is the program's to say (docs/operations.md
 * lists it per option). */
#ifndef GT_RELOAD_H
#define GT_RELOAD_H
#include <getopt.h>
#include <stddef.h>
#include "gputick/err.h"

/* Keeps (argc, argv), the command line as main() got it (before
 * conf_expand), and the expanded vector the program runs with; installs the
 * SIGHUP handler. */
void reload_init(int argc, char **argv, int run_argc, char **run_argv);

/* 1 once per SIGHUP received (async-signal-safe flag), else 0. */
int reload_pending(void);

/* Re-expands the original command line with opts. Returns 0 with *argc and
 * *argv the new vector (valid until exit), or -1 with err (the file's line
 * and what is wrong). */
int reload_read(const char *prog, const struct option *opts, int *argc, char ***argv,
                char err[GT_ERRLEN]);

/* The last value of long option name in the vector (--name VALUE or
 * --name=VALUE), "" for a flag without one, or NULL where it is absent. */
const char *reload_value(int argc, char **argv, const char *name);

/* Writes to out ("a, b") the long options of opts, other than those named
 * in live (NULL-terminated), whose values differ between the vector the
 * program runs with and (argc, argv), then makes (argc, argv) the running
 * one. Returns how many differ. */
int reload_changed(const struct option *opts, const char *const *live, int argc, char **argv,
                   char *out, size_t cap);

/* The whole reload of a program whose live options are log-level and
 * log-format alone (tickstore, tickproxy): reads the files again, applies
 * those two (log_set) or logs why not, and names the other options that
 * changed. Call when reload_pending() says so. */
void reload_log_only(const char *prog, const struct option *opts);

#endif
