/* SPDX-License-Identifier: MIT */
/* recorder.h -- tickstore's loop: every tick of the bus into the store,
 * exactly once.
 *
 * It reads the bus through the bus client (gputick/sub.h), from the store's
 * checkpoint + 1 on: the client replays through the ROUTER up to the feed's
 * head, follows the live stream, replays any hole the publisher's high-water
 * mark made, and on a quiet bus asks the ROUTER where the head is, so a drop
 * with nothing published after it is found within a second too. Records come
 * in order, once; the recorder still skips any below the next sequence its
 * store needs (a message offered again after a failed append). Ticks are
 * appended to the store and committed together with the checkpoint (the last
 * sequence recorded) in one WriteBatch, at least every flush interval, so a
 * kill at any instant and a restart end with the same store. When a commit
 * fails (a full disk) the recorder stops taking ticks, keeps its checkpoint
 * and retries every flush interval; after the first commit that succeeds the
 * client carries on from the first record not taken (the records skipped
 * meanwhile wait in tickfeed's journal).
 *
 * A shard (filter set) records only the messages whose topic starts with one
 * of its prefixes. Its live stream has holes by design, so it cannot tell a
 * drop from a record of another shard: the client takes its records from
 * REPLAY requests carrying the filter, which the server answers with the
 * shard's records and the range it covered (docs/wire.md), one request per
 * batch of live messages. The checkpoint is then the last sequence covered.
 * feed_last is the feed's head as the client last heard it (live, replay
 * replies, INFO), so feed_last - checkpoint is how far behind the store is. */
#ifndef GT_RECORDER_H
#define GT_RECORDER_H
#include <signal.h>
#include <stdint.h>
#include "gputick/err.h"
#include "gputick/store.h"

struct recorder_config {
    const char *db;               /* the store's folder */
    const char *pub_ep;           /* tickfeed's PUB endpoint */
    const char *router_ep;        /* tickfeed's ROUTER endpoint */
    int flush_ms;                 /* commit at least this often when there is data (<= 1000) */
    long commit_ticks;            /* and whenever this many ticks are waiting */
    int sync;                     /* fsync the WAL on commit */
    int timeout_ms;               /* how long to wait for a ROUTER reply */
    const char *filter;           /* shard: topic prefixes separated by spaces; NULL or "" = all */
    const char *curve_client_key; /* CURVE: this recorder's secret key file, or NULL */
    const char *curve_server_pub; /* and tickfeed's (or the proxy's) public key file */
    /* Called (if not NULL) every loop turn and after every commit, when the
     * store holds whole commits only: tickstore's systemd watchdog and its
     * backups (backup.h) hang here. */
    void (*turn)(void *arg, gt_store *st);
    void *turn_arg;
};

struct recorder_stats {
    uint64_t ticks;     /* appended to the store */
    uint64_t live_msgs; /* messages received live */
    uint64_t replayed;  /* records received through replay */
    uint64_t gaps;      /* holes in the live stream that were replayed */
    uint64_t dups;      /* records skipped as already recorded */
    uint64_t commits;   /* successful commits */
    uint64_t commit_errors;
    uint64_t checkpoint; /* last committed sequence */
    uint64_t feed_last;  /* newest sequence tickfeed reported */
    int blocked;         /* commits failing: not taking ticks */
    int blocked_code;    /* the gt_err of the commit that stopped writing (GT_ENOSPC...) */
    uint64_t disk_free;  /* bytes free on the store's disk then, UINT64_MAX if unknown */
    int64_t blocked_ns;  /* at a resume: how long writing was stopped */
    char last_error[GT_ERRLEN];
};

/* What a report() call is about. */
enum recorder_event {
    RECORDER_STATS = 0,   /* the periodic stats */
    RECORDER_BLOCKED = 1, /* a commit failed: writing stopped (last_error says why) */
    RECORDER_RESUMED = 2, /* a commit succeeded again: catching up from the checkpoint */
};

struct recorder;

/* Opens the store as its writer and the sockets. Returns GT_OK and *out, or
 * the store's error (GT_EBUSY when another recorder holds it, GT_EVERSION for a
 * folder that is not a gputick store) or GT_EZMQ, with err filled. */
int recorder_open(struct recorder **out, const struct recorder_config *c, char err[GT_ERRLEN]);

/* Runs until *stop is set: catch-up replay, then live. Calls report() (if not
 * NULL) with RECORDER_STATS every report_ms (never if report_ms is 0), and
 * with RECORDER_BLOCKED and RECORDER_RESUMED whenever writing stops or
 * resumes, whatever report_ms. Commits before returning.
 * Returns GT_OK, or an error that cannot be retried (tickfeed's journal is
 * behind the store's checkpoint, the store is corrupt) with err filled. */
int recorder_run(struct recorder *r, volatile sig_atomic_t *stop, int report_ms,
                 void (*report)(int event, const struct recorder_stats *s), char err[GT_ERRLEN]);

const struct recorder_stats *recorder_stats(const struct recorder *r);

/* Commits what is pending, closes the sockets and the store. NULL does nothing. */
void recorder_close(struct recorder *r);

#endif
