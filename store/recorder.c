/* SPDX-License-Identifier: MIT */
/* recorder.c -- the recorder's loop (behaviour in recorder.h).
 *
 * One variable carries the exactly-once logic: expected, the next bus
 * sequence the store needs. Every record, live or replayed, is compared with
 * it: below is a duplicate, equal is appended; the bus client (gputick/sub.h)
 * delivers no gaps, so a record above it is a hole in the journal. Commits write the appended ticks
 * with checkpoint = expected - 1. */
#include "recorder.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <zmq.h>
#include "gputick/sub.h"
#include "gputick/time.h"

struct recorder {
    struct recorder_config c;
    gt_store *st;
    gt_sub *sub;
    uint64_t expected;
    int sharded;
    uint64_t pending;  /* ticks appended since the last commit */
    uint64_t own_dups; /* records the client delivered that the store held already */
    int cb_err;        /* what on_recs last refused a message with */
    int64_t last_commit_ns;
    int64_t next_try_ns; /* after a failed replay: when to ask again */
    int64_t blocked_since_ns;
    void (*report)(int event, const struct recorder_stats *s);
    struct recorder_stats s;
};

static void set_error(struct recorder *r, const char *what, const char *detail)
{
    snprintf(r->s.last_error, sizeof r->s.last_error, "%s: %s", what, detail);
}

int recorder_open(struct recorder **out, const struct recorder_config *c, char err[GT_ERRLEN])
{
    struct recorder *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, GT_ERRLEN, "out of memory");
        return GT_ENOMEM;
    }
    r->c = *c;
    int rc = gt_store_open(c->db, GT_STORE_WRITER, &r->st, err);
    if (rc < 0)
        goto fail;
    gt_store_set_sync(r->st, c->sync);
    r->expected = gt_store_checkpoint(r->st) + 1;
    r->s.checkpoint = r->expected - 1;
    r->sharded = c->filter && *c->filter;
    /* A deep receive queue rides out replays and commits; anything it still
     * drops is replayed by sequence. */
    struct gt_sub_opts so = {.pub_ep = c->pub_ep,
                             .router_ep = c->router_ep,
                             .prefixes = c->filter,
                             .from_seq = r->expected,
                             .timeout_ms = c->timeout_ms,
                             .rcvhwm = 1000000,
                             .curve_client_key = c->curve_client_key,
                             .curve_server_pub = c->curve_server_pub};
    if ((rc = gt_sub_open(&r->sub, &so, err)) < 0)
        goto fail;
    r->last_commit_ns = gt_now_ns();
    *out = r;
    return GT_OK;
fail:
    recorder_close(r);
    return rc;
}

/* Bytes free on the store's disk, UINT64_MAX if it cannot tell. */
static uint64_t disk_free(const char *path)
{
    struct statvfs fs;
    return statvfs(path, &fs) == 0 ? (uint64_t)fs.f_bavail * fs.f_frsize : UINT64_MAX;
}

static void event(struct recorder *r, int ev)
{
    if (r->report)
        r->report(ev, &r->s);
}

/* Commits; the first failure stops writing (blocked: live records are left
 * to the journal), the first success after it resumes with a catch-up replay
 * at once, since the records skipped meanwhile may be the last ones sent. */
static int commit(struct recorder *r)
{
    int rc = gt_store_commit(r->st, r->expected - 1);
    int64_t now = r->last_commit_ns = gt_now_ns();
    if (rc < 0) {
        r->s.commit_errors++;
        set_error(r, "commit failed", gt_store_errmsg(r->st));
        if (!r->s.blocked) {
            r->s.blocked = 1;
            r->s.blocked_code = rc;
            r->s.disk_free = disk_free(r->c.db);
            r->blocked_since_ns = now;
            event(r, RECORDER_BLOCKED);
        }
        return rc;
    }
    r->s.commits++;
    r->pending = 0;
    r->s.checkpoint = r->expected - 1;
    if (r->c.turn)
        r->c.turn(r->c.turn_arg, r->st);
    if (r->s.blocked) {
        r->s.blocked = 0;
        r->s.blocked_ns = now - r->blocked_since_ns;
        r->next_try_ns = 0;
        event(r, RECORDER_RESUMED);
    }
    return GT_OK;
}

static void maybe_commit(struct recorder *r)
{
    int64_t due = r->last_commit_ns + (int64_t)r->c.flush_ms * 1000000;
    if ((r->pending && (r->pending >= (uint64_t)r->c.commit_ticks || gt_now_ns() >= due)) ||
        (r->s.blocked && gt_now_ns() >= due))
        commit(r);
}

/* Appends the records that are next in sequence. Returns GT_OK, or 1 when the
 * first record is beyond expected (a gap: nothing taken). */
