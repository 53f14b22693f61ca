/* SPDX-License-Identifier: MIT */
/* test_ticksim.c -- the simulator against the codec, the books and the feed:
 * the same seed gives the same bytes; the pcap decoded by the MDP 3.0 decoder
 * and applied to feedhandler/book.h books per CME MBP rules reproduces the
 * truth file's trades, statistics, index values and final books, and every
 * snapshot matches the book at its LastMsgSeqNumProcessed; tickfeed's core
 * recovers the truth's books through line faults and common loss; calendar
 * spreads' definitions, leg prints and implied books (every implied level is
 * what the direct books imply, recomputed here from the decoded books); fault
 * rates are what was asked; the pcap's framing is valid; the CLI answers.
 * Live multicast and tshark: test_sim.c. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <criterion/new/assert.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "book.h"
#include "fault.h"
#include "feed.h"
#include "gputick/bytes.h"
#include "mdp3.h"
#include "gputick/tick.h"
#include "market.h"
#include "pcap.h"
#include <stdarg.h>
#include "gputick/time.h"
#include "sim.h"
#include "truth.h"

/* Runs here are bounded by event counts and touch only files, so only the
 * tests that spawn a process or run the feed carry a .timeout: criterion
 * 2.4's runner leaks a 48-byte watchdog record (LeakSanitizer fails the
 * suite) when several timed workers end close together under --jobs 2. */

/* ---- helpers ------------------------------------------------------------- */

static char dir[64];

static void tmpdir_make(void)
{
    snprintf(dir, sizeof dir, "/tmp/gt_ticksim_XXXXXX");
    cr_assert(not(eq(ptr, mkdtemp(dir), NULL)));
}

static void tmpdir_remove(void)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        cr_assert(false, "opendir %s", dir);
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.') {
            char p[384];
            snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
            if (unlink(p) != 0)
                cr_assert(false, "unlink %s", p);
        }
    closedir(d);
    if (rmdir(dir) != 0)
        cr_assert(false, "rmdir %s", dir);
}

static const char *path_in(const char *name)
{
    static char p[4][128];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof p[k], "%s/%s", dir, name);
    return p[k];
}

/* A short run into files: no multicast, unpaced. */
static void cfg_files(struct sim_config *c, const char *pcap, const char *truth, uint64_t events)
{
    sim_config_default(c);
    c->live = false;
    c->day_seconds = 0;
    c->pcap = pcap;
    c->truth = truth;
    c->max_events = events;
    c->duration_ns = INT64_MAX / 4;
}

static void run_ok(const struct sim_config *c, struct sim_stats *st)
{
    char err[GT_ERRLEN];
    int rc = sim_run(c, NULL, st, err);
    cr_assert(eq(int, rc, GT_OK), "sim_run: %s", err);
}

struct file {
    uint8_t *p;
    size_t len;
};

static struct file file_read(const char *path)
{
    struct file f = {0};
    FILE *fp = fopen(path, "rb");
    cr_assert(not(eq(ptr, fp, NULL)), "open %s", path);
    fseek(fp, 0, SEEK_END);
    f.len = (size_t)ftell(fp);
    fseek(fp, 0, SEEK_SET);
    f.p = malloc(f.len + 1);
    cr_assert(eq(sz, fread(f.p, 1, f.len, fp), f.len));
    f.p[f.len] = 0;
    fclose(fp);
    return f;
}

/* A number after "key": in a JSON line; INT64_MIN when absent or null. */
static int64_t jnum(const char *line, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = strstr(line, pat);
    if (!p || p[strlen(pat)] == 'n')
        return INT64_MIN;
    return strtoll(p + strlen(pat), NULL, 10);
}

/* A string after "key": into out (without quotes); "" when absent. */
static const char *jstr(const char *line, const char *key, char *out, size_t cap)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\":\"", key);
    const char *p = strstr(line, pat);
    out[0] = 0;
    if (p) {
        p += strlen(pat);
        size_t n = strcspn(p, "\"");
        n = n < cap - 1 ? n : cap - 1;
        memcpy(out, p, n);
        out[n] = 0;
    }
    return out;
}

/* The lines of a truth file of one type, or of several ("trade|spread_trade"),
 * in order. */
struct lines {
    char **l;
    size_t n;
    struct file f;
};

static struct lines truth_lines(const char *path, const char *type)
{
    struct lines ls = {.f = file_read(path)};
    char want[4][48], *save = NULL;
    int n_want = 0;
    for (const char *t = type; *t && n_want < 4; n_want++) {
        size_t len = strcspn(t, "|");
        snprintf(want[n_want], sizeof want[n_want], "{\"type\":\"%.*s\"", (int)len, t);
        t += len + (t[len] == '|');
    }
    ls.l = calloc(ls.f.len / 16 + 1, sizeof *ls.l);
    for (char *s = strtok_r((char *)ls.f.p, "\n", &save); s; s = strtok_r(NULL, "\n", &save))
        for (int k = 0; k < n_want; k++)
            if (strncmp(s, want[k], strlen(want[k])) == 0)
                ls.l[ls.n++] = s;
    return ls;
}

static void lines_free(struct lines *ls)
{
    free(ls->l);
    free(ls->f.p);
}

static uint8_t side_of(char entry_type)
{
    return entry_type == MDP3_ET_BID || entry_type == MDP3_ET_IMPLIED_BID ? GT_SIDE_BID
                                                                          : GT_SIDE_ASK;
}

static bool is_implied(char entry_type)
{
    return entry_type == MDP3_ET_IMPLIED_BID || entry_type == MDP3_ET_IMPLIED_OFFER;
}

/* ---- determinism --------------------------------------------------------- */

Test(ticksim, same_seed_same_bytes_other_seed_other_bytes)
{
    tmpdir_make();
    struct sim_config c;
    struct sim_stats st;
    const char *names[3] = {"a.pcap", "b.pcap", "c.pcap"};
    for (int k = 0; k < 3; k++) {
        cfg_files(&c, path_in(names[k]),
                  path_in(k == 0   ? "a.jsonl"
                          : k == 1 ? "b.jsonl"
                                   : "c.jsonl"),
                  6000);
        c.market.seed = k == 2 ? 8 : 7;
        /* In session: spreads trade, legs print, implied books move. */
        c.market.start_ns = gt_ns_of_ymd(20261124) + 14 * 3600 * GT_NS_PER_SEC;
        c.emit.line[0].drop_p = 0.01;
        c.emit.line[1].reorder_p = 0.01;
        c.emit.line[1].reorder_window = 3;
        run_ok(&c, &st);
        cr_assert(gt(u64, st.emit.n_leg_prints, 20));
        cr_assert(gt(u64, st.emit.n_implied, 1000));
    }
    struct file a = file_read(path_in("a.pcap")), b = file_read(path_in("b.pcap")),
                d = file_read(path_in("c.pcap"));
    struct file ta = file_read(path_in("a.jsonl")), tb = file_read(path_in("b.jsonl"));
    cr_assert(gt(sz, a.len, 100000));
    cr_assert(eq(sz, a.len, b.len));
    cr_assert(eq(int, memcmp(a.p, b.p, a.len), 0), "same seed, different pcap bytes");
    cr_assert(eq(sz, ta.len, tb.len));
    cr_assert(eq(int, memcmp(ta.p, tb.p, ta.len), 0), "same seed, different truth");
    cr_assert(a.len != d.len || memcmp(a.p, d.p, a.len) != 0, "another seed, same bytes");
    free(a.p);
    free(b.p);
    free(d.p);
    free(ta.p);
    free(tb.p);
    tmpdir_remove();
}

/* Snapshot cycles (packets with MsgSeqNum 1 on snapshot line A) after the
 * last incremental packet with an event; fails if capture times go back. */
static int cycles_after_end(const char *path, const struct gt_channels *ch)
{
    struct pcap_reader r;
    struct pcap_rec rec;
    char err[GT_ERRLEN];
    cr_assert(eq(int, pcap_reader_open(&r, path, err), GT_OK), "%s", err);
    int64_t last_incr = INT64_MIN, prev = INT64_MIN;
    int cycles = 0, rc;
    while ((rc = pcap_reader_next(&r, &rec)) > 0) {
        cr_assert(ge(i64, rec.ts_ns, prev), "capture time went back at %zu", rec.off);
        prev = rec.ts_ns;
        struct mdp3_pkt pkt;
        struct mdp3_msg msg;
        if (rec.dst_port == ch->feed[GT_FEED_INCR_A].port &&
            mdp3_pkt_init(&pkt, rec.p, rec.len) == GT_OK && mdp3_pkt_next(&pkt, &msg) > 0 &&
            msg.template_id != MDP3_T_ADMIN_HEARTBEAT12) { /* heartbeats carry no event */
            last_incr = rec.ts_ns;
            cycles = 0;
        } else if (rec.dst_port == ch->feed[GT_FEED_SNAP_A].port && rec.len >= 4 &&
                   ld_le32(rec.p) == 1) {
            cycles++;
        }
    }
    cr_assert(eq(int, rc, 0));
    cr_assert(gt(i64, last_incr, INT64_MIN));
    pcap_reader_close(&r);
    return cycles;
}

/* --tail keeps the exchange's loops running after the last event, paced in
 * simulated time: a snapshot cycle every --snap-every, then the final one. */
