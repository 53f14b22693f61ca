/* SPDX-License-Identifier: MIT */
/* bytes.h -- loads and stores of fixed-width integers at any alignment.
 *
 * Wire and disk bytes are read and written only through these: memcpy plus
 * le64toh compiles to one mov on x86-64 and stays correct on a big-endian host
 * and on unaligned addresses, where a struct cast over a packet would not.
 * Little-endian for the exchange wire and the tick bus, big-endian for RocksDB
 * keys (so that memcmp order is numeric order). */
#ifndef GT_BYTES_H
#define GT_BYTES_H
#include <endian.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t ld_le16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);
    return le16toh(v);
}
static inline uint32_t ld_le32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return le32toh(v);
}
static inline uint64_t ld_le64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return le64toh(v);
}
static inline void st_le16(uint8_t *p, uint16_t v)
{
    v = htole16(v);
    memcpy(p, &v, sizeof v);
}
static inline void st_le32(uint8_t *p, uint32_t v)
{
    v = htole32(v);
    memcpy(p, &v, sizeof v);
}
static inline void st_le64(uint8_t *p, uint64_t v)
{
    v = htole64(v);
    memcpy(p, &v, sizeof v);
}
static inline uint32_t ld_be32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return be32toh(v);
}
static inline uint64_t ld_be64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return be64toh(v);
}
static inline void st_be32(uint8_t *p, uint32_t v)
{
    v = htobe32(v);
    memcpy(p, &v, sizeof v);
}
static inline void st_be64(uint8_t *p, uint64_t v)
{
    v = htobe64(v);
    memcpy(p, &v, sizeof v);
}

#endif
