/* SPDX-License-Identifier: MIT */
/* pcapw.c -- classic pcap records with Ethernet/IPv4/UDP headers; see pcapw.h. */
#include "pcapw.h"
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include "gputick/bytes.h"

static void st_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

uint16_t pcapw_ip_checksum(const uint8_t *hdr, size_t len)
{
    uint32_t sum = 0;
    for (size_t i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(hdr[i] << 8 | hdr[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

int pcapw_open(struct pcapw *w, const char *path, char err[GT_ERRLEN])
{
    memset(w, 0, sizeof *w);
    w->f = fopen(path, "wb");
    if (!w->f) {
        snprintf(err, GT_ERRLEN, "cannot create '%s': %s", path, strerror(errno));
        return GT_EIO;
    }
    uint8_t g[PCAPW_GLOBAL_LEN] = {0};
    st_le32(g, 0xa1b2c3d4);
    st_le16(g + 4, 2);
    st_le16(g + 6, 4);
    st_le32(g + 16, 65535);
    st_le32(g + 20, 1); /* LINKTYPE_ETHERNET */
    if (fwrite(g, sizeof g, 1, w->f) != 1) {
        snprintf(err, GT_ERRLEN, "cannot write '%s': %s", path, strerror(errno));
        fclose(w->f);
        w->f = NULL;
        return GT_EIO;
    }
    return GT_OK;
}

int pcapw_write(struct pcapw *w, int64_t t_ns, const char *group, uint16_t port, const uint8_t *p,
                size_t len)
{
    struct in_addr dst;
    if (len > PCAPW_PAYLOAD_MAX || inet_pton(AF_INET, group, &dst) != 1)
        return GT_EINVAL;
    uint8_t h[PCAPW_REC_LEN + PCAPW_FRAME_LEN] = {0};
    uint8_t *eth = h + PCAPW_REC_LEN, *ip = eth + 14, *udp = ip + 20;
    uint32_t caplen = (uint32_t)(PCAPW_FRAME_LEN + len);
    st_le32(h, (uint32_t)(t_ns / 1000000000));
    st_le32(h + 4, (uint32_t)(t_ns % 1000000000 / 1000));
    st_le32(h + 8, caplen);
    st_le32(h + 12, caplen);
    const uint8_t *a = (const uint8_t *)&dst.s_addr; /* network order */
    uint8_t mac[6] = {0x01, 0x00, 0x5e, (uint8_t)(a[1] & 0x7f), a[2], a[3]};
    uint8_t src_mac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
    memcpy(eth, mac, 6);
    memcpy(eth + 6, src_mac, 6);
    st_be16(eth + 12, 0x0800);
    ip[0] = 0x45;
    st_be16(ip + 2, (uint16_t)(20 + 8 + len));
    st_be16(ip + 4, w->ip_id++);
    st_be16(ip + 6, 0x4000); /* don't fragment */
    ip[8] = 1;               /* TTL */
    ip[9] = 17;              /* UDP */
    ip[12] = 127;
    ip[15] = 1;
    memcpy(ip + 16, a, 4);
    st_be16(ip + 10, pcapw_ip_checksum(ip, 20));
    st_be16(udp, port);
    st_be16(udp + 2, port);
    st_be16(udp + 4, (uint16_t)(8 + len));
    if (fwrite(h, sizeof h, 1, w->f) != 1 || (len && fwrite(p, len, 1, w->f) != 1))
        return GT_EIO;
    return GT_OK;
}

int pcapw_close(struct pcapw *w)
{
    if (!w->f)
        return GT_OK;
    int bad = ferror(w->f);
    bad |= fclose(w->f) != 0;
    w->f = NULL;
    return bad ? GT_EIO : GT_OK;
}
