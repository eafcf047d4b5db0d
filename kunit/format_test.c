// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the text formatter (module/format.c, compiled in here):
 * the name tables held to the kernel's own names and values, flags,
 * addresses, escaping and whole /dev/accepttrace lines built from
 * hand-made records.
 */
#include "kunit_compat.h"
#include <linux/ctype.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/fcntl.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/inet.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/un.h>

#include "../module/format.c"

/* --- name tables ------------------------------------------------------ */

struct errno_case {
	int err;
	const char *name;
};

/* Every errno accept(2) documents, and what the kernel returns instead. */
static const struct errno_case accept_errnos[] = {
	{ EAGAIN, "EAGAIN" },
	{ EWOULDBLOCK, "EAGAIN" },	/* an alias: one value, one name */
	{ EBADF, "EBADF" },
	{ ECONNABORTED, "ECONNABORTED" },
	{ EFAULT, "EFAULT" },
	{ EINTR, "EINTR" },
	{ EINVAL, "EINVAL" },
	{ EMFILE, "EMFILE" },
	{ ENFILE, "ENFILE" },
	{ ENOBUFS, "ENOBUFS" },
	{ ENOMEM, "ENOMEM" },
	{ ENOTSOCK, "ENOTSOCK" },
	{ EOPNOTSUPP, "EOPNOTSUPP" },
	{ EPROTO, "EPROTO" },
	{ EPERM, "EPERM" },
	{ ENOSR, "ENOSR" },
	{ ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT" },
	{ EPROTONOSUPPORT, "EPROTONOSUPPORT" },
	{ ETIMEDOUT, "ETIMEDOUT" },
	{ ENETDOWN, "ENETDOWN" },
	{ ENOPROTOOPT, "ENOPROTOOPT" },
	{ EHOSTDOWN, "EHOSTDOWN" },
	{ ENONET, "ENONET" },
	{ EHOSTUNREACH, "EHOSTUNREACH" },
	{ ENETUNREACH, "ENETUNREACH" },
	{ ERESTARTSYS, "ERESTARTSYS" },
	{ ERESTARTNOINTR, "ERESTARTNOINTR" },
	{ ERESTARTNOHAND, "ERESTARTNOHAND" },
	{ ERESTART_RESTARTBLOCK, "ERESTART_RESTARTBLOCK" },
};

KUNIT_ARRAY_PARAM_DESC(accept_errno, accept_errnos, name);

static void format_test_errno_name(struct kunit *test)
{
	const struct errno_case *c = test->param_value;

	KUNIT_EXPECT_STREQ(test, at_errno_name(-c->err), c->name);
	/* The sign is ignored. */
	KUNIT_EXPECT_STREQ(test, at_errno_name(c->err), c->name);
}

static void format_test_errno_unnamed(struct kunit *test)
{
	/* 41 and 58 are unused on every architecture using asm-generic. */
	KUNIT_EXPECT_NULL(test, at_errno_name(0));
	KUNIT_EXPECT_NULL(test, at_errno_name(-41));
	KUNIT_EXPECT_NULL(test, at_errno_name(-58));
	KUNIT_EXPECT_NULL(test, at_errno_name(-(EHWPOISON + 1)));
	KUNIT_EXPECT_NULL(test, at_errno_name(-511));
	KUNIT_EXPECT_NULL(test, at_errno_name(-MAX_ERRNO));
	KUNIT_EXPECT_NULL(test, at_errno_name(INT_MIN));
	KUNIT_EXPECT_NULL(test, at_errno_name(INT_MAX));
}

/* The table is sorted, has no duplicate value or name, and only E names. */
static void format_test_errno_table_shape(struct kunit *test)
{
	unsigned int i, j;

	KUNIT_ASSERT_GT(test, at_errno_names_count, 0);
	for (i = 0; i < at_errno_names_count; i++) {
		const struct at_name *e = &at_errno_names[i];

		KUNIT_EXPECT_EQ_MSG(test, e->name[0], 'E', "%s", e->name);
		KUNIT_EXPECT_GT(test, e->value, 0);
		if (i)
			KUNIT_EXPECT_GT_MSG(test, e->value,
					    at_errno_names[i - 1].value,
					    "%s after %s", e->name,
					    at_errno_names[i - 1].name);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_STRNEQ(test, e->name,
					    at_errno_names[j].name);
	}
}

/*
 * Hold every entry to the kernel's own name for its value (%pe prints
 * "-EAGAIN" for ERR_PTR(-EAGAIN) with CONFIG_SYMBOLIC_ERRNAME, "-11"
 * without), and check that no errno of asm-generic (1..EHWPOISON) the
 * kernel names is missing.
 */
static void format_test_errno_table_is_kernels(struct kunit *test)
{
	char buf[32];
	unsigned int i;
	int err;

	if (!IS_ENABLED(CONFIG_SYMBOLIC_ERRNAME))
		kunit_skip(test, "needs CONFIG_SYMBOLIC_ERRNAME=y for %%pe");
	for (i = 0; i < at_errno_names_count; i++) {
		const struct at_name *e = &at_errno_names[i];

		snprintf(buf, sizeof(buf), "%pe", ERR_PTR(-e->value));
		KUNIT_EXPECT_EQ(test, buf[0], '-');
		KUNIT_EXPECT_STREQ_MSG(test, e->name, buf + 1, "value %ld",
				       e->value);
	}
	for (err = 1; err <= EHWPOISON; err++) {
		snprintf(buf, sizeof(buf), "%pe", ERR_PTR(-err));
		if (isdigit(buf[1]))	/* no name: printed as a number */
			continue;
		KUNIT_EXPECT_STREQ_MSG(test, at_errno_name(-err), buf + 1,
				       "errno %d", err);
	}
}

/* The other tables, entry by entry, against the kernel's definitions. */
#define N(x)	{ x, #x }

static const struct at_name kernel_sock_flags[] = {
	N(SOCK_NONBLOCK), N(SOCK_CLOEXEC),
};

static const struct at_name kernel_file_flags[] = {
	N(O_WRONLY), N(O_RDWR), N(O_APPEND), N(O_NONBLOCK), N(O_DSYNC),
	N(FASYNC), N(O_DIRECT), N(O_LARGEFILE), N(O_NOATIME), N(O_CLOEXEC),
};

static const struct at_name kernel_families[] = {
	N(AF_UNSPEC), N(AF_UNIX), N(AF_INET), N(AF_INET6), N(AF_NETLINK),
	N(AF_PACKET), N(AF_TIPC), N(AF_BLUETOOTH), N(AF_ALG), N(AF_VSOCK),
	N(AF_KCM), N(AF_QIPCRTR), N(AF_SMC), N(AF_XDP), N(AF_MCTP),
};

static const struct at_name kernel_sock_types[] = {
	N(SOCK_STREAM), N(SOCK_DGRAM), N(SOCK_RAW), N(SOCK_RDM),
	N(SOCK_SEQPACKET), N(SOCK_DCCP), N(SOCK_PACKET),
};

#undef N

static void expect_table(struct kunit *test, const struct at_name *got,
			 unsigned int n, const struct at_name *want,
			 unsigned int wn)
{
	unsigned int i;

	KUNIT_ASSERT_EQ(test, n, wn);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_STREQ(test, got[i].name, want[i].name);
		KUNIT_EXPECT_EQ_MSG(test, got[i].value, want[i].value, "%s",
				    want[i].name);
	}
}