Test(ticksim, tail_keeps_the_snapshot_loop_cycling_after_the_last_event)
{
    tmpdir_make();
    struct sim_config c;
    struct sim_stats st;
    cfg_files(&c, path_in("t0.pcap"), NULL, 3000);
    run_ok(&c, &st);
    cr_assert(eq(int, cycles_after_end(path_in("t0.pcap"), &c.ch), 1), "one last cycle");
    cfg_files(&c, path_in("t1.pcap"), NULL, 3000);
    c.emit.snap_every_ns = 30 * GT_NS_PER_SEC;
    c.tail_ns = 5 * 60 * GT_NS_PER_SEC;
    run_ok(&c, &st);
    int n = cycles_after_end(path_in("t1.pcap"), &c.ch);
    cr_assert(ge(int, n, 10), "5 min of 30 s cycles, then the last: %d", n);
    cr_assert(le(int, n, 11), "%d", n);
    tmpdir_remove();
}

/* ---- the pcap, decoded, is the truth --------------------------------------- */

enum { MAX_SEEN = 120000, RPT_SLOTS = 440000, MAX_SPREADS = 64 };

/* Whether a SecurityID is a spread's (1PYYMMG; outrights are P00000 + YYMM:
 * see docs/ticksim.md). */
static bool is_spread_id(int32_t id)
{
    return id >= 10000000;
}

/* A slot per SecurityID: outrights by product, year, month; spreads by
 * product, near year and month, and gap. */
static size_t rpt_ix(int32_t id)
{
    if (is_spread_id(id))
        return 40000 + (size_t)((id / 1000000 - 11) * 100000 + id % 100000) % 400000;
    return (size_t)((id / 100000 - 1) * 10000 + id % 10000) % 40000;
}

/* The product (0..3) of a SecurityID. */
static int product_of(int32_t id)
{
    return is_spread_id(id) ? id / 1000000 - 11 : id / 100000 - 1;
}

/* A spread as its definition 56 gives it. */
struct spread_def {
    int32_t id, near, far;
};

/* What decoding the capture found, in wire order. */
struct seen {
    struct book_set bs;
    struct book_set ibs; /* implied books, MarketDepth 2 (GBI) */
    struct spread_def sp[MAX_SPREADS];
    size_t n_sp;
    int32_t outright[MARKET_N_PRODUCTS][MARKET_N_MONTHS];
    int n_outright[MARKET_N_PRODUCTS];
    unsigned ev_products;   /* products whose direct books the open event moved */
    bool implied_unflagged; /* the open event's last implied entry lacks LastImpliedMsg */
    /* A spread trade whose leg prints are still to come: the legs, its price. */
    int legs_due;
    int32_t leg_id[2];
    int64_t leg_px[2], spread_px;
    int32_t spread_qty;
    size_t n_leg_prints, n_spread_trades, n_implied, n_implied_checks, n_snap_implied;
    uint32_t rpt[RPT_SLOTS]; /* last RptSeq per rpt_ix(security id) */
    uint32_t last_incr_seq;
    size_t n_trades, n_stats, n_status, n_index, n_snapshots, n_resets, n_defs, n_index_defs,
        n_index_repeats, n_heartbeats;
    char *def[MARKET_N_INSTR]; /* the first definition of each instrument, as a line */
    size_t n_def;
    size_t n_spanning; /* packets ending inside an event */
    size_t n_delete_from, n_delete_thru;
    uint64_t open_event_t; /* TransactTime of an event still open at a packet end; 0 none */
    bool in_event;
    uint32_t ix_rpt[8];
    char *trade[MAX_SEEN];
    char *bust[MAX_SEEN / 8]; /* TradeSummary entries with MDUpdateAction Delete */
    size_t n_busts;
    char *stat[MAX_SEEN];
    char *index[MAX_SEEN];
};
static struct seen *S;

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
    char buf[256];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof buf, f, ap);
    va_end(ap);
    return strdup(buf);
}

static void rpt_next(int32_t secid, uint32_t rpt)
{
    uint32_t *r = &S->rpt[rpt_ix(secid)];
    cr_assert(eq(u32, rpt, *r + 1), "security %d: RptSeq %u after %u", secid, rpt, *r);
    *r = rpt;
}

static const struct spread_def *spread_def_of(int32_t id)
{
    for (size_t i = 0; i < S->n_sp; i++)
        if (S->sp[i].id == id)
            return &S->sp[i];
    return NULL;
}

/* A spread trade prints its legs right after it, in its event: near then
 * far, no aggressor, its quantity, near - far = its price. Every other trade
 * has an aggressor. */
static void seen_trade_legs(const struct mdp3_trade48_entry *e)
{
    if (S->legs_due) {
        int k = 2 - S->legs_due--;
        cr_assert(eq(int, e->aggressor_side, 0), "a leg print with an aggressor");
        cr_assert(eq(i32, e->security_id, S->leg_id[k]), "leg %d of a spread trade", k);
        cr_assert(eq(i32, e->size, S->spread_qty));
        S->leg_px[k] = e->px;
        if (k == 1)
            cr_assert(eq(i64, S->leg_px[0] - S->leg_px[1], S->spread_px), "legs' difference");
        S->n_leg_prints++;
        return;
    }
    cr_assert(e->aggressor_side == 1 || e->aggressor_side == 2,
              "trade %u of %d: aggressor %d outside a spread's legs", e->trade_entry_id,
              e->security_id, e->aggressor_side);
    if (!is_spread_id(e->security_id) || e->update_action == MDP3_ACT_DELETE)
        return;
    const struct spread_def *d = spread_def_of(e->security_id);
    cr_assert(not(eq(ptr, (void *)d, NULL)), "a trade of undefined spread %d", e->security_id);
    S->legs_due = 2;
    S->leg_id[0] = d->near;
    S->leg_id[1] = d->far;
    S->spread_px = e->px;
    S->spread_qty = e->size;
    S->n_spread_trades++;
}

/* ---- implied books, recomputed from the decoded direct books -------------- */

struct ipx {
    int64_t px, qty;
};

/* The steps of one path: a's levels (prices times sa) against b's (times
 * sb), walked as an order trades through both, by cumulative quantity. */
static size_t path_steps(const struct book *a, bool a_bid, int sa, const struct book *b, bool b_bid,
                         int sb, struct ipx *out, size_t n)
{
    if (!a || !b)
        return n;
    const struct gt_mbp_level *la = a_bid ? a->bid : a->ask, *lb = b_bid ? b->bid : b->ask;
    int na = a_bid ? a->n_bid : a->n_ask, nb = b_bid ? b->n_bid : b->n_ask, i = 0, j = 0;
    if (!na || !nb)
        return n;
    int64_t ca = la[0].qty, cb = lb[0].qty, done = 0;
    while (i < na && j < nb) {
        int64_t upto = ca < cb ? ca : cb;
        out[n++] = (struct ipx){sa * la[i].px + sb * lb[j].px, upto - done};
        done = upto;
        if (ca == upto && ++i < na)
            ca += la[i].qty;
        if (cb == upto && ++j < nb)
            cb += lb[j].qty;
    }
    return n;
}

static int ipx_desc(const void *x, const void *y)
{
    int64_t a = ((const struct ipx *)x)->px, b = ((const struct ipx *)y)->px;
    return (a < b) - (a > b);
}

static const struct book *dbook(int32_t id)
{
    return book_set_get(&S->bs, id, false);
}

/* What instrument id's implied bids (bid) or offers should be: the steps of
 * every path, merged by price, without prices at or through its own direct
 * opposite best (or <= 0 for an outright), the best two. */
static int implied_want(int32_t id, bool bid, struct ipx out[2])
{
    static struct ipx st[1024];
    size_t n = 0;
    const struct spread_def *d = spread_def_of(id);
    if (d) { /* N - F */
        n = path_steps(dbook(d->near), bid, 1, dbook(d->far), !bid, -1, st, n);
    } else {
        for (size_t k = 0; k < S->n_sp; k++) {
            const struct spread_def *s = &S->sp[k];
            if (s->near == id) /* S + F */
                n = path_steps(dbook(s->id), bid, 1, dbook(s->far), bid, 1, st, n);
            else if (s->far == id) /* N - S */
                n = path_steps(dbook(s->near), bid, 1, dbook(s->id), !bid, -1, st, n);
        }
    }
    cr_assert(lt(sz, n, 1024));
    for (size_t k = 0; k < n; k++) /* sort the best first either way */
        st[k].px = bid ? st[k].px : -st[k].px;
    qsort(st, n, sizeof *st, ipx_desc);
    const struct book *own = dbook(id);
    int m = 0;
    for (size_t k = 0; k < n; k++) {
        int64_t px = bid ? st[k].px : -st[k].px;
        if ((!d && px <= 0) || (own && bid && own->n_ask && px >= own->ask[0].px) ||
            (own && !bid && own->n_bid && px <= own->bid[0].px))
            continue;
        if (m && out[m - 1].px == px)
            out[m - 1].qty += st[k].qty;
        else if (m == 2)
            break;
        else
            out[m++] = (struct ipx){px, st[k].qty};
    }
    return m;
}

/* Every implied book of product p against what the direct books imply. */
static void check_implied(int p)
{
    int32_t ids[MARKET_N_MONTHS + MAX_SPREADS];
    int n = 0;
    for (int k = 0; k < S->n_outright[p]; k++)
        ids[n++] = S->outright[p][k];
    for (size_t k = 0; k < S->n_sp; k++)
        if (product_of(S->sp[k].id) == p)
            ids[n++] = S->sp[k].id;
    for (int k = 0; k < n; k++) {
        const struct book *ib = book_set_get(&S->ibs, ids[k], false);
        for (int side = 0; side < 2; side++) {
            struct ipx want[2];
            int nw = implied_want(ids[k], side == 0, want);
            int got = ib ? (side ? ib->n_ask : ib->n_bid) : 0;
            cr_assert(eq(int, got, nw), "%d implied %s: %d levels, the legs imply %d", ids[k],
                      side ? "offers" : "bids", got, nw);
            for (int l = 0; l < nw; l++) {
                const struct gt_mbp_level *lv = &(side ? ib->ask : ib->bid)[l];
                cr_assert(eq(i64, lv->px, want[l].px), "%d implied level %d px", ids[k], l + 1);
                cr_assert(eq(i64, lv->qty, want[l].qty), "%d implied level %d qty", ids[k], l + 1);
            }
        }
        S->n_implied_checks++;
    }
}

