/* SPDX-License-Identifier: MIT */
/* test_scale.c -- gputick beyond one process: tickproxy chains, CURVE with an
 * allow-list, and sharded recording, all on real sockets on 127.0.0.1.
 *
 * A feed thread in the test speaks the bus protocol (docs/wire.md): an XPUB
 * socket publishes a generated journal of two products (H100, B200: futures,
 * an index each; defs, trades, tops of book, book levels, fixings) up to a
 * target the test moves, and records the subscriptions it receives; a ROUTER
 * serves REPLAY (with the shard filter), SNAPSHOT and INFO from the same
 * journal. tickproxy runs as its own process (the built binary). Recorders are
 * the real recorder in threads; the stores are compared through the tickq
 * commands themselves. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cmd.h"
#include "gputick/bus.h"
#include "gputick/bytes.h"
#include "gputick/sec.h"
#include "gputick/time.h"
#include "proc.h"
#include "pub.h"
#include "recorder.h"

#define DAY_NS INT64_C(1795478400000000000) /* 2026-11-24T00:00:00Z */
enum { MAX_RECS = 8000, MAX_MSGS = 6000, N_EVENTS = 1200, MAX_SUBS = 32 };

/* ---- the journal ---- */

static struct gt_tick recs[MAX_RECS];
static uint8_t bytes[MAX_RECS * GT_TICK_LEN];
static struct {
    char topic[GT_TOPIC_MAX];
    int first, n; /* index into recs */
} msgs[MAX_MSGS];
static int n_recs, n_msgs;
static char dir[64];

static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

/* Starts a message of n records of one instrument and kind. */
static struct gt_tick *msg_add(int kind, const char *product, const char *symbol, int32_t id,
                               int64_t ns, int n)
{
    cr_assert(n_msgs < MAX_MSGS && n_recs + n <= MAX_RECS);
    gt_topic_format(msgs[n_msgs].topic, kind, product, symbol);
    msgs[n_msgs].first = n_recs;
    msgs[n_msgs++].n = n;
    struct gt_tick *t = &recs[n_recs];
    for (int i = 0; i < n; i++, n_recs++) {
        memset(&recs[n_recs], 0, sizeof recs[n_recs]);
        recs[n_recs].version = GT_TICK_VERSION;
        recs[n_recs].kind = (uint8_t)kind;
        recs[n_recs].instr_id = id;
        recs[n_recs].seq = (uint64_t)n_recs + 1;
        recs[n_recs].exch_ns = ns;
        recs[n_recs].recv_ns = ns + 1000;
    }
    return t;
}

static const char *products[2] = {"H100", "B200"};
static const char *futures[2][2] = {{"H100Z6", "H100H7"}, {"B200Z6", "B200H7"}};
static const char *indexes[2] = {"SDH100RT", "SDB200RT"};

static void def_add(int p, const char *sym, int32_t id, uint32_t mat, int type)
{
    struct gt_tick *t = msg_add(GT_KIND_DEF, products[p], sym, id, DAY_NS, 1);
    t->u.def.tick_px = 5000000;
    t->u.def.maturity = mat;
    t->u.def.type = (uint8_t)type;
    t->u.def.depth = 10;
    memcpy(t->u.def.product, products[p], strlen(products[p]));
    memcpy(t->u.def.symbol, sym, strlen(sym));
}

static void journal_build(void)
{
    n_recs = n_msgs = 0;
    for (int p = 0; p < 2; p++) {
        for (int f = 0; f < 2; f++)
            def_add(p, futures[p][f], 100 * (p + 1) + f, f ? 20270319 : 20261218, GT_INSTR_FUTURE);
        def_add(p, indexes[p], gt_index_id(indexes[p], strlen(indexes[p])), 0, GT_INSTR_INDEX);
    }
    for (int e = 0; e < N_EVENTS; e++) {
        int p = (int)(rnd() % 2), f = (int)(rnd() % 2);
        int32_t id = 100 * (p + 1) + f;
        int64_t ns = DAY_NS + 36000 * INT64_C(1000000000) + e * INT64_C(1000000000);
        int64_t px = (p ? 4000000000 : 2500000000) + (int64_t)(rnd() % 40) * 5000000;
        const char *sym = futures[p][f];
        switch (rnd() % 4) {
        case 0: {
            struct gt_tick *t = msg_add(GT_KIND_TRADE, products[p], sym, id, ns, 1);
            t->u.trade.px = px;
            t->u.trade.qty = 1 + (int64_t)(rnd() % 9);
            t->u.trade.trade_id = (uint32_t)e;
            t->u.trade.aggressor = (uint8_t)(1 + rnd() % 2);
            break;
        }
        case 1: {
            struct gt_tick *t = msg_add(GT_KIND_LEVEL, products[p], sym, id, ns, 2);
            for (int i = 0; i < 2; i++) {
                t[i].u.level.px = px + (i ? 5000000 : 0);
                t[i].u.level.qty = 1 + (int64_t)(rnd() % 50);
                t[i].u.level.level = 1;
                t[i].u.level.side = (uint8_t)(GT_SIDE_BID + i);
                t[i].u.level.action = 5; /* overlay */
                t[i].u.level.n_orders = 1;
            }
            t[1].flags = GT_F_EVENT_END;
            break;
        }
        case 2: {
            struct gt_tick *t = msg_add(GT_KIND_TOB, products[p], sym, id, ns, 1);
            t->u.tob.bid_px = px;
            t->u.tob.ask_px = px + 5000000;
            t->u.tob.bid_qty = 3;
            t->u.tob.ask_qty = 4;
            break;
        }
        default: {
            int32_t ix = gt_index_id(indexes[p], strlen(indexes[p]));
            struct gt_tick *t = msg_add(GT_KIND_FIXING, products[p], indexes[p], ix, ns, 1);
            t->u.fixing.px = px - 20000000;
            t->u.fixing.date = 20261124;
            t->u.fixing.code = e % 50 == 3 ? GT_FIX_CLOSE : GT_FIX_INDICATIVE;
            t->u.fixing.entry_type = '3';
            break;
        }
        }
    }
    for (int i = 0; i < n_recs; i++)
        gt_tick_encode(&recs[i], bytes + (size_t)i * GT_TICK_LEN);
}

/* ---- the feed: XPUB + ROUTER in a thread ---- */

struct feed {
    void *ctx, *pub, *router;
    char pub_ep[64], router_ep[64];
    pthread_t thread;
    atomic_int stop, target, published; /* messages */
    atomic_int n_subs;
    atomic_int drop_requests;              /* the next this many requests get no reply */
    int pace_us, sub_delay_ms;             /* feed_start_paced */
    char subs[MAX_SUBS][GT_TOPIC_MAX + 1]; /* subscriptions received, "+prefix" / "-prefix" */
    gt_zap *zap;
    atomic_int denials; /* log lines */
    char denial[GT_ERRLEN];
};

static uint64_t feed_last_seq(struct feed *fd)
{
    int m = atomic_load(&fd->published);
    return m ? (uint64_t)(msgs[m - 1].first + msgs[m - 1].n) : 0;
}

static void reply(void *s, const struct gt_frame *f, int n)
{
    for (int i = 0; i < n; i++)
        zmq_send(s, f[i].p, f[i].len, i + 1 < n ? ZMQ_SNDMORE : 0);
}

static struct gt_frame out[2 * GT_BUS_CHUNK + 8];