static void format_test_name_tables_are_kernels(struct kunit *test)
{
	expect_table(test, at_sock_flag_names, at_sock_flag_names_count,
		     kernel_sock_flags, ARRAY_SIZE(kernel_sock_flags));
	expect_table(test, at_file_flag_names, at_file_flag_names_count,
		     kernel_file_flags, ARRAY_SIZE(kernel_file_flags));
	expect_table(test, at_family_names, at_family_names_count,
		     kernel_families, ARRAY_SIZE(kernel_families));
	expect_table(test, at_sock_type_names, at_sock_type_names_count,
		     kernel_sock_types, ARRAY_SIZE(kernel_sock_types));
	KUNIT_EXPECT_STREQ(test, at_name_of(at_family_names,
					    at_family_names_count, AF_INET6),
			   "AF_INET6");
	KUNIT_EXPECT_NULL(test, at_name_of(at_family_names,
					   at_family_names_count, 3));
}

/* --- flags ------------------------------------------------------------ */

struct flags_case {
	const char *desc;
	bool file;		/* file flags table, else accept4 flags */
	unsigned long flags;
	const char *want;
};

static const struct flags_case flags_cases[] = {
	{ "sock none", false, 0, "0" },
	{ "sock nonblock", false, SOCK_NONBLOCK, "SOCK_NONBLOCK" },
	{ "sock cloexec", false, SOCK_CLOEXEC, "SOCK_CLOEXEC" },
	{ "sock both", false, SOCK_NONBLOCK | SOCK_CLOEXEC,
	  "SOCK_NONBLOCK|SOCK_CLOEXEC" },
	{ "sock unknown only", false, 0x1, "0x1" },
	{ "sock nonblock+unknown", false, SOCK_NONBLOCK | 0x1,
	  "SOCK_NONBLOCK|0x1" },
	{ "sock cloexec+unknown", false, SOCK_CLOEXEC | 0x80000000,
	  "SOCK_CLOEXEC|0x80000000" },
	{ "sock both+unknown", false, SOCK_NONBLOCK | SOCK_CLOEXEC | 0x10,
	  "SOCK_NONBLOCK|SOCK_CLOEXEC|0x10" },
	{ "sock all bits", false, 0xffffffff,
	  "SOCK_NONBLOCK|SOCK_CLOEXEC|0xfff7f7ff" },
	{ "file rdonly", true, O_RDONLY, "0" },
	{ "file rdwr", true, O_RDWR, "O_RDWR" },
	{ "file rdwr nonblock", true, O_RDWR | O_NONBLOCK,
	  "O_RDWR|O_NONBLOCK" },
	{ "file accmode", true, O_ACCMODE, "O_WRONLY|O_RDWR" },
	{ "file typical listener", true,
	  O_RDWR | O_NONBLOCK | O_LARGEFILE | O_CLOEXEC,
	  "O_RDWR|O_NONBLOCK|O_LARGEFILE|O_CLOEXEC" },
	{ "file every name", true,
	  O_WRONLY | O_RDWR | O_APPEND | O_NONBLOCK | O_DSYNC | FASYNC |
	  O_DIRECT | O_LARGEFILE | O_NOATIME | O_CLOEXEC,
	  "O_WRONLY|O_RDWR|O_APPEND|O_NONBLOCK|O_DSYNC|FASYNC|O_DIRECT|O_LARGEFILE|O_NOATIME|O_CLOEXEC",
	},
	{ "file unknown", true, O_RDWR | 0x40000000, "O_RDWR|0x40000000" },
};

KUNIT_ARRAY_PARAM_DESC(flags, flags_cases, desc);

static void format_test_flags(struct kunit *test)
{
	const struct flags_case *c = test->param_value;
	char buf[160];
	int len;

	if (c->file)
		len = at_format_flags(buf, sizeof(buf), c->flags,
				      at_file_flag_names,
				      at_file_flag_names_count);
	else
		len = at_format_flags(buf, sizeof(buf), c->flags,
				      at_sock_flag_names,
				      at_sock_flag_names_count);
	KUNIT_EXPECT_STREQ(test, buf, c->want);
	KUNIT_EXPECT_EQ(test, len, strlen(c->want));
}

/* snprintf semantics: truncated, NUL-terminated, full length returned. */
static void format_test_flags_truncated(struct kunit *test)
{
	char buf[8];

	memset(buf, 'x', sizeof(buf));
	KUNIT_EXPECT_EQ(test, at_format_flags(buf, 5, SOCK_NONBLOCK,
					      at_sock_flag_names,
					      at_sock_flag_names_count), 13);
	KUNIT_EXPECT_STREQ(test, buf, "SOCK");
	KUNIT_EXPECT_EQ(test, buf[5], 'x');
	KUNIT_EXPECT_EQ(test, at_format_flags(NULL, 0, SOCK_NONBLOCK,
					      at_sock_flag_names,
					      at_sock_flag_names_count), 13);
}

/* --- addresses -------------------------------------------------------- */

#define NATURAL		-1

struct sa_case {
	const char *desc;
	u16 family;
	/*
	 * AF_INET/AF_INET6: the address as text; AF_UNIX: the path, '@'
	 * first for an abstract name, "" for none; other families: the
	 * bytes after the family, in hex.
	 */
	const char *addr;
	u16 port;
	u32 scope;
	int len;	/* reported length, NATURAL: the family's */
	int stored;	/* bytes kept, NATURAL: all of len */
	u16 flags;
	const char *want;
};

