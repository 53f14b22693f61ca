/* SPDX-License-Identifier: MIT */
/* test_dump.c -- the readable dump of packets and capture files: packets made
 * by the encoder print every message with its key fields (prices as decimals,
 * times in UTC, nulls as null, strings unpadded), unknown templates print as
 * skipped and are counted, a broken packet prints its error with the byte
 * offset, and a capture written by pcap_writer dumps record by record. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dump.h"
#include "gputick/bytes.h"
#include "gputick/err.h"
#include "mdp3.h"
#include "pcap.h"

#define T0 1764081000000000001ull /* 2025-11-25T14:30:00.000000001Z */

/* Encodes a packet of a book update, a trade, a limits message, a definition and
 * an index value; returns its length. */
static size_t sample_packet(uint8_t *buf, size_t cap)
{
    struct mdp3_enc e;
    cr_assert(eq(int, mdp3_enc_init(&e, buf, cap, 4242, T0), GT_OK));
    struct mdp3_incr x = {.transact_time_ns = T0, .mei = 0x84};
    struct mdp3_book46_entry be[2] = {
        {2750000000, 10, 777, 5, 3, 1, MDP3_ACT_NEW, MDP3_ET_BID, MDP3_I32_NULL},
        {MDP3_PX_NULL, MDP3_I32_NULL, 777, 6, MDP3_I32_NULL, 2, MDP3_ACT_DELETE, MDP3_ET_OFFER,
         MDP3_I32_NULL}};
    cr_assert(eq(int, mdp3_enc_book46(&e, &x, be, 2, NULL, 0), GT_OK));
    struct mdp3_trade48_entry te = {-1250000, 4, 777, 7, 2, 1, MDP3_ACT_NEW, 99};
    struct mdp3_trade48_order to = {123456789012ull, 4};
    cr_assert(eq(int, mdp3_enc_trade48(&e, &x, &te, 1, &to, 1), GT_OK));
    struct mdp3_limits50_entry le = {MDP3_PX_NULL, 9000000000000, 10000000000, 5620, 1869};
    cr_assert(eq(int, mdp3_enc_limits50(&e, &x, &le, 1), GT_OK));
    struct mdp3_def54 d;
    memset(&d, 0, sizeof d);
    d.security_update_action = 'A';
    memcpy(d.symbol, "GH1Z6", 5);
    memcpy(d.unit_of_measure, "GPU HOURS", 9);
    d.security_id = 777;
    d.min_price_increment_px = 5000000; /* 0.005 */
    d.display_factor = 1000000000;
    d.unit_of_measure_qty = MDP3_PX_NULL;
    d.instrument_guid = MDP3_U64_NULL;
    struct mdp3_def54_feed_type ft = {"GBX", 10};
    cr_assert(eq(int, mdp3_enc_def54(&e, &d, NULL, 0, &ft, 1, NULL, 0, NULL, 0), GT_OK));
    struct mdp3_idx348 ix = {.transact_time_ns = T0,
                             .md_feed_type = "IX",
                             .mei = 0x80,
                             .batch_total_messages = MDP3_U16_NULL};
    struct mdp3_idx348_entry ie;
    memset(&ie, 0, sizeof ie);
    ie.entry_type = MDP3_ET_INDEX_VALUE;
    ie.px = (struct mdp3_dec64){2345, -3}; /* 2.345 */
    ie.yield = ie.net_chg_prev_day = ie.net_pct_chg = ie.percent_trading =
        (struct mdp3_dec64){MDP3_PX_NULL, 0};
    ie.size = MDP3_U64_NULL;
    memcpy(ie.symbol, "SDH100RT", 8);
    ie.entry_code = 5;
    cr_assert(eq(int, mdp3_enc_idx348(&e, &ix, &ie, 1), GT_OK));
    return mdp3_enc_len(&e);
}

