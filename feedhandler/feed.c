/* SPDX-License-Identifier: MIT */
/* feed.c -- MDP 3.0 packets to normalized ticks: arbitration, books, recovery,
 * event grouping. The contract and the recovery rules are in feed.h.
 *
 * Instruments (futures and indexes) share one table: the book set's hash finds
 * a book by id, and the instrument's other state lives in inst[] at the same
 * index; the last instrument found is tried first, as an event's entries are
 * nearly always of one instrument. Records of the current exchange event are
 * staged, written once in their wire form, and each joins its group (one per
 * instrument and kind, in order of first appearance) as it is staged. At
 * EndOfEvent the changed books add their top of book and each group goes to
 * emit as one message, straight from the stage when the records came in
 * group order, as they nearly always do. Sides and top changes are as random
 * as the market, so where they decide, a table or bitwise operators stand in
 * for a branch that would mispredict. Packets of the snapshot, definition and
 * index channels that arrive while an incremental event is open wait in a
 * small deferral buffer, so that an event is never published in pieces
 * because of them.
 *
 * This file is the packet path, everything an incremental or snapshot entry
 * goes through; defs.c and late.c hold definitions and late joiners, and
 * feed_int.h the state they share. */
#include "feed_int.h"

/* ---- instruments -------------------------------------------------------- */

static void inst_topic_names(const struct inst *in, char *product, char *symbol)
{
    if (in->product[0] && in->symbol[0]) {
        strcpy(product, in->product);
        strcpy(symbol, in->symbol);
        return;
    }
    /* Not defined yet: a stable placeholder the store keys by id anyway
     * (docs/wire.md, "Instruments not defined yet": product-prefix
     * subscribers do not see these). */
    strcpy(product, "NA");
    snprintf(symbol, GT_SYMBOL_LEN + 1, "S%d", in->id < 0 ? -in->id : in->id);
}

void inst_topics_format(struct inst *in)
{
    char product[GT_PRODUCT_LEN + 1], symbol[GT_SYMBOL_LEN + 1];
    inst_topic_names(in, product, symbol);
    for (int k = 1; k <= GT_KIND_MAX; k++) {
        int tl = gt_topic_format(in->topic[k], k, product, symbol);
        in->topic_len[k] = (uint8_t)(tl > 0 ? tl : 0);
    }
    in->topics_ok = true;
}

/* ---- staging and emitting ------------------------------------------------ */

static void emit_msg(struct feed *f, struct inst *in, int kind, uint8_t *recs, size_t n)
{
    const char *topic;
    int tl = inst_topic(in, kind, &topic);
    if (tl < 0) {
        f->st.malformed++;
        return;
    }
    int rc = f->o.emit(f->o.ctx, topic, (size_t)tl, recs, n);
    if (rc < 0 && !f->err)
        f->err = rc;
    f->st.records += n;
    f->st.emitted++;
}

/* The group of a record of instrument ii and kind that is not the last
 * record's: the instrument's group of the kind in this event if it has one
 * (the records are then scattered), else a new group. Each instrument keeps
 * its group of each kind stamped with the event, so no search. */
static uint32_t stage_group(struct feed *f, size_t ii, uint8_t kind)
{
    struct inst *in = &f->inst[ii];
    if (in->grp_gen[kind] == f->flush_gen) {
        f->scattered = true;
        return in->grp_at[kind];
    }
    in->grp_gen[kind] = f->flush_gen;
    in->grp_at[kind] = (uint32_t)f->n_grp;
    f->grp[f->n_grp] = (struct group){.ii = (uint32_t)ii, .kind = kind};
    return (uint32_t)f->n_grp++;
}

/* A slot for the next record, of instrument ii and kind, in its group: the
 * last record's if it has the same instrument and kind (nearly always: an
 * instrument's entries come together), else stage_group()'s. */
static inline uint8_t *stage_add(struct feed *f, size_t ii, uint8_t kind)
{
    uint32_t g = f->cur_grp;
    if (!f->n_grp || f->grp[g].ii != ii || f->grp[g].kind != kind)
        f->cur_grp = g = stage_group(f, ii, kind);
    size_t i = f->n_stage++;
    uint8_t *rec = f->stage + i * GT_TICK_LEN;
    f->stage_grp[i] = g;
    f->grp[g].n++;
    return rec;
}

static void tob_add(struct book *b, void *ctx)
{
    struct feed *f = ctx;
    size_t ii = (size_t)(b - f->bs.books);
    if (b->stale || f->n_stage >= f->stage_cap)
        return; /* a stale book's top is not published: its status says why */
    const struct inst *in = &f->inst[ii];
    struct gt_tob tob;
    book_tob(b, &tob);
    uint8_t *rec = stage_add(f, ii, GT_KIND_TOB);
    gt_tick_header_encode(rec, GT_TICK_VERSION, GT_KIND_TOB, f->tob_flags, in->id, 0, in->last_ns,
                          f->recv_ns);
    gt_tick_tob_encode(rec, &tob);
}

/* The staged records in group order: where they are, unless they were
 * scattered; then copied into f->out. Sets each group's start. */
static uint8_t *flush_order(struct feed *f)
{
    size_t k = 0;
    for (size_t m = 0; m < f->n_grp; m++) {
        f->grp[m].start = k;
        k += f->grp[m].n;
    }
    if (!f->scattered)
        return f->stage;
    for (size_t i = 0; i < f->n_stage; i++) {
        struct group *g = &f->grp[f->stage_grp[i]];
        memcpy(f->out + (g->start + g->n_out++) * GT_TICK_LEN, f->stage + i * GT_TICK_LEN,
               GT_TICK_LEN);
    }
    return f->out;
}

/* Publishes the staged records: one message per instrument and kind. cut:
 * the exchange event goes on after this, so no EVENT_END flags. */
