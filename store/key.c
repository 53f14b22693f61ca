/* SPDX-License-Identifier: MIT */
/* key.c -- store keys (layouts in key.h). */
#include "key.h"
#include "gputick/bytes.h"
#include "gputick/err.h"

static inline uint64_t flip64(int64_t v)
{
    return (uint64_t)v ^ ((uint64_t)1 << 63);
}

static inline uint32_t flip32(int32_t v)
{
    return (uint32_t)v ^ ((uint32_t)1 << 31);
}

void key_block_encode(uint8_t out[KEY_BLOCK_LEN], uint32_t series, int64_t key_ns)
{
    st_be32(out, series);
    st_be64(out + 4, flip64(key_ns));
}

int key_block_decode(const uint8_t *k, size_t len, uint32_t *series, int64_t *key_ns)
{
    if (len != KEY_BLOCK_LEN || ld_be32(k) == 0)
        return GT_EBADMSG;
    *series = ld_be32(k);
    *key_ns = (int64_t)(ld_be64(k + 4) ^ ((uint64_t)1 << 63));
    return GT_OK;
}

void key_mark_encode(uint8_t out[KEY_BLOCK_LEN])
{
    key_block_encode(out, 0, INT64_MIN);
}

void key_series_encode(uint8_t out[KEY_META_LEN], uint32_t series)
{
    out[0] = KEY_META_SERIES;
    st_be32(out + 1, series);
}

int key_series_decode(const uint8_t *k, size_t len, uint32_t *series)
{
    if (len != KEY_META_LEN || k[0] != KEY_META_SERIES || ld_be32(k + 1) == 0)
        return GT_EBADMSG;
    *series = ld_be32(k + 1);
    return GT_OK;
}

void key_instr_encode(uint8_t out[KEY_META_LEN], int32_t instr_id)
{
    out[0] = KEY_META_INSTR;
    st_be32(out + 1, flip32(instr_id));
}

void key_horizon_encode(uint8_t out[KEY_META_LEN], int32_t instr_id)
{
    out[0] = KEY_META_HORIZON;
    st_be32(out + 1, flip32(instr_id));
}

int key_instr_decode(const uint8_t *k, size_t len, int32_t *instr_id)
{
    if (len != KEY_META_LEN || k[0] != KEY_META_INSTR)
        return GT_EBADMSG;
    *instr_id = (int32_t)(ld_be32(k + 1) ^ ((uint32_t)1 << 31));
    return GT_OK;
}

void key_book_encode(uint8_t out[KEY_BOOK_LEN], int32_t instr_id, int64_t exch_ns)
{
    out[0] = KEY_META_BOOK;
    st_be32(out + 1, flip32(instr_id));
    st_be64(out + 5, flip64(exch_ns));
}

int key_book_decode(const uint8_t *k, size_t len, int32_t *instr_id, int64_t *exch_ns)
{
    if (len != KEY_BOOK_LEN || k[0] != KEY_META_BOOK)
        return GT_EBADMSG;
    *instr_id = (int32_t)(ld_be32(k + 1) ^ ((uint32_t)1 << 31));
    *exch_ns = (int64_t)(ld_be64(k + 5) ^ ((uint64_t)1 << 63));
    return GT_OK;
}
