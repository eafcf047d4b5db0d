// SPDX-License-Identifier: GPL-2.0
/*
 * The accept(2) cases of the man pages, each against its own listener.
 *
 * A case performs its calls with raw syscall(2), checks that the kernel
 * answered as the man page says (else the workload fails: the account
 * would be built on a wrong premise), and prints the EXPECT lines for
 * the records accepttrace must write: one sys_accept4 record per call,
 * plus an inet_accept record whenever the call reached TCP's ->accept.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "at-workload.h"

/* The file flags inet_accept() is passed for a (non-)blocking listener. */
#define FILE_BLOCKING		O_RDWR
#define FILE_NONBLOCKING	(O_RDWR | O_NONBLOCK)

/* What the kernel returns for a blocked call a signal interrupted. */
#define ERESTARTSYS		512

/*
 * How one TCP case calls accept: everything the generic runner needs.
 * @want is the errno the man page promises (0: success).  Every failure
 * here comes from copying the address out, which the kernel does after
 * dequeuing the connection: inet_accept() still succeeds.  @addrlen_in
 * 0 means a sockaddr_storage-sized buffer (@zero_len: really 0).
 */
struct tcp_spec {
	int family;
	const char *listen_ip;
	const char *connect_ip;		/* NULL: the listener's address */
	int backlog;
	bool plain;			/* accept(2), not accept4(2) */
	int flags;
	bool no_addr, no_addrlen, bad_addr, bad_addrlen;
	int addrlen_in;
	bool zero_len;
	int want;
};

/* An IPv4 address as a dual-stack socket reports it: ::ffff:a.b.c.d. */
static void map_v4(struct wl_addr *a)
{
	struct sockaddr_in in4 = *(struct sockaddr_in *)&a->ss;
	struct sockaddr_in6 *in6 = (void *)&a->ss;

	memset(a, 0, sizeof(*a));
	in6->sin6_family = AF_INET6;
	in6->sin6_port = in4.sin_port;
	in6->sin6_addr.s6_addr[10] = 0xff;
	in6->sin6_addr.s6_addr[11] = 0xff;
	memcpy(&in6->sin6_addr.s6_addr[12], &in4.sin_addr, 4);
	a->len = sizeof(*in6);
}

/* Where the client dials: the listener, or @ip at the listener's port. */
static void connect_target(struct wl_addr *to, const struct wl_addr *la,
			   const char *ip)
{
	struct sockaddr_in *in4 = (void *)&to->ss;
	const struct sockaddr_in6 *in6 = (const void *)&la->ss;

	if (!ip) {
		*to = *la;
		return;
	}
	memset(to, 0, sizeof(*to));
	in4->sin_family = AF_INET;
	in4->sin_port = in6->sin6_port;
	inet_pton(AF_INET, ip, &in4->sin_addr);
	to->len = sizeof(*in4);
}

static int run_tcp(const struct wl_case *cs, const struct tcp_spec *s)
{
	struct sockaddr_storage buf;
	struct wl_addr la, to, cl;
	struct wl_conn conn;
	struct wl_call c;
	socklen_t len = s->zero_len ? 0 :
			s->addrlen_in ? (socklen_t)s->addrlen_in : sizeof(buf);
	void *addr = &buf;
	int lfd, cfd, rc;

	lfd = wl_listen_tcp(s->family ? s->family : AF_INET,
			    s->listen_ip ? s->listen_ip : "127.0.0.1",
			    s->backlog, 0, &la);
	connect_target(&to, &la, s->connect_ip);
	cfd = wl_connect(&to, NULL, false, &cl);
	wl_wait_pending(lfd);
	conn.local = to;
	if (s->connect_ip) {
		/* the server side sees both ends as mapped addresses */
		map_v4(&cl);
		map_v4(&conn.local);
	}

	memset(&buf, 0xa5, sizeof(buf));
	if (s->no_addr)
		addr = NULL;
	else if (s->bad_addr)
		addr = wl_bad_page();
	wl_call_init(&c, s->plain ? SYS_accept : SYS_accept4, lfd, addr,
		     s->no_addrlen ? NULL : &len, s->flags);
	if (s->bad_addrlen) {
		c.addrlen = (socklen_t *)wl_bad_page();
		c.addrlen_bad = true;
	}
	wl_call_accept(&c);
	rc = wl_check_ret(cs->name, &c, s->want) ?: wl_check_peer(cs->name, &c, &cl);
	if (rc)
		return rc;

	conn.peer = cl;
	wl_info(cs->name, "fd %d, client %s; accept returned %ld", lfd,
		s->connect_ip ? "IPv4 to a dual-stack listener" : "connected",
		c.ret);
	wl_expect_inet(cs->name, &(struct wl_inet){
		.tid = c.tid, .flags = FILE_BLOCKING, .ret = 0,
		.qlen = 1, .qmax = (unsigned int)s->backlog,
	}, &la, &conn);
	wl_expect_sys(cs->name, &c, c.ret >= 0 ? &conn : NULL);
	if (c.ret >= 0)
		close((int)c.ret);
	close(cfd);
	return 0;
}

