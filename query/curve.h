/* SPDX-License-Identifier: MIT */
/* curve.h -- the forward curve of a product at a time T.
 *
 * Every future of the product listed at T (spreads aside: spreads.h) (its definition's last trading
 * day on or after T's UTC date), in maturity order, with the last top of book and the last trade at
 * or before T, and the product's index: its last value at or before T (any fixing code). The
 * future's price for the basis is the mid when both sides are quoted, else the last trade; basis =
 * price - index. */
#ifndef GT_QUERY_CURVE_H
#define GT_QUERY_CURVE_H
#include <stdint.h>
#include <stdio.h>
#include "qopt.h"
#include "gputick/store.h"
#include "shards.h"

struct curve_row {
    char symbol[GT_SYMBOL_LEN + 1];
    uint32_t maturity;           /* YYYYMMDD last trading day */
    int64_t days;                /* to the last trading day from T's date */
    int64_t bid, ask, mid, last; /* INT64_MAX when unknown */
    int64_t price;               /* mid, else last: INT64_MAX if neither */
    int64_t basis;               /* price - index, INT64_MAX if either is unknown */
    double basis_pct;            /* basis / index * 100, NaN if unknown */
};

struct curve {
    char index_symbol[GT_SYMBOL_LEN + 1]; /* "" if the product has no index */
    int64_t index_px, index_ns;           /* INT64_MAX / 0 when none at T */
    int n;
    struct curve_row rows[]; /* n of them */
};

/* Builds the curve of product at at_ns into a malloc()ed *out (the caller
 * frees it). Returns the exit status: 0, 2 for an unknown product (printed
 * with suggestions) or 1 after printing a store error. */
int curve_build(const char *cmd, struct shards *st, const char *product, int64_t at_ns,
                struct curve **out);

/* The quote of an instrument at at_ns: q = {bid, ask, mid, last trade}
 * (the last top of book and the last trade that counts at or before it),
 * INT64_MAX where unknown. Returns 0 or 1 after printing a store error. */
int curve_quote(const char *cmd, struct shards *st, int32_t instr_id, int64_t at_ns, int64_t q[4]);

/* Parses the arguments of curve and chart curve: PRODUCT, --at T (default
 * now), the shared options, and --out FILE when out_file is not NULL (then
 * required). Returns 0, -1 after printing help(), or EXIT_USAGE. */
int curve_args_parse(const char *cmd, int argc, char **argv, struct qopt *q, const char **product,
                     int64_t *at_ns, const char **out_file, void (*help)(FILE *));

#endif
