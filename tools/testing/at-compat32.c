// SPDX-License-Identifier: GPL-2.0
/*
 * at-compat32 - accept(2) and accept4(2) as 32-bit programs make them,
 * and what accepttrace must record for them.
 *
 * One source, two static programs (tools/testing/Makefile):
 *
 *   bin/at-compat32  gcc -m32, an i386 program.  Every call is a raw
 *                    int $0x80: socketcall(2) (nr 102) with SYS_ACCEPT or
 *                    SYS_ACCEPT4 and an argument array, or accept4(2)
 *                    (nr 364).  i386 has no accept(2) of its own.
 *   bin/at-x32       gcc -mx32, an x32 program: accept (43) and accept4
 *                    (288), with __X32_SYSCALL_BIT set in the number, as
 *                    its libc's syscall(2) makes them.  Runs only on a
 *                    kernel with x32 enabled (Debian: syscall.x32=y).
 *
 *   at-compat32 [--case NAME[,NAME...]] [--list]
 *
 * stdout is an account like at-workload's, printed by the same code
 * (wl-expect.c): one "EXPECT key=value ..." line per record the module
 * must write, syscall=socketcall or accept4 (accept) as the call was
 * made.  Calls that must not reach __sys_accept4() at all (a socketcall
 * whose argument array is unreadable, one with an unknown call number)
 * print "# norecord case=NAME" instead; the suite holds the probe's hits
 * to the EXPECT lines.  Exit status 0, 1 when the kernel did not answer
 * as a case assumes, 2 on a setup error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "at-workload.h"

#if !defined(__i386__) && !(defined(__x86_64__) && defined(__ILP32__))
#error "at-compat32 is built with gcc -m32 (i386) or -mx32 (x32)"
#endif

/* The file flags inet_accept() is passed for a (non-)blocking listener. */
#define FILE_BLOCKING		O_RDWR
#define FILE_NONBLOCKING	(O_RDWR | O_NONBLOCK)

/* How a call enters the kernel. */
enum how {
	SC_ACCEPT,	/* i386: socketcall(SYS_ACCEPT, {fd, addr, addrlen}) */
	SC_ACCEPT4,	/* i386: socketcall(SYS_ACCEPT4, {fd, addr, addrlen, flags}) */
	ACCEPT4,	/* i386: accept4 (364); x32: accept4 (288 | x32 bit) */
	ACCEPT,		/* x32: accept (43 | x32 bit) */
};

/* What the call is made on. */
enum target {
	T_TCP,		/* 127.0.0.1 listener, one connection queued */
	T_TCP6,		/* [::1] listener, one connection queued */
	T_UNIX,		/* AF_UNIX path listener, unnamed client */
	T_UNIX_ABSTRACT, /* AF_UNIX abstract listener, abstract client */
	T_EMPTY,	/* non-blocking TCP listener, nothing queued */
	T_IDLE,		/* blocking TCP listener, never called (bad flags) */
	T_EBADF,	/* a closed descriptor */
	T_ENOTSOCK,	/* a memfd */
};

/*
 * One case.  @want is the errno the man page promises (0: success);
 * @addrlen_in 0 means a sockaddr_storage-sized buffer (@zero_len:
 * really 0).  @backlog is the TCP listener's, unique per case (qmax).
 */
struct c32_case {
	const char *name;
	const char *what;
	enum how how;
	enum target target;
	int backlog;
	int flags;
	int addrlen_in;
	bool zero_len, no_addr, no_addrlen, bad_addr, bad_addrlen;
	int want;
};

#if defined(__i386__)

#define C32_COMM	"at-compat32"
#define NR_SOCKETCALL	102		/* arch/x86/entry/syscalls/syscall_32.tbl */
#define NR_ACCEPT4	364
#define SC_SYS_ACCEPT	5		/* include/uapi/linux/net.h */
#define SC_SYS_ACCEPT4	18

static long int80(long nr, long a, long b, long c, long d)
{
	long r;

	__asm__ volatile ("int $0x80"
			  : "=a" (r)
			  : "0" (nr), "b" (a), "c" (b), "d" (c), "S" (d)
			  : "memory");
	return r;
}

static long socketcall(long call, const unsigned long *args)
{
	return int80(NR_SOCKETCALL, call, (long)args, 0, 0);
}

