/* SPDX-License-Identifier: MIT */
/* bookckpt.c -- the store's book checkpoints (contract and record layout in
 * bookckpt.h): the record, and the one place that puts one into a commit and
 * finds one again. The book itself is gt_mbp_book (gputick/mbp.h). */
#include "bookckpt.h"
#include <string.h>
#include "gputick/bytes.h"
#include "gputick/crc32c.h"
#include "gputick/err.h"
#include "key.h"

static const uint8_t ckpt_magic[4] = {'G', 'T', 'B', 'C'};

int bookckpt_encode(const struct gt_mbp_book *b, uint8_t out[BOOKCKPT_MAX])
{
    memset(out, 0, BOOKCKPT_HDR);
    memcpy(out, ckpt_magic, 4);
    out[4] = BOOKCKPT_VERSION;
    out[5] = b->stale ? 1 : 0;
    out[6] = (uint8_t)b->n[0];
    out[7] = (uint8_t)b->n[1];
    st_le64(out + 8, b->last_seq);
    st_le64(out + 16, (uint64_t)b->last_ns);
    st_le64(out + 24, (uint64_t)b->stale_since_ns);
    st_le64(out + 32, b->n_applied);
    out[40] = (uint8_t)b->depth;
    uint8_t *p = out + BOOKCKPT_HDR;
    for (int s = 0; s < 2; s++)
        for (int i = 0; i < b->n[s]; i++, p += BOOKCKPT_LEVEL) {
            st_le64(p, (uint64_t)b->side[s][i].px);
            st_le64(p + 8, (uint64_t)b->side[s][i].qty);
            st_le32(p + 16, (uint32_t)b->side[s][i].n_orders);
        }
    st_le32(p, gt_crc32c(0, out, (size_t)(p - out)));
    return (int)(p - out) + 4;
}

int bookckpt_decode(const uint8_t *p, size_t len, struct gt_mbp_book *b)
{
    if (len < 5)
        return GT_ETRUNC;
    if (memcmp(p, ckpt_magic, 4) != 0)
        return GT_EBADMSG;
    if (p[4] != BOOKCKPT_VERSION)
        return GT_EVERSION;
    if (len < BOOKCKPT_HDR + 4)
        return GT_ETRUNC;
    int depth = p[40];
    if (depth < 1 || depth > GT_MBP_DEPTH_MAX || p[6] > depth || p[7] > depth ||
        len != (size_t)BOOKCKPT_HDR + (size_t)(p[6] + p[7]) * BOOKCKPT_LEVEL + 4)
        return GT_EBADMSG;
    if (gt_crc32c(0, p, len - 4) != ld_le32(p + len - 4))
        return GT_ECORRUPT;
    gt_mbp_book_init(b, depth);
    b->stale = p[5] & 1;
    b->n[0] = p[6];
    b->n[1] = p[7];
    b->last_seq = ld_le64(p + 8);
    b->last_ns = (int64_t)ld_le64(p + 16);
    b->stale_since_ns = (int64_t)ld_le64(p + 24);
    b->n_applied = ld_le64(p + 32);
    const uint8_t *q = p + BOOKCKPT_HDR;
    for (int s = 0; s < 2; s++) {
        for (int i = 0; i < b->n[s]; i++, q += BOOKCKPT_LEVEL) {
            b->side[s][i].px = (int64_t)ld_le64(q);
            b->side[s][i].qty = (int64_t)ld_le64(q + 8);
            b->side[s][i].n_orders = (int32_t)ld_le32(q + 16);
        }
        if (b->n[s] > 0 && b->side[s][b->n[s] - 1].px == GT_MBP_PX_NONE)
            return GT_EBADMSG; /* n is the last non-empty level */
    }
    return GT_OK;
}

void bookckpt_put(rocksdb_writebatch_t *batch, rocksdb_column_family_handle_t *cf, int32_t instr_id,
                  const struct gt_mbp_book *b)
{
    uint8_t key[KEY_BOOK_LEN], v[BOOKCKPT_MAX];
    key_book_encode(key, instr_id, b->last_ns);
    int len = bookckpt_encode(b, v);
    rocksdb_writebatch_put_cf(batch, cf, (const char *)key, sizeof key, (const char *)v,
                              (size_t)len);
}

int bookckpt_find(rocksdb_t *db, const rocksdb_readoptions_t *ro,
                  rocksdb_column_family_handle_t *cf, int32_t instr_id, int64_t at_ns,
                  struct gt_mbp_book *b, char **dberr)
{
    uint8_t key[KEY_BOOK_LEN];
    key_book_encode(key, instr_id, at_ns);
    rocksdb_iterator_t *it = rocksdb_create_iterator_cf(db, ro, cf);
    rocksdb_iter_seek_for_prev(it, (const char *)key, sizeof key);
    int rc = 0;
    if (rocksdb_iter_valid(it)) {
        size_t klen, vlen;
        int32_t id;
        int64_t ns;
        const uint8_t *k = (const uint8_t *)rocksdb_iter_key(it, &klen);
        const uint8_t *v = (const uint8_t *)rocksdb_iter_value(it, &vlen);
        if (key_book_decode(k, klen, &id, &ns) == GT_OK && id == instr_id)
            rc = bookckpt_decode(v, vlen, b) == GT_OK && b->last_ns == ns;
    }
    *dberr = NULL;
    rocksdb_iter_get_error(it, dberr);
    rocksdb_iter_destroy(it);
    if (rc != 1)
        gt_mbp_book_init(b, GT_MBP_DEPTH_DEFAULT);
    return *dberr ? GT_EDB : rc;
}
