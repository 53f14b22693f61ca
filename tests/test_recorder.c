/* SPDX-License-Identifier: MIT */
/* test_recorder.c -- tickstore (the recorder) against its failures, as the
 * programs run them:
 *
 *   - its store on a small private tmpfs that fills while ticksim and
 *     tickfeed go on: tickstore says so in one line (with --stats 0), keeps its
 *     checkpoint, and once the filesystem grows resumes on its own, although no
 *     live message comes any more, until every published tick is in the store
 *     exactly once (count and checksum against tickfeed's journal);
 *   - tickfeed's journal on a small tmpfs that fills: nothing is published
 *     unwritten, and once it grows every tick of the capture is journaled,
 *     published and recorded exactly once (against a journal of the same
 *     capture on a roomy disk);
 *   - tickstore --db on a folder that is not a store (tickfeed's journal) and
 *     --retain on a path without one: refused, and nothing written there;
 *   - a shard whose REPLAY replies come late: a late reply is never taken for
 *     the answer to a later request, and no record of its share is skipped.
 *
 * The tmpfs is mounted in a child's own user and mount namespaces
 * (tests/tmpfs.h), which holds it and grows it on request; the programs reach
 * it through /proc/CHILD/root, so they run as users run them. A machine that
 * allows no such namespace skips those tests with a message. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <zmq.h>
#include "e2e.h"
#include "gputick/bus.h"
#include "gputick/bytes.h"
#include "journal.h"
#include "recorder.h"
#include "tmpfs.h"

E2E_SUITE(recorder, "gtrec-test", 50000, 400, 180);

/* ---- a small filesystem that a child holds ---- */

struct holder {
    pid_t pid;
    int cmd, ack;   /* pipes to and from it */
    char root[256]; /* the tmpfs as this process reaches it */
};

/* The child: mounts the tmpfs, says 'y' (or 'n'), then grows it to 256 MiB
 * at each 'g' and answers 'y' or 'n', until the pipe closes. */
static void holder_child(const char *fsdir, const char *size, int cmd, int ack)
{
    alarm(600); /* bounded, whatever the test does */
    char ok = tmpfs_private(fsdir, size) == 0 ? 'y' : 'n';
    if (write(ack, &ok, 1) != 1 || ok != 'y')
        _exit(77);
    char c;
    while (read(cmd, &c, 1) == 1) {
        ok = mount("tmpfs", fsdir, "tmpfs", MS_REMOUNT, "size=256m") == 0 ? 'y' : 'n';
        if (write(ack, &ok, 1) != 1)
            break;
    }
    _exit(0);
}

/* Mounts a private tmpfs of size (e.g. "6m") on DIR/fs in a child; h->root
 * then names it. Returns 0, or -1 when this machine allows no such mount. */
static int holder_start(struct holder *h, const char *size, long bytes)
{
    char fsdir[128];
    snprintf(fsdir, sizeof fsdir, "%s/fs", dir);
    cr_assert(eq(int, mkdir(fsdir, 0700), 0));
    int to[2], from[2];
    cr_assert(eq(int, pipe(to), 0));
    cr_assert(eq(int, pipe(from), 0));
    h->pid = fork();
    cr_assert(ge(int, h->pid, 0));
    if (h->pid == 0) {
        close(to[1]);
        close(from[0]);
        holder_child(fsdir, size, to[0], from[1]);
    }
    close(to[0]);
    close(from[1]);
    h->cmd = to[1];
    h->ack = from[0];
    char ok = 'n';
    if (read(h->ack, &ok, 1) != 1 || ok != 'y') {
        waitpid(h->pid, NULL, 0);
        return -1;
    }
    snprintf(h->root, sizeof h->root, "/proc/%d/root%s", (int)h->pid, fsdir);
    struct statvfs fs;
    cr_assert(eq(int, statvfs(h->root, &fs), 0), "%s", h->root);
    cr_assert(eq(u64, (uint64_t)fs.f_blocks * fs.f_frsize, (uint64_t)bytes),
              "%s is the private tmpfs", h->root);
    return 0;
}