static void serve(struct feed *fd)
{
    zmq_msg_t part[GT_BUS_MAX_PARTS];
    int dropped, n = gt_bus_recv_parts(fd->router, part, GT_BUS_MAX_PARTS, 0, &dropped);
    if (n < 0)
        return;
    struct gt_frame f[GT_BUS_MAX_PARTS];
    for (int i = 0; i < n; i++)
        f[i] = (struct gt_frame){zmq_msg_data(&part[i]), zmq_msg_size(&part[i])};
    struct gt_bus_req req;
    char err[GT_ERRLEN];
    static uint8_t hdr[24], code[4];
    static uint8_t snap[64 * GT_TICK_LEN];
    int m = 0, n_env = gt_bus_envelope(f, n);
    for (; m < n_env; m++)
        out[m] = f[m];
    uint64_t last = feed_last_seq(fd);
    int published = atomic_load(&fd->published);
    if (atomic_load(&fd->drop_requests) > 0) {
        /* A server that dies with the request in flight: no reply, ever. */
        atomic_fetch_sub(&fd->drop_requests, 1);
        m = 0;
    } else if (gt_bus_req_parse(f + n_env, n - n_env, &req, err) < 0) {
        st_le32(code, (uint32_t)GT_EBADMSG);
        out[m++] = (struct gt_frame){(const uint8_t *)"ERR", 3};
        out[m++] = (struct gt_frame){code, 4};
        out[m++] = (struct gt_frame){(const uint8_t *)err, strlen(err)};
    } else if (req.cmd == GT_BUS_REPLAY) {
        uint64_t to = req.to_seq < last ? req.to_seq : last, next = req.from_seq;
        int k = 0;
        out[m++] = (struct gt_frame){(const uint8_t *)"OK", 2};
        out[m++] = (struct gt_frame){hdr, 24};
        for (int i = 0; i < published; i++) {
            uint64_t s0 = (uint64_t)msgs[i].first + 1, s1 = s0 + (uint64_t)msgs[i].n - 1;
            if (s1 < req.from_seq)
                continue;
            if (s0 > to || k + msgs[i].n > GT_BUS_CHUNK)
                break;
            next = s1 + 1;
            if (!gt_bus_filter_match(req.filter, msgs[i].topic, strlen(msgs[i].topic)))
                continue;
            int a = msgs[i].first + (s0 < req.from_seq ? (int)(req.from_seq - s0) : 0);
            int b = msgs[i].first + msgs[i].n - (s1 > to ? (int)(s1 - to) : 0);
            out[m++] = (struct gt_frame){(const uint8_t *)msgs[i].topic, strlen(msgs[i].topic)};
            out[m++] =
                (struct gt_frame){bytes + (size_t)a * GT_TICK_LEN, (size_t)(b - a) * GT_TICK_LEN};
            k += b - a;
        }
        st_le64(hdr, req.from_seq);
        st_le64(hdr + 8, next);
        st_le64(hdr + 16, last);
    } else if (req.cmd == GT_BUS_SNAPSHOT) {
        /* The last message of each topic under the prefix, flagged. */
        static uint8_t asof[8];
        st_le64(asof, last);
        out[m++] = (struct gt_frame){(const uint8_t *)"OK", 2};
        out[m++] = (struct gt_frame){asof, 8};
        int k = 0;
        for (int i = published - 1; i >= 0 && k < 64; i--) {
            if (strncmp(msgs[i].topic, req.prefix, strlen(req.prefix)) != 0)
                continue;
            int seen = 0;
            for (int j = n_env + 2; j < m; j += 2)
                seen |= strcmp((const char *)out[j].p, msgs[i].topic) == 0;
            if (seen)
                continue;
            struct gt_tick t = recs[msgs[i].first + msgs[i].n - 1];
            t.seq = last;
            t.flags |= GT_F_SNAPSHOT;
            gt_tick_encode(&t, snap + (size_t)k * GT_TICK_LEN);
            out[m++] = (struct gt_frame){(const uint8_t *)msgs[i].topic, strlen(msgs[i].topic)};
            out[m++] = (struct gt_frame){snap + (size_t)k * GT_TICK_LEN, GT_TICK_LEN};
            k++;
        }
    } else {
        static uint8_t info[16];
        st_le64(info, 1);
        st_le64(info + 8, last);
        out[m++] = (struct gt_frame){(const uint8_t *)"OK", 2};
        out[m++] = (struct gt_frame){info, 16};
    }
    if (m)
        reply(fd->router, out, m);
    for (int i = 0; i < n; i++)
        zmq_msg_close(&part[i]);
}

/* Reads one subscription message; with sub_delay_ms (XPUB_MANUAL) it takes
 * effect only now. */
static void feed_subscription(struct feed *fd)
{
    char s[GT_TOPIC_MAX + 1];
    int n = zmq_recv(fd->pub, s, sizeof s - 1, ZMQ_DONTWAIT);
    if (n < 1)
        return;
    if (fd->sub_delay_ms)
        zmq_setsockopt(fd->pub, s[0] ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE, s + 1, (size_t)n - 1);
    int k = atomic_load(&fd->n_subs);
    if (k < MAX_SUBS) {
        s[n] = 0;
        fd->subs[k][0] = s[0] ? '+' : '-';
        memcpy(fd->subs[k] + 1, s + 1, (size_t)n);
        atomic_store(&fd->n_subs, k + 1);
    }
}

static void *feed_main(void *arg)
{
    struct feed *fd = arg;
    int64_t next_ns = 0, subs_seen_ns = 0;
    while (!atomic_load(&fd->stop)) {
        int64_t now = gt_now_ns();
        for (int i; (i = atomic_load(&fd->published)) < atomic_load(&fd->target) &&
                    (!fd->pace_us || now >= next_ns);) {
            const uint8_t *p = bytes + (size_t)msgs[i].first * GT_TICK_LEN;
            gt_bus_send(fd->pub, msgs[i].topic, strlen(msgs[i].topic), p, (size_t)msgs[i].n, 0);
            atomic_store(&fd->published, i + 1);
            next_ns = now + fd->pace_us * 1000;
        }
        /* Subscriptions that arrived wait sub_delay_ms before they count: a
         * slow way up through proxies, made certain. */
        int subs_due = !subs_seen_ns || now - subs_seen_ns >= fd->sub_delay_ms * INT64_C(1000000);
        zmq_pollitem_t pi[2] = {{fd->router, 0, ZMQ_POLLIN, 0}, {fd->pub, 0, ZMQ_POLLIN, 0}};
        if (zmq_poll(pi, subs_due ? 2 : 1, fd->pace_us || !subs_due ? 1 : 5) <= 0)
            continue;
        if (pi[0].revents & ZMQ_POLLIN)
            serve(fd);
        if (subs_due && (pi[1].revents & ZMQ_POLLIN)) {
            if (fd->sub_delay_ms && !subs_seen_ns) {
                subs_seen_ns = now;
                continue;
            }
            subs_seen_ns = 0;
            for (int k = 0; k < MAX_SUBS; k++) {
                int ev = 0;
                size_t len = sizeof ev;
                zmq_getsockopt(fd->pub, ZMQ_EVENTS, &ev, &len);
                if (!(ev & ZMQ_POLLIN))
                    break;
                feed_subscription(fd);
            }
        }
    }
    return NULL;
}

static void on_denial(void *ctx, const char *line)
{
    struct feed *fd = ctx;
    atomic_fetch_add(&fd->denials, 1);
    if (!fd->denial[0] && strstr(line, "denied CURVE client key"))
        snprintf(fd->denial, sizeof fd->denial, "%s", line);
}

static void endpoint(void *s, char *out_ep)
{
    size_t len = 64;
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, out_ep, &len);
}

/* Starts the feed; with secret (a key file) its sockets are CURVE servers
 * accepting the keys at allow. pace_us: one message per that many
 * microseconds (0 = at once); sub_delay_ms: a subscription takes effect that
 * long after it arrives. */
