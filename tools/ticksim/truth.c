/* SPDX-License-Identifier: MIT */
/* truth.c -- JSON lines of what the market did; see truth.h and docs/ticksim.md. */
#include "truth.h"
#include <inttypes.h>
#include "gputick/err.h"
#include "gputick/tick.h"

static const char *const feed_name[GT_N_FEEDS] = {
    [GT_FEED_INCR_A] = "incr_a",   [GT_FEED_INCR_B] = "incr_b",   [GT_FEED_SNAP_A] = "snap_a",
    [GT_FEED_SNAP_B] = "snap_b",   [GT_FEED_DEF_A] = "def_a",     [GT_FEED_DEF_B] = "def_b",
    [GT_FEED_INDEX_A] = "index_a", [GT_FEED_INDEX_B] = "index_b",
};

char *truth_px_format(int64_t px, char out[TRUTH_PXLEN])
{
    uint64_t a = px < 0 ? (uint64_t)0 - (uint64_t)px : (uint64_t)px;
    uint64_t whole = a / 1000000000u, frac = a % 1000000000u;
    int n = snprintf(out, TRUTH_PXLEN, "%s%" PRIu64, px < 0 ? "-" : "", whole);
    if (frac) {
        int digits = 9;
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        snprintf(out + n, (size_t)(TRUTH_PXLEN - n), ".%0*" PRIu64, digits, frac);
    }
    return out;
}

static const char *stat_name(char t)
{
    switch (t) {
    case '6':
        return "settlement";
    case 'B':
        return "cleared_volume";
    case 'C':
        return "open_interest";
    case '4':
        return "open";
    case '7':
        return "high";
    case '8':
        return "low";
    case 'e':
        return "volume";
    default:
        return "other";
    }
}

static const char *status_name(int s)
{
    switch (s) {
    case 2:
        return "halt";
    case 4:
        return "close";
    case 17:
        return "open";
    case 18:
        return "not_available";
    case 21:
        return "pre_open";
    default:
        return "other";
    }
}

int truth_write_instruments(FILE *f, const struct market *m)
{
    char tick[TRUTH_PXLEN];
    truth_px_format(m->cfg.tick_px, tick);
    for (int i = 0; i < MARKET_N_OUTRIGHT; i++) {
        const struct market_instr *in = &m->instr[i];
        fprintf(f,
                "{\"type\":\"instrument\",\"symbol\":\"%s\",\"security_id\":%" PRId32
                ",\"product\":\"%s\",\"index\":\"%s\",\"maturity\":\"%04d-%02d\""
                ",\"activation_ns\":%" PRId64 ",\"last_trade_ns\":%" PRId64 ",\"tick_px\":%" PRId64
                ",\"tick_str\":\"%s\",\"unit_gpuh\":%" PRId32 ",\"market_depth\":%d}\n",
                in->symbol, in->security_id, in->product, market_index_name[in->product_ix],
                in->year, in->month, in->activation_ns, in->last_trade_ns, m->cfg.tick_px, tick,
                m->cfg.unit_gpuh, MARKET_DEPTH);
    }
    for (int i = MARKET_N_OUTRIGHT; i < MARKET_N_INSTR; i++) {
        const struct market_instr *in = &m->instr[i];
        const struct market_instr *n = &m->instr[in->leg[0]], *fa = &m->instr[in->leg[1]];
        fprintf(f,
                "{\"type\":\"spread\",\"symbol\":\"%s\",\"security_id\":%" PRId32
                ",\"product\":\"%s\",\"security_type\":\"FUT\",\"security_sub_type\":\"SP\""
                ",\"maturity\":\"%04d-%02d\",\"activation_ns\":%" PRId64
                ",\"last_trade_ns\":%" PRId64 ",\"tick_px\":%" PRId64
                ",\"tick_str\":\"%s\",\"market_depth\":%d,\"implied_depth\":%d,\"legs\":["
                "{\"symbol\":\"%s\",\"security_id\":%" PRId32 ",\"side\":1,\"ratio\":1},"
                "{\"symbol\":\"%s\",\"security_id\":%" PRId32 ",\"side\":2,\"ratio\":1}]}\n",
                in->symbol, in->security_id, in->product, in->year, in->month, in->activation_ns,
                in->last_trade_ns, m->cfg.tick_px, tick, MARKET_DEPTH, MARKET_IMPLIED_DEPTH,
                n->symbol, n->security_id, fa->symbol, fa->security_id);
    }
    for (int p = 0; p < MARKET_N_PRODUCTS; p++)
        fprintf(f, "{\"type\":\"index_def\",\"symbol\":\"%s\",\"product\":\"%s\"}\n",
                market_index_name[p], market_product[p]);
    return ferror(f) ? GT_EIO : GT_OK;
}

