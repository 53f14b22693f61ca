/* SPDX-License-Identifier: MIT */
/* bars_many.c -- bars of many instruments on several threads (contract in
 * bars_many.h). */
#include "qio.h"
#include "bars_many.h"
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "cmdstore.h"

enum { BARS_MAX_THREADS = 64 };

struct job {
    const char *cmd, *paths;
    const int32_t *ids;
    int n;
    int64_t from_ns, to_ns, w;
    struct bars_list *out;
    atomic_int next;   /* the next instrument not yet taken */
    atomic_int failed; /* 1 after a failure: the others stop taking */
};

struct worker {
    struct job *j;
    struct shards *st; /* the caller's, or NULL: open one */
    pthread_t tid;
    int rc;
};

int bars_threads_default(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > BARS_MAX_THREADS ? BARS_MAX_THREADS : (int)n;
}

static int collect(const struct bar *b, void *ctx)
{
    struct bars_list *l = ctx;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        struct bar *nb = realloc(l->b, cap * sizeof *nb);
        if (!nb)
            return l->oom = 1;
        l->b = nb, l->cap = cap;
    }
    l->b[l->n++] = *b;
    return 0;
}

static void *work(void *arg)
{
    struct worker *wk = arg;
    struct job *j = wk->j;
    struct shards *st = wk->st;
    if (!st && (wk->rc = cmdstore_open(j->cmd, j->paths, &st)) != 0) {
        atomic_store(&j->failed, 1);
        return NULL;
    }
    int i;
    while (!atomic_load(&j->failed) && (i = atomic_fetch_add(&j->next, 1)) < j->n) {
        struct shards_iter *it = NULL;
        struct bars_list *l = &j->out[i];
        int e = bars_run(st, j->ids[i], j->from_ns, j->to_ns, j->w, 0, collect, l, &it);
        if (e < 0) {
            wk->rc = it ? cmdstore_iter_fail(j->cmd, it, e) : 1;
            if (!it)
                fprintf(QERR, "tickq %s: %s\n", j->cmd, shards_errmsg(st));
        } else if (l->oom) {
            fprintf(QERR, "tickq %s: out of memory\n", j->cmd);
            wk->rc = 1;
        }
        shards_iter_close(it);
        if (wk->rc)
            atomic_store(&j->failed, 1);
    }
    if (st != wk->st)
        shards_close(st);
    return NULL;
}

int bars_many(const char *cmd, struct shards *st, const char *paths, const int32_t *ids, int n,
              int64_t from_ns, int64_t to_ns, int64_t w, int threads, struct bars_list *out)
{
    struct job j = {.cmd = cmd,
                    .paths = paths,
                    .ids = ids,
                    .n = n,
                    .from_ns = from_ns,
                    .to_ns = to_ns,
                    .w = w,
                    .out = out};
    atomic_init(&j.next, 0);
    atomic_init(&j.failed, 0);
    if (threads > n)
        threads = n;
    if (threads > BARS_MAX_THREADS)
        threads = BARS_MAX_THREADS;
    if (threads < 1)
        threads = 1;
    struct worker wk[BARS_MAX_THREADS];
    int started = 1;
    wk[0] = (struct worker){.j = &j, .st = st};
    for (int t = 1; t < threads; t++) {
        wk[t] = (struct worker){.j = &j};
        if (pthread_create(&wk[t].tid, NULL, work, &wk[t]) != 0)
            break; /* fewer threads: the ones running take the rest */
        started++;
    }
    work(&wk[0]);
    int rc = wk[0].rc;
    for (int t = 1; t < started; t++) {
        pthread_join(wk[t].tid, NULL);
        rc = rc ? rc : wk[t].rc;
    }
    return rc;
}

void bars_list_free(struct bars_list *l, int n)
{
    for (int i = 0; i < n; i++) {
        free(l[i].b);
        l[i] = (struct bars_list){0};
    }
}
