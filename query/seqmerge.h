/* SPDX-License-Identifier: MIT */
/* seqmerge.h -- a k-way merge of tick runs by bus sequence.
 *
 * tickq merges ticks by seq in two places: the shards of a sharded recording
 * holding one series (shards.c), and the kinds of one instrument (tickq
 * ticks, cmdstore.c). Both hand each input's ticks over in runs (one decoded
 * block) already in seq order; this merge hands back a run of the input with
 * the least next seq, up to the least next seq of any other input, so ticks
 * come in bus order with one run per input in memory. A tick whose seq is at
 * or below the last one handed out is dropped: the second copy of a record
 * that two overlapping shards both hold.
 *
 * The caller owns the inputs: refill(ctx, k, &t) gives input k's next run
 * (> 0 ticks, 0 at its end, < 0 an error handed back as it is). A run is
 * used up before its input is refilled, so a view handed back lives until
 * the next seqmerge_run(). Nothing here allocates. */
#ifndef GT_QUERY_SEQMERGE_H
#define GT_QUERY_SEQMERGE_H
#include <stdbool.h>
#include <stdint.h>
#include "gputick/tick.h"

enum { SEQMERGE_MAX = 64 }; /* tickq ticks --product: one input per contract */

struct seqmerge {
    int (*refill)(void *ctx, int k, const struct gt_tick **t);
    void *ctx;
    struct {
        const struct gt_tick *t;
        int n, i;
        bool open; /* refill has not yet said it ended */
    } in[SEQMERGE_MAX];
    int n_in;
    uint64_t last_seq; /* of the last tick handed out */
    bool started;
};

/* Starts a merge of n_in (at most SEQMERGE_MAX) inputs. */
void seqmerge_init(struct seqmerge *m, int n_in,
                   int (*refill)(void *ctx, int k, const struct gt_tick **t), void *ctx);

/* The next run in seq order: n > 0 ticks at *t, 0 at the end of every
 * input, or the error refill returned. */
int seqmerge_run(struct seqmerge *m, const struct gt_tick **t);

#endif
