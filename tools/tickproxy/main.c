/* SPDX-License-Identifier: MIT */
/* main.c -- tickproxy: one tier of the tick bus's fan-out.
 *
 * Live stream: an XSUB socket connected to the upstream PUB (tickfeed, or
 * another tickproxy) and an XPUB socket that subscribers connect to, joined
 * by zmq_proxy_steerable in a thread of their own. Subscriptions flow
 * upstream (XPUB hands them to XSUB), so the feed sends only what some
 * subscriber below wants. The main thread steers it through an inproc PAIR:
 * STATISTICS for the stats line, TERMINATE on SIGINT/SIGTERM.
 *
 * Requests (REPLAY, SNAPSHOT, INFO of docs/wire.md): a ROUTER socket that
 * clients connect to and a DEALER connected to the upstream ROUTER, routed
 * as ZeroMQ's extended request-reply does (zmq_proxy's ROUTER -> DEALER):
 * the proxy keeps no state. A request goes upstream with its whole envelope,
 * the client's identity first (bus.h: gt_bus_envelope); when the client, a
 * DEALER, sent no delimiter the proxy puts an empty frame after its identity,
 * and a request that already has one (a REQ client, or a proxy below this
 * one) keeps it, so a chain carries one delimiter after every tier's
 * identity. The upstream server echoes the envelope; its ROUTER takes its own
 * identity of this proxy off, so a reply arrives here led by the client's
 * identity, and this proxy's ROUTER routes it there. A request the upstream
 * never answers (a tickfeed killed with it in flight) costs its client a
 * timeout and nobody else anything. Proxies chain: each tier is a client of
 * the one above; an envelope of more than GT_BUS_MAX_HOPS identities (a loop
 * of proxies) is refused.
 *
 * Every bind is on loopback unless --bind-remote; CURVE on the bound sockets
 * (--curve-server-key, --curve-allow) and on the upstream connections
 * (--curve-client-key, --curve-server-pub) as include/gputick/sec.h says. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>
#include "gputick/bus.h"
#include "gputick/bytes.h"
#include "gputick/err.h"
#include "gputick/sec.h"
#include "gputick/time.h"
#include "conf.h"
#include "log.h"
#include "metrics.h"
#include "reload.h"
#include "svc.h"

/* Most frames of one reply: envelope, status, header, topic/records pairs. */
enum { REPLY_FRAMES_MAX = GT_BUS_MAX_HOPS + 1 + 2 * GT_BUS_CHUNK + 4 };

struct proxy_args {
    const char *sub_connect, *pub_bind, *req_connect, *router_bind;
    const char *server_key, *allow, *client_key, *server_pub;
    const char *metrics; /* --metrics ADDR:PORT, or NULL */
    int bind_remote;
    long stats_s;
};