/* Dumps a packet into a string (caller frees). */
static char *dump_str(const uint8_t *p, size_t len, struct mdp3_dump_stats *st, int *rc)
{
    char *buf = NULL;
    size_t blen = 0;
    FILE *out = open_memstream(&buf, &blen);
    *rc = mdp3_dump_packet(out, p, len, st);
    fclose(out);
    return buf;
}

static void has(const char *text, const char *want)
{
    cr_assert_not_null(strstr(text, want), "missing \"%s\" in:\n%s", want, text);
}

Test(dump, every_message_and_key_field_of_an_encoded_packet_appears)
{
    uint8_t buf[2048];
    size_t len = sample_packet(buf, sizeof buf);
    struct mdp3_dump_stats st = {0};
    int rc;
    char *s = dump_str(buf, len, &st, &rc);
    cr_assert(eq(int, rc, 5));
    cr_assert(eq(u64, st.n_msgs, 5));
    cr_assert(eq(u64, st.n_unknown + st.n_bad_msgs + st.n_bad_pkts, 0));
    has(s, "packet len=");
    has(s, " seq=4242 sending_time=2025-11-25T14:30:00.000000001Z\n");
    has(s, "\n  MDIncrementalRefreshBook46 off=12 ");
    has(s, " template=46 schema=1 version=13 transact_time=2025-11-25T14:30:00.000000001Z "
           "mei=0x84\n");
    has(s, "\n    NoMDEntries block=32 n=2\n");
    has(s, "\n      px=2.75 size=10 security_id=777 rpt_seq=5 n_orders=3 price_level=1 "
           "update_action=0 entry_type=0 tradeable_size=null\n");
    has(s, "\n      px=null size=null security_id=777 rpt_seq=6 n_orders=null price_level=2 "
           "update_action=2 entry_type=1 ");
    has(s, "\n    NoOrderIDEntries block=24 n=0\n");
    has(s, "\n  MDIncrementalRefreshTradeSummary48 ");
    has(s, " px=-0.00125 size=4 ");
    has(s, " aggressor_side=1 update_action=0 trade_entry_id=99\n");
    has(s, "\n      order_id=123456789012 last_qty=4\n");
    has(s, " high_limit_px=null low_limit_px=9000 max_price_variation_px=10 security_id=5620 "
           "rpt_seq=1869\n");
    has(s, " symbol=\"GH1Z6\" security_id=777 ");
    has(s, " min_price_increment_px=0.005 display_factor=1 ");
    has(s, " unit_of_measure=\"GPU HOURS\" unit_of_measure_qty=null ");
    has(s, "\n      md_feed_type=\"GBX\" market_depth=10\n");
    has(s, "\n  MDIncrementalRefreshIndices348 ");
    has(s, " schema=5 version=9 ");
    has(s, " entry_type=3 rpt_seq=0 px=2.345 size=null symbol=\"SDH100RT\" ");
    has(s, " entry_code=5 ");
    free(s);
}

Test(dump, unknown_templates_are_skipped_and_counted)
{
    uint8_t buf[64];
    struct mdp3_enc e;
    cr_assert(eq(int, mdp3_enc_init(&e, buf, sizeof buf, 1, T0), GT_OK));
    cr_assert(eq(int, mdp3_enc_heartbeat12(&e), GT_OK));
    cr_assert(eq(int, mdp3_enc_heartbeat12(&e), GT_OK));
    st_le16(buf + 12 + 4, 27);        /* the pre-v9 MDIncrementalRefresh27: not decoded here */
    st_le16(buf + 12 + 10 + 6, 9999); /* a schema nobody knows */
    struct mdp3_dump_stats st = {0};
    int rc;
    char *s = dump_str(buf, e.len, &st, &rc);
    cr_assert(eq(int, rc, 2));
    cr_assert(eq(u64, st.n_unknown, 2));
    has(s, "  unknown off=12 size=10 block=0 template=27 schema=1 version=13 skipped\n");
    has(s, "  unknown off=22 size=10 block=0 template=12 schema=9999 version=13 skipped\n");
    free(s);
}

