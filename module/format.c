// SPDX-License-Identifier: GPL-2.0
/*
 * The text form of accepttrace records (the /dev/accepttrace line format).
 *
 * This file is compiled into the module and, unchanged, into the userspace
 * tool: both print the same bytes from the same tables.  It therefore uses
 * only what both sides have: snprintf, memcpy and fixed-width types.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/string.h>
#else
#include "accepttrace_user.h"	/* tools/include: libc and the kernel idioms used here */
#endif

#include "accepttrace_format.h"

/*
 * The one table of names for the module and the tool.  Values are spelled
 * as numbers (x86-64) so userspace needs no kernel-internal header; the
 * KUnit suite holds each errno to the kernel's own name for it (%pe), the
 * tool's tests hold them to libc's.
 */
/* Every errno of asm-generic, then the kernel-internal restart codes. */
const struct at_name at_errno_names[] = {
	{ 1, "EPERM" },
	{ 2, "ENOENT" },
	{ 3, "ESRCH" },
	{ 4, "EINTR" },
	{ 5, "EIO" },
	{ 6, "ENXIO" },
	{ 7, "E2BIG" },
	{ 8, "ENOEXEC" },
	{ 9, "EBADF" },
	{ 10, "ECHILD" },
	{ 11, "EAGAIN" },
	{ 12, "ENOMEM" },
	{ 13, "EACCES" },
	{ 14, "EFAULT" },
	{ 15, "ENOTBLK" },
	{ 16, "EBUSY" },
	{ 17, "EEXIST" },
	{ 18, "EXDEV" },
	{ 19, "ENODEV" },
	{ 20, "ENOTDIR" },
	{ 21, "EISDIR" },
	{ 22, "EINVAL" },
	{ 23, "ENFILE" },
	{ 24, "EMFILE" },
	{ 25, "ENOTTY" },
	{ 26, "ETXTBSY" },
	{ 27, "EFBIG" },
	{ 28, "ENOSPC" },
	{ 29, "ESPIPE" },
	{ 30, "EROFS" },
	{ 31, "EMLINK" },
	{ 32, "EPIPE" },
	{ 33, "EDOM" },
	{ 34, "ERANGE" },
	{ 35, "EDEADLK" },
	{ 36, "ENAMETOOLONG" },
	{ 37, "ENOLCK" },
	{ 38, "ENOSYS" },
	{ 39, "ENOTEMPTY" },
	{ 40, "ELOOP" },
	{ 42, "ENOMSG" },
	{ 43, "EIDRM" },
	{ 44, "ECHRNG" },
	{ 45, "EL2NSYNC" },
	{ 46, "EL3HLT" },
	{ 47, "EL3RST" },
	{ 48, "ELNRNG" },
	{ 49, "EUNATCH" },
	{ 50, "ENOCSI" },
	{ 51, "EL2HLT" },
	{ 52, "EBADE" },
	{ 53, "EBADR" },
	{ 54, "EXFULL" },
	{ 55, "ENOANO" },
	{ 56, "EBADRQC" },
	{ 57, "EBADSLT" },
	{ 59, "EBFONT" },
	{ 60, "ENOSTR" },
	{ 61, "ENODATA" },
	{ 62, "ETIME" },
	{ 63, "ENOSR" },
	{ 64, "ENONET" },
	{ 65, "ENOPKG" },
	{ 66, "EREMOTE" },
	{ 67, "ENOLINK" },
	{ 68, "EADV" },
	{ 69, "ESRMNT" },
	{ 70, "ECOMM" },
	{ 71, "EPROTO" },
	{ 72, "EMULTIHOP" },
	{ 73, "EDOTDOT" },
	{ 74, "EBADMSG" },
	{ 75, "EOVERFLOW" },
	{ 76, "ENOTUNIQ" },
	{ 77, "EBADFD" },
	{ 78, "EREMCHG" },
	{ 79, "ELIBACC" },
	{ 80, "ELIBBAD" },
	{ 81, "ELIBSCN" },
	{ 82, "ELIBMAX" },
	{ 83, "ELIBEXEC" },
	{ 84, "EILSEQ" },
	{ 85, "ERESTART" },
	{ 86, "ESTRPIPE" },
	{ 87, "EUSERS" },
	{ 88, "ENOTSOCK" },
	{ 89, "EDESTADDRREQ" },
	{ 90, "EMSGSIZE" },
	{ 91, "EPROTOTYPE" },
	{ 92, "ENOPROTOOPT" },
	{ 93, "EPROTONOSUPPORT" },
	{ 94, "ESOCKTNOSUPPORT" },
	{ 95, "EOPNOTSUPP" },
	{ 96, "EPFNOSUPPORT" },
	{ 97, "EAFNOSUPPORT" },
	{ 98, "EADDRINUSE" },
	{ 99, "EADDRNOTAVAIL" },
	{ 100, "ENETDOWN" },
	{ 101, "ENETUNREACH" },
	{ 102, "ENETRESET" },
	{ 103, "ECONNABORTED" },
	{ 104, "ECONNRESET" },
	{ 105, "ENOBUFS" },
	{ 106, "EISCONN" },
	{ 107, "ENOTCONN" },
	{ 108, "ESHUTDOWN" },
	{ 109, "ETOOMANYREFS" },
	{ 110, "ETIMEDOUT" },
	{ 111, "ECONNREFUSED" },
	{ 112, "EHOSTDOWN" },
	{ 113, "EHOSTUNREACH" },
	{ 114, "EALREADY" },
	{ 115, "EINPROGRESS" },
	{ 116, "ESTALE" },
	{ 117, "EUCLEAN" },
	{ 118, "ENOTNAM" },
	{ 119, "ENAVAIL" },
	{ 120, "EISNAM" },
	{ 121, "EREMOTEIO" },
	{ 122, "EDQUOT" },
	{ 123, "ENOMEDIUM" },
	{ 124, "EMEDIUMTYPE" },
	{ 125, "ECANCELED" },
	{ 126, "ENOKEY" },
	{ 127, "EKEYEXPIRED" },
	{ 128, "EKEYREVOKED" },
	{ 129, "EKEYREJECTED" },
	{ 130, "EOWNERDEAD" },
	{ 131, "ENOTRECOVERABLE" },
	{ 132, "ERFKILL" },
	{ 133, "EHWPOISON" },
	{ 512, "ERESTARTSYS" },
	{ 513, "ERESTARTNOINTR" },
	{ 514, "ERESTARTNOHAND" },
	{ 515, "ENOIOCTLCMD" },
	{ 516, "ERESTART_RESTARTBLOCK" },
};