static void feed_start_paced(struct feed *fd, const char *secret, const char *allow, int pace_us,
                             int sub_delay_ms)
{
    memset(fd, 0, sizeof *fd);
    fd->pace_us = pace_us;
    fd->sub_delay_ms = sub_delay_ms;
    journal_build();
    char err[GT_ERRLEN] = "";
    fd->ctx = zmq_ctx_new();
    if (allow)
        cr_assert(eq(int, gt_zap_open(&fd->zap, fd->ctx, allow, on_denial, fd, err), GT_OK), "%s",
                  err);
    fd->pub = zmq_socket(fd->ctx, ZMQ_XPUB);
    fd->router = zmq_socket(fd->ctx, ZMQ_ROUTER);
    int linger = 0, hwm = 100000;
    void *socks[2] = {fd->pub, fd->router};
    for (int i = 0; i < 2; i++) {
        zmq_setsockopt(socks[i], ZMQ_LINGER, &linger, sizeof linger);
        zmq_setsockopt(socks[i], ZMQ_SNDHWM, &hwm, sizeof hwm);
        if (i == 0 && sub_delay_ms)
            zmq_setsockopt(socks[i], ZMQ_XPUB_MANUAL, &(int){1}, sizeof(int));
        if (secret)
            cr_assert(eq(int, gt_sec_server(socks[i], secret, err), GT_OK), "%s", err);
        if (fd->zap)
            cr_assert(eq(int, gt_zap_watch(fd->zap, socks[i]), GT_OK));
        cr_assert(eq(int, zmq_bind(socks[i], "tcp://127.0.0.1:*"), 0));
    }
    endpoint(fd->pub, fd->pub_ep);
    endpoint(fd->router, fd->router_ep);
    pthread_create(&fd->thread, NULL, feed_main, fd);
}

static void feed_start(struct feed *fd, const char *secret, const char *allow)
{
    feed_start_paced(fd, secret, allow, 0, 0);
}

static void feed_stop(struct feed *fd)
{
    atomic_store(&fd->stop, 1);
    pthread_join(fd->thread, NULL);
    gt_zap_close(fd->zap);
    zmq_close(fd->pub);
    zmq_close(fd->router);
    zmq_ctx_term(fd->ctx);
}

/* Waits (bounded) until the feed has seen a subscription to prefix. */
static int feed_saw(struct feed *fd, const char *prefix, int ms)
{
    for (int t = 0; t < ms; t += 10) {
        for (int k = 0; k < atomic_load(&fd->n_subs); k++)
            if (fd->subs[k][0] == '+' && strcmp(fd->subs[k] + 1, prefix) == 0)
                return 1;
        usleep(10000);
    }
    return 0;
}

/* ---- helpers: processes, folders, subscribers ---- */

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

static void dir_make(void)
{
    snprintf(dir, sizeof dir, "/tmp/gt-scale-XXXXXX");
    cr_assert(not(eq(ptr, mkdtemp(dir), NULL)));
}

static void dir_remove(void)
{
    if (dir[0])
        nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    bind(s, (struct sockaddr *)&a, sizeof a);
    getsockname(s, (struct sockaddr *)&a, &len);
    close(s);
    return ntohs(a.sin_port);
}

/* Starts the built program rel (e.g. "tools/tickproxy/tickproxy") with its
 * arguments (NULL-terminated); its stderr goes to dir/NAME.log, its stdout
 * to dir/NAME.out. */
static pid_t vprog_start(const char *rel, const char *name, va_list ap)
{
    char log[256], out_path[256];
    snprintf(log, sizeof log, "%s/%s.log", dir, name);
    snprintf(out_path, sizeof out_path, "%s/%s.out", dir, name);
    return proc_vstart(rel, out_path, log, ap);
}

static pid_t prog_start(const char *rel, const char *name, ...)
{
    va_list ap;
    va_start(ap, name);
    pid_t pid = vprog_start(rel, name, ap);
    va_end(ap);
    return pid;
}

/* Starts tickproxy with "--flag value" pairs (NULL-terminated). */
static pid_t proxy_start(const char *name, ...)
{
    va_list ap;
    va_start(ap, name);
    pid_t pid = vprog_start("tools/tickproxy/tickproxy", name, ap);
    va_end(ap);
    return pid;
}

/* Stops a proxy with SIGTERM; returns its exit status (-1 if it hung). */
static int proxy_stop(pid_t pid)
{
    return proc_stop(pid, 3000);
}

static char *slurp(const char *path)
{
    static char buf[65536];
    FILE *f = fopen(path, "r");
    size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
    buf[n] = 0;
    if (f)
        fclose(f);
    return buf;
}

/* dir/NAME.log, a program's stderr (prog_start). */
static const char *kpath_log(const char *name)
{
    static char buf[2][256];
    static int i;
    i = !i;
    snprintf(buf[i], sizeof buf[i], "%s/%s.log", dir, name);
    return buf[i];
}

static void *sock_new(void *ctx, int type, const char *ep, const char *prefix, const char *key,
                      const char *server_pub)
{
    void *s = zmq_socket(ctx, type);
    int linger = 0;
    char err[GT_ERRLEN];
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    if (prefix)
        zmq_setsockopt(s, ZMQ_SUBSCRIBE, prefix, strlen(prefix));
    if (key)
        cr_assert(eq(int, gt_sec_client(s, key, server_pub, err), GT_OK), "%s", err);
    cr_assert(eq(int, zmq_connect(s, ep), 0));
    return s;
}

/* Receives messages for up to ms (or until want records), checking each
 * record is the journal's; returns records received, *msgs_out messages. */
static long sub_drain(void *sub, int ms, long want, int *bad, uint64_t after_seq)
{
    struct gt_bus_msg m;
    gt_bus_msg_init(&m);
    long got = 0;
    int64_t end = gt_now_ns() + (int64_t)ms * 1000000;
    while (got < want && gt_now_ns() < end) {
        zmq_pollitem_t pi = {sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&pi, 1, 20) <= 0)
            continue;
        int n = gt_bus_recv(sub, &m, ZMQ_DONTWAIT);
        for (int i = 0; i < n; i++) {
            struct gt_tick t;
            gt_tick_decode(gt_bus_msg_rec(&m, (size_t)i), GT_TICK_LEN, &t);
            if (t.seq <= after_seq)
                continue;
            *bad |= t.seq < 1 || t.seq > (uint64_t)n_recs ||
                    memcmp(gt_bus_msg_rec(&m, (size_t)i), bytes + (t.seq - 1) * GT_TICK_LEN,
                           GT_TICK_LEN) != 0;
            got++;
        }
    }
    gt_bus_msg_close(&m);
    return got;
}

/* Records of the journal whose topic starts with prefix, in messages [a, b). */
static long journal_count(const char *prefix, int a, int b)
{
    long n = 0;
    for (int i = a; i < b; i++)
        if (strncmp(msgs[i].topic, prefix, strlen(prefix)) == 0)
            n += msgs[i].n;
    return n;
}

/* Records of the journal of product prod. */
static long journal_product(const char *prod)
{
    char mid[16];
    long n = 0;
    snprintf(mid, sizeof mid, ".%s.", prod);
    for (int i = 0; i < n_msgs; i++)
        if (strstr(msgs[i].topic, mid))
            n += msgs[i].n;
    return n;
}

/* ---- tickproxy ---- */

struct chain {
    pid_t p1, p2;
    char pub2[64], router2[64];
};

/* feed -> proxy 1 -> proxy 2; clients connect to proxy 2. */
static void chain_start(struct chain *c, struct feed *fd)
{
    char pub1[64], router1[64];
    snprintf(pub1, sizeof pub1, "tcp://127.0.0.1:%d", free_port());
    snprintf(router1, sizeof router1, "tcp://127.0.0.1:%d", free_port());
    snprintf(c->pub2, sizeof c->pub2, "tcp://127.0.0.1:%d", free_port());
    snprintf(c->router2, sizeof c->router2, "tcp://127.0.0.1:%d", free_port());
    c->p1 = proxy_start("proxy1", "--sub-connect", fd->pub_ep, "--req-connect", fd->router_ep,
                        "--pub-bind", pub1, "--router-bind", router1, "--stats", "0", NULL);
    c->p2 = proxy_start("proxy2", "--sub-connect", pub1, "--req-connect", router1, "--pub-bind",
                        c->pub2, "--router-bind", c->router2, "--stats", "0", NULL);
}

