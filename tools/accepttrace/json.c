// SPDX-License-Identifier: GPL-2.0
/*
 * JSON lines: one flat object per record (keys in accepttrace(8),
 * "JSON", in the order written here).  Every string goes through
 * at_json_string(), so a comm or a unix path with any bytes in it still
 * makes a line jq reads.
 */
#include <stdlib.h>
#include <string.h>

#include "tool.h"

/* Length of the valid UTF-8 sequence at @s (RFC 3629), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, UTF-16 surrogates, beyond U+10FFFF */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

char *at_json_put_string(char *p, const char *str, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n;

	*p++ = '"';
	while (i < len) {
		unsigned char c = s[i];

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			*p++ = c;
			i++;
			continue;
		}
		if (c == '"' || c == '\\') {
			*p++ = '\\';
			*p++ = c;
		} else if (c == '\n') {
			p = AT_PUT_LIT(p, "\\n");
		} else if (c == '\t') {
			p = AT_PUT_LIT(p, "\\t");
		} else if (c >= 0x80 && (n = utf8_len(s + i, len - i))) {
			p = at_put(p, (const char *)s + i, n);
			i += n;
			continue;
		} else {
			/* control, DEL, or not UTF-8: the byte as U+00XX */
			p = AT_PUT_LIT(p, "\\u00");
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
		i++;
	}
	*p++ = '"';
	return p;
}

void at_json_string(FILE *f, const char *s, size_t len)
{
	char small[256], *buf = small, *end;

	if (len > (sizeof(small) - 2) / 6) {
		buf = malloc(6 * len + 2);
		if (!buf) {
			fputs("null", f);
			return;
		}
	}
	end = at_json_put_string(buf, s, len);
	fwrite(buf, 1, end - buf, f);
	if (buf != small)
		free(buf);
}

/* A key after the first: ,"k": */
#define KEY(p, k)	AT_PUT_LIT(p, ",\"" k "\":")

static char *put_null(char *p)
{
	return AT_PUT_LIT(p, "null");
}

static char *put_bool(char *p, bool v)
{
	return v ? AT_PUT_LIT(p, "true") : AT_PUT_LIT(p, "false");
}

/*
 * A string known to need no escaping: names from the tables, addresses
 * (hex digits, '.', ':', '%'), flag names.
 */
static char *put_plain(char *p, const char *v, size_t len)
{
	*p++ = '"';
	p = at_put(p, v, len);
	*p++ = '"';
	return p;
}

static char *put_cstr(char *p, const char *v)
{
	return v ? put_plain(p, v, strlen(v)) : put_null(p);
}

static char *put_int(char *p, long long v, bool valid)
{
	return valid ? at_put_s64(p, v) : put_null(p);
}

static char *json_addr_ip(char *p, const struct at_addr *a)
{
	return a->has_ip ? put_plain(p, a->ip, a->ip_len) : put_null(p);
}

static char *json_addr_rest(char *p, const struct at_addr *a)
{
	p = put_int(p, a->port, a->port >= 0);
	return p;
}

static char *json_addr_path(char *p, const struct at_addr *a)
{
	return a->has_path ? at_json_put_string(p, a->path, a->path_len) :
			     put_null(p);
}

#define JSON_ADDR(p, which, a) do {				\
	p = KEY(p, which "_addr");				\
	p = json_addr_ip(p, a);					\
	p = KEY(p, which "_port");				\
	p = json_addr_rest(p, a);				\
	p = KEY(p, which "_path");				\
	p = json_addr_path(p, a);				\
} while (0)

/* The family's name, from a table search: the last one is kept. */
static char *json_family(char *p, int family)
{
	static struct {
		bool valid;
		int family;
		const char *name;
		size_t len;
	} last;

	if (!last.valid || last.family != family) {
		last.name = at_family_name(family);
		last.len = last.name ? strlen(last.name) : 0;
		last.family = family;
		last.valid = true;
	}
	p = KEY(p, "family");
	if (last.name)
		return put_plain(p, last.name, last.len);
	if (family >= 0)
		return at_put_s64(p, family);
	return put_null(p);
}

