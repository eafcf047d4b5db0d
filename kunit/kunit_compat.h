/* SPDX-License-Identifier: GPL-2.0 */
/*
 * <kunit/test.h> and what the suites use of it that older kernels lack.
 * Every KUnit difference between the kernels the suites run on (6.1's
 * KUnit and 6.12's) lives here, tested by the presence of the macro
 * itself, so a kernel that gained it uses its own.
 */
#ifndef _AT_KUNIT_COMPAT_H
#define _AT_KUNIT_COMPAT_H

#include <kunit/test.h>
#include <linux/string.h>

/* KUNIT_EXPECT_MEMEQ(): 6.2.  Without it, compare and name both sides. */
#ifndef KUNIT_EXPECT_MEMEQ
#define KUNIT_EXPECT_MEMEQ(test, left, right, size)			\
	do {								\
		size_t __at_size = (size);				\
									\
		KUNIT_EXPECT_TRUE_MSG(test,				\
				      !memcmp((left), (right), __at_size), \
				      "%s and %s differ in their first %zu bytes", \
				      #left, #right, __at_size);	\
	} while (0)
#endif

/*
 * KUNIT_ARRAY_PARAM_DESC(): 6.6.  Without it, KUNIT_ARRAY_PARAM() with a
 * description function that copies the named member (reached through
 * "(*p)." rather than "p->": a member name cannot be parenthesized).
 */
#ifndef KUNIT_ARRAY_PARAM_DESC
#define KUNIT_ARRAY_PARAM_DESC(name, array, desc_member)		\
	static void name##_at_desc(typeof((array) + 0) p, char *desc)	\
	{								\
		strscpy(desc, (*p).desc_member, KUNIT_PARAM_DESC_SIZE);	\
	}								\
	KUNIT_ARRAY_PARAM(name, array, name##_at_desc)
#endif

#endif /* _AT_KUNIT_COMPAT_H */
