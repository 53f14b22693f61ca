/* SPDX-License-Identifier: MIT */
/* cmdstore.c -- store access shared by the tickq commands (contract in cmdstore.h). */
#include "qio.h"
#include "cmdstore.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cmd.h"
#include "gputick/time.h"

void cmdstore_symbol(const struct gt_tick *def, char out[GT_SYMBOL_LEN + 1])
{
    gt_fixed_str(out, GT_SYMBOL_LEN + 1, def->u.def.symbol, GT_SYMBOL_LEN);
}

void cmdstore_productname(const struct gt_tick *def, char out[GT_PRODUCT_LEN + 1])
{
    gt_fixed_str(out, GT_PRODUCT_LEN + 1, def->u.def.product, GT_PRODUCT_LEN);
}

int cmdstore_name_check(const char *cmd, const char *what, const char *s, size_t max_len)
{
    size_t n = strlen(s);
    if (n == 0 || n > max_len) {
        fprintf(QERR, "tickq %s: %s of %zu bytes (want 1 to %zu, e.g. H100Z6)\n", cmd, what, n,
                max_len);
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f) {
            fprintf(QERR,
                    "tickq %s: %s has byte 0x%02x at %zu (want printable ASCII, e.g. H100Z6)\n",
                    cmd, what, c, i);
            return EXIT_USAGE;
        }
    }
    return 0;
}

/* Opens one store of a list as a reader. */
static int open_one(const char *cmd, const char *path, gt_store **st)
{
    char err[GT_ERRLEN];
    struct stat sb;
    if (stat(path, &sb) != 0) {
        fprintf(QERR, "tickq %s: no tick store at %s (want --db PATH or $GPUTICK_DB)\n", cmd, path);
        return EXIT_USAGE;
    }
    int rc = gt_store_open(path, GT_STORE_READER, st, err);
    if (rc == GT_ENOENT || rc == GT_EVERSION) {
        fprintf(QERR, "tickq %s: %s (want --db naming a gputick store)\n", cmd, err);
        return EXIT_USAGE;
    }
    if (rc < 0) {
        fprintf(QERR, "tickq %s: %s\n", cmd, err);
        return 1;
    }
    return 0;
}

static const char *kind_plural(int kind)
{
    static const char *n[GT_KIND_MAX + 1] = {"ticks",        "trades",      "book levels",
                                             "tops of book", "fixings",     "statistics",
                                             "status ticks", "definitions", "order events"};
    return n[kind >= 1 && kind <= GT_KIND_MAX ? kind : 0];
}

/* The on_bad hook: one line per skipped block or stretch. */
static void bad_print(const void *ctx, const struct shards_bad *b)
{
    const char *cmd = ctx;
    char id[GT_SYMBOL_LEN + 16], t0[GT_TIME_STRLEN], t1[GT_TIME_STRLEN];
    snprintf(id, sizeof id, "%s", b->symbol);
    if (!id[0])
        snprintf(id, sizeof id, "instrument %d", b->instr_id);
    gt_time_format(b->key_ns, t0);
    gt_time_format(b->end_ns, t1);
    if (b->nth > CMDSTORE_BAD_SHOWN) {
        if (b->nth == CMDSTORE_BAD_SHOWN + 1)
            fprintf(QERR, "tickq %s: more was skipped (not named; the count follows)\n", cmd);
        return;
    }
    if (b->end_ns == b->key_ns)
        fprintf(QERR, "tickq %s: skipped a corrupt block of %s %s at %s (%s)\n", cmd, id,
                kind_plural(b->kind), t0, gt_strerror(b->rc));
    else if (b->key_ns == INT64_MIN)
        fprintf(QERR, "tickq %s: skipped unreadable table data of %s %s before %s (%s)\n", cmd, id,
                kind_plural(b->kind), t1, b->why);
    else if (b->end_ns == INT64_MAX)
        fprintf(QERR, "tickq %s: skipped unreadable table data of %s %s from %s on (%s)\n", cmd, id,
                kind_plural(b->kind), t0, b->why);
    else
        fprintf(QERR, "tickq %s: skipped unreadable table data of %s %s from %s to %s (%s)\n", cmd,
                id, kind_plural(b->kind), t0, t1, b->why);
}