static const struct sa_case sa_cases[] = {
	{ "none", AF_INET, "127.0.0.1", 80, 0, 0, 0, 0, "-" },
	{ "fault", AF_INET, "127.0.0.1", 80, 0, NATURAL, 0,
	  ACCEPTTRACE_SA_FAULT, "?" },
	{ "inet", AF_INET, "127.0.0.1", 8080, 0, NATURAL, NATURAL, 0,
	  "127.0.0.1:8080" },
	{ "inet any", AF_INET, "0.0.0.0", 0, 0, NATURAL, NATURAL, 0,
	  "0.0.0.0:0" },
	{ "inet max", AF_INET, "255.255.255.255", 65535, 0, NATURAL, NATURAL,
	  0, "255.255.255.255:65535" },
	{ "inet truncated", AF_INET, "127.0.0.1", 8080, 0, NATURAL, 8, 0,
	  "trunc(8/16):02001f907f000001" },
	{ "inet short len", AF_INET, "127.0.0.1", 8080, 0, 8, NATURAL, 0,
	  "trunc(8/8):02001f907f000001" },
	{ "inet one byte", AF_INET, "127.0.0.1", 8080, 0, NATURAL, 1, 0,
	  "trunc(1/16):02" },
	{ "inet6 loopback", AF_INET6, "::1", 80, 0, NATURAL, NATURAL, 0,
	  "[::1]:80" },
	{ "inet6 any", AF_INET6, "::", 0, 0, NATURAL, NATURAL, 0, "[::]:0" },
	{ "inet6 doc", AF_INET6, "2001:db8::1", 443, 0, NATURAL, NATURAL, 0,
	  "[2001:db8::1]:443" },
	{ "inet6 first of equal runs", AF_INET6, "2001:db8:0:0:1:0:0:1", 1, 0,
	  NATURAL, NATURAL, 0, "[2001:db8::1:0:0:1]:1" },
	{ "inet6 longest run", AF_INET6, "0:0:1:0:0:0:0:1", 1, 0, NATURAL,
	  NATURAL, 0, "[0:0:1::1]:1" },
	{ "inet6 single zero", AF_INET6, "2001:db8:0:1:1:1:1:1", 1, 0,
	  NATURAL, NATURAL, 0, "[2001:db8:0:1:1:1:1:1]:1" },
	{ "inet6 trailing run", AF_INET6, "1::", 2, 0, NATURAL, NATURAL, 0,
	  "[1::]:2" },
	{ "inet6 no zero", AF_INET6, "fe80:1:2:3:abcd:ef01:2345:6789", 9, 0,
	  NATURAL, NATURAL, 0, "[fe80:1:2:3:abcd:ef01:2345:6789]:9" },
	{ "inet6 scope", AF_INET6, "fe80::1", 80, 2, NATURAL, NATURAL, 0,
	  "[fe80::1%2]:80" },
	{ "inet6 v4-mapped", AF_INET6, "::ffff:10.0.0.1", 80, 0, NATURAL,
	  NATURAL, 0, "[::ffff:10.0.0.1]:80" },
	{ "inet6 v4-compatible", AF_INET6, "::10.0.0.1", 80, 0, NATURAL,
	  NATURAL, 0, "[::a00:1]:80" },
	{ "inet6 truncated", AF_INET6, "::1", 80, 0, NATURAL, 24, 0,
	  "trunc(24/28):0a0000500000000000000000000000000000000000000001" },
	{ "inet6 sockaddr_in sized", AF_INET6, "::1", 80, 0, 16, NATURAL, 0,
	  "trunc(16/16):0a000050000000000000000000000000" },
	{ "unix path", AF_UNIX, "/run/at.sock", 0, 0, NATURAL, NATURAL, 0,
	  "unix:/run/at.sock" },
	{ "unix abstract", AF_UNIX, "@at", 0, 0, NATURAL, NATURAL, 0,
	  "unix:@at" },
	{ "unix abstract empty", AF_UNIX, "@", 0, 0, NATURAL, NATURAL, 0,
	  "unix:@" },
	{ "unix abstract odd bytes", AF_UNIX, "@a b\\\x01\xff", 0, 0,
	  NATURAL, NATURAL, 0, "unix:@a\\x20b\\\\\\x01\\xff" },
	{ "unix unnamed", AF_UNIX, "", 0, 0, NATURAL, NATURAL, 0,
	  "unix:(unnamed)" },
	{ "unix truncated", AF_UNIX, "/tmp/long.sock", 0, 0, NATURAL, 10, 0,
	  "trunc(10/17):unix:/tmp/lon" },
	{ "unix one byte", AF_UNIX, "/x", 0, 0, NATURAL, 1, 0,
	  "trunc(1/5):01" },
	{ "unknown family", AF_PACKET, "aabbccdd", 0, 0, NATURAL, NATURAL, 0,
	  "af=17:aabbccdd" },
	{ "unspec", AF_UNSPEC, "", 0, 0, NATURAL, NATURAL, 0, "af=0:" },
	{ "unknown family truncated", AF_PACKET, "aabbccdd", 0, 0, 20, NATURAL,
	  0, "trunc(6/20):1100aabbccdd" },
};

KUNIT_ARRAY_PARAM_DESC(sa, sa_cases, desc);

/*
 * Records as the tests build them: the fixed part, then three addresses
 * each with room for ACCEPTTRACE_ADDR_MAX bytes, so a test can set any
 * field.  pack() lays one out as the module writes it (each address as
 * long as what it stores) before it is formatted.
 */
struct t_addr {
	u32	len;
	u16	stored;
	u16	flags;
	u8	data[ACCEPTTRACE_ADDR_MAX];
};

struct t_sys {
	struct accepttrace_hdr	hdr;
	struct accepttrace_task	task;
	s32	fd;
	s32	flags;
	s32	ret;
	u16	syscall;
	u16	valid;
	u64	uaddr;
	u64	uaddrlen;
	s32	addrlen_in;
	s32	addrlen_out;
	u64	latency_ns;
	struct t_addr	user, local, peer;
};

struct t_inet {
	struct accepttrace_hdr	hdr;
	struct accepttrace_task	task;
	s32	ret;
	u32	flags;
	u8	kern;
	u8	reserved0;
	u16	family;
	u16	type;
	u16	protocol;
	u32	qlen;
	u32	qmax;
	u64	latency_ns;
	struct t_addr	listen, local, peer;
};

/* The fixed parts are the ABI's, field for field. */
static_assert(offsetof(struct t_sys, user) ==
	      sizeof(struct accepttrace_sys_accept4));
static_assert(offsetof(struct t_sys, latency_ns) ==
	      offsetof(struct accepttrace_sys_accept4, latency_ns));
static_assert(offsetof(struct t_inet, listen) ==
	      sizeof(struct accepttrace_inet_accept));
static_assert(offsetof(struct t_inet, qmax) ==
	      offsetof(struct accepttrace_inet_accept, qmax));

static const struct accepttrace_sockaddr *as_sa(const struct t_addr *a)
{
	return (const struct accepttrace_sockaddr *)a;
}

static u8 *pack_addr(u8 *p, const struct t_addr *a)
{
	struct accepttrace_sockaddr *sa = (struct accepttrace_sockaddr *)p;

	sa->len = a->len;
	sa->stored = a->stored;
	sa->flags = a->flags;
	memcpy(sa->data, a->data, a->stored);
	return p + ACCEPTTRACE_SOCKADDR_SIZE(a->stored);
}

