/* SPDX-License-Identifier: MIT */
/* main.c -- tickweb, gputick over HTTP: the tickq commands as a JSON/CSV API,
 * the live bus as Server-Sent Events, and a console page.
 *
 *   GET /                 the console (static files under share/gputick/web)
 *   GET /api              the commands; /api/CMD?k=v runs tickq CMD (api.h)
 *   GET /live?topics=P    the bus as SSE, resumable by Last-Event-ID (live.h)
 *   GET /health           the bus client's position and the ring, as JSON
 *
 * libmicrohttpd serves, one thread per connection: an SSE client blocks in
 * its own thread until the ring has something for it, so a hundred browsers
 * cost a hundred sleeping threads and no polling. SSE needs no WebSocket
 * library: it is a plain HTTP response that never ends, and EventSource in
 * every browser reconnects by itself with the last id it saw.
 *
 * Loopback by default. Another address only with --token-file: every request
 * then carries the token (Authorization: Bearer T, or ?access_token=T where a
 * browser's EventSource cannot set a header), compared in constant time. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "api.h"
#include "gputick/bus.h"
#include "live.h"
#include "metrics.h"

enum { TOKEN_MIN = 16, TOKEN_MAX = 256, LISTEN_DEFAULT_PORT = 5580 };

struct web {
    const char *db;
    char static_dir[PATH_MAX + 64];
    char token[TOKEN_MAX + 1];
    size_t token_len;
    live *live;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tickweb [OPTIONS]\n"
            "\n"
            "Serves gputick over HTTP: every tickq command as GET /api/CMD (JSON, or CSV),\n"
            "the live bus as Server-Sent Events at /live, and a console page at /.\n"
            "\n"
            "  --listen A:P        address and port (default 127.0.0.1:%d); an address\n"
            "                      other than loopback needs --token-file\n"
            "  --token-file F      every request must carry the token in F (its first line,\n"
            "                      %d to %d bytes): 'Authorization: Bearer T' or\n"
            "                      ?access_token=T\n"
            "  --db PATH           the tick store, as tickq --db (default $GPUTICK_DB, else\n"
            "                      ./gputick.db)\n"
            "  -e, --endpoint EP   tickfeed's PUB socket (default %s)\n"
            "  -r, --router EP     its ROUTER socket (default %s)\n"
            "  --ring N            bus records kept for clients that reconnect (default %d)\n"
            "  --web-dir DIR       the console's files (default: share/gputick/web beside\n"
            "                      the program's folder)\n"
            "  --curve-client-key F, --curve-server-pub F   CURVE to the bus, as ticksub\n"
            "  -h, --help          show this help and exit\n"
            "  -V, --version       show the version and exit\n"
            "\n"
            "Examples: curl 'http://127.0.0.1:%d/api/bars?symbol=H100Z6&interval=5m'\n"
            "          curl -N 'http://127.0.0.1:%d/live?topics=trade.H100.'\n"
            "docs/http.md describes the API.\n",
            LISTEN_DEFAULT_PORT, TOKEN_MIN, TOKEN_MAX, GT_BUS_PUB_DEFAULT, GT_BUS_ROUTER_DEFAULT,
            LIVE_RING_DEFAULT, LISTEN_DEFAULT_PORT, LISTEN_DEFAULT_PORT);
}

static int token_load(struct web *w, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "tickweb: cannot read --token-file %s: %s\n", path, strerror(errno));
        return -1;
    }
    char line[TOKEN_MAX + 2] = "";
    if (!fgets(line, sizeof line, f))
        line[0] = 0;
    fclose(f);
    size_t n = strcspn(line, "\r\n");
    line[n] = 0;
    if (n < TOKEN_MIN || n > TOKEN_MAX) {
        fprintf(stderr,
                "tickweb: the token in %s has %zu bytes (want %d to %d on its first line)\n", path,
                n, TOKEN_MIN, TOKEN_MAX);
        return -1;
    }
    memcpy(w->token, line, n + 1);
    w->token_len = n;
    return 0;
}

/* Compares in time that depends on the token's length only, not on where
 * the guess first differs. */
static int token_eq(const struct web *w, const char *got)
{
    size_t n = got ? strnlen(got, TOKEN_MAX + 1) : 0;
    unsigned char diff = n != w->token_len;
    for (size_t i = 0; i < w->token_len; i++)
        diff |= (unsigned char)(w->token[i] ^ (i < n ? got[i] : 0));
    return diff == 0;
}

