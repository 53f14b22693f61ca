/* SPDX-License-Identifier: MIT */
/* backup.c -- tickstore --backup: RocksDB checkpoints of a live store (see
 * backup.h for the protocol between the asker and the recorder).
 *
 * The checkpoint is taken with memtables flushed (log_size_for_flush 0), so
 * the copy is table files and a manifest, no log to replay. The recorder
 * takes it from its own loop, between commits: every write RocksDB has then
 * is a whole commit, blocks and checkpoint sequence together, so the copy's
 * checkpoint names exactly what it holds. */
#include "backup.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <rocksdb/c.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { POLL_MS = 20 };

static volatile sig_atomic_t asked;

void backup_signal(void)
{
    asked = 1;
}

int backup_take(gt_store *st, const char *dir, uint64_t *seq, char err[GT_ERRLEN])
{
    struct stat sb;
    if (stat(dir, &sb) == 0) {
        snprintf(err, GT_ERRLEN, "backup folder %s exists (a backup goes into a new folder)", dir);
        return GT_EINVAL;
    }
    char *dberr = NULL;
    rocksdb_checkpoint_t *cp = rocksdb_checkpoint_object_create(store_rocksdb(st), &dberr);
    if (!dberr)
        rocksdb_checkpoint_create(cp, dir, 0, &dberr);
    rocksdb_checkpoint_object_destroy(cp);
    if (dberr) {
        snprintf(err, GT_ERRLEN, "backup into %s: %s", dir, dberr);
        rocksdb_free(dberr);
        return GT_EDB;
    }
    uint64_t want = gt_store_checkpoint(st);
    gt_store *copy;
    char oerr[GT_ERRLEN];
    int rc = gt_store_open(dir, GT_STORE_READER, &copy, oerr);
    if (rc < 0) {
        snprintf(err, GT_ERRLEN, "backup does not open: %.200s", oerr);
        return rc;
    }
    uint64_t got = gt_store_checkpoint(copy);
    gt_store_close(copy);
    if (got != want) {
        snprintf(err, GT_ERRLEN, "backup %s holds checkpoint %llu, the store %llu", dir,
                 (unsigned long long)got, (unsigned long long)want);
        return GT_ECORRUPT;
    }
    *seq = got;
    return GT_OK;
}

/* path = db "/" name, or -1 if it does not fit. */
static int path_in(char path[PATH_MAX], const char *db, const char *name)
{
    int n = snprintf(path, PATH_MAX, "%s/%s", db, name);
    return n < 0 || n >= PATH_MAX ? -1 : 0;
}

/* Writes text into db/name through a temporary file and a rename, so a
 * reader sees all of it or nothing. Returns 0 or -1 with errno. */
