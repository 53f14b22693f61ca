/* SPDX-License-Identifier: MIT */
/* bench_mdp3.c -- decoding an MDP 3.0 packet stream, beside reading the same
 * bytes as 64-bit words (the memory-bound limit of any pass over them).
 *
 * The stream is made by the encoder and held in memory, larger than the
 * caches: packets of a MDIncrementalRefreshBook46 with 6 entries and one order
 * entry, and every other packet also a MDIncrementalRefreshTradeSummary48 with
 * one entry and two orders, as a busy book sends. The decode pass frames every
 * message, decodes it and adds every field of every message, entry and order
 * (and of each packet header) into a sum, so that no field's read can be left
 * out; the baseline sums the buffer as 64-bit words. The two passes alternate
 * (which goes first alternating too, so that a noisy neighbour hits both), for
 * at least MIN_ROUNDS rounds and until each side has run MIN_SECONDS in all. The
 * table shows the round of median ratio (its two rates, so its ratio column is
 * the median ratio) and the best pass of each side; both in bytes/s, and the
 * median round in messages/s and entries/s (the baseline's bytes/s over the
 * stream's bytes per message or entry), so every row's ratio is the same
 * comparison. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "gputick/bytes.h"
#include "gputick/err.h"
#include "mdp3.h"

enum { STREAM_CAP = 48 << 20, PKT_CAP = 1420, N_BOOK = 6, MIN_ROUNDS = 21, MAX_ROUNDS = 2001 };
static const double MIN_SECONDS = 1.0; /* of each side, in all */

struct stream {
    uint8_t *buf;
    size_t len;
    uint32_t *pkt_len; /* one per packet, back to back in buf */
    size_t n_pkts, n_msgs, n_entries;
};

static int stream_build(struct stream *s)
{
    memset(s, 0, sizeof *s);
    s->buf = malloc(STREAM_CAP);
    s->pkt_len = malloc(STREAM_CAP / 64 * sizeof *s->pkt_len);
    if (!s->buf || !s->pkt_len)
        return GT_ENOMEM;
    uint32_t seq = 1;
    uint64_t t = 1764081000000000000ull;
    while (s->len + PKT_CAP <= STREAM_CAP) {
        struct mdp3_enc e;
        mdp3_enc_init(&e, s->buf + s->len, PKT_CAP, seq, t);
        struct mdp3_incr x = {.transact_time_ns = t, .mei = MDP3_MEI_LAST_QUOTE};
        struct mdp3_book46_entry be[N_BOOK];
        for (int i = 0; i < N_BOOK; i++)
            be[i] = (struct mdp3_book46_entry){.px = 2750000000 +
                                                     (int64_t)((seq + (uint32_t)i) % 40) * 5000000,
                                               .size = (int32_t)(seq % 90) + 1,
                                               .security_id = (int32_t)(100 + seq % 24),
                                               .rpt_seq = seq * N_BOOK + (uint32_t)i,
                                               .n_orders = i + 1,
                                               .price_level = (uint8_t)(1 + i % 5),
                                               .update_action = (uint8_t)(i % 3),
                                               .entry_type = i & 1 ? MDP3_ET_OFFER : MDP3_ET_BID,
                                               .tradeable_size = MDP3_I32_NULL};
        struct mdp3_book46_order bo = {seq, MDP3_U64_NULL, 5, 1, 0};
        mdp3_enc_book46(&e, &x, be, N_BOOK, &bo, 1);
        s->n_msgs++;
        s->n_entries += N_BOOK + 1;
        if (seq & 1) {
            struct mdp3_trade48_entry te = {2750000000, 3,  (int32_t)(100 + seq % 24), seq, 2, 1,
                                            0,          seq};
            struct mdp3_trade48_order to[2] = {{seq * 2ull, 1}, {seq * 2ull + 1, 2}};
            x.mei = MDP3_MEI_LAST_TRADE | MDP3_MEI_END_OF_EVENT;
            mdp3_enc_trade48(&e, &x, &te, 1, to, 2);
            s->n_msgs++;
            s->n_entries += 3;
        }
        s->pkt_len[s->n_pkts++] = (uint32_t)mdp3_enc_len(&e);
        s->len += mdp3_enc_len(&e);
        seq++;
        t += 1000;
    }
    return GT_OK;
}

/* Decodes every packet and reads every field; returns a sum of them, or 0 on a
 * decode error (none in this stream). */
