/* SPDX-License-Identifier: MIT */
/* main.c -- ticksub: subscribe to tickfeed and print ticks.
 *
 * Subscribes on tickfeed's PUB endpoint to the prefixes that select the asked
 * kind, product and symbol, optionally starting from a snapshot, and prints
 * each tick as a table row or a JSON line, bounded by --count and --seconds
 * when given. The bus client (gputick/sub.h) does the sequencing: the
 * snapshot per prefix (Clone pattern: live records after its as_of, the ones
 * published before the subscription reached tickfeed replayed), records the
 * publisher dropped replayed from the ROUTER, the feed's head asked for when
 * the bus is quiet, and a server that refuses this client's key heard (one
 * line and exit status 1). With --router '' it reads the live stream alone and
 * reports the records missing from it. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gputick/bus.h"
#include "gputick/err.h"
#include "gputick/sub.h"
#include "gputick/tickfmt.h"
#include "gputick/time.h"

struct sub_args {
    const char *endpoint, *router;
    int kind;
    const char *product, *symbol, *prefix;
    const char *client_key, *server_pub; /* CURVE */
    int snapshot, json;
    long count;
    double seconds;
};

struct printer {
    int json;
    long printed, limit;
};

enum { REQ_TIMEOUT_MS = 3000 };

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: ticksub [OPTIONS]\n"
               "\n"
               "Subscribes to tickfeed's tick bus and prints ticks, optionally starting from a\n"
               "snapshot of the current books (late join).\n"
               "\n"
               "  -e, --endpoint EP   tickfeed's PUB endpoint (default " GT_BUS_PUB_DEFAULT ")\n"
               "  -r, --router EP     tickfeed's ROUTER endpoint (default " GT_BUS_ROUTER_DEFAULT
               "),\n"
               "                      for snapshots and to replay what the publisher dropped;\n"
               "                      '' reads the live stream alone\n"
               "  -k, --kind K        trade, book, tob, fixing, stat, status or def (default all)\n"
               "  -p, --product P     only product P (e.g. H100)\n"
               "  -s, --symbol S      only symbols starting with S (needs --product)\n"
               "  -t, --topic PREFIX  a raw topic prefix instead of -k/-p/-s\n"
               "  -S, --snapshot      print the current state first, then live ticks after it\n"
               "  -j, --json          one JSON object per line (default: a table)\n"
               "  -n, --count N       stop after N ticks\n"
               "  -T, --seconds S     stop after S seconds\n"
               "      --curve-client-key F  CURVE: this subscriber's secret key file...\n"
               "      --curve-server-pub F  ...and the feed's (or proxy's) public key file\n"
               "  -h, --help          show this help and exit\n"
               "  -V, --version       show the version and exit\n"
               "\n"
               "Records the publisher dropped are replayed from the ROUTER, and on a quiet bus\n"
               "the ROUTER is asked where the feed's head is (docs/wire.md); a ROUTER that does\n"
               "not answer is asked again. Exit status 0; 1 when the server refuses this\n"
               "client's key, the journal no longer holds what is missing, or --snapshot\n"
               "gets no reply; 2 for bad options.\n"
               "\n"
               "Examples:\n"
               "  ticksub -k tob -p H100            top of book of every H100 contract\n"
               "  ticksub -S -p B200 -s B200H7 -j   B200H7 from a snapshot on, as JSON lines\n"
               "  ticksub -k fixing                 every GPU index value\n");
}

