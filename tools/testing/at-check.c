// SPDX-License-Identifier: GPL-2.0
/*
 * at-check - read accepttrace's binary records and hold them to the
 * workload's account.
 *
 *   at-check [-e EXPECT] [-r FILE]... [-w FILE] [-t MS] [-n] [-v]
 *
 * Opens /dev/accepttrace, checks ACCEPTTRACE_IOC_ABI_VERSION, switches to
 * binary records and reads until the device is empty (-t: then waits up
 * to MS milliseconds for more).  -r adds records saved earlier by another
 * reader (at-dev binread), taken as read before the device's; -n reads no
 * device.  -w saves what was read from the device.
 *
 * Matching (the workload contract, extended for io_uring workers): an
 * EXPECT line with a tid belongs to the group (probe, tid), one without a
 * tid to (probe, pid, listen_port), or for AF_UNIX (probe, pid,
 * listen_path).  A record joins its (probe, tid) group if there is one,
 * else its (probe, pid, listen port or path) group, else
 * it is ignored.  Within a group the k-th EXPECT line matches the k-th
 * record; every key the line prints must equal the record's value, as
 * decoded here from the raw bytes.  A missing or an extra record in a
 * group is a failure.
 *
 * Also checked, whatever the account: every accept record's layout
 * (record ABI 2: its addresses lie within it and end at its size, none
 * stores more than its length, the padding after each one's data is
 * zero), and per CPU, each record's seq is the previous one's plus one
 * plus the events LOST records reported between them.  Output is a KTAP
 * document (numbered results, "# " diagnostics, no plan); the last line
 * summarises what was read:
 *   # records: total=N sys_accept4=N inet_accept=N uring_accept=N
 *              lost_records=N lost_events=N
 * Exit status: 0 all ok, 1 a check failed, 2 could not run.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "accepttrace.h"
#include "accepttrace_format.h"

#define MAX_KEYS	48
#define NO_VALUE	"(none)"

struct record {
	struct accepttrace_hdr *h;
	int group;			/* -1: not in the account */
};

struct expect {
	char *line;
	unsigned int n;
	char *key[MAX_KEYS], *val[MAX_KEYS];
	int group;
	unsigned int nth;		/* among its case's records of its probe */
};

static struct record *recs;
static unsigned int nrecs;
static struct expect *exps;
static unsigned int nexps;
static char **groups;
static unsigned int ngroups;
static unsigned int failures;
static unsigned int ntests;	/* results printed */
static bool verbose;

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "at-check: out of memory\n");
		exit(2);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		fprintf(stderr, "at-check: out of memory\n");
		exit(2);
	}
	return d;
}

static void tap(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %u ", ok ? "ok" : "not ok", ++ntests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!ok)
		failures++;
}

/* ---- reading records ---- */

static void add_records(const unsigned char *buf, size_t len, const char *src)
{
	const struct accepttrace_hdr *h;
	size_t off = 0;

	while (off + sizeof(*h) <= len) {
		h = (const void *)(buf + off);
		if (h->size < sizeof(*h) || h->size % 8 || off + h->size > len) {
			tap(false, "%s: record at byte %zu has size %u", src,
			    off, h->size);
			return;
		}
		recs = xrealloc(recs, (nrecs + 1) * sizeof(*recs));
		recs[nrecs].h = xrealloc(NULL, h->size);
		memcpy(recs[nrecs].h, h, h->size);
		recs[nrecs].group = -1;
		nrecs++;
		off += h->size;
	}
	if (off != len)
		tap(false, "%s: %zu bytes of a partial record", src, len - off);
}