static int authorized(const struct web *w, struct MHD_Connection *c)
{
    if (!w->token_len)
        return 1;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    if (h && strncmp(h, "Bearer ", 7) == 0)
        return token_eq(w, h + 7);
    const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "access_token");
    return q && token_eq(w, q);
}

static enum MHD_Result send_buf(struct MHD_Connection *c, unsigned status, const char *type,
                                const void *p, size_t len, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)p, mode);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", type);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    if (status == MHD_HTTP_UNAUTHORIZED)
        MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"tickweb\"");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result send_text(struct MHD_Connection *c, unsigned status, const char *msg)
{
    return send_buf(c, status, "text/plain; charset=utf-8", msg, strlen(msg),
                    MHD_RESPMEM_MUST_COPY);
}

/* ---- static files ---- */

static const char *type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    static const char *map[][2] = {{".html", "text/html; charset=utf-8"},
                                   {".js", "text/javascript; charset=utf-8"},
                                   {".css", "text/css; charset=utf-8"},
                                   {".svg", "image/svg+xml"},
                                   {".txt", "text/plain; charset=utf-8"}};
    for (size_t i = 0; dot && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(dot, map[i][0]) == 0)
            return map[i][1];
    return "application/octet-stream";
}

/* Serves rel (a path under the web folder: letters, digits, '.', '-', '_' and
 * '/', no "..") from the web folder. */
static enum MHD_Result serve_file(const struct web *w, struct MHD_Connection *c, const char *rel)
{
    for (const char *p = rel; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '.' || *p == '-' || *p == '_' || *p == '/'))
            return send_text(c, MHD_HTTP_NOT_FOUND, "tickweb: no such file\n");
    if (strstr(rel, "..") || rel[0] == '/' || !rel[0])
        return send_text(c, MHD_HTTP_NOT_FOUND, "tickweb: no such file\n");
    char path[PATH_MAX + 256];
    snprintf(path, sizeof path, "%s/%s", w->static_dir, rel);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        if (fd >= 0)
            close(fd);
        return send_text(c, MHD_HTTP_NOT_FOUND, "tickweb: no such file\n");
    }
    struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)sb.st_size, fd);
    if (!r) {
        close(fd);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", type_of(rel));
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

/* ---- the API ---- */

struct params {
    struct api_param p[API_PARAMS_MAX + 1];
    int n;
};

static enum MHD_Result param_take(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *val)
{
    struct params *ps = cls;
    (void)kind;
    if (ps->n > API_PARAMS_MAX)
        return MHD_NO;
    ps->p[ps->n++] = (struct api_param){key, val};
    return MHD_YES;
}

static enum MHD_Result serve_api(const struct web *w, struct MHD_Connection *c, const char *name)
{
    struct params ps = {.n = 0};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, param_take, &ps);
    const char *fmt = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
    const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept");
    int csv = fmt ? strcmp(fmt, "csv") == 0 : accept && strstr(accept, "text/csv") != NULL;
    if (fmt && !csv && strcmp(fmt, "json") != 0) {
        static const char bad[] = "{\"error\":\"tickweb: bad format (want json or csv)\"}\n";
        return send_buf(c, MHD_HTTP_BAD_REQUEST, "application/json", bad, sizeof bad - 1,
                        MHD_RESPMEM_PERSISTENT);
    }
    struct api_reply r;
    api_run(w->db, name, ps.p, ps.n, csv, &r);
    enum MHD_Result ret =
        send_buf(c, (unsigned)r.status, r.type, r.body ? r.body : "", r.len, MHD_RESPMEM_MUST_COPY);
    api_reply_fini(&r);
    return ret;
}

/* ---- the live stream ---- */

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    long n = live_client_read(cls, buf, max);
    return n < 0 ? MHD_CONTENT_READER_END_OF_STREAM : (ssize_t)n;
}

static void sse_free(void *cls)
{
    live_client_free(cls);
}

