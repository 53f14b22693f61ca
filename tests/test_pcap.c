/* SPDX-License-Identifier: MIT */
/* test_pcap.c -- capture files: the writer's files read back exactly and open in
 * tshark; the reader on libpcap files laid out by hand (both byte orders,
 * microsecond and nanosecond magic, 802.1Q, frames that are not UDP, snaplen
 * cuts), Linux cooked SLL and SLL2 captures, DataMine chains (whole and cut in
 * their last record) and raw packets; pcapng files written from the writer's
 * (tests/pcapng.h: both byte orders, two resolutions, Simple Packet Blocks, a
 * second section) read back the same datagrams; hostile files (truncation at
 * every byte, lying lengths) give an error with the record's file offset and
 * never a read outside the file; random bytes and an empty file are refused
 * with the formats read; another link type, a directory or a FIFO is refused
 * with a message that names it. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gputick/bytes.h"
#include "gputick/err.h"
#include "mdp3.h"
#include "pcap.h"
#include "pcapng.h"

enum { N_DGRAMS = 4 };
static const size_t dgram_len[N_DGRAMS] = {12, 1, 1400, 0};
static const int64_t dgram_ts[N_DGRAMS] = {1764000000123456789, 1764000000123456790,
                                           1764000001000000000, 1764000001999999999};

static void dgram_fill(uint8_t *p, size_t len, int k)
{
    for (size_t i = 0; i < len; i++)
        p[i] = (uint8_t)(i * 7 + (size_t)k);
}

/* Writes the N_DGRAMS datagrams into a fresh file in a temp folder; returns its path. */
static void writer_file(char dir[64], char path[128])
{
    snprintf(dir, 64, "/tmp/gt_pcap_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, 128, "%s/cap.pcap", dir);
    struct pcap_writer w;
    char err[GT_ERRLEN];
    cr_assert(eq(int, pcap_writer_open(&w, path, err), GT_OK), "%s", err);
    uint8_t buf[1400];
    for (int k = 0; k < N_DGRAMS; k++) {
        dgram_fill(buf, dgram_len[k], k);
        cr_assert(eq(int,
                     pcap_writer_write(&w, dgram_ts[k], 0x7F000001, (uint16_t)(20000 + k),
                                       0xE0001C06, 14315, buf, dgram_len[k]),
                     GT_OK));
    }
    cr_assert(eq(u64, w.n_records, N_DGRAMS));
    cr_assert(eq(int, pcap_writer_close(&w), GT_OK));
}

static void cleanup(const char *dir, const char *path)
{
    unlink(path);
    rmdir(dir);
}

/* Writes p[0..len) as dir/name in a fresh temp folder. */
static void file_of(char dir[64], char path[128], const char *name, const uint8_t *p, size_t len)
{
    snprintf(dir, 64, "/tmp/gt_pcap_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, 128, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    cr_assert_not_null(fp);
    cr_assert(eq(sz, fwrite(p, 1, len, fp), len));
    cr_assert(eq(int, fclose(fp), 0));
}

static void st_be16_(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

Test(pcap, writer_file_reads_back_every_datagram, .timeout = 10)
{
    char dir[64], path[128], err[GT_ERRLEN];
    writer_file(dir, path);
    struct pcap_reader r;
    cr_assert(eq(int, pcap_reader_open(&r, path, err), GT_OK), "%s", err);
    cr_assert(eq(int, r.format, PCAP_FMT_LIBPCAP));
    cr_assert(r.nanos);
    cr_assert(not(r.swapped));
    struct pcap_rec rec;
    uint8_t want[1400];
    for (int k = 0; k < N_DGRAMS; k++) {
        cr_assert(eq(int, pcap_reader_next(&r, &rec), 1));
        dgram_fill(want, dgram_len[k], k);
        cr_assert(eq(sz, rec.len, dgram_len[k]));
        cr_assert(eq(int, memcmp(rec.p, want, rec.len), 0));
        cr_assert(eq(i64, rec.ts_ns, dgram_ts[k]));
        cr_assert(eq(u32, rec.src_ip, 0x7F000001));
        cr_assert(eq(u32, rec.dst_ip, 0xE0001C06));
        cr_assert(eq(u16, rec.src_port, 20000 + k));
        cr_assert(eq(u16, rec.dst_port, 14315));
    }
    cr_assert(eq(int, pcap_reader_next(&r, &rec), 0));
    cr_assert(eq(u64, r.n_records, N_DGRAMS));
    cr_assert(eq(u64, r.n_skipped, 0));
    pcap_reader_close(&r);
    cleanup(dir, path);
}

Test(pcap, writer_file_opens_in_tshark_with_good_ip_checksums, .timeout = 60)
{
    if (access("/usr/bin/tshark", X_OK) != 0)
        cr_skip_test("/usr/bin/tshark is not installed");
    char dir[64], path[128], cmd[512];
    writer_file(dir, path);
    snprintf(cmd, sizeof cmd,
             "/usr/bin/tshark -r %s -o ip.check_checksum:TRUE -T fields -E separator=' ' "
             "-e frame.time_epoch -e ip.src -e ip.dst -e udp.srcport -e udp.dstport "
             "-e udp.length -e ip.checksum.status 2>/dev/null",
             path);
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f);
    char line[256];
    int n = 0;
    while (n < N_DGRAMS + 1 && fgets(line, sizeof line, f)) {
        char want[256];
        snprintf(want, sizeof want, "%lld.%09lld 127.0.0.1 224.0.28.6 %d 14315 %zu 1\n",
                 (long long)(dgram_ts[n] / 1000000000), (long long)(dgram_ts[n] % 1000000000),
                 20000 + n, dgram_len[n] + 8);
        cr_assert(eq(str, line, want));
        n++;
    }
    cr_assert(eq(int, pclose(f), 0));
    cr_assert(eq(int, n, N_DGRAMS));
    cleanup(dir, path);
}

/* Appends a 32-bit value in the file's byte order. */
static void put32(uint8_t *p, uint32_t v, bool be)
{
    if (be)
        st_be32(p, v);
    else
        st_le32(p, v);
}

/* Lays a libpcap file out by hand: header, then three frames: an 802.1Q-tagged
 * UDP datagram, an ARP frame (skipped), a plain UDP datagram. Returns its length. */
static size_t hand_pcap(uint8_t *f, bool be, bool nanos)
{
    put32(f, nanos ? 0xA1B23C4D : 0xA1B2C3D4, be);
    f[4] = be ? 0 : 2, f[5] = be ? 2 : 0;
    f[6] = be ? 0 : 4, f[7] = be ? 4 : 0;
    put32(f + 8, 0, be);
    put32(f + 12, 0, be);
    put32(f + 16, 65535, be);
    put32(f + 20, 1, be);
    size_t off = 24;
    for (int k = 0; k < 3; k++) {
        uint8_t *h = f + off, *e = h + 16;
        bool vlan = k == 0, arp = k == 1;
        size_t eth = vlan ? 18 : 14, payload = 5 + (size_t)k;
        size_t frame = arp ? 42 : eth + 20 + 8 + payload;
        put32(h, 1700000000 + (uint32_t)k, be);
        put32(h + 4, nanos ? 999999999 : 999999, be);
        put32(h + 8, (uint32_t)frame, be);
        put32(h + 12, (uint32_t)frame, be);
        memset(e, 0, frame);
        memset(e, 0xFF, 6);
        if (vlan) {
            e[12] = 0x81, e[13] = 0x00, e[14] = 0x00, e[15] = 0x05; /* TPID, VID 5 */
        }
        e[eth - 2] = arp ? 0x08 : 0x08, e[eth - 1] = arp ? 0x06 : 0x00;
        if (!arp) {
            uint8_t *ip = e + eth, *udp = ip + 20;
            ip[0] = 0x45;
            ip[2] = 0, ip[3] = (uint8_t)(28 + payload);
            ip[9] = 17;
            st_be32(ip + 12, 0x0A000001);
            st_be32(ip + 16, 0xE0001F01 + (uint32_t)k);
            udp[0] = 0x3A, udp[1] = 0x98; /* 15000 */
            udp[2] = 0x3A, udp[3] = 0x99; /* 15001 */
            udp[4] = 0, udp[5] = (uint8_t)(8 + payload);
            memset(udp + 8, 'a' + k, payload);
        }
        off += 16 + frame;
    }
    return off;
}

Test(pcap, reader_takes_both_byte_orders_and_both_magics)
{
    for (int v = 0; v < 4; v++) {
        bool be = v & 1, nanos = v & 2;
        uint8_t f[512];
        size_t len = hand_pcap(f, be, nanos);
        struct pcap_reader r;
        cr_assert(eq(int, pcap_reader_init(&r, f, len), GT_OK));
        cr_assert(eq(int, r.format, PCAP_FMT_LIBPCAP));
        cr_assert(eq(int, r.nanos, nanos));
        struct pcap_rec rec;
        for (int k = 0; k < 3; k += 2) {
            cr_assert(eq(int, pcap_reader_next(&r, &rec), 1), "variant %d frame %d", v, k);
            cr_assert(eq(sz, rec.len, 5 + (size_t)k));
            cr_assert(eq(int, rec.p[0], 'a' + k));
            cr_assert(
                eq(i64, rec.ts_ns, (1700000000LL + k) * 1000000000 + 999999999 - !nanos * 999));
            cr_assert(eq(u32, rec.src_ip, 0x0A000001));
            cr_assert(eq(u32, rec.dst_ip, 0xE0001F01 + (uint32_t)k));
            cr_assert(eq(u16, rec.src_port, 15000));
            cr_assert(eq(u16, rec.dst_port, 15001));
        }
        cr_assert(eq(int, pcap_reader_next(&r, &rec), 0));
        cr_assert(eq(u64, r.n_records, 3));
        cr_assert(eq(u64, r.n_skipped, 1)); /* the ARP frame */
    }
}

Test(pcap, reader_skips_frames_cut_by_the_snap_length)
{
    uint8_t f[512];
    size_t len = hand_pcap(f, false, true);
    /* The first record's orig_len says the wire frame was longer than captured. */
    st_le32(f + 24 + 12, ld_le32(f + 24 + 8) + 100);
    struct pcap_reader r;
    struct pcap_rec rec;
    cr_assert(eq(int, pcap_reader_init(&r, f, len), GT_OK));
    cr_assert(eq(int, pcap_reader_next(&r, &rec), 1));
    cr_assert(eq(int, rec.p[0], 'c'));
    cr_assert(eq(u64, r.n_skipped, 2));
}

Test(pcap, reader_reports_the_offset_of_a_lying_record, .timeout = 10)
{
    uint8_t f[512];
    size_t len = hand_pcap(f, false, true);
    struct pcap_reader r;
    struct pcap_rec rec;
    /* Record 3's IPv4 total length runs past its frame. */
    size_t rec3 = 24 + 16 + 18 + 20 + 8 + 5 + 16 + 42;
    f[rec3 + 16 + 14 + 3] = 200;
    cr_assert(eq(int, pcap_reader_init(&r, f, len), GT_OK));
    cr_assert(eq(int, pcap_reader_next(&r, &rec), 1));
    cr_assert(eq(int, pcap_reader_next(&r, &rec), GT_EBADMSG));
    cr_assert(eq(sz, r.err_off, rec3));
    /* A nanosecond fraction of a second or more is corrupt. */
    len = hand_pcap(f, false, true);
    st_le32(f + 24 + 4, 1000000000);
    cr_assert(eq(int, pcap_reader_init(&r, f, len), GT_OK));
    cr_assert(eq(int, pcap_reader_next(&r, &rec), GT_EBADMSG));
    cr_assert(eq(sz, r.err_off, 24));
    /* A link type not read here is refused at once, from memory or from a file,
     * by its number. */
    st_le32(f + 20, 105); /* IEEE 802.11 */
    cr_assert(eq(int, pcap_reader_init(&r, f, len), GT_EVERSION));
    cr_assert(eq(u32, r.linktype, 105));
    char dir[64], path[128], err[GT_ERRLEN];
    file_of(dir, path, "wifi.pcap", f, len);
    cr_assert(eq(int, pcap_reader_open(&r, path, err), GT_EVERSION));
    cr_assert_not_null(strstr(err, path));
    cr_assert_not_null(strstr(err, "link type 105 is not supported"), "%s", err);
    cr_assert_null(r.map); /* a failed open leaves nothing mapped */
    cleanup(dir, path);
}

/* A libpcap file of link type Linux cooked SLL (113) or SLL2 (276), as tcpdump
 * -i any writes: a UDP datagram to 224.0.31.1:14310, an IPv6 frame (skipped),
 * a second datagram. Returns its length. */
static size_t hand_cooked(uint8_t *f, uint32_t linktype)
{
    bool sll2 = linktype == PCAP_LINKTYPE_LINUX_SLL2;
    size_t hdr = sll2 ? 20 : 16;
    st_le32(f, 0xA1B2C3D4);
    st_le16(f + 4, 2), st_le16(f + 6, 4);
    st_le32(f + 8, 0), st_le32(f + 12, 0), st_le32(f + 16, 262144);
    st_le32(f + 20, linktype);
    size_t off = 24;
    for (int k = 0; k < 3; k++) {
        bool ipv6 = k == 1;
        size_t payload = 3 + (size_t)k, frame = hdr + 20 + 8 + payload;
        uint8_t *h = f + off, *l = h + 16;
        st_le32(h, 1764000000 + (uint32_t)k);
        st_le32(h + 4, 250000);
        st_le32(h + 8, (uint32_t)frame);
        st_le32(h + 12, (uint32_t)frame);
        memset(l, 0, frame);
        uint16_t proto = ipv6 ? 0x86DD : 0x0800;
        if (sll2) {
            l[0] = (uint8_t)(proto >> 8), l[1] = (uint8_t)proto; /* 0 protocol */
            st_be32(l + 4, 2);                                   /* 4 interface index */
            l[8] = 0, l[9] = 1;                                  /* 8 ARPHRD_ETHER */
            l[10] = 2;                                           /* 10 packet type: multicast */
            l[11] = 6;                                           /* 11 address length */
            memset(l + 12, 0xAB, 6);                             /* 12 address */
        } else {
            l[1] = 2;                                              /* 0 packet type: multicast */
            l[3] = 1;                                              /* 2 ARPHRD_ETHER */
            l[5] = 6;                                              /* 4 address length */
            memset(l + 6, 0xAB, 6);                                /* 6 address */
            l[14] = (uint8_t)(proto >> 8), l[15] = (uint8_t)proto; /* 14 protocol */
        }
        uint8_t *ip = l + hdr, *udp = ip + 20;
        ip[0] = 0x45;
        st_be16_(ip + 2, (uint16_t)(28 + payload));
        ip[9] = 17;
        st_be32(ip + 12, 0x0A000002);
        st_be32(ip + 16, 0xE0001F01);
        st_be16_(udp, 14310), st_be16_(udp + 2, 14310);
        st_be16_(udp + 4, (uint16_t)(8 + payload));
        memset(udp + 8, 'x' + k, payload);
        off += 16 + frame;
    }
    return off;
}

Test(pcap, linux_cooked_sll_and_sll2_captures_yield_their_udp_payloads)
{
    const uint32_t types[] = {PCAP_LINKTYPE_LINUX_SLL, PCAP_LINKTYPE_LINUX_SLL2};
    for (int t = 0; t < 2; t++) {
        uint8_t f[512];
        size_t len = hand_cooked(f, types[t]);
        struct pcap_reader r;
        struct pcap_rec rec;
        cr_assert(eq(int, pcap_reader_init(&r, f, len), GT_OK), "link type %u", types[t]);
        cr_assert(eq(u32, r.linktype, types[t]));
        for (int k = 0; k < 3; k += 2) {
            cr_assert(eq(int, pcap_reader_next(&r, &rec), 1), "link type %u frame %d", types[t], k);
            cr_assert(eq(sz, rec.len, 3 + (size_t)k));
            cr_assert(eq(int, rec.p[0], 'x' + k));
            cr_assert(eq(u32, rec.src_ip, 0x0A000002));
            cr_assert(eq(u32, rec.dst_ip, 0xE0001F01));
            cr_assert(eq(u16, rec.dst_port, 14310));
            cr_assert(eq(i64, rec.ts_ns, (1764000000LL + k) * 1000000000 + 250000000));
        }
        cr_assert(eq(int, pcap_reader_next(&r, &rec), 0));
        cr_assert(eq(u64, r.n_skipped, 1), "the IPv6 frame");
        /* Every truncation errs or ends, and never reads past the cut. */
        for (size_t cut = 24; cut < len; cut++) {
            uint8_t *copy = malloc(cut);
            memcpy(copy, f, cut);
            int rc = pcap_reader_init(&r, copy, cut), n = 0;
            while (rc >= 0 && n < 10 && (rc = pcap_reader_next(&r, &rec)) == 1) {
                cr_assert(rec.p >= copy && rec.p + rec.len <= copy + cut);
                n++;
            }
            cr_assert(lt(int, n, 3), "cut %zu", cut);
            free(copy);
        }
    }
}

/* The writer's file, read into memory. */
static size_t writer_bytes(uint8_t *buf, size_t cap)
{
    char dir[64], path[128];
    writer_file(dir, path);
    FILE *fp = fopen(path, "rb");
    cr_assert_not_null(fp);
    size_t n = fread(buf, 1, cap, fp);
    fclose(fp);
    cleanup(dir, path);
    cr_assert(lt(sz, n, cap));
    return n;
}

static uint8_t pcap_buf[8192], ng_buf[8192];

Test(pcap, pcapng_reads_the_same_datagrams_as_the_pcap, .timeout = 10)
{
    size_t len = writer_bytes(pcap_buf, sizeof pcap_buf);
    const struct ng_opts variants[] = {{.tsresol = 9},
                                       {.big = true, .tsresol = 9},
                                       {.tsresol = 0},
                                       {.big = true, .spb = true},
                                       {.tsresol = 9, .extra = true},
                                       {.big = true, .tsresol = 0, .extra = true}};
    for (size_t v = 0; v < sizeof variants / sizeof variants[0]; v++) {
        const struct ng_opts *o = &variants[v];
        size_t n = pcapng_from_pcap(pcap_buf, len, o, ng_buf, sizeof ng_buf);
        cr_assert(gt(sz, n, 0));
        struct pcap_reader a, b;
        cr_assert(eq(int, pcap_reader_init(&a, pcap_buf, len), GT_OK));
        cr_assert(eq(int, pcap_reader_init(&b, ng_buf, n), GT_OK), "variant %zu", v);
        cr_assert(eq(int, b.format, PCAP_FMT_PCAPNG));
        struct pcap_rec x, y;
        int k = 0;
        while (pcap_reader_next(&a, &x) == 1) {
            cr_assert(eq(int, pcap_reader_next(&b, &y), 1), "variant %zu record %d", v, k);
            cr_assert(eq(sz, y.len, x.len));
            cr_assert(eq(int, memcmp(y.p, x.p, x.len), 0));
            cr_assert(eq(u32, y.src_ip, x.src_ip));
            cr_assert(eq(u32, y.dst_ip, x.dst_ip));
            cr_assert(eq(u16, y.src_port, x.src_port));
            cr_assert(eq(u16, y.dst_port, x.dst_port));
            int64_t want = o->spb ? 0 : o->tsresol == 9 ? x.ts_ns : x.ts_ns / 1000 * 1000;
            cr_assert(eq(i64, y.ts_ns, want), "variant %zu record %d", v, k);
            cr_assert(y.p >= ng_buf && y.p + y.len <= ng_buf + n);
            k++;
        }
        cr_assert(eq(int, k, N_DGRAMS));
        cr_assert(eq(int, pcap_reader_next(&b, &y), 0), "variant %zu", v);
        cr_assert(eq(u64, b.n_records, N_DGRAMS));
        cr_assert(eq(u64, b.n_skipped, 0));
    }
}

Test(pcap, pcapng_cut_or_lying_errs_with_the_block_offset_inside_the_file, .timeout = 30)
{
    size_t len = writer_bytes(pcap_buf, sizeof pcap_buf);
    struct ng_opts o = {.tsresol = 9, .extra = true};
    size_t n = pcapng_from_pcap(pcap_buf, len, &o, ng_buf, sizeof ng_buf), n_cut = 0;
    for (size_t cut = 0; cut < n; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1); /* exact size: ASan sees any overread */
        memcpy(copy, ng_buf, cut);
        struct pcap_reader r;
        struct pcap_rec rec;
        int rc = pcap_reader_init(&r, copy, cut), k = 0;
        if (cut < 28) /* not even a whole Section Header Block: not a capture */
            cr_assert(eq(int, rc, GT_EINVAL), "cut %zu", cut);
        while (rc >= 0 && (rc = pcap_reader_next(&r, &rec)) == 1) {
            cr_assert(rec.p >= copy && rec.p + rec.len <= copy + cut);
            k++;
        }
        cr_assert(lt(int, k, N_DGRAMS), "cut %zu", cut);
        /* Cut between two blocks, the file ends cleanly; inside one, at that block. */
        if (cut >= 28)
            cr_assert(rc == 0 || rc == GT_ETRUNC, "cut %zu: %d", cut, rc);
        if (rc == GT_ETRUNC) {
            cr_assert(lt(sz, r.err_off, cut));
            n_cut++;
        }
        free(copy);
    }
    cr_assert(gt(sz, n_cut, n * 9 / 10), "most cuts fall inside a block");
    /* The first packet block's trailing length lies: GT_EBADMSG at that block. */
    struct pcap_reader r;
    struct pcap_rec rec;
    size_t at = 28 + 32 + 16; /* SHB, IDB with if_tsresol, NRB */
    cr_assert(eq(u32, ld_le32(ng_buf + at), 6));
    size_t blen = ld_le32(ng_buf + at + 4);
    st_le32(ng_buf + at + blen - 4, (uint32_t)blen + 4);
    cr_assert(eq(int, pcap_reader_init(&r, ng_buf, n), GT_OK));
    cr_assert(eq(int, pcap_reader_next(&r, &rec), GT_EBADMSG));
    cr_assert(eq(sz, r.err_off, at));
    /* A packet of an interface never described is corrupt too. */
    st_le32(ng_buf + at + blen - 4, (uint32_t)blen);
    st_le32(ng_buf + at + 8, 3);
    cr_assert(eq(int, pcap_reader_init(&r, ng_buf, n), GT_OK));
    cr_assert(eq(int, pcap_reader_next(&r, &rec), GT_EBADMSG));
    cr_assert(eq(sz, r.err_off, at));
}

Test(pcap, pcapng_of_another_link_type_is_refused_by_name, .timeout = 10)
{
    size_t len = writer_bytes(pcap_buf, sizeof pcap_buf);
    st_le32(pcap_buf + 20, 105); /* IEEE 802.11 */
    struct ng_opts o = {.big = true};
    size_t n = pcapng_from_pcap(pcap_buf, len, &o, ng_buf, sizeof ng_buf);
    struct pcap_reader r;
    cr_assert(eq(int, pcap_reader_init(&r, ng_buf, n), GT_EVERSION));
    cr_assert(eq(u32, r.linktype, 105));
    char dir[64], path[128], err[GT_ERRLEN];
    file_of(dir, path, "air.pcapng", ng_buf, n);
    cr_assert(eq(int, pcap_reader_open(&r, path, err), GT_EVERSION));
    cr_assert_not_null(strstr(err, "pcapng link type 105 is not supported"), "%s", err);
    cr_assert_not_null(strstr(err, path));
    cr_assert_null(r.map);
    cleanup(dir, path);
}

Test(pcap, random_bytes_and_an_empty_file_are_refused_naming_the_formats, .timeout = 30)
{
    char dir[64], path[128], err[GT_ERRLEN];
    struct pcap_reader r;
    file_of(dir, path, "empty", (const uint8_t *)"", 0);
    cr_assert(eq(int, pcap_reader_open(&r, path, err), GT_EINVAL));
    cr_assert_not_null(strstr(err, "an empty file"), "%s", err);
    cr_assert_not_null(strstr(err, PCAP_FORMATS_ACCEPTED), "%s", err);
    cr_assert_not_null(strstr(err, path));
    cleanup(dir, path);
    /* 2,000 files of random bytes, 1 to 4,096 long, from a fixed seed. */
    static uint8_t f[4096];
    uint64_t x = 0x9E3779B97F4A7C15u;
    for (int t = 0; t < 2000; t++) {
        size_t len = 1 + (size_t)(x % sizeof f);
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            f[i] = (uint8_t)x;
        }
        cr_assert(eq(int, pcap_reader_init(&r, f, len), GT_EINVAL), "trial %d, %zu bytes", t, len);
    }
    file_of(dir, path, "noise", f, 1000);
    cr_assert(eq(int, pcap_reader_open(&r, path, err), GT_EINVAL));
    cr_assert_not_null(strstr(err, "not a capture file"), "%s", err);
    cr_assert_null(r.map);
    cleanup(dir, path);
    /* A pcapng magic whose block does not hold together proves nothing either. */
    uint8_t shb[28] = {0};
    st_le32(shb, 0x0A0D0D0A);
    st_le32(shb + 4, 28);
    st_le32(shb + 8, 0x1A2B3C4D);
    st_le32(shb + 24, 32);
    cr_assert(eq(int, pcap_reader_init(&r, shb, sizeof shb), GT_EINVAL));
    st_le32(shb + 24, 28);
    cr_assert(eq(int, pcap_reader_init(&r, shb, sizeof shb), GT_OK));
    cr_assert(eq(int, r.format, PCAP_FMT_PCAPNG));
}

