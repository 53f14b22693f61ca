/* SPDX-License-Identifier: MIT */
/* err.c -- names for the error codes of err.h. */
#include "gputick/err.h"

const char *gt_strerror(int code)
{
    switch (code) {
    case GT_OK:
        return "ok";
    case GT_ETRUNC:
        return "truncated input";
    case GT_EBADMSG:
        return "malformed input";
    case GT_EVERSION:
        return "unsupported version";
    case GT_ECORRUPT:
        return "checksum mismatch";
    case GT_ENOMEM:
        return "out of memory";
    case GT_EIO:
        return "I/O error";
    case GT_EDB:
        return "database error";
    case GT_EZMQ:
        return "ZeroMQ error";
    case GT_EINVAL:
        return "invalid argument";
    case GT_ENOENT:
        return "not found";
    case GT_ENOSPC:
        return "no space left on device";
    case GT_EBUSY:
        return "resource busy";
    case GT_ERANGE:
        return "outside the data kept";
    case GT_EPERM:
        return "refused by the server";
    }
    return code > 0 ? "ok" : "unknown error";
}
