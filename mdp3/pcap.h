/* SPDX-License-Identifier: MIT */
/* pcap.h -- capture files in and out: libpcap, pcapng and CME DataMine.
 *
 * The reader yields the UDP payloads of a capture as views into a buffer the
 * caller gives (or a file this module maps read-only), each with its capture
 * time and its addresses. It reads classic libpcap files in both byte orders with
 * microsecond or nanosecond timestamps, link types Ethernet (with an optional
 * 802.1Q tag), Linux cooked SLL and SLL2 (captures on "any"), over IPv4/UDP;
 * frames that are not IPv4/UDP are skipped and counted. It reads pcapng files
 * too, in either byte order and over any number of sections: Interface
 * Description Blocks (their link type, one of the three above, snap length and
 * if_tsresol), Enhanced and Simple Packet Blocks; other blocks are skipped.
 * It also reads CME DataMine packet-capture files, which are not libpcap: records
 * of a u16 length and that many bytes of MDP packet (12-byte packet header, then
 * messages); their time is the packet's SendingTime, their addresses zero. A file
 * whose first records are whole MDP packets is DataMine even if its last record
 * is cut short: the reader yields the records before the cut, then GT_ETRUNC with
 * the cut record's offset. A file that is exactly one MDP packet (CME's worked
 * example) is read as that one packet. Each format is taken only when the
 * file's framing proves it (a magic and a whole first header, or MDP packets
 * that chain exactly); anything else, an empty file included, is refused and
 * never guessed to be a capture. Nothing is allocated per record.
 *
 * The writer frames payloads as Ethernet/IPv4/UDP (IPv4 header checksum set, UDP
 * checksum 0 as IPv4 allows) in a nanosecond-magic pcap that tcpdump and tshark
 * open.
 *
 * libpcap file header, 24 bytes (in the writer's byte order; magic tells):
 *   OFFSET 0 SIZE 4 magic 0xA1B2C3D4 (us) or 0xA1B23C4D (ns) | 4 2 version major 2 |
 *   6 2 minor 4 | 8 4 thiszone | 12 4 sigfigs | 16 4 snaplen | 20 4 linktype (1 Ethernet)
 * Record header, 16 bytes: 0 4 ts_sec | 4 4 ts_usec or ts_nsec | 8 4 incl_len | 12 4 orig_len
 * Link headers (big-endian): Ethernet 14, EtherType at 12 (+4 for 802.1Q 0x8100);
 *   SLL (113) 16, protocol at 14; SLL2 (276) 20, protocol at 0.
 * IPv4 20+ (IHL), UDP 8: 0 2 src port | 2 2 dst port | 4 2 length | 6 2 checksum
 *   (all big-endian).
 * pcapng blocks (in the section's byte order): 0 4 type | 4 4 total length |
 *   body | total length again; lengths are multiples of 4.
 *   SHB 0x0A0D0D0A: 8 4 byte-order magic 0x1A2B3C4D | 12 2 major 1 | 14 2 minor |
 *     16 8 section length | options.
 *   IDB 1: 8 2 link type | 10 2 reserved | 12 4 snaplen | options (code 9
 *     if_tsresol, 1 byte: 10^-v s, or 2^-v with the top bit; default 6).
 *   EPB 6: 8 4 interface | 12 4 ts high | 16 4 ts low | 20 4 captured length |
 *     24 4 original length | 28 data padded to 4 | options.
 *   SPB 3: 8 4 original length | 12 data (captured: the block's room, capped by
 *     interface 0's snaplen); no timestamp (0).
 * DataMine record: OFFSET 0 SIZE 2 length u16 LE | OFFSET 2 SIZE length MDP packet. */
#ifndef GT_PCAP_H
#define GT_PCAP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gputick/err.h"

enum pcap_format {
    PCAP_FMT_LIBPCAP = 1,
    PCAP_FMT_DATAMINE = 2,
    PCAP_FMT_RAW = 3,
    PCAP_FMT_PCAPNG = 4,
};

enum {
    PCAP_FILE_HDR_LEN = 24,
    PCAP_REC_HDR_LEN = 16,
    PCAP_UDP_HDRS_LEN = 14 + 20 + 8, /* what the writer puts before a payload */
    PCAP_LINKTYPE_ETHERNET = 1,
    PCAP_LINKTYPE_LINUX_SLL = 113,
    PCAP_LINKTYPE_LINUX_SLL2 = 276,
    PCAP_NG_MAX_IFACES = 16, /* packets of later interfaces are skipped and counted */
};

/* What a refused file is told it could have been. */
#define PCAP_FORMATS_ACCEPTED                                                                      \
    "the formats read are libpcap and pcapng (Ethernet, Linux cooked SLL or SLL2), CME "           \
    "DataMine, and one bare MDP 3.0 packet"

