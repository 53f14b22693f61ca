/* SPDX-License-Identifier: MIT */
/* bench_journal.c -- journal append + flush throughput beside raw write(),
 * and a replay request's cost at the end of a full segment.
 *
 * Messages of three tick records (one event's ticks for one instrument), a
 * flush every 64 messages as the feed flushes once a batch, fsync policy none
 * (the default). The baseline write()s the very bytes the journal produced,
 * pre-encoded, in the same 64-message chunks to a file in the same folder:
 * the cost of getting them into the kernel at all.
 *
 * Replay: one segment of the default 256 MiB, then what tickfeed's ROUTER
 * does for a REPLAY request (seek to from_seq, read GT_BUS_CHUNK records) on
 * the feed's thread, from near the segment's end, beside the same request
 * from its start (the cheapest there is): through the ROUTER's reader, which
 * seeks by the writer's index, and through a reader of its own (another
 * process), whose first request indexes what it reads. Page cache warm;
 * best of a few, each on a new reader. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"
#include "gputick/bytes.h"
#include "gputick/err.h"
#include "gputick/tick.h"
#include "journal.h"

enum { N_MSGS = 100000, PER_MSG = 3, FLUSH_EVERY = 64, ROUNDS = 3 };
enum { REPLAY_CHUNK = 4096, REPLAY_ROUNDS = 5 };
#define REPLAY_SEGMENT_LEN (UINT64_C(256) << 20) /* the journal's default */

static const char topic[] = "trade.H100.H100Z6";

static void remove_dir(const char *dir)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "bench_journal: could not remove %s\n", dir);
}

/* One round of the journal; returns seconds or a negative value. */
static double run_journal(const char *dir, const uint8_t *ticks)
{
    struct journal *j;
    char err[GT_ERRLEN];
    if (journal_open(&j, dir, NULL, err) != GT_OK) {
        fprintf(stderr, "bench_journal: %s\n", err);
        return -1;
    }
    double t0 = bench_now();
    for (size_t i = 0; i < N_MSGS; i++) {
        if (journal_append(j, topic, sizeof topic - 1, ticks + i * PER_MSG * GT_TICK_LEN,
                           PER_MSG) != GT_OK)
            break;
        if (i % FLUSH_EVERY == FLUSH_EVERY - 1 && journal_flush(j) != GT_OK)
            break;
    }
    int rc = journal_flush(j);
    double t1 = bench_now();
    bool complete = journal_next_seq(j) == 1 + (uint64_t)N_MSGS * PER_MSG && rc == GT_OK;
    journal_close(j);
    return complete ? t1 - t0 : -1;
}

static double run_raw(const char *path, const uint8_t *bytes, size_t rec_len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    if (fd < 0)
        return -1;
    double t0 = bench_now();
    size_t chunk = rec_len * FLUSH_EVERY, total = rec_len * N_MSGS;
    for (size_t off = 0; off < total; off += chunk) {
        size_t n = total - off < chunk ? total - off : chunk;
        if (write(fd, bytes + off, n) != (ssize_t)n) {
            close(fd);
            return -1;
        }
    }
    double t1 = bench_now();
    close(fd);
    return t1 - t0;
}

/* Seconds for one replay request from from_seq (seek, then REPLAY_CHUNK
 * records read) through a new reader, attached to the writer w (NULL: not),
 * after `before` requests it served first from the same place; best of
 * REPLAY_ROUNDS. Negative on error. */
static double replay_request(const char *dir, const struct journal *w, uint64_t from_seq,
                             int before)
{
    double best = 1e9;
    char err[GT_ERRLEN];
    for (int k = 0; k < REPLAY_ROUNDS; k++) {
        struct journal_reader *r;
        if (journal_reader_open(&r, dir, err) != GT_OK)
            return -1;
        if (w)
            journal_reader_attach(r, w);
        double t = 0;
        for (int q = 0; q <= before; q++) {
            double t0 = bench_now();
            struct journal_msg m;
            size_t got = 0;
            if (journal_reader_seek(r, from_seq) == GT_OK)
                while (got < REPLAY_CHUNK && journal_reader_next(r, &m) == 1)
                    got += m.n_records;
            t = bench_now() - t0;
            if (got < REPLAY_CHUNK) {
                journal_reader_close(r);
                return -1;
            }
            bench_sink(got);
        }
        journal_reader_close(r);
        best = t < best ? t : best;
    }
    return best;
}

/* Fills one 256 MiB segment, then times replay requests at its end beside
 * the same at its start: tickfeed's reader (attached to its writer), and a
 * reader of another process, first (it indexes the segment as it reads)
 * and then warm. */
