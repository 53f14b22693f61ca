/* SPDX-License-Identifier: MIT */
/* pcap.c -- capture files in and out (contract in pcap.h).
 *
 * The reader walks the records of a buffer, checking each header against the
 * bytes left before it reads it, and peels the link header (Ethernet with an
 * optional 802.1Q tag, or Linux cooked SLL / SLL2), IPv4 and UDP off libpcap
 * frames, and walks pcapng blocks (SHB, IDB, EPB, SPB; others skipped) by their
 * lengths, each checked against its trailing copy. Format detection, each by
 * what its framing proves: a libpcap magic in either byte order; a pcapng
 * Section Header Block whose byte-order magic and both lengths agree; DataMine
 * if its first records are whole MDP packets (their messages, of a known schema,
 * chain exactly to the record's end), so that a file cut inside its last record
 * is still DataMine and its reader stops there with the offset; one raw MDP
 * packet if the whole file is one such packet. Anything else, an empty file
 * included, is refused (GT_EINVAL): it is never guessed to be a capture. */
#include "pcap.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gputick/bytes.h"

enum {
    MAGIC_US = 0xA1B2C3D4u,
    MAGIC_NS = 0xA1B23C4Du,
    MAGIC_PCAPNG = 0x0A0D0D0Au, /* the Section Header Block's type, a palindrome */
    NG_BOM = 0x1A2B3C4Du,       /* the SHB's byte-order magic */
    NG_IDB = 1,
    NG_SPB = 3,
    NG_EPB = 6,
    NG_SHB_MIN = 28, /* type, length, magic, version, section length, length */
    NG_IDB_MIN = 20,
    NG_EPB_MIN = 32,
    NG_SPB_MIN = 16,
    NG_OPT_TSRESOL = 9,
    ETH_HDR_LEN = 14,
    SLL_HDR_LEN = 16,  /* protocol at 14 */
    SLL2_HDR_LEN = 20, /* protocol at 0 */
    ETHERTYPE_IPV4 = 0x0800,
    ETHERTYPE_VLAN = 0x8100,
    IPPROTO_UDP_ = 17,
    UDP_HDR_LEN = 8,
    MDP_PKT_HDR = 12,
    MDP_MSG_HDR = 10,
    DATAMINE_PROBE = 64, /* records checked to tell DataMine from a raw packet */
};

static uint16_t ld_be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static void st_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static uint32_t ld32(const struct pcap_reader *r, const uint8_t *p)
{
    return r->swapped ? ld_be32(p) : ld_le32(p);
}

/* True if p[0..n) is one MDP packet whose messages chain exactly to its end,
 * each of schema 1 or 5 with its root block inside it; *n_msgs counts them. */
static bool mdp_packet_frames(const uint8_t *p, size_t n, size_t *n_msgs)
{
    size_t off = MDP_PKT_HDR;
    if (n < MDP_PKT_HDR)
        return false;
    while (off < n) {
        if (n - off < MDP_MSG_HDR)
            return false;
        size_t size = ld_le16(p + off), schema = ld_le16(p + off + 6);
        if (size < MDP_MSG_HDR || size > n - off || ld_le16(p + off + 2) > size - MDP_MSG_HDR ||
            (schema != 1 && schema != 5))
            return false;
        off += size;
        ++*n_msgs;
    }
    return true;
}

/* True if p holds DataMine records: its first records (up to DATAMINE_PROBE) are
 * whole MDP packets, and after them the file ends, or its last record is cut
 * short (the reader then yields the records before it and reports the cut), or
 * at least two good records came before a bad one. A raw packet does not chain
 * like that. */
static bool datamine_chain(const uint8_t *p, size_t len)
{
    size_t off = 0, n_msgs = 0;
    int good = 0;
    while (off < len && good < DATAMINE_PROBE) {
        if (len - off < 2)
            return good >= 1 && n_msgs >= 1; /* cut inside the length */
        size_t n = ld_le16(p + off);
        if (n > len - off - 2)
            return good >= 1 && n_msgs >= 1 && n >= MDP_PKT_HDR; /* cut inside the packet */
        if (!mdp_packet_frames(p + off + 2, n, &n_msgs))
            return good >= 2;
        off += 2 + n;
        good++;
    }
    return good >= 1 && n_msgs >= 1;
}

