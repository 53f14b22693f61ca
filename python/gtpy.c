/* SPDX-License-Identifier: MIT */
/* gtpy.c -- the C side of the Python package gputick: libgtpy.so, loaded
 * with ctypes (no compiler at import).
 *
 * Three entries, each over the code the programs use, so Python cannot
 * drift from them:
 *   - gtpy_ticks(): the ticks of one instrument as 64-byte struct gt_tick
 *     records, in bus order, into one array the caller frees: tickq ticks'
 *     own steps (query/ticks_query.h: its options and messages, the symbol
 *     lookup with suggestions, the merge of the series by seq) without the
 *     text. numpy views the array as columns; no per-row work in Python.
 *   - gtpy_cmd(): one tickq command run in-process (cmd.h), its output and
 *     its messages into memory (qio.h's QOUT/QERR): bars, book, fixings,
 *     curve, settle, asof, symbols give tickq's answers because they are
 *     tickq's code, and an error is tickq's one line.
 *   - gtpy_sub_*(): the sequenced bus client (gputick/sub.h), its records
 *     decoded into one growing array per poll.
 * The QOUT/QERR pointers are process-wide (qio.h): the Python side runs one
 * command at a time under a lock. Nothing here prints. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gtpy.h"
#include "gputick/sub.h"
#include "gputick/tick.h"
#include "cmd.h"
#include "qio.h"
#include "ticks_query.h"

/* The ABI version the Python side checks at load. */
int gtpy_abi(void)
{
    return 1;
}

void gtpy_free(void *p)
{
    free(p);
}

/* The name tick.h gives a code, so that the package prints what tickq does
 * without a copy of the tables: table 0 a trade's aggressor
 * (gt_aggressor_name), 1 a status cause (gt_cause_name), 2 a stat type
 * (gt_stat_name). NULL for a code without a name, or another table. */
const char *gtpy_name(int table, int code)
{
    return table == 0   ? gt_aggressor_name(code)
           : table == 1 ? gt_cause_name(code)
           : table == 2 ? gt_stat_name(code)
                        : NULL;
}

static const struct cmd cmds[] = {
    {"symbols", cmd_symbols, ""}, {"ticks", cmd_ticks, ""},     {"bars", cmd_bars, ""},
    {"book", cmd_book, ""},       {"fixings", cmd_fixings, ""}, {"curve", cmd_curve, ""},
    {"settle", cmd_settle, ""},   {"asof", cmd_asof, ""},       {"stats", cmd_stats, ""},
    {"time", cmd_time, ""},
};

/* The streams a call writes to, and their buffers. */
struct capture {
    FILE *out, *err;
    char *out_buf, *err_buf;
    size_t out_len, err_len;
};

static int capture_begin(struct capture *c)
{
    memset(c, 0, sizeof *c);
    c->out = open_memstream(&c->out_buf, &c->out_len);
    c->err = open_memstream(&c->err_buf, &c->err_len);
    if (!c->out || !c->err) {
        if (c->out)
            fclose(c->out);
        if (c->err)
            fclose(c->err);
        free(c->out_buf);
        free(c->err_buf);
        return -1;
    }
    qio_out_stream = c->out;
    qio_err_stream = c->err;
    return 0;
}

static void capture_end(struct capture *c, char **out, size_t *out_len, char **err, size_t *err_len)
{
    qio_out_stream = NULL;
    qio_err_stream = NULL;
    fclose(c->out);
    fclose(c->err);
    *out = c->out_buf;
    *out_len = c->out_len;
    *err = c->err_buf;
    *err_len = c->err_len;
}

/* Runs the tickq command argv[0] with its arguments; its output and its
 * messages come back in *out and *err (NUL-terminated, freed with
 * gtpy_free). Returns the command's exit status (0, 1 a runtime failure, 2
 * wrong input), or -1 if memory ran out (*out and *err then NULL). */
int gtpy_cmd(int argc, char **argv, char **out, size_t *out_len, char **err, size_t *err_len)
{
    *out = *err = NULL;
    *out_len = *err_len = 0;
    struct capture c;
    if (argc < 1 || capture_begin(&c))
        return -1;
    int rc = -2;
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
        if (strcmp(argv[0], cmds[i].name) == 0)
            rc = cmds[i].run(argc, argv);
    if (rc == -2) {
        fprintf(c.err, "tickq: unknown command '%s'\n", argv[0]);
        rc = EXIT_USAGE;
    }
    capture_end(&c, out, out_len, err, err_len);
    return rc;
}

/* The records of the run, in one array that doubles as it fills. */
struct recs {
    struct gt_tick *t;
    size_t n, cap;
};

