/* SPDX-License-Identifier: MIT */
/* test_journal.c -- the journal on real files in a mkdtemp folder: messages
 * read back by sequence, restarts continue the sequence, a torn tail cut at
 * every byte is dropped, segments rotate by size and by day, corruption is
 * reported with its file and offset, a writer killed with SIGKILL at random
 * instants leaves a CRC-valid prefix holding everything it flushed, a full
 * disk is survived (where a private tmpfs can be mounted), and a seek into a
 * large segment reads one stride of it, not all. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "gputick/bytes.h"
#include "gputick/tick.h"
#include "gputick/time.h"
#include "journal.h"
#include "tmpfs.h"

static char dir[64];
static char err[GT_ERRLEN];

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/gtj-test-XXXXXX");
    cr_assert(not(eq(ptr, mkdtemp(dir), NULL)));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

TestSuite(journal, .init = setup, .fini = teardown, .timeout = 60);

/* Tick records whose content follows from their sequence. */
static void make_records(uint8_t *out, uint64_t first_seq, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct gt_tick t = {.version = GT_TICK_VERSION, .kind = GT_KIND_TRADE, .instr_id = 7};
        t.seq = first_seq + i;
        t.exch_ns = (int64_t)t.seq * 1000;
        t.u.trade.px = (int64_t)t.seq * 7;
        t.u.trade.qty = 1;
        gt_tick_encode(&t, out + i * GT_TICK_LEN);
    }
}

static const char *topic_of(uint64_t seq)
{
    return seq % 2 ? "trade.H100.H100Z6" : "tob.B200.B200F7";
}

/* Appends one message of 1..3 records at the journal's next sequence. */
static int append_one(struct journal *j)
{
    uint64_t seq = journal_next_seq(j);
    size_t n = 1 + seq % 3;
    uint8_t rec[3 * GT_TICK_LEN];
    make_records(rec, seq, n);
    const char *topic = topic_of(seq);
    return journal_append(j, topic, strlen(topic), rec, n);
}

static struct journal *open_ok(const struct journal_opts *o)
{
    struct journal *j;
    int rc = journal_open(&j, dir, o, err);
    cr_assert(eq(int, rc, GT_OK), "journal_open: %s", err);
    return j;
}

/* Reads from from_seq to the end, checking every message; returns the next
 * sequence after the last message (from_seq if none). */
static uint64_t read_check(uint64_t from_seq, size_t *n_msgs)
{
    struct journal_reader *r;
    cr_assert(eq(int, journal_reader_open(&r, dir, err), GT_OK), "%s", err);
    cr_assert(eq(int, journal_reader_seek(r, from_seq), GT_OK), "%s", journal_reader_errmsg(r));
    struct journal_msg m;
    int rc;
    uint64_t next = 0;
    size_t n = 0;
    while ((rc = journal_reader_next(r, &m)) > 0) {
        if (n == 0) {
            cr_assert(le(u64, m.first_seq, from_seq), "starts at the message holding from_seq");
            cr_assert(gt(u64, m.first_seq + m.n_records, from_seq));
        } else {
            cr_assert(eq(u64, m.first_seq, next), "sequence hole");
        }
        cr_assert(eq(sz, m.n_records, 1 + m.first_seq % 3));
        cr_assert(eq(int, memcmp(m.topic, topic_of(m.first_seq), m.topic_len), 0));
        uint8_t want[3 * GT_TICK_LEN];
        make_records(want, m.first_seq, m.n_records);
        cr_assert(eq(int, memcmp(m.records, want, m.n_records * GT_TICK_LEN), 0));
        next = m.first_seq + m.n_records;
        n++;
    }
    cr_assert(eq(int, rc, 0), "reader: %s", journal_reader_errmsg(r));
    journal_reader_close(r);
    if (n_msgs)
        *n_msgs = n;
    return n ? next : from_seq;
}

static size_t count_segments(void)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -c '^j-.*\\.gtj$'", dir);
    FILE *f = popen(cmd, "r");
    size_t n = 0;
    cr_assert(eq(int, fscanf(f, "%zu", &n), 1));
    pclose(f);
    return n;
}

