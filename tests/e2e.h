/* SPDX-License-Identifier: MIT */
/* e2e.h -- the built programs as child processes, for the end-to-end tests.
 *
 * e2e_dir_make() makes the test's folder under /tmp (e2e_dir_remove() removes
 * it, unless GT_KEEP_TMP is set for a post-mortem). spawn() starts a program of the build tree
 * (proc.h) with its output in a log file in that folder and kills it at e2e_dir_remove() if it
 * still runs; proc_wait() waits a bounded time; show_log() and log_text() read a log back,
 * log_wait() waits for a line in it and feed_wait_joined() for tickfeed's groups joined.
 * rec_sum() and store_sum() give an order-independent count and checksum of records, to compare a
 * store with tickfeed's journal. Criterion forks per test, so the static state is the test's own.
 */
#ifndef GT_TEST_E2E_H
#define GT_TEST_E2E_H
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>
#include "gputick/bus.h"
#include "gputick/crc32c.h"
#include "gputick/store.h"
#include "gputick/tick.h"
#include "proc.h"

static const char *e2e_dir; /* the test's folder: the logs go there */
static pid_t e2e_pids[64];  /* what spawn() started, killed at e2e_dir_remove() */
static int e2e_n_pids;

/* Makes /tmp/NAME-XXXXXX into dir (cap bytes) and the test's folder. */
static inline void e2e_dir_make(char *dir, size_t cap, const char *name)
{
    snprintf(dir, cap, "/tmp/%s-XXXXXX", name);
    cr_assert(not(eq(ptr, mkdtemp(dir), NULL)));
    e2e_dir = dir;
}

/* Kills what spawn() started and is still running (a test that failed
 * midway), then removes the test's folder. */
static inline void e2e_dir_remove(void)
{
    for (int i = 0; i < e2e_n_pids; i++)
        if (waitpid(e2e_pids[i], NULL, WNOHANG) == 0) {
            kill(e2e_pids[i], SIGKILL);
            waitpid(e2e_pids[i], NULL, 0);
        }
    if (getenv("GT_KEEP_TMP"))
        return; /* for a post-mortem */
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", e2e_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", e2e_dir);
}

/* Starts rel (under the build tree) with the NULL-terminated arguments;
 * output goes to e2e_dir/<log>. */
static inline pid_t spawn(const char *rel, const char *log, ...)
{
    char logp[512];
    snprintf(logp, sizeof logp, "%s/%s", e2e_dir, log);
    va_list ap;
    va_start(ap, log);
    pid_t pid = proc_vstart(rel, logp, logp, ap);
    va_end(ap);
    if (e2e_n_pids < (int)(sizeof e2e_pids / sizeof e2e_pids[0]))
        e2e_pids[e2e_n_pids++] = pid;
    return pid;
}

static inline void show_log(const char *log)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "tail -5 '%s/%s' >&2", e2e_dir, log);
    if (system(cmd) != 0)
        return;
}

/* The first 64 KiB of a log, NUL-terminated (a static buffer). */
static inline const char *log_text(const char *log)
{
    static char buf[1 << 16];
    char path[512];
    snprintf(path, sizeof path, "%s/%s", e2e_dir, log);
    FILE *f = fopen(path, "r");
    cr_assert(not(eq(ptr, f, NULL)));
    buf[fread(buf, 1, sizeof buf - 1, f)] = 0;
    fclose(f);
    return buf;
}

/* Polls every 100 ms, at most ms, until log holds text. Returns 1 if so. */
static inline int log_wait(const char *log, const char *text, int ms)
{
    for (int i = 0; i < ms / 100; i++) {
        if (strstr(log_text(log), text))
            return 1;
        usleep(100000);
    }
    return 0;
}

/* Until tickfeed (writing to log) has joined its multicast groups: its
 * "SO_RCVBUF" line comes right after (not with --quiet). 30 s at most. */
static inline void feed_wait_joined(const char *log)
{
    int joined = log_wait(log, "tickfeed: SO_RCVBUF", 30000);
    if (!joined)
        show_log(log);
    cr_assert(eq(int, joined, 1), "tickfeed joined its groups (%s)", log);
}

/* The last sequence tickfeed has published, asked through its ROUTER rtr;
 * fails the test if INFO gets no answer within 3 s. */
static inline uint64_t feed_last(const char *rtr)
{
    void *zctx = zmq_ctx_new(), *d = zmq_socket(zctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(d, ZMQ_LINGER, &linger, sizeof linger);
    zmq_connect(d, rtr);
    uint64_t first = 0, last = 0;
    char err[GT_ERRLEN];
    int rc = gt_bus_info(d, 3000, &first, &last, err);
    zmq_close(d);
    zmq_ctx_term(zctx);
    cr_assert(eq(int, rc, GT_OK), "INFO: %s", err);
    return last;
}

/* After its input ended: until tickfeed has published all it will (its last
 * sequence unchanged over 8 answers to INFO 100 ms apart, longer than the
 * tests' 300 ms reorder window; tickfeed answers INFO in the loop that reads
 * its sockets, so a backlog still being read moves it). 60 s at most.
 * Returns that last sequence. */
static inline uint64_t feed_settled(const char *rtr)
{
    uint64_t last = feed_last(rtr);
    int same = 0;
    for (int i = 0; i < 600 && same < 8; i++) {
        usleep(100000);
        uint64_t now = feed_last(rtr);
        same = now == last ? same + 1 : 0;
        last = now;
    }
    cr_assert(eq(int, same, 8), "tickfeed still publishing after 60 s");
    return last;
}

/* An order-independent checksum of records: the sum of their CRC-32Cs. */
static inline uint64_t rec_sum(const uint8_t *r)
{
    return gt_crc32c(0, r, GT_TICK_LEN);
}

/* Sum and count of every tick in the store, and its checkpoint. */
static inline void store_sum(const char *db, uint64_t *n, uint64_t *sum, uint64_t *checkpoint)
{
    gt_store *st;
    char err[GT_ERRLEN];
    cr_assert(eq(int, gt_store_open(db, GT_STORE_READER, &st, err), GT_OK), "%s", err);
    *checkpoint = gt_store_checkpoint(st);
    static struct gt_series_info info[1024];
    int ns = gt_store_series_list(st, info, 1024);
    cr_assert(ge(int, ns, 0));
    *n = *sum = 0;
    for (int i = 0; i < ns; i++) {
        gt_store_iter *it;
        cr_assert(eq(
            int, gt_store_iter_open(st, info[i].instr_id, info[i].kind, INT64_MIN, INT64_MAX, &it),
            GT_OK));
        const struct gt_tick *tk;
        int k;
        while ((k = gt_store_iter_next(it, &tk)) > 0)
            for (int j = 0; j < k; j++) {
                uint8_t rec[GT_TICK_LEN];
                gt_tick_encode(&tk[j], rec);
                *sum += rec_sum(rec);
                (*n)++;
            }
        cr_assert(eq(int, k, 0));
        gt_store_iter_close(it);
    }
    gt_store_close(st);
}

#endif