static int parse_args(int argc, char **argv, struct sub_args *a)
{
    static const struct option opts[] = {{"endpoint", required_argument, 0, 'e'},
                                         {"router", required_argument, 0, 'r'},
                                         {"kind", required_argument, 0, 'k'},
                                         {"product", required_argument, 0, 'p'},
                                         {"symbol", required_argument, 0, 's'},
                                         {"topic", required_argument, 0, 't'},
                                         {"snapshot", no_argument, 0, 'S'},
                                         {"json", no_argument, 0, 'j'},
                                         {"count", required_argument, 0, 'n'},
                                         {"seconds", required_argument, 0, 'T'},
                                         {"help", no_argument, 0, 'h'},
                                         {"version", no_argument, 0, 'V'},
                                         {"curve-client-key", required_argument, 0, 1000},
                                         {"curve-server-pub", required_argument, 0, 1001},
                                         {0, 0, 0, 0}};
    *a = (struct sub_args){.endpoint = GT_BUS_PUB_DEFAULT, .router = GT_BUS_ROUTER_DEFAULT};
    int c;
    char *end;
    while ((c = getopt_long(argc, argv, "e:r:k:p:s:t:Sjn:T:hV", opts, NULL)) != -1) {
        switch (c) {
        case 'e':
            a->endpoint = optarg;
            break;
        case 'r':
            a->router = optarg;
            break;
        case 'k':
            a->kind = gt_kind_parse(optarg);
            if (a->kind < 0) {
                fprintf(stderr,
                        "ticksub: bad --kind '%s' (want trade, book, tob, fixing, "
                        "stat, status or def)\n",
                        optarg);
                return 2;
            }
            break;
        case 'p':
            a->product = optarg;
            break;
        case 's':
            a->symbol = optarg;
            break;
        case 't':
            a->prefix = optarg;
            break;
        case 'S':
            a->snapshot = 1;
            break;
        case 'j':
            a->json = 1;
            break;
        case 'n':
            a->count = strtol(optarg, &end, 10);
            if (*end || a->count <= 0) {
                fprintf(stderr, "ticksub: bad --count '%s' (want a positive number)\n", optarg);
                return 2;
            }
            break;
        case 'T':
            a->seconds = strtod(optarg, &end);
            if (*end || a->seconds <= 0) {
                fprintf(stderr, "ticksub: bad --seconds '%s' (want a positive number)\n", optarg);
                return 2;
            }
            break;
        case 1000:
            a->client_key = optarg;
            break;
        case 1001:
            a->server_pub = optarg;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case 'V':
            printf("ticksub %s\n", GT_VERSION);
            exit(0);
        default:
            fprintf(stderr, "ticksub: try 'ticksub --help'\n");
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ticksub: unexpected argument '%s' (try 'ticksub --help')\n", argv[optind]);
        return 2;
    }
    if (!a->client_key != !a->server_pub) {
        fprintf(stderr, "ticksub: --curve-client-key and --curve-server-pub go together\n");
        return 2;
    }
    if (a->prefix && (a->kind || a->product || a->symbol)) {
        fprintf(stderr, "ticksub: --topic replaces --kind/--product/--symbol; give one or the "
                        "other\n");
        return 2;
    }
    return 0;
}

static void print_tick(struct printer *pr, const struct gt_tick *t, const char *symbol)
{
    if (pr->json) {
        char line[GT_TICK_JSONLEN];
        if (gt_tick_json(t, symbol, line, sizeof line) > 0)
            puts(line);
    } else {
        char ts[GT_TIME_STRLEN], a[GT_PX_STRLEN], b[GT_PX_STRLEN];
        gt_time_format(t->exch_ns, ts);
        printf("%10llu  %-30s  %-6s  %-12s  ", (unsigned long long)t->seq, ts,
               gt_kind_name(t->kind), symbol);
        switch (t->kind) {
        case GT_KIND_TRADE: {
            const char *who = gt_aggressor_name(t->u.trade.aggressor);
            gt_px_format(t->u.trade.px, a);
            printf("%lld @ %s%s%s\n", (long long)t->u.trade.qty, a, who ? " " : "", who ? who : "");
            break;
        }
        case GT_KIND_LEVEL:
            gt_px_format(t->u.level.px, a);
            printf("%s L%u action %u: %lld @ %s\n", t->u.level.side == GT_SIDE_BID ? "bid" : "ask",
                   t->u.level.level, t->u.level.action, (long long)t->u.level.qty, a);
            break;
        case GT_KIND_TOB:
            gt_px_format(t->u.tob.bid_px, a);
            gt_px_format(t->u.tob.ask_px, b);
            printf("%d @ %s / %s @ %d\n", t->u.tob.bid_qty, a, b, t->u.tob.ask_qty);
            break;
        case GT_KIND_FIXING:
            gt_px_format(t->u.fixing.px, a);
            printf("%s %s\n", a, t->u.fixing.code == GT_FIX_CLOSE ? "official" : "indicative");
            break;
        case GT_KIND_STAT:
            gt_px_format(t->u.stat.px, a);
            printf("%s px %s qty %lld\n",
                   gt_stat_name(t->u.stat.type) ? gt_stat_name(t->u.stat.type) : "type ?", a,
                   (long long)t->u.stat.qty);
            break;
        case GT_KIND_STATUS:
            printf("trading %u feed %s cause %s\n", t->u.status.trading,
                   t->u.status.feed == GT_FEED_STALE       ? "STALE"
                   : t->u.status.feed == GT_FEED_RECOVERED ? "recovered"
                   : t->u.status.feed == GT_FEED_RESET     ? "reset"
                                                           : "-",
                   gt_cause_name(t->u.status.cause) ? gt_cause_name(t->u.status.cause) : "?");
            break;
        case GT_KIND_ORDER:
            gt_px_format(t->u.order.px, a);
            printf("%s order %llu action %u: %d @ %s priority %llu\n",
                   t->u.order.side == GT_SIDE_BID ? "bid" : "ask",
                   (unsigned long long)t->u.order.order_id, t->u.order.action, t->u.order.qty, a,
                   (unsigned long long)t->u.order.priority);
            break;
        default:
            gt_px_format(t->u.def.tick_px, a);
            printf("tick %s maturity %u depth %u\n", a, t->u.def.maturity, t->u.def.depth);
            break;
        }
    }
    pr->printed++;
}

/* gt_bus_cb: prints the records of one message, up to the limit. */
static int print_cb(void *ctx, const char *topic, size_t topic_len, const uint8_t *recs, size_t n)
{
    struct printer *pr = ctx;
    struct gt_topic tp;
    if (gt_topic_parse(topic, topic_len, &tp) < 0)
        snprintf(tp.symbol, sizeof tp.symbol, "?");
    for (size_t i = 0; i < n && (!pr->limit || pr->printed < pr->limit); i++) {
        struct gt_tick t;
        if (gt_tick_decode(recs + i * GT_TICK_LEN, GT_TICK_LEN, &t) == GT_OK)
            print_tick(pr, &t, tp.symbol);
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct sub_args a;
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    char subs[GT_KIND_MAX][GT_TOPIC_MAX];
    int n_subs = 1;
    if (a.prefix)
        snprintf(subs[0], GT_TOPIC_MAX, "%s", a.prefix);
    else if ((n_subs = gt_topic_subscriptions(a.kind, a.product, a.symbol, subs)) < 0) {
        fprintf(stderr, "ticksub: bad --product or --symbol (letters, digits, - _ +; "
                        "--symbol needs --product)\n");
        return 2;
    }
    /* The client takes the prefixes as one space-separated list. */
    char prefixes[GT_BUS_FILTER_MAX] = "";
    for (int i = 0; i < n_subs; i++)
        snprintf(prefixes + strlen(prefixes), sizeof prefixes - strlen(prefixes), "%s%s",
                 i ? " " : "", subs[i]);
    struct printer pr = {.json = a.json, .limit = a.count};
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    struct gt_sub_opts so = {.pub_ep = a.endpoint,
                             .router_ep = a.router,
                             .prefixes = prefixes,
                             .snapshot = a.snapshot,
                             .timeout_ms = REQ_TIMEOUT_MS,
                             .curve_client_key = a.client_key,
                             .curve_server_pub = a.server_pub};
    char err[GT_ERRLEN] = "";
    gt_sub *sub = NULL;
    if (gt_sub_open(&sub, &so, err) < 0) {
        fprintf(stderr, "ticksub: %s\n", err);
        return 1;
    }
    int64_t deadline = a.seconds > 0 ? gt_now_ns() + (int64_t)(a.seconds * 1e9) : INT64_MAX;
    while (!stop && (!a.count || pr.printed < a.count) && gt_now_ns() < deadline) {
        long got = gt_sub_poll(sub, 200, print_cb, &pr, err);
        /* No reply from the ROUTER: fatal before the snapshot (nothing to
         * show yet), retried once printing (a feed restarting). */
        if (got == GT_EZMQ && (!a.snapshot || pr.printed)) {
            fprintf(stderr, "ticksub: %s; retrying\n", err);
        } else if (got < 0) {
            fprintf(stderr, "ticksub: %s\n", err);
            rc = 1;
            break;
        }
        fflush(stdout);
    }
    const struct gt_sub_stats *ss = gt_sub_stats(sub);
    if (ss->lost)
        fprintf(stderr,
                "ticksub: %llu records missing from the live stream (dropped past the "
                "publisher's high-water mark; without --router they cannot be replayed)\n",
                (unsigned long long)ss->lost);
    gt_sub_close(sub);
    return rc;
}