Test(journal, messages_read_back_by_sequence)
{
    struct journal *j = open_ok(NULL);
    cr_assert(eq(u64, journal_next_seq(j), 1));
    for (int i = 0; i < 300; i++) {
        cr_assert(eq(int, append_one(j), GT_OK));
        if (i % 64 == 63)
            cr_assert(eq(int, journal_flush(j), GT_OK));
    }
    uint64_t end = journal_next_seq(j);
    cr_assert(eq(int, journal_close(j), GT_OK));
    size_t n;
    cr_assert(eq(u64, read_check(1, &n), end));
    cr_assert(eq(sz, n, 300));
    cr_assert(eq(u64, read_check(end - 1, &n), end));
    cr_assert(eq(sz, n, 1));
    cr_assert(eq(u64, read_check(end, &n), end), "past the end: nothing");
    cr_assert(eq(sz, n, 0));
}

Test(journal, every_fsync_policy_writes_the_same_records)
{
    int policies[] = {JOURNAL_FSYNC_FLUSH, JOURNAL_FSYNC_INTERVAL, JOURNAL_FSYNC_NONE};
    for (int p = 0; p < 3; p++) {
        struct journal_opts o = {
            .fsync = policies[p], .fsync_interval_ns = 1000000, .max_segment_len = 2048};
        struct journal *j = open_ok(&o);
        for (int i = 0; i < 40; i++) {
            cr_assert(eq(int, append_one(j), GT_OK));
            if (i % 5 == 4)
                cr_assert(eq(int, journal_flush(j), GT_OK), "%s", journal_errmsg(j));
        }
        cr_assert(eq(int, journal_close(j), GT_OK));
    }
    size_t n;
    struct journal *j = open_ok(NULL);
    cr_assert(eq(u64, read_check(1, &n), journal_next_seq(j)));
    cr_assert(eq(sz, n, 120));
    journal_close(j);
}

Test(journal, append_refuses_a_sequence_that_does_not_continue)
{
    struct journal *j = open_ok(NULL);
    uint8_t rec[2 * GT_TICK_LEN];
    make_records(rec, 2, 1);
    cr_assert(eq(int, journal_append(j, "t", 1, rec, 1), GT_EINVAL), "must start at 1");
    make_records(rec, 1, 2);
    st_le64(rec + GT_TICK_LEN + 8, 3);
    cr_assert(eq(int, journal_append(j, "t", 1, rec, 2), GT_EINVAL), "records not consecutive");
    make_records(rec, 1, 1);
    cr_assert(eq(int, journal_append(j, "", 0, rec, 1), GT_EINVAL));
    cr_assert(eq(int, journal_append(j, "t", 1, rec, 0), GT_EINVAL));
    cr_assert(eq(u64, journal_next_seq(j), 1));
    journal_close(j);
}

Test(journal, reopen_continues_the_sequence)
{
    struct journal_opts o = {.first_seq = 1000};
    for (int round = 0; round < 3; round++) {
        struct journal *j = open_ok(&o);
        cr_assert(eq(u64, journal_tail_dropped(j), 0));
        for (int i = 0; i < 50; i++)
            cr_assert(eq(int, append_one(j), GT_OK));
        journal_close(j);
    }
    size_t n;
    struct journal *j = open_ok(&o);
    cr_assert(eq(u64, read_check(1000, &n), journal_next_seq(j)));
    cr_assert(eq(sz, n, 150));
    journal_close(j);
}

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert(not(eq(ptr, f, NULL)));
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(*len ? *len : 1);
    cr_assert(eq(sz, fread(p, 1, *len, f), *len));
    fclose(f);
    return p;
}

static void spit(const char *path, const uint8_t *p, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert(eq(sz, fwrite(p, 1, len, f), len));
    fclose(f);
}