static int count_cb(void *ctx, const char *topic, size_t tlen, const uint8_t *r, size_t n)
{
    (void)topic, (void)tlen, (void)r;
    *(long *)ctx += (long)n;
    return 0;
}

Test(proxy, chain_passes_ticks_and_subscriptions_upstream, .timeout = 30)
{
    struct feed fd;
    dir_make();
    feed_start(&fd, NULL, NULL);
    struct chain c;
    chain_start(&c, &fd);
    void *ctx = zmq_ctx_new();
    void *sub = sock_new(ctx, ZMQ_SUB, c.pub2, "trade.H100.", NULL, NULL);
    /* The subscription reaches the feed through both proxies. */
    cr_assert(feed_saw(&fd, "trade.H100.", 5000), "the feed never saw the subscription");
    atomic_store(&fd.target, n_msgs);
    int bad = 0;
    long want = journal_count("trade.H100.", 0, n_msgs);
    long got = sub_drain(sub, 5000, want, &bad, 0);
    cr_assert(eq(long, got, want));
    cr_assert(eq(int, bad, 0));
    /* Nothing else came: other topics were filtered upstream. */
    cr_assert(eq(long, sub_drain(sub, 200, 1, &bad, 0), 0));
    /* Requests pass the chain too: a replay of everything, over chunks. */
    void *dealer = sock_new(ctx, ZMQ_DEALER, c.router2, NULL, NULL, NULL);
    char err[GT_ERRLEN] = "";
    long n = 0;
    uint64_t last = 0;
    cr_assert(
        eq(long, gt_bus_replay(dealer, 1, UINT64_MAX, 3000, count_cb, &n, &last, err), n_recs),
        "%s", err);
    cr_assert(eq(u64, last, (uint64_t)n_recs));
    zmq_close(sub);
    zmq_close(dealer);
    zmq_ctx_term(ctx);
    cr_assert(eq(int, proxy_stop(c.p2), 0), "proxy 2 did not stop cleanly");
    cr_assert(eq(int, proxy_stop(c.p1), 0), "proxy 1 did not stop cleanly");
    char log[256];
    snprintf(log, sizeof log, "%s/proxy1.log", dir);
    char *stats = strstr(slurp(log), "tickproxy: stats:");
    stats = stats ? strstr(stats, "requests ") : NULL;
    unsigned long reqs = 0, replies = 0;
    cr_assert(ne(ptr, stats, NULL), "no stats line at exit: %s", slurp(log));
    cr_assert(eq(int, sscanf(stats, "requests %lu replies %lu", &reqs, &replies), 2), "%s", stats);
    cr_assert(ge(ulong, reqs, 1));
    cr_assert(eq(ulong, replies, reqs), "every request forwarded got its reply");
    feed_stop(&fd);
    dir_remove();
}

/* One JSON line of ticksub's output. */
struct sub_line {
    uint64_t seq;
    unsigned flags;
    int kind;
};

/* Reads ticksub -j output from dir/NAME.out; returns the lines read. */
static int sub_lines(const char *name, struct sub_line *l, int cap)
{
    char path[256], line[4096], kind[16];
    snprintf(path, sizeof path, "%s/%s.out", dir, name);
    FILE *f = fopen(path, "r");
    cr_assert(ne(ptr, f, NULL), "no %s", path);
    int n = 0;
    while (n < cap && fgets(line, sizeof line, f)) {
        const char *q = strstr(line, "\"seq\":"), *fl = strstr(line, "\"flags\":"),
                   *k = strstr(line, "\"kind\":\"");
        cr_assert(q && fl && k, "not a tick line: %s", line);
        l[n].seq = strtoull(q + 6, NULL, 10);
        l[n].flags = (unsigned)strtoul(fl + 8, NULL, 10);
        snprintf(kind, sizeof kind, "%.*s", (int)strcspn(k + 8, "\""), k + 8);
        l[n++].kind = gt_kind_parse(kind);
    }
    fclose(f);
    return n;
}

/* Checks a late joiner's lines of one kind against the journal's records of
 * the topics starting with prefix: its snapshot (one as_of, the flag), then
 * exactly every record after as_of, in order. Returns the snapshot lines. */
static int late_join_check(const char *who, const struct sub_line *l, int n, int kind,
                           const char *prefix)
{
    static int rec_msg[MAX_RECS]; /* the message of each record */
    for (int i = 0; i < n_msgs; i++)
        for (int k = 0; k < msgs[i].n; k++)
            rec_msg[msgs[i].first + k] = i;
    uint64_t as_of = 0, last = 0;
    int snap = 0, live = 0;
    for (int i = 0; i < n; i++) {
        if (l[i].kind != kind)
            continue;
        if (l[i].flags & GT_F_SNAPSHOT) {
            cr_assert(eq(int, live, 0), "%s: a %s snapshot line after live ones", who, prefix);
            cr_assert(as_of == 0 || l[i].seq == as_of, "%s: one as_of per snapshot", who);
            as_of = last = l[i].seq;
            snap++;
            continue;
        }
        /* The next journal record under prefix after the last one printed. */
        int r = (int)last;
        while (r < n_recs && strncmp(msgs[rec_msg[r]].topic, prefix, strlen(prefix)) != 0)
            r++;
        cr_assert(lt(int, r, n_recs), "%s: %s record %llu is not in the journal", who, prefix,
                  (unsigned long long)l[i].seq);
        cr_assert(eq(u64, l[i].seq, (uint64_t)r + 1),
                  "%s: after seq %llu the next %s record (none missed, none twice)", who,
                  (unsigned long long)last, prefix);
        last = l[i].seq;
        live++;
    }
    cr_assert(gt(int, snap, 0), "%s: a snapshot of %s", who, prefix);
    /* Every record under prefix after as_of, up to the journal's end. */
    long want = 0;
    for (int i = 0; i < n_msgs; i++)
        if (strncmp(msgs[i].topic, prefix, strlen(prefix)) == 0 &&
            (uint64_t)msgs[i].first + 1 > as_of)
            want += msgs[i].n;
    cr_assert(eq(long, live, want), "%s: every %s record after the snapshot's %llu", who, prefix,
              (unsigned long long)as_of);
    return snap;
}

/* The Clone pattern through two proxies, with ticksub as users run it. A
 * subscription reaches the feed 300 ms after it left (made certain here:
 * real proxies are merely slower than a request), so the snapshot is
 * answered first, and the records published in between are on no live
 * stream of the joiner: it must replay them. */
