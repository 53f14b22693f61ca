/* SPDX-License-Identifier: MIT */
/* store_reader.c -- a downstream program, built by tests/install/check.sh
 * against an installed gputick with nothing but `pkg-config --cflags --libs
 * gputick-store`: the store's public reader API.
 *
 * It records a trade and its bust into a store in the folder it is given,
 * reads them back as a reader beside the writer would, and applies the one
 * trade rule of gputick/tick.h: the busted trade does not count. */
#include <gputick/err.h>
#include <gputick/store.h>
#include <gputick/tick.h>
#include <stdio.h>
#include <string.h>

static struct gt_tick trade(uint64_t seq, int64_t ns, int action)
{
    struct gt_tick t;
    memset(&t, 0, sizeof t);
    t.version = GT_TICK_VERSION;
    t.kind = GT_KIND_TRADE;
    t.instr_id = 42;
    t.seq = seq;
    t.exch_ns = t.recv_ns = ns;
    t.u.trade =
        (struct gt_trade){.px = 2750000000, .qty = 3, .trade_id = 9, .action = (uint8_t)action};
    return t;
}

int main(int argc, char **argv)
{
    char err[GT_ERRLEN];
    gt_store *st;
    if (argc != 2) {
        fprintf(stderr, "usage: store_reader DIR\n");
        return 2;
    }
    if (gt_store_open(argv[1], GT_STORE_WRITER, &st, err) != GT_OK) {
        fprintf(stderr, "store_reader: %s\n", err);
        return 1;
    }
    struct gt_tick t[2] = {trade(1, 1000, GT_ACT_NEW), trade(2, 2000, GT_ACT_DELETE)};
    int ok = gt_store_append(st, &t[0]) == 1 && gt_store_append(st, &t[1]) == 1 &&
             gt_store_commit(st, 2) == GT_OK;
    gt_store_close(st);
    if (!ok || gt_store_open(argv[1], GT_STORE_READER, &st, err) != GT_OK) {
        fprintf(stderr, "store_reader: could not record and reopen: %s\n", err);
        return 1;
    }
    gt_store_iter *it;
    const struct gt_tick *got;
    struct gt_busts b;
    gt_busts_init(&b);
    int n = 0, counted = 0;
    if (gt_store_iter_open(st, 42, GT_KIND_TRADE, INT64_MIN, INT64_MAX, &it) == GT_OK) {
        int rc;
        while ((rc = gt_store_iter_next(it, &got)) > 0) {
            n += rc;
            gt_busts_note(&b, got, (size_t)rc);
            gt_busts_match(&b, got, (size_t)rc); /* the bust comes in this same run */
            for (int i = 0; i < rc; i++)
                counted += gt_trade_counts(&got[i], &b);
        }
        gt_store_iter_close(it);
    }
    gt_busts_fini(&b);
    gt_store_close(st);
    if (n != 2 || counted != 0) {
        fprintf(stderr, "store_reader: read %d records, %d counted (want 2 and 0)\n", n, counted);
        return 1;
    }
    printf("store_reader: 2 records, the busted trade left out\n");
    return 0;
}
