/* SPDX-License-Identifier: MIT */
/* test_backup.c -- tickstore --backup, as an operator runs it, against the
 * programs running a live stream:
 *
 *   - backups asked of a recording tickstore while ticksim multicasts and
 *     tickfeed publishes each open as a store whose checkpoint is the one
 *     the command printed, and hold exactly the ticks of tickfeed's journal
 *     up to that sequence (count and checksum);
 *   - restored (copied back as the store) one catches up from its
 *     checkpoint and ends equal to the store that kept recording;
 *   - with no recorder running, tickstore --backup takes the copy itself;
 *     into a folder that exists, or of a path without a store, it refuses
 *     in one line and writes nothing. */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <string.h>
#include <sys/stat.h>
#include <zmq.h>
#include "e2e.h"
#include "gputick/bus.h"
#include "journal.h"

E2E_SUITE(backup, "gtbak-test", 33000, 400, 240);

/* Runs `tickstore --backup out --db db`; returns its exit status and, on
 * success, the checkpoint its line names in *seq. */
static int backup(const char *db, const char *out, const char *log, uint64_t *seq)
{
    pid_t p = spawn("store/tickstore", log, "--backup", out, "--db", db, NULL);
    int rc = proc_wait(p, 150000);
    const char *at = strstr(log_text(log), " at checkpoint ");
    *seq = at ? strtoull(at + 15, NULL, 10) : 0;
    if (rc == 0)
        cr_assert(not(eq(ptr, (void *)at, NULL)), "%s", log_text(log));
    return rc;
}

Test(backup, taken_while_recording_opens_equal_to_the_journal_and_restores)
{
    char db[128], jdir[128], pub[128], rtr[128], pb[16], out[4][160], log[4][16];
    snprintf(db, sizeof db, "%s/db", dir);
    snprintf(jdir, sizeof jdir, "%s/journal", dir);
    snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
    snprintf(rtr, sizeof rtr, "ipc://%s/rtr", dir);
    snprintf(pb, sizeof pb, "%d", port_base);
    pid_t store = spawn("store/tickstore", "store.log", "--db", db, "--endpoint", pub, "--router",
                        rtr, "--flush-ms", "100", "--stats", "0", NULL);
    pid_t feed = spawn("feedhandler/tickfeed", "feed.log", "--port-base", pb, "--journal", jdir,
                       "--pub", pub, "--router", rtr, "--duration", "200", "--stats", "0",
                       "--reorder-ms", "300", NULL);
    usleep(500000);
    pid_t sim = spawn("tools/ticksim/ticksim", "sim.log", "--port-base", pb, "--seed", "3",
                      "--duration", "2h", "--day-seconds", "180", "--quiet", NULL);
    /* Three backups while the stream goes on (the simulated 2 h take 15 s). */
    uint64_t seq[3];
    int during = 0;
    for (int i = 0; i < 3; i++) {
        usleep(2000000);
        snprintf(out[i], sizeof out[i], "%s/backup-%d", dir, i);
        snprintf(log[i], sizeof log[i], "bak%d.log", i);
        int rc = backup(db, out[i], log[i], &seq[i]);
        if (rc != 0)
            show_log("store.log");
        cr_assert(eq(int, rc, 0), "%s", log_text(log[i]));
        during += waitpid(sim, NULL, WNOHANG) == 0 && seq[i] > 0;
    }
    cr_assert(eq(int, proc_wait(sim, 60000), 0), "ticksim");
    cr_assert(ge(int, during, 2), "backups were taken during the ingest");
    cr_assert(lt(u64, seq[0], seq[2]), "of a store that grew meanwhile");
    /* The recording tickstore took them: it logged no error, and the
     * request and result files are gone. */
    struct stat sb;
    char path[192];
    snprintf(path, sizeof path, "%s/BACKUP.request", db);
    cr_assert(eq(int, stat(path, &sb), -1));
    snprintf(path, sizeof path, "%s/BACKUP.result", db);
    cr_assert(eq(int, stat(path, &sb), -1));

    uint64_t last = 0;
    for (int i = 0; i < 100 && (last = feed_last(rtr)) == 0; i++)
        usleep(100000);
    uint64_t n, sum, cp, jn, jsum;
    store_wait(db, last, 30000, &n, &sum);
    for (int i = 0; i < 3; i++) {
        store_sum(out[i], &n, &sum, &cp);
        struct sums js = journal_sums(jdir, seq[i]);
        jn = js.n, jsum = js.sum;
        fprintf(stderr, "backup %d: checkpoint %llu of %llu, %llu ticks\n", i,
                (unsigned long long)cp, (unsigned long long)last, (unsigned long long)n);
        cr_assert(eq(u64, cp, seq[i]), "the backup's checkpoint is the one printed");
        cr_assert(eq(u64, n, jn), "backup %d holds every tick up to its checkpoint", i);
        cr_assert(eq(u64, sum, jsum), "backup %d: and the same ticks", i);
    }

    /* Restore: the first backup becomes a store again and catches up. */
    char restored[160], cmd[400];
    snprintf(restored, sizeof restored, "%s/restored", dir);
    snprintf(cmd, sizeof cmd, "cp -a '%s' '%s'", out[0], restored);
    cr_assert(eq(int, system(cmd), 0));
    pid_t again = spawn("store/tickstore", "restored.log", "--db", restored, "--endpoint", pub,
                        "--router", rtr, "--flush-ms", "100", "--stats", "0", NULL);
    store_wait(restored, last, 60000, &n, &sum);
    cr_assert(eq(int, proc_stop(again, 20000), 0), "the restored store's tickstore stopped");
    cr_assert(eq(int, proc_stop(store, 20000), 0), "tickstore stopped cleanly");
    cr_assert(eq(int, proc_stop(feed, 10000), 0), "tickfeed stopped cleanly");
    uint64_t rn, rsum, rcp;
    store_sum(db, &n, &sum, &cp);
    store_sum(restored, &rn, &rsum, &rcp);
    struct sums js = journal_sums(jdir, UINT64_MAX);
    jn = js.n, jsum = js.sum;
    cr_assert(eq(u64, rcp, cp));
    cr_assert(eq(u64, rn, n), "the restored store has every tick, once");
    cr_assert(eq(u64, rsum, sum), "the same ticks as the store that kept recording");
    cr_assert(eq(u64, n, jn));
    cr_assert(eq(u64, sum, jsum));

    /* No recorder now: tickstore --backup takes the copy itself. */
    char off[160];
    uint64_t s;
    snprintf(off, sizeof off, "%s/offline", dir);
    cr_assert(eq(int, backup(db, off, "off.log", &s), 0));
    cr_assert(eq(u64, s, cp));
    store_sum(off, &rn, &rsum, &rcp);
    cr_assert(eq(u64, rn, n));
    cr_assert(eq(u64, rsum, sum));
}

