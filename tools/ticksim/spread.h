/* SPDX-License-Identifier: MIT */
/* spread.h -- calendar spreads and the implication engine of the simulated market.
 *
 * Each product lists MARKET_N_SPREADS calendar spreads: one between every two
 * consecutive months and one of the front month against the third. A spread
 * buys its near leg and sells its far leg, one lot each, so its price is
 * near - far and may be negative. Its order flow and trades use market.c's
 * machinery; a spread trade also prints its two legs as trades of the
 * outrights right after the spread's entry (AggressorSide 0, leg_of set).
 *
 * The implication engine keeps, for every instrument, an implied book of
 * MARKET_IMPLIED_DEPTH levels a side, first generation only (implied from
 * direct orders, never from implied ones):
 *   - implied-in, spread S = N - F: bid = N.bid - F.ask, offer = N.ask - F.bid;
 *   - implied-out, outright N as near leg of S = N - F: bid = S.bid + F.bid,
 *     offer = S.ask + F.ask; outright F as far leg of S = N - F:
 *     bid = N.bid - S.ask, offer = N.ask - S.bid.
 * Each such path is walked through both books as an order would trade
 * through them: a step prices the two current levels and takes the smaller of
 * their remaining quantities, then moves past the level used up (both when
 * equal). The steps of all paths are merged by price (quantities at one price
 * add up); prices that would lock or cross the instrument's own direct best
 * opposite price are left out (CME would trade them), and so are outright
 * prices <= 0; the best MARKET_IMPLIED_DEPTH prices remain.
 * Changes go out as MBP entries of MDEntryType 'E'/'F' (deletes first, worst
 * level first, then changes and news best first) at the end of the event
 * whose direct book changes caused them. */
#ifndef GT_SPREAD_H
#define GT_SPREAD_H
#include "market.h"

/* Lists the spreads of every product after the outrights (market_init). */
void spread_list(struct market *m);

/* Appends the leg prints of spread trade t (of spread instrument s). */
void spread_leg_prints(struct market *m, struct market_event *ev, int s,
                       const struct market_entry *t);

/* Computes instrument i's implied book from the direct books now. */
void implied_compute(const struct market *m, int i, struct market_level bid[MARKET_IMPLIED_DEPTH],
                     int *n_bid, struct market_level ask[MARKET_IMPLIED_DEPTH], int *n_ask);

/* Recomputes the implied books that the direct book entries of ev depend on
 * and appends the E/F entries that bring them up to date. */
void implied_update(struct market *m, struct market_event *ev);

/* Appends New E/F entries rebuilding instrument i's implied book on an empty
 * receiver book (market_restate). */
void implied_restate(struct market *m, int i, struct market_event *ev);

#endif