/* Where a libpcap frame's IPv4 header starts for each link type read here, and
 * where its 16-bit EtherType or protocol field is. */
static bool link_layout(uint32_t linktype, size_t *hdr, size_t *proto)
{
    switch (linktype) {
    case PCAP_LINKTYPE_ETHERNET:
        *hdr = ETH_HDR_LEN, *proto = 12;
        return true;
    case PCAP_LINKTYPE_LINUX_SLL:
        *hdr = SLL_HDR_LEN, *proto = 14;
        return true;
    case PCAP_LINKTYPE_LINUX_SLL2:
        *hdr = SLL2_HDR_LEN, *proto = 0;
        return true;
    }
    return false;
}

/* ---- pcapng ---------------------------------------------------------------- */

static int frame_take(struct pcap_reader *r, size_t at, const uint8_t *f, size_t cap, size_t orig,
                      struct pcap_rec *rec);
static int rd_fail(struct pcap_reader *r, size_t off, int rc);

/* Frames the pcapng block at r->off: *type and *blen (its total length, at least
 * 12, a multiple of 4, inside the file, equal to its trailing copy). A Section
 * Header Block first sets the byte order from its magic and forgets the
 * section's interfaces. Returns GT_OK, GT_ETRUNC or GT_EBADMSG. */
static int ng_block(struct pcap_reader *r, uint32_t *type, size_t *blen)
{
    size_t rest = r->len - r->off;
    const uint8_t *b = r->p + r->off;
    if (rest < 12)
        return GT_ETRUNC;
    uint32_t t = ld_le32(b); /* the SHB's type reads the same in either order */
    if (t == MAGIC_PCAPNG) {
        uint32_t bom = ld_le32(b + 8);
        if (bom != NG_BOM && __builtin_bswap32(bom) != NG_BOM)
            return GT_EBADMSG;
        r->swapped = bom != NG_BOM;
        r->n_ifaces = 0;
    } else {
        t = ld32(r, b);
    }
    size_t n = ld32(r, b + 4);
    if (n < 12 || n % 4 || (t == MAGIC_PCAPNG && n < NG_SHB_MIN))
        return GT_EBADMSG;
    if (n > rest)
        return GT_ETRUNC;
    if (ld32(r, b + n - 4) != n)
        return GT_EBADMSG;
    *type = t;
    *blen = n;
    return GT_OK;
}

/* Reads an Interface Description Block of n bytes at b: its link type and the
 * resolution of its timestamps (if_tsresol; microseconds by default). */
static int ng_idb(struct pcap_reader *r, const uint8_t *b, size_t n)
{
    if (n < NG_IDB_MIN)
        return GT_EBADMSG;
    struct pcap_iface f = {.linktype = (r->swapped ? ld_be16(b + 8) : ld_le16(b + 8)),
                           .snaplen = ld32(r, b + 12),
                           .tsresol = 6};
    size_t off = 16, end = n - 4;
    while (end - off >= 4) { /* options: code, length, value padded to 4 */
        uint16_t code = r->swapped ? ld_be16(b + off) : ld_le16(b + off);
        size_t olen = r->swapped ? ld_be16(b + off + 2) : ld_le16(b + off + 2);
        if (code == 0)
            break;
        if ((olen + 3) / 4 * 4 > end - off - 4)
            return GT_EBADMSG;
        if (code == NG_OPT_TSRESOL && olen >= 1)
            f.tsresol = b[off + 4];
        off += 4 + (olen + 3) / 4 * 4;
    }
    if (r->n_ifaces < PCAP_NG_MAX_IFACES)
        r->ifaces[r->n_ifaces] = f;
    r->n_ifaces++;
    return GT_OK;
}

/* A pcapng timestamp in units of 10^-v (or 2^-v with the top bit) seconds, in ns. */
static int64_t ng_ns(uint64_t ts, uint8_t res)
{
    if (res & 0x80) {
        unsigned k = res & 0x7F;
        if (k > 63)
            return 0;
        return (int64_t)(((unsigned __int128)ts * 1000000000u) >> k);
    }
    uint64_t v = ts;
    for (unsigned i = res; i < 9; i++)
        v *= 10;
    for (unsigned i = 9; i < res && v; i++)
        v /= 10;
    return (int64_t)v;
}

/* A pcapng file is one when it opens with a whole Section Header Block. The link
 * type of an interface described right after it is checked here, as libpcap's is. */
