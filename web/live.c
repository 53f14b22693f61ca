/* SPDX-License-Identifier: MIT */
/* live.c -- the live bus, its state and its SSE ring (contract in live.h).
 *
 * One mutex guards everything here: the instruments' state, the ring and the
 * counters. The bus thread takes it once per message (a message holds the
 * records of one event of one instrument), a client once per read; a read
 * copies at most a staging buffer's worth of already rendered text, so no one
 * holds the lock for long. The condition variable wakes the clients when a
 * message went into the ring, and at the stop.
 *
 * The ring is indexed by sequence: record s lives in slot s % cap while it is
 * among the newest cap. A slot whose seq is not the one asked for (never
 * written, or overwritten) is a record the ring does not hold. */
#include "live.h"
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "gputick/mbp.h"
#include "gputick/sub.h"
#include "gputick/tick.h"
#include "gputick/tickfmt.h"
#include "gputick/topic.h"

enum { MAX_INSTR = 4096, EVENT_MAX = 4096, PEND_MIN = 65536 };

/* What the console shows of one instrument. */
struct inst {
    int32_t id;
    char symbol[GT_SYMBOL_LEN + 1], product[GT_PRODUCT_LEN + 1];
    struct gt_tick def, tob, trade, fixing, settle;
    int have_def, have_tob, have_trade, have_fixing, have_settle;
    struct gt_mbp_book book;
};

struct slot {
    uint64_t seq; /* 0: empty */
    char topic[GT_TOPIC_MAX];
    char *text; /* the rendered event, NUL-terminated */
    size_t len;
};

struct live {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    pthread_t thread;
    int started, stopping;
    struct live_opts o;
    gt_sub *sub;
    struct slot *ring;
    size_t cap;
    uint64_t next_seq; /* the next bus sequence to take; 0: not known yet */
    uint64_t first;    /* the first sequence taken into the ring */
    struct inst *inst;
    int n_inst, last_hit;
    struct live_stats st;
};

struct live_client {
    live *l;
    char p[LIVE_PREFIXES_MAX][LIVE_PREFIX_LEN];
    int n_p;
    int want_state, need_state; /* asked with state=1; the state still to send */
    uint64_t pos;               /* the next sequence to send; 0: from now */
    char *pend;                 /* rendered text not yet handed out: pend[off..len) */
    size_t len, off, cap;
};

/* ---- text ---- */

