/* SPDX-License-Identifier: MIT */
/* test_conf.c -- the one configuration format of the daemons (--config,
 * --print-config), as the programs read it:
 *
 *   - a file's values pass the same checks as the command line's;
 *   - a later value wins: an option after --config, or a later file;
 *   - --print-config prints the options in effect in the file's format;
 *   - an unknown option, a second value, --help inside a file and an
 *     unreadable file are refused in one line naming file and line (exit 2),
 *     by tickfeed, tickstore and tickproxy alike. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>
#include <sys/stat.h>
#include "e2e.h"

E2E_SUITE(conf, "gtconf-test", 0, 0, 60);

/* Writes text into dir/name; its path into path. */
static void file_write(char *path, size_t cap, const char *name, const char *text)
{
    snprintf(path, cap, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert(not(eq(ptr, f, NULL)));
    fputs(text, f);
    fclose(f);
}

/* Runs a program to its end (at most 10 s); returns its exit status. */
static int run(const char *rel, const char *log, const char *a1, const char *a2, const char *a3,
               const char *a4)
{
    return proc_wait(spawn(rel, log, a1, a2, a3, a4, NULL), 10000);
}

Test(conf, a_files_values_pass_the_command_lines_checks)
{
    char f[128];
    file_write(f, sizeof f, "bad.conf", "# a bad interval\nflush-ms 5000\n");
    cr_assert(eq(int, run("store/tickstore", "bad.log", "--config", f, NULL, NULL), 2));
    cr_assert(eq(str, (char *)log_text("bad.log"),
                 "tickstore: bad --flush-ms '5000' (want 1 to 1000)\n"));
}

Test(conf, a_later_value_wins)
{
    char f[128], a[128], b[128], text[512], cur[160];
    snprintf(a, sizeof a, "%s/a.db", dir);
    snprintf(b, sizeof b, "%s/b.db", dir);
    snprintf(text, sizeof text,
             "db %s\nendpoint ipc://%s/none-pub\nrouter ipc://%s/none-rtr\nstats 0\n", a, dir, dir);
    file_write(f, sizeof f, "store.conf", text);
    pid_t p = spawn("store/tickstore", "store.log", "--config", f, "--db", b, NULL);
    snprintf(cur, sizeof cur, "%s/CURRENT", b);
    struct stat sb;
    for (int i = 0; i < 100 && stat(cur, &sb) != 0; i++)
        usleep(100000);
    cr_assert(eq(int, proc_stop(p, 20000), 0), "%s", log_text("store.log"));
    cr_assert(eq(int, stat(cur, &sb), 0), "the store of --db after --config: %s",
              log_text("store.log"));
    cr_assert(eq(int, stat(a, &sb), -1), "not the file's");
    cr_assert(not(eq(ptr, strstr(log_text("store.log"), "none-pub"), NULL)),
              "the file's other options hold: %s", log_text("store.log"));

    /* Two files: the second's value. */
    char g[128];
    file_write(g, sizeof g, "later.conf", "stats 7\n");
    pid_t q =
        spawn("store/tickstore", "print.log", "--config", f, "--config", g, "--print-config", NULL);
    cr_assert(eq(int, proc_wait(q, 10000), 0));
    cr_assert(not(eq(ptr, strstr(log_text("print.log"), "\nstats 0\nstats 7\n"), NULL)), "%s",
              log_text("print.log"));
}

Test(conf, print_config_shows_the_options_in_effect_in_the_files_format)
{
    char f[128];
    file_write(f, sizeof f, "proxy.conf",
               "sub-connect tcp://127.0.0.1:5560   # upstream\n"
               "\n"
               "pub-bind \"ipc:///tmp/p\"\n"
               "router-bind \"\"\n"
               "bind-remote\n");
    pid_t p = spawn("tools/tickproxy/tickproxy", "p.log", "--stats", "5", "--config", f,
                    "--print-config", NULL);
    cr_assert(eq(int, proc_wait(p, 10000), 0));
    const char *t = log_text("p.log");
    const char *body = strstr(t, "\nstats 5\n");
    cr_assert(not(eq(ptr, (void *)body, NULL)), "%s", t);
    cr_assert(eq(str, (char *)body + 1,
                 "stats 5\nsub-connect tcp://127.0.0.1:5560\npub-bind ipc:///tmp/p\n"
                 "router-bind \"\"\nbind-remote\n"));
    cr_assert(eq(int, strncmp(t, "# tickproxy: the options in effect", 34), 0), "%s", t);
}

Test(conf, bad_files_are_refused_in_one_line_by_every_daemon)
{
    static const struct {
        const char *rel, *prog, *text, *want;
    } cases[] = {
        {"feedhandler/tickfeed", "tickfeed", "stats 5\nbogus 1\n",
         ":2: unknown or incomplete option 'bogus'\n"},
        {"store/tickstore", "tickstore", "db /a /b\n",
         ":1: more than one value for 'db' (no spaces in a value)\n"},
        {"tools/tickproxy/tickproxy", "tickproxy", "help\n",
         ":1: unknown or incomplete option 'help'\n"},
        {"store/tickstore", "tickstore", "config /etc/passwd\n",
         ":1: unknown or incomplete option 'config'\n"},
        {"tools/tickproxy/tickproxy", "tickproxy", "pub-bind\n",
         ":1: unknown or incomplete option 'pub-bind'\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char f[128], log[32], want[300];
        snprintf(log, sizeof log, "bad%zu.log", i);
        file_write(f, sizeof f, "bad.conf", cases[i].text);
        cr_assert(eq(int, run(cases[i].rel, log, "--config", f, NULL, NULL), 2), "%s",
                  log_text(log));
        snprintf(want, sizeof want, "%s: %s%s", cases[i].prog, f, cases[i].want);
        cr_assert(eq(str, (char *)log_text(log), want));
    }
    cr_assert(eq(
        int, run("feedhandler/tickfeed", "none.log", "--config", "/nonexistent.conf", NULL, NULL),
        2));
    cr_assert(eq(str, (char *)log_text("none.log"),
                 "tickfeed: cannot read config /nonexistent.conf: No such file or directory\n"));
}