Test(journal, torn_tail_cut_at_every_byte_is_dropped_and_sequence_continues)
{
    struct journal *j = open_ok(NULL);
    for (int i = 0; i < 20; i++)
        append_one(j);
    journal_flush(j);
    uint64_t last_first = journal_next_seq(j);
    append_one(j); /* the record that will be torn */
    uint64_t end = journal_next_seq(j);
    journal_close(j);
    char path[128];
    snprintf(path, sizeof path, "%s/j-%020d.gtj", dir, 1);
    size_t len;
    uint8_t *image = slurp(path, &len);
    size_t last_off = len - journal_record_len(strlen(topic_of(last_first)), end - last_first);
    for (size_t cut = last_off; cut < len; cut++) {
        spit(path, image, cut);
        j = open_ok(NULL);
        cr_assert(eq(u64, journal_tail_dropped(j), cut - last_off), "cut at %zu", cut);
        cr_assert(eq(u64, journal_next_seq(j), last_first), "cut at %zu", cut);
        cr_assert(eq(int, append_one(j), GT_OK));
        journal_close(j);
        struct stat st;
        stat(path, &st);
        cr_assert(eq(u64, (uint64_t)st.st_size, len), "the rewritten tail is whole again");
        cr_assert(eq(u64, read_check(1, NULL), end));
    }
    /* A segment cut inside its header holds no record: it is removed. */
    char torn[128];
    snprintf(torn, sizeof torn, "%s/j-%020llu.gtj", dir, (unsigned long long)end);
    uint8_t hdr[JOURNAL_HDR_LEN];
    journal_header_encode(hdr, end, 0);
    spit(torn, hdr, 10);
    j = open_ok(NULL);
    cr_assert(eq(u64, journal_tail_dropped(j), 10));
    cr_assert(eq(u64, journal_next_seq(j), end));
    cr_assert(eq(int, append_one(j), GT_OK));
    journal_close(j);
    cr_assert(eq(u64, read_check(1, NULL), end + 1 + end % 3));
    free(image);
}

Test(journal, rotation_by_size_and_reads_across_segments)
{
    struct journal_opts o = {.max_segment_len = 4096};
    struct journal *j = open_ok(&o);
    for (int i = 0; i < 600; i++) {
        cr_assert(eq(int, append_one(j), GT_OK));
        if (i % 7 == 0)
            journal_flush(j);
    }
    uint64_t end = journal_next_seq(j);
    journal_close(j);
    cr_assert(gt(sz, count_segments(), 10));
    size_t n;
    cr_assert(eq(u64, read_check(1, &n), end));
    cr_assert(eq(sz, n, 600));
    for (uint64_t from = 1; from < end; from += 37)
        cr_assert(eq(u64, read_check(from, NULL), end));
    /* Every segment stays within its limit (one record may start it past). */
    char cmd[200];
    snprintf(cmd, sizeof cmd, "find '%s' -name 'j-*.gtj' -size +4096c | wc -l", dir);
    FILE *f = popen(cmd, "r");
    int big = -1;
    cr_assert(eq(int, fscanf(f, "%d", &big), 1));
    pclose(f);
    cr_assert(eq(int, big, 0));
    /* Reopen continues in the last segment. */
    j = open_ok(&o);
    cr_assert(eq(u64, journal_next_seq(j), end));
    journal_close(j);
}

static int64_t fake_now;
static int64_t fake_clock(void)
{
    return fake_now;
}

Test(journal, rotation_by_utc_day)
{
    fake_now = gt_ns_of_ymd(20261124) + 23 * 3600 * GT_NS_PER_SEC;
    struct journal_opts o = {.clock_ns = fake_clock};
    struct journal *j = open_ok(&o);
    for (int i = 0; i < 10; i++)
        append_one(j);
    journal_flush(j);
    cr_assert(eq(sz, count_segments(), 1));
    fake_now += 2 * 3600 * GT_NS_PER_SEC; /* past midnight UTC */
    append_one(j);
    journal_flush(j); /* notices the day */
    append_one(j);    /* starts the new day's segment */
    journal_close(j);
    cr_assert(eq(sz, count_segments(), 2));
    j = open_ok(&o);
    cr_assert(eq(u64, read_check(1, NULL), journal_next_seq(j)));
    journal_close(j);
}