static void read_file_records(const char *path)
{
	static unsigned char buf[1 << 20];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f) {
		fprintf(stderr, "at-check: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	add_records(buf, n, path);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void read_device(int timeout_ms, const char *save)
{
	static unsigned char buf[64 * 1024];
	long long deadline = now_ms() + timeout_ms, left;
	FILE *out = NULL;
	__u32 abi = 0, one = 1;
	ssize_t n;
	int fd;

	fd = open(ACCEPTTRACE_DEVICE, O_RDONLY | O_NONBLOCK);
	if (fd < 0) {
		fprintf(stderr, "at-check: %s: %s\n", ACCEPTTRACE_DEVICE,
			strerror(errno));
		exit(2);
	}
	if (ioctl(fd, ACCEPTTRACE_IOC_ABI_VERSION, &abi)) {
		fprintf(stderr, "at-check: ACCEPTTRACE_IOC_ABI_VERSION: %s\n",
			strerror(errno));
		exit(2);
	}
	tap(abi == ACCEPTTRACE_ABI_VERSION, "ABI version %u (expected %u)",
	    abi, ACCEPTTRACE_ABI_VERSION);
	if (ioctl(fd, ACCEPTTRACE_IOC_SET_BINARY, &one)) {
		fprintf(stderr, "at-check: ACCEPTTRACE_IOC_SET_BINARY: %s\n",
			strerror(errno));
		exit(2);
	}
	if (save) {
		out = fopen(save, "w");
		if (!out) {
			fprintf(stderr, "at-check: %s: %s\n", save,
				strerror(errno));
			exit(2);
		}
	}
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			add_records(buf, (size_t)n, ACCEPTTRACE_DEVICE);
			if (out)
				fwrite(buf, 1, (size_t)n, out);
			continue;
		}
		if (n == 0 || errno != EAGAIN) {
			tap(false, "read %s: %s", ACCEPTTRACE_DEVICE,
			    n ? strerror(errno) : "end of file");
			break;
		}
		/*
		 * The time left is read once: read twice, a deadline that
		 * passed in between gave poll() a negative timeout, which
		 * waits for ever on a device that records nothing more.
		 */
		left = deadline - now_ms();
		if (left <= 0)
			break;
		poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1,
		     (int)left);
	}
	if (out)
		fclose(out);
	close(fd);
}

/* ---- decoding a record into the account's keys ---- */

struct kv {
	char key[32];
	char val[256];
};

struct fields {
	struct kv kv[MAX_KEYS];
	unsigned int n;
};

static void set(struct fields *f, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set(struct fields *f, const char *key, const char *fmt, ...)
{
	va_list ap;

	if (f->n == MAX_KEYS)
		return;
	snprintf(f->kv[f->n].key, sizeof(f->kv[f->n].key), "%s", key);
	va_start(ap, fmt);
	vsnprintf(f->kv[f->n].val, sizeof(f->kv[f->n].val), fmt, ap);
	va_end(ap);
	f->n++;
}

static const char *get(const struct fields *f, const char *key)
{
	unsigned int i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(f->kv[i].key, key))
			return f->kv[i].val;
	return NULL;
}