static uint64_t stream_decode(const struct stream *s)
{
    uint64_t acc = 0;
    const uint8_t *p = s->buf;
    for (size_t k = 0; k < s->n_pkts; p += s->pkt_len[k], k++) {
        struct mdp3_pkt pkt;
        struct mdp3_msg msg;
        struct mdp3_incr m;
        if (mdp3_pkt_init(&pkt, p, s->pkt_len[k]) < 0)
            return 0;
        acc += pkt.seq + pkt.sending_time_ns;
        int rc;
        while ((rc = mdp3_pkt_next(&pkt, &msg)) > 0) {
            switch (msg.template_id) {
            case MDP3_T_BOOK46:
                if (mdp3_book46_decode(&msg, &m) < 0)
                    return 0;
                acc += m.transact_time_ns + m.mei;
                for (size_t i = 0; i < m.entries.n; i++) {
                    struct mdp3_book46_entry e;
                    mdp3_book46_entry(&m, i, &e);
                    acc += (uint64_t)e.px + (uint64_t)e.size + (uint64_t)e.security_id + e.rpt_seq +
                           (uint64_t)e.n_orders + e.price_level + e.update_action +
                           (uint64_t)e.entry_type + (uint64_t)e.tradeable_size;
                }
                for (size_t i = 0; i < m.orders.n; i++) {
                    struct mdp3_book46_order o;
                    mdp3_book46_order(&m, i, &o);
                    acc += o.order_id + o.priority + (uint64_t)o.display_qty + o.reference_id +
                           o.order_update_action;
                }
                break;
            case MDP3_T_TRADE_SUMMARY48:
                if (mdp3_trade48_decode(&msg, &m) < 0)
                    return 0;
                acc += m.transact_time_ns + m.mei;
                for (size_t i = 0; i < m.entries.n; i++) {
                    struct mdp3_trade48_entry e;
                    mdp3_trade48_entry(&m, i, &e);
                    acc += (uint64_t)e.px + (uint64_t)e.size + (uint64_t)e.security_id + e.rpt_seq +
                           (uint64_t)e.n_orders + e.aggressor_side + e.update_action +
                           e.trade_entry_id;
                }
                for (size_t i = 0; i < m.orders.n; i++) {
                    struct mdp3_trade48_order o;
                    mdp3_trade48_order(&m, i, &o);
                    acc += o.order_id + (uint64_t)o.last_qty;
                }
                break;
            }
        }
        if (rc < 0)
            return 0;
    }
    return acc;
}

static uint64_t stream_words(const struct stream *s)
{
    uint64_t acc = 0;
    size_t n = s->len / 8;
    for (size_t i = 0; i < n; i++)
        acc += ld_le64(s->buf + i * 8);
    return acc;
}

/* Sorts round indexes by their ratio words/decode time (insertion sort: a few
 * hundred rounds, once). */
static void sort_by_ratio(size_t *idx, size_t n, const double *t_dec, const double *t_words)
{
    for (size_t i = 1; i < n; i++) {
        size_t k = idx[i], j = i;
        double r = t_words[k] / t_dec[k];
        while (j > 0 && t_words[idx[j - 1]] / t_dec[idx[j - 1]] > r) {
            idx[j] = idx[j - 1];
            j--;
        }
        idx[j] = k;
    }
}

int bench_mdp3(void)
{
    struct stream s;
    static double t_dec[MAX_ROUNDS], t_words[MAX_ROUNDS];
    static size_t idx[MAX_ROUNDS];
    int rc = stream_build(&s);
    if (rc < 0) {
        free(s.buf);
        free(s.pkt_len);
        return rc;
    }
    double sum_dec = 0, sum_words = 0, best_dec = 1e9, best_words = 1e9;
    size_t n = 0;
    while (n < MAX_ROUNDS &&
           (n < MIN_ROUNDS || sum_dec < MIN_SECONDS || sum_words < MIN_SECONDS || n % 2 == 0)) {
        uint64_t a = 0, b = 0;
        for (int half = 0; half < 2; half++) {
            double t0 = bench_now();
            if ((half == 0) == (n % 2 == 0))
                a = stream_decode(&s);
            else
                b = stream_words(&s);
            double dt = bench_now() - t0;
            if ((half == 0) == (n % 2 == 0))
                t_dec[n] = dt;
            else
                t_words[n] = dt;
        }
        if (!a) {
            free(s.buf);
            free(s.pkt_len);
            return GT_EBADMSG;
        }
        bench_sink(a + b);
        sum_dec += t_dec[n];
        sum_words += t_words[n];
        if (t_dec[n] < best_dec)
            best_dec = t_dec[n];
        if (t_words[n] < best_words)
            best_words = t_words[n];
        idx[n] = n;
        n++;
    }
    sort_by_ratio(idx, n, t_dec, t_words);
    size_t med = idx[n / 2];
    double mb = (double)s.len / 1e6;
    double per_msg = (double)s.len / (double)s.n_msgs;
    double per_entry = (double)s.len / (double)s.n_entries;
    char what[320];
    snprintf(what, sizeof what,
             "MDP3 decode of book 46 + trade 48 packets, MB/s, the round of median ratio of %zu "
             "interleaved rounds (baseline: that round's pass summing the same bytes as 64-bit "
             "words; ratios %.3f-%.3f; higher is better)",
             n, t_words[idx[0]] / t_dec[idx[0]], t_words[idx[n - 1]] / t_dec[idx[n - 1]]);
    bench_row(what, mb / t_dec[med], mb / t_words[med]);
    snprintf(what, sizeof what,
             "MDP3 decode, MB/s, the best of the same %zu passes each (baseline: the best word "
             "pass; higher is better)",
             n);
    bench_row(what, mb / best_dec, mb / best_words);
    bench_row("MDP3 decode, M messages/s, the median round (baseline: its word pass's bytes/s "
              "over the stream's bytes per message; higher is better)",
              (double)s.n_msgs / t_dec[med] / 1e6, mb / t_words[med] / per_msg);
    bench_row("MDP3 decode, M group entries/s, the median round (baseline: its word pass's "
              "bytes/s over the stream's bytes per entry; higher is better)",
              (double)s.n_entries / t_dec[med] / 1e6, mb / t_words[med] / per_entry);
    free(s.buf);
    free(s.pkt_len);
    return 0;
}
