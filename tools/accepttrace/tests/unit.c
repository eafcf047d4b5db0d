// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the tool's decoder and formatters: names from the
 * shared tables, addresses of every family, JSON lines (parsed back by a
 * strict parser), stats parsing, histogram buckets, the metrics' label
 * escaping, buckets and exposition text.
 * Prints KTAP (Documentation/dev-tools/ktap.rst): each test function is a
 * subtest with one result per check; exits 1 on any failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "tool.h"
#include "flatjson.h"

static unsigned int passed, failed;
/* the current test function: its results so far, its failures */
static unsigned int nresults, nfailed;

/*
 * A KTAP description: @n bytes of @s, '#' (which would end it) written
 * "no.", control bytes as \xNN.
 */
static void put_desc(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = s[i];

		if (c == '#')
			fputs("no.", stdout);
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

/*
 * One result of the current test function, "  ok N desc" or
 * "  not ok N desc": the description is the message's first line; the
 * lines after it are details, printed as diagnostics on failure only.
 */
static void __attribute__((format(printf, 2, 3)))
check(bool ok, const char *fmt, ...)
{
	const char *p, *nl;
	va_list ap;
	char *msg;

	if (ok) {
		passed++;
	} else {
		failed++;
		nfailed++;
	}
	printf("  %sok %u ", ok ? "" : "not ", ++nresults);
	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	va_end(ap);
	if (!msg) {
		puts("(out of memory)");
		return;
	}
	nl = strchrnul(msg, '\n');
	put_desc(msg, nl - msg);
	putchar('\n');
	for (p = nl; !ok && *p; p = nl) {
		p++;
		nl = strchrnul(p, '\n');
		if (nl > p)
			printf("  # %.*s\n", (int)(nl - p), p);
	}
	free(msg);
}

/* ---- record builders ---- */

/*
 * An address as a test writes it: struct accepttrace_sockaddr's head
 * with room for the most data a record holds.  rec() stores only what
 * @stored says, as the module does.
 */
union t_sa {
	struct accepttrace_sockaddr sa;
	__u8 room[ACCEPTTRACE_SOCKADDR_SIZE(ACCEPTTRACE_ADDR_MAX)];
};

/*
 * An accept record as a test writes it: the fixed part of its type and
 * its three addresses, ACCEPTTRACE_ADDR_*, each in full room; rec()
 * lays it out as the module's ring holds it.
 */
struct t_rec {
	union {
		struct accepttrace_hdr hdr;
		struct accepttrace_sys_accept4 sys;
		struct accepttrace_inet_accept inet;
		struct accepttrace_uring_accept uring;
	};
	union t_sa a[ACCEPTTRACE_REC_NADDR];
};

/* Address @slot (USER, LISTEN, LOCAL, PEER) of the t_rec at @t. */
#define A(t, slot)	(&(t)->a[ACCEPTTRACE_ADDR_##slot])

/*
 * @t as the record the module writes: its fixed part, then each address
 * as its head and @stored bytes of data (at most ACCEPTTRACE_ADDR_MAX
 * are copied; a larger @stored is left for the decoder to refuse), zero
 * padded to ACCEPTTRACE_SOCKADDR_SIZE(), and hdr.size the sum.  The
 * record is in one of a few static 8-aligned buffers, so that a test may
 * hold the last ones side by side, and may be changed by the caller (to
 * make it malformed: zeros follow it, for a hdr.size grown past its
 * addresses).  Accept records only.  Returns its header.
 */
#define T_BUFS		4
static struct accepttrace_hdr *rec(const struct t_rec *t)
{
	static __u8 bufs[T_BUFS][ACCEPTTRACE_REC_MAX + 64]
		__attribute__((aligned(8)));
	static unsigned int next;
	__u8 *b = bufs[next++ % T_BUFS];
	struct accepttrace_hdr *h = (struct accepttrace_hdr *)b;
	size_t off = accepttrace_addrs_offset(t->hdr.type);
	unsigned int i;

	memset(b, 0, sizeof(bufs[0]));
	memcpy(b, &t->hdr, off);
	for (i = 0; i < ACCEPTTRACE_REC_NADDR; i++) {
		const struct accepttrace_sockaddr *sa = &t->a[i].sa;
		size_t n = sa->stored < ACCEPTTRACE_ADDR_MAX ?
			   sa->stored : ACCEPTTRACE_ADDR_MAX;

		memcpy(b + off, sa, sizeof(*sa) + n);
		off += ACCEPTTRACE_SOCKADDR_SIZE(n);
	}
	h->size = off;
	return h;
}

/* The address at @u: @len, @stored bytes of @addr, nothing after them. */
static void set_sa(union t_sa *u, const void *addr, size_t len,
		   size_t stored)
{
	memset(u, 0, sizeof(*u));
	u->sa.len = len;
	u->sa.stored = stored;
	memcpy(u->sa.data, addr, stored);
}

static void sa_in(union t_sa *sa, const char *ip, int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons(port) };

	inet_pton(AF_INET, ip, &a.sin_addr);
	set_sa(sa, &a, sizeof(a), sizeof(a));
}

static void sa_in6(union t_sa *sa, const char *ip, int port,
		   unsigned int scope)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6,
				  .sin6_port = htons(port),
				  .sin6_scope_id = scope };

	inet_pton(AF_INET6, ip, &a.sin6_addr);
	set_sa(sa, &a, sizeof(a), sizeof(a));
}

/* @name of @n bytes; abstract when it starts with NUL; n == 0: unnamed */
static void sa_un(union t_sa *sa, const char *name, size_t n)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	memcpy(a.sun_path, name, n);
	set_sa(sa, &a, 2 + n, 2 + n);
}

static void task(struct accepttrace_task *t, const char *comm, size_t n)
{
	t->pid = 100;
	t->tid = 101;
	t->uid = 0;
	t->netns = 4026531840u;
	memset(t->comm, 0, sizeof(t->comm));
	memcpy(t->comm, comm, n);
}

/* hdr.size is rec()'s */
static void sys_rec(struct t_rec *t, int ret, int flags)
{
	struct accepttrace_sys_accept4 *r = &t->sys;

	memset(t, 0, sizeof(*t));
	r->hdr.type = ACCEPTTRACE_REC_SYS_ACCEPT4;
	r->hdr.cpu = 1;
	r->hdr.seq = 7;
	r->hdr.ts_ns = 5000000123ULL;
	task(&r->task, "server", 6);
	r->fd = 3;
	r->flags = flags;
	r->ret = ret;
	r->syscall = ACCEPTTRACE_SYSCALL_ACCEPT4;
	r->uaddr = 0x7ffd1000;
	r->uaddrlen = 0x7ffd2000;
	r->addrlen_in = 128;
	r->addrlen_out = ret >= 0 ? 16 : 128;
	r->valid = ACCEPTTRACE_V_ADDRLEN_IN | ACCEPTTRACE_V_ADDRLEN_OUT;
	r->latency_ns = 1500;
	if (ret >= 0) {
		r->valid |= ACCEPTTRACE_V_SOCK;
		sa_in(A(t, LOCAL), "127.0.0.1", 8080);
		sa_in(A(t, PEER), "127.0.0.1", 40000);
		sa_in(A(t, USER), "127.0.0.1", 40000);
	}
}

static void inet_rec(struct t_rec *t, int ret)
{
	struct accepttrace_inet_accept *r = &t->inet;

	memset(t, 0, sizeof(*t));
	r->hdr.type = ACCEPTTRACE_REC_INET_ACCEPT;
	r->hdr.seq = 9;
	r->hdr.ts_ns = 6000000000ULL;
	task(&r->task, "server", 6);
	r->ret = ret;
	r->flags = 02 | 04000;		/* O_RDWR|O_NONBLOCK */
	r->family = AF_INET6;
	r->type = SOCK_STREAM;
	r->qlen = 3;
	r->qmax = 128;
	r->latency_ns = 2500;
	sa_in6(A(t, LISTEN), "::", 8443, 0);
	if (!ret) {
		sa_in6(A(t, LOCAL), "::1", 8443, 0);
		sa_in6(A(t, PEER), "::1", 50000, 0);
	}
}

/* ---- JSON helpers ---- */

static char *json_of(const struct accepttrace_hdr *h)
{
	static char *buf;
	size_t size;
	FILE *f;

	free(buf);
	f = open_memstream(&buf, &size);
	at_json_record(f, h, 0, 0, AT_TIME_MONO);
	fclose(f);
	return buf;
}

static struct fj_object obj;

/* The line is valid JSON (one object and a newline) and parsed into obj. */
static bool parse(const char *line, const char *what)
{
	bool ok = fj_parse(line, &obj) && line[strlen(line) - 1] == '\n';

	check(ok, "%s: one valid JSON line\nline: %s", what, line);
	return ok;
}

/* Key @k is the string @want (NULL: JSON null). */
static void expect_str(const char *what, const char *k, const char *want)
{
	const struct fj_value *v = fj_get(&obj, k);

	if (!want) {
		check(v && v->type == FJ_NULL, "%s: %s: want null, got %s",
		      what, k, v ? v->text : "(missing)");
		return;
	}
	check(v && v->type == FJ_STRING && !strcmp(v->text, want),
	      "%s: %s: want \"%s\", got %s", what, k, want,
	      v ? v->text : "(missing)");
}

/* Key @k is the literal (number, true, false, null) @want. */
static void expect_lit(const char *what, const char *k, const char *want)
{
	const struct fj_value *v = fj_get(&obj, k);

	check(v && v->type != FJ_STRING && !strcmp(v->text, want),
	      "%s: %s: want %s, got %s", what, k, want,
	      v ? v->text : "(missing)");
}

/* ---- tests ---- */

static const struct { const char *name; int value; } seed_errnos[] = {
	/* every errno the seed man pages list, with libc's value */
	{ "EAGAIN", EAGAIN }, { "EWOULDBLOCK", EWOULDBLOCK },
	{ "EBADF", EBADF }, { "ECONNABORTED", ECONNABORTED },
	{ "EINTR", EINTR }, { "EINVAL", EINVAL }, { "EMFILE", EMFILE },
	{ "ENFILE", ENFILE }, { "ENOTSOCK", ENOTSOCK },
	{ "EOPNOTSUPP", EOPNOTSUPP }, { "EFAULT", EFAULT },
	{ "ENOBUFS", ENOBUFS }, { "ENOMEM", ENOMEM }, { "EPROTO", EPROTO },
	{ "EPERM", EPERM }, { "ENETDOWN", ENETDOWN },
	{ "ENOPROTOOPT", ENOPROTOOPT }, { "EHOSTDOWN", EHOSTDOWN },
	{ "ENONET", ENONET }, { "EHOSTUNREACH", EHOSTUNREACH },
	{ "ENETUNREACH", ENETUNREACH }, { "ENOSR", ENOSR },
	{ "ESOCKTNOSUPPORT", ESOCKTNOSUPPORT },
	{ "EPROTONOSUPPORT", EPROTONOSUPPORT }, { "ETIMEDOUT", ETIMEDOUT },
	/* kernel-internal restart codes a trace may show */
	{ "ERESTARTSYS", 512 }, { "ERESTARTNOINTR", 513 },
	{ "ERESTARTNOHAND", 514 }, { "ERESTART_RESTARTBLOCK", 516 },
};