Test(pcap, a_directory_or_a_fifo_is_named_as_such, .timeout = 10)
{
    char dir[] = "/tmp/gt_pcap_XXXXXX", fifo[64], err[GT_ERRLEN];
    cr_assert_not_null(mkdtemp(dir));
    struct pcap_reader r;
    cr_assert(eq(int, pcap_reader_open(&r, dir, err), GT_EIO));
    cr_assert_not_null(strstr(err, "is a directory"), "%s", err);
    cr_assert_not_null(strstr(err, dir));
    snprintf(fifo, sizeof fifo, "%s/fifo", dir);
    cr_assert(eq(int, mkfifo(fifo, 0600), 0));
    int fd = open(fifo, O_RDWR | O_NONBLOCK); /* so that opening it to read does not block */
    cr_assert(ge(int, fd, 0));
    cr_assert(eq(int, pcap_reader_open(&r, fifo, err), GT_EIO));
    cr_assert_not_null(strstr(err, "not a regular file"), "%s", err);
    close(fd);
    cleanup(dir, fifo);
}

Test(pcap, reader_truncated_at_every_byte_errs_or_ends_inside_the_file)
{
    uint8_t f[512];
    size_t len = hand_pcap(f, true, false);
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *copy = malloc(cut ? cut : 1); /* exact size: ASan sees any overread */
        memcpy(copy, f, cut);
        struct pcap_reader r;
        int rc = pcap_reader_init(&r, copy, cut);
        struct pcap_rec rec;
        int n = 0;
        while (rc >= 0 && n < 10 && (rc = pcap_reader_next(&r, &rec)) == 1) {
            cr_assert(rec.p >= copy && rec.p + rec.len <= copy + cut);
            n++;
        }
        cr_assert(lt(int, n, 3), "cut %zu", cut);
        if (cut >= 24 && rc < 0)
            cr_assert(lt(sz, r.err_off, cut));
        free(copy);
    }
}

