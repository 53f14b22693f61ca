/* SPDX-License-Identifier: MIT */
/* net.c -- UDP multicast send and receive (see net.h).
 *
 * Receive: one socket per feed, bound to group:port (so a socket only sees
 * its group even when several groups share a port) with SO_REUSEADDR and
 * SO_REUSEPORT so that several receivers on one host can join the same feed,
 * IP_MULTICAST_ALL off, IP_ADD_MEMBERSHIP on the configured interface. The
 * batch memory is one block of NET_RX_BATCH slots of NET_PKT_CAP bytes plus
 * the mmsghdr/iovec/cmsg arrays that point into it, built once at open;
 * net_rx_recv() only resets msg_len/msg_controllen before each recvmmsg().
 *
 * Timestamps: SO_TIMESTAMPNS delivers CLOCK_REALTIME of the kernel's receive;
 * a datagram without one (never on Linux) gets the clock and is counted.
 * Drops: SO_RXQ_OVFL attaches the socket's cumulative drop count to every
 * datagram; the stats sum the last value seen per socket. */
#include "net.h"
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifndef SO_RXQ_OVFL
#define SO_RXQ_OVFL 40
#endif

/* Room per datagram for a timespec and a u32 cmsg. */
enum { NET_CMSG_CAP = CMSG_SPACE(sizeof(struct timespec)) + CMSG_SPACE(sizeof(uint32_t)) + 16 };

static int net_fail(char *err, int rc, const char *what, const char *arg)
{
    if (err)
        snprintf(err, GT_ERRLEN, "%s%s%s%s%s", what, arg ? " " : "", arg ? arg : "",
                 errno ? ": " : "", errno ? strerror(errno) : "");
    return rc;
}

static int net_addr_parse(const char *s, struct in_addr *a)
{
    return s && inet_pton(AF_INET, s, a) == 1 ? GT_OK : GT_EINVAL;
}

static int net_group_parse(const char *group, struct in_addr *a)
{
    if (net_addr_parse(group, a) != GT_OK || !IN_MULTICAST(ntohl(a->s_addr)))
        return GT_EINVAL;
    return GT_OK;
}

int net_tx_open(const char *group, uint16_t port, const char *iface, int ttl, char err[GT_ERRLEN])
{
    struct in_addr g, ifa;
    errno = 0;
    if (net_group_parse(group, &g) != GT_OK)
        return net_fail(err, GT_EINVAL, "not an IPv4 multicast group (want 224.0.0.0/4):", group);
    if (!iface)
        iface = "127.0.0.1";
    if (net_addr_parse(iface, &ifa) != GT_OK)
        return net_fail(err, GT_EINVAL, "bad interface address (want dotted IPv4):", iface);
    if (ttl < 0 || ttl > 255)
        return net_fail(err, GT_EINVAL, "bad multicast TTL (want 0..255)", NULL);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return net_fail(err, GT_EIO, "socket", NULL);
    unsigned char t = (unsigned char)ttl, loop = 1;
    struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(port), .sin_addr = g};
    if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &ifa, sizeof ifa) < 0) {
        net_fail(err, GT_EIO, "IP_MULTICAST_IF", iface);
        goto fail;
    }
    if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &t, sizeof t) < 0 ||
        setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop) < 0) {
        net_fail(err, GT_EIO, "IP_MULTICAST_TTL/LOOP", NULL);
        goto fail;
    }
    if (connect(fd, (struct sockaddr *)&dst, sizeof dst) < 0) {
        net_fail(err, GT_EIO, "connect", group);
        goto fail;
    }
    return fd;
fail:
    close(fd);
    return GT_EIO;
}

int net_tx_send(int fd, const uint8_t *p, size_t len)
{
    ssize_t n = send(fd, p, len, 0);
    return n < 0 ? GT_EIO : (int)n;
}