/* The on_horizon hook: one line when a query reaches before what retention
 * kept. */
static void horizon_print(const void *ctx, int64_t horizon_ns)
{
    char t[GT_TIME_STRLEN];
    gt_time_format(horizon_ns, t);
    fprintf(QERR,
            "tickq %s: the store keeps data from %s on (retention); what the range asks for "
            "before it is not shown\n",
            (const char *)ctx, t);
}

int cmdstore_close(const char *cmd, struct shards *st, int rc)
{
    if (st && st->n_bad > CMDSTORE_BAD_SHOWN)
        fprintf(QERR, "tickq %s: %llu unreadable blocks or stretches skipped in all\n", cmd,
                (unsigned long long)st->n_bad);
    if (st && st->n_bad && !rc)
        rc = 1;
    shards_close(st);
    return rc;
}

int cmdstore_open(const char *cmd, const char *paths, struct shards **st)
{
    struct shards *qs = shards_new();
    if (!qs) {
        fprintf(QERR, "tickq %s: out of memory\n", cmd);
        return 1;
    }
    qs->on_bad = bad_print;
    qs->on_horizon = horizon_print;
    qs->bad_ctx = cmd;
    for (const char *p = paths;;) {
        char path[4096];
        size_t n = strcspn(p, ",");
        gt_store *one;
        int rc;
        if (n == 0 || n >= sizeof path || qs->n == SHARDS_MAX) {
            fprintf(QERR,
                    "tickq %s: bad --db '%s' (want a path, or up to %d separated by commas)\n", cmd,
                    paths, SHARDS_MAX);
            rc = EXIT_USAGE;
        } else {
            memcpy(path, p, n);
            path[n] = 0;
            rc = open_one(cmd, path, &one);
        }
        if (rc) {
            shards_close(qs);
            return rc;
        }
        shards_add(qs, one);
        if (!p[n])
            break;
        p += n + 1;
    }
    *st = qs;
    return 0;
}

