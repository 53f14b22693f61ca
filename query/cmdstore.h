/* SPDX-License-Identifier: MIT */
/* cmdstore.h -- the store as a tickq command uses it: open it, resolve a
 * symbol or a product, find the last tick at or before a time, read the
 * busts, merge an instrument's kinds.
 *
 * The store has three names at three layers, each saying where it lives:
 * gt_store (store/, include/gputick/store.h) is one RocksDB store; shards
 * (shards.h) is one or several of them read as one; cmdstore is that, as a
 * command sees it. These functions print the one-line "tickq CMD: ..."
 * message themselves and return the exit status the command should return
 * (0 on success, 1 for a runtime failure, 2 for wrong input), so a command
 * reads as a list of steps. Symbols are checked (printable ASCII, at most
 * GT_SYMBOL_LEN bytes) before the store is opened; an unknown one is answered
 * with the closest names the store holds (edit distance). */
#ifndef GT_QUERY_CMDSTORE_H
#define GT_QUERY_CMDSTORE_H
#include <stdbool.h>
#include <stdint.h>
#include "gputick/store.h"
#include "shards.h"
#include "seqmerge.h"

enum { CMDSTORE_MAX_INSTR = 4096 };

/* Checks that s can be a symbol (what = "symbol", "product", "index").
 * Returns 0 or EXIT_USAGE after printing why. */
int cmdstore_name_check(const char *cmd, const char *what, const char *s, size_t max_len);

/* Opens the stores of paths (one path, or several separated by commas: the
 * shards of a sharded recording) as readers, read as one (shards.h). A
 * missing store is wrong input (2); a store that will not open is a failure
 * (1). What the queries then skip as unreadable is named on stderr, one line
 * each (the first CMDSTORE_BAD_SHOWN): "tickq CMD: skipped a corrupt block of
 * H100Z6 trades at T (checksum mismatch)". */
enum { CMDSTORE_BAD_SHOWN = 20 };
int cmdstore_open(const char *cmd, const char *paths, struct shards **st);

/* For a host that runs many commands one at a time (tickweb): while keep is
 * on in a thread, cmdstore_open() called by that thread keeps the stores it
 * opens for the next command that names the same paths, refreshed
 * (gt_store_refresh) to what the writer has committed since, and
 * cmdstore_close() leaves them open. Opening a store costs more than most
 * queries. Other threads (bars_many's workers) open their own as before.
 * cmdstore_keep_close() closes what is kept. */
void cmdstore_keep(int on);
void cmdstore_keep_close(void);

/* Closes the stores (NULL does nothing) and returns the exit status: rc, or
 * 1 when rc is 0 but a query skipped something (the output is incomplete). */
int cmdstore_close(const char *cmd, struct shards *st, int rc);

/* Finds the definition of symbol; unknown: prints suggestions, returns 2. */
int cmdstore_instr(const char *cmd, struct shards *st, const char *symbol, struct gt_tick *def);
/* The same, the suggestions only instruments of type (GT_INSTR_INDEX: the
 * name is called an index), and a product's name said to be one. */
int cmdstore_instr_of(const char *cmd, struct shards *st, const char *symbol, int type,
                      struct gt_tick *def);

/* Fills defs (capacity CMDSTORE_MAX_INSTR) with the definitions of product's
 * instruments of type (0 = any), futures sorted by maturity. *n is their
 * count. An unknown product prints suggestions and returns 2. */
int cmdstore_product(const char *cmd, struct shards *st, const char *product, int type,
                     struct gt_tick *defs, int *n);

/* Finds the index (type GT_INSTR_INDEX) of product without printing:
 * returns 1 and *def, 0 if there is none, or GT_EDB. */
int cmdstore_index_of(struct shards *st, const char *product, struct gt_tick *def);

/* Finds the index (type GT_INSTR_INDEX) of product. Returns 0 and *def, or
 * 2 if the store has no index for it. */
int cmdstore_product_index(const char *cmd, struct shards *st, const char *product,
                           struct gt_tick *def);

/* The last tick of (instr_id, kind) with exch_ns <= at_ns; pred (may be NULL)
 * selects which ticks count. Searches backwards in widening windows, so the
 * cost is about the ticks since the one found. Sets *found (1 and *out, or 0
 * if there is none) and returns 0, or 1 after printing a store error. */
int cmdstore_last_at(const char *cmd, struct shards *st, int32_t instr_id, int kind, int64_t at_ns,
                     bool (*pred)(const struct gt_tick *t, const void *ctx), const void *ctx,
                     struct gt_tick *out, int *found);

