/* SPDX-License-Identifier: MIT */
/* dump.h -- MDP 3.0 packets and captures as readable text, for people.
 *
 * Every message of a packet is printed with every field the decoder returns,
 * as space-separated key=value tokens in wire order: one line per packet, one
 * line per message (indented two spaces), one line per group dimension (four)
 * and one per group entry (six). Prices are decimals ("2.75", PRICE9 and
 * Decimal64 alike), times are UTC ISO 8601 with nanoseconds
 * ("2026-11-25T14:30:00.000000001Z"), null values print "null", MatchEventIndicator
 * and other bit sets print in hex, char fields as the character, char[n] fields
 * quoted with their NUL padding dropped. A message of a template this codec
 * does not decode prints its header and "skipped"; a message that fails to
 * decode prints "error=<what> at=<offset of the message in the packet>"; a
 * packet that cannot be framed further prints "error=<what> at=<offset>".
 *
 *   packet len=68 seq=703398 sending_time=2021-10-01T14:40:53.939247451Z
 *     MDIncrementalRefreshLimitsBanding50 off=12 size=56 block=11 template=50 schema=1
 *       version=9 transact_time=2021-10-01T14:40:53.937623627Z mei=0x00   (one line)
 *       NoMDEntries block=32 n=1
 *         high_limit_px=null low_limit_px=9000 max_price_variation_px=10 ...
 *
 * A capture's dump ends with one summary line: packets, messages, those of
 * templates not decoded here (unknown), bad messages and packets, capture frames
 * the reader passed over (skipped_frames: TCP, ARP, IPv6, ...), the messages of
 * each template, and the reader's error if it stopped early:
 *
 *   summary packets=1 messages=7 unknown=0 bad_messages=0 bad_packets=0
 *     skipped_frames=0 templates=37:1,46:3,48:3   (one line)
 *
 * MDP3_DUMP_JSON prints JSON lines instead: one object per message, holding its
 * record's and packet's fields (record_off, ts, src, dst, packet_len, seq,
 * sending_time), its header (message: the template's name or null, off, size,
 * block, template, schema, version), its root fields and each group as an
 * array of entry objects ("NoMDEntries":[{...},...]); a message not decoded
 * here has "skipped":true, one that fails "error" and "at"; a packet that
 * cannot be framed is an object with "error" and "at"; the summary is
 * {"summary":{...}}. Prices are JSON numbers written exactly from the mantissa
 * (2.75), nulls null, times and dates strings, bit sets numbers, char fields
 * one-character strings.
 *
 * The output is for reading, not a stable interface; this module writes only to
 * the FILE it is given and allocates nothing. */
#ifndef GT_DUMP_H
#define GT_DUMP_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gputick/err.h"

enum mdp3_dump_style {
    MDP3_DUMP_TEXT = 0, /* indented key=value lines */
    MDP3_DUMP_JSON = 1, /* JSON lines, one object per message */
};

enum { MDP3_DUMP_TEMPLATES = 32 };

/* Messages of one (schema, template). */
struct mdp3_dump_template {
    uint16_t schema_id, template_id;
    uint64_t n;
};

/* What a dump saw; the caller zeroes it and may sum it over many calls. */
struct mdp3_dump_stats {
    uint64_t n_packets;
    uint64_t n_msgs;           /* framed messages, decoded or not */
    uint64_t n_unknown;        /* messages of a template or schema not decoded here, skipped */
    uint64_t n_bad_msgs;       /* messages that failed to decode */
    uint64_t n_bad_pkts;       /* packets that could not be framed to their end */
    uint64_t n_skipped_frames; /* capture frames the reader passed over (captures only) */
    struct mdp3_dump_template templates[MDP3_DUMP_TEMPLATES]; /* in order of first sight */
    size_t n_templates;
    uint64_t n_other_templates; /* messages of templates past the table */
};

/* Prints one MDP packet (12-byte header, then messages) to out, as text. Returns
 * the number of messages framed, or the first error (GT_ETRUNC, GT_EBADMSG) after
 * printing everything before it and an error line with its byte offset in the
 * packet. Adds to *st if st is not NULL. */
int mdp3_dump_packet(FILE *out, const uint8_t *pkt, size_t len, struct mdp3_dump_stats *st);
/* The same in either style. */
int mdp3_dump_packet_as(FILE *out, enum mdp3_dump_style style, const uint8_t *pkt, size_t len,
                        struct mdp3_dump_stats *st);

/* Prints every packet of a capture file (libpcap, pcapng, DataMine or one bare
 * packet; see pcap.h) as text, after a "capture" line, each packet preceded by a
 * "record" line with its file offset, capture time and addresses, then the
 * summary line. A packet that fails to decode is reported and the dump goes on;
 * a capture record that cannot be read ends it (the summary names it). Returns
 * the number of packets, GT_EIO if the file cannot be opened or GT_EINVAL if it
 * is no capture (message in err; nothing printed), or the reader's error
 * (GT_ETRUNC, GT_EBADMSG; err then names the file offset). Adds to *st if st is
 * not NULL. */
int mdp3_dump_capture(FILE *out, const char *path, struct mdp3_dump_stats *st, char err[GT_ERRLEN]);
/* The same in either style (JSON has no capture or record lines). */
int mdp3_dump_capture_as(FILE *out, enum mdp3_dump_style style, const char *path,
                         struct mdp3_dump_stats *st, char err[GT_ERRLEN]);

#endif