/*
 * SYS_ACCEPT's array has three arguments; the fourth slot holds flags
 * that accept4 would refuse (EINVAL), which the kernel must not read:
 * __sys_accept4() gets flags 0, and so must the record.
 */
#define SC_ACCEPT_JUNK	0x7fffffffUL

static long c32_syscall(struct wl_call *c, enum how how)
{
	unsigned long a[4] = {
		(unsigned long)c->fd, (unsigned long)c->addr,
		(unsigned long)c->addrlen, (unsigned long)c->flags,
	};

	switch (how) {
	case SC_ACCEPT:
		a[3] = SC_ACCEPT_JUNK;
		return socketcall(SC_SYS_ACCEPT, a);
	case SC_ACCEPT4:
		return socketcall(SC_SYS_ACCEPT4, a);
	case ACCEPT4:
		return int80(NR_ACCEPT4, c->fd, (long)c->addr,
			     (long)c->addrlen, c->flags);
	default:
		fprintf(stderr, "at-compat32: no such call on i386\n");
		exit(2);
	}
}

static void c32_init(struct wl_call *c, enum how how, int fd, void *addr,
		     socklen_t *addrlen, int flags)
{
	wl_call_init(c, how == ACCEPT4 ? NR_ACCEPT4 : NR_SOCKETCALL, fd, addr,
		     addrlen, how == SC_ACCEPT ? 0 : flags);
	c->syscall = how == ACCEPT4 ? "accept4" : "socketcall";
}

#else /* x32 */

#define C32_COMM	"at-x32"

/* glibc's x32 SYS_accept and SYS_accept4 carry __X32_SYSCALL_BIT. */
static long c32_syscall(struct wl_call *c, enum how how)
{
	long r;

	if (how == ACCEPT)
		r = syscall(SYS_accept, c->fd, c->addr, c->addrlen);
	else if (how == ACCEPT4)
		r = syscall(SYS_accept4, c->fd, c->addr, c->addrlen, c->flags);
	else {
		fprintf(stderr, "at-x32: no socketcall on x32\n");
		exit(2);
	}
	return r < 0 ? -errno : r;
}

static void c32_init(struct wl_call *c, enum how how, int fd, void *addr,
		     socklen_t *addrlen, int flags)
{
	wl_call_init(c, how == ACCEPT ? SYS_accept : SYS_accept4, fd, addr,
		     addrlen, flags);
}

#endif

/* The call, as wl_call_accept() makes a native one. */
static long c32_call(struct wl_call *c, enum how how)
{
	long r;

	if (c->addrlen && !c->addrlen_bad)
		*c->addrlen = (socklen_t)c->addrlen_in;
	r = c32_syscall(c, how);
	c->ret = c->kret = r;
	if (c->addrlen && !c->addrlen_bad)
		c->addrlen_out = (int)*c->addrlen;
	return r;
}

