// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the kretprobes (module/probes.c, compiled in here with
 * the stand-in rings of fakes.c).  The cases make real accepts on
 * loopback with kernel sockets, in the test's own kthread, and read back
 * what the handlers wrote: inet_accept records (kernel_accept() does not
 * go through __sys_accept4, so no sys_accept4 record may appear).  Their
 * addresses are held to what getsockname/getpeername report.
 *
 * Records of other threads are ignored; the counters (hits, filtered)
 * are checked exactly, so nothing else on the machine may accept()
 * during the few milliseconds a case runs (true in the test guest).
 */
#include "../module/probes.c"

#include "kunit_compat.h"
#include <linux/delay.h>
#include <linux/inet.h>
#include <linux/netdevice.h>
#include <linux/rtnetlink.h>

#include "accepttrace_format.h"
#include "at_test.h"

#define TEST_RING_BYTES		(16 * 1024)
#define TEST_BACKLOG		5
#define MAX_SOCKS		8

struct probes_ctx {
	struct socket	*socks[MAX_SOCKS];
	int		nsocks;
};

/* What the rings held for this thread, read out by drain(). */
struct seen {
	unsigned int	inet;
	unsigned int	sys;
	unsigned int	lost;
	/* The last inet_accept record, whole, and its parts. */
	union at_scratch rec;
	const struct accepttrace_inet_accept *last;
	const struct accepttrace_sockaddr *listen, *local, *peer;
};

static void keep(struct kunit *test, struct socket *sock)
{
	struct probes_ctx *ctx = test->priv;

	KUNIT_ASSERT_LT(test, ctx->nsocks, MAX_SOCKS);
	ctx->socks[ctx->nsocks++] = sock;
}

static struct socket *new_sock(struct kunit *test, int family, int type,
			       int protocol)
{
	struct socket *sock;

	KUNIT_ASSERT_EQ(test, sock_create_kern(&init_net, family, type,
					       protocol, &sock), 0);
	keep(test, sock);
	return sock;
}

/* A TCP listener on the loopback address of @family, any port. */
static struct socket *tcp_listen(struct kunit *test, int family)
{
	struct socket *l = new_sock(test, family, SOCK_STREAM, IPPROTO_TCP);
	struct sockaddr_storage ss = {};
	int len, ret, tries;

	if (family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_addr = in6addr_loopback;
		len = sizeof(*sin6);
	}
	/* ::1 is tentative for a moment after lo comes up. */
	for (tries = 0; tries < 100; tries++) {
		ret = kernel_bind(l, AT_SOCKADDR(&ss), len);
		if (ret != -EADDRNOTAVAIL)
			break;
		msleep(20);
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(l, TEST_BACKLOG), 0);
	return l;
}