static void flip_byte(const char *path, long off)
{
    int fd = open(path, O_RDWR);
    uint8_t b;
    cr_assert(eq(long, (long)pread(fd, &b, 1, off), 1));
    b ^= 0x40;
    cr_assert(eq(long, (long)pwrite(fd, &b, 1, off), 1));
    close(fd);
}

Test(journal, corruption_is_reported_with_file_and_offset)
{
    struct journal_opts o = {.max_segment_len = 8192};
    struct journal *j = open_ok(&o);
    for (int i = 0; i < 200; i++)
        append_one(j);
    uint64_t end = journal_next_seq(j);
    journal_close(j);
    char path[128];
    snprintf(path, sizeof path, "%s/j-%020d.gtj", dir, 1);
    flip_byte(path, 1000); /* inside some record of the first segment */
    struct journal_reader *r;
    cr_assert(eq(int, journal_reader_open(&r, dir, err), GT_OK));
    cr_assert(eq(int, journal_reader_seek(r, 1), GT_OK));
    struct journal_msg m;
    int rc, n = 0;
    while ((rc = journal_reader_next(r, &m)) > 0 && n < 1000)
        n++;
    cr_assert(eq(int, rc, GT_ECORRUPT));
    cr_assert(not(eq(ptr, strstr(journal_reader_errmsg(r), "j-00000000000000000001.gtj"), NULL)),
              "%s", journal_reader_errmsg(r));
    cr_assert(not(eq(ptr, strstr(journal_reader_errmsg(r), "offset "), NULL)));
    cr_assert(eq(int, journal_reader_next(r, &m), GT_ECORRUPT), "stays at the bad record");
    /* A seek past the damage still reads the rest. */
    cr_assert(eq(int, journal_reader_seek(r, end - 1), GT_OK));
    cr_assert(eq(int, journal_reader_next(r, &m), 1));
    journal_reader_close(r);
    /* Older segments are not scanned on open: the writer continues. */
    j = open_ok(&o);
    cr_assert(eq(u64, journal_next_seq(j), end));
    journal_close(j);
    /* A damaged header of the last segment is refused, not silently rewritten. */
    char last[128];
    snprintf(last, sizeof last, "ls -1 '%s' | tail -1", dir);
    FILE *f = popen(last, "r");
    char name[64];
    cr_assert(eq(int, fscanf(f, "%63s", name), 1));
    pclose(f);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    flip_byte(path, 9);
    struct journal *bad;
    cr_assert(eq(int, journal_open(&bad, dir, &o, err), GT_ECORRUPT));
    cr_assert(not(eq(ptr, strstr(err, name), NULL)), "%s", err);
}

Test(journal, scan_buf_reads_a_segment_image_and_stops_at_damage)
{
    struct journal *j = open_ok(NULL);
    for (int i = 0; i < 30; i++)
        append_one(j);
    journal_close(j);
    char path[128];
    snprintf(path, sizeof path, "%s/j-%020d.gtj", dir, 1);
    size_t len, valid;
    uint8_t *p = slurp(path, &len);
    cr_assert(eq(int, journal_scan_buf(p, len, NULL, NULL, &valid), 30));
    cr_assert(eq(sz, valid, len));
    cr_assert(eq(int, journal_scan_buf(p, len - 1, NULL, NULL, &valid), 29));
    cr_assert(lt(sz, valid, len - 1));
    p[len - 10] ^= 1;
    cr_assert(eq(int, journal_scan_buf(p, len, NULL, NULL, &valid), 29));
    p[0] = 'X';
    cr_assert(eq(int, journal_scan_buf(p, len, NULL, NULL, &valid), GT_EBADMSG));
    free(p);
}

/* The child appends until killed, reporting each flushed sequence on a pipe. */
static void writer_child(int wfd)
{
    struct journal_opts o = {.max_segment_len = 1 << 20};
    struct journal *j;
    if (journal_open(&j, dir, &o, err) != GT_OK)
        _exit(3);
    for (int i = 0; i < 400000; i++) {
        if (append_one(j) != GT_OK)
            _exit(4);
        if (i % 16 == 15) {
            if (journal_flush(j) != GT_OK)
                _exit(5);
            uint64_t s = journal_next_seq(j);
            if (write(wfd, &s, sizeof s) != sizeof s)
                _exit(6);
        }
    }
    _exit(0);
}