int net_tx_sendmmsg(int fd, const uint8_t *const *p, const size_t *len, int n)
{
    enum { CHUNK = 64 };
    struct mmsghdr m[CHUNK];
    struct iovec iov[CHUNK];
    int sent = 0;
    while (sent < n) {
        int k = n - sent < CHUNK ? n - sent : CHUNK;
        memset(m, 0, sizeof(m[0]) * (size_t)k);
        for (int i = 0; i < k; i++) {
            iov[i].iov_base = (void *)p[sent + i];
            iov[i].iov_len = len[sent + i];
            m[i].msg_hdr.msg_iov = &iov[i];
            m[i].msg_hdr.msg_iovlen = 1;
        }
        int r = sendmmsg(fd, m, (unsigned)k, 0);
        if (r <= 0)
            return sent ? sent : GT_EIO;
        sent += r;
        if (r < k)
            break;
    }
    return sent;
}

void net_tx_close(int fd)
{
    if (fd >= 0)
        close(fd);
}

/* Asks for len bytes of receive buffer, forcing past rmem_max when allowed
 * (CAP_NET_ADMIN), and returns what the kernel granted. */
static int net_rcvbuf_set(int fd, int len)
{
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &len, sizeof len) < 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &len, sizeof len);
    int got = 0;
    socklen_t sl = sizeof got;
    if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &sl) < 0)
        return 0;
    return got;
}

static int net_rx_join(struct net_rx *rx, int feed, const struct net_rx_config *c, int rcvbuf,
                       char *err)
{
    const struct gt_endpoint *ep = &c->ch.feed[feed];
    struct in_addr g, ifa;
    errno = 0;
    if (net_group_parse(ep->group, &g) != GT_OK)
        return net_fail(err, GT_EINVAL, "not an IPv4 multicast group:", ep->group);
    if (net_addr_parse(c->ch.iface[0] ? c->ch.iface : "127.0.0.1", &ifa) != GT_OK)
        return net_fail(err, GT_EINVAL, "bad interface address:", c->ch.iface);
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return net_fail(err, GT_EIO, "socket", NULL);
    rx->fd[rx->n_fds] = fd;
    rx->fd_feed[rx->n_fds] = (uint8_t)feed;
    rx->drops[rx->n_fds] = 0;
    rx->n_fds++;
    int one = 1, zero = 0;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(ep->port), .sin_addr = g};
    struct ip_mreq mr = {.imr_multiaddr = g, .imr_interface = ifa};
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) < 0)
        return net_fail(err, GT_EIO, "SO_REUSEADDR/SO_REUSEPORT", NULL);
    if (setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) < 0)
        return net_fail(err, GT_EIO, "SO_RXQ_OVFL/SO_TIMESTAMPNS", NULL);
    (void)setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof zero);
    int got = net_rcvbuf_set(fd, rcvbuf);
    if (rx->stats.rcvbuf_len == 0 || got < rx->stats.rcvbuf_len)
        rx->stats.rcvbuf_len = got;
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        return net_fail(err, GT_EIO, "bind", ep->group);
    if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) < 0)
        return net_fail(err, GT_EIO, "IP_ADD_MEMBERSHIP", ep->group);
    return GT_OK;
}

int net_rx_open(struct net_rx *rx, const struct net_rx_config *c, char err[GT_ERRLEN])
{
    memset(rx, 0, sizeof *rx);
    int rc;
    errno = 0;
    if (!c || (c->feeds & ((1u << GT_N_FEEDS) - 1)) == 0)
        return net_fail(err, GT_EINVAL, "no feed to join", NULL);
    rx->buf = malloc((size_t)NET_RX_BATCH * NET_PKT_CAP);
    rx->msgs = calloc(NET_RX_BATCH, sizeof(struct mmsghdr));
    rx->iov = calloc(NET_RX_BATCH, sizeof(struct iovec));
    rx->cmsg = calloc(NET_RX_BATCH, NET_CMSG_CAP);
    if (!rx->buf || !rx->msgs || !rx->iov || !rx->cmsg) {
        rc = net_fail(err, GT_ENOMEM, "out of memory", NULL);
        goto fail;
    }
    struct mmsghdr *m = rx->msgs;
    struct iovec *iov = rx->iov;
    for (int i = 0; i < NET_RX_BATCH; i++) {
        iov[i].iov_base = rx->buf + (size_t)i * NET_PKT_CAP;
        iov[i].iov_len = NET_PKT_CAP;
        m[i].msg_hdr.msg_iov = &iov[i];
        m[i].msg_hdr.msg_iovlen = 1;
        m[i].msg_hdr.msg_control = (uint8_t *)rx->cmsg + (size_t)i * NET_CMSG_CAP;
    }
    int rcvbuf = c->rcvbuf_len > 0 ? c->rcvbuf_len : NET_RCVBUF_DEFAULT;
    for (int f = 0; f < GT_N_FEEDS; f++)
        if (c->feeds & (1u << f) && (rc = net_rx_join(rx, f, c, rcvbuf, err)) < 0)
            goto fail;
    return GT_OK;
fail:
    net_rx_close(rx);
    return rc;
}

