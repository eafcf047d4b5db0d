/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What module/format.c needs when it is compiled for userspace: libc,
 * and the few kernel idioms it uses, spelled for a userspace compiler.
 */
#ifndef _ACCEPTTRACE_USER_H
#define _ACCEPTTRACE_USER_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define __printf(a, b)	__attribute__((format(printf, a, b)))
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#endif /* _ACCEPTTRACE_USER_H */