/* @fixed bytes of @rec, then @a[0..2]; the size is what they came to. */
static struct accepttrace_hdr *pack_rec(struct kunit *test,
					const void *rec, size_t fixed,
					const struct t_addr *a0,
					const struct t_addr *a1,
					const struct t_addr *a2)
{
	u8 *buf = kunit_kzalloc(test, ACCEPTTRACE_REC_MAX, GFP_KERNEL);
	u8 *p;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	memcpy(buf, rec, fixed);
	p = pack_addr(buf + fixed, a0);
	p = pack_addr(p, a1);
	p = pack_addr(p, a2);
	((struct accepttrace_hdr *)buf)->size = p - buf;
	return (struct accepttrace_hdr *)buf;
}

static struct accepttrace_hdr *pack_sys(struct kunit *test,
					const struct t_sys *r)
{
	return pack_rec(test, r, sizeof(struct accepttrace_sys_accept4),
			&r->user, &r->local, &r->peer);
}

static struct accepttrace_hdr *pack_inet(struct kunit *test,
					 const struct t_inet *r)
{
	return pack_rec(test, r, sizeof(struct accepttrace_inet_accept),
			&r->listen, &r->local, &r->peer);
}

static void build_sa(struct kunit *test, const struct sa_case *c,
		     struct t_addr *sa)
{
	u32 natural;

	memset(sa, 0, sizeof(*sa));
	switch (c->family) {
	case AF_INET: {
		struct sockaddr_in sin = {
			.sin_family = AF_INET,
			.sin_port = htons(c->port),
		};

		KUNIT_ASSERT_EQ(test, in4_pton(c->addr, -1,
					       (u8 *)&sin.sin_addr, -1, NULL), 1);
		natural = sizeof(sin);
		memcpy(sa->data, &sin, natural);
		break;
	}
	case AF_INET6: {
		struct sockaddr_in6 sin6 = {
			.sin6_family = AF_INET6,
			.sin6_port = htons(c->port),
			.sin6_scope_id = c->scope,
		};

		KUNIT_ASSERT_EQ(test, in6_pton(c->addr, -1,
					       (u8 *)&sin6.sin6_addr, -1, NULL), 1);
		natural = sizeof(sin6);
		memcpy(sa->data, &sin6, natural);
		break;
	}
	case AF_UNIX: {
		struct sockaddr_un sun = { .sun_family = AF_UNIX };
		size_t n = strlen(c->addr);

		memcpy(sun.sun_path, c->addr, n);
		if (n && c->addr[0] == '@')
			sun.sun_path[0] = '\0';
		/* As unix_getname() reports it: a path counts its NUL. */
		natural = offsetof(struct sockaddr_un, sun_path) + n +
			  (n && c->addr[0] != '@');
		memcpy(sa->data, &sun, natural);
		break;
	}
	default: {
		u16 family = c->family;
		size_t n = strlen(c->addr) / 2;

		memcpy(sa->data, &family, sizeof(family));
		KUNIT_ASSERT_EQ(test, hex2bin(sa->data + 2, c->addr, n), 0);
		natural = sizeof(family) + n;
		break;
	}
	}
	sa->len = c->len == NATURAL ? natural : c->len;
	sa->stored = c->stored == NATURAL ? min(sa->len, natural) : c->stored;
	sa->flags = c->flags;
}

static void format_test_sockaddr(struct kunit *test)
{
	const struct sa_case *c = test->param_value;
	char *buf = kunit_kzalloc(test, 512, GFP_KERNEL);
	struct t_addr sa;
	int len;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	build_sa(test, c, &sa);
	len = at_format_sockaddr(buf, 512, as_sa(&sa));
	KUNIT_EXPECT_STREQ(test, buf, c->want);
	KUNIT_EXPECT_EQ(test, len, strlen(c->want));
}

/*
 * at_format_ip() is the address at_format_sockaddr() prints without its
 * port, for a complete sockaddr_in/_in6, and "" for everything else.
 */
static void format_test_ip(struct kunit *test)
{
	const struct sa_case *c = test->param_value;
	struct t_addr sa;
	char ip[64], whole[96];
	bool complete;
	int len;

	build_sa(test, c, &sa);
	len = at_format_ip(ip, sizeof(ip), as_sa(&sa));
	KUNIT_EXPECT_EQ(test, len, strlen(ip));
	complete = (c->family == AF_INET || c->family == AF_INET6) &&
		   !strchr("-?t", c->want[0]);
	if (!complete) {
		KUNIT_EXPECT_STREQ(test, ip, "");
		return;
	}
	snprintf(whole, sizeof(whole),
		 c->family == AF_INET ? "%s:%u" : "[%s]:%u", ip, c->port);
	KUNIT_EXPECT_STREQ(test, whole, c->want);
}

/* A corrupt @stored larger than @data is clamped to @data. */
static void format_test_sockaddr_stored_clamped(struct kunit *test)
{
	static const char prefix[] = "trunc(112/200):1100";
	struct t_addr sa = {
		.len = 200,
		.stored = 200,
		.data = { AF_PACKET },	/* little-endian host order */
	};
	char buf[512];
	int len;

	if (IS_ENABLED(CONFIG_CPU_BIG_ENDIAN))
		swab16s((u16 *)sa.data);
	len = at_format_sockaddr(buf, sizeof(buf), as_sa(&sa));
	KUNIT_EXPECT_EQ(test, len, strlen("trunc(112/200):") + 2 * 112);
	KUNIT_EXPECT_EQ(test, strncmp(buf, prefix, strlen(prefix)), 0);
}

/* --- escaping --------------------------------------------------------- */

static void format_test_escaped(struct kunit *test)
{
	static const char in[] = "a b\\\x01\x7f\x80\xff~!\t";
	char buf[64];
	int len;

	len = at_format_escaped(buf, sizeof(buf), in, sizeof(in) - 1);
	KUNIT_EXPECT_STREQ(test, buf,
			   "a\\x20b\\\\\\x01\\x7f\\x80\\xff~!\\x09");
	KUNIT_EXPECT_EQ(test, len, strlen(buf));
	/* Bytes after an embedded NUL are still printed, as given. */
	len = at_format_escaped(buf, sizeof(buf), "a\0b", 3);
	KUNIT_EXPECT_STREQ(test, buf, "a\\x00b");
}

/* --- whole lines ------------------------------------------------------ */

static void set_hdr(struct accepttrace_hdr *h, u16 type, u16 size, u32 cpu,
		    u64 ts)
{
	h->type = type;
	h->size = size;
	h->cpu = cpu;
	h->seq = 77;	/* never printed */
	h->ts_ns = ts;
}

static void set_task(struct accepttrace_task *t, u32 pid, u32 tid,
		     const char *comm, size_t comm_len)
{
	t->pid = pid;
	t->tid = tid;
	t->uid = 1000;	/* never printed */
	t->netns = 4026531840U;	/* never printed */
	memcpy(t->comm, comm, comm_len);
}

