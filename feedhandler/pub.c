/* SPDX-License-Identifier: MIT */
/* pub.c -- journal-then-publish, and the ROUTER's replay, snapshot and info.
 *
 * Held messages sit in one byte buffer as they will be sent:
 *   OFFSET 0 SIZE 2 topic_len u16 | 2 topic | u32 n | n * 64 record bytes
 * so pub_flush() is one write() for the journal and one zmq_send pair per
 * message. Replies are built in buffers allocated at open: a replay chunk is
 * at most GT_BUS_CHUNK records. */
#include "pub.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <zmq.h>
#include "gputick/bus.h"
#include "gputick/bytes.h"
#include "gputick/sec.h"
#include "gputick/tick.h"

enum {
    PUB_SNAP_MAX_MSGS = GT_BUS_CHUNK, /* the client takes 2 * GT_BUS_CHUNK + 4 frames */
    PUB_SCAN_MAX = 16 * GT_BUS_CHUNK, /* journal records one filtered REPLAY reads */
    PUB_ID_MAX = 255,                 /* the longest ZeroMQ routing identity */
};

/* A SNAPSHOT that came while an incremental event was open: its books are
 * ahead of every published sequence until the event ends. It waits, and so
 * does every request behind it (left in the ROUTER's queue), since a client
 * and tickproxy take one reply per request in order. */
struct snap_wait {
    bool held;
    int n_env; /* envelope frames kept: identities, then any delimiter */
    size_t len[GT_BUS_MAX_HOPS + 1];
    uint8_t id[GT_BUS_MAX_HOPS + 1][PUB_ID_MAX]; /* a proxy chain's and the client's */
    char prefix[GT_TOPIC_MAX];
};

struct pub {
    struct pub_opts o;
    struct pub_stats st;
    struct journal *j;
    struct journal_reader *jr;
    void *pub, *router;
    uint64_t next_seq;
    uint8_t *hold; /* messages numbered but not yet published */
    size_t hold_len, hold_cap;
    size_t hold_max; /* the most it may grow to while the journal is blocked */
    size_t hold_jrn; /* bytes of hold already appended to the journal */
    /* reply building */
    uint8_t *recs;           /* GT_BUS_CHUNK records (replay) or the snapshot's */
    size_t recs_cap;         /* records */
    struct gt_frame *frames; /* topic and record frames of a reply */
    char *topics;            /* topic bytes of a reply */
    size_t n_frames, n_recs, topics_len;
    bool reply_full;
    struct snap_wait wait;
    void *mon; /* the PUB socket's monitor: connections accepted and lost */
    struct pub_peer peers[PUB_PEERS_MAX];
    int n_peers;
    char errmsg[GT_ERRLEN];
};

static int zfail(char err[GT_ERRLEN], const char *what, const char *ep)
{
    snprintf(err, GT_ERRLEN, "cannot %s %s: %s", what, ep ? ep : "", zmq_strerror(errno));
    return GT_EZMQ;
}

/* CURVE server on a socket about to bind, watched by the allow-list. */
static int secure(void *sock, const struct pub_opts *o, char err[GT_ERRLEN])
{
    if (!o->curve_key)
        return GT_OK;
    int rc = gt_sec_server(sock, o->curve_key, err);
    if (rc == GT_OK && o->zap)
        rc = gt_zap_watch(o->zap, sock);
    if (rc < 0 && !err[0])
        snprintf(err, GT_ERRLEN, "cannot watch the CURVE handshakes");
    return rc;
}

