/* SPDX-License-Identifier: MIT */
/* topic.c -- "<kind>.<product>.<symbol>" topics (scheme in topic.h). */
#include "gputick/topic.h"
#include <stdio.h>
#include <string.h>
#include "gputick/err.h"

static int name_char_ok(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '+';
}

int gt_topic_name_ok(const char *name, size_t cap)
{
    size_t n = 0;
    if (!name || !name[0])
        return 0;
    for (; name[n]; n++)
        if (n >= cap || !name_char_ok(name[n]))
            return 0;
    return 1;
}

int gt_topic_format(char out[GT_TOPIC_MAX], int kind, const char *product, const char *symbol)
{
    const char *k = gt_kind_name(kind);
    if (!k || !gt_topic_name_ok(product, GT_PRODUCT_LEN) ||
        !gt_topic_name_ok(symbol, GT_SYMBOL_LEN))
        return GT_EINVAL;
    return snprintf(out, GT_TOPIC_MAX, "%s.%s.%s", k, product, symbol);
}

/* Copies the name in p[0..n) into dst if it is valid and fits. */
static int topic_part(char *dst, size_t cap, const char *p, size_t n)
{
    if (n == 0 || n > cap)
        return GT_EBADMSG;
    for (size_t i = 0; i < n; i++)
        if (!name_char_ok(p[i]))
            return GT_EBADMSG;
    memcpy(dst, p, n);
    dst[n] = '\0';
    return GT_OK;
}

int gt_topic_parse(const char *p, size_t len, struct gt_topic *out)
{
    const char *d1 = memchr(p, '.', len);
    if (!d1)
        return GT_EBADMSG;
    const char *rest = d1 + 1;
    size_t rest_len = len - (size_t)(rest - p);
    const char *d2 = memchr(rest, '.', rest_len);
    if (!d2)
        return GT_EBADMSG;
    char kind[8];
    size_t klen = (size_t)(d1 - p);
    if (klen == 0 || klen >= sizeof kind || memchr(p, '\0', klen))
        return GT_EBADMSG;
    memcpy(kind, p, klen);
    kind[klen] = '\0';
    out->kind = gt_kind_parse(kind);
    if (out->kind < 0)
        return GT_EBADMSG;
    if (topic_part(out->product, GT_PRODUCT_LEN, rest, (size_t)(d2 - rest)) < 0)
        return GT_EBADMSG;
    size_t slen = len - (size_t)(d2 + 1 - p);
    return topic_part(out->symbol, GT_SYMBOL_LEN, d2 + 1, slen);
}

int gt_topic_subscriptions(int kind, const char *product, const char *symbol,
                           char out[GT_KIND_MAX][GT_TOPIC_MAX])
{
    if (kind != 0 && !gt_kind_name(kind))
        return GT_EINVAL;
    if (product && !gt_topic_name_ok(product, GT_PRODUCT_LEN))
        return GT_EINVAL;
    if (symbol && (!product || !gt_topic_name_ok(symbol, GT_SYMBOL_LEN)))
        return GT_EINVAL;
    if (kind == 0 && !product) {
        out[0][0] = '\0';
        return 1;
    }
    int n = 0;
    for (int k = kind ? kind : 1; k <= (kind ? kind : GT_KIND_MAX); k++) {
        if (!product)
            snprintf(out[n++], GT_TOPIC_MAX, "%s.", gt_kind_name(k));
        else
            snprintf(out[n++], GT_TOPIC_MAX, "%s.%s.%s", gt_kind_name(k), product,
                     symbol ? symbol : "");
    }
    return n;
}
