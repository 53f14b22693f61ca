/* SPDX-License-Identifier: MIT */
/* err.h -- the one error vocabulary of gputick.
 *
 * Every function that can fail returns int: >= 0 on success (a count where one
 * helps), < 0 one of these codes. The values are pinned because they appear in
 * stats lines, logs and the ROUTER's error replies; never renumber them.
 * Libraries return codes and fill caller-owned message buffers of GT_ERRLEN
 * bytes; only main() and the tickq commands print. */
#ifndef GT_ERR_H
#define GT_ERR_H

enum gt_err {
    GT_OK = 0,
    GT_ETRUNC = -1,   /* input ends before a field it must hold */
    GT_EBADMSG = -2,  /* input is malformed */
    GT_EVERSION = -3, /* unsupported format or schema version */
    GT_ECORRUPT = -4, /* a checksum failed */
    GT_ENOMEM = -5,
    GT_EIO = -6,
    GT_EDB = -7,  /* RocksDB said no */
    GT_EZMQ = -8, /* ZeroMQ said no */
    GT_EINVAL = -9,
    GT_ENOENT = -10, /* no such thing: symbol, database, sequence */
    GT_ENOSPC = -11, /* the disk is full */
    GT_EBUSY = -12,  /* held by another process (a second recorder) */
    GT_ERANGE = -13, /* before the data a store still keeps (retention) */
    GT_EPERM = -14,  /* a server refused this client (CURVE key, ZAP) */
};

enum { GT_ERRLEN = 256 };

/* Returns a static, human-readable name for a GT_E* code ("truncated input"). */
const char *gt_strerror(int code);

#endif
