/* SPDX-License-Identifier: MIT */
/* api.h -- /api/CMD: one tickq command run in-process for one HTTP request.
 *
 * The request's query parameters become the command's argv: the command's
 * operand (symbol=, product= for curve, index= for fixings, expr= for time)
 * first, then every other key=value as --key value (a key with an empty
 * value as the flag --key), then the server's --db and --format (json, or
 * csv when asked). The command parses and checks them as on the command line,
 * so the API has exactly tickq's parameters and one-line errors. Its output
 * and messages go to memory streams (query/qio.h); commands run one at a time
 * under a mutex, since getopt's state and the streams are process-wide.
 *
 * Status: 0 -> 200; an unknown symbol or product -> 404 (the message names
 * the closest); a store that cannot be opened -> 503; other bad input (exit
 * 2) -> 400; another failure (exit 1) -> 500. An error's body is the
 * command's message: {"error": "..."} as JSON, or the line as text with csv. */
#ifndef GT_WEB_API_H
#define GT_WEB_API_H
#include <stddef.h>

enum { API_PARAMS_MAX = 32 };

struct api_param {
    const char *key, *val;
};

struct api_reply {
    int status;
    const char *type; /* Content-Type */
    char *body;       /* malloc'd; api_reply_fini() frees it */
    size_t len;
};

/* The store stays open between commands (cmdstore_keep: each command
 * refreshes it instead of opening it) until api_fini() closes it. */
void api_fini(void);

/* Whether name is a command the API serves. */
int api_known(const char *name);

/* Runs command name with the n parameters p against the store(s) db.
 * csv: answer in CSV, else JSON. Always fills *r. */
void api_run(const char *db, const char *name, const struct api_param *p, int n, int csv,
             struct api_reply *r);
void api_reply_fini(struct api_reply *r);

/* The list of commands as JSON, for GET /api. */
const char *api_index_json(void);

#endif
