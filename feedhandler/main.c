/* SPDX-License-Identifier: MIT */
/* main.c -- tickfeed, the feed handler: exchange multicast or a capture in,
 * normalized sequence-numbered ticks out over ZeroMQ.
 *
 * rx (recvmmsg batches) -> feed (A/B arbitration, SBE decode, books, recovery,
 * grouping) -> pub (journal, then PUB; ROUTER for replay and snapshots). One
 * thread: the loop waits on the sockets at most LOOP_WAIT_MS, so the arbiter's
 * reorder window and the ROUTER are served even when the market is quiet.
 *
 * Two clocks. The feed's (feed_poll: holes age, open events are cut) is the
 * receive clock: the wall clock live, the capture's timestamps with --pcap,
 * where feed_poll runs at exactly the capture times feed_due() names, so a
 * capture publishes the same records every time. Flushing, the ROUTER and
 * the stats line run on the wall clock in both. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>
#include "conf.h"
#include "log.h"
#include "dump.h"
#include "feed.h"
#include "channels.h"
#include "gputick/bus.h"
#include "gputick/sec.h"
#include "gputick/time.h"
#include "net.h"
#include "pcap.h"
#include "metrics.h"
#include "pub.h"
#include "reload.h"
#include "svc.h"

enum { LOOP_WAIT_MS = 1, SERVE_MAX = 16 };
#define NS_PER_MS 1000000LL
#define PACE_SLICE_NS (10 * NS_PER_MS) /* --pace: longest sleep between looks at signals */

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

struct cfg {
    struct gt_channels ch;
    const char *pcap, *journal, *pub_ep, *router_ep, *fsync;
    const char *curve_key, *curve_allow; /* CURVE server key file, allow-list */
    const char *metrics;                 /* --metrics ADDR:PORT, or NULL */
    int bind_remote;
    int pace; /* --pcap at the capture's pace */
    int dump; /* --pcap --dump: decode and print, no publishing */
    int json; /* --dump --json: JSON lines, one object per message */
    double stats_s, duration_s, idle_exit_s, linger_s, reorder_ms;
    int sndhwm, rcvbuf;
    long segment_mb;
    int quiet;
    enum log_level log_level;
    enum log_format log_format;
};

/* Set while a SIGHUP reload parses the file again: a bad value is then a
 * logged warning (the running configuration stays), not an exit. */
static int reloading;

/* One line for a bad option value: on stderr at startup (exit 2 follows),
 * in the log on a reload. */
static void bad_opt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void bad_opt(const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (reloading)
        log_msg(LOG_WARNING, "reload", "reload: %s; keeping the running configuration", msg);
    else
        fprintf(stderr, "tickfeed: %s\n", msg);
}

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: tickfeed [OPTIONS]\n"
        "\n"
        "Receives CME MDP 3.0 market data (UDP multicast incremental lines A and B, the\n"
        "snapshot loop, instrument definitions, the GPU index channel) or a capture file,\n"
        "keeps the price-level books, recovers from gaps and publishes normalized,\n"
        "sequence-numbered ticks over ZeroMQ (docs/wire.md), journaling each first.\n"
        "\n"
        "Input:\n"
        "  --iface ADDR           interface to join on (default 127.0.0.1)\n"
        "  --port-base N          ports N+1..N+8 for the eight feeds (default 31000)\n"
        "  --feed NAME=GROUP:PORT one feed: incr-a incr-b snap-a snap-b def-a def-b\n"
        "                         index-a index-b (defaults 239.255.31.1-8)\n"
        "  --rcvbuf BYTES         SO_RCVBUF per socket (default 32 MiB)\n"
        "  --pcap FILE            read a capture (libpcap, pcapng or CME DataMine; any\n"
        "                         other file is refused, exit 2) instead; the capture's\n"
        "                         clock drives the feed: the same file always publishes\n"
        "                         the same records\n"
        "  --pace                 replay the capture at its recorded pace (default: max)\n"
        "  --dump                 with --pcap: print every message decoded, publish nothing\n"
        "  --json                 with --dump: JSON lines, one object per message\n"
        "  --reorder-ms MS        how long a hole on both lines may wait for a late packet\n"
        "                         before it is a gap (default 2)\n"
        "Output:\n"
        "  --pub ENDPOINT         PUB socket (default " GT_BUS_PUB_DEFAULT "; ipc:// too)\n"
        "  --router ENDPOINT      ROUTER for replay/snapshot (default " GT_BUS_ROUTER_DEFAULT ";\n"
        "                         \"\" for none)\n"
        "  --sndhwm N             PUB high-water mark in messages (default 100000)\n"
        "  --journal DIR          journal directory (default ./gputick.journal)\n"
        "  --fsync none|flush|interval   journal fsync policy (default none)\n"
        "  --segment-mb N         journal segment size (default 256)\n"
        "  --bind-remote          allow --pub/--router on anything but ipc://, inproc:// or "
        "loopback tcp://\n"
        "  --curve-server-key F   CURVE on PUB and ROUTER with this secret key (tickkey)\n"
        "  --metrics ADDR:PORT    serve Prometheus metrics at http://ADDR:PORT/metrics\n"
        "                         (loopback unless --bind-remote, e.g. 127.0.0.1:9560)\n"
        "  --curve-allow PATH     accept only the client keys in PATH (a file of keys or a\n"
        "                         folder of .pub files); denials are logged on stderr\n"
        "Running:\n"
        "  --stats SECONDS        stats line interval on stderr (default 10; 0 = at exit only)\n"
        "  --duration SECONDS     stop after this long (default: run until a signal)\n"
        "  --idle-exit SECONDS    stop once no packet came for this long\n"
        "  --linger SECONDS       after --pcap ends, keep serving the ROUTER this long\n"
        "  --config FILE          read options from FILE: one 'name value' per line, # comments;\n"
        "                         a value may be quoted, \"\" is the empty value\n"
        "  --print-config         print the options in effect in that format and exit\n"
        "  -q, --quiet            no startup or stats lines: --log-level warning\n"
        "  --log-level LEVEL      debug, info (default), warning or error: the lines below\n"
        "                         it are not written\n"
        "  --log-format FORMAT    text (default: 'LEVEL tickfeed: MESSAGE') or json (one\n"
        "                         object a line: ts level prog cause msg suppressed)\n"
        "                         A line repeated for one cause is written once a second at\n"
        "                         most, with the count of those suppressed. SIGHUP reads\n"
        "                         --config again: log-level, log-format, quiet, stats and\n"
        "                         sndhwm apply at once, other changes at the next start\n"
        "  -h, --help             show this help and exit\n"
        "  -V, --version          show the version and exit\n"
        "\n"
        "Everything binds and joins on the loopback interface unless told otherwise.\n"
        "Examples:\n"
        "  tickfeed                                   # join the default channels\n"
        "  tickfeed --pcap day.pcap --journal /tmp/j  # publish a capture\n"
        "  tickfeed --pcap day.pcap --dump | less     # look inside a capture\n"
        "Deployment across machines, with CURVE: docs/deployment.md\n");
}

