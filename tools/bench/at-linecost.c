// SPDX-License-Identifier: GPL-2.0
/*
 * at-linecost -- the records of one IPv4 connection (an inet_accept and
 * a sys_accept4 record, as the module writes them for at-bench's conn
 * workload) formatted N times, as a JSON line (the tool's at_json_line())
 * or as the module's text line (module/format.c, which `cat` reads from
 * the kernel; here compiled into userspace, as the tool has it).
 * linecost.sh counts its instructions under callgrind.
 *
 *   at-linecost json|text N
 *
 * Each round moves seq, ts_ns, the latency and the peer's port, as a
 * stream of connections does; the task, the listener and the caller's
 * buffer stay.  Prints the bytes written, so nothing is optimised away.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

static union {
	struct accepttrace_hdr hdr;
	__u8 b[ACCEPTTRACE_REC_MAX];
} sys_buf, inet_buf;

/* An AF_INET address at @off of record @b: its head, 16 bytes, padding. */
static size_t put_in(__u8 *b, size_t off, const char *ip, int port)
{
	struct accepttrace_sockaddr *sa = (void *)(b + off);
	struct sockaddr_in in = { .sin_family = AF_INET,
				  .sin_port = htons(port) };

	inet_pton(AF_INET, ip, &in.sin_addr);
	sa->len = sizeof(in);
	sa->stored = sizeof(in);
	memcpy(sa->data, &in, sizeof(in));
	return off + ACCEPTTRACE_SOCKADDR_SIZE(sizeof(in));
}

static void build(void)
{
	struct accepttrace_sys_accept4 *s = (void *)sys_buf.b;
	struct accepttrace_inet_accept *r = (void *)inet_buf.b;
	size_t off;

	s->hdr.type = ACCEPTTRACE_REC_SYS_ACCEPT4;
	s->hdr.cpu = 1;
	s->hdr.seq = 123456;
	s->hdr.ts_ns = 1234567890123ULL;
	s->task.pid = 1234;
	s->task.tid = 1234;
	s->task.netns = 4026531840u;
	memcpy(s->task.comm, "at-bench", 8);
	s->fd = 3;
	s->ret = 5;
	s->syscall = ACCEPTTRACE_SYSCALL_ACCEPT4;
	s->uaddr = 0x7ffd1000;
	s->uaddrlen = 0x7ffd2000;
	s->addrlen_in = 16;
	s->addrlen_out = 16;
	s->valid = ACCEPTTRACE_V_ADDRLEN_IN | ACCEPTTRACE_V_ADDRLEN_OUT |
		   ACCEPTTRACE_V_SOCK;
	s->latency_ns = 152300;
	off = accepttrace_addrs_offset(s->hdr.type);
	off = put_in(sys_buf.b, off, "127.0.0.1", 40000);	/* user */
	off = put_in(sys_buf.b, off, "127.0.0.1", 8080);	/* local */
	off = put_in(sys_buf.b, off, "127.0.0.1", 40000);	/* peer */
	s->hdr.size = off;

	r->hdr.type = ACCEPTTRACE_REC_INET_ACCEPT;
	r->hdr.cpu = 1;
	r->hdr.seq = 123455;
	r->hdr.ts_ns = 1234567880123ULL;
	r->task = s->task;
	r->flags = 02;			/* O_RDWR */
	r->family = ACCEPTTRACE_AF_INET;
	r->type = 1;			/* SOCK_STREAM */
	r->qlen = 1;
	r->qmax = 128;
	r->latency_ns = 150000;
	off = accepttrace_addrs_offset(r->hdr.type);
	off = put_in(inet_buf.b, off, "0.0.0.0", 8080);		/* listen */
	off = put_in(inet_buf.b, off, "127.0.0.1", 8080);	/* local */
	off = put_in(inet_buf.b, off, "127.0.0.1", 40000);	/* peer */
	r->hdr.size = off;
}

/* The next connection: later, and from the next ephemeral port. */
static void next_conn(unsigned long i)
{
	struct accepttrace_sys_accept4 *s = (void *)sys_buf.b;
	struct accepttrace_inet_accept *r = (void *)inet_buf.b;
	const struct accepttrace_sockaddr *sa[ACCEPTTRACE_REC_NADDR];
	__u16 port = htons(40000 + i % 20000);

	s->hdr.seq += 2;
	r->hdr.seq += 2;
	s->hdr.ts_ns += 77777;
	r->hdr.ts_ns += 77777;
	s->latency_ns = 150000 + i % 5000;
	r->latency_ns = 148000 + i % 7000;
	if (accepttrace_rec_addrs(&s->hdr, sa))
		abort();
	memcpy((__u8 *)sa[ACCEPTTRACE_ADDR_USER]->data + 2, &port, 2);
	memcpy((__u8 *)sa[ACCEPTTRACE_ADDR_PEER]->data + 2, &port, 2);
	if (accepttrace_rec_addrs(&r->hdr, sa))
		abort();
	memcpy((__u8 *)sa[ACCEPTTRACE_ADDR_PEER]->data + 2, &port, 2);
}

int main(int argc, char **argv)
{
	static char out[2 * AT_JSON_MAX + 2 * AT_LINE_MAX];
	unsigned long i, n;
	size_t bytes = 0;
	bool json;

	if (argc != 3 || (strcmp(argv[1], "json") && strcmp(argv[1], "text"))) {
		fprintf(stderr, "usage: at-linecost json|text N\n");
		return 2;
	}
	json = !strcmp(argv[1], "json");
	n = strtoul(argv[2], NULL, 0);
	build();
	for (i = 0; i < n; i++) {
		char *p = out;

		next_conn(i);
		if (json) {
			p = at_json_line(p, &inet_buf.hdr, 0, 0, AT_TIME_MONO);
			p = at_json_line(p, &sys_buf.hdr, 0, 0, AT_TIME_MONO);
		} else {
			p += at_format_record(p, AT_LINE_MAX, &inet_buf.hdr);
			p += at_format_record(p, AT_LINE_MAX, &sys_buf.hdr);
		}
		bytes += p - out;
	}
	printf("%s: %lu records, %zu bytes\n", argv[1], 2 * n, bytes);
	return 0;
}
