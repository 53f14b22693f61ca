/* SPDX-License-Identifier: MIT */
/* bars_many.h -- bars of many instruments at once, on several threads.
 *
 * Series are independent, so the bars of a product's contracts can be built
 * in parallel: bars_many() runs bars_run() for each instrument on up to
 * `threads` threads, each taking the next instrument not yet taken (the
 * front month holds most trades, so a fixed split would leave a thread
 * idle). A store handle serves one thread at a time (gputick/store.h): the
 * calling thread uses st, every other thread opens its own readers of the
 * same paths. Each instrument's bars are kept in memory in time order and
 * handed back in the order of ids[], so the output does not depend on the
 * threads. */
#ifndef GT_QUERY_BARS_MANY_H
#define GT_QUERY_BARS_MANY_H
#include <stddef.h>
#include "bars.h"

struct bars_list {
    struct bar *b; /* malloc'd; bars_list_free */
    size_t n, cap;
    int oom; /* a bar could not be kept */
};

/* How many threads tickq uses when not told: the machine's online cores
 * (sysconf), at least 1. */
int bars_threads_default(void);

/* Bars of width w of ids[0..n) in [from_ns, to_ns) into out[0..n) (zeroed by
 * the caller), on up to threads threads (at most n; < 1 means 1). paths are
 * the --db paths st was opened from. Returns 0, or 1 after printing
 * "tickq CMD: ..." for the first failure (out then partly filled). */
int bars_many(const char *cmd, struct shards *st, const char *paths, const int32_t *ids, int n,
              int64_t from_ns, int64_t to_ns, int64_t w, int threads, struct bars_list *out);
void bars_list_free(struct bars_list *l, int n);

#endif
