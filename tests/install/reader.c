/* SPDX-License-Identifier: MIT */
/* reader.c -- a downstream program, built by tests/install/check.sh against an
 * installed gputick with nothing but `pkg-config --cflags --libs gputick`.
 *
 * It reads a tick as a bus reader does: a 64-byte record (laid out here by
 * hand from docs/wire.md, not by gt_tick_encode) decoded with gt_tick_decode,
 * its kind named, its price formatted, its topic built, and its bytes
 * re-encoded identically. check.sh compiles it together with a file that
 * includes every installed header, so each must stand on its own. */
#include <gputick/err.h>
#include <gputick/tick.h>
#include <gputick/tickfmt.h>
#include <gputick/topic.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    uint8_t rec[GT_TICK_LEN] = {0};
    rec[0] = GT_TICK_VERSION;
    rec[1] = GT_KIND_TRADE;
    rec[4] = 0x2A;  /* instr_id 42 */
    rec[8] = 7;     /* seq 7 */
    rec[32] = 0x80; /* px 2750000000 = 0xA3E9AB80 (2.75) */
    rec[33] = 0xAB;
    rec[34] = 0xE9;
    rec[35] = 0xA3;
    rec[40] = 3; /* qty 3 */
    struct gt_tick t;
    int rc = gt_tick_decode(rec, sizeof rec, &t);
    if (rc != GT_OK) {
        fprintf(stderr, "reader: gt_tick_decode: %s\n", gt_strerror(rc));
        return 1;
    }
    char px[GT_PX_STRLEN];
    gt_px_format(t.u.trade.px, px);
    uint8_t back[GT_TICK_LEN];
    gt_tick_encode(&t, back);
    char topic[GT_TOPIC_MAX];
    int n = gt_topic_format(topic, t.kind, "H100", "H100Z6");
    if (t.seq != 7 || t.instr_id != 42 || t.u.trade.qty != 3 || strcmp(px, "2.75") != 0 || n <= 0 ||
        memcmp(back, rec, sizeof rec) != 0) {
        fprintf(stderr, "reader: wrong tick: seq %llu px %s\n", (unsigned long long)t.seq, px);
        return 1;
    }
    printf("reader: %s seq=%llu px=%s topic=%.*s\n", gt_kind_name(t.kind),
           (unsigned long long)t.seq, px, n, topic);
    return 0;
}
