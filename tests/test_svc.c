/* SPDX-License-Identifier: MIT */
/* test_svc.c -- what tickfeed, tickstore and tickproxy tell systemd, as
 * systemd hears it: each program runs with NOTIFY_SOCKET naming a datagram
 * socket this test holds (the sd_notify protocol, as systemd sets it up for a
 * Type=notify unit) and WATCHDOG_USEC=400000. Each must send READY=1 once it
 * serves, then WATCHDOG=1 again and again (at a quarter of the interval, at
 * most), and run as before without NOTIFY_SOCKET. tickstore also says
 * STOPPING=1 when asked to stop; with no tickfeed to answer its replays it
 * still pets the watchdog, every replay timeout (5 s) or so. A build without libsystemd skips
 * these. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "e2e.h"

E2E_SUITE(svc, "gtsvc-test", 0, 0, 120);

/* Skips the test if the built program does not link libsystemd. */
static void need_libsystemd(const char *rel)
{
    char exe[512], cmd[600];
    proc_bin(exe, sizeof exe, rel);
    snprintf(cmd, sizeof cmd, "grep -q libsystemd.so '%s'", exe);
    if (system(cmd) != 0)
        cr_skip_test("%s is built without libsystemd (libsystemd-dev): no sd_notify", rel);
}

/* A datagram socket at dir/notify, and NOTIFY_SOCKET naming it. */
static int notify_socket(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s/notify", dir);
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    cr_assert(ge(int, fd, 0));
    cr_assert(eq(int, bind(fd, (struct sockaddr *)&sa, sizeof sa), 0));
    struct timeval tv = {0, 100000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setenv("NOTIFY_SOCKET", sa.sun_path, 1);
    setenv("WATCHDOG_USEC", "400000", 1);
    return fd;
}

struct heard {
    int ready, watchdog, stopping, other;
    char first[64];
};

/* Reads what comes on fd for up to ms, or until want watchdog pets came
 * after READY=1. */
static void listen_for(int fd, int ms, int want, struct heard *h)
{
    for (int i = 0; i < ms / 100 && !(h->ready && h->watchdog >= want); i++) {
        char msg[256];
        ssize_t n;
        while ((n = recv(fd, msg, sizeof msg - 1, 0)) > 0) {
            msg[n] = 0;
            if (!h->first[0])
                snprintf(h->first, sizeof h->first, "%.63s", msg);
            if (strstr(msg, "READY=1"))
                h->ready++;
            else if (strstr(msg, "WATCHDOG=1"))
                h->watchdog += h->ready > 0;
            else if (strstr(msg, "STOPPING=1"))
                h->stopping++;
            else
                h->other++;
        }
    }
}

/* READY=1 first, then want watchdog pets within ms. */
/* tickstore on a store in the test's folder, with no tickfeed behind its
 * endpoints. */
static pid_t store_start(void)
{
    char db[128], pub[128], rtr[128];
    snprintf(db, sizeof db, "%s/db", dir);
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    snprintf(rtr, sizeof rtr, "ipc://%s/rtr", dir);
    return spawn("store/tickstore", "store.log", "--db", db, "--endpoint", pub, "--router", rtr,
                 "--stats", "0", NULL);
}

static void check_daemon(const char *rel, const char *log, pid_t pid, int fd, int want, int ms)
{
    struct heard h = {0};
    listen_for(fd, ms, want, &h);
    if (!h.ready)
        show_log(log);
    cr_assert(eq(str, h.first, "READY=1"), "%s: the first notification", rel);
    cr_assert(eq(int, h.ready, 1), "%s: READY=1 once", rel);
    cr_assert(ge(int, h.watchdog, want), "%s: the watchdog petted", rel);
    cr_assert(eq(int, waitpid(pid, NULL, WNOHANG), 0), "%s still runs", rel);
}

Test(svc, tickfeed_is_ready_then_pets_the_watchdog)
{
    need_libsystemd("feedhandler/tickfeed");
    int fd = notify_socket();
    char jdir[128], pub[128], rtr[128], pb[16];
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    snprintf(rtr, sizeof rtr, "ipc://%s/rtr", dir);
    snprintf(pb, sizeof pb, "%d", 24000 + (int)(getpid() % 300) * 8);
    pid_t p = spawn("feedhandler/tickfeed", "feed.log", "--port-base", pb, "--journal", jdir,
                    "--pub", pub, "--router", rtr, NULL);
    check_daemon("tickfeed", "feed.log", p, fd, 5, 20000);
    cr_assert(eq(int, proc_stop(p, 10000), 0));
}

Test(svc, tickstore_is_ready_pets_the_watchdog_and_says_it_stops)
{
    need_libsystemd("store/tickstore");
    int fd = notify_socket();
    pid_t p = store_start();
    /* No tickfeed answers: each catch-up replay waits out its 5 s timeout
     * before the loop turns again, so the pets come about every 6 s (the
     * unit's WatchdogSec=60s leaves ten times that). */
    check_daemon("tickstore", "store.log", p, fd, 3, 40000);
    kill(p, SIGTERM);
    struct heard h = {0};
    for (int i = 0; i < 50 && !h.stopping; i++)
        listen_for(fd, 100, 1000, &h);
    cr_assert(eq(int, h.stopping, 1), "STOPPING=1 on SIGTERM");
    cr_assert(eq(int, proc_wait(p, 20000), 0));
}

Test(svc, tickproxy_is_ready_then_pets_the_watchdog)
{
    need_libsystemd("tools/tickproxy/tickproxy");
    int fd = notify_socket();
    char a[4][128];
    const char *names[4] = {"up", "rq", "pub", "rtr"};
    for (int i = 0; i < 4; i++)
        snprintf(a[i], sizeof a[i], "ipc://%s/%s", dir, names[i]);
    pid_t p =
        spawn("tools/tickproxy/tickproxy", "proxy.log", "--sub-connect", a[0], "--req-connect",
              a[1], "--pub-bind", a[2], "--router-bind", a[3], "--stats", "0", NULL);
    check_daemon("tickproxy", "proxy.log", p, fd, 5, 20000);
    cr_assert(eq(int, proc_stop(p, 10000), 0));
}

Test(svc, without_notify_socket_nothing_changes)
{
    unsetenv("NOTIFY_SOCKET");
    pid_t p = store_start();
    for (int i = 0; i < 100 && !strstr(log_text("store.log"), "recording"); i++)
        usleep(100000);
    cr_assert(not(eq(ptr, strstr(log_text("store.log"), "tickstore: recording"), NULL)), "%s",
              log_text("store.log"));
    cr_assert(eq(int, proc_stop(p, 20000), 0), "%s", log_text("store.log"));
}