Test(backup, refuses_an_existing_folder_and_a_missing_store)
{
    char db[128], out[128];
    uint64_t s;
    snprintf(db, sizeof db, "%s/none", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    cr_assert(eq(int, backup(db, out, "missing.log", &s), 1));
    const char *t = log_text("missing.log");
    cr_assert(eq(int, strncmp(t, "tickstore: --backup: ", 21), 0), "%s", t);
    cr_assert(eq(ptr, strchr(t, '\n'), strrchr(t, '\n')), "one line: %s", t);
    struct stat sb;
    cr_assert(eq(int, stat(out, &sb), -1), "nothing written");
    cr_assert(eq(int, stat(db, &sb), -1), "no store made");

    /* A store (made by an empty recording), then a backup into a folder that
     * exists: refused, and the folder keeps what it had. */
    snprintf(db, sizeof db, "%s/db", dir);
    pid_t st = spawn("store/tickstore", "store.log", "--db", db, "--endpoint",
                     "ipc:///nonexistent-gputick-test", "--router", "ipc:///nonexistent-gputick-r",
                     "--stats", "0", NULL);
    char cur[160];
    snprintf(cur, sizeof cur, "%s/CURRENT", db);
    for (int i = 0; i < 100 && stat(cur, &sb) != 0; i++)
        usleep(100000);
    cr_assert(eq(int, proc_stop(st, 20000), 0), "%s", log_text("store.log"));
    cr_assert(eq(int, mkdir(out, 0755), 0));
    cr_assert(eq(int, backup(db, out, "exists.log", &s), 1));
    t = log_text("exists.log");
    cr_assert(not(eq(ptr, strstr(t, "exists (a backup goes into a new folder)"), NULL)), "%s", t);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "[ -z \"$(ls -A '%s')\" ]", out);
    cr_assert(eq(int, system(cmd), 0), "the existing folder is left as it was");
}
