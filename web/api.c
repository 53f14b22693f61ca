/* SPDX-License-Identifier: MIT */
/* api.c -- tickq's commands as HTTP GET endpoints (contract in api.h).
 *
 * tickq's own table of commands lives in its main.c; this one names the
 * commands that answer a query (not chart, which writes a file, nor time) and
 * what each calls its operand, so that a URL reads like the command line:
 * /api/bars?symbol=H100Z6&interval=5m is `tickq bars H100Z6 --interval 5m`. */
#include "api.h"
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmd.h"
#include "cmdstore.h"
#include "qio.h"

struct api_cmd {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *operand; /* the query key that is the command's operand, or NULL */
};

static const struct api_cmd cmds[] = {
    {"symbols", cmd_symbols, NULL},    {"ticks", cmd_ticks, "symbol"},
    {"bars", cmd_bars, "symbol"},      {"book", cmd_book, "symbol"},
    {"fixings", cmd_fixings, "index"}, {"curve", cmd_curve, "product"},
    {"settle", cmd_settle, "symbol"},  {"asof", cmd_asof, "symbol"},
    {"stats", cmd_stats, NULL},
};
enum { N_CMDS = sizeof cmds / sizeof cmds[0] };

static pthread_mutex_t run_lock = PTHREAD_MUTEX_INITIALIZER;

static const struct api_cmd *cmd_find(const char *name)
{
    for (int i = 0; i < N_CMDS; i++)
        if (strcmp(cmds[i].name, name) == 0)
            return &cmds[i];
    return NULL;
}

void api_fini(void)
{
    pthread_mutex_lock(&run_lock);
    cmdstore_keep_close();
    pthread_mutex_unlock(&run_lock);
}

int api_known(const char *name)
{
    return cmd_find(name) != NULL;
}

const char *api_index_json(void)
{
    return "{\"commands\":[\"symbols\",\"ticks\",\"bars\",\"book\",\"fixings\",\"curve\","
           "\"settle\",\"asof\",\"stats\"],\"help\":\"/api/CMD?help shows a command's "
           "parameters; docs/http.md\"}\n";
}

/* A reply whose body is msg: {"error":"msg"} or the text itself. */
static void reply_error(struct api_reply *r, int status, const char *msg, size_t len, int csv)
{
    while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
        len--;
    r->status = status;
    r->type = csv ? "text/plain; charset=utf-8" : "application/json";
    r->body = malloc(len * 6 + 32);
    if (!r->body) {
        r->len = 0;
        return;
    }
    size_t n = 0;
    if (!csv)
        n += (size_t)sprintf(r->body, "{\"error\":\"");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)msg[i];
        if (csv)
            r->body[n++] = (char)c;
        else if (c == '"' || c == '\\')
            r->body[n++] = '\\', r->body[n++] = (char)c;
        else if (c == '\n')
            r->body[n++] = '\\', r->body[n++] = 'n';
        else if (c < 0x20)
            n += (size_t)sprintf(r->body + n, "\\u%04x", c);
        else
            r->body[n++] = (char)c;
    }
    n += (size_t)sprintf(r->body + n, csv ? "\n" : "\"}\n");
    r->len = n;
}

