/* SPDX-License-Identifier: MIT */
/* pcapng.h -- a pcapng writer for the tests: a libpcap file (as pcap_writer
 * writes it: nanosecond magic, little-endian) rewritten block by block as
 * pcapng, laid out from the pcapng specification (draft-ietf-opsawg-pcapng):
 * a Section Header Block, an Interface Description Block with the capture's
 * link type, then one Enhanced (or Simple) Packet Block per record. Options
 * choose the byte order, the timestamp resolution, Simple Packet Blocks, and
 * blocks the reader must step over (a Name Resolution Block, and a second
 * section in the other byte order for the second half of the records). */
#ifndef GT_TEST_PCAPNG_H
#define GT_TEST_PCAPNG_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "gputick/bytes.h"

struct ng_opts {
    bool big;    /* the first section big-endian */
    bool spb;    /* Simple Packet Blocks: no interface id, no timestamp */
    int tsresol; /* if_tsresol: 9 for ns; 0 for no option (microseconds) */
    bool extra;  /* a Name Resolution Block, and a second section */
};

struct ng_out {
    uint8_t *p;
    size_t len, cap;
    bool big;
};

static void ng_put32(struct ng_out *o, size_t at, uint32_t v)
{
    if (o->big)
        st_be32(o->p + at, v);
    else
        st_le32(o->p + at, v);
}

static void ng_put16(struct ng_out *o, size_t at, uint16_t v)
{
    if (o->big) {
        o->p[at] = (uint8_t)(v >> 8);
        o->p[at + 1] = (uint8_t)v;
    } else {
        st_le16(o->p + at, v);
    }
}

/* Opens a block of type with body bytes (zeroed); returns its offset, or
 * SIZE_MAX if it does not fit. ng_end closes it. */
static size_t ng_begin(struct ng_out *o, uint32_t type, size_t body)
{
    size_t n = 12 + (body + 3) / 4 * 4;
    if (o->cap - o->len < n)
        return SIZE_MAX;
    size_t at = o->len;
    memset(o->p + at, 0, n);
    ng_put32(o, at, type);
    ng_put32(o, at + 4, (uint32_t)n);
    ng_put32(o, at + n - 4, (uint32_t)n);
    o->len += n;
    return at;
}

static bool ng_section(struct ng_out *o, uint32_t linktype, int tsresol)
{
    size_t at = ng_begin(o, 0x0A0D0D0A, 16);
    if (at == SIZE_MAX)
        return false;
    ng_put32(o, at + 8, 0x1A2B3C4D);
    ng_put16(o, at + 12, 1);
    memset(o->p + at + 16, 0xFF, 8); /* section length unknown */
    at = ng_begin(o, 1, tsresol ? 8 + 8 + 4 : 8);
    if (at == SIZE_MAX)
        return false;
    ng_put16(o, at + 8, (uint16_t)linktype);
    ng_put32(o, at + 12, 0); /* no snap length */
    if (tsresol) {
        ng_put16(o, at + 16, 9); /* if_tsresol, 1 byte, padded */
        ng_put16(o, at + 18, 1);
        o->p[at + 20] = (uint8_t)tsresol;
        /* opt_endofopt (0, 0) at at + 24 is already zero */
    }
    return true;
}

/* Rewrites the libpcap file in[0..len) into out; returns the pcapng length, or 0
 * if out is too small or in is not such a file. */
static size_t pcapng_from_pcap(const uint8_t *in, size_t len, const struct ng_opts *opt,
                               uint8_t *out, size_t cap)
{
    if (len < 24 || ld_le32(in) != 0xA1B23C4Du)
        return 0;
    uint32_t linktype = ld_le32(in + 20);
    struct ng_out o = {out, 0, cap, opt->big};
    if (!ng_section(&o, linktype, opt->tsresol))
        return 0;
    if (opt->extra) { /* a Name Resolution Block holding only nrb_record_end */
        if (ng_begin(&o, 4, 4) == SIZE_MAX)
            return 0;
    }
    size_t n_recs = 0;
    for (size_t off = 24; off + 16 <= len; n_recs++)
        off += 16 + ld_le32(in + off + 8);
    size_t k = 0;
    for (size_t off = 24; off + 16 <= len; k++) {
        uint64_t sec = ld_le32(in + off), ns = ld_le32(in + off + 4);
        size_t incl = ld_le32(in + off + 8), orig = ld_le32(in + off + 12);
        const uint8_t *data = in + off + 16;
        off += 16 + incl;
        if (opt->extra && k == n_recs / 2) { /* a second section, the other byte order */
            o.big = !o.big;
            if (!ng_section(&o, linktype, opt->tsresol))
                return 0;
        }
        if (opt->spb) {
            size_t at = ng_begin(&o, 3, 4 + incl);
            if (at == SIZE_MAX)
                return 0;
            ng_put32(&o, at + 8, (uint32_t)orig);
            memcpy(o.p + at + 12, data, incl);
            continue;
        }
        uint64_t t = sec * 1000000000u + ns;
        if (opt->tsresol != 9)
            t /= 1000; /* microseconds */
        size_t at = ng_begin(&o, 6, 20 + incl);
        if (at == SIZE_MAX)
            return 0;
        ng_put32(&o, at + 12, (uint32_t)(t >> 32));
        ng_put32(&o, at + 16, (uint32_t)t);
        ng_put32(&o, at + 20, (uint32_t)incl);
        ng_put32(&o, at + 24, (uint32_t)orig);
        memcpy(o.p + at + 28, data, incl);
    }
    return o.len;
}

#endif
