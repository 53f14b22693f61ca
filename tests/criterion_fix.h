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
#endif
