/* SPDX-License-Identifier: MIT */
/* test_pub.c -- tickfeed's output on real ZeroMQ sockets and a real journal:
 * sequences without holes that continue across a restart, the live stream,
 * replay by range from the journal (in chunks, from the middle of a message),
 * a malformed request answered with ERR, INFO, and a subscriber that never
 * reads does not block the publisher (it loses what passed its high-water mark). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include <sched.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "book.h"
#include "gputick/bus.h"
#include "gputick/bytes.h"
#include "channels.h"
#include "mdp3.h"
#include "gputick/tick.h"
#include "pub.h"
#include "tmpfs.h"

static char dir[64], jdir[96], pub_ep[128], rtr_ep[128];
static void *zctx;

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/gtpub-test-XXXXXX");
    cr_assert(not(eq(ptr, mkdtemp(dir), NULL)));
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    snprintf(pub_ep, sizeof pub_ep, "ipc://%s/pub", dir);
    snprintf(rtr_ep, sizeof rtr_ep, "ipc://%s/router", dir);
    zctx = zmq_ctx_new();
}

static void teardown(void)
{
    zmq_ctx_term(zctx);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

TestSuite(pub, .init = setup, .fini = teardown, .timeout = 30);

static struct pub *open_pub(int hwm)
{
    struct pub *p;
    char err[GT_ERRLEN];
    struct pub_opts o = {
        .journal_dir = jdir, .pub_endpoint = pub_ep, .router_endpoint = rtr_ep, .sndhwm = hwm};
    cr_assert(eq(int, pub_open(&p, zctx, &o, err), GT_OK), "%s", err);
    return p;
}

/* Emits a message of n trades of instrument id. */
static void emit(struct pub *p, int id, size_t n)
{
    uint8_t recs[8 * GT_TICK_LEN];
    for (size_t i = 0; i < n; i++) {
        struct gt_tick t = {.version = GT_TICK_VERSION, .kind = GT_KIND_TRADE, .instr_id = id};
        t.u.trade.px = 2500000000 + (int64_t)i;
        t.u.trade.qty = 1;
        gt_tick_encode(&t, recs + i * GT_TICK_LEN);
    }
    cr_assert(eq(int, pub_emit(p, "trade.H100.H100Z6", 17, recs, n), GT_OK));
}

struct seen {
    uint64_t next; /* sequence expected */
    long n;
};

static int check_seq(void *ctx, const char *topic, size_t tl, const uint8_t *recs, size_t n)
{
    struct seen *s = ctx;
    cr_assert(eq(sz, tl, 17));
    cr_assert(eq(int, memcmp(topic, "trade.H100.H100Z6", 17), 0));
    for (size_t i = 0; i < n; i++) {
        uint64_t seq = ld_le64(recs + i * GT_TICK_LEN + 8);
        cr_assert(eq(u64, seq, s->next), "replayed in order without holes");
        s->next++;
    }
    s->n += (long)n;
    return 0;
}

/* Runs a client request while the publisher serves it. */
struct req_thread {
    void *dealer;
    struct pub *p;
};