static void test_errnos(void)
{
	struct t_rec r;
	struct t_rec ia;
	char what[64], line[AT_LINE_MAX], want[64];
	unsigned int i;

	for (i = 0; i < sizeof(seed_errnos) / sizeof(seed_errnos[0]); i++) {
		int e = seed_errnos[i].value;
		/* EWOULDBLOCK is EAGAIN on Linux: the table names it so */
		const char *name = e == EAGAIN ? "EAGAIN" : seed_errnos[i].name;

		snprintf(what, sizeof(what), "errno %s", seed_errnos[i].name);
		check(at_errno_name(-e) && !strcmp(at_errno_name(-e), name),
		      "%s: at_errno_name(%d) = %s", what, -e,
		      at_errno_name(-e) ? at_errno_name(-e) : "NULL");
		sys_rec(&r, -e, 0);
		if (parse(json_of(rec(&r)), what)) {
			snprintf(want, sizeof(want), "%d", -e);
			expect_lit(what, "ret", want);
			expect_str(what, "errno", name);
			expect_lit(what, "family", "null");
			expect_lit(what, "local_addr", "null");
			expect_lit(what, "peer_port", "null");
		}
		inet_rec(&ia, -e);
		if (parse(json_of(rec(&ia)), what))
			expect_str(what, "errno", name);
		/* the text line names it too, after the return value */
		at_format_body(line, sizeof(line), rec(&r));
		snprintf(want, sizeof(want), " = %d %s lat=", -e, name);
		check(strstr(line, want) != NULL, "%s: text line\ngot %s", what,
		      line);
	}
	/* every name of the table survives a trip through JSON */
	for (i = 0; i < at_errno_names_count; i++) {
		sys_rec(&r, -(int)at_errno_names[i].value, 0);
		if (parse(json_of(rec(&r)), at_errno_names[i].name))
			expect_str(at_errno_names[i].name, "errno",
				   at_errno_names[i].name);
	}
	/* an errno the table does not know is printed as a number */
	sys_rec(&r, -600, 0);
	if (parse(json_of(rec(&r)), "errno 600"))
		expect_lit("errno 600", "errno", "600");
	sys_rec(&r, 5, 0);
	if (parse(json_of(rec(&r)), "success"))
		expect_lit("success", "errno", "null");
}

/*
 * The shared tables against libc's own definitions: every errno below the
 * kernel-internal ones by strerrorname_np(), flags and families by macro.
 */
static void test_tables_vs_libc(void)
{
	static const struct { long value; const char *name; } libc[] = {
		{ SOCK_NONBLOCK, "SOCK_NONBLOCK" }, { SOCK_CLOEXEC, "SOCK_CLOEXEC" },
		{ O_WRONLY, "O_WRONLY" }, { O_RDWR, "O_RDWR" },
		{ O_APPEND, "O_APPEND" }, { O_NONBLOCK, "O_NONBLOCK" },
		{ O_CLOEXEC, "O_CLOEXEC" }, { O_DIRECT, "O_DIRECT" },
		{ O_NOATIME, "O_NOATIME" },
		{ AF_UNIX, "AF_UNIX" }, { AF_INET, "AF_INET" },
		{ AF_INET6, "AF_INET6" }, { AF_NETLINK, "AF_NETLINK" },
		{ AF_PACKET, "AF_PACKET" }, { AF_VSOCK, "AF_VSOCK" },
		{ SOCK_STREAM, "SOCK_STREAM" }, { SOCK_DGRAM, "SOCK_DGRAM" },
		{ SOCK_SEQPACKET, "SOCK_SEQPACKET" },
	};
	const struct { const struct at_name *tab; unsigned int n; } tabs[] = {
		{ at_sock_flag_names, at_sock_flag_names_count },
		{ at_file_flag_names, at_file_flag_names_count },
		{ at_family_names, at_family_names_count },
		{ at_sock_type_names, at_sock_type_names_count },
	};
	unsigned int i, j;

	for (i = 0; i < at_errno_names_count; i++) {
		long v = at_errno_names[i].value;
		const char *mine = at_errno_names[i].name, *theirs;

		if (v >= 512)	/* ERESTART*: the kernel's, not libc's */
			continue;
		theirs = strerrorname_np(v);
		check(theirs && !strcmp(theirs, mine),
		      "errno %ld: table says %s, libc says %s", v, mine,
		      theirs ? theirs : "NULL");
	}
	for (i = 0; i < sizeof(libc) / sizeof(libc[0]); i++) {
		const char *found = NULL;

		for (j = 0; j < sizeof(tabs) / sizeof(tabs[0]) && !found; j++) {
			const char *n = at_name_of(tabs[j].tab, tabs[j].n,
						   libc[i].value);

			if (n && !strcmp(n, libc[i].name))
				found = n;
		}
		check(found != NULL, "%s (%#lx) is in a table under that name",
		      libc[i].name, libc[i].value);
	}
}

static void test_flags(void)
{
	static const struct { int flags; const char *names; } cases[] = {
		{ 0, "0" },
		{ SOCK_NONBLOCK, "SOCK_NONBLOCK" },
		{ SOCK_CLOEXEC, "SOCK_CLOEXEC" },
		{ SOCK_NONBLOCK | SOCK_CLOEXEC, "SOCK_NONBLOCK|SOCK_CLOEXEC" },
		{ 1, "0x1" },				/* invalid: EINVAL */
		{ SOCK_NONBLOCK | 1, "SOCK_NONBLOCK|0x1" },
		{ SOCK_CLOEXEC | 0x40, "SOCK_CLOEXEC|0x40" },
		{ SOCK_NONBLOCK | SOCK_CLOEXEC | 0x10000000,
		  "SOCK_NONBLOCK|SOCK_CLOEXEC|0x10000000" },
		{ -1, "SOCK_NONBLOCK|SOCK_CLOEXEC|0xfff7f7ff" },
		{ INT_MIN, "0x80000000" },	/* printed as -2147483648 */
	};
	struct t_rec r;
	struct t_rec ia;
	char what[64], want[32];
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(what, sizeof(what), "flags %#x", cases[i].flags);
		sys_rec(&r, -EINVAL, cases[i].flags);
		if (!parse(json_of(rec(&r)), what))
			continue;
		snprintf(want, sizeof(want), "%d", cases[i].flags);
		expect_lit(what, "flags", want);
		expect_str(what, "flags_names", cases[i].names);
	}
	inet_rec(&ia, 0);
	if (parse(json_of(rec(&ia)), "file flags")) {
		expect_lit("file flags", "flags", "2050");
		expect_str("file flags", "flags_names", "O_RDWR|O_NONBLOCK");
	}
	ia.inet.flags = 0;
	if (parse(json_of(rec(&ia)), "file flags 0"))
		expect_str("file flags 0", "flags_names", "0");
}

struct addr_case {
	const char *what;
	void (*fill)(union t_sa *sa);
	const char *family, *addr, *port, *path;
};

static void a_v4(union t_sa *sa) { sa_in(sa, "10.1.2.3", 80); }
static void a_v6(union t_sa *sa) { sa_in6(sa, "::1", 443, 0); }
static void a_v6full(union t_sa *sa)
{
	sa_in6(sa, "2001:db8:0:1:0:0:0:1", 65535, 0);
}
static void a_v6scope(union t_sa *sa)
{
	sa_in6(sa, "fe80::1", 1, 2);
}
static void a_mapped(union t_sa *sa)
{
	sa_in6(sa, "::ffff:127.0.0.1", 8080, 0);
}
static void a_path(union t_sa *sa)
{
	sa_un(sa, "/run/at.sock", sizeof("/run/at.sock"));
}
static void a_abstract(union t_sa *sa)
{
	sa_un(sa, "\0at-test", 8);
}
static void a_unnamed(union t_sa *sa) { sa_un(sa, "", 0); }
static void a_trunc4(union t_sa *sa)
{
	sa_in(sa, "10.1.2.3", 80);
	sa->sa.stored = 4;	/* the port is there, not the address */
}
static void a_trunc6(union t_sa *sa)
{
	sa_in6(sa, "::1", 443, 0);
	sa->sa.stored = 2;
}
static void a_trunc_un(union t_sa *sa)
{
	sa_un(sa, "/run/at.sock", sizeof("/run/at.sock"));
	sa->sa.stored = 6;
}
static void a_unknown(union t_sa *sa)
{
	static const __u8 d[] = { 40, 0, 1, 2, 3, 4 };	/* AF_VSOCK */

	set_sa(sa, d, sizeof(d), sizeof(d));
	sa->sa.data[0] = 99;		/* no name in the table */
}
static void a_fault(union t_sa *sa)
{
	sa_in(sa, "10.1.2.3", 80);
	sa->sa.flags = ACCEPTTRACE_SA_FAULT;
}

static const struct addr_case addr_cases[] = {
	{ "IPv4", a_v4, "\"AF_INET\"", "10.1.2.3", "80", NULL },
	{ "IPv6 loopback", a_v6, "\"AF_INET6\"", "::1", "443", NULL },
	{ "IPv6 zeros", a_v6full, "\"AF_INET6\"", "2001:db8:0:1::1", "65535",
	  NULL },
	{ "IPv6 scope", a_v6scope, "\"AF_INET6\"", "fe80::1%2", "1", NULL },
	{ "IPv4-mapped", a_mapped, "\"AF_INET6\"", "::ffff:127.0.0.1", "8080",
	  NULL },
	{ "unix path", a_path, "\"AF_UNIX\"", NULL, "null", "/run/at.sock" },
	{ "unix abstract", a_abstract, "\"AF_UNIX\"", NULL, "null",
	  "@at-test" },
	{ "unix unnamed", a_unnamed, "\"AF_UNIX\"", NULL, "null", NULL },
	{ "truncated IPv4", a_trunc4, "\"AF_INET\"", NULL, "80", NULL },
	{ "truncated IPv6", a_trunc6, "\"AF_INET6\"", NULL, "null", NULL },
	{ "truncated unix", a_trunc_un, "\"AF_UNIX\"", NULL, "null", "/run" },
	{ "unknown family", a_unknown, "99", NULL, "null", NULL },
	{ "fault", a_fault, "null", NULL, "null", NULL },
};