static void seen_incr_msg(const struct mdp3_msg *msg)
{
    struct mdp3_incr m;
    uint8_t mei = 0;
    uint64_t t = 0;
    switch (msg->template_id) {
    case MDP3_T_BOOK46: {
        cr_assert(eq(int, mdp3_book46_decode(msg, &m), GT_OK));
        bool implied = false;
        for (size_t i = 0; i < m.entries.n; i++) {
            struct mdp3_book46_entry e;
            mdp3_book46_entry(&m, i, &e);
            rpt_next(e.security_id, e.rpt_seq);
            struct book_update u = {
                e.security_id,         e.rpt_seq,      e.px, e.size, e.n_orders, e.price_level,
                side_of(e.entry_type), e.update_action};
            struct book_set *bs = &S->bs;
            if (is_implied(e.entry_type)) { /* the GBI book, two deep, no order counts */
                cr_assert(eq(i32, e.n_orders, MDP3_I32_NULL), "an implied level's order count");
                implied = true;
                bs = &S->ibs;
                S->n_implied++;
                if (!book_set_get(bs, e.security_id, false))
                    book_depth_set(book_set_get(bs, e.security_id, true), MARKET_IMPLIED_DEPTH);
            } else {
                S->ev_products |= 1u << product_of(e.security_id);
            }
            cr_assert(not(eq(ptr, book_set_get(bs, e.security_id, true), NULL)));
            cr_assert(ge(int, book_set_apply(bs, &u), 0), "book entry refused");
            S->n_delete_from += e.update_action == MDP3_ACT_DELETE_FROM;
            S->n_delete_thru += e.update_action == MDP3_ACT_DELETE_THRU;
        }
        mei = m.mei, t = m.transact_time_ns;
        /* LastImpliedMsg: on the message with the event's last implied entry. */
        cr_assert(implied || !(mei & MDP3_MEI_LAST_IMPLIED), "LastImpliedMsg without implied");
        if (implied)
            S->implied_unflagged = !(mei & MDP3_MEI_LAST_IMPLIED);
        break;
    }
    case MDP3_T_TRADE_SUMMARY48:
        cr_assert(eq(int, mdp3_trade48_decode(msg, &m), GT_OK));
        for (size_t i = 0; i < m.entries.n; i++) {
            struct mdp3_trade48_entry e;
            mdp3_trade48_entry(&m, i, &e);
            rpt_next(e.security_id, e.rpt_seq);
            seen_trade_legs(&e);
            char **to = e.update_action == MDP3_ACT_DELETE
                            ? &S->bust[S->n_busts < MAX_SEEN / 8 ? S->n_busts++ : MAX_SEEN / 8 - 1]
                            : &S->trade[S->n_trades < MAX_SEEN ? S->n_trades++ : MAX_SEEN - 1];
            *to = fmt("%d %u %" PRId64 " %d %d %u %" PRIu64 " %u", e.security_id, e.rpt_seq, e.px,
                      e.size, e.aggressor_side, e.trade_entry_id, m.transact_time_ns,
                      S->last_incr_seq);
        }
        mei = m.mei, t = m.transact_time_ns;
        break;
    case MDP3_T_VOLUME37:
        cr_assert(eq(int, mdp3_volume37_decode(msg, &m), GT_OK));
        for (size_t i = 0; i < m.entries.n; i++) {
            struct mdp3_volume37_entry e;
            mdp3_volume37_entry(&m, i, &e);
            rpt_next(e.security_id, e.rpt_seq);
            S->stat[S->n_stats < MAX_SEEN ? S->n_stats++ : MAX_SEEN - 1] =
                fmt("%d %u e null %d", e.security_id, e.rpt_seq, e.size);
        }
        mei = m.mei, t = m.transact_time_ns;
        break;
    case MDP3_T_DAILY_STATISTICS49:
        cr_assert(eq(int, mdp3_daily49_decode(msg, &m), GT_OK));
        for (size_t i = 0; i < m.entries.n; i++) {
            struct mdp3_daily49_entry e;
            mdp3_daily49_entry(&m, i, &e);
            rpt_next(e.security_id, e.rpt_seq);
            if (e.px != MDP3_PX_NULL)
                S->stat[S->n_stats < MAX_SEEN ? S->n_stats++ : MAX_SEEN - 1] =
                    fmt("%d %u %c %" PRId64 " null", e.security_id, e.rpt_seq, e.entry_type, e.px);
            else
                S->stat[S->n_stats < MAX_SEEN ? S->n_stats++ : MAX_SEEN - 1] =
                    fmt("%d %u %c null %d", e.security_id, e.rpt_seq, e.entry_type, e.size);
        }
        mei = m.mei, t = m.transact_time_ns;
        break;
    case MDP3_T_SESSION_STATISTICS51:
        cr_assert(eq(int, mdp3_session51_decode(msg, &m), GT_OK));
        for (size_t i = 0; i < m.entries.n; i++) {
            struct mdp3_session51_entry e;
            mdp3_session51_entry(&m, i, &e);
            rpt_next(e.security_id, e.rpt_seq);
            S->stat[S->n_stats < MAX_SEEN ? S->n_stats++ : MAX_SEEN - 1] =
                fmt("%d %u %c %" PRId64 " null", e.security_id, e.rpt_seq, e.entry_type, e.px);
        }
        mei = m.mei, t = m.transact_time_ns;
        break;
    case MDP3_T_SECURITY_STATUS30: {
        struct mdp3_status30 s;
        cr_assert(eq(int, mdp3_status30_decode(msg, &s), GT_OK));
        S->n_status++;
        mei = s.mei, t = s.transact_time_ns;
        break;
    }
    case MDP3_T_CHANNEL_RESET4: {
        struct mdp3_reset4 r;
        cr_assert(eq(int, mdp3_reset4_decode(msg, &r), GT_OK));
        book_set_clear_all(&S->bs);
        book_set_event_end(&S->bs, NULL, NULL);
        book_set_clear_all(&S->ibs); /* the implied books empty too */
        book_set_event_end(&S->ibs, NULL, NULL);
        memset(S->rpt, 0, sizeof S->rpt);
        S->n_resets++;
        mei = r.mei, t = r.transact_time_ns;
        break;
    }
    case MDP3_T_ADMIN_HEARTBEAT12:
        cr_assert(not(S->in_event), "a heartbeat inside an event");
        S->n_heartbeats++;
        return;
    default:
        cr_assert(false, "unexpected template %u on the incremental feed", msg->template_id);
    }
    /* An event's messages share one TransactTime; EndOfEvent closes it. */
    if (S->in_event)
        cr_assert(eq(u64, t, S->open_event_t), "an event changed TransactTime before its end");
    S->in_event = !(mei & MDP3_MEI_END_OF_EVENT);
    S->open_event_t = t;
    if (!S->in_event) {
        book_set_event_end(&S->bs, NULL, NULL);
        book_set_event_end(&S->ibs, NULL, NULL);
        cr_assert(eq(int, S->legs_due, 0), "a spread trade's legs did not print in its event");
        cr_assert(not(S->implied_unflagged), "the last implied message lacks LastImpliedMsg");
        /* A restatement after a reset comes one instrument an event: the
         * implied books agree again once all are restated. */
        if (!(mei & MDP3_MEI_RECOVERY))
            for (int p = 0; p < MARKET_N_PRODUCTS; p++)
                if (S->ev_products & 1u << p)
                    check_implied(p);
        S->ev_products = 0;
    }
}

static void seen_incr_pkt(const uint8_t *p, size_t len)
{
    struct mdp3_pkt pkt;
    struct mdp3_msg msg;
    cr_assert(eq(int, mdp3_pkt_init(&pkt, p, len), GT_OK));
    cr_assert(eq(u32, pkt.seq, S->last_incr_seq + 1), "incremental packets out of order");
    S->last_incr_seq = pkt.seq;
    int rc;
    while ((rc = mdp3_pkt_next(&pkt, &msg)) > 0)
        seen_incr_msg(&msg);
    cr_assert(eq(int, rc, 0));
    S->n_spanning += S->in_event;
}

