/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels accepttrace builds against lives
 * here, as small inline shims.  The kernel version is compared in one
 * place, AT_KERNEL_AT_LEAST(); the rest of the module and the KUnit
 * suite test the AT_HAVE_* flags it defines.  Checked against 6.1, 6.12
 * and mainline (the last by reading its headers).
 */
#ifndef _AT_COMPAT_H
#define _AT_COMPAT_H

#include <linux/version.h>
#include <linux/build_bug.h>
#include <linux/compat.h>
#include <linux/compiler.h>
#include <linux/kprobes.h>
#include <linux/net.h>
#include <linux/ptrace.h>
#include <linux/rethook.h>
#include <linux/sched/task_stack.h>
#include <linux/socket.h>
#include <linux/timer.h>
#include <asm/syscall.h>
#include <net/inet_common.h>
#include <net/sock.h>
#include <uapi/linux/unistd.h>

#include "accepttrace.h"

/* Is the kernel built against a.b.c or later?  The one version test. */
#define AT_KERNEL_AT_LEAST(a, b, c)					\
	(KERNEL_VERSION(LINUX_VERSION_MAJOR, LINUX_VERSION_PATCHLEVEL,	\
			LINUX_VERSION_SUBLEVEL) >= KERNEL_VERSION(a, b, c))

/*
 * inet_accept(sock, newsock, flags, kern) became
 * inet_accept(sock, newsock, struct proto_accept_arg *arg) in 6.10
 * (92ef0fd55ac8, "net: change proto and proto_ops accept type").
 */
#define AT_HAVE_PROTO_ACCEPT_ARG	AT_KERNEL_AT_LEAST(6, 10, 0)

/*
 * timer_delete_sync() since 6.2, and in 6.1 from 6.1.84 on;
 * del_timer_sync() is gone since 6.15.
 */
#define AT_HAVE_TIMER_DELETE_SYNC	AT_KERNEL_AT_LEAST(6, 1, 84)

/* kunit_vm_mmap(), for a user buffer in a KUnit case, since 6.11. */
#define AT_HAVE_KUNIT_VM_MMAP		AT_KERNEL_AT_LEAST(6, 11, 0)

/*
 * kernel_bind() and kernel_connect() take a struct sockaddr_unsized *
 * since 6.19 (proto_ops bind and connect were converted to it), a
 * struct sockaddr * before.
 */
#define AT_HAVE_SOCKADDR_UNSIZED	AT_KERNEL_AT_LEAST(6, 19, 0)

#if !AT_HAVE_TIMER_DELETE_SYNC
#define timer_delete_sync(timer)	del_timer_sync(timer)
#endif

/* An address for kernel_bind() or kernel_connect() (the KUnit suite). */
#if AT_HAVE_SOCKADDR_UNSIZED
#define AT_SOCKADDR(addr)		((struct sockaddr_unsized *)(addr))
#else
#define AT_SOCKADDR(addr)		((struct sockaddr *)(addr))
#endif

/*
 * The probed functions.  The handlers read their arguments from the
 * registers of the calling convention and their result as an int, so
 * each accessor below holds the kernel's own declaration to the
 * prototype it assumes: a kernel whose version number and prototype
 * disagree (a vendor backport) fails to build here instead of reading
 * the wrong registers in a handler.
 */

/*
 * int __sys_accept4(int fd, struct sockaddr __user *upeer_sockaddr,
 *		     int __user *upeer_addrlen, int flags)
 * (include/linux/socket.h; the same on 6.1, 6.12 and mainline)
 */
static_assert(__same_type(&__sys_accept4,
			  (int (*)(int, struct sockaddr __user *,
				   int __user *, int))NULL));

static __always_inline void at_sys_accept4_args(struct pt_regs *regs,
						s32 *fd, u64 *uaddr,
						u64 *uaddrlen, s32 *flags)
{
	*fd = (int)regs_get_kernel_argument(regs, 0);
	*uaddr = regs_get_kernel_argument(regs, 1);
	*uaddrlen = regs_get_kernel_argument(regs, 2);
	*flags = (int)regs_get_kernel_argument(regs, 3);
}

/* __sys_accept4's result: a new fd or -errno. */
static __always_inline int at_sys_accept4_ret(struct pt_regs *regs)
{
	return (int)regs_return_value(regs);
}