static enum MHD_Result serve_live(const struct web *w, struct MHD_Connection *c)
{
    const char *topics = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "topics");
    const char *state = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "state");
    const char *last = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
    if (!last)
        last = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "last_event_id");
    uint64_t after = 0;
    if (last && *last) {
        char *end;
        errno = 0;
        unsigned long long v = strtoull(last, &end, 10);
        if (*end || errno || last[0] == '-')
            return send_text(c, MHD_HTTP_BAD_REQUEST,
                             "tickweb live: bad Last-Event-ID (want a bus sequence number)\n");
        after = v;
    }
    char p[LIVE_PREFIXES_MAX][LIVE_PREFIX_LEN];
    if (live_prefixes_parse(topics, p) < 0)
        return send_text(c, MHD_HTTP_BAD_REQUEST,
                         "tickweb live: bad topics (want up to 16 topic prefixes separated by "
                         "commas, e.g. trade.H100.,tob.H100.)\n");
    struct live_client *lc =
        live_client_new(w->live, topics, state && strcmp(state, "0") != 0, after);
    if (!lc)
        return send_text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "tickweb live: out of memory\n");
    struct MHD_Response *r =
        MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 16 * 1024, sse_read, lc, sse_free);
    if (!r) {
        live_client_free(lc);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "text/event-stream");
    MHD_add_response_header(r, "Cache-Control", "no-store");
    MHD_add_response_header(r, "X-Accel-Buffering", "no");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result serve_health(const struct web *w, struct MHD_Connection *c)
{
    struct live_stats s;
    live_stats_get(w->live, &s);
    char buf[GT_ERRLEN * 2 + 256], err[GT_ERRLEN * 2];
    size_t k = 0;
    for (const char *p = s.error; *p && k < sizeof err - 2; p++)
        if (*p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
            err[k++] = *p;
    err[k] = 0;
    int n = snprintf(buf, sizeof buf,
                     "{\"bus_connected\":%s,\"next_seq\":%llu,\"oldest\":%llu,\"records\":%llu,"
                     "\"clients\":%llu,\"gaps\":%llu,\"bus_error\":\"%s\"}\n",
                     s.connected ? "true" : "false", (unsigned long long)s.next_seq,
                     (unsigned long long)s.oldest, (unsigned long long)s.recs,
                     (unsigned long long)s.clients, (unsigned long long)s.gaps, err);
    return send_buf(c, MHD_HTTP_OK, "application/json", buf, (size_t)n, MHD_RESPMEM_MUST_COPY);
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *c, const char *url,
                             const char *method, const char *version, const char *upload,
                             size_t *upload_len, void **state)
{
    const struct web *w = cls;
    (void)version, (void)upload, (void)upload_len, (void)state;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return send_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "tickweb: only GET is served\n");
    if (!authorized(w, c)) {
        static const char no[] =
            "{\"error\":\"tickweb: no valid token (want Authorization: Bearer T)\"}\n";
        return send_buf(c, MHD_HTTP_UNAUTHORIZED, "application/json", no, sizeof no - 1,
                        MHD_RESPMEM_PERSISTENT);
    }
    if (strcmp(url, "/") == 0)
        return serve_file(w, c, "index.html");
    if (strcmp(url, "/api") == 0 || strcmp(url, "/api/") == 0) {
        const char *j = api_index_json();
        return send_buf(c, MHD_HTTP_OK, "application/json", j, strlen(j), MHD_RESPMEM_PERSISTENT);
    }
    if (strncmp(url, "/api/", 5) == 0)
        return serve_api(w, c, url + 5);
    if (strcmp(url, "/live") == 0)
        return serve_live(w, c);
    if (strcmp(url, "/health") == 0)
        return serve_health(w, c);
    if (strncmp(url, "/static/", 8) == 0)
        return serve_file(w, c, url + 8);
    return send_text(c, MHD_HTTP_NOT_FOUND,
                     "tickweb: not found (the console is at /, the API at /api, the live "
                     "stream at /live)\n");
}

/* share/gputick/web beside the program's folder: bin/../share/gputick/web
 * installed, and the same in the build tree (web/CMakeLists.txt). */
