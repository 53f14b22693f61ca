/* SPDX-License-Identifier: MIT */
/* truth.h -- the truth file: what the simulated market did, as JSON lines.
 *
 * One object per line, keyed by "type" (format in docs/ticksim.md): trades,
 * index values and fixings, statistics, status changes, channel resets, and
 * at the end the final book of every instrument with its last RptSeq. Book
 * level changes are not written: the final books are what receivers compare.
 * The writer is the caller's stdio stream; nothing here allocates. */
#ifndef GT_TRUTH_H
#define GT_TRUTH_H
#include <stdio.h>
#include "market.h"

/* Writes the instrument table, one "instrument" line each. Returns GT_OK or GT_EIO. */
int truth_write_instruments(FILE *f, const struct market *m);

/* Writes the lines of one match event (book entries are skipped). Returns GT_OK or GT_EIO. */
int truth_write_event(FILE *f, const struct market *m, const struct market_event *ev);

/* Writes a "reset" line for a ChannelReset4 at t_ns. Returns GT_OK or GT_EIO. */
int truth_write_reset(FILE *f, int64_t t_ns, int appl_id);

/* Writes one "book" line per instrument (levels best first) and a final "end"
 * line. Returns GT_OK or GT_EIO. */
int truth_write_final(FILE *f, const struct market *m);

#endif
