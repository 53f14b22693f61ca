/* SPDX-License-Identifier: MIT */
/* fuzz_pcap.c -- the capture reader on arbitrary bytes.
 *
 * The input is a whole capture file (libpcap in either byte order over Ethernet,
 * Linux cooked SLL or SLL2; DataMine, whole or cut in its last record; pcapng
 * in either byte order; or raw). Invariants: an input refused at init is not a
 * capture, a short libpcap header or a link type not read; every record's payload view lies inside
 * the input, records come in file order, the count is bounded by the input size, an error carries a
 * file offset inside the input; and a UDP payload read from a libpcap file, framed again by the
 * writer (as Ethernet) and read back, gives the same payload, ports, addresses and time (from a
 * pcapng file too, where its time fits the writer). The reader's counters agree with what it
 * yielded. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gputick/err.h"
#include "pcap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t frame[PCAP_FILE_HDR_LEN + PCAP_REC_HDR_LEN + PCAP_UDP_HDRS_LEN + 65536];

static void must(int ok)
{
    if (!ok)
        abort();
}

/* Writes rec as a one-record capture and reads it back. */
static void check_rewrite(const struct pcap_rec *rec)
{
    pcap_file_header(frame);
    int n =
        pcap_frame_udp(frame + PCAP_FILE_HDR_LEN, sizeof frame - PCAP_FILE_HDR_LEN, rec->ts_ns,
                       rec->src_ip, rec->src_port, rec->dst_ip, rec->dst_port, rec->p, rec->len);
    if (n == GT_EINVAL) {
        must(rec->len > 65507);
        return;
    }
    must(n > 0);
    struct pcap_reader r;
    must(pcap_reader_init(&r, frame, PCAP_FILE_HDR_LEN + (size_t)n) == GT_OK);
    struct pcap_rec back;
    must(pcap_reader_next(&r, &back) == 1);
    must(back.len == rec->len && !memcmp(back.p, rec->p, rec->len));
    must(back.ts_ns == rec->ts_ns && back.src_ip == rec->src_ip && back.dst_ip == rec->dst_ip);
    must(back.src_port == rec->src_port && back.dst_port == rec->dst_port);
    must(pcap_reader_next(&r, &back) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pcap_reader r;
    int rc = pcap_reader_init(&r, data, size);
    if (rc < 0) {
        must(rc == GT_EINVAL || rc == GT_ETRUNC || rc == GT_EVERSION);
        return 0;
    }
    struct pcap_rec rec;
    size_t last_off = 0;
    uint64_t n = 0;
    while ((rc = pcap_reader_next(&r, &rec)) > 0) {
        must(++n <= size + 1);
        must(rec.p >= data && rec.p + rec.len <= data + size);
        must(n == 1 || rec.off > last_off);
        last_off = rec.off;
        /* The writer stores whole seconds in 32 bits: a usec/nsec field past one
         * second can carry a time beyond 2106, which it cannot write. */
        if ((r.format == PCAP_FMT_LIBPCAP || r.format == PCAP_FMT_PCAPNG) && rec.ts_ns >= 0 &&
            rec.ts_ns / 1000000000 <= UINT32_MAX)
            check_rewrite(&rec);
    }
    if (rc < 0) {
        must(rc == GT_ETRUNC || rc == GT_EBADMSG);
        must(r.err_off < size);
    }
    /* n_records counts every record read: the yielded, the skipped, and a bad one. */
    must(r.n_records >= n + r.n_skipped && r.n_records <= n + r.n_skipped + 1);
    return 0;
}
