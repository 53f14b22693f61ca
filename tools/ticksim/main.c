/* SPDX-License-Identifier: MIT */
/* main.c -- ticksim: a simulated GPU compute-futures market.
 *
 * Parses the command line into a market config, then runs the market event by
 * event until the simulated duration or the event count is reached, writing
 * the truth file as it goes. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gputick/err.h"
#include "gputick/time.h"
#include "market.h"
#include "truth.h"

static volatile sig_atomic_t running = 1;
static void on_signal(int sig)
{
    (void)sig;
    running = 0;
}

static const char usage[] =
    "usage: ticksim [OPTIONS]\n"
    "Simulates GPU-hour futures (H100, H200, B200, A100; 12 monthly contracts each)\n"
    "and their rental indexes, and writes what happened.\n"
    "\n"
    "  --seed N          PRNG seed (default 1); same seed and options, same output\n"
    "  --start TIME      simulated start, ISO-8601 UTC (default: today 00:00 UTC)\n"
    "  --duration D      simulated time to run (default 1d), e.g. 6h, 1d\n"
    "  --events N        stop after N match events instead\n"
    "  --truth FILE      JSON lines of trades, index values, statistics, final books\n"
    "  --list            print the instrument table and exit (also --defs-only)\n"
    "  --help            this text\n"
    "\n"
    "examples:\n"
    "  ticksim --list --start 2026-11-24\n"
    "  ticksim --truth day.jsonl --seed 7 --start 2026-11-24 --duration 1d\n";

struct args {
    struct market_config mc;
    int64_t duration_ns;
    uint64_t events;
    const char *truth;
    int list;
};

static int bad(const char *what, const char *val, const char *want)
{
    fprintf(stderr, "ticksim: bad %s '%s' (want %s)\n", what, val, want);
    return 2;
}

static int parse_u64(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-')
        return GT_EINVAL;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return GT_EINVAL;
    *out = v;
    return GT_OK;
}

static int args_parse(int argc, char **argv, struct args *a)
{
    static const struct option opts[] = {
        {"seed", required_argument, 0, 's'},
        {"start", required_argument, 0, 'S'},
        {"duration", required_argument, 0, 'd'},
        {"events", required_argument, 0, 'n'},
        {"truth", required_argument, 0, 't'},
        {"list", no_argument, 0, 'l'},
        {"defs-only", no_argument, 0, 'l'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    char err[GT_ERRLEN];
    int64_t now = gt_now_ns();
    market_config_default(&a->mc);
    a->mc.start_ns = now - now % GT_NS_PER_DAY;
    a->duration_ns = GT_NS_PER_DAY;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            if (parse_u64(optarg, &a->mc.seed))
                return bad("--seed", optarg, "an unsigned integer");
            break;
        case 'S':
            if (gt_time_parse(optarg, now, &a->mc.start_ns, err))
                return bad("--start", optarg, "e.g. 2026-11-24 or 2026-11-24T13:30Z");
            break;
        case 'd':
            if (gt_duration_parse(optarg, &a->duration_ns, err))
                return bad("--duration", optarg, "e.g. 6h, 1d");
            break;
        case 'n':
            if (parse_u64(optarg, &a->events) || a->events == 0)
                return bad("--events", optarg, "a positive integer");
            break;
        case 't':
            a->truth = optarg;
            break;
        case 'l':
            a->list = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            exit(0);
        default:
            fprintf(stderr, "ticksim: unknown or incomplete option '%s' (see --help)\n",
                    argv[optind - 1]);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "ticksim: unexpected argument '%s' (see --help)\n", argv[optind]);
        return 2;
    }
    return 0;
}

static void list_print(const struct market *m)
{
    char act[GT_TIME_STRLEN], last[GT_TIME_STRLEN];
    printf("%-8s %-10s %-6s %-8s %-24s %-24s\n", "symbol", "secid", "asset", "maturity",
           "activation", "last_trade");
    for (int i = 0; i < MARKET_N_INSTR; i++) {
        const struct market_instr *in = &m->instr[i];
        gt_time_format(in->activation_ns, act);
        gt_time_format(in->last_trade_ns, last);
        printf("%-8s %-10" PRId32 " %-6s %04d-%02d  %-24s %-24s\n", in->symbol, in->security_id,
               in->product, in->year, in->month, act, last);
    }
    for (int p = 0; p < MARKET_N_PRODUCTS; p++)
        printf("index %s (product %s)\n", market_index_name[p], market_product[p]);
}

int main(int argc, char **argv)
{
    struct args a;
    memset(&a, 0, sizeof a);
    int rc = args_parse(argc, argv, &a);
    if (rc)
        return rc;
    static struct market m;
    static struct market_event ev;
    if (market_init(&m, &a.mc) != GT_OK) {
        fprintf(stderr, "ticksim: the market configuration is out of range\n");
        return 2;
    }
    if (a.list) {
        list_print(&m);
        return 0;
    }
    FILE *truth = NULL;
    if (a.truth && !(truth = fopen(a.truth, "w"))) {
        fprintf(stderr, "ticksim: cannot write --truth '%s': %s\n", a.truth, strerror(errno));
        return 1;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (truth)
        truth_write_instruments(truth, &m);
    int64_t end_ns = a.mc.start_ns + a.duration_ns;
    uint64_t n = 0;
    while (running) {
        market_next(&m, &ev);
        if (a.events ? n >= a.events : ev.t_ns >= end_ns)
            break;
        n++;
        if (truth)
            truth_write_event(truth, &m, &ev);
    }
    if (truth) {
        truth_write_final(truth, &m);
        if (fclose(truth) != 0) {
            fprintf(stderr, "ticksim: writing --truth '%s' failed\n", a.truth);
            return 1;
        }
    }
    fprintf(stderr, "ticksim: %" PRIu64 " events\n", n);
    return 0;
}
