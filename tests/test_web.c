/* SPDX-License-Identifier: MIT */
/* test_web.c -- tickweb as a user reaches it: the real program on a loopback
 * port, plain HTTP/1.0 from here.
 *
 *   - the API against tickq's output on the same store (built here from
 *     generated ticks, as test_tickq does): every answer byte for byte what
 *     the command prints, JSON and CSV; its errors with tickq's own line and
 *     the statuses 400, 404 (with suggestions) and 503;
 *   - the token: a request without it, or with a wrong one, is refused with
 *     401; an address other than loopback is refused without a token;
 *   - the live stream against tickfeed's real publisher (feedhandler/pub.c,
 *     journal on disk, PUB and ROUTER on ipc): resuming with Last-Event-ID
 *     gives every record of the topic after it, in order, once; a resume from
 *     before what the ring holds gets a gap event that names what is missing,
 *     then the records from the oldest held; state=1 starts with the state. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zmq.h>
#include "cmd.h"
#include "proc.h"
#include "pub.h"
#include "tickgen.h"
#include "gputick/store.h"
#include "gputick/time.h"

static char dir[64], db[128];
static int port;
static pid_t web_pid;

#define DAY_NS INT64_C(1795478400000000000) /* 2026-11-24T00:00:00Z */

/* ---- a store of one H100 day ---- */

static void store_build(void)
{
    enum { CAP = 20000 };
    struct gt_tick *ticks = malloc(CAP * sizeof *ticks);
    struct tickgen g = {ticks, 0, CAP, 0};
    uint64_t rng = 0x5eed;
    int32_t index = gt_index_id("SDH100RT", 8);
    tickgen_def(&g, DAY_NS, index, "SDH100RT", 0, GT_INSTR_INDEX, 0);
    tickgen_def(&g, DAY_NS, 1001, "H100Z6", 20261230, GT_INSTR_FUTURE, 10);
    tickgen_def(&g, DAY_NS, 1002, "H100F7", 20270129, GT_INSTR_FUTURE, 10);
    int64_t px[2] = {2500000000, 2550000000};
    for (int i = 0; i < 3000; i++) {
        int64_t ns = DAY_NS + INT64_C(13) * 3600000000000 + (int64_t)i * 6000000000;
        int k = (int)(tickgen_rnd(&rng) % 2);
        int32_t id = 1001 + k;
        px[k] += ((int64_t)(tickgen_rnd(&rng) % 3) - 1) * 5000000;
        if (i % 3 == 0) {
            for (int side = GT_SIDE_BID; side <= GT_SIDE_ASK; side++) {
                struct gt_tick *t = tickgen_add(&g, GT_KIND_LEVEL, id, ns);
                t->u.level =
                    (struct gt_level){.px = px[k] + (side == GT_SIDE_BID ? -1 : 1) * 5000000,
                                      .qty = 10 + i % 7,
                                      .n_orders = 2,
                                      .level = 1,
                                      .side = (uint8_t)side,
                                      .action = i < 6 ? GT_ACT_NEW : GT_ACT_CHANGE,
                                      .rpt_seq = (uint32_t)i};
            }
            struct gt_tick *t = tickgen_add(&g, GT_KIND_TOB, id, ns);
            t->u.tob = (struct gt_tob){.bid_px = px[k] - 5000000,
                                       .ask_px = px[k] + 5000000,
                                       .bid_qty = 10 + i % 7,
                                       .ask_qty = 10 + i % 7};
        }
        struct gt_tick *t = tickgen_add(&g, GT_KIND_TRADE, id, ns);
        t->u.trade = (struct gt_trade){.px = px[k],
                                       .qty = 1 + (int64_t)(tickgen_rnd(&rng) % 20),
                                       .trade_id = (uint32_t)i,
                                       .aggressor = GT_SIDE_BID};
        if (i % 60 == 0)
            tickgen_fixing(&g, index, ns, 2490000000 + i * 10000, GT_FIX_INDICATIVE, 20261124);
    }
    tickgen_fixing(&g, index, DAY_NS + INT64_C(21) * 3600000000000, 2512000000, GT_FIX_CLOSE,
                   20261124);
    gt_store *st;
    char err[GT_ERRLEN];
    cr_assert(eq(int, gt_store_open(db, GT_STORE_WRITER, &st, err), GT_OK), "%s", err);
    for (int i = 0; i < g.n; i++)
        cr_assert(eq(int, gt_store_append(st, &ticks[i]), 1));
    cr_assert(eq(int, gt_store_commit(st, g.seq), GT_OK));
    gt_store_close(st);
    free(ticks);
}