struct req_stats {
    uint64_t requests, replies, refused;
    uint64_t unroutable; /* replies whose client had gone (or was full) */
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void usage(FILE *f)
{
    fprintf(
        f, "usage: tickproxy [OPTIONS]\n"
           "\n"
           "Forwards the tick bus to subscribers on other hosts: the live stream (XSUB->XPUB,\n"
           "subscriptions flow upstream) and the replay/snapshot/info requests (ROUTER->\n"
           "DEALER), so a late joiner behind any chain of proxies gets snapshot + live.\n"
           "\n"
           "  --sub-connect EP       upstream PUB: tickfeed or a proxy (default " GT_BUS_PUB_DEFAULT
           ")\n"
           "  --pub-bind EP          where subscribers connect (default tcp://127.0.0.1:5570)\n"
           "  --req-connect EP       upstream ROUTER (default " GT_BUS_ROUTER_DEFAULT ")\n"
           "  --router-bind EP       where request clients connect (default tcp://127.0.0.1:5571)\n"
           "  --bind-remote          allow binds but ipc://, inproc://, loopback tcp://\n"
           "  --curve-server-key F   CURVE on the bound sockets, with this secret key file\n"
           "  --curve-allow PATH     accept only client keys in PATH (a file of keys or a\n"
           "                         folder of .pub files); denials are logged on stderr\n"
           "  --curve-client-key F   CURVE upstream, with this secret key file...\n"
           "  --curve-server-pub F   ...and the upstream's public key file\n"
           "  -s, --stats SEC        print a stats line every SEC seconds (default 10, 0 = off)\n"
           "  --log-level LEVEL      debug, info (default), warning or error\n"
           "  --log-format FORMAT    text (default) or json: one object a line; a line repeated\n"
           "                         for one cause is written once a second at most. SIGHUP\n"
           "                         reads --config again and applies these two at once\n"
           "  --config FILE          read options from FILE: one 'name value' per line (the long\n"
           "                         option's name), # comments; later options win\n"
           "  --print-config         print the options in effect in that format and exit\n"
           "  --metrics ADDR:PORT    serve Prometheus metrics at http://ADDR:PORT/metrics\n"
           "                         (loopback unless --bind-remote, e.g. 127.0.0.1:9571)\n"
           "  -h, --help             show this help and exit\n"
           "  -V, --version          show the version and exit\n"
           "\n"
           "Keys come from tickkey; docs/deployment.md shows a whole deployment.\n");
}

enum {
    O_SUB = 1000,
    O_PUB,
    O_REQ,
    O_ROUTER,
    O_REMOTE,
    O_SKEY,
    O_ALLOW,
    O_CKEY,
    O_SPUB,
    O_METRICS,
    O_CONFIG,
    O_LOGLEVEL,
    O_LOGFORMAT
};
static const struct option opts[] = {{"sub-connect", required_argument, 0, O_SUB},
                                     {"pub-bind", required_argument, 0, O_PUB},
                                     {"req-connect", required_argument, 0, O_REQ},
                                     {"router-bind", required_argument, 0, O_ROUTER},
                                     {"bind-remote", no_argument, 0, O_REMOTE},
                                     {"curve-server-key", required_argument, 0, O_SKEY},
                                     {"curve-allow", required_argument, 0, O_ALLOW},
                                     {"curve-client-key", required_argument, 0, O_CKEY},
                                     {"curve-server-pub", required_argument, 0, O_SPUB},
                                     {"stats", required_argument, 0, 's'},
                                     {"metrics", required_argument, 0, O_METRICS},
                                     {"config", required_argument, 0, O_CONFIG},
                                     {"help", no_argument, 0, 'h'},
                                     {"version", no_argument, 0, 'V'},
                                     {"log-level", required_argument, 0, O_LOGLEVEL},
                                     {"log-format", required_argument, 0, O_LOGFORMAT},
                                     {0, 0, 0, 0}};

static int parse_args(int argc, char **argv, struct proxy_args *a)
{
    int argc0 = argc;
    char **argv0 = argv;
    enum log_level level = LOG_INFO;
    enum log_format format = LOG_TEXT;
    *a = (struct proxy_args){.sub_connect = GT_BUS_PUB_DEFAULT,
                             .pub_bind = "tcp://127.0.0.1:5570",
                             .req_connect = GT_BUS_ROUTER_DEFAULT,
                             .router_bind = "tcp://127.0.0.1:5571",
                             .stats_s = 10};
    int c = conf_expand("tickproxy", &argc, &argv, opts);
    if (c != 0)
        exit(c < 0 ? 2 : 0);
    char *end, err[GT_ERRLEN];
    while ((c = getopt_long(argc, argv, "s:hV", opts, NULL)) != -1) {
        switch (c) {
        case O_SUB:
            a->sub_connect = optarg;
            break;
        case O_PUB:
            a->pub_bind = optarg;
            break;
        case O_REQ:
            a->req_connect = optarg;
            break;
        case O_ROUTER:
            a->router_bind = optarg;
            break;
        case O_REMOTE:
            a->bind_remote = 1;
            break;
        case O_SKEY:
            a->server_key = optarg;
            break;
        case O_ALLOW:
            a->allow = optarg;
            break;
        case O_CKEY:
            a->client_key = optarg;
            break;
        case O_SPUB:
            a->server_pub = optarg;
            break;
        case O_METRICS:
            a->metrics = optarg;
            break;
        case O_LOGLEVEL:
        case O_LOGFORMAT:
            if (log_opt_parse(c == O_LOGLEVEL ? "log-level" : "log-format", optarg, &level, &format,
                              err) < 0) {
                fprintf(stderr, "tickproxy: %s\n", err);
                return 2;
            }
            break;
        case 's':
            a->stats_s = strtol(optarg, &end, 10);
            if (*end || a->stats_s < 0) {
                fprintf(stderr, "tickproxy: bad --stats '%s' (want seconds, 0 = off)\n", optarg);
                return 2;
            }
            break;
        case 'h':
            usage(stdout);
            exit(0);
        case 'V':
            printf("tickproxy %s\n", GT_VERSION);
            exit(0);
        default:
            fprintf(stderr, "tickproxy: try 'tickproxy --help'\n");
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tickproxy: unexpected argument '%s' (try 'tickproxy --help')\n",
                argv[optind]);
        return 2;
    }
    if (!a->client_key != !a->server_pub) {
        fprintf(stderr, "tickproxy: --curve-client-key and --curve-server-pub go together\n");
        return 2;
    }
    if (a->allow && !a->server_key) {
        fprintf(stderr, "tickproxy: --curve-allow needs --curve-server-key\n");
        return 2;
    }
    const char *binds[2] = {a->pub_bind, a->router_bind};
    for (int i = 0; i < 2; i++)
        if (gt_sec_bind_check(binds[i], a->bind_remote, err) < 0) {
            fprintf(stderr, "tickproxy: %s\n", err);
            return 2;
        }
    log_set(level, format);
    reload_init(argc0, argv0, argc, argv);
    return 0;
}

static void log_denial(void *ctx, const char *line)
{
    (void)ctx;
    log_msg(LOG_WARNING, "curve", "%s", line);
}

/* Makes a socket, secured as the options say, bound or connected to ep. */
static void *sock_open(void *zctx, int type, const char *ep, int bind, const struct proxy_args *a,
                       gt_zap *zap)
{
    char err[GT_ERRLEN];
    void *s = zmq_socket(zctx, type);
    int linger = 0, hwm = 100000, rc = GT_OK;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    if (bind && a->server_key)
        rc = gt_sec_server(s, a->server_key, err);
    else if (!bind && a->client_key)
        rc = gt_sec_client(s, a->client_key, a->server_pub, err);
    if (rc == GT_OK && bind && zap && gt_zap_watch(zap, s) < 0) {
        snprintf(err, sizeof err, "cannot watch handshakes: %s", zmq_strerror(errno));
        rc = GT_EZMQ;
    }
    if (rc == GT_OK && (bind ? zmq_bind(s, ep) : zmq_connect(s, ep)) < 0) {
        snprintf(err, sizeof err, "cannot %s '%s': %s", bind ? "bind" : "connect to", ep,
                 zmq_strerror(errno));
        rc = GT_EZMQ;
    }
    if (rc < 0) {
        log_msg(LOG_ERROR, NULL, "%s", err);
        zmq_close(s);
        return NULL;
    }
    return s;
}

struct live {
    void *xsub, *xpub, *ctl_peer;
};

static void *live_main(void *arg)
{
    struct live *l = arg;
    zmq_proxy_steerable(l->xsub, l->xpub, NULL, l->ctl_peer);
    return NULL;
}

/* Asks the live proxy for its counters: frames in from upstream and
 * subscription messages in from subscribers. */
static void live_stats(void *ctl, uint64_t *frames, uint64_t *subs)
{
    uint64_t v[8] = {0};
    zmq_send(ctl, "STATISTICS", 10, 0);
    for (int i = 0; i < 8; i++) {
        uint64_t x = 0;
        zmq_recv(ctl, &x, sizeof x, 0);
        v[i] = x;
    }
    *frames = v[0];
    *subs = v[4];
}

/* Sends f[0..n) as one message (zmq_msg_send takes the frames over),
 * preceded by an empty delimiter after frame 0 when delimit. Never blocks: a
 * full or vanished peer (ROUTER_MANDATORY) fails the first frame, and
 * ZeroMQ takes the rest of a message it took the first frame of. Closes
 * what it did not send. Returns 0, or -1 if nothing was sent. */
static int send_all(void *s, zmq_msg_t *f, int n, int delimit)
{
    int i = 0;
    for (; i < n; i++) {
        int more = i + 1 < n || (i == 0 && delimit) ? ZMQ_SNDMORE : 0;
        if (zmq_msg_send(&f[i], s, more | ZMQ_DONTWAIT) < 0)
            break;
        if (i == 0 && delimit)
            zmq_send(s, "", 0, n > 1 ? ZMQ_SNDMORE : 0);
    }
    for (int k = i; k < n; k++)
        zmq_msg_close(&f[k]);
    return i == 0 && n > 0 ? -1 : 0;
}

/* Answers a client at once, as a reply from upstream would reach it: its
 * envelope f[0..n_env) (with the delimiter added when it had none), then
 * ERR, code, text, in f[n_env..n_env + 3) (f holds REPLY_FRAMES_MAX).
 * Closes f[0..n). */
static void reply_refuse(void *front, zmq_msg_t *f, int n, int n_env, int code, const char *why)
{
    for (int i = n_env; i < n; i++)
        zmq_msg_close(&f[i]);
    uint8_t c[4];
    st_le32(c, (uint32_t)code);
    const struct gt_frame h[3] = {
        {(const uint8_t *)"ERR", 3}, {c, 4}, {(const uint8_t *)why, strlen(why)}};
    for (int i = 0; i < 3; i++) {
        zmq_msg_init_size(&f[n_env + i], h[i].len);
        memcpy(zmq_msg_data(&f[n_env + i]), h[i].p, h[i].len);
    }
    send_all(front, f, n_env + 3, n_env == 1); /* a client gone or full: nothing sent */
}

/* The envelope of the n frames received in f, looked for far enough to
 * tell one deeper than GT_BUS_MAX_HOPS identities. */
static int envelope_of(zmq_msg_t *f, int n)
{
    struct gt_frame fr[GT_BUS_MAX_HOPS + 3];
    int k = n < GT_BUS_MAX_HOPS + 3 ? n : GT_BUS_MAX_HOPS + 3;
    for (int i = 0; i < k; i++)
        fr[i] = (struct gt_frame){zmq_msg_data(&f[i]), zmq_msg_size(&f[i])};
    return gt_bus_envelope(fr, k);
}

/* Forwards one request from a client (front) upstream (back), envelope and
 * all. */
static void req_forward(void *front, void *back, zmq_msg_t *f, struct req_stats *rs)
{
    int dropped, n = gt_bus_recv_parts(front, f, GT_BUS_MAX_PARTS, ZMQ_DONTWAIT, &dropped);
    if (n < 0)
        return;
    int n_env = envelope_of(f, n);
    int delimited = n_env > 1, ids = delimited ? n_env - 1 : 1, events = 0;
    size_t len = sizeof events;
    zmq_getsockopt(back, ZMQ_EVENTS, &events, &len);
    int code = GT_EBADMSG;
    const char *why = NULL;
    if (dropped)
        why = "tickproxy: a request has at most 8 frames";
    else if (n < 2)
        why = "tickproxy: empty request";
    else if (ids + 1 > GT_BUS_MAX_HOPS)
        why = "tickproxy: more than 16 hops (a loop of proxies?)";
    else if (!(events & ZMQ_POLLOUT))
        code = GT_EBUSY, why = "tickproxy: too many requests in flight upstream";
    if (why) {
        /* Answer at once: the client is not left waiting for its timeout. */
        reply_refuse(front, f, n, n_env, code, why);
        rs->refused++;
        return;
    }
    send_all(back, f, n, !delimited);
    rs->requests++;
}

/* Hands one reply from upstream to the client its envelope names. */
static void req_reply(void *front, void *back, zmq_msg_t *f, struct req_stats *rs)
{
    int dropped, n = gt_bus_recv_parts(back, f, REPLY_FRAMES_MAX, ZMQ_DONTWAIT, &dropped);
    if (n < 0)
        return;
    if (dropped) { /* not with tickfeed's bounds; never pass half a reply on */
        reply_refuse(front, f, n, envelope_of(f, n), GT_EBADMSG, "tickproxy: reply too large");
        rs->refused++;
    } else if (n >= 2 && send_all(front, f, n, 0) == 0) {
        rs->replies++;
    } else {
        if (n < 2)
            zmq_msg_close(&f[0]);
        rs->unroutable++;
    }
}

/* Every counter tickproxy reports, once: the stats line prints each row as
 * "KEY N", the metrics endpoint as gputick_proxy_NAME{LABELS}, so a counter
 * added here is in both. A row reads frames and subs (the live proxy's), rs
 * and zs. */
#define PROXY_COUNTERS(X)                                                                          \
    X("messages", "messages_total", NULL, "Bus messages forwarded downstream.", frames / 2)        \
    X("subscriptions", "subscription_messages_total", NULL,                                        \
      "(Un)subscribe messages from subscribers.", subs)                                            \
    X("requests", "requests_total", NULL, "Requests forwarded upstream.", rs->requests)            \
    X("replies", "replies_total", NULL, "Replies handed to their clients.", rs->replies)           \
    X("refused", "refused_total", NULL, "Requests or replies refused.", rs->refused)               \
    X("unroutable", "unroutable_total", NULL, "Replies whose client had gone.", rs->unroutable)    \
    X("curve-allowed", "curve_total", "verdict=\"allowed\"", "CURVE handshakes by verdict.",       \
      zs->allowed)                                                                                 \
    X("curve-denied", "curve_total", "verdict=\"denied\"", "CURVE handshakes by verdict.",         \
      zs->denied)                                                                                  \
    X("handshake-failed", "curve_total", "verdict=\"failed\"", "CURVE handshakes by verdict.",     \
      zs->handshake_failed)

static void metrics_render(struct metrics *m, struct metrics_text *t, uint64_t frames,
                           uint64_t subs, const struct req_stats *rs, const struct gt_zap_stats *zs)
{
    metrics_text_reset(t);
#define X(key, name, labels, help, v)                                                              \
    metrics_sample(t, "gputick_proxy_" name, METRICS_COUNTER, help, labels, (double)(v));
    PROXY_COUNTERS(X)
#undef X
    metrics_publish(m, t);
}

static void stats_line(uint64_t frames, uint64_t subs, const struct req_stats *rs,
                       const struct gt_zap_stats *zs)
{
    char line[1024];
    size_t len = (size_t)snprintf(line, sizeof line, "stats:");
#define X(key, name, labels, help, v)                                                              \
    if (len < sizeof line)                                                                         \
        len += (size_t)snprintf(line + len, sizeof line - len, " " key " %llu",                    \
                                (unsigned long long)(v));
    PROXY_COUNTERS(X)
#undef X
    log_msg(LOG_INFO, NULL, "%s", line);
}

int main(int argc, char **argv)
{
    struct proxy_args a;
    log_init("tickproxy");
    int rc = parse_args(argc, argv, &a);
    if (rc)
        return rc;
    char err[GT_ERRLEN];
    struct metrics *m = NULL;
    struct metrics_text mt;
    metrics_text_init(&mt);
    if (a.metrics && (rc = metrics_open(&m, a.metrics, a.bind_remote, err)) < 0) {
        log_msg(LOG_ERROR, NULL, "%s", err);
        return rc == GT_EINVAL ? 2 : 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    void *zctx = zmq_ctx_new();
    gt_zap *zap = NULL;
    struct live l = {0};
    void *ctl = NULL, *front = NULL, *back = NULL;
    zmq_msg_t *f = malloc(REPLY_FRAMES_MAX * sizeof *f);
    pthread_t thread;
    int started = 0;
    rc = 1;
    if (!f) {
        log_msg(LOG_ERROR, NULL, "out of memory");
        goto out;
    }
    if (a.allow && gt_zap_open(&zap, zctx, a.allow, log_denial, NULL, err) < 0) {
        log_msg(LOG_ERROR, NULL, "%s", err);
        goto out;
    }
    l.xsub = sock_open(zctx, ZMQ_XSUB, a.sub_connect, 0, &a, zap);
    l.xpub = sock_open(zctx, ZMQ_XPUB, a.pub_bind, 1, &a, zap);
    back = sock_open(zctx, ZMQ_DEALER, a.req_connect, 0, &a, zap);
    front = sock_open(zctx, ZMQ_ROUTER, a.router_bind, 1, &a, zap);
    if (!l.xsub || !l.xpub || !back || !front)
        goto out;
    int mandatory = 1; /* a reply to a client that has gone is counted, not lost unseen */
    zmq_setsockopt(front, ZMQ_ROUTER_MANDATORY, &mandatory, sizeof mandatory);
    ctl = zmq_socket(zctx, ZMQ_PAIR);
    l.ctl_peer = zmq_socket(zctx, ZMQ_PAIR);
    zmq_bind(ctl, "inproc://tickproxy-ctl");
    zmq_connect(l.ctl_peer, "inproc://tickproxy-ctl");
    if (pthread_create(&thread, NULL, live_main, &l) != 0) {
        log_msg(LOG_ERROR, NULL, "cannot start the live proxy thread");
        goto out;
    }
    started = 1;
    log_msg(LOG_INFO, NULL, "%s -> %s, requests %s -> %s%s%s", a.sub_connect, a.pub_bind,
            a.router_bind, a.req_connect, a.server_key ? ", CURVE" : "",
            a.allow ? " with an allow-list" : "");
    struct req_stats rs = {0};
    int64_t next_report = gt_now_ns() + a.stats_s * GT_NS_PER_SEC;
    for (int last = 0; !last;) {
        last = stop;
        svc_alive(); /* READY=1 at the first turn, then the systemd watchdog */
        if (reload_pending())
            reload_log_only("tickproxy", opts);
        if (!last) {
            zmq_pollitem_t pi[2] = {{front, 0, ZMQ_POLLIN, 0}, {back, 0, ZMQ_POLLIN, 0}};
            if (zmq_poll(pi, 2, 100) > 0) {
                if (pi[0].revents & ZMQ_POLLIN)
                    req_forward(front, back, f, &rs);
                if (pi[1].revents & ZMQ_POLLIN)
                    req_reply(front, back, f, &rs);
            }
        }
        int report = last || (a.stats_s && gt_now_ns() >= next_report);
        if (report || metrics_due(m)) {
            uint64_t frames, subs;
            struct gt_zap_stats zs = {0};
            live_stats(ctl, &frames, &subs);
            if (zap)
                gt_zap_stats_get(zap, &zs);
            if (m)
                metrics_render(m, &mt, frames, subs, &rs, &zs);
            if (report) {
                stats_line(frames, subs, &rs, &zs);
                next_report = gt_now_ns() + a.stats_s * GT_NS_PER_SEC;
            }
        }
    }
    rc = 0;
out:
    if (started) {
        zmq_send(ctl, "TERMINATE", 9, 0);
        pthread_join(thread, NULL);
    }
    gt_zap_close(zap);
    void *socks[] = {l.xsub, l.xpub, front, back, ctl, l.ctl_peer};
    for (size_t i = 0; i < sizeof socks / sizeof socks[0]; i++)
        if (socks[i])
            zmq_close(socks[i]);
    zmq_ctx_term(zctx);
    free(f);
    metrics_close(m);
    metrics_text_fini(&mt);
    log_fini();
    return rc;
}