static int64_t net_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Fills out from the header of one received datagram. */
static void net_pkt_fill(struct net_rx *rx, int s, struct mmsghdr *m, struct net_pkt *out)
{
    struct msghdr *h = &m->msg_hdr;
    out->p = h->msg_iov[0].iov_base;
    out->len = m->msg_len > NET_PKT_CAP ? NET_PKT_CAP : m->msg_len;
    out->feed = rx->fd_feed[s];
    out->truncated = (h->msg_flags & MSG_TRUNC) != 0;
    out->recv_ns = 0;
    for (struct cmsghdr *cm = CMSG_FIRSTHDR(h); cm; cm = CMSG_NXTHDR(h, cm)) {
        if (cm->cmsg_level != SOL_SOCKET)
            continue;
        if (cm->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec ts;
            memcpy(&ts, CMSG_DATA(cm), sizeof ts);
            out->recv_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
        } else if (cm->cmsg_type == SO_RXQ_OVFL) {
            uint32_t d;
            memcpy(&d, CMSG_DATA(cm), sizeof d);
            rx->stats.kernel_drops += (uint32_t)(d - rx->drops[s]);
            rx->drops[s] = d;
        }
    }
    if (out->recv_ns == 0) {
        out->recv_ns = net_clock_ns();
        rx->stats.no_kernel_ts++;
    }
    out->kernel_drops = rx->drops[s];
    rx->stats.packets++;
    rx->stats.bytes += out->len;
    rx->stats.truncated += out->truncated;
}

int net_rx_recv(struct net_rx *rx, struct net_pkt *batch, int cap, int timeout_ms)
{
    struct pollfd pfd[GT_N_FEEDS];
    if (cap > NET_RX_BATCH)
        cap = NET_RX_BATCH;
    if (cap <= 0 || rx->n_fds == 0)
        return GT_EINVAL;
    for (int i = 0; i < rx->n_fds; i++)
        pfd[i] = (struct pollfd){.fd = rx->fd[i], .events = POLLIN};
    int r = poll(pfd, (nfds_t)rx->n_fds, timeout_ms);
    if (r < 0)
        return errno == EINTR ? 0 : GT_EIO;
    struct mmsghdr *m = rx->msgs;
    int n = 0;
    /* Each readable socket gets an equal share of the batch, so that after a
     * wait for a CPU line A's backlog cannot run ahead of line B's copies by
     * more than a batch: a hole on A then still finds B's copy inside the
     * arbiter's window instead of being declared a gap. */
    int share = r > 0 ? cap / r : cap;
    if (share < 1)
        share = 1;
    for (int k = 0; k < rx->n_fds && n < cap && r > 0; k++) {
        int s = (rx->next + k) % rx->n_fds;
        if (!(pfd[s].revents & POLLIN))
            continue;
        int want = cap - n < share ? cap - n : share;
        for (int i = n; i < n + want; i++) {
            m[i].msg_len = 0;
            m[i].msg_hdr.msg_controllen = NET_CMSG_CAP;
            m[i].msg_hdr.msg_flags = 0;
        }
        int got = recvmmsg(rx->fd[s], m + n, (unsigned)want, MSG_DONTWAIT, NULL);
        if (got < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                continue;
            return GT_EIO;
        }
        for (int i = n; i < n + got; i++)
            net_pkt_fill(rx, s, &m[i], &batch[i]);
        n += got;
    }
    rx->next = (rx->next + 1) % rx->n_fds;
    return n;
}

void net_rx_close(struct net_rx *rx)
{
    for (int i = 0; i < rx->n_fds; i++)
        close(rx->fd[i]);
    rx->n_fds = 0;
    free(rx->buf);
    free(rx->msgs);
    free(rx->iov);
    free(rx->cmsg);
    rx->buf = NULL;
    rx->msgs = rx->iov = rx->cmsg = NULL;
}
