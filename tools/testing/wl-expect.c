// SPDX-License-Identifier: GPL-2.0
/*
 * The workload's account: one "EXPECT key=value ..." line per record the
 * module should write, keys named like the reader tool's JSON keys.  Only
 * what the workload knows for sure is printed; at-check asserts each key.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "accepttrace.h"
#include "accepttrace_format.h"
#include "at-workload.h"

/* Set by a program other than at-workload that prints an account. */
const char *wl_comm = "at-workload";

struct line {
	char buf[2048];
	size_t len;
};

static void put(struct line *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (l->len >= sizeof(l->buf))
		return;
	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, sizeof(l->buf) - l->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l->len += n;
}

/* Whole lines only, so that threads printing at once do not interleave. */
static void emit(struct line *l)
{
	put(l, "\n");
	fputs(l->buf, stdout);
	fflush(stdout);
}

void wl_info(const char *cname, const char *fmt, ...)
{
	struct line l = { .len = 0 };
	va_list ap;
	int n;

	put(&l, "# %s: ", cname);
	va_start(ap, fmt);
	n = vsnprintf(l.buf + l.len, sizeof(l.buf) - l.len, fmt, ap);
	va_end(ap);
	if (n > 0)
		l.len += n;
	emit(&l);
}

int wl_fail(const char *cname, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "at-workload: %s: ", cname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	printf("# %s: FAILED: the kernel did not behave as the man page says\n",
	       cname);
	fflush(stdout);
	return 1;
}

int wl_check_ret(const char *cname, const struct wl_call *c, int want)
{
	if (want && c->ret != -want)
		return wl_fail(cname, "expected -%d, got %ld", want, c->ret);
	if (!want && c->ret < 0)
		return wl_fail(cname, "expected success, got %ld", c->ret);
	return 0;
}

/* The address accept() copied out must be the client's (maybe cut). */
int wl_check_peer(const char *cname, const struct wl_call *c,
		  const struct wl_addr *client)
{
	socklen_t n;

	if (c->ret < 0 || !c->addr || !c->addrlen)
		return 0;
	if ((socklen_t)c->addrlen_out != client->len)
		return wl_fail(cname, "addrlen came back %d, not %u",
			       c->addrlen_out, client->len);
	n = (socklen_t)c->addrlen_in < client->len ?
	    (socklen_t)c->addrlen_in : client->len;
	if (memcmp(c->addr, &client->ss, n))
		return wl_fail(cname, "accept returned another peer address");
	return 0;
}

static void put_errno(struct line *l, long ret)
{
	const char *name = ret < 0 ? at_errno_name((int)ret) : NULL;

	put(l, " ret=%ld errno=%s", ret, name ? name : "null");
}

static const char *family_name(int family)
{
	const char *n = at_name_of(at_family_names, at_family_names_count,
				   family);

	return n ? n : "?";
}

/* "<what>_addr=... <what>_port=..." or "<what>_path=...". */
static void put_addr(struct line *l, const char *what, const struct wl_addr *a)
{
	const struct sockaddr_in *in4 = (const void *)&a->ss;
	const struct sockaddr_in6 *in6 = (const void *)&a->ss;
	const struct sockaddr_un *un = (const void *)&a->ss;
	char ip[INET6_ADDRSTRLEN];
	size_t n;

	switch (a->ss.ss_family) {
	case AF_INET:
		inet_ntop(AF_INET, &in4->sin_addr, ip, sizeof(ip));
		put(l, " %s_addr=%s %s_port=%u", what, ip, what,
		    ntohs(in4->sin_port));
		break;
	case AF_INET6:
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		put(l, " %s_addr=%s %s_port=%u", what, ip, what,
		    ntohs(in6->sin6_port));
		break;
	case AF_UNIX:
		n = a->len - offsetof(struct sockaddr_un, sun_path);
		if (a->len <= offsetof(struct sockaddr_un, sun_path))
			put(l, " %s_path=null", what);
		else if (un->sun_path[0] == '\0')
			put(l, " %s_path=@%.*s", what, (int)n - 1,
			    un->sun_path + 1);
		else
			put(l, " %s_path=%.*s", what,
			    (int)strnlen(un->sun_path, n), un->sun_path);
		break;
	}
}

