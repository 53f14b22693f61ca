/* SPDX-License-Identifier: MIT */
/* recorder.c -- the recorder's loop (behaviour in recorder.h).
 *
 * One variable carries the exactly-once logic: expected, the next bus
 * sequence the store needs. Every record, live or replayed, is compared with
 * it: below is a duplicate, equal is appended, above is a gap to replay first.
 * Commits write the appended ticks with checkpoint = expected - 1. */
#include "recorder.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <zmq.h>
#include "gputick/bus.h"
#include "gputick/sec.h"
#include "gputick/time.h"

struct recorder {
    struct recorder_config c;
    gt_store *st;
    void *zctx, *sub, *dealer;
    uint64_t expected;
    uint64_t want; /* shard: the newest sequence seen live, to replay up to */
    int sharded;
    uint64_t pending; /* ticks appended since the last commit */
    int64_t last_commit_ns;
    int caught_up;       /* replayed up to the newest record: following live */
    int64_t next_try_ns; /* when to try the catch-up replay again */
    int64_t blocked_since_ns;
    void (*report)(int event, const struct recorder_stats *s);
    struct recorder_stats s;
};

static void set_error(struct recorder *r, const char *what, const char *detail)
{
    snprintf(r->s.last_error, sizeof r->s.last_error, "%s: %s", what, detail);
}