/* A snapshot must be the book as of its LastMsgSeqNumProcessed: here, now. */
static void seen_snapshot(const struct mdp3_msg *msg)
{
    struct mdp3_snapshot52 s;
    cr_assert(eq(int, mdp3_snapshot52_decode(msg, &s), GT_OK));
    cr_assert(eq(u32, s.last_msg_seq_num_processed, S->last_incr_seq));
    cr_assert(eq(u32, s.rpt_seq, S->rpt[rpt_ix(s.security_id)]), "snapshot RptSeq of %d",
              s.security_id);
    struct book *b = book_set_get(&S->bs, s.security_id, false);
    cr_assert(not(eq(ptr, b, NULL)));
    const struct book *ib = book_set_get(&S->ibs, s.security_id, false);
    int n_bid = 0, n_ask = 0, n_ibid = 0, n_iask = 0;
    for (size_t i = 0; i < s.entries.n; i++) {
        struct mdp3_snapshot52_entry e;
        mdp3_snapshot52_entry(&s, i, &e);
        if (is_implied(e.entry_type)) { /* as the implied book stands */
            bool bid = e.entry_type == MDP3_ET_IMPLIED_BID;
            cr_assert(not(eq(ptr, (void *)ib, NULL)), "implied levels of %d", s.security_id);
            cr_assert(eq(int, e.price_level, (bid ? n_ibid : n_iask) + 1));
            const struct gt_mbp_level *lv = &(bid ? ib->bid : ib->ask)[e.price_level - 1];
            *(bid ? &n_ibid : &n_iask) += 1;
            cr_assert(eq(i64, e.px, lv->px), "snapshot of %d implied level %d", s.security_id,
                      e.price_level);
            cr_assert(eq(i64, e.size, lv->qty));
            cr_assert(eq(i32, e.n_orders, MDP3_I32_NULL));
            S->n_snap_implied++;
            continue;
        }
        if (e.entry_type != MDP3_ET_BID && e.entry_type != MDP3_ET_OFFER)
            continue;
        const struct gt_mbp_level *lv =
            &(e.entry_type == MDP3_ET_BID ? b->bid : b->ask)[e.price_level - 1];
        *(e.entry_type == MDP3_ET_BID ? &n_bid : &n_ask) += 1;
        cr_assert(eq(i64, e.px, lv->px), "snapshot of %d level %d", s.security_id, e.price_level);
        cr_assert(eq(i64, e.size, lv->qty));
        cr_assert(eq(i32, e.n_orders, lv->n_orders));
    }
    cr_assert(eq(int, n_bid, b->n_bid));
    cr_assert(eq(int, n_ask, b->n_ask));
    cr_assert(eq(int, n_ibid, ib ? ib->n_bid : 0), "implied bids in the snapshot of %d",
              s.security_id);
    cr_assert(eq(int, n_iask, ib ? ib->n_ask : 0));
    S->n_snapshots++;
}

static void seen_index_pkt(const uint8_t *p, size_t len)
{
    struct mdp3_pkt pkt;
    struct mdp3_msg msg;
    cr_assert(eq(int, mdp3_pkt_init(&pkt, p, len), GT_OK));
    while (mdp3_pkt_next(&pkt, &msg) > 0) {
        if (msg.template_id == MDP3_T_DEFINITION_INDICES347) {
            struct mdp3_def347 d;
            if (mdp3_def347_decode(&msg, &d) != GT_OK || strncmp(d.symbol, "SD", 2) != 0)
                cr_assert(false, "index definition");
            S->n_index_defs++;
            continue;
        }
        struct mdp3_idx348 m;
        cr_assert(eq(int, mdp3_idx348_decode(&msg, &m), GT_OK));
        for (size_t i = 0; i < m.entries.n; i++) {
            struct mdp3_idx348_entry e;
            mdp3_idx348_entry(&m, i, &e);
            int ix = -1;
            for (int k = 0; k < MARKET_N_PRODUCTS; k++)
                if (!strcmp(e.symbol, market_index_name[k]))
                    ix = k;
            cr_assert(ge(int, ix, 0), "unknown index '%s'", e.symbol);
            if (e.rpt_seq <= S->ix_rpt[ix]) { /* a periodic repeat of the latest */
                cr_assert(eq(u32, e.rpt_seq, S->ix_rpt[ix]), "a repeat of an older value");
                S->n_index_repeats++;
                continue;
            }
            cr_assert(eq(u32, e.rpt_seq, S->ix_rpt[ix] + 1));
            S->ix_rpt[ix] = e.rpt_seq;
            int64_t px;
            cr_assert(eq(int, mdp3_dec64_to_px(e.px, &px), GT_OK));
            S->index[S->n_index < MAX_SEEN ? S->n_index++ : MAX_SEEN - 1] =
                fmt("%s %u %d %" PRId64, e.symbol, e.rpt_seq, e.entry_code, px);
        }
    }
}

/* Keeps the first definition line of each instrument; later cycles must
 * repeat it. Returns whether it is the first. */
static bool def_record(char *line, const char *symbol)
{
    S->n_defs++;
    for (size_t i = 0; i < S->n_def; i++)
        if (strncmp(S->def[i], line, strlen(symbol) + 1) == 0) {
            if (strcmp(S->def[i], line) != 0)
                cr_assert(eq(str, S->def[i], line), "a definition changed between cycles");
            free(line);
            return false;
        }
    if (S->n_def == MARKET_N_INSTR)
        cr_assert(false, "more than %d instruments defined", MARKET_N_INSTR);
    S->def[S->n_def++] = line;
    return true;
}

/* A spread's definition 56: type, legs, book depths. */
static void seen_spread_definition(const struct mdp3_msg *msg)
{
    struct mdp3_def56 d;
    if (mdp3_def56_decode(msg, &d) != GT_OK || d.legs.n != 2 || d.feed_types.n != 2)
        cr_assert(false, "spread definition");
    struct mdp3_def56_leg l[2];
    struct mdp3_def54_feed_type ft[2];
    for (int k = 0; k < 2; k++) {
        mdp3_def56_leg(&d, (size_t)k, &l[k]);
        mdp3_def56_feed_type(&d, (size_t)k, &ft[k]);
    }
    char *line = fmt("%s %d %s %s %" PRId64 " %d %d %d %d %d %d %s %d %s %d %u", d.symbol,
                     d.security_id, d.security_type, d.security_sub_type, d.min_price_increment_px,
                     l[0].security_id, l[0].side, l[0].ratio_qty, l[1].security_id, l[1].side,
                     l[1].ratio_qty, ft[0].md_feed_type, ft[0].market_depth, ft[1].md_feed_type,
                     ft[1].market_depth, d.tot_num_reports);
    if (def_record(line, d.symbol)) {
        cr_assert(lt(sz, S->n_sp, MAX_SPREADS));
        S->sp[S->n_sp++] = (struct spread_def){d.security_id, l[0].security_id, l[1].security_id};
    }
}

/* Definitions: every field a receiver needs, the same in every cycle. */
static void seen_definition(const struct mdp3_msg *msg)
{
    if (msg->template_id == MDP3_T_DEFINITION_SPREAD56) {
        seen_spread_definition(msg);
        return;
    }
    struct mdp3_def54 d;
    if (mdp3_def54_decode(msg, &d) != GT_OK)
        cr_assert(false, "definition does not decode");
    struct mdp3_def54_event ev[2];
    struct mdp3_def54_feed_type ft, gbi;
    if (d.events.n != 2 || d.feed_types.n != 2)
        cr_assert(false, "definition of %d: %u events, %u feed types", d.security_id, d.events.n,
                  d.feed_types.n);
    mdp3_def54_event(&d, 0, &ev[0]);
    mdp3_def54_event(&d, 1, &ev[1]);
    mdp3_def54_feed_type(&d, 0, &ft);
    mdp3_def54_feed_type(&d, 1, &gbi);
    cr_assert(eq(str, gbi.md_feed_type, "GBI"));
    cr_assert(eq(int, gbi.market_depth, MARKET_IMPLIED_DEPTH));
    char *line = fmt("%s %d %d-%02d %" PRId64 " %" PRId64 " %s %" PRId64 " %s %d %d %" PRIu64
                     " %d %" PRIu64 " %u",
                     d.symbol, d.security_id, d.maturity_year, d.maturity_month,
                     d.min_price_increment_px, d.display_factor, d.unit_of_measure,
                     d.unit_of_measure_qty, ft.md_feed_type, ft.market_depth, ev[0].event_type,
                     ev[0].event_time_ns, ev[1].event_type, ev[1].event_time_ns, d.tot_num_reports);
    int p = product_of(d.security_id);
    if (def_record(line, d.symbol) && p >= 0 && p < MARKET_N_PRODUCTS &&
        S->n_outright[p] < MARKET_N_MONTHS)
        S->outright[p][S->n_outright[p]++] = d.security_id;
}

static char *expect_spread(const char *l)
{
    char sym[24], leg_sym[2][16];
    const char *leg[2];
    leg[0] = strstr(l, "\"legs\":[");
    cr_assert(not(eq(ptr, (void *)leg[0], NULL)));
    leg[1] = strstr(leg[0] + 9, "{\"symbol\"");
    cr_assert(not(eq(ptr, (void *)leg[1], NULL)));
    jstr(leg[0], "symbol", leg_sym[0], sizeof leg_sym[0]);
    jstr(leg[1], "symbol", leg_sym[1], sizeof leg_sym[1]);
    jstr(l, "symbol", sym, sizeof sym);
    /* The near leg's symbol, a dash, the far leg's month and year (CME's
     * whole second symbol would not fit a tick's 12 bytes). */
    char joined[40], product[16];
    jstr(l, "product", product, sizeof product);
    cr_assert(eq(int, strncmp(leg_sym[1], product, strlen(product)), 0));
    snprintf(joined, sizeof joined, "%s-%s", leg_sym[0], leg_sym[1] + strlen(product));
    cr_assert(eq(str, sym, joined));
    return fmt("%s %" PRId64 " FUT SP %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64
               " %" PRId64 " %" PRId64 " GBX %" PRId64 " GBI %" PRId64 " %d",
               sym, jnum(l, "security_id"), jnum(l, "tick_px"), jnum(leg[0], "security_id"),
               jnum(leg[0], "side"), jnum(leg[0], "ratio"), jnum(leg[1], "security_id"),
               jnum(leg[1], "side"), jnum(leg[1], "ratio"), jnum(l, "market_depth"),
               jnum(l, "implied_depth"), MARKET_N_INSTR);
}

