/* SPDX-License-Identifier: MIT */
/* lsan/leak.c -- two deliberate leaks, run under tests/lsan.supp: the
 * sanitizer build must fail this program (ctest's lsan_catches_our_leaks
 * expects LeakSanitizer's report of both). It guards the suppressions: a
 * pattern that matched a frame every test has (libcriterion.so, the test's
 * main) would hide every leak in the suite, and this program would pass. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include "book.h"

static void *volatile kept; /* the optimiser keeps the allocation */

/* A test's own allocation, never freed. */
Test(lsan, a_test_that_leaks_1234_bytes)
{
    char *p = malloc(1234);
    cr_assert_not_null(p);
    memset(p, 1, 1234);
    kept = p;
    kept = NULL;
}

/* Library code a test calls directly: a book set never finished. */
Test(lsan, a_book_set_never_finished)
{
    struct book_set *bs = malloc(sizeof *bs);
    cr_assert_not_null(bs);
    cr_assert(book_set_init(bs, 7) == 0);
    kept = bs;
    kept = NULL;
}