static unsigned int u16_host(const __u8 *p)
{
	__u16 v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The raw sockaddr bytes as "<what>_addr/_port" or "<what>_path". */
static void set_sockaddr(struct fields *f, const char *what,
			 const struct accepttrace_sockaddr *sa, bool family)
{
	size_t stored = sa->stored;	/* <= ADDR_MAX: accepttrace_rec_addrs */
	const __u8 *d = sa->data;
	char key[32], ip[INET6_ADDRSTRLEN];
	const char *name;
	unsigned int fam;

	if (!sa->len || (sa->flags & ACCEPTTRACE_SA_FAULT) || stored < 2)
		return;
	fam = u16_host(d);
	if (family) {
		name = at_name_of(at_family_names, at_family_names_count, fam);
		if (name)
			set(f, "family", "%s", name);
		else
			set(f, "family", "%u", fam);
	}
	if ((fam == AF_INET || fam == AF_INET6) && stored >= 4) {
		snprintf(key, sizeof(key), "%s_port", what);
		set(f, key, "%u", (unsigned int)d[2] << 8 | d[3]);
	}
	snprintf(key, sizeof(key), "%s_addr", what);
	if (fam == AF_INET && stored >= 16)
		set(f, key, "%s", inet_ntop(AF_INET, d + 4, ip, sizeof(ip)));
	else if (fam == AF_INET6 && stored >= 28)
		set(f, key, "%s", inet_ntop(AF_INET6, d + 8, ip, sizeof(ip)));
	if (fam != AF_UNIX)
		return;
	snprintf(key, sizeof(key), "%s_path", what);
	if (stored == 2)
		set(f, key, "null");
	else if (d[2] == '\0')
		set(f, key, "@%.*s", (int)(stored - 3), (const char *)d + 3);
	else
		set(f, key, "%.*s", (int)strnlen((const char *)d + 2,
						 stored - 2),
		    (const char *)d + 2);
}

static void set_task(struct fields *f, const struct accepttrace_task *t)
{
	set(f, "pid", "%u", t->pid);
	set(f, "tid", "%u", t->tid);
	set(f, "netns", "%u", t->netns);
	set(f, "comm", "%.*s", (int)strnlen(t->comm, sizeof(t->comm)),
	    t->comm);
}

static void set_ret(struct fields *f, __s32 ret)
{
	const char *name = ret < 0 ? at_errno_name(ret) : NULL;

	set(f, "ret", "%d", ret);
	if (name)
		set(f, "errno", "%s", name);
	else if (ret < 0)
		set(f, "errno", "%d", -ret);
	else
		set(f, "errno", "null");
}

static void set_user(struct fields *f, const struct accepttrace_sockaddr *u)
{
	unsigned int i, n = u->stored;	/* <= ADDR_MAX, as above */
	char hex[2 * ACCEPTTRACE_ADDR_MAX + 1];

	set(f, "user_len", "%u", u->len);
	set(f, "user_stored", "%u", n);
	set(f, "user_fault", "%d", !!(u->flags & ACCEPTTRACE_SA_FAULT));
	if (!n || (u->flags & ACCEPTTRACE_SA_FAULT)) {
		set(f, "user_data", "null");
		return;
	}
	for (i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02x", u->data[i]);
	set(f, "user_data", "%s", hex);
}

/* "addr", "addrlen_in" and "addrlen_out" of an accept's arguments. */
static void set_accept_args(struct fields *f, __u64 uaddr, __u64 uaddrlen,
			    __u16 valid, __s32 len_in, __s32 len_out)
{
	if (uaddr)
		set(f, "addr", "%#llx", (unsigned long long)uaddr);
	else
		set(f, "addr", "null");
	if (uaddrlen && (valid & ACCEPTTRACE_V_ADDRLEN_IN))
		set(f, "addrlen_in", "%d", len_in);
	else
		set(f, "addrlen_in", "null");
	if (uaddrlen && (valid & ACCEPTTRACE_V_ADDRLEN_OUT))
		set(f, "addrlen_out", "%d", len_out);
	else
		set(f, "addrlen_out", "null");
}

static void decode_sys(struct fields *f,
		       const struct accepttrace_sys_accept4 *r,
		       const struct accepttrace_sockaddr *const *sa)
{
	static const char *const names[] = {
		[ACCEPTTRACE_SYSCALL_UNKNOWN] = "null",
		[ACCEPTTRACE_SYSCALL_ACCEPT] = "accept",
		[ACCEPTTRACE_SYSCALL_ACCEPT4] = "accept4",
		[ACCEPTTRACE_SYSCALL_SOCKETCALL] = "socketcall",
	};

	set(f, "probe", "sys_accept4");
	set(f, "syscall", "%s", r->syscall < 4 ? names[r->syscall] : "?");
	set_task(f, &r->task);
	set(f, "fd", "%d", r->fd);
	set(f, "flags", "%d", r->flags);
	set_ret(f, r->ret);
	set_accept_args(f, r->uaddr, r->uaddrlen, r->valid, r->addrlen_in,
			r->addrlen_out);
	if (r->ret >= 0 && (r->valid & ACCEPTTRACE_V_SOCK)) {
		set_sockaddr(f, "local", sa[ACCEPTTRACE_ADDR_LOCAL], true);
		set_sockaddr(f, "peer", sa[ACCEPTTRACE_ADDR_PEER], false);
	}
	set_user(f, sa[ACCEPTTRACE_ADDR_USER]);
}

static void decode_inet(struct fields *f,
			const struct accepttrace_inet_accept *r,
			const struct accepttrace_sockaddr *const *sa)
{
	const char *fam = at_name_of(at_family_names, at_family_names_count,
				     r->family);

	set(f, "probe", "inet_accept");
	set_task(f, &r->task);
	set(f, "flags", "%u", r->flags);
	set_ret(f, r->ret);
	set(f, "kern", "%u", r->kern);
	set(f, "qlen", "%u", r->qlen);
	set(f, "qmax", "%u", r->qmax);
	set_sockaddr(f, "listen", sa[ACCEPTTRACE_ADDR_LISTEN], false);
	if (r->ret >= 0) {
		if (fam)
			set(f, "family", "%s", fam);
		else
			set(f, "family", "%u", r->family);
		set_sockaddr(f, "local", sa[ACCEPTTRACE_ADDR_LOCAL], false);
		set_sockaddr(f, "peer", sa[ACCEPTTRACE_ADDR_PEER], false);
	}
}

static void decode_uring(struct fields *f,
			 const struct accepttrace_uring_accept *r,
			 const struct accepttrace_sockaddr *const *sa)
{
	set(f, "probe", "uring_accept");
	set_task(f, &r->task);
	set(f, "flags", "%d", r->flags);
	set(f, "file_flags", "%u", r->file_flags);
	set_ret(f, r->ret);
	set_accept_args(f, r->uaddr, r->uaddrlen, r->valid, r->addrlen_in,
			r->addrlen_out);
	set_sockaddr(f, "listen", sa[ACCEPTTRACE_ADDR_LISTEN], false);
	if (r->ret >= 0 && (r->valid & ACCEPTTRACE_V_SOCK)) {
		set_sockaddr(f, "local", sa[ACCEPTTRACE_ADDR_LOCAL], true);
		set_sockaddr(f, "peer", sa[ACCEPTTRACE_ADDR_PEER], false);
	}
}

/*
 * A record whose addresses do not lie within it decodes to no keys (and
 * fails check_layout()), so it matches no EXPECT line.
 */
static void decode(const struct accepttrace_hdr *h, struct fields *f)
{
	const struct accepttrace_sockaddr *sa[ACCEPTTRACE_REC_NADDR];

	f->n = 0;
	if (accepttrace_rec_addrs(h, sa))
		return;
	if (h->type == ACCEPTTRACE_REC_SYS_ACCEPT4)
		decode_sys(f, (const void *)h, sa);
	else if (h->type == ACCEPTTRACE_REC_INET_ACCEPT)
		decode_inet(f, (const void *)h, sa);
	else if (h->type == ACCEPTTRACE_REC_URING_ACCEPT)
		decode_uring(f, (const void *)h, sa);
}

static void print_record(const char *prefix, const struct accepttrace_hdr *h)
{
	char line[AT_LINE_MAX];

	at_format_record(line, sizeof(line), h);
	printf("%s%s", prefix, line);
}

/* ---- the account ---- */

static int group_of(const char *name, bool create)
{
	unsigned int i;

	for (i = 0; i < ngroups; i++)
		if (!strcmp(groups[i], name))
			return (int)i;
	if (!create)
		return -1;
	groups = xrealloc(groups, (ngroups + 1) * sizeof(*groups));
	groups[ngroups] = xstrdup(name);
	return (int)ngroups++;
}

static const char *exp_get(const struct expect *e, const char *key)
{
	unsigned int i;

	for (i = 0; i < e->n; i++)
		if (!strcmp(e->key[i], key))
			return e->val[i];
	return NULL;
}

static void tid_group(char *buf, size_t size, const char *probe,
		      const char *tid)
{
	snprintf(buf, size, "%s tid=%s", probe, tid);
}

/* @listen: the listener's port, or its path for AF_UNIX. */
static void port_group(char *buf, size_t size, const char *probe,
		       const char *pid, const char *listen)
{
	snprintf(buf, size, "%s pid=%s listen=%s", probe, pid, listen);
}

static void add_expect(const char *line)
{
	char *buf = xstrdup(line + strlen("EXPECT ")), *tok, *save = NULL;
	const char *probe, *tid, *pid, *port, *cname;
	struct expect *e;
	char group[160];
	unsigned int i;

	exps = xrealloc(exps, (nexps + 1) * sizeof(*exps));
	e = &exps[nexps++];
	memset(e, 0, sizeof(*e));
	e->line = xstrdup(line);
	for (tok = strtok_r(buf, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq || e->n == MAX_KEYS) {
			fprintf(stderr, "at-check: bad EXPECT line: %s", line);
			exit(2);
		}
		*eq = '\0';
		e->key[e->n] = tok;
		e->val[e->n++] = eq + 1;
	}
	probe = exp_get(e, "probe");
	tid = exp_get(e, "tid");
	pid = exp_get(e, "pid");
	port = exp_get(e, "listen_port") ?: exp_get(e, "listen_path");
	cname = exp_get(e, "case");
	if (!probe || !cname || (!tid && (!pid || !port))) {
		fprintf(stderr, "at-check: EXPECT line needs case, probe and "
			"tid (or pid and listen_port or listen_path): %s",
			line);
		exit(2);
	}
	if (tid)
		tid_group(group, sizeof(group), probe, tid);
	else
		port_group(group, sizeof(group), probe, pid, port);
	e->group = group_of(group, true);
	e->nth = 1;
	for (i = 0; i + 1 < nexps; i++)
		if (!strcmp(exp_get(&exps[i], "case"), cname) &&
		    !strcmp(exp_get(&exps[i], "probe"), probe))
			e->nth++;
}

static void read_expect(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t size = 0;

	if (!f) {
		fprintf(stderr, "at-check: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while (getline(&line, &size, f) > 0)
		if (!strncmp(line, "EXPECT ", 7))
			add_expect(line);
	free(line);
	fclose(f);
}

/* A record's group: its thread's if the account has one, else its port's. */
static void assign_groups(void)
{
	struct fields f;
	char g[160];
	const char *probe, *port;
	unsigned int i;

	for (i = 0; i < nrecs; i++) {
		decode(recs[i].h, &f);
		probe = get(&f, "probe");
		if (!probe)
			continue;
		tid_group(g, sizeof(g), probe, get(&f, "tid"));
		recs[i].group = group_of(g, false);
		if (recs[i].group >= 0)
			continue;
		port = get(&f, "listen_port") ?: get(&f, "listen_path");
		port_group(g, sizeof(g), probe, get(&f, "pid"),
			   port ? port : "null");
		recs[i].group = group_of(g, false);
	}
}

static bool compare(const struct expect *e, const struct accepttrace_hdr *h)
{
	struct fields f;
	const char *got;
	bool ok = true;
	unsigned int i;

	decode(h, &f);
	for (i = 0; i < e->n; i++) {
		if (!strcmp(e->key[i], "case"))
			continue;
		got = get(&f, e->key[i]);
		if (got && !strcmp(got, e->val[i]))
			continue;
		printf("#   %s: expected %s got %s\n", e->key[i], e->val[i],
		       got ? got : NO_VALUE);
		ok = false;
	}
	return ok;
}

static void match(void)
{
	unsigned int g, i, ri;

	assign_groups();
	for (g = 0; g < ngroups; g++) {
		ri = 0;
		for (i = 0; i < nexps; i++) {
			const struct expect *e = &exps[i];
			const char *cname = exp_get(e, "case");
			const char *probe = exp_get(e, "probe");

			if (e->group != (int)g)
				continue;
			while (ri < nrecs && recs[ri].group != (int)g)
				ri++;
			if (ri == nrecs) {
				tap(false, "%s: %s record %u (no record for %s)",
				    cname, probe, e->nth, groups[g]);
				printf("#   %s", e->line);
				continue;
			}
			if (compare(e, recs[ri].h)) {
				tap(true, "%s: %s record %u", cname, probe,
				    e->nth);
				if (verbose)
					print_record("#   ", recs[ri].h);
			} else {
				tap(false, "%s: %s record %u", cname, probe,
				    e->nth);
				printf("#   %s", e->line);
				print_record("#   got: ", recs[ri].h);
			}
			ri++;
		}
		for (; ri < nrecs; ri++) {
			if (recs[ri].group != (int)g)
				continue;
			tap(false, "no extra record for %s", groups[g]);
			print_record("#   extra: ", recs[ri].h);
		}
	}
}

/* ---- whatever the account: layout, seq continuity and a summary ---- */

/*
 * What is wrong with the layout of accept record @h (record ABI 2), or
 * NULL: its three addresses lie within it and end exactly at hdr.size
 * (accepttrace_rec_addrs()), none stores more than its length (nor
 * anything without one), and the bytes after each address's data, up to
 * the next multiple of 8, are zero.  *@slot: the address at fault.
 */
static const char *layout_error(const struct accepttrace_hdr *h,
				unsigned int *slot)
{
	const struct accepttrace_sockaddr *sa[ACCEPTTRACE_REC_NADDR];
	unsigned int i, k;

	*slot = 0;
	if (accepttrace_rec_addrs(h, sa))
		return "addresses not within hdr.size, or not ending at it";
	for (i = 0; i < ACCEPTTRACE_REC_NADDR; i++) {
		const struct accepttrace_sockaddr *a = sa[i];
		unsigned int end = ACCEPTTRACE_SOCKADDR_SIZE(a->stored) -
				   sizeof(*a);

		*slot = i;
		if (a->stored > a->len)
			return "stored > len";
		for (k = a->stored; k < end; k++)
			if (a->data[k])
				return "padding after the data not zero";
	}
	return NULL;
}

static void check_layout(void)
{
	unsigned int i, slot, n = 0, bad = 0;
	const char *why;

	for (i = 0; i < nrecs; i++) {
		const struct accepttrace_hdr *h = recs[i].h;

		if (!accepttrace_addrs_offset(h->type))
			continue;	/* LOST, or counted by summary() */
		n++;
		why = layout_error(h, &slot);
		if (why && bad++ < 5)
			printf("#   record %u (type %u size %u cpu %u seq %llu)"
			       ": address %u: %s\n", i, h->type, h->size,
			       h->cpu, (unsigned long long)h->seq, slot, why);
	}
	if (n)
		tap(!bad, "layout of %u accept records: addresses within, "
		    "zero padded, ending at hdr.size (%u bad)", n, bad);
}

struct cpu_seq {
	__u32 cpu;
	bool seen;
	__u64 last;
	__u64 lost;		/* reported since the last record */
};

static void check_seq(void)
{
	struct cpu_seq *c = NULL;
	unsigned int ncpu = 0, i, j, bad = 0;

	for (i = 0; i < nrecs; i++) {
		const struct accepttrace_hdr *h = recs[i].h;

		for (j = 0; j < ncpu && c[j].cpu != h->cpu; j++)
			;
		if (j == ncpu) {
			c = xrealloc(c, (ncpu + 1) * sizeof(*c));
			memset(&c[ncpu], 0, sizeof(*c));
			c[ncpu++].cpu = h->cpu;
		}
		if (h->type == ACCEPTTRACE_REC_LOST) {
			c[j].lost += ((const struct accepttrace_lost *)h)->count;
			continue;
		}
		if (c[j].seen && h->seq != c[j].last + 1 + c[j].lost) {
			printf("#   cpu %u: seq %llu after %llu with %llu lost\n",
			       h->cpu, (unsigned long long)h->seq,
			       (unsigned long long)c[j].last,
			       (unsigned long long)c[j].lost);
			bad++;
		}
		c[j].seen = true;
		c[j].last = h->seq;
		c[j].lost = 0;
	}
	if (nrecs)
		tap(!bad, "seq continuous per cpu across %u records", nrecs);
	free(c);
}

static void summary(void)
{
	unsigned int i, sys = 0, inet = 0, uring = 0, lost = 0, other = 0;
	unsigned long long events = 0;

	for (i = 0; i < nrecs; i++) {
		switch (recs[i].h->type) {
		case ACCEPTTRACE_REC_SYS_ACCEPT4:
			sys++;
			break;
		case ACCEPTTRACE_REC_INET_ACCEPT:
			inet++;
			break;
		case ACCEPTTRACE_REC_URING_ACCEPT:
			uring++;
			break;
		case ACCEPTTRACE_REC_LOST:
			lost++;
			events += ((struct accepttrace_lost *)recs[i].h)->count;
			break;
		default:
			other++;
		}
	}
	if (other)
		tap(false, "%u records of unknown type", other);
	printf("# records: total=%u sys_accept4=%u inet_accept=%u "
	       "uring_accept=%u lost_records=%u lost_events=%llu\n",
	       nrecs, sys, inet, uring, lost, events);
}

static void usage(FILE *f)
{
	fputs("usage: at-check [-e EXPECT] [-r RECORDS]... [-w SAVE] [-t MS] [-n] [-v] [-p]\n"
	      "  -e FILE  the workload's account (its stdout)\n"
	      "  -r FILE  binary records read earlier, counted first\n"
	      "  -w FILE  save the records read from the device\n"
	      "  -t MS    once the device is empty, wait MS ms for more\n"
	      "  -n       read no device (only -r files)\n"
	      "  -p       print every record as a text line (# prefixed)\n"
	      "  -v       print matched records too\n", f);
}

int main(int argc, char **argv)
{
	const char *expect = NULL, *save = NULL;
	bool device = true, print = false;
	int o, timeout = 0;
	unsigned int i;

	puts("KTAP version 1");
	while ((o = getopt(argc, argv, "e:r:w:t:nvph")) != -1) {
		switch (o) {
		case 'e':
			expect = optarg;
			break;
		case 'r':
			read_file_records(optarg);
			break;
		case 'w':
			save = optarg;
			break;
		case 't':
			timeout = atoi(optarg);
			break;
		case 'n':
			device = false;
			break;
		case 'v':
			verbose = true;
			break;
		case 'p':
			print = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (expect)
		read_expect(expect);
	if (device)
		read_device(timeout, save);
	if (print)
		for (i = 0; i < nrecs; i++)
			print_record("# ", recs[i].h);
	if (expect) {
		if (!nexps)
			tap(false, "the account %s has EXPECT lines", expect);
		match();
	}
	check_layout();
	check_seq();
	summary();
	return failures ? 1 : 0;
}