/* Two encoded MDP packets (heartbeats) of sequence 7 and 8. */
static size_t two_packets(uint8_t *out, size_t cap, bool datamine)
{
    size_t off = 0;
    for (uint32_t seq = 7; seq <= 8; seq++) {
        uint8_t pkt[64];
        struct mdp3_enc e;
        cr_assert(
            eq(int, mdp3_enc_init(&e, pkt, sizeof pkt, seq, 1764000000000000000 + seq), GT_OK));
        cr_assert(eq(int, mdp3_enc_heartbeat12(&e), GT_OK));
        if (!datamine) {
            memcpy(out, pkt, mdp3_enc_len(&e));
            return mdp3_enc_len(&e);
        }
        int n = pcap_datamine_record(out + off, cap - off, pkt, mdp3_enc_len(&e));
        cr_assert(gt(int, n, 0));
        off += (size_t)n;
    }
    return off;
}

Test(pcap, datamine_records_yield_packets_timed_by_sending_time)
{
    uint8_t f[256];
    size_t len = two_packets(f, sizeof f, true);
    struct pcap_reader r;
    struct pcap_rec rec;
    cr_assert(eq(int, pcap_reader_init(&r, f, len), GT_OK));
    cr_assert(eq(int, r.format, PCAP_FMT_DATAMINE));
    for (uint32_t seq = 7; seq <= 8; seq++) {
        cr_assert(eq(int, pcap_reader_next(&r, &rec), 1));
        cr_assert(eq(sz, rec.len, 22));
        cr_assert(eq(u32, ld_le32(rec.p), seq));
        cr_assert(eq(i64, rec.ts_ns, 1764000000000000000 + seq));
        cr_assert(eq(sz, rec.off, (seq - 7) * 24));
    }
    cr_assert(eq(int, pcap_reader_next(&r, &rec), 0));
    /* A chain broken by a record shorter than a packet header is not DataMine,
     * nor any other format: refused. */
    st_le16(f + 24, 11);
    cr_assert(eq(int, pcap_reader_init(&r, f, len), GT_EINVAL));
}