#define TCP_CASE(fn, ...)						\
static int fn(const struct wl_case *cs)					\
{									\
	return run_tcp(cs, &(struct tcp_spec){ __VA_ARGS__ });		\
}

TCP_CASE(case_ipv4, .backlog = 11, .addrlen_in = sizeof(struct sockaddr_in))
TCP_CASE(case_ipv6, .backlog = 12, .family = AF_INET6, .listen_ip = "::1")
TCP_CASE(case_ipv6_mapped, .backlog = 13, .family = AF_INET6,
	 .listen_ip = "::", .connect_ip = "127.0.0.1")
TCP_CASE(case_nonblock, .backlog = 14, .flags = SOCK_NONBLOCK)
TCP_CASE(case_cloexec, .backlog = 15, .flags = SOCK_CLOEXEC)
TCP_CASE(case_both, .backlog = 16, .flags = SOCK_NONBLOCK | SOCK_CLOEXEC)
TCP_CASE(case_accept, .backlog = 17, .plain = true)
TCP_CASE(case_addr_null, .backlog = 18, .no_addr = true, .no_addrlen = true)
TCP_CASE(case_addr_null_len, .backlog = 19, .no_addr = true, .addrlen_in = 16)
TCP_CASE(case_addrlen_null, .backlog = 20, .no_addrlen = true,
	 .want = EFAULT)
TCP_CASE(case_addrlen_short, .backlog = 21, .addrlen_in = 4)
TCP_CASE(case_addrlen_zero, .backlog = 22, .zero_len = true)
TCP_CASE(case_addrlen_negative, .backlog = 23, .addrlen_in = -1,
	 .want = EINVAL)
TCP_CASE(case_efault_addr, .backlog = 24, .bad_addr = true, .addrlen_in = 16,
	 .want = EFAULT)
TCP_CASE(case_efault_addrlen, .backlog = 25, .bad_addrlen = true,
	 .want = EFAULT)

/* AF_UNIX: no inet_accept() record, addresses are paths. */
static int run_unix(const struct wl_case *cs, bool abstract,
		    const char *client_name)
{
	struct sockaddr_un buf;
	struct wl_addr la, cl;
	struct wl_conn conn;
	struct wl_call c;
	socklen_t len = sizeof(buf);
	int lfd, cfd, rc;

	lfd = wl_listen_unix(cs->name, abstract, 5, &la);
	cfd = wl_connect(&la, client_name, abstract, &cl);
	memset(&buf, 0xa5, sizeof(buf));
	wl_call_init(&c, SYS_accept4, lfd, &buf, &len, 0);
	wl_call_accept(&c);
	rc = wl_check_ret(cs->name, &c, 0) ?: wl_check_peer(cs->name, &c, &cl);
	if (rc)
		return rc;
	wl_info(cs->name, "fd %d, %s listener, %s client; accept returned %ld",
		lfd, abstract ? "abstract" : "path",
		client_name ? "named" : "unnamed", c.ret);
	wl_conn_from(&conn, &la, &cl);
	wl_expect_sys(cs->name, &c, &conn);
	close((int)c.ret);
	close(cfd);
	return 0;
}

static int case_unix_path(const struct wl_case *cs)
{
	return run_unix(cs, false, NULL);
}

static int case_unix_abstract(const struct wl_case *cs)
{
	return run_unix(cs, true, "unix_abstract.client");
}

static int case_unix_named_client(const struct wl_case *cs)
{
	return run_unix(cs, false, "unix_named_client.client");
}

