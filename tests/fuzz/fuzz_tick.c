/* SPDX-License-Identifier: MIT */
/* fuzz_tick.c -- the tick record and topic decoders on arbitrary bytes.
 *
 * Invariants: decoding never reads past the input; a record that decodes
 * re-encodes to a record that decodes to the same struct; a topic that parses
 * formats back to the same bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gputick/err.h"
#include "gputick/tick.h"
#include "gputick/topic.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gt_tick t, back;
    for (size_t off = 0; off < size; off += GT_TICK_LEN) {
        if (gt_tick_decode(data + off, size - off, &t) != GT_OK)
            continue;
        uint8_t w[GT_TICK_LEN];
        gt_tick_encode(&t, w);
        if (gt_tick_decode(w, sizeof w, &back) != GT_OK || memcmp(&t, &back, sizeof t) != 0)
            abort();
    }
    struct gt_topic topic;
    if (gt_topic_parse((const char *)data, size, &topic) == GT_OK) {
        char buf[GT_TOPIC_MAX];
        int n = gt_topic_format(buf, topic.kind, topic.product, topic.symbol);
        if (n < 0 || (size_t)n != size || memcmp(buf, data, size) != 0)
            abort();
    }
    return 0;
}
