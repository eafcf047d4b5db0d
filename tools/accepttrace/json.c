// SPDX-License-Identifier: GPL-2.0
/*
 * JSON lines: one flat object per record (keys in README, "The
 * accepttrace tool").  Every string goes through at_json_string(), so a
 * comm or a unix path with any bytes in it still makes a line jq reads.
 */
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

void at_json_string(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n;

	fputc('"', f);
	while (i < len) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			fprintf(f, "\\%c", c);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else if (c >= 0x80) {
			n = utf8_len(s + i, len - i);
			if (!n) {
				/* not UTF-8: keep the byte's value, as U+00XX */
				fprintf(f, "\\u%04x", c);
				i++;
				continue;
			}
			fwrite(s + i, 1, n, f);
			i += n;
			continue;
		} else {
			fputc(c, f);
		}
		i++;
	}
	fputc('"', f);
}

static void key(FILE *f, const char *k)
{
	fprintf(f, ",\"%s\":", k);
}

static void key_str(FILE *f, const char *k, const char *v)
{
	key(f, k);
	if (v)
		at_json_string(f, v, strlen(v));
	else
		fputs("null", f);
}

static void key_int(FILE *f, const char *k, long long v, bool valid)
{
	key(f, k);
	if (valid)
		fprintf(f, "%lld", v);
	else
		fputs("null", f);
}

static void json_addr(FILE *f, const char *which, const struct at_addr *a)
{
	char k[32];

	snprintf(k, sizeof(k), "%s_addr", which);
	key_str(f, k, a->has_ip ? a->ip : NULL);
	snprintf(k, sizeof(k), "%s_port", which);
	key_int(f, k, a->port, a->port >= 0);
	snprintf(k, sizeof(k), "%s_path", which);
	key(f, k);
	if (a->has_path)
		at_json_string(f, a->path, a->path_len);
	else
		fputs("null", f);
}

static void json_family(FILE *f, int family)
{
	const char *name = at_family_name(family);

	key(f, "family");
	if (name)
		at_json_string(f, name, strlen(name));
	else if (family >= 0)
		fprintf(f, "%d", family);
	else
		fputs("null", f);
}

static void json_result(FILE *f, int ret)
{
	const char *name = ret < 0 ? at_errno_name(ret) : NULL;

	key_int(f, "ret", ret, true);
	key(f, "errno");
	if (name)
		at_json_string(f, name, strlen(name));
	else if (ret < 0)
		fprintf(f, "%d", -ret);
	else
		fputs("null", f);
}

/* @value as the field's C type has it: signed for accept4's int flags. */
static void json_flags(FILE *f, long long value, unsigned long flags,
		       const struct at_name *tab, unsigned int n)
{
	char buf[256];

	key_int(f, "flags", value, true);
	at_format_flags(buf, sizeof(buf), flags, tab, n);
	key_str(f, "flags_names", buf);
}

static void json_task(FILE *f, const struct accepttrace_task *t)
{
	key_int(f, "pid", t->pid, true);
	key_int(f, "tid", t->tid, true);
	key_int(f, "uid", t->uid, true);
	key(f, "comm");
	at_json_string(f, t->comm, strnlen(t->comm, sizeof(t->comm)));
	key_int(f, "netns", t->netns, true);
}

static const char *syscall_name(unsigned int nr)
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

/* The caller's address buffer at return, as raw bytes. */
static void json_user(FILE *f, const struct accepttrace_sockaddr *u)
{
	unsigned int i, n = u->stored < ACCEPTTRACE_ADDR_MAX ?
			    u->stored : ACCEPTTRACE_ADDR_MAX;

	key_int(f, "user_len", u->len, true);
	key_int(f, "user_stored", n, true);
	key(f, "user_data");
	if (n && !(u->flags & ACCEPTTRACE_SA_FAULT)) {
		fputc('"', f);
		for (i = 0; i < n; i++)
			fprintf(f, "%02x", u->data[i]);
		fputc('"', f);
	} else {
		fputs("null", f);
	}
	key(f, "user_fault");
	fputs(u->flags & ACCEPTTRACE_SA_FAULT ? "true" : "false", f);
}

