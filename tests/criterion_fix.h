/* SPDX-License-Identifier: MIT */
/* criterion_fix.h -- force-included before every test (tests/CMakeLists.txt).
 *
 * Criterion 2.4.1 (Debian 12) defines the tagged C comparison gt(Tag, A, B) as
 * !(A < B), which is A >= B: gt(int, 5, 5) passes. This header takes
 * Criterion's own headers first and redefines the operator as B < A, so every
 * gt() in the suite means what it says. */
#ifndef GT_CRITERION_FIX_H
#define GT_CRITERION_FIX_H
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#ifndef __cplusplus
#undef CRI_BINOP_T_GT
#define CRI_BINOP_T_GT(Tag, Actual, Ref) (CRI_BINOP_LT_TAG(Tag, , Ref, Actual))
#endif

/* LeakSanitizer, in the sanitizer build: Criterion 2.4.1's runner process
 * leaks a 48-byte worker record (calloc in a static function of
 * libcriterion.so.3, under criterion_run_all_tests) when several workers end
 * at once. Its frames carry no symbol for a suppression to name, and a
 * suppression of the module (leak:libcriterion.so) matched every leak of the
 * suite: every test body runs under criterion_internal_test_main. So leak
 * checking is switched off in the runner process only, from its PRE_ALL hook
 * on: the runner runs no test code (each test runs in a worker process of its
 * own, started afresh, where LeakSanitizer stays on). tests/lsan/leak.c guards
 * that a test's leaks still fail the build. */
#if defined(__SANITIZE_ADDRESS__) && !defined(GT_NO_RUNNER_LSAN_OFF)
#include <sanitizer/lsan_interface.h>
ReportHook(PRE_ALL)(struct criterion_test_set *set)
{
    (void)set;
    __lsan_disable();
}
#endif
#endif
