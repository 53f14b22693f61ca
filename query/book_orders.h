/* SPDX-License-Identifier: MIT */
/* book_orders.h -- the order book (market by order) of one contract as of a
 * time, rebuilt from its stored order ticks (kind 8), for tickq book --orders.
 *
 * The order events of the instrument up to T are replayed in bus order
 * (docs/wire.md, "8 order"): new, change and delete by order id; an
 * empty-the-book record clears the book and its flags say whether the book
 * is stale from there (until one flagged recovery). The orders are then
 * sorted into queues: each side best price first, each price in priority
 * order. Memory grows with the resting orders, never with the events. */
#ifndef GT_BOOK_ORDERS_H
#define GT_BOOK_ORDERS_H
#include <stdint.h>
#include "cmdstore.h"
#include "out.h"

/* Prints the queues of instr_id at at_ns, depth price levels a side, one row
 * per order (side, level, its place in the queue, price, quantity, order id,
 * priority, state) through o. Returns 0, or 1 after printing a store error.
 * *n_events gets the order events replayed, *stale whether the book was
 * stale at T. */
int book_orders_print(struct shards *st, int32_t instr_id, int64_t at_ns, int depth, struct out *o,
                      uint64_t *n_events, int *stale);

#endif
