/* SPDX-License-Identifier: MIT */
/* metrics.c -- the Prometheus endpoint (see metrics.h).
 *
 * The served text sits behind a mutex: metrics_publish() swaps in a fresh
 * copy, the server thread copies it into each response. libmicrohttpd runs
 * with its internal polling thread, a limit of 16 connections and a 5 s idle
 * timeout, so a stuck scraper holds nothing of the program's. */
#include "metrics.h"
#include <arpa/inet.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef GT_HAVE_MHD
#include <microhttpd.h>
#endif

void metrics_text_init(struct metrics_text *t)
{
    memset(t, 0, sizeof *t);
}

void metrics_text_fini(struct metrics_text *t)
{
    free(t->p);
    memset(t, 0, sizeof *t);
}

void metrics_text_reset(struct metrics_text *t)
{
    t->len = 0;
    t->family = NULL;
    if (t->p)
        t->p[0] = 0;
}

/* Appends printf-style text; returns 0, or -1 (and t unchanged) on ENOMEM. */
static int text_add(struct metrics_text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int text_add(struct metrics_text *t, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        size_t room = t->cap - t->len;
        int n = vsnprintf(t->p ? t->p + t->len : NULL, t->p ? room : 0, fmt, ap);
        va_end(ap);
        if (n < 0)
            return -1;
        if ((size_t)n < room) {
            t->len += (size_t)n;
            return 0;
        }
        size_t cap = t->cap ? t->cap * 2 : 4096;
        while (cap - t->len <= (size_t)n)
            cap *= 2;
        char *p = realloc(t->p, cap);
        if (!p)
            return -1;
        t->p = p;
        t->cap = cap;
    }
}

void metrics_sample(struct metrics_text *t, const char *name, enum metrics_type type,
                    const char *help, const char *labels, double value)
{
    size_t len = t->len;
    int rc = 0;
    if (!t->family || strcmp(t->family, name) != 0)
        rc = text_add(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
                      type == METRICS_COUNTER ? "counter" : "gauge");
    if (rc == 0)
        rc = text_add(t, "%s%s%s%s %.17g\n", name, labels ? "{" : "", labels ? labels : "",
                      labels ? "}" : "", value);
    if (rc < 0) {
        t->len = len;
        if (t->p)
            t->p[len] = 0;
        return;
    }
    t->family = name;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct metrics {
    pthread_mutex_t lock;
    char *text; /* what a scrape gets, under lock */
    size_t len;
    int64_t published_ns;
#ifdef GT_HAVE_MHD
    struct MHD_Daemon *d;
#endif
};

int metrics_listen_parse(const char *s, struct sockaddr_in *sa)
{
    const char *colon = strrchr(s, ':');
    char host[64];
    if (!colon || colon == s || (size_t)(colon - s) >= sizeof host)
        return -1;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || port < 1 || port > 65535)
        return -1;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

#ifdef GT_HAVE_MHD
static enum MHD_Result serve(void *cls, struct MHD_Connection *c, const char *url,
                             const char *method, const char *version, const char *upload,
                             size_t *upload_len, void **state)
{
    struct metrics *m = cls;
    (void)version, (void)upload, (void)upload_len, (void)state;
    int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    struct MHD_Response *r;
    unsigned status;
    pthread_mutex_lock(&m->lock);
    if (get && strcmp(url, "/metrics") == 0 && m->text) {
        r = MHD_create_response_from_buffer(m->len, m->text, MHD_RESPMEM_MUST_COPY);
        pthread_mutex_unlock(&m->lock);
        status = MHD_HTTP_OK;
        if (r)
            MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    } else if (get && strcmp(url, "/metrics") == 0) {
        pthread_mutex_unlock(&m->lock);
        /* Between the open and the program's first publish: a scrape fails
         * (Prometheus' up = 0) rather than show no series at all. */
        static char starting[] = "gputick: starting, no metrics yet\n";
        r = MHD_create_response_from_buffer(sizeof starting - 1, starting, MHD_RESPMEM_PERSISTENT);
        status = MHD_HTTP_SERVICE_UNAVAILABLE;
    } else {
        pthread_mutex_unlock(&m->lock);
        static char nf[] = "gputick: the metrics are at GET /metrics\n";
        r = MHD_create_response_from_buffer(sizeof nf - 1, nf, MHD_RESPMEM_PERSISTENT);
        status = get ? MHD_HTTP_NOT_FOUND : MHD_HTTP_METHOD_NOT_ALLOWED;
    }
    if (!r)
        return MHD_NO;
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}
#endif

int metrics_open(struct metrics **out, const char *listen, int remote_ok, char err[GT_ERRLEN])
{
    struct sockaddr_in sa;
    *out = NULL;
    if (metrics_listen_parse(listen, &sa) < 0) {
        snprintf(err, GT_ERRLEN, "bad --metrics '%.64s' (want ADDR:PORT, e.g. 127.0.0.1:9560)",
                 listen);
        return GT_EINVAL;
    }
    if ((ntohl(sa.sin_addr.s_addr) >> 24) != 127 && !remote_ok) {
        snprintf(err, GT_ERRLEN, "--metrics %.64s is not a loopback address", listen);
        return GT_EINVAL;
    }
#ifdef GT_HAVE_MHD
    struct metrics *m = calloc(1, sizeof *m);
    if (!m) {
        snprintf(err, GT_ERRLEN, "out of memory");
        return GT_ENOMEM;
    }
    pthread_mutex_init(&m->lock, NULL);
    m->published_ns = mono_ns() - 2000000000; /* due at once */
    m->d =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, ntohs(sa.sin_port), NULL, NULL, serve, m,
                         MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_CONNECTION_LIMIT,
                         (unsigned)16, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)5, MHD_OPTION_END);
    if (!m->d) {
        snprintf(err, GT_ERRLEN, "--metrics %.64s: cannot listen there (in use?)", listen);
        metrics_close(m);
        return GT_EIO;
    }
    *out = m;
    return GT_OK;
#else
    snprintf(err, GT_ERRLEN, "--metrics: built without libmicrohttpd (libmicrohttpd-dev)");
    return GT_EINVAL;
#endif
}

void metrics_close(struct metrics *m)
{
    if (!m)
        return;
#ifdef GT_HAVE_MHD
    if (m->d)
        MHD_stop_daemon(m->d);
#endif
    pthread_mutex_destroy(&m->lock);
    free(m->text);
    free(m);
}

int metrics_due(const struct metrics *m)
{
    return m && mono_ns() - m->published_ns >= 1000000000;
}

void metrics_publish(struct metrics *m, const struct metrics_text *t)
{
    char *copy = malloc(t->len + 1);
    m->published_ns = mono_ns();
    if (!copy)
        return; /* the scrape gets the previous text */
    memcpy(copy, t->p ? t->p : "", t->len);
    copy[t->len] = 0;
    pthread_mutex_lock(&m->lock);
    char *old = m->text;
    m->text = copy;
    m->len = t->len;
    pthread_mutex_unlock(&m->lock);
    free(old);
}
