/* SPDX-License-Identifier: MIT */
/* sec.c -- loopback-by-default binds, CURVE key files and a ZAP handler
 * (contract in sec.h).
 *
 * The ZAP handler is one thread with three kinds of socket: the REP socket
 * bound on inproc://zeromq.zap.01 that libzmq asks about every CURVE
 * handshake (RFC 27: version, request id, domain, address, identity,
 * mechanism, then the client's 32-byte public key), a PAIR control socket
 * through which the owner adds monitored sockets and stops it, and one PAIR
 * per watched socket receiving its handshake-failure events. The allow-list
 * is a sorted array of binary keys, searched with bsearch. Counters are
 * atomics so the owner reads them while the thread runs. */
#include "gputick/sec.h"
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

enum {
    ZAP_MAX_WATCH = 8,
    ZAP_FRAMES = 8,
    ZAP_LOG_IDS = 64,     /* refusals remembered for the rate limit */
    ZAP_LOG_ID_LEN = 160, /* a key, or a socket's endpoint and event */
};
#define ZAP_LOG_EVERY_NS INT64_C(60000000000) /* one line per refused key per minute */

/* What was last logged of one refused key (or one failing socket). */
struct zap_logged {
    char id[ZAP_LOG_ID_LEN];
    int64_t at_ns;       /* when its line was last logged */
    uint64_t suppressed; /* refusals not logged since */
};

struct gt_zap {
    void *zctx;
    void *handler;  /* REP on inproc://zeromq.zap.01, used by the thread */
    void *ctl;      /* PAIR, the owner's end */
    void *ctl_peer; /* PAIR, the thread's end */
    void *mon[ZAP_MAX_WATCH];
    int n_mon;
    char ctl_ep[64];
    uint8_t (*keys)[GT_SEC_KEY_BYTES];
    size_t n_keys;
    gt_zap_log_fn log;
    void *log_ctx;
    struct zap_logged logged[ZAP_LOG_IDS]; /* the handler thread's own */
    pthread_t thread;
    int running;
    _Atomic uint64_t allowed, denied, handshake_failed;
};

/* ---- binds ---- */

/* Is host (len bytes, no port) a loopback address: an IPv4 literal in
 * 127.0.0.0/8, [::1] (or [::ffff:127.x.y.z]), or the name localhost? A name
 * that merely starts with "127." is a DNS name and resolves anywhere; an
 * interface name (lo) may carry addresses other than 127.0.0.1. */
static int host_is_loopback(const char *host, size_t len)
{
    char h[64];
    if (len == 0 || len >= sizeof h)
        return 0;
    memcpy(h, host, len);
    h[len] = 0;
    if (strcmp(h, "localhost") == 0)
        return 1;
    struct in_addr a4;
    if (inet_pton(AF_INET, h, &a4) == 1)
        return (ntohl(a4.s_addr) >> 24) == 127;
    struct in6_addr a6;
    if (len > 2 && h[0] == '[' && h[len - 1] == ']') {
        h[len - 1] = 0;
        if (inet_pton(AF_INET6, h + 1, &a6) != 1)
            return 0;
        return IN6_IS_ADDR_LOOPBACK(&a6) || (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
    }
    return 0;
}

int gt_sec_bind_check(const char *ep, int allow_remote, char err[GT_ERRLEN])
{
    if (allow_remote || strncmp(ep, "ipc://", 6) == 0 || strncmp(ep, "inproc://", 9) == 0)
        return GT_OK;
    if (strncmp(ep, "tcp://", 6) == 0) {
        /* host:port, [v6]:port; the port is after the last ':'. */
        const char *host = ep + 6, *colon = strrchr(host, ':');
        if (colon && host_is_loopback(host, (size_t)(colon - host)))
            return GT_OK;
        snprintf(err, GT_ERRLEN,
                 "'%s' is not a loopback address; binding there needs --bind-remote (and CURVE, "
                 "see docs/deployment.md)",
                 ep);
        return GT_EINVAL;
    }
    /* pgm, epgm, norm, udp, tipc, vmci, ws, wss...: on a network whatever the
     * address says, or not checked here. */
    snprintf(err, GT_ERRLEN,
             "'%s' is not ipc://, inproc:// or a loopback tcp:// address; binding there needs "
             "--bind-remote (and CURVE, see docs/deployment.md)",
             ep);
    return GT_EINVAL;
}

/* ---- key files ---- */

/* Checks a Z85 key and decodes it into bin (may be NULL). */
static int key_ok(const char *z85, uint8_t *bin)
{
    uint8_t tmp[GT_SEC_KEY_BYTES];
    return strlen(z85) == GT_SEC_Z85_LEN && zmq_z85_decode(bin ? bin : tmp, z85) != NULL;
}

/* Reads the next key line of f into z85: 1 if found, 0 at the end, -1 for a
 * line that is not a key. */
static int key_line(FILE *f, char z85[GT_SEC_Z85_LEN + 1])
{
    char line[256];
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n");
        line[n] = 0;
        while (n && (line[n - 1] == ' ' || line[n - 1] == '\t'))
            line[--n] = 0;
        char *p = line + strspn(line, " \t");
        if (!*p || *p == '#')
            continue;
        if (!key_ok(p, NULL))
            return -1;
        memcpy(z85, p, GT_SEC_Z85_LEN + 1);
        return 1;
    }
    return 0;
}