static char *expect_def(const char *l)
{
    if (strncmp(l, "{\"type\":\"spread\"", 16) == 0)
        return expect_spread(l);
    char sym[16], mat[16];
    return fmt("%s %" PRId64 " %s %" PRId64 " %d %s %" PRId64 " %s %" PRId64 " %d %" PRId64
               " %d %" PRId64 " %d",
               jstr(l, "symbol", sym, sizeof sym), jnum(l, "security_id"),
               jstr(l, "maturity", mat, sizeof mat), jnum(l, "tick_px"), 1000000000, "GPUh",
               jnum(l, "unit_gpuh") * 1000000000, "GBX", (int64_t)jnum(l, "market_depth"), 5,
               jnum(l, "activation_ns"), 7, jnum(l, "last_trade_ns"), MARKET_N_INSTR);
}

/* Walks a capture in file order and hands each payload to the decoders above. */
static void seen_capture(const char *path, const struct gt_channels *ch)
{
    struct pcap_reader r;
    struct pcap_rec rec;
    char err[GT_ERRLEN];
    if (pcap_reader_open(&r, path, err) != GT_OK)
        cr_assert(false, "%s", err);
    int rc;
    while ((rc = pcap_reader_next(&r, &rec)) > 0) {
        if (rec.dst_port == ch->feed[GT_FEED_INCR_A].port) {
            seen_incr_pkt(rec.p, rec.len);
        } else if (rec.dst_port == ch->feed[GT_FEED_SNAP_A].port) {
            struct mdp3_pkt pkt;
            struct mdp3_msg msg;
            cr_assert(eq(int, mdp3_pkt_init(&pkt, rec.p, rec.len), GT_OK));
            while (mdp3_pkt_next(&pkt, &msg) > 0)
                seen_snapshot(&msg);
        } else if (rec.dst_port == ch->feed[GT_FEED_DEF_A].port) {
            struct mdp3_pkt pkt;
            struct mdp3_msg msg;
            if (mdp3_pkt_init(&pkt, rec.p, rec.len) != GT_OK)
                cr_assert(false, "definition packet");
            while (mdp3_pkt_next(&pkt, &msg) > 0)
                seen_definition(&msg);
        } else if (rec.dst_port == ch->feed[GT_FEED_INDEX_A].port) {
            seen_index_pkt(rec.p, rec.len);
        }
    }
    cr_assert(eq(int, rc, 0));
    pcap_reader_close(&r);
}

static void compare_list(char **got, size_t n_got, struct lines *want, const char *what,
                         char *(*expect)(const char *line))
{
    cr_assert(eq(sz, n_got, want->n), "%s: %zu decoded, %zu in the truth", what, n_got, want->n);
    for (size_t i = 0; i < n_got; i++) {
        char *w = expect(want->l[i]);
        cr_assert(eq(str, got[i], w), "%s %zu", what, i);
        free(w);
    }
}

static char *expect_trade(const char *l)
{
    char ag[8];
    int64_t side = jnum(l, "aggressor_side");
    jstr(l, "aggressor", ag, sizeof ag);
    cr_assert(eq(str, ag, side == 1 ? "buy" : side == 2 ? "sell" : "none"));
    /* Leg prints, and only they, name their spread and have no aggressor. */
    cr_assert(eq(int, side == 0, strstr(l, "\"leg\":true") != NULL), "%s", l);
    return fmt("%" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64 " %" PRId64
               " %" PRId64,
               jnum(l, "security_id"), jnum(l, "rpt_seq"), jnum(l, "px"), jnum(l, "qty"), side,
               jnum(l, "trade_id"), jnum(l, "t_ns"), jnum(l, "seq"));
}

static char *expect_stat(const char *l)
{
    char et[4], px[24] = "null", qty[24] = "null";
    if (jnum(l, "px") != INT64_MIN)
        snprintf(px, sizeof px, "%" PRId64, jnum(l, "px"));
    if (jnum(l, "qty") != INT64_MIN)
        snprintf(qty, sizeof qty, "%" PRId64, jnum(l, "qty"));
    return fmt("%" PRId64 " %" PRId64 " %s %s %s", jnum(l, "security_id"), jnum(l, "rpt_seq"),
               jstr(l, "entry_type", et, sizeof et), px, qty);
}

static char *expect_index(const char *l)
{
    char sym[16];
    return fmt("%s %" PRId64 " %" PRId64 " %" PRId64, jstr(l, "symbol", sym, sizeof sym),
               jnum(l, "rpt_seq"), jnum(l, "code"), jnum(l, "px"));
}

/* The final book lines against books: every level, and the RptSeq (rpt
 * non-NULL) and order counts (orders). */
static void compare_books(struct lines *books, const uint32_t *rpt, bool orders,
                          const struct book *(*book_of)(int32_t id, void *ctx), void *ctx)
{
    for (size_t i = 0; i < books->n; i++) {
        const char *l = books->l[i];
        int32_t id = (int32_t)jnum(l, "security_id");
        const struct book *b = book_of(id, ctx);
        cr_assert(b != NULL, "no book for %d", id);
        if (rpt)
            cr_assert(eq(i64, (int64_t)rpt[rpt_ix(id)], jnum(l, "rpt_seq")), "RptSeq of %d", id);
        cr_assert(eq(i64, b->n_bid, jnum(l, "n_bid")), "bids of %d", id);
        cr_assert(eq(i64, b->n_ask, jnum(l, "n_ask")), "asks of %d", id);
        const char *lv = strstr(l, "\"levels\":[");
        int n = 0;
        while ((lv = strstr(lv + 1, "{\"side\":"))) {
            char side[8];
            int level = (int)jnum(lv, "level");
            const struct gt_mbp_level *bl =
                &(strcmp(jstr(lv, "side", side, sizeof side), "bid") ? b->ask : b->bid)[level - 1];
            cr_assert(eq(i64, bl->px, jnum(lv, "px")), "%d %s level %d px", id, side, level);
            cr_assert(eq(i64, bl->qty, jnum(lv, "qty")), "%d %s level %d qty", id, side, level);
            if (orders)
                cr_assert(eq(i64, bl->n_orders, jnum(lv, "orders")), "%d %s level %d orders", id,
                          side, level);
            n++;
        }
        cr_assert(eq(int, n, b->n_bid + b->n_ask));
    }
}

/* A temporary folder and an empty S. */
static void seen_new(void)
{
    tmpdir_make();
    S = calloc(1, sizeof *S);
    cr_assert(eq(int, book_set_init(&S->bs, MARKET_N_INSTR), GT_OK));
    cr_assert(eq(int, book_set_init(&S->ibs, MARKET_N_INSTR), GT_OK));
}

/* Frees S and what it holds. */
static void seen_free(void)
{
    book_set_fini(&S->bs);
    book_set_fini(&S->ibs);
    for (size_t i = 0; i < S->n_trades; i++)
        free(S->trade[i]);
    for (size_t i = 0; i < S->n_busts; i++)
        free(S->bust[i]);
    for (size_t i = 0; i < S->n_stats; i++)
        free(S->stat[i]);
    for (size_t i = 0; i < S->n_index; i++)
        free(S->index[i]);
    for (size_t i = 0; i < S->n_def; i++)
        free(S->def[i]);
    free(S);
}

static const struct book *seen_book(int32_t id, void *ctx)
{
    (void)ctx;
    return book_set_get(&S->bs, id, false);
}

/* An implied book; an instrument without implied entries has an empty one. */
static const struct book *seen_implied(int32_t id, void *ctx)
{
    (void)ctx;
    static const struct book empty;
    const struct book *b = book_set_get(&S->ibs, id, false);
    return b ? b : &empty;
}

