/* SPDX-License-Identifier: MIT */
/* recovery.c -- the feed's recovery (the rules are in feed.h): snapshots
 * (SnapshotFullRefresh52) kept per instrument, loaded into a stale book with
 * its queued entries replayed after them and the book republished flagged
 * recovery; the statistics and trading status a snapshot brings that were
 * lost; and the arbiters' gap, reset and resync calls that mark instruments
 * stale on the incremental and index channels. */
#include "feed_int.h"

/* ---- recovery ------------------------------------------------------------- */

/* The trading status of a snapshot, if it is news: a status lost in a packet
 * gap (SecurityStatus has no RptSeq, so nothing else would tell it again) or
 * one a book missed while stale. Only a snapshot that has processed the
 * packet of the status we hold may replace it. Published flagged recovery. */
static void snap_status(struct feed *f, size_t ii, const struct snapkeep *k)
{
    struct inst *in = &f->inst[ii];
    if (in->status_need && k->last_msg >= in->status_need)
        in->status_need = 0;
    if (k->trading == MDP3_U8_NULL || k->last_msg < in->status_seq ||
        (in->has_status && in->status.u.status.trading == k->trading))
        return;
    struct gt_tick t;
    tick_init(&t, in, GT_KIND_STATUS, k->exch_ns, f->recv_ns);
    t.flags = GT_F_RECOVERY;
    t.u.status.trading = k->trading;
    t.u.status.halt_reason = MDP3_U8_NULL; /* not in a snapshot */
    t.u.status.event = MDP3_U8_NULL;
    t.u.status.date = ymd_of_days(k->trade_date);
    stage(f, ii, &t);
    status_keep(in, &t, k->last_msg);
}

/* The statistics of a snapshot that the book being recovered does not hold
 * (lost with its entries, or changed): each published once, flagged
 * recovery. One newer than the snapshot (a later RptSeq) is kept. */
static void snap_stats(struct feed *f, size_t ii, const struct snapkeep *k)
{
    struct inst *in = &f->inst[ii];
    for (int type = 1; type <= GT_STAT_MAX; type++) {
        uint32_t bit = 1u << type;
        const struct gt_stat *x = &k->stat[type];
        if (!(k->stat_mask & bit))
            continue;
        if ((in->stat_mask & bit) &&
            (in->stat_rpt[type] > k->rpt_seq ||
             (in->stat[type].u.stat.px == x->px && in->stat[type].u.stat.qty == x->qty)))
            continue;
        struct gt_tick t;
        tick_init(&t, in, GT_KIND_STAT, k->exch_ns, f->recv_ns);
        t.flags = GT_F_RECOVERY;
        t.u.stat = *x;
        stage(f, ii, &t);
        stat_keep(in, type, &t, k->rpt_seq);
    }
}

/* Applies the queued entries of instrument ii after its loaded snapshot.
 * Returns false if they show a hole (the book is stale again). */
static bool queue_replay(struct feed *f, size_t ii)
{
    struct book *b = &f->bs.books[ii];
    size_t cap = f->o.queue_len;
    for (uint64_t k = f->q_tail; k < f->q_head; k++) {
        const struct qent *e = &f->q[k % cap];
        if (e->u.security_id != b->security_id || e->rpt_seq <= b->rpt_seq)
            continue;
        if (e->rpt_seq != b->rpt_seq + 1)
            return false;
        if (!e->apply || book_apply(b, &e->u) < 0)
            b->rpt_seq = e->rpt_seq;
    }
    return true;
}

/* Publishes the book of ii rebuilt by recovery (wire.md): book, top, then the
 * snapshot's statistics and trading status where they are news (k: the
 * snapshot, NULL for a book recovered empty), then the recovered status. */
static void publish_recovered(struct feed *f, size_t ii, int cause, const struct snapkeep *k)
{
    flush(f, true);
    stage_book(f, ii, GT_F_RECOVERY);
    book_set_touch(&f->bs, &f->bs.books[ii]);
    f->tob_flags = GT_F_RECOVERY;
    flush(f, false);
    if (k) {
        snap_stats(f, ii, k);
        snap_status(f, ii, k);
    }
    stage_status(f, ii, GT_FEED_RECOVERED, cause, 0, 0);
    flush(f, false);
}