Test(dump, a_broken_packet_prints_its_error_with_the_byte_offset)
{
    uint8_t buf[2048];
    size_t len = sample_packet(buf, sizeof buf);
    size_t first = ld_le16(buf + 12);
    struct mdp3_dump_stats st = {0};
    int rc;
    /* The second message is cut short: framing fails at its offset. */
    char *s = dump_str(buf, 12 + first + 20, &st, &rc);
    cr_assert(eq(int, rc, GT_ETRUNC));
    cr_assert(eq(u64, st.n_bad_pkts, 1));
    char want[64];
    snprintf(want, sizeof want, "  error=\"%s\" at=%zu\n", gt_strerror(GT_ETRUNC), 12 + first);
    has(s, want);
    free(s);
    /* A group count past the message: the message's decoder fails, at its offset. */
    uint8_t bad[2048];
    memcpy(bad, buf, len);
    bad[12 + 10 + 11 + 2] = 200; /* Book46 NoMDEntries numInGroup */
    memset(&st, 0, sizeof st);
    s = dump_str(bad, len, &st, &rc);
    cr_assert(eq(int, rc, 5));
    cr_assert(eq(u64, st.n_bad_msgs, 1));
    snprintf(want, sizeof want, " error=\"%s\" at=12\n", gt_strerror(GT_ETRUNC));
    has(s, want);
    free(s);
    /* Shorter than a packet header. */
    s = dump_str(buf, 5, &st, &rc);
    cr_assert(eq(int, rc, GT_ETRUNC));
    has(s, "packet len=5 error=");
    free(s);
}

Test(dump, a_capture_file_dumps_record_by_record, .timeout = 10)
{
    char dir[] = "/tmp/gt_dump_XXXXXX", path[64], err[GT_ERRLEN];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/c.pcap", dir);
    uint8_t buf[2048];
    size_t len = sample_packet(buf, sizeof buf);
    struct pcap_writer w;
    cr_assert(eq(int, pcap_writer_open(&w, path, err), GT_OK), "%s", err);
    for (int i = 0; i < 3; i++)
        cr_assert(eq(
            int,
            pcap_writer_write(&w, (int64_t)T0 + i, 0x7F000001, 5000, 0xE0001C06, 14310, buf, len),
            GT_OK));
    cr_assert(eq(int, pcap_writer_close(&w), GT_OK));
    char *s = NULL;
    size_t slen = 0;
    FILE *out = open_memstream(&s, &slen);
    struct mdp3_dump_stats st = {0};
    int rc = mdp3_dump_capture(out, path, &st, err);
    fclose(out);
    cr_assert(eq(int, rc, 3), "%s", err);
    cr_assert(eq(u64, st.n_packets, 3));
    cr_assert(eq(u64, st.n_msgs, 15));
    has(s, " format=libpcap\n");
    has(s, "record off=24 ts=2025-11-25T14:30:00.000000001Z src=127.0.0.1:5000 "
           "dst=224.0.28.6:14310\n");
    has(s, " ts=2025-11-25T14:30:00.000000003Z ");
    free(s);
    cr_assert(eq(int, mdp3_dump_capture(stdout, "/nonexistent/x.pcap", &st, err), GT_EIO));
    unlink(path);
    rmdir(dir);
}

/* Dumps a packet into a string in the given style (caller frees). */
static char *dump_str_as(enum mdp3_dump_style style, const uint8_t *p, size_t len,
                         struct mdp3_dump_stats *st, int *rc)
{
    char *buf = NULL;
    size_t blen = 0;
    FILE *out = open_memstream(&buf, &blen);
    *rc = mdp3_dump_packet_as(out, style, p, len, st);
    fclose(out);
    return buf;
}

/* Parses every line of text with Python's json module; returns the number of
 * lines, or -1 if one is not a JSON object. Skips the test without python3. */