/* A call that fails before any connection is looked at: one record. */
static int sys_only(const struct wl_case *cs, int fd, int flags, int want,
		    const char *what)
{
	struct sockaddr_storage buf;
	socklen_t len = sizeof(buf);
	struct wl_call c;

	wl_call_init(&c, SYS_accept4, fd, &buf, &len, flags);
	wl_call_accept(&c);
	if (wl_check_ret(cs->name, &c, want))
		return 1;
	wl_info(cs->name, "%s: fd %d flags %#x -> %ld", what, fd, flags, c.ret);
	wl_expect_sys(cs->name, &c, NULL);
	return 0;
}

static int case_badflags(const struct wl_case *cs)
{
	struct wl_addr la;
	int lfd = wl_listen_tcp(AF_INET, "127.0.0.1", 26, 0, &la);

	return sys_only(cs, lfd, SOCK_CLOEXEC | 0x1, EINVAL, "unknown flag bit");
}

static int case_negflags(const struct wl_case *cs)
{
	struct wl_addr la;
	int lfd = wl_listen_tcp(AF_INET, "127.0.0.1", 27, 0, &la);

	return sys_only(cs, lfd, INT_MIN, EINVAL, "sign bit in flags");
}

static int case_ebadf(const struct wl_case *cs)
{
	int fd = dup(1);

	close(fd);
	return sys_only(cs, fd, 0, EBADF, "closed descriptor");
}

static int case_enotsock(const struct wl_case *cs)
{
	int fd = memfd_create("at-notsock", 0);

	if (fd < 0) {
		perror("at-workload: memfd_create");
		return 2;
	}
	return sys_only(cs, fd, 0, ENOTSOCK, "regular file (memfd)");
}

static int case_eopnotsupp(const struct wl_case *cs)
{
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	return sys_only(cs, fd, 0, EOPNOTSUPP, "UDP socket");
}

/* Empty non-blocking listener: inet_accept() runs and says EAGAIN. */
static int case_eagain(const struct wl_case *cs)
{
	struct wl_addr la;
	struct wl_call c;
	int lfd = wl_listen_tcp(AF_INET, "127.0.0.1", 28, SOCK_NONBLOCK, &la);

	wl_call_init(&c, SYS_accept4, lfd, NULL, NULL, SOCK_NONBLOCK);
	wl_call_accept(&c);
	if (wl_check_ret(cs->name, &c, EAGAIN))
		return 1;
	wl_info(cs->name, "empty O_NONBLOCK listener fd %d -> %ld", lfd, c.ret);
	wl_expect_inet(cs->name, &(struct wl_inet){
		.tid = c.tid, .flags = FILE_NONBLOCKING, .ret = -EAGAIN,
		.qlen = 0, .qmax = 28,
	}, &la, NULL);
	wl_expect_sys(cs->name, &c, NULL);
	return 0;
}

/* Bound, never listened: inet_csk_accept() refuses, queue limit 0. */
static int case_not_listening(const struct wl_case *cs)
{
	struct wl_addr la;
	struct wl_call c;
	int fd = wl_listen_tcp(AF_INET, "127.0.0.1", -1, 0, &la);

	wl_call_init(&c, SYS_accept4, fd, NULL, NULL, 0);
	wl_call_accept(&c);
	if (wl_check_ret(cs->name, &c, EINVAL))
		return 1;
	wl_info(cs->name, "bound TCP socket fd %d, no listen() -> %ld", fd,
		c.ret);
	wl_expect_inet(cs->name, &(struct wl_inet){
		.tid = c.tid, .flags = FILE_BLOCKING, .ret = -EINVAL,
		.qlen = 0, .qmax = 0,
	}, &la, NULL);
	wl_expect_sys(cs->name, &c, NULL);
	return 0;
}

/*
 * RLIMIT_NOFILE at the lowest free descriptor: accept fails before it
 * looks at the queue (no inet_accept), and the connection stays queued
 * for the retry after the limit is restored.
 */