static int take(struct recorder *r, const uint8_t *recs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct gt_tick t;
        if (gt_tick_decode(recs + i * GT_TICK_LEN, GT_TICK_LEN, &t) < 0)
            continue;
        if (t.seq < r->expected) {
            r->own_dups++;
            continue;
        }
        if (t.seq > r->expected && !r->sharded)
            return 1;
        r->expected = t.seq; /* a shard's replies skip other shards' records */
        int rc = gt_store_append(r->st, &t);
        if (rc < 0) {
            set_error(r, "append failed", gt_store_errmsg(r->st));
            return rc;
        }
        r->expected++;
        r->pending++;
        r->s.ticks += rc > 0;
    }
    return GT_OK;
}

/* gt_bus_cb of the bus client: every record in order, once (take() still
 * skips what this store already holds). A failed append or a blocked store
 * leaves the message to the client, which offers it again. */
static int on_recs(void *ctx, const char *topic, size_t topic_len, const uint8_t *recs, size_t n)
{
    struct recorder *r = ctx;
    (void)topic;
    (void)topic_len;
    int rc = take(r, recs, n);
    if (rc == 1) /* the client delivers no holes: the journal itself has one */
        return GT_ECORRUPT;
    maybe_commit(r);
    rc = rc < 0 ? rc : (r->s.blocked ? GT_ENOSPC : 0);
    if (rc < 0)
        r->cb_err = rc;
    return rc;
}

/* The client's counters in the recorder's. */
static void stats_sync(struct recorder *r)
{
    const struct gt_sub_stats *ss = gt_sub_stats(r->sub);
    r->s.live_msgs = ss->live_msgs;
    r->s.replayed = ss->replayed;
    r->s.gaps = ss->gaps;
    r->s.dups = ss->dups + r->own_dups;
    r->s.feed_last = ss->head;
}

int recorder_run(struct recorder *r, volatile sig_atomic_t *stop, int report_ms,
                 void (*report)(int event, const struct recorder_stats *s), char err[GT_ERRLEN])
{
    int rc = GT_OK;
    int64_t next_report = gt_now_ns() + (int64_t)report_ms * 1000000;
    r->report = report;
    r->next_try_ns = 0;
    while (!*stop) {
        /* Blocked, the live records wait in tickfeed's journal: the client
         * is not polled, and replays them once a commit succeeds. */
        if (!r->s.blocked && gt_now_ns() >= r->next_try_ns) {
            char serr[GT_ERRLEN] = "";
            r->cb_err = 0;
            long got = gt_sub_poll(r->sub, 50, on_recs, r, serr);
            if (got < 0 && got == r->cb_err && got == GT_ECORRUPT)
                snprintf(serr, sizeof serr, "tickfeed's journal has no record %llu",
                         (unsigned long long)r->expected);
            else if (got < 0 && got == r->cb_err) /* the store's error, not the bus's */
                snprintf(serr, sizeof serr, "%s", r->s.last_error);
            const struct gt_sub_stats *ss = gt_sub_stats(r->sub);
            /* A shard's replies covered up to the client's next, its records or not. */
            if (r->sharded && !r->s.blocked && ss->next > r->expected)
                r->expected = ss->next;
            stats_sync(r);
            if ((got == GT_EINVAL || got == GT_EPERM) && got != r->cb_err) {
                if (got == GT_EINVAL)
                    snprintf(err, GT_ERRLEN,
                             "tickfeed's newest record is %llu but this store already holds up "
                             "to %llu: its journal was reset, or the store belongs to another "
                             "feed",
                             (unsigned long long)ss->head, (unsigned long long)(r->expected - 1));
                else
                    snprintf(err, GT_ERRLEN, "%s", serr);
                rc = (int)got;
                break;
            }
            if (got < 0 && !r->s.blocked) {
                set_error(r, "replay", serr);
                r->next_try_ns = gt_now_ns() + 1000000000;
            }
        } else {
            zmq_poll(NULL, 0, 50);
        }
        maybe_commit(r);
        if (r->c.turn)
            r->c.turn(r->c.turn_arg, r->st);
        if (report && report_ms > 0 && gt_now_ns() >= next_report) {
            event(r, RECORDER_STATS);
            next_report = gt_now_ns() + (int64_t)report_ms * 1000000;
        }
    }
    if (r->pending)
        commit(r);
    return rc;
}

const struct recorder_stats *recorder_stats(const struct recorder *r)
{
    return &r->s;
}

void recorder_close(struct recorder *r)
{
    if (!r)
        return;
    if (r->st && r->pending)
        commit(r);
    gt_sub_close(r->sub);
    gt_store_close(r->st);
    free(r);
}
