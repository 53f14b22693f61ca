/* SPDX-License-Identifier: MIT */
/* crc32c.h -- CRC-32C (Castagnoli), the checksum of journal records and store
 * blocks.
 *
 * The SSE4.2 crc32 instruction where the CPU has it (checked once), a
 * byte-wise table otherwise; both give the same value. Check value:
 * gt_crc32c(0, "123456789", 9) == 0xe3069283. */
#ifndef GT_CRC32C_H
#define GT_CRC32C_H
#include <stddef.h>
#include <stdint.h>

/* Extends crc (0 to start) over p[0..len). */
uint32_t gt_crc32c(uint32_t crc, const void *p, size_t len);

#endif