static void web_dir_default(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) {
        snprintf(out, cap, "share/gputick/web");
        return;
    }
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash)
        *slash = 0;
    snprintf(out, cap, "%s/../share/gputick/web", exe);
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {{"listen", required_argument, 0, 'l'},
                                         {"token-file", required_argument, 0, 't'},
                                         {"db", required_argument, 0, 'd'},
                                         {"endpoint", required_argument, 0, 'e'},
                                         {"router", required_argument, 0, 'r'},
                                         {"ring", required_argument, 0, 'R'},
                                         {"web-dir", required_argument, 0, 'w'},
                                         {"curve-client-key", required_argument, 0, 1000},
                                         {"curve-server-pub", required_argument, 0, 1001},
                                         {"help", no_argument, 0, 'h'},
                                         {"version", no_argument, 0, 'V'},
                                         {0, 0, 0, 0}};
    struct web w = {0};
    struct live_opts lo = {0};
    char listen_def[32];
    snprintf(listen_def, sizeof listen_def, "127.0.0.1:%d", LISTEN_DEFAULT_PORT);
    const char *listen = listen_def, *token_file = NULL, *web_dir = NULL;
    w.db = getenv("GPUTICK_DB") && *getenv("GPUTICK_DB") ? getenv("GPUTICK_DB") : "gputick.db";
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":e:r:hV", opts, NULL)) != -1) {
        switch (c) {
        case 'l':
            listen = optarg;
            break;
        case 't':
            token_file = optarg;
            break;
        case 'd':
            w.db = optarg;
            break;
        case 'e':
            lo.pub_ep = optarg;
            break;
        case 'r':
            lo.router_ep = optarg;
            break;
        case 'R': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || end == optarg || v < 1024 || v > 16 * 1024 * 1024) {
                fprintf(stderr, "tickweb: bad --ring '%s' (want 1024 to 16777216 records)\n",
                        optarg);
                return 2;
            }
            lo.ring_cap = (size_t)v;
            break;
        }
        case 'w':
            web_dir = optarg;
            break;
        case 1000:
            lo.curve_client_key = optarg;
            break;
        case 1001:
            lo.curve_server_pub = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("tickweb %s\n", GT_VERSION);
            return 0;
        case ':':
            fprintf(stderr, "tickweb: option '%s' needs a value (try 'tickweb --help')\n",
                    argv[optind - 1]);
            return 2;
        default:
            fprintf(stderr, "tickweb: unknown option '%s' (try 'tickweb --help')\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "tickweb: unexpected argument '%s' (try 'tickweb --help')\n", argv[optind]);
        return 2;
    }
    struct sockaddr_in sa;
    if (metrics_listen_parse(listen, &sa) != 0) {
        fprintf(stderr, "tickweb: bad --listen '%s' (want ADDRESS:PORT, e.g. 127.0.0.1:%d)\n",
                listen, LISTEN_DEFAULT_PORT);
        return 2;
    }
    if (token_file && token_load(&w, token_file) != 0)
        return 2;
    int loopback = (ntohl(sa.sin_addr.s_addr) >> 24) == 127;
    if (!loopback && !w.token_len) {
        fprintf(stderr,
                "tickweb: --listen %s is not loopback: it needs --token-file (every request "
                "then carries the token)\n",
                listen);
        return 2;
    }
    if (web_dir)
        snprintf(w.static_dir, sizeof w.static_dir, "%s", web_dir);
    else
        web_dir_default(w.static_dir, sizeof w.static_dir);

    /* SIGINT and SIGTERM are taken by sigwait() below, blocked in every
     * thread (the ones started next inherit the mask): a handler could run on
     * any thread and leave the main one waiting. */
    sigset_t stop_set;
    sigemptyset(&stop_set);
    sigaddset(&stop_set, SIGINT);
    sigaddset(&stop_set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_set, NULL);
    char err[GT_ERRLEN];
    if (live_open(&w.live, &lo, err) < 0) {
        fprintf(stderr, "tickweb: the bus: %s\n", err);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    /* A thread per connection would otherwise get malloc arenas of its own
     * (up to 8 per core), each keeping what it freed: memory then creeps up
     * with the number of clients that ever came. */
    mallopt(M_ARENA_MAX, 2);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, serve, &w,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "tickweb: cannot listen on %s (in use, or not an address of this host)\n",
                listen);
        live_close(w.live);
        api_fini();
        return 1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    char host[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &sa.sin_addr, host, sizeof host);
    fprintf(stderr, "tickweb: serving http://%s:%u/ (store %s, console files %s)\n", host,
            di ? di->port : ntohs(sa.sin_port), w.db, w.static_dir);
    int sig;
    sigwait(&stop_set, &sig);
    live_stop(w.live); /* the SSE readers end their streams */
    MHD_stop_daemon(d);
    live_close(w.live);
    api_fini();
    fprintf(stderr, "tickweb: stopped\n");
    return 0;
}