int pub_open(struct pub **out, void *zctx, const struct pub_opts *o, char err[GT_ERRLEN])
{
    *out = NULL;
    struct pub *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, GT_ERRLEN, "out of memory");
        return GT_ENOMEM;
    }
    p->o = *o;
    if (!p->o.pub_endpoint)
        p->o.pub_endpoint = GT_BUS_PUB_DEFAULT;
    if (!p->o.router_endpoint)
        p->o.router_endpoint = GT_BUS_ROUTER_DEFAULT;
    if (!p->o.sndhwm)
        p->o.sndhwm = 100000;
    p->hold_cap = 4u << 20;
    p->hold_max = p->o.hold_len ? p->o.hold_len : (size_t)512 << 20;
    if (p->hold_max < p->hold_cap)
        p->hold_cap = p->hold_max;
    p->recs_cap = 2 * GT_BUS_CHUNK;
    p->hold = malloc(p->hold_cap);
    p->recs = malloc(p->recs_cap * GT_TICK_LEN);
    p->frames = malloc(2 * PUB_SNAP_MAX_MSGS * sizeof *p->frames);
    p->topics = malloc((size_t)PUB_SNAP_MAX_MSGS * GT_TOPIC_MAX);
    int rc = GT_ENOMEM;
    if (!p->hold || !p->recs || !p->frames || !p->topics) {
        snprintf(err, GT_ERRLEN, "out of memory");
        goto fail;
    }
    rc = journal_open(&p->j, o->journal_dir, &o->journal, err);
    if (rc < 0)
        goto fail;
    p->st.tail_dropped = journal_tail_dropped(p->j);
    p->next_seq = journal_next_seq(p->j);
    p->st.last_seq = p->next_seq - 1;
    rc = journal_reader_open(&p->jr, o->journal_dir, err);
    if (rc < 0)
        goto fail;
    journal_reader_attach(p->jr, p->j); /* a REPLAY seeks by the writer's index */
    rc = GT_EZMQ;
    if (gt_sec_bind_check(p->o.pub_endpoint, o->bind_remote, err) < 0 ||
        (p->o.router_endpoint[0] &&
         gt_sec_bind_check(p->o.router_endpoint, o->bind_remote, err) < 0)) {
        rc = GT_EINVAL;
        goto fail;
    }
    p->pub = zmq_socket(zctx, ZMQ_XPUB);
    if (!p->pub) {
        zfail(err, "create", "PUB socket");
        goto fail;
    }
    int verboser = 1;
    if (zmq_setsockopt(p->pub, ZMQ_XPUB_VERBOSER, &verboser, sizeof verboser) < 0) {
        zfail(err, "set up", "the PUB socket");
        goto fail;
    }
    /* A socket has one monitor: with an allow-list, its handler's. */
    char mon_ep[64];
    snprintf(mon_ep, sizeof mon_ep, "inproc://gputick-pub-monitor-%p", (void *)p);
    if (!(o->curve_key && o->zap) &&
        (zmq_socket_monitor(p->pub, mon_ep, ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) < 0 ||
         !(p->mon = zmq_socket(zctx, ZMQ_PAIR)) || zmq_connect(p->mon, mon_ep) < 0)) {
        zfail(err, "watch", "the PUB socket");
        goto fail;
    }
    p->st.watched = p->mon != NULL;
    if ((rc = secure(p->pub, o, err)) < 0)
        goto fail;
    rc = GT_EZMQ;
    int linger = 0;
    zmq_setsockopt(p->pub, ZMQ_SNDHWM, &p->o.sndhwm, sizeof p->o.sndhwm);
    zmq_setsockopt(p->pub, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(p->pub, p->o.pub_endpoint) < 0) {
        zfail(err, "bind PUB to", p->o.pub_endpoint);
        goto fail;
    }
    if (p->o.router_endpoint[0]) {
        p->router = zmq_socket(zctx, ZMQ_ROUTER);
        if (!p->router) {
            zfail(err, "create", "ROUTER socket");
            goto fail;
        }
        zmq_setsockopt(p->router, ZMQ_LINGER, &linger, sizeof linger);
        if ((rc = secure(p->router, o, err)) < 0)
            goto fail;
        rc = GT_EZMQ;
        if (zmq_bind(p->router, p->o.router_endpoint) < 0) {
            zfail(err, "bind ROUTER to", p->o.router_endpoint);
            goto fail;
        }
    }
    *out = p;
    return GT_OK;
fail:
    pub_close(p);
    return rc;
}

int pub_close(struct pub *p)
{
    if (!p)
        return GT_OK;
    int rc = p->j ? pub_flush(p) : GT_OK;
    if (p->mon) {
        zmq_socket_monitor(p->pub, NULL, 0);
        zmq_close(p->mon);
    }
    if (p->pub)
        zmq_close(p->pub);
    if (p->router)
        zmq_close(p->router);
    journal_reader_close(p->jr);
    int jrc = journal_close(p->j);
    free(p->hold);
    free(p->recs);
    free(p->frames);
    free(p->topics);
    free(p);
    return rc < 0 ? rc : jrc;
}

/* Appends the held messages not yet in the journal, in order. */
static int journal_catch_up(struct pub *p)
{
    while (p->hold_jrn < p->hold_len) {
        const uint8_t *h = p->hold + p->hold_jrn;
        size_t tl = ld_le16(h), n = ld_le32(h + 2 + tl);
        int rc = journal_append(p->j, (const char *)h + 2, tl, h + 6 + tl, n);
        if (rc < 0)
            return rc;
        p->hold_jrn += 6 + tl + n * GT_TICK_LEN;
    }
    return GT_OK;
}