int gt_sec_key_read(const char *path, char z85[GT_SEC_Z85_LEN + 1], char err[GT_ERRLEN])
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, GT_ERRLEN, "cannot read key file '%s': %s", path, strerror(errno));
        return GT_EIO;
    }
    int rc = key_line(f, z85);
    fclose(f);
    if (rc <= 0) {
        snprintf(err, GT_ERRLEN,
                 "key file '%s' holds no 40-character Z85 key (make one with tickkey)", path);
        return GT_EBADMSG;
    }
    return GT_OK;
}

int gt_sec_key_write(const char *path, const char *z85, int secret, const char *comment,
                     char err[GT_ERRLEN])
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, secret ? 0600 : 0644);
    if (fd < 0) {
        snprintf(err, GT_ERRLEN, "cannot create '%s': %s", path, strerror(errno));
        return errno == EEXIST ? GT_EINVAL : GT_EIO;
    }
    char buf[512];
    int n = snprintf(buf, sizeof buf, "# %s\n%s\n", comment, z85);
    int ok = n > 0 && (size_t)n < sizeof buf && write(fd, buf, (size_t)n) == n;
    ok &= close(fd) == 0;
    if (!ok) {
        snprintf(err, GT_ERRLEN, "cannot write '%s': %s", path, strerror(errno));
        return GT_EIO;
    }
    return GT_OK;
}

static int curve_opt(void *sock, int opt, const char *z85, char err[GT_ERRLEN])
{
    if (zmq_setsockopt(sock, opt, z85, GT_SEC_Z85_LEN) < 0) {
        snprintf(err, GT_ERRLEN, "cannot set a CURVE key: %s (is libzmq built with CURVE?)",
                 zmq_strerror(errno));
        return GT_EZMQ;
    }
    return GT_OK;
}

int gt_sec_server(void *sock, const char *secret_path, char err[GT_ERRLEN])
{
    char sec[GT_SEC_Z85_LEN + 1];
    int one = 1, rc = gt_sec_key_read(secret_path, sec, err);
    if (rc < 0)
        return rc;
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one) < 0) {
        snprintf(err, GT_ERRLEN, "cannot make a CURVE server: %s", zmq_strerror(errno));
        return GT_EZMQ;
    }
    /* A domain makes libzmq consult ZAP even for mechanisms it would let in. */
    zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, "gputick", 7);
    return curve_opt(sock, ZMQ_CURVE_SECRETKEY, sec, err);
}

int gt_sec_client(void *sock, const char *secret_path, const char *server_pub_path,
                  char err[GT_ERRLEN])
{
    char sec[GT_SEC_Z85_LEN + 1], pub[GT_SEC_Z85_LEN + 1], srv[GT_SEC_Z85_LEN + 1];
    int rc = gt_sec_key_read(secret_path, sec, err);
    if (rc == GT_OK)
        rc = gt_sec_key_read(server_pub_path, srv, err);
    if (rc < 0)
        return rc;
    if (zmq_curve_public(pub, sec) < 0) {
        snprintf(err, GT_ERRLEN, "cannot derive the public key of '%s': %s", secret_path,
                 zmq_strerror(errno));
        return GT_EZMQ;
    }
    if ((rc = curve_opt(sock, ZMQ_CURVE_SERVERKEY, srv, err)) < 0 ||
        (rc = curve_opt(sock, ZMQ_CURVE_PUBLICKEY, pub, err)) < 0)
        return rc;
    return curve_opt(sock, ZMQ_CURVE_SECRETKEY, sec, err);
}

/* ---- the allow-list ---- */

