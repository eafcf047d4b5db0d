// SPDX-License-Identifier: GPL-2.0
/*
 * Records to fields: family, address, port and path decoded from the raw
 * struct accepttrace_sockaddr bytes.  IP addresses are printed by
 * at_format_ip() from module/format.c, so an address reads the same in
 * JSON as in the module's text lines.
 */
#include <string.h>

#include "tool.h"

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
 * A record stream repeats a few IPv6 addresses (listener, loopback), so
 * the last ones formatted are kept, keyed by the bytes the text depends
 * on: the address and the scope id (sockaddr_in6 bytes 8..27).
 */
#define IP6_CACHE	8

static struct {
	bool valid;
	uint8_t key[20];
	char text[64];
} ip6_cache[IP6_CACHE];
static unsigned int ip6_next;

/* @out: at least 64 bytes, as struct at_addr's ip.  Returns its length. */
static size_t ip6_lookup(const struct accepttrace_sockaddr *sa, char *out)
{
	unsigned int i;
	size_t n;

	for (i = 0; i < IP6_CACHE; i++) {
		if (ip6_cache[i].valid &&
		    !memcmp(ip6_cache[i].key, sa->data + 8, 20)) {
			n = strlen(ip6_cache[i].text);
			memcpy(out, ip6_cache[i].text, n + 1);
			return n;
		}
	}
	i = ip6_next++ % IP6_CACHE;
	at_format_ip(ip6_cache[i].text, sizeof(ip6_cache[i].text), sa);
	memcpy(ip6_cache[i].key, sa->data + 8, 20);
	ip6_cache[i].valid = true;
	n = strlen(ip6_cache[i].text);
	memcpy(out, ip6_cache[i].text, n + 1);
	return n;
}

/*
 * IPv4 addresses the same way, more of them (a server's clients): a
 * direct-mapped table keyed by the address, whose text is copied whole
 * (at most "255.255.255.255" and its NUL).  Formatting the listener's,
 * local and peer addresses took a third of a JSON line's instructions.
 */
#define IP4_CACHE	256

static struct {
	uint32_t key;
	uint8_t len;		/* 0: empty */
	char text[16];
} ip4_cache[IP4_CACHE];

static size_t ip4_lookup(const struct accepttrace_sockaddr *sa, char *out)
{
	uint32_t key;
	unsigned int i;

	memcpy(&key, sa->data + 4, sizeof(key));
	i = (key * 0x9e3779b1u) >> 24;
	if (!ip4_cache[i].len || ip4_cache[i].key != key) {
		ip4_cache[i].len = at_format_ip(ip4_cache[i].text,
						sizeof(ip4_cache[i].text), sa);
		ip4_cache[i].key = key;
	}
	memcpy(out, ip4_cache[i].text, sizeof(ip4_cache[i].text));
	return ip4_cache[i].len;
}

/* The fields of an address that is not there; arrays are left as they are. */
static void addr_none(struct at_addr *a)
{
	a->present = false;
	a->family = -1;
	a->has_ip = false;
	a->ip[0] = '\0';
	a->ip_len = 0;
	a->port = -1;
	a->has_path = false;
	a->path_len = 0;
	a->truncated = false;
}

void at_decode_addr(const struct accepttrace_sockaddr *sa, struct at_addr *a)
{
	size_t stored = sa->stored < ACCEPTTRACE_ADDR_MAX ?
			sa->stored : ACCEPTTRACE_ADDR_MAX;
	const uint8_t *d = sa->data;

	addr_none(a);
	if (!sa->len || (sa->flags & ACCEPTTRACE_SA_FAULT))
		return;
	a->present = true;
	a->truncated = stored < sa->len;
	if (stored < 2)
		return;
	a->family = host16(d);
	switch (a->family) {
	case ACCEPTTRACE_AF_INET:
	case ACCEPTTRACE_AF_INET6:
		if (stored >= 4)
			a->port = be16(d + 2);
		/* at_format_ip(), cached for complete addresses */
		if (a->family == ACCEPTTRACE_AF_INET6 && stored >= 28)
			a->ip_len = ip6_lookup(sa, a->ip);
		else if (a->family == ACCEPTTRACE_AF_INET && stored >= 16)
			a->ip_len = ip4_lookup(sa, a->ip);
		else
			a->ip_len = at_format_ip(a->ip, sizeof(a->ip), sa);
		a->has_ip = a->ip_len != 0;
		break;
	case ACCEPTTRACE_AF_UNIX: {
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
		a->path[a->path_len] = '\0';
		break;
	}
	}
}