static char *json_result(char *p, int ret)
{
	const char *name = ret < 0 ? at_errno_name(ret) : NULL;

	p = KEY(p, "ret");
	p = at_put_s64(p, ret);
	p = KEY(p, "errno");
	if (name)
		return put_plain(p, name, strlen(name));
	if (ret < 0)
		return at_put_s64(p, -(long long)ret);
	return put_null(p);
}

/*
 * The names of a flags value, from module/format.c's formatter; a record
 * stream repeats a handful of values, so the last one per table is kept.
 */
struct flags_cache {
	bool valid;
	unsigned long flags;
	size_t len;
	char text[256];
};

static const char *flags_text(struct flags_cache *c, unsigned long flags,
			      const struct at_name *tab, unsigned int n,
			      size_t *len)
{
	if (!c->valid || c->flags != flags) {
		int r = at_format_flags(c->text, sizeof(c->text), flags, tab, n);

		c->len = r < 0 ? 0 : (size_t)r < sizeof(c->text) ? (size_t)r :
			 sizeof(c->text) - 1;
		c->flags = flags;
		c->valid = true;
	}
	*len = c->len;
	return c->text;
}

/* @value as the field's C type has it: signed for accept4's int flags. */
static char *json_flags(char *p, long long value, unsigned long flags,
			const struct at_name *tab, unsigned int n,
			struct flags_cache *cache)
{
	const char *text;
	size_t len;

	p = KEY(p, "flags");
	p = at_put_s64(p, value);
	text = flags_text(cache, flags, tab, n, &len);
	p = KEY(p, "flags_names");
	return put_plain(p, text, len);
}

static struct flags_cache sock_flags_cache, file_flags_cache;

/*
 * The task's keys, from "pid" to "netns".  A server's records come from
 * a few threads, one after another: the text of the last task is kept,
 * keyed by the whole of struct accepttrace_task, and copied while it
 * matches (a JSON line spent a fifth of its instructions on these keys).
 */
static struct {
	bool valid;
	struct accepttrace_task task;
	size_t len;
	char text[128 + 6 * sizeof(((struct accepttrace_task *)0)->comm)];
} task_cache;

static char *json_task(char *p, const struct accepttrace_task *t)
{
	char *q;

	if (task_cache.valid && !memcmp(&task_cache.task, t, sizeof(*t)))
		return at_put(p, task_cache.text, task_cache.len);
	q = task_cache.text;
	q = KEY(q, "pid");
	q = at_put_u64(q, t->pid);
	q = KEY(q, "tid");
	q = at_put_u64(q, t->tid);
	q = KEY(q, "uid");
	q = at_put_u64(q, t->uid);
	q = KEY(q, "comm");
	q = at_json_put_string(q, t->comm, strnlen(t->comm, sizeof(t->comm)));
	q = KEY(q, "netns");
	q = at_put_u64(q, t->netns);
	task_cache.len = q - task_cache.text;
	task_cache.task = *t;
	task_cache.valid = true;
	return at_put(p, task_cache.text, task_cache.len);
}

/*
 * The caller's address buffer at return, as raw bytes: the @stored bytes
 * the record holds (accepttrace_rec_addrs() checked that they lie within
 * it, and that @stored <= ACCEPTTRACE_ADDR_MAX).
 */
static char *json_user(char *p, const struct accepttrace_sockaddr *u)
{
	unsigned int n = u->stored;

	p = KEY(p, "user_len");
	p = at_put_u64(p, u->len);
	p = KEY(p, "user_stored");
	p = at_put_u64(p, n);
	p = KEY(p, "user_data");
	if (n && !(u->flags & ACCEPTTRACE_SA_FAULT)) {
		*p++ = '"';
		p = at_put_hex_bytes(p, u->data, n);
		*p++ = '"';
	} else {
		p = put_null(p);
	}
	p = KEY(p, "user_fault");
	return put_bool(p, u->flags & ACCEPTTRACE_SA_FAULT);
}

/*
 * "addr", "addrlen_in", "addrlen_out" and the accept4 "flags" of a call.
 * A server passes the same buffer, length and flags to every accept, so
 * the text of the last call's arguments is kept, keyed by all of them.
 */
