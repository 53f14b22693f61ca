/* SPDX-License-Identifier: MIT */
/* gtpy.h -- libgtpy.so, the C side of the Python package gputick
 * (python/gputick/_native.py declares the same functions to ctypes; the two
 * change together, and gtpy_abi() with them). */
#ifndef GT_PYTHON_GTPY_H
#define GT_PYTHON_GTPY_H
#include <stddef.h>
#include <stdint.h>
#include "gputick/err.h"
#include "gputick/sub.h"
#include "gputick/tick.h"

int gtpy_abi(void);
void gtpy_free(void *p);
const char *gtpy_name(int table, int code);
int gtpy_cmd(int argc, char **argv, char **out, size_t *out_len, char **err, size_t *err_len);
int gtpy_ticks(int argc, char **argv, struct gt_tick **out, size_t *n, char **err, size_t *err_len);

struct gtpy_sub;
struct gtpy_sub *gtpy_sub_open(const char *pub, const char *router, const char *prefixes,
                               int snapshot, uint64_t from_seq, const char *client_key,
                               const char *server_pub, int timeout_ms, char err[GT_ERRLEN]);
long gtpy_sub_poll(struct gtpy_sub *p, int timeout_ms, const struct gt_tick **ticks,
                   char err[GT_ERRLEN]);
const struct gt_sub_stats *gtpy_sub_stats(const struct gtpy_sub *p);
void gtpy_sub_close(struct gtpy_sub *p);

#endif
