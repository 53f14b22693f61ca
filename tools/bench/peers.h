/* SPDX-License-Identifier: MIT */
/* peers.h -- the current engines the store is measured against, embedded
 * through their C APIs: DuckDB (libduckdb.so from the npm package
 * @duckdb/node-bindings-linux-x64) and chDB, ClickHouse as a library
 * (libchdb.so from @chdb/lib-linux-x64-gnu). tools/bench/run installs both
 * at pinned versions into build/peers; nothing here is linked at build time:
 * each library is opened with dlopen() and the few functions used are
 * declared here, so the project needs neither header nor library to build.
 *
 * One process holds at most one open engine of each kind (chDB keeps global
 * state). Results come back as text, tab-separated, one row a line. */
#ifndef GT_BENCH_PEERS_H
#define GT_BENCH_PEERS_H
#include <stddef.h>
#include <stdint.h>

enum peer_kind { PEER_DUCKDB, PEER_CHDB };

struct peer {
    enum peer_kind kind;
    void *lib;
    void *db, *conn; /* DuckDB: duckdb_database, duckdb_connection; chDB: chdb_connection * */
    char version[64];
    char err[512];
};

/* The library's path under peers_dir (build/peers), or NULL if kind is
 * unknown; the file may be absent. */
const char *peer_lib(enum peer_kind kind, const char *peers_dir, char *buf, size_t cap);

/* Opens the library at lib and a database at path (DuckDB: a file; chDB: a
 * folder). Returns 0, or -1 with p->err set. */
int peer_open(struct peer *p, enum peer_kind kind, const char *lib, const char *path);
void peer_close(struct peer *p);

/* Runs sql; with out, the result as TSV (malloc'd, NUL-ended; the caller
 * frees). *secs (may be NULL) gets the engine's time from the call to the
 * result held in memory (DuckDB: materialized; chDB: formatted as TSV).
 * Returns 0, or -1 with p->err set. */
int peer_sql(struct peer *p, const char *sql, char **out, double *secs);

/* DuckDB only: appends n rows to table through its appender, a data chunk of
 * typed vectors at a time; fill(ctx, first, n, cols) writes rows
 * [first, first + n) into cols[0..17) (the table's columns in order, each an
 * array of its C type). Returns 0 or -1 with p->err set. */
typedef void (*peer_fill_fn)(void *ctx, size_t first, size_t n, void **cols);
int peer_duckdb_append(struct peer *p, const char *catalog, const char *table,
                       const int *duckdb_types, int n_cols, size_t n_rows, peer_fill_fn fill,
                       void *ctx);

/* DuckDB's type codes for the appender (duckdb.h's DUCKDB_TYPE_*). */
enum {
    PEER_DUCKDB_INTEGER = 4,
    PEER_DUCKDB_BIGINT = 5,
    PEER_DUCKDB_UTINYINT = 6,
    PEER_DUCKDB_USMALLINT = 7,
    PEER_DUCKDB_UINTEGER = 8,
    PEER_DUCKDB_UBIGINT = 9,
};

#endif