/* include/net/inet_common.h */
#if AT_HAVE_PROTO_ACCEPT_ARG
static_assert(__same_type(&inet_accept,
			  (int (*)(struct socket *, struct socket *,
				   struct proto_accept_arg *))NULL));
#else
static_assert(__same_type(&inet_accept,
			  (int (*)(struct socket *, struct socket *, int,
				   bool))NULL));
#endif

static __always_inline void at_inet_accept_args(struct pt_regs *regs,
						struct socket **sock,
						struct socket **newsock,
						u32 *flags, u8 *kern)
{
#if AT_HAVE_PROTO_ACCEPT_ARG
	struct proto_accept_arg *arg =
		(struct proto_accept_arg *)regs_get_kernel_argument(regs, 2);
#endif

	*sock = (struct socket *)regs_get_kernel_argument(regs, 0);
	*newsock = (struct socket *)regs_get_kernel_argument(regs, 1);
#if AT_HAVE_PROTO_ACCEPT_ARG
	*flags = arg->flags;
	*kern = arg->kern;
#else
	*flags = (u32)regs_get_kernel_argument(regs, 2);
	*kern = !!(u8)regs_get_kernel_argument(regs, 3);
#endif
}

/* inet_accept's result: 0 or -errno. */
static __always_inline int at_inet_accept_ret(struct pt_regs *regs)
{
	return (int)regs_return_value(regs);
}

/*
 * struct file *do_accept(struct file *file, <flags>,
 *			  struct sockaddr __user *upeer_sockaddr,
 *			  int __user *upeer_addrlen, int flags)
 * (include/linux/socket.h), where the accepted socket gets its file
 * before __sys_accept4() or io_uring installs a descriptor for it.
 * <flags> became a struct proto_accept_arg * with inet_accept's.
 */
#if AT_HAVE_PROTO_ACCEPT_ARG
static_assert(__same_type(&do_accept,
			  (struct file *(*)(struct file *,
					    struct proto_accept_arg *,
					    struct sockaddr __user *,
					    int __user *, int))NULL));
#else
static_assert(__same_type(&do_accept,
			  (struct file *(*)(struct file *, unsigned int,
					    struct sockaddr __user *,
					    int __user *, int))NULL));
#endif

/* do_accept's listener: its first argument. */
static __always_inline struct file *at_do_accept_file(struct pt_regs *regs)
{
	return (struct file *)regs_get_kernel_argument(regs, 0);
}

/*
 * The accept4 flags (SOCK_NONBLOCK, SOCK_CLOEXEC) and whether the caller
 * asked do_accept() for a non-blocking try (O_NONBLOCK: io_uring's first
 * issue).  Since 6.10 do_accept() ORs the listener's f_flags into
 * arg->flags, and io_uring's multishot loop passes the same arg again:
 * only O_NONBLOCK is the caller's.
 */
static __always_inline void at_do_accept_args(struct pt_regs *regs,
					      u64 *uaddr, u64 *uaddrlen,
					      s32 *flags, u32 *file_flags)
{
#if AT_HAVE_PROTO_ACCEPT_ARG
	const struct proto_accept_arg *arg =
		(const struct proto_accept_arg *)regs_get_kernel_argument(regs, 1);

	*file_flags = arg->flags & O_NONBLOCK;
#else
	*file_flags = (u32)regs_get_kernel_argument(regs, 1) & O_NONBLOCK;
#endif
	*uaddr = regs_get_kernel_argument(regs, 2);
	*uaddrlen = regs_get_kernel_argument(regs, 3);
	*flags = (int)regs_get_kernel_argument(regs, 4);
}

/*
 * int io_accept(struct io_kiocb *req, unsigned int issue_flags)
 * (io_uring/net.h, a private header: no prototype to hold it to) is
 * io_uring's IORING_OP_ACCEPT handler, the only caller of do_accept()
 * besides __sys_accept4(), called through io_uring's table of opcodes
 * (so never inlined) on 6.1, 6.12 and mainline.  Its kretprobe reads
 * neither its arguments nor its result: a pending instance only says
 * that the do_accept() call beneath it is io_uring's.
 */
#define AT_IO_ACCEPT_SYMBOL	"io_accept"

