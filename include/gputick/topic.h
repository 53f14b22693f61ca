/* SPDX-License-Identifier: MIT */
/* topic.h -- the ZeroMQ topic scheme of the tick bus.
 *
 * Every bus message starts with a topic frame "<kind>.<product>.<symbol>",
 * e.g. "trade.H100.H100Z6" or "fixing.H100.SDH100RT", then one payload frame of
 * 64-byte records (tick.h) of that kind and instrument. ZeroMQ filters by
 * prefix, so one subscription selects a kind ("tob."), a kind of one product
 * ("trade.H100.") or a symbol prefix ("book.H100.H100Z"). Kinds are a small
 * fixed set, so "everything of product P" is one subscription per kind; the
 * subscription helper below builds that list. Names hold only letters, digits,
 * '-', '_' and '+' (never '.'), which gt_topic_format() enforces. */
#ifndef GT_TOPIC_H
#define GT_TOPIC_H
#include <stddef.h>
#include "gputick/tick.h"

enum { GT_TOPIC_MAX = 32 }; /* longest topic plus its NUL */

struct gt_topic {
    int kind;
    char product[GT_PRODUCT_LEN + 1];
    char symbol[GT_SYMBOL_LEN + 1];
};

/* Writes "<kind>.<product>.<symbol>" and its NUL into out. Returns its length,
 * or GT_EINVAL for an unknown kind, an empty or over-long name, or a character
 * outside the allowed set. */
int gt_topic_format(char out[GT_TOPIC_MAX], int kind, const char *product, const char *symbol);

/* Parses a topic frame (not NUL-terminated). Returns GT_OK or GT_EBADMSG. */
int gt_topic_parse(const char *p, size_t len, struct gt_topic *out);

/* The subscription prefixes that select kind (0 = every kind), product (NULL
 * = every product) and symbol prefix (NULL = every symbol; needs a product).
 * Writes them to out and returns how many (1..GT_KIND_MAX), or GT_EINVAL.
 * Every kind and no product gives the single empty prefix. */
int gt_topic_subscriptions(int kind, const char *product, const char *symbol,
                           char out[GT_KIND_MAX][GT_TOPIC_MAX]);

/* True if name is a valid product or symbol of at most cap characters. */
int gt_topic_name_ok(const char *name, size_t cap);

#endif