static void setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/gt-web.XXXXXX");
    cr_assert(not(eq(ptr, mkdtemp(dir), NULL)));
    snprintf(db, sizeof db, "%s/db", dir);
    /* Below the kernel's ephemeral ports, where no outgoing connection takes
     * it; Criterion runs each test in its own process. */
    port = 28500 + getpid() % 4000;
}

/* Stops tickweb: it must exit 0 on SIGTERM, with nothing in its log from a
 * sanitizer (the sanitizer tree runs this suite too; LeakSanitizer's exit is
 * not 0). */
static void web_stop(void)
{
    char log[160];
    snprintf(log, sizeof log, "%s/tickweb.log", dir);
    int rc = proc_stop(web_pid, 20000);
    web_pid = 0;
    char *s = tickgen_slurp(log);
    cr_assert(eq(int, rc, 0), "tickweb exited %d: %s", rc, s);
    cr_assert(eq(ptr, strstr(s, "runtime error"), NULL), "%s", s);
    cr_assert(not(eq(ptr, strstr(s, "tickweb: stopped"), NULL)), "%s", s);
    free(s);
}

static void teardown(void)
{
    if (web_pid > 0)
        proc_stop(web_pid, 5000);
    web_pid = 0;
    nftw(dir, tickgen_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* Starts tickweb with the extra arguments (NULL-terminated) and waits until
 * it serves. */
static void web_start(const char *a1, const char *a2, const char *a3, const char *a4)
{
    char listen[32], log[160], pub[128], rtr[128];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", port);
    snprintf(log, sizeof log, "%s/tickweb.log", dir);
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    snprintf(rtr, sizeof rtr, "ipc://%s/rtr", dir);
    web_pid = proc_spawn("web/tickweb", log, "--listen", listen, "-e", pub, "-r", rtr, a1, a2, a3,
                         a4, NULL);
    for (int i = 0; i < 1000; i++) {
        char *s = tickgen_slurp(log);
        int up = strstr(s, "serving") != NULL, down = strstr(s, "cannot") != NULL;
        free(s);
        if (down)
            break;
        if (up)
            return;
        usleep(10000);
    }
    char *s = tickgen_slurp(log);
    cr_fatal("tickweb did not start: %s", s);
}

/* ---- HTTP ---- */

static int http_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    cr_assert(eq(int, connect(fd, (struct sockaddr *)&sa, sizeof sa), 0), "connect: %m");
    return fd;
}

static void http_send(int fd, const char *path, const char *headers)
{
    char req[2048];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n%s\r\n", path,
                     headers ? headers : "");
    cr_assert(eq(long, (long)write(fd, req, (size_t)n), (long)n));
}