static u16 local_port(struct kunit *test, struct socket *sock)
{
	struct sockaddr_storage ss;

	KUNIT_ASSERT_GT(test, kernel_getsockname(sock, (struct sockaddr *)&ss),
			0);
	return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

/* Connect to @l and wait until the connection is in its accept queue. */
static struct socket *tcp_connect(struct kunit *test, struct socket *l)
{
	struct socket *c = new_sock(test, l->sk->sk_family, SOCK_STREAM,
				    IPPROTO_TCP);
	u32 queued = READ_ONCE(l->sk->sk_ack_backlog);
	struct sockaddr_storage ss;
	int len, tries;

	len = kernel_getsockname(l, (struct sockaddr *)&ss);
	KUNIT_ASSERT_GT(test, len, 0);
	KUNIT_ASSERT_EQ(test, kernel_connect(c, AT_SOCKADDR(&ss), len, 0),
			0);
	/* The client is connected before the server has queued the child. */
	for (tries = 0; tries < 100; tries++) {
		if (READ_ONCE(l->sk->sk_ack_backlog) > queued)
			break;
		msleep(20);
	}
	KUNIT_ASSERT_EQ(test, READ_ONCE(l->sk->sk_ack_backlog), queued + 1);
	return c;
}

static struct socket *accept_one(struct kunit *test, struct socket *l)
{
	struct socket *a;

	KUNIT_ASSERT_EQ(test, kernel_accept(l, &a, 0), 0);
	keep(test, a);
	return a;
}

/* Take every record out of the test rings. */
static void drain(struct kunit *test, struct seen *s)
{
	union at_scratch *rec = kunit_kzalloc(test, sizeof(*rec), GFP_KERNEL);
	int cpu;

	KUNIT_ASSERT_NOT_NULL(test, rec);
	memset(s, 0, sizeof(*s));
	for_each_possible_cpu(cpu) {
		struct at_ring *r = at_rings[cpu];
		struct accepttrace_hdr h;

		while (at_ring_peek(r, &h)) {
			at_ring_read(r, rec, min_t(u32, h.size, sizeof(*rec)));
			at_ring_consume(r);
			if (h.type == ACCEPTTRACE_REC_LOST) {
				s->lost++;
				continue;
			}
			/* Both record types start with hdr, then task. */
			if (rec->inet.task.tid != task_pid_nr(current))
				continue;
			if (h.type == ACCEPTTRACE_REC_SYS_ACCEPT4) {
				s->sys++;
			} else if (h.type == ACCEPTTRACE_REC_INET_ACCEPT) {
				const struct accepttrace_sockaddr *sa[3];

				s->inet++;
				s->rec = *rec;
				KUNIT_ASSERT_EQ(test,
						accepttrace_rec_addrs(&s->rec.hdr,
								      sa), 0);
				s->last = &s->rec.inet;
				s->listen = sa[ACCEPTTRACE_ADDR_LISTEN];
				s->local = sa[ACCEPTTRACE_ADDR_LOCAL];
				s->peer = sa[ACCEPTTRACE_ADDR_PEER];
			}
		}
	}
}

static u64 sum_hits(enum at_probe_id id)
{
	u64 n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += local64_read(&at_rings[cpu]->hits[id]);
	return n;
}

static u64 sum_filtered(void)
{
	u64 n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += local64_read(&at_rings[cpu]->filtered);
	return n;
}

/* @sa must hold exactly what getsockname/getpeername says of @sock. */
static void expect_sockname(struct kunit *test,
			    const struct accepttrace_sockaddr *sa,
			    struct socket *sock, bool peer)
{
	struct sockaddr_storage ss = {};
	int len;

	len = peer ? kernel_getpeername(sock, (struct sockaddr *)&ss) :
		     kernel_getsockname(sock, (struct sockaddr *)&ss);
	KUNIT_ASSERT_GT(test, len, 0);
	KUNIT_EXPECT_EQ(test, sa->len, len);
	KUNIT_EXPECT_EQ(test, sa->stored, len);
	KUNIT_EXPECT_EQ(test, sa->flags, 0);
	KUNIT_EXPECT_MEMEQ(test, sa->data, &ss, len);
}

static void expect_task(struct kunit *test, const struct accepttrace_task *t)
{
	KUNIT_EXPECT_EQ(test, t->pid, task_tgid_nr(current));
	KUNIT_EXPECT_EQ(test, t->tid, task_pid_nr(current));
	KUNIT_EXPECT_EQ(test, t->uid, 0);
	KUNIT_EXPECT_EQ(test, t->netns, init_net.ns.inum);
	KUNIT_EXPECT_MEMEQ(test, t->comm, current->comm, sizeof(t->comm));
}

/* The handlers ran in atomic context and no call was missed. */
static void expect_clean_run(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, atomic_read(&at_preemptible_calls), 0);
	KUNIT_EXPECT_EQ(test, at_probe_nmissed(AT_PROBE_SYS_ACCEPT4), 0);
	KUNIT_EXPECT_EQ(test, at_probe_nmissed(AT_PROBE_INET_ACCEPT), 0);
	KUNIT_EXPECT_EQ(test, at_probe_kretprobe_nmissed(AT_PROBE_SYS_ACCEPT4),
			0);
	KUNIT_EXPECT_EQ(test, at_probe_kretprobe_nmissed(AT_PROBE_INET_ACCEPT),
			0);
}