static void holder_grow(struct holder *h)
{
    char c = 'g', ok = 'n';
    cr_assert(eq(int, (int)write(h->cmd, &c, 1), 1));
    cr_assert(eq(int, (int)read(h->ack, &ok, 1), 1));
    cr_assert(eq(chr, ok, 'y'), "the tmpfs grew");
}

static void holder_stop(struct holder *h)
{
    close(h->cmd);
    close(h->ack);
    waitpid(h->pid, NULL, 0);
}

/* ---- tickstore on a full disk ---- */

Test(recorder, tickstore_on_a_full_disk_stops_says_so_and_resumes_alone_losing_nothing)
{
    struct holder h;
    if (holder_start(&h, "6m", 6 << 20) != 0)
        cr_skip_test("cannot mount a private tmpfs here: full-disk test skipped");
    char db[320], jdir[128], pub[128], rtr[128], pb[16];
    snprintf(db, sizeof db, "%s/db", h.root);
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    snprintf(rtr, sizeof rtr, "ipc://%s/rtr", dir);
    snprintf(pb, sizeof pb, "%d", port_base);
    /* --stats 0: the stop and resume lines come whatever the stats. */
    pid_t store = spawn("store/tickstore", "store.log", "--db", db, "--endpoint", pub, "--router",
                        rtr, "--flush-ms", "100", "--stats", "0", NULL);
    pid_t feed = spawn("feedhandler/tickfeed", "feed.log", "--port-base", pb, "--journal", jdir,
                       "--pub", pub, "--router", rtr, "--duration", "150", "--stats", "0",
                       "--reorder-ms", "300", NULL);
    feed_wait_joined("feed.log");
    pid_t sim = spawn("tools/ticksim/ticksim", "sim.log", "--port-base", pb, "--seed", "7",
                      "--duration", "3h", "--day-seconds", "120", "--quiet", NULL);
    int filled = log_wait("store.log", "writing stopped", 60000);
    cr_assert(eq(int, proc_wait(sim, 60000), 0), "ticksim");
    if (!filled)
        show_log("store.log");
    cr_assert(eq(int, filled, 1), "the disk filled");
    /* tickstore: disk full on DB (N bytes free): writing stopped, checkpoint
     * kept at seq S; retrying ... */
    const char *line = strstr(log_text("store.log"), "tickstore: disk full on ");
    cr_assert(not(eq(ptr, (void *)line, NULL)), "%s", log_text("store.log"));
    cr_assert(eq(int, strncmp(line + 24, db, strlen(db)), 0), "names the store: %s", line);
    cr_assert(not(eq(ptr, strstr(line, " bytes free): writing stopped"), NULL)), "%s", line);
    const char *kept = strstr(line, "checkpoint kept at seq ");
    cr_assert(not(eq(ptr, (void *)kept, NULL)), "%s", line);
    uint64_t s_kept = strtoull(kept + 23, NULL, 10), n, sum, cp;
    uint64_t last = feed_settled(rtr); /* the last live messages have come and gone */
    store_sum(db, &n, &sum, &cp);
    cr_assert(eq(u64, cp, s_kept), "the store's checkpoint is the one the message names");
    cr_assert(lt(u64, cp, last), "ticks were published after the disk filled");
    cr_assert(eq(int, waitpid(store, NULL, WNOHANG), 0), "tickstore waits, it does not exit");
    /* More room, and no live message any more: tickstore must go on alone. */
    holder_grow(&h);
    store_wait(db, last, 20000, &n, &sum);
    cr_assert(not(eq(ptr, strstr(log_text("store.log"), "tickstore: writing again on "), NULL)),
              "%s", log_text("store.log"));
    kill(feed, SIGTERM);
    cr_assert(eq(int, proc_wait(feed, 10000), 0), "tickfeed stopped cleanly");
    struct sums j = journal_sums(jdir, UINT64_MAX);
    kill(store, SIGTERM);
    int rc = proc_wait(store, 20000);
    if (rc != 0)
        show_log("store.log");
    cr_assert(eq(int, rc, 0), "tickstore stopped cleanly");
    fprintf(stderr, "full store disk: stopped at seq %llu of %llu; %llu ticks compared\n",
            (unsigned long long)s_kept, (unsigned long long)j.last, (unsigned long long)j.n);
    cr_assert(eq(u64, last, j.last));
    cr_assert(eq(u64, n, j.n), "every published tick recorded exactly once");
    cr_assert(eq(u64, sum, j.sum), "and the same ticks");
    holder_stop(&h);
}

