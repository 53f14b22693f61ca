/* SPDX-License-Identifier: MIT */
/* main.c -- ticksim: a simulated GPU compute-futures market on the MDP 3.0 wire.
 *
 * Parses the command line into a struct sim_config, checks it all before
 * anything opens, then hands it to sim_run(): multicast on the channels of
 * mdp3/channels.h (loopback, TTL 0 unless told otherwise), a pcap
 * file and a truth file, as asked. SIGINT and SIGTERM end the run cleanly
 * (the truth file still gets its final books). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gputick/err.h"
#include "gputick/time.h"
#include "sim.h"

static volatile sig_atomic_t running = 1;
static void on_signal(int sig)
{
    (void)sig;
    running = 0;
}

static const char usage[] =
    "usage: ticksim [OPTIONS]\n"
    "\n"
    "Simulates GPU-hour futures (H100, H200, B200, A100; 12 monthly contracts and 12\n"
    "calendar spreads each, with implied prices) and their rental indexes (SDH100RT,\n"
    "...), and sends them as CME MDP 3.0 SBE multicast:\n"
    "incremental lines A and B, the snapshot loop, instrument definitions and the index\n"
    "channel, on 127.0.0.1 with TTL 0 unless told otherwise. Same seed and options, same\n"
    "bytes. docs/ticksim.md has the model, the defaults and the truth file format.\n"
    "\n"
    "Run:\n"
    "  --seed N             PRNG seed (default 1)\n"
    "  --start TIME         simulated start, ISO-8601 UTC (default 2026-11-24T12:58Z,\n"
    "                       2 min before pre-open; 'now' works)\n"
    "  --duration D         simulated time to run (default 9h: pre-open to after close)\n"
    "  --events N           stop after N match events instead\n"
    "  --tail D             after the last event, keep the snapshot, definition and\n"
    "                       index loops running for D of simulated time, as an\n"
    "                       exchange does (default 0: one last snapshot cycle)\n"
    "  --day-seconds S      pace: one simulated 24 h day in S wall seconds (default 240)\n"
    "  --rate N             pace: N messages per wall second instead\n"
    "  --fast               no pacing: as fast as the host sends\n"
    "  --flow N             order-flow events per simulated second per product (default 2)\n"
    "  --bust-every N       cancel every Nth trade (by trade id) 10 simulated minutes\n"
    "                       later in its session, as CME busts a trade (default 0: none)\n"
    "Outputs:\n"
    "  --pcap FILE          write every packet of every feed to a libpcap file\n"
    "  --truth FILE         JSON lines: trades, index values, fixings, statistics, status,\n"
    "                       final and implied books, last sequence numbers\n"
    "  --no-send            do not multicast (file outputs only; runs unpaced)\n"
    "  --list               print the instruments and exit\n"
    "  --quiet              no summary on stderr\n"
    "Network:\n"
    "  --iface ADDR         interface address to send through (default 127.0.0.1)\n"
    "  --ttl N              multicast TTL (default 0: never leaves the host)\n"
    "  --channel ID         ApplID of the channel (default 310)\n"
    "  --port-base P        feeds on ports P+1..P+8 (default 31000)\n"
    "  --group FEED=G:PORT  one feed's group and port; FEED is incr-a, incr-b, snap-a,\n"
    "                       snap-b, def-a, def-b, index-a or index-b\n"
    "Loops (simulated time):\n"
    "  --snap-every D       snapshot loop interval (default 30s; 0 = none)\n"
    "  --def-every D        definition loop interval (default 60s; 0 = at start only)\n"
    "  --index-every D      indicative index interval (default 1m)\n"
    "  --index-repeat D     repeat of the latest index values (default 15s; 0 = none)\n"
    "  --heartbeat D        AdminHeartbeat12 on the incremental lines after D without\n"
    "                       a packet (default 30s; 0 = none)\n"
    "  --holidays FILE      the exchange's holiday calendar: no session on its days\n"
    "                       (default $GPUTICK_HOLIDAYS, else the installed\n"
    "                       cme-holidays.txt if readable; none = every weekday)\n"
    "Faults (incremental lines):\n"
    "  --fault-a SPEC       faults of line A; SPEC is a comma list of drop=P (probability a\n"
    "  --fault-b SPEC       packet starts a loss burst), burst=N (mean burst length),\n"
    "  --fault SPEC         dup=P, reorder=P (hold a packet back behind window=N later\n"
    "                       packets, for hold=D at most, default 1ms), delay=D,\n"
    "                       hostile=P (a forged packet before a packet: MsgSeqNum\n"
    "                       hseq=random, ahead, flip or a number; body hbody=heartbeat\n"
    "                       or random); --fault sets both lines, which then forge alike\n"
    "  --lose-both P        probability a packet is lost on both lines (snapshot recovery)\n"
    "  --lose-both-burst N  such a loss lasts N packets on average (default 1)\n"
    "  --lose-seq N[,N...]  incremental sequence numbers lost on both lines\n"
    "  --reset-at TIME      send a ChannelReset4 then (e.g. +3h: 3 h after --start)\n"
    "  -h, --help           show this help and exit\n"
    "  -V, --version        show the version and exit\n"
    "\n"
    "Examples:\n"
    "  ticksim                                    # a plausible day on loopback, 90 s\n"
    "  ticksim --day-seconds 60 --duration 1d     # a whole day in a minute\n"
    "  ticksim --no-send --pcap day.pcap --truth day.jsonl --seed 7\n"
    "  ticksim --fault drop=0.01,burst=3 --lose-both 0.001 --reset-at +4h\n"
    "  ticksim --port-base 41000 --events 50000 --rate 20000\n"
    "  ticksim --list --start 2026-11-24\n";

struct args {
    struct sim_config c;
    const char *reset_at;
    int list, quiet;
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

static int parse_double(const char *s, double lo, double hi, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (!*s || errno || *end || !(v >= lo && v <= hi))
        return GT_EINVAL;
    *out = v;
    return GT_OK;
}

/* A duration, or "0" for none. */
static int parse_interval(const char *s, int64_t *out)
{
    char err[GT_ERRLEN];
    if (strcmp(s, "0") == 0) {
        *out = 0;
        return GT_OK;
    }
    return gt_duration_parse(s, out, err);
}