static int key_cmp(const void *a, const void *b)
{
    return memcmp(a, b, GT_SEC_KEY_BYTES);
}

static int allow_add(gt_zap *z, const char *z85)
{
    if (z->n_keys == GT_ZAP_MAX_KEYS)
        return GT_EINVAL;
    key_ok(z85, z->keys[z->n_keys++]);
    return GT_OK;
}

/* Adds every key of the file at path (all = 1) or its first (a .pub file). */
static int allow_file(gt_zap *z, const char *path, int all, char err[GT_ERRLEN])
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, GT_ERRLEN, "cannot read allow-list '%.200s': %s", path, strerror(errno));
        return GT_EIO;
    }
    char z85[GT_SEC_Z85_LEN + 1];
    int rc, n = 0;
    while ((rc = key_line(f, z85)) > 0) {
        if (allow_add(z, z85) < 0) {
            rc = -2;
            break;
        }
        n++;
        if (!all)
            break;
    }
    fclose(f);
    if (rc < 0 || n == 0) {
        snprintf(err, GT_ERRLEN, "allow-list '%.200s': %s", path,
                 rc == -2   ? "more than 4096 keys"
                 : rc == -1 ? "a line is not a 40-character Z85 key"
                            : "no key in it");
        return GT_EBADMSG;
    }
    return GT_OK;
}

static int allow_load(gt_zap *z, const char *path, char err[GT_ERRLEN])
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        snprintf(err, GT_ERRLEN, "cannot read allow-list '%.200s': %s", path, strerror(errno));
        return GT_EIO;
    }
    if (!S_ISDIR(sb.st_mode))
        return allow_file(z, path, 1, err);
    DIR *d = opendir(path);
    if (!d) {
        snprintf(err, GT_ERRLEN, "cannot open allow-list folder '%s': %s", path, strerror(errno));
        return GT_EIO;
    }
    int rc = GT_OK;
    struct dirent *e;
    while (rc == GT_OK && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".pub") != 0)
            continue;
        char file[4096];
        snprintf(file, sizeof file, "%s/%s", path, e->d_name);
        rc = allow_file(z, file, 0, err);
    }
    closedir(d);
    return rc;
}

/* ---- the handler thread ---- */

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Logs a refusal of id (a key, or a socket and its event) once a minute: a
 * refused client retries every few hundred milliseconds, forever. The line
 * after a quiet minute says how many were not logged. The table keeps the
 * ZAP_LOG_IDS ids logged last; a new one takes the oldest slot. */
static void zap_log(gt_zap *z, const char *id, const char *fmt, const char *a, const char *b)
{
    if (!z->log)
        return;
    int64_t now = mono_ns();
    struct zap_logged *e = NULL, *oldest = &z->logged[0];
    for (int i = 0; i < ZAP_LOG_IDS && !e; i++) {
        if (strncmp(z->logged[i].id, id, ZAP_LOG_ID_LEN - 1) == 0 && z->logged[i].id[0])
            e = &z->logged[i];
        else if (z->logged[i].at_ns < oldest->at_ns)
            oldest = &z->logged[i];
    }
    if (e && now - e->at_ns < ZAP_LOG_EVERY_NS) {
        e->suppressed++;
        return;
    }
    if (!e) {
        e = oldest;
        *e = (struct zap_logged){0};
        snprintf(e->id, sizeof e->id, "%s", id);
    }
    char line[GT_ERRLEN + 64];
    int n = snprintf(line, sizeof line, fmt, a, b);
    if (e->suppressed && n > 0 && (size_t)n < sizeof line)
        snprintf(line + n, sizeof line - (size_t)n, " (%llu more since its last line)",
                 (unsigned long long)e->suppressed);
    e->at_ns = now;
    e->suppressed = 0;
    z->log(z->log_ctx, line);
}