static void flush(struct feed *f, bool cut)
{
    if (!cut)
        mbo_event_end(f);
    book_set_event_end(&f->bs, tob_add, f);
    implied_event_end(f);
    f->tob_flags = 0;
    if (!cut)
        f->in_event = false;
    if (f->n_stage == 0)
        return;
    if (cut)
        f->st.events_cut++;
    uint8_t *recs = flush_order(f);
    size_t n_grp = f->n_grp;
    /* EVENT_END on each instrument's last record of the event. */
    if (!cut)
        for (size_t m = n_grp; m-- > 0;) {
            struct inst *in = &f->inst[f->grp[m].ii];
            if (in->mark == f->flush_gen)
                continue;
            in->mark = f->flush_gen;
            uint8_t *last = recs + (f->grp[m].start + f->grp[m].n - 1) * GT_TICK_LEN;
            st_le16(last + 2, (uint16_t)(ld_le16(last + 2) | GT_F_EVENT_END));
        }
    for (size_t m = 0; m < n_grp; m++)
        emit_msg(f, &f->inst[f->grp[m].ii], f->grp[m].kind, recs + f->grp[m].start * GT_TICK_LEN,
                 f->grp[m].n);
    f->n_stage = f->n_grp = 0;
    f->scattered = false;
    f->flush_gen++;
}

/* The stage slot of the next record, of instrument ii and kind at exchange
 * time exch_ns; cuts the event first if the stage is full (keeping room for
 * the tops added at its end). */
static uint8_t *stage_slot(struct feed *f, size_t ii, uint8_t kind, int64_t exch_ns)
{
    if (f->n_stage >= f->o.max_event)
        flush(f, true);
    if (exch_ns)
        f->inst[ii].last_ns = exch_ns;
    return stage_add(f, ii, kind);
}

void stage(struct feed *f, size_t ii, const struct gt_tick *t)
{
    gt_tick_encode(t, stage_slot(f, ii, t->kind, t->exch_ns));
}

inline void stage_status(struct feed *f, size_t ii, int feed_state, int cause, uint32_t from,
                         uint32_t to)
{
    struct inst *in = &f->inst[ii];
    struct gt_tick t;
    tick_init(&t, in, GT_KIND_STATUS, in->last_ns, f->recv_ns);
    t.u.status.trading = 255;
    t.u.status.feed = (uint8_t)feed_state;
    t.u.status.cause = (uint8_t)cause;
    t.u.status.gap_from = from;
    t.u.status.gap_to = to;
    if (feed_state == GT_FEED_STALE)
        t.flags |= GT_F_STALE;
    stage(f, ii, &t);
}

/* A delete thru of each side then a new per level: the whole book. */

size_t book_records(const struct feed *f, size_t ii, struct gt_tick t[BOOK_RECS_MAX],
                    uint16_t flags)
{
    const struct book *b = &f->bs.books[ii];
    return side_records(f, ii, b->bid, b->n_bid, b->ask, b->n_ask, b->rpt_seq, t, flags);
}

size_t side_records(const struct feed *f, size_t ii, const struct gt_mbp_level *bid, int n_bid,
                    const struct gt_mbp_level *ask, int n_ask, uint32_t rpt_seq,
                    struct gt_tick t[BOOK_RECS_MAX], uint16_t flags)
{
    const struct inst *in = &f->inst[ii];
    size_t n = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int side = GT_SIDE_BID; side <= GT_SIDE_ASK; side++) {
            const struct gt_mbp_level *s = side == GT_SIDE_BID ? bid : ask;
            int nl = pass == 0 ? 1 : side == GT_SIDE_BID ? n_bid : n_ask;
            for (int l = 0; l < nl; l++) {
                if (pass == 1 && s[l].px == BOOK_PX_NONE)
                    continue;
                tick_init(&t[n], in, GT_KIND_LEVEL, in->last_ns, f->recv_ns);
                t[n].flags = flags;
                t[n++].u.level = (struct gt_level){.px = pass ? s[l].px : INT64_MAX,
                                                   .qty = pass ? s[l].qty : 0,
                                                   .n_orders = pass ? s[l].n_orders : INT32_MAX,
                                                   .level = (uint8_t)(l + 1),
                                                   .side = (uint8_t)side,
                                                   .action = pass ? GT_ACT_NEW : GT_ACT_DELETE_THRU,
                                                   .rpt_seq = rpt_seq};
            }
        }
    return n;
}

static void stage_book(struct feed *f, size_t ii, uint16_t flags)
{
    struct gt_tick t[BOOK_RECS_MAX];
    size_t n = book_records(f, ii, t, flags);
    for (size_t i = 0; i < n; i++)
        stage(f, ii, &t[i]);
}

/* ---- instruments: lookup and state --------------------------------------- */

static void mark_stale(struct feed *f, size_t ii, int state, int cause, uint32_t from, uint32_t to)
{
    struct inst *in = &f->inst[ii];
    f->bs.books[ii].stale = true;
    in->state = (uint8_t)state;
    f->st.n_stale++;
    f->st.stale++;
    stage_status(f, ii, GT_FEED_STALE, cause, from, to);
    mbo_mark_stale(f, ii, in->need_seq > f->inc_seq ? in->need_seq : f->inc_seq);
}

static void mark_live(struct feed *f, size_t ii)
{
    if (f->inst[ii].state != I_LIVE && f->inst[ii].state != I_PENDING && f->st.n_stale)
        f->st.n_stale--;
    f->inst[ii].state = I_LIVE;
    f->bs.books[ii].stale = false;
}

/* Sets up instrument ii, just added to the book set as id. */
static long inst_new(struct feed *f, size_t ii, int32_t id, int type)
{
    struct book *b = &f->bs.books[ii];
    struct inst *in = &f->inst[ii];
    memset(in, 0, sizeof *in);
    in->id = id;
    in->type = (uint8_t)type;
    f->n_inst = ii + 1;
    f->st.n_instruments = (uint32_t)f->n_inst;
    if (type == GT_INSTR_INDEX)
        return (long)ii;
    if (!f->inc_started) {
        in->state = I_PENDING; /* decided by the first incremental packet */
        b->stale = true;
    } else if (f->joined_late) {
        in->need_seq = 0;
        mark_stale(f, ii, I_STALE_START, GT_CAUSE_STARTUP, 0, 0);
    }
    return (long)ii;
}

/* The instrument of id by the hash, created if create; returns its index or
 * -1. */