Test(pcap, a_datamine_file_cut_inside_its_last_record_yields_the_whole_ones_then_the_cut)
{
    uint8_t f[256];
    size_t len = two_packets(f, sizeof f, true);
    /* Cut anywhere inside the second record (its length bytes or its packet). */
    for (size_t cut = 25; cut < len; cut++) {
        uint8_t *copy = malloc(cut); /* exact size: ASan sees any overread */
        memcpy(copy, f, cut);
        struct pcap_reader r;
        struct pcap_rec rec;
        cr_assert(eq(int, pcap_reader_init(&r, copy, cut), GT_OK));
        cr_assert(eq(int, r.format, PCAP_FMT_DATAMINE), "cut %zu", cut);
        cr_assert(eq(int, pcap_reader_next(&r, &rec), 1));
        cr_assert(eq(u32, ld_le32(rec.p), 7));
        cr_assert(eq(int, pcap_reader_next(&r, &rec), GT_ETRUNC), "cut %zu", cut);
        cr_assert(eq(sz, r.err_off, 24), "the cut record's offset");
        free(copy);
    }
    /* Cut inside the first record, its framing proves nothing: refused. */
    struct pcap_reader r;
    cr_assert(eq(int, pcap_reader_init(&r, f, 20), GT_EINVAL));
}