/* One accept on a fresh @family listener, checked field by field. */
static void check_inet_accept(struct kunit *test, int family)
{
	u64 hits_inet, hits_sys, before, after;
	struct socket *l, *c, *a;
	struct seen s;

	l = tcp_listen(test, family);
	c = tcp_connect(test, l);
	drain(test, &s);
	hits_inet = sum_hits(AT_PROBE_INET_ACCEPT);
	hits_sys = sum_hits(AT_PROBE_SYS_ACCEPT4);

	before = ktime_get_ns();
	a = accept_one(test, l);
	after = ktime_get_ns();

	drain(test, &s);
	KUNIT_ASSERT_EQ(test, s.inet, 1);
	KUNIT_EXPECT_EQ(test, s.sys, 0);
	KUNIT_EXPECT_EQ(test, s.lost, 0);
	KUNIT_EXPECT_EQ(test, sum_hits(AT_PROBE_INET_ACCEPT), hits_inet + 1);
	KUNIT_EXPECT_EQ(test, sum_hits(AT_PROBE_SYS_ACCEPT4), hits_sys);

	KUNIT_EXPECT_EQ(test, s.last->hdr.type, ACCEPTTRACE_REC_INET_ACCEPT);
	/* 88 bytes, then three addresses of 24 (IPv4) or 40 (IPv6). */
	KUNIT_EXPECT_EQ(test, s.last->hdr.size, family == AF_INET ? 160 : 208);
	KUNIT_EXPECT_LT(test, s.last->hdr.cpu, nr_cpu_ids);
	KUNIT_EXPECT_GE(test, s.last->hdr.ts_ns, before);
	KUNIT_EXPECT_LE(test, s.last->hdr.ts_ns, after);
	KUNIT_EXPECT_LE(test, s.last->latency_ns, after - before);
	expect_task(test, &s.last->task);
	KUNIT_EXPECT_EQ(test, s.last->ret, 0);
	KUNIT_EXPECT_EQ(test, s.last->flags, 0);
	KUNIT_EXPECT_EQ(test, s.last->kern, 1);
	KUNIT_EXPECT_EQ(test, s.last->reserved0, 0);
	KUNIT_EXPECT_EQ(test, s.last->family, family);
	KUNIT_EXPECT_EQ(test, s.last->type, SOCK_STREAM);
	KUNIT_EXPECT_EQ(test, s.last->protocol, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, s.last->qlen, 1);
	KUNIT_EXPECT_EQ(test, s.last->qmax, TEST_BACKLOG);
	expect_sockname(test, s.listen, l, false);
	expect_sockname(test, s.local, a, false);
	expect_sockname(test, s.peer, a, true);
	/* ...which is the client's own address. */
	expect_sockname(test, s.peer, c, false);
	expect_clean_run(test);
}

static void probes_test_register(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, at_probe_active(AT_PROBE_SYS_ACCEPT4));
	KUNIT_EXPECT_TRUE(test, at_probe_active(AT_PROBE_INET_ACCEPT));
	KUNIT_EXPECT_STREQ(test, at_probe_name(AT_PROBE_SYS_ACCEPT4),
			   "sys_accept4");
	KUNIT_EXPECT_STREQ(test, at_probe_name(AT_PROBE_INET_ACCEPT),
			   "inet_accept");
	KUNIT_EXPECT_TRUE(test, at_probe_active(AT_PROBE_DO_ACCEPT));
	KUNIT_EXPECT_STREQ(test, at_probe_name(AT_PROBE_DO_ACCEPT),
			   "do_accept");
	KUNIT_EXPECT_EQ(test, at_kretprobes[AT_PROBE_INET_ACCEPT].maxactive,
			at_maxactive);
	KUNIT_EXPECT_EQ(test, at_kretprobes[AT_PROBE_DO_ACCEPT].maxactive,
			at_maxactive);
	/* io_accept() exists only with io_uring. */
	KUNIT_EXPECT_EQ(test, at_probe_active(AT_PROBE_IO_ACCEPT),
			IS_ENABLED(CONFIG_IO_URING));
	KUNIT_EXPECT_STREQ(test, at_probe_name(AT_PROBE_IO_ACCEPT),
			   "io_accept");
}

static void probes_test_inet_accept_ipv4(struct kunit *test)
{
	check_inet_accept(test, AF_INET);
}

static void probes_test_inet_accept_ipv6(struct kunit *test)
{
	if (!IS_ENABLED(CONFIG_IPV6))
		kunit_skip(test, "needs CONFIG_IPV6");
	check_inet_accept(test, AF_INET6);
}