static void test_addrs(void)
{
	struct t_rec r;
	struct t_rec ia;
	const struct fj_value *v;
	unsigned int i;

	for (i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
		const struct addr_case *c = &addr_cases[i];

		sys_rec(&r, 4, 0);
		c->fill(A(&r, LOCAL));
		c->fill(A(&r, PEER));
		if (!parse(json_of(rec(&r)), c->what))
			continue;
		v = fj_get(&obj, "family");
		if (c->family[0] == '"') {
			char want[32];

			snprintf(want, sizeof(want), "%.*s",
				 (int)strlen(c->family) - 2, c->family + 1);
			expect_str(c->what, "family", want);
		} else {
			expect_lit(c->what, "family", c->family);
		}
		expect_str(c->what, "local_addr", c->addr);
		expect_str(c->what, "peer_addr", c->addr);
		expect_lit(c->what, "local_port", c->port);
		expect_lit(c->what, "peer_port", c->port);
		expect_str(c->what, "local_path", c->path);
		expect_str(c->what, "peer_path", c->path);
		(void)v;
	}
	/* inet_accept: listener, new socket, kern/qlen/qmax */
	inet_rec(&ia, 0);
	if (parse(json_of(rec(&ia)), "inet_accept")) {
		expect_str("inet_accept", "probe", "inet_accept");
		expect_lit("inet_accept", "syscall", "null");
		expect_lit("inet_accept", "fd", "null");
		expect_lit("inet_accept", "addr", "null");
		expect_lit("inet_accept", "addrlen_in", "null");
		expect_str("inet_accept", "family", "AF_INET6");
		expect_str("inet_accept", "local_addr", "::1");
		expect_lit("inet_accept", "local_port", "8443");
		expect_lit("inet_accept", "peer_port", "50000");
		expect_str("inet_accept", "listen_addr", "::");
		expect_lit("inet_accept", "listen_port", "8443");
		expect_lit("inet_accept", "kern", "false");
		expect_lit("inet_accept", "qlen", "3");
		expect_lit("inet_accept", "qmax", "128");
		expect_lit("inet_accept", "latency_ns", "2500");
	}
	ia.inet.kern = 1;
	if (parse(json_of(rec(&ia)), "kernel_accept"))
		expect_lit("kernel_accept", "kern", "true");
	/* a failed inet_accept: family from the listener, no new socket */
	inet_rec(&ia, -EAGAIN);
	ia.inet.family = 0;
	if (parse(json_of(rec(&ia)), "inet_accept EAGAIN")) {
		expect_str("inet_accept EAGAIN", "family", "AF_INET6");
		expect_lit("inet_accept EAGAIN", "local_port", "null");
		expect_lit("inet_accept EAGAIN", "listen_port", "8443");
	}
}

static void test_sys_fields(void)
{
	struct t_rec r;
	const char *w = "sys_accept4";

	sys_rec(&r, 4, SOCK_CLOEXEC);
	if (parse(json_of(rec(&r)), w)) {
		expect_lit(w, "seq", "7");
		expect_lit(w, "ts_ns", "5000000123");
		expect_lit(w, "cpu", "1");
		expect_lit(w, "pid", "100");
		expect_lit(w, "tid", "101");
		expect_lit(w, "uid", "0");
		expect_str(w, "comm", "server");
		expect_lit(w, "netns", "4026531840");
		expect_str(w, "probe", "sys_accept4");
		expect_str(w, "syscall", "accept4");
		expect_lit(w, "fd", "3");
		expect_str(w, "addr", "0x7ffd1000");
		expect_lit(w, "addrlen_in", "128");
		expect_lit(w, "addrlen_out", "16");
		expect_lit(w, "ret", "4");
		expect_lit(w, "latency_ns", "1500");
		check(!fj_get(&obj, "kern"), "%s: kern only on inet_accept", w);
		expect_lit(w, "user_len", "16");
		expect_lit(w, "user_stored", "16");
		expect_str(w, "user_data", "02009c407f0000010000000000000000");
		expect_lit(w, "user_fault", "false");
	}
	w = "accept(fd, NULL, NULL)";
	r.sys.syscall = ACCEPTTRACE_SYSCALL_ACCEPT;
	r.sys.uaddr = 0;
	r.sys.uaddrlen = 0;
	if (parse(json_of(rec(&r)), w)) {
		expect_str(w, "syscall", "accept");
		expect_lit(w, "addr", "null");
		expect_lit(w, "addrlen_in", "null");
		expect_lit(w, "addrlen_out", "null");
	}
	w = "user buffer fault";
	A(&r, USER)->sa.flags = ACCEPTTRACE_SA_FAULT;
	if (parse(json_of(rec(&r)), w)) {
		expect_lit(w, "user_fault", "true");
		expect_lit(w, "user_data", "null");
	}
	w = "addrlen unreadable";
	sys_rec(&r, -EFAULT, 0);
	r.sys.valid = 0;
	if (parse(json_of(rec(&r)), w)) {
		expect_lit(w, "addrlen_in", "null");
		expect_lit(w, "addrlen_out", "null");
	}
	w = "addrlen_out unreadable";
	r.sys.valid = ACCEPTTRACE_V_ADDRLEN_IN;
	if (parse(json_of(rec(&r)), w)) {
		expect_lit(w, "addrlen_in", "128");
		expect_lit(w, "addrlen_out", "null");
	}
	w = "negative addrlen";
	sys_rec(&r, -EINVAL, 0);
	r.sys.addrlen_in = r.sys.addrlen_out = -1;
	if (parse(json_of(rec(&r)), w))
		expect_lit(w, "addrlen_in", "-1");
	w = "ERESTARTSYS";
	sys_rec(&r, -512, 0);
	if (parse(json_of(rec(&r)), w)) {
		expect_lit(w, "ret", "-512");
		expect_str(w, "errno", "ERESTARTSYS");
	}
}

static void test_comm(void)
{
	static const struct { const char *what, *comm; size_t n;
			      const char *want; } cases[] = {
		{ "quote and backslash", "a\"b\\c", 5, "a\"b\\c" },
		{ "control bytes", "\x01\n\t\x1f\x7f", 5, "\x01\n\t\x1f\x7f" },
		{ "invalid UTF-8", "\xff\xfe\x80", 3, "\xff\xfe\x80" },
		{ "valid UTF-8", "caf\xc3\xa9 \xe2\x82\xac", 9,
		  "caf\xc3\xa9 \xe2\x82\xac" },
		{ "cut UTF-8", "ab\xe2\x82", 4, "ab\xe2\x82" },
		{ "overlong", "\xc0\x80x", 3, "\xc0\x80x" },
		{ "surrogate", "\xed\xa0\x80", 3, "\xed\xa0\x80" },
		{ "16 bytes, no NUL", "0123456789abcdef", 16,
		  "0123456789abcdef" },
		{ "JSON closing", "\"}{\"x\":1", 8, "\"}{\"x\":1" },
	};
	struct t_rec r;
	const char *line;
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct fj_value *v;

		sys_rec(&r, 4, 0);
		task(&r.sys.task, cases[i].comm, cases[i].n);
		line = json_of(rec(&r));
		if (!parse(line, cases[i].what))
			continue;
		v = fj_get(&obj, "comm");
		/* bytes come back exactly: \u00XX decodes to the byte */
		check(v && v->len == strlen(cases[i].want) &&
		      !memcmp(v->text, cases[i].want, v->len),
		      "comm %s\ngot %s", cases[i].what, line);
	}
	/* a byte that is not UTF-8 is escaped, not passed raw */
	task(&r.sys.task, "\xff", 1);
	line = json_of(rec(&r));
	check(strstr(line, "\"comm\":\"\\u00ff\"") != NULL,
	      "comm 0xff as \\u00ff\ngot %s", line);
	/* valid UTF-8 is passed as is */
	task(&r.sys.task, "\xc3\xa9", 2);
	line = json_of(rec(&r));
	check(strstr(line, "\"comm\":\"\xc3\xa9\"") != NULL,
	      "comm UTF-8 raw\ngot %s", line);
}

static void test_lost_and_unknown(void)
{
	struct accepttrace_lost l = {
		.hdr = { .type = ACCEPTTRACE_REC_LOST, .size = sizeof(l),
			 .cpu = 1, .ts_ns = 42 },
		.count = 1234,
	};
	struct accepttrace_hdr h = { .type = 77, .size = sizeof(h), .cpu = 0 };
	char line[AT_LINE_MAX];

	if (parse(json_of(&l.hdr), "LOST")) {
		expect_lit("LOST", "lost", "1234");
		expect_lit("LOST", "cpu", "1");
	}
	at_format_record(line, sizeof(line), &l.hdr);
	check(!strcmp(line, "LOST 1234 events on cpu 1\n"), "LOST text\ngot %s",
	      line);
	if (parse(json_of(&h), "unknown type"))
		expect_lit("unknown type", "unknown_type", "77");
}

static void test_text(void)
{
	struct t_rec r;
	char line[AT_LINE_MAX];

	sys_rec(&r, 4, SOCK_NONBLOCK | SOCK_CLOEXEC);
	at_format_record(line, sizeof(line), rec(&r));
	check(!strcmp(line, "5.000000123 cpu=1 pid=100 tid=101 comm=server "
		      "accept4(fd=3, addr=0x7ffd1000, addrlen=128->16, "
		      "flags=SOCK_NONBLOCK|SOCK_CLOEXEC) = 4 "
		      "peer=127.0.0.1:40000 local=127.0.0.1:8080 "
		      "lat=1.500us\n"), "text line\ngot %s", line);

	/* A short buffer: the line shows what the caller received. */
	sys_rec(&r, 4, 0);
	r.sys.addrlen_in = 6;
	A(&r, USER)->sa.stored = 6;
	at_format_record(line, sizeof(line), rec(&r));
	check(!strcmp(line, "5.000000123 cpu=1 pid=100 tid=101 comm=server "
		      "accept4(fd=3, addr=0x7ffd1000, addrlen=6->16, "
		      "flags=0) = 4 peer=127.0.0.1:40000 "
		      "local=127.0.0.1:8080 user=trunc(6/16):02009c407f00 "
		      "lat=1.500us\n"), "truncated text line\ngot %s", line);
	/* the same body after -T/-t's own stamp */
	at_format_body(line, sizeof(line), rec(&r));
	check(!strcmp(line, "cpu=1 pid=100 tid=101 comm=server "
		      "accept4(fd=3, addr=0x7ffd1000, addrlen=6->16, "
		      "flags=0) = 4 peer=127.0.0.1:40000 "
		      "local=127.0.0.1:8080 user=trunc(6/16):02009c407f00 "
		      "lat=1.500us"), "truncated text body\ngot %s", line);
	r.sys.addrlen_in = 0;
	A(&r, USER)->sa.stored = 0;
	at_format_record(line, sizeof(line), rec(&r));
	check(strstr(line, " local=127.0.0.1:8080 user=trunc(0/16): "
		     "lat=1.500us\n") != NULL,
	      "addrlen 0 text line\ngot %s", line);
}

static const char stats_text[] =
	"abi_version 1\n"
	"enabled 1\n"
	"reader 0\n"
	"maxactive 1024\n"
	"buf_bytes 262144\n"
	"filter port=8080 errors\n"
	"probe sys_accept4 active=1 hits=12 nmissed=0 kretprobe_nmissed=0\n"
	"probe inet_accept active=1 hits=3 nmissed=2 kretprobe_nmissed=1\n"
	"cpu 0 recorded=10 lost=0 filtered=2 used=4640\n"
	"cpu 1 recorded=5 lost=7 filtered=0 used=0\n"
	"total recorded=15 lost=7 filtered=2\n";