static void set_inet(struct t_addr *sa, const char *ip, u16 port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
	};

	in4_pton(ip, -1, (u8 *)&sin.sin_addr, -1, NULL);
	sa->len = sizeof(sin);
	sa->stored = sizeof(sin);
	memcpy(sa->data, &sin, sizeof(sin));
}

static void set_inet6(struct t_addr *sa, const char *ip,
		      u16 port, u32 scope)
{
	struct sockaddr_in6 sin6 = {
		.sin6_family = AF_INET6,
		.sin6_port = htons(port),
		.sin6_scope_id = scope,
	};

	in6_pton(ip, -1, (u8 *)&sin6.sin6_addr, -1, NULL);
	sa->len = sizeof(sin6);
	sa->stored = sizeof(sin6);
	memcpy(sa->data, &sin6, sizeof(sin6));
}

static struct t_sys *new_sys(struct kunit *test)
{
	struct t_sys *r;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	set_hdr(&r->hdr, ACCEPTTRACE_REC_SYS_ACCEPT4, sizeof(*r), 1,
		1234567890123ULL);
	set_task(&r->task, 100, 101, "server", 6);
	r->fd = 3;
	r->syscall = ACCEPTTRACE_SYSCALL_ACCEPT4;
	r->uaddr = 0x7ffc1000;
	r->uaddrlen = 0x7ffc1080;
	r->latency_ns = 1500;
	return r;
}

static struct t_inet *new_inet(struct kunit *test)
{
	struct t_inet *r;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	set_hdr(&r->hdr, ACCEPTTRACE_REC_INET_ACCEPT, sizeof(*r), 1,
		5000000001ULL);
	set_task(&r->task, 300, 301, "nginx", 5);
	return r;
}

/* The line at_format_record() makes of @rec, checked against @want. */
static void expect_line(struct kunit *test, const struct accepttrace_hdr *rec,
			const char *want)
{
	char *buf = kunit_kzalloc(test, AT_LINE_MAX, GFP_KERNEL);
	int len;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	len = at_format_record(buf, AT_LINE_MAX, rec);
	KUNIT_EXPECT_STREQ(test, buf, want);
	KUNIT_EXPECT_EQ(test, len, strlen(want));
}

static void format_test_sys_accept4_success(struct kunit *test)
{
	struct t_sys *r = new_sys(test);

	r->flags = SOCK_CLOEXEC;
	r->ret = 4;
	r->valid = ACCEPTTRACE_V_ADDRLEN_IN | ACCEPTTRACE_V_ADDRLEN_OUT |
		   ACCEPTTRACE_V_SOCK;
	r->addrlen_in = 128;
	r->addrlen_out = 16;
	set_inet(&r->user, "127.0.0.1", 40000);	/* not part of the line */
	set_inet(&r->peer, "127.0.0.1", 40000);
	set_inet(&r->local, "127.0.0.1", 8080);
	expect_line(test, pack_sys(test, r),
		    "1234.567890123 cpu=1 pid=100 tid=101 comm=server accept4(fd=3, addr=0x7ffc1000, addrlen=128->16, flags=SOCK_CLOEXEC) = 4 peer=127.0.0.1:40000 local=127.0.0.1:8080 lat=1.500us\n");
}

static void format_test_sys_accept4_success_nosock(struct kunit *test)
{
	struct t_sys *r = new_sys(test);

	/* The new fd was closed (or reused) before the return probe ran. */
	r->ret = 4;
	r->syscall = ACCEPTTRACE_SYSCALL_ACCEPT;
	r->uaddr = 0;
	r->uaddrlen = 0;
	expect_line(test, pack_sys(test, r),
		    "1234.567890123 cpu=1 pid=100 tid=101 comm=server accept(fd=3, addr=NULL, addrlen=NULL, flags=0) = 4 peer=? local=? lat=1.500us\n");
}

static void format_test_sys_accept4_unix(struct kunit *test)
{
	struct t_sys *r = new_sys(test);
	static const char path[] = "/run/at.sock";
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	r->ret = 5;
	r->valid = ACCEPTTRACE_V_ADDRLEN_IN | ACCEPTTRACE_V_ADDRLEN_OUT |
		   ACCEPTTRACE_V_SOCK;
	r->addrlen_in = 110;
	r->addrlen_out = 2;
	r->peer.len = 2;
	r->peer.stored = 2;
	memcpy(r->peer.data, &sun, 2);
	memcpy(sun.sun_path, path, sizeof(path));
	r->local.len = 2 + sizeof(path);
	r->local.stored = r->local.len;
	memcpy(r->local.data, &sun, r->local.len);
	expect_line(test, pack_sys(test, r),
		    "1234.567890123 cpu=1 pid=100 tid=101 comm=server accept4(fd=3, addr=0x7ffc1000, addrlen=110->2, flags=0) = 5 peer=unix:(unnamed) local=unix:/run/at.sock lat=1.500us\n");
}

/*
 * The caller's buffer was shorter than the address: the kernel wrote
 * what fitted and reported the full length.  The line shows what the
 * caller got, after the addresses read from the socket.
 */