static int case_emfile(const struct wl_case *cs)
{
	struct sockaddr_in buf;
	struct wl_addr la, cl;
	struct wl_conn conn;
	struct rlimit old, low;
	struct wl_call c1, c2;
	socklen_t len = sizeof(buf);
	int lfd, cfd, lowest;

	lfd = wl_listen_tcp(AF_INET, "127.0.0.1", 29, 0, &la);
	cfd = wl_connect(&la, NULL, false, &cl);
	wl_wait_pending(lfd);
	lowest = dup(lfd);
	close(lowest);
	getrlimit(RLIMIT_NOFILE, &old);
	low = old;
	low.rlim_cur = (rlim_t)lowest;
	if (setrlimit(RLIMIT_NOFILE, &low)) {
		perror("at-workload: setrlimit");
		return 2;
	}
	wl_call_init(&c1, SYS_accept4, lfd, &buf, &len, 0);
	wl_call_accept(&c1);
	setrlimit(RLIMIT_NOFILE, &old);
	wl_call_init(&c2, SYS_accept4, lfd, &buf, &len, 0);
	wl_call_accept(&c2);
	if (wl_check_ret(cs->name, &c1, EMFILE) || wl_check_ret(cs->name, &c2, 0) ||
	    wl_check_peer(cs->name, &c2, &cl))
		return 1;
	wl_info(cs->name, "RLIMIT_NOFILE=%d -> %ld; restored, retry -> %ld",
		lowest, c1.ret, c2.ret);
	wl_conn_from(&conn, &la, &cl);
	wl_expect_sys(cs->name, &c1, NULL);
	wl_expect_inet(cs->name, &(struct wl_inet){
		.tid = c2.tid, .flags = FILE_BLOCKING, .ret = 0,
		.qlen = 1, .qmax = 29,
	}, &la, &conn);
	wl_expect_sys(cs->name, &c2, &conn);
	close((int)c2.ret);
	close(cfd);
	return 0;
}

/* ---- calls blocked in another thread ---- */

static volatile sig_atomic_t signals_seen;

static void on_signal(int sig)
{
	(void)sig;
	signals_seen++;
}

struct acceptor {
	pthread_t thread;
	int lfd;
	volatile pid_t tid;
	struct sockaddr_storage buf;
	socklen_t len;
	struct wl_call c;
};

static void *acceptor_main(void *arg)
{
	struct acceptor *a = arg;

	memset(&a->buf, 0xa5, sizeof(a->buf));
	a->len = sizeof(a->buf);
	wl_call_init(&a->c, SYS_accept4, a->lfd, &a->buf, &a->len, 0);
	a->tid = a->c.tid;
	wl_call_accept(&a->c);
	return NULL;
}

static int start_acceptor(struct acceptor *a, int lfd)
{
	pthread_attr_t attr;
	int err;

	memset(a, 0, sizeof(*a));
	a->lfd = lfd;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	err = pthread_create(&a->thread, &attr, acceptor_main, a);
	pthread_attr_destroy(&attr);
	if (err) {
		fprintf(stderr, "at-workload: pthread_create: %s\n",
			strerror(err));
		exit(2);
	}
	while (!a->tid)
		sched_yield();
	return 0;
}

static void set_handler(int sig, int flags)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = flags };

	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void wait_signal_seen(sig_atomic_t before)
{
	while (signals_seen == before)
		sched_yield();
}

/*
 * A signal to a thread blocked in accept.  Both probes see -ERESTARTSYS;
 * without SA_RESTART the caller gets EINTR, with it the kernel enters
 * accept4 again (a second pair of records) and that call succeeds.
 */