static const char *feed_names[GT_N_FEEDS] = {"incr-a", "incr-b", "snap-a",  "snap-b",
                                             "def-a",  "def-b",  "index-a", "index-b"};

static int parse_num(const char *opt, const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || v < lo || v > hi) {
        bad_opt("--%s wants a number from %g to %g, not '%s'", opt, lo, hi, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int parse_feed(struct cfg *c, const char *s)
{
    const char *eq = strchr(s, '='), *colon = eq ? strrchr(eq, ':') : NULL;
    for (int i = 0; eq && colon && i < GT_N_FEEDS; i++) {
        if (strlen(feed_names[i]) != (size_t)(eq - s) || strncmp(s, feed_names[i], eq - s))
            continue;
        size_t gl = (size_t)(colon - eq - 1);
        double port;
        if (gl == 0 || gl >= sizeof c->ch.feed[i].group ||
            parse_num("feed", colon + 1, 1, 65535, &port) < 0)
            break;
        memcpy(c->ch.feed[i].group, eq + 1, gl);
        c->ch.feed[i].group[gl] = 0;
        c->ch.feed[i].port = (uint16_t)port;
        return 0;
    }
    bad_opt("--feed wants NAME=GROUP:PORT with NAME one of incr-a incr-b "
            "snap-a snap-b def-a def-b index-a index-b, not '%s'",
            s);
    return -1;
}

static const struct option long_opts[] = {{"iface", required_argument, 0, 'i'},
                                          {"port-base", required_argument, 0, 'P'},
                                          {"feed", required_argument, 0, 'F'},
                                          {"rcvbuf", required_argument, 0, 'R'},
                                          {"pcap", required_argument, 0, 'p'},
                                          {"pace", no_argument, 0, 'a'},
                                          {"dump", no_argument, 0, 'D'},
                                          {"json", no_argument, 0, 'J'},
                                          {"pub", required_argument, 0, 'o'},
                                          {"router", required_argument, 0, 'r'},
                                          {"sndhwm", required_argument, 0, 'H'},
                                          {"journal", required_argument, 0, 'j'},
                                          {"fsync", required_argument, 0, 'f'},
                                          {"segment-mb", required_argument, 0, 'M'},
                                          {"stats", required_argument, 0, 's'},
                                          {"duration", required_argument, 0, 'd'},
                                          {"idle-exit", required_argument, 0, 'e'},
                                          {"linger", required_argument, 0, 'l'},
                                          {"config", required_argument, 0, 'c'},
                                          {"quiet", no_argument, 0, 'q'},
                                          {"help", no_argument, 0, 'h'},
                                          {"version", no_argument, 0, 'V'},
                                          {"bind-remote", no_argument, 0, 'B'},
                                          {"reorder-ms", required_argument, 0, 'W'},
                                          {"metrics", required_argument, 0, 'm'},
                                          {"curve-server-key", required_argument, 0, 'K'},
                                          {"curve-allow", required_argument, 0, 'A'},
                                          {"log-level", required_argument, 0, 'L'},
                                          {"log-format", required_argument, 0, 'G'},
                                          {0, 0, 0, 0}};

/* Applies one option; returns 0, 1 to exit successfully, -1 on a bad value. */
static int apply_opt(struct cfg *c, int opt, const char *arg)
{
    double v;
    switch (opt) {
    case 'i':
        if (strlen(arg) >= sizeof c->ch.iface) {
            bad_opt("--iface wants an IPv4 address, not '%s'", arg);
            return -1;
        }
        strcpy(c->ch.iface, arg);
        return 0;
    case 'P':
        if (parse_num("port-base", arg, 0, 65535 - GT_N_FEEDS, &v) < 0)
            return -1;
        for (int i = 0; i < GT_N_FEEDS; i++)
            c->ch.feed[i].port = (uint16_t)(v + 1 + i);
        return 0;
    case 'F':
        return parse_feed(c, arg);
    case 'R':
        if (parse_num("rcvbuf", arg, 4096, 1 << 30, &v) < 0)
            return -1;
        c->rcvbuf = (int)v;
        return 0;
    case 'p':
        c->pcap = arg;
        return 0;
    case 'a':
        c->pace = 1;
        return 0;
    case 'D':
        c->dump = 1;
        return 0;
    case 'J':
        c->json = 1;
        return 0;
    case 'o':
        c->pub_ep = arg;
        return 0;
    case 'r':
        c->router_ep = arg;
        return 0;
    case 'H':
        if (parse_num("sndhwm", arg, 1, 1e9, &v) < 0)
            return -1;
        c->sndhwm = (int)v;
        return 0;
    case 'j':
        c->journal = arg;
        return 0;
    case 'f':
        if (strcmp(arg, "none") && strcmp(arg, "flush") && strcmp(arg, "interval")) {
            bad_opt("--fsync wants none, flush or interval, not '%s'", arg);
            return -1;
        }
        c->fsync = arg;
        return 0;
    case 'M':
        if (parse_num("segment-mb", arg, 1, 1 << 20, &v) < 0)
            return -1;
        c->segment_mb = (long)v;
        return 0;
    case 's':
        return parse_num("stats", arg, 0, 86400, &c->stats_s);
    case 'd':
        return parse_num("duration", arg, 0, 1e9, &c->duration_s);
    case 'e':
        return parse_num("idle-exit", arg, 0, 1e9, &c->idle_exit_s);
    case 'l':
        return parse_num("linger", arg, 0, 1e9, &c->linger_s);
    case 'c':
        return 0; /* conf_expand() read it (cannot come here) */
    case 'q':
        c->quiet = 1;
        return 0;
    case 'm':
        c->metrics = arg;
        return 0;
    case 'B':
        c->bind_remote = 1;
        return 0;
    case 'W':
        return parse_num("reorder-ms", arg, 0.001, 10000, &c->reorder_ms);
    case 'K':
        c->curve_key = arg;
        return 0;
    case 'A':
        c->curve_allow = arg;
        return 0;
    case 'L':
    case 'G': {
        char err[GT_ERRLEN];
        if (log_opt_parse(opt == 'L' ? "log-level" : "log-format", arg, &c->log_level,
                          &c->log_format, err) < 0) {
            bad_opt("%s", err);
            return -1;
        }
        return 0;
    }
    case 'h':
        usage(stdout);
        return 1;
    case 'V':
        printf("tickfeed %s\n", GT_VERSION);
        return 1;
    default:
        fprintf(stderr, "tickfeed: try 'tickfeed --help'\n");
        return -1;
    }
}

/* ---- stats ---------------------------------------------------------------- */

struct run {
    struct cfg *c;
    struct feed *feed;
    struct pub *pub;
    struct net_rx rx;
    int rx_open;
    uint64_t pcap_skipped;
    int64_t pcap_first_ns; /* capture time of the first record */
    int64_t pcap_start_ns; /* wall time it was read (--pace maps one to the other) */
    int64_t last_tend_ns;
    int64_t t0, last_stats_ns;
    uint64_t last_records;
    int blocked_logged;      /* the journal-blocked message was printed */
    gt_zap *zap;             /* the CURVE allow-list's handler, or NULL */
    struct metrics *metrics; /* --metrics, or NULL */
    struct metrics_text mtext;
};

/* ---- counters ------------------------------------------------------------- */

/* Every counter tickfeed reports, once: the stats line prints each row as
 * "KEY N", the metrics endpoint as gputick_feed_NAME{LABELS} with HELP, so a
 * counter added here is in both (docs/operations.md lists them). A row's
 * value reads s (feed_stats), ps (pub_stats), rx (net_rx_stats, zeros
 * without live input) and zs (the CURVE allow-list's). Only two figures are
 * the stats line's alone, both made from rows: the total of the packets
 * rows and the record rate since the last line. */
#define FEED_PK(k, f)                                                                              \
    X("packets-" k, "packets_total", "feed=\"" k "\"", COUNTER, "UDP packets received, per feed.", \
      s->packets[f])
#define FEED_COUNTERS(X)                                                                           \
    FEED_PK("incr-a", GT_FEED_INCR_A)                                                              \
    FEED_PK("incr-b", GT_FEED_INCR_B)                                                              \
    FEED_PK("snap-a", GT_FEED_SNAP_A)                                                              \
    FEED_PK("snap-b", GT_FEED_SNAP_B)                                                              \
    FEED_PK("def-a", GT_FEED_DEF_A)                                                                \
    FEED_PK("def-b", GT_FEED_DEF_B)                                                                \
    FEED_PK("index-a", GT_FEED_INDEX_A)                                                            \
    FEED_PK("index-b", GT_FEED_INDEX_B)                                                            \
    X("dup-incr-a", "duplicate_packets_total", "feed=\"incr-a\"", COUNTER,                         \
      "Incremental packets the other line had already given.", s->duplicates[GT_FEED_INCR_A])      \
    X("dup-incr-b", "duplicate_packets_total", "feed=\"incr-b\"", COUNTER,                         \
      "Incremental packets the other line had already given.", s->duplicates[GT_FEED_INCR_B])      \
    X("messages", "messages_total", NULL, COUNTER, "SBE messages decoded.", s->messages)           \
    X("unknown", "unknown_messages_total", NULL, COUNTER,                                          \
      "Messages of unknown templates, skipped.", s->unknown)                                       \
    X("unhandled", "unhandled_messages_total", NULL, COUNTER,                                      \
      "Messages of known templates no book uses yet.", s->unhandled)                               \
    X("malformed", "malformed_total", NULL, COUNTER, "Packets or messages that did not decode.",   \
      s->malformed)                                                                                \
    X("deferral-drops", "deferral_drops_total", NULL, COUNTER,                                     \
      "Packets of other channels lost while an incremental event was open (buffer full).",         \
      s->deferral_full)                                                                            \
    X("gaps", "gaps_total", NULL, COUNTER, "Packet sequence gaps on both lines.", s->gaps)         \
    X("lost", "lost_packets_total", NULL, COUNTER, "Packets lost on both lines.", s->lost)         \
    X("suspects", "suspect_packets_total", NULL, COUNTER,                                          \
      "Packets held as suspect: beyond the window on one line's word.", s->suspects)               \
    X("suspects-dropped", "suspects_dropped_total", NULL, COUNTER,                                 \
      "Suspects never confirmed, dropped.", s->suspect_dropped)                                    \
    X("jumps", "jumps_total", NULL, COUNTER,                                                       \
      "Sequence jumps confirmed by the other line or a run.", s->jumps)                            \
    X("resyncs", "resyncs_total", NULL, COUNTER,                                                   \
      "Channel resynchronizations: a confirmed jump undone.", s->resyncs)                          \
    X("rptgaps", "instrument_gaps_total", NULL, COUNTER, "RptSeq gaps of single instruments.",     \
      s->rpt_gaps)                                                                                 \
    X("stale", "stale_total", NULL, COUNTER, "Books published stale.", s->stale)                   \
    X("recovered-snap", "recoveries_total", "from=\"snapshot\"", COUNTER,                          \
      "Stale books recovered.", s->recovered_snap)                                                 \
    X("recovered-kept", "recoveries_total", "from=\"kept\"", COUNTER, "Stale books recovered.",    \
      s->recovered_kept)                                                                           \
    X("recovered-incr", "recoveries_total", "from=\"incremental\"", COUNTER,                       \
      "Stale books recovered.", s->recovered_incr)                                                 \
    X("recovered-empty", "recoveries_total", "from=\"empty\"", COUNTER, "Stale books recovered.",  \
      s->recovered_empty)                                                                          \
    X("resets", "resets_total", NULL, COUNTER, "Books emptied by a ChannelReset.", s->resets)      \
    X("kernel-drops", "kernel_drops_total", NULL, COUNTER,                                         \
      "Datagrams the kernel dropped (full receive buffer).", rx->kernel_drops)                     \
    X("truncated", "truncated_packets_total", NULL, COUNTER,                                       \
      "Datagrams longer than the receive buffer, cut.", rx->truncated)                             \
    X("published", "published_records_total", NULL, COUNTER, "Tick records published.",            \
      ps->records)                                                                                 \
    X("published-messages", "published_messages_total", NULL, COUNTER, "Bus messages published.",  \
      ps->messages)                                                                                \
    X("seq", "sequence", NULL, GAUGE, "Last bus sequence published.", ps->last_seq)                \
    X("send-errors", "send_errors_total", NULL, COUNTER, "PUB sends that failed.",                 \
      ps->send_errors)                                                                             \
    X("journal-errors", "journal_errors_total", NULL, COUNTER,                                     \
      "Journal writes that failed (messages held meanwhile).", ps->journal_errors)                 \
    X("syncs", "journal_syncs_total", NULL, COUNTER, "Journal fdatasyncs.", ps->syncs)             \
    X("requests", "requests_total", NULL, COUNTER, "ROUTER requests served.", ps->requests)        \
    X("bad-requests", "bad_requests_total", NULL, COUNTER,                                         \
      "ROUTER requests refused as malformed.", ps->bad_requests)                                   \
    X("replays", "replays_total", NULL, COUNTER, "REPLAY replies sent.", ps->replays)              \
    X("replayed", "replayed_records_total", NULL, COUNTER, "Records sent in replays.",             \
      ps->replayed)                                                                                \
    X("snapshots", "snapshots_total", NULL, COUNTER, "Snapshots sent to late joiners.",            \
      ps->snapshots)                                                                               \
    X("subscriptions", "subscriptions", NULL, GAUGE,                                               \
      "Topic subscriptions held now, over all subscribers.", ps->subscribes - ps->unsubscribes)    \
    X("curve-denied", "curve_denied_total", NULL, COUNTER,                                         \
      "CURVE clients refused: key not in the allow-list.", zs.denied)                              \
    X("handshake-failed", "handshake_failures_total", NULL, COUNTER,                               \
      "Failed handshakes on the PUB and ROUTER sockets.", zs.handshake_failed)                     \
    X("instruments", "instruments", NULL, GAUGE, "Instruments known.", s->n_instruments)           \
    X("stale-now", "stale_books", NULL, GAUGE, "Books stale now.", s->n_stale)                     \
    X("mbo-orders", "mbo_orders", NULL, GAUGE, "Orders resting in the order books.",               \
      s->mbo_orders)                                                                               \
    X("mbo-updates", "mbo_updates_total", NULL, COUNTER,                                           \
      "Order updates applied to the order books (46's orders, 47).", s->mbo_updates)               \
    X("mbo-stale", "mbo_stale_total", NULL, COUNTER, "Order books gone stale.", s->mbo_stale)      \
    X("mbo-recovered", "mbo_recoveries_total", NULL, COUNTER,                                      \
      "Order books recovered from the MBO snapshot loop (53).", s->mbo_recovered)                  \
    X("mbo-rejected", "mbo_rejected_total", NULL, COUNTER,                                         \
      "Order updates a book could not apply (it went stale).", s->mbo_rejected)                    \
    X("mbo-overrun", "mbo_queue_overruns_total", NULL, COUNTER,                                    \
      "Queued order updates overwritten before use.", s->mbo_queue_overrun)                        \
    X("mbo-checks", "mbo_checks_total", NULL, COUNTER,                                             \
      "Events whose MBP book implied by the orders was compared.", s->mbo_checks)                  \
    X("mbo-mismatch", "mbo_mismatches_total", NULL, COUNTER,                                       \
      "... and differed from the MBP book published.", s->mbo_mismatch)                            \
    X("mbo-stale-now", "mbo_stale_books", NULL, GAUGE, "Order books stale now.", s->mbo_n_stale)

/* The rows of the PUB socket's monitor, printed while pub_stats.watched:
 * with --curve-allow the allow-list's handler holds the socket's one
 * monitor, and there is no count of connections at all. */
#define FEED_COUNTERS_WATCHED(X)                                                                   \
    X("subscribers", "subscribers", NULL, GAUGE, "Subscriber connections on the PUB socket now.",  \
      ps->connects - ps->disconnects)                                                              \
    X("subscriber-connections", "subscriber_connections_total", NULL, COUNTER,                     \
      "Subscriber connections accepted on the PUB socket.", ps->connects)

/* The sources the rows read. */
#define FEED_COUNTER_SOURCES(r)                                                                    \
    const struct feed_stats *s = feed_stats((r)->feed);                                            \
    const struct pub_stats *ps = pub_stats((r)->pub);                                              \
    static const struct net_rx_stats no_rx;                                                        \
    const struct net_rx_stats *rx = (r)->rx_open ? &(r)->rx.stats : &no_rx;                        \
    struct gt_zap_stats zs;                                                                        \
    gt_zap_stats_get((r)->zap, &zs)

static void metrics_render(struct run *r)
{
    FEED_COUNTER_SOURCES(r);
    struct metrics_text *t = &r->mtext;
    metrics_text_reset(t);
#define X(key, name, labels, type, help, v)                                                        \
    metrics_sample(t, "gputick_feed_" name, METRICS_##type, help, labels, (double)(v));
    FEED_COUNTERS(X)
    if (ps->watched) {
        FEED_COUNTERS_WATCHED(X)
    }
#undef X
    /* Per peer, the endpoint's alone: a series for each peer that asked. */
    int n;
    const struct pub_peer *peer = pub_peers(r->pub, &n);
    char lab[80];
    for (int i = 0; i < n; i++) {
        snprintf(lab, sizeof lab, "peer=\"%s\"", peer[i].name);
        metrics_sample(t, "gputick_feed_peer_replayed_records_total", METRICS_COUNTER,
                       "Records a peer asked back by REPLAY: what the PUB socket dropped for it "
                       "past its high-water mark, or what it missed while away.",
                       lab, (double)peer[i].replayed);
    }
    for (int i = 0; i < n; i++) {
        snprintf(lab, sizeof lab, "peer=\"%s\"", peer[i].name);
        metrics_sample(t, "gputick_feed_peer_replays_total", METRICS_COUNTER,
                       "REPLAY replies sent to a peer.", lab, (double)peer[i].replays);
    }
    metrics_publish(r->metrics, t);
}

static void stats_line(struct run *r, int64_t now, const char *when)
{
    FEED_COUNTER_SOURCES(r);
    double dt = (double)(now - r->last_stats_ns) / 1e9;
    double rate = dt > 0 ? (double)(ps->records - r->last_records) / dt : 0;
    uint64_t pk = 0;
    for (int i = 0; i < GT_N_FEEDS; i++)
        pk += s->packets[i];
    char line[4096];
    size_t len =
        (size_t)snprintf(line, sizeof line, "%s: packets %llu", when, (unsigned long long)pk);
#define X(key, name, labels, type, help, v)                                                        \
    if (len < sizeof line)                                                                         \
        len += (size_t)snprintf(line + len, sizeof line - len, " " key " %llu",                    \
                                (unsigned long long)(v));
    FEED_COUNTERS(X)
    if (ps->watched) {
        FEED_COUNTERS_WATCHED(X)
    }
#undef X
    if (len < sizeof line)
        snprintf(line + len, sizeof line - len, " rate %.0f", rate);
    log_msg(LOG_INFO, NULL, "%s", line);
    r->last_stats_ns = now;
    r->last_records = ps->records;
}

/* The options a SIGHUP applies at once (docs/operations.md); a change to
 * any other takes effect at the next start. */
static const char *const live_opts[] = {"log-level", "log-format", "quiet",
                                        "stats",     "sndhwm",     NULL};

#define CFG_DEFAULTS                                                                               \
    {                                                                                              \
        .ch = GT_CHANNELS_DEFAULT, .journal = "gputick.journal", .stats_s = 10                     \
    }

/* The level lines are written at: --log-level, raised to warning by -q. */
static void log_apply(const struct cfg *c)
{
    log_set(c->quiet && c->log_level < LOG_WARNING ? LOG_WARNING : c->log_level, c->log_format);
}

/* SIGHUP: the configuration read again, its live options applied; a file
 * that does not read, or a bad value, leaves everything as it was. */
static void feed_reload(struct run *r)
{
    int argc, opt, bad = 0;
    char **argv, err[GT_ERRLEN], changed[512];
    if (reload_read("tickfeed", long_opts, &argc, &argv, err) < 0) {
        log_msg(LOG_WARNING, "reload", "reload: %s; keeping the running configuration", err);
        return;
    }
    struct cfg fresh = CFG_DEFAULTS;
    reloading = 1;
    optind = 0; /* GNU getopt: start afresh */
    while (!bad && (opt = getopt_long(argc, argv, "qhV", long_opts, NULL)) != -1)
        bad = apply_opt(&fresh, opt, optarg) != 0;
    reloading = 0;
    if (bad)
        return; /* bad_opt() said why */
    r->c->log_level = fresh.log_level;
    r->c->log_format = fresh.log_format;
    r->c->quiet = fresh.quiet;
    r->c->stats_s = fresh.stats_s;
    r->c->sndhwm = fresh.sndhwm;
    log_apply(r->c);
    pub_set_sndhwm(r->pub, fresh.sndhwm);
    log_msg(LOG_INFO, "reload-ok",
            "reload: log-level %s, log-format %s%s, stats %g s, sndhwm %d (for subscribers "
            "connecting from now on)",
            log_level_name(fresh.log_level), fresh.log_format == LOG_JSON ? "json" : "text",
            fresh.quiet ? ", quiet" : "", fresh.stats_s, pub_sndhwm(r->pub));
    if (reload_changed(long_opts, live_opts, argc, argv, changed, sizeof changed) > 0)
        log_msg(LOG_WARNING, "reload-changed",
                "reload: %s changed; that takes effect at the next start", changed);
}

static int feed_error(struct run *r, int rc)
{
    log_msg(LOG_ERROR, NULL, "journal: %s (%s); stopping", pub_errmsg(r->pub), gt_strerror(rc));
    return -1;
}

/* Flushes (journal, then PUB), serves requests and prints stats when due, all
 * by the wall clock now. The feed's own clock (feed_poll) is the caller's:
 * wall time live, capture time from a pcap. Returns 0 or -1 (journal). */
static int tend(struct run *r, int64_t now)
{
    r->last_tend_ns = now;
    svc_alive(); /* READY=1 at the first turn, then the systemd watchdog */
    if (reload_pending())
        feed_reload(r);
    if (metrics_due(r->metrics))
        metrics_render(r);
    int rc = pub_flush(r->pub);
    const struct pub_stats *ps = pub_stats(r->pub);
    if (rc < 0 && !r->blocked_logged) {
        log_msg(LOG_WARNING, NULL,
                "journal: %s (%s); holding messages in memory (up to 512 MiB) and "
                "publishing nothing until it can write again",
                pub_errmsg(r->pub), gt_strerror(rc));
        r->blocked_logged = 1;
    } else if (rc == 0 && r->blocked_logged) {
        log_msg(LOG_INFO, NULL,
                "journal writes again; every held message is written and "
                "published (seq %llu)",
                (unsigned long long)ps->last_seq);
        r->blocked_logged = 0;
    }
    pub_serve(r->pub, r->feed, SERVE_MAX);
    if (r->c->stats_s > 0 && !r->c->quiet && now - r->last_stats_ns >= r->c->stats_s * 1e9)
        stats_line(r, now, "stats");
    return 0;
}

/* ---- input ---------------------------------------------------------------- */

static int run_live(struct run *r)
{
    char err[GT_ERRLEN];
    struct net_rx_config rc = {
        .feeds = (1u << GT_N_FEEDS) - 1, .ch = r->c->ch, .rcvbuf_len = r->c->rcvbuf};
    if (net_rx_open(&r->rx, &rc, err) < 0) {
        log_msg(LOG_ERROR, NULL, "%s", err);
        return -1;
    }
    r->rx_open = 1;
    int asked = r->c->rcvbuf ? r->c->rcvbuf : NET_RCVBUF_DEFAULT;
    log_msg(r->rx.stats.rcvbuf_len < asked ? LOG_WARNING : LOG_INFO, NULL,
            "SO_RCVBUF %d bytes per socket as the kernel reports it (asked %d; "
            "Linux doubles what it grants, for its bookkeeping)%s",
            r->rx.stats.rcvbuf_len, asked,
            r->rx.stats.rcvbuf_len < asked ? ": less than asked, raise net.core.rmem_max "
                                             "or give tickfeed CAP_NET_ADMIN"
                                           : "");
    struct net_pkt batch[NET_RX_BATCH];
    int64_t last_pkt = gt_now_ns(), drained = last_pkt;
    while (!stop_flag) {
        int n = net_rx_recv(&r->rx, batch, NET_RX_BATCH, LOOP_WAIT_MS);
        if (n < 0) {
            log_msg(LOG_ERROR, NULL, "receive failed: %s", strerror(errno));
            return -1;
        }
        /* The arbiters' clock moves only when every socket was drained: a
         * hole is a gap once it has waited the reorder window at a moment
         * when nothing was left unread, so a backlog read from one line's
         * socket never condemns a packet whose copy waits in the other's. */
        int64_t now = gt_now_ns();
        if (n < NET_RX_BATCH)
            drained = now;
        feed_clock(r->feed, drained);
        for (int i = 0; i < n; i++) {
            int e = feed_packet(r->feed, batch[i].feed, batch[i].p, batch[i].len, batch[i].recv_ns);
            if (e < 0)
                return feed_error(r, e);
        }
        if (n > 0)
            last_pkt = now;
        int e = feed_poll(r->feed, drained);
        if (e < 0)
            return feed_error(r, e);
        if (tend(r, now) < 0)
            return -1;
        if (r->c->duration_s > 0 && now - r->t0 >= r->c->duration_s * 1e9)
            break;
        if (r->c->idle_exit_s > 0 && now - last_pkt >= r->c->idle_exit_s * 1e9)
            break;
    }
    return 0;
}

/* The feed a datagram to group:port belongs to; DataMine and raw captures
 * (no addresses) are incremental line A. */
static int feed_of(const struct gt_channels *ch, const struct pcap_rec *rec)
{
    if (rec->dst_ip == 0 && rec->dst_port == 0)
        return GT_FEED_INCR_A;
    for (int i = 0; i < GT_N_FEEDS; i++) {
        unsigned a, b, c, d;
        if (sscanf(ch->feed[i].group, "%u.%u.%u.%u", &a, &b, &c, &d) != 4)
            continue;
        uint32_t ip = a << 24 | b << 16 | c << 8 | d;
        if (ip == rec->dst_ip && ch->feed[i].port == rec->dst_port)
            return i;
    }
    return -1;
}

static void sleep_ns(int64_t ns)
{
    if (ns <= 0)
        return;
    struct timespec ts = {ns / 1000000000, ns % 1000000000};
    nanosleep(&ts, NULL);
}

/* Sleeps up to ns, waking early for a ROUTER request. */
static void wait_router(struct run *r, int64_t ns)
{
    void *rt = pub_router(r->pub);
    if (rt && ns >= NS_PER_MS) {
        zmq_pollitem_t pi = {rt, 0, ZMQ_POLLIN, 0};
        zmq_poll(&pi, 1, (long)(ns / NS_PER_MS));
    } else {
        sleep_ns(ns);
    }
}

/* feed_advance() to the capture time until (nothing of the wall clock
 * enters, so a capture publishes the same records every time). Returns 0 or
 * -1 (journal). */
static int pcap_clock(struct run *r, int64_t until)
{
    int rc = feed_advance(r->feed, until);
    return rc < 0 ? feed_error(r, rc) : 0;
}

/* --pace: waits until the wall clock reaches capture time ts_ns (the first
 * record's time is the start), publishing what falls due meanwhile at its
 * moment and serving the ROUTER. What the last packets produced is flushed
 * before any sleep. Returns 0 or -1. */
static int pace_until(struct run *r, int64_t ts_ns)
{
    while (!stop_flag) {
        int64_t now = gt_now_ns();
        int64_t cap = r->pcap_first_ns + (now - r->pcap_start_ns);
        if (pcap_clock(r, cap < ts_ns ? cap : ts_ns - 1) < 0)
            return -1;
        if (cap >= ts_ns)
            return 0;
        if (tend(r, now) < 0)
            return -1;
        int64_t wake = feed_due(r->feed);
        if (wake > ts_ns)
            wake = ts_ns;
        wait_router(r, wake - cap < PACE_SLICE_NS ? wake - cap : PACE_SLICE_NS);
    }
    return 0;
}

static int run_pcap(struct run *r)
{
    char err[GT_ERRLEN];
    struct pcap_reader pr;
    if (pcap_reader_open(&pr, r->c->pcap, err) < 0) {
        log_msg(LOG_ERROR, NULL, "%s", err);
        return -1;
    }
    struct pcap_rec rec;
    int rc, ret = 0;
    r->pcap_start_ns = gt_now_ns();
    while (!stop_flag && (rc = pcap_reader_next(&pr, &rec)) == 1) {
        int which = feed_of(&r->c->ch, &rec);
        if (which < 0) {
            r->pcap_skipped++;
            continue;
        }
        if (!r->pcap_first_ns)
            r->pcap_first_ns = rec.ts_ns;
        /* Capture time is the feed's clock (and its recv_ns): holes heal and
         * events are cut as they did, and the same every time. */
        if ((r->c->pace ? pace_until(r, rec.ts_ns) : pcap_clock(r, rec.ts_ns - 1)) < 0) {
            ret = -1;
            break;
        }
        int e = feed_packet(r->feed, which, rec.p, rec.len, rec.ts_ns);
        if (e < 0) {
            ret = feed_error(r, e);
            break;
        }
        /* Publishing is on the wall clock: once a millisecond at most, so a
         * fast replay writes its journal in batches. */
        int64_t now = gt_now_ns();
        if (now - r->last_tend_ns > NS_PER_MS && tend(r, now) < 0) {
            ret = -1;
            break;
        }
    }
    if (ret == 0 && rc < 0 && !stop_flag) {
        log_msg(LOG_ERROR, NULL, "%s: bad record at byte %zu (%s); stopping there", r->c->pcap,
                pr.err_off, gt_strerror(rc));
        ret = -1;
    }
    pcap_reader_close(&pr);
    /* The capture ended: what still waits (a hole in a reorder window, an
     * event without its end) falls due at its own capture time, as if the
     * capture had gone on in silence. */
    if (ret == 0 && pcap_clock(r, INT64_MAX - 1) < 0)
        ret = -1;
    /* Everything read is published before exiting; a blocked journal is
     * waited for (free the disk, or stop with a signal). */
    while (pub_held(r->pub) && !stop_flag) {
        if (tend(r, gt_now_ns()) < 0)
            return -1;
        if (pub_held(r->pub))
            sleep_ns(100 * NS_PER_MS);
    }
    if (r->pcap_skipped)
        log_msg(LOG_INFO, NULL, "%s: %llu datagrams to no configured feed skipped", r->c->pcap,
                (unsigned long long)r->pcap_skipped);
    int64_t until = gt_now_ns() + (int64_t)(r->c->linger_s * 1e9);
    for (int64_t now = gt_now_ns(); !stop_flag && now < until; now = gt_now_ns()) {
        if (tend(r, now) < 0)
            return -1;
        wait_router(r, until - now < PACE_SLICE_NS ? until - now : PACE_SLICE_NS);
    }
    return ret;
}

/* The allow-list's verdicts (from its own thread). */
static void log_curve(void *ctx, const char *line)
{
    (void)ctx;
    log_msg(LOG_WARNING, "curve", "CURVE: %s", line);
}

static int tickfeed_main(struct cfg *cp, int argc, char **argv)
{
    int opt, argc0 = argc;
    char **argv0 = argv;
    log_init("tickfeed");
    int crc = conf_expand("tickfeed", &argc, &argv, long_opts);
    if (crc != 0)
        return crc < 0 ? 2 : 0;
    while ((opt = getopt_long(argc, argv, "qhV", long_opts, NULL)) != -1) {
        int rc = apply_opt(cp, opt, optarg);
        if (rc) {
            return rc > 0 ? 0 : 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tickfeed: unexpected argument '%s'; try 'tickfeed --help'\n",
                argv[optind]);
        return 2;
    }
    if (cp->curve_allow && !cp->curve_key) {
        fprintf(stderr, "tickfeed: --curve-allow needs --curve-server-key\n");
        return 2;
    }
    if (cp->dump && !cp->pcap) {
        fprintf(stderr, "tickfeed: --dump needs --pcap FILE\n");
        return 2;
    }
    if (cp->json && !cp->dump) {
        fprintf(stderr, "tickfeed: --json needs --pcap FILE --dump\n");
        return 2;
    }
    if (cp->pcap) { /* a file that is no capture is bad usage, named as such */
        char err[GT_ERRLEN];
        struct pcap_reader pr;
        int rc = pcap_reader_open(&pr, cp->pcap, err);
        if (rc == GT_EINVAL) {
            fprintf(stderr, "tickfeed: %s\n", err);
            return 2;
        }
        if (rc == GT_OK)
            pcap_reader_close(&pr);
    }
    if (cp->dump) {
        char err[GT_ERRLEN];
        struct mdp3_dump_stats st = {0};
        int rc = mdp3_dump_capture_as(stdout, cp->json ? MDP3_DUMP_JSON : MDP3_DUMP_TEXT, cp->pcap,
                                      &st, err);
        if (rc >= 0 && st.n_bad_pkts + st.n_bad_msgs) {
            snprintf(err, sizeof err, "%s: %llu packets and %llu messages did not decode", cp->pcap,
                     (unsigned long long)st.n_bad_pkts, (unsigned long long)st.n_bad_msgs);
            rc = GT_EBADMSG;
        }
        if (rc < 0) {
            fprintf(stderr, "tickfeed: %s\n", err);
            return 1;
        }
        return 0;
    }
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    log_apply(cp);
    reload_init(argc0, argv0, argc, argv);

    struct run r = {.c = cp};
    char err[GT_ERRLEN];
    metrics_text_init(&r.mtext);
    int mrc = cp->metrics ? metrics_open(&r.metrics, cp->metrics, cp->bind_remote, err) : 0;
    if (mrc < 0) {
        log_msg(LOG_ERROR, NULL, "%s", err);
        return mrc == GT_EINVAL ? 2 : 1;
    }
    void *zctx = zmq_ctx_new();
    struct pub_opts po = {.journal_dir = cp->journal,
                          .pub_endpoint = cp->pub_ep,
                          .router_endpoint = cp->router_ep,
                          .sndhwm = cp->sndhwm,
                          .bind_remote = cp->bind_remote,
                          .curve_key = cp->curve_key};
    gt_zap *zap = NULL;
    if (cp->curve_allow && gt_zap_open(&zap, zctx, cp->curve_allow, log_curve, NULL, err) < 0) {
        log_msg(LOG_ERROR, NULL, "--curve-allow: %s", err);
        zmq_ctx_term(zctx);
        return 1;
    }
    po.zap = zap;
    r.zap = zap;
    po.journal.fsync = !cp->fsync || !strcmp(cp->fsync, "none") ? JOURNAL_FSYNC_NONE
                       : !strcmp(cp->fsync, "flush")            ? JOURNAL_FSYNC_FLUSH
                                                                : JOURNAL_FSYNC_INTERVAL;
    po.journal.max_segment_len = (uint64_t)cp->segment_mb << 20;
    int ret = 1;
    if (pub_open(&r.pub, zctx, &po, err) < 0) {
        log_msg(LOG_ERROR, NULL, "%s", err);
        goto out;
    }
    if (pub_stats(r.pub)->tail_dropped)
        log_msg(LOG_WARNING, NULL, "journal %s: cut %llu bytes of a torn tail", cp->journal,
                (unsigned long long)pub_stats(r.pub)->tail_dropped);
    struct feed_opts fo = {
        .emit = pub_emit, .ctx = r.pub, .arb_wait_ns = (int64_t)(cp->reorder_ms * 1e6)};
    if (feed_open(&r.feed, &fo, err) < 0) {
        log_msg(LOG_ERROR, NULL, "%s", err);
        goto out;
    }
    r.t0 = r.last_stats_ns = gt_now_ns();
    r.last_records = pub_stats(r.pub)->records;
    log_msg(LOG_INFO, NULL, "%s; publishing on %s, ROUTER %s, journal %s (next seq %llu)",
            cp->pcap ? cp->pcap : "joining multicast on the loopback interface unless --iface",
            cp->pub_ep ? cp->pub_ep : GT_BUS_PUB_DEFAULT,
            !cp->router_ep     ? GT_BUS_ROUTER_DEFAULT
            : cp->router_ep[0] ? cp->router_ep
                               : "none",
            cp->journal, (unsigned long long)pub_stats(r.pub)->last_seq + 1);
    ret = (cp->pcap ? run_pcap(&r) : run_live(&r)) < 0 ? 1 : 0;
    if (pub_flush(r.pub) < 0) {
        log_msg(LOG_ERROR, NULL,
                "journal still blocked at exit (%s): %zu bytes of messages were "
                "never written nor published; the next start numbers on from the journal",
                pub_errmsg(r.pub), pub_held(r.pub));
        ret = 1;
    }
    if (!cp->quiet)
        stats_line(&r, gt_now_ns(), "exit");
out:
    net_rx_close(&r.rx);
    if (pub_close(r.pub) < 0)
        ret = 1;
    feed_close(r.feed);
    metrics_close(r.metrics);
    metrics_text_fini(&r.mtext);
    gt_zap_close(zap);
    zmq_ctx_term(zctx);
    log_fini();
    return ret;
}

int main(int argc, char **argv)
{
    static struct cfg c = CFG_DEFAULTS;
    return tickfeed_main(&c, argc, argv);
}