Test(proxy, late_joiner_behind_proxies_gets_snapshot_then_every_record, .timeout = 30)
{
    struct feed fd;
    dir_make();
    feed_start_paced(&fd, NULL, NULL, 1000, 300);
    struct chain c;
    chain_start(&c, &fd);
    void *ctx = zmq_ctx_new();
    /* An early subscriber on the feed itself: the view to equal. */
    void *early = sock_new(ctx, ZMQ_SUB, fd.pub_ep, "tob.", NULL, NULL);
    cr_assert(feed_saw(&fd, "tob.", 5000));
    atomic_store(&fd.target, n_msgs);
    for (int i = 0; i < 5000 && atomic_load(&fd.published) < n_msgs / 3; i++)
        usleep(1000);
    pid_t s1 = prog_start("tools/ticksub/ticksub", "late-tob", "-S", "-j", "-t", "tob.", "-e",
                          c.pub2, "-r", c.router2, "-T", "3", NULL);
    pid_t s2 = prog_start("tools/ticksub/ticksub", "late-h100", "-S", "-j", "-p", "H100", "-e",
                          c.pub2, "-r", c.router2, "-T", "3", NULL);
    int bad = 0;
    long early_got = sub_drain(early, 5000, journal_count("tob.", 0, n_msgs), &bad, 0);
    cr_assert(eq(long, early_got, journal_count("tob.", 0, n_msgs)));
    cr_assert(eq(int, bad, 0));
    cr_assert(eq(int, proc_wait(s1, 10000), 0), "%s", slurp(kpath_log("late-tob")));
    cr_assert(eq(int, proc_wait(s2, 10000), 0), "%s", slurp(kpath_log("late-h100")));
    static struct sub_line l[MAX_RECS * 2];
    int n = sub_lines("late-tob", l, MAX_RECS * 2);
    cr_assert(eq(int, late_join_check("ticksub -t tob.", l, n, GT_KIND_TOB, "tob."), 4),
              "one top of book per contract");
    /* -p H100: a prefix per kind, each its snapshot and its replay. */
    n = sub_lines("late-h100", l, MAX_RECS * 2);
    static const int kinds[] = {GT_KIND_DEF, GT_KIND_TRADE, GT_KIND_LEVEL, GT_KIND_TOB,
                                GT_KIND_FIXING};
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        char prefix[32];
        snprintf(prefix, sizeof prefix, "%s.H100.", gt_kind_name(kinds[k]));
        late_join_check("ticksub -p H100", l, n, kinds[k], prefix);
    }
    zmq_close(early);
    zmq_ctx_term(ctx);
    cr_assert(eq(int, proxy_stop(c.p2), 0));
    cr_assert(eq(int, proxy_stop(c.p1), 0));
    feed_stop(&fd);
    dir_remove();
}

/* Sends frames (NULL-terminated strings; "" is an empty frame) on s. */
static void frames_send(void *s, const char *const *f)
{
    for (int i = 0; f[i]; i++)
        zmq_send(s, f[i], strlen(f[i]), f[i + 1] ? ZMQ_SNDMORE : 0);
}

/* A client's request on its own DEALER: a REPLAY of the one record seq. */
static void replay_send(void *dealer, uint64_t seq)
{
    uint8_t range[16];
    st_le64(range, seq);
    st_le64(range + 8, seq);
    zmq_send(dealer, "REPLAY", 6, ZMQ_SNDMORE);
    zmq_send(dealer, range, 16, 0);
}

/* The sequence of the record in the REPLAY reply that reaches dealer within
 * ms: 0 if no reply came, UINT64_MAX if it was not one record's OK. */
static uint64_t replay_answer(void *dealer, int ms)
{
    zmq_pollitem_t pi = {dealer, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&pi, 1, ms) <= 0)
        return 0;
    zmq_msg_t part[16];
    int dropped, n = gt_bus_recv_parts(dealer, part, 16, 0, &dropped);
    int i = n > 0 && zmq_msg_size(&part[0]) == 0; /* the delimiter a proxy adds */
    uint64_t seq = UINT64_MAX;
    if (n == i + 4 && zmq_msg_size(&part[i]) == 2 && memcmp(zmq_msg_data(&part[i]), "OK", 2) == 0 &&
        zmq_msg_size(&part[i + 3]) == GT_TICK_LEN)
        seq = ld_le64((const uint8_t *)zmq_msg_data(&part[i + 3]) + 8);
    for (int k = 0; k < n; k++)
        zmq_msg_close(&part[k]);
    return seq;
}

Test(proxy, replies_reach_their_askers_after_the_upstream_drops_a_request, .timeout = 30)
{
    struct feed fd;
    dir_make();
    feed_start(&fd, NULL, NULL);
    atomic_store(&fd.target, n_msgs);
    struct chain c;
    chain_start(&c, &fd);
    for (int i = 0; i < 500 && atomic_load(&fd.published) < n_msgs; i++)
        usleep(2000);
    void *ctx = zmq_ctx_new();
    enum { N = 5 };
    void *cl[N];
    for (int k = 0; k < N; k++)
        cl[k] = sock_new(ctx, ZMQ_DEALER, c.router2, NULL, NULL, NULL);
    /* The upstream loses client 0's request (killed with it in flight). */
    atomic_store(&fd.drop_requests, 1);
    replay_send(cl[0], 5);
    cr_assert(eq(u64, replay_answer(cl[0], 500), 0), "a dropped request has no answer");
    /* The others ask at once, several in flight together, and each gets its
     * own answer; then client 0 asks again and gets its own too. */
    for (int k = 1; k < N; k++)
        replay_send(cl[k], 10 * (uint64_t)k);
    for (int k = 1; k < N; k++)
        cr_assert(eq(u64, replay_answer(cl[k], 3000), 10 * (uint64_t)k),
                  "client %d got its own reply", k);
    cr_assert(eq(u64, replay_answer(cl[0], 200), 0), "nobody else's reply reached client 0");
    replay_send(cl[0], 7);
    cr_assert(eq(u64, replay_answer(cl[0], 3000), 7));
    /* Two more lost at once, mixed with others: still nobody misrouted. */
    atomic_store(&fd.drop_requests, 2);
    replay_send(cl[1], 11);
    replay_send(cl[2], 12);
    /* Until the upstream has dropped both (10 s at most), so that the next
     * requests are not the ones lost. */
    for (int i = 0; i < 5000 && atomic_load(&fd.drop_requests) > 0; i++)
        usleep(2000);
    cr_assert(eq(int, atomic_load(&fd.drop_requests), 0), "both requests reached the upstream");
    for (int k = 0; k < N; k++)
        replay_send(cl[k], 100 + (uint64_t)k);
    for (int k = 0; k < N; k++)
        cr_assert(eq(u64, replay_answer(cl[k], 3000), 100 + (uint64_t)k), "client %d", k);
    /* Envelopes are bounded: behind two proxies a client may put 13
     * identities of its own before INFO (16 at the feed), not 14 or 15 (a
     * proxy refuses, and the refusal still finds the client). */
    for (int hops = 13; hops <= 15; hops++) {
        const char *f[20];
        for (int i = 0; i < hops; i++)
            f[i] = "h";
        f[hops] = "", f[hops + 1] = "INFO", f[hops + 2] = NULL;
        frames_send(cl[4], f);
        zmq_pollitem_t pi = {cl[4], 0, ZMQ_POLLIN, 0};
        cr_assert(eq(int, zmq_poll(&pi, 1, 3000), 1), "%d hops: an answer", hops);
        zmq_msg_t part[32];
        int dropped, n = gt_bus_recv_parts(cl[4], part, 32, 0, &dropped);
        cr_assert(gt(int, n, hops + 1));
        const char *want = hops == 13 ? "OK" : "ERR";
        cr_assert(eq(int, memcmp(zmq_msg_data(&part[hops + 1]), want, strlen(want)), 0),
                  "%d hops: %s", hops, want);
        for (int i = 0; i < n; i++)
            zmq_msg_close(&part[i]);
    }
    /* A REQ client (its own delimiter) and an empty SNAPSHOT prefix (an empty
     * last frame that is no delimiter) pass the chain as well. */
    void *req = sock_new(ctx, ZMQ_REQ, c.router2, NULL, NULL, NULL);
    char err[GT_ERRLEN] = "";
    uint64_t first = 0, last = 0, as_of = 0;
    cr_assert(eq(int, gt_bus_info(req, 3000, &first, &last, err), GT_OK), "%s", err);
    cr_assert(eq(u64, last, (uint64_t)n_recs));
    long snap = 0;
    cr_assert(gt(long, gt_bus_snapshot(cl[3], "", 3000, count_cb, &snap, &as_of, err), 0), "%s",
              err);
    cr_assert(eq(u64, as_of, (uint64_t)n_recs));
    for (int k = 0; k < N; k++)
        zmq_close(cl[k]);
    zmq_close(req);
    zmq_ctx_term(ctx);
    cr_assert(eq(int, proxy_stop(c.p2), 0));
    cr_assert(eq(int, proxy_stop(c.p1), 0));
    feed_stop(&fd);
    dir_remove();
}

