/* SPDX-License-Identifier: MIT */
/* sim.c -- the ticksim run loop; see sim.h.
 *
 *   while (running && before the end) {
 *       t = market_peek_ns(&m);        // when the next match event falls
 *       emit_until(&e, t);             // snapshot, definition, index loops due
 *       market_next(&m, &ev);          // the event itself
 *       emit_event(&e, &ev);           // incremental A/B (faults), index A/B
 *       truth_write_event(truth, ...); // what happened
 *   }
 * Packets reach the outputs through sink(), which also paces live runs. */
#include "sim.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "gputick/time.h"
#include "net.h"
#include "pcap.h"
#include "truth.h"

struct out {
    const struct sim_config *c;
    struct pcap_writer pcap;
    uint32_t dst_ip[GT_N_FEEDS]; /* groups, host order */
    bool have_pcap;
    int fd[GT_N_FEEDS];
    uint64_t n_msgs;
    uint64_t n_send_fail;
    int64_t wall0_ns;
    int rc;
    volatile sig_atomic_t *running;
    char *err;
};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * GT_NS_PER_SEC + ts.tv_nsec;
}

/* Sleeps until the wall clock catches up with simulated time or the rate. */
static void pace(struct out *o, int64_t t_ns)
{
    const struct sim_config *c = o->c;
    int64_t due = INT64_MIN;
    if (c->day_seconds > 0)
        due =
            o->wall0_ns + (int64_t)((double)(t_ns - c->market.start_ns) * c->day_seconds / 86400.0);
    if (c->rate > 0) {
        int64_t r = o->wall0_ns + (int64_t)((double)o->n_msgs * 1e9 / c->rate);
        due = r > due ? r : due;
    }
    if (due == INT64_MIN)
        return; /* --fast: no pacing (and no INT64_MIN - now overflow) */
    for (int k = 0; k < 100000 && (!o->running || *o->running); k++) {
        int64_t left = due - mono_ns();
        if (left <= 0)
            return;
        if (left > 100 * 1000000)
            left = 100 * 1000000; /* wake to notice signals */
        struct timespec ts = {left / GT_NS_PER_SEC, left % GT_NS_PER_SEC};
        nanosleep(&ts, NULL);
    }
}

static uint64_t msgs_in(const uint8_t *p, size_t len)
{
    struct mdp3_pkt pkt;
    struct mdp3_msg msg;
    uint64_t n = 0;
    if (mdp3_pkt_init(&pkt, p, len) == GT_OK)
        while (mdp3_pkt_next(&pkt, &msg) > 0)
            n++;
    return n;
}

static void sink(void *ctx, int feed, int64_t t_ns, const uint8_t *p, size_t len)
{
    struct out *o = ctx;
    const struct gt_endpoint *ep = &o->c->ch.feed[feed];
    if (o->rc != GT_OK)
        return;
    if (o->have_pcap && pcap_writer_write(&o->pcap, t_ns, INADDR_LOOPBACK, ep->port,
                                          o->dst_ip[feed], ep->port, p, len) != GT_OK) {
        snprintf(o->err, GT_ERRLEN, "writing '%s' failed: %s", o->c->pcap, strerror(errno));
        o->rc = GT_EIO;
    }
    if (o->c->live) {
        if (o->c->rate > 0)
            o->n_msgs += msgs_in(p, len);
        pace(o, t_ns);
        if (net_tx_send(o->fd[feed], p, len) < 0)
            o->n_send_fail++; /* a full socket buffer drops, as a network would */
    }
}

void sim_config_default(struct sim_config *c)
{
    struct gt_channels ch = GT_CHANNELS_DEFAULT;
    memset(c, 0, sizeof *c);
    market_config_default(&c->market);
    c->market.start_ns = gt_ns_of_ymd(20261124) + (12 * 60 + 58) * 60 * GT_NS_PER_SEC;
    emit_config_default(&c->emit);
    c->ch = ch;
    c->emit.appl_id = ch.channel_id;
    c->duration_ns = 9 * 3600 * GT_NS_PER_SEC;
    c->live = true;
    c->day_seconds = 240;
}

static int sim_check(const struct sim_config *c, char err[GT_ERRLEN])
{
    for (int f = 0; f < GT_N_FEEDS; f++) {
        struct in_addr a;
        if (inet_pton(AF_INET, c->ch.feed[f].group, &a) != 1 || (ntohl(a.s_addr) >> 28) != 0xE ||
            c->ch.feed[f].port == 0) {
            snprintf(err, GT_ERRLEN, "feed %d: '%s:%u' is not an IPv4 multicast group and port", f,
                     c->ch.feed[f].group, c->ch.feed[f].port);
            return GT_EINVAL;
        }
    }
    if (c->duration_ns <= 0 || c->day_seconds < 0 || c->rate < 0) {
        snprintf(err, GT_ERRLEN, "duration must be > 0, pacing >= 0");
        return GT_EINVAL;
    }
    return GT_OK;
}