/* The record of a real accept, through the formatter. */
static void probes_test_inet_accept_line(struct kunit *test)
{
	char *line = kunit_kzalloc(test, AT_LINE_MAX, GFP_KERNEL);
	char want[160];
	struct socket *l, *c;
	u16 port, cport;
	struct seen s;

	KUNIT_ASSERT_NOT_NULL(test, line);
	l = tcp_listen(test, AF_INET);
	c = tcp_connect(test, l);
	port = local_port(test, l);
	cport = local_port(test, c);
	drain(test, &s);
	accept_one(test, l);
	drain(test, &s);
	KUNIT_ASSERT_EQ(test, s.inet, 1);
	at_format_record(line, AT_LINE_MAX, &s.last->hdr);
	snprintf(want, sizeof(want),
		 " inet_accept(listen=127.0.0.1:%u, flags=0, kern=1) = 0 peer=127.0.0.1:%u local=127.0.0.1:%u qlen=1/%u lat=",
		 port, cport, port, TEST_BACKLOG);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(line, want), "line: %s", line);
}

static void probes_test_inet_accept_eagain(struct kunit *test)
{
	struct socket *l, *a;
	struct seen s;

	l = tcp_listen(test, AF_INET);
	drain(test, &s);
	KUNIT_ASSERT_EQ(test, kernel_accept(l, &a, O_NONBLOCK), -EAGAIN);
	drain(test, &s);
	KUNIT_ASSERT_EQ(test, s.inet, 1);
	KUNIT_EXPECT_EQ(test, s.sys, 0);
	expect_task(test, &s.last->task);
	KUNIT_EXPECT_EQ(test, s.last->ret, -EAGAIN);
	KUNIT_EXPECT_EQ(test, s.last->flags, O_NONBLOCK);
	KUNIT_EXPECT_EQ(test, s.last->kern, 1);
	KUNIT_EXPECT_EQ(test, s.last->qlen, 0);
	KUNIT_EXPECT_EQ(test, s.last->qmax, TEST_BACKLOG);
	/* No new socket: nothing about it is recorded. */
	KUNIT_EXPECT_EQ(test, s.last->family, 0);
	KUNIT_EXPECT_EQ(test, s.last->type, 0);
	KUNIT_EXPECT_EQ(test, s.last->protocol, 0);
	KUNIT_EXPECT_EQ(test, s.local->len, 0);
	KUNIT_EXPECT_EQ(test, s.peer->len, 0);
	expect_sockname(test, s.listen, l, false);
	expect_clean_run(test);
}

/*
 * Every byte of @sa's padding, past what it stores up to the next
 * multiple of 8, is zero.
 */
static void expect_slot_clean(struct kunit *test,
			      const struct accepttrace_sockaddr *sa)
{
	u32 i;

	KUNIT_EXPECT_LE(test, sa->stored, ACCEPTTRACE_ADDR_MAX);
	if (!sa->len)
		KUNIT_EXPECT_EQ(test, sa->stored, 0);
	for (i = sa->stored; i < round_up(sa->stored, 8); i++)
		if (sa->data[i]) {
			KUNIT_FAIL(test, "address byte %u is %#x, not 0", i,
				   sa->data[i]);
			break;
		}
}

/* Paint every ring, slack included, as if older records had been there. */
static void dirty_rings(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct at_ring *r = at_rings[cpu];

		memset(r->data, 0xa5, r->size + ACCEPTTRACE_REC_MAX);
	}
}

/*
 * Records are built in place over older bytes: nothing of those may
 * survive in a reserved field or past an address's stored bytes.
 */