static int run_signal(const struct wl_case *cs, bool restart)
{
	int sig = restart ? SIGUSR2 : SIGUSR1, backlog = restart ? 31 : 30;
	struct wl_addr la, cl;
	struct acceptor a;
	struct wl_conn conn;
	struct wl_call first;
	sig_atomic_t before;
	int lfd, cfd = -1;

	set_handler(sig, restart ? SA_RESTART : 0);
	lfd = wl_listen_tcp(AF_INET, "127.0.0.1", backlog, 0, &la);
	start_acceptor(&a, lfd);
	wl_wait_blocked(a.tid, SYS_accept4);
	before = signals_seen;
	syscall(SYS_tgkill, getpid(), a.tid, sig);
	if (restart) {
		wait_signal_seen(before);
		wl_wait_blocked(a.tid, SYS_accept4);
		cfd = wl_connect(&la, NULL, false, &cl);
	}
	pthread_join(a.thread, NULL);
	if (wl_check_ret(cs->name, &a.c, restart ? 0 : EINTR) ||
	    (restart && wl_check_peer(cs->name, &a.c, &cl)))
		return 1;
	wl_info(cs->name, "thread %d blocked in accept4 on fd %d, %s%s -> %ld",
		a.tid, lfd, restart ? "SIGUSR2 (SA_RESTART)" : "SIGUSR1",
		restart ? ", then a client" : "", a.c.ret);

	/* The interrupted call, as the kernel saw it. */
	first = a.c;
	first.ret = first.kret = -ERESTARTSYS;
	first.addrlen_out = first.addrlen_in;
	wl_expect_inet(cs->name, &(struct wl_inet){
		.tid = a.tid, .flags = FILE_BLOCKING, .ret = -ERESTARTSYS,
		.qlen = 0, .qmax = (unsigned int)backlog,
	}, &la, NULL);
	wl_expect_sys(cs->name, &first, NULL);
	if (!restart)
		return 0;

	wl_conn_from(&conn, &la, &cl);
	wl_expect_inet(cs->name, &(struct wl_inet){
		.tid = a.tid, .flags = FILE_BLOCKING, .ret = 0,
		.qlen = 0, .qmax = (unsigned int)backlog,
	}, &la, &conn);
	wl_expect_sys(cs->name, &a.c, &conn);
	close((int)a.c.ret);
	close(cfd);
	return 0;
}

static int case_eintr(const struct wl_case *cs)
{
	return run_signal(cs, false);
}

static int case_restart(const struct wl_case *cs)
{
	return run_signal(cs, true);
}

const char *wl_hold;

/* Wait, with @n threads blocked, until the file wl_hold exists. */
static void hold(unsigned int n)
{
	struct timespec ms = { 0, 10000000 };

	fprintf(stderr, "# blocked %u\n", n);
	while (access(wl_hold, F_OK))
		nanosleep(&ms, NULL);
}

/*
 * @n threads blocked on one listener, then @n clients.  Which thread gets
 * which client is the scheduler's choice; each thread's record carries
 * the peer its own accept returned, checked against the client list.
 */
static int run_many(const char *cname, unsigned int n, int backlog)
{
	struct acceptor *a = calloc(n, sizeof(*a));
	struct wl_addr la, *cl = calloc(n, sizeof(*cl));
	int *cfd = calloc(n, sizeof(*cfd));
	struct wl_conn conn;
	unsigned int i, j;
	int lfd, rc = 0;

	if (!a || !cl || !cfd) {
		perror("at-workload: calloc");
		return 2;
	}
	lfd = wl_listen_tcp(AF_INET, "127.0.0.1", backlog, 0, &la);
	for (i = 0; i < n; i++)
		start_acceptor(&a[i], lfd);
	for (i = 0; i < n; i++)
		wl_wait_blocked(a[i].tid, SYS_accept4);
	if (wl_hold)
		hold(n);
	for (i = 0; i < n; i++)
		cfd[i] = wl_connect(&la, NULL, false, &cl[i]);
	for (i = 0; i < n; i++)
		pthread_join(a[i].thread, NULL);
	wl_info(cname, "%u threads blocked in accept4 on fd %d, then %u clients",
		n, lfd, n);
	for (i = 0; i < n; i++) {
		if (wl_check_ret(cname, &a[i].c, 0)) {
			rc = 1;
			continue;
		}
		for (j = 0; j < n; j++)
			if (cfd[j] >= 0 &&
			    wl_addr_eq(&cl[j], &a[i].buf, a[i].c.addrlen_out))
				break;
		if (j == n) {
			rc = wl_fail(cname, "thread %d got an unknown peer",
				     a[i].tid);
			continue;
		}
		wl_conn_from(&conn, &la, &cl[j]);
		close(cfd[j]);
		cfd[j] = -1;
		wl_expect_inet(cname, &(struct wl_inet){
			.tid = a[i].tid, .flags = FILE_BLOCKING, .ret = 0,
			.qlen = 0, .qmax = (unsigned int)backlog,
		}, &la, &conn);
		wl_expect_sys(cname, &a[i].c, &conn);
		close((int)a[i].c.ret);
	}
	close(lfd);
	free(a);
	free(cl);
	free(cfd);
	return rc;
}