/* Answers one ZAP request on the handler socket. */
static void zap_answer(gt_zap *z)
{
    zmq_msg_t f[ZAP_FRAMES];
    int n = 0, more = 1;
    while (more) {
        zmq_msg_t *m = &f[n < ZAP_FRAMES ? n : ZAP_FRAMES - 1];
        if (n >= ZAP_FRAMES)
            zmq_msg_close(m);
        zmq_msg_init(m);
        if (zmq_msg_recv(m, z->handler, 0) < 0) {
            zmq_msg_close(m);
            break;
        }
        more = zmq_msg_more(m);
        n += n < ZAP_FRAMES;
    }
    const char *status = "400", *text = "not allowed";
    char addr[64] = "?", key[GT_SEC_Z85_LEN + 1] = "?";
    if (n >= 4)
        snprintf(addr, sizeof addr, "%.*s", (int)zmq_msg_size(&f[3]),
                 (const char *)zmq_msg_data(&f[3]));
    if (n >= 7 && zmq_msg_size(&f[5]) == 5 && memcmp(zmq_msg_data(&f[5]), "CURVE", 5) == 0 &&
        zmq_msg_size(&f[6]) == GT_SEC_KEY_BYTES) {
        const uint8_t *k = zmq_msg_data(&f[6]);
        zmq_z85_encode(key, k, GT_SEC_KEY_BYTES);
        if (bsearch(k, z->keys, z->n_keys, GT_SEC_KEY_BYTES, key_cmp)) {
            status = "200";
            text = "OK";
        }
    }
    if (status[0] == '2') {
        atomic_fetch_add(&z->allowed, 1);
    } else {
        atomic_fetch_add(&z->denied, 1);
        zap_log(z, key, "denied CURVE client key %s from %s (not in the allow-list)", key, addr);
    }
    /* Reply: version, request id, status code, status text, user id, metadata. */
    const char *rid = n >= 2 ? zmq_msg_data(&f[1]) : "";
    size_t rid_len = n >= 2 ? zmq_msg_size(&f[1]) : 0;
    zmq_send(z->handler, "1.0", 3, ZMQ_SNDMORE);
    zmq_send(z->handler, rid, rid_len, ZMQ_SNDMORE);
    zmq_send(z->handler, status, 3, ZMQ_SNDMORE);
    zmq_send(z->handler, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(z->handler, status[0] == '2' ? key : "", status[0] == '2' ? GT_SEC_Z85_LEN : 0,
             ZMQ_SNDMORE);
    zmq_send(z->handler, "", 0, 0);
    for (int i = 0; i < n; i++)
        zmq_msg_close(&f[i]);
}

/* Reads one monitor event: a 6-byte frame (event u16, value u32), then the
 * endpoint. */
static void zap_event(gt_zap *z, void *mon)
{
    zmq_msg_t ev, ep;
    zmq_msg_init(&ev);
    zmq_msg_init(&ep);
    if (zmq_msg_recv(&ev, mon, 0) >= 0 && zmq_msg_more(&ev) && zmq_msg_recv(&ep, mon, 0) >= 0 &&
        zmq_msg_size(&ev) == 6) {
        uint16_t event;
        memcpy(&event, zmq_msg_data(&ev), 2);
        char where[128];
        snprintf(where, sizeof where, "%.*s", (int)zmq_msg_size(&ep),
                 (const char *)zmq_msg_data(&ep));
        atomic_fetch_add(&z->handshake_failed, 1);
        char id[ZAP_LOG_ID_LEN];
        snprintf(id, sizeof id, "%u %s", event, where);
        zap_log(z, id, "handshake failed on %s: %s", where,
                event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH ? "authentication refused"
                : event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL
                    ? "protocol error (a client without CURVE, or with the wrong server key?)"
                    : "no detail (a client without CURVE, or with the wrong server key?)");
    }
    zmq_msg_close(&ev);
    zmq_msg_close(&ep);
}

/* A control command: "S" stops, "W<endpoint>" connects a monitor. */
static int zap_control(gt_zap *z)
{
    char cmd[128];
    int n = zmq_recv(z->ctl_peer, cmd, sizeof cmd - 1, 0);
    if (n <= 0 || cmd[0] == 'S')
        return 0;
    cmd[n < (int)sizeof cmd - 1 ? n : (int)sizeof cmd - 1] = 0;
    int ok = 0;
    if (cmd[0] == 'W' && z->n_mon < ZAP_MAX_WATCH) {
        void *m = zmq_socket(z->zctx, ZMQ_PAIR);
        if (m && zmq_connect(m, cmd + 1) == 0) {
            z->mon[z->n_mon++] = m;
            ok = 1;
        } else if (m) {
            zmq_close(m);
        }
    }
    zmq_send(z->ctl_peer, ok ? "OK" : "NO", 2, 0);
    return 1;
}

static void *zap_main(void *arg)
{
    gt_zap *z = arg;
    for (;;) {
        zmq_pollitem_t pi[2 + ZAP_MAX_WATCH] = {{z->ctl_peer, 0, ZMQ_POLLIN, 0},
                                                {z->handler, 0, ZMQ_POLLIN, 0}};
        for (int i = 0; i < z->n_mon; i++)
            pi[2 + i] = (zmq_pollitem_t){z->mon[i], 0, ZMQ_POLLIN, 0};
        if (zmq_poll(pi, 2 + z->n_mon, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if ((pi[0].revents & ZMQ_POLLIN) && !zap_control(z))
            break;
        if (pi[1].revents & ZMQ_POLLIN)
            zap_answer(z);
        for (int i = 0; i < z->n_mon; i++)
            if (pi[2 + i].revents & ZMQ_POLLIN)
                zap_event(z, z->mon[i]);
    }
    return NULL;
}

int gt_zap_open(gt_zap **out, void *zctx, const char *allow_path, gt_zap_log_fn log, void *log_ctx,
                char err[GT_ERRLEN])
{
    gt_zap *z = calloc(1, sizeof *z);
    int rc = GT_ENOMEM;
    if (!z || !(z->keys = malloc(GT_ZAP_MAX_KEYS * sizeof *z->keys))) {
        snprintf(err, GT_ERRLEN, "out of memory");
        goto fail;
    }
    z->zctx = zctx;
    z->log = log;
    z->log_ctx = log_ctx;
    if ((rc = allow_load(z, allow_path, err)) < 0)
        goto fail;
    qsort(z->keys, z->n_keys, GT_SEC_KEY_BYTES, key_cmp);
    int linger = 0;
    z->handler = zmq_socket(zctx, ZMQ_REP);
    z->ctl = zmq_socket(zctx, ZMQ_PAIR);
    z->ctl_peer = zmq_socket(zctx, ZMQ_PAIR);
    snprintf(z->ctl_ep, sizeof z->ctl_ep, "inproc://gt-zap-ctl-%p", (void *)z);
    rc = GT_EZMQ;
    if (!z->handler || !z->ctl || !z->ctl_peer) {
        snprintf(err, GT_ERRLEN, "cannot make the ZAP sockets: %s", zmq_strerror(errno));
        goto fail;
    }
    zmq_setsockopt(z->handler, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_bind(z->handler, "inproc://zeromq.zap.01") < 0) {
        snprintf(err, GT_ERRLEN, "cannot bind the ZAP handler: %s (one per context)",
                 zmq_strerror(errno));
        goto fail;
    }
    if (zmq_bind(z->ctl, z->ctl_ep) < 0 || zmq_connect(z->ctl_peer, z->ctl_ep) < 0) {
        snprintf(err, GT_ERRLEN, "cannot make the ZAP control pipe: %s", zmq_strerror(errno));
        goto fail;
    }
    if (pthread_create(&z->thread, NULL, zap_main, z) != 0) {
        snprintf(err, GT_ERRLEN, "cannot start the ZAP thread");
        goto fail;
    }
    z->running = 1;
    *out = z;
    return GT_OK;
fail:
    gt_zap_close(z);
    return rc;
}

int gt_zap_watch(gt_zap *z, void *sock)
{
    if (z->n_mon >= ZAP_MAX_WATCH)
        return GT_EINVAL;
    char cmd[96];
    snprintf(cmd, sizeof cmd, "Winproc://gt-zap-mon-%p-%d", (void *)z, z->n_mon);
    if (zmq_socket_monitor(sock, cmd + 1,
                           ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                               ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) < 0)
        return GT_EZMQ;
    char ok[2];
    /* The thread connects before this returns, so no event is missed. */
    if (zmq_send(z->ctl, cmd, strlen(cmd), 0) < 0 || zmq_recv(z->ctl, ok, 2, 0) != 2 ||
        ok[0] != 'O')
        return GT_EZMQ;
    return GT_OK;
}

void gt_zap_stats_get(gt_zap *z, struct gt_zap_stats *out)
{
    if (!z) {
        *out = (struct gt_zap_stats){0};
        return;
    }
    out->allowed = atomic_load(&z->allowed);
    out->denied = atomic_load(&z->denied);
    out->handshake_failed = atomic_load(&z->handshake_failed);
}

void gt_zap_close(gt_zap *z)
{
    if (!z)
        return;
    if (z->running) {
        zmq_send(z->ctl, "S", 1, 0);
        pthread_join(z->thread, NULL);
    }
    for (int i = 0; i < z->n_mon; i++)
        zmq_close(z->mon[i]);
    if (z->handler)
        zmq_close(z->handler);
    if (z->ctl)
        zmq_close(z->ctl);
    if (z->ctl_peer)
        zmq_close(z->ctl_peer);
    free(z->keys);
    free(z);
}