const unsigned int at_errno_names_count = ARRAY_SIZE(at_errno_names);

/* accept4(2) flags. */
const struct at_name at_sock_flag_names[] = {
	{ 00004000, "SOCK_NONBLOCK" },
	{ 02000000, "SOCK_CLOEXEC" },
};

const unsigned int at_sock_flag_names_count = ARRAY_SIZE(at_sock_flag_names);

/* File flags a listening socket's file passes to ->accept(). */
const struct at_name at_file_flag_names[] = {
	{ 00000001, "O_WRONLY" },
	{ 00000002, "O_RDWR" },
	{ 00002000, "O_APPEND" },
	{ 00004000, "O_NONBLOCK" },
	{ 00010000, "O_DSYNC" },
	{ 00020000, "FASYNC" },
	{ 00040000, "O_DIRECT" },
	{ 00100000, "O_LARGEFILE" },
	{ 01000000, "O_NOATIME" },
	{ 02000000, "O_CLOEXEC" },
};

const unsigned int at_file_flag_names_count = ARRAY_SIZE(at_file_flag_names);

const struct at_name at_family_names[] = {
	{ 0, "AF_UNSPEC" },
	{ ACCEPTTRACE_AF_UNIX, "AF_UNIX" },
	{ ACCEPTTRACE_AF_INET, "AF_INET" },
	{ ACCEPTTRACE_AF_INET6, "AF_INET6" },
	{ 16, "AF_NETLINK" },
	{ 17, "AF_PACKET" },
	{ 30, "AF_TIPC" },
	{ 31, "AF_BLUETOOTH" },
	{ 38, "AF_ALG" },
	{ 40, "AF_VSOCK" },
	{ 41, "AF_KCM" },
	{ 42, "AF_QIPCRTR" },
	{ 43, "AF_SMC" },
	{ 44, "AF_XDP" },
	{ 45, "AF_MCTP" },
};

