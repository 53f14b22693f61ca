/* SPDX-License-Identifier: MIT */
/* bookat.c -- books as of a time: gt_store_book_at starts from the latest
 * book checkpoint at or before T (bookckpt.h) and replays the book series'
 * ticks after it, in sequence order, up to T. */
#include "store_int.h"

/* ---- books as of a time ---- */

/* The next tick of a book series: 1 and *t, 0 at its end, or an error. */
static int book_src_next(gt_store_iter *it, const struct gt_tick **run, int *n, int *i,
                         const struct gt_tick **t)
{
    if (!it)
        return 0;
    if (*i >= *n) {
        int got = gt_store_iter_next(it, run);
        if (got <= 0)
            return got;
        *n = got;
        *i = 0;
    }
    *t = &(*run)[*i];
    return 1;
}

/* The book horizon of instr_id (key.h 'H'): *ns, or INT64_MIN when no
 * retention cut its book. Returns GT_OK or an error. */
static int book_horizon(gt_store *st, int32_t instr_id, int64_t *ns)
{
    uint8_t key[KEY_META_LEN], v[8];
    key_horizon_encode(key, instr_id);
    int rc = sealed_get(st, CF_META, key, sizeof key, v, sizeof v, "book horizon");
    *ns = rc == GT_OK ? (int64_t)ld_le64(v) : INT64_MIN;
    return rc == GT_ENOENT ? GT_OK : rc;
}

int gt_store_book_at(gt_store *st, int32_t instr_id, int64_t at_ns, int flags,
                     struct gt_mbp_book *b)
{
    char *dberr = NULL;
    gt_mbp_book_init(b, GT_MBP_DEPTH_DEFAULT);
    int64_t from = INT64_MIN, horizon;
    int rc = book_horizon(st, instr_id, &horizon);
    if (rc < 0)
        return rc;
    if (at_ns < horizon) {
        char t[GT_TIME_STRLEN], h[GT_TIME_STRLEN];
        gt_time_format(at_ns, t);
        gt_time_format(horizon, h);
        return store_err(st, GT_ERANGE,
                         "the book of instrument %d at %s is older than the data kept "
                         "(retention: books from %s)",
                         instr_id, t, h);
    }
    /* After a retention, even a full replay starts from the checkpoint it left. */
    int64_t find_at = flags & GT_BOOK_REPLAY_ALL ? horizon : at_ns;
    if ((!(flags & GT_BOOK_REPLAY_ALL) || horizon != INT64_MIN) &&
        (rc = bookckpt_find(st->db, st->ro, st->cf[CF_META], instr_id, find_at, b, &dberr)) < 0)
        return store_fail(st, dberr, "reading a book checkpoint");
    if (rc != 1 && horizon != INT64_MIN) {
        return store_err(st, GT_ECORRUPT,
                         "the book of instrument %d: the checkpoint retention left is missing, "
                         "unreadable or of an older format, so no time can be answered",
                         instr_id);
    }
    uint64_t after = rc == 1 ? b->last_seq : 0;
    if (rc == 1)
        from = b->last_ns;
    int64_t to = at_ns == INT64_MAX ? INT64_MAX : at_ns + 1;
    /* Definitions (the depth) carry their LastUpdateTime, often long before
     * the book ticks they precede on the bus: their whole series is read (a
     * few ticks), and seq decides what the checkpoint already holds. */
    enum { N_SRC = N_BOOK_KINDS };
    const int *kinds = book_kinds;
    gt_store_iter *it[N_SRC] = {NULL, NULL, NULL};
    const struct gt_tick *run[N_SRC] = {NULL, NULL, NULL}, *cur[N_SRC] = {NULL, NULL, NULL};
    int n[N_SRC] = {0, 0, 0}, i[N_SRC] = {0, 0, 0}, live[N_SRC];
    for (int k = 0; k < N_SRC; k++) {
        rc = iter_open(st, instr_id, kinds[k], kinds[k] == GT_KIND_DEF ? INT64_MIN : from, to,
                       &it[k]);
        if (rc == GT_ENOENT)
            rc = GT_OK, it[k] = NULL;
        if (rc < 0)
            goto done;
    }
    for (int k = 0; k < N_SRC; k++)
        if ((live[k] = book_src_next(it[k], &run[k], &n[k], &i[k], &cur[k])) < 0) {
            rc = live[k];
            goto done;
        }
    int replayed = 0;
    for (;;) {
        int k = -1; /* the source whose next tick is first in bus order */
        for (int j = 0; j < N_SRC; j++)
            if (live[j] > 0 && (k < 0 || cur[j]->seq < cur[k]->seq))
                k = j;
        if (k < 0)
            break;
        if (cur[k]->seq > after) {
            gt_mbp_book_apply(b, cur[k]);
            replayed++;
        }
        i[k]++;
        if ((live[k] = book_src_next(it[k], &run[k], &n[k], &i[k], &cur[k])) < 0) {
            rc = live[k];
            goto done;
        }
    }
    rc = replayed;
done:
    for (int k = 0; k < N_SRC; k++) {
        if (rc < 0 && it[k] && gt_store_iter_errmsg(it[k])[0])
            store_err(st, rc, "%s", gt_store_iter_errmsg(it[k]));
        gt_store_iter_close(it[k]);
    }
    return rc;
}
