/* SPDX-License-Identifier: MIT */
/* samples.h -- the real CME captures of ../shared/mdp3/samples, or a visible skip.
 *
 * The captures stay beside the project and are never copied into it, so a
 * user's clone has no ../shared. A suite that needs them includes this header
 * once: it gives the suite its own main(), which checks for the folder before
 * Criterion runs anything. Where it is absent, main() says so on stderr and
 * exits SAMPLES_SKIP_RC (77), the SKIP_RETURN_CODE tests/CMakeLists.txt sets
 * for these suites, so ctest reports them skipped, not passed with zero tests.
 * The folder is $GT_SAMPLES_DIR if set (ctest's *_skips_without_shared tests
 * point it at a missing folder), else $GT_SOURCE_DIR/../shared/mdp3/samples. */
#ifndef GT_TEST_SAMPLES_H
#define GT_TEST_SAMPLES_H
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

enum { SAMPLES_SKIP_RC = 77 };

/* Writes the samples folder's path into buf; returns buf if it is a readable
 * folder, NULL if not (buf then names what was looked for). */
static const char *samples_dir(char *buf, size_t cap)
{
    const char *dir = getenv("GT_SAMPLES_DIR"), *src = getenv("GT_SOURCE_DIR");
    if (dir)
        snprintf(buf, cap, "%s", dir);
    else if (src)
        snprintf(buf, cap, "%s/../shared/mdp3/samples", src);
    else
        snprintf(buf, cap,
                 "$GT_SOURCE_DIR/../shared/mdp3/samples (GT_SOURCE_DIR is not set: "
                 "run under ctest)");
    DIR *d = dir || src ? opendir(buf) : NULL;
    if (!d)
        return NULL;
    closedir(d);
    return buf;
}

int main(int argc, char *argv[])
{
    char dir[1024];
    if (!samples_dir(dir, sizeof dir)) {
        fprintf(stderr, "%s: skipped: %s not found (a user's clone has no shared/)\n", argv[0],
                dir);
        return SAMPLES_SKIP_RC;
    }
    struct criterion_test_set *tests = criterion_initialize();
    int rc = 0;
    if (criterion_handle_args(argc, argv, true))
        rc = !criterion_run_all_tests(tests);
    criterion_finalize(tests);
    return rc;
}

#endif