/* do_accept's result: the new socket's file, or an ERR_PTR. */
static __always_inline struct file *at_do_accept_ret(struct pt_regs *regs)
{
	return (struct file *)regs_return_value(regs);
}

/*
 * The newest instance of @rp that the current task has entered and not
 * yet returned from, or NULL: the kretprobe call that encloses the
 * current one.  Kretprobes keep their pending instances on the task's
 * rethook list (current->rethooks, newest first; on x86 since 5.19), and
 * only the task itself pushes and pops it, so a handler may walk it.
 * An instance found stays in place until its function returns.
 */
#ifndef CONFIG_KRETPROBE_ON_RETHOOK
#error "accepttrace needs CONFIG_KRETPROBE_ON_RETHOOK (x86 since 5.19)"
#endif
static __always_inline struct kretprobe_instance *
at_kretprobe_pending(struct kretprobe *rp)
{
	struct rethook *rh = READ_ONCE(rp->rh);
	struct llist_node *n;

	if (!rh)
		return NULL;
	for (n = current->rethooks.first; n; n = n->next) {
		struct rethook_node *node =
			container_of(n, struct rethook_node, llist);

		if (node->rethook == rh)
			return container_of(node, struct kretprobe_instance,
					    node);
	}
	return NULL;
}

/*
 * How __sys_accept4() was entered, from the saved system call number.
 * x86-64 has two 32-bit ABIs besides its own:
 *
 * - ia32 (TS_COMPAT, in_ia32_syscall()) numbers its calls after
 *   arch/x86/entry/syscalls/syscall_32.tbl: socketcall(2) (102), with
 *   SYS_ACCEPT or SYS_ACCEPT4, or accept4(2) (364); it has no accept(2).
 * - x32 (in_x32_syscall()) calls the "common" entries of syscall_64.tbl,
 *   accept (43) and accept4 (288), with __X32_SYSCALL_BIT set in the
 *   number, which the saved number keeps (the static_asserts hold the
 *   two to the native numbers).  Debian builds x32 in but disabled (CONFIG_X86_X32_DISABLED:
 *   booting with syscall.x32=y enables it); a kernel without
 *   CONFIG_X86_X32_ABI never sets the bit (in_x32_syscall() is false).
 *
 * Any other number (or a compat task of another architecture) is
 * ACCEPTTRACE_SYSCALL_UNKNOWN, stated rather than guessed.
 */
#define AT_IA32_NR_SOCKETCALL	102
#define AT_IA32_NR_ACCEPT4	364
#define AT_X32_NR_ACCEPT	(__X32_SYSCALL_BIT | 43)
#define AT_X32_NR_ACCEPT4	(__X32_SYSCALL_BIT | 288)

#ifdef CONFIG_X86_64
static_assert((AT_X32_NR_ACCEPT & ~__X32_SYSCALL_BIT) == __NR_accept);
static_assert((AT_X32_NR_ACCEPT4 & ~__X32_SYSCALL_BIT) == __NR_accept4);
#endif

static inline u16 at_syscall_kind(void)
{
	int nr = syscall_get_nr(current, task_pt_regs(current));

#ifdef CONFIG_X86_64
	if (in_ia32_syscall()) {
		if (nr == AT_IA32_NR_SOCKETCALL)
			return ACCEPTTRACE_SYSCALL_SOCKETCALL;
		if (nr == AT_IA32_NR_ACCEPT4)
			return ACCEPTTRACE_SYSCALL_ACCEPT4;
		return ACCEPTTRACE_SYSCALL_UNKNOWN;
	}
	if (in_x32_syscall()) {
		if (nr == AT_X32_NR_ACCEPT)
			return ACCEPTTRACE_SYSCALL_ACCEPT;
		if (nr == AT_X32_NR_ACCEPT4)
			return ACCEPTTRACE_SYSCALL_ACCEPT4;
		return ACCEPTTRACE_SYSCALL_UNKNOWN;
	}
#else
	if (in_compat_syscall())
		return ACCEPTTRACE_SYSCALL_UNKNOWN;
#endif
	if (nr == __NR_accept)
		return ACCEPTTRACE_SYSCALL_ACCEPT;
	if (nr == __NR_accept4)
		return ACCEPTTRACE_SYSCALL_ACCEPT4;
	return ACCEPTTRACE_SYSCALL_UNKNOWN;
}

#endif /* _AT_COMPAT_H */