static void head(FILE *f, const char *type, const struct market *m, const struct market_entry *e,
                 int64_t t_ns, uint32_t seq, bool lost)
{
    const struct market_instr *in = &m->instr[e->instr];
    fprintf(f,
            "{\"type\":\"%s%s\",\"t_ns\":%" PRId64 ",\"symbol\":\"%s\",\"security_id\":%" PRId32
            ",\"seq\":%" PRIu32 ",\"lost\":%s",
            in->spread ? "spread_" : "", type, t_ns, in->symbol, in->security_id, seq,
            lost ? "true" : "false");
}

int truth_write_event(FILE *f, const struct market *m, const struct market_event *ev,
                      const uint32_t *seq, const bool *lost)
{
    char px[TRUTH_PXLEN];
    for (int k = 0; k < ev->n; k++) {
        const struct market_entry *e = &ev->e[k];
        uint32_t sq = seq ? seq[k] : 0;
        bool ls = lost && lost[k];
        switch (e->kind) {
        case MK_BOOK:
            break;
        case MK_TRADE:
            head(f, e->action == GT_ACT_DELETE ? "bust" : "trade", m, e, ev->t_ns, sq, ls);
            fprintf(f,
                    ",\"rpt_seq\":%" PRIu32 ",\"px\":%" PRId64 ",\"px_str\":\"%s\",\"qty\":%" PRId32
                    ",\"aggressor\":\"%s\",\"aggressor_side\":%d,\"trade_id\":%" PRIu32,
                    e->rpt_seq, e->px, truth_px_format(e->px, px), e->qty,
                    e->aggressor == 1   ? "buy"
                    : e->aggressor == 2 ? "sell"
                                        : "none",
                    e->aggressor, e->trade_id);
            if (e->leg_of)
                fprintf(f, ",\"leg\":true,\"spread\":\"%s\",\"spread_id\":%" PRId32 "}\n",
                        m->instr[e->leg_of].symbol, m->instr[e->leg_of].security_id);
            else
                fputs(",\"leg\":false}\n", f);
            break;
        case MK_INDEX:
            fprintf(f,
                    "{\"type\":\"%s\",\"t_ns\":%" PRId64 ",\"symbol\":\"%s\",\"rpt_seq\":%" PRIu32
                    ",\"code\":%d,\"px\":%" PRId64 ",\"px_str\":\"%s\"}\n",
                    e->code == 5 ? "fixing" : "index", ev->t_ns, market_index_name[e->instr],
                    e->rpt_seq, e->code, e->px, truth_px_format(e->px, px));
            break;
        case MK_STATUS:
            head(f, "status", m, e, ev->t_ns, sq, ls);
            fprintf(f, ",\"status\":%d,\"name\":\"%s\"}\n", e->status, status_name(e->status));
            break;
        default: {
            char stat = e->kind == MK_VOLUME ? 'e' : e->stat;
            bool has_px = e->kind != MK_VOLUME && stat != 'B' && stat != 'C';
            head(f, "stat", m, e, ev->t_ns, sq, ls);
            fprintf(
                f, ",\"rpt_seq\":%" PRIu32 ",\"template\":%d,\"entry_type\":\"%c\",\"name\":\"%s\"",
                e->rpt_seq,
                e->kind == MK_VOLUME  ? 37
                : e->kind == MK_DSTAT ? 49
                                      : 51,
                stat, stat_name(stat));
            if (has_px)
                fprintf(f, ",\"px\":%" PRId64 ",\"px_str\":\"%s\",\"qty\":null}\n", e->px,
                        truth_px_format(e->px, px));
            else
                fprintf(f, ",\"px\":null,\"px_str\":null,\"qty\":%" PRId32 "}\n", e->qty);
            break;
        }
        }
    }
    return ferror(f) ? GT_EIO : GT_OK;
}