/* GETs path; returns the status and *body (malloc'ed). */
static int http_get(const char *path, const char *headers, char **body)
{
    int fd = http_connect();
    http_send(fd, path, headers);
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (len + 4096 > cap)
            buf = realloc(buf, cap *= 2);
        struct pollfd p = {fd, POLLIN, 0};
        cr_assert(eq(int, poll(&p, 1, 20000), 1), "no answer to %s within 20 s", path);
        ssize_t r = read(fd, buf + len, cap - len - 1);
        if (r <= 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    buf[len] = 0;
    int status = 0;
    sscanf(buf, "HTTP/1.%*d %d", &status);
    char *b = strstr(buf, "\r\n\r\n");
    *body = strdup(b ? b + 4 : "");
    free(buf);
    return status;
}

/* Runs tickq's command in this process; returns its stdout (malloc'ed) and
 * its exit status in *rc, its stderr in *err (may be NULL). */
static char *tickq(int (*cmd)(int, char **), int *rc, char **err, ...)
{
    char *argv[32];
    int argc = 0;
    va_list ap;
    va_start(ap, err);
    for (char *a; (a = va_arg(ap, char *)) && argc < 31;)
        argv[argc++] = a;
    va_end(ap);
    argv[argc] = NULL;
    char o[160], e[160];
    snprintf(o, sizeof o, "%s/out", dir);
    snprintf(e, sizeof e, "%s/err", dir);
    *rc = tickgen_run(cmd, argc, argv, o, e);
    if (err)
        *err = tickgen_slurp(e);
    return tickgen_slurp(o);
}

/* The API's answer to path equals tickq's output. */
static void same(const char *path, const char *headers, const char *want)
{
    char *body;
    int status = http_get(path, headers, &body);
    cr_assert(eq(int, status, 200), "%s: %d %s", path, status, body);
    cr_assert(gt(sz, strlen(want), 0), "%s: tickq printed nothing", path);
    cr_assert(eq(str, body, (char *)want), "%s", path);
    free(body);
}

Test(web, the_api_answers_what_tickq_prints, .init = setup, .fini = teardown, .timeout = 120)
{
    store_build();
    web_start("--db", db, NULL, NULL);
    int rc;
    char *w;
    w = tickq(cmd_symbols, &rc, NULL, "symbols", "--db", db, "--format", "json", NULL);
    same("/api/symbols", NULL, w);
    free(w);
    w = tickq(cmd_bars, &rc, NULL, "bars", "H100Z6", "--interval", "5m", "--db", db, "--format",
              "json", NULL);
    same("/api/bars?symbol=H100Z6&interval=5m", NULL, w);
    free(w);
    w = tickq(cmd_bars, &rc, NULL, "bars", "H100Z6", "--interval", "1h", "--fill", "--db", db,
              "--format", "csv", NULL);
    same("/api/bars?symbol=H100Z6&interval=1h&fill&format=csv", NULL, w);
    same("/api/bars?symbol=H100Z6&interval=1h&fill", "Accept: text/csv\r\n", w);
    free(w);
    w = tickq(cmd_bars, &rc, NULL, "bars", "--product", "H100", "--interval", "1d", "--db", db,
              "--format", "json", NULL);
    same("/api/bars?product=H100&interval=1d", NULL, w);
    free(w);
    w = tickq(cmd_ticks, &rc, NULL, "ticks", "H100F7", "--kind", "trade", "--from",
              "2026-11-24T14:00Z", "--to", "2026-11-24T14:30Z", "--db", db, "--format", "json",
              NULL);
    same("/api/ticks?symbol=H100F7&kind=trade&from=2026-11-24T14:00Z&to=2026-11-24T14:30Z", NULL,
         w);
    free(w);
    w = tickq(cmd_fixings, &rc, NULL, "fixings", "SDH100RT", "--db", db, "--format", "json", NULL);
    same("/api/fixings?index=SDH100RT", NULL, w);
    free(w);
    w = tickq(cmd_curve, &rc, NULL, "curve", "H100", "--at", "2026-11-24T15:00Z", "--db", db,
              "--format", "json", NULL);
    same("/api/curve?product=H100&at=2026-11-24T15:00Z", NULL, w);
    free(w);
    w = tickq(cmd_book, &rc, NULL, "book", "H100Z6", "--at", "2026-11-24T15:00Z", "--db", db,
              "--format", "json", NULL);
    same("/api/book?symbol=H100Z6&at=2026-11-24T15:00Z", NULL, w);
    free(w);
    w = tickq(cmd_stats, &rc, NULL, "stats", "--db", db, "--format", "json", NULL);
    same("/api/stats", NULL, w);
    free(w);
    web_stop();
}

/* The error's body is {"error":"LINE"} with tickq's line. */
static void refused(const char *path, int want_status, const char *want_line)
{
    char *body;
    int status = http_get(path, NULL, &body);
    cr_assert(eq(int, status, want_status), "%s: %d %s", path, status, body);
    if (want_line) {
        char want[1024];
        size_t n = strcspn(want_line, "\n");
        snprintf(want, sizeof want, "{\"error\":\"%.*s\"}\n", (int)n, want_line);
        cr_assert(eq(str, body, want), "%s", path);
    }
    free(body);
}

Test(web, errors_carry_tickqs_line_and_status, .init = setup, .fini = teardown, .timeout = 120)
{
    store_build();
    web_start("--db", db, NULL, NULL);
    int rc;
    char *err, *out;
    out = tickq(cmd_bars, &rc, &err, "bars", "H100Z6", "--interval", "5x", "--db", db, NULL);
    cr_assert(eq(int, rc, 2));
    refused("/api/bars?symbol=H100Z6&interval=5x", 400, err);
    free(out), free(err);
    out = tickq(cmd_bars, &rc, &err, "bars", "H100Z7", "--interval", "5m", "--db", db, NULL);
    cr_assert(eq(int, rc, 2));
    cr_assert(not(eq(ptr, strstr(err, "H100Z6"), NULL)), "no suggestion: %s", err);
    refused("/api/bars?symbol=H100Z7&interval=5m", 404, err);
    free(out), free(err);
    out =
        tickq(cmd_curve, &rc, &err, "curve", "H200", "--at", "2026-11-24T15:00Z", "--db", db, NULL);
    refused("/api/curve?product=H200&at=2026-11-24T15:00Z", 404, err);
    free(out), free(err);
    out = tickq(cmd_ticks, &rc, &err, "ticks", "H100Z6", "--bogus", "--db", db, NULL);
    refused("/api/ticks?symbol=H100Z6&bogus", 400, err);
    free(out), free(err);
    refused("/api/bars?symbol=H100Z6&interval=5m&db=/etc", 400,
            "tickweb bars: parameter 'db' is the server's (tickweb --db)");
    refused("/api/bars?symbol=H100Z6&interval=5m&format=xml", 400,
            "tickweb: bad format (want json or csv)");
    refused("/api/nosuch", 404, "tickweb: no command 'nosuch' (want one of /api)");
    char *body;
    cr_assert(
        eq(int, http_get("/api/bars?symbol=H100Z7&interval=5m&format=csv", NULL, &body), 404));
    cr_assert(eq(int, strncmp(body, "tickq bars: unknown symbol 'H100Z7'", 35), 0), "%s", body);
    free(body);
    web_stop();
}

Test(web, a_store_that_cannot_be_read_is_503, .init = setup, .fini = teardown, .timeout = 60)
{
    char none[160];
    snprintf(none, sizeof none, "%s/no-store", dir);
    web_start("--db", none, NULL, NULL);
    char *body;
    cr_assert(eq(int, http_get("/api/symbols", NULL, &body), 503));
    cr_assert(not(eq(ptr, strstr(body, "no tick store at"), NULL)), "%s", body);
    free(body);
    web_stop();
}

Test(web, a_request_without_the_token_is_refused, .init = setup, .fini = teardown, .timeout = 60)
{
    store_build();
    char tf[160];
    snprintf(tf, sizeof tf, "%s/token", dir);
    FILE *f = fopen(tf, "w");
    fputs("s3cret-token-of-32-bytes-0123456\n", f);
    fclose(f);
    web_start("--db", db, "--token-file", tf);
    char *body;
    cr_assert(eq(int, http_get("/api/symbols", NULL, &body), 401));
    free(body);
    cr_assert(eq(int, http_get("/", NULL, &body), 401));
    free(body);
    cr_assert(eq(int, http_get("/live", NULL, &body), 401));
    free(body);
    cr_assert(eq(int,
                 http_get("/api/symbols",
                          "Authorization: Bearer s3cret-token-of-32-bytes-0123457\r\n", &body),
                 401));
    free(body);
    cr_assert(eq(int,
                 http_get("/api/symbols",
                          "Authorization: Bearer s3cret-token-of-32-bytes-012345\r\n", &body),
                 401));
    free(body);
    cr_assert(eq(int,
                 http_get("/api/symbols",
                          "Authorization: Bearer s3cret-token-of-32-bytes-0123456\r\n", &body),
                 200));
    cr_assert(not(eq(ptr, strstr(body, "H100Z6"), NULL)));
    free(body);
    cr_assert(
        eq(int, http_get("/api/symbols?access_token=s3cret-token-of-32-bytes-0123456", NULL, &body),
           200));
    free(body);
    web_stop();
}

Test(web, another_address_needs_a_token, .init = setup, .fini = teardown, .timeout = 30)
{
    char log[160];
    snprintf(log, sizeof log, "%s/log", dir);
    /* Refused before anything is opened: no socket is bound. */
    pid_t p = proc_spawn("web/tickweb", log, "--listen", "0.0.0.0:5580", NULL);
    cr_assert(eq(int, proc_wait(p, 20000), 2));
    char *s = tickgen_slurp(log);
    cr_assert(eq(str, s,
                 "tickweb: --listen 0.0.0.0:5580 is not loopback: it needs --token-file (every "
                 "request then carries the token)\n"));
    free(s);
}

/* ---- the live stream ---- */

/* tickfeed's publisher, driven from here; the ROUTER served by a thread. */
struct bus {
    void *ctx;
    struct pub *p;
    pthread_t thread;
    pthread_mutex_t lock;
    atomic_int stop;
};

static void *bus_main(void *arg)
{
    struct bus *b = arg;
    while (!atomic_load(&b->stop)) {
        pthread_mutex_lock(&b->lock);
        pub_serve(b->p, NULL, 64);
        pthread_mutex_unlock(&b->lock);
        zmq_pollitem_t pi = {pub_router(b->p), 0, ZMQ_POLLIN, 0};
        zmq_poll(&pi, 1, 5);
    }
    return NULL;
}

static void bus_open(struct bus *b)
{
    memset(b, 0, sizeof *b);
    char jdir[128], pub[128], rtr[128], err[GT_ERRLEN] = "";
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    snprintf(rtr, sizeof rtr, "ipc://%s/rtr", dir);
    b->ctx = zmq_ctx_new();
    struct pub_opts o = {.journal_dir = jdir, .pub_endpoint = pub, .router_endpoint = rtr};
    cr_assert(eq(int, pub_open(&b->p, b->ctx, &o, err), GT_OK), "%s", err);
    pthread_mutex_init(&b->lock, NULL);
    pthread_create(&b->thread, NULL, bus_main, b);
}

static void bus_close(struct bus *b)
{
    atomic_store(&b->stop, 1);
    pthread_join(b->thread, NULL);
    pub_close(b->p);
    zmq_ctx_term(b->ctx);
}

/* Publishes messages i0..i1 (one trade each): even i on H100Z6, odd on
 * B200H7, so message i has sequence i + 1. */
static void bus_emit(struct bus *b, long i0, long i1)
{
    static const char *const topics[2] = {"trade.H100.H100Z6", "trade.B200.B200H7"};
    pthread_mutex_lock(&b->lock);
    for (long i = i0; i < i1; i++) {
        uint8_t rec[GT_TICK_LEN];
        struct gt_tick t = {.version = GT_TICK_VERSION,
                            .kind = GT_KIND_TRADE,
                            .flags = GT_F_EVENT_END,
                            .instr_id = 1 + (int32_t)(i % 2),
                            .exch_ns = DAY_NS + i};
        t.u.trade.px = 2500000000 + i;
        t.u.trade.qty = 1;
        gt_tick_encode(&t, rec);
        const char *topic = topics[i % 2];
        cr_assert(eq(int, pub_emit(b->p, topic, strlen(topic), rec, 1), GT_OK));
        if (i % 64 == 63)
            pub_flush(b->p);
    }
    pub_flush(b->p);
    pthread_mutex_unlock(&b->lock);
}

/* Waits (bounded) until tickweb's /health says next_seq is want. */
static void web_wait_seq(uint64_t want)
{
    char key[64];
    snprintf(key, sizeof key, "\"next_seq\":%llu,", (unsigned long long)want);
    char *body = NULL;
    for (int i = 0; i < 2000; i++) {
        free(body);
        http_get("/health", NULL, &body);
        if (strstr(body, key))
            break;
        usleep(10000);
    }
    cr_assert(not(eq(ptr, strstr(body, key), NULL)), "tickweb is not at %s: %s", key, body);
    free(body);
}

/* Reads the SSE stream of path until the text holds until_text (bounded);
 * returns it (malloc'ed). */
static char *sse_read(const char *path, const char *headers, const char *until_text)
{
    int fd = http_connect();
    http_send(fd, path, headers);
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap);
    buf[0] = 0;
    for (int i = 0; i < 400 && !strstr(buf, until_text); i++) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 50) != 1)
            continue;
        ssize_t r = read(fd, buf + len, cap - len - 1);
        if (r <= 0)
            break;
        len += (size_t)r;
        buf[len] = 0;
    }
    close(fd);
    cr_assert(not(eq(ptr, strstr(buf, until_text), NULL)), "%s: no '%s' in: %.2000s", path,
              until_text, buf);
    return buf;
}