/* Parses a fault SPEC; on a bad part, why says which part and what it wants
 * ("drop=2: want a probability from 0 to 1"). */
static int parse_fault(char *spec, struct fault_config *fc, char *why, size_t cap)
{
    char *save = NULL;
    for (char *kv = strtok_r(spec, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
        char *v = strchr(kv, '=');
        if (!v) {
            snprintf(why, cap, "'%s' has no value (want KEY=VALUE)", kv);
            return GT_EINVAL;
        }
        *v++ = 0;
        double d = 0;
        int rc = GT_OK;
        const char *want = "a probability from 0 to 1";
        if (!strcmp(kv, "drop"))
            rc = parse_double(v, 0, 1, &fc->drop_p);
        else if (!strcmp(kv, "burst")) {
            rc = parse_double(v, 1, 1e6, &fc->burst_mean);
            want = "a mean burst length from 1 to 1000000";
        } else if (!strcmp(kv, "dup"))
            rc = parse_double(v, 0, 1, &fc->dup_p);
        else if (!strcmp(kv, "reorder"))
            rc = parse_double(v, 0, 1, &fc->reorder_p);
        else if (!strcmp(kv, "window")) {
            rc = parse_double(v, 0, FAULT_HOLD - 1, &d);
            _Static_assert(FAULT_HOLD - 1 == 63, "the message says 63");
            want = "a packet count from 0 to 63";
            fc->reorder_window = (int)d;
        } else if (!strcmp(kv, "hold") || !strcmp(kv, "delay")) {
            rc = parse_interval(v, kv[0] == 'h' ? &fc->hold_ns : &fc->delay_ns);
            want = "a duration, e.g. 1ms, or 0";
        } else if (!strcmp(kv, "hostile"))
            rc = parse_double(v, 0, 1, &fc->hostile_p);
        else if (!strcmp(kv, "hseq")) {
            uint64_t n = 0;
            if (!strcmp(v, "random"))
                fc->hostile_seq = FAULT_SEQ_RANDOM;
            else if (!strcmp(v, "ahead"))
                fc->hostile_seq = FAULT_SEQ_AHEAD;
            else if (!strcmp(v, "flip"))
                fc->hostile_seq = FAULT_SEQ_FLIP;
            else if ((rc = parse_u64(v, &n)) == GT_OK && n <= UINT32_MAX) {
                fc->hostile_seq = FAULT_SEQ_FIXED;
                fc->hostile_fixed = (uint32_t)n;
            } else
                rc = GT_EINVAL;
            want = "random, ahead, flip or a sequence number";
        } else if (!strcmp(kv, "hbody")) {
            if (!strcmp(v, "heartbeat"))
                fc->hostile_body = FAULT_BODY_HEARTBEAT;
            else if (!strcmp(v, "random"))
                fc->hostile_body = FAULT_BODY_RANDOM;
            else
                rc = GT_EINVAL;
            want = "heartbeat or random";
        } else {
            snprintf(why, cap, "unknown fault '%s'", kv);
            return GT_EINVAL;
        }
        if (rc != GT_OK) {
            snprintf(why, cap, "%s=%s: want %s", kv, v, want);
            return rc;
        }
    }
    if (fc->reorder_p > 0 && fc->reorder_window == 0)
        fc->reorder_window = 4;
    return GT_OK;
}

static int feed_of(const char *name)
{
    static const char *const names[GT_N_FEEDS] = {"incr-a", "incr-b", "snap-a",  "snap-b",
                                                  "def-a",  "def-b",  "index-a", "index-b"};
    for (int f = 0; f < GT_N_FEEDS; f++)
        if (!strcmp(names[f], name))
            return f;
    return -1;
}

static int parse_group(char *s, struct gt_channels *ch)
{
    char *eq = strchr(s, '='), *colon = strrchr(s, ':');
    uint64_t port;
    if (!eq || !colon || colon < eq)
        return GT_EINVAL;
    *eq = *colon = 0;
    int f = feed_of(s);
    size_t glen = (size_t)(colon - eq - 1);
    if (f < 0 || glen == 0 || glen >= sizeof ch->feed[f].group || parse_u64(colon + 1, &port) ||
        port == 0 || port > 65535)
        return GT_EINVAL;
    memcpy(ch->feed[f].group, eq + 1, glen + 1);
    ch->feed[f].port = (uint16_t)port;
    return GT_OK;
}

enum {
    O_SEED = 256,
    O_START,
    O_DURATION,
    O_TAIL,
    O_EVENTS,
    O_DAYSEC,
    O_RATE,
    O_FAST,
    O_FLOW,
    O_BUST,
    O_PCAP,
    O_TRUTH,
    O_NOSEND,
    O_LIST,
    O_QUIET,
    O_IFACE,
    O_TTL,
    O_CHANNEL,
    O_PORTBASE,
    O_GROUP,
    O_SNAP,
    O_DEF,
    O_IXEVERY,
    O_IXREP,
    O_HEARTBEAT,
    O_FAULTA,
    O_FAULTB,
    O_FAULT,
    O_HOLIDAYS,
    O_LOSEBOTH,
    O_LOSEBURST,
    O_LOSESEQ,
    O_RESET,
    O_HELP,
    O_VERSION,
};

static int args_parse(int argc, char **argv, struct args *a)
{
    static const struct option opts[] = {
        {"seed", required_argument, 0, O_SEED},
        {"start", required_argument, 0, O_START},
        {"duration", required_argument, 0, O_DURATION},
        {"tail", required_argument, 0, O_TAIL},
        {"events", required_argument, 0, O_EVENTS},
        {"day-seconds", required_argument, 0, O_DAYSEC},
        {"rate", required_argument, 0, O_RATE},
        {"fast", no_argument, 0, O_FAST},
        {"flow", required_argument, 0, O_FLOW},
        {"bust-every", required_argument, 0, O_BUST},
        {"pcap", required_argument, 0, O_PCAP},
        {"truth", required_argument, 0, O_TRUTH},
        {"no-send", no_argument, 0, O_NOSEND},
        {"list", no_argument, 0, O_LIST},
        {"quiet", no_argument, 0, O_QUIET},
        {"iface", required_argument, 0, O_IFACE},
        {"ttl", required_argument, 0, O_TTL},
        {"channel", required_argument, 0, O_CHANNEL},
        {"port-base", required_argument, 0, O_PORTBASE},
        {"group", required_argument, 0, O_GROUP},
        {"snap-every", required_argument, 0, O_SNAP},
        {"def-every", required_argument, 0, O_DEF},
        {"index-every", required_argument, 0, O_IXEVERY},
        {"index-repeat", required_argument, 0, O_IXREP},
        {"heartbeat", required_argument, 0, O_HEARTBEAT},
        {"fault-a", required_argument, 0, O_FAULTA},
        {"fault-b", required_argument, 0, O_FAULTB},
        {"fault", required_argument, 0, O_FAULT},
        {"holidays", required_argument, 0, O_HOLIDAYS},
        {"lose-both", required_argument, 0, O_LOSEBOTH},
        {"lose-both-burst", required_argument, 0, O_LOSEBURST},
        {"lose-seq", required_argument, 0, O_LOSESEQ},
        {"reset-at", required_argument, 0, O_RESET},
        {"help", no_argument, 0, O_HELP},
        {"version", no_argument, 0, O_VERSION},
        {0, 0, 0, 0},
    };
    struct sim_config *c = &a->c;
    char err[GT_ERRLEN];
    uint64_t u;
    int o;
    static struct gt_calendar cal;
    const char *holidays = NULL;
    sim_config_default(c);
    opterr = 0;
    while ((o = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
        switch (o) {
        case O_SEED:
            if (parse_u64(optarg, &c->market.seed))
                return bad("--seed", optarg, "an unsigned integer");
            break;
        case O_START:
            if (gt_time_parse(optarg, gt_now_ns(), &c->market.start_ns, err))
                return bad("--start", optarg, "e.g. 2026-11-24, 2026-11-24T13:30Z or now");
            break;
        case O_DURATION:
            if (gt_duration_parse(optarg, &c->duration_ns, err))
                return bad("--duration", optarg, "e.g. 6h, 1d, 90m");
            break;
        case O_TAIL:
            if (parse_interval(optarg, &c->tail_ns) || c->tail_ns < 0)
                return bad("--tail", optarg, "a duration, e.g. 10m, or 0");
            break;
        case O_EVENTS:
            if (parse_u64(optarg, &c->max_events) || c->max_events == 0)
                return bad("--events", optarg, "a positive integer");
            c->duration_ns = INT64_MAX / 4;
            break;
        case O_DAYSEC:
            if (parse_double(optarg, 0.001, 1e9, &c->day_seconds))
                return bad("--day-seconds", optarg, "seconds > 0, e.g. 60");
            c->rate = 0;
            break;
        case O_RATE:
            if (parse_double(optarg, 1, 1e9, &c->rate))
                return bad("--rate", optarg, "messages per second >= 1");
            c->day_seconds = 0;
            break;
        case O_FAST:
            c->day_seconds = c->rate = 0;
            break;
        case O_FLOW:
            if (parse_double(optarg, 0.001, 1e6, &c->market.flow_per_s))
                return bad("--flow", optarg, "events per second > 0");
            break;
        case O_BUST:
            if (parse_u64(optarg, &u) || u > UINT32_MAX)
                return bad("--bust-every", optarg, "a count of trades, or 0 for no busts");
            c->market.bust_every = (uint32_t)u;
            break;
        case O_PCAP:
            c->pcap = optarg;
            break;
        case O_TRUTH:
            c->truth = optarg;
            break;
        case O_NOSEND:
            c->live = false;
            break;
        case O_LIST:
            a->list = 1;
            break;
        case O_QUIET:
            a->quiet = 1;
            break;
        case O_IFACE:
            if (strlen(optarg) >= sizeof c->ch.iface)
                return bad("--iface", optarg, "an IPv4 address");
            snprintf(c->ch.iface, sizeof c->ch.iface, "%s", optarg);
            break;
        case O_TTL:
            if (parse_u64(optarg, &u) || u > 255)
                return bad("--ttl", optarg, "0..255");
            c->ch.ttl = (int)u;
            break;
        case O_CHANNEL:
            if (parse_u64(optarg, &u) || u > 32767)
                return bad("--channel", optarg, "0..32767");
            c->ch.channel_id = (uint16_t)u;
            break;
        case O_PORTBASE:
            if (parse_u64(optarg, &u) || u == 0 || u > 65535 - GT_N_FEEDS)
                return bad("--port-base", optarg, "1..65527");
            for (int f = 0; f < GT_N_FEEDS; f++)
                c->ch.feed[f].port = (uint16_t)(u + 1 + (uint64_t)f);
            break;
        case O_GROUP:
            if (parse_group(optarg, &c->ch))
                return bad("--group", optarg, "e.g. incr-a=239.255.31.1:31001");
            break;
        case O_SNAP:
            if (parse_interval(optarg, &c->emit.snap_every_ns))
                return bad("--snap-every", optarg, "a duration, e.g. 30s, or 0");
            break;
        case O_DEF:
            if (parse_interval(optarg, &c->emit.def_every_ns))
                return bad("--def-every", optarg, "a duration, e.g. 1m, or 0");
            break;
        case O_IXEVERY:
            if (gt_duration_parse(optarg, &c->market.index_every_ns, err))
                return bad("--index-every", optarg, "a duration, e.g. 1m");
            break;
        case O_IXREP:
            if (parse_interval(optarg, &c->emit.index_repeat_ns))
                return bad("--index-repeat", optarg, "a duration, e.g. 15s, or 0");
            break;
        case O_HEARTBEAT:
            if (parse_interval(optarg, &c->emit.heartbeat_ns))
                return bad("--heartbeat", optarg, "a duration, e.g. 30s, or 0");
            break;
        case O_HOLIDAYS:
            holidays = optarg;
            break;
        case O_FAULTA:
        case O_FAULTB:
        case O_FAULT: {
            struct fault_config fc = c->emit.line[o == O_FAULTB];
            char spec[256]; /* parse_fault cuts it up; the message shows it whole */
            snprintf(spec, sizeof spec, "%s", optarg);
            char why[160];
            if (parse_fault(spec, &fc, why, sizeof why)) {
                fprintf(stderr,
                        "ticksim: bad %s '%s': %s (faults: drop burst dup reorder window "
                        "hold delay hostile hseq hbody; see --help)\n",
                        o == O_FAULTA   ? "--fault-a"
                        : o == O_FAULTB ? "--fault-b"
                                        : "--fault",
                        optarg, why);
                return 2;
            }
            if (o != O_FAULTB)
                c->emit.line[0] = fc;
            if (o != O_FAULTA)
                c->emit.line[1] = fc;
            break;
        }
        case O_LOSEBOTH:
            if (parse_double(optarg, 0, 1, &c->emit.common_loss_p))
                return bad("--lose-both", optarg, "a probability 0..1");
            break;
        case O_LOSEBURST:
            if (parse_double(optarg, 1, 1e6, &c->emit.common_burst))
                return bad("--lose-both-burst", optarg, "a mean length in packets, >= 1");
            break;
        case O_LOSESEQ: {
            char *save = NULL;
            for (char *s = strtok_r(optarg, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
                if (parse_u64(s, &u) || u == 0 || u > UINT32_MAX ||
                    c->emit.n_lose_seq == EMIT_LOSE_MAX)
                    return bad("--lose-seq", s, "sequence numbers >= 1, at most 64");
                c->emit.lose_seq[c->emit.n_lose_seq++] = (uint32_t)u;
            }
            break;
        }
        case O_RESET:
            a->reset_at = optarg;
            break;
        case 'h':
        case O_HELP:
            fputs(usage, stdout);
            exit(0);
        case 'V':
        case O_VERSION:
            printf("ticksim %s\n", GT_VERSION);
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
    if (a->reset_at && (gt_time_parse(a->reset_at, c->market.start_ns, &c->reset_ns, err) ||
                        c->reset_ns <= c->market.start_ns))
        return bad("--reset-at", a->reset_at, "a time after --start, e.g. +3h");
    /* The exchange's holidays (calendar.h): the named file or none, else the
     * default one if it can be read. */
    if (holidays && strcmp(holidays, "none") != 0) {
        if (gt_calendar_load(holidays, &cal, err) < 0)
            return bad("--holidays", holidays, "a holiday calendar file, or none");
        c->market.calendar = &cal;
    } else if (!holidays && gt_calendar_load(gt_calendar_default_path(), &cal, err) == GT_OK) {
        c->market.calendar = &cal;
    }
    /* Both lines forge from the run's seed: alike where their settings are. */
    c->emit.line[0].hostile_seed = c->emit.line[1].hostile_seed = c->market.seed;
    return 0;
}

static void list_print(const struct market_config *mc)
{
    static struct market m;
    char act[GT_TIME_STRLEN], last[GT_TIME_STRLEN];
    if (market_init(&m, mc) != GT_OK)
        return;
    printf("%-13s %-10s %-6s %-8s %-24s %-24s\n", "symbol", "secid", "asset", "maturity",
           "activation", "last_trade");
    for (int i = 0; i < MARKET_N_INSTR; i++) {
        const struct market_instr *in = &m.instr[i];
        gt_time_format(in->activation_ns, act);
        gt_time_format(in->last_trade_ns, last);
        printf("%-13s %-10" PRId32 " %-6s %04d-%02d  %-24s %-24s\n", in->symbol, in->security_id,
               in->product, in->year, in->month, act, last);
    }
    for (int p = 0; p < MARKET_N_PRODUCTS; p++)
        printf("index %s (product %s)\n", market_index_name[p], market_product[p]);
}

int main(int argc, char **argv)
{
    static struct args a;
    int rc = args_parse(argc, argv, &a);
    if (rc)
        return rc;
    if (a.list) {
        list_print(&a.c.market);
        return 0;
    }
    if (!a.c.live)
        a.c.day_seconds = a.c.rate = 0;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    struct sim_stats st;
    char err[GT_ERRLEN];
    rc = sim_run(&a.c, &running, &st, err);
    if (rc != GT_OK) {
        fprintf(stderr, "ticksim: %s\n", err[0] ? err : gt_strerror(rc));
        return rc == GT_EINVAL ? 2 : 1;
    }
    if (!a.quiet) {
        char end[GT_TIME_STRLEN];
        gt_time_format(st.end_ns, end);
        fprintf(stderr,
                "ticksim: %" PRIu64 " events to %s, %" PRIu64 " messages; packets incr %" PRIu64
                " (last seq %" PRIu32 "), snap %" PRIu64 ", def %" PRIu64 ", index %" PRIu64
                "; lost A %" PRIu64 " B %" PRIu64 " both %" PRIu64 "; dup A %" PRIu64 " B %" PRIu64
                "; forged A %" PRIu64 " B %" PRIu64 " (last at %" PRId64
                " ns); send failures %" PRIu64 "; implied entries %" PRIu64 ", leg prints %" PRIu64
                "\n",
                st.n_events, end, st.emit.n_msgs, st.emit.n_pkts[GT_FEED_INCR_A],
                st.last_seq[GT_FEED_INCR_A], st.emit.n_pkts[GT_FEED_SNAP_A],
                st.emit.n_pkts[GT_FEED_DEF_A], st.emit.n_pkts[GT_FEED_INDEX_A],
                st.line[0].n_dropped, st.line[1].n_dropped, st.emit.n_common_lost, st.line[0].n_dup,
                st.line[1].n_dup, st.line[0].n_forged, st.line[1].n_forged,
                st.line[0].last_forged_ns > st.line[1].last_forged_ns ? st.line[0].last_forged_ns
                                                                      : st.line[1].last_forged_ns,
                st.n_send_fail, st.emit.n_implied, st.emit.n_leg_prints);
    }
    return 0;
}
