/* SPDX-License-Identifier: MIT */
/* metrics.h -- a Prometheus text-format endpoint for the daemons.
 *
 * `--metrics ADDR:PORT` on tickfeed, tickstore and tickproxy starts an HTTP
 * server (libmicrohttpd, its own thread) that answers GET /metrics with the
 * exposition text (format 0.0.4) the program last published. The program's
 * main loop renders its counters into a metrics_text about once a second
 * (metrics_due) and publishes a copy; a scrape never touches the program's
 * state, so the hot path pays nothing and the server thread never waits on
 * it. Until the first publish a scrape gets 503. Loopback only, unless the program allows other
 * addresses (tickfeed's and tickproxy's --bind-remote). Names follow Prometheus' conventions:
 * gputick_<program>_<what>_<unit>, counters end in _total (docs/operations.md
 * lists them). In a build without libmicrohttpd, metrics_open() fails with a
 * message saying so. */
#ifndef GT_METRICS_H
#define GT_METRICS_H
#include <stddef.h>
#include "gputick/err.h"

enum metrics_type { METRICS_COUNTER, METRICS_GAUGE };

/* An exposition text being built; caller-embedded (_init/_fini). */
struct metrics_text {
    char *p;
    size_t len, cap;
    const char *family; /* the name whose HELP and TYPE lines were written last */
};

void metrics_text_init(struct metrics_text *t);
void metrics_text_fini(struct metrics_text *t);
/* Empties t for the next rendering. */
void metrics_text_reset(struct metrics_text *t);

/* Appends one sample: `name{labels} value`. Before the first sample of a
 * family (consecutive calls with the same name pointer or text) it writes the
 * family's # HELP and # TYPE lines. labels is NULL or e.g. `line="incr-a"`.
 * A failed allocation leaves t as it was. */
void metrics_sample(struct metrics_text *t, const char *name, enum metrics_type type,
                    const char *help, const char *labels, double value);

struct metrics;
struct sockaddr_in;

/* Parses "A.B.C.D:PORT" (port 1..65535) into *sa. Returns 0 or -1. Also
 * tickweb's --listen. */
int metrics_listen_parse(const char *s, struct sockaddr_in *sa);

/* Parses listen (IPv4ADDR:PORT; an address outside 127.0.0.0/8 only if
 * remote_ok) and starts the server. Returns GT_OK and *out, or GT_EINVAL (bad
 * address, not loopback, no libmicrohttpd in this build) or GT_EIO (the port
 * cannot be bound) with err filled. */
int metrics_open(struct metrics **out, const char *listen, int remote_ok, char err[GT_ERRLEN]);

/* Stops the server. NULL does nothing. */
void metrics_close(struct metrics *m);

/* 1 when a second or more has passed since the last metrics_publish() (or
 * since the open), 0 if not, and always 0 for NULL: the loop renders then. */
int metrics_due(const struct metrics *m);

/* Serves a copy of t from now on. */
void metrics_publish(struct metrics *m, const struct metrics_text *t);

#endif