static int file_put(const char *db, const char *name, const char *text)
{
    char path[PATH_MAX], tmp[PATH_MAX + 8];
    if (path_in(path, db, name) < 0) {
        errno = ENAMETOOLONG;
        return -1;
    }
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -1;
    int bad = fputs(text, f) < 0;
    bad |= fclose(f) != 0;
    if (bad || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* Reads db/name's first line into line (newline cut). Returns 0, or -1 if
 * the file is absent or empty. */
static int file_get(const char *db, const char *name, char *line, size_t cap)
{
    char path[PATH_MAX];
    if (path_in(path, db, name) < 0)
        return -1;
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    int rc = fgets(line, (int)cap, f) ? 0 : -1;
    fclose(f);
    line[strcspn(line, "\n")] = 0;
    return rc;
}

static void file_drop(const char *db, const char *name)
{
    char path[PATH_MAX];
    if (path_in(path, db, name) == 0)
        unlink(path);
}

int backup_serve(gt_store *st, const char *db)
{
    if (!asked)
        return 0;
    asked = 0;
    char dir[PATH_MAX], res[GT_ERRLEN + 32], err[GT_ERRLEN];
    if (file_get(db, "BACKUP.request", dir, sizeof dir) < 0)
        return 0;
    file_drop(db, "BACKUP.request");
    uint64_t seq = 0;
    if (backup_take(st, dir, &seq, err) < 0)
        snprintf(res, sizeof res, "error %s\n", err);
    else
        snprintf(res, sizeof res, "ok %llu\n", (unsigned long long)seq);
    file_put(db, "BACKUP.result", res);
    return 1;
}

/* The pid of the process holding the store (RocksDB's fcntl lock on its LOCK
 * file), if that process is a tickstore; 0 if none, -1 if another program. */
static pid_t holder(const char *db)
{
    char path[PATH_MAX], comm[64] = "";
    if (path_in(path, db, "LOCK") < 0)
        return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    int rc = fcntl(fd, F_GETLK, &fl);
    close(fd);
    if (rc < 0 || fl.l_type == F_UNLCK || fl.l_pid <= 0)
        return 0;
    snprintf(path, sizeof path, "/proc/%d/comm", (int)fl.l_pid);
    FILE *f = fopen(path, "r");
    if (f) {
        if (!fgets(comm, sizeof comm, f))
            comm[0] = 0;
        fclose(f);
    }
    return strncmp(comm, "tickstore", 9) == 0 ? fl.l_pid : -1;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

int backup_run(const char *db, const char *dir, int timeout_ms, uint64_t *seq, char err[GT_ERRLEN])
{
    gt_store *st;
    int rc = gt_store_open(db, GT_STORE_WRITER | GT_STORE_NO_CREATE, &st, err);
    if (rc == GT_OK) {
        rc = backup_take(st, dir, seq, err);
        gt_store_close(st);
        return rc;
    }
    if (rc != GT_EBUSY)
        return rc;
    /* The recorder runs elsewhere (another folder, as another user): it is
     * given the folder as an absolute path. */
    char abs[PATH_MAX], line[GT_ERRLEN + 32];
    if (dir[0] == '/') {
        snprintf(abs, sizeof abs, "%s\n", dir);
    } else {
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd) ||
            snprintf(abs, sizeof abs, "%s/%s\n", cwd, dir) >= (int)sizeof abs) {
            snprintf(err, GT_ERRLEN, "backup folder %s: path too long", dir);
            return GT_EINVAL;
        }
    }
    struct stat sb;
    abs[strcspn(abs, "\n")] = 0;
    if (stat(abs, &sb) == 0) {
        snprintf(err, GT_ERRLEN, "backup folder %s exists (a backup goes into a new folder)", abs);
        return GT_EINVAL;
    }
    strcat(abs, "\n");
    pid_t pid = holder(db);
    if (pid <= 0) {
        snprintf(err, GT_ERRLEN,
                 "%s is held by %s; only a recording tickstore takes a backup of it", db,
                 pid < 0 ? "another program" : "a process that could not be found");
        return GT_EBUSY;
    }
    file_drop(db, "BACKUP.result");
    if (file_put(db, "BACKUP.request", abs) < 0) {
        snprintf(err, GT_ERRLEN, "cannot write %s/BACKUP.request: %s", db, strerror(errno));
        return GT_EIO;
    }
    if (kill(pid, SIGUSR1) < 0) {
        snprintf(err, GT_ERRLEN, "cannot signal the recorder (pid %d) holding %s: %s", (int)pid, db,
                 strerror(errno));
        file_drop(db, "BACKUP.request");
        return GT_EBUSY;
    }
    for (int waited = 0; waited <= timeout_ms; waited += POLL_MS) {
        if (file_get(db, "BACKUP.result", line, sizeof line) == 0) {
            file_drop(db, "BACKUP.result");
            if (strncmp(line, "ok ", 3) == 0) {
                *seq = strtoull(line + 3, NULL, 10);
                return GT_OK;
            }
            snprintf(err, GT_ERRLEN, "the recorder (pid %d): %.200s", (int)pid,
                     strncmp(line, "error ", 6) == 0 ? line + 6 : line);
            return GT_EDB;
        }
        sleep_ms(POLL_MS);
    }
    file_drop(db, "BACKUP.request");
    snprintf(err, GT_ERRLEN, "the recorder (pid %d) holding %s did not answer in %d s", (int)pid,
             db, timeout_ms / 1000);
    return GT_EBUSY;
}
