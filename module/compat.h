/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels accepttrace builds against lives
 * here, as small inline shims.  Nothing else in the module tests the
 * kernel version.
 */
#ifndef _AT_COMPAT_H
#define _AT_COMPAT_H

#include <linux/version.h>
#include <linux/compat.h>
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/sched/task_stack.h>
#include <asm/syscall.h>
#include <net/sock.h>
#include <uapi/linux/unistd.h>

#include "accepttrace.h"

/*
 * inet_accept(sock, newsock, flags, kern) became
 * inet_accept(sock, newsock, struct proto_accept_arg *arg) in 6.10.
 */
static inline void at_inet_accept_args(struct pt_regs *regs, u32 *flags,
				       u8 *kern)
{
#if LINUX_VERSION_MAJOR > 6 || \
	(LINUX_VERSION_MAJOR == 6 && LINUX_VERSION_PATCHLEVEL >= 10)
	struct proto_accept_arg *arg =
		(struct proto_accept_arg *)regs_get_kernel_argument(regs, 2);

	*flags = arg->flags;
	*kern = arg->kern;
#else
	*flags = (u32)regs_get_kernel_argument(regs, 2);
	*kern = !!(u8)regs_get_kernel_argument(regs, 3);
#endif
}

/* 32-bit syscall numbers (arch/x86/entry/syscalls/syscall_32.tbl). */
#define AT_IA32_NR_SOCKETCALL	102
#define AT_IA32_NR_ACCEPT4	364

/* Which system call led to __sys_accept4, from the saved syscall number. */
static inline u16 at_syscall_kind(void)
{
	int nr = syscall_get_nr(current, task_pt_regs(current));

	if (in_compat_syscall()) {
		if (nr == AT_IA32_NR_SOCKETCALL)
			return ACCEPTTRACE_SYSCALL_SOCKETCALL;
		if (nr == AT_IA32_NR_ACCEPT4)
			return ACCEPTTRACE_SYSCALL_ACCEPT4;
		return ACCEPTTRACE_SYSCALL_UNKNOWN;
	}
	if (nr == __NR_accept)
		return ACCEPTTRACE_SYSCALL_ACCEPT;
	if (nr == __NR_accept4)
		return ACCEPTTRACE_SYSCALL_ACCEPT4;
	return ACCEPTTRACE_SYSCALL_UNKNOWN;
}

#endif /* _AT_COMPAT_H */