static void *dealer_open(void)
{
    void *d = zmq_socket(zctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(d, ZMQ_LINGER, &linger, sizeof linger);
    cr_assert(eq(int, zmq_connect(d, rtr_ep), 0));
    return d;
}

/* The client helpers block, so the server runs in this thread between
 * polls: fork a child that serves for a while instead. */
#include <pthread.h>
static volatile int serving;
static void *serve_loop(void *arg)
{
    struct pub *p = arg;
    while (serving)
        if (pub_serve(p, NULL, 4) == 0) {
            zmq_pollitem_t pi = {pub_router(p), 0, ZMQ_POLLIN, 0};
            zmq_poll(&pi, 1, 5);
        }
    return NULL;
}

static pthread_t serve_start(struct pub *p)
{
    pthread_t t;
    serving = 1;
    pthread_create(&t, NULL, serve_loop, p);
    return t;
}

static void serve_stop(pthread_t t)
{
    serving = 0;
    pthread_join(t, NULL);
}

Test(pub, replay_serves_ranges_in_chunks_and_sequences_survive_a_restart)
{
    struct pub *p = open_pub(0);
    for (int i = 0; i < 3000; i++)
        emit(p, 1001, 3); /* 9000 records: more than two chunks */
    cr_assert(eq(int, pub_flush(p), GT_OK));
    cr_assert(eq(u64, pub_stats(p)->last_seq, 9000));
    pthread_t th = serve_start(p);
    void *d = dealer_open();
    char err[GT_ERRLEN];
    struct seen s = {.next = 1};
    uint64_t last = 0;
    long n = gt_bus_replay(d, 1, UINT64_MAX, 2000, check_seq, &s, &last, err);
    cr_assert(eq(long, n, 9000), "%s", err);
    cr_assert(eq(u64, last, 9000));
    /* From the middle of a message to the middle of another. */
    s = (struct seen){.next = 4001};
    n = gt_bus_replay(d, 4001, 4005, 2000, check_seq, &s, NULL, err);
    cr_assert(eq(long, n, 5), "%s", err);
    uint64_t first = 0;
    cr_assert(eq(int, gt_bus_info(d, 2000, &first, &last, err), GT_OK), "%s", err);
    cr_assert(eq(u64, first, 1));
    cr_assert(eq(u64, last, 9000));
    /* A malformed request: ERR with a reason, and the server goes on. */
    zmq_send(d, "REPLAY", 6, ZMQ_SNDMORE);
    zmq_send(d, "xx", 2, 0);
    char buf[256];
    int len = zmq_recv(d, buf, sizeof buf, 0);
    cr_assert(eq(int, len, 3));
    cr_assert(eq(int, memcmp(buf, "ERR", 3), 0));
    while (zmq_recv(d, buf, sizeof buf, ZMQ_DONTWAIT) >= 0) {
    }
    cr_assert(eq(int, gt_bus_info(d, 2000, &first, &last, err), GT_OK), "%s", err);
    serve_stop(th);
    cr_assert(ge(u64, pub_stats(p)->replays, 4), "REPLAY replies are counted");
    cr_assert(ge(u64, pub_stats(p)->replayed, 9005));
    zmq_close(d);
    cr_assert(eq(int, pub_close(p), GT_OK));
    /* A restart continues the sequence. */
    p = open_pub(0);
    emit(p, 1001, 2);
    cr_assert(eq(int, pub_flush(p), GT_OK));
    cr_assert(eq(u64, pub_stats(p)->last_seq, 9002));
    pub_close(p);
}

Test(pub, live_subscribers_see_every_message_and_a_stalled_one_blocks_nothing)
{
    struct pub *p = open_pub(5000);
    void *live = zmq_socket(zctx, ZMQ_SUB), *stalled = zmq_socket(zctx, ZMQ_SUB);
    int hwm = 10, linger = 0;
    zmq_setsockopt(stalled, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(live, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(stalled, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(live, ZMQ_SUBSCRIBE, "trade.", 6);
    zmq_setsockopt(stalled, ZMQ_SUBSCRIBE, "", 0);
    cr_assert(eq(int, zmq_connect(live, pub_ep), 0));
    cr_assert(eq(int, zmq_connect(stalled, pub_ep), 0));
    /* Wait until the live subscription has reached the publisher. */
    struct gt_bus_msg m;
    gt_bus_msg_init(&m);
    int got = 0;
    for (int i = 0; i < 400 && !got; i++) {
        emit(p, 1, 1);
        pub_flush(p);
        zmq_pollitem_t pi = {live, 0, ZMQ_POLLIN, 0};
        got = zmq_poll(&pi, 1, 5) > 0;
    }
    cr_assert(eq(int, got, 1), "subscription never arrived");
    while (gt_bus_recv(live, &m, ZMQ_DONTWAIT) > 0) {
    }
    uint64_t start = pub_stats(p)->last_seq + 1;
    /* 20000 messages; the live reader drains as it goes, the other never. */
    uint64_t next = start;
    long received = 0;
    for (int i = 0; i < 20000; i++) {
        emit(p, 2, 1);
        if (i % 50 != 49)
            continue;
        pub_flush(p);
        /* The live reader keeps up: it reads all that was sent so far. */
        for (int w = 0; w < 1000 && received < i + 1; w++) {
            zmq_pollitem_t pi = {live, 0, ZMQ_POLLIN, 0};
            zmq_poll(&pi, 1, 10);
            while (gt_bus_recv(live, &m, ZMQ_DONTWAIT) > 0) {
                uint64_t seq = ld_le64(gt_bus_msg_rec(&m, 0) + 8);
                if (seq < start)
                    continue;
                cr_assert(eq(u64, seq, next), "live reader missed nothing");
                next++;
                received++;
            }
        }
    }
    pub_flush(p);
    for (int i = 0; i < 2000 && received < 20000; i++) {
        zmq_pollitem_t pi = {live, 0, ZMQ_POLLIN, 0};
        zmq_poll(&pi, 1, 10);
        while (gt_bus_recv(live, &m, ZMQ_DONTWAIT) > 0) {
            uint64_t seq = ld_le64(gt_bus_msg_rec(&m, 0) + 8);
            if (seq >= start) {
                cr_assert(eq(u64, seq, next));
                next++;
                received++;
            }
        }
    }
    cr_assert(eq(long, received, 20000));
    /* The stalled one lost messages past its high-water marks (PUB drops
     * them silently; a reader finds the hole by sequence when it reads on).
     * What it did get is in order, each once. */
    long stalled_got = 0, disorder = 0;
    uint64_t prev = 0;
    while (gt_bus_recv(stalled, &m, ZMQ_DONTWAIT) > 0) {
        uint64_t seq = ld_le64(gt_bus_msg_rec(&m, 0) + 8);
        disorder += prev && seq <= prev;
        prev = seq;
        stalled_got++;
    }
    gt_bus_msg_close(&m);
    cr_assert(lt(long, stalled_got, 20000));
    cr_assert(gt(long, stalled_got, 0));
    cr_assert(eq(long, disorder, 0));
    zmq_close(live);
    zmq_close(stalled);
    pub_close(p);
}

/* ---- a full disk ---- */

/* In a child with a private 256 KiB tmpfs on the journal folder: publishing
 * stops when the disk fills (nothing reaches subscribers unwritten), messages
 * are held, and once space is freed every one is written and published in
 * order. Exits 0, 77 when no tmpfs can be mounted, else the failing step. */
static int disk_full_child(void)
{
    mkdir(jdir, 0755);
    if (tmpfs_private(jdir, "256k") != 0)
        return 77;
    char filler[128];
    snprintf(filler, sizeof filler, "%s/filler", jdir);
    FILE *f = fopen(filler, "w");
    static uint8_t junk[150 << 10];
    if (!f || fwrite(junk, 1, sizeof junk, f) != sizeof junk)
        return 1;
    fclose(f);
    zctx = zmq_ctx_new();
    struct pub *p;
    char err[GT_ERRLEN];
    struct pub_opts o = {.journal_dir = jdir, .pub_endpoint = pub_ep, .router_endpoint = ""};
    if (pub_open(&p, zctx, &o, err) != GT_OK)
        return 2;
    void *sub = zmq_socket(zctx, ZMQ_SUB);
    int linger = 0, hwm = 0;
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sub, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
    zmq_connect(sub, pub_ep);
    /* Until the subscription has reached the publisher: a message of one
     * record every 5 ms until one arrives (10 s at most). */
    int blocked = 0, emitted = 0, joined = 0;
    uint8_t recs[4 * GT_TICK_LEN] = {0};
    recs[0] = GT_TICK_VERSION, recs[1] = GT_KIND_TRADE;
    struct gt_bus_msg m;
    gt_bus_msg_init(&m);
    for (int i = 0; i < 2000 && !joined; i++, emitted++) {
        if (pub_emit(p, "trade.H100.H100Z6", 17, recs, 1) != GT_OK || pub_flush(p) != GT_OK)
            return 15;
        zmq_pollitem_t pi = {sub, 0, ZMQ_POLLIN, 0};
        joined = zmq_poll(&pi, 1, 5) > 0;
    }
    if (!joined)
        return 16;
    while (gt_bus_recv(sub, &m, ZMQ_DONTWAIT) > 0) {
    }
    uint64_t next = (uint64_t)emitted + 1; /* the first sequence the subscriber must see */
    /* Fill the disk. */
    for (int i = 0; i < 20000 && !blocked; i++) {
        for (int k = 0; k < 4; k++)
            recs[k * GT_TICK_LEN] = GT_TICK_VERSION, recs[k * GT_TICK_LEN + 1] = GT_KIND_TRADE;
        if (pub_emit(p, "trade.H100.H100Z6", 17, recs, 4) != GT_OK)
            return 3;
        emitted += 4;
        if (i % 16 == 15)
            blocked = pub_flush(p) == GT_ENOSPC;
    }
    if (!blocked || !pub_stats(p)->blocked)
        return 4;
    uint64_t published = pub_stats(p)->last_seq;
    for (int i = 0; i < 100; i++, emitted += 4) /* the feed goes on; these are held */
        if (pub_emit(p, "trade.H100.H100Z6", 17, recs, 4) != GT_OK)
            return 5;
    if (pub_flush(p) != GT_ENOSPC || pub_stats(p)->last_seq != published)
        return 6; /* nothing published that is not written */
    if (unlink(filler) != 0)
        return 7;
    if (pub_flush(p) != GT_OK || pub_stats(p)->last_seq != (uint64_t)emitted || pub_held(p))
        return 8;
    /* The subscriber got every sequence once, in order (20 s at most). */
    int n;
    for (int w = 0; w < 2000 && next <= (uint64_t)emitted; w++) {
        zmq_pollitem_t pi = {sub, 0, ZMQ_POLLIN, 0};
        zmq_poll(&pi, 1, 10);
        while ((n = gt_bus_recv(sub, &m, ZMQ_DONTWAIT)) > 0)
            for (int k = 0; k < n; k++)
                if (ld_le64(gt_bus_msg_rec(&m, (size_t)k) + 8) != next++)
                    return 9;
    }
    gt_bus_msg_close(&m);
    if (next != (uint64_t)emitted + 1)
        return 10;
    zmq_close(sub);
    if (pub_close(p) != GT_OK)
        return 11;
    /* And the journal holds them all. */
    struct journal_reader *r;
    struct journal_msg jm;
    if (journal_reader_open(&r, jdir, err) != GT_OK || journal_reader_seek(r, 1) != GT_OK)
        return 12;
    next = 1;
    while (journal_reader_next(r, &jm) == 1) {
        if (jm.first_seq != next)
            return 13;
        next += jm.n_records;
    }
    journal_reader_close(r);
    zmq_ctx_term(zctx);
    umount(jdir);
    return next == (uint64_t)emitted + 1 ? 0 : 14;
}

Test(pub, a_full_disk_holds_messages_and_a_freed_one_publishes_them_all)
{
    zmq_ctx_term(zctx); /* the child makes its own, after unshare */
    zctx = NULL;
    pid_t pid = fork();
    cr_assert(ge(int, pid, 0));
    if (pid == 0)
        _exit(disk_full_child());
    int status;
    waitpid(pid, &status, 0);
    zctx = zmq_ctx_new();
    cr_assert(eq(int, WIFEXITED(status), 1));
    if (WEXITSTATUS(status) == 77)
        cr_skip_test("cannot mount a private tmpfs here: full-disk test skipped");
    cr_assert(eq(int, WEXITSTATUS(status), 0), "failed at step %d", WEXITSTATUS(status));
}

/* ---- snapshots and open events ---- */

/* One MDIncrementalRefreshBook46 packet on line A: a New of qty at level 1 of
 * side, EndOfEvent or not. */
static void book_pkt(struct feed *f, uint32_t seq, uint32_t rpt, int side, int32_t qty, bool end)
{
    uint8_t buf[512];
    struct mdp3_enc e;
    uint64_t t = 1795000000ull * 1000000000ull + seq;
    mdp3_enc_init(&e, buf, sizeof buf, seq, t);
    struct mdp3_incr m = {.transact_time_ns = t, .mei = end ? MDP3_MEI_END_OF_EVENT : 0};
    struct mdp3_book46_entry en = {.px = side == GT_SIDE_BID ? 2500000000 : 2510000000,
                                   .size = qty,
                                   .security_id = 1001,
                                   .rpt_seq = rpt,
                                   .n_orders = 1,
                                   .price_level = 1,
                                   .update_action = MDP3_ACT_NEW,
                                   .entry_type = side == GT_SIDE_BID ? MDP3_ET_BID : MDP3_ET_OFFER,
                                   .tradeable_size = MDP3_I32_NULL};
    cr_assert(eq(int, mdp3_enc_book46(&e, &m, &en, 1, NULL, 0), GT_OK));
    cr_assert(eq(int, feed_packet(f, GT_FEED_INCR_A, buf, mdp3_enc_len(&e), (int64_t)t), GT_OK));
}

/* Applies the level records of a message to the book of their instrument. */
static void book_msg_apply(struct book_set *bs, const uint8_t *recs, size_t n, uint64_t after)
{
    for (size_t i = 0; i < n; i++) {
        struct gt_tick t;
        cr_assert(eq(int, gt_tick_decode(recs + i * GT_TICK_LEN, GT_TICK_LEN, &t), GT_OK));
        if (t.kind != GT_KIND_LEVEL || (after && t.seq <= after))
            continue;
        struct book_update u = {t.instr_id,         0,
                                t.u.level.px,       t.u.level.qty == INT64_MAX ? 0 : t.u.level.qty,
                                t.u.level.n_orders, t.u.level.level,
                                t.u.level.side,     t.u.level.action};
        cr_assert(ge(int, book_apply(book_set_get(bs, t.instr_id, true), &u), 0));
    }
}

/* Reads a SNAPSHOT reply: "OK", as_of, then topic/records pairs applied to bs.
 * Returns 1 with *as_of, 0 if no reply came within ms. */
static int snapshot_reply(void *d, int ms, uint64_t *as_of, struct book_set *bs)
{
    zmq_pollitem_t pi = {d, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&pi, 1, ms) <= 0)
        return 0;
    zmq_msg_t part[2 * GT_BUS_CHUNK + 4];
    int overflow;
    int n = gt_bus_recv_parts(d, part, 2 * GT_BUS_CHUNK + 4, 0, &overflow);
    cr_assert(ge(int, n, 2));
    cr_assert(eq(sz, zmq_msg_size(&part[0]), 2), "an OK reply");
    cr_assert(eq(int, memcmp(zmq_msg_data(&part[0]), "OK", 2), 0));
    *as_of = ld_le64(zmq_msg_data(&part[1]));
    for (int i = 3; i < n; i += 2)
        book_msg_apply(bs, zmq_msg_data(&part[i]), zmq_msg_size(&part[i]) / GT_TICK_LEN, 0);
    for (int i = 0; i < n; i++)
        zmq_msg_close(&part[i]);
    return 1;
}

/* The audit's case: an event split over two packets and a SNAPSHOT asked
 * between them. The books already hold the first half, which is published
 * only at the event's end: answered at once, the reply would carry that New
 * with an as_of before it, and the live record of it would be applied a
 * second time by the joiner. The request waits for the end of the event. */
Test(pub, a_snapshot_asked_in_the_middle_of_an_event_waits_for_its_end)
{
    struct pub *p = open_pub(0);
    struct feed *f;
    char err[GT_ERRLEN];
    struct feed_opts fo = {.emit = pub_emit, .ctx = p};
    cr_assert(eq(int, feed_open(&f, &fo, err), GT_OK), "%s", err);
    uint8_t buf[512];
    struct mdp3_enc e;
    struct mdp3_def54 def = {.security_id = 1001, .min_price_increment_px = 5000000};
    memcpy(def.symbol, "H100Z6", 6);
    memcpy(def.asset, "H100", 4);
    struct mdp3_def54_feed_type ft = {"GBX", 10};
    mdp3_enc_init(&e, buf, sizeof buf, 1, 1);
    cr_assert(eq(int, mdp3_enc_def54(&e, &def, NULL, 0, &ft, 1, NULL, 0, NULL, 0), GT_OK));
    feed_packet(f, GT_FEED_DEF_A, buf, mdp3_enc_len(&e), 1);
    book_pkt(f, 1, 1, GT_SIDE_BID, 5, false); /* the event's first half */
    cr_assert(eq(int, pub_flush(p), GT_OK));
    void *d = dealer_open();
    zmq_send(d, "SNAPSHOT", 8, 0);
    zmq_send(d, "INFO", 4, 0); /* behind it: answered after it, as clients expect */
    for (int i = 0; i < 400 && pub_stats(p)->requests == 0; i++) {
        pub_serve(p, f, 4);
        usleep(1000);
    }
    usleep(20000);
    pub_serve(p, f, 4);
    cr_assert(eq(u64, pub_stats(p)->requests, 1), "the SNAPSHOT reached the ROUTER, INFO waits");
    struct book_set bs;
    cr_assert(eq(int, book_set_init(&bs, 4), GT_OK));
    uint64_t as_of = 0;
    cr_assert(eq(int, snapshot_reply(d, 100, &as_of, &bs), 0), "no reply while the event is open");
    book_pkt(f, 2, 2, GT_SIDE_ASK, 7, true); /* its second half and EndOfEvent */
    pub_flush(p);
    pub_serve(p, f, 4);
    cr_assert(eq(int, snapshot_reply(d, 2000, &as_of, &bs), 1), "answered once the event ended");
    cr_assert(eq(u64, as_of, pub_stats(p)->last_seq), "as of everything published");
    char info[16];
    cr_assert(eq(int, zmq_recv(d, info, sizeof info, 0), 2), "then INFO's OK");
    cr_assert(eq(int, zmq_recv(d, info, sizeof info, 0), 16));
    cr_assert(eq(u64, ld_le64((uint8_t *)info + 8), as_of));
    /* The joiner's book: the snapshot, then every journaled record after as_of. */
    struct journal_reader *r;
    struct journal_msg m;
    cr_assert(eq(int, journal_reader_open(&r, jdir, err), GT_OK));
    cr_assert(eq(int, journal_reader_seek(r, 1), GT_OK));
    while (journal_reader_next(r, &m) == 1)
        book_msg_apply(&bs, m.records, m.n_records, as_of);
    journal_reader_close(r);
    int64_t bid[10][3], ask[10][3];
    cr_assert(eq(int, feed_book(f, 1001, bid, ask, 10, NULL), 10));
    struct book *jb = book_set_get(&bs, 1001, false);
    cr_assert(not(eq(ptr, jb, NULL)));
    for (int l = 0; l < 10; l++) {
        cr_assert(eq(i64, jb->bid[l].px, bid[l][0]), "bid level %d", l + 1);
        cr_assert(eq(i64, jb->bid[l].qty, bid[l][1]), "bid level %d", l + 1);
        cr_assert(eq(i64, jb->ask[l].px, ask[l][0]), "ask level %d", l + 1);
    }
    book_set_fini(&bs);
    zmq_close(d);
    feed_close(f);
    pub_close(p);
}

/* ---- fsync ---- */

static int64_t fake_now;
static int64_t fake_clock(void)
{
    return fake_now;
}

/* --fsync interval syncs at most once an interval; what was written just
 * before the feed went quiet must still be synced when the interval passes,
 * not wait for the next message. */
Test(pub, the_fsync_interval_syncs_what_was_written_even_when_the_feed_goes_quiet)
{
    fake_now = 1795000000LL * 1000000000LL;
    struct pub *p;
    char err[GT_ERRLEN];
    struct pub_opts o = {.journal_dir = jdir,
                         .pub_endpoint = pub_ep,
                         .router_endpoint = "",
                         .journal = {.fsync = JOURNAL_FSYNC_INTERVAL,
                                     .fsync_interval_ns = 1000000000,
                                     .clock_ns = fake_clock}};
    cr_assert(eq(int, pub_open(&p, zctx, &o, err), GT_OK), "%s", err);
    emit(p, 1001, 2);
    cr_assert(eq(int, pub_flush(p), GT_OK));
    uint64_t syncs = pub_stats(p)->syncs; /* the segment's start */
    emit(p, 1001, 2);
    fake_now += 500000000;
    cr_assert(eq(int, pub_flush(p), GT_OK));
    cr_assert(eq(u64, pub_stats(p)->syncs, syncs), "written, not yet due for a sync");
    fake_now += 1000000000; /* the interval passes; no message comes */
    cr_assert(eq(int, pub_flush(p), GT_OK));
    cr_assert(eq(u64, pub_stats(p)->syncs, syncs + 1), "synced while quiet");
    fake_now += 5000000000;
    cr_assert(eq(int, pub_flush(p), GT_OK));
    cr_assert(eq(u64, pub_stats(p)->syncs, syncs + 1), "nothing new: no sync");
    cr_assert(eq(int, pub_close(p), GT_OK));
}
