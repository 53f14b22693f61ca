/* SPDX-License-Identifier: MIT */
/* qio.h -- where tickq's commands write.
 *
 * Every command writes its output to QOUT and its messages to QERR: stdout
 * and stderr, unless a program that runs the commands in-process (an HTTP
 * server answering a request with a command's output) points them at streams
 * of its own for the length of one command. The pointers are process-wide,
 * not per thread, because a command may split its work over threads
 * (bars_many.c) that write too, so such a host runs one command at a time. */
#ifndef GT_QUERY_QIO_H
#define GT_QUERY_QIO_H
#include <stdio.h>

extern FILE *qio_out_stream; /* NULL: stdout */
extern FILE *qio_err_stream; /* NULL: stderr */

#define QOUT (qio_out_stream ? qio_out_stream : stdout)
#define QERR (qio_err_stream ? qio_err_stream : stderr)

/* Why the last command failed, for a host that answers failures with statuses
 * of its own (tickweb: 404 for an unknown name, 503 for a store it cannot
 * read) without reading the message: set where cmdstore prints that failure,
 * reset to QIO_FAIL_NONE by the host before each command. */
enum qio_fail { QIO_FAIL_NONE = 0, QIO_FAIL_UNKNOWN_NAME, QIO_FAIL_STORE };
extern enum qio_fail qio_fail;

#endif
