/* SPDX-License-Identifier: MIT */
/* out.c -- table, CSV, JSON and JSON Lines writers behind one cell API (out.h).
 *
 * Every cell arrives as text plus a flag saying whether it is a number or
 * null; the format decides quoting, alignment and separators. */
#include "qio.h"
#include "out.h"
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>
#include "gputick/tickfmt.h"
#include "gputick/time.h"
#include "tz.h"

int out_format_parse(const char *s)
{
    if (strcmp(s, "table") == 0)
        return OUT_TABLE;
    if (strcmp(s, "csv") == 0)
        return OUT_CSV;
    if (strcmp(s, "json") == 0)
        return OUT_JSON;
    if (strcmp(s, "jsonl") == 0)
        return OUT_JSONL;
    return -1;
}

void out_begin(struct out *o, enum out_format fmt, FILE *f, const struct out_col *cols, int n_cols)
{
    if (fmt == OUT_AUTO)
        fmt = isatty(fileno(f)) ? OUT_TABLE : OUT_CSV;
    *o = (struct out){.fmt = fmt, .f = f, .cols = cols, .n_cols = n_cols};
    if (fmt == OUT_JSON)
        fputc('[', f);
    if (out_is_json(fmt))
        return;
    for (int i = 0; i < n_cols; i++) {
        int w = cols[i].width < 0 ? -cols[i].width : cols[i].width;
        if (cols[i].width < 0 && i == n_cols - 1)
            w = 0;
        if (fmt == OUT_TABLE)
            fprintf(f, "%s%*s", i ? "  " : "", cols[i].width < 0 ? -w : w, cols[i].name);
        else
            fprintf(f, "%s%s", i ? "," : "", cols[i].name);
    }
    fputc('\n', f);
}

/* Writes a JSON string. */
static void json_str(FILE *f, const char *text)
{
    fputc('"', f);
    for (const char *p = text; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if ((unsigned char)*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* Writes one cell; kind 's' text, 'n' number, 'b' a JSON literal (true,
 * false), '0' null. */
static void cell(struct out *o, const char *text, char kind)
{
    if (o->col >= o->n_cols)
        return;
    const struct out_col *c = &o->cols[o->col];
    int first = o->col++ == 0;
    switch (o->fmt) {
    case OUT_JSON:
    case OUT_JSONL:
        if (first && o->fmt == OUT_JSON)
            fputs(o->rows ? ",\n" : "\n", o->f);
        fputs(first ? "{" : ",", o->f);
        json_str(o->f, c->name);
        fputc(':', o->f);
        if (kind == '0')
            fputs("null", o->f);
        else if (kind == 'n' || kind == 'b')
            fputs(text, o->f);
        else
            json_str(o->f, text);
        break;
    case OUT_CSV:
        if (!first)
            fputc(',', o->f);
        if (kind == '0')
            break;
        if (strpbrk(text, ",\"\n\r")) {
            fputc('"', o->f);
            for (const char *p = text; *p; p++) {
                if (*p == '"')
                    fputc('"', o->f);
                fputc(*p, o->f);
            }
            fputc('"', o->f);
        } else
            fputs(text, o->f);
        break;
    default: {
        /* A left-aligned last column is not padded: no trailing blanks. */
        int w = c->width < 0 ? -c->width : c->width;
        if (c->width < 0 && o->col == o->n_cols)
            w = 0;
        fprintf(o->f, "%s%*s", first ? "" : "  ", c->width < 0 ? -w : w, kind == '0' ? "-" : text);
        break;
    }
    }
}

void out_str(struct out *o, const char *s)
{
    cell(o, s ? s : "", s ? 's' : '0');
}

void out_null(struct out *o)
{
    cell(o, "", '0');
}

void out_bool(struct out *o, int v)
{
    if (out_is_json(o->fmt))
        cell(o, v ? "true" : "false", 'b');
    else
        cell(o, v ? "yes" : "no", 's');
}

void out_enum(struct out *o, const char *name, int code)
{
    if (o->col >= o->n_cols)
        return;
    const char *col = o->cols[o->col].name;
    out_str(o, name);
    if (!out_is_json(o->fmt))
        return;
    fputc(',', o->f);
    char key[64];
    snprintf(key, sizeof key, "%s_code", col);
    json_str(o->f, key);
    if (code < 0)
        fputs(":null", o->f);
    else
        fprintf(o->f, ":%d", code);
}

void out_i64(struct out *o, int64_t v)
{
    char b[24];
    if (v == INT64_MAX) {
        out_null(o);
        return;
    }
    snprintf(b, sizeof b, "%lld", (long long)v);
    cell(o, b, 'n');
}

void out_px(struct out *o, int64_t px)
{
    char b[GT_PX_STRLEN];
    if (px == INT64_MAX) {
        out_null(o);
        return;
    }
    gt_px_format(px, b);
    cell(o, b, 'n');
}

void out_time(struct out *o, int64_t ns)
{
    char b[QTZ_STRLEN];
    qtz_format(ns, b);
    cell(o, b, 's');
}

void out_f64(struct out *o, double v, int decimals)
{
    char b[64];
    if (isnan(v) || isinf(v)) {
        out_null(o);
        return;
    }
    snprintf(b, sizeof b, "%.*f", decimals, v);
    cell(o, b, 'n');
}

void out_row_end(struct out *o)
{
    while (o->col < o->n_cols)
        out_null(o);
    fputs(o->fmt == OUT_JSON ? "}" : o->fmt == OUT_JSONL ? "}\n" : "\n", o->f);
    o->col = 0;
    o->rows++;
}

/* Whether the reader of f has gone: a pipe or socket closed at its end. */
static int reader_gone(FILE *f)
{
    struct pollfd p = {.fd = fileno(f), .events = POLLOUT};
    return poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP));
}

/* out_end(), with *err the errno of a failed flush (0 if it was earlier). */
static int out_flush(struct out *o, int *err)
{
    if (o->col)
        out_row_end(o);
    if (o->fmt == OUT_JSON && !o->closed) {
        fputs(o->rows ? "\n]\n" : "]\n", o->f);
        o->closed = 1;
    }
    errno = 0;
    *err = fflush(o->f) == 0 ? 0 : errno;
    if (!ferror(o->f))
        return 0;
    return *err == EPIPE || reader_gone(o->f) ? OUT_CLOSED : -1;
}

int out_end(struct out *o)
{
    int err;
    return out_flush(o, &err);
}

int out_finish(struct out *o, const char *cmd, int rc)
{
    int err;
    if (out_flush(o, &err) >= 0)
        return rc;
    fprintf(QERR, "tickq %s: writing the output failed: %s\n", cmd,
            err ? strerror(err) : "I/O error");
    return rc ? rc : 1;
}

FILE *qio_out_stream;
FILE *qio_err_stream;
enum qio_fail qio_fail;