static void format_test_sys_accept4_truncated_user(struct kunit *test)
{
	struct t_sys *r = new_sys(test);
	static const char path[] = "/run/at.sock";
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	r->ret = 4;
	r->valid = ACCEPTTRACE_V_ADDRLEN_IN | ACCEPTTRACE_V_ADDRLEN_OUT |
		   ACCEPTTRACE_V_SOCK;
	r->addrlen_in = 4;
	r->addrlen_out = 16;
	set_inet(&r->peer, "127.0.0.1", 40000);
	set_inet(&r->local, "127.0.0.1", 8080);
	set_inet(&r->user, "127.0.0.1", 40000);
	r->user.stored = 4;
	expect_line(test, pack_sys(test, r),
		    "1234.567890123 cpu=1 pid=100 tid=101 comm=server accept4(fd=3, addr=0x7ffc1000, addrlen=4->16, flags=0) = 4 peer=127.0.0.1:40000 local=127.0.0.1:8080 user=trunc(4/16):02009c40 lat=1.500us\n");
	/* addrlen 0: nothing written but the length. */
	r->addrlen_in = 0;
	r->user.stored = 0;
	memset(r->user.data, 0, sizeof(r->user.data));
	expect_line(test, pack_sys(test, r),
		    "1234.567890123 cpu=1 pid=100 tid=101 comm=server accept4(fd=3, addr=0x7ffc1000, addrlen=0->16, flags=0) = 4 peer=127.0.0.1:40000 local=127.0.0.1:8080 user=trunc(0/16): lat=1.500us\n");
	/* The buffer could not be read back. */
	r->addrlen_in = 8;
	r->user.flags = ACCEPTTRACE_SA_FAULT;
	expect_line(test, pack_sys(test, r),
		    "1234.567890123 cpu=1 pid=100 tid=101 comm=server accept4(fd=3, addr=0x7ffc1000, addrlen=8->16, flags=0) = 4 peer=127.0.0.1:40000 local=127.0.0.1:8080 user=? lat=1.500us\n");
	/* Without the socket's addresses the caller's bytes still show. */
	r->valid &= ~ACCEPTTRACE_V_SOCK;
	r->user.flags = 0;
	set_inet(&r->user, "127.0.0.1", 40000);
	r->user.stored = 8;
	expect_line(test, pack_sys(test, r),
		    "1234.567890123 cpu=1 pid=100 tid=101 comm=server accept4(fd=3, addr=0x7ffc1000, addrlen=8->16, flags=0) = 4 peer=? local=? user=trunc(8/16):02009c407f000001 lat=1.500us\n");
	/* AF_UNIX: the part of the path that fitted. */
	r->valid |= ACCEPTTRACE_V_SOCK;
	memcpy(sun.sun_path, path, sizeof(path));
	r->peer.len = 2 + sizeof(path);
	r->peer.stored = r->peer.len;
	memcpy(r->peer.data, &sun, r->peer.len);
	r->local = r->peer;
	r->user = r->peer;
	r->user.stored = 6;
	r->addrlen_in = 6;
	r->addrlen_out = r->peer.len;
	expect_line(test, pack_sys(test, r),
		    "1234.567890123 cpu=1 pid=100 tid=101 comm=server accept4(fd=3, addr=0x7ffc1000, addrlen=6->15, flags=0) = 4 peer=unix:/run/at.sock local=unix:/run/at.sock user=trunc(6/15):unix:/run lat=1.500us\n");
	/* A failed call wrote nothing, whatever the lengths say. */
	r->ret = -EFAULT;
	expect_line(test, pack_sys(test, r),
		    "1234.567890123 cpu=1 pid=100 tid=101 comm=server accept4(fd=3, addr=0x7ffc1000, addrlen=6->15, flags=0) = -14 EFAULT lat=1.500us\n");
}

static void format_test_sys_accept4_eagain(struct kunit *test)
{
	struct t_sys *r = new_sys(test);

	r->flags = SOCK_NONBLOCK;
	r->ret = -EAGAIN;
	r->valid = ACCEPTTRACE_V_ADDRLEN_IN | ACCEPTTRACE_V_ADDRLEN_OUT;
	r->addrlen_in = 16;
	r->addrlen_out = 16;
	/* No addresses on failure, even if the record had some. */
	set_inet(&r->peer, "10.0.0.1", 1);
	expect_line(test, pack_sys(test, r),
		    "1234.567890123 cpu=1 pid=100 tid=101 comm=server accept4(fd=3, addr=0x7ffc1000, addrlen=16->16, flags=SOCK_NONBLOCK) = -11 EAGAIN lat=1.500us\n");
}

static void format_test_sys_accept4_restartsys(struct kunit *test)
{
	struct t_sys *r = new_sys(test);

	r->syscall = ACCEPTTRACE_SYSCALL_ACCEPT;
	r->ret = -ERESTARTSYS;
	r->valid = ACCEPTTRACE_V_ADDRLEN_IN | ACCEPTTRACE_V_ADDRLEN_OUT;
	r->addrlen_in = 16;
	r->addrlen_out = 16;
	r->latency_ns = 1000000000ULL;
	expect_line(test, pack_sys(test, r),
		    "1234.567890123 cpu=1 pid=100 tid=101 comm=server accept(fd=3, addr=0x7ffc1000, addrlen=16->16, flags=0) = -512 ERESTARTSYS lat=1000000.000us\n");
}

static void format_test_sys_accept4_bad_args(struct kunit *test)
{
	struct t_sys *r = new_sys(test);

	/* Invalid flags are shown as passed; the addrlen pointer faulted. */
	r->fd = -1;
	r->flags = -1;
	r->ret = -EINVAL;
	r->valid = 0;
	r->latency_ns = 1;
	expect_line(test, pack_sys(test, r),
		    "1234.567890123 cpu=1 pid=100 tid=101 comm=server accept4(fd=-1, addr=0x7ffc1000, addrlen=?, flags=SOCK_NONBLOCK|SOCK_CLOEXEC|0xfff7f7ff) = -22 EINVAL lat=0.001us\n");
	/* Readable at entry, not at return. */
	r->valid = ACCEPTTRACE_V_ADDRLEN_IN;
	r->addrlen_in = 16;
	r->flags = 0;
	r->ret = -EFAULT;
	expect_line(test, pack_sys(test, r),
		    "1234.567890123 cpu=1 pid=100 tid=101 comm=server accept4(fd=-1, addr=0x7ffc1000, addrlen=16->?, flags=0) = -14 EFAULT lat=0.001us\n");
}

static void format_test_sys_accept4_syscalls(struct kunit *test)
{
	struct t_sys *r = new_sys(test);

	r->uaddr = 0;
	r->uaddrlen = 0;
	r->ret = -41;	/* no name: the number alone */
	r->syscall = ACCEPTTRACE_SYSCALL_SOCKETCALL;
	expect_line(test, pack_sys(test, r),
		    "1234.567890123 cpu=1 pid=100 tid=101 comm=server socketcall(fd=3, addr=NULL, addrlen=NULL, flags=0) = -41 lat=1.500us\n");
	r->syscall = ACCEPTTRACE_SYSCALL_UNKNOWN;
	expect_line(test, pack_sys(test, r),
		    "1234.567890123 cpu=1 pid=100 tid=101 comm=server __sys_accept4(fd=3, addr=NULL, addrlen=NULL, flags=0) = -41 lat=1.500us\n");
	r->syscall = 77;
	expect_line(test, pack_sys(test, r),
		    "1234.567890123 cpu=1 pid=100 tid=101 comm=server __sys_accept4(fd=3, addr=NULL, addrlen=NULL, flags=0) = -41 lat=1.500us\n");
}

static void format_test_inet_accept_success(struct kunit *test)
{
	struct t_inet *r = new_inet(test);

	r->flags = O_RDWR | O_NONBLOCK;
	r->family = AF_INET6;
	r->type = SOCK_STREAM;
	r->protocol = IPPROTO_TCP;
	r->qlen = 3;
	r->qmax = 511;
	r->latency_ns = 12345;
	set_inet6(&r->listen, "::", 80, 0);
	set_inet6(&r->peer, "::ffff:10.0.0.2", 5000, 0);
	set_inet6(&r->local, "::ffff:10.0.0.1", 80, 0);
	expect_line(test, pack_inet(test, r),
		    "5.000000001 cpu=1 pid=300 tid=301 comm=nginx inet_accept(listen=[::]:80, flags=O_RDWR|O_NONBLOCK, kern=0) = 0 peer=[::ffff:10.0.0.2]:5000 local=[::ffff:10.0.0.1]:80 qlen=3/511 lat=12.345us\n");
}