Test(ticksim, pcap_decoded_reproduces_truth_trades_stats_indexes_and_books, .timeout = 60)
{
    seen_new();
    struct sim_config c;
    struct sim_stats st;
    /* A day's fixing, close and the next morning, a reset in between, sweeps often. */
    cfg_files(&c, path_in("d.pcap"), path_in("d.jsonl"), 0);
    c.market.start_ns =
        gt_ns_of_ymd(20261130) + 19 * 3600 * GT_NS_PER_SEC + 50 * 60 * GT_NS_PER_SEC;
    c.duration_ns = 18 * 3600 * GT_NS_PER_SEC; /* the 20:00 fixing, the close, the morning */
    c.market.sweep_share = 0.3;
    c.emit.snap_every_ns = 10 * 60 * GT_NS_PER_SEC;
    c.reset_ns = gt_ns_of_ymd(20261201) + 13 * 3600 * GT_NS_PER_SEC + 40 * 60 * GT_NS_PER_SEC;
    run_ok(&c, &st);
    cr_assert(gt(u64, st.n_events, 10000));
    seen_capture(c.pcap, &c.ch);

    struct lines trades = truth_lines(c.truth, "trade|spread_trade"),
                 stats = truth_lines(c.truth, "stat|spread_stat"),
                 ix = truth_lines(c.truth, "index"), fix = truth_lines(c.truth, "fixing"),
                 books = truth_lines(c.truth, "book|spread_book"),
                 implied = truth_lines(c.truth, "implied_book"),
                 feeds = truth_lines(c.truth, "feed");
    cr_assert(gt(sz, trades.n, 1000));
    compare_list(S->trade, S->n_trades, &trades, "trade", expect_trade);
    compare_list(S->stat, S->n_stats, &stats, "statistic", expect_stat);
    /* Index values and fixings interleave on the wire as in the truth file. */
    struct lines all_ix = truth_lines(c.truth, "index");
    all_ix.n = 0;
    struct lines every = {.f = file_read(c.truth)};
    every.l = calloc(every.f.len / 16 + 1, sizeof *every.l);
    char *save = NULL;
    for (char *s = strtok_r((char *)every.f.p, "\n", &save); s; s = strtok_r(NULL, "\n", &save))
        if (!strncmp(s, "{\"type\":\"index\"", 15) || !strncmp(s, "{\"type\":\"fixing\"", 16))
            every.l[every.n++] = s;
    cr_assert(eq(sz, every.n, ix.n + fix.n));
    cr_assert(gt(sz, fix.n, 0), "a day's fixing was published");
    compare_list(S->index, S->n_index, &every, "index value", expect_index);
    cr_assert(eq(sz, books.n, MARKET_N_INSTR));
    compare_books(&books, S->rpt, true, seen_book, NULL);
    cr_assert(eq(sz, implied.n, MARKET_N_INSTR));
    compare_books(&implied, NULL, false, seen_implied, NULL);
    struct lines instr = truth_lines(c.truth, "instrument|spread");
    cr_assert(gt(sz, S->n_defs, (size_t)MARKET_N_INSTR), "the definition loop repeats");
    cr_assert(ge(sz, S->n_index_defs, (size_t)MARKET_N_PRODUCTS));
    compare_list(S->def, S->n_def, &instr, "definition", expect_def);
    lines_free(&instr);
    /* The last MsgSeqNum per feed. */
    cr_assert(eq(i64, jnum(feeds.l[GT_FEED_INCR_A], "last_msg_seq"), S->last_incr_seq));
    cr_assert(eq(u32, st.last_seq[GT_FEED_INCR_A], S->last_incr_seq));
    /* What the run had to show. */
    cr_assert(eq(sz, S->n_resets, 1));
    cr_assert(gt(sz, S->n_snapshots, 100));
    cr_assert(gt(sz, S->n_index_repeats, 100), "the index channel repeats its latest values");
    cr_assert(gt(sz, S->n_heartbeats, 100), "heartbeats while the market is closed");
    cr_assert(eq(u64, S->n_heartbeats, st.emit.n_heartbeats));
    cr_assert(gt(sz, S->n_spanning, 0), "no event spanned packets");
    cr_assert(not(S->in_event), "the last event never ended");
    cr_assert(gt(sz, S->n_delete_from, 0), "no sweep deleted from the top");
    cr_assert(gt(sz, S->n_delete_thru, 0), "the expiring contract's book was not emptied");
    cr_assert(eq(sz, S->n_busts, 0), "no busts unless asked for");
    /* Spreads: listed, traded with their legs, implied both ways. */
    cr_assert(eq(sz, S->n_sp, (size_t)(MARKET_N_PRODUCTS * MARKET_N_SPREADS)));
    cr_assert(gt(sz, S->n_spread_trades, 100));
    cr_assert(eq(sz, S->n_leg_prints, 2 * S->n_spread_trades));
    cr_assert(eq(u64, S->n_leg_prints, st.emit.n_leg_prints));
    cr_assert(eq(u64, S->n_implied, st.emit.n_implied));
    cr_assert(gt(sz, S->n_implied, 10000));
    cr_assert(gt(sz, S->n_implied_checks, 100000));
    cr_assert(gt(sz, S->n_snap_implied, 1000), "snapshots carry implied levels");
    /* A day's open is its first trade, once, even at a spread price of 0. */
    struct {
        int64_t id, day;
    } opened[2 * MARKET_N_INSTR];
    size_t n_opened = 0;
    for (size_t i = 0; i < stats.n; i++) {
        char et[4];
        if (strcmp(jstr(stats.l[i], "entry_type", et, sizeof et), "4"))
            continue;
        int64_t id = jnum(stats.l[i], "security_id"),
                day = jnum(stats.l[i], "t_ns") / GT_NS_PER_DAY;
        for (size_t k = 0; k < n_opened; k++)
            cr_assert(opened[k].id != id || opened[k].day != day, "%" PRId64 " opened twice", id);
        cr_assert(lt(sz, n_opened, 2 * MARKET_N_INSTR));
        opened[n_opened].id = id;
        opened[n_opened++].day = day;
    }
    cr_assert(gt(sz, n_opened, MARKET_N_OUTRIGHT));
    lines_free(&implied);
    lines_free(&trades);
    lines_free(&stats);
    lines_free(&ix);
    lines_free(&fix);
    lines_free(&books);
    lines_free(&feeds);
    lines_free(&all_ix);
    lines_free(&every);
    seen_free();
    tmpdir_remove();
}

/* ---- the feed recovers the truth through faults ---------------------------- */

static uint64_t feed_trades;

static int count_emit(void *ctx, const char *topic, size_t tl, uint8_t *recs, size_t n)
{
    (void)ctx, (void)topic, (void)tl;
    for (size_t i = 0; i < n; i++) {
        struct gt_tick t;
        cr_assert(eq(int, gt_tick_decode(recs + i * GT_TICK_LEN, GT_TICK_LEN, &t), GT_OK));
        feed_trades += t.kind == GT_KIND_TRADE;
    }
    return GT_OK;
}

struct feed_books {
    struct feed *f;
    struct book b;
};

static const struct book *feed_book_of(int32_t id, void *ctx)
{
    struct feed_books *fb = ctx;
    int64_t bid[GT_BOOK_DEPTH][3], ask[GT_BOOK_DEPTH][3];
    int stale = 0;
    int depth = feed_book(fb->f, id, bid, ask, GT_BOOK_DEPTH, &stale);
    if (depth < 0)
        return NULL;
    cr_assert(not(stale), "book %d still stale", id);
    memset(&fb->b, 0, sizeof fb->b);
    for (int k = 0; k < depth; k++) {
        fb->b.bid[k] = (struct gt_mbp_level){bid[k][0], bid[k][1], (int32_t)bid[k][2]};
        fb->b.ask[k] = (struct gt_mbp_level){ask[k][0], ask[k][1], (int32_t)ask[k][2]};
        if (bid[k][0] != INT64_MAX)
            fb->b.n_bid = (uint8_t)(k + 1);
        if (ask[k][0] != INT64_MAX)
            fb->b.n_ask = (uint8_t)(k + 1);
    }
    return &fb->b;
}

Test(ticksim, busts_come_later_in_the_session_on_the_wire_and_in_the_truth, .timeout = 60)
{
    seen_new();
    struct sim_config c;
    struct sim_stats st;
    cfg_files(&c, path_in("b.pcap"), path_in("b.jsonl"), 0);
    c.duration_ns = 9 * 3600 * GT_NS_PER_SEC; /* pre-open to after the close */
    c.market.bust_every = 20;
    run_ok(&c, &st);
    seen_capture(c.pcap, &c.ch);
    struct lines trades = truth_lines(c.truth, "trade|spread_trade"),
                 busts = truth_lines(c.truth, "bust");
    cr_assert(gt(sz, busts.n, 50), "busts: %zu", busts.n);
    cr_assert(lt(sz, busts.n, trades.n / 10), "a small share of the trades");
    /* Every bust on the wire is a TradeSummary Delete, as in the truth; the
     * prints stay as they were. */
    compare_list(S->bust, S->n_busts, &busts, "bust", expect_trade);
    compare_list(S->trade, S->n_trades, &trades, "trade", expect_trade);
    /* Each names an earlier trade of its instrument by id, repeats its price
     * and quantity, and comes bust_after_ns later, before that day's close. */
    for (size_t i = 0, j = 0; i < busts.n; i++) {
        const char *b = busts.l[i];
        int64_t id = jnum(b, "trade_id");
        while (j < trades.n && jnum(trades.l[j], "trade_id") != id)
            j++;
        cr_assert(lt(sz, j, trades.n), "bust of trade %" PRId64 " without the trade", id);
        const char *t = trades.l[j];
        cr_assert(eq(i64, jnum(b, "security_id"), jnum(t, "security_id")));
        cr_assert(eq(i64, jnum(b, "px"), jnum(t, "px")));
        cr_assert(eq(i64, jnum(b, "qty"), jnum(t, "qty")));
        int64_t t_ns = jnum(t, "t_ns"), b_ns = jnum(b, "t_ns");
        cr_assert(eq(i64, b_ns - t_ns, c.market.bust_after_ns));
        cr_assert(eq(i64, b_ns / GT_NS_PER_DAY, t_ns / GT_NS_PER_DAY));
        cr_assert(lt(i64, b_ns % GT_NS_PER_DAY, c.market.close_ns));
        cr_assert(eq(i64, id % 20, 0));
    }
    lines_free(&trades);
    lines_free(&busts);
    seen_free();
    tmpdir_remove();
}