static void put_conn(struct line *l, const struct wl_conn *conn)
{
	put(l, " family=%s", family_name(conn->local.ss.ss_family));
	put_addr(l, "local", &conn->local);
	put_addr(l, "peer", &conn->peer);
}

static void put_task(struct line *l, pid_t tid, const char *comm)
{
	put(l, " pid=%d", getpid());
	if (tid)
		put(l, " tid=%d", tid);
	put(l, " comm=%s", comm ? comm : wl_comm);
}

/* The caller's buffer at return: what the kernel wrote, truncated. */
static void put_user(struct line *l, const struct wl_call *c)
{
	int stored = c->addrlen_in < c->addrlen_out ?
		     c->addrlen_in : c->addrlen_out;
	const unsigned char *p = c->addr;
	int i;

	if (stored > ACCEPTTRACE_ADDR_MAX)
		stored = ACCEPTTRACE_ADDR_MAX;
	put(l, " user_len=%d user_stored=%d user_data=", c->addrlen_out,
	    stored);
	for (i = 0; i < stored; i++)
		put(l, "%02x", p[i]);
	if (!stored)
		put(l, "null");
	put(l, " user_fault=0");
}

void wl_expect_sys(const char *cname, const struct wl_call *c,
		   const struct wl_conn *conn)
{
	struct line l = { .len = 0 };

	put(&l, "EXPECT case=%s probe=sys_accept4 syscall=%s", cname,
	    c->syscall);
	put_task(&l, c->tid, NULL);
	put(&l, " fd=%d flags=%d", c->fd, c->flags);
	put_errno(&l, c->kret);
	if (c->addr)
		put(&l, " addr=%#lx", (unsigned long)c->addr);
	else
		put(&l, " addr=null");
	if (c->addrlen && !c->addrlen_bad)
		put(&l, " addrlen_in=%d addrlen_out=%d", c->addrlen_in,
		    c->addrlen_out);
	else
		put(&l, " addrlen_in=null addrlen_out=null");
	if (conn)
		put_conn(&l, conn);
	if (c->ret >= 0 && c->addr && c->addrlen)
		put_user(&l, c);
	emit(&l);
}

void wl_expect_inet(const char *cname, const struct wl_inet *in,
		    const struct wl_addr *listen, const struct wl_conn *conn)
{
	struct line l = { .len = 0 };

	put(&l, "EXPECT case=%s probe=inet_accept", cname);
	put_task(&l, in->tid, in->comm);
	put(&l, " flags=%u", in->flags);
	put_errno(&l, in->ret);
	put_addr(&l, "listen", listen);
	if (conn)
		put_conn(&l, conn);
	put(&l, " kern=0 qlen=%u qmax=%u", in->qlen, in->qmax);
	emit(&l);
}

void wl_expect_uring(const char *cname, const struct wl_uring *u,
		     const struct wl_addr *listen, const struct wl_conn *conn)
{
	struct line l = { .len = 0 };

	put(&l, "EXPECT case=%s probe=uring_accept", cname);
	put_task(&l, u->tid, u->comm);
	put(&l, " flags=%d file_flags=%u", u->flags, u->file_flags);
	put_errno(&l, u->ret);
	if (u->addr)
		put(&l, " addr=%#lx", (unsigned long)u->addr);
	else
		put(&l, " addr=null");
	if (u->addrlen)
		put(&l, " addrlen_in=%d addrlen_out=%d", u->addrlen_in,
		    u->addrlen_out);
	else
		put(&l, " addrlen_in=null addrlen_out=null");
	put_addr(&l, "listen", listen);
	if (conn)
		put_conn(&l, conn);
	emit(&l);
}
