/* SPDX-License-Identifier: MIT */
/* peers.c -- DuckDB and chDB through their C APIs, opened with dlopen
 * (contract in peers.h). The declarations below are the few functions of
 * duckdb.h (DuckDB 1.5) and chdb.h (chDB 3.x) this uses, with their ABI. */
#include "peers.h"
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bench.h"

/* duckdb.h: duckdb_result is the caller's, 48 bytes. */
typedef struct {
    uint64_t column_count, row_count, rows_changed;
    void *columns;
    char *error_message;
    void *internal_data;
} ddb_result;

struct ddb_api {
    int (*open)(const char *, void **);
    int (*connect)(void *, void **);
    void (*disconnect)(void **);
    void (*close)(void **);
    int (*query)(void *, const char *, ddb_result *);
    void (*destroy_result)(ddb_result *);
    const char *(*result_error)(ddb_result *);
    uint64_t (*column_count)(ddb_result *);
    uint64_t (*row_count)(ddb_result *);
    char *(*value_varchar)(ddb_result *, uint64_t, uint64_t);
    void (*free)(void *);
    const char *(*library_version)(void);
    int (*appender_create_ext)(void *, const char *, const char *, const char *, void **);
    const char *(*appender_error)(void *);
    int (*append_data_chunk)(void *, void *);
    int (*appender_close)(void *);
    int (*appender_destroy)(void **);
    void *(*create_logical_type)(int);
    void (*destroy_logical_type)(void **);
    void *(*create_data_chunk)(void **, uint64_t);
    void (*destroy_data_chunk)(void **);
    void (*data_chunk_reset)(void *);
    void *(*data_chunk_get_vector)(void *, uint64_t);
    void *(*vector_get_data)(void *);
    void (*data_chunk_set_size)(void *, uint64_t);
    uint64_t (*vector_size)(void);
};

/* chdb.h */
struct chdb_api {
    void **(*connect)(int, char **);
    void (*close_conn)(void **);
    void *(*query_n)(void *, const char *, size_t, const char *, size_t);
    void (*destroy_query_result)(void *);
    char *(*result_buffer)(void *);
    size_t (*result_length)(void *);
    const char *(*result_error)(void *);
};

static struct ddb_api ddb;
static struct chdb_api ch;

static int fail(struct peer *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->err, sizeof p->err, fmt, ap);
    va_end(ap);
    return -1;
}

/* Resolves names[0..n) in order into the table of function pointers at fns
 * (n pointers); every one must exist. */
static int resolve(struct peer *p, const char *const *names, void *fns, size_t n)
{
    void *f[64];
    if (n > sizeof f / sizeof f[0])
        return fail(p, "too many functions");
    for (size_t i = 0; i < n; i++)
        if (!(f[i] = dlsym(p->lib, names[i])))
            return fail(p, "%s has no %s", p->kind == PEER_DUCKDB ? "libduckdb" : "libchdb",
                        names[i]);
    memcpy(fns, f, n * sizeof f[0]);
    return 0;
}

const char *peer_lib(enum peer_kind kind, const char *peers_dir, char *buf, size_t cap)
{
    const char *rel = kind == PEER_DUCKDB
                          ? "node_modules/@duckdb/node-bindings-linux-x64/libduckdb.so"
                      : kind == PEER_CHDB ? "node_modules/@chdb/lib-linux-x64-gnu/libchdb.so"
                                          : NULL;
    if (!rel)
        return NULL;
    snprintf(buf, cap, "%s/%s", peers_dir, rel);
    return buf;
}