Test(ticksim, feed_recovers_truth_books_through_line_faults_and_common_loss, .timeout = 60)
{
    tmpdir_make();
    struct sim_config c;
    struct sim_stats st;
    cfg_files(&c, path_in("f.pcap"), path_in("f.jsonl"), 20000);
    c.market.sweep_share = 0.2;
    c.emit.snap_every_ns = 2 * 60 * GT_NS_PER_SEC;
    /* Losses, duplicates, and reordering within 1 ms (well inside the feed's
     * reorder window): every packet the truth says was not lost on both lines
     * reaches the feed, so its trades are exactly the truth's not marked lost. */
    c.emit.line[0] = (struct fault_config){.drop_p = 0.03,
                                           .burst_mean = 2,
                                           .dup_p = 0.02,
                                           .reorder_p = 0.05,
                                           .reorder_window = 3,
                                           .hold_ns = 1000000};
    c.emit.line[1] = (struct fault_config){.drop_p = 0.03, .burst_mean = 1, .dup_p = 0.01};
    c.emit.lose_seq[0] = 2000;
    c.emit.lose_seq[1] = 2001;
    c.emit.lose_seq[2] = 5000;
    c.emit.n_lose_seq = 3;
    run_ok(&c, &st);
    cr_assert(gt(u64, st.emit.n_common_lost, 2));
    cr_assert(gt(u64, st.line[0].n_reordered, 0), "no packet was overtaken on line A");

    struct feed_books fb;
    char err[GT_ERRLEN];
    struct feed_opts o = {.max_instruments = 128, .queue_len = 1 << 14, .emit = count_emit};
    cr_assert(eq(int, feed_open(&fb.f, &o, err), GT_OK), "%s", err);
    struct pcap_reader r;
    struct pcap_rec rec;
    if (pcap_reader_open(&r, c.pcap, err) != GT_OK)
        cr_assert(false, "%s", err);
    int64_t last_ns = 0;
    while (pcap_reader_next(&r, &rec) > 0) {
        int which = -1;
        for (int k = 0; k < GT_N_FEEDS; k++)
            if (rec.dst_port == c.ch.feed[k].port)
                which = k;
        cr_assert(ge(int, which, 0));
        cr_assert(eq(int, feed_packet(fb.f, which, rec.p, rec.len, rec.ts_ns), GT_OK));
        last_ns = rec.ts_ns;
    }
    pcap_reader_close(&r);
    cr_assert(eq(int, feed_poll(fb.f, last_ns + GT_NS_PER_SEC), GT_OK));
    const struct feed_stats *fs = feed_stats(fb.f);
    cr_assert(gt(u64, fs->gaps, 0), "no packet gap to recover from");
    cr_assert(gt(u64, fs->recovered_snap + fs->recovered_incr, 0));
    cr_assert(eq(u32, fs->n_stale, 0));
    struct lines books = truth_lines(c.truth, "book"),
                 trades = truth_lines(c.truth, "trade|spread_trade");
    cr_assert(eq(sz, books.n, MARKET_N_OUTRIGHT)); /* the outrights' books */
    compare_books(&books, NULL, true, feed_book_of, &fb);
    uint64_t kept = 0;
    for (size_t i = 0; i < trades.n; i++)
        kept += strstr(trades.l[i], "\"lost\":false") != NULL;
    cr_assert(lt(u64, kept, trades.n), "no trade was lost");
    cr_assert(eq(u64, feed_trades, kept));
    lines_free(&books);
    lines_free(&trades);
    feed_close(fb.f);
    tmpdir_remove();
}

/* ---- fault rates ----------------------------------------------------------- */

struct tally {
    uint64_t n, last, out_of_order, dups, refused;
    int64_t delay_sum;
    uint8_t seen[200001];
};
static struct tally *T;

static void tally_out(void *ctx, int64_t t_ns, const uint8_t *p, size_t len)
{
    (void)ctx;
    cr_assert(eq(sz, len, 8));
    uint64_t seq = ld_le64(p);
    T->n++;
    T->out_of_order += seq < T->last;
    T->last = seq > T->last ? seq : T->last;
    T->dups += T->seen[seq]++ > 0;
    T->delay_sum += t_ns - (int64_t)seq * 1000;
}

static void line_run(const struct fault_config *fc, uint64_t n, struct fault_stats *st)
{
    struct fault f;
    memset(T, 0, sizeof *T);
    cr_assert(eq(int, fault_init(&f, fc, 42, tally_out, NULL), GT_OK));
    for (uint64_t s = 1; s <= n; s++) {
        uint8_t p[8];
        st_le64(p, s);
        int rc = fault_push(&f, (int64_t)s * 1000, p, sizeof p);
        cr_assert(rc == 0 || rc == 1);
        T->refused += (uint64_t)rc;
    }
    fault_drain(&f, INT64_MAX);
    *st = f.st;
    fault_fini(&f);
}

static void near(double got, double want, double tol, const char *what)
{
    cr_assert(got >= want - tol && got <= want + tol, "%s: %.5f, want %.5f +- %.5f", what, got,
              want, tol);
}

Test(ticksim, fault_rates_are_within_tolerance)
{
    T = calloc(1, sizeof *T);
    enum { N = 200000 };
    struct fault_stats st;
    /* Independent drops. */
    line_run(&(struct fault_config){.drop_p = 0.05, .burst_mean = 1}, N, &st);
    near((double)st.n_dropped / N, 0.05, 0.004, "drop rate");
    cr_assert(eq(u64, T->refused, st.n_dropped), "fault_push said 1 for each drop");
    cr_assert(eq(u64, T->n, N - st.n_dropped));
    cr_assert(eq(u64, T->out_of_order + T->dups, 0));
    /* Bursts: losses come in runs of mean length burst_mean. */
    line_run(&(struct fault_config){.drop_p = 0.01, .burst_mean = 4}, N, &st);
    uint64_t runs = 0, lost = 0;
    for (uint64_t s = 1, prev_lost = 0; s <= N; s++) {
        bool l = !T->seen[s];
        lost += l;
        runs += l && !prev_lost;
        prev_lost = l;
    }
    cr_assert(eq(u64, lost, st.n_dropped));
    near((double)lost / (double)runs, 4.0, 0.4, "burst length");
    /* Duplicates, reordering within the window, and delay. */
    line_run(&(struct fault_config){.burst_mean = 1,
                                    .dup_p = 0.02,
                                    .reorder_p = 0.03,
                                    .reorder_window = 4,
                                    .delay_ns = 5000},
             N, &st);
    near((double)T->dups / N, 0.02, 0.002, "duplicate rate");
    near((double)st.n_held_back / N, 0.03, 0.003, "reorder rate");
    near((double)st.n_reordered / N, 0.03, 0.003, "overtaken rate");
    cr_assert(gt(u64, T->out_of_order, st.n_reordered / 2));
    cr_assert(eq(u64, T->n, (uint64_t)N + T->dups));
    cr_assert(ge(i64, T->delay_sum, (int64_t)T->n * 5000), "packets left before their delay");
    for (uint64_t s = 1; s <= N; s++)
        cr_assert(T->seen[s] > 0, "packet %" PRIu64 " lost without a drop configured", s);
    /* A hold shorter than the gap to the next packet: late, never overtaken. */
    line_run(
        &(struct fault_config){
            .burst_mean = 1, .reorder_p = 0.03, .reorder_window = 4, .hold_ns = 500},
        N, &st);
    near((double)st.n_held_back / N, 0.03, 0.003, "held-back rate");
    cr_assert(eq(u64, st.n_reordered, 0));
    cr_assert(eq(u64, T->out_of_order, 0));
    cr_assert(eq(i64, T->delay_sum, (int64_t)st.n_held_back * 500), "each held packet 500 ns late");
    /* Bad configurations are refused. */
    struct fault f;
    cr_assert(eq(
        int,
        fault_init(&f, &(struct fault_config){.drop_p = 1.5, .burst_mean = 1}, 1, tally_out, NULL),
        GT_EINVAL));
    cr_assert(eq(int, fault_init(&f, &(struct fault_config){.burst_mean = 0.5}, 1, tally_out, NULL),
                 GT_EINVAL));
    free(T);
}

Test(ticksim, common_loss_hits_both_lines_at_its_rate)
{
    tmpdir_make();
    struct sim_config c;
    struct sim_stats st;
    cfg_files(&c, NULL, NULL, 40000);
    c.emit.common_loss_p = 0.02;
    run_ok(&c, &st);
    uint64_t sent = st.last_seq[GT_FEED_INCR_A];
    near((double)st.emit.n_common_lost / (double)sent, 0.02, 0.004, "common loss rate");
    cr_assert(eq(u64, st.emit.n_pkts[GT_FEED_INCR_A], sent - st.emit.n_common_lost));
    cr_assert(eq(u64, st.emit.n_pkts[GT_FEED_INCR_B], sent - st.emit.n_common_lost));
    tmpdir_remove();
}

/* --lose-both-burst: a loss on both lines goes on for N packets on average,
 * so the same rate of starts loses N times the packets, in runs. */
Test(ticksim, common_loss_bursts_have_their_mean_length)
{
    tmpdir_make();
    struct sim_config c;
    struct sim_stats st;
    cfg_files(&c, NULL, NULL, 40000);
    c.emit.common_loss_p = 0.004;
    c.emit.common_burst = 6;
    run_ok(&c, &st);
    uint64_t sent = st.last_seq[GT_FEED_INCR_A];
    cr_assert(gt(u64, st.emit.n_common_runs, 20), "%llu runs",
              (unsigned long long)st.emit.n_common_runs);
    near((double)st.emit.n_common_lost / (double)st.emit.n_common_runs, 6, 1.5, "mean run");
    cr_assert(eq(u64, st.emit.n_pkts[GT_FEED_INCR_A], sent - st.emit.n_common_lost));
    cr_assert(eq(u64, st.emit.n_pkts[GT_FEED_INCR_B], sent - st.emit.n_common_lost));
    tmpdir_remove();
}

/* ---- pcap framing ---------------------------------------------------------- */