/* Whether key can be a long option: lower-case letters, digits and '-'. */
static int key_ok(const char *k)
{
    if (!*k || strlen(k) > 32)
        return 0;
    for (const char *p = k; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
            return 0;
    return 1;
}

void api_run(const char *db, const char *name, const struct api_param *p, int n, int csv,
             struct api_reply *r)
{
    char msg[256];
    memset(r, 0, sizeof *r);
    const struct api_cmd *c = cmd_find(name);
    if (!c) {
        int k = snprintf(msg, sizeof msg, "tickweb: no command '%s' (want one of /api)", name);
        reply_error(r, 404, msg, (size_t)k, csv);
        return;
    }
    /* argv: name, operand, --key value..., --db, --format, NULL. Its strings
     * are copies: getopt permutes argv's pointers, and the commands may too. */
    char *argv[3 + 2 * API_PARAMS_MAX + 5];
    char opt[API_PARAMS_MAX][40];
    int argc = 0, operand = -1, want_help = 0;
    if (n > API_PARAMS_MAX) {
        int k = snprintf(msg, sizeof msg, "tickweb: %d parameters (want at most %d)", n,
                         API_PARAMS_MAX);
        reply_error(r, 400, msg, (size_t)k, csv);
        return;
    }
    argv[argc++] = (char *)c->name;
    for (int i = 0; i < n; i++)
        if (c->operand && strcmp(p[i].key, c->operand) == 0 && operand < 0) {
            operand = i;
            argv[argc++] = (char *)(p[i].val ? p[i].val : "");
        }
    for (int i = 0; i < n; i++) {
        if (i == operand)
            continue;
        const char *why = NULL;
        if (strcmp(p[i].key, "format") == 0 || strcmp(p[i].key, "access_token") == 0)
            continue; /* the server's own: format chose csv or json, the token was checked */
        if (!key_ok(p[i].key))
            why = "is not a parameter (want lower-case names as tickq's options)";
        else if (strcmp(p[i].key, "db") == 0)
            why = "is the server's (tickweb --db)";
        if (why) {
            int k = snprintf(msg, sizeof msg, "tickweb %s: parameter '%.40s' %s", c->name, p[i].key,
                             why);
            reply_error(r, 400, msg, (size_t)k, csv);
            return;
        }
        want_help |= strcmp(p[i].key, "help") == 0;
        snprintf(opt[i], sizeof opt[i], "--%s", p[i].key);
        argv[argc++] = opt[i];
        if (p[i].val && *p[i].val)
            argv[argc++] = (char *)p[i].val;
    }
    argv[argc++] = "--db";
    argv[argc++] = (char *)db;
    argv[argc++] = "--format";
    argv[argc++] = csv ? "csv" : "json";
    argv[argc] = NULL;

    char *out = NULL, *err = NULL;
    size_t out_len = 0, err_len = 0;
    pthread_mutex_lock(&run_lock);
    FILE *fo = open_memstream(&out, &out_len), *fe = open_memstream(&err, &err_len);
    int rc = 1;
    enum qio_fail why = QIO_FAIL_NONE;
    if (fo && fe) {
        qio_out_stream = fo;
        qio_err_stream = fe;
        qio_fail = QIO_FAIL_NONE;
        optind = 0; /* a full reset of getopt: the last command's state is not ours */
        opterr = 0;
        cmdstore_keep(1); /* the store stays open for the next request */
        rc = c->run(argc, argv);
        cmdstore_keep(0);
        why = qio_fail;
        qio_out_stream = qio_err_stream = NULL;
    }
    if (fo)
        fclose(fo);
    if (fe)
        fclose(fe);
    pthread_mutex_unlock(&run_lock);

    if (!fo || !fe) {
        int k = snprintf(msg, sizeof msg, "tickweb: out of memory");
        reply_error(r, 500, msg, (size_t)k, csv);
    } else if (rc == 0) {
        r->status = 200;
        r->type = want_help ? "text/plain; charset=utf-8"
                  : csv     ? "text/csv; charset=utf-8"
                            : "application/json";
        r->body = out;
        r->len = out_len;
        out = NULL;
    } else {
        int status = why == QIO_FAIL_UNKNOWN_NAME ? 404
                     : why == QIO_FAIL_STORE      ? 503
                     : rc == EXIT_USAGE           ? 400
                                                  : 500;
        reply_error(r, status, err && err_len ? err : "tickweb: the command failed",
                    err && err_len ? err_len : strlen("tickweb: the command failed"), csv);
    }
    free(out);
    free(err);
}

void api_reply_fini(struct api_reply *r)
{
    free(r->body);
    r->body = NULL;
}