static int duckdb_start(struct peer *p, const char *path)
{
    static const char *const names[] = {"duckdb_open",
                                        "duckdb_connect",
                                        "duckdb_disconnect",
                                        "duckdb_close",
                                        "duckdb_query",
                                        "duckdb_destroy_result",
                                        "duckdb_result_error",
                                        "duckdb_column_count",
                                        "duckdb_row_count",
                                        "duckdb_value_varchar",
                                        "duckdb_free",
                                        "duckdb_library_version",
                                        "duckdb_appender_create_ext",
                                        "duckdb_appender_error",
                                        "duckdb_append_data_chunk",
                                        "duckdb_appender_close",
                                        "duckdb_appender_destroy",
                                        "duckdb_create_logical_type",
                                        "duckdb_destroy_logical_type",
                                        "duckdb_create_data_chunk",
                                        "duckdb_destroy_data_chunk",
                                        "duckdb_data_chunk_reset",
                                        "duckdb_data_chunk_get_vector",
                                        "duckdb_vector_get_data",
                                        "duckdb_data_chunk_set_size",
                                        "duckdb_vector_size"};
    _Static_assert(sizeof names / sizeof names[0] == sizeof ddb / sizeof(void *),
                   "one name a function");
    if (resolve(p, names, &ddb, sizeof names / sizeof names[0]) < 0)
        return -1;
    snprintf(p->version, sizeof p->version, "DuckDB %s", ddb.library_version());
    if (ddb.open(path, &p->db) != 0)
        return fail(p, "DuckDB could not open %s", path);
    if (ddb.connect(p->db, &p->conn) != 0)
        return fail(p, "DuckDB could not connect to %s", path);
    return 0;
}

static int chdb_start(struct peer *p, const char *path)
{
    static const char *const names[] = {
        "chdb_connect",       "chdb_close_conn",    "chdb_query_n",     "chdb_destroy_query_result",
        "chdb_result_buffer", "chdb_result_length", "chdb_result_error"};
    _Static_assert(sizeof names / sizeof names[0] == sizeof ch / sizeof(void *),
                   "one name a function");
    if (resolve(p, names, &ch, sizeof names / sizeof names[0]) < 0)
        return -1;
    char arg[1024];
    snprintf(arg, sizeof arg, "--path=%s", path);
    char *argv[] = {"clickhouse", arg, NULL};
    void **conn = ch.connect(2, argv);
    if (!conn || !*conn)
        return fail(p, "chDB could not open %s", path);
    p->conn = conn;
    char *v = NULL;
    if (peer_sql(p, "SELECT version()", &v, NULL) < 0)
        return -1;
    snprintf(p->version, sizeof p->version, "chDB %.*s", (int)strcspn(v, "\n"), v);
    free(v);
    return 0;
}

int peer_open(struct peer *p, enum peer_kind kind, const char *lib, const char *path)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    if (!(p->lib = dlopen(lib, RTLD_NOW | RTLD_LOCAL)))
        return fail(p, "%s", dlerror());
    return kind == PEER_DUCKDB ? duckdb_start(p, path) : chdb_start(p, path);
}

void peer_close(struct peer *p)
{
    if (p->kind == PEER_DUCKDB) {
        if (p->conn)
            ddb.disconnect(&p->conn);
        if (p->db)
            ddb.close(&p->db);
    } else if (p->conn) {
        ch.close_conn(p->conn);
    }
    p->conn = p->db = NULL;
    /* The libraries stay mapped: both keep threads and atexit handlers. */
}

/* Appends s to the growing buffer *b (*len used, *cap allocated). */
static int grow_put(char **b, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t c = (*cap ? *cap * 2 : 4096) + n;
        char *nb = realloc(*b, c);
        if (!nb)
            return -1;
        *b = nb, *cap = c;
    }
    memcpy(*b + *len, s, n);
    *len += n;
    (*b)[*len] = 0;
    return 0;
}