static int recs_add(struct recs *r, const struct gt_tick *t, size_t n)
{
    if (r->n + n > r->cap) {
        size_t cap = r->cap ? r->cap : 4096;
        while (cap < r->n + n)
            cap *= 2;
        struct gt_tick *nt = realloc(r->t, cap * sizeof *nt);
        if (!nt)
            return -1;
        r->t = nt;
        r->cap = cap;
    }
    memcpy(r->t + r->n, t, n * sizeof *t);
    r->n += n;
    return 0;
}

/* tickq ticks' steps (query/ticks_query.h) with records instead of text. */
static void recs_begin(void *ctx, int kind, enum out_format fmt, int many)
{
    (void)ctx, (void)kind, (void)fmt, (void)many;
}

/* Records carry their instrument's id: the symbol is not needed. */
static int recs_run(void *ctx, const struct gt_tick *t, int n, const char *symbol)
{
    (void)symbol;
    struct recs *r = ctx;
    if (!recs_add(r, t, (size_t)n))
        return 0;
    fprintf(QERR, "tickq ticks: out of memory after %zu ticks\n", r->n);
    return -1;
}

static int recs_end(void *ctx, int rc)
{
    (void)ctx;
    return rc;
}

/* The ticks of one instrument as records (*out, *n; freed with gtpy_free)
 * and tickq's messages (*err). Returns tickq ticks' exit status, or -1 if
 * memory ran out. On failure *out is NULL and *err says why. */
int gtpy_ticks(int argc, char **argv, struct gt_tick **out, size_t *n, char **err, size_t *err_len)
{
    *out = NULL;
    *n = 0;
    *err = NULL;
    *err_len = 0;
    struct capture c;
    if (capture_begin(&c))
        return -1;
    struct recs r = {0};
    struct ticks_sink sink = {recs_begin, recs_run, recs_end, &r};
    int rc = ticks_query(argc, argv, &sink);
    char *o;
    size_t o_len;
    capture_end(&c, &o, &o_len, err, err_len);
    free(o);
    if (rc) {
        free(r.t);
        return rc;
    }
    *out = r.t;
    *n = r.n;
    return 0;
}

/* ---- the bus client ---- */

struct gtpy_sub {
    gt_sub *s;
    struct recs r;
    int bad; /* a record that did not decode */
};

struct gtpy_sub *gtpy_sub_open(const char *pub, const char *router, const char *prefixes,
                               int snapshot, uint64_t from_seq, const char *client_key,
                               const char *server_pub, int timeout_ms, char err[GT_ERRLEN])
{
    struct gtpy_sub *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, GT_ERRLEN, "out of memory");
        return NULL;
    }
    struct gt_sub_opts o = {.pub_ep = pub,
                            .router_ep = router,
                            .prefixes = prefixes,
                            .snapshot = snapshot,
                            .from_seq = from_seq,
                            .timeout_ms = timeout_ms,
                            .curve_client_key = client_key,
                            .curve_server_pub = server_pub};
    if (gt_sub_open(&p->s, &o, err) != GT_OK) {
        free(p);
        return NULL;
    }
    return p;
}

static int sub_cb(void *ctx, const char *topic, size_t topic_len, const uint8_t *recs, size_t n)
{
    (void)topic;
    (void)topic_len;
    struct gtpy_sub *p = ctx;
    size_t n0 = p->r.n; /* a message not taken whole is not taken: sub.h replays it */
    for (size_t i = 0; i < n; i++) {
        struct gt_tick t;
        if (gt_tick_decode(recs + i * GT_TICK_LEN, GT_TICK_LEN, &t) != GT_OK) {
            p->bad++;
            continue;
        }
        if (recs_add(&p->r, &t, 1)) {
            p->r.n = n0;
            return GT_ENOMEM;
        }
    }
    return 0;
}

/* Waits at most timeout_ms for records (gt_sub_poll). Returns how many were
 * delivered, at *ticks (valid until the next poll), or a gt_err code with
 * err filled. */
long gtpy_sub_poll(struct gtpy_sub *p, int timeout_ms, const struct gt_tick **ticks,
                   char err[GT_ERRLEN])
{
    p->r.n = 0;
    long rc = gt_sub_poll(p->s, timeout_ms, sub_cb, p, err);
    *ticks = p->r.t;
    if (rc < 0)
        return rc;
    return (long)p->r.n;
}

/* The client's counters (struct gt_sub_stats: twelve uint64). */
const struct gt_sub_stats *gtpy_sub_stats(const struct gtpy_sub *p)
{
    return gt_sub_stats(p->s);
}

void gtpy_sub_close(struct gtpy_sub *p)
{
    if (!p)
        return;
    gt_sub_close(p->s);
    free(p->r.t);
    free(p);
}