const unsigned int at_family_names_count = ARRAY_SIZE(at_family_names);

const struct at_name at_sock_type_names[] = {
	{ 1, "SOCK_STREAM" },
	{ 2, "SOCK_DGRAM" },
	{ 3, "SOCK_RAW" },
	{ 4, "SOCK_RDM" },
	{ 5, "SOCK_SEQPACKET" },
	{ 6, "SOCK_DCCP" },
	{ 10, "SOCK_PACKET" },
};

const unsigned int at_sock_type_names_count = ARRAY_SIZE(at_sock_type_names);

/* An output cursor: like snprintf, @len keeps counting past @size. */
struct at_out {
	char *buf;
	size_t size;
	size_t len;
};

static __printf(2, 3) void out_printf(struct at_out *o, const char *fmt, ...)
{
	size_t room = o->len < o->size ? o->size - o->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += n;
}

/* @n bytes as they are: no printf for the common case */
static void out_mem(struct at_out *o, const char *s, size_t n)
{
	if (o->len < o->size) {
		size_t room = o->size - o->len;

		memcpy(o->buf + o->len, s, n < room ? n : room);
	}
	o->len += n;
}

static void out_str(struct at_out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

static void out_char(struct at_out *o, char c)
{
	if (o->len < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static const char at_hex_digits[] = "0123456789abcdef";

/*
 * "00" to "99", for the decimal writers below: two digits a division
 * (as lib/vsprintf.c's decpair), where a text line spent most of its
 * instructions when it took one.
 */
static const char at_digit_pairs[100][2] = {
	{ '0', '0' }, { '0', '1' }, { '0', '2' }, { '0', '3' }, { '0', '4' },
	{ '0', '5' }, { '0', '6' }, { '0', '7' }, { '0', '8' }, { '0', '9' },
	{ '1', '0' }, { '1', '1' }, { '1', '2' }, { '1', '3' }, { '1', '4' },
	{ '1', '5' }, { '1', '6' }, { '1', '7' }, { '1', '8' }, { '1', '9' },
	{ '2', '0' }, { '2', '1' }, { '2', '2' }, { '2', '3' }, { '2', '4' },
	{ '2', '5' }, { '2', '6' }, { '2', '7' }, { '2', '8' }, { '2', '9' },
	{ '3', '0' }, { '3', '1' }, { '3', '2' }, { '3', '3' }, { '3', '4' },
	{ '3', '5' }, { '3', '6' }, { '3', '7' }, { '3', '8' }, { '3', '9' },
	{ '4', '0' }, { '4', '1' }, { '4', '2' }, { '4', '3' }, { '4', '4' },
	{ '4', '5' }, { '4', '6' }, { '4', '7' }, { '4', '8' }, { '4', '9' },
	{ '5', '0' }, { '5', '1' }, { '5', '2' }, { '5', '3' }, { '5', '4' },
	{ '5', '5' }, { '5', '6' }, { '5', '7' }, { '5', '8' }, { '5', '9' },
	{ '6', '0' }, { '6', '1' }, { '6', '2' }, { '6', '3' }, { '6', '4' },
	{ '6', '5' }, { '6', '6' }, { '6', '7' }, { '6', '8' }, { '6', '9' },
	{ '7', '0' }, { '7', '1' }, { '7', '2' }, { '7', '3' }, { '7', '4' },
	{ '7', '5' }, { '7', '6' }, { '7', '7' }, { '7', '8' }, { '7', '9' },
	{ '8', '0' }, { '8', '1' }, { '8', '2' }, { '8', '3' }, { '8', '4' },
	{ '8', '5' }, { '8', '6' }, { '8', '7' }, { '8', '8' }, { '8', '9' },
	{ '9', '0' }, { '9', '1' }, { '9', '2' }, { '9', '3' }, { '9', '4' },
	{ '9', '5' }, { '9', '6' }, { '9', '7' }, { '9', '8' }, { '9', '9' },
};

/* Two decimal digits of @r (< 100) at @p. */
static inline void put_pair(char *p, unsigned int r)
{
	memcpy(p, at_digit_pairs[r], 2);
}

static const __u32 at_pow10[10] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000,
};

/*
 * Digits of @v in decimal, without a division: log10 from the bit
 * length (1233 / 4096 is just under log10(2)), one compare to round it.
 */
static unsigned int dec_digits(__u32 v)
{
	unsigned int t;

	if (v < 10)
		return 1;
	t = (32 - __builtin_clz(v)) * 1233 >> 12;
	return t + (v >= at_pow10[t]);
}

/* @v's @n digits (zero-padded), ending at @end, two at a time. */
static void put_dec(char *end, __u32 v, unsigned int n)
{
	char *p = end;

	while (v >= 100) {
		p -= 2;
		put_pair(p, v % 100);
		v /= 100;
	}
	if (v >= 10) {
		p -= 2;
		put_pair(p, v);
	} else {
		*--p = '0' + v;
	}
	while (p > end - n)
		*--p = '0';
}

/*
 * @v in decimal, zero-padded to at least @width (at most 20) digits,
 * written in place: a text line prints some fifty digits, and this was
 * where it spent most of its instructions.
 */
static void out_uint_w(struct at_out *o, unsigned long long v, int width)
{
	char tmp[20];
	unsigned int n;

	/* One or two digits, most of a line's numbers: no division. */
	if (v < 100 && width <= 2 && o->len + 2 <= o->size) {
		if (v < 10 && width < 2) {
			o->buf[o->len++] = '0' + v;
			return;
		}
		put_pair(o->buf + o->len, v);
		o->len += 2;
		return;
	}
	if (v > 0xffffffffULL) {
		/* Nanoseconds of uptime and the like: the low nine apart. */
		unsigned long long hi = v / 1000000000U;

		out_uint_w(o, hi, width > 9 ? width - 9 : 1);
		out_uint_w(o, v - hi * 1000000000U, 9);
		return;
	}
	n = dec_digits((__u32)v);
	if (n < (unsigned int)width)
		n = width;
	if (o->len + n <= o->size) {
		put_dec(o->buf + o->len + n, (__u32)v, n);
		o->len += n;
		return;
	}
	put_dec(tmp + n, (__u32)v, n);
	out_mem(o, tmp, n);
}

static void out_uint(struct at_out *o, unsigned long long v)
{
	out_uint_w(o, v, 1);
}

static void out_int(struct at_out *o, long long v)
{
	if (v < 0) {
		out_char(o, '-');
		out_uint(o, -(unsigned long long)v);
	} else {
		out_uint(o, v);
	}
}

/* @v in lower-case hex, as "%x" prints it */
static void out_xint(struct at_out *o, unsigned long long v)
{
	char tmp[16];
	int i = sizeof(tmp);

	do {
		tmp[--i] = at_hex_digits[v & 15];
		v >>= 4;
	} while (v);
	out_mem(o, tmp + i, sizeof(tmp) - i);
}

static int out_done(struct at_out *o)
{
	if (o->size)
		o->buf[o->len < o->size ? o->len : o->size - 1] = '\0';
	return (int)o->len;
}

const char *at_name_of(const struct at_name *tab, unsigned int n, long value)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (tab[i].value == value)
			return tab[i].name;
	return NULL;
}

const char *at_errno_name(int err)
{
	return at_name_of(at_errno_names, at_errno_names_count,
			  err < 0 ? -(long)err : err);
}

static void out_flags(struct at_out *o, unsigned long flags,
		      const struct at_name *tab, unsigned int n)
{
	const char *sep = "";
	unsigned int i;

	if (!flags) {
		out_mem(o, "0", sizeof("0") - 1);
		return;
	}
	for (i = 0; i < n; i++) {
		if ((flags & tab[i].value) == (unsigned long)tab[i].value) {
			out_str(o, sep);
			out_str(o, tab[i].name);
			flags &= ~tab[i].value;
			sep = "|";
		}
	}
	if (flags)
		out_printf(o, "%s%#lx", sep, flags);
}

int at_format_flags(char *buf, size_t size, unsigned long flags,
		    const struct at_name *tab, unsigned int n)
{
	struct at_out o = { buf, size, 0 };

	out_flags(&o, flags, tab, n);
	return out_done(&o);
}

static void out_escaped(struct at_out *o, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c == '\\')
			out_mem(o, "\\\\", 2);
		else if (c > ' ' && c < 0x7f)
			out_char(o, c);
		else
			out_printf(o, "\\x%02x", c);
	}
}

