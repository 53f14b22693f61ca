/* SPDX-License-Identifier: MIT */
/* out.h -- tickq's only output path: tables, CSV, JSON and JSON Lines.
 *
 * A command declares its columns once, then writes rows cell by cell. Rows
 * stream straight to the FILE: nothing is buffered beyond one row, so a query
 * over a huge range runs in constant memory. Tables use the widths the command
 * declares (a longer value widens its cell, never truncates); CSV quotes only
 * where it must; JSON writes one document, an array of one object per row with
 * the column names as keys (numbers as numbers, booleans as booleans, nulls as
 * null), and JSON Lines the same objects one per line. An enum cell is its
 * name; in JSON and JSON Lines its number follows as the key NAME_code. The
 * default format is a table on a terminal and CSV when stdout is a pipe or
 * file. */
#ifndef GT_QUERY_OUT_H
#define GT_QUERY_OUT_H
#include <stdint.h>
#include <stdio.h>

enum out_format { OUT_AUTO, OUT_TABLE, OUT_CSV, OUT_JSON, OUT_JSONL };
enum { OUT_MAX_COLS = 40 };

struct out_col {
    const char *name;
    int width; /* table width; negative = left-aligned (text) */
};

struct out {
    enum out_format fmt;
    FILE *f;
    const struct out_col *cols;
    int n_cols;
    int col;    /* next cell of the current row */
    long rows;  /* rows written */
    int closed; /* the JSON array is closed */
};

/* Parses "table", "csv", "json" or "jsonl"; returns the format or -1. */
int out_format_parse(const char *s);

/* Starts output; OUT_AUTO picks table on a terminal, else CSV. Writes the
 * header (table, CSV). cols must outlive the out. */
void out_begin(struct out *o, enum out_format fmt, FILE *f, const struct out_col *cols, int n_cols);
void out_str(struct out *o, const char *s);          /* text; NULL = null */
void out_i64(struct out *o, int64_t v);              /* INT64_MAX = null */
void out_px(struct out *o, int64_t px);              /* 1e-9 fixed point, exact */
void out_time(struct out *o, int64_t ns);            /* ISO-8601, UTC or --tz's zone (tz.h) */
void out_f64(struct out *o, double v, int decimals); /* NaN = null */
void out_null(struct out *o);
/* A yes/no: "yes" or "no" in a table and CSV, true or false in JSON. */
void out_bool(struct out *o, int v);
/* An enum: its name (NULL = null), and in JSON also "COL_code": code
 * (code < 0 = null). */
void out_enum(struct out *o, const char *name, int code);
/* Whether the format is JSON or JSON Lines. */
static inline int out_is_json(enum out_format f)
{
    return f == OUT_JSON || f == OUT_JSONL;
}
/* Ends the current row (cells not written are null). */
void out_row_end(struct out *o);
/* Flushes; returns 0, OUT_CLOSED if the reader of a pipe (or socket) went
 * away, as "tickq ticks X | head" does, or -1 if writing failed (a full
 * disk). */
enum { OUT_CLOSED = 1 };
int out_end(struct out *o);

/* Ends the output (out_end) and returns the command's exit status: rc, or 1
 * after printing "tickq CMD: writing the output failed: ..." on a failure. A
 * reader that went away is the end of the output, not a failure: nothing is
 * printed and rc is returned. Needs SIGPIPE ignored (tickq's main does). */
int out_finish(struct out *o, const char *cmd, int rc);

#endif