/* ---- tickfeed's journal on a full disk ---- */

Test(recorder, tickfeed_on_a_full_journal_disk_publishes_nothing_unwritten_then_everything_once)
{
    char pcap[128], ref[128], jdir[320], pub[128], rtr[128], db[128];
    snprintf(pcap, sizeof pcap, "%s/day.pcap", dir);
    snprintf(ref, sizeof ref, "%s/ref-journal", dir);
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    snprintf(rtr, sizeof rtr, "ipc://%s/rtr", dir);
    snprintf(db, sizeof db, "%s/db", dir);
    pid_t sim = spawn("tools/ticksim/ticksim", "sim.log", "--no-send", "--pcap", pcap, "--seed",
                      "3", "--duration", "2h", "--quiet", NULL);
    cr_assert(eq(int, proc_wait(sim, 60000), 0), "ticksim");
    /* The same capture into a journal on a roomy disk: what must come out. */
    char refpub[160];
    snprintf(refpub, sizeof refpub, "ipc://%s/refpub", dir);
    pid_t feed = spawn("feedhandler/tickfeed", "ref.log", "--pcap", pcap, "--journal", ref, "--pub",
                       refpub, "--router", "", "--stats", "0", NULL);
    cr_assert(eq(int, proc_wait(feed, 60000), 0), "tickfeed --pcap");
    struct sums want = journal_sums(ref, UINT64_MAX);
    cr_assert(gt(u64, want.n, 50000), "a capture bigger than the disk");
    struct holder h;
    if (holder_start(&h, "1m", 1 << 20) != 0)
        cr_skip_test("cannot mount a private tmpfs here: full-disk test skipped");
    snprintf(jdir, sizeof jdir, "%s/journal", h.root);
    pid_t store = spawn("store/tickstore", "store.log", "--db", db, "--endpoint", pub, "--router",
                        rtr, "--flush-ms", "100", "--stats", "0", NULL);
    cr_assert(eq(int, log_wait("store.log", "tickstore: recording ", 30000), 1), "%s",
              log_text("store.log"));
    feed = spawn("feedhandler/tickfeed", "feed.log", "--pcap", pcap, "--journal", jdir, "--pub",
                 pub, "--router", rtr, "--linger", "120", "--stats", "0", NULL);
    int full = log_wait("feed.log", "publishing nothing until it can write again", 30000);
    if (!full)
        show_log("feed.log");
    cr_assert(eq(int, full, 1), "tickfeed says its journal is blocked");
    usleep(500000);
    cr_assert(eq(int, waitpid(feed, NULL, WNOHANG), 0), "tickfeed waits for its journal");
    /* Nothing was published that is not in the journal. */
    struct sums part = journal_sums(jdir, UINT64_MAX);
    uint64_t published = feed_last(rtr), n, sum, cp;
    cr_assert(lt(u64, part.last, want.last), "the disk filled before the capture's end");
    cr_assert(le(u64, published, part.last), "published only what is journaled");
    store_sum(db, &n, &sum, &cp);
    cr_assert(le(u64, cp, part.last), "recorded only what is journaled");
    holder_grow(&h);
    cr_assert(eq(int, log_wait("feed.log", "journal writes again", 30000), 1), "%s",
              log_text("feed.log"));
    store_wait(db, want.last, 60000, &n, &sum);
    kill(feed, SIGTERM);
    cr_assert(eq(int, proc_wait(feed, 10000), 0), "tickfeed stopped cleanly");
    struct sums got = journal_sums(jdir, UINT64_MAX);
    kill(store, SIGTERM);
    cr_assert(eq(int, proc_wait(store, 20000), 0), "tickstore stopped cleanly");
    fprintf(stderr,
            "full journal disk: blocked at seq %llu of %llu; journal and store hold all %llu "
            "ticks once\n",
            (unsigned long long)part.last, (unsigned long long)want.last,
            (unsigned long long)want.n);
    cr_assert(eq(u64, got.n, want.n), "the journal holds every tick of the capture once");
    cr_assert(eq(u64, got.sum, want.sum));
    cr_assert(eq(u64, got.last, want.last));
    cr_assert(eq(u64, n, want.n), "and so does the store");
    cr_assert(eq(u64, sum, want.sum));
    holder_stop(&h);
}

