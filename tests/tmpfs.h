/* SPDX-License-Identifier: MIT */
/* tmpfs.h -- a private, size-limited tmpfs for the full-disk tests.
 *
 * tmpfs_private() moves the calling process into its own user and mount
 * namespaces (so no root is needed and nothing outside sees the mount) and
 * mounts a tmpfs of the given size ("256k") on dir. Call it in a forked
 * child: unshare needs a single-threaded process. Returns 0, or -1 when this
 * machine does not allow it (the test then skips). */
#ifndef GT_TEST_TMPFS_H
#define GT_TEST_TMPFS_H
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

static void tmpfs_write_proc(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static int tmpfs_private(const char *dir, const char *size)
{
    char map[64], opts[32];
    unsigned uid = (unsigned)getuid(), gid = (unsigned)getgid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
        return -1;
    /* Keep our own ids inside the namespace, so the files stay ours. */
    tmpfs_write_proc("/proc/self/setgroups", "deny");
    snprintf(map, sizeof map, "%u %u 1", uid, uid);
    tmpfs_write_proc("/proc/self/uid_map", map);
    snprintf(map, sizeof map, "%u %u 1", gid, gid);
    tmpfs_write_proc("/proc/self/gid_map", map);
    snprintf(opts, sizeof opts, "size=%s", size);
    return mount("tmpfs", dir, "tmpfs", 0, opts) == 0 ? 0 : -1;
}

#endif