static int case_threads(const struct wl_case *cs)
{
	return run_many(cs->name, 8, 32);
}

int wl_run_blocked(unsigned int n)
{
	return run_many("blocked", n, n < 4096 ? (int)n + 1 : 4096);
}

/*
 * @n AF_UNIX accepts in a row as fast as possible: only sys_accept4
 * events, for the ring-overflow test.  Prints a count, no EXPECT lines
 * (most records are meant to be lost).
 */
int wl_run_burst(unsigned int n)
{
	struct wl_addr la, cl;
	struct wl_call c;
	unsigned int i;
	int lfd, cfd;

	lfd = wl_listen_unix("burst", true, 8, &la);
	for (i = 0; i < n; i++) {
		cfd = wl_connect(&la, NULL, false, &cl);
		wl_call_init(&c, SYS_accept4, lfd, NULL, NULL, 0);
		if (wl_call_accept(&c) < 0)
			return wl_fail("burst", "accept4: %ld", c.ret);
		close((int)c.ret);
		close(cfd);
	}
	printf("# burst: %u AF_UNIX accepts by pid %d tid %d\n", n, getpid(),
	       wl_gettid());
	return 0;
}

const struct wl_case wl_cases[] = {
	{ "ipv4", "accept4(flags=0) of an IPv4 loopback connection", case_ipv4 },
	{ "ipv6", "accept4 of an IPv6 [::1] connection", case_ipv6 },
	{ "ipv6_mapped", "IPv4 client of a dual-stack [::] listener",
	  case_ipv6_mapped },
	{ "unix_path", "AF_UNIX path listener, unnamed client",
	  case_unix_path },
	{ "unix_abstract", "AF_UNIX abstract listener, abstract client",
	  case_unix_abstract },
	{ "unix_named_client", "AF_UNIX path listener, path-bound client",
	  case_unix_named_client },
	{ "accept4_nonblock", "accept4(SOCK_NONBLOCK)", case_nonblock },
	{ "accept4_cloexec", "accept4(SOCK_CLOEXEC)", case_cloexec },
	{ "accept4_both", "accept4(SOCK_NONBLOCK|SOCK_CLOEXEC)", case_both },
	{ "accept4_badflags", "accept4 with an unknown flag bit: EINVAL",
	  case_badflags },
	{ "accept4_negflags", "accept4 with flags=INT_MIN: EINVAL",
	  case_negflags },
	{ "accept", "plain accept(2)", case_accept },
	{ "addr_null", "addr=NULL addrlen=NULL", case_addr_null },
	{ "addr_null_len", "addr=NULL, addrlen set: left alone",
	  case_addr_null_len },
	{ "addrlen_null", "addr set, addrlen=NULL: EFAULT after dequeue",
	  case_addrlen_null },
	{ "addrlen_short", "addrlen=4: truncated, 16 written back",
	  case_addrlen_short },
	{ "addrlen_zero", "addrlen=0: nothing copied, 16 written back",
	  case_addrlen_zero },
	{ "addrlen_negative", "addrlen=-1: EINVAL after dequeue",
	  case_addrlen_negative },
	{ "efault_addr", "addr in an unmapped page: EFAULT after dequeue",
	  case_efault_addr },
	{ "efault_addrlen", "addrlen in an unmapped page: EFAULT",
	  case_efault_addrlen },
	{ "eagain", "empty non-blocking listener: EAGAIN", case_eagain },
	{ "ebadf", "closed descriptor: EBADF", case_ebadf },
	{ "enotsock", "regular file: ENOTSOCK", case_enotsock },
	{ "einval_not_listening", "bound TCP socket, no listen(): EINVAL",
	  case_not_listening },
	{ "eopnotsupp", "UDP socket: EOPNOTSUPP", case_eopnotsupp },
	{ "emfile", "RLIMIT_NOFILE reached: EMFILE, connection kept",
	  case_emfile },
	{ "eintr", "signal without SA_RESTART: EINTR (kernel: ERESTARTSYS)",
	  case_eintr },
	{ "restart", "signal with SA_RESTART: ERESTARTSYS, restarted",
	  case_restart },
	{ "threads", "8 threads blocked on one listener, 8 clients",
	  case_threads },
};
const unsigned int wl_ncases = sizeof(wl_cases) / sizeof(wl_cases[0]);