/* tickfeed's publisher (the real pub) serving in a thread. */
static volatile int pub_serving;
static void *pub_serve_main(void *arg)
{
    struct pub *p = arg;
    while (pub_serving)
        if (pub_serve(p, NULL, 4) == 0) {
            zmq_pollitem_t pi = {pub_router(p), 0, ZMQ_POLLIN, 0};
            zmq_poll(&pi, 1, 5);
        }
    return NULL;
}

Test(proxy, tickfeed_echoes_the_whole_envelope, .timeout = 30)
{
    dir_make();
    char jdir[128], pub_ep[128], rtr_ep[128], err[GT_ERRLEN] = "";
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    snprintf(pub_ep, sizeof pub_ep, "ipc://%s/pub", dir);
    snprintf(rtr_ep, sizeof rtr_ep, "ipc://%s/rtr", dir);
    void *zctx = zmq_ctx_new();
    struct pub *p;
    struct pub_opts o = {.journal_dir = jdir, .pub_endpoint = pub_ep, .router_endpoint = rtr_ep};
    cr_assert(eq(int, pub_open(&p, zctx, &o, err), GT_OK), "%s", err);
    for (int i = 0; i < 100; i++) {
        uint8_t rec[GT_TICK_LEN];
        struct gt_tick t = {.version = GT_TICK_VERSION, .kind = GT_KIND_TRADE, .instr_id = 7};
        t.u.trade.px = 2500000000 + i;
        t.u.trade.qty = 1;
        gt_tick_encode(&t, rec);
        cr_assert(eq(int, pub_emit(p, "trade.H100.H100Z6", 17, rec, 1), GT_OK));
    }
    cr_assert(eq(int, pub_flush(p), GT_OK));
    pthread_t th;
    pub_serving = 1;
    pthread_create(&th, NULL, pub_serve_main, p);
    void *ctx = zmq_ctx_new();
    /* Two identities and a delimiter in front (what proxies make): all echoed. */
    void *d = sock_new(ctx, ZMQ_DEALER, rtr_ep, NULL, NULL, NULL);
    frames_send(d, (const char *const[]){"hopA", "hopB", "", "INFO", NULL});
    zmq_pollitem_t pi = {d, 0, ZMQ_POLLIN, 0};
    cr_assert(eq(int, zmq_poll(&pi, 1, 3000), 1));
    zmq_msg_t part[32];
    int dropped, n = gt_bus_recv_parts(d, part, 32, 0, &dropped);
    cr_assert(eq(int, n, 5), "hopA, hopB, delimiter, OK, info");
    cr_assert(eq(int, memcmp(zmq_msg_data(&part[0]), "hopA", 4), 0));
    cr_assert(eq(int, memcmp(zmq_msg_data(&part[1]), "hopB", 4), 0));
    cr_assert(eq(sz, zmq_msg_size(&part[2]), 0));
    cr_assert(eq(int, memcmp(zmq_msg_data(&part[3]), "OK", 2), 0));
    cr_assert(eq(u64, ld_le64((const uint8_t *)zmq_msg_data(&part[4]) + 8), 100));
    for (int i = 0; i < n; i++)
        zmq_msg_close(&part[i]);
    /* 17 identities (with the server's own, 18): refused, still echoed. */
    const char *deep[22];
    for (int i = 0; i < 17; i++)
        deep[i] = "hop";
    deep[17] = "", deep[18] = "INFO", deep[19] = NULL;
    frames_send(d, deep);
    cr_assert(eq(int, zmq_poll(&pi, 1, 3000), 1));
    n = gt_bus_recv_parts(d, part, 32, 0, &dropped);
    cr_assert(eq(int, n, 21), "the envelope, ERR, code, text");
    cr_assert(eq(int, memcmp(zmq_msg_data(&part[18]), "ERR", 3), 0));
    for (int i = 0; i < n; i++)
        zmq_msg_close(&part[i]);
    /* A DEALER without a delimiter, asking a SNAPSHOT of prefix "" (an empty
     * last frame is the request's, not a delimiter). */
    uint64_t as_of = 0, first = 0, last = 0;
    long got = 0;
    cr_assert(ge(long, gt_bus_snapshot(d, "", 3000, count_cb, &got, &as_of, err), 0), "%s", err);
    cr_assert(eq(u64, as_of, 100));
    /* Behind two proxies: a DEALER replays everything, a REQ asks INFO. */
    char pub1[128], router1[128], pub2[128], router2[128];
    snprintf(pub1, sizeof pub1, "ipc://%s/p1", dir);
    snprintf(router1, sizeof router1, "ipc://%s/r1", dir);
    snprintf(pub2, sizeof pub2, "ipc://%s/p2", dir);
    snprintf(router2, sizeof router2, "ipc://%s/r2", dir);
    pid_t p1 = proxy_start("proxy1", "--sub-connect", pub_ep, "--req-connect", rtr_ep, "--pub-bind",
                           pub1, "--router-bind", router1, "--stats", "0", NULL);
    pid_t p2 = proxy_start("proxy2", "--sub-connect", pub1, "--req-connect", router1, "--pub-bind",
                           pub2, "--router-bind", router2, "--stats", "0", NULL);
    void *far = sock_new(ctx, ZMQ_DEALER, router2, NULL, NULL, NULL);
    void *req = sock_new(ctx, ZMQ_REQ, router2, NULL, NULL, NULL);
    got = 0;
    cr_assert(eq(long, gt_bus_replay(far, 1, UINT64_MAX, 5000, count_cb, &got, &last, err), 100),
              "%s", err);
    cr_assert(eq(int, gt_bus_info(req, 3000, &first, &last, err), GT_OK), "%s", err);
    cr_assert(eq(u64, last, 100));
    zmq_close(d);
    zmq_close(far);
    zmq_close(req);
    zmq_ctx_term(ctx);
    cr_assert(eq(int, proxy_stop(p2), 0));
    cr_assert(eq(int, proxy_stop(p1), 0));
    pub_serving = 0;
    pthread_join(th, NULL);
    pub_close(p);
    zmq_ctx_term(zctx);
    dir_remove();
}

