/* SPDX-License-Identifier: MIT */
/* svc.h -- what a daemon tells systemd: ready, and still alive.
 *
 * tickfeed, tickstore and tickproxy run as Type=notify units with a watchdog
 * (systemd/ in the tree). svc_alive() is called from each program's main loop:
 * the first call sends READY=1 (so a program calls it only once it serves),
 * later calls send WATCHDOG=1, at most four times per watchdog interval the
 * unit set (WATCHDOG_USEC), never per message. Outside systemd (no
 * NOTIFY_SOCKET in the environment) and in a build without libsystemd both do
 * nothing, so the programs run the same from a shell. Not thread-safe: one
 * thread (the main loop's) calls it. */
#ifndef GT_SVC_H
#define GT_SVC_H

/* READY=1 on the first call, then WATCHDOG=1 when a quarter of the watchdog
 * interval has passed since the last. Cheap enough for every loop turn. */
void svc_alive(void);

/* STOPPING=1: the program is shutting down (committing, closing). */
void svc_stopping(void);

#endif