static int ng_init(struct pcap_reader *r)
{
    uint32_t type;
    size_t n;
    if (ng_block(r, &type, &n) < 0)
        return GT_EINVAL; /* the magic alone proves nothing */
    r->format = PCAP_FMT_PCAPNG;
    size_t at = r->off;
    r->off += n;
    if (r->off < r->len && ng_block(r, &type, &n) == GT_OK && type == NG_IDB) {
        size_t hdr, proto;
        uint32_t lt = r->swapped ? ld_be16(r->p + r->off + 8) : ld_le16(r->p + r->off + 8);
        if (!link_layout(lt, &hdr, &proto)) {
            r->linktype = lt;
            return GT_EVERSION;
        }
    }
    r->off = at; /* the reader reads the SHB again, and with it the byte order */
    return GT_OK;
}

/* Yields the next packet of a pcapng file (see pcap_reader_next). */
static int ng_next(struct pcap_reader *r, struct pcap_rec *rec)
{
    for (;;) {
        if (r->off >= r->len)
            return 0;
        uint32_t type;
        size_t n;
        int rc = ng_block(r, &type, &n);
        if (rc < 0)
            return rd_fail(r, r->off, rc);
        const uint8_t *b = r->p + r->off;
        size_t at = r->off;
        r->off += n;
        if (type == MAGIC_PCAPNG)
            continue;
        if (type == NG_IDB) {
            if ((rc = ng_idb(r, b, n)) < 0)
                return rd_fail(r, at, rc);
            continue;
        }
        if (type != NG_EPB && type != NG_SPB)
            continue; /* name resolution, statistics, custom blocks */
        uint32_t ifc = 0;
        size_t cap, orig, data;
        uint64_t ts = 0;
        if (type == NG_EPB) {
            if (n < NG_EPB_MIN)
                return rd_fail(r, at, GT_EBADMSG);
            ifc = ld32(r, b + 8);
            ts = (uint64_t)ld32(r, b + 12) << 32 | ld32(r, b + 16);
            cap = ld32(r, b + 20);
            orig = ld32(r, b + 24);
            data = 28;
            if (cap > n - NG_EPB_MIN)
                return rd_fail(r, at, GT_EBADMSG);
        } else {
            if (n < NG_SPB_MIN)
                return rd_fail(r, at, GT_EBADMSG);
            orig = ld32(r, b + 8);
            data = 12;
            cap = orig < n - NG_SPB_MIN ? orig : n - NG_SPB_MIN;
        }
        if (ifc >= r->n_ifaces) /* a packet of an interface not described */
            return rd_fail(r, at, GT_EBADMSG);
        r->n_records++;
        const struct pcap_iface *f = ifc < PCAP_NG_MAX_IFACES ? &r->ifaces[ifc] : NULL;
        if (f && type == NG_SPB && f->snaplen && cap > f->snaplen)
            cap = f->snaplen;
        r->linktype = f ? f->linktype : 0; /* 0, no link type read: skipped */
        if ((rc = frame_take(r, at, b + data, cap, orig, rec)) <= 0) {
            if (rc < 0)
                return rc;
            continue;
        }
        rec->ts_ns = ng_ns(ts, f ? f->tsresol : 6);
        return 1;
    }
}

int pcap_reader_init(struct pcap_reader *r, const uint8_t *p, size_t len)
{
    memset(r, 0, sizeof *r);
    r->p = p;
    r->len = len;
    uint32_t magic = len >= 4 ? ld_le32(p) : 0;
    if (magic == MAGIC_US || magic == MAGIC_NS || __builtin_bswap32(magic) == MAGIC_US ||
        __builtin_bswap32(magic) == MAGIC_NS) {
        r->format = PCAP_FMT_LIBPCAP;
        r->swapped = magic != MAGIC_US && magic != MAGIC_NS;
        r->nanos = magic == MAGIC_NS || __builtin_bswap32(magic) == MAGIC_NS;
        if (len < PCAP_FILE_HDR_LEN)
            return GT_ETRUNC;
        /* The top bits of the field carry FCS information, not the link type. */
        r->linktype = ld32(r, p + 20) & 0xFFFFFFu;
        size_t hdr, proto;
        if (!link_layout(r->linktype, &hdr, &proto))
            return GT_EVERSION;
        r->off = PCAP_FILE_HDR_LEN;
        return GT_OK;
    }
    if (magic == MAGIC_PCAPNG)
        return ng_init(r);
    size_t n_msgs = 0;
    if (datamine_chain(p, len))
        r->format = PCAP_FMT_DATAMINE;
    else if (mdp_packet_frames(p, len, &n_msgs) && n_msgs)
        r->format = PCAP_FMT_RAW;
    else
        return GT_EINVAL;
    return GT_OK;
}

