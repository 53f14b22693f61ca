/* SPDX-License-Identifier: MIT */
/* test_examples.c -- examples/subscriber.py decodes the bus from docs/wire.md
 * alone: a real XPUB socket publishes records, the Python subscriber prints
 * them, and the test compares its JSON lines with what was sent. Skips when
 * /usr/bin/python3 has no pyzmq (Debian's python3-zmq). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gputick/bus.h"

Test(examples, python_subscriber_decodes_the_wire_format, .timeout = 30)
{
    if (system("/usr/bin/python3 -c 'import zmq' 2>/dev/null") != 0)
        cr_skip_test("/usr/bin/python3 has no pyzmq (apt-get install python3-zmq)");
    const char *src = getenv("GT_SOURCE_DIR");
    cr_assert(ne(ptr, (void *)src, NULL), "ctest sets GT_SOURCE_DIR");
    void *ctx = zmq_ctx_new();
    void *pub = zmq_socket(ctx, ZMQ_XPUB);
    cr_assert(eq(int, zmq_bind(pub, "tcp://127.0.0.1:*"), 0));
    char ep[64];
    size_t eplen = sizeof ep;
    zmq_getsockopt(pub, ZMQ_LAST_ENDPOINT, ep, &eplen);
    char cmd[1024];
    snprintf(cmd, sizeof cmd,
             "/usr/bin/python3 %s/examples/subscriber.py --endpoint %s --prefix trade.H100. "
             "--count 3 --seconds 20",
             src, ep);
    FILE *p = popen(cmd, "r");
    cr_assert(ne(ptr, p, NULL));
    /* XPUB hands us the subscription, so nothing is sent before it exists. */
    zmq_pollitem_t pi = {pub, 0, ZMQ_POLLIN, 0};
    cr_assert(eq(int, zmq_poll(&pi, 1, 15000), 1), "the subscriber never subscribed");
    char subscription[64];
    int n = zmq_recv(pub, subscription, sizeof subscription, 0);
    cr_assert(eq(int, n, 12));
    cr_assert(eq(int, memcmp(subscription, "\x01trade.H100.", 12), 0));

    uint8_t recs[3 * GT_TICK_LEN], other[GT_TICK_LEN];
    for (int i = 0; i < 3; i++) {
        struct gt_tick t = {.version = GT_TICK_VERSION,
                            .kind = GT_KIND_TRADE,
                            .instr_id = 11,
                            .seq = 100 + (uint64_t)i,
                            .exch_ns = 1795527000000000000};
        t.u.trade.px = 2750000000 + i * 5000000;
        t.u.trade.qty = 1 + i;
        t.u.trade.aggressor = GT_SIDE_ASK;
        gt_tick_encode(&t, recs + i * GT_TICK_LEN);
        if (i == 0)
            gt_tick_encode(&t, other);
    }
    /* A topic the subscriber did not ask for, then the one it did. */
    gt_bus_send(pub, "trade.H200.H200Z6", 17, other, 1, 0);
    gt_bus_send(pub, "trade.H100.H100Z6", 17, recs, 3, 0);
    char line[1024];
    const char *want[3] = {"\"seq\": 100, \"kind\": \"trade\"", "\"px\": 2.755, \"qty\": 2",
                           "\"px\": 2.76, \"qty\": 3"};
    for (int i = 0; i < 3; i++) {
        cr_assert(ne(ptr, fgets(line, sizeof line, p), NULL), "line %d missing", i);
        cr_assert(ne(ptr, strstr(line, want[i]), NULL), "line %d: %s", i, line);
        cr_assert(ne(ptr, strstr(line, "\"symbol\": \"H100Z6\""), NULL), "%s", line);
        cr_assert(ne(ptr, strstr(line, "\"aggressor\": 2"), NULL), "%s", line);
    }
    cr_assert(eq(int, pclose(p), 0));
    int linger = 0;
    zmq_setsockopt(pub, ZMQ_LINGER, &linger, sizeof linger);
    zmq_close(pub);
    zmq_ctx_term(ctx);
}