/* The ids of the tick events of an SSE text, in order, into ids. */
static int sse_ids(const char *s, uint64_t *ids, int cap)
{
    int n = 0;
    for (const char *p = s; (p = strstr(p, "id: ")) && n < cap; p += 4) {
        unsigned long long v;
        char ev[16];
        if (sscanf(p, "id: %llu\nevent: %15s", &v, ev) == 2 && strcmp(ev, "tick") == 0)
            ids[n++] = v;
    }
    return n;
}

Test(web, last_event_id_resumes_without_a_hole_and_a_lost_span_is_said, .init = setup,
     .fini = teardown, .timeout = 120)
{
    struct bus b;
    bus_open(&b);
    web_start("--ring", "1024", NULL, NULL);
    web_wait_seq(1); /* its snapshot taken on an empty bus */
    bus_emit(&b, 0, 400);
    web_wait_seq(401);

    /* After 100: every H100 record of 101..400 (odd sequences), in order. */
    char *s = sse_read("/live?topics=trade.H100.", "Last-Event-ID: 100\r\n", "id: 399\n");
    uint64_t ids[4096];
    int n = sse_ids(s, ids, 4096);
    cr_assert(eq(int, n, 150), "%.400s", s);
    for (int i = 0; i < n; i++)
        cr_assert(eq(u64, ids[i], 101 + 2 * (uint64_t)i));
    cr_assert(eq(ptr, strstr(s, "event: gap"), NULL));
    cr_assert(not(eq(ptr, strstr(s, "\"symbol\":\"H100Z6\""), NULL)));
    free(s);

    /* 3000 more: the ring keeps the last 1024 (2377..3400). */
    bus_emit(&b, 400, 3400);
    web_wait_seq(3401);
    s = sse_read("/live?topics=trade.", "Last-Event-ID: 10\r\n", "id: 3400\n");
    cr_assert(not(eq(ptr, strstr(s, "event: gap\ndata: {\"from\":11,\"to\":2376,"), NULL)),
              "%.400s", s);
    n = sse_ids(s, ids, 4096);
    cr_assert(eq(int, n, 1024));
    for (int i = 0; i < n; i++)
        cr_assert(eq(u64, ids[i], 2377 + (uint64_t)i));
    free(s);

    /* state=1: the state first, with the id it reflects, then what follows. */
    s = sse_read("/live?topics=trade.B200.&state=1", NULL, "event: state");
    cr_assert(not(eq(ptr, strstr(s, "id: 3400\nevent: state\ndata: {\"seq\":3400,"), NULL)),
              "%.400s", s);
    cr_assert(not(eq(ptr, strstr(s, "\"symbol\":\"B200H7\""), NULL)));
    cr_assert(eq(ptr, strstr(s, "\"symbol\":\"H100Z6\""), NULL));
    free(s);
    web_stop();
    bus_close(&b);
}

