/* SPDX-License-Identifier: MIT */
/* spreads.c -- spreads' legs and the spreads of a product beside their legs
 * (contract in spreads.h). */
#include "spreads.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "qio.h"
#include "cmdstore.h"
#include "gputick/time.h"

int spreads_legs(const char *cmd, struct shards *st, int32_t instr_id, int32_t legs[2], int *err)
{
    struct shards_iter *it;
    *err = 0;
    legs[0] = legs[1] = 0;
    int n = shards_iter_open(st, instr_id, GT_KIND_DEF, INT64_MIN, INT64_MAX, &it);
    if (n == GT_ENOENT)
        return 0;
    if (n < 0) {
        fprintf(QERR, "tickq %s: %s\n", cmd, shards_errmsg(st));
        *err = 1;
        return 1;
    }
    int found = 0;
    const struct gt_tick *t;
    while ((n = shards_iter_next(it, &t)) > 0)
        for (int i = 0; i < n; i++)
            if (gt_def_is_legs(&t[i])) {
                legs[0] = gt_def_leg(&t[i], 0);
                legs[1] = gt_def_leg(&t[i], 1);
                found = 1;
            }
    if (n < 0) {
        *err = cmdstore_iter_fail(cmd, it, n);
        found = 1;
    }
    shards_iter_close(it);
    return found;
}

/* The curve's price of the future symbol at T, or INT64_MAX. */
static int64_t curve_price(const struct curve *c, const char *symbol)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->rows[i].symbol, symbol) == 0)
            return c->rows[i].price;
    return INT64_MAX;
}

int spreads_build(const char *cmd, struct shards *st, const char *product, int64_t at_ns,
                  const struct curve *c, struct spread_row **out, int *n_out)
{
    *out = NULL;
    *n_out = 0;
    struct gt_tick *defs = malloc(CMDSTORE_MAX_INSTR * sizeof *defs);
    if (!defs) {
        fprintf(QERR, "tickq %s: out of memory\n", cmd);
        return 1;
    }
    int n = 0, rc = cmdstore_product(cmd, st, product, 0, defs, &n);
    struct spread_row *rows = rc ? NULL : calloc((size_t)n + 1, sizeof *rows);
    if (!rc && !rows) {
        fprintf(QERR, "tickq %s: out of memory\n", cmd);
        rc = 1;
    }
    uint32_t today = gt_ymd_of_ns(at_ns);
    for (int i = 0; i < n && !rc; i++) {
        if (defs[i].u.def.type != GT_INSTR_SPREAD ||
            (defs[i].u.def.maturity && defs[i].u.def.maturity < today))
            continue; /* not a spread, or expired with its near leg */
        struct spread_row *r = &rows[(*n_out)++];
        cmdstore_symbol(&defs[i], r->symbol);
        int32_t legs[2];
        int err;
        spreads_legs(cmd, st, defs[i].instr_id, legs, &err);
        if ((rc = err))
            break;
        int64_t q[4];
        if ((rc = curve_quote(cmd, st, defs[i].instr_id, at_ns, q)))
            break;
        r->bid = q[0], r->ask = q[1], r->mid = q[2], r->last = q[3];
        r->price = r->mid != INT64_MAX ? r->mid : r->last;
        for (int k = 0; k < 2; k++) {
            r->leg_px[k] = INT64_MAX;
            for (int j = 0; j < n && legs[k]; j++)
                if (defs[j].instr_id == legs[k]) {
                    cmdstore_symbol(&defs[j], r->leg[k]);
                    r->leg_px[k] = curve_price(c, r->leg[k]);
                }
        }
        r->legs_diff = r->off = INT64_MAX;
        if (r->leg_px[0] != INT64_MAX && r->leg_px[1] != INT64_MAX)
            r->legs_diff = r->leg_px[0] - r->leg_px[1];
        if (r->legs_diff != INT64_MAX && r->price != INT64_MAX)
            r->off = r->price - r->legs_diff;
    }
    free(defs);
    if (rc)
        free(rows), *n_out = 0;
    else
        *out = rows;
    return rc;
}