static int journal_blocked(struct pub *p, int rc)
{
    p->st.journal_errors++;
    p->st.blocked = 1;
    snprintf(p->errmsg, sizeof p->errmsg, "%s", journal_errmsg(p->j));
    return rc;
}

int pub_emit(void *ctx, const char *topic, size_t topic_len, uint8_t *recs, size_t n)
{
    struct pub *p = ctx;
    size_t need = 2 + topic_len + 4 + n * GT_TICK_LEN;
    if (p->hold_len + need > p->hold_cap && pub_flush(p) < 0 && p->hold_len + need > p->hold_cap) {
        /* The journal is blocked (a full disk): hold more, up to hold_max. */
        size_t cap = p->hold_cap;
        while (cap < p->hold_len + need && cap < p->hold_max)
            cap = cap * 2 < p->hold_max ? cap * 2 : p->hold_max;
        uint8_t *h = cap >= p->hold_len + need ? realloc(p->hold, cap) : NULL;
        if (!h) {
            snprintf(p->errmsg, sizeof p->errmsg,
                     "journal blocked and %zu bytes held in memory: %s", p->hold_len,
                     journal_errmsg(p->j));
            return GT_ENOSPC;
        }
        p->hold = h;
        p->hold_cap = cap;
    }
    if (need > p->hold_cap)
        return GT_EINVAL;
    for (size_t i = 0; i < n; i++)
        st_le64(recs + i * GT_TICK_LEN + 8, p->next_seq + i);
    p->next_seq += n;
    uint8_t *h = p->hold + p->hold_len;
    st_le16(h, (uint16_t)topic_len);
    memcpy(h + 2, topic, topic_len);
    st_le32(h + 2 + topic_len, (uint32_t)n);
    memcpy(h + 6 + topic_len, recs, n * GT_TICK_LEN);
    p->hold_len += need;
    if (!p->st.blocked) {
        int rc = journal_catch_up(p);
        if (rc < 0)
            journal_blocked(p, rc);
    }
    return GT_OK;
}

int pub_flush(struct pub *p)
{
    if (p->hold_len == 0) {
        /* Nothing to write; the fsync interval may still be due for what was
         * written last, before the feed went quiet. */
        int rc = journal_flush(p->j);
        p->st.syncs = journal_syncs(p->j);
        return rc;
    }
    int rc = journal_catch_up(p);
    if (rc >= 0)
        rc = journal_flush(p->j);
    if (rc >= 0)
        rc = journal_catch_up(p); /* what did not fit before the flush */
    if (rc >= 0)
        rc = journal_flush(p->j);
    p->st.syncs = journal_syncs(p->j);
    if (rc < 0)
        return journal_blocked(p, rc); /* held: nothing is published before it is written */
    if (p->st.blocked) {
        p->st.blocked = 0;
        p->st.unblocked++;
    }
    for (size_t off = 0; off < p->hold_len;) {
        const uint8_t *h = p->hold + off;
        size_t tl = ld_le16(h);
        size_t n = ld_le32(h + 2 + tl);
        if (gt_bus_send(p->pub, (const char *)h + 2, tl, h + 6 + tl, n, ZMQ_DONTWAIT) < 0)
            p->st.send_errors++;
        p->st.messages++;
        p->st.records += n;
        p->st.last_seq = ld_le64(h + 6 + tl + (n - 1) * GT_TICK_LEN + 8);
        off += 6 + tl + n * GT_TICK_LEN;
    }
    p->hold_len = p->hold_jrn = 0;
    return GT_OK;
}

size_t pub_held(const struct pub *p)
{
    return p->hold_len;
}

/* ---- replies ------------------------------------------------------------- */

static void reply_reset(struct pub *p)
{
    p->n_frames = p->n_recs = p->topics_len = 0;
    p->reply_full = false;
}

/* Adds one topic + records pair to the reply being built (copies both). */
static int reply_add(struct pub *p, const char *topic, size_t tl, const uint8_t *recs, size_t n)
{
    if (p->n_frames + 2 > 2 * PUB_SNAP_MAX_MSGS || p->n_recs + n > p->recs_cap ||
        tl > GT_TOPIC_MAX) {
        p->reply_full = true;
        return GT_ENOSPC;
    }
    memcpy(p->topics + p->topics_len, topic, tl);
    memcpy(p->recs + p->n_recs * GT_TICK_LEN, recs, n * GT_TICK_LEN);
    p->frames[p->n_frames++] = (struct gt_frame){(uint8_t *)p->topics + p->topics_len, tl};
    p->frames[p->n_frames++] =
        (struct gt_frame){p->recs + p->n_recs * GT_TICK_LEN, n * GT_TICK_LEN};
    p->topics_len += tl;
    p->n_recs += n;
    return GT_OK;
}

