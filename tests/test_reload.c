/* SPDX-License-Identifier: MIT */
/* test_reload.c -- SIGHUP reads the configuration again, as the daemons do
 * it live:
 *
 *   - tickfeed: a new log-level takes effect (its stats lines appear), a
 *     bad value or an unreadable file keeps the running configuration and
 *     says why, log-format json turns the lines into JSON, and a change to
 *     an option that is not live is named as waiting for the next start;
 *   - tickproxy and tickstore: the same for their live options (the log's). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>
#include <sys/stat.h>
#include "e2e.h"

static char dir[64];
static int port_base;

static void setup(void)
{
    e2e_dir_make(dir, sizeof dir, "gtreload-test");
    port_base = 36000 + (int)(getpid() % 300) * 16;
}

static void teardown(void)
{
    e2e_dir_remove();
}

TestSuite(reload, .init = setup, .fini = teardown, .timeout = 120);

static void file_write(const char *path, const char *text)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s.new", path);
    FILE *f = fopen(tmp, "w");
    cr_assert(not(eq(ptr, f, NULL)));
    fputs(text, f);
    fclose(f);
    cr_assert(eq(int, rename(tmp, path), 0)); /* whole, as an editor saves */
}

/* Sends SIGHUP every 300 ms until log holds text (at most 20 s): a reload
 * line of a cause already written within the second is held back. */
static int hup_until(pid_t pid, const char *log, const char *text)
{
    for (int i = 0; i < 66; i++) {
        kill(pid, SIGHUP);
        if (log_wait(log, text, 300))
            return 1;
    }
    return 0;
}

/* The number of times text occurs in log. */
static int count(const char *log, const char *text)
{
    int n = 0;
    for (const char *p = log_text(log); (p = strstr(p, text)); p++)
        n++;
    return n;
}

Test(reload, tickfeed_applies_a_new_level_and_keeps_the_old_on_a_bad_file)
{
    char conf[128], base[512], text[1024], jdir[128];
    snprintf(conf, sizeof conf, "%s/tickfeed.conf", dir);
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    snprintf(base, sizeof base,
             "journal %s\npub ipc://%s/pub\nrouter ipc://%s/rtr\nport-base %d\nstats 1\n", jdir,
             dir, dir, port_base);
    snprintf(text, sizeof text, "%slog-level warning\n", base);
    file_write(conf, text);
    pid_t feed = spawn("feedhandler/tickfeed", "feed.log", "--config", conf, NULL);
    /* Up once its journal is there (SIGHUP is caught from before that). */
    struct stat st;
    for (int i = 0; i < 300 && stat(jdir, &st) < 0; i++)
        usleep(100000);
    cr_assert(eq(int, stat(jdir, &st), 0), "tickfeed did not start: %s", log_text("feed.log"));
    usleep(1500000); /* a stats line would be due by now, were it written */
    cr_assert(eq(int, count("feed.log", "tickfeed: stats:"), 0), "warning level: %s",
              log_text("feed.log"));

    /* info: the stats lines appear. */
    snprintf(text, sizeof text, "%slog-level info\n", base);
    file_write(conf, text);
    kill(feed, SIGHUP);
    cr_assert(eq(int, log_wait("feed.log", "info tickfeed: stats:", 20000), 1), "%s",
              log_text("feed.log"));
    cr_assert(eq(int, log_wait("feed.log", "info tickfeed: reload: log-level info", 1000), 1));

    /* A bad value: kept, and why. */
    snprintf(text, sizeof text, "%slog-level loud\n", base);
    file_write(conf, text);
    cr_assert(eq(int,
                 hup_until(feed, "feed.log",
                           "warning tickfeed: reload: --log-level wants debug, info, warning or "
                           "error, not 'loud'; keeping the running configuration"),
                 1),
              "%s", log_text("feed.log"));
    /* An unreadable line: kept, and where. */
    file_write(conf, "bogus 1\n");
    char why[256];
    snprintf(why, sizeof why,
             "warning tickfeed: reload: %s:1: unknown or incomplete option 'bogus'; keeping the "
             "running configuration",
             conf);
    cr_assert(eq(int, hup_until(feed, "feed.log", why), 1), "%s", log_text("feed.log"));
    int stats = count("feed.log", "info tickfeed: stats:");
    cr_assert(eq(int, log_wait("feed.log", "info tickfeed: stats:", 100), 1));
    for (int i = 0; i < 100 && count("feed.log", "info tickfeed: stats:") == stats; i++)
        usleep(100000);
    cr_assert(gt(int, count("feed.log", "info tickfeed: stats:"), stats),
              "still at info after the bad reloads");

    /* JSON, and a change that waits for the next start. */
    snprintf(text, sizeof text, "%slog-format json\nsegment-mb 64\n", base);
    file_write(conf, text);
    cr_assert(eq(int,
                 hup_until(feed, "feed.log",
                           "\"level\":\"warning\",\"prog\":\"tickfeed\",\"cause\":\"reload-"
                           "changed\",\"msg\":\"reload: segment-mb changed; that takes effect at "
                           "the next start\""),
                 1),
              "%s", log_text("feed.log"));
    cr_assert(eq(int, log_wait("feed.log", "{\"ts\":", 5000), 1));
    cr_assert(eq(int, proc_stop(feed, 20000), 0), "tickfeed stopped cleanly");
    /* Every line from the first JSON one on parses. */
    char cmd[512];
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import json,sys\n"
             "n = 0\n"
             "for l in open(sys.argv[1]):\n"
             " if n or l.startswith(\"{\"):\n"
             "  json.loads(l); n += 1\n"
             "assert n >= 2, n\n"
             "' %s/feed.log",
             dir);
    cr_assert(eq(int, system(cmd), 0), "JSON lines: %s", log_text("feed.log"));
}

