/* SPDX-License-Identifier: MIT */
/* log.c -- event lines on stderr, text or JSON, rate-limited by cause (see
 * log.h).
 *
 * A line is built whole in a stack buffer and written with one write(2), so
 * lines of two threads never interleave and a line is never split by stdio
 * buffering. The causes are a small table searched by name (a handful in
 * use, a line a second at most each): the first LOG_CAUSES names get a slot,
 * later ones share the last. */
#include "log.h"
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum {
    LINE_MAX_LEN = 4096,
    NS_PER_S = 1000000000
}; /* a message: tickfeed's stats line is ~1 KiB */

struct cause {
    const char *name;
    int64_t last_ns;     /* when its last line was written */
    uint64_t suppressed; /* lines held back since */
};

static struct {
    pthread_mutex_t lock;
    const char *prog;
    enum log_level level;
    enum log_format format;
    int journald; /* stderr is the journal's stream: <N> prefixes */
    struct cause causes[LOG_CAUSES];
    int n_causes;
    uint64_t suppressed_total;
    int64_t (*now_ns)(void);
} lg = {.lock = PTHREAD_MUTEX_INITIALIZER, .prog = "gputick", .level = LOG_INFO};

static const char *const level_names[] = {"debug", "info", "warning", "error"};
static const int syslog_prio[] = {7, 6, 4, 3};

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

/* systemd sets JOURNAL_STREAM=DEV:INODE for a unit whose stderr is the
 * journal; stderr may have been redirected since, so both must match. */
static int stderr_is_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) < 0)
        return 0;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(const char *prog)
{
    pthread_mutex_lock(&lg.lock);
    lg.prog = prog;
    lg.level = LOG_INFO;
    lg.format = LOG_TEXT;
    lg.journald = stderr_is_journal();
    pthread_mutex_unlock(&lg.lock);
}

void log_set(enum log_level level, enum log_format format)
{
    pthread_mutex_lock(&lg.lock);
    lg.level = level;
    lg.format = format;
    pthread_mutex_unlock(&lg.lock);
}

enum log_level log_level_get(void)
{
    pthread_mutex_lock(&lg.lock);
    enum log_level l = lg.level;
    pthread_mutex_unlock(&lg.lock);
    return l;
}

enum log_format log_format_get(void)
{
    pthread_mutex_lock(&lg.lock);
    enum log_format f = lg.format;
    pthread_mutex_unlock(&lg.lock);
    return f;
}

int log_level_parse(const char *s, enum log_level *out)
{
    for (int i = LOG_DEBUG; i <= LOG_ERROR; i++)
        if (!strcmp(s, level_names[i])) {
            *out = (enum log_level)i;
            return 0;
        }
    return -1;
}

int log_format_parse(const char *s, enum log_format *out)
{
    if (strcmp(s, "text") && strcmp(s, "json"))
        return -1;
    *out = strcmp(s, "json") ? LOG_TEXT : LOG_JSON;
    return 0;
}

const char *log_level_name(enum log_level level)
{
    return level >= LOG_DEBUG && level <= LOG_ERROR ? level_names[level] : "?";
}

int log_opt_parse(const char *name, const char *arg, enum log_level *level, enum log_format *format,
                  char err[GT_ERRLEN])
{
    if (!strcmp(name, "log-level")) {
        if (log_level_parse(arg, level) == 0)
            return 0;
        snprintf(err, GT_ERRLEN, "--log-level wants debug, info, warning or error, not '%.64s'",
                 arg);
        return -1;
    }
    if (!strcmp(name, "log-format")) {
        if (log_format_parse(arg, format) == 0)
            return 0;
        snprintf(err, GT_ERRLEN, "--log-format wants text or json, not '%.64s'", arg);
        return -1;
    }
    return 1;
}

void log_clock_set(int64_t (*now_ns)(void))
{
    pthread_mutex_lock(&lg.lock);
    lg.now_ns = now_ns;
    pthread_mutex_unlock(&lg.lock);
}

uint64_t log_suppressed_total(void)
{
    pthread_mutex_lock(&lg.lock);
    uint64_t n = lg.suppressed_total;
    pthread_mutex_unlock(&lg.lock);
    return n;
}