static void format_test_inet_accept_error(struct kunit *test)
{
	struct t_inet *r = new_inet(test);

	r->hdr.cpu = 0;
	r->hdr.ts_ns = 0;
	set_task(&r->task, 10, 10, "kworker/0:1\0\0\0\0", 16);
	r->ret = -EAGAIN;
	r->flags = O_NONBLOCK;
	r->kern = 1;
	r->qmax = 128;
	set_inet(&r->listen, "127.0.0.1", 8080);
	expect_line(test, pack_inet(test, r),
		    "0.000000000 cpu=0 pid=10 tid=10 comm=kworker/0:1 inet_accept(listen=127.0.0.1:8080, flags=O_NONBLOCK, kern=1) = -11 EAGAIN qlen=0/128 lat=0.000us\n");
	r->ret = -ECONNABORTED;
	r->flags = O_RDWR;
	r->kern = 0;
	r->qlen = 1;
	expect_line(test, pack_inet(test, r),
		    "0.000000000 cpu=0 pid=10 tid=10 comm=kworker/0:1 inet_accept(listen=127.0.0.1:8080, flags=O_RDWR, kern=0) = -103 ECONNABORTED qlen=1/128 lat=0.000us\n");
}

static void format_test_comm_odd_bytes(struct kunit *test)
{
	struct t_inet *r = new_inet(test);

	set_inet(&r->listen, "127.0.0.1", 1);
	set_task(&r->task, 1, 2, "a b\\\x01\xff", 6);
	expect_line(test, pack_inet(test, r),
		    "5.000000001 cpu=1 pid=1 tid=2 comm=a\\x20b\\\\\\x01\\xff inet_accept(listen=127.0.0.1:1, flags=0, kern=0) = 0 peer=- local=- qlen=0/0 lat=0.000us\n");
	/* All 16 bytes used: no NUL, nothing read past the field. */
	set_task(&r->task, 1, 2, "0123456789abcdef", 16);
	expect_line(test, pack_inet(test, r),
		    "5.000000001 cpu=1 pid=1 tid=2 comm=0123456789abcdef inet_accept(listen=127.0.0.1:1, flags=0, kern=0) = 0 peer=- local=- qlen=0/0 lat=0.000us\n");
	/* An empty comm leaves nothing between "comm=" and the call. */
	set_task(&r->task, 1, 2, "\0\0", 2);
	expect_line(test, pack_inet(test, r),
		    "5.000000001 cpu=1 pid=1 tid=2 comm= inet_accept(listen=127.0.0.1:1, flags=0, kern=0) = 0 peer=- local=- qlen=0/0 lat=0.000us\n");
}

static void format_test_lost(struct kunit *test)
{
	struct accepttrace_lost lost = {
		.hdr = {
			.type = ACCEPTTRACE_REC_LOST,
			.size = sizeof(lost),
			.cpu = 1,
			.ts_ns = 999999999999ULL,
		},
		.count = 5,
	};

	/* No timestamp: a LOST line stands alone. */
	expect_line(test, &lost.hdr, "LOST 5 events on cpu 1\n");
	lost.count = U64_MAX;
	lost.hdr.cpu = 7;
	expect_line(test, &lost.hdr,
		    "LOST 18446744073709551615 events on cpu 7\n");
}

static void format_test_unknown_record(struct kunit *test)
{
	struct t_sys *r = new_sys(test);

	set_hdr(&r->hdr, 9, 24, 2, 42);
	expect_line(test, &r->hdr, "0.000000042 record type=9 size=24 cpu=2\n");
	/* A known type too short for its struct is not read past @size. */
	set_hdr(&r->hdr, ACCEPTTRACE_REC_SYS_ACCEPT4,
		sizeof(struct accepttrace_sys_accept4) - 8, 0, 42);
	expect_line(test, &r->hdr, "0.000000042 record type=1 size=96 cpu=0\n");
	set_hdr(&r->hdr, ACCEPTTRACE_REC_INET_ACCEPT, 24, 0, 42);
	expect_line(test, &r->hdr, "0.000000042 record type=2 size=24 cpu=0\n");
	set_hdr(&r->hdr, ACCEPTTRACE_REC_LOST, 24, 0, 42);
	expect_line(test, &r->hdr, "record type=3 size=24 cpu=0\n");
}

/*
 * An accept record whose addresses do not lie exactly within its size
 * is shown by its header alone: nothing is read past @size.
 */
static void format_test_malformed_addresses(struct kunit *test)
{
	struct t_sys *r = new_sys(test);
	struct accepttrace_sockaddr *sa;
	struct accepttrace_hdr *h;

	r->ret = 4;
	r->valid = ACCEPTTRACE_V_SOCK;
	r->uaddr = 0;
	r->uaddrlen = 0;
	set_inet(&r->peer, "127.0.0.1", 40000);
	set_inet(&r->local, "127.0.0.1", 8080);
	h = pack_sys(test, r);
	/* 104, an empty user address (8) and two IPv4 ones (24 each) */
	KUNIT_EXPECT_EQ(test, h->size, 160);
	expect_line(test, h,
		    "1234.567890123 cpu=1 pid=100 tid=101 comm=server accept4(fd=3, addr=NULL, addrlen=NULL, flags=0) = 4 peer=127.0.0.1:40000 local=127.0.0.1:8080 lat=1.500us\n");
	/* The fixed part alone: no room for the addresses. */
	h->size = sizeof(struct accepttrace_sys_accept4);
	expect_line(test, h, "1234.567890123 record type=1 size=104 cpu=1\n");
	/* The last address runs past the end. */
	h->size = 152;
	expect_line(test, h, "1234.567890123 record type=1 size=152 cpu=1\n");
	/* Bytes after the last address. */
	h->size = 168;
	expect_line(test, h, "1234.567890123 record type=1 size=168 cpu=1\n");
	h->size = 160;
	/* An address claiming more than ACCEPTTRACE_ADDR_MAX bytes. */
	sa = (struct accepttrace_sockaddr *)((u8 *)h + 104);
	sa->stored = ACCEPTTRACE_ADDR_MAX + 8;
	expect_line(test, h, "1234.567890123 record type=1 size=160 cpu=1\n");
	/* One whose stored bytes run past the end. */
	sa->stored = 48;
	expect_line(test, h, "1234.567890123 record type=1 size=160 cpu=1\n");
	sa->stored = 0;
	expect_line(test, h,
		    "1234.567890123 cpu=1 pid=100 tid=101 comm=server accept4(fd=3, addr=NULL, addrlen=NULL, flags=0) = 4 peer=127.0.0.1:40000 local=127.0.0.1:8080 lat=1.500us\n");
}