Test(journal, writer_killed_at_random_instants_leaves_a_valid_prefix, .timeout = 120)
{
    srand(12345);
    uint64_t prev_end = 1;
    for (int cycle = 0; cycle < 12; cycle++) {
        int fds[2];
        cr_assert(eq(int, pipe(fds), 0));
        fcntl(fds[0], F_SETFL, O_NONBLOCK);
        pid_t pid = fork();
        cr_assert(ge(int, pid, 0));
        if (pid == 0) {
            close(fds[0]);
            writer_child(fds[1]);
        }
        close(fds[1]);
        uint64_t flushed = 0, s;
        struct timespec ts = {0, (1 + rand() % 15) * 1000000L};
        /* Drain while waiting, so the child never blocks on a full pipe. */
        for (int k = 0; k < 10; k++) {
            nanosleep(&(struct timespec){0, ts.tv_nsec / 10}, NULL);
            while (read(fds[0], &s, sizeof s) == sizeof s)
                flushed = s;
        }
        kill(pid, SIGKILL);
        int status;
        waitpid(pid, &status, 0);
        while (read(fds[0], &s, sizeof s) == sizeof s)
            flushed = s;
        close(fds[0]);
        bool killed = WIFSIGNALED(status);
        cr_assert(killed, "child exited by itself: %d", WEXITSTATUS(status));
        struct journal *j = open_ok(NULL);
        uint64_t next = journal_next_seq(j);
        journal_close(j);
        cr_assert(ge(u64, next, flushed), "cycle %d lost flushed data: %llu < %llu", cycle,
                  (unsigned long long)next, (unsigned long long)flushed);
        cr_assert(ge(u64, next, prev_end), "cycle %d went backwards", cycle);
        cr_assert(eq(u64, read_check(1, NULL), next), "cycle %d", cycle);
        prev_end = next;
    }
}

/* In a child (unshare needs a single-threaded process): mounts a private
 * 256 KiB tmpfs on dir, fills it behind the journal's back, and checks that the
 * journal says GT_ENOSPC, keeps what it had, and succeeds once space is freed.
 * Exits 0 on success, 77 if no tmpfs can be mounted, else the failing step. */
static int disk_full_child(void)
{
    if (tmpfs_private(dir, "256k") != 0)
        return 77;
    char filler[128];
    snprintf(filler, sizeof filler, "%s/filler", dir);
    int fd = open(filler, O_WRONLY | O_CREAT, 0644);
    static uint8_t junk[100 << 10];
    if (fd < 0 || write(fd, junk, sizeof junk) != (ssize_t)sizeof junk)
        return 1;
    close(fd);
    struct journal *j;
    if (journal_open(&j, dir, NULL, err) != GT_OK)
        return 2;
    int rc = GT_OK;
    for (int i = 0; i < 100000 && rc == GT_OK; i++) {
        rc = append_one(j);
        if (rc == GT_OK && i % 8 == 7)
            rc = journal_flush(j);
    }
    if (rc != GT_ENOSPC)
        return 3;
    if (journal_flush(j) != GT_ENOSPC)
        return 4; /* still full */
    if (unlink(filler) != 0)
        return 5;
    if (journal_flush(j) != GT_OK || append_one(j) != GT_OK)
        return 6;
    uint64_t end = journal_next_seq(j);
    if (journal_close(j) != GT_OK)
        return 7;
    /* Everything appended is there, whole and in sequence. */
    struct journal_reader *r;
    struct journal_msg m;
    uint64_t next = 1;
    if (journal_reader_open(&r, dir, err) != GT_OK || journal_reader_seek(r, 1) != GT_OK)
        return 8;
    while ((rc = journal_reader_next(r, &m)) > 0) {
        if (m.first_seq != next)
            return 9;
        next += m.n_records;
    }
    journal_reader_close(r);
    if (rc != 0 || next != end)
        return 10;
    umount(dir);
    return 0;
}