Test(pcap, a_file_that_is_neither_is_one_raw_packet)
{
    uint8_t f[64];
    size_t len = two_packets(f, sizeof f, false);
    struct pcap_reader r;
    struct pcap_rec rec;
    cr_assert(eq(int, pcap_reader_init(&r, f, len), GT_OK));
    cr_assert(eq(int, r.format, PCAP_FMT_RAW));
    cr_assert(eq(int, pcap_reader_next(&r, &rec), 1));
    cr_assert(rec.p == f);
    cr_assert(eq(sz, rec.len, len));
    cr_assert(eq(i64, rec.ts_ns, 1764000000000000007));
    cr_assert(eq(int, pcap_reader_next(&r, &rec), 0));
}

Test(pcap, writer_refuses_an_oversized_datagram_and_a_bad_path, .timeout = 10)
{
    char err[GT_ERRLEN];
    struct pcap_writer w;
    cr_assert(eq(int, pcap_writer_open(&w, "/nonexistent/dir/x.pcap", err), GT_EIO));
    cr_assert_not_null(strstr(err, "/nonexistent/dir/x.pcap"));
    static const uint8_t payload[65508];
    uint8_t out[128];
    cr_assert(eq(int, pcap_frame_udp(out, sizeof out, 0, 1, 2, 3, 4, payload, 65508), GT_EINVAL));
    cr_assert(eq(int, pcap_frame_udp(out, sizeof out, 0, 1, 2, 3, 4, payload, 100), GT_ETRUNC));
    cr_assert(eq(int, pcap_frame_udp(out, sizeof out, 0, 1, 2, 3, 4, payload, 70), 16 + 42 + 70));
    /* The IPv4 header checksum verifies: summing the header with it gives 0. */
    cr_assert(eq(u16, pcap_ip_checksum(out + 16 + 14, 20), 0));
}