/* Appends s to buf[*len..cap) as JSON string content (no quotes). */
static void json_escape(char *buf, size_t *len, size_t cap, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p && *len + 7 < cap; p++) {
        if (*p == '"' || *p == '\\')
            *len += (size_t)snprintf(buf + *len, cap - *len, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            *len += (size_t)snprintf(buf + *len, cap - *len, "\\u%04x", *p);
        else
            buf[(*len)++] = (char)*p;
    }
    buf[*len] = 0;
}

/* Builds and writes one line; under lg.lock. */
static void emit(enum log_level level, const char *cause, uint64_t suppressed, const char *msg)
{
    char line[LINE_MAX_LEN + 256];
    size_t len = 0, cap = sizeof line - 2; /* room for the newline */
    if (lg.format == LOG_JSON) {
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        len = strftime(line, cap, "{\"ts\":\"%Y-%m-%dT%H:%M:%S", &tm);
        len += (size_t)snprintf(line + len, cap - len, ".%03ldZ\",\"level\":\"%s\",\"prog\":\"",
                                ts.tv_nsec / 1000000, level_names[level]);
        json_escape(line, &len, cap, lg.prog);
        if (cause) {
            len += (size_t)snprintf(line + len, cap - len, "\",\"cause\":\"");
            json_escape(line, &len, cap, cause);
        }
        len += (size_t)snprintf(line + len, cap - len, "\",\"msg\":\"");
        json_escape(line, &len, cap, msg);
        if (suppressed)
            len += (size_t)snprintf(line + len, cap - len, "\",\"suppressed\":%llu}",
                                    (unsigned long long)suppressed);
        else
            len += (size_t)snprintf(line + len, cap - len, "\"}");
    } else {
        int n = snprintf(line, cap, "%s%.0d%s%s %s: ", lg.journald ? "<" : "",
                         lg.journald ? syslog_prio[level] : 0, lg.journald ? ">" : "",
                         level_names[level], lg.prog);
        len = (size_t)n < cap ? (size_t)n : cap;
        /* One line: a newline inside a message would start a second one. */
        for (const char *p = msg; *p && len < cap; p++)
            line[len++] = *p == '\n' ? ' ' : *p;
        if (suppressed && len < cap)
            len += (size_t)snprintf(line + len, cap - len, " (%llu more like this suppressed)",
                                    (unsigned long long)suppressed);
    }
    if (len > cap)
        len = cap;
    line[len++] = '\n';
    for (size_t off = 0; off < len;) {
        ssize_t w = write(STDERR_FILENO, line + off, len - off);
        if (w <= 0)
            break; /* nowhere to say it */
        off += (size_t)w;
    }
}

static struct cause *cause_find(const char *name)
{
    for (int i = 0; i < lg.n_causes; i++)
        if (!strcmp(lg.causes[i].name, name))
            return &lg.causes[i];
    if (lg.n_causes == LOG_CAUSES)
        return &lg.causes[LOG_CAUSES - 1];
    struct cause *c = &lg.causes[lg.n_causes++];
    c->name = name;
    c->last_ns = INT64_MIN;
    c->suppressed = 0;
    return c;
}

void log_msg(enum log_level level, const char *cause, const char *fmt, ...)
{
    if (level < LOG_DEBUG || level > LOG_ERROR)
        level = LOG_ERROR;
    pthread_mutex_lock(&lg.lock);
    if (level < lg.level) {
        pthread_mutex_unlock(&lg.lock);
        return;
    }
    uint64_t suppressed = 0;
    if (cause) {
        struct cause *c = cause_find(cause);
        int64_t now = lg.now_ns ? lg.now_ns() : mono_ns();
        if (c->last_ns != INT64_MIN && now - c->last_ns < NS_PER_S) {
            c->suppressed++;
            lg.suppressed_total++;
            pthread_mutex_unlock(&lg.lock);
            return;
        }
        c->last_ns = now;
        suppressed = c->suppressed;
        c->suppressed = 0;
    }
    char msg[LINE_MAX_LEN];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    emit(level, cause, suppressed, msg);
    pthread_mutex_unlock(&lg.lock);
}

void log_fini(void)
{
    pthread_mutex_lock(&lg.lock);
    for (int i = 0; i < lg.n_causes; i++) {
        struct cause *c = &lg.causes[i];
        if (!c->suppressed)
            continue;
        char msg[128];
        snprintf(msg, sizeof msg, "%llu more lines of cause %s were suppressed at the end",
                 (unsigned long long)c->suppressed, c->name);
        emit(LOG_INFO, c->name, 0, msg);
        c->suppressed = 0;
    }
    pthread_mutex_unlock(&lg.lock);
}
