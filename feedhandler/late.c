/* SPDX-License-Identifier: MIT */
/* late.c -- late joiners: feed_snapshot hands a subscriber that joins
 * mid-session the current state of every instrument whose topic matches its
 * prefix (definition, status, book, trade, statistics), as of the bus
 * sequence it names. The implied and consolidated books go as level records
 * flagged as on the bus, when they hold a level (docs/wire.md). */
#include "feed_int.h"

/* ---- late joiners -------------------------------------------------------- */

struct snap_out {
    const char *prefix;
    size_t prefix_len;
    uint64_t as_of;
    feed_emit_fn emit;
    void *ctx;
    long n;
    int err;
    uint8_t buf[(2 * GT_BOOK_DEPTH + 2 + GT_STAT_MAX + 1) * GT_TICK_LEN];
};

static void snap_send(struct snap_out *so, struct inst *in, int kind, struct gt_tick *t, size_t n)
{
    const char *topic;
    int tl = inst_topic(in, kind, &topic);
    if (so->err || n == 0 || tl < 0 || (size_t)tl < so->prefix_len ||
        memcmp(topic, so->prefix, so->prefix_len) != 0)
        return;
    for (size_t i = 0; i < n; i++) {
        t[i].flags |= GT_F_SNAPSHOT;
        t[i].seq = so->as_of;
        gt_tick_encode(&t[i], so->buf + i * GT_TICK_LEN);
    }
    int rc = so->emit(so->ctx, topic, (size_t)tl, so->buf, n);
    if (rc < 0)
        so->err = rc;
    so->n += (long)n;
}

long feed_snapshot(struct feed *f, const char *prefix, size_t prefix_len, uint64_t as_of,
                   feed_emit_fn emit, void *ctx)
{
    struct snap_out *so = malloc(sizeof *so);
    if (!so)
        return GT_ENOMEM;
    *so = (struct snap_out){prefix, prefix_len, as_of, emit, ctx, 0, 0, {0}};
    struct gt_tick t[2 * GT_BOOK_DEPTH + 2 + GT_STAT_MAX + 1];
    for (size_t ii = 0; ii < f->n_inst && !so->err; ii++) {
        struct inst *in = &f->inst[ii];
        struct book *b = &f->bs.books[ii];
        if (in->has_def) {
            t[0] = in->def;
            t[1] = in->legs;
            snap_send(so, in, GT_KIND_DEF, t, in->has_legs ? 2 : 1);
        }
        if (in->has_status)
            t[0] = in->status;
        else
            tick_init(&t[0], in, GT_KIND_STATUS, in->last_ns, f->recv_ns),
                t[0].u.status.trading = 255;
        bool stale = is_book(f, ii) ? b->stale : in->state == I_STALE_IDX;
        t[0].u.status.feed = stale ? GT_FEED_STALE : GT_FEED_NONE;
        t[0].flags = stale ? GT_F_STALE : 0;
        snap_send(so, in, GT_KIND_STATUS, t, 1);
        if (is_book(f, ii)) {
            size_t n = book_records(f, ii, t, 0);
            snap_send(so, in, GT_KIND_LEVEL, t, n);
            const struct book *im = &f->imp.books[ii];
            if (im->n_bid || im->n_ask) { /* a joiner's implied book starts empty */
                n = implied_records(f, ii, t, 0);
                snap_send(so, in, GT_KIND_LEVEL, t, n);
            }
            if (f->imp.cons[ii].on) { /* as last published */
                const struct cons_book *c = &f->imp.cons[ii];
                n = side_records(f, ii, c->side[0], c->n[0], c->side[1], c->n[1], b->rpt_seq, t,
                                 GT_F_CONSOLIDATED);
                snap_send(so, in, GT_KIND_LEVEL, t, n);
            }
            if (!b->stale) {
                tick_init(&t[0], in, GT_KIND_TOB, in->last_ns, f->recv_ns);
                book_tob(b, &t[0].u.tob);
                snap_send(so, in, GT_KIND_TOB, t, 1);
            }
        }
        if (in->has_trade) {
            t[0] = in->trade;
            snap_send(so, in, GT_KIND_TRADE, t, 1);
        }
        size_t n = 0;
        for (int k = 1; k <= GT_STAT_MAX; k++)
            if (in->stat_mask & (1u << k))
                t[n++] = in->stat[k];
        snap_send(so, in, GT_KIND_STAT, t, n);
        if (in->has_fixing) {
            t[0] = in->fixing;
            snap_send(so, in, GT_KIND_FIXING, t, 1);
        }
    }
    long rc = so->err ? so->err : so->n;
    free(so);
    return rc;
}
