/* SPDX-License-Identifier: MIT */
/* feedday.c -- a ticksim day through tickfeed's core (contract in feedday.h).
 * The records grow in one array doubled as needed; the instrument list is
 * sorted once at the end, so a series is a binary search of a few dozen ids. */
#include "feedday.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"

int feedday_load(struct feedday *d, const struct sim_config *c, char err[GT_ERRLEN])
{
    memset(d, 0, sizeof *d);
    const char *tmp = getenv("TMPDIR");
    char dir[200], path[220];
    snprintf(dir, sizeof dir, "%.150s/gtbench-day-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        snprintf(err, GT_ERRLEN, "mkdtemp %s failed", dir);
        return GT_EIO;
    }
    snprintf(path, sizeof path, "%s/day.pcap", dir);
    struct sim_config sc = *c;
    sc.live = false;
    sc.day_seconds = 0;
    sc.rate = 0;
    sc.pcap = path;
    struct sim_stats st;
    int rc = sim_run(&sc, NULL, &st, err);
    if (rc >= 0)
        rc = pcap_reader_open(&d->pr, path, err);
    unlink(path);
    rmdir(dir);
    if (rc < 0)
        return rc;
    size_t cap = 1 << 16;
    d->pkt = malloc(cap * sizeof *d->pkt);
    struct pcap_rec rec;
    while (d->pkt && (rc = pcap_reader_next(&d->pr, &rec)) == 1) {
        int feed = -1;
        for (int i = 0; i < GT_N_FEEDS; i++)
            if (sc.ch.feed[i].port == rec.dst_port)
                feed = i;
        if (feed < 0)
            continue;
        if (d->n_pkts == cap) {
            void *n = realloc(d->pkt, (cap *= 2) * sizeof *d->pkt);
            if (!n) {
                free(d->pkt);
                d->pkt = NULL;
                break;
            }
            d->pkt = n;
        }
        d->pkt[d->n_pkts++] =
            (struct feedday_pkt){rec.p, (uint32_t)rec.len, (uint8_t)feed, rec.ts_ns};
    }
    if (!d->pkt || rc < 0) {
        snprintf(err, GT_ERRLEN, "%s", d->pkt ? "the day's pcap did not read back" : "no memory");
        rc = d->pkt ? rc : GT_ENOMEM;
        feedday_free(d);
        return rc;
    }
    return GT_OK;
}

void feedday_free(struct feedday *d)
{
    free(d->pkt);
    pcap_reader_close(&d->pr);
    memset(d, 0, sizeof *d);
}

int feedday_feed(const struct feedday *d, unsigned feeds, feed_emit_fn emit, void *ctx,
                 double *secs)
{
    struct feed *f;
    char err[GT_ERRLEN];
    struct feed_opts o = {.emit = emit, .ctx = ctx};
    int rc = feed_open(&f, &o, err);
    if (rc < 0)
        return rc;
    double t0 = bench_now();
    for (size_t p = 0; p < d->n_pkts && rc >= 0; p++) {
        const struct feedday_pkt *k = &d->pkt[p];
        if (!(feeds >> k->feed & 1))
            continue;
        rc = feed_advance(f, k->ts_ns - 1);
        if (rc >= 0)
            rc = feed_packet(f, k->feed, k->p, k->len, k->ts_ns);
    }
    if (rc >= 0) /* what still waits falls due at its own time */
        rc = feed_advance(f, INT64_MAX - 1);
    if (secs)
        *secs = bench_now() - t0;
    if (rc >= 0)
        rc = feed_stats(f)->gaps || feed_stats(f)->n_stale ? GT_ECORRUPT : GT_OK;
    feed_close(f);
    return rc;
}

struct collect {
    struct feedday_ticks *d;
    size_t cap;
    int ids_cap;
};

static int collect_emit(void *ctx, const char *topic, size_t tl, uint8_t *recs, size_t n)
{
    (void)topic, (void)tl;
    struct collect *c = ctx;
    struct feedday_ticks *d = c->d;
    if (d->n + n > c->cap) {
        size_t cap = c->cap ? c->cap : 1 << 20;
        while (cap < d->n + n)
            cap *= 2;
        void *t = realloc(d->t, cap * sizeof *d->t);
        if (!t)
            return GT_ENOMEM;
        d->t = t;
        c->cap = cap;
    }
    for (size_t i = 0; i < n; i++) {
        struct gt_tick *t = &d->t[d->n];
        if (gt_tick_decode(recs + i * GT_TICK_LEN, GT_TICK_LEN, t) != GT_OK)
            return GT_EBADMSG;
        t->seq = ++d->n; /* as the publisher numbers them */
        /* A message is one instrument's: a new one is usually the last seen. */
        if (d->n_ids && d->ids[d->n_ids - 1] == t->instr_id)
            continue;
        int known = 0;
        for (int k = 0; k < d->n_ids && !known; k++)
            known = d->ids[k] == t->instr_id;
        if (known)
            continue;
        if (d->n_ids == c->ids_cap) {
            int cap = c->ids_cap ? c->ids_cap * 2 : 64;
            void *ids = realloc(d->ids, (size_t)cap * sizeof *d->ids);
            if (!ids)
                return GT_ENOMEM;
            d->ids = ids;
            c->ids_cap = cap;
        }
        d->ids[d->n_ids++] = t->instr_id;
    }
    return GT_OK;
}

static int id_cmp(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

int feedday_ticks(const struct feedday *d, struct feedday_ticks *out)
{
    memset(out, 0, sizeof *out);
    struct collect c = {.d = out};
    int rc = feedday_feed(d, (1u << GT_N_FEEDS) - 1, collect_emit, &c, NULL);
    if (rc < 0) {
        feedday_ticks_free(out);
        return rc;
    }
    qsort(out->ids, (size_t)out->n_ids, sizeof *out->ids, id_cmp);
    return GT_OK;
}

void feedday_ticks_free(struct feedday_ticks *t)
{
    free(t->t);
    free(t->ids);
    memset(t, 0, sizeof *t);
}

int feedday_instr(const struct feedday_ticks *d, int32_t instr_id)
{
    const int32_t *p = bsearch(&instr_id, d->ids, (size_t)d->n_ids, sizeof *d->ids, id_cmp);
    return p ? (int)(p - d->ids) : -1;
}

int feedday_series(const struct feedday_ticks *d, const struct gt_tick *t)
{
    return feedday_instr(d, t->instr_id) * FEEDDAY_KINDS + t->kind;
}
