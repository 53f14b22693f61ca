/* SPDX-License-Identifier: MIT */
/* test_key.c -- store keys: memcmp order is numeric order, every key decodes
 * back, and keys of the wrong shape are refused. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <limits.h>
#include "gputick/err.h"
#include "key.h"

static int sign(int v)
{
    return (v > 0) - (v < 0);
}

Test(key, block_keys_sort_by_series_then_time)
{
    int64_t ns[] = {INT64_MIN, INT64_MIN + 1,       -1000000000,   -1,       0,
                    1,         1795000000000000000, INT64_MAX - 1, INT64_MAX};
    uint32_t ser[] = {1, 2, 255, 256, 65536, UINT32_MAX};
    enum { NN = sizeof ns / sizeof ns[0], NS = sizeof ser / sizeof ser[0] };
    for (int a = 0; a < NS * NN; a++)
        for (int b = 0; b < NS * NN; b++) {
            uint8_t ka[KEY_BLOCK_LEN], kb[KEY_BLOCK_LEN];
            key_block_encode(ka, ser[a / NN], ns[a % NN]);
            key_block_encode(kb, ser[b / NN], ns[b % NN]);
            cr_assert(eq(int, sign(memcmp(ka, kb, KEY_BLOCK_LEN)), sign(a - b)), "%d vs %d", a, b);
        }
}

Test(key, block_keys_round_trip_and_bad_ones_are_refused)
{
    uint8_t k[KEY_BLOCK_LEN + 1];
    key_block_encode(k, 0x01020304, INT64_MIN);
    /* The documented bytes: series BE, then the time BE with its sign flipped. */
    uint8_t want[KEY_BLOCK_LEN] = {1, 2, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0};
    cr_assert(eq(int, memcmp(k, want, KEY_BLOCK_LEN), 0));
    uint32_t s;
    int64_t ns;
    int64_t vals[] = {INT64_MIN, -1, 0, 1, INT64_MAX};
    for (int i = 0; i < 5; i++) {
        key_block_encode(k, 77, vals[i]);
        cr_assert(eq(int, key_block_decode(k, KEY_BLOCK_LEN, &s, &ns), GT_OK));
        cr_assert(eq(u32, s, 77));
        cr_assert(eq(i64, ns, vals[i]));
    }
    cr_assert(eq(int, key_block_decode(k, KEY_BLOCK_LEN - 1, &s, &ns), GT_EBADMSG));
    cr_assert(eq(int, key_block_decode(k, KEY_BLOCK_LEN + 1, &s, &ns), GT_EBADMSG));
    key_block_encode(k, 0, 5);
    cr_assert(eq(int, key_block_decode(k, KEY_BLOCK_LEN, &s, &ns), GT_EBADMSG), "series 0");
}

Test(key, metadata_keys_round_trip_sort_and_refuse_others)
{
    uint8_t k[KEY_META_LEN], k2[KEY_META_LEN];
    uint32_t s;
    int32_t id;
    key_series_encode(k, 9);
    cr_assert(eq(u8, k[0], 'S'));
    cr_assert(eq(int, key_series_decode(k, sizeof k, &s), GT_OK));
    cr_assert(eq(u32, s, 9));
    cr_assert(eq(int, key_instr_decode(k, sizeof k, &id), GT_EBADMSG), "a series key");
    cr_assert(eq(int, key_series_decode(k, sizeof k - 1, &s), GT_EBADMSG));
    int32_t ids[] = {INT32_MIN, -5, 0, 5, INT32_MAX};
    for (int i = 0; i < 5; i++) {
        key_instr_encode(k, ids[i]);
        cr_assert(eq(u8, k[0], 'I'));
        cr_assert(eq(int, key_instr_decode(k, sizeof k, &id), GT_OK));
        cr_assert(eq(i32, id, ids[i]));
        cr_assert(eq(int, key_series_decode(k, sizeof k, &s), GT_EBADMSG), "an instrument key");
        if (i > 0) {
            key_instr_encode(k2, ids[i - 1]);
            cr_assert(lt(int, memcmp(k2, k, KEY_META_LEN), 0), "index ids (negative) sort first");
        }
    }
    uint8_t one = KEY_META_CHECKPOINT;
    cr_assert(eq(int, key_series_decode(&one, 1, &s), GT_EBADMSG));
}