static void probes_test_dirty_ring(struct kunit *test)
{
	struct socket *l, *a;
	struct seen s;

	l = tcp_listen(test, AF_INET);
	tcp_connect(test, l);
	drain(test, &s);
	dirty_rings();
	accept_one(test, l);
	drain(test, &s);
	KUNIT_ASSERT_EQ(test, s.inet, 1);
	KUNIT_EXPECT_EQ(test, s.last->ret, 0);
	KUNIT_EXPECT_EQ(test, s.last->hdr.size, 160);
	KUNIT_EXPECT_EQ(test, s.last->reserved0, 0);
	KUNIT_EXPECT_EQ(test, s.listen->stored, sizeof(struct sockaddr_in));
	expect_slot_clean(test, s.listen);
	expect_slot_clean(test, s.local);
	expect_slot_clean(test, s.peer);
	expect_sockname(test, s.listen, l, false);

	dirty_rings();
	KUNIT_ASSERT_EQ(test, kernel_accept(l, &a, O_NONBLOCK), -EAGAIN);
	drain(test, &s);
	KUNIT_ASSERT_EQ(test, s.inet, 1);
	KUNIT_EXPECT_EQ(test, s.last->ret, -EAGAIN);
	/* 88 bytes, the listener's 24 and two empty addresses of 8. */
	KUNIT_EXPECT_EQ(test, s.last->hdr.size, 128);
	KUNIT_EXPECT_EQ(test, s.last->reserved0, 0);
	KUNIT_EXPECT_EQ(test, s.last->family, 0);
	KUNIT_EXPECT_EQ(test, s.last->type, 0);
	KUNIT_EXPECT_EQ(test, s.last->protocol, 0);
	KUNIT_EXPECT_EQ(test, s.local->len, 0);
	KUNIT_EXPECT_EQ(test, s.local->flags, 0);
	KUNIT_EXPECT_EQ(test, s.peer->len, 0);
	KUNIT_EXPECT_EQ(test, s.peer->flags, 0);
	expect_slot_clean(test, s.listen);
	expect_slot_clean(test, s.local);
	expect_slot_clean(test, s.peer);
	expect_clean_run(test);
}

static void probes_test_filter_port(struct kunit *test)
{
	struct accepttrace_filter f = { .nports = 1 };
	struct socket *l;
	u64 filtered;
	struct seen s;
	u16 port;

	l = tcp_listen(test, AF_INET);
	port = local_port(test, l);
	tcp_connect(test, l);
	tcp_connect(test, l);

	/* Another port: the event is seen, counted as filtered, not kept. */
	f.ports[0] = port == 65535 ? port - 1 : port + 1;
	KUNIT_ASSERT_EQ(test, at_filter_set(&f), 0);
	drain(test, &s);
	filtered = sum_filtered();
	accept_one(test, l);
	drain(test, &s);
	KUNIT_EXPECT_EQ(test, s.inet, 0);
	KUNIT_EXPECT_EQ(test, sum_filtered(), filtered + 1);

	/* Its own port: recorded. */
	f.ports[0] = port;
	KUNIT_ASSERT_EQ(test, at_filter_set(&f), 0);
	accept_one(test, l);
	drain(test, &s);
	KUNIT_EXPECT_EQ(test, s.inet, 1);
	KUNIT_EXPECT_EQ(test, sum_filtered(), filtered + 1);
	KUNIT_EXPECT_EQ(test, s.last->qlen, 1);
}

static void probes_test_filter_comm(struct kunit *test)
{
	struct accepttrace_filter f = { .comm = "no-such-comm" };
	u64 filtered, hits;
	struct socket *l;
	struct seen s;

	l = tcp_listen(test, AF_INET);
	tcp_connect(test, l);
	KUNIT_ASSERT_EQ(test, at_filter_set(&f), 0);
	drain(test, &s);
	filtered = sum_filtered();
	hits = sum_hits(AT_PROBE_INET_ACCEPT);
	accept_one(test, l);
	drain(test, &s);
	/* Rejected at entry: a hit, filtered, no record. */
	KUNIT_EXPECT_EQ(test, s.inet, 0);
	KUNIT_EXPECT_EQ(test, sum_hits(AT_PROBE_INET_ACCEPT), hits + 1);
	KUNIT_EXPECT_EQ(test, sum_filtered(), filtered + 1);
	KUNIT_EXPECT_EQ(test, at_test_attempts(), 0);
}