/* The reason pcap_reader_init refused a file, for a person. */
static void init_fail_msg(const struct pcap_reader *r, int rc, const char *path,
                          char err[GT_ERRLEN])
{
    if (rc == GT_EINVAL)
        snprintf(err, GT_ERRLEN, "%s: %s; %s", path,
                 r->len ? "not a capture file" : "an empty file", PCAP_FORMATS_ACCEPTED);
    else if (rc == GT_EVERSION)
        snprintf(err, GT_ERRLEN,
                 "%s: %s link type %u is not supported (Ethernet 1, Linux cooked SLL 113 "
                 "and SLL2 276 are)",
                 path, r->format == PCAP_FMT_PCAPNG ? "pcapng" : "libpcap", (unsigned)r->linktype);
    else
        snprintf(err, GT_ERRLEN, "%s: %s", path, gt_strerror(rc));
}

int pcap_reader_open(struct pcap_reader *r, const char *path, char err[GT_ERRLEN])
{
    memset(r, 0, sizeof *r);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, GT_ERRLEN, "%s: %s", path, strerror(errno));
        return GT_EIO;
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        snprintf(err, GT_ERRLEN, "%s: %s", path, strerror(errno));
        close(fd);
        return GT_EIO;
    }
    if (!S_ISREG(st.st_mode)) { /* mmap would say "No such device" */
        snprintf(err, GT_ERRLEN, "%s: %s", path,
                 S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
        close(fd);
        return GT_EIO;
    }
    void *map = NULL;
    size_t len = (size_t)st.st_size;
    if (len) {
        map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            snprintf(err, GT_ERRLEN, "%s: mmap: %s", path, strerror(errno));
            close(fd);
            return GT_EIO;
        }
    }
    close(fd);
    int rc = pcap_reader_init(r, map ? map : (const void *)"", len);
    if (rc < 0) { /* nothing stays mapped: the caller need not close a failed open */
        init_fail_msg(r, rc, path, err);
        if (map)
            munmap(map, len);
        memset(r, 0, sizeof *r);
        return rc;
    }
    r->map = map;
    r->map_len = len;
    return rc;
}

void pcap_reader_close(struct pcap_reader *r)
{
    if (r->map)
        munmap(r->map, r->map_len);
    r->map = NULL;
    r->map_len = 0;
}

static int rd_fail(struct pcap_reader *r, size_t off, int rc)
{
    r->err_off = off;
    return rc;
}

/* Peels the link header (Ethernet/VLAN, SLL or SLL2), IPv4 and UDP off a frame.
 * Returns 1 with the payload in rec, 0 if the frame is something else (skipped),
 * GT_EBADMSG if its lengths lie. */
static int frame_udp(const struct pcap_reader *r, const uint8_t *f, size_t n, struct pcap_rec *rec)
{
    size_t off = 0, proto = 0;
    if (!link_layout(r->linktype, &off, &proto) || n < off) /* the type: checked at init */
        return 0;
    uint16_t type = ld_be16(f + proto);
    if (type == ETHERTYPE_VLAN && r->linktype == PCAP_LINKTYPE_ETHERNET) {
        if (n < off + 4)
            return 0;
        type = ld_be16(f + proto + 4);
        off += 4;
    }
    if (type != ETHERTYPE_IPV4 || n - off < 20)
        return 0;
    const uint8_t *ip = f + off;
    if (ip[0] >> 4 != 4)
        return 0;
    size_t ihl = (size_t)(ip[0] & 15) * 4;
    size_t tot = ld_be16(ip + 2);
    if (ihl < 20 || tot < ihl || tot > n - off)
        return GT_EBADMSG;
    if (ip[9] != IPPROTO_UDP_ || (ld_be16(ip + 6) & 0x3FFF)) /* not UDP, or a fragment */
        return 0;
    if (tot - ihl < UDP_HDR_LEN)
        return GT_EBADMSG;
    const uint8_t *udp = ip + ihl;
    size_t ulen = ld_be16(udp + 4);
    if (ulen < UDP_HDR_LEN || ulen > tot - ihl)
        return GT_EBADMSG;
    rec->src_ip = ld_be32(ip + 12);
    rec->dst_ip = ld_be32(ip + 16);
    rec->src_port = ld_be16(udp);
    rec->dst_port = ld_be16(udp + 2);
    rec->p = udp + UDP_HDR_LEN;
    rec->len = ulen - UDP_HDR_LEN;
    return 1;
}

