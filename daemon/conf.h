/* SPDX-License-Identifier: MIT */
/* conf.h -- one configuration file format for every daemon.
 *
 * The format tickfeed has always read: one long option a line, its name
 * without the dashes, then its value; # starts a comment; a value may be
 * quoted ("" is the empty value); an option without a value stands alone.
 *
 *     # /etc/gputick/tickstore@H100.conf
 *     db /var/lib/gputick/stores/H100
 *     product H100
 *     flush-ms 200
 *
 * conf_expand() replaces each `--config FILE` on a command line by the
 * options FILE holds, in place, so getopt_long() then parses them exactly as
 * if typed there: the same checks and messages, and a later option (on the
 * command line after --config, or in a later file) wins. Every option a
 * program has is therefore settable in its file. */
#ifndef GT_CONF_H
#define GT_CONF_H
#include <getopt.h>
#include "gputick/err.h"

/* Expands every "--config FILE" / "--config=FILE" in (*argc, *argv) with
 * opts, the program's getopt_long table (which names "config"; "help",
 * "version" and "config" itself are refused inside a file). On success
 * *argv points at a new vector, valid until exit, and 0 is returned; on an
 * unreadable file, an unknown option or a missing value it prints one line
 * ("PROG: FILE:LINE: ...") and returns -1 (exit 2). With --print-config
 * anywhere on the line it prints the expanded options in the file's format,
 * in the order they apply, to stdout and returns 1 (exit 0): what the
 * configuration sets; every other option keeps its default (--help). */
int conf_expand(const char *prog, int *argc, char ***argv, const struct option *opts);

/* conf_expand() that puts its error (without "PROG: ") in err instead of
 * printing it: a SIGHUP reload logs it and keeps the running configuration.
 * Not thread-safe (one thread reads the configuration). */
int conf_expand_err(const char *prog, int *argc, char ***argv, const struct option *opts,
                    char err[GT_ERRLEN]);

#endif
