/* SPDX-License-Identifier: MIT */
/* curve.c -- the forward curve at a time (contract in curve.h). */
#include "qio.h"
#include "curve.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "cmdstore.h"
#include "gputick/time.h"

static int64_t days_of_ymd(uint32_t ymd)
{
    return gt_days_from_civil((int)(ymd / 10000), ymd / 100 % 100, ymd % 100);
}

int curve_quote(const char *cmd, struct shards *st, int32_t instr_id, int64_t at_ns, int64_t q[4])
{
    struct gt_tick t;
    int found;
    q[0] = q[1] = q[2] = q[3] = INT64_MAX;
    int rc = cmdstore_last_at(cmd, st, instr_id, GT_KIND_TOB, at_ns, NULL, NULL, &t, &found);
    if (!rc && found) {
        q[0] = t.u.tob.bid_px;
        q[1] = t.u.tob.ask_px;
        if (q[0] != INT64_MAX && q[1] != INT64_MAX)
            q[2] = (int64_t)(((__int128)q[0] + q[1]) / 2);
    }
    if (!rc)
        rc = cmdstore_last_trade_at(cmd, st, instr_id, at_ns, &t, &found);
    if (!rc && found)
        q[3] = t.u.trade.px;
    return rc;
}

int curve_build(const char *cmd, struct shards *st, const char *product, int64_t at_ns,
                struct curve **out)
{
    *out = NULL;
    struct gt_tick *defs = malloc(CMDSTORE_MAX_INSTR * sizeof *defs);
    if (!defs) {
        fprintf(QERR, "tickq %s: out of memory\n", cmd);
        return 1;
    }
    int n = 0, rc = cmdstore_product(cmd, st, product, 0, defs, &n);
    struct curve *c = rc ? NULL : calloc(1, sizeof *c + (size_t)n * sizeof c->rows[0]);
    if (!rc && !c) {
        fprintf(QERR, "tickq %s: out of memory\n", cmd);
        rc = 1;
    }
    if (rc)
        goto done;
    c->index_px = INT64_MAX;
    uint32_t today = gt_ymd_of_ns(at_ns);
    for (int i = 0; i < n && !rc; i++) {
        const struct gt_def *d = &defs[i].u.def;
        struct gt_tick t;
        int found;
        if (d->type == GT_INSTR_INDEX) {
            if (c->index_symbol[0])
                continue;
            cmdstore_symbol(&defs[i], c->index_symbol);
            rc = cmdstore_last_at(cmd, st, defs[i].instr_id, GT_KIND_FIXING, at_ns, NULL, NULL, &t,
                                  &found);
            if (!rc && found) {
                c->index_px = t.u.fixing.px;
                c->index_ns = t.exch_ns;
            }
            continue;
        }
        if (d->maturity < today || d->type == GT_INSTR_SPREAD)
            continue; /* spreads: tickq curve --spreads (spreads.c) */
        struct curve_row *r = &c->rows[c->n++];
        cmdstore_symbol(&defs[i], r->symbol);
        r->maturity = d->maturity;
        r->days = days_of_ymd(d->maturity) - days_of_ymd(today);
        int64_t q[4];
        rc = curve_quote(cmd, st, defs[i].instr_id, at_ns, q);
        r->bid = q[0], r->ask = q[1], r->mid = q[2], r->last = q[3];
    }
    for (int i = 0; i < c->n; i++) {
        struct curve_row *r = &c->rows[i];
        r->price = r->mid != INT64_MAX ? r->mid : r->last;
        r->basis = INT64_MAX;
        r->basis_pct = NAN;
        if (r->price != INT64_MAX && c->index_px != INT64_MAX) {
            r->basis = r->price - c->index_px;
            if (c->index_px != 0)
                r->basis_pct = (double)r->basis / (double)c->index_px * 100.0;
        }
    }
done:
    free(defs);
    if (rc)
        free(c);
    else
        *out = c;
    return rc;
}
