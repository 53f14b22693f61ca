/* SPDX-License-Identifier: MIT */
/* test_tickfmt.c -- exact decimal prices and JSON ticks. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>
#include "gputick/err.h"
#include "gputick/tickfmt.h"

static const char *px(int64_t v)
{
    static char b[GT_PX_STRLEN];
    gt_px_format(v, b);
    return b;
}

Test(tickfmt, prices_print_exactly)
{
    cr_assert(eq(str, (char *)px(2750000000), "2.75"));
    cr_assert(eq(str, (char *)px(0), "0.00"));
    cr_assert(eq(str, (char *)px(-5000000), "-0.005"));
    cr_assert(eq(str, (char *)px(1000000001), "1.000000001"));
    cr_assert(eq(str, (char *)px(INT64_MAX), "null"));
    cr_assert(eq(str, (char *)px(INT64_MIN), "-9223372036.854775808"));
    cr_assert(eq(str, (char *)px(INT64_MAX - 1), "9223372036.854775806"));
}

Test(tickfmt, prices_parse_back_and_refuse_junk)
{
    int64_t v;
    int64_t samples[] = {0, 1, -1, 2750000000, -5000000, INT64_MIN, INT64_MAX - 1};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        cr_assert(eq(int, gt_px_parse(px(samples[i]), &v), GT_OK), "%s", px(samples[i]));
        cr_assert(eq(i64, v, samples[i]));
    }
    cr_assert(eq(int, gt_px_parse("2.755", &v), GT_OK));
    cr_assert(eq(i64, v, 2755000000));
    cr_assert(eq(int, gt_px_parse("3", &v), GT_OK));
    cr_assert(eq(i64, v, 3000000000));
    const char *bad[] = {
        "", "-", ".", "2.7a", "1.0000000001", "9223372037", "1..2", "2,5", "9223372036.854775807"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert(eq(int, gt_px_parse(bad[i], &v), GT_EINVAL), "'%s'", bad[i]);
}

Test(tickfmt, json_names_fields_and_survives_hostile_names)
{
    struct gt_tick t = {.version = 1, .kind = GT_KIND_TRADE, .instr_id = 7, .seq = 42};
    t.u.trade.px = 2750000000;
    t.u.trade.qty = 5;
    t.u.trade.aggressor = GT_SIDE_BID;
    char out[GT_TICK_JSONLEN];
    cr_assert(gt(int, gt_tick_json(&t, "H100Z6", out, sizeof out), 0));
    cr_assert(ne(ptr, strstr(out, "\"seq\":42,\"kind\":\"trade\""), NULL), "%s", out);
    cr_assert(ne(ptr, strstr(out, "\"px\":2.75,\"qty\":5,\"aggressor\":1"), NULL), "%s", out);
    cr_assert(ne(ptr, strstr(out, "\"time\":\"1970-01-01T00:00:00Z\""), NULL), "%s", out);
    cr_assert(eq(int, gt_tick_json(&t, "X\"}{\\", out, sizeof out) > 0, 1));
    cr_assert(ne(ptr, strstr(out, "\"symbol\":\"X?}{?\""), NULL), "%s", out);
    cr_assert(eq(int, gt_tick_json(&t, NULL, out, 20), GT_EINVAL));
    struct gt_tick d = {.version = 1, .kind = GT_KIND_DEF};
    memcpy(d.u.def.symbol, "ABCDEFGHIJKL", 12);
    memcpy(d.u.def.product, "H100", 4);
    cr_assert(gt(int, gt_tick_json(&d, NULL, out, sizeof out), 0));
    cr_assert(ne(ptr, strstr(out, "\"def_symbol\":\"ABCDEFGHIJKL\""), NULL), "%s", out);
}
