/* SPDX-License-Identifier: MIT */
/* subscriber.c -- a downstream C program reading the tick bus with the bus
 * client (gputick/sub.h): every record of the asked topic prefixes, once, in
 * bus order, from a snapshot on, whatever the publisher dropped. Build it
 * against an installed gputick:
 *
 *   cc -o subscriber examples/subscriber.c $(pkg-config --cflags --libs gputick)
 *   ./subscriber trade.H100. tob.H100.       # H100 trades and tops of book
 *
 * It prints one line per record: bus sequence, kind, topic, and the price of a
 * trade. Ctrl-C stops it; a refused CURVE key, or a journal that no longer
 * holds what it missed, ends it with one line and exit status 1. */
#include <gputick/sub.h>
#include <gputick/tick.h>
#include <gputick/tickfmt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

/* Called by gt_sub_poll once per message: its topic and its records. */
static int print_message(void *ctx, const char *topic, size_t topic_len, const uint8_t *recs,
                         size_t n)
{
    long *count = ctx;
    for (size_t i = 0; i < n; i++) {
        struct gt_tick t;
        if (gt_tick_decode(recs + i * GT_TICK_LEN, GT_TICK_LEN, &t) != GT_OK)
            continue;
        char px[GT_PX_STRLEN] = "";
        if (t.kind == GT_KIND_TRADE)
            gt_px_format(t.u.trade.px, px);
        printf("%llu %s%s %.*s %s\n", (unsigned long long)t.seq, gt_kind_name(t.kind),
               t.flags & GT_F_SNAPSHOT ? " (snapshot)" : "", (int)topic_len, topic, px);
    }
    *count += (long)n;
    return 0; /* a negative gt_err would stop the poll; the message is then offered again */
}

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        printf("usage: subscriber [PREFIX...]\n"
               "Prints every record under the topic prefixes (all without any) from a snapshot\n"
               "on, reading tickfeed at " GT_BUS_PUB_DEFAULT " and " GT_BUS_ROUTER_DEFAULT ".\n");
        return 0;
    }
    char prefixes[GT_BUS_FILTER_MAX] = "";
    for (int i = 1; i < argc; i++)
        snprintf(prefixes + strlen(prefixes), sizeof prefixes - strlen(prefixes), "%s%s",
                 i > 1 ? " " : "", argv[i]);
    struct gt_sub_opts o = {.prefixes = prefixes, .snapshot = 1}; /* default endpoints */
    char err[GT_ERRLEN];
    gt_sub *s;
    if (gt_sub_open(&s, &o, err) != GT_OK) {
        fprintf(stderr, "subscriber: %s\n", err);
        return 1;
    }
    signal(SIGINT, on_signal);
    long count = 0, rc = 0;
    while (!stop) {
        rc = gt_sub_poll(s, 200, print_message, &count, err);
        if (rc == GT_EZMQ) /* no reply from tickfeed yet: a later poll retries */
            fprintf(stderr, "subscriber: %s; retrying\n", err);
        else if (rc < 0)
            break;
        fflush(stdout);
    }
    if (rc < 0 && rc != GT_EZMQ)
        fprintf(stderr, "subscriber: %s\n", err);
    const struct gt_sub_stats *st = gt_sub_stats(s);
    fprintf(stderr, "subscriber: %ld records, %llu of them replayed, %llu gaps filled\n", count,
            (unsigned long long)st->replayed, (unsigned long long)st->gaps);
    gt_sub_close(s);
    return rc < 0 && rc != GT_EZMQ ? 1 : 0;
}