Test(ticksim, pcap_headers_are_valid)
{
    tmpdir_make();
    struct sim_config c;
    struct sim_stats st;
    cfg_files(&c, path_in("h.pcap"), NULL, 1500);
    run_ok(&c, &st);
    struct file f = file_read(c.pcap);
    cr_assert(ge(sz, f.len, PCAP_FILE_HDR_LEN));
    uint32_t magic = ld_le32(f.p);
    cr_assert(magic == 0xa1b2c3d4u || magic == 0xa1b23c4du, "magic %x", magic);
    cr_assert(eq(u16, ld_le16(f.p + 4), 2));
    cr_assert(eq(u16, ld_le16(f.p + 6), 4));
    cr_assert(eq(u32, ld_le32(f.p + 20), PCAP_LINKTYPE_ETHERNET));
    uint64_t n = 0, total = 0;
    for (int k = 0; k < GT_N_FEEDS; k++)
        total += st.emit.n_pkts[k];
    size_t off = PCAP_FILE_HDR_LEN;
    while (off < f.len) {
        cr_assert(le(sz, off + PCAP_REC_HDR_LEN + PCAP_UDP_HDRS_LEN, f.len));
        const uint8_t *r = f.p + off, *eth = r + PCAP_REC_HDR_LEN, *ip = eth + 14, *udp = ip + 20;
        uint32_t incl = ld_le32(r + 8);
        cr_assert(eq(u32, incl, ld_le32(r + 12)));
        cr_assert(eq(int, eth[12] * 256 + eth[13], 0x0800));
        cr_assert(eq(int, eth[0], 0x01), "multicast MAC");
        cr_assert(eq(int, ip[0], 0x45));
        cr_assert(eq(u16, pcap_ip_checksum(ip, 20), 0), "IPv4 header checksum");
        uint16_t ip_len = (uint16_t)(ip[2] << 8 | ip[3]),
                 udp_len = (uint16_t)(udp[4] << 8 | udp[5]);
        cr_assert(eq(u32, incl, 14u + ip_len));
        cr_assert(eq(int, udp_len, ip_len - 20));
        cr_assert(eq(int, ip[16] >> 4, 0xE), "destination is multicast");
        cr_assert(eq(int, eth[3], ip[17] & 0x7f), "MAC from the group");
        off += PCAP_REC_HDR_LEN + incl;
        n++;
    }
    cr_assert(eq(sz, off, f.len));
    cr_assert(eq(u64, n, total));
    free(f.p);
    tmpdir_remove();
}

/* ---- the market's calendar -------------------------------------------------- */

Test(ticksim, shocks_halt_and_resume_and_expiry_settles_on_the_fixings)
{
    tmpdir_make();
    struct sim_config c;
    struct sim_stats st;
    cfg_files(&c, NULL, path_in("k.jsonl"), 0);
    c.market.start_ns = gt_ns_of_ymd(20261130) + (19 * 60 + 55) * 60 * GT_NS_PER_SEC;
    c.duration_ns = 70 * 60 * GT_NS_PER_SEC;
    c.market.jump_per_day = 200;
    c.market.halt_jump = 0.1;
    run_ok(&c, &st);
    struct lines status = truth_lines(c.truth, "status"), fix = truth_lines(c.truth, "fixing"),
                 stats = truth_lines(c.truth, "stat"), books = truth_lines(c.truth, "book");
    /* The December contract of each product: halts and resumptions. */
    size_t halts = 0, resumes = 0;
    bool halted[MARKET_N_PRODUCTS] = {0};
    for (size_t i = 0; i < status.n; i++) {
        char sym[16];
        jstr(status.l[i], "symbol", sym, sizeof sym);
        for (int p = 0; p < MARKET_N_PRODUCTS; p++) {
            char dec[16];
            snprintf(dec, sizeof dec, "%sZ6", market_product[p]);
            if (strcmp(sym, dec))
                continue;
            int64_t s = jnum(status.l[i], "status");
            halts += s == MDP3_TS_TRADING_HALT;
            resumes += halted[p] && s == MDP3_TS_READY_TO_TRADE;
            halted[p] = s == MDP3_TS_TRADING_HALT;
        }
    }
    cr_assert(gt(sz, halts, 0), "no halt");
    cr_assert(gt(sz, resumes, 0), "no resumption after a halt");
    /* Spreads halt with their product's months. */
    struct lines sstatus = truth_lines(c.truth, "spread_status");
    size_t spread_halts = 0;
    for (size_t i = 0; i < sstatus.n; i++)
        spread_halts += jnum(sstatus.l[i], "status") == MDP3_TS_TRADING_HALT;
    cr_assert(eq(sz, spread_halts, halts * MARKET_N_SPREADS), "spread halts");
    lines_free(&sstatus);
    /* H100X6 expires on 2026-11-30: settled at the mean of November's fixings
     * (one here), rounded to the tick, and its book emptied. */
    int64_t fixing = INT64_MIN, settle = INT64_MIN;
    for (size_t i = 0; i < fix.n; i++) {
        char sym[16];
        if (!strcmp(jstr(fix.l[i], "symbol", sym, sizeof sym), "SDH100RT"))
            fixing = jnum(fix.l[i], "px");
    }
    for (size_t i = 0; i < stats.n; i++) {
        char sym[16], et[4];
        if (!strcmp(jstr(stats.l[i], "symbol", sym, sizeof sym), "H100X6") &&
            !strcmp(jstr(stats.l[i], "entry_type", et, sizeof et), "6"))
            settle = jnum(stats.l[i], "px");
    }
    cr_assert(not(eq(i64, fixing, INT64_MIN)));
    int64_t tick = 5000000;
    cr_assert(eq(i64, settle, (fixing + tick / 2) / tick * tick));
    for (size_t i = 0; i < books.n; i++) {
        char sym[16];
        if (!strcmp(jstr(books.l[i], "symbol", sym, sizeof sym), "H100X6"))
            cr_assert(eq(i64, jnum(books.l[i], "n_bid") + jnum(books.l[i], "n_ask"), 0));
    }
    lines_free(&status);
    lines_free(&fix);
    lines_free(&stats);
    lines_free(&books);
    tmpdir_remove();
}

Test(ticksim, truth_prices_are_exact_decimals)
{
    char s[TRUTH_PXLEN];
    cr_assert(eq(str, truth_px_format(2405000000, s), "2.405"));
    cr_assert(eq(str, truth_px_format(3000000000, s), "3"));
    cr_assert(eq(str, truth_px_format(1, s), "0.000000001"));
    cr_assert(eq(str, truth_px_format(-500000000, s), "-0.5"));
    cr_assert(eq(str, truth_px_format(INT64_MIN, s), "-9223372036.854775808"));
}

/* ---- the program ------------------------------------------------------------ */

static int run_cli(const char *args, char *out, size_t cap)
{
    const char *bin = getenv("GT_BINARY_DIR");
    if (!bin)
        cr_skip_test("GT_BINARY_DIR is not set (run under ctest)");
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "%s/tools/ticksim/ticksim %s 2>&1", bin, args);
    FILE *p = popen(cmd, "r");
    cr_assert(not(eq(ptr, p, NULL)));
    size_t n = fread(out, 1, cap - 1, p);
    out[n] = 0;
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(ticksim, cli_help_bad_usage_and_a_file_run, .timeout = 30)
{
    static char out[16384];
    cr_assert(eq(int, run_cli("--help", out, sizeof out), 0));
    cr_assert(not(eq(ptr, strstr(out, "Examples:"), NULL)));
    cr_assert(not(eq(ptr, strstr(out, "--pcap FILE"), NULL)));
    cr_assert(eq(int, run_cli("--bogus", out, sizeof out), 2));
    cr_assert(not(eq(ptr, strstr(out, "ticksim: unknown"), NULL)));
    /* A bad fault names the part at fault and what it wants, in one line. */
    cr_assert(eq(int, run_cli("--fault drop=2", out, sizeof out), 2));
    cr_assert(not(eq(ptr, strstr(out, "drop=2: want a probability from 0 to 1"), NULL)), "%s", out);
    cr_assert(eq(ptr, strchr(out, '\n'), out + strlen(out) - 1), "%s", out);
    cr_assert(eq(int, run_cli("--fault dup=0.1,window=99", out, sizeof out), 2));
    cr_assert(not(eq(ptr, strstr(out, "window=99: want a packet count"), NULL)), "%s", out);
    cr_assert(eq(int, run_cli("--fault-a loss=0.1", out, sizeof out), 2));
    cr_assert(not(eq(ptr, strstr(out, "bad --fault-a 'loss=0.1': unknown fault 'loss'"), NULL)),
              "%s", out);
    /* The holiday calendar: May 2027 ends on Memorial Day (Monday the 31st),
     * so H100K7's last trading day is Friday the 28th; with no calendar the
     * 31st. A bad calendar is refused. */
    cr_assert(eq(int, run_cli("--no-send --start 2027-04-01 --list", out, sizeof out), 0), "%s",
              out);
    cr_assert(not(eq(ptr, strstr(out, "2027-05-28T21:00:00Z"), NULL)), "%s", out);
    cr_assert(eq(
        int, run_cli("--no-send --start 2027-04-01 --list --holidays none", out, sizeof out), 0));
    cr_assert(not(eq(ptr, strstr(out, "2027-05-31T21:00:00Z"), NULL)), "%s", out);
    cr_assert(eq(
        int, run_cli("--no-send --list --holidays /nonexistent/holidays.txt", out, sizeof out), 2));
    cr_assert(not(eq(ptr, strstr(out, "ticksim: bad --holidays"), NULL)), "%s", out);
    cr_assert(eq(int, run_cli("--group incr-a=10.0.0.1:5000 --no-send", out, sizeof out), 2),
              "a unicast group was accepted: %s", out);
    tmpdir_make();
    char args[512];
    snprintf(args, sizeof args, "--no-send --events 300 --pcap %s --truth %s", path_in("cli.pcap"),
             path_in("cli.jsonl"));
    cr_assert(eq(int, run_cli(args, out, sizeof out), 0), "%s", out);
    struct lines end = truth_lines(path_in("cli.jsonl"), "end");
    cr_assert(eq(sz, end.n, 1));
    cr_assert(eq(i64, jnum(end.l[0], "events"), 300));
    lines_free(&end);
    tmpdir_remove();
}