static void test_stats(void)
{
	struct at_stats *s = calloc(1, sizeof(*s));
	char *buf = NULL;
	size_t size;
	FILE *f;

	check(!at_stats_parse(stats_text, s), "stats: parse");
	check(s->abi_version == 1 && s->enabled == 1 && s->reader == 0 &&
	      s->maxactive == 1024 && s->buf_bytes == 262144,
	      "stats: header values");
	check(!strcmp(s->filter, "port=8080 errors"), "stats: filter '%s'",
	      s->filter);
	check(s->nprobes == 2 && !strcmp(s->probe[1].name, "inet_accept") &&
	      s->probe[1].hits == 3 && s->probe[1].nmissed == 2 &&
	      s->probe[1].kretprobe_nmissed == 1, "stats: probes");
	check(s->ncpus == 2 && s->cpu[0].used == 4640 && s->cpu[1].lost == 7 &&
	      s->cpu[0].filtered == 2, "stats: cpus");
	check(s->recorded == 15 && s->lost == 7 && s->filtered == 2,
	      "stats: totals");
	f = open_memstream(&buf, &size);
	at_stats_print(f, s, true);
	fclose(f);
	check(strstr(buf, "\"reader\":false") &&
	      strstr(buf, "{\"cpu\":1,\"recorded\":5,\"lost\":7,"
			  "\"filtered\":0,\"used\":0}") &&
	      strstr(buf, "\"filter\":\"port=8080 errors\""),
	      "stats: JSON\ngot %s", buf);
	free(buf);
	check(at_stats_parse("abi_version 1\nenabled 1\n", s) < 0,
	      "stats: incomplete text rejected");
	check(at_stats_parse("abi_version 1\nenabled 1\nreader 0\n"
			     "maxactive 1\nbuf_bytes 4096\nfilter none\n"
			     "probe x active=1\n"
			     "total recorded=0 lost=0 filtered=0\n", s) < 0,
	      "stats: malformed probe line rejected");
	free(s);
}

static void test_hist(void)
{
	static const struct { uint64_t us; unsigned int slot; } cases[] = {
		{ 0, 0 }, { 1, 0 }, { 2, 1 }, { 3, 1 }, { 4, 2 }, { 7, 2 },
		{ 8, 3 }, { 1023, 9 }, { 1024, 10 }, { 1000000, 19 },
		{ UINT64_MAX, AT_HIST_SLOTS - 1 },
	};
	struct at_hist h = { { 0 } };
	char *buf = NULL;
	size_t size;
	unsigned int i;
	FILE *f;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(at_hist_slot(cases[i].us) == cases[i].slot,
		      "hist slot of %llu: %u, want %u",
		      (unsigned long long)cases[i].us,
		      at_hist_slot(cases[i].us), cases[i].slot);
	at_hist_add(&h, 3);
	at_hist_add(&h, 3);
	at_hist_add(&h, 5);
	f = open_memstream(&buf, &size);
	at_hist_print(f, &h, "usecs");
	fclose(f);
	check(!strcmp(buf,
		"     usecs               : count    distribution\n"
		"         0 -> 1          : 0        |                                        |\n"
		"         2 -> 3          : 2        |****************************************|\n"
		"         4 -> 7          : 1        |********************                    |\n"),
		"hist drawing:\n%s", buf);
	free(buf);
}

static void uring_rec(struct t_rec *t, int ret, bool un)
{
	struct accepttrace_uring_accept *r = &t->uring;

	memset(t, 0, sizeof(*t));
	r->hdr.type = ACCEPTTRACE_REC_URING_ACCEPT;
	r->hdr.cpu = 1;
	r->hdr.seq = 11;
	r->hdr.ts_ns = 7000000042ULL;
	task(&r->task, "iou-wrk-100", 11);
	r->ret = ret;
	r->flags = SOCK_CLOEXEC;
	r->file_flags = 04000;		/* O_NONBLOCK */
	r->uaddr = 0x7ffd1000;
	r->uaddrlen = 0x7ffd2000;
	r->addrlen_in = 128;
	r->addrlen_out = ret ? 128 : un ? 2 : 16;
	r->valid = ACCEPTTRACE_V_ADDRLEN_IN | ACCEPTTRACE_V_ADDRLEN_OUT;
	r->latency_ns = 3250;
	if (un)
		sa_un(A(t, LISTEN), "\0srv", 4);
	else
		sa_in(A(t, LISTEN), "127.0.0.1", 8080);
	if (ret)
		return;
	r->valid |= ACCEPTTRACE_V_SOCK;
	if (un) {
		sa_un(A(t, LOCAL), "\0srv", 4);
		sa_un(A(t, PEER), "", 0);
	} else {
		sa_in(A(t, LOCAL), "127.0.0.1", 8080);
		sa_in(A(t, PEER), "127.0.0.1", 40000);
	}
}

/* io_uring's records: text, JSON, and where hist/top count them. */
static void test_uring(void)
{
	struct t_rec r;
	char line[AT_LINE_MAX];
	const char *w = "uring_accept";
	struct accepttrace_hdr *h;
	struct at_listener l;
	struct at_event ev;

	uring_rec(&r, 0, true);
	at_format_record(line, sizeof(line), rec(&r));
	check(!strcmp(line, "7.000000042 cpu=1 pid=100 tid=101 "
		      "comm=iou-wrk-100 uring_accept(listen=unix:@srv, "
		      "addr=0x7ffd1000, addrlen=128->2, flags=SOCK_CLOEXEC, "
		      "file_flags=O_NONBLOCK) = 0 peer=unix:(unnamed) "
		      "local=unix:@srv lat=3.250us\n"),
	      "uring text line\ngot %s", line);
	uring_rec(&r, -EAGAIN, false);
	r.uring.uaddr = 0;
	r.uring.uaddrlen = 0;
	r.uring.file_flags = 0;
	r.uring.flags = 0;
	at_format_record(line, sizeof(line), rec(&r));
	check(!strcmp(line, "7.000000042 cpu=1 pid=100 tid=101 "
		      "comm=iou-wrk-100 uring_accept(listen=127.0.0.1:8080, "
		      "addr=NULL, addrlen=NULL, flags=0, file_flags=0) "
		      "= -11 EAGAIN lat=3.250us\n"),
	      "failed uring text line\ngot %s", line);

	uring_rec(&r, 0, false);
	if (parse(json_of(rec(&r)), w)) {
		expect_lit(w, "seq", "11");
		expect_str(w, "comm", "iou-wrk-100");
		expect_str(w, "probe", "uring_accept");
		expect_lit(w, "syscall", "null");
		expect_lit(w, "fd", "null");
		expect_str(w, "addr", "0x7ffd1000");
		expect_lit(w, "addrlen_in", "128");
		expect_lit(w, "addrlen_out", "16");
		expect_lit(w, "flags", "524288");
		expect_str(w, "flags_names", "SOCK_CLOEXEC");
		expect_lit(w, "file_flags", "2048");
		expect_str(w, "file_flags_names", "O_NONBLOCK");
		expect_lit(w, "ret", "0");
		expect_lit(w, "errno", "null");
		expect_str(w, "family", "AF_INET");
		expect_str(w, "local_addr", "127.0.0.1");
		expect_lit(w, "local_port", "8080");
		expect_str(w, "peer_addr", "127.0.0.1");
		expect_lit(w, "peer_port", "40000");
		expect_lit(w, "latency_ns", "3250");
		expect_str(w, "listen_addr", "127.0.0.1");
		expect_lit(w, "listen_port", "8080");
		expect_lit(w, "listen_path", "null");
		check(!fj_get(&obj, "user_len"), "%s: no user buffer", w);
	}
	check(!at_decode_event(rec(&r), &ev) && ev.is_uring && !ev.is_sys &&
	      at_event_port(&ev) == 8080, "uring event: listener's port");
	check(!at_event_listener(&ev, &l),
	      "TCP uring accept: counted from its inet_accept record");
	w = "uring_accept on AF_UNIX";
	uring_rec(&r, -EAGAIN, true);
	if (parse(json_of(rec(&r)), w)) {
		expect_lit(w, "ret", "-11");
		expect_str(w, "errno", "EAGAIN");
		expect_str(w, "family", "AF_UNIX");
		expect_lit(w, "local_path", "null");
		expect_lit(w, "listen_port", "null");
		expect_str(w, "listen_path", "@srv");
	}
	check(!at_decode_event(rec(&r), &ev) && at_event_listener(&ev, &l) &&
	      l.is_unix && l.path_len == 4 && !memcmp(l.path, "@srv", 4),
	      "AF_UNIX uring accept: counted under its listener");
	h = rec(&r);
	h->size -= 8;		/* the peer runs past the record's end */
	check(at_decode_event(h, &ev) == -1, "short uring record rejected");
}

static void test_event_port(void)
{
	struct t_rec r;
	struct t_rec ia;
	struct accepttrace_hdr *h;
	struct at_event ev;

	sys_rec(&r, 4, 0);
	check(!at_decode_event(rec(&r), &ev) && at_event_port(&ev) == 8080,
	      "port of a successful accept: local port");
	sys_rec(&r, -EAGAIN, 0);
	check(!at_decode_event(rec(&r), &ev) && at_event_port(&ev) == -1,
	      "port of a failed accept: unknown");
	inet_rec(&ia, -EAGAIN);
	check(!at_decode_event(rec(&ia), &ev) && at_event_port(&ev) == 8443,
	      "port of a failed inet_accept: listener's");
	h = rec(&r);
	h->size = 16;
	check(at_decode_event(h, &ev) == -1, "short record rejected");
}

/* at_put_*: the same digits as printf */
static void test_put(void)
{
	static const long long sv[] = { 0, 1, -1, 9, 10, -10, 99, 100,
		123456789, -512, 4026531840LL, LLONG_MAX, LLONG_MIN };
	static const unsigned long long uv[] = { 0, 1, 15, 16, 255, 4096,
		0x7ffd12345670ULL, 1000000000ULL, ULLONG_MAX };
	char got[64], want[64];
	unsigned int i;
	uint8_t bytes[3] = { 0x00, 0xab, 0x0f };

	for (i = 0; i < sizeof(sv) / sizeof(sv[0]); i++) {
		*at_put_s64(got, sv[i]) = '\0';
		snprintf(want, sizeof(want), "%lld", sv[i]);
		check(!strcmp(got, want), "at_put_s64 %s: %s", want, got);
	}
	for (i = 0; i < sizeof(uv) / sizeof(uv[0]); i++) {
		*at_put_u64(got, uv[i]) = '\0';
		snprintf(want, sizeof(want), "%llu", uv[i]);
		check(!strcmp(got, want), "at_put_u64 %s: %s", want, got);
		*at_put_hex(got, uv[i]) = '\0';
		snprintf(want, sizeof(want), "%llx", uv[i]);
		check(!strcmp(got, want), "at_put_hex %s: %s", want, got);
		*at_put_u64_pad(got, uv[i] % 1000000000ULL, 9) = '\0';
		snprintf(want, sizeof(want), "%09llu", uv[i] % 1000000000ULL);
		check(!strcmp(got, want), "at_put_u64_pad %s: %s", want, got);
	}
	*at_put_hex_bytes(got, bytes, 3) = '\0';
	check(!strcmp(got, "00ab0f"), "at_put_hex_bytes: %s", got);
}

/*
 * Every digit count, both writers: the tool's at_put_u64() and the
 * module's decimal writer (the text line's fd, pid and seconds), each
 * value 10^k - 1, 10^k and 10^k + 1 against printf.
 */