Test(journal, disk_full_returns_enospc_and_a_retry_succeeds)
{
    pid_t pid = fork();
    cr_assert(ge(int, pid, 0));
    if (pid == 0)
        _exit(disk_full_child());
    int status;
    waitpid(pid, &status, 0);
    bool exited = WIFEXITED(status);
    cr_assert(exited);
    if (WEXITSTATUS(status) == 77)
        cr_skip_test("cannot mount a private tmpfs here: full-disk test skipped");
    cr_assert(eq(int, WEXITSTATUS(status), 0), "failed at step %d", WEXITSTATUS(status));
}

/* Seeks to from_seq: lands on the message holding it, having read past at
 * most max messages. */
static void seek_check(struct journal_reader *r, uint64_t from_seq, size_t max)
{
    cr_assert(eq(int, journal_reader_seek(r, from_seq), GT_OK), "%s", journal_reader_errmsg(r));
    struct journal_msg m;
    cr_assert(eq(int, journal_reader_next(r, &m), 1), "seek %llu", (unsigned long long)from_seq);
    cr_assert(le(u64, m.first_seq, from_seq));
    cr_assert(gt(u64, m.first_seq + m.n_records, from_seq), "seek %llu",
              (unsigned long long)from_seq);
    uint8_t want[3 * GT_TICK_LEN];
    make_records(want, m.first_seq, m.n_records);
    cr_assert(eq(int, memcmp(m.records, want, m.n_records * GT_TICK_LEN), 0));
    cr_assert(le(sz, journal_reader_seek_reads(r), max), "seek %llu read past %zu messages",
              (unsigned long long)from_seq, journal_reader_seek_reads(r));
}

/* A REPLAY seeks on the feed's thread, so a seek must not read its segment
 * from the start: it starts at the indexed record nearest below and reads
 * at most one stride (64 KiB, ~400 messages here) past, whether it seeks by
 * the writer's index (the current segment and the one before), by the index
 * the reader built while reading, or by the one journal_open built. */
Test(journal, a_seek_reads_at_most_one_stride_of_a_large_segment)
{
    enum { STRIDE_MSGS = (64 << 10) / 100 + 2 }; /* messages are 138..266 bytes */
    struct journal_opts o = {.max_segment_len = 16 << 20};
    struct journal *j = open_ok(&o);
    while (journal_next_seq(j) < 300000)
        cr_assert(eq(int, append_one(j), GT_OK));
    cr_assert(eq(int, journal_flush(j), GT_OK));
    uint64_t last = journal_next_seq(j) - 1;
    struct journal_reader *r;
    cr_assert(eq(int, journal_reader_open(&r, dir, err), GT_OK), "%s", err);
    journal_reader_attach(r, j);
    uint64_t probes[] = {1, 2, 99999, 150001, last - 1, last, 180000, 3};
    for (size_t i = 0; i < sizeof probes / sizeof *probes; i++)
        seek_check(r, probes[i], STRIDE_MSGS);
    journal_reader_close(r);
    /* A reader of its own: its first seek into a segment reads up to there
     * once (indexing it), every later one a stride at most. */
    cr_assert(eq(int, journal_reader_open(&r, dir, err), GT_OK), "%s", err);
    seek_check(r, last, SIZE_MAX);
    for (size_t i = 0; i < sizeof probes / sizeof *probes; i++)
        if (probes[i] > 240000)
            seek_check(r, probes[i], STRIDE_MSGS);
    journal_reader_close(r);
    cr_assert(eq(int, journal_close(j), GT_OK));
    /* Reopened: journal_open's scan of the last segment indexed it. */
    j = open_ok(&o);
    cr_assert(eq(int, journal_reader_open(&r, dir, err), GT_OK), "%s", err);
    journal_reader_attach(r, j);
    seek_check(r, last - 5, STRIDE_MSGS);
    seek_check(r, 150001, SIZE_MAX); /* an older segment: indexed as it is read */
    seek_check(r, 150002, STRIDE_MSGS);
    journal_reader_close(r);
    cr_assert(eq(int, journal_close(j), GT_OK));
}
