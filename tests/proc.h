/* SPDX-License-Identifier: MIT */
/* proc.h -- the built programs as child processes of a test: start one from
 * the build tree with its output in a log file, wait for it with a bound,
 * stop it.
 *
 * Programs are found under $GT_BINARY_DIR (ctest sets it; a test run by hand
 * without it skips). A child gets SIGKILL when the test process dies, so a
 * test that times out leaves nothing running. Every wait is bounded: a child
 * that does not exit in time is killed. */
#ifndef GT_TEST_PROC_H
#define GT_TEST_PROC_H
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* The path of rel under the build tree into out; skips the test if
 * GT_BINARY_DIR is not set. */
static inline void proc_bin(char *out, size_t cap, const char *rel)
{
    const char *bin = getenv("GT_BINARY_DIR");
    if (!bin)
        cr_skip_test("GT_BINARY_DIR is not set (run under ctest)");
    snprintf(out, cap, "%s/%s", bin, rel);
}

/* Starts the program rel (a path under the build tree, e.g.
 * "tools/ticksim/ticksim") with the arguments of ap (NULL-terminated); its
 * stdout goes to the file out_log and its stderr to err_log (one file when
 * the paths are equal), both there when this returns. */
static inline pid_t proc_vstart(const char *rel, const char *out_log, const char *err_log,
                                va_list ap)
{
    char exe[512];
    char *argv[48];
    int argc = 0;
    proc_bin(exe, sizeof exe, rel);
    argv[argc++] = exe;
    for (char *a; (a = va_arg(ap, char *)) && argc < 46;)
        argv[argc++] = a;
    argv[argc] = NULL;
    int fo = open(out_log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int fe = strcmp(out_log, err_log) == 0 ? fo : open(err_log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert(fo >= 0 && fe >= 0, "cannot create %s or %s", out_log, err_log);
    pid_t pid = fork();
    cr_assert(pid >= 0, "fork failed");
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(fo, 1);
        dup2(fe, 2);
        execv(exe, argv);
        _exit(127);
    }
    close(fo);
    if (fe != fo)
        close(fe);
    return pid;
}

/* proc_vstart() with the arguments given here, stdout and stderr both to
 * the file log. */
static inline pid_t proc_spawn(const char *rel, const char *log, ...)
{
    va_list ap;
    va_start(ap, log);
    pid_t pid = proc_vstart(rel, log, log, ap);
    va_end(ap);
    return pid;
}

/* Waits up to ms for pid to exit, then kills it. Returns its exit status
 * (128 + the signal if a signal ended it), or -1 if it had to be killed. */
static inline int proc_wait(pid_t pid, int ms)
{
    int st;
    for (int i = 0; i < ms / 10; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        usleep(10000);
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    return -1;
}

/* Sends SIGTERM and waits up to ms (proc_wait). */
static inline int proc_stop(pid_t pid, int ms)
{
    kill(pid, SIGTERM);
    return proc_wait(pid, ms);
}

#endif