int cmdstore_edit_distance(const char *a, const char *b)
{
    enum { M = 64 };
    int la = (int)strnlen(a, M), lb = (int)strnlen(b, M);
    int row[M + 1];
    for (int j = 0; j <= lb; j++)
        row[j] = j;
    for (int i = 1; i <= la; i++) {
        int diag = row[0];
        row[0] = i;
        for (int j = 1; j <= lb; j++) {
            int up = row[j];
            int best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best)
                best = up + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

/* Prints "unknown WHAT 'name'" with up to three names of the store's
 * instruments (symbols, or products when want_product) closest to it. */
static int suggest(const char *cmd, struct shards *st, const char *what, const char *name,
                   int want_product)
{
    struct gt_tick *defs = malloc(CMDSTORE_MAX_INSTR * sizeof *defs);
    int n = defs ? shards_instr_list(st, defs, CMDSTORE_MAX_INSTR) : 0;
    if (n > CMDSTORE_MAX_INSTR)
        n = CMDSTORE_MAX_INSTR;
    char best[3][GT_SYMBOL_LEN + 1] = {{0}};
    int bestd[3] = {1 << 30, 1 << 30, 1 << 30};
    for (int i = 0; i < n; i++) {
        char s[GT_SYMBOL_LEN + 1];
        if (want_product)
            cmdstore_productname(&defs[i], s);
        else
            cmdstore_symbol(&defs[i], s);
        int d = cmdstore_edit_distance(name, s), dup = 0;
        for (int k = 0; k < 3; k++)
            dup |= strcmp(best[k], s) == 0;
        for (int k = 0; k < 3 && !dup; k++) {
            if (d < bestd[k]) {
                for (int m = 2; m > k; m--) {
                    bestd[m] = bestd[m - 1];
                    memcpy(best[m], best[m - 1], sizeof best[m]);
                }
                bestd[k] = d;
                memcpy(best[k], s, sizeof best[k]);
                break;
            }
        }
    }
    free(defs);
    if (n <= 0) {
        fprintf(QERR, "tickq %s: unknown %s '%s' (the store has no instruments yet)\n", cmd, what,
                name);
        return EXIT_USAGE;
    }
    fprintf(QERR, "tickq %s: unknown %s '%s' (want e.g. %s%s%s%s%s; see 'tickq symbols')\n", cmd,
            what, name, best[0], best[1][0] ? ", " : "", best[1], best[2][0] ? ", " : "", best[2]);
    return EXIT_USAGE;
}

int cmdstore_instr(const char *cmd, struct shards *st, const char *symbol, struct gt_tick *def)
{
    int rc = shards_instr_find(st, symbol, def);
    if (rc == GT_ENOENT)
        return suggest(cmd, st, "symbol", symbol, 0);
    if (rc < 0) {
        fprintf(QERR, "tickq %s: %s\n", cmd, shards_errmsg(st));
        return 1;
    }
    return 0;
}

static int by_maturity(const void *a, const void *b)
{
    const struct gt_tick *x = a, *y = b;
    if (x->u.def.maturity != y->u.def.maturity)
        return x->u.def.maturity < y->u.def.maturity ? -1 : 1;
    return memcmp(x->u.def.symbol, y->u.def.symbol, GT_SYMBOL_LEN);
}

int cmdstore_product(const char *cmd, struct shards *st, const char *product, int type,
                     struct gt_tick *defs, int *n)
{
    int total = shards_instr_list(st, defs, CMDSTORE_MAX_INSTR);
    if (total < 0) {
        fprintf(QERR, "tickq %s: %s\n", cmd, shards_errmsg(st));
        return 1;
    }
    if (total > CMDSTORE_MAX_INSTR)
        total = CMDSTORE_MAX_INSTR;
    int k = 0, any = 0;
    for (int i = 0; i < total; i++) {
        char p[GT_PRODUCT_LEN + 1];
        cmdstore_productname(&defs[i], p);
        if (strcmp(p, product) != 0)
            continue;
        any = 1;
        if (type == 0 || defs[i].u.def.type == type)
            defs[k++] = defs[i];
    }
    if (!any)
        return suggest(cmd, st, "product", product, 1);
    qsort(defs, (size_t)k, sizeof *defs, by_maturity);
    *n = k;
    return 0;
}

int cmdstore_index_of(struct shards *st, const char *product, struct gt_tick *def)
{
    struct gt_tick *defs = malloc(CMDSTORE_MAX_INSTR * sizeof *defs);
    if (!defs)
        return GT_ENOMEM;
    int n = shards_instr_list(st, defs, CMDSTORE_MAX_INSTR), found = 0;
    for (int i = 0; i < n && i < CMDSTORE_MAX_INSTR && !found; i++) {
        char p[GT_PRODUCT_LEN + 1];
        cmdstore_productname(&defs[i], p);
        if (defs[i].u.def.type == GT_INSTR_INDEX && strcmp(p, product) == 0) {
            *def = defs[i];
            found = 1;
        }
    }
    free(defs);
    return n < 0 ? n : found;
}

int cmdstore_product_index(const char *cmd, struct shards *st, const char *product,
                           struct gt_tick *def)
{
    int rc = cmdstore_index_of(st, product, def);
    if (rc < 0) {
        fprintf(QERR, "tickq %s: %s\n", cmd, shards_errmsg(st));
        return 1;
    }
    if (rc == 0) {
        fprintf(QERR,
                "tickq %s: product %s has no index in this store (want one whose "
                "definitions include its index; see 'tickq symbols')\n",
                cmd, product);
        return EXIT_USAGE;
    }
    return 0;
}

int cmdstore_iter_fail(const char *cmd, struct shards_iter *it, int rc)
{
    const char *msg = shards_iter_errmsg(it);
    fprintf(QERR, "tickq %s: store: %s\n", cmd, *msg ? msg : gt_strerror(rc));
    return 1;
}

int cmdstore_last_at(const char *cmd, struct shards *st, int32_t instr_id, int kind, int64_t at_ns,
                     bool (*pred)(const struct gt_tick *t, const void *ctx), const void *ctx,
                     struct gt_tick *out, int *found)
{
    struct gt_series_info info;
    *found = 0;
    int rc = shards_series_find(st, instr_id, kind, &info);
    if (rc == GT_ENOENT || (rc == GT_OK && info.first_ns > at_ns))
        return 0;
    if (rc < 0) {
        fprintf(QERR, "tickq %s: %s\n", cmd, shards_errmsg(st));
        return 1;
    }
    /* Windows of 1 min, 16 min, ~4 h, ... back from at_ns, the last reaching
     * the series' first tick. */
    int64_t hi = at_ns == INT64_MAX ? INT64_MAX : at_ns + 1, width = 60 * GT_NS_PER_SEC;
    for (;;) {
        int64_t lo = (__int128)hi - info.first_ns <= width ? info.first_ns : hi - width;
        struct shards_iter *it;
        if ((rc = shards_iter_open(st, instr_id, kind, lo, hi, &it)) < 0) {
            fprintf(QERR, "tickq %s: %s\n", cmd, shards_errmsg(st));
            return 1;
        }
        const struct gt_tick *t;
        while ((rc = shards_iter_next(it, &t)) > 0)
            for (int i = 0; i < rc; i++)
                if (!pred || pred(&t[i], ctx)) {
                    *out = t[i];
                    *found = 1;
                }
        if (rc < 0) {
            rc = cmdstore_iter_fail(cmd, it, rc);
            shards_iter_close(it);
            return rc;
        }
        shards_iter_close(it);
        if (*found || lo <= info.first_ns)
            return 0;
        hi = lo;
        width = width > INT64_MAX / 16 ? INT64_MAX : width * 16;
    }
}

int cmdstore_busts(const char *cmd, struct shards *st, int32_t instr_id, int64_t from_ns,
                   struct gt_busts *b)
{
    struct shards_iter *it;
    int rc = shards_busts_read(st, instr_id, from_ns, b, &it);
    if (rc < 0 && it)
        rc = cmdstore_iter_fail(cmd, it, rc);
    else if (rc < 0)
        rc = 1, fprintf(QERR, "tickq %s: %s\n", cmd, shards_errmsg(st));
    shards_iter_close(it);
    return rc;
}

static bool trade_counts(const struct gt_tick *t, const void *busts)
{
    return gt_trade_counts(t, busts);
}

int cmdstore_last_trade_at(const char *cmd, struct shards *st, int32_t instr_id, int64_t at_ns,
                           struct gt_tick *out, int *found)
{
    struct gt_busts b;
    gt_busts_init(&b);
    *found = 0;
    int rc = cmdstore_busts(cmd, st, instr_id, INT64_MIN, &b);
    if (!rc)
        rc =
            cmdstore_last_at(cmd, st, instr_id, GT_KIND_TRADE, at_ns, trade_counts, &b, out, found);
    gt_busts_fini(&b);
    return rc;
}

/* seqmerge's refill: series k's next run, its iterator closed at the end. */
static int merge_refill(void *ctx, int k, const struct gt_tick **t)
{
    struct cmdstore_merge *m = ctx;
    int rc = shards_iter_next(m->it[k], t);
    if (rc < 0)
        return -cmdstore_iter_fail(m->cmd, m->it[k], rc);
    if (rc == 0) {
        shards_iter_close(m->it[k]);
        m->it[k] = NULL;
    }
    return rc;
}

int cmdstore_merge_open(const char *cmd, struct shards *st, struct cmdstore_merge *m,
                        int32_t instr_id, const int *kinds, int n_kinds, int64_t from_ns,
                        int64_t to_ns)
{
    memset(m, 0, sizeof *m);
    m->cmd = cmd;
    for (int k = 0; k < n_kinds && m->n_in < CMDSTORE_MERGE_MAX; k++) {
        struct shards_iter *it;
        int rc = shards_iter_open(st, instr_id, kinds[k], from_ns, to_ns, &it);
        if (rc == GT_ENOENT)
            continue;
        if (rc < 0) {
            fprintf(QERR, "tickq %s: %s\n", cmd, shards_errmsg(st));
            cmdstore_merge_close(m);
            return 1;
        }
        m->it[m->n_in++] = it;
    }
    seqmerge_init(&m->merge, m->n_in, merge_refill, m);
    return 0;
}

int cmdstore_merge_run(struct cmdstore_merge *m, const struct gt_tick **t)
{
    return seqmerge_run(&m->merge, t);
}

void cmdstore_merge_close(struct cmdstore_merge *m)
{
    for (int k = 0; k < m->n_in; k++)
        shards_iter_close(m->it[k]);
    m->n_in = 0;
}
