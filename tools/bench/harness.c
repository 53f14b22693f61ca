/* SPDX-License-Identifier: MIT */
/* harness.c -- timing and table output shared by every measure. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "bench.h"
#include "gputick/err.h"
#include "gputick/store.h"
#include "mdp3.h"

static volatile uint64_t sink;

void bench_sink(uint64_t v)
{
    sink += v;
}

uint32_t bench_rnd(uint64_t *state, uint32_t n)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return (uint32_t)(*state % n);
}

int bench_future_defs(int n, uint8_t *bufs, size_t cap, size_t *lens)
{
    for (int i = 0; i < n; i++) {
        struct mdp3_enc e;
        struct mdp3_def54 d;
        memset(&d, 0, sizeof d);
        d.security_id = 1000 + i;
        snprintf(d.symbol, sizeof d.symbol, "H100%c%d", "FGHJKMNQUVXZ"[i % 12], 6 + i / 12);
        memcpy(d.asset, "H100", 4);
        d.min_price_increment_px = 5000000;
        struct mdp3_def54_feed_type ft = {"GBX", 10};
        mdp3_enc_init(&e, bufs + (size_t)i * cap, cap, (uint32_t)i + 1,
                      1795000000ull * 1000000000ull);
        if (mdp3_enc_def54(&e, &d, NULL, 0, &ft, 1, NULL, 0, NULL, 0) < 0)
            return GT_EINVAL;
        lens[i] = mdp3_enc_len(&e);
    }
    return GT_OK;
}

double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void bench_table_header(void)
{
    printf("| measure | gputick | baseline | ratio |\n");
    printf("|---|---:|---:|---:|\n");
    fflush(stdout);
}

void bench_row(const char *measure, double gputick, double baseline)
{
    printf("| %s | %.4g | %.4g | %.3f |\n", measure, gputick, baseline,
           baseline != 0 ? gputick / baseline : 0.0);
    fflush(stdout);
}

double bench_cmd(int (*cmd)(int, char **), char **argv)
{
    int argc = 0;
    while (argv[argc])
        argc++;
    fflush(stdout);
    int so = dup(1), nul = open("/dev/null", O_WRONLY);
    dup2(nul, 1);
    double t0 = bench_now();
    int rc = cmd(argc, argv);
    fflush(stdout);
    double dt = bench_now() - t0;
    dup2(so, 1);
    close(so);
    close(nul);
    return rc == 0 ? dt : -1;
}

int bench_store_ingest(const char *db, const struct gt_tick *t, size_t n, size_t commit_every,
                       const char *who, double *ingest_s, uint64_t *disk)
{
    gt_store *st;
    char err[GT_ERRLEN];
    int rc = gt_store_open(db, GT_STORE_WRITER, &st, err);
    if (rc < 0) {
        fprintf(stderr, "%s: %s\n", who, err);
        return rc;
    }
    double t0 = bench_now();
    for (size_t k = 0; k < n && rc >= 0; k++) {
        rc = gt_store_append(st, &t[k]);
        if (rc >= 0 && ((k + 1) % commit_every == 0 || k + 1 == n))
            rc = gt_store_commit(st, t[k].seq);
    }
    *ingest_s = bench_now() - t0;
    if (rc >= 0)
        rc = gt_store_compact(st);
    if (rc >= 0)
        rc = gt_store_disk_bytes(st, disk);
    if (rc < 0)
        fprintf(stderr, "%s: %s\n", who, gt_store_errmsg(st));
    gt_store_close(st);
    return rc < 0 ? rc : GT_OK;
}
