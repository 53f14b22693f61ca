/* SPDX-License-Identifier: MIT */
/* fuzz_arb.c -- the A/B arbiter on arbitrary offer sequences.
 *
 * Input: 4 bytes of config (window, wait, reset distance, slot size), then
 * 8-byte records [op][seq u32 le][len][dt u16 le]: op bit 0 the line, bit 1
 * "seq is a signed byte delta from the last seq" (so streams stay near each
 * other), bit 2 "poll instead of offer". Invariants: between resets the
 * delivered sequences strictly increase (mod 2^32); every delivered packet is
 * a byte-exact copy of one that was offered with that sequence; a gap covers
 * exactly the sequences before the next delivery; after a re-synchronization
 * the next delivery is the sequence it named; no crash, no leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "../../feedhandler/arb.h"
#include "gputick/bytes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MAX_REC = 4096 };

struct fz {
    uint32_t off_seq[MAX_REC];
    uint8_t off_len[MAX_REC];
    int n_off;
    int have_last;
    uint32_t last;
    int gap_open; /* a gap was reported; the next delivery must be gap_to + 1 */
    uint32_t gap_to;
};

static void fz_fill(uint8_t *p, uint32_t seq, size_t len)
{
    uint8_t s[4];
    st_le32(s, seq);
    for (size_t i = 0; i < len; i++)
        p[i] = i < 4 ? s[i] : (uint8_t)(seq * 31 + i);
}

static void on_deliver(void *ctx, const uint8_t *pkt, size_t len, int line, uint32_t seq)
{
    struct fz *f = ctx;
    uint8_t want[256];
    if (len < 4 || len > sizeof want || ld_le32(pkt) != seq || (line != 0 && line != 1))
        abort();
    fz_fill(want, seq, len);
    if (memcmp(want, pkt, len) != 0)
        abort();
    int found = 0;
    for (int i = 0; i < f->n_off && !found; i++)
        found = f->off_seq[i] == seq && f->off_len[i] == len;
    if (!found)
        abort();
    if (f->have_last && (uint32_t)(seq - f->last) - 1 >= 0x7fffffffu)
        abort();
    if (f->gap_open && seq != f->gap_to + 1)
        abort();
    f->gap_open = 0;
    f->have_last = 1;
    f->last = seq;
}

static void on_gap(void *ctx, uint32_t from, uint32_t to)
{
    struct fz *f = ctx;
    if (f->gap_open || (f->have_last && from != f->last + 1))
        abort();
    if ((uint32_t)(to - from) >= 0x80000000u)
        abort();
    f->gap_open = 1;
    f->gap_to = to;
}

static void on_reset(void *ctx, uint32_t old_next)
{
    struct fz *f = ctx;
    (void)old_next;
    f->have_last = 0;
    f->gap_open = 0;
}

/* The stream continues below a false jump, at next: as if next - 1 had been
 * the last delivery. */
static void on_resync(void *ctx, uint32_t from, uint32_t next)
{
    struct fz *f = ctx;
    (void)from;
    f->have_last = 1;
    f->last = next - 1;
    f->gap_open = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4)
        return 0;
    static struct fz f;
    memset(&f, 0, sizeof f);
    struct arb_config c = {.max_held = 1u + data[0] % 64,
                           .max_wait_ns = 1 + (int64_t)data[1] * 100,
                           .reset_min_jump = 1u + data[2] * 16u,
                           .max_pkt_len = 4u + data[3] % 200,
                           .ctx = &f,
                           .deliver = on_deliver,
                           .gap = on_gap,
                           .reset = on_reset,
                           .resync = on_resync,
                           .confirm_run = 1u + data[3] / 200u * 7u};
    struct arb a;
    if (arb_init(&a, &c) != GT_OK)
        abort();
    int64_t now = 0;
    uint32_t seq = 0;
    uint8_t pkt[256];
    for (size_t off = 4; off + 8 <= size && f.n_off < MAX_REC; off += 8) {
        const uint8_t *r = data + off;
        int line = r[0] & 1;
        seq = (r[0] & 2) ? seq + (uint32_t)(int32_t)(int8_t)r[1] : ld_le32(r + 1);
        size_t len = r[5];
        now += ld_le16(r + 6);
        if (r[0] & 4) {
            if (arb_poll(&a, now) < 0)
                abort();
            continue;
        }
        fz_fill(pkt, seq, len);
        f.off_seq[f.n_off] = seq;
        f.off_len[f.n_off] = (uint8_t)len;
        f.n_off++;
        if (arb_offer(&a, line, pkt, len, now) < 0)
            abort();
    }
    arb_poll(&a, INT64_MAX / 2);
    uint64_t acc = a.stats.accepted[0] + a.stats.accepted[1];
    uint64_t rcv = a.stats.received[0] + a.stats.received[1];
    if (acc > rcv || a.n_held != 0)
        abort();
    arb_fini(&a);
    return 0;
}