/* ---- the wrong folder ---- */

/* Number of entries in folder p (0 if it does not exist). */
static int folder_entries(const char *p)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "test ! -d '%s' || [ -z \"$(ls -A '%s')\" ]", p, p);
    return system(cmd) == 0 ? 0 : 1;
}

Test(recorder, tickstore_refuses_a_folder_that_is_not_a_store_and_retain_without_one)
{
    char jdir[128], pcap[128], pub[128], nope[128];
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    snprintf(pcap, sizeof pcap, "%s/day.pcap", dir);
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    snprintf(nope, sizeof nope, "%s/mistyped.db", dir);
    pid_t sim = spawn("tools/ticksim/ticksim", "sim.log", "--no-send", "--pcap", pcap, "--duration",
                      "10m", "--quiet", NULL);
    cr_assert(eq(int, proc_wait(sim, 60000), 0), "ticksim");
    pid_t feed = spawn("feedhandler/tickfeed", "feed.log", "--pcap", pcap, "--journal", jdir,
                       "--pub", pub, "--router", "", "--stats", "0", NULL);
    cr_assert(eq(int, proc_wait(feed, 60000), 0), "tickfeed --pcap");
    struct sums before = journal_sums(jdir, UINT64_MAX);
    cr_assert(gt(u64, before.n, 0));
    /* tickstore --db <tickfeed's journal>: refused, the journal untouched. */
    pid_t st = spawn("store/tickstore", "j.log", "--db", jdir, "--stats", "0", NULL);
    cr_assert(eq(int, proc_wait(st, 10000), 1), "%s", log_text("j.log"));
    char want[256];
    snprintf(want, sizeof want,
             "tickstore: %s is not a gputick store (it holds other files); give an empty or new "
             "folder",
             jdir);
    cr_assert(not(eq(ptr, strstr(log_text("j.log"), want), NULL)), "%s", log_text("j.log"));
    char cmd[300];
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -qv '^j-.*\\.gtj$'", jdir);
    cr_assert(not(eq(int, system(cmd), 0)), "nothing but journal segments in the journal");
    struct sums after = journal_sums(jdir, UINT64_MAX);
    cr_assert(eq(u64, after.sum, before.sum));
    /* --retain on a path without a store: an error, and no store made. */
    st = spawn("store/tickstore", "r.log", "--db", nope, "--retain", "90d", "--retain-only", NULL);
    cr_assert(eq(int, proc_wait(st, 10000), 1), "%s", log_text("r.log"));
    cr_assert(not(eq(ptr, strstr(log_text("r.log"), "no tick store at"), NULL)), "%s",
              log_text("r.log"));
    cr_assert(eq(int, folder_entries(nope), 0), "no store made at %s", nope);
    st = spawn("store/tickstore", "r2.log", "--db", nope, "--retain", "90d", NULL);
    cr_assert(eq(int, proc_wait(st, 10000), 1), "%s", log_text("r2.log"));
    cr_assert(eq(int, folder_entries(nope), 0), "no store made at %s", nope);
}