Test(sec, every_program_that_binds_refuses_a_network_endpoint_unless_told, .timeout = 30)
{
    dir_make();
    char err[GT_ERRLEN];
    static const char *local[] = {"tcp://127.0.0.1:5560",
                                  "tcp://127.1.2.3:*",
                                  "tcp://localhost:5560",
                                  "tcp://[::1]:5560",
                                  "tcp://[::ffff:127.0.0.1]:5560",
                                  "ipc:///tmp/gt.ipc",
                                  "ipc://@gt-abstract",
                                  "inproc://gt"};
    static const char *remote[] = {"tcp://0.0.0.0:5560",
                                   "tcp://*:5560",
                                   "tcp://eth0:5560",
                                   "tcp://lo:5560",
                                   "tcp://127.example.com:5560",
                                   "tcp://128.0.0.1:5560",
                                   "tcp://10.1.2.3:5560",
                                   "tcp://[::]:5560",
                                   "tcp://[fe80::1]:5560",
                                   "tcp://127.0.0.1",
                                   "epgm://eth0;239.192.1.1:5560",
                                   "pgm://eth0;239.192.1.1:5560",
                                   "norm://eth0;239.192.1.1:5560",
                                   "udp://127.0.0.1:5560",
                                   "udp://*:5560",
                                   "tipc://{5560,0,0}",
                                   "vmci://1:5560",
                                   "ws://127.0.0.1:5560",
                                   "wss://127.0.0.1:5560",
                                   "",
                                   "5560"};
    for (size_t i = 0; i < sizeof local / sizeof local[0]; i++)
        cr_assert(eq(int, gt_sec_bind_check(local[i], 0, err), GT_OK), "%s: %s", local[i], err);
    for (size_t i = 0; i < sizeof remote / sizeof remote[0]; i++) {
        err[0] = 0;
        cr_assert(eq(int, gt_sec_bind_check(remote[i], 0, err), GT_EINVAL), "'%s' was allowed",
                  remote[i]);
        cr_assert(ne(ptr, strstr(err, "--bind-remote"), NULL), "%s", err);
        cr_assert(eq(int, gt_sec_bind_check(remote[i], 1, err), GT_OK));
    }
    /* The programs ask the same check. The endpoints are on loopback (ws, udp)
     * so that a program that failed to refuse would still reach no network. */
    char ws[64], udp[64], journal[128], ipc_a[128], ipc_b[128], tcp[64];
    snprintf(ws, sizeof ws, "ws://127.0.0.1:%d", free_port());
    snprintf(udp, sizeof udp, "udp://127.0.0.1:%d", free_port());
    snprintf(tcp, sizeof tcp, "tcp://0.0.0.0:%d", free_port());
    snprintf(journal, sizeof journal, "%s/journal", dir);
    snprintf(ipc_a, sizeof ipc_a, "ipc://%s/a", dir);
    snprintf(ipc_b, sizeof ipc_b, "ipc://%s/b", dir);
    struct {
        const char *rel, *a[8];
    } run[] = {
        {"tools/tickproxy/tickproxy", {"--pub-bind", ws, "--router-bind", ipc_b, "--stats", "0"}},
        {"tools/tickproxy/tickproxy", {"--router-bind", udp, "--pub-bind", ipc_a, "--stats", "0"}},
        {"tools/tickproxy/tickproxy", {"--pub-bind", tcp, "--router-bind", ipc_b, "--stats", "0"}},
        {"feedhandler/tickfeed",
         {"--pub", ws, "--router", ipc_b, "--pcap", "/nonexistent.pcap", "--journal", journal}},
        {"feedhandler/tickfeed",
         {"--router", udp, "--pub", ipc_a, "--pcap", "/nonexistent.pcap", "--journal", journal}}};
    for (size_t i = 0; i < sizeof run / sizeof run[0]; i++) {
        char name[16], log[256];
        const char *const *a = run[i].a;
        snprintf(name, sizeof name, "bind%zu", i);
        snprintf(log, sizeof log, "%s/%s.log", dir, name);
        pid_t pid =
            prog_start(run[i].rel, name, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], NULL);
        int rc = proc_wait(pid, 5000);
        cr_assert(ne(int, rc, 0), "%s %s %s was not refused", run[i].rel, a[0], a[1]);
        cr_assert(ne(ptr, strstr(slurp(log), "--bind-remote"), NULL), "%s %s: %s", run[i].rel, a[1],
                  slurp(log));
    }
    dir_remove();
}

/* ---- CURVE ---- */

/* Writes NAME.key and NAME.pub into dir (or the .pub into sub-folder pubdir). */
static void keys_make(const char *name, const char *pubdir)
{
    char pub[GT_SEC_Z85_LEN + 1], sec[GT_SEC_Z85_LEN + 1], k[256], p[256], err[GT_ERRLEN];
    cr_assert(eq(int, zmq_curve_keypair(pub, sec), 0), "libzmq without CURVE");
    snprintf(k, sizeof k, "%s/%s.key", dir, name);
    snprintf(p, sizeof p, "%s/%s%s.pub", dir, pubdir ? pubdir : "", name);
    cr_assert(eq(int, gt_sec_key_write(k, sec, 1, name, err), GT_OK), "%s", err);
    cr_assert(eq(int, gt_sec_key_write(p, pub, 0, name, err), GT_OK), "%s", err);
}

static const char *kpath(const char *file)
{
    static char buf[4][256];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", dir, file);
    return buf[i];
}

Test(curve, allowed_key_receives_unknown_or_no_key_gets_nothing_and_is_logged, .timeout = 30)
{
    dir_make();
    char allow[256];
    snprintf(allow, sizeof allow, "%s/allow", dir);
    mkdir(allow, 0700);
    keys_make("feed", NULL);
    keys_make("desk", "allow/");
    keys_make("stranger", NULL);
    struct feed fd;
    feed_start(&fd, kpath("feed.key"), allow);
    void *ctx = zmq_ctx_new();
    void *ok = sock_new(ctx, ZMQ_SUB, fd.pub_ep, "", kpath("desk.key"), kpath("feed.pub"));
    void *plain = sock_new(ctx, ZMQ_SUB, fd.pub_ep, "", NULL, NULL);
    void *stranger =
        sock_new(ctx, ZMQ_SUB, fd.pub_ep, "", kpath("stranger.key"), kpath("feed.pub"));
    cr_assert(feed_saw(&fd, "", 5000), "the allowed subscriber never got through");
    atomic_store(&fd.target, n_msgs);
    int bad = 0;
    cr_assert(eq(long, sub_drain(ok, 5000, n_recs, &bad, 0), n_recs));
    cr_assert(eq(int, bad, 0));
    cr_assert(eq(long, sub_drain(plain, 300, 1, &bad, 0), 0), "a client without a key got ticks");
    cr_assert(eq(long, sub_drain(stranger, 300, 1, &bad, 0), 0), "an unknown key got ticks");
    /* The replay endpoint answers the allowed key only. */
    void *dealer =
        sock_new(ctx, ZMQ_DEALER, fd.router_ep, NULL, kpath("desk.key"), kpath("feed.pub"));
    char err[GT_ERRLEN] = "";
    uint64_t first, last;
    cr_assert(eq(int, gt_bus_info(dealer, 3000, &first, &last, err), GT_OK), "%s", err);
    void *dealer2 =
        sock_new(ctx, ZMQ_DEALER, fd.router_ep, NULL, kpath("stranger.key"), kpath("feed.pub"));
    cr_assert(eq(int, gt_bus_info(dealer2, 300, &first, &last, err), GT_EZMQ));
    struct gt_zap_stats zs;
    gt_zap_stats_get(fd.zap, &zs);
    cr_assert(ge(u64, zs.allowed, 2));
    cr_assert(ge(u64, zs.denied, 2), "the unknown key was not counted");
    cr_assert(ge(u64, zs.handshake_failed, 1), "the client without CURVE was not counted");
    cr_assert(ge(int, atomic_load(&fd.denials), 3));
    char spub[GT_SEC_Z85_LEN + 1];
    cr_assert(eq(int, gt_sec_key_read(kpath("stranger.pub"), spub, err), GT_OK));
    int logged = 0;
    for (int i = 0; i < 100 && !logged; i++) {
        logged = strstr(fd.denial, "denied CURVE client key") != NULL;
        usleep(1000);
    }
    cr_assert(logged, "first denial logged: '%s'", fd.denial);
    void *socks[] = {ok, plain, stranger, dealer, dealer2};
    for (int i = 0; i < 5; i++)
        zmq_close(socks[i]);
    zmq_ctx_term(ctx);
    feed_stop(&fd);
    dir_remove();
}

Test(curve, key_files_are_checked)
{
    dir_make();
    char err[GT_ERRLEN], z85[GT_SEC_Z85_LEN + 1];
    keys_make("a", NULL);
    struct stat sb;
    cr_assert(eq(int, stat(kpath("a.key"), &sb), 0));
    cr_assert(eq(int, sb.st_mode & 0777, 0600), "a secret key is private");
    cr_assert(eq(int, gt_sec_key_read(kpath("a.pub"), z85, err), GT_OK));
    cr_assert(eq(int, gt_sec_key_write(kpath("a.pub"), z85, 0, "x", err), GT_EINVAL),
              "never overwrites");
    FILE *f = fopen(kpath("bad.pub"), "w");
    fputs("# not a key\nhello\n", f);
    fclose(f);
    cr_assert(eq(int, gt_sec_key_read(kpath("bad.pub"), z85, err), GT_EBADMSG));
    cr_assert(eq(int, gt_sec_key_read(kpath("none.pub"), z85, err), GT_EIO));
    void *ctx = zmq_ctx_new();
    gt_zap *z = NULL;
    cr_assert(eq(int, gt_zap_open(&z, ctx, kpath("bad.pub"), NULL, NULL, err), GT_EBADMSG));
    zmq_ctx_term(ctx);
    dir_remove();
}

