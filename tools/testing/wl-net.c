// SPDX-License-Identifier: GPL-2.0
/* Socket helpers of the workload: listeners, clients, raw accept calls. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "at-workload.h"

pid_t wl_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

const char *wl_tmpdir(void)
{
	const char *d = getenv("TMPDIR");

	return d && *d ? d : "/tmp";
}

/* A page nothing is mapped at: user pointers that must fault. */
void *wl_bad_page(void)
{
	static void *page;

	if (!page) {
		page = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
		if (page == MAP_FAILED) {
			perror("at-workload: mmap");
			exit(2);
		}
	}
	return page;
}

static void die(const char *what)
{
	fprintf(stderr, "at-workload: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void self_name(struct wl_addr *a, int fd)
{
	a->len = sizeof(a->ss);
	if (getsockname(fd, (struct sockaddr *)&a->ss, &a->len))
		die("getsockname");
}

/*
 * A TCP listener on @ip, port chosen by the kernel.  Listeners stay open
 * until the workload exits, so no two cases ever share a port.
 */
int wl_listen_tcp(int family, const char *ip, int backlog, int sock_flags,
		  struct wl_addr *bound)
{
	struct sockaddr_storage ss = { .ss_family = family };
	struct sockaddr_in *in4 = (void *)&ss;
	struct sockaddr_in6 *in6 = (void *)&ss;
	socklen_t len;
	int fd, off = 0;

	fd = socket(family, SOCK_STREAM | sock_flags, 0);
	if (fd < 0)
		die("socket");
	if (family == AF_INET) {
		len = sizeof(*in4);
		if (inet_pton(AF_INET, ip, &in4->sin_addr) != 1)
			die(ip);
	} else {
		len = sizeof(*in6);
		if (inet_pton(AF_INET6, ip, &in6->sin6_addr) != 1)
			die(ip);
		/* "::" takes IPv4 clients too, as ::ffff:a.b.c.d */
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off,
			       sizeof(off)))
			die("IPV6_V6ONLY");
	}
	if (bind(fd, (struct sockaddr *)&ss, len))
		die("bind");
	if (backlog >= 0 && listen(fd, backlog))
		die("listen");
	self_name(bound, fd);
	return fd;
}

static socklen_t unix_name(struct sockaddr_un *un, const char *name,
			   bool abstract)
{
	memset(un, 0, sizeof(*un));
	un->sun_family = AF_UNIX;
	if (abstract) {
		snprintf(un->sun_path + 1, sizeof(un->sun_path) - 1,
			 "at-wl.%d.%s", getpid(), name);
		return offsetof(struct sockaddr_un, sun_path) + 1 +
		       strlen(un->sun_path + 1);
	}
	snprintf(un->sun_path, sizeof(un->sun_path), "%s/at-wl.%d.%s",
		 wl_tmpdir(), getpid(), name);
	unlink(un->sun_path);
	return offsetof(struct sockaddr_un, sun_path) +
	       strlen(un->sun_path) + 1;
}

int wl_listen_unix(const char *name, bool abstract, int backlog,
		   struct wl_addr *bound)
{
	struct sockaddr_un un;
	socklen_t len = unix_name(&un, name, abstract);
	int fd;

	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		die("socket(AF_UNIX)");
	if (bind(fd, (struct sockaddr *)&un, len))
		die("bind(AF_UNIX)");
	if (listen(fd, backlog))
		die("listen(AF_UNIX)");
	self_name(bound, fd);
	return fd;
}

/* A client connected to @to; @bind_unix names an AF_UNIX client. */
int wl_connect(const struct wl_addr *to, const char *bind_unix,
	       bool abstract, struct wl_addr *client)
{
	int fd = socket(to->ss.ss_family, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket(client)");
	if (bind_unix) {
		struct sockaddr_un un;
		socklen_t len = unix_name(&un, bind_unix, abstract);

		if (bind(fd, (struct sockaddr *)&un, len))
			die("bind(client)");
	}
	if (connect(fd, (const struct sockaddr *)&to->ss, to->len))
		die("connect");
	self_name(client, fd);
	return fd;
}

/*
 * Wait until the listener has a connection queued, so that inet_accept()
 * finds exactly one (qlen=1) however late the softirq side ran.
 */
int wl_wait_pending(int lfd)
{
	struct pollfd p = { .fd = lfd, .events = POLLIN };

	if (poll(&p, 1, 10000) != 1) {
		fprintf(stderr, "at-workload: no connection queued on fd %d\n",
			lfd);
		exit(2);
	}
	return 0;
}

void wl_call_init(struct wl_call *c, long nr, int fd, void *addr,
		  socklen_t *addrlen, int flags)
{
	memset(c, 0, sizeof(*c));
	c->nr = nr;
	c->syscall = nr == SYS_accept4 ? "accept4" : "accept";
	c->fd = fd;
	c->addr = addr;
	c->addrlen = addrlen;
	c->flags = flags;
	c->tid = wl_gettid();
	if (addrlen)
		c->addrlen_in = (int)*addrlen;
}

/*
 * The raw system call, so that exactly these arguments reach the kernel.
 * (Not SYS_accept by name: i386 has none, and wl-net.c builds there.)
 */
long wl_call_accept(struct wl_call *c)
{
	long r;

	if (c->addrlen && !c->addrlen_bad)
		*c->addrlen = (socklen_t)c->addrlen_in;
	if (c->nr == SYS_accept4)
		r = syscall(SYS_accept4, c->fd, c->addr, c->addrlen, c->flags);
	else
		r = syscall(c->nr, c->fd, c->addr, c->addrlen);
	c->ret = r < 0 ? -errno : r;
	c->kret = c->ret;
	if (c->addrlen && !c->addrlen_bad)
		c->addrlen_out = (int)*c->addrlen;
	return c->ret;
}

static int read_small(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return 0;
}

/*
 * Wait until thread @tid sleeps inside system call @nr: for accept on a
 * listener that is only possible in the wait for a connection, i.e.
 * after inet_accept() was entered with an empty queue.
 */
int wl_wait_blocked(pid_t tid, long nr)
{
	char path[64], buf[512], *p;
	struct timespec ms = { 0, 1000000 };
	int i;

	for (i = 0; i < 20000; i++) {
		snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
		if (read_small(path, buf, sizeof(buf)))
			return -1;
		p = strrchr(buf, ')');
		if (p && p[1] == ' ' && p[2] == 'S') {
			snprintf(path, sizeof(path),
				 "/proc/self/task/%d/syscall", tid);
			if (read_small(path, buf, sizeof(buf)))
				return -1;
			if (strtol(buf, NULL, 10) == nr &&
			    buf[0] >= '0' && buf[0] <= '9')
				return 0;
		}
		nanosleep(&ms, NULL);
	}
	fprintf(stderr, "at-workload: thread %d never blocked in syscall %ld\n",
		tid, nr);
	exit(2);
}

void wl_conn_from(struct wl_conn *conn, const struct wl_addr *local,
		  const struct wl_addr *client)
{
	conn->local = *local;
	conn->peer = *client;
}

bool wl_addr_eq(const struct wl_addr *a, const void *sa, socklen_t len)
{
	return a->len == len && !memcmp(&a->ss, sa, len);
}