static void snapshot_cycle(struct feed *f, size_t ii, int line, uint32_t last_seq)
{
    struct inst *in = &f->inst[ii];
    if (!f->st.n_stale) {
        f->cyc_active = false;
        return;
    }
    if (!f->cyc_active) {
        f->cyc_active = true;
        f->cyc_line = (uint8_t)line;
        f->cyc_first = in->id;
        f->cyc_seq0 = last_seq;
        in->snap_cycle = ++f->cyc_id;
        return;
    }
    if (line != f->cyc_line)
        return;
    if (in->id != f->cyc_first) {
        in->snap_cycle = f->cyc_id;
        return;
    }
    /* A whole cycle passed: stale books absent from it are empty. */
    for (size_t k = 0; k < f->n_inst; k++) {
        struct inst *o = &f->inst[k];
        if (!is_book(f, k) || !f->bs.books[k].stale || o->snap_cycle == f->cyc_id ||
            (o->state != I_STALE_GAP && o->state != I_STALE_START) || o->need_seq > f->cyc_seq0)
            continue;
        book_clear(&f->bs.books[k]);
        mark_live(f, k);
        f->st.recovered_empty++;
        publish_recovered(f, k, GT_CAUSE_SNAPSHOT, NULL);
    }
    f->cyc_active = false;
}

/* Loads the kept snapshot of stale instrument ii into its book, replays its
 * queued entries on top and, if they continue it, publishes the recovery. */
static void snap_apply(struct feed *f, size_t ii)
{
    struct snapkeep *k = &f->keep[ii];
    struct book *b = &f->bs.books[ii];
    k->valid = false;
    if (book_load_snapshot(b, k->rpt_seq, k->e, k->n) < 0) {
        f->st.malformed++;
        return;
    }
    if (!queue_replay(f, ii)) {
        b->stale = true; /* still waiting: the next snapshot will do */
        return;
    }
    mark_live(f, ii);
    f->st.recovered_snap++;
    publish_recovered(f, ii, GT_CAUSE_SNAPSHOT, k);
}

void on_snapshot52(struct feed *f, const struct mdp3_msg *msg, int line)
{
    struct mdp3_snapshot52 s;
    if (mdp3_snapshot52_decode(msg, &s) < 0) {
        f->st.malformed++;
        return;
    }
    long ii = inst_get(f, s.security_id, GT_INSTR_FUTURE, true);
    if (ii < 0)
        return;
    struct inst *in = &f->inst[ii];
    struct book *b = &f->bs.books[ii];
    if (s.transact_time_ns)
        in->last_ns = (int64_t)s.transact_time_ns;
    snapshot_cycle(f, (size_t)ii, line, s.last_msg_seq_num_processed);
    if (in->state == I_PENDING)
        return;
    bool wanted =
        b->stale && (in->state == I_STALE_RPT || s.last_msg_seq_num_processed >= in->need_seq);
    /* A stale book's snapshot taken before what it waits for is kept too: a
     * resync may lower the wait to it (on_resync). */
    struct snapkeep *k = &f->keep[ii];
    k->valid = false;
    k->n = 0;
    k->stat_mask = 0;
    for (size_t i = 0; i < s.entries.n; i++) {
        struct mdp3_snapshot52_entry x;
        mdp3_snapshot52_entry(&s, i, &x);
        int side = x.entry_type == MDP3_ET_BID     ? GT_SIDE_BID
                   : x.entry_type == MDP3_ET_OFFER ? GT_SIDE_ASK
                                                   : 0;
        int type = side ? 0 : stat_type(x.entry_type);
        if (type) {
            stat_fill(&k->stat[type], type, x.px, x.size, x.settl_price_type,
                      x.open_close_settl_flag, ymd_of_days(x.trading_ref_date));
            k->stat_mask |= 1u << type;
            continue;
        }
        if (!side || k->n == 2 * GT_BOOK_DEPTH || x.price_level < 1 || x.price_level > b->depth)
            continue;
        k->e[k->n++] = (struct book_snap_entry){x.px, x.size == MDP3_I32_NULL ? 0 : x.size,
                                                x.n_orders, (uint8_t)x.price_level, (uint8_t)side};
    }
    k->last_msg = s.last_msg_seq_num_processed;
    k->rpt_seq = s.rpt_seq;
    k->trading = s.trading_status;
    k->trade_date = s.trade_date;
    k->exch_ns = (int64_t)s.transact_time_ns;
    if (!wanted) {
        k->valid = true; /* kept in case a pending hole turns into a gap */
        if (!b->stale && in->status_need)
            snap_status(f, (size_t)ii, k); /* it recovered by its data; a status has none */
        return;
    }
    snap_apply(f, (size_t)ii);
}