static int json_lines(const char *text)
{
    if (system("command -v python3 >/dev/null 2>&1") != 0)
        cr_skip_test("python3 is not installed: JSON lines not checked");
    char path[] = "/tmp/gt_dump_json_XXXXXX";
    int fd = mkstemp(path);
    cr_assert(ge(int, fd, 0));
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    char cmd[256];
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import json,sys\n"
             "n=0\n"
             "for l in open(sys.argv[1]):\n"
             "    assert isinstance(json.loads(l), dict), l\n"
             "    n+=1\n"
             "print(n)' %s",
             path);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (fscanf(p, "%d", &n) != 1)
        n = -1;
    int st = pclose(p);
    unlink(path);
    return st == 0 ? n : -1;
}

Test(dump, json_lines_hold_one_object_per_message_with_groups_as_arrays, .timeout = 20)
{
    uint8_t buf[2048];
    size_t len = sample_packet(buf, sizeof buf);
    struct mdp3_dump_stats st = {0};
    int rc;
    char *s = dump_str_as(MDP3_DUMP_JSON, buf, len, &st, &rc);
    cr_assert(eq(int, rc, 5));
    cr_assert(eq(int, json_lines(s), 5), "%s", s);
    has(s, "{\"packet_len\":");
    has(s, ",\"seq\":4242,\"sending_time\":\"2025-11-25T14:30:00.000000001Z\",\"message\":"
           "\"MDIncrementalRefreshBook46\",\"off\":12,");
    has(s, "\"template\":46,\"schema\":1,\"version\":13,\"transact_time\":"
           "\"2025-11-25T14:30:00.000000001Z\",\"mei\":132,\"NoMDEntries\":[{\"px\":2.75,"
           "\"size\":10,\"security_id\":777,\"rpt_seq\":5,\"n_orders\":3,\"price_level\":1,"
           "\"update_action\":0,\"entry_type\":\"0\",\"tradeable_size\":null},{\"px\":null,");
    has(s, "\"NoOrderIDEntries\":[]}\n");
    has(s, "\"px\":-0.00125,");
    has(s, "\"NoOrderIDEntries\":[{\"order_id\":123456789012,\"last_qty\":4}]}\n");
    has(s, "\"symbol\":\"GH1Z6\"");
    has(s, "\"NoMDFeedTypes\":[{\"md_feed_type\":\"GBX\",\"market_depth\":10}]");
    has(s, "\"schema\":5,\"version\":9,");
    has(s, "\"px\":2.345,\"size\":null,\"symbol\":\"SDH100RT\"");
    free(s);

    /* Unknown templates, a message that fails, a packet that cannot be framed:
     * each still one object a line. */
    uint8_t hb[64];
    struct mdp3_enc e;
    mdp3_enc_init(&e, hb, sizeof hb, 1, T0);
    mdp3_enc_heartbeat12(&e);
    mdp3_enc_heartbeat12(&e);
    st_le16(hb + 12 + 4, 27);
    s = dump_str_as(MDP3_DUMP_JSON, hb, e.len, &st, &rc);
    cr_assert(eq(int, json_lines(s), 2), "%s", s);
    has(s, "\"message\":null,\"off\":12,\"size\":10,\"block\":0,\"template\":27,\"schema\":1,"
           "\"version\":13,\"skipped\":true}\n");
    has(s, "\"message\":\"AdminHeartbeat12\",\"off\":22,");
    free(s);
    uint8_t bad[2048];
    memcpy(bad, buf, len);
    bad[12 + 10 + 11 + 2] = 200; /* Book46 NoMDEntries numInGroup past the message */
    size_t first = ld_le16(buf + 12);
    s = dump_str_as(MDP3_DUMP_JSON, bad, 12 + first + 20, &st, &rc);
    cr_assert(eq(int, rc, GT_ETRUNC));
    cr_assert(eq(int, json_lines(s), 2), "%s", s);
    char want[96];
    snprintf(want, sizeof want, ",\"error\":\"%s\",\"at\":12}\n", gt_strerror(GT_ETRUNC));
    has(s, want);
    snprintf(want, sizeof want, ",\"error\":\"%s\",\"at\":%zu}\n", gt_strerror(GT_ETRUNC),
             12 + first);
    has(s, want);
    free(s);
    s = dump_str_as(MDP3_DUMP_JSON, buf, 5, &st, &rc);
    cr_assert(eq(int, json_lines(s), 1), "%s", s);
    has(s, "{\"packet_len\":5,\"error\":");
    free(s);
}

