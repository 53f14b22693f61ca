/* SPDX-License-Identifier: MIT */
/* svc.c -- sd_notify for the daemons (see svc.h).
 *
 * libsystemd's sd_notify() does the sending; sd_watchdog_enabled() reads
 * WATCHDOG_USEC (and WATCHDOG_PID) once, at the first call. GT_HAVE_SYSTEMD
 * is set by the build where libsystemd-dev was found; without it every
 * function is empty. A failed notification is not an error for the program:
 * systemd restarts it if the watchdog starves, which is the point. */
#include "svc.h"
#include <stdint.h>
#include <time.h>
#ifdef GT_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#ifdef GT_HAVE_SYSTEMD
static int ready;           /* READY=1 sent */
static int64_t every_ns;    /* WATCHDOG=1 interval, 0 = no watchdog */
static int64_t next_pet_ns; /* when the next WATCHDOG=1 is due, monotonic */

/* The monotonic clock: a wall-clock step back must not starve the watchdog. */
static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void svc_alive(void)
{
    if (!ready) {
        uint64_t usec = 0;
        ready = 1;
        if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0)
            every_ns = (int64_t)(usec * 1000 / 4);
        sd_notify(0, "READY=1");
        next_pet_ns = mono_ns() + every_ns;
        return;
    }
    if (every_ns == 0)
        return;
    int64_t now = mono_ns();
    if (now < next_pet_ns)
        return;
    sd_notify(0, "WATCHDOG=1");
    next_pet_ns = now + every_ns;
}

void svc_stopping(void)
{
    sd_notify(0, "STOPPING=1");
}
#else
void svc_alive(void)
{
}

void svc_stopping(void)
{
}
#endif