struct args_key {
	__u64 uaddr, uaddrlen;
	__s32 len_in, len_out, flags;
	__u16 valid;
};

static struct {
	bool valid;
	struct args_key key;
	size_t len;
	char text[128 + sizeof(((struct flags_cache *)0)->text)];
} args_cache;

static char *json_accept_args(char *p, __u64 uaddr, __u64 uaddrlen,
			      __u16 valid, __s32 len_in, __s32 len_out,
			      __s32 flags)
{
	struct args_key k;
	char *q;

	memset(&k, 0, sizeof(k));	/* the padding too: memcmp below */
	k.uaddr = uaddr;
	k.uaddrlen = uaddrlen;
	k.len_in = len_in;
	k.len_out = len_out;
	k.flags = flags;
	k.valid = valid;
	if (args_cache.valid && !memcmp(&args_cache.key, &k, sizeof(k)))
		return at_put(p, args_cache.text, args_cache.len);
	q = args_cache.text;
	q = KEY(q, "addr");
	if (uaddr) {
		q = AT_PUT_LIT(q, "\"0x");
		q = at_put_hex(q, uaddr);
		*q++ = '"';
	} else {
		q = put_null(q);
	}
	q = KEY(q, "addrlen_in");
	q = put_int(q, len_in, uaddrlen && (valid & ACCEPTTRACE_V_ADDRLEN_IN));
	q = KEY(q, "addrlen_out");
	q = put_int(q, len_out,
		    uaddrlen && (valid & ACCEPTTRACE_V_ADDRLEN_OUT));
	q = json_flags(q, flags, (uint32_t)flags, at_sock_flag_names,
		       at_sock_flag_names_count, &sock_flags_cache);
	args_cache.len = q - args_cache.text;
	args_cache.key = k;
	args_cache.valid = true;
	return at_put(p, args_cache.text, args_cache.len);
}

static char *json_sys(char *p, const struct accepttrace_sys_accept4 *r,
		      const struct at_event *ev)
{

	p = KEY(p, "probe");
	p = AT_PUT_LIT(p, "\"sys_accept4\"");
	p = KEY(p, "syscall");
	p = put_cstr(p, at_syscall_name(r->syscall));
	p = KEY(p, "fd");
	p = at_put_s64(p, r->fd);
	p = json_accept_args(p, r->uaddr, r->uaddrlen, r->valid,
			     r->addrlen_in, r->addrlen_out, r->flags);
	p = json_result(p, r->ret);
	p = json_family(p, ev->family);
	JSON_ADDR(p, "local", &ev->local);
	JSON_ADDR(p, "peer", &ev->peer);
	p = json_user(p, ev->sa[ACCEPTTRACE_ADDR_USER]);
	p = KEY(p, "latency_ns");
	return at_put_s64(p, (long long)r->latency_ns);
}

static char *json_inet(char *p, const struct accepttrace_inet_accept *r,
		       const struct at_event *ev)
{
	p = KEY(p, "probe");
	p = AT_PUT_LIT(p, "\"inet_accept\"");
	p = AT_PUT_LIT(p, ",\"syscall\":null,\"fd\":null,\"addr\":null"
			  ",\"addrlen_in\":null,\"addrlen_out\":null");
	p = json_flags(p, r->flags, r->flags, at_file_flag_names,
		       at_file_flag_names_count, &file_flags_cache);
	p = json_result(p, r->ret);
	p = json_family(p, ev->family);
	JSON_ADDR(p, "local", &ev->local);
	JSON_ADDR(p, "peer", &ev->peer);
	p = KEY(p, "latency_ns");
	p = at_put_s64(p, (long long)r->latency_ns);
	p = KEY(p, "kern");
	p = put_bool(p, r->kern);
	p = KEY(p, "qlen");
	p = at_put_u64(p, r->qlen);
	p = KEY(p, "qmax");
	p = at_put_u64(p, r->qmax);
	p = KEY(p, "listen_addr");
	p = json_addr_ip(p, &ev->listen);
	p = KEY(p, "listen_port");
	return json_addr_rest(p, &ev->listen);
}

