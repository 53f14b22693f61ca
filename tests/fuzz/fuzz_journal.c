/* SPDX-License-Identifier: MIT */
/* fuzz_journal.c -- the journal segment parser on arbitrary bytes.
 *
 * The input is taken as a whole segment image (as the reader and the open-time
 * recovery see a file). Invariants: parsing never reads past the input; every
 * message's views lie inside it; its records' sequences run on from the
 * header's first_seq without a hole; re-encoding a parsed message gives back
 * exactly the bytes it was parsed from; and the intact prefix, scanned again
 * alone, yields the same messages. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gputick/bytes.h"
#include "gputick/tick.h"
#include "journal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct span {
    const uint8_t *p;
    size_t len;
};

static int check_msg(const struct journal_msg *m, void *ctx)
{
    struct span *in = ctx;
    const uint8_t *rec = (const uint8_t *)m->topic - 2 - JOURNAL_REC_HDR_LEN;
    size_t len = journal_record_len(m->topic_len, m->n_records);
    if (rec < in->p || rec + len > in->p + in->len || m->n_records < 1 ||
        m->records + m->n_records * GT_TICK_LEN != rec + len)
        abort();
    for (size_t i = 0; i < m->n_records; i++)
        if (ld_le64(m->records + i * GT_TICK_LEN + 8) != m->first_seq + i)
            abort();
    uint8_t *again = malloc(len);
    journal_record_encode(again, m->topic, m->topic_len, m->records, m->n_records);
    if (memcmp(again, rec, len) != 0)
        abort();
    free(again);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct span in = {data, size};
    size_t valid;
    int n = journal_scan_buf(data, size, check_msg, &in, &valid);
    if (n < 0) {
        if (valid != 0)
            abort();
        return 0;
    }
    if (valid < JOURNAL_HDR_LEN || valid > size)
        abort();
    size_t valid2;
    if (journal_scan_buf(data, valid, NULL, NULL, &valid2) != n || valid2 != valid)
        abort();
    struct journal_msg m;
    if (valid < size && journal_record_parse(data + valid, size - valid, &m) > 0) {
        /* A record that parses past the prefix must have broken the sequence. */
        uint64_t first;
        int64_t created;
        journal_header_parse(data, size, &first, &created);
        if (n == 0 && m.first_seq == first)
            abort();
    }
    return 0;
}
