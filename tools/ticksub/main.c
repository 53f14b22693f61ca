/* SPDX-License-Identifier: MIT */
/* main.c -- ticksub: subscribe to tickfeed and print ticks.
 *
 * Subscribes on tickfeed's PUB endpoint to the prefixes that select the asked
 * kind, product and symbol, optionally asks the ROUTER for a snapshot first,
 * and prints each tick as a table row or a JSON line. When it subscribes to
 * everything it also watches the bus sequence and reports any hole (records
 * the PUB socket dropped), which a reader that must not lose data would
 * replay. Bounded by --count and --seconds when given.
 *
 * The snapshot follows the Clone pattern, per subscription prefix: subscribe,
 * ask SNAPSHOT of the prefix (the state as of S), then print live records
 * after S. A subscription takes a while to reach tickfeed, through proxies
 * longer, and a snapshot may be answered before it arrives: the records
 * published between S and the first live message were then sent to nobody
 * here, and a filtered stream cannot show that hole. So when a prefix's
 * first live message comes (its first sequence F), the records of (S, F)
 * under that prefix are asked for with a filtered REPLAY and printed first;
 * live records at or below S are skipped, they were in the snapshot. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gputick/bus.h"
#include "gputick/bytes.h"
#include "gputick/err.h"
#include "gputick/sec.h"
#include "gputick/tickfmt.h"
#include "gputick/time.h"

struct printer;

struct sub_args {
    const char *endpoint, *router;
    int kind;
    const char *product, *symbol, *prefix;
    const char *client_key, *server_pub; /* CURVE */
    int snapshot, json;
    long count;
    double seconds;
};

/* One subscription prefix and where its snapshot left it. */
struct stream {
    struct printer *pr;
    const char *prefix;
    uint64_t as_of; /* live records at or below this were in the snapshot */
    int live;       /* its first live message came (and the hole before it was filled) */
};

struct printer {
    int json;
    long printed, limit;
    struct stream st[GT_KIND_MAX];
    int n_st;
    void *dealer;      /* with --snapshot: the ROUTER, for the replays */
    uint64_t replayed; /* records between a snapshot and its first live message */
    uint64_t next_seq; /* when subscribed to everything: the seq expected next */
    int check_holes;
    uint64_t holes;
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
    fprintf(f,
            "usage: ticksub [OPTIONS]\n"
            "\n"
            "Subscribes to tickfeed's tick bus and prints ticks, optionally starting from a\n"
            "snapshot of the current books (late join).\n"
            "\n"
            "  -e, --endpoint EP   tickfeed's PUB endpoint (default " GT_BUS_PUB_DEFAULT ")\n"
            "  -r, --router EP     tickfeed's ROUTER endpoint (default " GT_BUS_ROUTER_DEFAULT ")\n"
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
        case GT_KIND_TRADE:
            gt_px_format(t->u.trade.px, a);
            printf("%lld @ %s%s\n", (long long)t->u.trade.qty, a,
                   t->u.trade.aggressor == GT_SIDE_BID   ? " buyer"
                   : t->u.trade.aggressor == GT_SIDE_ASK ? " seller"
                                                         : "");
            break;
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
            printf("type %u px %s qty %lld\n", t->u.stat.type, a, (long long)t->u.stat.qty);
            break;
        case GT_KIND_STATUS:
            printf("trading %u feed %s cause %u\n", t->u.status.trading,
                   t->u.status.feed == GT_FEED_STALE       ? "STALE"
                   : t->u.status.feed == GT_FEED_RECOVERED ? "recovered"
                   : t->u.status.feed == GT_FEED_RESET     ? "reset"
                                                           : "-",
                   t->u.status.cause);
            break;
        default:
            gt_px_format(t->u.def.tick_px, a);
            printf("tick %s maturity %u depth %u\n", a, t->u.def.maturity, t->u.def.depth);
            break;
        }
    }
    pr->printed++;
}

/* Prints the records of one message of stream st; live ones at or below its
 * snapshot's sequence are skipped, they were part of it. */
static void print_recs(struct printer *pr, const struct stream *st, const char *topic,
                       size_t topic_len, const uint8_t *recs, size_t n)
{
    struct gt_topic tp;
    if (gt_topic_parse(topic, topic_len, &tp) < 0)
        snprintf(tp.symbol, sizeof tp.symbol, "?");
    for (size_t i = 0; i < n && (!pr->limit || pr->printed < pr->limit); i++) {
        struct gt_tick t;
        if (gt_tick_decode(recs + i * GT_TICK_LEN, GT_TICK_LEN, &t) < 0)
            continue;
        if (!(t.flags & GT_F_SNAPSHOT)) {
            if (st && t.seq <= st->as_of)
                continue;
            if (pr->check_holes && pr->next_seq && t.seq != pr->next_seq)
                pr->holes += t.seq > pr->next_seq ? t.seq - pr->next_seq : 0;
            pr->next_seq = t.seq + 1;
        }
        print_tick(pr, &t, tp.symbol);
    }
}

/* The stream whose prefix the topic starts with (the prefixes are disjoint),
 * or NULL. */
static struct stream *stream_of(struct printer *pr, const char *topic, size_t topic_len)
{
    for (int i = 0; i < pr->n_st; i++)
        if (gt_bus_filter_match(pr->st[i].prefix, topic, topic_len))
            return &pr->st[i];
    return NULL;
}