Test(web, the_kept_store_shows_what_the_writer_commits_since, .init = setup, .fini = teardown,
     .timeout = 60)
{
    store_build();
    web_start("--db", db, NULL, NULL);
    char *before;
    cr_assert(eq(int, http_get("/api/bars?symbol=H100Z6&interval=1d", NULL, &before), 200));
    /* A writer beside tickweb's open reader adds a trade and commits. */
    gt_store *st;
    char err[GT_ERRLEN];
    cr_assert(eq(int, gt_store_open(db, GT_STORE_WRITER, &st, err), GT_OK), "%s", err);
    struct gt_tick t = {.version = GT_TICK_VERSION,
                        .kind = GT_KIND_TRADE,
                        .instr_id = 1001,
                        .seq = 100000,
                        .exch_ns = DAY_NS + INT64_C(86399) * 1000000000};
    t.u.trade = (struct gt_trade){.px = 9990000000, .qty = 7, .trade_id = 99999};
    cr_assert(eq(int, gt_store_append(st, &t), 1));
    cr_assert(eq(int, gt_store_commit(st, 100000), GT_OK));
    gt_store_close(st);
    int rc;
    char *w = tickq(cmd_bars, &rc, NULL, "bars", "H100Z6", "--interval", "1d", "--db", db,
                    "--format", "json", NULL);
    cr_assert(not(eq(ptr, strstr(w, "\"high\":9.99"), NULL)), "%s", w);
    cr_assert(not(eq(str, w, before)));
    same("/api/bars?symbol=H100Z6&interval=1d", NULL, w);
    free(w);
    free(before);
    web_stop();
}

Test(web, what_came_before_tickweb_joined_is_a_gap_not_silence, .init = setup, .fini = teardown,
     .timeout = 120)
{
    struct bus b;
    bus_open(&b);
    bus_emit(&b, 0, 400); /* before tickweb: its snapshot is as of 400 */
    web_start(NULL, NULL, NULL, NULL);
    web_wait_seq(401);
    char *s = sse_read("/live?topics=trade.H100.", "Last-Event-ID: 100\r\n", "event: gap");
    cr_assert(not(eq(ptr, strstr(s, "event: gap\ndata: {\"from\":101,\"to\":400,"), NULL)),
              "%.400s", s);
    free(s);
    /* With state=1 the same resume is a gap, then the state as of 400. */
    s = sse_read("/live?topics=trade.H100.&state=1", "Last-Event-ID: 100\r\n", "event: state");
    cr_assert(not(eq(ptr, strstr(s, "\"from\":101,\"to\":400,"), NULL)), "%.400s", s);
    cr_assert(not(eq(ptr, strstr(s, "id: 400\nevent: state"), NULL)), "%.400s", s);
    free(s);
    web_stop();
    bus_close(&b);
}