void on_gap(void *ctx, uint32_t from, uint32_t to)
{
    struct feed *f = ctx;
    flush(f, true);
    f->in_event = false;
    f->gaps_declared++;
    f->lost_declared += (uint64_t)(to - from) + 1;
    for (size_t ii = 0; ii < f->n_inst; ii++) {
        if (!is_book(f, ii) || f->inst[ii].state == I_PENDING)
            continue;
        f->inst[ii].need_seq = to;
        f->inst[ii].status_need = to;
        if (!f->bs.books[ii].stale)
            mark_stale(f, ii, I_STALE_GAP, GT_CAUSE_PACKET_GAP, from, to);
        else if (f->inst[ii].state == I_STALE_RPT)
            f->inst[ii].state = I_STALE_GAP; /* now needs a snapshot past the loss */
    }
    f->cyc_active = false;
    flush(f, false);
    /* A snapshot that came while the hole was waiting and already covers it. */
    for (size_t ii = 0; ii < f->n_inst; ii++)
        if (f->keep[ii].valid && f->inst[ii].state == I_STALE_GAP && f->keep[ii].last_msg >= to &&
            to != 0) {
            f->st.recovered_kept++;
            snap_apply(f, ii);
        } else {
            f->keep[ii].valid = false;
        }
}

void on_reset(void *ctx, uint32_t old_next)
{
    (void)old_next;
    struct feed *f = ctx;
    /* The sender restarted its sequence: nothing said about what was lost. */
    on_gap(ctx, 0, 0);
    for (size_t ii = 0; ii < f->n_inst; ii++)
        f->inst[ii].need_seq = f->inst[ii].status_seq = 0;
    f->st.resets++;
}

void on_resync(void *ctx, uint32_t from, uint32_t next)
{
    struct feed *f = ctx;
    flush(f, true);
    f->in_event = false;
    if (next != from) {
        f->gaps_declared++;
        f->lost_declared += (uint32_t)(next - from);
    }
    for (size_t ii = 0; ii < f->n_inst; ii++) {
        struct inst *in = &f->inst[ii];
        if (!is_book(f, ii) || in->state == I_PENDING)
            continue;
        in->need_seq = in->status_need = next - 1;
        if (!f->bs.books[ii].stale) {
            mark_stale(f, ii, I_STALE_GAP, GT_CAUSE_RESYNC, from, next - 1);
            continue;
        }
        if (in->state == I_STALE_RPT)
            in->state = I_STALE_GAP;
        stage_status(f, ii, GT_FEED_STALE, GT_CAUSE_RESYNC, from, next - 1);
    }
    f->cyc_active = false;
    flush(f, false);
    /* A snapshot read before the stream below the false jump (its socket
     * ran ahead) may already cover what the books now wait for. */
    for (size_t ii = 0; ii < f->n_inst; ii++)
        if (f->keep[ii].valid && f->inst[ii].state == I_STALE_GAP &&
            f->keep[ii].last_msg >= next - 1) {
            f->st.recovered_kept++;
            snap_apply(f, ii);
        }
}

void idx_mark_stale(struct feed *f, uint32_t from, uint32_t to)
{
    for (size_t ii = 0; ii < f->n_inst; ii++) {
        struct inst *in = &f->inst[ii];
        if (in->type != GT_INSTR_INDEX || in->state == I_STALE_IDX)
            continue;
        in->state = I_STALE_IDX;
        f->st.n_stale++;
        f->st.stale++;
        stage_status(f, ii, GT_FEED_STALE, GT_CAUSE_PACKET_GAP, from, to);
    }
}

void on_idx_gap(void *ctx, uint32_t from, uint32_t to)
{
    struct feed *f = ctx;
    flush(f, true);
    f->gaps_declared++;
    f->lost_declared += (uint64_t)(to - from) + 1;
    idx_mark_stale(f, from, to);
    flush(f, false);
}

void on_idx_resync(void *ctx, uint32_t from, uint32_t next)
{
    if (next != from)
        on_idx_gap(ctx, from, next - 1);
}

void channel_reset(struct feed *f, int64_t exch_ns)
{
    flush(f, true);
    f->st.resets++;
    for (size_t ii = 0; ii < f->n_inst; ii++) {
        struct inst *in = &f->inst[ii];
        if (!is_book(f, ii))
            continue;
        book_clear(&f->bs.books[ii]);
        mark_live(f, ii);
        f->keep[ii].valid = false; /* taken before the reset */
        in->has_trade = false;
        in->stat_mask = 0;
        memset(in->stat_rpt, 0, sizeof in->stat_rpt);
        in->last_ns = exch_ns;
        stage_status(f, ii, GT_FEED_RESET, GT_CAUSE_CHANNEL_RESET, 0, 0);
        stage_book(f, ii, 0);
    }
    f->q_tail = f->q_head;
    f->cyc_active = false;
    flush(f, false);
}