static int snap_add(void *ctx, const char *topic, size_t tl, uint8_t *recs, size_t n)
{
    return reply_add(ctx, topic, tl, recs, n);
}

/* Sends the envelope (identities and any delimiter, as received: bus.h),
 * head frames, then the reply's pairs. */
static void reply_send(struct pub *p, const struct gt_frame *env, int n_env,
                       const struct gt_frame *head, int n_head, bool with_pairs)
{
    size_t total = (size_t)n_env + (size_t)n_head + (with_pairs ? p->n_frames : 0);
    size_t k = 0;
    for (int i = 0; i < n_env; i++, k++)
        zmq_send(p->router, env[i].p, env[i].len, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    for (int i = 0; i < n_head; i++, k++)
        zmq_send(p->router, head[i].p, head[i].len, k + 1 < total ? ZMQ_SNDMORE : 0);
    if (with_pairs)
        for (size_t i = 0; i < p->n_frames; i++, k++)
            zmq_send(p->router, p->frames[i].p, p->frames[i].len, k + 1 < total ? ZMQ_SNDMORE : 0);
}

static void reply_err(struct pub *p, const struct gt_frame *env, int n_env, int code,
                      const char *text)
{
    uint8_t c[4];
    st_le32(c, (uint32_t)code);
    struct gt_frame h[3] = {
        {(const uint8_t *)"ERR", 3}, {c, 4}, {(const uint8_t *)text, strlen(text)}};
    reply_send(p, env, n_env, h, 3, false);
}

static void serve_replay(struct pub *p, const struct gt_frame *env, int n_env,
                         const struct gt_bus_req *rq)
{
    uint64_t from = rq->from_seq, to = rq->to_seq, next = from, scanned = 0;
    reply_reset(p);
    int rc = journal_reader_seek(p->jr, from);
    struct journal_msg m;
    while (rc >= 0 && next <= to && next <= p->st.last_seq &&
           (rc = journal_reader_next(p->jr, &m)) == 1) {
        uint64_t end = m.first_seq + m.n_records - 1; /* inclusive */
        if (end < next)
            continue;
        if (m.first_seq > next) {
            rc = GT_ECORRUPT; /* a hole in the journal: it cannot serve next */
            snprintf(p->errmsg, sizeof p->errmsg, "journal has no record %llu",
                     (unsigned long long)next);
            break;
        }
        uint64_t last = end < to ? end : to;
        if (last > p->st.last_seq)
            last = p->st.last_seq;
        size_t skip = (size_t)(next - m.first_seq);
        size_t n = (size_t)(last - next + 1);
        if (!gt_bus_filter_match(rq->filter, m.topic, m.topic_len)) {
            /* Scanned, not sent: a filtered reader's range is covered anyway. */
            next += n;
            scanned += n;
            if (scanned >= PUB_SCAN_MAX)
                break; /* bound one reply's work; next_seq says where to go on */
            continue;
        }
        if (p->n_recs + n > GT_BUS_CHUNK)
            n = GT_BUS_CHUNK - p->n_recs;
        if (n == 0)
            break;
        reply_add(p, m.topic, m.topic_len, m.records + skip * GT_TICK_LEN, n);
        next += n;
        scanned += n;
        if (p->n_recs >= GT_BUS_CHUNK || scanned >= PUB_SCAN_MAX)
            break;
    }
    if (rc < 0) {
        if (rc != GT_ECORRUPT || !p->errmsg[0])
            snprintf(p->errmsg, sizeof p->errmsg, "%s", journal_reader_errmsg(p->jr));
        reply_err(p, env, n_env, rc, p->errmsg);
        return;
    }
    uint8_t hdr[24];
    st_le64(hdr, from);
    st_le64(hdr + 8, next);
    st_le64(hdr + 16, p->st.last_seq);
    struct gt_frame h[2] = {{(const uint8_t *)"OK", 2}, {hdr, 24}};
    reply_send(p, env, n_env, h, 2, true);
    p->st.replays++;
    p->st.replayed += p->n_recs;
}

/* Answers SNAPSHOT from the feed's state as of the last published sequence. */
static void serve_snapshot(struct pub *p, struct feed *f, const struct gt_frame *env, int n_env,
                           const char *prefix)
{
    pub_flush(p);
    reply_reset(p);
    uint8_t asof[8];
    st_le64(asof, p->st.last_seq);
    if (f && !p->hold_len)
        feed_snapshot(f, prefix, strlen(prefix), p->st.last_seq, snap_add, p);
    if (p->hold_len) {
        /* The books are ahead of what was published: no consistent as_of. */
        reply_err(p, env, n_env, GT_EIO,
                  "the journal is blocked (disk full?): no "
                  "snapshot until it writes again");
    } else if (p->reply_full) {
        reply_err(p, env, n_env, GT_ENOSPC, "snapshot too large: ask with a longer prefix");
    } else {
        struct gt_frame h[2] = {{(const uint8_t *)"OK", 2}, {asof, 8}};
        reply_send(p, env, n_env, h, 2, true);
        p->st.snapshots++;
    }
}

/* Keeps a SNAPSHOT request and its whole envelope until the open event ends.
 * Returns false if an identity is too long to keep (it is then refused). */
static bool snapshot_hold(struct pub *p, const struct gt_frame *env, int n_env, const char *prefix)
{
    struct snap_wait *w = &p->wait;
    for (int i = 0; i < n_env; i++)
        if (env[i].len > PUB_ID_MAX)
            return false;
    for (int i = 0; i < n_env; i++) {
        memcpy(w->id[i], env[i].p, env[i].len);
        w->len[i] = env[i].len;
    }
    w->n_env = n_env;
    snprintf(w->prefix, sizeof w->prefix, "%s", prefix);
    w->held = true;
    p->st.snapshots_held++;
    return true;
}

static uint64_t journal_first_seq(struct pub *p)
{
    struct journal_msg m;
    if (journal_reader_seek(p->jr, 0) >= 0 && journal_reader_next(p->jr, &m) == 1)
        return m.first_seq;
    return p->st.last_seq + 1;
}

/* Reads what the subscribers said (subscriptions) and what the monitor saw
 * (connections), at most max of each. */
static void pub_watch(struct pub *p, int max)
{
    zmq_msg_t m;
    for (int i = 0; i < max; i++) {
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, p->pub, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            break;
        }
        const uint8_t *d = zmq_msg_data(&m);
        if (zmq_msg_size(&m) >= 1 && d[0] == 1)
            p->st.subscribes++;
        else if (zmq_msg_size(&m) >= 1 && d[0] == 0)
            p->st.unsubscribes++;
        zmq_msg_close(&m);
    }
    for (int i = 0; p->mon && i < max; i++) {
        zmq_msg_init(&m);
        if (zmq_msg_recv(&m, p->mon, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&m);
            break;
        }
        uint16_t ev = 0; /* frame 1: event (u16, native order), value (u32) */
        if (zmq_msg_size(&m) >= 2)
            memcpy(&ev, zmq_msg_data(&m), 2);
        int more = zmq_msg_more(&m);
        zmq_msg_close(&m);
        while (more) { /* frame 2: the endpoint, sent with frame 1 */
            zmq_msg_init(&m);
            more = zmq_msg_recv(&m, p->mon, 0) >= 0 && zmq_msg_more(&m);
            zmq_msg_close(&m);
        }
        if (ev == ZMQ_EVENT_ACCEPTED)
            p->st.connects++;
        else if (ev == ZMQ_EVENT_DISCONNECTED)
            p->st.disconnects++;
    }
}