int truth_write_reset(FILE *f, int64_t t_ns, int appl_id)
{
    fprintf(f, "{\"type\":\"reset\",\"t_ns\":%" PRId64 ",\"appl_id\":%d}\n", t_ns, appl_id);
    return ferror(f) ? GT_EIO : GT_OK;
}

/* Levels of one side; implied levels have no order count. */
static void side_write(FILE *f, const char *side, const struct market_level *lv, int n, bool *first,
                       bool orders)
{
    char px[TRUTH_PXLEN];
    for (int k = 0; k < n; k++) {
        fprintf(f,
                "%s{\"side\":\"%s\",\"level\":%d,\"px\":%" PRId64
                ",\"px_str\":\"%s\",\"qty\":%" PRId32,
                *first ? "" : ",", side, k + 1, lv[k].px, truth_px_format(lv[k].px, px), lv[k].qty);
        if (orders)
            fprintf(f, ",\"orders\":%" PRId32, lv[k].n_orders);
        fputc('}', f);
        *first = false;
    }
}

int truth_write_final(FILE *f, const struct market *m, const struct gt_channels *ch,
                      const uint32_t last_seq[GT_N_FEEDS], uint64_t n_events)
{
    for (int i = 0; i < MARKET_N_INSTR; i++) {
        const struct market_instr *in = &m->instr[i];
        bool first = true;
        fprintf(f,
                "{\"type\":\"%sbook\",\"t_ns\":%" PRId64
                ",\"symbol\":\"%s\",\"security_id\":%" PRId32 ",\"rpt_seq\":%" PRIu32
                ",\"status\":%d,\"n_bid\":%d,\"n_ask\":%d,\"levels\":[",
                in->spread ? "spread_" : "", m->now_ns, in->symbol, in->security_id, in->rpt_seq,
                in->status, in->n_bid, in->n_ask);
        side_write(f, "bid", in->bid, in->n_bid, &first, true);
        side_write(f, "ask", in->ask, in->n_ask, &first, true);
        fputs("]}\n", f);
    }
    for (int i = 0; i < MARKET_N_INSTR; i++) {
        const struct market_instr *in = &m->instr[i];
        bool first = true;
        fprintf(f,
                "{\"type\":\"implied_book\",\"t_ns\":%" PRId64 ",\"symbol\":\"%s\""
                ",\"security_id\":%" PRId32 ",\"n_bid\":%d,\"n_ask\":%d,\"levels\":[",
                m->now_ns, in->symbol, in->security_id, in->n_ibid, in->n_iask);
        side_write(f, "bid", in->ibid, in->n_ibid, &first, false);
        side_write(f, "ask", in->iask, in->n_iask, &first, false);
        fputs("]}\n", f);
    }
    for (int k = 0; k < GT_N_FEEDS; k++)
        fprintf(f,
                "{\"type\":\"feed\",\"feed\":\"%s\",\"group\":\"%s\",\"port\":%u"
                ",\"last_msg_seq\":%" PRIu32 "}\n",
                feed_name[k], ch->feed[k].group, ch->feed[k].port, last_seq[k]);
    fprintf(f, "{\"type\":\"end\",\"t_ns\":%" PRId64 ",\"events\":%" PRIu64 ",\"channel_id\":%u}\n",
            m->now_ns, n_events, ch->channel_id);
    return ferror(f) ? GT_EIO : GT_OK;
}