static void test_digits(void)
{
	unsigned long long p = 1, v;
	unsigned int k, d, bad_u64 = 0, bad_text = 0;
	char got[64], want[160], line[AT_LINE_MAX];
	struct t_rec r;

	for (k = 0; k < 20; k++, p *= 10) {
		for (d = 0; d < 3; d++) {
			v = p - 1 + d;
			*at_put_u64(got, v) = '\0';
			snprintf(want, sizeof(want), "%llu", v);
			if (strcmp(got, want) && !bad_u64++)
				check(false, "at_put_u64 %s: %s", want, got);
			if (v > INT_MAX)
				continue;
			sys_rec(&r, 4, 0);
			r.sys.fd = v;
			r.sys.task.pid = v;
			r.sys.hdr.ts_ns = v * 1000000000ULL + v % 1000000000;
			at_format_record(line, sizeof(line), rec(&r));
			snprintf(want, sizeof(want), "%llu.%09llu cpu=1 pid=%llu "
				 "tid=101 comm=server accept4(fd=%llu,",
				 v, v % 1000000000, v, v);
			if (strncmp(line, want, strlen(want)) && !bad_text++)
				check(false, "text line, %llu\ngot  %s\nwant %s...",
				      v, line, want);
		}
	}
	*at_put_u64(got, ULLONG_MAX) = '\0';
	check(!bad_u64 && !strcmp(got, "18446744073709551615"),
	      "at_put_u64: 10^k - 1, 10^k, 10^k + 1 for k < 20, and "
	      "ULLONG_MAX (%u wrong)", bad_u64);
	check(!bad_text, "text line: fd, pid and seconds of 10^k - 1, 10^k "
	      "and 10^k + 1 up to INT_MAX (%u wrong)", bad_text);
}

/* The address text of at_decode_addr() is module/format.c's, cut. */
static void want_ip(const struct accepttrace_sockaddr *sa, char *out,
		    size_t size)
{
	char buf[160], *end, *start = buf;

	at_format_sockaddr(buf, sizeof(buf), sa);
	end = strrchr(buf, ':');
	*end = '\0';
	if (buf[0] == '[') {
		start++;
		*strrchr(buf, ']') = '\0';
	}
	snprintf(out, size, "%s", start);
}

static void test_ip_text(void)
{
	union t_sa sa;
	struct at_addr a;
	char want[160];
	unsigned int i, j, seed = 12345, bad = 0, n = 0;

	for (i = 0; i < 3000; i++) {
		struct sockaddr_in in = { .sin_family = AF_INET,
					  .sin_port = htons(i) };
		struct sockaddr_in6 in6 = { .sin6_family = AF_INET6,
					    .sin6_port = htons(i) };

		for (j = 0; j < 4; j++) {
			seed = seed * 1103515245 + 12345;
			((uint8_t *)&in.sin_addr)[j] = i < 256 ? i :
						       seed >> 16 & 255;
		}
		set_sa(&sa, &in, sizeof(in), sizeof(in));
		at_decode_addr(&sa.sa, &a);
		want_ip(&sa.sa, want, sizeof(want));
		n++;
		if (!a.has_ip || strcmp(a.ip, want)) {
			if (!bad++)
				check(false, "IPv4 %s: %s", want, a.ip);
		}
		/* zero runs of every length, v4-mapped, scope ids, repeats
		 * (the cache), more addresses than the cache holds */
		for (j = 0; j < 8; j++) {
			seed = seed * 1103515245 + 12345;
			in6.sin6_addr.s6_addr16[j] = seed >> 13 & 3 ?
				0 : htons(seed >> 16 & 0xffff);
		}
		if (i % 7 == 0)
			memcpy(in6.sin6_addr.s6_addr,
			       "\0\0\0\0\0\0\0\0\0\0\xff\xff\x7f\0\0\1", 16);
		in6.sin6_scope_id = i % 5 == 0 ? i : 0;
		for (j = 0; j < (i % 3 ? 1 : 2); j++) {
			set_sa(&sa, &in6, sizeof(in6), sizeof(in6));
			at_decode_addr(&sa.sa, &a);
			want_ip(&sa.sa, want, sizeof(want));
			n++;
			if (!a.has_ip || strcmp(a.ip, want)) {
				if (!bad++)
					check(false, "IPv6 %s: %s", want, a.ip);
			}
		}
	}
	check(!bad, "%u of %u addresses differ from module/format.c's",
	      bad, n);
}

/*
 * at_format_ip(): every octet value against printf, in every position;
 * "" for what is not a complete sockaddr_in/_in6; snprintf-like length.
 */
static void test_format_ip(void)
{
	union t_sa sa;
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(80) };
	struct sockaddr_un un = { .sun_family = AF_UNIX, .sun_path = "/s" };
	char got[64], want[64];
	unsigned int v, bad = 0;
	int len;

	for (v = 0; v < 256; v++) {
		uint8_t *b = (uint8_t *)&in.sin_addr;

		b[0] = v;
		b[1] = 255 - v;
		b[2] = v * 7;
		b[3] = v / 3;
		set_sa(&sa, &in, sizeof(in), sizeof(in));
		len = at_format_ip(got, sizeof(got), &sa.sa);
		snprintf(want, sizeof(want), "%u.%u.%u.%u", b[0], b[1], b[2],
			 b[3]);
		if (strcmp(got, want) || len != (int)strlen(want)) {
			if (!bad++)
				check(false, "at_format_ip %s: %s (%d)", want,
				      got, len);
		}
	}
	check(!bad, "%u of 256 IPv4 addresses differ from printf's", bad);

	sa_in(&sa, "10.1.2.3", 80);
	len = at_format_ip(got, 5, &sa.sa);
	check(!strcmp(got, "10.1") && len == 8, "at_format_ip short: %s %d",
	      got, len);
	set_sa(&sa, &in, sizeof(in), 15);
	len = at_format_ip(got, sizeof(got), &sa.sa);
	check(!strcmp(got, "") && len == 0, "at_format_ip truncated: %s", got);
	set_sa(&sa, &in, sizeof(in), sizeof(in));
	sa.sa.flags = ACCEPTTRACE_SA_FAULT;
	len = at_format_ip(got, sizeof(got), &sa.sa);
	check(!strcmp(got, "") && len == 0, "at_format_ip fault: %s", got);
	set_sa(&sa, &un, 5, 5);
	len = at_format_ip(got, sizeof(got), &sa.sa);
	check(!strcmp(got, "") && len == 0, "at_format_ip unix: %s", got);
}

/* The longest JSON line fits AT_JSON_MAX and still parses. */
static void test_json_max(void)
{
	struct t_rec r;
	char *line = malloc(2 * AT_JSON_MAX), *end;
	size_t len;

	sys_rec(&r, -516, -1);
	memset(r.sys.task.comm, 0x01, sizeof(r.sys.task.comm));
	r.sys.uaddr = ~0ULL;
	r.sys.latency_ns = ~0ULL;
	r.hdr.seq = ~0ULL;
	r.hdr.ts_ns = ~0ULL >> 1;
	A(&r, LOCAL)->sa.len = A(&r, LOCAL)->sa.stored = ACCEPTTRACE_ADDR_MAX;
	memset(A(&r, LOCAL)->sa.data, 0x01, ACCEPTTRACE_ADDR_MAX);
	A(&r, LOCAL)->sa.data[0] = 1;	/* AF_UNIX, host order */
	A(&r, LOCAL)->sa.data[1] = 0;
	*A(&r, PEER) = *A(&r, LOCAL);
	*A(&r, USER) = *A(&r, LOCAL);
	r.sys.ret = 5;
	r.sys.valid |= ACCEPTTRACE_V_SOCK;
	end = at_json_line(line, rec(&r), LLONG_MAX / 2, 0, AT_TIME_WALL);
	len = end - line;
	check(len < AT_JSON_MAX && len > 2000,
	      "longest JSON line: %zu bytes < %d", len,
	      AT_JSON_MAX);
	*end = '\0';
	check(parse(line, "longest JSON line"), "longest JSON line parses");
	free(line);
}

/* ---- record ABI version 2: addresses only as long as they are ---- */

/*
 * A copy of the record @h, @size bytes of it, that ends where a page
 * nobody may read begins: a decoder that reads past @size faults
 * (the test program dies, and run.sh counts it failed).  One copy at a
 * time; NULL if the pages cannot be had.
 */
static struct accepttrace_hdr *at_page_end(const struct accepttrace_hdr *h,
					   size_t size)
{
	static __u8 *pages;
	static size_t page;

	if (!pages) {
		page = sysconf(_SC_PAGESIZE);
		pages = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (pages == MAP_FAILED ||
		    mprotect(pages + page, page, PROT_NONE)) {
			pages = NULL;
			return NULL;
		}
	}
	memset(pages, 0, page);
	memcpy(pages + page - size, h, size);
	return (struct accepttrace_hdr *)(pages + page - size);
}

/* The offset of address @slot in the record @h, -1 if it has none. */
static long addr_off(const struct accepttrace_hdr *h, unsigned int slot)
{
	const struct accepttrace_sockaddr *sa[ACCEPTTRACE_REC_NADDR];

	if (accepttrace_rec_addrs(h, sa))
		return -1;
	return (const __u8 *)sa[slot] - (const __u8 *)h;
}