/* A frame of a record at file offset at: cap bytes captured at f of orig on the
 * wire. Returns 1 with its payload in rec, 0 if it is skipped and counted (cut
 * by the snap length, which is incomplete, not corrupt; or not IPv4/UDP), or the
 * error, with the record's offset. */
static int frame_take(struct pcap_reader *r, size_t at, const uint8_t *f, size_t cap, size_t orig,
                      struct pcap_rec *rec)
{
    int rc = cap < orig ? 0 : frame_udp(r, f, cap, rec);
    if (rc < 0)
        return rd_fail(r, at, rc);
    if (rc == 0)
        r->n_skipped++;
    else
        rec->off = at;
    return rc;
}

int pcap_reader_next(struct pcap_reader *r, struct pcap_rec *rec)
{
    memset(rec, 0, sizeof *rec);
    if (r->format == PCAP_FMT_RAW) {
        if (r->off >= r->len)
            return 0;
        rec->p = r->p;
        rec->len = r->len;
        rec->ts_ns = r->len >= MDP_PKT_HDR ? (int64_t)ld_le64(r->p + 4) : 0;
        r->off = r->len;
        r->n_records++;
        return 1;
    }
    if (r->format == PCAP_FMT_PCAPNG)
        return ng_next(r, rec);
    if (r->format == PCAP_FMT_DATAMINE) {
        if (r->off >= r->len)
            return 0;
        size_t rest = r->len - r->off;
        if (rest < 2)
            return rd_fail(r, r->off, GT_ETRUNC);
        size_t n = ld_le16(r->p + r->off);
        if (n < MDP_PKT_HDR)
            return rd_fail(r, r->off, GT_EBADMSG);
        if (rest - 2 < n)
            return rd_fail(r, r->off, GT_ETRUNC);
        rec->off = r->off;
        rec->p = r->p + r->off + 2;
        rec->len = n;
        rec->ts_ns = (int64_t)ld_le64(rec->p + 4);
        r->off += 2 + n;
        r->n_records++;
        return 1;
    }
    for (;;) {
        if (r->off >= r->len)
            return 0;
        size_t rest = r->len - r->off;
        const uint8_t *h = r->p + r->off;
        if (rest < PCAP_REC_HDR_LEN)
            return rd_fail(r, r->off, GT_ETRUNC);
        size_t incl = ld32(r, h + 8);
        if (incl > rest - PCAP_REC_HDR_LEN)
            return rd_fail(r, r->off, GT_ETRUNC);
        uint32_t frac = ld32(r, h + 4);
        if (frac >= (r->nanos ? 1000000000u : 1000000u))
            return rd_fail(r, r->off, GT_EBADMSG);
        size_t at = r->off;
        r->off += PCAP_REC_HDR_LEN + incl;
        r->n_records++;
        int rc = frame_take(r, at, h + PCAP_REC_HDR_LEN, incl, ld32(r, h + 12), rec);
        if (rc <= 0) {
            if (rc < 0)
                return rc;
            continue;
        }
        rec->ts_ns = (int64_t)ld32(r, h) * 1000000000 + (int64_t)frac * (r->nanos ? 1 : 1000);
        return 1;
    }
}

void pcap_file_header(uint8_t out[PCAP_FILE_HDR_LEN])
{
    st_le32(out, MAGIC_NS);
    st_le16(out + 4, 2);
    st_le16(out + 6, 4);
    st_le32(out + 8, 0);
    st_le32(out + 12, 0);
    st_le32(out + 16, 65535);
    st_le32(out + 20, PCAP_LINKTYPE_ETHERNET);
}