Test(reload, tickproxy_applies_its_log_options)
{
    char conf[128], text[512];
    snprintf(conf, sizeof conf, "%s/tickproxy.conf", dir);
    snprintf(text, sizeof text,
             "sub-connect ipc://%s/none-pub\nreq-connect ipc://%s/none-rtr\npub-bind "
             "ipc://%s/ppub\nrouter-bind ipc://%s/prtr\nstats 0\n",
             dir, dir, dir, dir);
    file_write(conf, text);
    pid_t proxy = spawn("tools/tickproxy/tickproxy", "proxy.log", "--config", conf, NULL);
    cr_assert(eq(int, log_wait("proxy.log", "info tickproxy: ipc://", 20000), 1), "%s",
              log_text("proxy.log"));
    strcat(text, "log-format json\nlog-level debug\npub-bind ipc://elsewhere\n");
    file_write(conf, text);
    cr_assert(eq(int,
                 hup_until(proxy, "proxy.log",
                           "\"level\":\"info\",\"prog\":\"tickproxy\",\"cause\":\"reload-ok\","
                           "\"msg\":\"reload: log-level debug, log-format json\"}"),
                 1),
              "%s", log_text("proxy.log"));
    cr_assert(eq(int,
                 log_wait("proxy.log",
                          "\"msg\":\"reload: pub-bind changed; that takes effect at the next "
                          "start\"",
                          5000),
                 1),
              "%s", log_text("proxy.log"));
    file_write(conf, "log-level loud\n");
    cr_assert(eq(int,
                 hup_until(proxy, "proxy.log",
                           "\"msg\":\"reload: --log-level wants debug, info, warning or error, "
                           "not 'loud'; keeping the running configuration\""),
                 1),
              "%s", log_text("proxy.log"));
    cr_assert(eq(int, proc_stop(proxy, 20000), 0), "tickproxy stopped cleanly");
}

Test(reload, tickstore_applies_its_log_options)
{
    char conf[128], text[512];
    snprintf(conf, sizeof conf, "%s/tickstore.conf", dir);
    snprintf(text, sizeof text, "db %s/db\nendpoint ipc://%s/none-pub\nrouter ipc://%s/none-rtr\n",
             dir, dir, dir);
    file_write(conf, text);
    pid_t store = spawn("store/tickstore", "store.log", "--config", conf, "--stats", "0", NULL);
    cr_assert(eq(int, log_wait("store.log", "info tickstore: recording ", 20000), 1), "%s",
              log_text("store.log"));
    /* warning: its own reload line is below it, the one naming the change
     * that waits for a restart is not. */
    strcat(text, "log-level warning\nflush-ms 100\n");
    file_write(conf, text);
    cr_assert(eq(int,
                 hup_until(store, "store.log",
                           "warning tickstore: reload: flush-ms changed; that takes effect at the "
                           "next start"),
                 1),
              "%s", log_text("store.log"));
    cr_assert(eq(int, proc_stop(store, 20000), 0), "tickstore stopped cleanly");
    /* Its exit stats line is info: not written at warning. */
    cr_assert(eq(ptr, strstr(log_text("store.log"), "info tickstore: ticks"), NULL), "%s",
              log_text("store.log"));
    cr_assert(eq(ptr, strstr(log_text("store.log"), "info tickstore: reload"), NULL), "%s",
              log_text("store.log"));
}