const struct accepttrace_lost *at_as_lost(const struct accepttrace_hdr *h)
{
	if (h->type != ACCEPTTRACE_REC_LOST ||
	    h->size < sizeof(struct accepttrace_lost))
		return NULL;
	return (const struct accepttrace_lost *)h;
}

int at_decode_event(const struct accepttrace_hdr *h, struct at_event *ev)
{
	const struct accepttrace_sockaddr *const *sa = ev->sa;

	ev->hdr = h;
	ev->is_sys = false;
	ev->is_uring = false;
	ev->task = NULL;
	ev->ret = 0;
	ev->latency_ns = 0;
	ev->family = -1;
	addr_none(&ev->local);
	addr_none(&ev->peer);
	addr_none(&ev->listen);
	/*
	 * The addresses are found, and bounds-checked against @h->size,
	 * before any field is read: a record whose addresses do not lie
	 * within it is no event (printed by its header, as the module's
	 * text has it), and nothing past @h->size is read.
	 */
	if (accepttrace_rec_addrs(h, ev->sa))
		return -1;
	switch (h->type) {
	case ACCEPTTRACE_REC_SYS_ACCEPT4: {
		const struct accepttrace_sys_accept4 *r = (const void *)h;

		ev->is_sys = true;
		ev->task = &r->task;
		ev->ret = r->ret;
		ev->latency_ns = r->latency_ns;
		if (r->ret >= 0 && (r->valid & ACCEPTTRACE_V_SOCK)) {
			at_decode_addr(sa[ACCEPTTRACE_ADDR_LOCAL], &ev->local);
			at_decode_addr(sa[ACCEPTTRACE_ADDR_PEER], &ev->peer);
		}
		ev->family = ev->local.family >= 0 ? ev->local.family :
			     ev->peer.family;
		return 0;
	}
	case ACCEPTTRACE_REC_INET_ACCEPT: {
		const struct accepttrace_inet_accept *r = (const void *)h;

		ev->task = &r->task;
		ev->ret = r->ret;
		ev->latency_ns = r->latency_ns;
		at_decode_addr(sa[ACCEPTTRACE_ADDR_LISTEN], &ev->listen);
		if (r->ret >= 0) {
			at_decode_addr(sa[ACCEPTTRACE_ADDR_LOCAL], &ev->local);
			at_decode_addr(sa[ACCEPTTRACE_ADDR_PEER], &ev->peer);
		}
		ev->family = r->family ? r->family : ev->listen.family;
		return 0;
	}
	case ACCEPTTRACE_REC_URING_ACCEPT: {
		const struct accepttrace_uring_accept *r = (const void *)h;

		ev->is_uring = true;
		ev->task = &r->task;
		ev->ret = r->ret;
		ev->latency_ns = r->latency_ns;
		at_decode_addr(sa[ACCEPTTRACE_ADDR_LISTEN], &ev->listen);
		if (r->ret >= 0 && (r->valid & ACCEPTTRACE_V_SOCK)) {
			at_decode_addr(sa[ACCEPTTRACE_ADDR_LOCAL], &ev->local);
			at_decode_addr(sa[ACCEPTTRACE_ADDR_PEER], &ev->peer);
		}
		ev->family = ev->local.family >= 0 ? ev->local.family :
			     ev->listen.family;
		return 0;
	}
	default:	/* accepttrace_rec_addrs() refused it already */
		return -1;
	}
}

int at_event_port(const struct at_event *ev)
{
	if (!ev->is_sys)
		return ev->listen.port;
	return ev->ret >= 0 ? ev->local.port : -1;
}

bool at_event_listener(const struct at_event *ev, struct at_listener *l)
{
	memset(l, 0, sizeof(*l));
	if (ev->is_uring) {
		if (ev->listen.family != ACCEPTTRACE_AF_UNIX)
			return false;
		l->is_unix = true;
		l->port = -1;
		if (ev->listen.has_path) {
			l->path = ev->listen.path;
			l->path_len = ev->listen.path_len;
		}
		return true;
	}
	if (!ev->is_sys) {
		l->port = ev->listen.port;
		return true;
	}
	if (ev->ret < 0 || ev->local.family != ACCEPTTRACE_AF_UNIX)
		return false;
	l->is_unix = true;
	l->port = -1;
	if (ev->local.has_path) {
		l->path = ev->local.path;
		l->path_len = ev->local.path_len;
	}
	return true;
}
