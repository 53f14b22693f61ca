/* SPDX-License-Identifier: MIT */
/* reload.c -- SIGHUP and the configuration read again (see reload.h).
 *
 * The command line is the same at every reload; only the files it names
 * change. So a changed option shows up as a different list of values for
 * its long name in the expanded vectors: the values are compared name by
 * name, in order, and a short option (only ever typed on the command line)
 * never differs. */
#include "reload.h"
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include "conf.h"
#include "log.h"

static volatile sig_atomic_t hup;
static int orig_argc, run_argc;
static char **orig_argv, **run_argv;

static void on_hup(int sig)
{
    (void)sig;
    hup = 1;
}

void reload_init(int argc, char **argv, int r_argc, char **r_argv)
{
    orig_argc = argc;
    orig_argv = argv;
    run_argc = r_argc;
    run_argv = r_argv;
    struct sigaction sa = {.sa_handler = on_hup, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGHUP, &sa, NULL);
}

int reload_pending(void)
{
    if (!hup)
        return 0;
    hup = 0;
    return 1;
}

int reload_read(const char *prog, const struct option *opts, int *argc, char ***argv,
                char err[GT_ERRLEN])
{
    int n = orig_argc;
    char **v = orig_argv;
    int rc = conf_expand_err(prog, &n, &v, opts, err);
    if (rc != 0) {
        if (rc > 0)
            snprintf(err, GT_ERRLEN, "--print-config on a reload");
        return -1;
    }
    *argc = n;
    *argv = v;
    return 0;
}

/* The i-th value of long option name in (argc, argv) (from 0), "" for a
 * flag, or NULL after the last. A value is looked for after "--name" only
 * where has_arg says the option takes one. */
static const char *value_at(int argc, char **argv, const char *name, int has_arg, int nth)
{
    size_t len = strlen(name);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--"))
            break;
        if (strncmp(a, "--", 2) || strncmp(a + 2, name, len) || (a[2 + len] && a[2 + len] != '='))
            continue;
        const char *val = a[2 + len] == '='         ? a + 3 + len
                          : has_arg && i + 1 < argc ? argv[++i]
                                                    : "";
        if (nth-- == 0)
            return val;
    }
    return NULL;
}

const char *reload_value(int argc, char **argv, const char *name)
{
    const char *last = NULL, *v;
    for (int i = 0; (v = value_at(argc, argv, name, 1, i)); i++)
        last = v;
    return last;
}

int reload_changed(const struct option *opts, const char *const *live, int argc, char **argv,
                   char *out, size_t cap)
{
    int n = 0;
    size_t len = 0;
    out[0] = 0;
    for (const struct option *o = opts; o->name; o++) {
        int is_live = 0;
        for (const char *const *l = live; *l && !is_live; l++)
            is_live = !strcmp(*l, o->name);
        if (is_live)
            continue;
        int ha = o->has_arg != no_argument;
        for (int i = 0;; i++) {
            const char *a = value_at(run_argc, run_argv, o->name, ha, i);
            const char *b = value_at(argc, argv, o->name, ha, i);
            if (!a && !b)
                break;
            if (a && b && !strcmp(a, b))
                continue;
            int w = snprintf(out + len, cap - len, "%s%s", n ? ", " : "", o->name);
            if (w > 0 && (size_t)w < cap - len)
                len += (size_t)w;
            n++;
            break;
        }
    }
    run_argc = argc;
    run_argv = argv;
    return n;
}

void reload_log_only(const char *prog, const struct option *opts)
{
    static const char *const live[] = {"log-level", "log-format", NULL};
    int argc;
    char **argv, err[GT_ERRLEN], changed[512];
    enum log_level level = LOG_INFO;
    enum log_format format = LOG_TEXT;
    const char *v;
    if (reload_read(prog, opts, &argc, &argv, err) < 0 ||
        ((v = reload_value(argc, argv, "log-level")) &&
         log_opt_parse("log-level", v, &level, &format, err) < 0) ||
        ((v = reload_value(argc, argv, "log-format")) &&
         log_opt_parse("log-format", v, &level, &format, err) < 0)) {
        log_msg(LOG_WARNING, "reload", "reload: %s; keeping the running configuration", err);
        return;
    }
    log_set(level, format);
    log_msg(LOG_INFO, "reload-ok", "reload: log-level %s, log-format %s", log_level_name(level),
            format == LOG_JSON ? "json" : "text");
    if (reload_changed(opts, live, argc, argv, changed, sizeof changed) > 0)
        log_msg(LOG_WARNING, "reload-changed",
                "reload: %s changed; that takes effect at the next start", changed);
}