static int duckdb_sql(struct peer *p, const char *sql, char **out, double *secs)
{
    ddb_result r;
    memset(&r, 0, sizeof r);
    double t0 = bench_now();
    int st = ddb.query(p->conn, sql, &r);
    if (secs)
        *secs = bench_now() - t0;
    if (st != 0) {
        const char *e = ddb.result_error(&r);
        fail(p, "DuckDB: %s (in: %.200s)", e ? e : "query failed", sql);
        ddb.destroy_result(&r);
        return -1;
    }
    int rc = 0;
    if (out) {
        char *b = NULL;
        size_t len = 0, cap = 0;
        uint64_t nc = ddb.column_count(&r), nr = ddb.row_count(&r);
        rc = grow_put(&b, &len, &cap, "", 0);
        for (uint64_t row = 0; row < nr && rc == 0; row++)
            for (uint64_t c = 0; c < nc && rc == 0; c++) {
                char *v = ddb.value_varchar(&r, c, row);
                rc = grow_put(&b, &len, &cap, v ? v : "\\N", v ? strlen(v) : 2);
                if (v)
                    ddb.free(v);
                if (rc == 0)
                    rc = grow_put(&b, &len, &cap, c + 1 < nc ? "\t" : "\n", 1);
            }
        if (rc < 0) {
            free(b);
            fail(p, "out of memory");
        } else {
            *out = b;
        }
    }
    ddb.destroy_result(&r);
    return rc;
}

static int chdb_sql(struct peer *p, const char *sql, char **out, double *secs)
{
    static const char fmt[] = "TabSeparated";
    double t0 = bench_now();
    void *r = ch.query_n(*(void **)p->conn, sql, strlen(sql), fmt, sizeof fmt - 1);
    if (secs)
        *secs = bench_now() - t0;
    const char *e = r ? ch.result_error(r) : "no result";
    if (e && *e) {
        fail(p, "chDB: %.300s (in: %.200s)", e, sql);
        if (r)
            ch.destroy_query_result(r);
        return -1;
    }
    if (out) {
        size_t n = ch.result_length(r);
        char *b = malloc(n + 1);
        if (!b) {
            ch.destroy_query_result(r);
            return fail(p, "out of memory");
        }
        if (n)
            memcpy(b, ch.result_buffer(r), n);
        b[n] = 0;
        *out = b;
    }
    ch.destroy_query_result(r);
    return 0;
}

int peer_sql(struct peer *p, const char *sql, char **out, double *secs)
{
    if (out)
        *out = NULL;
    return p->kind == PEER_DUCKDB ? duckdb_sql(p, sql, out, secs) : chdb_sql(p, sql, out, secs);
}

int peer_duckdb_append(struct peer *p, const char *catalog, const char *table,
                       const int *duckdb_types, int n_cols, size_t n_rows, peer_fill_fn fill,
                       void *ctx)
{
    enum { MAX_COLS = 32 };
    if (p->kind != PEER_DUCKDB || n_cols > MAX_COLS)
        return fail(p, "peer_duckdb_append: not DuckDB, or too many columns");
    void *app = NULL, *types[MAX_COLS], *cols[MAX_COLS];
    if (ddb.appender_create_ext(p->conn, catalog, NULL, table, &app) != 0) {
        const char *e = app ? ddb.appender_error(app) : NULL;
        fail(p, "DuckDB appender on %s: %s", table, e ? e : "failed");
        if (app)
            ddb.appender_destroy(&app);
        return -1;
    }
    for (int c = 0; c < n_cols; c++)
        types[c] = ddb.create_logical_type(duckdb_types[c]);
    void *chunk = ddb.create_data_chunk(types, (uint64_t)n_cols);
    size_t step = (size_t)ddb.vector_size();
    int rc = 0;
    for (size_t first = 0; first < n_rows && rc == 0; first += step) {
        size_t n = n_rows - first < step ? n_rows - first : step;
        ddb.data_chunk_reset(chunk);
        for (int c = 0; c < n_cols; c++)
            cols[c] = ddb.vector_get_data(ddb.data_chunk_get_vector(chunk, (uint64_t)c));
        fill(ctx, first, n, cols);
        ddb.data_chunk_set_size(chunk, n);
        if (ddb.append_data_chunk(app, chunk) != 0)
            rc = -1;
    }
    if (rc == 0 && ddb.appender_close(app) != 0)
        rc = -1;
    if (rc < 0) {
        const char *e = ddb.appender_error(app);
        fail(p, "DuckDB appender on %s: %s", table, e ? e : "failed");
    }
    ddb.destroy_data_chunk(&chunk);
    for (int c = 0; c < n_cols; c++)
        ddb.destroy_logical_type(&types[c]);
    ddb.appender_destroy(&app);
    return rc;
}