/* A pcapng interface, as its Interface Description Block describes it. */
struct pcap_iface {
    uint32_t linktype;
    uint32_t snaplen; /* 0: none */
    uint8_t tsresol;  /* if_tsresol */
};

/* One UDP payload (or DataMine / raw packet): a view valid while the reader is open. */
struct pcap_rec {
    const uint8_t *p;
    size_t len;
    int64_t ts_ns;   /* capture time, ns since the epoch */
    uint32_t src_ip; /* host order; 0 for DataMine and raw */
    uint32_t dst_ip; /* the multicast group */
    uint16_t src_port;
    uint16_t dst_port;
    size_t off; /* of the record in the file */
};

struct pcap_reader {
    const uint8_t *p;
    size_t len;
    size_t off;
    enum pcap_format format;
    bool swapped;      /* libpcap or the pcapng section written in the other byte order */
    bool nanos;        /* libpcap nanosecond magic */
    uint32_t linktype; /* libpcap: PCAP_LINKTYPE_*; pcapng: the last packet's interface's */
    uint32_t n_ifaces; /* pcapng: interfaces of the current section */
    struct pcap_iface ifaces[PCAP_NG_MAX_IFACES];
    uint64_t n_records;
    uint64_t n_skipped; /* frames not Ethernet/IPv4/UDP, IP fragments, cut by snaplen */
    size_t err_off;     /* file offset of the last error */
    void *map;          /* set when opened from a path */
    size_t map_len;
};

/* Reads a capture held in memory (p must outlive the reader); detects its format.
 * Returns GT_OK; GT_EINVAL for a file that is none of the formats read (an empty
 * one included); GT_EVERSION for a libpcap file, or a pcapng file's first
 * interface, of a link type not read here (r->linktype says which); GT_ETRUNC
 * for a libpcap file shorter than its header. */
int pcap_reader_init(struct pcap_reader *r, const uint8_t *p, size_t len);

/* Maps the file at path read-only and calls pcap_reader_init. Returns GT_OK,
 * GT_EIO (a directory, not a regular file, or a system error), or the init
 * error; err then says what in one line naming the file (a file of no format
 * read, with PCAP_FORMATS_ACCEPTED; another link type by its number), and
 * nothing is left mapped. After GT_OK, close with pcap_reader_close. */
int pcap_reader_open(struct pcap_reader *r, const char *path, char err[GT_ERRLEN]);

/* Unmaps a file opened by pcap_reader_open; does nothing for a memory reader. */
void pcap_reader_close(struct pcap_reader *r);

/* Yields the next payload. Returns 1 and fills *rec, 0 at the end, GT_ETRUNC if a
 * record or block runs past the end of the file, GT_EBADMSG if a header is
 * corrupt (an IPv4/UDP length that contradicts its frame, a DataMine length
 * below 12, a pcapng block whose lengths disagree or a packet of an interface
 * not described); on error r->err_off is the file offset of the bad record. */
int pcap_reader_next(struct pcap_reader *r, struct pcap_rec *rec);

/* Writes a nanosecond-magic Ethernet libpcap file header into out. */
void pcap_file_header(uint8_t out[PCAP_FILE_HDR_LEN]);

/* Writes one record (record header, Ethernet, IPv4, UDP, payload) into out.
 * Addresses in host order. Returns bytes written, or GT_ETRUNC if cap is too small,
 * GT_EINVAL if len exceeds 65507 (the largest UDP payload over IPv4). */
int pcap_frame_udp(uint8_t *out, size_t cap, int64_t ts_ns, uint32_t src_ip, uint16_t src_port,
                   uint32_t dst_ip, uint16_t dst_port, const uint8_t *p, size_t len);

/* Writes one DataMine record (u16 length + packet). Returns bytes written, or
 * GT_ETRUNC if cap is too small, GT_EINVAL if len exceeds 65535. */
int pcap_datamine_record(uint8_t *out, size_t cap, const uint8_t *p, size_t len);

/* Internet checksum (RFC 1071) of len bytes, as stored big-endian in a header. */
uint16_t pcap_ip_checksum(const uint8_t *p, size_t len);

/* A capture file being written. */
struct pcap_writer {
    int fd;
    uint64_t n_records;
};

/* Creates (truncates) path and writes the file header. Returns GT_OK or GT_EIO. */
int pcap_writer_open(struct pcap_writer *w, const char *path, char err[GT_ERRLEN]);
/* Appends one UDP datagram. Returns GT_OK, GT_EINVAL (too long) or GT_EIO. */
int pcap_writer_write(struct pcap_writer *w, int64_t ts_ns, uint32_t src_ip, uint16_t src_port,
                      uint32_t dst_ip, uint16_t dst_port, const uint8_t *p, size_t len);
/* Closes the file. Returns GT_OK or GT_EIO. */
int pcap_writer_close(struct pcap_writer *w);

#endif
