/* SPDX-License-Identifier: MIT */
/* test_sim.c -- ticksim runs (sim.c) checked from outside: a live run
 * multicasts every feed on loopback, and each datagram the run counts as sent
 * arrives through mdp3/net.h's receiver, to the last MsgSeqNum; tshark
 * (when installed) reads the pcap and finds every packet. Kept apart from
 * test_ticksim.c because these take wall-clock time. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include "gputick/bytes.h"
#include "net.h"
#include "sim.h"

struct live {
    struct sim_config c;
    struct sim_stats st;
    int rc, done;
    char err[GT_ERRLEN];
};

static void *live_run(void *arg)
{
    struct live *lv = arg;
    lv->rc = sim_run(&lv->c, NULL, &lv->st, lv->err);
    __atomic_store_n(&lv->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

Test(sim, multicasts_every_feed_on_loopback, .timeout = 30)
{
    static struct live lv;
    sim_config_default(&lv.c);
    lv.c.max_events = 800;
    lv.c.duration_ns = INT64_MAX / 4;
    lv.c.day_seconds = 0;
    lv.c.rate = 40000;
    uint16_t base = (uint16_t)(42000 + (getpid() % 500) * 10);
    for (int k = 0; k < GT_N_FEEDS; k++)
        lv.c.ch.feed[k].port = (uint16_t)(base + 1 + k);
    struct net_rx rx;
    struct net_rx_config rc = {.feeds = (1u << GT_N_FEEDS) - 1, .ch = lv.c.ch};
    char err[GT_ERRLEN];
    cr_assert(eq(int, net_rx_open(&rx, &rc, err), GT_OK), "%s", err);
    pthread_t th;
    pthread_create(&th, NULL, live_run, &lv);
    uint64_t got[GT_N_FEEDS] = {0};
    uint32_t last[GT_N_FEEDS] = {0};
    struct net_pkt batch[NET_RX_BATCH];
    int idle = 0;
    for (int it = 0; it < 100000 && idle < 3; it++) {
        int n = net_rx_recv(&rx, batch, NET_RX_BATCH, 20);
        if (!__atomic_load_n(&lv.done, __ATOMIC_ACQUIRE))
            idle = -1; /* wait for the end of the run, then for the last datagrams */
        if (!((n) >= (0)))
            cr_assert(ge(int, n, 0));
        idle = n ? 0 : idle + 1;
        for (int i = 0; i < n; i++) {
            got[batch[i].feed]++;
            last[batch[i].feed] = ld_le32(batch[i].p);
        }
    }
    pthread_join(th, NULL);
    if (!((lv.rc) == (GT_OK)))
        cr_assert(eq(int, lv.rc, GT_OK), "%s", lv.err);
    for (int k = 0; k < GT_N_FEEDS; k++) {
        if (!((got[k]) > (0)))
            cr_assert(gt(u64, got[k], 0), "nothing on feed %d", k);
        if (!((got[k]) == (lv.st.emit.n_pkts[k])))
            cr_assert(eq(u64, got[k], lv.st.emit.n_pkts[k]), "feed %d: %" PRIu64 " of %" PRIu64, k,
                      got[k], lv.st.emit.n_pkts[k]);
    }
    if (!((last[GT_FEED_INCR_A]) == (lv.st.last_seq[GT_FEED_INCR_A])))
        cr_assert(eq(u32, last[GT_FEED_INCR_A], lv.st.last_seq[GT_FEED_INCR_A]));
    net_rx_close(&rx);
}

Test(sim, tshark_reads_the_pcap, .timeout = 60)
{
    if (access("/usr/bin/tshark", X_OK) != 0)
        cr_skip_test("/usr/bin/tshark is not installed");
    char dir[] = "/tmp/gt_sim_XXXXXX", pcap[64], cmd[256];
    cr_assert(not(eq(ptr, mkdtemp(dir), NULL)));
    snprintf(pcap, sizeof pcap, "%s/t.pcap", dir);
    struct sim_config c;
    struct sim_stats st;
    char err[GT_ERRLEN];
    sim_config_default(&c);
    c.live = false;
    c.day_seconds = 0;
    c.max_events = 1500;
    c.duration_ns = INT64_MAX / 4;
    c.pcap = pcap;
    cr_assert(eq(int, sim_run(&c, NULL, &st, err), GT_OK), "%s", err);
    uint64_t total = 0;
    for (int k = 0; k < GT_N_FEEDS; k++)
        total += st.emit.n_pkts[k];
    snprintf(cmd, sizeof cmd, "/usr/bin/tshark -r '%s' -T fields -e udp.dstport 2>/dev/null", pcap);
    FILE *p = popen(cmd, "r");
    cr_assert(not(eq(ptr, p, NULL)));
    char line[64];
    uint64_t n = 0;
    while (fgets(line, sizeof line, p))
        n += atoi(line) >= 31001 && atoi(line) <= 31008;
    cr_assert(eq(int, pclose(p), 0), "tshark failed on the pcap");
    cr_assert(eq(u64, n, total), "tshark saw %" PRIu64 " UDP packets of %" PRIu64, n, total);
    unlink(pcap);
    rmdir(dir);
}