Test(dump, json_strings_escape_what_the_wire_holds)
{
    uint8_t buf[512];
    struct mdp3_enc e;
    mdp3_enc_init(&e, buf, sizeof buf, 1, T0);
    struct mdp3_status30 m;
    memset(&m, 0, sizeof m);
    memcpy(m.security_group, "A\"\\\x01", 4);
    m.asset[0] = (char)0xE9;
    cr_assert(eq(int, mdp3_enc_status30(&e, &m), GT_OK));
    struct mdp3_dump_stats st = {0};
    int rc;
    char *s = dump_str_as(MDP3_DUMP_JSON, buf, e.len, &st, &rc);
    cr_assert(eq(int, json_lines(s), 1), "%s", s);
    has(s, "\"security_group\":\"A\\u0022\\u005c\\u0001\",\"asset\":\"\\u00e9\"");
    free(s);
    s = dump_str(buf, e.len, &st, &rc);
    has(s, " security_group=\"A\\x22\\x5c\\x01\" asset=\"\\xe9\"");
    free(s);
}

/* A one-record capture at path of sample_packet, then a TCP frame, which the
 * reader passes over. */
static void capture_with_tcp(const char *path)
{
    uint8_t buf[2048], rec[4096];
    size_t len = sample_packet(buf, sizeof buf);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    uint8_t hdr[PCAP_FILE_HDR_LEN];
    pcap_file_header(hdr);
    fwrite(hdr, 1, sizeof hdr, f);
    int n =
        pcap_frame_udp(rec, sizeof rec, (int64_t)T0, 0x7F000001, 5000, 0xE0001C06, 14310, buf, len);
    cr_assert(gt(int, n, 0));
    fwrite(rec, 1, (size_t)n, f);
    n = pcap_frame_udp(rec, sizeof rec, (int64_t)T0 + 1, 0x7F000001, 5000, 0x7F000001, 9000, buf,
                       20);
    rec[PCAP_REC_HDR_LEN + 14 + 9] = 6; /* IPv4 protocol: TCP */
    fwrite(rec, 1, (size_t)n, f);
    cr_assert(eq(int, fclose(f), 0));
}

Test(dump, a_capture_ends_with_a_summary_of_packets_templates_and_skipped_frames, .timeout = 20)
{
    char dir[] = "/tmp/gt_dump_XXXXXX", path[64], err[GT_ERRLEN];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/c.pcap", dir);
    capture_with_tcp(path);
    for (int style = MDP3_DUMP_TEXT; style <= MDP3_DUMP_JSON; style++) {
        char *s = NULL;
        size_t slen = 0;
        FILE *out = open_memstream(&s, &slen);
        struct mdp3_dump_stats st = {0};
        int rc = mdp3_dump_capture_as(out, (enum mdp3_dump_style)style, path, &st, err);
        fclose(out);
        cr_assert(eq(int, rc, 1), "%s", err);
        cr_assert(eq(u64, st.n_skipped_frames, 1));
        cr_assert(eq(sz, st.n_templates, 5));
        if (style == MDP3_DUMP_TEXT) {
            has(s, "\nsummary packets=1 messages=5 unknown=0 bad_messages=0 bad_packets=0 "
                   "skipped_frames=1 templates=46:1,48:1,50:1,54:1,5/348:1\n");
        } else {
            cr_assert(eq(int, json_lines(s), 6), "%s", s);
            has(s, "{\"record_off\":24,\"ts\":\"2025-11-25T14:30:00.000000001Z\",\"src\":"
                   "\"127.0.0.1:5000\",\"dst\":\"224.0.28.6:14310\",\"packet_len\":");
            has(s, "\n{\"summary\":{\"capture\":\"");
            has(s, "\"format\":\"libpcap\",\"packets\":1,\"messages\":5,\"unknown\":0,"
                   "\"bad_messages\":0,\"bad_packets\":0,\"skipped_frames\":1,\"templates\":{"
                   "\"46\":1,\"48\":1,\"50\":1,\"54\":1,\"5/348\":1}}}\n");
        }
        free(s);
    }
    /* Cut inside the TCP record: the summary says where the reader stopped. */
    struct stat sb;
    cr_assert(eq(int, stat(path, &sb), 0));
    cr_assert(eq(int, truncate(path, sb.st_size - 3), 0));
    char *s = NULL;
    size_t slen = 0;
    FILE *out = open_memstream(&s, &slen);
    struct mdp3_dump_stats st = {0};
    cr_assert(eq(int, mdp3_dump_capture(out, path, &st, err), GT_ETRUNC));
    fclose(out);
    has(s, " skipped_frames=0 templates=46:1,48:1,50:1,54:1,5/348:1 error=\"");
    has(s, "\" error_at=");
    free(s);
    unlink(path);
    rmdir(dir);
}