/* gt_bus_cb of snapshots and replays: ctx is the stream. */
static int print_cb(void *ctx, const char *topic, size_t topic_len, const uint8_t *recs, size_t n)
{
    struct stream *st = ctx;
    print_recs(st->pr, st, topic, topic_len, recs, n);
    return 0;
}

/* Prints one live message; the first of a stream after its snapshot is
 * preceded by the records that stream missed between the two. Returns 0, or
 * the failed replay's error (err says why). */
static long on_live(struct printer *pr, const char *topic, size_t topic_len, const uint8_t *recs,
                    size_t n, char *err)
{
    struct stream *st = stream_of(pr, topic, topic_len);
    uint64_t first = ld_le64(recs + 8);
    if (st && pr->dealer && !st->live) {
        st->live = 1;
        if (first > st->as_of + 1) {
            uint64_t from = st->as_of + 1;
            uint64_t next = from;
            long got = gt_bus_replay_filter(pr->dealer, from, first - 1, st->prefix, REQ_TIMEOUT_MS,
                                            print_cb, st, NULL, &next, err);
            if (got < 0)
                return got;
            pr->replayed += (uint64_t)got;
            if (next < first) { /* the journal no longer reaches back that far */
                snprintf(err, GT_ERRLEN, "the replay covered only %llu..%llu of %llu..%llu",
                         (unsigned long long)from, (unsigned long long)next - 1,
                         (unsigned long long)from, (unsigned long long)first - 1);
                return GT_ERANGE;
            }
            st->as_of = first - 1; /* covered */
        }
    }
    print_recs(pr, st, topic, topic_len, recs, n);
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
    struct printer pr = {.json = a.json,
                         .limit = a.count,
                         .n_st = n_subs,
                         .check_holes = n_subs == 1 && subs[0][0] == '\0'};
    for (int i = 0; i < n_subs; i++)
        pr.st[i] = (struct stream){.pr = &pr, .prefix = subs[i]};
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    void *ctx = zmq_ctx_new();
    void *sub = zmq_socket(ctx, ZMQ_SUB);
    int linger = 0;
    zmq_setsockopt(sub, ZMQ_LINGER, &linger, sizeof linger);
    for (int i = 0; i < n_subs; i++)
        zmq_setsockopt(sub, ZMQ_SUBSCRIBE, subs[i], strlen(subs[i]));
    char err[GT_ERRLEN] = "";
    if (a.client_key && gt_sec_client(sub, a.client_key, a.server_pub, err) < 0) {
        fprintf(stderr, "ticksub: %s\n", err);
        rc = 1;
        goto out;
    }
    if (zmq_connect(sub, a.endpoint) < 0) {
        fprintf(stderr, "ticksub: cannot connect to '%s': %s\n", a.endpoint, zmq_strerror(errno));
        rc = 1;
        goto out;
    }
    if (a.snapshot) {
        pr.dealer = zmq_socket(ctx, ZMQ_DEALER);
        zmq_setsockopt(pr.dealer, ZMQ_LINGER, &linger, sizeof linger);
        long got = GT_EZMQ;
        if (a.client_key && gt_sec_client(pr.dealer, a.client_key, a.server_pub, err) < 0)
            snprintf(err + strlen(err), sizeof err - strlen(err), " (CURVE)");
        else if (zmq_connect(pr.dealer, a.router) == 0)
            for (int i = 0; i < n_subs; i++) { /* one snapshot per prefix, each its as_of */
                got = gt_bus_snapshot(pr.dealer, subs[i], REQ_TIMEOUT_MS, print_cb, &pr.st[i],
                                      &pr.st[i].as_of, err);
                if (got < 0)
                    break;
            }
        if (got < 0) {
            fprintf(stderr, "ticksub: snapshot from '%s' failed: %s\n", a.router, err);
            rc = 1;
            goto out;
        }
    }
    int64_t deadline = a.seconds > 0 ? gt_now_ns() + (int64_t)(a.seconds * 1e9) : INT64_MAX;
    struct gt_bus_msg m;
    gt_bus_msg_init(&m);
    while (!stop && (!a.count || pr.printed < a.count) && gt_now_ns() < deadline) {
        zmq_pollitem_t pi = {sub, 0, ZMQ_POLLIN, 0};
        if (zmq_poll(&pi, 1, 200) <= 0)
            continue;
        int n = gt_bus_recv(sub, &m, ZMQ_DONTWAIT);
        if (n > 0 && on_live(&pr, zmq_msg_data(&m.topic), zmq_msg_size(&m.topic),
                             gt_bus_msg_rec(&m, 0), (size_t)n, err) < 0) {
            fprintf(stderr,
                    "ticksub: replay of what passed before the live stream from '%s' failed: "
                    "%s\n",
                    a.router, err);
            rc = 1;
            break;
        }
        fflush(stdout);
    }
    gt_bus_msg_close(&m);
    if (pr.holes)
        fprintf(stderr,
                "ticksub: %llu records missing from the live stream (dropped past the "
                "publisher's high-water mark; replay them from the ROUTER)\n",
                (unsigned long long)pr.holes);
out:
    if (pr.dealer)
        zmq_close(pr.dealer);
    zmq_close(sub);
    zmq_ctx_term(ctx);
    return rc;
}
