/* SPDX-License-Identifier: MIT */
/* fuzz_busreq.c -- the ROUTER's request parser on arbitrary frames.
 *
 * The input is split into frames at each 0xff byte (so the fuzzer controls
 * how many frames and how long). Invariants: no crash or out-of-bounds read;
 * an accepted REPLAY has 1 <= from <= to; an accepted SNAPSHOT prefix is a
 * NUL-terminated string shorter than any topic; an accepted REPLAY filter is
 * a NUL-terminated string that matches the topics starting with its first
 * prefix; and an accepted request's envelope is found whether a DEALER sent
 * it bare or proxies put identities and a delimiter before it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "gputick/bus.h"
#include "gputick/err.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct gt_frame f[GT_BUS_MAX_FRAMES];
    int n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= size && n < GT_BUS_MAX_FRAMES; i++) {
        if (i == size || data[i] == 0xff) {
            f[n++] = (struct gt_frame){data + start, i - start};
            start = i + 1;
        }
    }
    struct gt_bus_req req;
    char err[GT_ERRLEN];
    if (gt_bus_req_parse(f, n, &req, err) != GT_OK)
        return 0;
    if (req.cmd == GT_BUS_REPLAY && (req.from_seq == 0 || req.from_seq > req.to_seq))
        abort();
    if (req.cmd == GT_BUS_SNAPSHOT && strlen(req.prefix) >= GT_TOPIC_MAX)
        abort();
    struct gt_frame e[GT_BUS_MAX_FRAMES + 3] = {
        {(const uint8_t *)"id", 2}, {(const uint8_t *)"hop", 3}, {(const uint8_t *)"", 0}};
    memcpy(e + 3, f, (size_t)n * sizeof *f);
    if (gt_bus_envelope(e, n + 3) != 3)
        abort();
    memcpy(e + 1, f, (size_t)n * sizeof *f);
    if (gt_bus_envelope(e, n + 1) != 1)
        abort();
    if (req.cmd == GT_BUS_REPLAY && req.filter[0]) {
        size_t len = strlen(req.filter), first = strcspn(req.filter, " ");
        if (len >= GT_BUS_FILTER_MAX || req.filter[len - 1] == ' ' ||
            !gt_bus_filter_match(req.filter, req.filter, first))
            abort();
    }
    return 0;
}
