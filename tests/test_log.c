/* SPDX-License-Identifier: MIT */
/* test_log.c -- the daemons' event lines (daemon/log.c), as written to
 * stderr:
 *
 *   - a flood of lines of one cause gives at most one line a second, each
 *     saying how many like it were suppressed, and every line of the flood
 *     is either written or counted (log_fini reports the rest);
 *   - another cause is not held back by the flood;
 *   - JSON lines parse (python3's json.loads), whatever a message holds;
 *   - the level filters, text lines carry it, and under journald each line
 *     starts with its syslog priority. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "log.h"

static char path[64];
static int saved_fd = -1;

/* stderr into a fresh file (the log writes fd 2). */
static void setup(void)
{
    snprintf(path, sizeof path, "/tmp/gtlog-test-%d.txt", (int)getpid());
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert(fd >= 0);
    fflush(stderr);
    saved_fd = dup(2);
    dup2(fd, 2);
    close(fd);
    log_init("tickfeed");
}

static void restore(void)
{
    if (saved_fd >= 0) {
        dup2(saved_fd, 2);
        close(saved_fd);
        saved_fd = -1;
    }
}

static void teardown(void)
{
    restore();
    unlink(path);
}

TestSuite(log, .init = setup, .fini = teardown, .timeout = 60);

static char *slurp(void)
{
    static char buf[1 << 20];
    FILE *f = fopen(path, "r");
    cr_assert(not(eq(ptr, f, NULL)));
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    return buf;
}

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

Test(log, a_flood_of_one_cause_gives_at_most_a_line_a_second)
{
    /* 2.5 s of the same cause as fast as it comes (bounded in count too, far
     * above what 2.5 s can send: a suppressed line costs some 50 ns),
     * with another cause now and then. */
    uint64_t n = 0, n_other = 0;
    int64_t t0 = mono_ns();
    while (mono_ns() - t0 < 2500000000LL && n < 1000000000) {
        log_msg(LOG_WARNING, "flood", "CURVE: denied client key %llu", (unsigned long long)n);
        n++;
        if (n % 4096 == 0) {
            log_msg(LOG_WARNING, "other", "another cause %llu", (unsigned long long)n_other);
            n_other++;
        }
    }
    log_fini();
    restore();
    char *t = slurp();
    int lines = 0, other = 0, fini = 0;
    uint64_t written_or_counted = 0;
    for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n")) {
        if (strstr(line, "another cause") || strstr(line, "cause other")) {
            other += !strstr(line, "cause other");
            continue;
        }
        unsigned long long k = 0;
        const char *s = strstr(line, "(");
        if (strstr(line, "more lines of cause flood were suppressed at the end")) {
            cr_assert(eq(int, sscanf(line, "info tickfeed: %llu more", &k), 1), "%s", line);
            written_or_counted += k;
            fini++;
            continue;
        }
        cr_assert(not(eq(ptr, strstr(line, "warning tickfeed: CURVE: denied client key "), NULL)),
                  "%s", line);
        lines++;
        written_or_counted++;
        if (s && sscanf(s, "(%llu more like this suppressed)", &k) == 1)
            written_or_counted += k;
        else
            cr_assert(eq(int, lines, 1), "only the first line has nothing to report: %s", line);
    }
    /* At 0 s, then no sooner than 1 s and 2 s after it: 3 in 2.5 s at most;
     * 2 at least, even if the machine stalled the loop half a second. */
    cr_assert(le(int, lines, 3), "%d lines of one cause in 2.5 s", lines);
    cr_assert(ge(int, lines, 2), "%d lines of one cause in 2.5 s", lines);
    cr_assert(le(int, other, 3), "the other cause is limited on its own");
    cr_assert(ge(int, other, n_other > 0 ? 1 : 0), "the other cause is not held back by the flood");
    cr_assert(le(int, fini, 1));
    cr_assert(eq(u64, written_or_counted, n), "every line of the flood written or counted");
    cr_assert(eq(u64, log_suppressed_total(), n + n_other - (uint64_t)lines - (uint64_t)other));
}

