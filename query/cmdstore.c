/* SPDX-License-Identifier: MIT */
/* cmdstore.c -- store access shared by the tickq commands (contract in cmdstore.h). */
#include "qio.h"
#include "cmdstore.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "cmd.h"
#include "qopt.h"
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
    int product = strcmp(what, "product") == 0;
    const char *eg = product ? "H100" : strcmp(what, "index") == 0 ? "SDH100RT" : "H100Z6";
    if (n == 0 || n > max_len) {
        fprintf(QERR, "tickq %s: %s of %zu bytes (want 1 to %zu, e.g. %s%s)\n", cmd, what, n,
                max_len, eg, product ? "; a product, not a symbol such as H100Z6" : "");
        return EXIT_USAGE;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f) {
            fprintf(QERR, "tickq %s: %s has byte 0x%02x at %zu (want printable ASCII, e.g. %s)\n",
                    cmd, what, c, i, eg);
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
        qio_fail = QIO_FAIL_STORE;
        fprintf(QERR, "tickq %s: no tick store at %s (want --db PATH or $GPUTICK_DB)\n", cmd, path);
        return EXIT_USAGE;
    }
    int rc = gt_store_open(path, GT_STORE_READER, st, err);
    if (rc < 0)
        qio_fail = QIO_FAIL_STORE;
    if (rc == GT_ENOENT || rc == GT_EVERSION || rc == GT_EINVAL) {
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

/* The stores kept open, and the paths they were opened by; whether this
 * thread keeps them. */
static _Thread_local int keep_on;
static struct shards *kept;
static char kept_paths[QOPT_DB_LIST];

void cmdstore_keep(int on)
{
    keep_on = on;
}

void cmdstore_keep_close(void)
{
    shards_close(kept);
    kept = NULL;
}

int cmdstore_close(const char *cmd, struct shards *st, int rc)
{
    if (st && st->n_bad > CMDSTORE_BAD_SHOWN)
        fprintf(QERR, "tickq %s: %llu unreadable blocks or stretches skipped in all\n", cmd,
                (unsigned long long)st->n_bad);
    if (st && st->n_bad && !rc)
        rc = 1;
    if (st != kept)
        shards_close(st);
    return rc;
}

/* The kept stores for paths, caught up with their writer and with the last
 * command's counts cleared, or NULL. */
static struct shards *kept_reuse(const char *cmd, const char *paths)
{
    if (!kept || strcmp(kept_paths, paths) != 0)
        return NULL;
    for (int i = 0; i < kept->n; i++)
        if (gt_store_refresh(kept->st[i]) != GT_OK) {
            cmdstore_keep_close(); /* opened afresh below */
            return NULL;
        }
    kept->bad_ctx = cmd;
    kept->n_bad = 0;
    kept->n_seen = 0;
    kept->horizon_said = 0;
    kept->errmsg[0] = 0;
    return kept;
}

int cmdstore_open(const char *cmd, const char *paths, struct shards **st)
{
    if (keep_on && (*st = kept_reuse(cmd, paths)))
        return 0;
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
    if (keep_on && strlen(paths) < sizeof kept_paths) {
        cmdstore_keep_close();
        kept = qs;
        snprintf(kept_paths, sizeof kept_paths, "%s", paths);
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
 * instruments (symbols of type, 0 any; or products when want_product) closest
 * to it, and says so when name is the other kind of name (a product given for
 * a symbol, a symbol for a product). */
static int suggest(const char *cmd, struct shards *st, const char *what, const char *name,
                   int want_product, int type)
{
    struct gt_tick *defs = malloc(CMDSTORE_MAX_INSTR * sizeof *defs);
    int n = defs ? shards_instr_list(st, defs, CMDSTORE_MAX_INSTR) : 0;
    if (n > CMDSTORE_MAX_INSTR)
        n = CMDSTORE_MAX_INSTR;
    char best[3][GT_SYMBOL_LEN + 1] = {{0}}, other[80] = "";
    int bestd[3] = {1 << 30, 1 << 30, 1 << 30};
    for (int i = 0; i < n; i++) {
        char s[GT_SYMBOL_LEN + 1], p[GT_PRODUCT_LEN + 1];
        cmdstore_symbol(&defs[i], s);
        cmdstore_productname(&defs[i], p);
        if (!other[0] && strcmp(want_product ? s : p, name) == 0)
            snprintf(other, sizeof other, "%s is a %s%s, not %s %s; ", name,
                     want_product ? "symbol of product " : "product", want_product ? p : "",
                     what[0] == 'i' ? "an" : "a", what);
        if (want_product)
            memcpy(s, p, sizeof p);
        else if (type && defs[i].u.def.type != type)
            continue;
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
    qio_fail = QIO_FAIL_UNKNOWN_NAME;
    if (n <= 0) {
        fprintf(QERR, "tickq %s: unknown %s '%s' (the store has no instruments yet)\n", cmd, what,
                name);
        return EXIT_USAGE;
    }
    fprintf(QERR, "tickq %s: unknown %s '%s' (%swant e.g. %s%s%s%s%s; see 'tickq symbols')\n", cmd,
            what, name, other, best[0], best[1][0] ? ", " : "", best[1], best[2][0] ? ", " : "",
            best[2]);
    return EXIT_USAGE;
}

int cmdstore_instr_of(const char *cmd, struct shards *st, const char *symbol, int type,
                      struct gt_tick *def)
{
    int rc = shards_instr_find(st, symbol, def);
    if (rc == GT_ENOENT)
        return suggest(cmd, st, type == GT_INSTR_INDEX ? "index" : "symbol", symbol, 0, type);
    if (rc < 0) {
        fprintf(QERR, "tickq %s: %s\n", cmd, shards_errmsg(st));
        return 1;
    }
    return 0;
}

int cmdstore_instr(const char *cmd, struct shards *st, const char *symbol, struct gt_tick *def)
{
    return cmdstore_instr_of(cmd, st, symbol, 0, def);
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
        return suggest(cmd, st, "product", product, 1, 0);
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
        qio_fail = QIO_FAIL_UNKNOWN_NAME;
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

/* seqmerge's refill for cmdstore_many: instrument k's next run. */
static int many_refill(void *ctx, int k, const struct gt_tick **t)
{
    struct cmdstore_many *mm = ctx;
    return cmdstore_merge_run(&mm->m[k], t);
}

int cmdstore_many_open(const char *cmd, struct shards *st, struct cmdstore_many *mm,
                       const int32_t *ids, int n_ids, const int *kinds, int n_kinds,
                       int64_t from_ns, int64_t to_ns)
{
    memset(mm, 0, sizeof *mm);
    if (n_ids > CMDSTORE_MANY_MAX) {
        fprintf(QERR, "tickq %s: %d instruments at once (want at most %d; name fewer symbols)\n",
                cmd, n_ids, CMDSTORE_MANY_MAX);
        return EXIT_USAGE;
    }
    mm->m = calloc((size_t)(n_ids ? n_ids : 1), sizeof *mm->m);
    if (!mm->m) {
        fprintf(QERR, "tickq %s: out of memory\n", cmd);
        return 1;
    }
    for (; mm->n < n_ids; mm->n++)
        if (cmdstore_merge_open(cmd, st, &mm->m[mm->n], ids[mm->n], kinds, n_kinds, from_ns,
                                to_ns)) {
            cmdstore_many_close(mm);
            return 1;
        }
    seqmerge_init(&mm->merge, mm->n, many_refill, mm);
    return 0;
}

int cmdstore_many_run(struct cmdstore_many *mm, const struct gt_tick **t)
{
    return seqmerge_run(&mm->merge, t);
}

void cmdstore_many_close(struct cmdstore_many *mm)
{
    for (int k = 0; k < mm->n; k++)
        cmdstore_merge_close(&mm->m[k]);
    free(mm->m);
    mm->m = NULL;
    mm->n = 0;
}

int cmdstore_pick_check(const char *cmd, const struct cmdstore_pick *p, const char *eg)
{
    if (p->product && p->n_symbols) {
        fprintf(QERR, "tickq %s: want --product or SYMBOLs, not both (e.g. %s)\n", cmd, eg);
        return EXIT_USAGE;
    }
    if (p->product)
        return cmdstore_name_check(cmd, "product", p->product, GT_PRODUCT_LEN);
    if (!p->n_symbols) {
        fprintf(QERR, "tickq %s: want a SYMBOL or --product P (e.g. %s)\n", cmd, eg);
        return EXIT_USAGE;
    }
    if (p->n_symbols > CMDSTORE_MAX_INSTR) {
        fprintf(QERR, "tickq %s: %d symbols (want at most %d)\n", cmd, p->n_symbols,
                CMDSTORE_MAX_INSTR);
        return EXIT_USAGE;
    }
    for (int i = 0; i < p->n_symbols; i++)
        if (cmdstore_name_check(cmd, "symbol", p->symbols[i], GT_SYMBOL_LEN))
            return EXIT_USAGE;
    return 0;
}

int cmdstore_select(const char *cmd, struct shards *st, const struct cmdstore_pick *p, int type,
                    struct gt_tick *defs, int *n)
{
    *n = 0;
    if (p->product) {
        int rc = cmdstore_product(cmd, st, p->product, type, defs, n);
        if (!rc && *n == 0) {
            fprintf(QERR, "tickq %s: product %s has no %s in this store (see 'tickq symbols')\n",
                    cmd, p->product, type == GT_INSTR_INDEX ? "index" : "futures");
            rc = EXIT_USAGE;
        }
        return rc;
    }
    for (int i = 0; i < p->n_symbols; i++) {
        struct gt_tick d;
        int rc = cmdstore_instr(cmd, st, p->symbols[i], &d), dup = 0;
        if (rc)
            return rc;
        for (int k = 0; k < *n && !dup; k++)
            dup = defs[k].instr_id == d.instr_id;
        if (!dup)
            defs[(*n)++] = d;
    }
    return 0;
}