/* The sizes of the layout and of the records the module writes most. */
static void test_v2_sizes(void)
{
	struct accepttrace_hdr *h;
	struct t_rec r, ia;
	struct at_event ev;
	const __u8 *b;
	char *json;
	unsigned int i;

	check(ACCEPTTRACE_ABI_VERSION == 2, "ABI version %u",
	      ACCEPTTRACE_ABI_VERSION);
	check(sizeof(struct accepttrace_sys_accept4) == 104 &&
	      sizeof(struct accepttrace_inet_accept) == 88 &&
	      sizeof(struct accepttrace_uring_accept) == 104 &&
	      sizeof(struct accepttrace_sockaddr) == 8,
	      "fixed parts: sys %zu, inet %zu, uring %zu, address head %zu",
	      sizeof(struct accepttrace_sys_accept4),
	      sizeof(struct accepttrace_inet_accept),
	      sizeof(struct accepttrace_uring_accept),
	      sizeof(struct accepttrace_sockaddr));
	check(ACCEPTTRACE_SOCKADDR_SIZE(0) == 8 &&
	      ACCEPTTRACE_SOCKADDR_SIZE(1) == 16 &&
	      ACCEPTTRACE_SOCKADDR_SIZE(16) == 24 &&
	      ACCEPTTRACE_SOCKADDR_SIZE(28) == 40 &&
	      ACCEPTTRACE_SOCKADDR_SIZE(110) == 120 &&
	      ACCEPTTRACE_SOCKADDR_SIZE(ACCEPTTRACE_ADDR_MAX) == 120,
	      "address sizes: empty 8, IPv4 24, IPv6 40, AF_UNIX up to 120");
	check(ACCEPTTRACE_REC_MAX == 464 && AT_ACCEPT_MIN == 112,
	      "largest record %zu, smallest accept record %zu",
	      (size_t)ACCEPTTRACE_REC_MAX, (size_t)AT_ACCEPT_MIN);

	sys_rec(&r, 4, 0);		/* IPv4: user, local, peer */
	h = rec(&r);
	check(h->size == 104 + 24 + 24 + 24, "IPv4 accept4: %u bytes",
	      h->size);
	check(addr_off(h, ACCEPTTRACE_ADDR_USER) == 104 &&
	      addr_off(h, ACCEPTTRACE_ADDR_LOCAL) == 128 &&
	      addr_off(h, ACCEPTTRACE_ADDR_PEER) == 152,
	      "IPv4 accept4: addresses at 104, 128, 152: %ld %ld %ld",
	      addr_off(h, ACCEPTTRACE_ADDR_USER),
	      addr_off(h, ACCEPTTRACE_ADDR_LOCAL),
	      addr_off(h, ACCEPTTRACE_ADDR_PEER));
	A(&r, USER)->sa.len = 0;	/* accept(fd, NULL, NULL) */
	A(&r, USER)->sa.stored = 0;
	check(rec(&r)->size == 104 + 8 + 24 + 24,
	      "IPv4 accept with no buffer: %u bytes", rec(&r)->size);
	sys_rec(&r, -EAGAIN, 0);	/* no address at all */
	check(rec(&r)->size == 104 + 3 * 8, "failed accept4: %u bytes",
	      rec(&r)->size);
	inet_rec(&ia, 0);
	check(rec(&ia)->size == 88 + 3 * 40,
	      "IPv6 inet_accept: %u bytes", rec(&ia)->size);
	inet_rec(&ia, -EAGAIN);
	check(rec(&ia)->size == 88 + 40 + 8 + 8,
	      "failed IPv6 inet_accept: %u bytes", rec(&ia)->size);
	uring_rec(&r, 0, false);
	check(rec(&r)->size == 104 + 3 * 24, "IPv4 uring_accept: %u bytes",
	      rec(&r)->size);
	uring_rec(&r, 0, true);		/* "@srv" twice, unnamed peer */
	check(rec(&r)->size == 104 + 16 + 16 + 16,
	      "AF_UNIX uring_accept: %u bytes", rec(&r)->size);

	/* 15 bytes of a path: one byte of padding, zero */
	sys_rec(&r, 4, 0);
	sa_un(A(&r, LOCAL), "/run/at.sock", sizeof("/run/at.sock"));
	h = rec(&r);
	b = (const __u8 *)h + addr_off(h, ACCEPTTRACE_ADDR_LOCAL);
	check(h->size == 104 + 24 + 24 + 24 && b[8 + 15] == 0 &&
	      addr_off(h, ACCEPTTRACE_ADDR_PEER) == 152,
	      "a 15-byte path takes 24 bytes, padded with zero");
	/* it ends at hdr.size, and nothing after that is read */
	json = strdup(json_of(h));
	h = at_page_end(h, h->size);
	check(h && json && !strcmp(json_of(h), json),
	      "record at a page's end: the same JSON");
	free(json);

	/* the longest: three addresses of ACCEPTTRACE_ADDR_MAX bytes */
	sys_rec(&r, 4, 0);
	for (i = 0; i < ACCEPTTRACE_REC_NADDR; i++) {
		A(&r, USER)[i].sa.len = ACCEPTTRACE_ADDR_MAX + 2;
		A(&r, USER)[i].sa.stored = ACCEPTTRACE_ADDR_MAX;
		memset(A(&r, USER)[i].sa.data, 'x', ACCEPTTRACE_ADDR_MAX);
		A(&r, USER)[i].sa.data[0] = 1;	/* AF_UNIX, host order */
		A(&r, USER)[i].sa.data[1] = 0;
	}
	h = rec(&r);
	check(h->size == ACCEPTTRACE_REC_MAX,
	      "three 112-byte addresses: %u bytes, the largest record",
	      h->size);
	h = at_page_end(h, h->size);
	check(h && !at_decode_event(h, &ev) && ev.local.path_len == 110 &&
	      strstr(json_of(h), "\"user_stored\":112,"),
	      "the largest record at a page's end: decoded");
}

/*
 * A record whose addresses do not lie within it (test_v2_malformed()
 * makes them from good ones): decoded by no consumer, printed by its
 * header alone, as the module's text has it, and read no further than
 * @bytes (it ends at a page nobody may read).
 */
static void expect_malformed(const char *what, struct accepttrace_hdr *h,
			     size_t bytes)
{
	char want[128], line[AT_LINE_MAX];
	const char *json;
	struct at_tally t;
	struct at_event ev;

	h = at_page_end(h, bytes);
	if (!h) {
		check(false, "%s: no guard page", what);
		return;
	}
	check(at_decode_event(h, &ev) == -1, "%s: no event", what);
	snprintf(want, sizeof(want), "{\"unknown_type\":%u,\"size\":%u,"
		 "\"cpu\":%u}\n", h->type, h->size, h->cpu);
	json = json_of(h);
	check(!strcmp(json, want), "%s: JSON by its header\ngot %s", what,
	      json);
	at_format_body(line, sizeof(line), h);
	snprintf(want, sizeof(want), "record type=%u size=%u cpu=%u",
		 h->type, h->size, h->cpu);
	check(!strcmp(line, want), "%s: text by its header\ngot %s", what,
	      line);
	if (at_tally_init(&t, 4))
		return;
	at_tally_add(&t, h);
	check(!t.sys && !t.inet && !t.uring && !t.nkeys,
	      "%s: not counted by hist, top, metrics", what);
	at_tally_free(&t);
}

static void test_v2_malformed(void)
{
	struct accepttrace_hdr *h;
	struct t_rec r;
	size_t size;

	/* the peer runs 8 bytes past hdr.size */
	sys_rec(&r, 4, 0);
	h = rec(&r);
	h->size -= 8;
	expect_malformed("address past hdr.size", h, h->size);
	/* hdr.size ends inside the last address's head */
	sys_rec(&r, -EAGAIN, 0);
	h = rec(&r);
	h->size -= 8;
	expect_malformed("address head past hdr.size", h, h->size);
	/* hdr.size ends with the fixed part: no address at all */
	inet_rec(&r, 0);
	h = rec(&r);
	h->size = sizeof(struct accepttrace_inet_accept);
	expect_malformed("no addresses", h, h->size);
	/* hdr.size shorter than the fixed part */
	uring_rec(&r, 0, false);
	h = rec(&r);
	h->size = 16;
	expect_malformed("shorter than its fixed part", h, h->size);
	/*
	 * @stored past ACCEPTTRACE_ADDR_MAX, though the record holds its
	 * bytes: the peer (last) says 120, and hdr.size grows to cover
	 * ACCEPTTRACE_SOCKADDR_SIZE(120)
	 */
	sys_rec(&r, 4, 0);
	sa_un(A(&r, PEER), "0123456789", 10);
	A(&r, PEER)->sa.stored = ACCEPTTRACE_ADDR_MAX;
	A(&r, PEER)->sa.len = ACCEPTTRACE_ADDR_MAX;
	h = rec(&r);
	size = h->size;
	((struct accepttrace_sockaddr *)((__u8 *)h + size -
		ACCEPTTRACE_SOCKADDR_SIZE(ACCEPTTRACE_ADDR_MAX)))->stored =
		ACCEPTTRACE_ADDR_MAX + 8;
	h->size += 8;
	expect_malformed("stored past ACCEPTTRACE_ADDR_MAX", h, h->size);
	/* the same, one byte past */
	h = rec(&r);
	((struct accepttrace_sockaddr *)((__u8 *)h + size -
		ACCEPTTRACE_SOCKADDR_SIZE(ACCEPTTRACE_ADDR_MAX)))->stored =
		ACCEPTTRACE_ADDR_MAX + 1;
	h->size += 8;
	expect_malformed("stored ACCEPTTRACE_ADDR_MAX + 1", h, h->size);
	/* 8 bytes after the three addresses: they do not end at hdr.size */
	inet_rec(&r, 0);
	h = rec(&r);
	h->size += 8;
	expect_malformed("addresses end before hdr.size", h, h->size);
	/* the user address claims 8 bytes more: the next heads are misread */
	sys_rec(&r, 4, 0);
	h = rec(&r);
	((struct accepttrace_sockaddr *)((__u8 *)h + 104))->stored = 24;
	expect_malformed("a stored longer than its data", h, h->size);
}

/*
 * at_read_size(): for -n N, no read() may take N + 1 accept records, and
 * the tries after EINVAL must reach a size the next record fits, for any
 * size of it.
 */
static void test_read_size(void)
{
	static const size_t tries1[] = { 216, 328, 440, 552 };
	unsigned long long want;
	unsigned int i, bad = 0;
	size_t next, size;

	for (i = 0, size = 0; i < 4; i++) {
		size = at_read_size(AT_READ_BUF, 1, size);
		check(size == tries1[i], "-n 1, try %u: %zu bytes, want %zu",
		      i + 1, size, tries1[i]);
	}
	check(at_read_size(AT_READ_BUF, 4, 0) == 552 &&
	      at_read_size(AT_READ_BUF, 0, 0) == AT_READ_BUF &&
	      at_read_size(AT_READ_BUF, 1ULL << 40, 0) == AT_READ_BUF,
	      "-n 4: one try of 552; no -n, a huge -n: the whole buffer");
	check(at_read_size(1000, 8, 0) == 1000 &&
	      at_read_size(1000, 2, 328) == 552,
	      "a small buffer: the whole of it; a try after 328 for -n 2");
	for (want = 1; want <= 64; want++) {
		for (next = AT_ACCEPT_MIN; next <= ACCEPTTRACE_REC_MAX;
		     next += 8) {
			unsigned int n = 0;

			size = 0;
			do {
				size = at_read_size(AT_READ_BUF, want, size);
			} while (size < next && ++n < 8);
			/*
			 * The first try holds no want + 1 records of any size;
			 * the one @next fits holds no want more after it.
			 */
			if (size < next ||
			    at_read_size(AT_READ_BUF, want, 0) >=
			    (want + 1) * AT_ACCEPT_MIN ||
			    size >= next + want * AT_ACCEPT_MIN || n > 3) {
				if (!bad++)
					check(false, "-n %llu, next record of "
					      "%zu: read of %zu after %u tries",
					      want, next, size, n + 1);
			}
		}
	}
	check(!bad, "-n 1..64, every record size: never more than N records, "
	      "at most 4 tries (%u bad)", bad);
}

/*
 * A stop signal that arrives after the read loop looked at at_stop, and
 * before it waits, still ends the wait: at_install_signals() keeps
 * SIGINT and SIGTERM blocked but for the wait itself.  Before, the
 * handler ran at once, and the loop waited on an idle device forever
 * (the tool did not exit on SIGTERM: at-bench.sh's stop_reader() hung).
 * Here raise() is the signal, and a pipe nobody writes the idle device.
 */
static void test_stop_signal(void)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	unsigned int i;
	int p[2];

	if (pipe(p)) {
		check(false, "pipe: %s", strerror(errno));
		return;
	}
	at_install_signals();
	for (i = 0; i < 2; i++) {
		long long t0, ms;
		int n, stop;

		at_stop = 0;
		raise(sigs[i]);
		stop = at_stop;
		check(stop == 0, "%s raised between the check and the wait: "
		      "held for the wait (at_stop %d, want 0)",
		      sigs[i] == SIGINT ? "SIGINT" : "SIGTERM", stop);
		t0 = at_now_ns(CLOCK_MONOTONIC);
		n = at_wait(p[0], 4000);
		ms = (at_now_ns(CLOCK_MONOTONIC) - t0) / 1000000;
		check(n == 0 && at_stop == 1 && ms < 2000,
		      "at_wait() on an idle fd, %s pending: returns 0 at once "
		      "with at_stop set (returned %d after %lld ms, "
		      "at_stop %d; a timeout is 4000 ms)",
		      sigs[i] == SIGINT ? "SIGINT" : "SIGTERM", n, ms,
		      (int)at_stop);
	}
	at_stop = 0;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	at_unblock_signals();
	close(p[0]);
	close(p[1]);
}

