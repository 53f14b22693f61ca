/* SPDX-License-Identifier: MIT */
/* fuzz_block.c -- the block codec on arbitrary bytes.
 *
 * Invariants: (1) decoding any bytes, with or without a CRC made valid, never
 * reads outside the input and the scratch, and returns a count or an error;
 * (2) a block that decodes re-encodes to one that decodes to the same ticks;
 * (3) the input read as tick records of one series (kind and instrument taken
 * from the first) round-trips bit for bit through encode and decode; (4) a
 * decode of some fields (a set taken from the input) of a block that decodes
 * gives the same count, the always-decoded fields equal, and every other byte
 * either the full decode's or zero. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "block.h"
#include "gputick/bytes.h"
#include "gputick/crc32c.h"
#include "gputick/err.h"
#include "gputick/tick.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t scratch[BLOCK_SCRATCH_LEN], enc[BLOCK_OUT_MAX], copy[BLOCK_OUT_MAX];
static struct gt_tick ticks[BLOCK_CAP], back[BLOCK_CAP], part[BLOCK_CAP];

static void same_or_abort(const struct gt_tick *a, const struct gt_tick *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t wa[GT_TICK_LEN], wb[GT_TICK_LEN];
        gt_tick_encode(&a[i], wa);
        gt_tick_encode(&b[i], wb);
        if (memcmp(wa, wb, GT_TICK_LEN) != 0)
            abort();
    }
}

static void round_trip(const struct gt_tick *t, size_t n, int64_t tick_px)
{
    int len = block_encode(t, n, tick_px, 0, scratch, enc, sizeof enc);
    if (len < 0)
        abort();
    if (block_decode(enc, (size_t)len, back, BLOCK_CAP, scratch, NULL) != (int)n)
        abort();
    same_or_abort(t, back, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* (1) and (2): as a block, then with its CRC fixed. */
    int n = block_decode(data, size, ticks, BLOCK_CAP, scratch, NULL);
    if (size >= BLOCK_HDR_LEN && size <= sizeof copy) {
        memcpy(copy, data, size);
        uint32_t crc = gt_crc32c(gt_crc32c(0, copy, 80), copy + BLOCK_HDR_LEN, size - 84);
        st_le32(copy + 80, crc);
        n = block_decode(copy, size, ticks, BLOCK_CAP, scratch, NULL);
    }
    if (n > 0) {
        const uint8_t *blk = size >= BLOCK_HDR_LEN && size <= sizeof copy ? copy : data;
        uint64_t fields = size >= BLOCK_HDR_LEN + 8 ? ld_le64(data + size - 8) : 0;
        if (block_decode_fields(blk, size, part, BLOCK_CAP, scratch, NULL, fields) != n)
            abort();
        for (int i = 0; i < n; i++) {
            const uint8_t *a = (const uint8_t *)&ticks[i], *b = (const uint8_t *)&part[i];
            if (ticks[i].version != part[i].version || ticks[i].kind != part[i].kind ||
                ticks[i].instr_id != part[i].instr_id || ticks[i].exch_ns != part[i].exch_ns)
                abort();
            for (size_t j = 0; j < sizeof ticks[i]; j++)
                if (b[j] != a[j] && b[j] != 0)
                    abort();
        }
        round_trip(ticks, (size_t)n, 0);
    }

    /* (3): the bytes as ticks of one series. */
    size_t nt = size / GT_TICK_LEN;
    if (nt > BLOCK_CAP)
        nt = BLOCK_CAP;
    size_t k = 0;
    for (size_t i = 0; i < nt; i++) {
        uint8_t rec[GT_TICK_LEN];
        memcpy(rec, data + i * GT_TICK_LEN, GT_TICK_LEN);
        rec[0] = GT_TICK_VERSION;
        rec[1] = (uint8_t)(1 + data[1] % GT_KIND_MAX);
        memcpy(rec + 4, data + 4, 4); /* one instrument */
        if (gt_tick_decode(rec, sizeof rec, &ticks[k]) == GT_OK)
            k++;
    }
    if (k > 0) {
        round_trip(ticks, k, 0);
        round_trip(ticks, k, 5000000);
        round_trip(ticks, k, (int64_t)(ld_le64(data) % 1000000007));
    }
    return 0;
}