Test(log, json_lines_parse_whatever_a_message_holds)
{
    log_set(LOG_DEBUG, LOG_JSON);
    log_msg(LOG_DEBUG, NULL, "plain");
    log_msg(LOG_INFO, NULL, "quote \" backslash \\ newline \n tab \t bell \x07 del \x7f end");
    log_msg(LOG_WARNING, "x", "caf\xc3\xa9 %d", 1);
    log_msg(LOG_WARNING, "x", "held back");
    log_msg(LOG_ERROR, NULL, "%s", "");
    fflush(stderr);
    char cmd[512];
    /* json.loads each line; print level|cause|msg|suppressed for the check. */
    snprintf(cmd, sizeof cmd,
             "python3 -c 'import json,sys\n"
             "for l in open(sys.argv[1], encoding=\"utf-8\"):\n"
             " o = json.loads(l)\n"
             " assert o[\"prog\"] == \"tickfeed\" and o[\"ts\"].endswith(\"Z\")\n"
             " print(o[\"level\"], o.get(\"cause\"), repr(o[\"msg\"]), o.get(\"suppressed\"))\n"
             "' %s 2>&1",
             path);
    FILE *p = popen(cmd, "r");
    cr_assert(not(eq(ptr, p, NULL)));
    char out[2048] = "";
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = 0;
    int rc = pclose(p);
    if (WIFEXITED(rc) && WEXITSTATUS(rc) == 127)
        cr_skip_test("no python3");
    cr_assert(eq(int, rc, 0), "a line did not parse:\n%s\n%s", out, slurp());
    cr_assert(eq(str, out,
                 "debug None 'plain' None\n"
                 "info None 'quote \" backslash \\\\ newline \\n tab \\t bell \\x07 del \\x7f end' "
                 "None\n"
                 "warning x 'caf\xc3\xa9 1' None\n"
                 "error None '' None\n"));
}

Test(log, the_level_filters_and_text_lines_carry_it)
{
    log_set(LOG_WARNING, LOG_TEXT);
    log_msg(LOG_INFO, NULL, "not written");
    log_msg(LOG_WARNING, NULL, "journal: disk full\nsecond half");
    log_msg(LOG_ERROR, NULL, "stopping");
    cr_assert(eq(int, log_level_get(), LOG_WARNING));
    restore();
    cr_assert(eq(str, slurp(),
                 "warning tickfeed: journal: disk full second half\n"
                 "error tickfeed: stopping\n"));
}

Test(log, under_journald_a_line_starts_with_its_priority)
{
    struct stat st;
    cr_assert(eq(int, fstat(2, &st), 0));
    char js[64];
    snprintf(js, sizeof js, "%llu:%llu", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino);
    setenv("JOURNAL_STREAM", js, 1);
    log_init("tickstore");
    log_msg(LOG_WARNING, NULL, "commits fail");
    log_msg(LOG_INFO, NULL, "recording");
    restore();
    cr_assert(
        eq(str, slurp(), "<4>warning tickstore: commits fail\n<6>info tickstore: recording\n"));
}

Test(log, option_values_are_checked)
{
    enum log_level l = LOG_INFO;
    enum log_format f = LOG_TEXT;
    char err[GT_ERRLEN];
    cr_assert(eq(int, log_opt_parse("log-level", "debug", &l, &f, err), 0));
    cr_assert(eq(int, l, LOG_DEBUG));
    cr_assert(eq(int, log_opt_parse("log-format", "json", &l, &f, err), 0));
    cr_assert(eq(int, f, LOG_JSON));
    cr_assert(eq(int, log_opt_parse("log-level", "loud", &l, &f, err), -1));
    cr_assert(eq(str, err, "--log-level wants debug, info, warning or error, not 'loud'"));
    cr_assert(eq(int, log_opt_parse("stats", "1", &l, &f, err), 1));
}
