/* SPDX-License-Identifier: MIT */
/* tickgen.h -- what the suites that build a store of generated ticks and run
 * tickq commands on it share (test_tickq.c, test_bitflip.c): a seeded
 * xorshift, a tick array that numbers its records like the bus, definitions
 * and fixings, a folder remover for nftw, and a command run in this process
 * with its stdout and stderr captured into files.
 *
 * Everything is static inline: each suite includes it once. Nothing here
 * asserts beyond bounds; the suites assert what they check. */
#ifndef GT_TEST_TICKGEN_H
#define GT_TEST_TICKGEN_H
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdarg.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "gputick/tick.h"

/* xorshift64: the next value of *state (never 0 if the seed is not). */
static inline uint64_t tickgen_rnd(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

/* nftw's callback that removes what it visits (FTW_DEPTH: a folder last). */
static inline int tickgen_rm(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(p);
}

/* Generated ticks in bus order: seq counts from 1 without holes. */
struct tickgen {
    struct gt_tick *ticks;
    int n, cap;
    uint64_t seq;
};

/* Appends a zeroed tick of kind for instrument id at ns (received 1 µs
 * later) and returns it for the caller to fill. */
static inline struct gt_tick *tickgen_add(struct tickgen *g, int kind, int32_t id, int64_t ns)
{
    cr_assert(g->n < g->cap, "tickgen: more than %d ticks", g->cap);
    struct gt_tick *t = &g->ticks[g->n++];
    memset(t, 0, sizeof *t);
    t->version = GT_TICK_VERSION;
    t->kind = (uint8_t)kind;
    t->instr_id = id;
    t->seq = ++g->seq;
    t->exch_ns = ns;
    t->recv_ns = ns + 1000;
    return t;
}

/* An H100 definition with a $0.005 tick. */
static inline void tickgen_def(struct tickgen *g, int64_t ns, int32_t id, const char *sym,
                               uint32_t maturity, int type, int depth)
{
    struct gt_tick *t = tickgen_add(g, GT_KIND_DEF, id, ns);
    t->u.def.tick_px = 5000000;
    t->u.def.maturity = maturity;
    t->u.def.type = (uint8_t)type;
    t->u.def.depth = (uint8_t)depth;
    memcpy(t->u.def.product, "H100", 4);
    memcpy(t->u.def.symbol, sym, strlen(sym));
}

/* An index value of the index id. */
static inline void tickgen_fixing(struct tickgen *g, int32_t id, int64_t ns, int64_t px, int code,
                                  uint32_t date)
{
    struct gt_tick *t = tickgen_add(g, GT_KIND_FIXING, id, ns);
    t->u.fixing =
        (struct gt_fixing){.px = px, .date = date, .code = (uint8_t)code, .entry_type = '3'};
}

/* The whole file at path as a string (malloc'ed; "" if it cannot be read). */
static inline char *tickgen_slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return strdup("");
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *s = malloc((size_t)n + 1);
    s[fread(s, 1, (size_t)n, f)] = 0;
    fclose(f);
    return s;
}

/* Runs cmd(argc, argv) (a tickq command) in this process with stdout and
 * stderr written to the files opath and epath; returns its exit status. */
static inline int tickgen_run(int (*cmd)(int, char **), int argc, char **argv, const char *opath,
                              const char *epath)
{
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    int fo = open(opath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fe = open(epath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fo, 1);
    dup2(fe, 2);
    optind = 0; /* each command's getopt_long starts over */
    int rc = cmd(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so), close(se), close(fo), close(fe);
    return rc;
}

/* Runs "tickq ARGS..." (the NULL-terminated arguments ap) in this process
 * with its output and messages in the files out and err under dir, read
 * back into *out_s and *err_s (their old strings freed); returns its exit
 * status. */
static inline int tickgen_vrun(const char *dir, char **out_s, char **err_s,
                               int (*cmd)(int, char **), va_list ap)
{
    char *argv[32], opath[160], epath[160];
    int argc = 0;
    for (char *a; (a = va_arg(ap, char *)) && argc < 30;)
        argv[argc++] = a;
    argv[argc] = NULL;
    snprintf(opath, sizeof opath, "%s/out", dir);
    snprintf(epath, sizeof epath, "%s/err", dir);
    int rc = tickgen_run(cmd, argc, argv, opath, epath);
    free(*out_s);
    free(*err_s);
    *out_s = tickgen_slurp(opath);
    *err_s = tickgen_slurp(epath);
    return rc;
}

/* Line r of s (0 = the first: a CSV header) copied into buf, or NULL. */
static inline const char *tickgen_line(const char *s, int r, char *buf, size_t cap)
{
    for (; r > 0 && s; r--)
        if ((s = strchr(s, '\n')))
            s++;
    if (!s || !*s)
        return NULL;
    size_t n = strcspn(s, "\n");
    snprintf(buf, cap, "%.*s", (int)(n < cap ? n : cap - 1), s);
    return buf;
}

#endif