uint16_t pcap_ip_checksum(const uint8_t *p, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += ld_be16(p + i);
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

int pcap_frame_udp(uint8_t *out, size_t cap, int64_t ts_ns, uint32_t src_ip, uint16_t src_port,
                   uint32_t dst_ip, uint16_t dst_port, const uint8_t *p, size_t len)
{
    if (len > 65507)
        return GT_EINVAL;
    size_t frame = PCAP_UDP_HDRS_LEN + len, total = PCAP_REC_HDR_LEN + frame;
    if (cap < total)
        return GT_ETRUNC;
    st_le32(out, (uint32_t)(ts_ns / 1000000000));
    st_le32(out + 4, (uint32_t)(ts_ns % 1000000000));
    st_le32(out + 8, (uint32_t)frame);
    st_le32(out + 12, (uint32_t)frame);
    uint8_t *eth = out + PCAP_REC_HDR_LEN;
    /* Destination MAC: the IPv4 multicast mapping 01:00:5e + low 23 bits (RFC 1112). */
    const uint8_t dmac[6] = {
        0x01,           0x00, 0x5e, (uint8_t)((dst_ip >> 16) & 0x7F), (uint8_t)(dst_ip >> 8),
        (uint8_t)dst_ip};
    const uint8_t smac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01}; /* locally administered */
    memcpy(eth, dmac, 6);
    memcpy(eth + 6, smac, 6);
    st_be16(eth + 12, ETHERTYPE_IPV4);
    uint8_t *ip = eth + ETH_HDR_LEN;
    memset(ip, 0, 20);
    ip[0] = 0x45;
    st_be16(ip + 2, (uint16_t)(20 + UDP_HDR_LEN + len));
    st_be16(ip + 6, 0x4000); /* don't fragment */
    ip[8] = 1;               /* TTL */
    ip[9] = IPPROTO_UDP_;
    st_be32(ip + 12, src_ip);
    st_be32(ip + 16, dst_ip);
    st_be16(ip + 10, pcap_ip_checksum(ip, 20));
    uint8_t *udp = ip + 20;
    st_be16(udp, src_port);
    st_be16(udp + 2, dst_port);
    st_be16(udp + 4, (uint16_t)(UDP_HDR_LEN + len));
    st_be16(udp + 6, 0);
    if (len)
        memcpy(udp + UDP_HDR_LEN, p, len);
    return (int)total;
}

int pcap_datamine_record(uint8_t *out, size_t cap, const uint8_t *p, size_t len)
{
    if (len > 65535)
        return GT_EINVAL;
    if (cap < 2 + len)
        return GT_ETRUNC;
    st_le16(out, (uint16_t)len);
    memcpy(out + 2, p, len);
    return (int)(2 + len);
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return GT_EIO;
        p += n;
        len -= (size_t)n;
    }
    return GT_OK;
}

int pcap_writer_open(struct pcap_writer *w, const char *path, char err[GT_ERRLEN])
{
    w->n_records = 0;
    w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (w->fd < 0) {
        snprintf(err, GT_ERRLEN, "%s: %s", path, strerror(errno));
        return GT_EIO;
    }
    uint8_t h[PCAP_FILE_HDR_LEN];
    pcap_file_header(h);
    if (write_all(w->fd, h, sizeof h) < 0) {
        snprintf(err, GT_ERRLEN, "%s: %s", path, strerror(errno));
        close(w->fd);
        w->fd = -1;
        return GT_EIO;
    }
    return GT_OK;
}

int pcap_writer_write(struct pcap_writer *w, int64_t ts_ns, uint32_t src_ip, uint16_t src_port,
                      uint32_t dst_ip, uint16_t dst_port, const uint8_t *p, size_t len)
{
    uint8_t buf[PCAP_REC_HDR_LEN + PCAP_UDP_HDRS_LEN + 65507];
    int n = pcap_frame_udp(buf, sizeof buf, ts_ns, src_ip, src_port, dst_ip, dst_port, p, len);
    if (n < 0)
        return n;
    int rc = write_all(w->fd, buf, (size_t)n);
    if (rc == GT_OK)
        w->n_records++;
    return rc;
}

int pcap_writer_close(struct pcap_writer *w)
{
    if (w->fd < 0)
        return GT_OK;
    int rc = close(w->fd) < 0 ? GT_EIO : GT_OK;
    w->fd = -1;
    return rc;
}
