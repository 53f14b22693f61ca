/* SPDX-License-Identifier: MIT */
/* truth.c -- JSON lines of what the market did; see truth.h and docs/ticksim.md. */
#include "truth.h"
#include <inttypes.h>
#include "gputick/err.h"

static const char *kind_name(int k)
{
    switch (k) {
    case MK_DSTAT:
        return "dstat";
    case MK_SSTAT:
        return "sstat";
    default:
        return "volume";
    }
}

int truth_write_instruments(FILE *f, const struct market *m)
{
    for (int i = 0; i < MARKET_N_INSTR; i++) {
        const struct market_instr *in = &m->instr[i];
        fprintf(f,
                "{\"type\":\"instrument\",\"symbol\":\"%s\",\"security_id\":%" PRId32
                ",\"product\":\"%s\",\"maturity\":%d%02d,\"activation_ns\":%" PRId64
                ",\"last_trade_ns\":%" PRId64 ",\"tick_px\":%" PRId64 ",\"unit_gpuh\":%" PRId32
                "}\n",
                in->symbol, in->security_id, in->product, in->year, in->month, in->activation_ns,
                in->last_trade_ns, m->cfg.tick_px, m->cfg.unit_gpuh);
    }
    return ferror(f) ? GT_EIO : GT_OK;
}

int truth_write_event(FILE *f, const struct market *m, const struct market_event *ev)
{
    for (int k = 0; k < ev->n; k++) {
        const struct market_entry *e = &ev->e[k];
        const char *sym =
            e->kind == MK_INDEX ? market_index_name[e->instr] : m->instr[e->instr].symbol;
        switch (e->kind) {
        case MK_BOOK:
            break;
        case MK_TRADE:
            fprintf(f,
                    "{\"type\":\"trade\",\"symbol\":\"%s\",\"security_id\":%" PRId32
                    ",\"t_ns\":%" PRId64 ",\"px\":%" PRId64 ",\"qty\":%" PRId32
                    ",\"aggressor\":\"%s\",\"rpt_seq\":%" PRIu32 ",\"trade_id\":%" PRIu32 "}\n",
                    sym, e->security_id, ev->t_ns, e->px, e->qty,
                    e->aggressor == 1 ? "buy" : "sell", e->rpt_seq, e->trade_id);
            break;
        case MK_INDEX:
            fprintf(f,
                    "{\"type\":\"%s\",\"symbol\":\"%s\",\"t_ns\":%" PRId64 ",\"px\":%" PRId64
                    ",\"code\":%d,\"rpt_seq\":%" PRIu32 "}\n",
                    e->code == 5 ? "fixing" : "index", sym, ev->t_ns, e->px, e->code, e->rpt_seq);
            break;
        case MK_STATUS:
            fprintf(f,
                    "{\"type\":\"status\",\"symbol\":\"%s\",\"security_id\":%" PRId32
                    ",\"t_ns\":%" PRId64 ",\"status\":%d}\n",
                    sym, e->security_id, ev->t_ns, e->status);
            break;
        default:
            fprintf(f,
                    "{\"type\":\"%s\",\"symbol\":\"%s\",\"security_id\":%" PRId32
                    ",\"t_ns\":%" PRId64 ",\"stat\":\"%c\",\"px\":%" PRId64 ",\"qty\":%" PRId32
                    ",\"rpt_seq\":%" PRIu32 "}\n",
                    kind_name(e->kind), sym, e->security_id, ev->t_ns,
                    e->kind == MK_VOLUME ? 'e' : e->stat, e->px, e->qty, e->rpt_seq);
            break;
        }
    }
    return ferror(f) ? GT_EIO : GT_OK;
}

int truth_write_reset(FILE *f, int64_t t_ns, int appl_id)
{
    fprintf(f, "{\"type\":\"reset\",\"t_ns\":%" PRId64 ",\"appl_id\":%d}\n", t_ns, appl_id);
    return ferror(f) ? GT_EIO : GT_OK;
}

static void side_write(FILE *f, const char *name, const struct market_level *lv, int n)
{
    fprintf(f, ",\"%s\":[", name);
    for (int k = 0; k < n; k++)
        fprintf(f, "%s[%" PRId64 ",%" PRId32 ",%" PRId32 "]", k ? "," : "", lv[k].px, lv[k].qty,
                lv[k].n_orders);
    fputc(']', f);
}

int truth_write_final(FILE *f, const struct market *m)
{
    for (int i = 0; i < MARKET_N_INSTR; i++) {
        const struct market_instr *in = &m->instr[i];
        fprintf(f,
                "{\"type\":\"book\",\"symbol\":\"%s\",\"security_id\":%" PRId32
                ",\"rpt_seq\":%" PRIu32,
                in->symbol, in->security_id, in->rpt_seq);
        side_write(f, "bids", in->bid, in->n_bid);
        side_write(f, "asks", in->ask, in->n_ask);
        fputs("}\n", f);
    }
    fprintf(f, "{\"type\":\"end\",\"t_ns\":%" PRId64 "}\n", m->now_ns);
    return ferror(f) ? GT_EIO : GT_OK;
}
