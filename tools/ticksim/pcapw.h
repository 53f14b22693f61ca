/* SPDX-License-Identifier: MIT */
/* pcapw.h -- a classic libpcap writer with Ethernet/IPv4/UDP framing.
 *
 * Each packet becomes one record: Ethernet II (destination the group's
 * multicast MAC 01:00:5e + low 23 bits), IPv4 (20 bytes, checksummed, source
 * 127.0.0.1, TTL 1), UDP (source port = destination port, checksum 0 as IPv4
 * allows), then the payload. Timestamps are microseconds (magic a1b2c3d4,
 * version 2.4, LINKTYPE_ETHERNET), which tcpdump and tshark open.
 * A stop-gap until the codec branch's feedhandler/pcap.h writer lands.
 *
 * Record framing:
 *   OFFSET 0  SIZE 16 record header: ts_sec u32, ts_usec u32, incl_len u32, orig_len u32
 *   OFFSET 16 SIZE 14 Ethernet: dst MAC, src MAC, ethertype 0x0800 (big-endian)
 *   OFFSET 30 SIZE 20 IPv4 header, big-endian fields
 *   OFFSET 50 SIZE 8  UDP header: sport, dport, length, checksum
 *   OFFSET 58         payload */
#ifndef GT_PCAPW_H
#define GT_PCAPW_H
#include <stdint.h>
#include <stdio.h>
#include "gputick/err.h"

enum {
    PCAPW_GLOBAL_LEN = 24,
    PCAPW_REC_LEN = 16,
    PCAPW_FRAME_LEN = 14 + 20 + 8,
    PCAPW_PAYLOAD_MAX = 65535 - 28,
};

struct pcapw {
    FILE *f;
    uint16_t ip_id;
};

/* Creates path and writes the global header. Returns GT_OK or GT_EIO with a message in err. */
int pcapw_open(struct pcapw *w, const char *path, char err[GT_ERRLEN]);

/* Appends one UDP datagram to group:port (group in dotted form). Returns GT_OK,
 * GT_EINVAL for a bad group or an oversize payload, GT_EIO on a write error. */
int pcapw_write(struct pcapw *w, int64_t t_ns, const char *group, uint16_t port, const uint8_t *p,
                size_t len);

/* Flushes and closes. Returns GT_OK, or GT_EIO if anything failed to reach the file. */
int pcapw_close(struct pcapw *w);

/* The IPv4 header checksum of hdr[0..len) (len even). */
uint16_t pcapw_ip_checksum(const uint8_t *hdr, size_t len);

#endif
