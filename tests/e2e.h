/* SPDX-License-Identifier: MIT */
/* e2e.h -- the built programs as child processes, for the end-to-end tests.
 *
 * E2E_SUITE() declares a suite with its fixture: each test's folder in dir and
 * its ports from port_base. e2e_dir_make() makes the test's folder under /tmp
 * (e2e_dir_remove() removes it, unless GT_KEEP_TMP is set for a post-mortem). spawn() starts a
 * program of the build tree (proc.h) with its output in a log file in that folder and kills it at
 * e2e_dir_remove() if it still runs; proc_wait() waits a bounded time; show_log() and log_text()
 * read a log back, log_wait() waits for a line in it and feed_wait_joined() for tickfeed's groups
 * joined. rec_sum() and store_sum() give an order-independent count and checksum of records, to
 * compare a store with tickfeed's journal. Criterion forks per test, so the static state is the
 * test's own.
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
#include "journal.h"
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

/* The first of 16 ports for this process: base + (pid % span) * 16, so that
 * suites run side by side (ctest -j, other trees' runs) do not collide; 0
 * when span is 0 (a suite without ports). */
static inline int e2e_ports(int base, int span)
{
    return span > 0 ? base + (int)(getpid() % span) * 16 : 0;
}

/* Declares the Criterion suite `suite` (timeout secs) and its fixture: before
 * each test, dir holds its folder /tmp/PREFIX-XXXXXX and port_base the first
 * of its 16 ports (e2e_ports(base, span)); after it, what spawn() started is
 * killed and the folder removed (e2e_dir_remove). */
#define E2E_SUITE(suite, prefix, base, span, secs)                                                 \
    static char dir[64];                                                                           \
    __attribute__((unused)) static int port_base;                                                  \
    static void e2e_setup(void)                                                                    \
    {                                                                                              \
        e2e_dir_make(dir, sizeof dir, prefix);                                                     \
        port_base = e2e_ports(base, span);                                                         \
    }                                                                                              \
    TestSuite(suite, .init = e2e_setup, .fini = e2e_dir_remove, .timeout = secs)

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

/* What tickfeed published: count, checksum and last sequence of its journal's
 * records with seq <= upto (UINT64_MAX: all), checking the journal has no hole. */
struct sums {
    uint64_t n, sum, last;
};