/* shards_busts_read() for a command: the busts of instr_id's trades from
 * from_ns on into b (gt_busts_init()ed by the caller, who finis it).
 * Returns 0, or 1 after printing a store error. */
int cmdstore_busts(const char *cmd, struct shards *st, int32_t instr_id, int64_t from_ns,
                   struct gt_busts *b);

/* The last trade of instr_id at or before at_ns that counts by tick.h's rule,
 * busts of it read first: cmdstore_last_at() over the trades that count. */
int cmdstore_last_trade_at(const char *cmd, struct shards *st, int32_t instr_id, int64_t at_ns,
                           struct gt_tick *out, int *found);

/* A merge of several series of one store in bus order (seq): up to
 * CMDSTORE_MERGE_MAX iterators, one decoded block each, so constant memory. */
enum { CMDSTORE_MERGE_MAX = GT_KIND_MAX };
struct cmdstore_merge {
    const char *cmd;
    struct shards_iter *it[CMDSTORE_MERGE_MAX]; /* NULL once used up */
    int n_in;
    struct seqmerge merge;
};

/* Opens the series (instr_id, kinds[k]) in [from_ns, to_ns); kinds without a
 * series are skipped. Returns 0, or 1 after printing a store error. */
int cmdstore_merge_open(const char *cmd, struct shards *st, struct cmdstore_merge *m,
                        int32_t instr_id, const int *kinds, int n_kinds, int64_t from_ns,
                        int64_t to_ns);
/* The next run in seq order: n > 0 ticks at *t (valid until the next call),
 * consecutive in one series and before every other series' next tick; 0 at
 * the end, or -1 after printing a store error. */
int cmdstore_merge_run(struct cmdstore_merge *m, const struct gt_tick **t);
void cmdstore_merge_close(struct cmdstore_merge *m);

/* The ticks of several instruments in bus order: a merge (seqmerge.h) of
 * each one's cmdstore_merge, so still one decoded block per series. */
enum { CMDSTORE_MANY_MAX = SEQMERGE_MAX };
struct cmdstore_many {
    struct cmdstore_merge *m; /* one per instrument, malloc'd */
    int n;
    struct seqmerge merge;
};

/* cmdstore_merge_open() for each of ids[0..n_ids) (at most
 * CMDSTORE_MANY_MAX). Returns 0, or 1 after printing why. */
int cmdstore_many_open(const char *cmd, struct shards *st, struct cmdstore_many *mm,
                       const int32_t *ids, int n_ids, const int *kinds, int n_kinds,
                       int64_t from_ns, int64_t to_ns);
/* As cmdstore_merge_run(), over every instrument. */
int cmdstore_many_run(struct cmdstore_many *mm, const struct gt_tick **t);
void cmdstore_many_close(struct cmdstore_many *mm);

/* What a command reads: the symbols named (operands), or every instrument of
 * --product. */
struct cmdstore_pick {
    const char *product; /* NULL: the symbols */
    char **symbols;
    int n_symbols;
};

/* Checks a pick before the store is opened: a product or at least one symbol
 * (not both), each a possible name. eg is the command's example ("tickq ticks
 * H100Z6"). Returns 0 or EXIT_USAGE after printing why. */
int cmdstore_pick_check(const char *cmd, const struct cmdstore_pick *p, const char *eg);

/* The definitions of a pick into defs (capacity CMDSTORE_MAX_INSTR), *n of
 * them: the symbols in the order given (a repeat once), or the product's
 * instruments of type (0 any) by maturity. Returns 0, or 2 (an unknown name,
 * with suggestions; a product without such instruments) or 1, printed. */
int cmdstore_select(const char *cmd, struct shards *st, const struct cmdstore_pick *p, int type,
                    struct gt_tick *defs, int *n);

/* Prints a failed iterator step ("tickq CMD: store: ...") and returns 1. */
int cmdstore_iter_fail(const char *cmd, struct shards_iter *it, int rc);

/* The symbol of a definition tick as a C string. */
void cmdstore_symbol(const struct gt_tick *def, char out[GT_SYMBOL_LEN + 1]);
void cmdstore_productname(const struct gt_tick *def, char out[GT_PRODUCT_LEN + 1]);

/* Levenshtein distance between a and b (each at most 64 bytes counted). */
int cmdstore_edit_distance(const char *a, const char *b);

#endif