/* The peer at the other end of fd: "pid N" over a Unix socket (ipc://), the
 * address over TCP (a client's request and subscription connections have
 * ports of their own, so the port names neither). */
static void peer_name(int fd, char *out, size_t cap)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    snprintf(out, cap, "unknown");
    if (fd < 0 || getpeername(fd, (struct sockaddr *)&ss, &len) < 0)
        return;
    if (ss.ss_family == AF_UNIX) {
        struct ucred cr;
        socklen_t cl = sizeof cr;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0)
            snprintf(out, cap, "pid %d", (int)cr.pid);
    } else if (ss.ss_family == AF_INET) {
        inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, out, (socklen_t)cap);
    } else if (ss.ss_family == AF_INET6) {
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, out, (socklen_t)cap);
    }
}

/* Counts a replay of n records for the peer that sent the request in m. */
static void peer_count(struct pub *p, zmq_msg_t *m, uint64_t n)
{
    char name[sizeof p->peers[0].name];
    peer_name(zmq_msg_get(m, ZMQ_SRCFD), name, sizeof name);
    int i = 0;
    while (i < p->n_peers && strcmp(p->peers[i].name, name))
        i++;
    if (i == PUB_PEERS_MAX) {
        i = PUB_PEERS_MAX - 1;
        snprintf(p->peers[i].name, sizeof p->peers[i].name, "other");
    } else if (i == p->n_peers) {
        p->n_peers++;
        snprintf(p->peers[i].name, sizeof p->peers[i].name, "%s", name);
    }
    p->peers[i].replays++;
    p->peers[i].replayed += n;
}