/* Market by order and spread definitions print every field from their tables. */
Test(dump, order_book_47_53_and_spread_56_print_every_field)
{
    uint8_t buf[2048];
    struct mdp3_enc e;
    mdp3_enc_init(&e, buf, sizeof buf, 5, T0);
    struct mdp3_incr x = {.transact_time_ns = T0, .mei = 0x84};
    struct mdp3_orderbook47_entry o = {76662054355,  641463012, 12068000000000, 4, 532259,
                                       MDP3_ACT_NEW, '1'};
    cr_assert(eq(int, mdp3_enc_orderbook47(&e, &x, &o, 1), GT_OK));
    struct mdp3_snapshot53 s = {.last_msg_seq_num_processed = 4,
                                .tot_num_reports = 1,
                                .security_id = 532259,
                                .no_chunks = 1,
                                .current_chunk = 1,
                                .transact_time_ns = T0};
    struct mdp3_snapshot53_entry se = {76662054355, MDP3_U64_NULL, 12068000000000, 4, 'E'};
    cr_assert(eq(int, mdp3_enc_snapshot53(&e, &s, &se, 1), GT_OK));
    struct mdp3_def56 d;
    memset(&d, 0, sizeof d);
    d.security_id = 900001;
    memcpy(d.symbol, "H100Z6-H100F7", 13);
    memcpy(d.security_sub_type, "SP", 2);
    d.price_ratio_px = MDP3_PX_NULL;
    struct mdp3_def56_leg leg = {102612, 1, 1, MDP3_PX_NULL, 5000};
    cr_assert(eq(int, mdp3_enc_def56(&e, &d, NULL, 0, NULL, 0, NULL, 0, NULL, 0, &leg, 1), GT_OK));
    struct mdp3_dump_stats st = {0};
    int rc;
    char *t = dump_str(buf, e.len, &st, &rc);
    cr_assert(eq(int, rc, 3));
    cr_assert(eq(u64, st.n_unknown, 0));
    has(t, "      order_id=76662054355 priority=641463012 px=12068 display_qty=4 "
           "security_id=532259 update_action=0 entry_type=1\n");
    has(t, " last_msg_seq_num_processed=4 tot_num_reports=1 security_id=532259 no_chunks=1 "
           "current_chunk=1 transact_time=2025-11-25T14:30:00.000000001Z\n");
    has(t, "      order_id=76662054355 priority=null px=12068 display_qty=4 entry_type=E\n");
    has(t, " symbol=\"H100Z6-H100F7\" security_id=900001");
    has(t, " security_sub_type=\"SP\"");
    has(t, " price_ratio_px=null");
    has(t, "    NoLegs block=18 n=1\n");
    has(t, "      leg_security_id=102612 leg_side=1 leg_ratio_qty=1 leg_price=null "
           "leg_option_delta=0.5\n");
    free(t);
}
