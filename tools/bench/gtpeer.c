/* SPDX-License-Identifier: MIT */
/* gtpeer.c -- one query in a fresh process of DuckDB or chDB, for the
 * whole-process rows of gtbench's peer table (peers.h):
 *
 *   gtpeer duckdb|chdb LIBRARY DATABASE SQL
 *
 * opens LIBRARY and DATABASE, runs SQL, prints the result as TSV and exits:
 * what a user's script pays to ask either engine one question. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "peers.h"

int main(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        printf("usage: gtpeer duckdb|chdb LIBRARY DATABASE SQL\n\nRuns SQL once in DuckDB or "
               "chDB (LIBRARY: libduckdb.so or libchdb.so) on DATABASE and prints the result "
               "as TSV.\n");
        return 0;
    }
    if (argc != 5 || (strcmp(argv[1], "duckdb") != 0 && strcmp(argv[1], "chdb") != 0)) {
        fprintf(stderr, "gtpeer: want duckdb|chdb LIBRARY DATABASE SQL (see gtpeer --help)\n");
        return 2;
    }
    struct peer p;
    char *out = NULL;
    enum peer_kind k = strcmp(argv[1], "duckdb") == 0 ? PEER_DUCKDB : PEER_CHDB;
    int rc = peer_open(&p, k, argv[2], argv[3]);
    if (rc == 0)
        rc = peer_sql(&p, argv[4], &out, NULL);
    if (rc < 0)
        fprintf(stderr, "gtpeer: %s\n", p.err);
    else
        fputs(out, stdout);
    free(out);
    peer_close(&p);
    return rc < 0 ? 1 : 0;
}