static void json_sys(FILE *f, const struct accepttrace_sys_accept4 *r,
		     const struct at_event *ev)
{
	char addr[32];
	bool in = r->uaddrlen && (r->valid & ACCEPTTRACE_V_ADDRLEN_IN);
	bool out = r->uaddrlen && (r->valid & ACCEPTTRACE_V_ADDRLEN_OUT);

	key_str(f, "probe", "sys_accept4");
	key_str(f, "syscall", syscall_name(r->syscall));
	key_int(f, "fd", r->fd, true);
	snprintf(addr, sizeof(addr), "0x%llx", (unsigned long long)r->uaddr);
	key_str(f, "addr", r->uaddr ? addr : NULL);
	key_int(f, "addrlen_in", r->addrlen_in, in);
	key_int(f, "addrlen_out", r->addrlen_out, out);
	json_flags(f, r->flags, (uint32_t)r->flags, at_sock_flag_names,
		   at_sock_flag_names_count);
	json_result(f, r->ret);
	json_family(f, ev->family);
	json_addr(f, "local", &ev->local);
	json_addr(f, "peer", &ev->peer);
	json_user(f, &r->user);
	key_int(f, "latency_ns", (long long)r->latency_ns, true);
}

static void json_inet(FILE *f, const struct accepttrace_inet_accept *r,
		      const struct at_event *ev)
{
	key_str(f, "probe", "inet_accept");
	key_str(f, "syscall", NULL);
	key_int(f, "fd", 0, false);
	key_str(f, "addr", NULL);
	key_int(f, "addrlen_in", 0, false);
	key_int(f, "addrlen_out", 0, false);
	json_flags(f, r->flags, r->flags, at_file_flag_names,
		   at_file_flag_names_count);
	json_result(f, r->ret);
	json_family(f, ev->family);
	json_addr(f, "local", &ev->local);
	json_addr(f, "peer", &ev->peer);
	key_int(f, "latency_ns", (long long)r->latency_ns, true);
	key(f, "kern");
	fputs(r->kern ? "true" : "false", f);
	key_int(f, "qlen", r->qlen, true);
	key_int(f, "qmax", r->qmax, true);
	key_str(f, "listen_addr", ev->listen.has_ip ? ev->listen.ip : NULL);
	key_int(f, "listen_port", ev->listen.port, ev->listen.port >= 0);
}

static void json_time(FILE *f, uint64_t ts, long long wall_off_ns,
		      long long start_ns, enum at_time_mode mode)
{
	long long t;

	if (mode == AT_TIME_WALL) {
		t = (long long)ts + wall_off_ns;
		fprintf(f, ",\"time\":%lld.%09lld", t / 1000000000LL,
			t % 1000000000LL);
	} else if (mode == AT_TIME_REL) {
		t = (long long)ts - start_ns;
		if (t < 0)
			t = 0;
		fprintf(f, ",\"t\":%lld.%09lld", t / 1000000000LL,
			t % 1000000000LL);
	}
}

void at_json_record(FILE *f, const struct accepttrace_hdr *h,
		    long long wall_off_ns, long long start_ns,
		    enum at_time_mode mode)
{
	struct at_event ev;

	if (h->type == ACCEPTTRACE_REC_LOST &&
	    h->size >= sizeof(struct accepttrace_lost)) {
		fprintf(f, "{\"lost\":%llu,\"cpu\":%u,\"ts_ns\":%llu}\n",
			(unsigned long long)
			((const struct accepttrace_lost *)h)->count,
			h->cpu, (unsigned long long)h->ts_ns);
		return;
	}
	if (at_decode_event(h, &ev)) {
		fprintf(f, "{\"unknown_type\":%u,\"size\":%u,\"cpu\":%u}\n",
			h->type, h->size, h->cpu);
		return;
	}
	fprintf(f, "{\"seq\":%llu", (unsigned long long)h->seq);
	key_int(f, "ts_ns", (long long)h->ts_ns, true);
	json_time(f, h->ts_ns, wall_off_ns, start_ns, mode);
	key_int(f, "cpu", h->cpu, true);
	json_task(f, ev.task);
	if (ev.is_sys)
		json_sys(f, (const void *)h, &ev);
	else
		json_inet(f, (const void *)h, &ev);
	fputs("}\n", f);
}