static int bench_replay(const char *dir, const uint8_t *ticks)
{
    struct journal *j;
    char err[GT_ERRLEN];
    struct journal_opts o = {.max_segment_len = REPLAY_SEGMENT_LEN};
    if (journal_open(&j, dir, &o, err) != GT_OK) {
        fprintf(stderr, "bench_journal: %s\n", err);
        return GT_EIO;
    }
    size_t rec_len = journal_record_len(sizeof topic - 1, PER_MSG);
    uint64_t n_msgs = (REPLAY_SEGMENT_LEN - 4096) / rec_len, seq = 1;
    uint8_t buf[PER_MSG * GT_TICK_LEN];
    int rc = GT_OK;
    for (uint64_t i = 0; i < n_msgs && rc == GT_OK; i++) {
        memcpy(buf, ticks + (i % N_MSGS) * PER_MSG * GT_TICK_LEN, sizeof buf);
        for (int k = 0; k < PER_MSG; k++)
            st_le64(buf + k * GT_TICK_LEN + 8, seq++);
        rc = journal_append(j, topic, sizeof topic - 1, buf, PER_MSG);
        if (rc == GT_OK && i % FLUSH_EVERY == FLUSH_EVERY - 1)
            rc = journal_flush(j);
    }
    if (rc == GT_OK)
        rc = journal_flush(j);
    uint64_t end_seq = seq - 2 * REPLAY_CHUNK;
    double t[6];
    for (int k = 0; k < 6 && rc == GT_OK; k++) {
        t[k] = replay_request(dir, k < 2 ? j : NULL, k % 2 ? 1 : end_seq, k < 4 ? 0 : 1);
        if (t[k] < 0)
            rc = GT_EIO;
    }
    if (rc != GT_OK) {
        fprintf(stderr, "bench_journal: replay failed\n");
    } else {
        bench_row("journal REPLAY request (seek + 4096 records) from the end of a 256 MiB "
                  "segment, tickfeed's reader (the writer's index), ms (baseline: the same "
                  "request from its start; lower is better)",
                  t[0] * 1e3, t[1] * 1e3);
        bench_row("... another process's reader, first request: it indexes what it reads, ms "
                  "(baseline: from the start; lower is better)",
                  t[2] * 1e3, t[3] * 1e3);
        bench_row("... the same reader's next request, ms (baseline: from the start; lower is "
                  "better)",
                  t[4] * 1e3, t[5] * 1e3);
    }
    journal_close(j);
    return rc;
}

int bench_journal(void)
{
    size_t rec_len = journal_record_len(sizeof topic - 1, PER_MSG);
    uint8_t *ticks = malloc((size_t)N_MSGS * PER_MSG * GT_TICK_LEN);
    uint8_t *bytes = malloc(rec_len * N_MSGS);
    char dir[64] = "/tmp/gtbench-journal-XXXXXX";
    if (!ticks || !bytes || !mkdtemp(dir)) {
        free(ticks);
        free(bytes);
        return GT_EIO;
    }
    for (uint64_t i = 0; i < (uint64_t)N_MSGS * PER_MSG; i++) {
        struct gt_tick t = {.version = GT_TICK_VERSION, .kind = GT_KIND_TRADE, .instr_id = 7};
        t.seq = i + 1;
        t.exch_ns = (int64_t)i * 1000;
        t.u.trade.px = 2750000000 + (int64_t)(i % 50) * 5000000;
        t.u.trade.qty = 1 + (int64_t)(i % 9);
        gt_tick_encode(&t, ticks + i * GT_TICK_LEN);
    }
    for (size_t i = 0; i < N_MSGS; i++)
        journal_record_encode(bytes + i * rec_len, topic, sizeof topic - 1,
                              ticks + i * PER_MSG * GT_TICK_LEN, PER_MSG);
    char jdir[96], raw[96];
    snprintf(jdir, sizeof jdir, "%s/j", dir);
    snprintf(raw, sizeof raw, "%s/raw", dir);
    double best_j = 1e9, best_raw = 1e9;
    int rc = 0;
    for (int r = 0; r < ROUNDS && rc == 0; r++) {
        remove_dir(jdir);
        double tj = run_journal(jdir, ticks);
        double tr = run_raw(raw, bytes, rec_len);
        if (tj < 0 || tr < 0)
            rc = GT_EIO;
        best_j = tj < best_j ? tj : best_j;
        best_raw = tr < best_raw ? tr : best_raw;
    }
    if (rc == 0) {
        double mb = (double)rec_len * N_MSGS / 1e6;
        bench_row("journal append+flush, 3-tick messages, flush per 64, k messages/s (baseline: "
                  "raw write() of the same bytes; higher is better)",
                  N_MSGS / best_j / 1e3, N_MSGS / best_raw / 1e3);
        bench_row("journal append+flush, MB/s (baseline: raw write() of the same bytes; higher "
                  "is better)",
                  mb / best_j, mb / best_raw);
        remove_dir(jdir);
        rc = bench_replay(jdir, ticks);
    }
    remove_dir(dir);
    free(ticks);
    free(bytes);
    return rc;
}
