/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the accepttrace KUnit suites share: control over the stand-ins
 * (fakes.c) for the parts of the module that are not under test.
 */
#ifndef _AT_KUNIT_TEST_H
#define _AT_KUNIT_TEST_H

#include <linux/types.h>

#include "../module/internal.h"

/* Give every possible CPU a ring of @size bytes in at_rings. */
int at_test_rings_alloc(u32 size);
void at_test_rings_free(void);

/* Events the handlers tried to record (written or lost), all CPUs. */
u64 at_test_attempts(void);

#endif /* _AT_KUNIT_TEST_H */