static void probes_test_filter_errors(struct kunit *test)
{
	struct accepttrace_filter f = { .flags = ACCEPTTRACE_FILTER_ERRORS };
	struct socket *l, *a;
	struct seen s;

	l = tcp_listen(test, AF_INET);
	tcp_connect(test, l);
	KUNIT_ASSERT_EQ(test, at_filter_set(&f), 0);
	drain(test, &s);
	accept_one(test, l);
	drain(test, &s);
	KUNIT_EXPECT_EQ(test, s.inet, 0);
	KUNIT_ASSERT_EQ(test, kernel_accept(l, &a, O_NONBLOCK), -EAGAIN);
	drain(test, &s);
	KUNIT_EXPECT_EQ(test, s.inet, 1);
	KUNIT_EXPECT_EQ(test, s.last->ret, -EAGAIN);
}

static void probes_test_disabled(struct kunit *test)
{
	struct socket *l;
	struct seen s;
	u64 hits;

	l = tcp_listen(test, AF_INET);
	tcp_connect(test, l);
	drain(test, &s);
	WRITE_ONCE(at_enabled, false);
	hits = sum_hits(AT_PROBE_INET_ACCEPT);
	accept_one(test, l);
	drain(test, &s);
	KUNIT_EXPECT_EQ(test, s.inet, 0);
	/* Off means off: not even counted. */
	KUNIT_EXPECT_EQ(test, sum_hits(AT_PROBE_INET_ACCEPT), hits);
	KUNIT_EXPECT_EQ(test, at_test_attempts(), 0);
}

static void probes_test_unregister(struct kunit *test)
{
	struct socket *l;
	struct seen s;
	u64 attempts;

	l = tcp_listen(test, AF_INET);
	tcp_connect(test, l);
	tcp_connect(test, l);
	drain(test, &s);
	accept_one(test, l);
	drain(test, &s);
	KUNIT_ASSERT_EQ(test, s.inet, 1);
	expect_clean_run(test);

	at_probes_unregister();
	KUNIT_EXPECT_FALSE(test, at_probe_active(AT_PROBE_SYS_ACCEPT4));
	KUNIT_EXPECT_FALSE(test, at_probe_active(AT_PROBE_INET_ACCEPT));
	KUNIT_EXPECT_FALSE(test, at_probe_active(AT_PROBE_DO_ACCEPT));
	attempts = at_test_attempts();
	accept_one(test, l);
	drain(test, &s);
	KUNIT_EXPECT_EQ(test, s.inet, 0);
	KUNIT_EXPECT_EQ(test, at_test_attempts(), attempts);
	/* Unregistering twice is harmless. */
	at_probes_unregister();
}

/*
 * put_sock_addr() of @sk into a buffer painted with older bytes: what it
 * stores, padded with zeros, and it ends where its size says.
 */
static struct accepttrace_sockaddr *put_sock_addr_at(struct kunit *test,
						     u8 *buf,
						     const struct sock *sk,
						     bool peer)
{
	struct accepttrace_sockaddr *sa = (struct accepttrace_sockaddr *)buf;
	u8 *end;

	memset(buf, 0xa5, ACCEPTTRACE_SOCKADDR_SIZE(ACCEPTTRACE_ADDR_MAX));
	end = (u8 *)put_sock_addr(sa, sk, peer);
	KUNIT_EXPECT_PTR_EQ(test, end,
			    buf + ACCEPTTRACE_SOCKADDR_SIZE(sa->stored));
	expect_slot_clean(test, sa);
	return sa;
}