int at_format_escaped(char *buf, size_t size, const char *s, size_t len)
{
	struct at_out o = { buf, size, 0 };

	out_escaped(&o, s, len);
	return out_done(&o);
}

static void out_hex(struct at_out *o, const __u8 *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		out_char(o, at_hex_digits[p[i] >> 4]);
		out_char(o, at_hex_digits[p[i] & 15]);
	}
}

/* Big-endian 16-bit value at @p (ports, IPv6 groups). */
static unsigned int be16_at(const __u8 *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

static unsigned int host16_at(const __u8 *p)
{
	__u16 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static __u32 u32_at(const __u8 *p)
{
	__u32 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* "%u.%u.%u.%u", built on the stack and copied out once. */
static void out_ipv4(struct at_out *o, const __u8 *a)
{
	char tmp[sizeof("255.255.255.255") - 1], *p = tmp;
	int i;

	for (i = 0; i < 4; i++) {
		unsigned int v = a[i];

		if (i)
			*p++ = '.';
		if (v >= 100) {
			*p++ = '0' + v / 100;
			put_pair(p, v % 100);
			p += 2;
		} else if (v >= 10) {
			put_pair(p, v);
			p += 2;
		} else {
			*p++ = '0' + v;
		}
	}
	out_mem(o, tmp, p - tmp);
}

/* RFC 5952: lower case, the longest run of two or more zero groups as ::. */
static void out_ipv6(struct at_out *o, const __u8 *a)
{
	static const __u8 v4mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};
	int best = -1, best_len = 1, i;

	if (!memcmp(a, v4mapped, sizeof(v4mapped))) {
		out_mem(o, "::ffff:", sizeof("::ffff:") - 1);
		out_ipv4(o, a + 12);
		return;
	}
	for (i = 0; i < 8; i++) {
		int j = i;

		while (j < 8 && !be16_at(a + 2 * j))
			j++;
		if (j - i > best_len) {
			best = i;
			best_len = j - i;
		}
		if (j > i)
			i = j;
	}
	for (i = 0; i < 8; i++) {
		if (i == best) {
			out_mem(o, "::", sizeof("::") - 1);
			i += best_len - 1;
			continue;
		}
		if (i && i != best + best_len)
			out_char(o, ':');
		out_xint(o, be16_at(a + 2 * i));
	}
}

/* Bytes of a complete address of @family, 0 if of no fixed size. */
static size_t full_len(unsigned int family)
{
	switch (family) {
	case ACCEPTTRACE_AF_INET:	/* sockaddr_in */
		return 16;
	case ACCEPTTRACE_AF_INET6:	/* sockaddr_in6 */
		return 28;
	default:
		return 0;
	}
}

/*
 * The address of a complete sockaddr_in or sockaddr_in6 at @d, without
 * the port: "127.0.0.1", "::1", "fe80::1%2".
 */
static void out_ip(struct at_out *o, const __u8 *d, unsigned int family)
{
	if (family == ACCEPTTRACE_AF_INET) {
		out_ipv4(o, d + 4);
		return;
	}
	out_ipv6(o, d + 8);
	if (u32_at(d + 24)) {
		out_char(o, '%');
		out_uint(o, u32_at(d + 24));
	}
}

int at_format_ip(char *buf, size_t size, const struct accepttrace_sockaddr *sa)
{
	struct at_out o = { buf, size, 0 };
	size_t stored = sa->stored < ACCEPTTRACE_ADDR_MAX ?
			sa->stored : ACCEPTTRACE_ADDR_MAX;
	unsigned int family = stored >= 2 ? host16_at(sa->data) : 0;

	if (sa->len && !(sa->flags & ACCEPTTRACE_SA_FAULT) &&
	    full_len(family) && stored >= full_len(family))
		out_ip(&o, sa->data, family);
	return out_done(&o);
}

static void out_unix(struct at_out *o, const __u8 *d, size_t stored)
{
	const char *path = (const char *)d + 2;
	size_t n = stored - 2;

	if (n == 0) {
		out_mem(o, "unix:(unnamed)", sizeof("unix:(unnamed)") - 1);
	} else if (path[0] == '\0') {
		out_mem(o, "unix:@", sizeof("unix:@") - 1);
		out_escaped(o, path + 1, n - 1);
	} else {
		out_mem(o, "unix:", sizeof("unix:") - 1);
		out_escaped(o, path, strnlen(path, n));
	}
}

static void out_sockaddr(struct at_out *o, const struct accepttrace_sockaddr *sa)
{
	size_t stored = sa->stored < ACCEPTTRACE_ADDR_MAX ?
			sa->stored : ACCEPTTRACE_ADDR_MAX;
	const __u8 *d = sa->data;
	unsigned int family = 0;

	if (sa->flags & ACCEPTTRACE_SA_FAULT) {
		out_mem(o, "?", sizeof("?") - 1);
		return;
	}
	if (!sa->len) {
		out_mem(o, "-", sizeof("-") - 1);
		return;
	}
	if (stored >= 2)
		family = host16_at(d);
	if (stored < 2 || (family != ACCEPTTRACE_AF_UNIX &&
			   (stored < sa->len || stored < full_len(family)))) {
		out_printf(o, "trunc(%zu/%u):", stored, sa->len);
		out_hex(o, d, stored);
		return;
	}
	switch (family) {
	case ACCEPTTRACE_AF_INET:
		out_ip(o, d, family);
		out_char(o, ':');
		out_uint(o, be16_at(d + 2));
		break;
	case ACCEPTTRACE_AF_INET6:
		out_mem(o, "[", sizeof("[") - 1);
		out_ip(o, d, family);
		out_mem(o, "]:", sizeof("]:") - 1);
		out_uint(o, be16_at(d + 2));
		break;
	case ACCEPTTRACE_AF_UNIX:
		if (stored < sa->len)
			out_printf(o, "trunc(%zu/%u):", stored, sa->len);
		out_unix(o, d, stored);
		break;
	default:
		out_printf(o, "af=%u:", family);
		out_hex(o, d + 2, stored - 2);
		break;
	}
}

int at_format_sockaddr(char *buf, size_t size,
		       const struct accepttrace_sockaddr *sa)
{
	struct at_out o = { buf, size, 0 };

	out_sockaddr(&o, sa);
	return out_done(&o);
}

static void out_result(struct at_out *o, __s32 ret)
{
	const char *name = ret < 0 ? at_errno_name(ret) : NULL;

	out_mem(o, " = ", sizeof(" = ") - 1);
	out_int(o, ret);
	if (name) {
		out_char(o, ' ');
		out_str(o, name);
	}
}

static void out_addrs(struct at_out *o, const struct accepttrace_sockaddr *peer,
		      const struct accepttrace_sockaddr *local)
{
	out_mem(o, " peer=", sizeof(" peer=") - 1);
	out_sockaddr(o, peer);
	out_mem(o, " local=", sizeof(" local=") - 1);
	out_sockaddr(o, local);
}

static void out_latency(struct at_out *o, __u64 ns)
{
	out_mem(o, " lat=", 5);
	out_uint(o, ns / 1000);
	out_char(o, '.');
	out_uint_w(o, ns % 1000, 3);
	out_mem(o, "us", 2);
}

const char *at_syscall_name(unsigned int nr)
{
	switch (nr) {
	case ACCEPTTRACE_SYSCALL_ACCEPT:
		return "accept";
	case ACCEPTTRACE_SYSCALL_ACCEPT4:
		return "accept4";
	case ACCEPTTRACE_SYSCALL_SOCKETCALL:
		return "socketcall";
	default:
		return NULL;
	}
}

/*
 * Did the kernel write a truncated address into the caller's buffer?
 * It copies min(*addrlen at entry, address length) bytes and stores the
 * full length in *addrlen, so a length that grew says the buffer was
 * short (the probe read the buffer back under the same conditions).
 */
static int user_truncated(const struct accepttrace_sys_accept4 *r)
{
	const __u16 both = ACCEPTTRACE_V_ADDRLEN_IN | ACCEPTTRACE_V_ADDRLEN_OUT;

	return r->ret >= 0 && r->uaddr && (r->valid & both) == both &&
	       r->addrlen_in >= 0 && r->addrlen_out > r->addrlen_in;
}

/* ", addr=0x..., addrlen=IN->OUT, flags=..." of an accept's arguments. */
static void out_accept_args(struct at_out *o, __u64 uaddr, __u64 uaddrlen,
			    __u16 valid, __s32 len_in, __s32 len_out,
			    __s32 flags)
{
	out_mem(o, ", addr=", sizeof(", addr=") - 1);
	if (uaddr) {
		out_mem(o, "0x", sizeof("0x") - 1);
		out_xint(o, uaddr);
	} else {
		out_mem(o, "NULL", sizeof("NULL") - 1);
	}
	out_mem(o, ", addrlen=", sizeof(", addrlen=") - 1);
	if (!uaddrlen) {
		out_mem(o, "NULL", sizeof("NULL") - 1);
	} else if (!(valid & ACCEPTTRACE_V_ADDRLEN_IN)) {
		out_char(o, '?');
	} else {
		out_int(o, len_in);
		out_mem(o, "->", sizeof("->") - 1);
		if (valid & ACCEPTTRACE_V_ADDRLEN_OUT)
			out_int(o, len_out);
		else
			out_char(o, '?');
	}
	out_mem(o, ", flags=", sizeof(", flags=") - 1);
	out_flags(o, (__u32)flags, at_sock_flag_names,
		  at_sock_flag_names_count);
}

static void out_sys_accept4(struct at_out *o,
			    const struct accepttrace_sys_accept4 *r,
			    const struct accepttrace_sockaddr *const *sa)
{
	const char *name = at_syscall_name(r->syscall);

	out_str(o, name ? name : "__sys_accept4");
	out_mem(o, "(fd=", sizeof("(fd=") - 1);
	out_int(o, r->fd);
	out_accept_args(o, r->uaddr, r->uaddrlen, r->valid, r->addrlen_in,
			r->addrlen_out, r->flags);
	out_mem(o, ")", sizeof(")") - 1);
	out_result(o, r->ret);
	if (r->ret >= 0) {
		if (r->valid & ACCEPTTRACE_V_SOCK)
			out_addrs(o, sa[ACCEPTTRACE_ADDR_PEER],
				  sa[ACCEPTTRACE_ADDR_LOCAL]);
		else
			out_mem(o, " peer=? local=?", sizeof(" peer=? local=?") - 1);
	}
	/* What the caller received, where that is not the whole peer. */
	if (user_truncated(r)) {
		out_mem(o, " user=", sizeof(" user=") - 1);
		out_sockaddr(o, sa[ACCEPTTRACE_ADDR_USER]);
	}
	out_latency(o, r->latency_ns);
}

/*
 * "uring_accept(listen=..., addr=..., addrlen=..., flags=...,
 * file_flags=...) = 0 peer=... local=...": 0, not a descriptor, which
 * io_uring reports in the CQE.
 */
static void out_uring_accept(struct at_out *o,
			     const struct accepttrace_uring_accept *r,
			     const struct accepttrace_sockaddr *const *sa)
{
	out_mem(o, "uring_accept(listen=", sizeof("uring_accept(listen=") - 1);
	out_sockaddr(o, sa[ACCEPTTRACE_ADDR_LISTEN]);
	out_accept_args(o, r->uaddr, r->uaddrlen, r->valid, r->addrlen_in,
			r->addrlen_out, r->flags);
	out_mem(o, ", file_flags=", sizeof(", file_flags=") - 1);
	out_flags(o, r->file_flags, at_file_flag_names,
		  at_file_flag_names_count);
	out_char(o, ')');
	out_result(o, r->ret);
	if (r->ret >= 0) {
		if (r->valid & ACCEPTTRACE_V_SOCK)
			out_addrs(o, sa[ACCEPTTRACE_ADDR_PEER],
				  sa[ACCEPTTRACE_ADDR_LOCAL]);
		else
			out_mem(o, " peer=? local=?", sizeof(" peer=? local=?") - 1);
	}
	out_latency(o, r->latency_ns);
}

static void out_inet_accept(struct at_out *o,
			    const struct accepttrace_inet_accept *r,
			    const struct accepttrace_sockaddr *const *sa)
{
	out_mem(o, "inet_accept(listen=", sizeof("inet_accept(listen=") - 1);
	out_sockaddr(o, sa[ACCEPTTRACE_ADDR_LISTEN]);
	out_mem(o, ", flags=", sizeof(", flags=") - 1);
	out_flags(o, r->flags, at_file_flag_names, at_file_flag_names_count);
	out_mem(o, ", kern=", sizeof(", kern=") - 1);
	out_uint(o, r->kern);
	out_char(o, ')');
	out_result(o, r->ret);
	if (r->ret >= 0)
		out_addrs(o, sa[ACCEPTTRACE_ADDR_PEER], sa[ACCEPTTRACE_ADDR_LOCAL]);
	out_mem(o, " qlen=", sizeof(" qlen=") - 1);
	out_uint(o, r->qlen);
	out_char(o, '/');
	out_uint(o, r->qmax);
	out_latency(o, r->latency_ns);
}

static void out_task(struct at_out *o, const struct accepttrace_task *t)
{
	out_mem(o, "pid=", 4);
	out_uint(o, t->pid);
	out_mem(o, " tid=", 5);
	out_uint(o, t->tid);
	out_mem(o, " comm=", 6);
	out_escaped(o, t->comm, strnlen(t->comm, sizeof(t->comm)));
	out_mem(o, " ", sizeof(" ") - 1);
}

static void out_cpu(struct at_out *o, __u32 cpu)
{
	out_mem(o, "cpu=", sizeof("cpu=") - 1);
	out_uint(o, cpu);
	out_char(o, ' ');
}

/*
 * A record of a type this does not know, or one whose addresses do not
 * lie within its size, is printed by its header alone.
 */
static void out_body(struct at_out *o, const struct accepttrace_hdr *h)
{
	const struct accepttrace_sockaddr *sa[ACCEPTTRACE_REC_NADDR];

	switch (h->type) {
	case ACCEPTTRACE_REC_SYS_ACCEPT4:
		if (accepttrace_rec_addrs(h, sa))
			break;
		out_cpu(o, h->cpu);
		out_task(o, &((const struct accepttrace_sys_accept4 *)h)->task);
		out_sys_accept4(o, (const struct accepttrace_sys_accept4 *)h, sa);
		return;
	case ACCEPTTRACE_REC_INET_ACCEPT:
		if (accepttrace_rec_addrs(h, sa))
			break;
		out_cpu(o, h->cpu);
		out_task(o, &((const struct accepttrace_inet_accept *)h)->task);
		out_inet_accept(o, (const struct accepttrace_inet_accept *)h, sa);
		return;
	case ACCEPTTRACE_REC_URING_ACCEPT:
		if (accepttrace_rec_addrs(h, sa))
			break;
		out_cpu(o, h->cpu);
		out_task(o, &((const struct accepttrace_uring_accept *)h)->task);
		out_uring_accept(o, (const struct accepttrace_uring_accept *)h,
				 sa);
		return;
	case ACCEPTTRACE_REC_LOST:
		if (h->size < sizeof(struct accepttrace_lost))
			break;
		out_printf(o, "LOST %llu events on cpu %u",
			   (unsigned long long)
			   ((const struct accepttrace_lost *)h)->count, h->cpu);
		return;
	}
	out_printf(o, "record type=%u size=%u cpu=%u", h->type, h->size, h->cpu);
}

int at_format_body(char *buf, size_t size, const struct accepttrace_hdr *rec)
{
	struct at_out o = { buf, size, 0 };

	out_body(&o, rec);
	return out_done(&o);
}

int at_format_record(char *buf, size_t size, const struct accepttrace_hdr *rec)
{
	struct at_out o = { buf, size, 0 };

	/* LOST lines stand alone, as a reader scanning for them expects. */
	if (rec->type != ACCEPTTRACE_REC_LOST) {
		out_uint(&o, rec->ts_ns / 1000000000ULL);
		out_char(&o, '.');
		out_uint_w(&o, rec->ts_ns % 1000000000ULL, 9);
		out_char(&o, ' ');
	}
	out_body(&o, rec);
	out_char(&o, '\n');
	return out_done(&o);
}
