/* SPDX-License-Identifier: MIT */
/* log.h -- the daemons' event lines: one line per event, with a level, on
 * stderr (journald takes it under systemd).
 *
 * Two formats. text (the default):
 *
 *     warning tickfeed: journal: No space left on device; holding messages ...
 *
 * the level, the program, the message; under systemd (JOURNAL_STREAM names
 * stderr) each line also starts with its syslog priority, <4> for a warning,
 * which journald strips and files as the line's priority. json, for log
 * shippers: one object a line,
 *
 *     {"ts":"2026-12-08T00:15:02.125Z","level":"warning","prog":"tickfeed",
 *      "cause":"journal","msg":"...","suppressed":12}
 *
 * ("cause" and "suppressed" only where they apply). A line below the level
 * set (log_set) is not written.
 *
 * Rate limit: a line given a cause (a short constant name: "journal",
 * "curve-denied") is written at most once a second per cause; the lines
 * that come sooner are counted, not written, and the next line written for
 * that cause says how many were suppressed ("suppressed" in JSON, "(N more
 * like this suppressed)" in text). log_fini() writes one line per cause
 * still holding a count. A line without a cause (startup, the stats lines,
 * fatal errors) is never held back. At most LOG_CAUSES causes are tracked;
 * more share the last slot's limit.
 *
 * Thread-safe (one mutex around the writing): the CURVE allow-list's thread
 * logs its verdicts. Argument errors before log_set are not events: the
 * programs print them as plain one-line errors. */
#ifndef GT_LOG_H
#define GT_LOG_H
#include <stdint.h>
#include "gputick/err.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERROR };
enum log_format { LOG_TEXT, LOG_JSON };
enum { LOG_CAUSES = 32 };

/* Names the program in every line (a static string) and sets the defaults:
 * info, text. Call once, before any other log_ function. */
void log_init(const char *prog);

/* Sets the level and the format; later lines follow them (SIGHUP reload). */
void log_set(enum log_level level, enum log_format format);
enum log_level log_level_get(void);
enum log_format log_format_get(void);

/* Parses "debug", "info", "warning", "error" into *out. Returns 0 or -1. */
int log_level_parse(const char *s, enum log_level *out);
/* Parses "text" or "json" into *out. Returns 0 or -1. */
int log_format_parse(const char *s, enum log_format *out);
const char *log_level_name(enum log_level level);

/* Parses the value of option name, "log-level" or "log-format", into *level
 * or *format. Returns 0, 1 when name is neither (nothing done), or -1 with
 * a one-line reason in err. One place for the daemons' two options. */
int log_opt_parse(const char *name, const char *arg, enum log_level *level, enum log_format *format,
                  char err[GT_ERRLEN]);

/* Writes one line at level (if not below the level set). cause is NULL (no
 * limit) or a constant name: at most one line a second per cause. */
void log_msg(enum log_level level, const char *cause, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The lines suppressed so far, every cause (a test, the metrics). */
uint64_t log_suppressed_total(void);

/* Reports the causes still holding suppressed lines. The log stays usable. */
void log_fini(void);

/* For tests: the clock the rate limit reads, in ns (NULL: CLOCK_MONOTONIC). */
void log_clock_set(int64_t (*now_ns)(void));

#endif