static inline long inst_lookup(struct feed *f, int32_t id, int type, bool create)
{
    struct book *b = book_set_get(&f->bs, id, create);
    if (!b)
        return -1;
    size_t ii = (size_t)(b - f->bs.books);
    f->last_ii = ii;
    if (ii >= f->n_inst)
        return inst_new(f, ii, id, type);
    if (!f->inst[ii].type && type)
        f->inst[ii].type = (uint8_t)type;
    return (long)ii;
}

inline long inst_get(struct feed *f, int32_t id, int type, bool create)
{
    size_t ii = f->last_ii;
    if (ii >= f->n_inst || f->inst[ii].id != id)
        return inst_lookup(f, id, type, create);
    if (!f->inst[ii].type && type)
        f->inst[ii].type = (uint8_t)type;
    return (long)ii;
}

bool is_book(const struct feed *f, size_t ii)
{
    return f->inst[ii].type != GT_INSTR_INDEX;
}

/* ---- the RptSeq gate ----------------------------------------------------- */

enum gate { GATE_OK, GATE_DUP, GATE_QUEUE };

static void queue_push(struct feed *f, const struct book_update *u, uint8_t apply)
{
    size_t cap = f->o.queue_len;
    struct qent *e = &f->q[f->q_head % cap];
    e->rpt_seq = u->rpt_seq;
    e->apply = apply;
    e->u = *u;
    f->q_head++;
    f->st.queued++;
    if (f->q_head - f->q_tail > cap) {
        f->q_tail++;
        f->st.queue_overrun++;
    }
}

/* gate() past its common case. */
static int gate_check(struct feed *f, size_t ii, uint32_t rpt)
{
    struct book *b = &f->bs.books[ii];
    struct inst *in = &f->inst[ii];
    if (in->state == I_PENDING)
        return GATE_QUEUE; /* cannot happen after the first packet; be safe */
    if (rpt <= b->rpt_seq)
        return GATE_DUP;
    if (!b->stale) {
        if (rpt == b->rpt_seq + 1)
            return GATE_OK;
        f->st.rpt_gaps++;
        in->need_seq = 0;
        mark_stale(f, ii, I_STALE_RPT, GT_CAUSE_RPTSEQ_GAP, b->rpt_seq + 1, rpt - 1);
        return GATE_QUEUE;
    }
    if (rpt == b->rpt_seq + 1 && in->state != I_STALE_RPT) {
        /* Its sequence went on without a hole: the loss did not touch it. */
        mark_live(f, ii);
        f->st.recovered_incr++;
        stage_status(f, ii, GT_FEED_RECOVERED, GT_CAUSE_INCREMENTAL, 0, 0);
        return GATE_OK;
    }
    return GATE_QUEUE;
}

/* Where the entry of instrument ii with RptSeq rpt goes (enum gate): applied,
 * dropped as already applied, or queued while the book is stale. A jump
 * marks the book stale; a stale book whose sequence continues is recovered.
 * The common case, a live book's next entry, is decided here at once; a
 * pending instrument's book is stale (inst_new), so it never passes here. */
static inline int gate(struct feed *f, size_t ii, uint32_t rpt)
{
    const struct book *b = &f->bs.books[ii];
    if (!b->stale && rpt == (uint64_t)b->rpt_seq + 1)
        return GATE_OK;
    return gate_check(f, ii, rpt);
}

/* ---- recovery ------------------------------------------------------------- */

static uint32_t ymd_of_days(uint16_t days);
static int stat_type(char et);
static void stat_fill(struct gt_stat *st, int type, int64_t px, int32_t size, uint8_t settl,
                      uint8_t open_close, uint32_t date);

/* What an instrument keeps of the last statistic of type and the last status
 * it published: for snapshots (what a recovery must republish) and late
 * joiners. */
static void stat_keep(struct inst *in, int type, const struct gt_tick *t, uint32_t rpt)
{
    in->stat[type] = *t;
    in->stat_mask |= 1u << type;
    in->stat_rpt[type] = rpt;
}

static void status_keep(struct inst *in, const struct gt_tick *t, uint32_t seq)
{
    in->status = *t;
    in->has_status = true;
    in->status_seq = seq;
}

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
        if (e->apply == 2)
            book_apply(&f->imp.books[ii], &e->u);
        if (e->apply != 1 || book_apply(b, &e->u) < 0)
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
    implied_stage_whole(f, ii, GT_F_RECOVERY);
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
        imp_clear(&f->imp, k);
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
    implied_snap_load(f, ii, k->imp, k->n_imp);
    if (!queue_replay(f, ii)) {
        b->stale = true; /* still waiting: the next snapshot will do */
        return;
    }
    mark_live(f, ii);
    f->st.recovered_snap++;
    publish_recovered(f, ii, GT_CAUSE_SNAPSHOT, k);
}

