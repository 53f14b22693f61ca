/* SPDX-License-Identifier: MIT */
/* test_topic.c -- topics format, parse back, and prefix-select what they say. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>
#include "gputick/err.h"
#include "gputick/topic.h"

static int matches(const char *prefix, const char *topic)
{
    return strncmp(topic, prefix, strlen(prefix)) == 0;
}

Test(topic, formats_and_parses_back)
{
    char buf[GT_TOPIC_MAX];
    cr_assert(eq(int, gt_topic_format(buf, GT_KIND_TRADE, "H100", "H100Z6"), 17));
    cr_assert(eq(str, buf, "trade.H100.H100Z6"));
    struct gt_topic t;
    cr_assert(eq(int, gt_topic_parse(buf, strlen(buf), &t), GT_OK));
    cr_assert(eq(int, t.kind, GT_KIND_TRADE));
    cr_assert(eq(str, t.product, "H100"));
    cr_assert(eq(str, t.symbol, "H100Z6"));
    /* The longest topic fits, with its NUL. */
    cr_assert(eq(int, gt_topic_format(buf, GT_KIND_STATUS, "ABCDEF", "ABCDEFGHIJKL"), 26));
    cr_assert(eq(int, gt_topic_parse(buf, 26, &t), GT_OK));
    cr_assert(eq(str, t.symbol, "ABCDEFGHIJKL"));
}

Test(topic, refuses_bad_names_and_kinds)
{
    char buf[GT_TOPIC_MAX];
    cr_assert(eq(int, gt_topic_format(buf, 0, "H100", "H100Z6"), GT_EINVAL));
    cr_assert(eq(int, gt_topic_format(buf, GT_KIND_TOB, "H1.0", "H100Z6"), GT_EINVAL));
    cr_assert(eq(int, gt_topic_format(buf, GT_KIND_TOB, "", "H100Z6"), GT_EINVAL));
    cr_assert(eq(int, gt_topic_format(buf, GT_KIND_TOB, "H100", "ABCDEFGHIJKLM"), GT_EINVAL));
    cr_assert(eq(int, gt_topic_format(buf, GT_KIND_TOB, "ABCDEFG", "X"), GT_EINVAL));
    cr_assert(eq(int, gt_topic_format(buf, GT_KIND_TOB, "H100", "H 100"), GT_EINVAL));
    struct gt_topic t;
    const char *bad[] = {"",
                         "trade",
                         "trade.H100",
                         "trade..X",
                         "trade.H100.",
                         "bogus.H100.X",
                         "trade.H100.X.Y",
                         "trade.H100.X\xff"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        cr_assert(eq(int, gt_topic_parse(bad[i], strlen(bad[i]), &t), GT_EBADMSG), "'%s'", bad[i]);
    /* A NUL inside the kind must not pass as the end of a valid kind name. */
    cr_assert(eq(int, gt_topic_parse("stat\0.0.6", 9, &t), GT_EBADMSG));
}

Test(topic, subscriptions_select_kind_product_and_symbol)
{
    char subs[GT_KIND_MAX][GT_TOPIC_MAX];
    cr_assert(eq(int, gt_topic_subscriptions(0, NULL, NULL, subs), 1));
    cr_assert(eq(str, subs[0], ""));

    cr_assert(eq(int, gt_topic_subscriptions(GT_KIND_TOB, NULL, NULL, subs), 1));
    cr_assert(matches(subs[0], "tob.H100.H100Z6"));
    cr_assert(not(matches(subs[0], "trade.H100.H100Z6")));

    /* A product prefix must not select a product whose name merely starts alike. */
    cr_assert(eq(int, gt_topic_subscriptions(GT_KIND_TRADE, "H100", NULL, subs), 1));
    cr_assert(matches(subs[0], "trade.H100.H100Z6"));
    cr_assert(not(matches(subs[0], "trade.H1000.H1000Z6")));

    int n = gt_topic_subscriptions(0, "B200", NULL, subs);
    cr_assert(eq(int, n, GT_KIND_MAX));
    int hits = 0;
    for (int k = 1; k <= GT_KIND_MAX; k++) {
        char topic[GT_TOPIC_MAX];
        gt_topic_format(topic, k, "B200", "B200H7");
        for (int i = 0; i < n; i++)
            hits += matches(subs[i], topic);
        gt_topic_format(topic, k, "H200", "H200H7");
        for (int i = 0; i < n; i++)
            cr_assert(not(matches(subs[i], topic)));
    }
    cr_assert(eq(int, hits, GT_KIND_MAX), "each kind of B200 matched exactly once");

    cr_assert(eq(int, gt_topic_subscriptions(GT_KIND_LEVEL, "H100", "H100Z", subs), 1));
    cr_assert(eq(str, subs[0], "book.H100.H100Z"));
    cr_assert(eq(int, gt_topic_subscriptions(0, NULL, "H100Z6", subs), GT_EINVAL));
    cr_assert(eq(int, gt_topic_subscriptions(99, NULL, NULL, subs), GT_EINVAL));
}