/*
 * The JSON line keeps the text of the last task, the last accept
 * arguments, the last family and recent IPv4 addresses: a record that
 * differs from the one before in any one field the text depends on gets
 * its own text, and the one after it the old again.
 */
struct cache_case {
	const char *what, *key, *want, *was;
	bool str;			/* a JSON string, else a literal */
	void (*change)(struct t_rec *t);
};

static void c_pid(struct t_rec *t) { t->sys.task.pid = 4000000000u; }
static void c_tid(struct t_rec *t) { t->sys.task.tid = 102; }
static void c_uid(struct t_rec *t) { t->sys.task.uid = 1000; }
static void c_netns(struct t_rec *t) { t->sys.task.netns = 4026532000u; }
static void c_comm(struct t_rec *t) { t->sys.task.comm[5] = 'x'; }
static void c_comm15(struct t_rec *t)
{
	memcpy(t->sys.task.comm, "0123456789abcdef", 16);
}
static void c_uaddr(struct t_rec *t) { t->sys.uaddr = 0x7ffd1008; }
static void c_uaddrlen(struct t_rec *t) { t->sys.uaddrlen = 0; }
static void c_valid(struct t_rec *t)
{
	t->sys.valid &= ~ACCEPTTRACE_V_ADDRLEN_OUT;
}
static void c_len_in(struct t_rec *t) { t->sys.addrlen_in = 110; }
static void c_len_out(struct t_rec *t) { t->sys.addrlen_out = 28; }
static void c_flags(struct t_rec *t) { t->sys.flags = SOCK_NONBLOCK; }
static void c_v6(struct t_rec *t) { sa_in6(A(t, LOCAL), "::1", 8080, 0); }

/* Two IPv4 addresses that share a slot of decode.c's table. */
static char ip_a[16], ip_b[16];

static void c_ip(struct t_rec *t) { sa_in(A(t, PEER), ip_b, 40000); }

static void find_ip_pair(void)
{
	uint32_t a = htonl(0x0a000001), b, want = (a * 0x9e3779b1u) >> 24;
	unsigned int i;

	for (i = 2; i < 1000000; i++) {
		b = htonl(0x0a000000 + i);
		if (((b * 0x9e3779b1u) >> 24) == want)
			break;
	}
	inet_ntop(AF_INET, &a, ip_a, sizeof(ip_a));
	inet_ntop(AF_INET, &b, ip_b, sizeof(ip_b));
}

static void test_json_caches(void)
{
	static const struct cache_case cases[] = {
		{ "pid", "pid", "4000000000", "100", false, c_pid },
		{ "tid", "tid", "102", "101", false, c_tid },
		{ "uid", "uid", "1000", "0", false, c_uid },
		{ "netns", "netns", "4026532000", "4026531840", false, c_netns },
		{ "comm, one byte", "comm", "servex", "server", true, c_comm },
		{ "comm, all 16 bytes", "comm", "0123456789abcdef", "server",
		  true, c_comm15 },
		{ "buffer", "addr", "0x7ffd1008", "0x7ffd1000", true, c_uaddr },
		{ "no addrlen pointer", "addrlen_in", "null", "128", false,
		  c_uaddrlen },
		{ "addrlen_out unreadable", "addrlen_out", "null", "16", false,
		  c_valid },
		{ "addrlen_in", "addrlen_in", "110", "128", false, c_len_in },
		{ "addrlen_out", "addrlen_out", "28", "16", false, c_len_out },
		{ "flags", "flags_names", "SOCK_NONBLOCK", "SOCK_CLOEXEC", true,
		  c_flags },
		{ "family", "family", "AF_INET6", "AF_INET", true, c_v6 },
		{ "peer in the same slot", "peer_addr", ip_b, ip_a, true, c_ip },
	};
	unsigned int i, j;
	struct t_rec r;

	find_ip_pair();
	check(strcmp(ip_a, ip_b), "two IPv4 addresses share a slot: %s, %s",
	      ip_a, ip_b);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cache_case *c = &cases[i];

		/* the old record, the changed one, the old again */
		for (j = 0; j < 3; j++) {
			const char *want = j == 1 ? c->want : c->was;
			char what[96];

			sys_rec(&r, 4, SOCK_CLOEXEC);
			sa_in(A(&r, PEER), ip_a, 40000);
			if (j == 1)
				c->change(&r);
			snprintf(what, sizeof(what), "%s, record %u", c->what,
				 j + 1);
			if (!parse(json_of(rec(&r)), what))
				continue;
			if (c->str && strcmp(want, "null"))
				expect_str(what, c->key, want);
			else
				expect_lit(what, c->key, want);
		}
	}
}

/* The message for a module of another record ABI (check_abi()). */
static void test_abi_message(void)
{
	char *buf = NULL;
	size_t size;
	FILE *f;

	f = open_memstream(&buf, &size);
	at_abi_mismatch(f, 1);
	fclose(f);
	check(!strcmp(buf, "accepttrace: the loaded module speaks record ABI "
		      "version 1, from an older release; this tool reads "
		      "record ABI version 2 \xe2\x80\x94 unload it (sudo "
		      "rmmod accepttrace) and load the module built from the "
		      "same tree as this tool\n"),
	      "ABI 1 module: what to do\ngot %s", buf);
	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &size);
	at_abi_mismatch(f, 3);
	fclose(f);
	check(!strcmp(buf, "accepttrace: ABI version mismatch: the module "
		      "speaks version 3, this tool speaks version 2 "
		      "\xe2\x80\x94 use the tool built with the module\n"),
	      "ABI 3 module: a newer module\ngot %s", buf);
	free(buf);
}

/* ---- metrics ---- */

static void test_prom_value(void)
{
	static const struct { const char *in; size_t n; const char *out; } c[] = {
		{ "/run/app.sock", 13, "/run/app.sock" },
		{ "a\"b", 3, "a\\\"b" },
		{ "a\\b", 3, "a\\\\b" },
		{ "a\nb", 3, "a\\nb" },
		{ "\t\r", 2, "\\\\x09\\\\x0d" },
		{ "\0x\0", 3, "\\\\x00x\\\\x00" },
		{ "\x7f", 1, "\\\\x7f" },
		{ " ~", 2, " ~" },
		/* well-formed UTF-8, C1 controls (U+0080) included, as is */
		{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },
		{ "\xc2\x80", 2, "\xc2\x80" },
		{ "\xe2\x82\xac", 3, "\xe2\x82\xac" },
		{ "\xed\x9f\xbf", 3, "\xed\x9f\xbf" },		/* U+D7FF */
		{ "\xef\xbf\xbf", 3, "\xef\xbf\xbf" },		/* U+FFFF */
		{ "\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80" },
		{ "\xf4\x8f\xbf\xbf", 4, "\xf4\x8f\xbf\xbf" },	/* U+10FFFF */
		/* not UTF-8: every byte as \xNN */
		{ "\xff", 1, "\\\\xff" },
		{ "\x80", 1, "\\\\x80" },
		{ "\xc3", 1, "\\\\xc3" },			/* cut short */
		{ "\xc3(", 2, "\\\\xc3(" },
		{ "\xe2\x82", 2, "\\\\xe2\\\\x82" },
		{ "\xc0\xaf", 2, "\\\\xc0\\\\xaf" },		/* overlong */
		{ "\xe0\x80\xaf", 3, "\\\\xe0\\\\x80\\\\xaf" },
		{ "\xf0\x8f\xbf\xbf", 4, "\\\\xf0\\\\x8f\\\\xbf\\\\xbf" },
		{ "\xed\xa0\x80", 3, "\\\\xed\\\\xa0\\\\x80" },	/* surrogate */
		{ "\xf4\x90\x80\x80", 4, "\\\\xf4\\\\x90\\\\x80\\\\x80" },
		{ "\xf5\x80\x80\x80", 4, "\\\\xf5\\\\x80\\\\x80\\\\x80" },
	};
	char out[64], big[5 * ACCEPTTRACE_ADDR_MAX + 1], in[ACCEPTTRACE_ADDR_MAX];
	unsigned int i;
	char *end;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		end = at_prom_put_value(out, c[i].in, c[i].n);
		*end = '\0';
		check(!strcmp(out, c[i].out),
		      "label value %u: got '%s', want '%s'", i, out, c[i].out);
	}
	memset(in, 0xff, sizeof(in));
	end = at_prom_put_value(big, in, sizeof(in));
	check(end - big == 5 * ACCEPTTRACE_ADDR_MAX,
	      "label value of %d bytes 0xff: %td bytes, 5 per byte",
	      ACCEPTTRACE_ADDR_MAX, end - big);
}

static void test_le_slot(void)
{
	static const struct { uint64_t ns; unsigned int slot; } c[] = {
		{ 0, 0 }, { 1, 0 }, { 1999, 0 }, { 2000, 0 }, { 2001, 1 },
		{ 4000, 1 }, { 4001, 2 }, { 8000, 2 }, { 8001, 3 },
		{ 1000000, 9 }, { 1024000, 9 }, { 1024001, 10 },
		{ 549755813888000ULL, AT_HIST_SLOTS - 2 },
		{ 549755813888001ULL, AT_HIST_SLOTS - 1 },
		{ UINT64_MAX, AT_HIST_SLOTS - 1 },
	};
	unsigned int i, k, bad = 0;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++)
		check(at_hist_le_slot(c[i].ns) == c[i].slot,
		      "le slot of %llu ns: %u, want %u",
		      (unsigned long long)c[i].ns, at_hist_le_slot(c[i].ns),
		      c[i].slot);
	/* around every bound 2^k us: at most the bucket's le, above the last */
	for (k = 1; k < AT_HIST_SLOTS; k++) {
		uint64_t b = (1ULL << k) * 1000;

		bad += at_hist_le_slot(b - 1) != k - 1;
		bad += at_hist_le_slot(b) != k - 1;
		bad += at_hist_le_slot(b + 1) != k;
	}
	check(!bad, "le slots around the bounds 2^k us: %u wrong", bad);
	/* the same bounds as hist's rows, for whole microseconds */
	for (k = 0, bad = 0; k < 40000; k++)
		bad += at_hist_le_slot(k * 1000ULL + 1) != at_hist_slot(k);
	check(!bad, "le slots of k us + 1 ns are hist's slots of k us: %u wrong",
	      bad);
}

/* Metric name of a sample line: up to '{' or ' ' */
static void sample_name(const char *line, char *name, size_t size)
{
	size_t n = strcspn(line, "{ ");

	snprintf(name, size, "%.*s", (int)(n < size ? n : size - 1), line);
}

/*
 * What the exposition format asks of every line: "# HELP name text",
 * "# TYPE name type" once per family before its samples, and samples
 * "name{labels} value" of a family with a TYPE (histograms: its _bucket,
 * _sum and _count); no empty lines.  Returns the lines that fail.
 */