static int run(const struct c32_case *cs)
{
	char client[64];
	struct sockaddr_storage buf;
	struct wl_addr la, cl;
	struct wl_conn conn;
	struct wl_call c;
	socklen_t len = cs->zero_len ? 0 :
			cs->addrlen_in ? (socklen_t)cs->addrlen_in : sizeof(buf);
	bool inet = false, connected = false, abstract = false;
	unsigned int fflags = FILE_BLOCKING;
	void *addr = &buf;
	int lfd = -1, cfd = -1, rc;

	memset(&la, 0, sizeof(la));
	memset(&cl, 0, sizeof(cl));
	switch (cs->target) {
	case T_TCP:
	case T_TCP6:
		lfd = wl_listen_tcp(cs->target == T_TCP ? AF_INET : AF_INET6,
				    cs->target == T_TCP ? "127.0.0.1" : "::1",
				    cs->backlog, 0, &la);
		inet = connected = true;
		break;
	case T_UNIX_ABSTRACT:
		abstract = true;
		/* fall through */
	case T_UNIX:
		lfd = wl_listen_unix(cs->name, abstract, 5, &la);
		connected = true;
		break;
	case T_EMPTY:
		lfd = wl_listen_tcp(AF_INET, "127.0.0.1", cs->backlog,
				    SOCK_NONBLOCK, &la);
		inet = true;
		fflags = FILE_NONBLOCKING;
		break;
	case T_IDLE:
		lfd = wl_listen_tcp(AF_INET, "127.0.0.1", cs->backlog, 0, &la);
		break;
	case T_EBADF:
		lfd = dup(1);
		close(lfd);
		break;
	case T_ENOTSOCK:
		lfd = memfd_create("at-notsock", 0);
		if (lfd < 0) {
			perror("at-compat32: memfd_create");
			return 2;
		}
		break;
	}
	if (connected) {
		snprintf(client, sizeof(client), "%s.client", cs->name);
		cfd = wl_connect(&la, abstract ? client : NULL, abstract, &cl);
		if (inet)
			wl_wait_pending(lfd);
		wl_conn_from(&conn, &la, &cl);
	}

	memset(&buf, 0xa5, sizeof(buf));
	if (cs->no_addr)
		addr = NULL;
	else if (cs->bad_addr)
		addr = wl_bad_page();
	c32_init(&c, cs->how, lfd, addr, cs->no_addrlen ? NULL : &len,
		 cs->flags);
	if (cs->bad_addrlen) {
		c.addrlen = (socklen_t *)wl_bad_page();
		c.addrlen_bad = true;
	}
	c32_call(&c, cs->how);
	rc = wl_check_ret(cs->name, &c, cs->want);
	if (!rc && connected)
		rc = wl_check_peer(cs->name, &c, &cl);
	if (rc)
		return rc;
	wl_info(cs->name, "%s on fd %d flags %#x -> %ld", c.syscall, lfd,
		cs->flags, c.ret);
	if (inet)
		wl_expect_inet(cs->name, &(struct wl_inet){
			.tid = c.tid, .flags = fflags,
			.ret = cs->target == T_EMPTY ? -EAGAIN : 0,
			.qlen = cs->target == T_EMPTY ? 0 : 1,
			.qmax = (unsigned int)cs->backlog,
		}, &la, cs->target == T_EMPTY ? NULL : &conn);
	wl_expect_sys(cs->name, &c, c.ret >= 0 ? &conn : NULL);
	if (c.ret >= 0)
		close((int)c.ret);
	if (cfd >= 0)
		close(cfd);
	if (cs->target == T_ENOTSOCK)
		close(lfd);
	return 0;
}

/* A case: how, on what, and anything else by designator. */
#define C(n, w, h, t, ...) \
	{ .name = n, .what = w, .how = h, .target = t, __VA_ARGS__ }

#if defined(__i386__)

#define SC_UNKNOWN_CALL	0		/* below SYS_SOCKET: EINVAL */

/*
 * socketcall(2) calls the kernel refuses before __sys_accept4(): no
 * record, no probe hit.  Made on a listener with a connection queued,
 * which must still be there afterwards.
 */
static int norecord(const char *name, const char *what, long call,
		    bool bad_args, int want)
{
	struct wl_addr la, cl;
	unsigned long a[3];
	int lfd, cfd;
	long r;

	lfd = wl_listen_tcp(AF_INET, "127.0.0.1", 8, 0, &la);
	cfd = wl_connect(&la, NULL, false, &cl);
	wl_wait_pending(lfd);
	a[0] = (unsigned long)lfd;
	a[1] = 0;
	a[2] = 0;
	printf("# case %s: %s\n", name, what);
	r = socketcall(call, bad_args ? wl_bad_page() : a);
	if (r != -want)
		return wl_fail(name, "expected -%d, got %ld", want, r);
	printf("# norecord case=%s socketcall(%ld) -> %ld\n", name, call, r);
	close(cfd);
	close(lfd);
	return 0;
}

