/* SPDX-License-Identifier: MIT */
/* conf.c -- configuration files as command-line options (see conf.h).
 *
 * The expanded vector and the strings it points at are kept in one static
 * list for the life of the process (a program's options are read once), so
 * nothing is freed while getopt_long or the program still points into it. */
#include "conf.h"
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *say_to; /* conf_expand_err()'s buffer, or NULL: stderr */

/* One error line: "PROG: ..." on stderr, or the text alone into say_to. */
static void say(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const char *prog, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (say_to) {
        vsnprintf(say_to, GT_ERRLEN, fmt, ap);
    } else {
        fprintf(stderr, "%s: ", prog);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
    }
    va_end(ap);
}

static char **kept; /* the strings and vectors made, for the life of the process */
static size_t n_kept, cap_kept;

static void *keep(void *p)
{
    if (!p)
        return NULL;
    if (n_kept == cap_kept) {
        size_t cap = cap_kept ? cap_kept * 2 : 64;
        char **k = realloc(kept, cap * sizeof *k);
        if (!k) {
            free(p);
            return NULL;
        }
        kept = k;
        cap_kept = cap;
    }
    kept[n_kept++] = p;
    return p;
}

struct vec {
    char **v;
    int n, cap;
};

static int vec_add(struct vec *v, char *s)
{
    if (!s)
        return -1;
    if (v->n + 1 >= v->cap) {
        int cap = v->cap ? v->cap * 2 : 32;
        char **p = realloc(v->v, (size_t)cap * sizeof *p);
        if (!p)
            return -1;
        v->v = p;
        v->cap = cap;
    }
    v->v[v->n++] = s;
    v->v[v->n] = NULL;
    return 0;
}

/* Appends the options of file path to out. Returns 0 or -1 (printed). */
static int conf_file(const char *prog, const char *path, const struct option *opts, struct vec *out)
{
    FILE *fp = fopen(path, "r");
    if (!fp) {
        say(prog, "cannot read config %s: %s", path, strerror(errno));
        return -1;
    }
    char line[512];
    int ln = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, fp)) {
        ln++;
        char *h = strchr(line, '#');
        if (h)
            *h = 0;
        char name[64], val[448], rest[2];
        int k = sscanf(line, " %63s %447s %1s", name, val, rest);
        if (k <= 0)
            continue;
        if (k == 3) {
            say(prog, "%s:%d: more than one value for '%s' (no spaces in a value)", path, ln, name);
            rc = -1;
            break;
        }
        const struct option *o = opts;
        while (o->name && strcmp(o->name, name))
            o++;
        if (!o->name || !strcmp(name, "config") || !strcmp(name, "help") ||
            !strcmp(name, "version") || (o->has_arg == required_argument && k < 2)) {
            say(prog, "%s:%d: unknown or incomplete option '%s'", path, ln, name);
            rc = -1;
            break;
        }
        size_t vl = strlen(val);
        if (k == 2 && vl >= 2 && (val[0] == '"' || val[0] == '\'') && val[vl - 1] == val[0]) {
            memmove(val, val + 1, vl - 2); /* a quoted value: "" is the empty one */
            val[vl - 2] = 0;
        }
        char opt[80];
        snprintf(opt, sizeof opt, "--%s", name);
        if (vec_add(out, keep(strdup(opt))) < 0 ||
            (o->has_arg != no_argument && vec_add(out, keep(strdup(val))) < 0)) {
            say(prog, "%s:%d: out of memory", path, ln);
            rc = -1;
        }
    }
    fclose(fp);
    return rc;
}

/* --print-config: v's options in the file's format, in the order they apply. */
static void conf_print(const char *prog, char **v, int n, const struct option *opts)
{
    printf("# %s: the options in effect, in the order they apply (a later one wins where an\n"
           "# option takes one value); the others keep their defaults (%s --help)\n",
           prog, prog);
    for (int i = 1; i < n; i++) {
        const char *a = v[i], *eq = NULL;
        if (strncmp(a, "--", 2) != 0 || !strcmp(a, "--print-config")) {
            printf("# not an option: %s\n", a);
            continue;
        }
        size_t len = (eq = strchr(a, '=')) ? (size_t)(eq - a - 2) : strlen(a + 2);
        const struct option *o = opts;
        while (o->name && (strlen(o->name) != len || strncmp(o->name, a + 2, len)))
            o++;
        if (o->name && o->has_arg != no_argument) {
            const char *val = eq ? eq + 1 : i + 1 < n ? v[++i] : "";
            printf(*val && !strpbrk(val, " \t#") ? "%s %s\n" : "%s \"%s\"\n", o->name, val);
        } else {
            printf("%.*s\n", (int)len, a + 2);
        }
    }
}

int conf_expand(const char *prog, int *argc, char ***argv, const struct option *opts)
{
    struct vec out = {0};
    int rc = 0, print = 0, oom = vec_add(&out, (*argv)[0]) < 0;
    for (int i = 1; !oom && rc == 0 && i < *argc; i++) {
        const char *a = (*argv)[i];
        if (!strcmp(a, "--")) { /* the rest are arguments, not options */
            for (; !oom && i < *argc; i++)
                oom = vec_add(&out, (*argv)[i]) < 0;
            break;
        }
        if (!strncmp(a, "--config=", 9))
            rc = conf_file(prog, a + 9, opts, &out);
        else if (!strcmp(a, "--config") && i + 1 < *argc)
            rc = conf_file(prog, (*argv)[++i], opts, &out);
        else if (!strcmp(a, "--print-config"))
            print = 1;
        else
            oom = vec_add(&out, (*argv)[i]) < 0;
    }
    if (oom || rc < 0) {
        if (oom)
            say(prog, "out of memory");
        free(out.v);
        return -1;
    }
    if (!keep(out.v)) {
        say(prog, "out of memory");
        return -1;
    }
    *argc = out.n;
    *argv = out.v;
    if (print)
        conf_print(prog, out.v, out.n, opts);
    return print;
}

int conf_expand_err(const char *prog, int *argc, char ***argv, const struct option *opts,
                    char err[GT_ERRLEN])
{
    err[0] = 0;
    say_to = err;
    int rc = conf_expand(prog, argc, argv, opts);
    say_to = NULL;
    return rc;
}