/* Opens the request socket (CURVE as configured) and connects it. */
static int dealer_open(struct recorder *r, char err[GT_ERRLEN])
{
    int linger = 0, rc;
    r->dealer = zmq_socket(r->zctx, ZMQ_DEALER);
    zmq_setsockopt(r->dealer, ZMQ_LINGER, &linger, sizeof linger);
    if (r->c.curve_client_key &&
        (rc = gt_sec_client(r->dealer, r->c.curve_client_key, r->c.curve_server_pub, err)) < 0)
        return rc;
    if (zmq_connect(r->dealer, r->c.router_ep) < 0) {
        snprintf(err, GT_ERRLEN, "cannot connect to tickfeed's ROUTER endpoint '%s': %s",
                 r->c.router_ep, zmq_strerror(errno));
        return GT_EZMQ;
    }
    return GT_OK;
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
    r->zctx = zmq_ctx_new();
    r->sub = zmq_socket(r->zctx, ZMQ_SUB);
    int linger = 0, hwm = 1000000;
    zmq_setsockopt(r->sub, ZMQ_LINGER, &linger, sizeof linger);
    /* A deep receive queue rides out replays and commits; anything it still
     * drops is replayed by sequence. */
    zmq_setsockopt(r->sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    r->sharded = c->filter && *c->filter;
    if (!r->sharded)
        zmq_setsockopt(r->sub, ZMQ_SUBSCRIBE, "", 0);
    for (const char *p = c->filter; r->sharded && *p;) {
        size_t n = strcspn(p, " ");
        zmq_setsockopt(r->sub, ZMQ_SUBSCRIBE, p, n);
        p += n + (p[n] == ' ');
    }
    if (c->curve_client_key &&
        (rc = gt_sec_client(r->sub, c->curve_client_key, c->curve_server_pub, err)) < 0)
        goto fail;
    if (zmq_connect(r->sub, c->pub_ep) < 0) {
        snprintf(err, GT_ERRLEN, "cannot connect to tickfeed's PUB endpoint '%s': %s", c->pub_ep,
                 zmq_strerror(errno));
        rc = GT_EZMQ;
        goto fail;
    }
    if ((rc = dealer_open(r, err)) < 0)
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
        r->caught_up = 0;
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
            r->s.dups++;
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

static int on_replayed(void *ctx, const char *topic, size_t topic_len, const uint8_t *recs,
                       size_t n)
{
    struct recorder *r = ctx;
    (void)topic;
    (void)topic_len;
    r->s.replayed += n;
    int rc = take(r, recs, n);
    if (rc == 1) /* the journal itself has a hole: stop, report */
        return GT_ECORRUPT;
    maybe_commit(r);
    return rc < 0 ? rc : (r->s.blocked ? GT_ENOSPC : 0);
}

/* Replays [expected, to]. Returns GT_OK when expected moved past to or the
 * journal ran out, else the error. After a timeout the request socket is
 * replaced, so a reply that comes late cannot answer a later request. */
static int replay(struct recorder *r, uint64_t to, char err[GT_ERRLEN])
{
    uint64_t last = 0, next = 0;
    long got = gt_bus_replay_filter(r->dealer, r->expected, to, r->c.filter, r->c.timeout_ms,
                                    on_replayed, r, &last, &next, err);
    if (last)
        r->s.feed_last = last;
    /* A shard's replies covered [expected, next), its records or not. */
    if (r->sharded && !r->s.blocked && next > r->expected)
        r->expected = next;
    if (got == GT_EZMQ) {
        char derr[GT_ERRLEN];
        zmq_close(r->dealer);
        if (dealer_open(r, derr) < 0)
            snprintf(err, GT_ERRLEN, "%s", derr);
    }
    if (got == GT_ECORRUPT)
        snprintf(err, GT_ERRLEN, "tickfeed's journal has no record %llu",
                 (unsigned long long)r->expected);
    return got < 0 ? (int)got : GT_OK;
}

int recorder_run(struct recorder *r, volatile sig_atomic_t *stop, int report_ms,
                 void (*report)(int event, const struct recorder_stats *s), char err[GT_ERRLEN])
{
    int rc = GT_OK;
    int64_t last_pull = 0, next_report = gt_now_ns() + (int64_t)report_ms * 1000000;
    struct gt_bus_msg m;
    gt_bus_msg_init(&m);
    r->report = report;
    r->caught_up = 0;
    r->next_try_ns = 0;
    while (!*stop) {
        int64_t now = gt_now_ns();
        if (!r->caught_up && !r->s.blocked && now >= r->next_try_ns) {
            char rerr[GT_ERRLEN] = "";
            rc = replay(r, UINT64_MAX, rerr);
            if (rc == GT_OK && r->s.feed_last + 1 < r->expected) {
                snprintf(err, GT_ERRLEN,
                         "tickfeed's newest record is %llu but this store already holds up to "
                         "%llu: its journal was reset, or the store belongs to another feed",
                         (unsigned long long)r->s.feed_last, (unsigned long long)(r->expected - 1));
                rc = GT_EINVAL;
                break;
            }
            if (rc == GT_OK)
                r->caught_up = 1;
            else if (!r->s.blocked)
                set_error(r, "replay", rerr);
            rc = GT_OK;
            r->next_try_ns = now + 1000000000;
        }
        zmq_pollitem_t pi = {r->sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&pi, 1, 50) > 0) {
            int n = gt_bus_recv(r->sub, &m, ZMQ_DONTWAIT);
            if (n > 0) {
                r->s.live_msgs++;
                struct gt_tick first;
                gt_tick_decode(gt_bus_msg_rec(&m, 0), GT_TICK_LEN, &first);
                if (first.seq > r->s.feed_last)
                    r->s.feed_last = first.seq + (uint64_t)n - 1;
                /* A shard replays up to the newest record seen once no
                 * more live messages wait. */
                uint64_t end = first.seq + (uint64_t)n - 1;
                if (r->sharded && end > r->want)
                    r->want = end;
                /* While catching up or blocked, live records wait in the
                 * journal; they come back through replay. */
                if (r->caught_up && !r->s.blocked && !r->sharded) {
                    if (first.seq > r->expected) {
                        char rerr[GT_ERRLEN] = "";
                        r->s.gaps++;
                        if (replay(r, first.seq - 1, rerr) < 0 || r->expected != first.seq) {
                            set_error(r, "gap replay", rerr);
                            r->caught_up = 0;
                        }
                    }
                    if (r->caught_up && take(r, gt_bus_msg_rec(&m, 0), (size_t)n) == 1)
                        r->caught_up = 0; /* cannot happen after a good replay; recover anyway */
                }
            }
        }
        if (r->sharded && r->caught_up && !r->s.blocked && r->want >= r->expected &&
            (zmq_poll(&pi, 1, 0) == 0 || gt_now_ns() - last_pull > 20 * 1000000)) {
            char rerr[GT_ERRLEN] = "";
            last_pull = gt_now_ns();
            if (replay(r, r->want, rerr) < 0) {
                set_error(r, "shard replay", rerr);
                r->caught_up = 0;
            }
        }
        maybe_commit(r);
        if (r->c.turn)
            r->c.turn(r->c.turn_arg, r->st);
        if (report && report_ms > 0 && gt_now_ns() >= next_report) {
            event(r, RECORDER_STATS);
            next_report = gt_now_ns() + (int64_t)report_ms * 1000000;
        }
    }
    gt_bus_msg_close(&m);
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
    if (r->sub)
        zmq_close(r->sub);
    if (r->dealer)
        zmq_close(r->dealer);
    if (r->zctx)
        zmq_ctx_term(r->zctx);
    gt_store_close(r->st);
    free(r);
}
