/* SPDX-License-Identifier: MIT */
/* truth.h -- the truth file: what the simulated market did, as JSON lines.
 *
 * One object per line, keyed by "type" (the format is in docs/ticksim.md):
 * the instruments and indexes first, then in time order trades, index values
 * and fixings, statistics, status changes and channel resets, and at the end
 * the final book of every instrument (every level, with its last RptSeq), the
 * last MsgSeqNum of every feed and an "end" line. Prices are written twice:
 * "px" the exact 1e-9 integer (the PRICE9 mantissa) and "px_str" its decimal.
 * Book level changes are not written: the final books are what receivers
 * compare. The stream is the caller's; nothing here allocates. */
#ifndef GT_TRUTH_H
#define GT_TRUTH_H
#include <stdbool.h>
#include <stdio.h>
#include "channels.h"
#include "market.h"

enum { TRUTH_PXLEN = 24 };

/* Formats a 1e-9 price as an exact decimal ("2.405", "-0.5", "3"). Returns out. */
char *truth_px_format(int64_t px, char out[TRUTH_PXLEN]);

/* Writes the "instrument" and "index_def" lines. Returns GT_OK or GT_EIO. */
int truth_write_instruments(FILE *f, const struct market *m);

/* Writes the lines of one match event (book entries are skipped). seq and
 * lost (NULL when unknown) give per entry the incremental MsgSeqNum that
 * carried it and whether that packet was lost on both lines; they become the
 * "seq" and "lost" fields. Returns GT_OK or GT_EIO. */
int truth_write_event(FILE *f, const struct market *m, const struct market_event *ev,
                      const uint32_t *seq, const bool *lost);

/* Writes a "reset" line for a ChannelReset4 at t_ns. Returns GT_OK or GT_EIO. */
int truth_write_reset(FILE *f, int64_t t_ns, int appl_id);

/* Writes one "book" line per instrument, one "feed" line per feed of ch with
 * last_seq[feed], and the "end" line. Returns GT_OK or GT_EIO. */
int truth_write_final(FILE *f, const struct market *m, const struct gt_channels *ch,
                      const uint32_t last_seq[GT_N_FEEDS], uint64_t n_events);

#endif