static void format_test_body(struct kunit *test)
{
	struct t_sys *r = new_sys(test);
	char buf[256];
	int len;

	r->ret = -EBADF;
	r->uaddr = 0;
	r->uaddrlen = 0;
	len = at_format_body(buf, sizeof(buf), pack_sys(test, r));
	KUNIT_EXPECT_STREQ(test, buf,
			   "cpu=1 pid=100 tid=101 comm=server accept4(fd=3, addr=NULL, addrlen=NULL, flags=0) = -9 EBADF lat=1.500us");
	KUNIT_EXPECT_EQ(test, len, strlen(buf));
}

/* snprintf semantics for whole records. */
static void format_test_record_truncated(struct kunit *test)
{
	struct accepttrace_lost lost = {
		.hdr = { .type = ACCEPTTRACE_REC_LOST, .size = sizeof(lost) },
		.count = 5,
	};
	char buf[16];

	memset(buf, 'x', sizeof(buf));
	KUNIT_EXPECT_EQ(test, at_format_record(buf, 8, &lost.hdr), 23);
	KUNIT_EXPECT_STREQ(test, buf, "LOST 5 ");
	KUNIT_EXPECT_EQ(test, buf[8], 'x');
	KUNIT_EXPECT_EQ(test, at_format_record(buf, 1, &lost.hdr), 23);
	KUNIT_EXPECT_STREQ(test, buf, "");
	KUNIT_EXPECT_EQ(test, at_format_record(NULL, 0, &lost.hdr), 23);
}

/*
 * The longest lines the probes can produce fit AT_LINE_MAX, the reader's
 * line buffer: every number at its widest, a 16-byte comm and two
 * 108-byte abstract AF_UNIX names of bytes that print as \xNN, and a
 * third in a truncated user buffer.
 */
static void format_test_longest_lines_fit(struct kunit *test)
{
	struct t_sys *s = new_sys(test);
	struct t_inet *i = new_inet(test);
	char comm[16];
	int len;

	memset(comm, 0xff, sizeof(comm));
	set_hdr(&s->hdr, ACCEPTTRACE_REC_SYS_ACCEPT4, sizeof(*s), U32_MAX,
		U64_MAX);
	set_task(&s->task, U32_MAX, U32_MAX, comm, sizeof(comm));
	s->fd = INT_MIN;
	s->flags = -1;
	s->ret = INT_MAX;
	s->syscall = ACCEPTTRACE_SYSCALL_UNKNOWN;
	s->valid = ACCEPTTRACE_V_ADDRLEN_IN | ACCEPTTRACE_V_ADDRLEN_OUT |
		   ACCEPTTRACE_V_SOCK;
	s->uaddr = U64_MAX;
	s->uaddrlen = U64_MAX;
	s->addrlen_in = INT_MIN;
	s->addrlen_out = INT_MIN;
	s->latency_ns = U64_MAX;
	s->peer.len = sizeof(struct sockaddr_un);
	s->peer.stored = s->peer.len;
	memset(s->peer.data, 0xff, s->peer.len);
	s->peer.data[0] = AF_UNIX;
	s->peer.data[1] = 0;
	s->peer.data[2] = 0;	/* abstract */
	s->local = s->peer;
	len = at_format_record(NULL, 0, pack_sys(test, s));
	kunit_info(test, "longest sys_accept4 line: %d bytes", len);
	KUNIT_EXPECT_LT(test, len, AT_LINE_MAX);
	/* The caller's buffer too short for all of it: user= shown. */
	s->addrlen_in = 999999999;
	s->addrlen_out = INT_MAX;
	s->user = s->peer;
	s->user.len = U32_MAX;
	s->user.stored = ACCEPTTRACE_ADDR_MAX;
	memset(s->user.data + 3, 0xff, ACCEPTTRACE_ADDR_MAX - 3);
	len = at_format_record(NULL, 0, pack_sys(test, s));
	kunit_info(test, "longest sys_accept4 line, truncated user: %d bytes",
		   len);
	KUNIT_EXPECT_LT(test, len, AT_LINE_MAX);

	set_hdr(&i->hdr, ACCEPTTRACE_REC_INET_ACCEPT, sizeof(*i), U32_MAX,
		U64_MAX);
	set_task(&i->task, U32_MAX, U32_MAX, comm, sizeof(comm));
	i->ret = INT_MAX;
	i->flags = U32_MAX;
	i->kern = U8_MAX;
	i->qlen = U32_MAX;
	i->qmax = U32_MAX;
	i->latency_ns = U64_MAX;
	set_inet6(&i->listen, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
		  65535, U32_MAX);
	i->local = i->listen;
	i->peer = i->listen;
	len = at_format_record(NULL, 0, pack_inet(test, i));
	kunit_info(test, "longest inet_accept line: %d bytes", len);
	KUNIT_EXPECT_LT(test, len, AT_LINE_MAX);
}

static struct kunit_case format_test_cases[] = {
	KUNIT_CASE_PARAM(format_test_errno_name, accept_errno_gen_params),
	KUNIT_CASE(format_test_errno_unnamed),
	KUNIT_CASE(format_test_errno_table_shape),
	KUNIT_CASE(format_test_errno_table_is_kernels),
	KUNIT_CASE(format_test_name_tables_are_kernels),
	KUNIT_CASE_PARAM(format_test_flags, flags_gen_params),
	KUNIT_CASE(format_test_flags_truncated),
	KUNIT_CASE_PARAM(format_test_sockaddr, sa_gen_params),
	KUNIT_CASE_PARAM(format_test_ip, sa_gen_params),
	KUNIT_CASE(format_test_sockaddr_stored_clamped),
	KUNIT_CASE(format_test_escaped),
	KUNIT_CASE(format_test_sys_accept4_success),
	KUNIT_CASE(format_test_sys_accept4_success_nosock),
	KUNIT_CASE(format_test_sys_accept4_unix),
	KUNIT_CASE(format_test_sys_accept4_truncated_user),
	KUNIT_CASE(format_test_sys_accept4_eagain),
	KUNIT_CASE(format_test_sys_accept4_restartsys),
	KUNIT_CASE(format_test_sys_accept4_bad_args),
	KUNIT_CASE(format_test_sys_accept4_syscalls),
	KUNIT_CASE(format_test_inet_accept_success),
	KUNIT_CASE(format_test_inet_accept_error),
	KUNIT_CASE(format_test_comm_odd_bytes),
	KUNIT_CASE(format_test_lost),
	KUNIT_CASE(format_test_unknown_record),
	KUNIT_CASE(format_test_malformed_addresses),
	KUNIT_CASE(format_test_body),
	KUNIT_CASE(format_test_record_truncated),
	KUNIT_CASE(format_test_longest_lines_fit),
	{}
};

static struct kunit_suite format_test_suite = {
	.name = "accepttrace_format",
	.test_cases = format_test_cases,
};

kunit_test_suite(format_test_suite);
