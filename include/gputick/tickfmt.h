/* SPDX-License-Identifier: MIT */
/* tickfmt.h -- ticks as text: exact decimal prices and one JSON object per tick.
 *
 * For programs that print ticks (ticksub, tickq, tests) and downstream users.
 * Prices print exactly, never through a double: 2750000000 -> "2.75". Null
 * prices and quantities (INT64_MAX) print as JSON null. Nothing allocates. */
#ifndef GT_TICKFMT_H
#define GT_TICKFMT_H
#include <stddef.h>
#include <stdint.h>
#include "gputick/tick.h"

enum { GT_PX_STRLEN = 32, GT_TICK_JSONLEN = 512 };

/* Writes px (1e-9 fixed point) as a decimal with at least two and at most nine
 * fraction digits, trailing zeros dropped ("2.75", "-0.005", "1.000000001"),
 * or "null" for INT64_MAX. Returns the length. */
int gt_px_format(int64_t px, char out[GT_PX_STRLEN]);

/* Parses a decimal price ("2.75", "-3", "0.000000001") into 1e-9 fixed point.
 * Returns GT_OK or GT_EINVAL (more than 9 decimals, out of range, junk). */
int gt_px_parse(const char *s, int64_t *px);

/* Writes one JSON object for t; symbol may be NULL. Keys are the field names
 * of tick.h and docs/wire.md; times are ns integers plus ISO strings. Returns
 * the length, or GT_EINVAL if cap is too small. */
int gt_tick_json(const struct gt_tick *t, const char *symbol, char *out, size_t cap);

#endif
