/* SPDX-License-Identifier: MIT */
/* main.c -- tickstore, the recorder: every tick of tickfeed's bus, exactly
 * once, into LZ4 column blocks in RocksDB.
 *
 * Parses options, opens the recorder (recorder.c does the work), prints a
 * stats line now and then and at exit, and stops cleanly on SIGINT/SIGTERM
 * with everything received committed. --retain deletes old data first. */
#include <getopt.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include "gputick/bus.h"
#include "gputick/store.h"
#include "gputick/topic.h"
#include "gputick/time.h"
#include "backup.h"
#include "conf.h"
#include "log.h"
#include "metrics.h"
#include "recorder.h"
#include "reload.h"
#include "svc.h"

static volatile sig_atomic_t stop;
static const struct recorder_config *cfg; /* for the messages of report() */

static void on_signal(int sig)
{
    if (sig == SIGUSR1)
        backup_signal();
    else
        stop = 1;
}

enum {
    OPT_FLUSH = 1000,
    OPT_SYNC,
    OPT_RETAIN,
    OPT_RETAIN_ONLY,
    OPT_PREFIX,
    OPT_PRODUCT,
    OPT_CKEY,
    OPT_SPUB,
    OPT_BACKUP,
    OPT_METRICS,
    OPT_CONFIG,
    OPT_LOGLEVEL,
    OPT_LOGFORMAT
};
static const struct option opts[] = {{"db", required_argument, 0, 'd'},
                                     {"endpoint", required_argument, 0, 'e'},
                                     {"router", required_argument, 0, 'r'},
                                     {"flush-ms", required_argument, 0, OPT_FLUSH},
                                     {"sync", no_argument, 0, OPT_SYNC},
                                     {"prefix", required_argument, 0, OPT_PREFIX},
                                     {"product", required_argument, 0, OPT_PRODUCT},
                                     {"curve-client-key", required_argument, 0, OPT_CKEY},
                                     {"curve-server-pub", required_argument, 0, OPT_SPUB},
                                     {"retain", required_argument, 0, OPT_RETAIN},
                                     {"retain-only", no_argument, 0, OPT_RETAIN_ONLY},
                                     {"stats", required_argument, 0, 's'},
                                     {"backup", required_argument, 0, OPT_BACKUP},
                                     {"metrics", required_argument, 0, OPT_METRICS},
                                     {"config", required_argument, 0, OPT_CONFIG},
                                     {"help", no_argument, 0, 'h'},
                                     {"version", no_argument, 0, 'V'},
                                     {"log-level", required_argument, 0, OPT_LOGLEVEL},
                                     {"log-format", required_argument, 0, OPT_LOGFORMAT},
                                     {0, 0, 0, 0}};

static struct recorder *rec;    /* for on_turn()'s metrics */
static struct metrics *metrics; /* --metrics, or NULL */
static struct metrics_text mtext;
static int64_t caught_up_ns; /* when the store last held all the feed had */

/* Every counter of the recorder's, once: the stats line prints each row as
 * "KEY N" (the first eight in the order scripts have always read), the
 * metrics endpoint as gputick_store_NAME, so a counter added here is in
 * both. A row reads s (recorder_stats) and behind. */
#define STORE_COUNTERS(X)                                                                          \
    X("ticks", "ticks_total", COUNTER, "Ticks appended to the store.", s->ticks)                   \
    X("checkpoint", "checkpoint_sequence", GAUGE, "Last committed bus sequence.", s->checkpoint)   \
    X("feed", "feed_sequence", GAUGE, "Newest bus sequence tickfeed reported.", s->feed_last)      \
    X("behind", "lag_records", GAUGE,                                                              \
      "Records the feed has published that are not committed yet.", behind)                        \
    X("replayed", "replayed_records_total", COUNTER, "Records received by replay.", s->replayed)   \
    X("gaps", "gaps_total", COUNTER, "Holes in the live stream that were replayed.", s->gaps)      \
    X("dups", "duplicates_total", COUNTER, "Records skipped as already recorded.", s->dups)        \
    X("commits", "commits_total", COUNTER, "Successful commits.", s->commits)                      \
    X("live-messages", "live_messages_total", COUNTER, "Bus messages received live.",              \
      s->live_msgs)                                                                                \
    X("commit-errors", "commit_errors_total", COUNTER, "Failed commits.", s->commit_errors)        \
    X("blocked", "blocked", GAUGE, "1 while commits fail (a full disk) and writing is stopped.",   \
      s->blocked ? 1 : 0)

static uint64_t behind_of(const struct recorder_stats *s)
{
    return s->feed_last > s->checkpoint ? s->feed_last - s->checkpoint : 0;
}

