/* SPDX-License-Identifier: MIT */
/* implied.c -- implied books and the consolidated view (contract in
 * implied.h), and the records feed.c publishes of them.
 *
 * feed.c applies implied entries through book_apply() on f->imp.books[ii]
 * behind its one RptSeq gate and touches the instrument (imp_touch) whenever
 * an entry may change its consolidated book: every implied entry, and an
 * outright entry while the consolidated records are live. At the end of each
 * event (flush) implied_event_end() merges each touched live book and
 * publishes what changed against the consolidated book last published: an
 * Overlay per level that differs, a Delete per level past the new end (the
 * deepest first), so that a reader applying them with gt_mbp_apply() holds
 * exactly the merged book. A merge is at most depth + IMP_DEPTH steps a side,
 * and only instruments with implied liquidity pay it. */
#include "feed_int.h"

int imp_set_init(struct imp_set *s, size_t cap)
{
    memset(s, 0, sizeof *s);
    s->books = calloc(cap, sizeof *s->books);
    s->cons = calloc(cap, sizeof *s->cons);
    s->dirty = calloc(cap, sizeof *s->dirty);
    s->is_dirty = calloc(cap, 1);
    if (!s->books || !s->cons || !s->dirty || !s->is_dirty) {
        imp_set_fini(s);
        return GT_ENOMEM;
    }
    s->cap = cap;
    for (size_t i = 0; i < cap; i++) {
        s->books[i].depth = IMP_DEPTH;
        imp_clear(s, i);
    }
    return GT_OK;
}

void imp_set_fini(struct imp_set *s)
{
    free(s->books);
    free(s->cons);
    free(s->dirty);
    free(s->is_dirty);
    memset(s, 0, sizeof *s);
}

void imp_clear(struct imp_set *s, size_t ii)
{
    book_clear(&s->books[ii]);
    struct cons_book *c = &s->cons[ii];
    gt_mbp_clear(c->side[0], 0, GT_BOOK_DEPTH);
    gt_mbp_clear(c->side[1], 0, GT_BOOK_DEPTH);
    c->n[0] = c->n[1] = 0;
    c->on = false;
}

/* Is price a better than b on the side (higher bid, lower ask)? */
static inline bool px_better(int64_t a, int64_t b, int ask)
{
    return ask ? a < b : a > b;
}

int imp_merge(const struct gt_mbp_level *o, int n_o, const struct gt_mbp_level *im, int n_im,
              int ask, int depth, struct gt_mbp_level *out)
{
    int i = 0, j = 0, n = 0;
    while (n < depth) {
        while (i < n_o && o[i].px == BOOK_PX_NONE)
            i++;
        while (j < n_im && im[j].px == BOOK_PX_NONE)
            j++;
        bool ho = i < n_o, hi = j < n_im;
        if (!ho && !hi)
            break;
        int64_t iq = 0;
        if (ho && (!hi || px_better(o[i].px, im[j].px, ask))) {
            out[n] = (struct gt_mbp_level){o[i].px, o[i].qty, 0};
            i++;
        } else if (!ho || px_better(im[j].px, o[i].px, ask)) {
            out[n] = (struct gt_mbp_level){im[j].px, im[j].qty, 0};
            iq = im[j++].qty;
        } else {
            out[n] = (struct gt_mbp_level){o[i].px, o[i].qty + im[j].qty, 0};
            iq = im[j].qty;
            i++, j++;
        }
        out[n++].n_orders = iq > INT32_MAX ? INT32_MAX : (int32_t)iq;
    }
    return n;
}

size_t implied_records(const struct feed *f, size_t ii, struct gt_tick t[BOOK_RECS_MAX],
                       uint16_t flags)
{
    const struct book *im = &f->imp.books[ii];
    return side_records(f, ii, im->bid, im->n_bid, im->ask, im->n_ask, f->bs.books[ii].rpt_seq, t,
                        flags | GT_F_IMPLIED);
}

/* Merges instrument ii's books into m and n; returns whether its implied
 * book holds a level. */
static bool cons_merge(const struct feed *f, size_t ii, struct gt_mbp_level m[2][GT_BOOK_DEPTH],
                       int n[2])
{
    const struct book *b = &f->bs.books[ii], *im = &f->imp.books[ii];
    n[0] = imp_merge(b->bid, b->n_bid, im->bid, im->n_bid, 0, b->depth, m[0]);
    n[1] = imp_merge(b->ask, b->n_ask, im->ask, im->n_ask, 1, b->depth, m[1]);
    return im->n_bid || im->n_ask;
}

