// SPDX-License-Identifier: GPL-2.0
/*
 * Records to fields: family, address, port and path decoded from the raw
 * struct accepttrace_sockaddr bytes.  Addresses are printed by
 * at_format_sockaddr() from module/format.c, so an address reads the same
 * in JSON as in the module's text lines.
 */
#include <string.h>

#include "tool.h"

#define AT_AF_UNIX	1
#define AT_AF_INET	2
#define AT_AF_INET6	10

const char *at_family_name(int family)
{
	if (family < 0)
		return NULL;
	return at_name_of(at_family_names, at_family_names_count, family);
}

static unsigned int host16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static unsigned int be16(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

/*
 * The address part of a complete sockaddr_in/_in6, without the port:
 * format the whole address with the module's formatter and cut
 * "1.2.3.4:80" or "[::1]:80" down to "1.2.3.4" or "::1".
 */
static void ip_text(const struct accepttrace_sockaddr *sa, size_t full,
		    char *out, size_t size)
{
	struct accepttrace_sockaddr tmp;
	char buf[160], *end;
	const char *start = buf;
	size_t n;

	memset(&tmp, 0, sizeof(tmp));
	memcpy(tmp.data, sa->data, full);
	tmp.len = full;
	tmp.stored = full;
	at_format_sockaddr(buf, sizeof(buf), &tmp);
	end = strrchr(buf, ':');
	if (end)
		*end = '\0';
	if (buf[0] == '[') {
		start = buf + 1;
		end = strrchr(buf, ']');
		if (end)
			*end = '\0';
	}
	n = strnlen(start, size - 1);
	memcpy(out, start, n);
	out[n] = '\0';
}

void at_decode_addr(const struct accepttrace_sockaddr *sa, struct at_addr *a)
{
	size_t stored = sa->stored < ACCEPTTRACE_ADDR_MAX ?
			sa->stored : ACCEPTTRACE_ADDR_MAX;
	const uint8_t *d = sa->data;

	memset(a, 0, sizeof(*a));
	a->family = -1;
	a->port = -1;
	if (!sa->len || (sa->flags & ACCEPTTRACE_SA_FAULT))
		return;
	a->present = true;
	a->truncated = stored < sa->len;
	if (stored < 2)
		return;
	a->family = host16(d);
	switch (a->family) {
	case AT_AF_INET:
	case AT_AF_INET6:
		if (stored >= 4)
			a->port = be16(d + 2);
		if (a->family == AT_AF_INET && stored >= 16) {
			ip_text(sa, 16, a->ip, sizeof(a->ip));
			a->has_ip = true;
		} else if (a->family == AT_AF_INET6 && stored >= 28) {
			ip_text(sa, 28, a->ip, sizeof(a->ip));
			a->has_ip = true;
		}
		break;
	case AT_AF_UNIX: {
		const char *p = (const char *)d + 2;
		size_t n = stored - 2;

		if (!n)
			break;		/* unnamed */
		a->has_path = true;
		if (p[0] == '\0') {
			a->path[0] = '@';
			memcpy(a->path + 1, p + 1, n - 1);
			a->path_len = n;
		} else {
			a->path_len = strnlen(p, n);
			memcpy(a->path, p, a->path_len);
		}
		break;
	}
	}
}

int at_decode_event(const struct accepttrace_hdr *h, struct at_event *ev)
{
	static const struct accepttrace_sockaddr none;

	memset(ev, 0, sizeof(*ev));
	ev->hdr = h;
	ev->family = -1;
	at_decode_addr(&none, &ev->local);
	at_decode_addr(&none, &ev->peer);
	at_decode_addr(&none, &ev->listen);
	if (h->type == ACCEPTTRACE_REC_SYS_ACCEPT4 &&
	    h->size >= sizeof(struct accepttrace_sys_accept4)) {
		const struct accepttrace_sys_accept4 *r = (const void *)h;

		ev->is_sys = true;
		ev->task = &r->task;
		ev->ret = r->ret;
		ev->latency_ns = r->latency_ns;
		if (r->ret >= 0 && (r->valid & ACCEPTTRACE_V_SOCK)) {
			at_decode_addr(&r->local, &ev->local);
			at_decode_addr(&r->peer, &ev->peer);
		}
		ev->family = ev->local.family >= 0 ? ev->local.family :
			     ev->peer.family;
		return 0;
	}
	if (h->type == ACCEPTTRACE_REC_INET_ACCEPT &&
	    h->size >= sizeof(struct accepttrace_inet_accept)) {
		const struct accepttrace_inet_accept *r = (const void *)h;

		ev->task = &r->task;
		ev->ret = r->ret;
		ev->latency_ns = r->latency_ns;
		at_decode_addr(&r->listen, &ev->listen);
		if (r->ret >= 0) {
			at_decode_addr(&r->local, &ev->local);
			at_decode_addr(&r->peer, &ev->peer);
		}
		ev->family = r->family ? r->family : ev->listen.family;
		return 0;
	}
	return -1;
}

int at_event_port(const struct at_event *ev)
{
	if (!ev->is_sys)
		return ev->listen.port;
	return ev->ret >= 0 ? ev->local.port : -1;
}