/*
 * An io_uring accept: the keys of sys_accept4 where it has them (no
 * syscall, no fd: io_uring has the listener's file, and gives the new
 * descriptor in the CQE), "file_flags" for the non-blocking try, and
 * the listener's address as inet_accept has it, with its path.
 */
static char *json_uring(char *p, const struct accepttrace_uring_accept *r,
			const struct at_event *ev)
{
	const char *text;
	size_t len;

	p = KEY(p, "probe");
	p = AT_PUT_LIT(p, "\"uring_accept\",\"syscall\":null,\"fd\":null");
	p = json_accept_args(p, r->uaddr, r->uaddrlen, r->valid,
			     r->addrlen_in, r->addrlen_out, r->flags);
	p = KEY(p, "file_flags");
	p = at_put_u64(p, r->file_flags);
	text = flags_text(&file_flags_cache, r->file_flags, at_file_flag_names,
			  at_file_flag_names_count, &len);
	p = KEY(p, "file_flags_names");
	p = put_plain(p, text, len);
	p = json_result(p, r->ret);
	p = json_family(p, ev->family);
	JSON_ADDR(p, "local", &ev->local);
	JSON_ADDR(p, "peer", &ev->peer);
	p = KEY(p, "latency_ns");
	p = at_put_s64(p, (long long)r->latency_ns);
	JSON_ADDR(p, "listen", &ev->listen);
	return p;
}

/* Seconds with 9 decimals. */
static char *put_secs(char *p, long long ns)
{
	if (ns < 0)
		ns = 0;
	p = at_put_u64(p, ns / 1000000000LL);
	*p++ = '.';
	return at_put_u64_pad(p, ns % 1000000000LL, 9);
}

char *at_json_line(char *p, const struct accepttrace_hdr *h,
		   long long wall_off_ns, long long start_ns,
		   enum at_time_mode mode)
{
	const struct accepttrace_lost *lost = at_as_lost(h);
	struct at_event ev;

	if (lost) {
		p = AT_PUT_LIT(p, "{\"lost\":");
		p = at_put_u64(p, lost->count);
		p = KEY(p, "cpu");
		p = at_put_u64(p, h->cpu);
		p = KEY(p, "ts_ns");
		p = at_put_u64(p, h->ts_ns);
		return AT_PUT_LIT(p, "}\n");
	}
	if (at_decode_event(h, &ev)) {
		p = AT_PUT_LIT(p, "{\"unknown_type\":");
		p = at_put_u64(p, h->type);
		p = KEY(p, "size");
		p = at_put_u64(p, h->size);
		p = KEY(p, "cpu");
		p = at_put_u64(p, h->cpu);
		return AT_PUT_LIT(p, "}\n");
	}
	p = AT_PUT_LIT(p, "{\"seq\":");
	p = at_put_u64(p, h->seq);
	p = KEY(p, "ts_ns");
	p = at_put_s64(p, (long long)h->ts_ns);
	if (mode == AT_TIME_WALL) {
		p = KEY(p, "time");
		p = put_secs(p, (long long)h->ts_ns + wall_off_ns);
	} else if (mode == AT_TIME_REL) {
		p = KEY(p, "t");
		p = put_secs(p, (long long)h->ts_ns - start_ns);
	}
	p = KEY(p, "cpu");
	p = at_put_u64(p, h->cpu);
	p = json_task(p, ev.task);
	if (ev.is_sys)
		p = json_sys(p, (const void *)h, &ev);
	else if (ev.is_uring)
		p = json_uring(p, (const void *)h, &ev);
	else
		p = json_inet(p, (const void *)h, &ev);
	return AT_PUT_LIT(p, "}\n");
}

void at_json_record(FILE *f, const struct accepttrace_hdr *h,
		    long long wall_off_ns, long long start_ns,
		    enum at_time_mode mode)
{
	char line[AT_JSON_MAX];
	char *end = at_json_line(line, h, wall_off_ns, start_ns, mode);

	fwrite(line, 1, end - line, f);
}