static inline struct sums journal_sums(const char *jdir, uint64_t upto)
{
    struct sums s = {0, 0, 0};
    struct journal_reader *r;
    char err[GT_ERRLEN];
    cr_assert(eq(int, journal_reader_open(&r, jdir, err), GT_OK), "%s", err);
    cr_assert(eq(int, journal_reader_seek(r, 0), GT_OK));
    struct journal_msg m;
    int rc;
    while ((rc = journal_reader_next(r, &m)) == 1) {
        cr_assert(eq(u64, m.first_seq, s.last + 1), "bus sequence without holes");
        for (size_t i = 0; i < m.n_records && m.first_seq + i <= upto; i++) {
            s.sum += rec_sum(m.records + i * GT_TICK_LEN);
            s.n++;
        }
        s.last = m.first_seq + m.n_records - 1;
    }
    cr_assert(eq(int, rc, 0), "%s", journal_reader_errmsg(r));
    journal_reader_close(r);
    return s;
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

#ifdef GT_E2E_TRUTH
/* ---- ticksim's truth against tickfeed's journal ----------------------------
 *
 * For a suite that defines GT_E2E_TRUTH before including this file (and may
 * define MAX_INSTR and MAX_TRADES): truth_read() reads ticksim's truth file
 * (final books, trades, the entries lost on both lines), journal_read_truth()
 * replays tickfeed's journal into published books and trades and judges each
 * loss (its book stale between the last incremental tick before it and the
 * next one), and assert_matches_truth() / assert_losses_published() compare.
 * log_count() reads a figure of a program's last stats line. */
#include <string.h>
#include "book.h"
#include "journal.h"

#ifndef MAX_INSTR
#define MAX_INSTR 128 /* ticksim lists 48 months and 48 calendar spreads */
#endif
#ifndef MAX_TRADES
#define MAX_TRADES 200000
#endif

/* The number after "key " in the last line of a log that has it, or -1. */
static inline long log_count(const char *log, const char *key)
{
    char path[512], line[4096], k[64];
    snprintf(path, sizeof path, "%s/%s", e2e_dir, log);
    snprintf(k, sizeof k, " %s ", key);
    FILE *f = fopen(path, "r");
    cr_assert(not(eq(ptr, f, NULL)));
    long v = -1;
    while (fgets(line, sizeof line, f)) {
        const char *p = strstr(line, k);
        if (p)
            v = strtol(p + strlen(k), NULL, 10);
    }
    fclose(f);
    return v;
}

/* ---- the truth file ---- */

/* An entry of the exchange's that rode in a packet lost on both lines. */
struct lost {
    int32_t security_id;
    uint32_t seq; /* the packet's MsgSeqNum */
    int64_t t_ns; /* its event's TransactTime */
};

struct truth {
    struct book_set books;
    uint32_t rpt[MAX_INSTR];
    int32_t ids[MAX_INSTR];
    int n_books;
    uint64_t *trades; /* (security_id << 32 | trade_id) of trades not lost */
    size_t n_trades;
    struct lost *lost; /* trades, statuses and statistics lost, in time order */
    size_t n_lost;
};

static inline int64_t jnum(const char *s, const char *key)
{
    char k[64];
    snprintf(k, sizeof k, "\"%s\":", key);
    const char *p = strstr(s, k);
    cr_assert(not(eq(ptr, (void *)p, NULL)), "truth line lacks %s", key);
    return strtoll(p + strlen(k), NULL, 10);
}

static inline int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static inline void truth_read(struct truth *t, const char *path)
{
    memset(t, 0, sizeof *t);
    cr_assert(eq(int, book_set_init(&t->books, MAX_INSTR), GT_OK));
    t->trades = malloc(MAX_TRADES * sizeof *t->trades);
    t->lost = malloc(MAX_TRADES * sizeof *t->lost);
    FILE *f = fopen(path, "r");
    cr_assert(not(eq(ptr, f, NULL)), "no truth file %s", path);
    static char line[1 << 16];
    while (fgets(line, sizeof line, f)) {
        /* A spread's trades have a type of their own (docs/ticksim.md); they
         * count as the months' do. */
        bool spread_trade = strncmp(line, "{\"type\":\"spread_trade\"", 22) == 0;
        if (strncmp(line, "{\"type\":\"stat", 14) == 0 && strstr(line, "\"lost\":true")) {
            /* stat and status lines */
            cr_assert(lt(sz, t->n_lost, MAX_TRADES));
            t->lost[t->n_lost++] = (struct lost){(int32_t)jnum(line, "security_id"),
                                                 (uint32_t)jnum(line, "seq"), jnum(line, "t_ns")};
        } else if (spread_trade || strncmp(line, "{\"type\":\"trade\"", 15) == 0) {
            if (strstr(line, "\"lost\":true")) {
                cr_assert(lt(sz, t->n_lost, MAX_TRADES));
                t->lost[t->n_lost++] =
                    (struct lost){(int32_t)jnum(line, "security_id"), (uint32_t)jnum(line, "seq"),
                                  jnum(line, "t_ns")};
                continue;
            }
            cr_assert(lt(sz, t->n_trades, MAX_TRADES));
            t->trades[t->n_trades++] =
                (uint64_t)jnum(line, "security_id") << 32 | (uint32_t)jnum(line, "trade_id");
        } else if (strncmp(line, "{\"type\":\"book\"", 14) == 0) {
            int32_t id = (int32_t)jnum(line, "security_id");
            struct book *b = book_set_get(&t->books, id, true);
            t->ids[t->n_books] = id;
            t->rpt[t->n_books++] = (uint32_t)jnum(line, "rpt_seq");
            for (const char *p = strstr(line, "{\"side\""); p; p = strstr(p + 1, "{\"side\"")) {
                int bid = strncmp(p, "{\"side\":\"bid\"", 13) == 0;
                int lvl = (int)jnum(p, "level");
                cr_assert(ge(int, lvl, 1));
                cr_assert(le(int, lvl, 10));
                struct gt_mbp_level *l = bid ? &b->bid[lvl - 1] : &b->ask[lvl - 1];
                l->px = jnum(p, "px");
                l->qty = jnum(p, "qty");
            }
        }
    }
    fclose(f);
    qsort(t->trades, t->n_trades, sizeof *t->trades, cmp_u64);
}

static inline void truth_free(struct truth *t)
{
    book_set_fini(&t->books);
    free(t->trades);
    free(t->lost);
}

/* ---- what tickfeed published: its journal ---- */

struct seen {
    struct book_set books;
    uint64_t *trades;
    size_t n_trades;
    uint64_t n, last_seq, sum; /* records, last sequence, checksum */
    uint64_t n_h100, sum_h100; /* the same of product H100 (a shard's share) */
    uint64_t stale, recovered, resets;
    uint8_t stale_now[MAX_INSTR];
    int64_t stale_since[MAX_INSTR]; /* receive time of the stale status */
    uint64_t n_recoveries;          /* stale -> recovered periods, and their length */
    int64_t recovery_sum_ns, recovery_max_ns;
    /* The losses of the truth (NULL: not checked) and what was published of
     * them. Records are numbered in journal order; lost_before[k] is the last
     * incremental record before loss k's event. A book must be stale at some
     * point after it and before its next incremental record. */
    const struct lost *lost;
    size_t n_lost, next_arm, next_judge;
    uint64_t *lost_before;
    uint64_t idx, last_incr;                             /* this record, the last incremental one */
    uint64_t recovered_at[MAX_INSTR];                    /* the last RECOVERED or RESET */
    uint32_t stale_from[MAX_INSTR], stale_to[MAX_INSTR]; /* the last STALE's gap */
    uint8_t owed[MAX_INSTR];                             /* stale for a loss: a RECOVERED is owed */
    uint64_t lost_ok, lost_bad;
    char lost_msg[256];
    /* The market's clock in the journal: the latest exchange time of an
     * incremental tick; what it read at the last RECOVERED and at each book's
     * latest STALE, and the longest wait on it from a STALE to RECOVERED. */
    int64_t clock_ns, recovered_clock_ns;
    int64_t stale_clock_ns[MAX_INSTR], stale_max_clock_ns;
};

static inline void apply_record(struct seen *s, const uint8_t *r)
{
    struct gt_tick t;
    cr_assert(eq(int, gt_tick_decode(r, GT_TICK_LEN, &t), GT_OK));
    if (t.kind == GT_KIND_LEVEL && !(t.flags & (GT_F_IMPLIED | GT_F_CONSOLIDATED))) {
        struct book_update u = {t.instr_id,     t.u.level.rpt_seq,  t.u.level.px,
                                t.u.level.qty,  t.u.level.n_orders, t.u.level.level,
                                t.u.level.side, t.u.level.action};
        if (u.qty == INT64_MAX)
            u.qty = 0;
        cr_assert(ge(int, book_apply(book_set_get(&s->books, t.instr_id, true), &u), 0));
    } else if (t.kind == GT_KIND_TRADE) {
        cr_assert(lt(sz, s->n_trades, MAX_TRADES));
        s->trades[s->n_trades++] = (uint64_t)(uint32_t)t.instr_id << 32 | t.u.trade.trade_id;
    } else if (t.kind == GT_KIND_STATUS && t.instr_id > 0) {
        struct book *b = book_set_get(&s->books, t.instr_id, true);
        size_t i = (size_t)(b - s->books.books);
        if (t.u.status.feed == GT_FEED_STALE) {
            s->stale++;
            if (!s->stale_now[i])
                s->stale_since[i] = t.recv_ns;
            s->stale_clock_ns[i] = s->clock_ns;
            s->stale_now[i] = 1;
            s->stale_from[i] = t.u.status.gap_from;
            s->stale_to[i] = t.u.status.gap_to;
        } else if (t.u.status.feed == GT_FEED_RECOVERED || t.u.status.feed == GT_FEED_RESET) {
            s->owed[i] = 0;
            if (s->stale_now[i]) {
                s->recovered_clock_ns = s->clock_ns;
                if (s->clock_ns - s->stale_clock_ns[i] > s->stale_max_clock_ns)
                    s->stale_max_clock_ns = s->clock_ns - s->stale_clock_ns[i];
            }
            if (s->stale_now[i])
                s->recovered_at[i] = s->idx; /* the end of a stale period */
            s->recovered += t.u.status.feed == GT_FEED_RECOVERED;
            s->resets += t.u.status.feed == GT_FEED_RESET;
            if (s->stale_now[i] && !(t.flags & GT_F_SNAPSHOT)) {
                int64_t d = t.recv_ns - s->stale_since[i];
                s->n_recoveries++;
                s->recovery_sum_ns += d;
                if (d > s->recovery_max_ns)
                    s->recovery_max_ns = d;
            }
            s->stale_now[i] = 0;
        }
    }
}

/* Was loss k published: its book stale at some point between the last
 * incremental record before the loss and now (its next incremental record,
 * or the end), stale now (a RECOVERED then owed) or recovered since? */
static inline void lost_judge(struct seen *s, size_t k, const char *when)
{
    const struct lost *l = &s->lost[k];
    struct book *b = book_set_get(&s->books, l->security_id, true);
    cr_assert(not(eq(ptr, b, NULL)));
    size_t i = (size_t)(b - s->books.books);
    if (s->stale_now[i]) {
        s->owed[i] = 1;
    } else if (s->recovered_at[i] <= s->lost_before[k]) {
        if (!s->lost_bad++)
            snprintf(s->lost_msg, sizeof s->lost_msg,
                     "%d: packet %u (t %lld) lost on both lines, not stale from record %llu to "
                     "%s (last STALE named %u..%u, last RECOVERED at record %llu)",
                     l->security_id, l->seq, (long long)l->t_ns,
                     (unsigned long long)s->lost_before[k], when, s->stale_from[i], s->stale_to[i],
                     (unsigned long long)s->recovered_at[i]);
        return;
    }
    s->lost_ok++;
}

/* Before record r (number s->idx) is applied: a tick of the incremental
 * feed, not rebuilt by recovery, marks where the losses of the events before
 * it end (judged) and where those of its own event begin. */
static inline void lost_check(struct seen *s, const uint8_t *r)
{
    struct gt_tick t;
    if (gt_tick_decode(r, GT_TICK_LEN, &t) < 0)
        return;
    int incremental = t.kind == GT_KIND_TRADE || t.kind == GT_KIND_LEVEL || t.kind == GT_KIND_TOB ||
                      t.kind == GT_KIND_STAT;
    if (!incremental || (t.flags & (GT_F_RECOVERY | GT_F_SNAPSHOT)))
        return;
    if (t.exch_ns > s->clock_ns)
        s->clock_ns = t.exch_ns;
    for (; s->next_arm < s->n_lost && s->lost[s->next_arm].t_ns <= t.exch_ns; s->next_arm++)
        s->lost_before[s->next_arm] = s->last_incr;
    for (; s->next_judge < s->next_arm && s->lost[s->next_judge].t_ns < t.exch_ns; s->next_judge++)
        lost_judge(s, s->next_judge, "the next incremental tick");
    s->last_incr = s->idx;
}

static inline void journal_read_truth(struct seen *s, const char *jdir, const struct truth *tr)
{
    memset(s, 0, sizeof *s);
    if (tr) {
        s->lost = tr->lost;
        s->n_lost = tr->n_lost;
        s->lost_before = calloc(tr->n_lost + 1, sizeof *s->lost_before);
    }
    cr_assert(eq(int, book_set_init(&s->books, MAX_INSTR), GT_OK));
    s->trades = malloc(MAX_TRADES * sizeof *s->trades);
    struct journal_reader *r;
    char err[GT_ERRLEN];
    cr_assert(eq(int, journal_reader_open(&r, jdir, err), GT_OK), "%s", err);
    cr_assert(eq(int, journal_reader_seek(r, 0), GT_OK));
    struct journal_msg m;
    int rc;
    while ((rc = journal_reader_next(r, &m)) == 1) {
        cr_assert(eq(u64, m.first_seq, s->last_seq + 1), "bus sequence without holes");
        for (size_t i = 0; i < m.n_records; i++) {
            const uint8_t *rec = m.records + i * GT_TICK_LEN;
            s->idx++;
            lost_check(s, rec);
            apply_record(s, rec);
            s->sum += rec_sum(rec);
            if (memmem(m.topic, m.topic_len, ".H100.", 6))
                s->n_h100++, s->sum_h100 += rec_sum(rec);
        }
        s->n += m.n_records;
        s->last_seq = m.first_seq + m.n_records - 1;
    }
    cr_assert(eq(int, rc, 0), "%s", journal_reader_errmsg(r));
    journal_reader_close(r);
    qsort(s->trades, s->n_trades, sizeof *s->trades, cmp_u64);
    for (; s->next_arm < s->n_lost; s->next_arm++)
        s->lost_before[s->next_arm] = s->last_incr;
    for (; s->next_judge < s->n_lost; s->next_judge++)
        lost_judge(s, s->next_judge, "the end");
}

static inline void journal_read(struct seen *s, const char *jdir)
{
    journal_read_truth(s, jdir, NULL);
}

/* Every loss on both lines was published: STALE before the book's next tick,
 * RECOVERED after. */
static inline void assert_losses_published(const struct seen *s, const struct truth *t)
{
    cr_assert(eq(u64, s->lost_bad, 0), "%llu of %zu losses unpublished; first: %s",
              (unsigned long long)s->lost_bad, t->n_lost, s->lost_msg);
    cr_assert(eq(u64, s->lost_ok, (uint64_t)t->n_lost));
    for (int i = 0; i < MAX_INSTR; i++)
        cr_assert(eq(int, s->owed[i], 0), "book %d: stale for a loss, never RECOVERED",
                  s->books.books[i].security_id);
}

static inline void seen_free(struct seen *s)
{
    book_set_fini(&s->books);
    free(s->trades);
    free(s->lost_before);
}

/* Books as published == the exchange's final books; trades == those sent
 * (unless check_trades is 0: the kernel dropped datagrams, a loss the truth
 * cannot know of). */
static inline void assert_matches_truth_opt(const struct seen *s, const struct truth *t,
                                            int check_trades)
{
    cr_assert(gt(int, t->n_books, 40), "the truth has the market's books");
    for (int i = 0; i < t->n_books; i++) {
        const struct book *want = book_set_get((struct book_set *)&t->books, t->ids[i], false);
        const struct book *got = book_set_get((struct book_set *)&s->books, t->ids[i], false);
        cr_assert(not(eq(ptr, (void *)got, NULL)), "no book published for %d", t->ids[i]);
        cr_assert(eq(int, s->stale_now[got - s->books.books], 0), "%d left stale", t->ids[i]);
        for (int l = 0; l < GT_BOOK_DEPTH; l++) {
            cr_assert(eq(i64, got->bid[l].px, want->bid[l].px), "%d bid %d px", t->ids[i], l + 1);
            cr_assert(eq(i64, got->bid[l].qty, want->bid[l].qty), "%d bid %d qty", t->ids[i],
                      l + 1);
            cr_assert(eq(i64, got->ask[l].px, want->ask[l].px), "%d ask %d px", t->ids[i], l + 1);
            cr_assert(eq(i64, got->ask[l].qty, want->ask[l].qty), "%d ask %d qty", t->ids[i],
                      l + 1);
        }
    }
    if (!check_trades)
        return;
    if (s->n_trades != t->n_trades)
        for (size_t i = 0, j = 0; i < s->n_trades || j < t->n_trades;) {
            if (j >= t->n_trades || (i < s->n_trades && s->trades[i] < t->trades[j]))
                fprintf(stderr, "extra trade %llx\n", (unsigned long long)s->trades[i++]);
            else if (i >= s->n_trades || s->trades[i] > t->trades[j])
                fprintf(stderr, "missing trade %llx\n", (unsigned long long)t->trades[j++]);
            else
                i++, j++;
        }
    cr_assert(eq(sz, s->n_trades, t->n_trades), "every trade that reached a line, once");
    for (size_t i = 0; i < t->n_trades; i++)
        cr_assert(eq(u64, s->trades[i], t->trades[i]), "trade %zu", i);
}

static inline void assert_matches_truth(const struct seen *s, const struct truth *t)
{
    assert_matches_truth_opt(s, t, 1);
}
#endif /* GT_E2E_TRUTH */

/* Polls the store until its checkpoint is want (at most ms). */
static inline void store_wait(const char *db, uint64_t want, int ms, uint64_t *n, uint64_t *sum)
{
    uint64_t cp = 0;
    for (int i = 0; i < ms / 200; i++) {
        store_sum(db, n, sum, &cp);
        if (cp == want)
            return;
        usleep(200000);
    }
    cr_assert(eq(u64, cp, want), "the store caught up to the last published tick");
}

#endif