/* The Prometheus text of the recorder's stats (docs/operations.md). */
static void metrics_render(const struct recorder_stats *s, int64_t now)
{
    metrics_text_reset(&mtext);
    uint64_t behind = behind_of(s);
#define X(key, name, type, help, v)                                                                \
    metrics_sample(&mtext, "gputick_store_" name, METRICS_##type, help, NULL, (double)(v));
    STORE_COUNTERS(X)
#undef X
    metrics_sample(&mtext, "gputick_store_lag_seconds", METRICS_GAUGE,
                   "Seconds since the store last held every record the feed had published.", NULL,
                   behind ? (double)(now - caught_up_ns) / 1e9 : 0);
    struct statvfs fs;
    if (statvfs(cfg->db, &fs) == 0)
        metrics_sample(&mtext, "gputick_store_disk_free_bytes", METRICS_GAUGE,
                       "Bytes free for tickstore on the store's file system.", NULL,
                       (double)fs.f_bavail * (double)fs.f_frsize);
    metrics_publish(metrics, &mtext);
}

/* Every recorder loop turn: tell systemd we live, take an asked-for backup,
 * publish the metrics once a second. */
static void on_turn(void *arg, gt_store *st)
{
    svc_alive();
    if (reload_pending())
        reload_log_only("tickstore", opts);
    backup_serve(st, arg);
    if (!rec)
        return;
    const struct recorder_stats *s = recorder_stats(rec);
    int64_t now = gt_now_ns();
    if (s->checkpoint >= s->feed_last)
        caught_up_ns = now;
    if (metrics_due(metrics))
        metrics_render(s, now);
}

static void usage(FILE *f)
{
    fprintf(
        f,
        "usage: tickstore [OPTIONS]\n"
        "\n"
        "Records every tick of tickfeed's bus exactly once into a RocksDB store of\n"
        "LZ4-compressed column blocks: replays from its checkpoint, then follows the live\n"
        "stream, replaying any gap. Survives a kill at any instant. tickq reads the store\n"
        "while tickstore records.\n"
        "\n"
        "  -d, --db PATH        the store (default $GPUTICK_DB, else ./gputick.db); a new\n"
        "                       one is made only in a new or empty folder\n"
        "  -e, --endpoint EP    tickfeed's PUB endpoint (default %s)\n"
        "  -r, --router EP      tickfeed's ROUTER endpoint (default %s)\n"
        "      --prefix P       shard: record only topics starting with P (repeatable)\n"
        "      --product P      shard: record only product P (every kind of it)\n"
        "      --curve-client-key F  CURVE: this recorder's secret key file...\n"
        "      --curve-server-pub F  ...and the feed's (or proxy's) public key file\n"
        "      --flush-ms MS    commit at least this often, 1..1000 (default 500)\n"
        "      --sync           fsync every commit (survives power loss, slower)\n"
        "      --retain DUR     first delete data before the UTC midnight at or before now - DUR\n"
        "                       (e.g. 90d: at least 90 days kept, whole days) from the existing\n"
        "                       store, then record\n"
        "      --retain-only    with --retain: delete, compact and exit\n"
        "      --metrics ADDR:PORT  serve Prometheus metrics at http://ADDR:PORT/metrics\n"
        "                       (a loopback address, e.g. 127.0.0.1:9570)\n"
        "      --backup DIR     copy the store at its last commit into the new folder DIR\n"
        "                       and exit; while a tickstore records it, that one takes it\n"
        "  -s, --stats SEC      print a stats line every SEC seconds (default 10, 0 = off)\n"
        "      --log-level LEVEL  debug, info (default), warning or error\n"
        "      --log-format FORMAT  text (default) or json: one object a line; a line\n"
        "                       repeated for one cause is written once a second at most.\n"
        "                       SIGHUP reads --config again and applies these two at once\n"
        "      --config FILE    read options from FILE: one 'name value' per line (the long\n"
        "                       option's name), # comments; later options win\n"
        "      --print-config   print the options in effect in that format and exit\n"
        "  -h, --help           show this help and exit\n"
        "  -V, --version        show the version and exit\n",
        GT_BUS_PUB_DEFAULT, GT_BUS_ROUTER_DEFAULT);
}

/* Appends a topic prefix (or, for a product, one per kind) to the shard's
 * space-separated filter. Returns 0, or -1 for a bad prefix or a full filter. */
static int filter_add(char filter[GT_BUS_FILTER_MAX], int product, const char *arg)
{
    char subs[GT_KIND_MAX][GT_TOPIC_MAX];
    int n = 1;
    if (product) {
        if ((n = gt_topic_subscriptions(0, arg, NULL, subs)) < 0)
            return -1;
    } else {
        size_t len = strlen(arg);
        if (len == 0 || len >= GT_TOPIC_MAX)
            return -1;
        for (size_t i = 0; i < len; i++)
            if (arg[i] < 0x21 || arg[i] > 0x7e)
                return -1;
        memcpy(subs[0], arg, len + 1);
    }
    for (int i = 0; i < n; i++) {
        size_t have = strlen(filter), add = strlen(subs[i]);
        if (have + (have > 0) + add >= GT_BUS_FILTER_MAX)
            return -1;
        if (have)
            filter[have++] = ' ';
        memcpy(filter + have, subs[i], add + 1);
    }
    return 0;
}

/* The stats line, or one line when writing stops or resumes. */
static void report(int event, const struct recorder_stats *s)
{
    if (event == RECORDER_BLOCKED) {
        char free_txt[48] = "";
        if (s->disk_free != UINT64_MAX)
            snprintf(free_txt, sizeof free_txt, " (%llu bytes free)",
                     (unsigned long long)s->disk_free);
        log_msg(LOG_ERROR, NULL,
                "%s %s%s: writing stopped, checkpoint kept at seq %llu; retrying "
                "every %d ms (%s)",
                s->blocked_code == GT_ENOSPC ? "disk full on" : "commits fail on", cfg->db,
                free_txt, (unsigned long long)s->checkpoint, cfg->flush_ms, s->last_error);
        return;
    }
    if (event == RECORDER_RESUMED) {
        log_msg(LOG_INFO, NULL,
                "writing again on %s after %.1f s stopped: checkpoint %llu; catching "
                "up from seq %llu",
                cfg->db, (double)s->blocked_ns / 1e9, (unsigned long long)s->checkpoint,
                (unsigned long long)s->checkpoint + 1);
        return;
    }
    char line[1024];
    size_t len = 0;
    uint64_t behind = behind_of(s);
#define X(key, name, type, help, v)                                                                \
    if (len < sizeof line)                                                                         \
        len += (size_t)snprintf(line + len, sizeof line - len, "%s" key " %llu", len ? " " : "",   \
                                (unsigned long long)(v));
    STORE_COUNTERS(X)
#undef X
    log_msg(s->blocked ? LOG_WARNING : LOG_INFO, NULL, "%s%s%s", line,
            s->blocked ? " BLOCKED: " : "", s->blocked ? s->last_error : "");
}

int main(int argc, char **argv)
{
    const char *env = getenv("GPUTICK_DB");
    struct recorder_config c = {.db = env && *env ? env : "./gputick.db",
                                .pub_ep = GT_BUS_PUB_DEFAULT,
                                .router_ep = GT_BUS_ROUTER_DEFAULT,
                                .flush_ms = 500,
                                .commit_ticks = 262144,
                                .timeout_ms = 5000};
    int64_t retain_ns = 0;
    int retain_only = 0;
    const char *backup = NULL, *metrics_at = NULL;
    long stats_s = 10;
    char filter[GT_BUS_FILTER_MAX] = "";
    char *end, err[GT_ERRLEN];
    int argc0 = argc;
    char **argv0 = argv;
    enum log_level level = LOG_INFO;
    enum log_format format = LOG_TEXT;
    log_init("tickstore");
    int ch = conf_expand("tickstore", &argc, &argv, opts);
    if (ch != 0)
        return ch < 0 ? 2 : 0;
    while ((ch = getopt_long(argc, argv, "d:e:r:s:hV", opts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            c.db = optarg;
            break;
        case 'e':
            c.pub_ep = optarg;
            break;
        case 'r':
            c.router_ep = optarg;
            break;
        case OPT_FLUSH:
            c.flush_ms = (int)strtol(optarg, &end, 10);
            if (*end || c.flush_ms < 1 || c.flush_ms > 1000) {
                fprintf(stderr, "tickstore: bad --flush-ms '%s' (want 1 to 1000)\n", optarg);
                return 2;
            }
            break;
        case OPT_SYNC:
            c.sync = 1;
            break;
        case OPT_PREFIX:
        case OPT_PRODUCT:
            if (filter_add(filter, ch == OPT_PRODUCT, optarg) < 0) {
                fprintf(stderr,
                        "tickstore: bad --%s '%s' (want e.g. --product H100 or --prefix "
                        "trade.H100.; at most %d bytes of prefixes in all)\n",
                        ch == OPT_PRODUCT ? "product" : "prefix", optarg, GT_BUS_FILTER_MAX - 1);
                return 2;
            }
            c.filter = filter;
            break;
        case OPT_CKEY:
            c.curve_client_key = optarg;
            break;
        case OPT_SPUB:
            c.curve_server_pub = optarg;
            break;
        case OPT_RETAIN:
            if (gt_duration_parse(optarg, &retain_ns, err) < 0) {
                fprintf(stderr, "tickstore: --retain: %s\n", err);
                return 2;
            }
            break;
        case OPT_METRICS:
            metrics_at = optarg;
            break;
        case OPT_BACKUP:
            backup = optarg;
            break;
        case OPT_LOGLEVEL:
        case OPT_LOGFORMAT:
            if (log_opt_parse(ch == OPT_LOGLEVEL ? "log-level" : "log-format", optarg, &level,
                              &format, err) < 0) {
                fprintf(stderr, "tickstore: %s\n", err);
                return 2;
            }
            break;
        case OPT_RETAIN_ONLY:
            retain_only = 1;
            break;
        case 's':
            stats_s = strtol(optarg, &end, 10);
            if (*end || stats_s < 0) {
                fprintf(stderr, "tickstore: bad --stats '%s' (want seconds, 0 = off)\n", optarg);
                return 2;
            }
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("tickstore %s\n", GT_VERSION);
            return 0;
        default:
            fprintf(stderr, "tickstore: try 'tickstore --help'\n");
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tickstore: unexpected argument '%s' (try 'tickstore --help')\n",
                argv[optind]);
        return 2;
    }
    if (!c.curve_client_key != !c.curve_server_pub) {
        fprintf(stderr, "tickstore: --curve-client-key and --curve-server-pub go together\n");
        return 2;
    }
    if (retain_only && !retain_ns) {
        fprintf(stderr, "tickstore: --retain-only needs --retain DURATION\n");
        return 2;
    }
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    log_set(level, format);
    reload_init(argc0, argv0, argc, argv);
    signal(SIGUSR1, SIG_IGN); /* a backup request is served only while recording */
    if (backup) { /* --backup and --retain-only are commands: plain lines, as for options */
        uint64_t seq;
        int rc = backup_run(c.db, backup, 120000, &seq, err);
        if (rc < 0) {
            fprintf(stderr, "tickstore: --backup: %s\n", err);
            return 1;
        }
        fprintf(stderr, "tickstore: backup of %s at checkpoint %llu in %s\n", c.db,
                (unsigned long long)seq, backup);
        return 0;
    }
    if (retain_ns) {
        gt_store *st;
        int rc = gt_store_open(c.db, GT_STORE_WRITER | GT_STORE_NO_CREATE, &st, err);
        if (rc < 0) {
            fprintf(stderr, "tickstore: --retain: %s%s\n", err,
                    rc == GT_ENOENT ? " (is --db right? a new store is made by tickstore without "
                                      "--retain)"
                                    : "");
            return 1;
        }
        /* Whole UTC days: the cut is the midnight at or before now - DUR, so
         * at least DUR is kept and no day is left partial. */
        int64_t cutoff = gt_now_ns() - retain_ns;
        cutoff -= (cutoff % GT_NS_PER_DAY + GT_NS_PER_DAY) % GT_NS_PER_DAY;
        char when[GT_TIME_STRLEN];
        gt_time_format(cutoff, when);
        rc = gt_store_delete_before(st, cutoff);
        if (rc < 0)
            fprintf(stderr, "tickstore: retention failed: %s\n", gt_store_errmsg(st));
        else
            fprintf(stderr,
                    "tickstore: deleted %d blocks before %s (whole UTC days); the store keeps "
                    "data from then on\n",
                    rc, when);
        gt_store_close(st);
        if (rc < 0 || retain_only)
            return rc < 0 ? 1 : 0;
    }
    if (metrics_at && metrics_open(&metrics, metrics_at, 0, err) < 0) {
        fprintf(stderr, "tickstore: %s\n", err);
        return 2;
    }
    metrics_text_init(&mtext);
    c.turn = on_turn;
    c.turn_arg = (void *)c.db;
    struct recorder *r;
    if (recorder_open(&r, &c, err) < 0) {
        log_msg(LOG_ERROR, NULL, "%s", err);
        metrics_close(metrics);
        metrics_text_fini(&mtext);
        return 1;
    }
    log_msg(LOG_INFO, NULL, "recording %s -> %s from sequence %llu%s%s%s", c.pub_ep, c.db,
            (unsigned long long)(recorder_stats(r)->checkpoint + 1), c.filter ? " (shard: " : "",
            c.filter ? c.filter : "", c.filter ? ")" : "");
    cfg = &c;
    rec = r;
    caught_up_ns = gt_now_ns();
    if (metrics)
        metrics_render(recorder_stats(r), caught_up_ns); /* before the first replay */
    signal(SIGUSR1, on_signal);
    int rc = recorder_run(r, &stop, (int)stats_s * 1000, report, err);
    svc_stopping();
    report(RECORDER_STATS, recorder_stats(r));
    rec = NULL;
    recorder_close(r);
    metrics_close(metrics);
    metrics_text_fini(&mtext);
    log_fini();
    if (rc < 0) {
        log_msg(LOG_ERROR, NULL, "%s", err);
        return 1;
    }
    return 0;
}