/* put_sock_addr() on AF_UNIX gives what unix_getname() gives. */
static void probes_test_unix_addresses(struct kunit *test)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	u64 buf[ACCEPTTRACE_SOCKADDR_SIZE(ACCEPTTRACE_ADDR_MAX) / 8];
	struct accepttrace_sockaddr *sa;
	struct socket *l, *c, *a;
	int len;

	if (!IS_ENABLED(CONFIG_UNIX))
		kunit_skip(test, "needs CONFIG_UNIX");
	/* An abstract name no one else uses. */
	len = snprintf(sun.sun_path + 1, sizeof(sun.sun_path) - 1,
		       "accepttrace-kunit-%d", task_pid_nr(current));
	len += offsetof(struct sockaddr_un, sun_path) + 1;

	l = new_sock(test, AF_UNIX, SOCK_STREAM, 0);
	KUNIT_ASSERT_EQ(test, kernel_bind(l, AT_SOCKADDR(&sun), len), 0);
	KUNIT_ASSERT_EQ(test, kernel_listen(l, 1), 0);
	c = new_sock(test, AF_UNIX, SOCK_STREAM, 0);
	KUNIT_ASSERT_EQ(test, kernel_connect(c, AT_SOCKADDR(&sun), len, 0), 0);
	KUNIT_ASSERT_EQ(test, kernel_accept(l, &a, 0), 0);
	keep(test, a);

	sa = put_sock_addr_at(test, (u8 *)buf, l->sk, false);
	KUNIT_EXPECT_EQ(test, sa->len, len);
	expect_sockname(test, sa, l, false);
	/* The accepted socket has the listener's name... */
	sa = put_sock_addr_at(test, (u8 *)buf, a->sk, false);
	expect_sockname(test, sa, a, false);
	KUNIT_EXPECT_EQ(test, sa->len, len);
	/* ...and an unnamed peer: the family alone. */
	sa = put_sock_addr_at(test, (u8 *)buf, a->sk, true);
	expect_sockname(test, sa, a, true);
	KUNIT_EXPECT_EQ(test, sa->len, sizeof(sa_family_t));
	sa = put_sock_addr_at(test, (u8 *)buf, c->sk, false);
	expect_sockname(test, sa, c, false);
	sa = put_sock_addr_at(test, (u8 *)buf, c->sk, true);
	expect_sockname(test, sa, c, true);
	KUNIT_EXPECT_EQ(test, sa->len, len);
	KUNIT_EXPECT_EQ(test, sock_port(a->sk), 0);
}

static int probes_test_init(struct kunit *test)
{
	struct probes_ctx *ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ctx);
	test->priv = ctx;
	KUNIT_ASSERT_EQ(test, at_test_rings_alloc(TEST_RING_BYTES), 0);
	KUNIT_ASSERT_EQ(test, at_filter_set(NULL), 0);
	atomic_set(&at_preemptible_calls, 0);
	WRITE_ONCE(at_enabled, true);
	KUNIT_ASSERT_EQ(test, at_probes_register(), 0);
	return 0;
}

static void probes_test_exit(struct kunit *test)
{
	struct probes_ctx *ctx = test->priv;
	int i;

	at_probes_unregister();
	WRITE_ONCE(at_enabled, false);
	at_filter_set(NULL);
	for (i = ctx->nsocks - 1; i >= 0; i--)
		sock_release(ctx->socks[i]);
	at_test_rings_free();
}

static bool lo_raised;

/* A kernel booted by kunit.py runs us before anyone set lo up. */
static int probes_suite_init(struct kunit_suite *suite)
{
	struct net_device *lo = init_net.loopback_dev;
	int ret = 0;

	rtnl_lock();
	if (!(lo->flags & IFF_UP)) {
		ret = dev_change_flags(lo, lo->flags | IFF_UP, NULL);
		lo_raised = !ret;
	}
	rtnl_unlock();
	return ret;
}

static void probes_suite_exit(struct kunit_suite *suite)
{
	struct net_device *lo = init_net.loopback_dev;

	if (!lo_raised)
		return;
	rtnl_lock();
	dev_change_flags(lo, lo->flags & ~IFF_UP, NULL);
	rtnl_unlock();
	lo_raised = false;
}

static struct kunit_case probes_test_cases[] = {
	KUNIT_CASE(probes_test_register),
	KUNIT_CASE(probes_test_inet_accept_ipv4),
	KUNIT_CASE(probes_test_inet_accept_ipv6),
	KUNIT_CASE(probes_test_inet_accept_line),
	KUNIT_CASE(probes_test_inet_accept_eagain),
	KUNIT_CASE(probes_test_dirty_ring),
	KUNIT_CASE(probes_test_filter_port),
	KUNIT_CASE(probes_test_filter_comm),
	KUNIT_CASE(probes_test_filter_errors),
	KUNIT_CASE(probes_test_disabled),
	KUNIT_CASE(probes_test_unregister),
	KUNIT_CASE(probes_test_unix_addresses),
	{}
};

static struct kunit_suite probes_test_suite = {
	.name = "accepttrace_probes",
	.suite_init = probes_suite_init,
	.suite_exit = probes_suite_exit,
	.init = probes_test_init,
	.exit = probes_test_exit,
	.test_cases = probes_test_cases,
};

kunit_test_suite(probes_test_suite);
