/* SPDX-License-Identifier: MIT */
/* crc32c.c -- CRC-32C, hardware where present (contract in crc32c.h).
 *
 * The reflected polynomial 0x82f63b78. The table is built on first use; the
 * hardware path is chosen once with __builtin_cpu_supports and compiled with a
 * target attribute, so the rest of the build needs no -msse4.2. */
#include "gputick/crc32c.h"
#include <string.h>

static uint32_t table[256];
static int have_table;

static void table_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c & 1) ? (c >> 1) ^ 0x82f63b78u : c >> 1;
        table[i] = c;
    }
    have_table = 1;
}

static uint32_t crc_soft(uint32_t crc, const uint8_t *p, size_t len)
{
    if (!have_table)
        table_init();
    while (len--)
        crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t crc, const uint8_t *p, size_t len)
{
    uint64_t c = crc;
    while (len >= 8) {
        uint64_t v;
        memcpy(&v, p, 8);
        c = __builtin_ia32_crc32di(c, v);
        p += 8;
        len -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (len--)
        c32 = __builtin_ia32_crc32qi(c32, *p++);
    return c32;
}
#endif

uint32_t gt_crc32c(uint32_t crc, const void *data, size_t len)
{
    const uint8_t *p = data;
    crc = ~crc;
#if defined(__x86_64__)
    static int hw = -1;
    if (hw < 0)
        hw = __builtin_cpu_supports("sse4.2");
    if (hw)
        return ~crc_hw(crc, p, len);
#endif
    return ~crc_soft(crc, p, len);
}