static const struct c32_case cases[] = {
	C("sc_accept_ipv4", "socketcall(SYS_ACCEPT), IPv4, addrlen 16, junk in the 4th slot",
	  SC_ACCEPT, T_TCP, .backlog = 51, .addrlen_in = 16),
	C("sc_accept_ipv6", "socketcall(SYS_ACCEPT), IPv6 [::1]",
	  SC_ACCEPT, T_TCP6, .backlog = 52),
	C("sc_accept_unix", "socketcall(SYS_ACCEPT), AF_UNIX path, unnamed client",
	  SC_ACCEPT, T_UNIX),
	C("sc_accept_short", "socketcall(SYS_ACCEPT), addrlen 4: truncated, 16 back",
	  SC_ACCEPT, T_TCP, .backlog = 53, .addrlen_in = 4),
	C("sc_accept_null", "socketcall(SYS_ACCEPT), addr NULL, addrlen NULL",
	  SC_ACCEPT, T_TCP, .backlog = 54, .no_addr = true, .no_addrlen = true),
	C("sc_accept_addrlen_null", "socketcall(SYS_ACCEPT), addrlen NULL: EFAULT",
	  SC_ACCEPT, T_TCP, .backlog = 55, .no_addrlen = true, .want = EFAULT),
	C("sc_accept_efault_addr", "socketcall(SYS_ACCEPT), addr unmapped: EFAULT",
	  SC_ACCEPT, T_TCP, .backlog = 56, .bad_addr = true, .addrlen_in = 16,
	  .want = EFAULT),
	C("sc_accept_eagain", "socketcall(SYS_ACCEPT), empty O_NONBLOCK listener",
	  SC_ACCEPT, T_EMPTY, .backlog = 57, .no_addr = true, .no_addrlen = true,
	  .want = EAGAIN),
	C("sc_accept_ebadf", "socketcall(SYS_ACCEPT), closed fd: EBADF",
	  SC_ACCEPT, T_EBADF, .want = EBADF),
	C("sc_accept4_both", "socketcall(SYS_ACCEPT4), SOCK_NONBLOCK|SOCK_CLOEXEC",
	  SC_ACCEPT4, T_TCP, .backlog = 58, .flags = SOCK_NONBLOCK | SOCK_CLOEXEC),
	C("sc_accept4_unix_abstract", "socketcall(SYS_ACCEPT4), abstract AF_UNIX, SOCK_CLOEXEC",
	  SC_ACCEPT4, T_UNIX_ABSTRACT, .flags = SOCK_CLOEXEC),
	C("sc_accept4_badflags", "socketcall(SYS_ACCEPT4), unknown flag bit: EINVAL",
	  SC_ACCEPT4, T_IDLE, .backlog = 59, .flags = SOCK_CLOEXEC | 0x1, .want = EINVAL),
	C("sc_accept4_enotsock", "socketcall(SYS_ACCEPT4), memfd: ENOTSOCK",
	  SC_ACCEPT4, T_ENOTSOCK, .want = ENOTSOCK),
	C("sc_accept4_negative", "socketcall(SYS_ACCEPT4), addrlen -1: EINVAL",
	  SC_ACCEPT4, T_TCP, .backlog = 60, .addrlen_in = -1, .want = EINVAL),
	C("accept4_ipv4", "accept4 (364), IPv4, flags 0",
	  ACCEPT4, T_TCP, .backlog = 61, .addrlen_in = 16),
	C("accept4_nonblock", "accept4 (364), SOCK_NONBLOCK",
	  ACCEPT4, T_TCP, .backlog = 62, .flags = SOCK_NONBLOCK),
	C("accept4_unix", "accept4 (364), AF_UNIX path, SOCK_NONBLOCK|SOCK_CLOEXEC",
	  ACCEPT4, T_UNIX, .flags = SOCK_NONBLOCK | SOCK_CLOEXEC),
	C("accept4_zero", "accept4 (364), addrlen 0: nothing copied, 16 back",
	  ACCEPT4, T_TCP, .backlog = 63, .zero_len = true),
	C("accept4_efault_addrlen", "accept4 (364), addrlen unmapped: EFAULT",
	  ACCEPT4, T_TCP, .backlog = 64, .bad_addrlen = true, .want = EFAULT),
	C("accept4_eagain", "accept4 (364), SOCK_NONBLOCK on an empty listener",
	  ACCEPT4, T_EMPTY, .backlog = 65, .flags = SOCK_NONBLOCK, .want = EAGAIN),
	C("accept4_badflags", "accept4 (364), flags INT_MIN: EINVAL",
	  ACCEPT4, T_IDLE, .backlog = 66, .flags = (int)0x80000000u, .want = EINVAL),
	C("accept4_ebadf", "accept4 (364), closed fd: EBADF",
	  ACCEPT4, T_EBADF, .want = EBADF),
	C("accept4_enotsock", "accept4 (364), memfd: ENOTSOCK",
	  ACCEPT4, T_ENOTSOCK, .want = ENOTSOCK),
};

static int run_norecord(const char *name)
{
	if (!strcmp(name, "sc_badargs"))
		return norecord(name, "socketcall(SYS_ACCEPT), argument array unmapped: EFAULT, no record",
				SC_SYS_ACCEPT, true, EFAULT);
	if (!strcmp(name, "sc_badcall"))
		return norecord(name, "socketcall(0): EINVAL, no record",
				SC_UNKNOWN_CALL, false, EINVAL);
	return -1;
}

