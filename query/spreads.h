/* SPDX-License-Identifier: MIT */
/* spreads.h -- calendar spreads in the store: their legs, read from the def
 * record flagged GT_F_LEG that follows a spread's definition (gputick/tick.h),
 * and the spreads of a product priced beside their legs (tickq curve
 * --spreads). */
#ifndef GT_QUERY_SPREADS_H
#define GT_QUERY_SPREADS_H
#include <stdint.h>
#include "curve.h"
#include "shards.h"

/* The legs of instr_id (bought, sold) from its latest legs record. Returns
 * 1 and fills legs, 0 if it has none (not a spread, or a shape other than a
 * calendar spread), or 1 after printing a store error as "tickq cmd: ..."
 * with *err set. */
int spreads_legs(const char *cmd, struct shards *st, int32_t instr_id, int32_t legs[2], int *err);

struct spread_row {
    char symbol[GT_SYMBOL_LEN + 1];
    char leg[2][GT_SYMBOL_LEN + 1]; /* "" if unknown */
    int64_t bid, ask, mid, last;    /* the spread's, INT64_MAX when unknown */
    int64_t price;                  /* mid, else last (as a future's on the curve) */
    int64_t leg_px[2];              /* each leg's curve price at T, INT64_MAX if none */
    int64_t legs_diff;              /* leg_px[0] - leg_px[1]: what the legs imply */
    int64_t off;                    /* price - legs_diff: the check, 0 when they agree */
};

/* The spreads of product at at_ns, each beside its legs' prices on curve c
 * (built at the same T). *out is malloc()ed (the caller frees it), *n its
 * rows. Returns the exit status: 0, or 1 after printing a store error. */
int spreads_build(const char *cmd, struct shards *st, const char *product, int64_t at_ns,
                  const struct curve *c, struct spread_row **out, int *n);

#endif