int pub_serve(struct pub *p, struct feed *f, int max)
{
    pub_watch(p, 256);
    if (!p->router)
        return 0;
    bool open_event = f && feed_in_event(f);
    if (p->wait.held) {
        if (open_event)
            return 0; /* it and every request behind it wait for the event's end */
        struct gt_frame env[GT_BUS_MAX_HOPS + 1];
        for (int i = 0; i < p->wait.n_env; i++)
            env[i] = (struct gt_frame){p->wait.id[i], p->wait.len[i]};
        p->wait.held = false;
        serve_snapshot(p, f, env, p->wait.n_env, p->wait.prefix);
    }
    int done = 0;
    while (done < max && !p->wait.held) {
        zmq_msg_t part[GT_BUS_MAX_PARTS];
        int overflow;
        int n = gt_bus_recv_parts(p->router, part, GT_BUS_MAX_PARTS, ZMQ_DONTWAIT, &overflow);
        if (n < 0)
            break;
        done++;
        p->st.requests++;
        struct gt_frame fr[GT_BUS_MAX_PARTS];
        for (int i = 0; i < n; i++)
            fr[i] = (struct gt_frame){zmq_msg_data(&part[i]), zmq_msg_size(&part[i])};
        /* Identities up to the first delimiter: a proxy chain's, a REQ's. */
        int n_env = gt_bus_envelope(fr, n);
        struct gt_bus_req rq;
        char err[GT_ERRLEN];
        if (overflow || n <= n_env || n_env > GT_BUS_MAX_HOPS + 1) {
            p->st.bad_requests++;
            reply_err(p, fr, n_env, GT_EBADMSG,
                      overflow     ? "too many frames"
                      : n <= n_env ? "empty request"
                                   : "more than 16 hops in the envelope");
        } else if (gt_bus_req_parse(fr + n_env, n - n_env, &rq, err) < 0) {
            p->st.bad_requests++;
            reply_err(p, fr, n_env, GT_EBADMSG, err);
        } else if (rq.cmd == GT_BUS_REPLAY) {
            p->errmsg[0] = 0;
            pub_flush(p);
            uint64_t replays = p->st.replays, replayed = p->st.replayed;
            serve_replay(p, fr, n_env, &rq);
            if (p->st.replays > replays)
                peer_count(p, &part[0], p->st.replayed - replayed);
        } else if (rq.cmd == GT_BUS_SNAPSHOT) {
            if (!open_event)
                serve_snapshot(p, f, fr, n_env, rq.prefix);
            else if (!snapshot_hold(p, fr, n_env, rq.prefix))
                reply_err(p, fr, n_env, GT_EINVAL, "routing identity too long");
        } else {
            pub_flush(p);
            uint8_t info[16];
            st_le64(info, journal_first_seq(p));
            st_le64(info + 8, p->st.last_seq);
            struct gt_frame h[2] = {{(const uint8_t *)"OK", 2}, {info, 16}};
            reply_send(p, fr, n_env, h, 2, false);
        }
        for (int i = 0; i < n; i++)
            zmq_msg_close(&part[i]);
    }
    return done;
}

void *pub_router(struct pub *p)
{
    return p->router;
}

const struct pub_stats *pub_stats(const struct pub *p)
{
    return &p->st;
}

void pub_set_sndhwm(struct pub *p, int sndhwm)
{
    p->o.sndhwm = sndhwm > 0 ? sndhwm : 100000;
    zmq_setsockopt(p->pub, ZMQ_SNDHWM, &p->o.sndhwm, sizeof p->o.sndhwm);
}

int pub_sndhwm(const struct pub *p)
{
    return p->o.sndhwm;
}

const struct pub_peer *pub_peers(const struct pub *p, int *n)
{
    *n = p->n_peers;
    return p->peers;
}

const char *pub_errmsg(const struct pub *p)
{
    return p->errmsg;
}
