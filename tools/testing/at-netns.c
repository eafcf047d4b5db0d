// SPDX-License-Identifier: GPL-2.0
/*
 * at-netns: accepts whose socket lives in another network namespace than
 * the task that accepts, for the meaning of a record's netns.
 *
 *   at-netns [-F none|init|new]
 *
 * In the initial namespace I: a TCP listener L on 127.0.0.1 with one
 * connection queued (from a child that stays in I), and an empty
 * non-blocking TCP listener E.  Then the process moves itself into a new
 * namespace N (unshare(CLONE_NEWNET)) and, from N:
 *   - accept4(L): succeeds; the new socket is in I;
 *   - accept4(E): EAGAIN on a listener in I;
 *   - accept4() on an AF_UNIX listener it made in N, connected from N:
 *     succeeds; the socket is in N;
 *   - accept4(-1): EBADF, no socket: the task's namespace, N.
 * A record's netns is the namespace of the socket it is about (the new
 * socket, else the listener), the task's only where there is no socket;
 * the netns= filter decides on the same value.  -F init or -F new sets
 * the debugfs filter to netns=I or netns=N (after the unshare, before
 * the accepts; -F none, the default, sets no filter) and the account
 * then holds only the records that filter keeps.  Prints one EXPECT line
 * per record for at-check (keys: probe, pid, tid, comm, fd, ret, netns)
 * and a "# netns init=I new=N" line; exits 1 if a call did not answer as
 * assumed.
 */
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#define FILTER	"/sys/kernel/debug/accepttrace/filter"

static unsigned long ns_init, ns_new;
static const char *want = "none";
static int failed;

static void die(const char *what)
{
	fprintf(stderr, "at-netns: %s: %s\n", what, strerror(errno));
	exit(2);
}

static unsigned long netns_ino(void)
{
	struct stat st;

	if (stat("/proc/thread-self/ns/net", &st))
		die("stat /proc/thread-self/ns/net");
	return st.st_ino;
}

static int keep(unsigned long ns)
{
	if (!strcmp(want, "init"))
		return ns == ns_init;
	if (!strcmp(want, "new"))
		return ns == ns_new;
	return 1;
}

/* One record's EXPECT line, if the filter keeps it. */
static void expect(const char *cname, const char *probe, int fd, int ret,
		   unsigned long ns)
{
	pid_t pid = getpid();

	if (!keep(ns))
		return;
	printf("EXPECT case=%s probe=%s pid=%d tid=%ld comm=at-netns", cname,
	       probe, pid, (long)syscall(SYS_gettid));
	if (fd != -2)
		printf(" fd=%d", fd);
	printf(" ret=%d netns=%lu\n", ret, ns);
}

static void want_ret(const char *cname, int got, int exp)
{
	if (got != exp) {
		fprintf(stderr, "at-netns: %s: got %d, expected %d (errno %d)\n",
			cname, got, exp, errno);
		failed = 1;
	}
}

static int tcp_listener(int flags, struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | flags, 0);

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)sin, sizeof(*sin)) ||
	    listen(l, 8) || getsockname(l, (struct sockaddr *)sin, &len))
		die("tcp listener");
	return l;
}

static void set_filter(void)
{
	char buf[64];
	int fd, n;

	if (!strcmp(want, "none"))
		return;
	n = snprintf(buf, sizeof(buf), "netns=%lu",
		     !strcmp(want, "init") ? ns_init : ns_new);
	fd = open(FILTER, O_WRONLY);
	if (fd < 0 || write(fd, buf, n) != n)
		die("write " FILTER);
	close(fd);
}

int main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct sockaddr_in lsin, esin;
	socklen_t sunlen;
	int l, e, u, c, a, opt, status, pipefd[2];
	pid_t child;
	char t;

	while ((opt = getopt(argc, argv, "F:")) != -1) {
		if (opt == 'F' && (!strcmp(optarg, "none") ||
				   !strcmp(optarg, "init") ||
				   !strcmp(optarg, "new"))) {
			want = optarg;
			continue;
		}
		fprintf(stderr, "usage: at-netns [-F none|init|new]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	ns_init = netns_ino();
	l = tcp_listener(0, &lsin);
	e = tcp_listener(SOCK_NONBLOCK, &esin);

	/* The client stays in the initial namespace. */
	if (pipe(pipefd))
		die("pipe");
	child = fork();
	if (child < 0)
		die("fork");
	if (!child) {
		c = socket(AF_INET, SOCK_STREAM, 0);
		if (c < 0 || connect(c, (struct sockaddr *)&lsin, sizeof(lsin)))
			_exit(1);
		/* Hold the connection until the parent has accepted it. */
		close(pipefd[1]);
		if (read(pipefd[0], &t, 1) < 0)
			_exit(1);
		_exit(0);
	}
	close(pipefd[0]);

	if (unshare(CLONE_NEWNET))
		die("unshare(CLONE_NEWNET)");
	ns_new = netns_ino();
	if (ns_new == ns_init) {
		fprintf(stderr, "at-netns: unshare left the namespace as it was\n");
		return 2;
	}
	printf("# netns init=%lu new=%lu\n", ns_init, ns_new);
	set_filter();

	/* A socket of I, accepted in N. */
	a = accept4(l, NULL, NULL, 0);
	want_ret("tcp", a >= 0, 1);
	expect("netns-tcp", "sys_accept4", l, a, ns_init);
	expect("netns-tcp", "inet_accept", -2, 0, ns_init);
	close(pipefd[1]);

	/* A listener of I, failing in N. */
	errno = 0;
	want_ret("eagain", accept4(e, NULL, NULL, 0), -1);
	want_ret("eagain errno", errno, EAGAIN);
	expect("netns-eagain", "sys_accept4", e, -EAGAIN, ns_init);
	expect("netns-eagain", "inet_accept", -2, -EAGAIN, ns_init);

	/* An AF_UNIX socket of N (abstract names are per namespace). */
	snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1, "at-netns-%d",
		 getpid());
	sunlen = offsetof(struct sockaddr_un, sun_path) + 1 +
		 strlen(sun.sun_path + 1);
	u = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	c = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (u < 0 || c < 0 || bind(u, (struct sockaddr *)&sun, sunlen) ||
	    listen(u, 1) || connect(c, (struct sockaddr *)&sun, sunlen))
		die("unix listener in the new namespace");
	a = accept4(u, NULL, NULL, 0);
	want_ret("unix", a >= 0, 1);
	expect("netns-unix", "sys_accept4", u, a, ns_new);

	/* No socket at all: the task's namespace. */
	errno = 0;
	want_ret("ebadf", accept4(-1, NULL, NULL, 0), -1);
	want_ret("ebadf errno", errno, EBADF);
	expect("netns-ebadf", "sys_accept4", -1, -EBADF, ns_new);

	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "at-netns: the client failed\n");
		failed = 1;
	}
	return failed;
}