/* Appends printf-style text to c's staging buffer, growing it. */
static void pend_add(struct live_client *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void pend_add(struct live_client *c, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(c->pend + c->len, c->cap - c->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if ((size_t)n < c->cap - c->len) {
            c->len += (size_t)n;
            return;
        }
        size_t cap = c->cap * 2;
        while (cap - c->len <= (size_t)n)
            cap *= 2;
        char *p = realloc(c->pend, cap);
        if (!p)
            return; /* the text is dropped; the stream goes on */
        c->pend = p;
        c->cap = cap;
    }
}

/* Writes {"stale":..,"bids":[[px,qty,orders],..],"asks":[..]} into out. */
static size_t book_json(const struct gt_mbp_book *b, char *out, size_t cap)
{
    size_t n = (size_t)snprintf(out, cap, "{\"stale\":%s", b->stale ? "true" : "false");
    for (int s = 0; s < 2 && n < cap; s++) {
        n += (size_t)snprintf(out + n, cap - n, ",\"%s\":[", s ? "asks" : "bids");
        for (int i = 0; i < b->n[s] && n < cap; i++) {
            const struct gt_mbp_level *lv = &b->side[s][i];
            char px[GT_PX_STRLEN];
            gt_px_format(lv->px, px);
            n +=
                (size_t)snprintf(out + n, cap - n, "%s[%s,%lld,%d]", i ? "," : "", px,
                                 (long long)lv->qty, lv->n_orders == INT32_MAX ? -1 : lv->n_orders);
        }
        if (n < cap)
            n += (size_t)snprintf(out + n, cap - n, "]");
    }
    if (n < cap)
        n += (size_t)snprintf(out + n, cap - n, "}");
    return n < cap ? n : 0;
}

/* ---- state ---- */

static struct inst *inst_of(live *l, int32_t id, const struct gt_topic *tp)
{
    if (l->last_hit < l->n_inst && l->inst[l->last_hit].id == id)
        return &l->inst[l->last_hit];
    for (int i = 0; i < l->n_inst; i++)
        if (l->inst[i].id == id) {
            l->last_hit = i;
            return &l->inst[i];
        }
    if (l->n_inst == MAX_INSTR)
        return NULL;
    struct inst *in = &l->inst[l->n_inst];
    memset(in, 0, sizeof *in);
    in->id = id;
    snprintf(in->symbol, sizeof in->symbol, "%s", tp->symbol);
    snprintf(in->product, sizeof in->product, "%s", tp->product);
    gt_mbp_book_init(&in->book, GT_MBP_DEPTH_DEFAULT);
    l->last_hit = l->n_inst++;
    return in;
}

static void state_apply(struct inst *in, const struct gt_tick *t)
{
    gt_mbp_book_apply(&in->book, t);
    switch (t->kind) {
    case GT_KIND_DEF:
        in->def = *t, in->have_def = 1;
        break;
    case GT_KIND_TOB:
        in->tob = *t, in->have_tob = 1;
        break;
    case GT_KIND_TRADE:
        if (t->u.trade.action != GT_ACT_DELETE)
            in->trade = *t, in->have_trade = 1;
        break;
    case GT_KIND_FIXING:
        in->fixing = *t, in->have_fixing = 1;
        break;
    case GT_KIND_STAT:
        if (t->u.stat.type == GT_STAT_SETTLE)
            in->settle = *t, in->have_settle = 1;
        break;
    }
}

/* Whether any topic of in's kinds starts with one of c's prefixes. */
static int inst_wanted(const struct live_client *c, const struct inst *in)
{
    if (c->n_p == 0)
        return 1;
    for (int k = 1; k <= GT_KIND_MAX; k++) {
        char topic[GT_TOPIC_MAX];
        if (gt_topic_format(topic, k, in->product, in->symbol) < 0)
            continue;
        for (int i = 0; i < c->n_p; i++)
            if (strncmp(topic, c->p[i], strlen(c->p[i])) == 0)
                return 1;
    }
    return 0;
}

/* The state event: every wanted instrument, as of next_seq - 1. */
static void state_render(struct live_client *c)
{
    live *l = c->l;
    uint64_t as_of = l->next_seq ? l->next_seq - 1 : 0;
    pend_add(c, "id: %llu\nevent: state\ndata: {\"seq\":%llu,\"instruments\":[",
             (unsigned long long)as_of, (unsigned long long)as_of);
    int first = 1;
    for (int i = 0; i < l->n_inst; i++) {
        const struct inst *in = &l->inst[i];
        if (!inst_wanted(c, in))
            continue;
        char buf[EVENT_MAX];
        pend_add(c, "%s{\"symbol\":\"%s\",\"product\":\"%s\",\"instr_id\":%d", first ? "" : ",",
                 in->symbol, in->product, in->id);
        first = 0;
        const struct gt_tick *parts[] = {
            in->have_def ? &in->def : NULL, in->have_tob ? &in->tob : NULL,
            in->have_trade ? &in->trade : NULL, in->have_fixing ? &in->fixing : NULL,
            in->have_settle ? &in->settle : NULL};
        static const char *names[] = {"def", "tob", "trade", "fixing", "settle"};
        for (int k = 0; k < 5; k++)
            if (parts[k] && gt_tick_json(parts[k], in->symbol, buf, sizeof buf) > 0)
                pend_add(c, ",\"%s\":%s", names[k], buf);
        if (book_json(&in->book, buf, sizeof buf))
            pend_add(c, ",\"book\":%s", buf);
        pend_add(c, "}");
    }
    pend_add(c, "]}\n\n");
}

/* ---- the bus thread ---- */

/* Renders t as one SSE event: id, the tick's JSON with its topic, and the
 * book after it when it ends a book event. Returns a malloc'd string. */
static char *event_render(const struct gt_tick *t, const char *topic, const struct inst *in,
                          size_t *len)
{
    char js[GT_TICK_JSONLEN], book[EVENT_MAX];
    int n = gt_tick_json(t, in ? in->symbol : NULL, js, sizeof js);
    if (n < 2)
        return NULL;
    js[n - 1] = 0; /* the closing brace, put back below */
    book[0] = 0;
    if (in && t->kind == GT_KIND_LEVEL && (t->flags & GT_F_EVENT_END)) {
        memcpy(book, ",\"book\":", 8);
        if (!book_json(&in->book, book + 8, sizeof book - 8))
            book[0] = 0;
    }
    size_t cap = (size_t)n + strlen(book) + 128;
    char *s = malloc(cap);
    if (!s)
        return NULL;
    int m = snprintf(s, cap, "id: %llu\nevent: tick\ndata: %s,\"topic\":\"%s\"%s}\n\n",
                     (unsigned long long)t->seq, js, topic, book);
    *len = (size_t)m;
    return s;
}

static void ring_put(live *l, const struct gt_tick *t, const char *topic, char *text, size_t len)
{
    struct slot *sl = &l->ring[t->seq % l->cap];
    free(sl->text);
    sl->seq = t->seq;
    snprintf(sl->topic, sizeof sl->topic, "%s", topic);
    sl->text = text;
    sl->len = len;
}

static int on_msg(void *ctx, const char *topic, size_t tl, const uint8_t *recs, size_t n)
{
    live *l = ctx;
    struct gt_topic tp;
    char tname[GT_TOPIC_MAX];
    if (gt_topic_parse(topic, tl, &tp) != GT_OK || tl >= sizeof tname)
        return 0; /* not a bus topic: nothing a browser can be shown */
    memcpy(tname, topic, tl);
    tname[tl] = 0;
    pthread_mutex_lock(&l->lock);
    int took = 0;
    for (size_t i = 0; i < n; i++) {
        struct gt_tick t;
        if (gt_tick_decode(recs + i * GT_TICK_LEN, GT_TICK_LEN, &t) != GT_OK)
            continue;
        struct inst *in = inst_of(l, t.instr_id, &tp);
        if (in)
            state_apply(in, &t);
        if (t.flags & GT_F_SNAPSHOT) {
            if (t.seq + 1 > l->next_seq)
                l->next_seq = t.seq + 1;
            continue;
        }
        if (t.seq < l->next_seq)
            continue; /* the bus client delivers once; a feed restarted from 0 is not followed */
        if (!l->first)
            l->first = t.seq;
        size_t len = 0;
        char *text = event_render(&t, tname, in, &len);
        if (!text)
            continue;
        ring_put(l, &t, tname, text, len);
        l->next_seq = t.seq + 1;
        l->st.recs++;
        took = 1;
    }
    if (took)
        pthread_cond_broadcast(&l->cond);
    pthread_mutex_unlock(&l->lock);
    return 0;
}

static void *bus_main(void *arg)
{
    live *l = arg;
    char err[GT_ERRLEN];
    for (;;) {
        pthread_mutex_lock(&l->lock);
        int stop = l->stopping;
        pthread_mutex_unlock(&l->lock);
        if (stop)
            break;
        long r = gt_sub_poll(l->sub, 200, on_msg, l, err);
        /* The client's position once its snapshot is taken: as_of + 1, also
         * when the snapshot held no records to say it. */
        uint64_t nx = gt_sub_stats(l->sub)->next;
        pthread_mutex_lock(&l->lock);
        if (r >= 0 && nx > l->next_seq && !l->first)
            l->next_seq = nx;
        if (r >= 0 && nx && !l->st.connected) {
            l->st.connected = 1;
            pthread_cond_broadcast(&l->cond);
        }
        if (r >= 0)
            l->st.error[0] = 0;
        else
            snprintf(l->st.error, sizeof l->st.error, "%s", err);
        pthread_mutex_unlock(&l->lock);
        if (r < 0 && r != GT_EZMQ) {
            struct timespec ts = {0, 200 * 1000 * 1000}; /* refused or reset: do not spin */
            nanosleep(&ts, NULL);
        }
    }
    return NULL;
}

int live_open(live **out, const struct live_opts *o, char err[GT_ERRLEN])
{
    live *l = calloc(1, sizeof *l);
    if (!l) {
        snprintf(err, GT_ERRLEN, "out of memory");
        return GT_ENOMEM;
    }
    l->o = *o;
    l->cap = o->ring_cap ? o->ring_cap : LIVE_RING_DEFAULT;
    if (!l->o.keepalive_ms)
        l->o.keepalive_ms = 10000;
    l->ring = calloc(l->cap, sizeof *l->ring);
    l->inst = calloc(MAX_INSTR, sizeof *l->inst);
    pthread_mutex_init(&l->lock, NULL);
    pthread_cond_init(&l->cond, NULL);
    int rc = GT_ENOMEM;
    if (!l->ring || !l->inst) {
        snprintf(err, GT_ERRLEN, "out of memory for a ring of %zu records", l->cap);
        goto fail;
    }
    struct gt_sub_opts so = {.pub_ep = o->pub_ep,
                             .router_ep = o->router_ep,
                             .snapshot = 1,
                             .curve_client_key = o->curve_client_key,
                             .curve_server_pub = o->curve_server_pub};
    if ((rc = gt_sub_open(&l->sub, &so, err)) < 0)
        goto fail;
    if (pthread_create(&l->thread, NULL, bus_main, l) != 0) {
        snprintf(err, GT_ERRLEN, "cannot start the bus thread");
        rc = GT_ENOMEM;
        goto fail;
    }
    l->started = 1;
    *out = l;
    return GT_OK;
fail:
    live_close(l);
    return rc;
}

void live_stop(live *l)
{
    if (!l)
        return;
    pthread_mutex_lock(&l->lock);
    l->stopping = 1;
    pthread_cond_broadcast(&l->cond);
    pthread_mutex_unlock(&l->lock);
}

void live_close(live *l)
{
    if (!l)
        return;
    live_stop(l);
    if (l->started)
        pthread_join(l->thread, NULL);
    gt_sub_close(l->sub);
    for (size_t i = 0; l->ring && i < l->cap; i++)
        free(l->ring[i].text);
    free(l->ring);
    free(l->inst);
    pthread_cond_destroy(&l->cond);
    pthread_mutex_destroy(&l->lock);
    free(l);
}

/* The oldest sequence the ring holds: next_seq itself when it holds none
 * (what came before tickweb's snapshot was never in it). Under the lock. */
static uint64_t held_from(const live *l)
{
    uint64_t oldest = l->next_seq > l->cap ? l->next_seq - l->cap : 1;
    if (!l->first)
        return l->next_seq;
    return l->first > oldest ? l->first : oldest;
}

void live_stats_get(live *l, struct live_stats *out)
{
    pthread_mutex_lock(&l->lock);
    *out = l->st;
    out->next_seq = l->next_seq;
    out->oldest = l->first ? held_from(l) : 0;
    pthread_mutex_unlock(&l->lock);
}

/* ---- clients ---- */

int live_prefixes_parse(const char *s, char p[LIVE_PREFIXES_MAX][LIVE_PREFIX_LEN])
{
    int n = 0;
    while (s && *s) {
        size_t k = strcspn(s, " ,");
        if (k) {
            if (n == LIVE_PREFIXES_MAX || k >= LIVE_PREFIX_LEN)
                return -1;
            for (size_t i = 0; i < k; i++) {
                char ch = s[i];
                if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                      (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' || ch == '_' || ch == '+'))
                    return -1;
            }
            memcpy(p[n], s, k);
            p[n++][k] = 0;
        }
        s += k;
        s += *s != 0;
    }
    return n;
}

struct live_client *live_client_new(live *l, const char *prefixes, int with_state,
                                    uint64_t after_seq)
{
    struct live_client *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->l = l;
    c->n_p = live_prefixes_parse(prefixes, c->p);
    c->cap = PEND_MIN;
    c->pend = malloc(c->cap);
    if (c->n_p < 0 || !c->pend) {
        free(c->pend);
        free(c);
        return NULL;
    }
    c->want_state = with_state;
    c->need_state = with_state && !after_seq;
    c->pos = after_seq ? after_seq + 1 : 0;
    pthread_mutex_lock(&l->lock);
    l->st.clients++;
    pthread_mutex_unlock(&l->lock);
    return c;
}

void live_client_free(struct live_client *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->l->lock);
    c->l->st.clients--;
    pthread_mutex_unlock(&c->l->lock);
    free(c->pend);
    free(c);
}

static int topic_wanted(const struct live_client *c, const char *topic)
{
    if (c->n_p == 0)
        return 1;
    for (int i = 0; i < c->n_p; i++)
        if (strncmp(topic, c->p[i], strlen(c->p[i])) == 0)
            return 1;
    return 0;
}

static void gap_render(struct live_client *c, uint64_t from, uint64_t to, const char *why)
{
    pend_add(c, "event: gap\ndata: {\"from\":%llu,\"to\":%llu,\"reason\":\"%s\"}\n\n",
             (unsigned long long)from, (unsigned long long)to, why);
    c->l->st.gaps++;
}

/* Fills c's staging buffer from the ring or the state, under the lock.
 * Returns 1 if it holds something now. */
static int client_fill(struct live_client *c)
{
    live *l = c->l;
    if (!l->st.connected || !l->next_seq)
        return 0;
    if (c->need_state) {
        state_render(c);
        c->need_state = 0;
        c->pos = l->next_seq;
        return 1;
    }
    if (!c->pos)
        c->pos = l->next_seq;
    uint64_t oldest = held_from(l);
    if (c->pos > l->next_seq)
        c->pos = l->next_seq; /* past the feed's head: another feed's numbers */
    if (c->pos < oldest && c->want_state) {
        /* A resume the ring cannot serve starts again from the state. */
        gap_render(c, c->pos, l->next_seq - 1,
                   "the server no longer holds them: the state follows");
        state_render(c);
        c->pos = l->next_seq;
        return 1;
    }
    if (c->pos < oldest) {
        gap_render(c, c->pos, oldest - 1, "the server no longer holds them");
        c->pos = oldest;
    }
    while (c->pos < l->next_seq && c->len < PEND_MIN) {
        const struct slot *sl = &l->ring[c->pos % l->cap];
        if (sl->seq == c->pos && topic_wanted(c, sl->topic)) {
            if (c->len + sl->len >= c->cap) {
                char *p = realloc(c->pend, c->len + sl->len + 1);
                if (!p)
                    break;
                c->pend = p;
                c->cap = c->len + sl->len + 1;
            }
            memcpy(c->pend + c->len, sl->text, sl->len);
            c->len += sl->len;
        }
        c->pos++;
    }
    return c->len > c->off;
}

long live_client_read(struct live_client *c, char *buf, size_t max)
{
    live *l = c->l;
    if (c->off == c->len) {
        c->off = c->len = 0;
        pthread_mutex_lock(&l->lock);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += l->o.keepalive_ms / 1000;
        until.tv_nsec += (long)(l->o.keepalive_ms % 1000) * 1000000;
        if (until.tv_nsec >= 1000000000)
            until.tv_sec++, until.tv_nsec -= 1000000000;
        int timed_out = 0;
        while (!l->stopping && !client_fill(c) && !timed_out)
            timed_out = pthread_cond_timedwait(&l->cond, &l->lock, &until) == ETIMEDOUT;
        int stop = l->stopping;
        pthread_mutex_unlock(&l->lock);
        if (stop)
            return -1;
        if (c->len == 0)
            pend_add(c, ": keepalive\n\n"); /* also how a closed connection is noticed */
    }
    size_t n = c->len - c->off < max ? c->len - c->off : max;
    memcpy(buf, c->pend + c->off, n);
    c->off += n;
    return (long)n;
}