static unsigned int exposition_errors(const char *text)
{
	char types[64][80], name[80], line[2048], *nl;
	unsigned int ntypes = 0, bad = 0, i;
	const char *p = text;
	bool found;

	while (*p) {
		nl = strchr(p, '\n');
		if (!nl) {
			printf("  # exposition: last line without a newline\n");
			return bad + 1;
		}
		snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
		p = nl + 1;
		if (!strncmp(line, "# HELP ", 7))
			continue;
		if (!strncmp(line, "# TYPE ", 7)) {
			if (ntypes < 64)
				sscanf(line + 7, "%79s", types[ntypes++]);
			continue;
		}
		sample_name(line, name, sizeof(name));
		found = false;
		for (i = 0; i < ntypes && !found; i++) {
			size_t n = strlen(types[i]);

			found = !strcmp(name, types[i]) ||
				(!strncmp(name, types[i], n) &&
				 (!strcmp(name + n, "_bucket") ||
				  !strcmp(name + n, "_sum") ||
				  !strcmp(name + n, "_count")));
		}
		if (!found || !*name || !strchr(line, ' ')) {
			printf("  # exposition: bad line '%s'\n", line);
			bad++;
		}
	}
	return bad;
}

/* @text has the line @line, exactly */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p = text;

	while ((p = strstr(p, line))) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
		p++;
	}
	return false;
}

/* tests/unit --metrics-sample FILE: test_metrics() writes its exposition */
static const char *sample;

/* A tally of known records, printed as metrics; also to @sample if set */
static void test_metrics(void)
{
	static const char path[] = "/run/a \"b\"\\c\nd\xff";
	struct t_rec r;
	struct t_rec ia;
	struct accepttrace_lost l = {
		.hdr = { .type = ACCEPTTRACE_REC_LOST, .size = sizeof(l) },
		.count = 3,
	};
	struct at_stats *s = calloc(1, sizeof(*s));
	struct at_tally t;
	char *buf = NULL;
	size_t size;
	FILE *f;

	check(!at_tally_init(&t, 2), "tally: init");
	inet_rec(&ia, 0);		/* tcp:8443, 2500 ns, qlen 3/128 */
	at_tally_add(&t, rec(&ia));
	inet_rec(&ia, -EAGAIN);
	ia.inet.latency_ns = 2000;	/* on the bound: le 2 us */
	ia.inet.qlen = 1;
	at_tally_add(&t, rec(&ia));
	sys_rec(&r, -EAGAIN, 0);	/* its accept(2): no listener */
	at_tally_add(&t, rec(&r));
	sys_rec(&r, -EBADF, 0);
	at_tally_add(&t, rec(&r));
	sys_rec(&r, -600, 0);		/* past the errno table: "other" */
	at_tally_add(&t, rec(&r));
	sys_rec(&r, 4, 0);		/* TCP accept(2): from inet_accept */
	at_tally_add(&t, rec(&r));
	sys_rec(&r, 5, 0);
	sa_un(A(&r, LOCAL), path, sizeof(path) - 1);
	r.sys.latency_ns = 1234567890123ULL;
	at_tally_add(&t, rec(&r));
	sys_rec(&r, 6, 0);
	sa_un(A(&r, LOCAL), "", 0);	/* a third listener: past max 2 */
	at_tally_add(&t, rec(&r));
	at_tally_add(&t, &l.hdr);
	check(t.nkeys == 2 && t.overflow == 1 && t.sys == 6 && t.inet == 2 &&
	      t.lost == 3, "tally: %u listeners, overflow %llu, sys %llu, "
	      "inet %llu, lost %llu", t.nkeys, t.overflow, t.sys, t.inet,
	      t.lost);

	check(!at_stats_parse(stats_text, s), "metrics: stats parse");
	f = open_memstream(&buf, &size);
	at_metrics_print(f, &t, s, "1.2.\"3\"", 1700000000.5);
	fclose(f);
	check(!exposition_errors(buf), "metrics: every line is HELP, TYPE or "
	      "a sample of a typed family");
	static const char * const want[] = {
		"# TYPE accepttrace_build_info gauge",
		"accepttrace_build_info{abi=\"1\",version=\"1.2.\\\"3\\\"\","
		"tool_version=\"" AT_TOOL_VERSION "\"} 1",
		"accepttrace_enabled 1",
		"accepttrace_reader 0",
		"accepttrace_ring_size_bytes 262144",
		"accepttrace_kretprobe_maxactive 1024",
		"accepttrace_probe_active{probe=\"inet_accept\"} 1",
		"accepttrace_probe_hits_total{probe=\"sys_accept4\"} 12",
		"accepttrace_kprobe_nmissed_total{probe=\"inet_accept\"} 2",
		"accepttrace_kretprobe_nmissed_total{probe=\"inet_accept\"} 1",
		"# TYPE accepttrace_events_recorded_total counter",
		"accepttrace_events_recorded_total{cpu=\"0\"} 10",
		"accepttrace_events_lost_total{cpu=\"1\"} 7",
		"accepttrace_events_filtered_total{cpu=\"0\"} 2",
		"accepttrace_ring_used_bytes{cpu=\"0\"} 4640",
		"accepttrace_events_lost_no_ring_total 0",
		"accepttrace_tool_start_time_seconds 1700000000.500",
		"accepttrace_records_read_total{probe=\"sys_accept4\"} 6",
		"accepttrace_records_read_total{probe=\"inet_accept\"} 2",
		"accepttrace_read_lost_events_total 3",
		"accepttrace_listener_overflow_events_total 1",
		"# TYPE accepttrace_accepts_total counter",
		"accepttrace_accepts_total{listener=\"tcp:8443\"} 1",
		"accepttrace_accepts_total{listener=\"unix:/run/a \\\"b\\\"\\\\c\\nd\\\\xff\"} 1",
		"accepttrace_accept_failures_total{listener=\"tcp:8443\",errno=\"EAGAIN\"} 1",
		"# TYPE accepttrace_accept_duration_seconds histogram",
		"accepttrace_accept_duration_seconds_bucket{listener=\"tcp:8443\",le=\"0.000002\"} 1",
		"accepttrace_accept_duration_seconds_bucket{listener=\"tcp:8443\",le=\"0.000004\"} 2",
		"accepttrace_accept_duration_seconds_bucket{listener=\"tcp:8443\",le=\"549755.813888\"} 2",
		"accepttrace_accept_duration_seconds_bucket{listener=\"tcp:8443\",le=\"+Inf\"} 2",
		"accepttrace_accept_duration_seconds_sum{listener=\"tcp:8443\"} 0.000004500",
		"accepttrace_accept_duration_seconds_count{listener=\"tcp:8443\"} 2",
		/* 1234.567890123 s: above 2^30 us = 1073.741824 s */
		"accepttrace_accept_duration_seconds_bucket{listener=\"unix:/run/a \\\"b\\\"\\\\c\\nd\\\\xff\",le=\"1073.741824\"} 0",
		"accepttrace_accept_duration_seconds_bucket{listener=\"unix:/run/a \\\"b\\\"\\\\c\\nd\\\\xff\",le=\"2147.483648\"} 1",
		"accepttrace_accept_duration_seconds_sum{listener=\"unix:/run/a \\\"b\\\"\\\\c\\nd\\\\xff\"} 1234.567890123",
		"accepttrace_accept_queue_length_max{listener=\"tcp:8443\"} 3",
		"accepttrace_accept_queue_limit{listener=\"tcp:8443\"} 128",
		"accepttrace_syscall_failures_total{errno=\"other\"} 1",
		"accepttrace_syscall_failures_total{errno=\"EBADF\"} 1",
		"accepttrace_syscall_failures_total{errno=\"EAGAIN\"} 1",
	};
	static const char bucket[] =
		"\naccepttrace_accept_duration_seconds_bucket{listener=\"tcp:8443\",";
	unsigned int i, n;

	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		check(has_line(buf, want[i]), "metrics: %sline '%s'",
		      want[i][0] == '#' ? "comment " : "",
		      want[i][0] == '#' ? want[i] + 2 : want[i]);
	check(!strstr(buf, "accepttrace_accept_queue_length_max{listener=\"unix"),
	      "metrics: no queue for an AF_UNIX listener");
	for (i = 0, n = 0; buf[i]; i++)
		n += !strncmp(buf + i, bucket, strlen(bucket));
	check(n == AT_HIST_SLOTS, "metrics: %u buckets of a listener, want %d "
	      "(2^1..2^39 us and +Inf)", n, AT_HIST_SLOTS);
	if (sample) {
		f = fopen(sample, "w");
		check(f && fputs(buf, f) >= 0 && !fclose(f),
		      "metrics: sample written to %s", sample);
	}
	free(buf);

	/* the module's counters not readable: only what the tool counted */
	buf = NULL;
	f = open_memstream(&buf, &size);
	at_metrics_print(f, &t, NULL, "x", 0);
	fclose(f);
	check(!strstr(buf, "accepttrace_build_info") &&
	      !strstr(buf, "accepttrace_events_recorded_total") &&
	      has_line(buf, "accepttrace_accepts_total{listener=\"tcp:8443\"} 1") &&
	      !exposition_errors(buf), "metrics without the module's counters");
	free(buf);

	/* nothing read yet: no per-listener families, no empty ones */
	at_tally_reset(&t);
	buf = NULL;
	f = open_memstream(&buf, &size);
	at_metrics_print(f, &t, s, "x", 0);
	fclose(f);
	check(!strstr(buf, "accepttrace_accepts_total") &&
	      !strstr(buf, "accepttrace_syscall_failures_total") &&
	      has_line(buf, "accepttrace_records_read_total{probe=\"inet_accept\"} 0") &&
	      !exposition_errors(buf), "metrics of an empty tally");
	free(buf);
	at_tally_free(&t);

	check(!at_stats_parse("abi_version 1\nenabled 0\nreader 1\n"
			      "maxactive 1\nbuf_bytes 4096\nfilter none\n"
			      "cpu 0 recorded=1 lost=2 filtered=3 used=4 online=1\n"
			      "rings 1 ring_memory=4096 lost_no_ring=5\n"
			      "total recorded=1 lost=7 filtered=3\n", s) &&
	      s->lost_no_ring == 5 && s->cpu[0].used == 4 && s->lost == 7,
	      "stats: the module's rings line (lost_no_ring)");
	free(s);
}

#define TEST(fn)	{ #fn, fn }

static const struct {
	const char *name;
	void (*run)(void);
} tests[] = {
	TEST(test_put),
	TEST(test_digits),
	TEST(test_ip_text),
	TEST(test_format_ip),
	TEST(test_errnos),
	TEST(test_tables_vs_libc),
	TEST(test_flags),
	TEST(test_addrs),
	TEST(test_sys_fields),
	TEST(test_comm),
	TEST(test_lost_and_unknown),
	TEST(test_text),
	TEST(test_stats),
	TEST(test_hist),
	TEST(test_event_port),
	TEST(test_uring),
	TEST(test_json_max),
	TEST(test_v2_sizes),
	TEST(test_v2_malformed),
	TEST(test_read_size),
	TEST(test_stop_signal),
	TEST(test_json_caches),
	TEST(test_abi_message),
	TEST(test_prom_value),
	TEST(test_le_slot),
	TEST(test_metrics),
};

int main(int argc, char **argv)
{
	unsigned int i;

	if (argc == 3 && !strcmp(argv[1], "--metrics-sample"))
		sample = argv[2];
	printf("KTAP version 1\n1..%zu\n", sizeof(tests) / sizeof(tests[0]));
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		nresults = 0;
		nfailed = 0;
		printf("  KTAP version 1\n");
		tests[i].run();
		printf("%sok %u %s\n", nfailed ? "not " : "", i + 1,
		       tests[i].name);
		fflush(stdout);
	}
	printf("# unit: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