/* ---- a shard against a ROUTER that answers late ---- */

enum { LATE_N = 6000, LATE_PER_MSG = 3, LATE_SCAN = 300, LATE_AT = 3, LATE_MS = 700 };

/* A journal of LATE_N records in messages of 3, alternately of products A
 * and B, served by REPLAY with filters, LATE_SCAN records scanned a reply;
 * the LATE_AT-th request is answered LATE_MS late. */
struct late_server {
    void *ctx, *router;
    pthread_t thread;
    volatile int stop;
    int requests;
};

static const char *late_topic(uint64_t seq)
{
    return ((seq - 1) / LATE_PER_MSG) % 2 ? "trade.B.BZ6" : "trade.A.AZ6";
}

static void *late_serve(void *arg)
{
    struct late_server *sv = arg;
    static uint8_t recs[LATE_SCAN * GT_TICK_LEN];
    while (!sv->stop) {
        zmq_pollitem_t pi = {sv->router, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&pi, 1, 20) <= 0)
            continue;
        zmq_msg_t part[GT_BUS_MAX_FRAMES + 1];
        int dropped, n = gt_bus_recv_parts(sv->router, part, GT_BUS_MAX_FRAMES + 1, 0, &dropped);
        if (n < 2)
            continue;
        struct gt_frame f[GT_BUS_MAX_FRAMES + 1];
        for (int i = 0; i < n; i++)
            f[i] = (struct gt_frame){zmq_msg_data(&part[i]), zmq_msg_size(&part[i])};
        struct gt_bus_req req;
        char err[GT_ERRLEN];
        if (gt_bus_req_parse(f + 1, n - 1, &req, err) == GT_OK && req.cmd == GT_BUS_REPLAY) {
            if (++sv->requests == LATE_AT)
                usleep(LATE_MS * 1000);
            uint64_t s = req.from_seq, k = 0;
            zmq_send(sv->router, f[0].p, f[0].len, ZMQ_SNDMORE);
            zmq_send(sv->router, "OK", 2, ZMQ_SNDMORE);
            uint8_t hdr[24];
            /* First the records, so the header can say where the scan ended. */
            struct {
                const char *topic;
                size_t at, n;
            } msgs[LATE_SCAN];
            size_t n_msgs = 0;
            for (uint64_t end = s + LATE_SCAN; s < end && s <= LATE_N && s <= req.to_seq;) {
                uint64_t msg_end = ((s - 1) / LATE_PER_MSG + 1) * LATE_PER_MSG;
                uint64_t cnt = msg_end - s + 1;
                const char *topic = late_topic(s);
                if (gt_bus_filter_match(req.filter, topic, strlen(topic))) {
                    msgs[n_msgs].topic = topic;
                    msgs[n_msgs].at = k;
                    msgs[n_msgs++].n = cnt;
                    for (uint64_t j = 0; j < cnt; j++) {
                        struct gt_tick t = {.version = GT_TICK_VERSION,
                                            .kind = GT_KIND_TRADE,
                                            .instr_id = topic[6] == 'A' ? 1 : 2,
                                            .seq = s + j,
                                            .exch_ns = (int64_t)(s + j) * 1000};
                        t.u.trade.px = 2500000000;
                        t.u.trade.qty = 1;
                        gt_tick_encode(&t, recs + (k + j) * GT_TICK_LEN);
                    }
                    k += cnt;
                }
                s += cnt;
            }
            st_le64(hdr, req.from_seq);
            st_le64(hdr + 8, s);
            st_le64(hdr + 16, LATE_N);
            zmq_send(sv->router, hdr, 24, n_msgs ? ZMQ_SNDMORE : 0);
            for (size_t i = 0; i < n_msgs; i++) {
                zmq_send(sv->router, msgs[i].topic, strlen(msgs[i].topic), ZMQ_SNDMORE);
                zmq_send(sv->router, recs + msgs[i].at * GT_TICK_LEN, msgs[i].n * GT_TICK_LEN,
                         i + 1 < n_msgs ? ZMQ_SNDMORE : 0);
            }
        }
        for (int i = 0; i < n; i++)
            zmq_msg_close(&part[i]);
    }
    return NULL;
}

