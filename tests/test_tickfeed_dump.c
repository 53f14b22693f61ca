/* SPDX-License-Identifier: MIT */
/* test_tickfeed_dump.c -- `tickfeed --pcap FILE --dump` as a user runs it.
 *
 * A capture is written with the encoder and pcap_writer into a mkdtemp folder,
 * and the real tickfeed binary (GT_BINARY_DIR) dumps it: exit 0 and the key
 * fields on stdout, as text ending with its summary line or, with --json, as
 * one JSON object a line. A capture cut inside a record, a packet whose MsgSize runs
 * past its datagram, and a missing file each exit 1 with one stderr line that
 * names the file. A ticksim capture rewritten as pcapng (tests/pcapng.h) dumps
 * the same messages as the pcap it came from; random bytes and an empty file are
 * not captures: exit 2 with one line naming the formats read. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gputick/bytes.h"
#include "gputick/err.h"
#include "mdp3.h"
#include "pcap.h"
#include "pcapng.h"

enum { OUT_CAP = 1 << 16 };

/* Runs tickfeed with args; stdout into out, stderr into errout; returns the exit status. */
static int run_tickfeed(const char *args, char *out, char *errout)
{
    const char *bin = getenv("GT_BINARY_DIR");
    if (!bin)
        cr_skip_test("GT_BINARY_DIR is not set (run under ctest)");
    char dir[] = "/tmp/gt_dump_run_XXXXXX";
    cr_assert(ne(ptr, (void *)mkdtemp(dir), NULL));
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "%s/feedhandler/tickfeed %s 2>%s/err", bin, args, dir);
    FILE *p = popen(cmd, "r");
    cr_assert(ne(ptr, (void *)p, NULL));
    size_t n = fread(out, 1, OUT_CAP - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    char path[64];
    snprintf(path, sizeof path, "%s/err", dir);
    FILE *f = fopen(path, "r");
    cr_assert(ne(ptr, (void *)f, NULL));
    n = fread(errout, 1, OUT_CAP - 1, f);
    errout[n] = '\0';
    fclose(f);
    unlink(path);
    rmdir(dir);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* One packet: a Book46 of two entries and a TradeSummary48. */
static size_t make_packet(uint8_t *buf, size_t cap)
{
    struct mdp3_enc e;
    cr_assert(eq(int, mdp3_enc_init(&e, buf, cap, 4242, 1764000000000000001ull), GT_OK));
    struct mdp3_incr m = {.transact_time_ns = 1764000000000000000ull,
                          .mei = MDP3_MEI_END_OF_EVENT | MDP3_MEI_LAST_QUOTE};
    struct mdp3_book46_entry be[2] = {
        {2750000000, 10, 777001, 7, 3, 1, MDP3_ACT_NEW, MDP3_ET_BID, MDP3_I32_NULL},
        {2812500000, 4, 777001, 8, 1, 1, MDP3_ACT_CHANGE, MDP3_ET_OFFER, MDP3_I32_NULL}};
    cr_assert(eq(int, mdp3_enc_book46(&e, &m, be, 2, NULL, 0), GT_OK));
    struct mdp3_trade48_entry te = {2800000000, 2, 777001, 9, 2, 1, MDP3_ACT_NEW, 31337};
    cr_assert(eq(int, mdp3_enc_trade48(&e, &m, &te, 1, NULL, 0), GT_OK));
    return mdp3_enc_len(&e);
}

/* Writes a one-packet capture at path. */
static void write_capture(const char *path, const uint8_t *p, size_t len)
{
    struct pcap_writer w;
    char err[GT_ERRLEN];
    cr_assert(eq(int, pcap_writer_open(&w, path, err), GT_OK), "%s", err);
    cr_assert(
        eq(int,
           pcap_writer_write(&w, 1764000000000000002, 0x7F000001, 40000, 0xE0001F01, 14310, p, len),
           GT_OK));
    cr_assert(eq(int, pcap_writer_close(&w), GT_OK));
}

static char out[OUT_CAP], errout[OUT_CAP];

static void expect_in(const char *text, const char *want)
{
    cr_expect_not_null(strstr(text, want), "missing \"%s\" in:\n%s", want, text);
}

Test(tickfeed_dump, prints_every_message_of_a_good_capture_and_exits_0, .timeout = 20)
{
    char dir[] = "/tmp/gt_dump_XXXXXX", path[64], args[256];
    cr_assert(ne(ptr, (void *)mkdtemp(dir), NULL));
    snprintf(path, sizeof path, "%s/good.pcap", dir);
    uint8_t pkt[512];
    write_capture(path, pkt, make_packet(pkt, sizeof pkt));
    snprintf(args, sizeof args, "--pcap %s --dump", path);
    cr_assert(eq(int, run_tickfeed(args, out, errout), 0), "stderr: %s", errout);
    expect_in(out, "dst=224.0.31.1:14310");
    expect_in(out, "seq=4242");
    expect_in(out, "MDIncrementalRefreshBook46");
    expect_in(out, "MDIncrementalRefreshTradeSummary48");
    expect_in(out, "2.8125"); /* exact decimal price */
    expect_in(out, "777001");
    expect_in(out, "31337");
    cr_expect(eq(str, errout, ""));
    unlink(path);
    rmdir(dir);
}

Test(tickfeed_dump, json_prints_one_object_a_message_and_the_summary, .timeout = 20)
{
    char dir[] = "/tmp/gt_dump_XXXXXX", path[64], args[256];
    cr_assert(ne(ptr, (void *)mkdtemp(dir), NULL));
    snprintf(path, sizeof path, "%s/good.pcap", dir);
    uint8_t pkt[512];
    write_capture(path, pkt, make_packet(pkt, sizeof pkt));
    snprintf(args, sizeof args, "--pcap %s --dump --json", path);
    cr_assert(eq(int, run_tickfeed(args, out, errout), 0), "stderr: %s", errout);
    int lines = 0;
    for (const char *l = out; *l; lines++) {
        const char *nl = strchr(l, '\n');
        cr_assert_not_null(nl, "an unterminated line in:\n%s", out);
        cr_assert(l[0] == '{' && nl[-1] == '}', "line %d is not one object:\n%s", lines, out);
        l = nl + 1;
    }
    cr_expect(eq(int, lines, 3), "two messages and the summary:\n%s", out);
    expect_in(out, "\"dst\":\"224.0.31.1:14310\"");
    expect_in(out, "\"seq\":4242");
    expect_in(out, "\"message\":\"MDIncrementalRefreshBook46\"");
    expect_in(out, "\"NoMDEntries\":[{\"px\":2.75,");
    expect_in(out, "\"trade_entry_id\":31337");
    expect_in(out, "{\"summary\":{");
    /* The text dump ends with its summary line; --json alone is bad usage. */
    snprintf(args, sizeof args, "--pcap %s --dump", path);
    cr_assert(eq(int, run_tickfeed(args, out, errout), 0), "stderr: %s", errout);
    expect_in(out, "\nsummary packets=1 messages=2 unknown=0 ");
    expect_in(out, " templates=46:1,48:1\n");
    snprintf(args, sizeof args, "--pcap %s --json", path);
    cr_assert(eq(int, run_tickfeed(args, out, errout), 2));
    expect_in(errout, "--json needs");
    unlink(path);
    rmdir(dir);
}

Test(tickfeed_dump, a_bad_capture_exits_1_with_a_message_naming_the_file, .timeout = 20)
{
    char dir[] = "/tmp/gt_dump_XXXXXX", path[64], args[256];
    cr_assert(ne(ptr, (void *)mkdtemp(dir), NULL));
    uint8_t pkt[512];
    size_t len = make_packet(pkt, sizeof pkt);

    /* A capture cut inside its record. */
    snprintf(path, sizeof path, "%s/cut.pcap", dir);
    write_capture(path, pkt, len);
    cr_assert(eq(int, truncate(path, PCAP_FILE_HDR_LEN + PCAP_REC_HDR_LEN + 20), 0));
    snprintf(args, sizeof args, "--pcap %s --dump", path);
    cr_assert(eq(int, run_tickfeed(args, out, errout), 1));
    expect_in(errout, "tickfeed: ");
    expect_in(errout, path);
    unlink(path);

    /* A packet whose first MsgSize runs past the datagram. */
    snprintf(path, sizeof path, "%s/badmsg.pcap", dir);
    st_le16(pkt + MDP3_PKT_HDR_LEN, 4000);
    write_capture(path, pkt, len);
    snprintf(args, sizeof args, "--pcap %s --dump", path);
    cr_assert(eq(int, run_tickfeed(args, out, errout), 1));
    expect_in(errout, path);
    expect_in(errout, "did not decode");
    unlink(path);

    /* No such file. */
    snprintf(path, sizeof path, "%s/absent.pcap", dir);
    snprintf(args, sizeof args, "--pcap %s --dump", path);
    cr_assert(eq(int, run_tickfeed(args, out, errout), 1));
    expect_in(errout, path);
    rmdir(dir);
}

/* Reads a whole file into a malloc'd buffer; *len its size. */
static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    cr_assert(eq(int, fseek(f, 0, SEEK_END), 0));
    long n = ftell(f);
    cr_assert(gt(long, n, 0));
    rewind(f);
    uint8_t *p = malloc((size_t)n);
    cr_assert(eq(sz, fread(p, 1, (size_t)n, f), (size_t)n));
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* Keeps, in place, the dump's lines but those naming the capture and its
 * records' offsets; returns the length kept. */
static size_t messages_of(const char *dump, char *keep)
{
    size_t n = 0;
    for (const char *l = dump; *l;) {
        const char *e = strchr(l, '\n');
        size_t len = e ? (size_t)(e - l) + 1 : strlen(l);
        if (strncmp(l, "capture ", 8) && strncmp(l, "record ", 7)) {
            memmove(keep + n, l, len);
            n += len;
        }
        l += len;
    }
    keep[n] = '\0';
    return n;
}

Test(tickfeed_dump, a_pcapng_of_a_ticksim_day_dumps_the_same_messages_as_its_pcap, .timeout = 60)
{
    const char *bin = getenv("GT_BINARY_DIR");
    if (!bin)
        cr_skip_test("GT_BINARY_DIR is not set (run under ctest)");
    char dir[] = "/tmp/gt_dump_ng_XXXXXX", pcap[64], ng[64], cmd[512], args[256];
    cr_assert(ne(ptr, (void *)mkdtemp(dir), NULL));
    snprintf(pcap, sizeof pcap, "%s/day.pcap", dir);
    snprintf(ng, sizeof ng, "%s/day.pcapng", dir);
    snprintf(cmd, sizeof cmd, "%s/tools/ticksim/ticksim --no-send --events 60 --quiet --pcap %s",
             bin, pcap);
    cr_assert(eq(int, system(cmd), 0), "%s", cmd);
    size_t len;
    uint8_t *p = slurp(pcap, &len);
    /* Big-endian, microsecond stamps, a second section: the most to get wrong. */
    struct ng_opts o = {.big = true, .extra = true};
    size_t cap = len * 2, n;
    uint8_t *q = malloc(cap);
    cr_assert(gt(sz, n = pcapng_from_pcap(p, len, &o, q, cap), 0));
    FILE *f = fopen(ng, "wb");
    cr_assert_not_null(f);
    cr_assert(eq(sz, fwrite(q, 1, n, f), n));
    fclose(f);
    free(p);
    free(q);

    /* The dumps are larger than run_tickfeed's buffer: to files. */
    char *dumps[2];
    const char *in[2] = {pcap, ng};
    for (int k = 0; k < 2; k++) {
        snprintf(cmd, sizeof cmd, "%s/feedhandler/tickfeed --pcap %s --dump >%s/dump%d", bin, in[k],
                 dir, k);
        cr_assert(eq(int, system(cmd), 0), "%s", cmd);
        snprintf(args, sizeof args, "%s/dump%d", dir, k);
        size_t dl;
        uint8_t *d = slurp(args, &dl);
        dumps[k] = malloc(dl + 1);
        memcpy(dumps[k], d, dl);
        dumps[k][dl] = '\0';
        free(d);
        unlink(args);
    }
    expect_in(dumps[1], "format=pcapng");
    size_t n1 = messages_of(dumps[0], dumps[0]);
    messages_of(dumps[1], dumps[1]);
    cr_assert(gt(sz, n1, 100000), "ticksim's day has messages");
    expect_in(dumps[0], "MDIncrementalRefreshBook46");
    cr_assert(eq(int, strcmp(dumps[1], dumps[0]), 0),
              "the pcapng dumps other messages than its pcap");
    free(dumps[0]);
    free(dumps[1]);
    unlink(pcap);
    unlink(ng);
    rmdir(dir);
}

Test(tickfeed_dump, random_bytes_or_an_empty_file_is_not_a_capture_exit_2, .timeout = 30)
{
    char dir[] = "/tmp/gt_dump_rnd_XXXXXX", path[64], args[256];
    cr_assert(ne(ptr, (void *)mkdtemp(dir), NULL));
    static uint8_t noise[4096];
    uint64_t x = 88172645463325252u;
    for (size_t i = 0; i < sizeof noise; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        noise[i] = (uint8_t)x;
    }
    const char *names[] = {"noise.pcap", "empty.pcap"};
    for (int k = 0; k < 2; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        FILE *f = fopen(path, "wb");
        cr_assert_not_null(f);
        if (k == 0)
            cr_assert(eq(sz, fwrite(noise, 1, sizeof noise, f), sizeof noise));
        fclose(f);
        for (int dump = 0; dump < 2; dump++) {
            /* Without --dump too: refused before any socket or journal is opened. */
            snprintf(args, sizeof args, "--pcap %s %s --journal %s/j --quiet", path,
                     dump ? "--dump" : "", dir);
            cr_assert(eq(int, run_tickfeed(args, out, errout), 2), "%s: %s", args, errout);
            cr_assert(eq(str, out, ""));
            expect_in(errout, path);
            expect_in(errout, "libpcap");
            expect_in(errout, "pcapng");
            expect_in(errout, "DataMine");
            cr_assert_null(strchr(errout, '\n') ? strchr(strchr(errout, '\n') + 1, '\n') : NULL,
                           "one line: %s", errout);
        }
        unlink(path);
    }
    rmdir(dir);
}