static void cons_save(struct cons_book *c, struct gt_mbp_level m[2][GT_BOOK_DEPTH], const int n[2],
                      bool on)
{
    memcpy(c->side, m, sizeof c->side);
    c->n[0] = (uint8_t)n[0], c->n[1] = (uint8_t)n[1];
    c->on = on;
}

size_t cons_records(struct feed *f, size_t ii, struct gt_tick t[BOOK_RECS_MAX], uint16_t flags)
{
    struct gt_mbp_level m[2][GT_BOOK_DEPTH];
    int n[2];
    bool on = cons_merge(f, ii, m, n);
    cons_save(&f->imp.cons[ii], m, n, on);
    if (!on)
        return 0;
    return side_records(f, ii, m[0], n[0], m[1], n[1], f->bs.books[ii].rpt_seq, t,
                        flags | GT_F_CONSOLIDATED);
}

void implied_stage_whole(struct feed *f, size_t ii, uint16_t flags)
{
    struct gt_tick t[BOOK_RECS_MAX];
    size_t n = implied_records(f, ii, t, flags);
    for (size_t i = 0; i < n; i++)
        stage(f, ii, &t[i]);
    n = cons_records(f, ii, t, flags);
    for (size_t i = 0; i < n; i++)
        stage(f, ii, &t[i]);
}

static void cons_stage(struct feed *f, size_t ii, int side, int level, int action,
                       const struct gt_mbp_level *v)
{
    const struct inst *in = &f->inst[ii];
    struct gt_tick t;
    tick_init(&t, in, GT_KIND_LEVEL, in->last_ns, f->recv_ns);
    t.flags = GT_F_CONSOLIDATED;
    t.u.level = (struct gt_level){.px = v ? v->px : INT64_MAX,
                                  .qty = v ? v->qty : 0,
                                  .n_orders = v ? v->n_orders : INT32_MAX,
                                  .level = (uint8_t)level,
                                  .side = (uint8_t)(side + 1),
                                  .action = (uint8_t)action,
                                  .rpt_seq = f->bs.books[ii].rpt_seq};
    stage(f, ii, &t);
}

/* Publishes what changed in instrument ii's consolidated book. */
static void cons_publish(struct feed *f, size_t ii)
{
    struct cons_book *c = &f->imp.cons[ii];
    if (f->bs.books[ii].stale)
        return; /* published whole when it recovers */
    const struct book *im = &f->imp.books[ii];
    if (!c->on && !im->n_bid && !im->n_ask)
        return;
    if (!c->on) {
        struct gt_tick t[BOOK_RECS_MAX];
        size_t n = cons_records(f, ii, t, 0);
        for (size_t i = 0; i < n; i++)
            stage(f, ii, &t[i]);
        return;
    }
    struct gt_mbp_level m[2][GT_BOOK_DEPTH];
    int n[2];
    bool on = cons_merge(f, ii, m, n);
    for (int s = 0; s < 2; s++) {
        for (int l = 0; l < n[s]; l++)
            if (l >= c->n[s] || m[s][l].px != c->side[s][l].px ||
                m[s][l].qty != c->side[s][l].qty || m[s][l].n_orders != c->side[s][l].n_orders)
                cons_stage(f, ii, s, l + 1, GT_ACT_OVERLAY, &m[s][l]);
        for (int l = c->n[s]; l-- > n[s];)
            cons_stage(f, ii, s, l + 1, GT_ACT_DELETE, NULL);
    }
    cons_save(c, m, n, on);
}

void implied_event_end(struct feed *f)
{
    struct imp_set *s = &f->imp;
    for (size_t k = 0; k < s->n_dirty; k++) {
        size_t ii = s->dirty[k];
        s->is_dirty[ii] = 0;
        cons_publish(f, ii);
    }
    s->n_dirty = 0;
}

void implied_snap_load(struct feed *f, size_t ii, const struct book_snap_entry *e, size_t n)
{
    struct book *im = &f->imp.books[ii];
    im->stale = true; /* book_load_snapshot() ignores a snapshot of a live book */
    if (book_load_snapshot(im, f->bs.books[ii].rpt_seq, e, n) < 0) {
        f->st.malformed++;
        book_clear(im);
    }
    im->stale = false;
}