struct rec_run {
    struct recorder *r;
    volatile sig_atomic_t stop;
    int rc;
};

static void *rec_main(void *arg)
{
    struct rec_run *t = arg;
    char err[GT_ERRLEN];
    t->rc = recorder_run(t->r, &t->stop, 0, NULL, err);
    return NULL;
}

Test(recorder, a_shard_skips_nothing_when_a_replay_reply_comes_late, .timeout = 60)
{
    char pub[128], rtr[128], db[128];
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    snprintf(rtr, sizeof rtr, "ipc://%s/rtr", dir);
    snprintf(db, sizeof db, "%s/db", dir);
    struct late_server sv = {0};
    sv.ctx = zmq_ctx_new();
    sv.router = zmq_socket(sv.ctx, ZMQ_ROUTER);
    cr_assert(eq(int, zmq_bind(sv.router, rtr), 0));
    void *pubs = zmq_socket(sv.ctx, ZMQ_PUB); /* silent: the shard catches up by replay */
    cr_assert(eq(int, zmq_bind(pubs, pub), 0));
    pthread_create(&sv.thread, NULL, late_serve, &sv);
    struct recorder_config c = {.db = db,
                                .pub_ep = pub,
                                .router_ep = rtr,
                                .flush_ms = 50,
                                .commit_ticks = 1000,
                                .timeout_ms = LATE_MS / 3,
                                .filter = "trade.A."};
    struct rec_run t = {0};
    char err[GT_ERRLEN] = "";
    cr_assert(eq(int, recorder_open(&t.r, &c, err), GT_OK), "%s", err);
    pthread_t th;
    pthread_create(&th, NULL, rec_main, &t);
    /* Done when the shard's checkpoint covers the whole journal. */
    uint64_t n = 0, sum = 0, cp = 0;
    for (int i = 0; i < 100 && cp < LATE_N; i++) {
        usleep(100000);
        gt_store *st;
        if (gt_store_open(db, GT_STORE_READER, &st, err) == GT_OK) {
            cp = gt_store_checkpoint(st);
            gt_store_close(st);
        }
    }
    t.stop = 1;
    pthread_join(th, NULL);
    cr_assert(eq(int, t.rc, GT_OK));
    recorder_close(t.r);
    sv.stop = 1;
    pthread_join(sv.thread, NULL);
    zmq_close(pubs);
    zmq_close(sv.router);
    zmq_ctx_term(sv.ctx);
    cr_assert(ge(int, sv.requests, LATE_AT + 1), "the late reply was waited out and asked again");
    store_sum(db, &n, &sum, &cp);
    cr_assert(eq(u64, cp, LATE_N), "the shard covered the journal");
    cr_assert(eq(u64, n, LATE_N / 2), "every record of product A, once");
    /* Which ones: every A seq exactly once (their sum tells a skip from a dup). */
    gt_store *st;
    cr_assert(eq(int, gt_store_open(db, GT_STORE_READER, &st, err), GT_OK), "%s", err);
    gt_store_iter *it;
    cr_assert(eq(int, gt_store_iter_open(st, 1, GT_KIND_TRADE, INT64_MIN, INT64_MAX, &it), GT_OK));
    const struct gt_tick *tk;
    int k;
    uint64_t want = 1;
    while ((k = gt_store_iter_next(it, &tk)) > 0)
        for (int j = 0; j < k; j++) {
            cr_assert(eq(u64, tk[j].seq, want), "record %llu of A", (unsigned long long)want);
            want += (want % LATE_PER_MSG) ? 1 : LATE_PER_MSG + 1;
        }
    gt_store_iter_close(it);
    gt_store_close(st);
    cr_assert(gt(u64, want, LATE_N - LATE_PER_MSG), "up to the journal's end");
}