static void on_snapshot52(struct feed *f, const struct mdp3_msg *msg, int line)
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
    k->n = k->n_imp = 0;
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
        if (x.entry_type == MDP3_ET_IMPLIED_BID || x.entry_type == MDP3_ET_IMPLIED_OFFER) {
            if (k->n_imp < 2 * IMP_DEPTH && x.price_level >= 1 && x.price_level <= IMP_DEPTH)
                k->imp[k->n_imp++] = (struct book_snap_entry){
                    x.px, x.size == MDP3_I32_NULL ? 0 : x.size, x.n_orders, (uint8_t)x.price_level,
                    x.entry_type == MDP3_ET_IMPLIED_BID ? GT_SIDE_BID : GT_SIDE_ASK};
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

/* Packets lost on both incremental lines: every book is suspect. */
static void on_gap(void *ctx, uint32_t from, uint32_t to)
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
        mbo_mark_stale(f, ii, to);
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

static void on_reset(void *ctx, uint32_t old_next)
{
    (void)old_next;
    struct feed *f = ctx;
    /* The sender restarted its sequence: nothing said about what was lost. */
    on_gap(ctx, 0, 0);
    for (size_t ii = 0; ii < f->n_inst; ii++)
        f->inst[ii].need_seq = f->inst[ii].status_seq = 0;
    mbo_seq_restart(f);
    f->st.resets++;
}

/* A jump of the incremental lines' sequence was false (arb.h): the stream is
 * back at next, below the expectation, and from..next-1 (maybe nothing) never
 * came through. Every book is stale again, announced with the range that was
 * really lost, and waits for a snapshot past next-1 -- not past the forged
 * sequence, which no snapshot would ever reach. */
static void on_resync(void *ctx, uint32_t from, uint32_t next)
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
        mbo_mark_stale(f, ii, next - 1);
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

/* Index packets from..to are lost: every index is stale until its next
 * value (or the repeat of the one it holds). Stages the statuses. */
static void idx_mark_stale(struct feed *f, uint32_t from, uint32_t to)
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

static void on_idx_gap(void *ctx, uint32_t from, uint32_t to)
{
    struct feed *f = ctx;
    flush(f, true);
    f->gaps_declared++;
    f->lost_declared += (uint64_t)(to - from) + 1;
    idx_mark_stale(f, from, to);
    flush(f, false);
}

/* The index lines' false jump: an index is stale until its next value, as
 * after a gap. */
static void on_idx_resync(void *ctx, uint32_t from, uint32_t next)
{
    if (next != from)
        on_idx_gap(ctx, from, next - 1);
}

static void channel_reset(struct feed *f, int64_t exch_ns)
{
    flush(f, true);
    f->st.resets++;
    for (size_t ii = 0; ii < f->n_inst; ii++) {
        struct inst *in = &f->inst[ii];
        if (!is_book(f, ii))
            continue;
        book_clear(&f->bs.books[ii]);
        imp_clear(&f->imp, ii);
        mark_live(f, ii);
        f->keep[ii].valid = false; /* taken before the reset */
        in->has_trade = false;
        in->stat_mask = 0;
        memset(in->stat_rpt, 0, sizeof in->stat_rpt);
        in->last_ns = exch_ns;
        stage_status(f, ii, GT_FEED_RESET, GT_CAUSE_CHANNEL_RESET, 0, 0);
        stage_book(f, ii, 0);
        mbo_reset(f, ii);
    }
    f->q_tail = f->q_head;
    f->cyc_active = false;
    flush(f, false);
}

/* ---- incremental templates ----------------------------------------------- */

/* The side of each book MDEntryType, by its character: bid, offer, implied
 * bid and implied offer; 0 for the rest. A table, not a switch: the type is
 * as random as the market, and a branch on it mispredicts every other
 * entry. */
static const struct {
    uint8_t side;
    bool implied;
} entry_side[256] = {
    [MDP3_ET_BID] = {GT_SIDE_BID, false},
    [MDP3_ET_OFFER] = {GT_SIDE_ASK, false},
    [MDP3_ET_IMPLIED_BID] = {GT_SIDE_BID, true},
    [MDP3_ET_IMPLIED_OFFER] = {GT_SIDE_ASK, true},
};

static void on_book46(struct feed *f, const struct mdp3_incr *m)
{
    int64_t ts = (int64_t)m->transact_time_ns;
    for (size_t i = 0; i < m->entries.n; i++) {
        struct mdp3_book46_entry e;
        mdp3_book46_entry(m, i, &e);
        long ii = inst_get(f, e.security_id, GT_INSTR_FUTURE, true);
        if (ii < 0)
            continue;
        struct book *b = &f->bs.books[ii];
        int side = entry_side[(uint8_t)e.entry_type].side;
        bool implied = entry_side[(uint8_t)e.entry_type].implied;
        uint16_t flags = implied ? GT_F_IMPLIED : 0;
        if (e.entry_type == MDP3_ET_BOOK_RESET) {
            book_clear(b);
            imp_clear(&f->imp, (size_t)ii);
            mark_live(f, (size_t)ii);
            f->inst[ii].last_ns = ts;
            stage_status(f, (size_t)ii, GT_FEED_RESET, GT_CAUSE_CHANNEL_RESET, 0, 0);
            stage_book(f, (size_t)ii, 0);
            mbo_reset(f, (size_t)ii);
            continue;
        }
        struct book_update u = {
            e.security_id, e.rpt_seq,     e.px,          e.size == MDP3_I32_NULL ? 0 : e.size,
            e.n_orders,    e.price_level, (uint8_t)side, e.update_action};
        int g = gate(f, (size_t)ii, e.rpt_seq);
        if (g == GATE_DUP)
            continue;
        if (g == GATE_QUEUE) {
            queue_push(f, &u, side ? 1 + implied : 0);
            continue;
        }
        if (implied || !side) {
            /* The implied book (implied.c) is behind the same gate. */
            b->rpt_seq = e.rpt_seq;
            if (!side || book_apply(&f->imp.books[ii], &u) < 0) {
                f->st.malformed++;
                continue;
            }
            imp_touch(&f->imp, (size_t)ii);
        } else {
            /* book_apply on the book already found: book_set_apply would hash
             * the id a second time. */
            int top = book_apply(b, &u);
            if (top < 0) {
                f->st.malformed++;
                continue;
            }
            book_set_touch_if(&f->bs, b, top == 1);
            if (f->imp.cons[ii].on)
                imp_touch(&f->imp, (size_t)ii);
        }
        /* The record of every entry: encoded from its parts, no struct gt_tick. */
        struct gt_level l = {.px = e.px,
                             .qty = e.size == MDP3_I32_NULL ? INT64_MAX : e.size,
                             .n_orders = e.n_orders,
                             .level = e.price_level,
                             .side = (uint8_t)side,
                             .action = e.update_action,
                             .rpt_seq = e.rpt_seq};
        uint8_t *rec = stage_slot(f, (size_t)ii, GT_KIND_LEVEL, ts);
        gt_tick_header_encode(rec, GT_TICK_VERSION, GT_KIND_LEVEL, flags, e.security_id, 0, ts,
                              f->recv_ns);
        gt_tick_level_encode(rec, &l);
    }
    if (m->orders.n)
        mbo_on_book46(f, m); /* after the entries they refer to, and their gate */
}

/* A trade or statistic of instrument ii with RptSeq rpt: published always
 * (each arrives once), flagged stale while its book is. Fills the header of
 * *t, whose payload the caller fills before staging it; returns the
 * instrument, or -1 if it is unknown. */
static long fact(struct feed *f, int32_t security_id, uint32_t rpt, int kind, int64_t ts,
                 struct gt_tick *t)
{
    long ii = inst_get(f, security_id, GT_INSTR_FUTURE, true);
    if (ii < 0)
        return -1;
    struct book *b = &f->bs.books[ii];
    int g = gate(f, (size_t)ii, rpt);
    uint16_t flags = 0;
    if (g == GATE_OK)
        b->rpt_seq = rpt;
    else if (g == GATE_QUEUE) {
        struct book_update u = {.security_id = security_id, .rpt_seq = rpt};
        queue_push(f, &u, 0);
        flags = GT_F_STALE;
    }
    tick_init(t, &f->inst[ii], kind, ts, f->recv_ns);
    t->flags = flags;
    return ii;
}

static void on_trade48(struct feed *f, const struct mdp3_incr *m)
{
    for (size_t i = 0; i < m->entries.n; i++) {
        struct mdp3_trade48_entry e;
        mdp3_trade48_entry(m, i, &e);
        struct gt_tick t;
        long ii =
            fact(f, e.security_id, e.rpt_seq, GT_KIND_TRADE, (int64_t)m->transact_time_ns, &t);
        if (ii < 0)
            continue;
        struct inst *in = &f->inst[ii];
        if (in->type == GT_INSTR_SPREAD) /* its legs' prints follow in this event */
            for (int k = 0; k < 2; k++) {
                long li = in->leg[k] ? inst_get(f, in->leg[k], 0, false) : -1;
                if (li >= 0)
                    f->inst[li].leg_event = f->event_no;
            }
        else if (e.aggressor_side == 0 && in->leg_event == f->event_no)
            t.flags |= GT_F_LEG;
        t.u.trade = (struct gt_trade){
            .px = e.px,
            .qty = e.size,
            .trade_id = e.trade_entry_id,
            .n_orders = e.n_orders,
            .aggressor = e.aggressor_side == 1   ? GT_SIDE_BID
                         : e.aggressor_side == 2 ? GT_SIDE_ASK
                                                 : GT_SIDE_NONE,
            .action = e.update_action,
        };
        stage(f, (size_t)ii, &t);
        f->inst[ii].trade = t;
        f->inst[ii].has_trade = true;
    }
}

static uint32_t ymd_of_days(uint16_t days)
{
    return days == MDP3_U16_NULL ? 0 : gt_ymd_of_ns((int64_t)days * 86400 * 1000000000LL);
}

static int stat_type(char et)
{
    switch (et) {
    case MDP3_ET_SETTLE:
        return GT_STAT_SETTLE;
    case MDP3_ET_OPEN_INTEREST:
        return GT_STAT_OPEN_INTEREST;
    case MDP3_ET_CLEARED_VOLUME:
        return GT_STAT_CLEARED_VOLUME;
    case MDP3_ET_OPEN:
        return GT_STAT_OPEN;
    case MDP3_ET_HIGH:
        return GT_STAT_HIGH;
    case MDP3_ET_LOW:
        return GT_STAT_LOW;
    case MDP3_ET_VWAP:
        return GT_STAT_VWAP;
    case MDP3_ET_HIGH_BID:
        return GT_STAT_HIGH_BID;
    case MDP3_ET_LOW_OFFER:
        return GT_STAT_LOW_OFFER;
    case MDP3_ET_FIXING_PRICE:
        return GT_STAT_FIXING_PRICE;
    case MDP3_ET_ELECTRONIC_VOLUME:
        return GT_STAT_SESSION_VOLUME;
    default:
        return 0;
    }
}

/* A statistic as published, from the wire's fields (incremental or snapshot). */
static void stat_fill(struct gt_stat *st, int type, int64_t px, int32_t size, uint8_t settl,
                      uint8_t open_close, uint32_t date)
{
    bool is_qty = type == GT_STAT_OPEN_INTEREST || type == GT_STAT_CLEARED_VOLUME ||
                  type == GT_STAT_SESSION_VOLUME;
    *st = (struct gt_stat){
        .px = is_qty ? INT64_MAX : px,
        .qty = size == MDP3_I32_NULL ? INT64_MAX : size,
        .type = (uint8_t)type,
        .settl_flags = settl,
        .open_close = open_close,
        .date = date,
    };
}

static void stat_put(struct feed *f, int32_t sec, uint32_t rpt, int64_t ts, char et, int64_t px,
                     int32_t size, uint8_t settl, uint8_t open_close, uint32_t date)
{
    int type = stat_type(et);
    struct gt_tick t;
    long ii = fact(f, sec, rpt, GT_KIND_STAT, ts, &t);
    if (ii < 0)
        return;
    stat_fill(&t.u.stat, type, px, size, settl, open_close, date);
    stage(f, (size_t)ii, &t);
    if (type)
        stat_keep(&f->inst[ii], type, &t, rpt);
}

static void on_stats(struct feed *f, const struct mdp3_msg *msg, uint8_t *mei)
{
    struct mdp3_incr m;
    int64_t ts;
    switch (msg->template_id) {
    case MDP3_T_DAILY_STATISTICS49:
        if (mdp3_daily49_decode(msg, &m) < 0)
            break;
        ts = (int64_t)m.transact_time_ns;
        *mei = m.mei;
        for (size_t i = 0; i < m.entries.n; i++) {
            struct mdp3_daily49_entry e;
            mdp3_daily49_entry(&m, i, &e);
            stat_put(f, e.security_id, e.rpt_seq, ts, e.entry_type, e.px, e.size,
                     e.settl_price_type, 255, ymd_of_days(e.trading_ref_date));
        }
        return;
    case MDP3_T_SESSION_STATISTICS51:
        if (mdp3_session51_decode(msg, &m) < 0)
            break;
        ts = (int64_t)m.transact_time_ns;
        *mei = m.mei;
        for (size_t i = 0; i < m.entries.n; i++) {
            struct mdp3_session51_entry e;
            mdp3_session51_entry(&m, i, &e);
            stat_put(f, e.security_id, e.rpt_seq, ts, e.entry_type, e.px, e.size, 0,
                     e.open_close_settl_flag, 0);
        }
        return;
    case MDP3_T_VOLUME37:
        if (mdp3_volume37_decode(msg, &m) < 0)
            break;
        ts = (int64_t)m.transact_time_ns;
        *mei = m.mei;
        for (size_t i = 0; i < m.entries.n; i++) {
            struct mdp3_volume37_entry e;
            mdp3_volume37_entry(&m, i, &e);
            stat_put(f, e.security_id, e.rpt_seq, ts, MDP3_ET_ELECTRONIC_VOLUME, INT64_MAX, e.size,
                     0, 255, 0);
        }
        return;
    }
    f->st.malformed++;
}

static void status_put(struct feed *f, size_t ii, const struct mdp3_status30 *s)
{
    struct inst *in = &f->inst[ii];
    struct gt_tick t;
    tick_init(&t, in, GT_KIND_STATUS, (int64_t)s->transact_time_ns, f->recv_ns);
    t.u.status.trading = s->trading_status;
    t.u.status.halt_reason = s->halt_reason;
    t.u.status.event = s->trading_event;
    t.u.status.date = ymd_of_days(s->trade_date);
    stage(f, ii, &t);
    status_keep(in, &t, f->inc_seq);
}

static void on_status30(struct feed *f, const struct mdp3_msg *msg, uint8_t *mei)
{
    struct mdp3_status30 s;
    if (mdp3_status30_decode(msg, &s) < 0) {
        f->st.malformed++;
        return;
    }
    *mei = s.mei;
    if (s.security_id != MDP3_I32_NULL) {
        long ii = inst_get(f, s.security_id, GT_INSTR_FUTURE, true);
        if (ii >= 0)
            status_put(f, (size_t)ii, &s);
        return;
    }
    /* A group-wide status: every instrument of the group. */
    for (size_t ii = 0; ii < f->n_inst; ii++)
        if (is_book(f, ii) && f->inst[ii].group[0] &&
            strcmp(f->inst[ii].group, s.security_group) == 0)
            status_put(f, ii, &s);
}

/* ---- packets ------------------------------------------------------------- */

static void process(struct feed *f, const uint8_t *p, size_t len, int which);

static void first_incremental(struct feed *f, uint32_t seq)
{
    f->inc_started = true;
    f->joined_late = seq != 1;
    for (size_t ii = 0; ii < f->n_inst; ii++) {
        if (f->inst[ii].state != I_PENDING)
            continue;
        f->inst[ii].state = I_LIVE;
        f->bs.books[ii].stale = false;
        if (f->joined_late) {
            f->inst[ii].need_seq = seq - 1;
            mark_stale(f, ii, I_STALE_START, GT_CAUSE_STARTUP, 0, 0);
        }
    }
    flush(f, true);
}

static void drain_deferred(struct feed *f)
{
    if (f->draining || !f->n_dfr)
        return;
    f->draining = true;
    for (size_t i = 0; i < f->n_dfr && !f->in_event; i++)
        process(f, f->dfr[i].p, f->dfr[i].len, f->dfr[i].which);
    f->n_dfr = 0;
    f->draining = false;
}

static void on_message(struct feed *f, const struct mdp3_msg *msg, int which, uint8_t *mei)
{
    struct mdp3_incr m;
    *mei = 0;
    if (msg->schema_id == MDP3_SCHEMA_INDICES) {
        if (msg->template_id == MDP3_T_DEFINITION_INDICES347)
            on_def347(f, msg);
        else if (msg->template_id == MDP3_T_INDICES348)
            on_idx348(f, msg);
        else
            f->st.unknown++;
        *mei = MDP3_MEI_END_OF_EVENT;
        return;
    }
    if (msg->schema_id != MDP3_SCHEMA_MDP) {
        f->st.unknown++;
        return;
    }
    switch (msg->template_id) {
    case MDP3_T_CHANNEL_RESET4: {
        struct mdp3_reset4 r;
        if (mdp3_reset4_decode(msg, &r) < 0) {
            f->st.malformed++;
            return;
        }
        channel_reset(f, (int64_t)r.transact_time_ns);
        *mei = MDP3_MEI_END_OF_EVENT;
        return;
    }
    case MDP3_T_ADMIN_HEARTBEAT12:
        return;
    case MDP3_T_SECURITY_STATUS30:
        on_status30(f, msg, mei);
        return;
    case MDP3_T_BOOK46:
        if (mdp3_book46_decode(msg, &m) < 0)
            break;
        on_book46(f, &m);
        *mei = m.mei;
        return;
    case MDP3_T_TRADE_SUMMARY48:
        if (mdp3_trade48_decode(msg, &m) < 0)
            break;
        on_trade48(f, &m);
        *mei = m.mei;
        return;
    case MDP3_T_DAILY_STATISTICS49:
    case MDP3_T_SESSION_STATISTICS51:
    case MDP3_T_VOLUME37:
        on_stats(f, msg, mei);
        return;
    case MDP3_T_SNAPSHOT52:
        on_snapshot52(f, msg, which == GT_FEED_SNAP_B ? 1 : 0);
        *mei = MDP3_MEI_END_OF_EVENT;
        return;
    case MDP3_T_DEFINITION_FUTURE54:
    case MDP3_T_DEFINITION_SPREAD56:
        on_def54_56(f, msg);
        *mei = MDP3_MEI_END_OF_EVENT;
        return;
    case MDP3_T_ORDER_BOOK47:
        if (mdp3_orderbook47_decode(msg, &m) < 0)
            break;
        mbo_on_orderbook47(f, &m);
        *mei = m.mei;
        return;
    case MDP3_T_SNAPSHOT_ORDER_BOOK53:
        mbo_on_snapshot53(f, msg, which == GT_FEED_SNAP_B ? 1 : 0);
        *mei = MDP3_MEI_END_OF_EVENT;
        return;
    default:
        f->st.unknown++;
        return;
    }
    f->st.malformed++;
}

static void process(struct feed *f, const uint8_t *p, size_t len, int which)
{
    bool incremental = which == GT_FEED_INCR_A || which == GT_FEED_INCR_B;
    if (!incremental && f->in_event && !f->draining) {
        /* Wait for the open incremental event to end. */
        if (f->n_dfr == FEED_DEFER_N || len > FEED_DEFER_PKT) {
            /* Lost. A snapshot or a definition comes again in its loop; an
             * index value maybe not for a while. */
            f->st.deferral_full++;
            if (which == GT_FEED_INDEX_A && len >= 4)
                idx_mark_stale(f, ld_le32(p), ld_le32(p)); /* published with the event */
            return;
        }
        struct deferred *d = &f->dfr[f->n_dfr++];
        d->which = (uint8_t)which;
        d->len = (uint16_t)len;
        memcpy(d->p, p, len);
        return;
    }
    struct mdp3_pkt pkt;
    if (mdp3_pkt_init(&pkt, p, len) < 0) {
        f->st.malformed++;
        return;
    }
    if (incremental) {
        if (!f->inc_started)
            first_incremental(f, pkt.seq);
        f->inc_seq = pkt.seq;
    }
    struct mdp3_msg msg;
    int rc;
    while ((rc = mdp3_pkt_next(&pkt, &msg)) > 0) {
        uint8_t mei;
        f->st.messages++;
        on_message(f, &msg, which, &mei);
        if (!incremental) {
            flush(f, false);
            continue;
        }
        if (mei & MDP3_MEI_END_OF_EVENT) {
            f->event_no++;
            flush(f, false);
            drain_deferred(f);
        } else if (f->n_stage || msg.template_id != MDP3_T_ADMIN_HEARTBEAT12) {
            if (!f->in_event)
                f->event_ns = f->recv_ns;
            f->in_event = true;
        }
    }
    if (rc < 0)
        f->st.malformed++;
}

static void deliver_inc(void *ctx, const uint8_t *pkt, size_t len, int line, uint32_t seq)
{
    (void)line, (void)seq;
    process(ctx, pkt, len, GT_FEED_INCR_A);
}

static void deliver_idx(void *ctx, const uint8_t *pkt, size_t len, int line, uint32_t seq)
{
    (void)line, (void)seq;
    process(ctx, pkt, len, GT_FEED_INDEX_A);
}

/* ---- public --------------------------------------------------------------- */

int feed_open(struct feed **out, const struct feed_opts *o, char err[GT_ERRLEN])
{
    *out = NULL;
    if (!o || !o->emit) {
        snprintf(err, GT_ERRLEN, "feed: no emit callback");
        return GT_EINVAL;
    }
    struct feed *f = calloc(1, sizeof *f);
    if (!f)
        goto nomem;
    f->o = *o;
    if (!f->o.max_instruments)
        f->o.max_instruments = 4096;
    if (!f->o.queue_len)
        f->o.queue_len = 1u << 18;
    if (!f->o.max_event)
        f->o.max_event = 4096;
    if (!f->o.max_orders)
        f->o.max_orders = 1u << 18;
    if (!f->o.order_queue_len)
        f->o.order_queue_len = 1u << 16;
    f->stage_cap = f->o.max_event + f->o.max_instruments;
    f->flush_gen = 1; /* an instrument's stamps start at 0: no event's */
    f->event_no = 1;  /* as its leg_event */
    f->inst = calloc(f->o.max_instruments, sizeof *f->inst);
    f->keep = calloc(f->o.max_instruments, sizeof *f->keep);
    f->q = calloc(f->o.queue_len, sizeof *f->q);
    f->stage = calloc(f->stage_cap, GT_TICK_LEN);
    f->stage_grp = calloc(f->stage_cap, sizeof *f->stage_grp);
    f->grp = calloc(f->stage_cap, sizeof *f->grp);
    f->out = calloc(f->stage_cap, GT_TICK_LEN);
    f->dfr = calloc(FEED_DEFER_N, sizeof *f->dfr);
    if (!f->inst || !f->keep || !f->q || !f->stage || !f->stage_grp || !f->grp || !f->out ||
        !f->dfr || book_set_init(&f->bs, f->o.max_instruments) < 0 ||
        imp_set_init(&f->imp, f->o.max_instruments) < 0 ||
        mbo_set_init(&f->mbo, f->o.max_instruments, f->o.max_orders, f->o.order_queue_len) < 0)
        goto nomem;
    /* The window must outlast a receive batch from one line while the other
     * line's copy of a missing packet still waits in its socket. */
    struct arb_config ac = {
        .max_held = o->arb_window ? o->arb_window : 1024, .max_wait_ns = o->arb_wait_ns, .ctx = f};
    ac.deliver = deliver_inc;
    ac.gap = on_gap;
    ac.reset = on_reset;
    ac.resync = on_resync;
    if (arb_init(&f->arb_inc, &ac) < 0)
        goto nomem;
    ac.deliver = deliver_idx;
    ac.gap = on_idx_gap;
    ac.reset = NULL;
    ac.resync = on_idx_resync;
    if (arb_init(&f->arb_idx, &ac) < 0)
        goto nomem;
    *out = f;
    return GT_OK;
nomem:
    feed_close(f);
    snprintf(err, GT_ERRLEN, "feed: out of memory");
    return GT_ENOMEM;
}

void feed_close(struct feed *f)
{
    if (!f)
        return;
    arb_fini(&f->arb_inc);
    arb_fini(&f->arb_idx);
    book_set_fini(&f->bs);
    imp_set_fini(&f->imp);
    mbo_set_fini(&f->mbo);
    free(f->inst);
    free(f->keep);
    free(f->q);
    free(f->stage);
    free(f->stage_grp);
    free(f->grp);
    free(f->out);
    free(f->dfr);
    free(f);
}

static int take_err(struct feed *f)
{
    int rc = f->err;
    f->err = 0;
    return rc;
}

/* Does the datagram frame as MDP 3.0: a header, then one or more whole
 * messages? One that does not is no packet of the exchange's and its
 * MsgSeqNum is noise: offered to an arbiter it would take the place of the
 * other line's copy, or, far ahead, declare a gap that never was. */
static bool pkt_frames(const uint8_t *p, size_t len)
{
    struct mdp3_pkt pkt;
    struct mdp3_msg msg;
    int rc, n = 0;
    if (mdp3_pkt_init(&pkt, p, len) < 0)
        return false;
    while ((rc = mdp3_pkt_next(&pkt, &msg)) > 0)
        n++;
    return rc == 0 && n > 0;
}

int feed_packet(struct feed *f, int which, const uint8_t *p, size_t len, int64_t recv_ns)
{
    if (which < 0 || which >= GT_N_FEEDS)
        return GT_EINVAL;
    f->st.packets[which]++;
    f->recv_ns = recv_ns;
    struct arb *a = NULL; /* the lines A/B that are arbitrated */
    int line = which == GT_FEED_INCR_A || which == GT_FEED_INDEX_A ? ARB_LINE_A : ARB_LINE_B;
    if (which == GT_FEED_INCR_A || which == GT_FEED_INCR_B)
        a = &f->arb_inc;
    else if (which == GT_FEED_INDEX_A || which == GT_FEED_INDEX_B)
        a = &f->arb_idx;
    if (!a)
        process(f, p, len, which);
    else if (!pkt_frames(p, len)) /* garbage must not take a sequence number */
        f->st.malformed++;
    else
        arb_offer(a, line, p, len, f->clock_ns ? f->clock_ns : recv_ns);
    if (!f->in_event && f->n_dfr)
        drain_deferred(f); /* the event that held them was cut by a gap */
    return take_err(f);
}

void feed_clock(struct feed *f, int64_t now_ns)
{
    f->clock_ns = now_ns;
    /* A batch read at one moment: its holes age in feed_poll(), after all of
     * it was offered, not at the packet of line A that precedes line B's copy. */
    arb_age_on_offer(&f->arb_inc, now_ns == 0);
    arb_age_on_offer(&f->arb_idx, now_ns == 0);
}

int feed_poll(struct feed *f, int64_t now_ns)
{
    f->recv_ns = now_ns;
    arb_poll(&f->arb_inc, now_ns);
    arb_poll(&f->arb_idx, now_ns);
    if (f->in_event && now_ns - f->event_ns > FEED_EVENT_TIMEOUT_NS) {
        /* The end of the event never came (its packet is in a hole the arbiter
         * will report): publish what there is, cut. */
        flush(f, true);
        f->in_event = false;
        drain_deferred(f);
    }
    return take_err(f);
}

int64_t feed_due(const struct feed *f)
{
    int64_t due = arb_due(&f->arb_inc), idx = arb_due(&f->arb_idx);
    if (idx < due)
        due = idx;
    if (f->in_event && f->event_ns + FEED_EVENT_TIMEOUT_NS + 1 < due)
        due = f->event_ns + FEED_EVENT_TIMEOUT_NS + 1; /* feed_poll cuts past the timeout */
    return due;
}

int feed_advance(struct feed *f, int64_t until)
{
    for (int i = 0; i < FEED_POLLS_MAX; i++) {
        int64_t due = feed_due(f);
        if (due > until)
            return GT_OK;
        int rc = feed_poll(f, due);
        if (rc < 0)
            return rc;
    }
    return GT_OK;
}

bool feed_in_event(const struct feed *f)
{
    return f->in_event;
}

const struct feed_stats *feed_stats(const struct feed *f)
{
    struct feed *mf = (struct feed *)f;
    mf->st.duplicates[GT_FEED_INCR_A] = f->arb_inc.stats.duplicates[0];
    mf->st.duplicates[GT_FEED_INCR_B] = f->arb_inc.stats.duplicates[1];
    mf->st.duplicates[GT_FEED_INDEX_A] = f->arb_idx.stats.duplicates[0];
    mf->st.duplicates[GT_FEED_INDEX_B] = f->arb_idx.stats.duplicates[1];
    const struct arb_stats *ai = &f->arb_inc.stats, *ax = &f->arb_idx.stats;
    mf->st.suspects = ai->suspects[0] + ai->suspects[1] + ax->suspects[0] + ax->suspects[1];
    mf->st.suspect_dropped = ai->suspect_dropped + ax->suspect_dropped;
    mf->st.jumps = ai->jumps + ax->jumps;
    mf->st.resyncs = ai->resyncs + ax->resyncs;
    mf->st.gaps = f->gaps_declared - ai->gaps_undone - ax->gaps_undone;
    mf->st.lost = f->lost_declared - ai->lost_undone - ax->lost_undone;
    return &f->st;
}

int feed_book(const struct feed *f, int32_t security_id, int64_t bid[][3], int64_t ask[][3],
              int cap, int *stale)
{
    struct book *b = book_set_get((struct book_set *)&f->bs, security_id, false);
    if (!b)
        return GT_ENOENT;
    int n = b->depth < cap ? b->depth : cap;
    for (int l = 0; l < n; l++) {
        bid[l][0] = b->bid[l].px, bid[l][1] = b->bid[l].qty, bid[l][2] = b->bid[l].n_orders;
        ask[l][0] = b->ask[l].px, ask[l][1] = b->ask[l].qty, ask[l][2] = b->ask[l].n_orders;
    }
    if (stale)
        *stale = b->stale;
    return n;
}

struct orders_ctx {
    struct feed_order *out;
    size_t cap, n;
};

static int orders_put(void *ctx, const struct mbo_order *o, int level)
{
    struct orders_ctx *c = ctx;
    if (c->n < c->cap)
        c->out[c->n] = (struct feed_order){o->id, o->prio, o->px, o->qty, o->side, (uint8_t)level};
    c->n++;
    return 0;
}

long feed_orders(const struct feed *f, int32_t security_id, struct feed_order *out, size_t cap,
                 int *stale)
{
    struct book *b = book_set_get((struct book_set *)&f->bs, security_id, false);
    if (!b)
        return GT_ENOENT;
    size_t ii = (size_t)(b - f->bs.books);
    struct orders_ctx c = {out, cap, 0};
    mbo_walk(&f->mbo, (uint32_t)ii, orders_put, &c);
    if (stale)
        *stale = f->mbo.books[ii].stale && f->mbo.books[ii].active;
    return (long)c.n;
}