int sim_run(const struct sim_config *c, volatile sig_atomic_t *running, struct sim_stats *st,
            char err[GT_ERRLEN])
{
    static struct market m; /* large; one run at a time */
    static struct market_event ev;
    static struct emit e;
    struct out o = {.c = c, .running = running, .err = err};
    FILE *truth = NULL;
    int rc;
    for (int f = 0; f < GT_N_FEEDS; f++)
        o.fd[f] = -1;
    memset(st, 0, sizeof *st);
    err[0] = 0;
    if ((rc = sim_check(c, err)) != GT_OK)
        return rc;
    if ((rc = market_init(&m, &c->market)) != GT_OK) {
        snprintf(err, GT_ERRLEN, "the market configuration is out of range");
        return rc;
    }
    struct emit_config ec = c->emit;
    ec.appl_id = c->ch.channel_id;
    if ((rc = emit_init(&e, &ec, &m, c->market.seed, sink, &o)) != GT_OK) {
        snprintf(err, GT_ERRLEN, "bad fault or loop configuration");
        return rc;
    }
    if (c->pcap) {
        if ((rc = pcap_writer_open(&o.pcap, c->pcap, err)) != GT_OK)
            goto out;
        for (int f = 0; f < GT_N_FEEDS; f++) { /* sim_check() vetted the groups */
            struct in_addr a;
            inet_pton(AF_INET, c->ch.feed[f].group, &a);
            o.dst_ip[f] = ntohl(a.s_addr);
        }
        o.have_pcap = true;
    }
    if (c->truth && !(truth = fopen(c->truth, "w"))) {
        snprintf(err, GT_ERRLEN, "cannot create '%s': %s", c->truth, strerror(errno));
        rc = GT_EIO;
        goto out;
    }
    for (int f = 0; c->live && f < GT_N_FEEDS; f++) {
        rc = net_tx_open(c->ch.feed[f].group, c->ch.feed[f].port, c->ch.iface, c->ch.ttl, err);
        if (rc < 0)
            goto out;
        o.fd[f] = rc;
    }
    rc = GT_OK;
    o.wall0_ns = mono_ns();
    if (truth)
        truth_write_instruments(truth, &m);
    rc = emit_start(&e, c->market.start_ns);
    int64_t end_ns = c->market.start_ns + c->duration_ns;
    bool reset_due = c->reset_ns != 0;
    while (rc == GT_OK && o.rc == GT_OK && (!running || *running)) {
        int64_t t = market_peek_ns(&m);
        if (c->max_events ? st->n_events >= c->max_events : t >= end_ns)
            break;
        if (reset_due && t >= c->reset_ns) {
            reset_due = false;
            if (m.now_ns < c->reset_ns)
                m.now_ns = c->reset_ns;
            if (truth)
                truth_write_reset(truth, m.now_ns, ec.appl_id);
            rc = emit_until(&e, m.now_ns);
            if (rc == GT_OK)
                rc = emit_reset(&e);
            if (rc != GT_OK)
                break;
        }
        rc = emit_until(&e, t);
        if (rc != GT_OK)
            break;
        market_next(&m, &ev);
        st->n_events++;
        rc = emit_event(&e, &ev);
        if (truth)
            truth_write_event(truth, &m, &ev, e.ev_seq, e.ev_lost);
    }
    /* The exchange's loops run on after the last event (paced like the rest):
     * a feed handler that finds a gap at the very end still gets snapshots. */
    int64_t t = m.now_ns;
    for (int64_t end = m.now_ns + c->tail_ns;
         rc == GT_OK && o.rc == GT_OK && t < end && (!running || *running);) {
        t = end - t > GT_NS_PER_SEC ? t + GT_NS_PER_SEC : end;
        rc = emit_until(&e, t);
    }
    if (rc == GT_OK)
        rc = emit_finish(&e, t);
    if (rc != GT_OK && !err[0])
        snprintf(err, GT_ERRLEN, "encoding failed: %s", gt_strerror(rc));
    if (rc == GT_OK)
        rc = o.rc;
    st->end_ns = m.now_ns;
    memcpy(st->last_seq, e.seq, sizeof st->last_seq);
    st->emit = e.st;
    if (truth && truth_write_final(truth, &m, &c->ch, st->last_seq, st->n_events) != GT_OK &&
        rc == GT_OK) {
        snprintf(err, GT_ERRLEN, "writing '%s' failed", c->truth);
        rc = GT_EIO;
    }
out:
    st->emit = e.st;
    st->n_send_fail = o.n_send_fail;
    st->line[0] = e.line[0].st;
    st->line[1] = e.line[1].st;
    emit_fini(&e);
    if (truth && fclose(truth) != 0 && rc == GT_OK) {
        snprintf(err, GT_ERRLEN, "writing '%s' failed", c->truth);
        rc = GT_EIO;
    }
    if (o.have_pcap && pcap_writer_close(&o.pcap) != GT_OK && rc == GT_OK) {
        snprintf(err, GT_ERRLEN, "writing '%s' failed", c->pcap);
        rc = GT_EIO;
    }
    for (int f = 0; f < GT_N_FEEDS; f++)
        if (o.fd[f] >= 0)
            net_tx_close(o.fd[f]);
    return rc;
}
