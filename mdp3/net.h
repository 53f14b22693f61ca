/* SPDX-License-Identifier: MIT */
/* net.h -- UDP multicast sockets: a sender for ticksim and tests, and the
 * receiver of tickfeed.
 *
 * The sender is a UDP socket connect()ed to one multicast group; it refuses
 * any destination that is not multicast, so nothing here ever unicasts to
 * another host. Safety by default: the interface is 127.0.0.1 and the TTL 0
 * unless the caller names others.
 *
 * The receiver owns one socket per joined feed (bound to the group and port,
 * joined on the configured interface), a large SO_RCVBUF, the kernel drop
 * counter (SO_RXQ_OVFL) and kernel receive timestamps (SO_TIMESTAMPNS).
 * net_rx_recv() poll()s the sockets and drains them with recvmmsg() into
 * buffers allocated once at open: nothing is allocated per packet, and the
 * packets handed back are views valid until the next net_rx_recv(). */
#ifndef GT_NET_H
#define GT_NET_H
#include <stddef.h>
#include <stdint.h>
#include "channels.h"
#include "gputick/err.h"

enum {
    NET_RX_BATCH = 64,  /* most datagrams one net_rx_recv() returns */
    NET_PKT_CAP = 2048, /* bytes kept of a datagram; MDP 3.0 packets are <= 1420 */
    /* SO_RCVBUF asked for per socket: about 50 ms of 600 k pkt/s, the bursts a
     * busy 2-core host makes tickfeed wait out (gtbench e2e: 8 MiB lost packets
     * at 450 k pkt/s, 32 MiB none at the 580-660 k pkt/s the sender reached) */
    NET_RCVBUF_DEFAULT = 32 << 20
};

/* Opens a UDP socket connect()ed to group:port that sends through the
 * interface address iface (NULL = "127.0.0.1") with multicast TTL ttl
 * (0 keeps datagrams on this host) and loopback on. Returns the fd (>= 0), or
 * GT_EINVAL if group is not an IPv4 multicast address or iface/ttl is bad,
 * GT_EIO if a socket call failed; err says which. */
int net_tx_open(const char *group, uint16_t port, const char *iface, int ttl, char err[GT_ERRLEN]);

/* Sends one datagram. Returns len, or GT_EIO (errno kept) if the kernel
 * refused it (ENOBUFS, EAGAIN on a full queue). */
int net_tx_send(int fd, const uint8_t *p, size_t len);

/* Sends n datagrams of the same fd with one sendmmsg(). Returns how many were
 * sent (maybe fewer than n), or GT_EIO if none was. */
int net_tx_sendmmsg(int fd, const uint8_t *const *p, const size_t *len, int n);

/* Closes a sender; a negative fd is ignored. */
void net_tx_close(int fd);

struct net_rx_config {
    unsigned feeds;        /* bit (1u << enum gt_feed) per feed to join */
    struct gt_channels ch; /* groups, ports, interface */
    int rcvbuf_len;        /* SO_RCVBUF to ask for; 0 = NET_RCVBUF_DEFAULT */
};

/* One received datagram; p is a view into rx-owned memory valid until the
 * next net_rx_recv() or net_rx_close(). */
struct net_pkt {
    const uint8_t *p;
    uint32_t len;          /* bytes at p (at most NET_PKT_CAP) */
    uint8_t feed;          /* enum gt_feed */
    uint8_t truncated;     /* 1 if the datagram was longer than NET_PKT_CAP */
    int64_t recv_ns;       /* kernel receive time (CLOCK_REALTIME), else the clock */
    uint32_t kernel_drops; /* this socket's cumulative kernel drop count, as the
                              kernel stamped it when it queued this datagram */
};

struct net_rx_stats {
    uint64_t packets, bytes, truncated;
    uint64_t kernel_drops; /* sum over sockets of SO_RXQ_OVFL, cumulative */
    uint64_t no_kernel_ts; /* datagrams that came without a kernel timestamp */
    int rcvbuf_len;        /* smallest SO_RCVBUF obtained (as getsockopt says) */
};

struct net_rx {
    int n_fds; /* sockets open: fd[0..n_fds) */
    int fd[GT_N_FEEDS];
    uint8_t fd_feed[GT_N_FEEDS]; /* enum gt_feed of fd[i] */
    uint32_t drops[GT_N_FEEDS];  /* last SO_RXQ_OVFL value of fd[i] */
    int next;                    /* socket to drain first next time, for fairness */
    struct net_rx_stats stats;
    /* Allocated at open: the datagram slots, their iovecs, headers and cmsgs. */
    uint8_t *buf;
    void *msgs, *iov, *cmsg;
};

/* Opens and joins every feed in c->feeds. The caller embeds rx. Returns
 * GT_OK, GT_EINVAL on a bad config (no feed, a non-multicast group), GT_EIO on
 * a socket failure, GT_ENOMEM; err says which. On failure rx is closed. */
int net_rx_open(struct net_rx *rx, const struct net_rx_config *c, char err[GT_ERRLEN]);

/* Waits up to timeout_ms (0 = do not wait, < 0 = forever) for datagrams, then
 * fills batch[0..cap) (cap is clamped to NET_RX_BATCH) from every readable
 * socket with recvmmsg(MSG_DONTWAIT), an equal share of cap from each (so no
 * line's backlog runs ahead of another's). Returns the count (0 on timeout or
 * EINTR), or GT_EIO. The views in batch live until the next call. */
int net_rx_recv(struct net_rx *rx, struct net_pkt *batch, int cap, int timeout_ms);

/* Leaves the groups, closes the sockets, frees the buffers. Safe on a zeroed
 * or already-closed rx. */
void net_rx_close(struct net_rx *rx);

#endif