static const char *const norecord_cases[] = { "sc_badargs", "sc_badcall" };

#else /* x32 */

static const struct c32_case cases[] = {
	C("x32_accept_ipv4", "accept (43|x32), IPv4, addrlen 16",
	  ACCEPT, T_TCP, .backlog = 71, .addrlen_in = 16),
	C("x32_accept_unix", "accept (43|x32), AF_UNIX path, unnamed client",
	  ACCEPT, T_UNIX),
	C("x32_accept_short", "accept (43|x32), addrlen 4: truncated",
	  ACCEPT, T_TCP, .backlog = 72, .addrlen_in = 4),
	C("x32_accept_efault_addr", "accept (43|x32), addr unmapped: EFAULT",
	  ACCEPT, T_TCP, .backlog = 73, .bad_addr = true, .addrlen_in = 16,
	  .want = EFAULT),
	C("x32_accept_ebadf", "accept (43|x32), closed fd: EBADF",
	  ACCEPT, T_EBADF, .want = EBADF),
	C("x32_accept4_both", "accept4 (288|x32), SOCK_NONBLOCK|SOCK_CLOEXEC",
	  ACCEPT4, T_TCP6, .backlog = 74, .flags = SOCK_NONBLOCK | SOCK_CLOEXEC),
	C("x32_accept4_null", "accept4 (288|x32), addr NULL, addrlen NULL",
	  ACCEPT4, T_TCP, .backlog = 75, .no_addr = true, .no_addrlen = true),
	C("x32_accept4_eagain", "accept4 (288|x32), empty O_NONBLOCK listener",
	  ACCEPT4, T_EMPTY, .backlog = 76, .flags = SOCK_NONBLOCK, .want = EAGAIN),
	C("x32_accept4_badflags", "accept4 (288|x32), unknown flag bit: EINVAL",
	  ACCEPT4, T_IDLE, .backlog = 77, .flags = SOCK_CLOEXEC | 0x1, .want = EINVAL),
	C("x32_accept4_enotsock", "accept4 (288|x32), memfd: ENOTSOCK",
	  ACCEPT4, T_ENOTSOCK, .want = ENOTSOCK),
};

static int run_norecord(const char *name)
{
	(void)name;
	return -1;
}

static const char *const norecord_cases[] = { NULL };

#endif

#define NCASES		(sizeof(cases) / sizeof(cases[0]))
#define NNORECORD	(sizeof(norecord_cases) / sizeof(norecord_cases[0]))

static int run_one(const char *name)
{
	unsigned int i;
	int r = run_norecord(name);

	if (r >= 0)
		return r;
	for (i = 0; i < NCASES; i++)
		if (!strcmp(cases[i].name, name)) {
			printf("# case %s: %s\n", name, cases[i].what);
			return run(&cases[i]);
		}
	fprintf(stderr, "%s: no case '%s' (see --list)\n", C32_COMM, name);
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "case", required_argument, NULL, 'c' },
		{ "list", no_argument, NULL, 'l' },
		{ }
	};
	char *list = NULL, *name, *save = NULL;
	unsigned int i;
	int o, r, rc = 0;

	while ((o = getopt_long(argc, argv, "c:l", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			list = optarg;
			break;
		case 'l':
			for (i = 0; i < NCASES; i++)
				printf("%-26s %s\n", cases[i].name,
				       cases[i].what);
			for (i = 0; i < NNORECORD; i++)
				if (norecord_cases[i])
					printf("%-26s (no record)\n",
					       norecord_cases[i]);
			return 0;
		default:
			fprintf(stderr, "usage: %s [--case NAME[,NAME...]] [--list]\n",
				C32_COMM);
			return 2;
		}
	}
	wl_comm = C32_COMM;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# %s pid %d tid %d\n", C32_COMM, getpid(), wl_gettid());
	if (list) {
		for (name = strtok_r(list, ",", &save); name;
		     name = strtok_r(NULL, ",", &save)) {
			r = run_one(name);
			if (r > rc)
				rc = r;
		}
		return rc;
	}
	for (i = 0; i < NCASES; i++) {
		r = run_one(cases[i].name);
		if (r > rc)
			rc = r;
	}
	for (i = 0; i < NNORECORD; i++) {
		if (!norecord_cases[i])
			continue;
		r = run_one(norecord_cases[i]);
		if (r > rc)
			rc = r;
	}
	return rc;
}
