/* SPDX-License-Identifier: MIT */
/* fuzz_bookckpt.c -- the book checkpoint record decoder (store/bookckpt.h) on
 * arbitrary bytes.
 *
 * Invariants: decoding never reads past the input and never yields a depth
 * outside 1..GT_MBP_DEPTH_MAX, more levels a side than the depth, or a side that
 * ends in an empty level; a record that decodes re-encodes to a record that
 * decodes to the same book. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gputick/err.h"
#include "bookckpt.h"
#include "gputick/mbp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int book_same(const struct gt_mbp_book *a, const struct gt_mbp_book *b)
{
    if (a->n[0] != b->n[0] || a->n[1] != b->n[1] || a->depth != b->depth || a->stale != b->stale ||
        a->last_seq != b->last_seq || a->last_ns != b->last_ns ||
        a->stale_since_ns != b->stale_since_ns || a->n_applied != b->n_applied)
        return 0;
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < a->n[s]; i++)
            if (a->side[s][i].px != b->side[s][i].px || a->side[s][i].qty != b->side[s][i].qty ||
                a->side[s][i].n_orders != b->side[s][i].n_orders)
                return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gt_mbp_book b, back;
    if (bookckpt_decode(data, size, &b) != GT_OK)
        return 0;
    if (b.depth < 1 || b.depth > GT_MBP_DEPTH_MAX)
        abort();
    for (int s = 0; s < 2; s++)
        if (b.n[s] < 0 || b.n[s] > b.depth ||
            (b.n[s] > 0 && b.side[s][b.n[s] - 1].px == GT_MBP_PX_NONE))
            abort();
    uint8_t w[BOOKCKPT_MAX];
    int len = bookckpt_encode(&b, w);
    if (len < 0 || bookckpt_decode(w, (size_t)len, &back) != GT_OK || !book_same(&b, &back))
        abort();
    return 0;
}