/* ---- sharded recording ---- */

struct rec_thread {
    struct recorder *r;
    volatile sig_atomic_t stop;
    pthread_t thread;
    int rc;
};

static void *rec_main(void *arg)
{
    struct rec_thread *t = arg;
    char err[GT_ERRLEN];
    t->rc = recorder_run(t->r, &t->stop, 0, NULL, err);
    return NULL;
}

static void rec_start(struct rec_thread *t, struct feed *fd, const char *db, const char *filter)
{
    struct recorder_config c = {.db = db,
                                .pub_ep = fd->pub_ep,
                                .router_ep = fd->router_ep,
                                .flush_ms = 50,
                                .commit_ticks = 1000,
                                .timeout_ms = 3000,
                                .filter = filter};
    char err[GT_ERRLEN] = "";
    memset(t, 0, sizeof *t);
    cr_assert(eq(int, recorder_open(&t->r, &c, err), GT_OK), "%s", err);
    pthread_create(&t->thread, NULL, rec_main, t);
}

static void rec_stop(struct rec_thread *t)
{
    t->stop = 1;
    pthread_join(t->thread, NULL);
    cr_assert(eq(int, t->rc, GT_OK));
    recorder_close(t->r);
}

static char *out_s;

/* Runs a tickq command with its stdout captured into out_s. */
static int run(int (*cmd)(int, char **), ...)
{
    char *argv[32], opath[160];
    int argc = 0;
    va_list ap;
    va_start(ap, cmd);
    for (char *a; (a = va_arg(ap, char *)) && argc < 30;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    snprintf(opath, sizeof opath, "%s/out", dir);
    fflush(stdout);
    int so = dup(1), fo = open(opath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fo, 1);
    int rc = cmd(argc, argv);
    fflush(stdout);
    dup2(so, 1);
    close(so), close(fo);
    free(out_s);
    out_s = strdup(slurp(opath));
    return rc;
}

Test(shard, two_shards_answer_as_one_store, .timeout = 60)
{
    dir_make();
    char full[128], a[128], b[128], both[300];
    snprintf(full, sizeof full, "%s/full", dir);
    snprintf(a, sizeof a, "%s/h100", dir);
    snprintf(b, sizeof b, "%s/b200", dir);
    snprintf(both, sizeof both, "%s,%s", a, b);
    struct feed fd;
    feed_start(&fd, NULL, NULL);
    /* Half the journal exists before the recorders start (catch-up), the
     * rest arrives live, where the shards' holes are by design. */
    int half = n_msgs / 2;
    atomic_store(&fd.target, half);
    struct rec_thread rf, ra, rb;
    rec_start(&rf, &fd, full, NULL);
    rec_start(&ra, &fd, a,
              "trade.H100. book.H100. tob.H100. fixing.H100. stat.H100. status.H100. def.H100.");
    rec_start(&rb, &fd, b, "trade.B200. book.B200. tob.B200. fixing.B200. def.B200.");
    cr_assert(feed_saw(&fd, "def.B200.", 5000));
    atomic_store(&fd.target, n_msgs);
    uint64_t ta = 0, tb = 0, tf = 0;
    for (int i = 0; i < 1000; i++) {
        tf = ((volatile struct recorder_stats *)recorder_stats(rf.r))->ticks;
        ta = ((volatile struct recorder_stats *)recorder_stats(ra.r))->ticks;
        tb = ((volatile struct recorder_stats *)recorder_stats(rb.r))->ticks;
        if (tf == (uint64_t)n_recs && ta + tb == (uint64_t)n_recs)
            break;
        usleep(10000);
    }
    rec_stop(&rf);
    rec_stop(&ra);
    rec_stop(&rb);
    cr_assert(eq(u64, tf, (uint64_t)n_recs));
    cr_assert(eq(u64, ta, (uint64_t)journal_product("H100")));
    cr_assert(eq(u64, tb, (uint64_t)journal_product("B200")));
    cr_assert(eq(u64, ta + tb, (uint64_t)n_recs));
    /* The same questions to the whole store and to the two shards. */
    struct {
        int (*cmd)(int, char **);
        const char *args[6];
    } q[] = {{cmd_symbols, {"symbols"}},
             {cmd_ticks, {"ticks", "H100Z6"}},
             {cmd_ticks, {"ticks", "B200H7", "--kind", "trade"}},
             {cmd_bars, {"bars", "B200Z6", "--interval", "5m"}},
             {cmd_bars, {"bars", "H100H7", "--interval", "1h"}},
             {cmd_fixings, {"fixings", "SDB200RT"}},
             {cmd_curve, {"curve", "H100", "--at", "2026-11-24T10:30Z"}},
             {cmd_curve, {"curve", "B200", "--at", "2026-11-24T12:00Z"}},
             {cmd_book, {"book", "B200Z6", "--at", "2026-11-24T10:15Z"}}};
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        const char **g = q[i].args;
        int rc1 =
            run(q[i].cmd, g[0], "--format", "csv", "--db", full, g[1], g[2], g[3], g[4], NULL);
        char *one = strdup(out_s);
        int rc2 =
            run(q[i].cmd, g[0], "--format", "csv", "--db", both, g[1], g[2], g[3], g[4], NULL);
        cr_assert(eq(int, rc1, 0), "%s on the whole store failed", g[0]);
        cr_assert(eq(int, rc2, 0), "%s on the shards failed", g[0]);
        cr_assert(gt(sz, strlen(one), 40), "%s answered nothing: %s", g[0], one);
        cr_assert(eq(str, out_s, one), "tickq %s %s differs between the store and the shards", g[0],
                  g[1] ? g[1] : "");
        free(one);
    }
    /* Repeated --db is the same as a comma list. */
    cr_assert(eq(
        int, run(cmd_ticks, "ticks", "--format", "csv", "--db", a, "--db", b, "B200H7", NULL), 0));
    char *rep = strdup(out_s);
    run(cmd_ticks, "ticks", "--format", "csv", "--db", both, "B200H7", NULL);
    cr_assert(eq(str, rep, out_s));
    free(rep);
    feed_stop(&fd);
    dir_remove();
}

Test(shard, replay_filter_parses_and_matches)
{
    struct gt_bus_req req;
    char err[GT_ERRLEN];
    uint8_t range[16];
    st_le64(range, 1);
    st_le64(range + 8, 9);
    struct gt_frame f[3] = {{(const uint8_t *)"REPLAY", 6},
                            {range, 16},
                            {(const uint8_t *)"trade.H100. def.H100.", 21}};
    cr_assert(eq(int, gt_bus_req_parse(f, 3, &req, err), GT_OK), "%s", err);
    cr_assert(eq(str, req.filter, "trade.H100. def.H100."));
    cr_assert(gt_bus_filter_match(req.filter, "def.H100.H100Z6", 15));
    cr_assert(not(gt_bus_filter_match(req.filter, "def.H1000.X", 11)));
    cr_assert(not(gt_bus_filter_match(req.filter, "tob.H100.H100Z6", 15)));
    cr_assert(gt_bus_filter_match("", "tob.H100.H100Z6", 15));
    f[2] = (struct gt_frame){(const uint8_t *)"trade.  x", 9};
    cr_assert(eq(int, gt_bus_req_parse(f, 3, &req, err), GT_EBADMSG));
    f[2] = (struct gt_frame){(const uint8_t *)"trade. ", 7};
    cr_assert(eq(int, gt_bus_req_parse(f, 3, &req, err), GT_EBADMSG));
    f[2].len = 0;
    cr_assert(eq(int, gt_bus_req_parse(f, 3, &req, err), GT_EBADMSG));
    cr_assert(eq(int, gt_bus_req_parse(f, 2, &req, err), GT_OK));
    cr_assert(eq(str, req.filter, ""));
}
