// SPDX-License-Identifier: GPL-2.0
/*
 * at-fuzz - hostile input for /dev/accepttrace and its debugfs files,
 * every answer held to what the module (or the VFS in front of it) must
 * say.
 *
 *   at-fuzz [-s SEED] [-t SECONDS] [-n ITER] [-p PID] [-c COMM] [-v[v]]
 *
 * Runs until SECONDS (default 10) have passed or ITER iterations are done,
 * whichever comes first.  Iteration i draws everything it does from a
 * generator seeded with (SEED, i) alone, never from what the kernel
 * answered, so "-s SEED -n ITER" replays a run call for call.  The seed
 * is printed first; -v adds a progress line every 5000 iterations, -vv
 * one line per iteration, flushed (to find the call that kills a kernel).
 *
 * The calls: random ioctl numbers and the real ones with NULL, unmapped,
 * read-only, kernel, non-canonical and page-straddling pointers; reads of
 * 0 to 1 MiB into the same kinds of buffer, in text and binary mode, with
 * SET_BINARY switches mid-line; blocking reads ended by a signal; write,
 * pread, pwrite, lseek, mmap and poll on the device; second opens, O_PATH
 * opens, dup(), reopening with other access modes; garbage, out of range,
 * oversized, offset, faulting and NUL-laden writes to debugfs enable and
 * filter, writes to stats and reads of all three into bad buffers.
 *
 * What must hold: every call gets exactly the answer listed with it
 * below; after every debugfs write and filter ioctl, enable and filter
 * read back as the last valid write left them (a refused write changes
 * nothing) and stats agrees; the text stream is whole lines of the
 * record format; binary reads return whole records of known types, each
 * as long as its addresses make it (record ABI 2), with per-CPU seq
 * continuous across LOST records whenever no text read took a record of
 * that CPU in between.  With -p and -c every record must come from that
 * process (at-churn, running meanwhile).
 *
 * Output: a KTAP document, its plan one result per class, "# "
 * diagnostics (the first failures of each class in full), then
 *   # fuzz-records: sys_accept4=N inet_accept=N lost_records=N lost_events=N
 * counting every record this run consumed, for the suite to add up with
 * the counters.  Exit status: 0 all as expected, 1 a check failed, 2 could
 * not run.  Needs root, debugfs and the module loaded, the device closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "accepttrace.h"
#include "accepttrace_format.h"

#define DBG		"/sys/kernel/debug/accepttrace/"
#define MIB		(1024 * 1024)
#define PAGE		4096UL
#define MAX_CPUS	1024
#define FAIL_SHOWN	8	/* failures printed in full per class */

/*
 * Limits of the module that its answers depend on: a debugfs enable
 * write is at most this long (module/debugfs.c), the filter text shorter
 * than AT_FILTER_TEXT_MAX (module/internal.h), pids at most PID_MAX_LIMIT
 * (x86-64 without CONFIG_BASE_SMALL).
 */
#define ENABLE_WRITE_MAX	16
#define FILTER_TEXT_MAX		512
#define PID_LIMIT		(4 * 1024 * 1024)

/*
 * Record sizes (ABI 2): an accept record is its fixed part and three
 * addresses of 8 bytes (none) to 120; SYS_SIZE and INET_SIZE are those
 * of an IPv4 accept (at-churn's TCP threads).
 */
#define SYS_FIXED	sizeof(struct accepttrace_sys_accept4)
#define INET_FIXED	sizeof(struct accepttrace_inet_accept)
#define ADDRS_MIN	(ACCEPTTRACE_REC_NADDR * ACCEPTTRACE_SOCKADDR_SIZE(0))
#define ADDRS_IN	(ACCEPTTRACE_REC_NADDR * \
			 ACCEPTTRACE_SOCKADDR_SIZE(sizeof(struct sockaddr_in)))
#define SYS_SIZE	(SYS_FIXED + ADDRS_IN)
#define INET_SIZE	(INET_FIXED + ADDRS_IN)
#define ACCEPT_MIN	(INET_FIXED + ADDRS_MIN)
#define LOST_SIZE	sizeof(struct accepttrace_lost)
#define REC_MIN		LOST_SIZE

/* ---- expected answers ---- */

/* An answer is a set: bit 0 "succeeds", bit e "fails with errno e". */
#define A_OK		1ULL
#define A_E(e)		(1ULL << (e))

enum {
	C_IOC_UNKNOWN, C_IOC_ABI, C_IOC_BINARY, C_IOC_FILTER, C_IOC_CLEAR,
	C_READ_GOOD, C_READ_ZERO, C_READ_FAULT, C_READ_KERNEL, C_READ_STRADDLE,
	C_READ_HUGE, C_READ_BLOCK, C_READ_NOREAD,
	C_WRITE, C_SEEK, C_MMAP, C_POLL,
	C_OPEN_SECOND, C_OPEN_PATH, C_DUP, C_REOPEN,
	C_EN_VALID, C_EN_RANGE, C_EN_SYNTAX, C_EN_OVERSIZE, C_EN_NUL,
	C_EN_OFFSET, C_EN_FAULT,
	C_FI_VALID, C_FI_BADTOKEN, C_FI_TOOMANY, C_FI_GARBAGE, C_FI_OVERSIZE,
	C_FI_NUL, C_FI_OFFSET, C_FI_FAULT,
	C_STATS, C_DBG_READ,
	C_TEXT, C_BINARY,
	NR_CLASSES
};

static struct {
	const char *name;
	unsigned long calls, bad;
	unsigned long last_bad;		/* iter + 1 of the last failure */
} cls[NR_CLASSES] = {
	[C_IOC_UNKNOWN]	= { "ioctl: unknown commands get ENOTTY" },
	[C_IOC_ABI]	= { "ioctl ABI_VERSION: 1, or EFAULT for a bad pointer" },
	[C_IOC_BINARY]	= { "ioctl SET_BINARY: 0/1 taken, >1 EINVAL, bad pointer EFAULT" },
	[C_IOC_FILTER]	= { "ioctl SET_FILTER: valid taken, invalid EINVAL, bad pointer EFAULT, filter reads back" },
	[C_IOC_CLEAR]	= { "ioctl CLEAR_FILTER: clears, whatever the argument" },
	[C_READ_GOOD]	= { "read into a good buffer: data, EAGAIN only when poll said empty" },
	[C_READ_ZERO]	= { "read of 0 bytes: 0" },
	[C_READ_FAULT]	= { "read into NULL, unmapped, read-only memory: EFAULT" },
	[C_READ_KERNEL]	= { "read into kernel and non-canonical addresses: EFAULT" },
	[C_READ_STRADDLE] = { "read into a buffer running into unmapped memory: what fits, or EFAULT" },
	[C_READ_HUGE]	= { "read with a count past the address space: EFAULT" },
	[C_READ_BLOCK]	= { "blocking read: data, or EINTR by a signal" },
	[C_READ_NOREAD]	= { "read of a device opened write-only: EBADF" },
	[C_WRITE]	= { "write on the device: EBADF read-only, EINVAL otherwise" },
	[C_SEEK]	= { "lseek, pread, pwrite on the device: ESPIPE" },
	[C_MMAP]	= { "mmap of the device: ENODEV (EACCES, EINVAL as the VFS decides)" },
	[C_POLL]	= { "poll on the device: only POLLIN|POLLRDNORM" },
	[C_OPEN_SECOND]	= { "second open: EBUSY" },
	[C_OPEN_PATH]	= { "O_PATH open: allowed, read/ioctl/lseek EBADF, poll POLLNVAL" },
	[C_DUP]		= { "dup of the reader: reads, the device stays busy" },
	[C_REOPEN]	= { "close and reopen: text mode, filter cleared" },
	[C_EN_VALID]	= { "debugfs enable: 0 and 1 taken" },
	[C_EN_RANGE]	= { "debugfs enable: out of range EINVAL, unchanged" },
	[C_EN_SYNTAX]	= { "debugfs enable: garbage EINVAL, unchanged" },
	[C_EN_OVERSIZE]	= { "debugfs enable: oversized EINVAL, unchanged" },
	[C_EN_NUL]	= { "debugfs enable: NUL-laden EINVAL, unchanged" },
	[C_EN_OFFSET]	= { "debugfs enable: write at an offset EINVAL, unchanged" },
	[C_EN_FAULT]	= { "debugfs enable: bad buffer EFAULT, unchanged" },
	[C_FI_VALID]	= { "debugfs filter: valid text taken, reads back canonical" },
	[C_FI_BADTOKEN]	= { "debugfs filter: a bad token EINVAL, unchanged" },
	[C_FI_TOOMANY]	= { "debugfs filter: 9 of a list EINVAL, unchanged" },
	[C_FI_GARBAGE]	= { "debugfs filter: random garbage EINVAL, unchanged" },
	[C_FI_OVERSIZE]	= { "debugfs filter: oversized EINVAL, unchanged" },
	[C_FI_NUL]	= { "debugfs filter: NUL-laden EINVAL, unchanged" },
	[C_FI_OFFSET]	= { "debugfs filter: write at an offset EINVAL, unchanged" },
	[C_FI_FAULT]	= { "debugfs filter: bad buffer EFAULT, unchanged" },
	[C_STATS]	= { "debugfs stats: writes EINVAL; reads agree with enable, filter, reader" },
	[C_DBG_READ]	= { "debugfs reads into bad buffers: EFAULT" },
	[C_TEXT]	= { "text stream: whole lines of the record format" },
	[C_BINARY]	= { "binary stream: whole records, seq continuous per CPU" },
};

static unsigned long iter;
static int verbose;

static const char *ename(int e)
{
	const char *n = at_errno_name(e);
	static char buf[16];

	if (n)
		return n;
	snprintf(buf, sizeof(buf), "errno %d", e);
	return buf;
}

static void show_answer(char *buf, size_t size, uint64_t a)
{
	size_t len = 0;
	int e;

	buf[0] = '\0';
	if (a & A_OK)
		len += snprintf(buf + len, size - len, "success");
	for (e = 1; e < 64 && len < size; e++)
		if (a & A_E(e))
			len += snprintf(buf + len, size - len, "%s%s",
					len ? " or " : "", ename(e));
}

static void __attribute__((format(printf, 2, 3)))
fail(int c, const char *fmt, ...)
{
	va_list ap;

	/* A call counts once, however many of its checks failed. */
	if (cls[c].last_bad != iter + 1)
		cls[c].bad++;
	cls[c].last_bad = iter + 1;
	if (cls[c].bad > FAIL_SHOWN)
		return;
	printf("# FAIL iter %lu [%s]: ", iter, cls[c].name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/*
 * Count a call of class @c that returned @ret (errno @err if negative);
 * @want is the set of acceptable answers.  True when it succeeded as
 * allowed, so the caller checks what it returned.
 */
static bool __attribute__((format(printf, 5, 6)))
expect(int c, long ret, int err, uint64_t want, const char *fmt, ...)
{
	char what[256], exp[160];
	va_list ap;
	bool good;

	cls[c].calls++;
	if (ret >= 0)
		good = want & A_OK;
	else
		good = err > 0 && err < 64 && (want & A_E(err));
	if (good)
		return ret >= 0;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	show_answer(exp, sizeof(exp), want);
	if (ret >= 0)
		fail(c, "%s = %ld; expected %s", what, ret, exp);
	else
		fail(c, "%s = %s; expected %s", what, ename(err), exp);
	return false;
}

/* ---- reproducible randomness ---- */

static uint64_t rng;

static uint64_t splitmix(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(void)
{
	return splitmix(&rng);
}

/* Uniform in [0, n); 0 for n == 0. */
static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static uint64_t range(uint64_t lo, uint64_t hi)
{
	return lo + below(hi - lo + 1);
}

static bool chance(unsigned int pct)
{
	return below(100) < pct;
}

#define PICK(a)	((a)[below(sizeof(a) / sizeof((a)[0]))])

/* ---- memory: good, guarded, read-only, unmapped ---- */

/*
 * good: 1 MiB read-write with PROT_NONE pages either side, so a buffer
 * ending at good_end runs into unmapped memory; rdonly: 1 MiB PROT_READ
 * (zeros); hole: an address range that was unmapped.
 */
static char *good, *good_end, *rdonly, *hole;

static void *map(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("at-fuzz: mmap");
		exit(2);
	}
	return p;
}

static void mem_init(void)
{
	char *g = map(MIB + 2 * PAGE, PROT_NONE);

	good = g + PAGE;
	good_end = good + MIB;
	if (mprotect(good, MIB, PROT_READ | PROT_WRITE)) {
		perror("at-fuzz: mprotect");
		exit(2);
	}
	rdonly = map(MIB, PROT_READ);
	hole = map(16 * PAGE, PROT_READ | PROT_WRITE);
	munmap(hole, 16 * PAGE);
}

enum ptr_kind {
	P_GOOD,		/* n bytes, all mapped read-write */
	P_STRADDLE,	/* starts mapped, runs into PROT_NONE (n < 2: none mapped) */
	P_NULL,		/* NULL or the first page */
	P_HOLE,		/* unmapped */
	P_RDONLY,	/* mapped read-only, zeros */
	P_KERNEL,	/* kernel half: access_ok() refuses it */
	P_NONCANON,	/* past the user half, not canonical */
	NR_PTR_KINDS
};

static const char * const ptr_name[NR_PTR_KINDS] = {
	"good", "straddling", "NULL", "unmapped", "read-only", "kernel",
	"non-canonical",
};

static const uint64_t kernel_addrs[] = {
	0xffffffff81000000ULL,		/* kernel text */
	0xffff888000000000ULL,		/* direct map */
	0xffffffffff600000ULL,		/* vsyscall page */
	(uint64_t)-4096,
	(uint64_t)-1,
	0xffffc90000000000ULL,		/* vmalloc */
};

static const uint64_t noncanon_addrs[] = {
	0x0000800000000000ULL,
	0x8000000000000000ULL,
	0x00ff000000000000ULL,
	0x7fffffffffffffffULL,
};

/* Any kind, weighted to the interesting ones. */
static enum ptr_kind pick_kind(void)
{
	static const enum ptr_kind w[] = {
		P_GOOD, P_GOOD, P_GOOD, P_GOOD, P_STRADDLE, P_STRADDLE,
		P_NULL, P_HOLE, P_RDONLY, P_KERNEL, P_KERNEL, P_NONCANON,
	};

	return PICK(w);
}

/*
 * A pointer of kind @k for @n bytes; *mapped is how many of them are
 * accessible from the start (all for P_GOOD, 1..n-1 for P_STRADDLE).
 */
static char *make_ptr(enum ptr_kind k, size_t n, size_t *mapped)
{
	size_t m;

	if (n > MIB)
		n = MIB;
	*mapped = 0;
	switch (k) {
	case P_GOOD:
		*mapped = n;
		if (chance(50))
			return good_end - n;	/* right against the guard */
		return good + below(MIB - n + 1);
	case P_STRADDLE:
		if (n < 2)
			return good_end;	/* none of it mapped */
		m = range(1, n - 1);
		*mapped = m;
		return good_end - m;
	case P_NULL:
		return (char *)(uintptr_t)(chance(50) ? 0 : range(1, PAGE - 1));
	case P_HOLE:
		return hole + below(16 * PAGE - (n < 16 * PAGE ? n : 0));
	case P_RDONLY:
		return rdonly + below(MIB - n + 1);
	case P_KERNEL:
		return (char *)(uintptr_t)(PICK(kernel_addrs) - (chance(30) ? below(64) : 0));
	case P_NONCANON:
	default:
		return (char *)(uintptr_t)PICK(noncanon_addrs);
	}
}

/* The VFS refuses these before the module sees them (access_ok()). */
static bool vfs_refuses(enum ptr_kind k)
{
	return k == P_KERNEL || k == P_NONCANON;
}

/* Can the kernel copy @n bytes *to* a @k buffer? */
static bool writable(enum ptr_kind k)
{
	return k == P_GOOD;
}

/* Can the kernel copy @n bytes *from* it?  (read-only memory is zeros) */
static bool readable(enum ptr_kind k)
{
	return k == P_GOOD || k == P_RDONLY;
}

/* Put @len bytes of @src where a kind-@k pointer for them points. */
static char *place(enum ptr_kind k, const void *src, size_t len,
		   size_t *mapped)
{
	char *p = make_ptr(k, len, mapped);

	if (k == P_GOOD || k == P_STRADDLE)
		memcpy(p, src, k == P_GOOD ? len : *mapped);
	return p;
}

/* ---- the device and the model of its state ---- */

static int dev = -1;
static int dev_acc;		/* O_RDONLY, O_WRONLY or O_RDWR */
static bool binary;		/* the open file reads records */
static int enable_fd, filter_fd;
static int model_enable;
static char model_filter[FILTER_TEXT_MAX];	/* "none", no newline */
static pid_t want_pid;
static const char *want_comm;

static bool dev_can_read(void)
{
	return dev_acc != O_WRONLY;
}

static bool dev_can_write(void)
{
	return dev_acc != O_RDONLY;
}

static int open_dev(int acc)
{
	return open(ACCEPTTRACE_DEVICE, acc | O_NONBLOCK | O_CLOEXEC);
}

/* Is a record (or the rest of a text line) there now?  Never undone. */
static bool dev_ready(void)
{
	struct pollfd p = { .fd = dev, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* ---- the stream: text lines and binary records ---- */

static struct {
	bool valid;
	uint64_t next;		/* seq the next record of this CPU must have */
} chain[MAX_CPUS];

static unsigned long n_sys, n_inet, n_lost_recs, n_lines, n_partial_dropped;
static unsigned long long n_lost_events;

static char line[AT_LINE_MAX + 1];
static size_t line_len;

static void check_task(int c, const struct accepttrace_task *t)
{
	if (want_pid && t->pid != (__u32)want_pid)
		fail(c, "record of pid %u, expected only pid %d", t->pid,
		     (int)want_pid);
	if (want_comm && strncmp(t->comm, want_comm, sizeof(t->comm)))
		fail(c, "record of comm '%.16s', expected only '%s'", t->comm,
		     want_comm);
}

static void text_line(void)
{
	unsigned long long a, count;
	unsigned int cpu, pid, tid;
	char frac[16], comm[64];
	int n = -1;

	line[line_len] = '\0';
	if (!strncmp(line, "LOST ", 5)) {
		if (sscanf(line, "LOST %llu events on cpu %u\n%n", &count,
			   &cpu, &n) != 2 || (size_t)n != line_len ||
		    !count || cpu >= MAX_CPUS) {
			fail(C_TEXT, "bad LOST line: %s", line);
			return;
		}
		n_lost_recs++;
		n_lost_events += count;
		chain[cpu].valid = false;
		cls[C_TEXT].calls++;
		return;
	}
	if (sscanf(line, "%llu.%15[0-9] cpu=%u pid=%u tid=%u comm=%63s %n",
		   &a, frac, &cpu, &pid, &tid, comm, &n) != 6 || n < 0 ||
	    strlen(frac) != 9 || cpu >= MAX_CPUS ||
	    line_len < 6 || strcmp(line + line_len - 3, "us\n") ||
	    !strstr(line, " lat=")) {
		fail(C_TEXT, "malformed line: %s", line);
		return;
	}
	if (want_pid && pid != (unsigned int)want_pid)
		fail(C_TEXT, "line of pid %u, expected only %d: %s", pid,
		     (int)want_pid, line);
	if (want_comm && strcmp(comm, want_comm))
		fail(C_TEXT, "line of comm %s, expected only %s", comm,
		     want_comm);
	if (!strncmp(line + n, "inet_accept(", 12))
		n_inet++;
	else if (!strncmp(line + n, "accept(", 7) ||
		 !strncmp(line + n, "accept4(", 8))
		n_sys++;
	else
		fail(C_TEXT, "unknown call in line: %s", line);
	chain[cpu].valid = false;
	n_lines++;
	cls[C_TEXT].calls++;
}

static void text_feed(const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!buf[i]) {
			fail(C_TEXT, "NUL byte in the text stream");
			continue;
		}
		if (line_len == AT_LINE_MAX) {
			fail(C_TEXT, "line longer than %d bytes", AT_LINE_MAX);
			line_len = 0;
		}
		line[line_len++] = buf[i];
		if (buf[i] == '\n') {
			text_line();
			line_len = 0;
		}
	}
}

/* SET_BINARY 1: the half-read line is dropped, its record comes whole. */
static void text_drop_partial(void)
{
	if (line_len)
		n_partial_dropped++;
	line_len = 0;
}

static void bin_record(const struct accepttrace_hdr *h)
{
	unsigned int cpu = h->cpu;

	cls[C_BINARY].calls++;
	if (cpu >= MAX_CPUS) {
		fail(C_BINARY, "record of cpu %u", cpu);
		return;
	}
	if (h->type == ACCEPTTRACE_REC_LOST) {
		const struct accepttrace_lost *l = (const void *)h;

		if (h->seq || !l->count)
			fail(C_BINARY, "LOST record seq %llu count %llu",
			     (unsigned long long)h->seq,
			     (unsigned long long)l->count);
		n_lost_recs++;
		n_lost_events += l->count;
		chain[cpu].next += l->count;
		return;
	}
	if (chain[cpu].valid && h->seq != chain[cpu].next)
		fail(C_BINARY, "cpu %u: seq %llu, expected %llu", cpu,
		     (unsigned long long)h->seq,
		     (unsigned long long)chain[cpu].next);
	chain[cpu].valid = true;
	chain[cpu].next = h->seq + 1;
	if (h->type == ACCEPTTRACE_REC_SYS_ACCEPT4) {
		const struct accepttrace_sys_accept4 *r = (const void *)h;

		check_task(C_BINARY, &r->task);
		if (r->ret < 0)
			fail(C_BINARY, "sys_accept4 record ret %d", r->ret);
		n_sys++;
	} else {
		const struct accepttrace_inet_accept *r = (const void *)h;

		check_task(C_BINARY, &r->task);
		if (r->ret || r->family != AF_INET)
			fail(C_BINARY, "inet_accept record ret %d family %u",
			     r->ret, r->family);
		n_inet++;
	}
}

static void bin_feed(const char *buf, size_t n)
{
	size_t off = 0;

	while (off < n) {
		const struct accepttrace_sockaddr *sa[ACCEPTTRACE_REC_NADDR];
		struct accepttrace_hdr h;
		size_t want, fixed = 0;

		if (n - off < sizeof(h)) {
			fail(C_BINARY, "%zu bytes after the last record", n - off);
			return;
		}
		memcpy(&h, buf + off, sizeof(h));
		switch (h.type) {
		case ACCEPTTRACE_REC_SYS_ACCEPT4: fixed = SYS_FIXED; break;
		case ACCEPTTRACE_REC_INET_ACCEPT: fixed = INET_FIXED; break;
		}
		/* an accept record: as long as its addresses, within bounds */
		if (fixed)
			want = h.size >= fixed + ADDRS_MIN &&
			       h.size <= ACCEPTTRACE_REC_MAX && !(h.size % 8) ?
			       h.size : 0;
		else
			want = h.type == ACCEPTTRACE_REC_LOST ? LOST_SIZE : 0;
		if (!want || h.size != want) {
			fail(C_BINARY, "record type %u size %u", h.type, h.size);
			return;
		}
		if (n - off < want) {
			fail(C_BINARY, "a read returned part of a record");
			return;
		}
		{
			/* Aligned copy: the buffer may start anywhere. */
			union at_rec {
				struct accepttrace_hdr h;
				struct accepttrace_sys_accept4 s;
				struct accepttrace_inet_accept i;
				struct accepttrace_lost l;
				__u8 b[ACCEPTTRACE_REC_MAX];
			} rec;

			memcpy(&rec, buf + off, want);
			if (fixed && accepttrace_rec_addrs(&rec.h, sa)) {
				fail(C_BINARY, "record type %u size %u: its "
				     "addresses are not within it", h.type,
				     h.size);
				return;
			}
			bin_record(&rec.h);
		}
		off += want;
	}
}

/* ---- debugfs state ---- */

static ssize_t read_file_at(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/*
 * enable and filter read back as the model says; @c is blamed if not,
 * and the model takes what was read, so one wrong answer is reported
 * once, not by every check after it.
 */
static void check_state(int c, const char *after)
{
	char buf[FILTER_TEXT_MAX + 8], want[FILTER_TEXT_MAX + 8];

	read_file_at(enable_fd, buf, sizeof(buf));
	snprintf(want, sizeof(want), "%d\n", model_enable);
	if (strcmp(buf, want)) {
		fail(c, "after %s: enable reads '%.*s', expected %d", after,
		     (int)strcspn(buf, "\n"), buf, model_enable);
		model_enable = atoi(buf);
	}
	read_file_at(filter_fd, buf, sizeof(buf));
	snprintf(want, sizeof(want), "%s\n", model_filter);
	if (strcmp(buf, want)) {
		buf[strcspn(buf, "\n")] = '\0';
		fail(c, "after %s: filter reads '%s', expected '%s'", after,
		     buf, model_filter);
		snprintf(model_filter, sizeof(model_filter), "%.*s",
			 (int)sizeof(model_filter) - 1, buf);
	}
}

/* ---- the filter as the module checks and prints it (filter.c) ---- */

static bool filt_empty(const struct accepttrace_filter *f)
{
	return !f->flags && !f->families && !f->netns && !f->npids &&
	       !f->ntids && !f->nports && !f->comm[0];
}

/* NUL-terminated, printable ASCII without spaces (module/filter.c). */
static bool comm_ok(const char *comm, size_t size)
{
	size_t i, len = strnlen(comm, size);

	if (len == size)
		return false;
	for (i = 0; i < len; i++)
		if ((unsigned char)comm[i] <= ' ' ||
		    (unsigned char)comm[i] >= 0x7f)
			return false;
	return true;
}

static bool filt_valid(const struct accepttrace_filter *f)
{
	__u32 i;

	if (f->flags & ~ACCEPTTRACE_FILTER_ERRORS ||
	    f->families & ~ACCEPTTRACE_FAM_ALL ||
	    f->npids > ACCEPTTRACE_FILTER_MAX ||
	    f->ntids > ACCEPTTRACE_FILTER_MAX ||
	    f->nports > ACCEPTTRACE_FILTER_MAX ||
	    !comm_ok(f->comm, sizeof(f->comm)))
		return false;
	for (i = 0; i < f->npids; i++)
		if (!f->pids[i] || f->pids[i] > PID_LIMIT)
			return false;
	for (i = 0; i < f->ntids; i++)
		if (!f->tids[i] || f->tids[i] > PID_LIMIT)
			return false;
	for (i = 0; i < f->nports; i++)
		if (!f->ports[i])
			return false;
	return true;
}

/* Only for a valid filter: the lists are within their bounds. */
static void filt_print(char *buf, size_t size, const struct accepttrace_filter *f)
{
	static const char * const fam[] = { "inet", "inet6", "unix" };
	size_t len = 0;
	__u32 i;

	if (filt_empty(f)) {
		snprintf(buf, size, "none");
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < f->npids; i++)
		len += snprintf(buf + len, size - len, "pid=%u ", f->pids[i]);
	for (i = 0; i < f->ntids; i++)
		len += snprintf(buf + len, size - len, "tid=%u ", f->tids[i]);
	if (f->comm[0])
		len += snprintf(buf + len, size - len, "comm=%.16s ", f->comm);
	for (i = 0; i < f->nports; i++)
		len += snprintf(buf + len, size - len, "port=%u ", f->ports[i]);
	for (i = 0; i < 3; i++)
		if (f->families & (1U << i))
			len += snprintf(buf + len, size - len, "family=%s ",
					fam[i]);
	if (f->flags & ACCEPTTRACE_FILTER_ERRORS)
		len += snprintf(buf + len, size - len, "errors ");
	if (f->netns)
		len += snprintf(buf + len, size - len, "netns=%u ", f->netns);
	if (len && buf[len - 1] == ' ')
		buf[len - 1] = '\0';
}

/* A pid that lets the workload through, or any valid one. */
static __u32 some_pid(void)
{
	if (want_pid && chance(30))
		return want_pid;
	return range(1, PID_LIMIT);
}

/* A random filter for the ioctl: mostly valid, sometimes not. */
static void random_filter(struct accepttrace_filter *f)
{
	unsigned int i, n;

	if (chance(20)) {
		for (i = 0; i < sizeof(*f); i++)
			((unsigned char *)f)[i] = rnd();
	} else {
		memset(f, chance(50) ? 0 : 0xa5, sizeof(*f));
	}
	if (chance(10))
		return;		/* as random as it came */
	f->flags = chance(95) ? (chance(30) ? ACCEPTTRACE_FILTER_ERRORS : 0) :
				(__u32)rnd();
	f->families = chance(95) ? below(8) : (__u32)rnd();
	f->netns = chance(70) ? 0 : (__u32)rnd();
	f->npids = chance(95) ? below(ACCEPTTRACE_FILTER_MAX + 1) : (__u32)rnd();
	f->ntids = chance(95) ? (chance(70) ? 0 : below(ACCEPTTRACE_FILTER_MAX + 1)) :
				(__u32)rnd();
	f->nports = chance(95) ? (chance(60) ? 0 : below(ACCEPTTRACE_FILTER_MAX + 1)) :
				 (__u32)rnd();
	if (f->npids > 2 && chance(50))
		f->npids = chance(50);
	for (i = 0; i < ACCEPTTRACE_FILTER_MAX; i++) {
		f->pids[i] = chance(97) ? some_pid() : PICK(((const __u32[]){ 0, PID_LIMIT + 1, (__u32)-1 }));
		f->tids[i] = chance(97) ? range(1, PID_LIMIT) : 0;
		f->ports[i] = chance(97) ? range(1, 65535) : 0;
	}
	n = chance(50) ? 0 : (chance(95) ? range(1, 15) : 16);
	memset(f->comm, 0, sizeof(f->comm));
	if (want_comm && n && chance(30))
		strncpy(f->comm, want_comm, sizeof(f->comm) - 1);
	else
		for (i = 0; i < n; i++)
			f->comm[i] = range(1, 255);
}

/* ---- one operation each ---- */

static size_t pick_size(void)
{
	switch (below(10)) {
	case 0:
		return below(REC_MIN + 1);		/* 0..32 */
	case 1:
	case 2:	/* around the record sizes */
		return PICK(((const size_t[]){ REC_MIN, ACCEPT_MIN, INET_SIZE,
					       SYS_SIZE,
					       ACCEPTTRACE_REC_MAX })) +
		       range(0, 16) - 8;
	case 3:
	case 4:
		return range(1, 600);
	case 5:
	case 6:
		return range(1, 8192);
	case 7:
		return range(1, 65536);
	default:
		return range(0, MIB);
	}
}

/* Answers of a read of @n bytes into @k, given readiness and mode. */
static uint64_t read_answer(enum ptr_kind k, size_t n, size_t mapped,
			    bool ready)
{
	uint64_t a = 0;

	if (vfs_refuses(k))
		return A_E(EFAULT);
	if (!n)
		return A_OK;
	if (!binary) {
		if (writable(k))
			a = A_OK;
		else if (k == P_STRADDLE)
			a = A_OK | A_E(EFAULT);
		else
			a = A_E(EFAULT);
	} else if (n < REC_MIN) {
		a = A_E(EINVAL);
	} else {
		/* Whole records only: a smaller next record may still fit. */
		if (n < ACCEPTTRACE_REC_MAX)
			a |= A_E(EINVAL);
		if (writable(k) || (k == P_STRADDLE && mapped >= REC_MIN))
			a |= A_OK;
		if (!writable(k))
			a |= A_E(EFAULT);
	}
	if (!ready)
		a |= A_E(EAGAIN);
	return a;
}

static void do_read(void)
{
	static const int huge_counts_shift[] = { 47, 48, 62, 63 };
	enum ptr_kind k = pick_kind();
	size_t n = pick_size(), mapped;
	bool ready, huge = chance(3);
	char *p;
	int c;
	ssize_t r;

	if (huge) {
		/* A count no buffer of the user half can hold. */
		k = P_GOOD;
		p = make_ptr(k, 64, &mapped);
		n = (1ULL << PICK(huge_counts_shift)) + below(4096);
		if (chance(30))
			n = SIZE_MAX - below(8192);
	} else {
		p = make_ptr(k, n, &mapped);
	}
	ready = dev_ready();
	r = read(dev, p, n);
	if (!dev_can_read()) {
		expect(C_READ_NOREAD, r, errno, A_E(EBADF),
		       "read(write-only fd, %s, %zu)", ptr_name[k], n);
		return;
	}
	if (huge) {
		expect(C_READ_HUGE, r, errno, A_E(EFAULT),
		       "read(%s, %p, %#zx)", binary ? "binary" : "text", p, n);
		return;
	}
	if (!n)
		c = vfs_refuses(k) ? C_READ_KERNEL : C_READ_ZERO;
	else if (vfs_refuses(k))
		c = C_READ_KERNEL;
	else if (k == P_GOOD)
		c = C_READ_GOOD;
	else if (k == P_STRADDLE)
		c = C_READ_STRADDLE;
	else
		c = C_READ_FAULT;
	if (!expect(c, r, errno, read_answer(k, n, mapped, ready),
		    "read(%s, %s %p, %zu)%s", binary ? "binary" : "text",
		    ptr_name[k], p, n, ready ? " after poll said ready" : ""))
		return;
	if (!n) {
		if (r)
			fail(c, "read of 0 bytes returned %zd", r);
		return;
	}
	if ((size_t)r > mapped || !r) {
		fail(c, "read(%s, %zu) returned %zd, %zu bytes were writable",
		     ptr_name[k], n, r, mapped);
		return;
	}
	if (binary)
		bin_feed(p, r);
	else
		text_feed(p, r);
}

static void on_alarm(int sig)
{
	(void)sig;
}

/*
 * A blocking read, ended by a signal if nothing comes.  The timer
 * repeats: a first signal that lands before read() starts must not
 * leave it blocked for good.
 */
static void do_read_blocking(void)
{
	struct itimerval it = {
		.it_value.tv_usec = range(2000, 30000),
		.it_interval.tv_usec = 5000,
	};
	struct itimerval off = { 0 };
	size_t n = range(ACCEPTTRACE_REC_MAX, 65536), mapped;
	char *p = make_ptr(P_GOOD, n, &mapped);
	ssize_t r;
	int err;

	if (!dev_can_read())
		return;
	fcntl(dev, F_SETFL, 0);
	setitimer(ITIMER_REAL, &it, NULL);
	r = read(dev, p, n);
	err = errno;
	setitimer(ITIMER_REAL, &off, NULL);
	fcntl(dev, F_SETFL, O_NONBLOCK);
	if (!expect(C_READ_BLOCK, r, err, A_OK | A_E(EINTR),
		    "blocking read(%s, %zu)", binary ? "binary" : "text", n))
		return;
	if (!r)
		fail(C_READ_BLOCK, "blocking read returned 0");
	else if (binary)
		bin_feed(p, r);
	else
		text_feed(p, r);
}

/*
 * Switch modes mid-stream on purpose: part of a text line, then binary
 * (the line's record must come whole), or binary, then text.
 */
static void do_midline(void)
{
	size_t n, mapped;
	char *p;
	__u32 v;
	long r;

	if (!dev_can_read())
		return;
	v = binary ? 0 : 1;
	if (!binary) {
		n = range(1, 120);
		p = make_ptr(P_GOOD, n, &mapped);
		r = read(dev, p, n);
		if (expect(C_READ_GOOD, r, errno, A_OK | A_E(EAGAIN),
			   "read(text, %zu) before SET_BINARY", n))
			text_feed(p, r);
	}
	r = ioctl(dev, ACCEPTTRACE_IOC_SET_BINARY, &v);
	if (!expect(C_IOC_BINARY, r, errno, A_OK, "ioctl(SET_BINARY, %u)", v))
		return;
	if (v)
		text_drop_partial();
	binary = v;
	n = binary ? range(ACCEPTTRACE_REC_MAX, 4096) : range(1, 120);
	p = make_ptr(P_GOOD, n, &mapped);
	r = read(dev, p, n);
	if (!expect(C_READ_GOOD, r, errno, A_OK | A_E(EAGAIN),
		    "read(%s, %zu) after SET_BINARY", binary ? "binary" : "text", n))
		return;
	if (binary)
		bin_feed(p, r);
	else
		text_feed(p, r);
}

/* A command that no one answers but ENOTTY: not ours, not the VFS's. */
static unsigned int unknown_cmd(void)
{
	static const unsigned int ours[] = {
		ACCEPTTRACE_IOC_ABI_VERSION, ACCEPTTRACE_IOC_SET_BINARY,
		ACCEPTTRACE_IOC_SET_FILTER, ACCEPTTRACE_IOC_CLEAR_FILTER,
	};
	unsigned int cmd, type, i;

	for (;;) {
		switch (below(4)) {
		case 0:	/* our magic, another number */
			cmd = _IOC(below(4), ACCEPTTRACE_IOC_MAGIC,
				   chance(50) ? range(5, 255) : below(1),
				   below(1 << 14));
			break;
		case 1:	/* one of ours with another direction or size */
			cmd = PICK(ours) ^ (chance(50) ? (1U << (16 + below(14))) :
							(1U << (30 + below(2))));
			break;
		case 2:
			cmd = below(0x10000);
			break;
		default:
			cmd = (unsigned int)rnd();
			break;
		}
		for (i = 0; i < 4; i++)
			if (cmd == ours[i])
				break;
		if (i < 4)
			continue;
		/*
		 * do_vfs_ioctl() answers FIBMAP, FIGETBSZ and the 'f', 'X',
		 * 'T', 0x94 and 0x15 families itself (FIONBIO, FIFREEZE,
		 * FICLONE, FS_IOC_GETFSUUID...).
		 */
		type = _IOC_TYPE(cmd);
		if (cmd == 1 || cmd == 2 || type == 'f' || type == 'X' ||
		    type == 'T' || type == 0x94 || type == 0x15)
			continue;
		return cmd;
	}
}

static void do_ioctl(void)
{
	enum ptr_kind k = pick_kind();
	size_t mapped;
	char *p;
	long r;
	int err;

	switch (below(20)) {
	case 0 ... 6: {
		unsigned int cmd = unknown_cmd();
		unsigned long arg;

		if (chance(20))
			arg = rnd();
		else
			arg = (uintptr_t)make_ptr(k, 256, &mapped);
		r = ioctl(dev, cmd, arg);
		expect(C_IOC_UNKNOWN, r, errno, A_E(ENOTTY),
		       "ioctl(%#x, %#lx)", cmd, arg);
		break;
	}
	case 7 ... 8: {
		__u32 v;

		p = make_ptr(k, sizeof(v), &mapped);
		if (k == P_GOOD)
			memset(p, 0xee, sizeof(v));
		r = ioctl(dev, ACCEPTTRACE_IOC_ABI_VERSION, p);
		if (expect(C_IOC_ABI, r, errno,
			   writable(k) ? A_OK : A_E(EFAULT),
			   "ioctl(ABI_VERSION, %s %p)", ptr_name[k], p)) {
			memcpy(&v, p, sizeof(v));
			if (r || v != ACCEPTTRACE_ABI_VERSION)
				fail(C_IOC_ABI, "ABI_VERSION = %ld, version %u",
				     r, v);
		}
		break;
	}
	case 9 ... 13: {
		static const __u32 vals[] = { 0, 1, 0, 1, 2, 3, 0x100, 0xffffffff };
		__u32 v = chance(90) ? PICK(vals) : (__u32)rnd();
		uint64_t want;

		if (chance(30))
			k = P_GOOD;
		p = place(k, &v, sizeof(v), &mapped);
		if (k == P_RDONLY)
			v = 0;
		r = ioctl(dev, ACCEPTTRACE_IOC_SET_BINARY, p);
		err = errno;
		want = !readable(k) ? A_E(EFAULT) : v > 1 ? A_E(EINVAL) : A_OK;
		if (expect(C_IOC_BINARY, r, err, want,
			   "ioctl(SET_BINARY, %s %p -> %u)", ptr_name[k], p, v)) {
			if (v && !binary)
				text_drop_partial();
			binary = v;
		}
		break;
	}
	case 14 ... 18: {
		struct accepttrace_filter f;
		char text[FILTER_TEXT_MAX];
		uint64_t want;
		bool valid;

		random_filter(&f);
		if (chance(40))
			k = P_GOOD;
		p = place(k, &f, sizeof(f), &mapped);
		if (k == P_RDONLY)
			memset(&f, 0, sizeof(f));
		valid = filt_valid(&f);
		r = ioctl(dev, ACCEPTTRACE_IOC_SET_FILTER, p);
		err = errno;
		want = !readable(k) ? A_E(EFAULT) : valid ? A_OK : A_E(EINVAL);
		if (valid)
			filt_print(text, sizeof(text), &f);
		else
			snprintf(text, sizeof(text), "npids %u ntids %u nports %u flags %#x families %#x",
				 f.npids, f.ntids, f.nports, f.flags, f.families);
		if (expect(C_IOC_FILTER, r, err, want,
			   "ioctl(SET_FILTER, %s %p: %s%s)", ptr_name[k], p,
			   valid ? "" : "invalid: ", text))
			snprintf(model_filter, sizeof(model_filter), "%s", text);
		check_state(C_IOC_FILTER, "SET_FILTER");
		break;
	}
	default:
		p = make_ptr(k, 8, &mapped);
		r = ioctl(dev, ACCEPTTRACE_IOC_CLEAR_FILTER, p);
		if (expect(C_IOC_CLEAR, r, errno, A_OK,
			   "ioctl(CLEAR_FILTER, %p)", p))
			strcpy(model_filter, "none");
		check_state(C_IOC_CLEAR, "CLEAR_FILTER");
		break;
	}
}

static void do_file_ops(void)
{
	enum ptr_kind k = pick_kind();
	size_t n = pick_size(), mapped;
	char *p = make_ptr(k, n, &mapped);
	long r;

	switch (below(6)) {
	case 0:
	case 1:
		r = write(dev, p, n);
		expect(C_WRITE, r, errno,
		       dev_can_write() ? A_E(EINVAL) : A_E(EBADF),
		       "write(%s fd, %s, %zu)",
		       dev_can_write() ? "writable" : "read-only",
		       ptr_name[k], n);
		break;
	case 2: {
		unsigned int whence = chance(80) ? below(5) : range(5, 100);
		off_t off = chance(50) ? 0 : (off_t)rnd();

		r = syscall(SYS_lseek, dev, off, whence);
		expect(C_SEEK, r, errno, whence <= 4 ? A_E(ESPIPE) : A_E(EINVAL),
		       "lseek(%lld, %u)", (long long)off, whence);
		break;
	}
	case 3: {
		off_t off = chance(20) ? -(off_t)range(1, 100) : (off_t)below(1 << 20);

		if (chance(50)) {
			r = pread(dev, p, n, off);
			expect(C_SEEK, r, errno,
			       off < 0 ? A_E(EINVAL) : A_E(ESPIPE),
			       "pread(%zu, %lld)", n, (long long)off);
		} else {
			r = pwrite(dev, p, n, off);
			expect(C_SEEK, r, errno,
			       off < 0 ? A_E(EINVAL) : A_E(ESPIPE),
			       "pwrite(%zu, %lld)", n, (long long)off);
		}
		break;
	}
	case 4: {
		static const int prots[] = {
			PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE, PROT_NONE,
		};
		static const int types[] = {
			MAP_SHARED, MAP_PRIVATE, MAP_SHARED_VALIDATE,
		};
		int prot = PICK(prots), type = PICK(types);
		size_t len = chance(10) ? 0 : PAGE * range(1, 256);
		off_t off = chance(80) ? 0 : chance(50) ? (off_t)(PAGE * below(16)) :
						(off_t)range(1, PAGE - 1);
		uint64_t want;
		void *m;

		if (!len || off % PAGE)
			want = A_E(EINVAL);
		else if (type != MAP_PRIVATE && (prot & PROT_WRITE) &&
			 !dev_can_write())
			want = A_E(EACCES);
		else if (!dev_can_read())
			want = A_E(EACCES);
		else
			want = A_E(ENODEV);
		m = mmap(NULL, len, prot, type, dev, off);
		if (expect(C_MMAP, m == MAP_FAILED ? -1 : 0, errno, want,
			   "mmap(%zu, prot %#x, flags %#x, off %lld)", len,
			   prot, type, (long long)off))
			munmap(m, len);
		break;
	}
	default: {
		static const short evs[] = {
			POLLIN, POLLIN | POLLRDNORM, POLLOUT, POLLPRI,
			POLLIN | POLLOUT | POLLPRI, 0, POLLRDNORM,
		};
		struct pollfd pf = { .fd = dev, .events = PICK(evs) };
		int timeout = chance(80) ? 0 : range(1, 10);

		if (chance(5)) {
			r = poll((struct pollfd *)make_ptr(k == P_GOOD ? P_HOLE : k,
							   sizeof(pf), &mapped),
				 1, 0);
			expect(C_POLL, r, errno, A_E(EFAULT),
			       "poll(%s pollfd)", ptr_name[k == P_GOOD ? P_HOLE : k]);
			break;
		}
		r = poll(&pf, 1, timeout);
		if (expect(C_POLL, r, errno, A_OK, "poll(%#x, %d)", pf.events,
			   timeout) &&
		    (pf.revents & ~(pf.events & (POLLIN | POLLRDNORM)) ||
		     r != !!pf.revents))
			fail(C_POLL, "poll(%#x) = %ld, revents %#x", pf.events,
			     r, pf.revents);
		break;
	}
	}
}

static void do_open(void)
{
	static const int accs[] = { O_RDONLY, O_RDWR, O_WRONLY };
	int fd, acc = PICK(accs);
	long r;

	switch (below(8)) {
	case 0 ... 3:
		fd = open(ACCEPTTRACE_DEVICE, acc | (chance(50) ? O_NONBLOCK : 0));
		if (!expect(C_OPEN_SECOND, fd, errno, A_E(EBUSY),
			    "second open(%#x)", acc))
			if (fd >= 0)
				close(fd);
		break;
	case 4: {
		char b[64];
		struct pollfd pf;

		fd = open(ACCEPTTRACE_DEVICE, O_PATH);
		if (!expect(C_OPEN_PATH, fd, errno, A_OK, "open(O_PATH)"))
			break;
		r = read(fd, b, sizeof(b));
		expect(C_OPEN_PATH, r, errno, A_E(EBADF), "read(O_PATH fd)");
		r = ioctl(fd, ACCEPTTRACE_IOC_ABI_VERSION, b);
		expect(C_OPEN_PATH, r, errno, A_E(EBADF), "ioctl(O_PATH fd)");
		r = lseek(fd, 0, SEEK_SET);
		expect(C_OPEN_PATH, r, errno, A_E(EBADF), "lseek(O_PATH fd)");
		pf = (struct pollfd){ .fd = fd, .events = POLLIN };
		r = poll(&pf, 1, 0);
		if (expect(C_OPEN_PATH, r, errno, A_OK, "poll(O_PATH fd)") &&
		    pf.revents != POLLNVAL)
			fail(C_OPEN_PATH, "poll(O_PATH fd): revents %#x", pf.revents);
		close(fd);
		break;
	}
	case 5 ... 6: {
		size_t n = range(ACCEPTTRACE_REC_MAX, 8192), mapped;
		char *p = make_ptr(P_GOOD, n, &mapped);
		bool ready = dev_ready();

		fd = dup(dev);
		if (fd < 0) {
			fail(C_DUP, "dup: %s", ename(errno));
			break;
		}
		r = read(fd, p, n);
		if (expect(C_DUP, r, errno,
			   !dev_can_read() ? A_E(EBADF) :
			   ready ? A_OK : A_OK | A_E(EAGAIN),
			   "read(dup, %zu)", n) && dev_can_read()) {
			if (binary)
				bin_feed(p, r);
			else
				text_feed(p, r);
		}
		close(fd);
		fd = open(ACCEPTTRACE_DEVICE, O_RDONLY | O_NONBLOCK);
		if (!expect(C_DUP, fd, errno, A_E(EBUSY),
			    "open while only a dup was closed") && fd >= 0)
			close(fd);
		break;
	}
	default:
		/* Reopen, mostly to read; the partial line carries over. */
		close(dev);
		acc = chance(80) ? O_RDONLY : chance(50) ? O_RDWR : O_WRONLY;
		dev = open_dev(acc);
		if (!expect(C_REOPEN, dev, errno, A_OK, "reopen(%#x)", acc)) {
			printf("# cannot reopen the device, stopping\n");
			exit(1);
		}
		dev_acc = acc;
		binary = false;
		strcpy(model_filter, "none");
		check_state(C_REOPEN, "reopen");
		break;
	}
}

/* write(2) or pwrite(2) at @off of @len bytes of @text, from a @k buffer. */
static long dbg_write(int fd, enum ptr_kind k, const char *text, size_t len,
		      off_t off, int *err)
{
	size_t mapped;
	char *p = place(k, text, len, &mapped);
	long r;

	r = off ? pwrite(fd, p, len, off) : write(fd, p, len);
	*err = errno;
	return r;
}

static const char * const en_range[] = {
	"2", "3\n", "10", "255", "4294967295", "4294967296", "99999999999",
	"-1", "-0", "+2\n", "18446744073709551617", "65537\n",
};

static const char * const en_syntax[] = {
	"", " ", "\n", "+", "++1", "1 ", " 1", "1\n\n", "1\t", "0x1", "1e0",
	"one", "true", "y", "on", "1.0", "\r1", "1\r\n", "\n1", "0b1", "--1",
	"+-1", "01x",
};

static void do_enable(void)
{
	char text[4096 + 1];
	enum ptr_kind k = P_GOOD;
	int c, err, v = below(2);
	size_t len, i;
	off_t off = 0;
	uint64_t want = A_E(EINVAL);
	long r;

	switch (below(10)) {
	case 0 ... 1: {
		static const char * const forms[] = {
			"%d", "%d\n", "+%d", "0%d", "00%d\n", "+0%d\n", "000000%d",
		};

		c = C_EN_VALID;
		len = snprintf(text, sizeof(text), PICK(forms), v);
		want = A_OK;
		break;
	}
	case 2:
		c = C_EN_RANGE;
		len = snprintf(text, sizeof(text), "%s", PICK(en_range));
		break;
	case 3:
		c = C_EN_SYNTAX;
		if (chance(60)) {
			len = snprintf(text, sizeof(text), "%s", PICK(en_syntax));
		} else {
			/* Not a digit or '+' first: never a number. */
			len = range(1, ENABLE_WRITE_MAX - 1);
			for (i = 0; i < len; i++)
				text[i] = range(1, 255);
			text[0] = PICK(((const char[]){ 'a', '-', ' ', '\t', '\n', 'x', '\x01', '\xff', '=' }));
		}
		break;
	case 4:
		c = C_EN_OVERSIZE;
		len = chance(50) ? range(ENABLE_WRITE_MAX, 80) :
				   range(ENABLE_WRITE_MAX, sizeof(text));
		switch (below(3)) {
		case 0:	/* leading zeros: cut short, it would read 0 */
			memset(text, '0', len);
			text[len - 1] = '1';
			break;
		case 1:	/* a value, then NULs */
			memset(text, 0, len);
			text[0] = '0' + v;
			break;
		default: /* a value, then blanks */
			memset(text, ' ', len);
			text[0] = '0' + v;
			break;
		}
		break;
	case 5:
		c = C_EN_NUL;
		len = snprintf(text, sizeof(text), "%d", v);
		len += snprintf(text + len, sizeof(text) - len, "%s", chance(50) ? "\n" : "");
		i = below(len + 1);
		memmove(text + i + 1, text + i, len - i);
		text[i] = '\0';
		len++;
		if (chance(40))
			for (; len < ENABLE_WRITE_MAX - 1 && chance(70); len++)
				text[len] = range(0, 255);
		break;
	case 6:
		c = C_EN_OFFSET;
		len = snprintf(text, sizeof(text), "%d\n", v);
		off = range(1, 4096);
		break;
	default:
		c = C_EN_FAULT;
		len = snprintf(text, sizeof(text), "%d\n", v);
		do {
			k = pick_kind();
		} while (readable(k));
		if (chance(10))
			len = 0;
		if (vfs_refuses(k))
			want = A_E(EFAULT);
		else
			want = len ? A_E(EFAULT) : A_E(EINVAL);
		break;
	}
	text[len] = '\0';
	r = dbg_write(enable_fd, k, text, len, off, &err);
	if (expect(c, r, err, want, "write enable '%.*s'%s (%zu bytes, %s%s)",
		   (int)strcspn(text, "\n"), text, len > strlen(text) ? "..." : "",
		   len, ptr_name[k], off ? ", at an offset" : "")) {
		if ((size_t)r != len)
			fail(c, "write enable returned %ld of %zu", r, len);
		model_enable = v;
	}
	check_state(c, "an enable write");
}

/* ---- debugfs filter texts ---- */

struct ftext {
	char buf[65536];
	size_t len;
};

static void ft_add(struct ftext *t, const char *s)
{
	static const char * const seps[] = { " ", " ", "\t", "\n", "  ", " \t " };

	if (t->len)
		t->len += snprintf(t->buf + t->len, sizeof(t->buf) - t->len,
				   "%s", PICK(seps));
	t->len += snprintf(t->buf + t->len, sizeof(t->buf) - t->len, "%s", s);
}

/* A number as kstrtou32() takes it: sometimes "+N" or "00N". */
static void spell(char *buf, size_t size, const char *key, unsigned long v)
{
	switch (below(8)) {
	case 0:
		snprintf(buf, size, "%s=+%lu", key, v);
		break;
	case 1:
		snprintf(buf, size, "%s=00%lu", key, v);
		break;
	default:
		snprintf(buf, size, "%s=%lu", key, v);
		break;
	}
}

/* Valid tokens (also applied to @f as the parser would), and blanks. */
static void valid_text(struct ftext *t, struct accepttrace_filter *f)
{
	static const char * const fams[] = { "inet", "inet6", "unix" };
	unsigned int ntok = below(7), i, j;
	char tok[64];
	bool comm_done = false, netns_done = false;

	memset(f, 0, sizeof(*f));
	t->len = 0;
	if (chance(50))
		t->len = snprintf(t->buf, sizeof(t->buf), "%s",
				  PICK(((const char * const[]){ " ", "\n", "\t", "  " })));
	if (chance(10)) {
		ft_add(t, PICK(((const char * const[]){ "clear", "none" })));
		ntok = 0;
	}
	for (i = 0; i < ntok; i++) {
		switch (below(7)) {
		case 0:
			if (f->npids == ACCEPTTRACE_FILTER_MAX)
				continue;
			f->pids[f->npids] = some_pid();
			spell(tok, sizeof(tok), "pid", f->pids[f->npids++]);
			break;
		case 1:
			if (f->ntids == ACCEPTTRACE_FILTER_MAX)
				continue;
			f->tids[f->ntids] = range(1, PID_LIMIT);
			spell(tok, sizeof(tok), "tid", f->tids[f->ntids++]);
			break;
		case 2:
			if (f->nports == ACCEPTTRACE_FILTER_MAX)
				continue;
			f->ports[f->nports] = chance(10) ? 65535 : range(1, 65535);
			spell(tok, sizeof(tok), "port", f->ports[f->nports++]);
			break;
		case 3:
			if (comm_done)
				continue;
			comm_done = true;
			memset(f->comm, 0, sizeof(f->comm));
			if (want_comm && chance(50)) {
				strncpy(f->comm, want_comm, sizeof(f->comm) - 1);
			} else {
				unsigned int n = range(1, 15);

				for (j = 0; j < n; j++)
					f->comm[j] = PICK(((const char[]){
						'a', 'z', 'A', '0', '9', '-', '_', '.', '=',
						'/', ':' }));
			}
			snprintf(tok, sizeof(tok), "comm=%s", f->comm);
			break;
		case 4:
			j = below(3);
			f->families |= 1U << j;
			snprintf(tok, sizeof(tok), "family=%s", fams[j]);
			break;
		case 5:
			f->flags |= ACCEPTTRACE_FILTER_ERRORS;
			snprintf(tok, sizeof(tok), "errors");
			break;
		default:
			if (netns_done)
				continue;
			netns_done = true;
			f->netns = chance(10) ? 0xffffffffU : range(1, 0xffffffffU);
			spell(tok, sizeof(tok), "netns", f->netns);
			break;
		}
		ft_add(t, tok);
	}
	if (chance(50))
		t->len += snprintf(t->buf + t->len, sizeof(t->buf) - t->len, "%s",
				   PICK(((const char * const[]){ "\n", " ", "\t\n", "\n\n" })));
}

static const char * const bad_tokens[] = {
	"pid=0", "pid=-1", "pid=abc", "pid=", "pid", "pid=4194305",
	"pid=99999999999", "pid=1x", "pid=0x10", "pid==1", "pid=1=2",
	"tid=0", "tid=4194305", "tid=", "port=0", "port=65536", "port=-5",
	"port=0x50", "port=", "netns=0", "netns=4294967296", "netns=",
	"netns=-1", "family=ipx", "family=", "family=INET", "family=inet4",
	"comm=", "comm=0123456789abcdef", "comm=0123456789abcdefg",
	"errors=1", "error", "Pid=1", "=1", "=", "clear", "none", "bogus",
	"pid=1\r2", "port=80\vpid=1", "portt=1", "famil=inet", "pid=+",
	"pid=++1", "errors\rpid=1",
};

/*
 * Insert @bad among valid tokens; "clear"/"none" only refuse next to
 * others, so one valid token is always there.
 */
static void text_with(struct ftext *t, const char *bad)
{
	struct accepttrace_filter f;
	struct ftext v;
	size_t at;

	do {
		valid_text(&v, &f);
	} while (filt_empty(&f));
	at = below(v.len + 1);
	while (at < v.len && !strchr(" \t\n", v.buf[at]))
		at++;
	t->len = 0;
	memcpy(t->buf, v.buf, at);
	t->len = at;
	t->len += snprintf(t->buf + t->len, sizeof(t->buf) - t->len, " %s ", bad);
	memcpy(t->buf + t->len, v.buf + at, v.len - at);
	t->len += v.len - at;
}

static struct ftext ft;

static void do_filter(void)
{
	struct accepttrace_filter f;
	char canon[FILTER_TEXT_MAX];
	enum ptr_kind k = P_GOOD;
	uint64_t want = A_E(EINVAL);
	off_t off = 0;
	size_t i;
	int c, err;
	long r;

	canon[0] = '\0';
	switch (below(12)) {
	case 0 ... 2:
		c = C_FI_VALID;
		valid_text(&ft, &f);
		filt_print(canon, sizeof(canon), &f);
		want = A_OK;
		break;
	case 3 ... 4:
		c = C_FI_BADTOKEN;
		text_with(&ft, PICK(bad_tokens));
		break;
	case 5: {
		static const char * const keys[] = { "pid", "tid", "port" };
		const char *key = PICK(keys);

		c = C_FI_TOOMANY;
		ft.len = 0;
		for (i = 0; i < ACCEPTTRACE_FILTER_MAX + 1 + below(3); i++) {
			char tok[32];

			snprintf(tok, sizeof(tok), "%s=%lu", key,
				 (unsigned long)range(1, 65535));
			ft_add(&ft, tok);
		}
		break;
	}
	case 6:
		/* Not a letter or a blank first: no key starts so. */
		c = C_FI_GARBAGE;
		ft.len = range(1, FILTER_TEXT_MAX - 1);
		for (i = 0; i < ft.len; i++)
			ft.buf[i] = rnd();
		ft.buf[0] = PICK(((const char[]){ '!', '#', '0', '9', '=', '@', '~', '\x01', '\x7f', '\x80', '\xfe' }));
		break;
	case 7:
		c = C_FI_OVERSIZE;
		valid_text(&ft, &f);
		i = chance(50) ? range(FILTER_TEXT_MAX, 1024) :
				 range(FILTER_TEXT_MAX, sizeof(ft.buf));
		if (ft.len < i)
			memset(ft.buf + ft.len, PICK(((const char[]){ ' ', '\n', '\t' })),
			       i - ft.len);
		ft.len = i;
		break;
	case 8:
		c = C_FI_NUL;
		do {
			valid_text(&ft, &f);
		} while (!ft.len);
		i = below(ft.len + 1);
		memmove(ft.buf + i + 1, ft.buf + i, ft.len - i);
		ft.buf[i] = '\0';
		ft.len++;
		if (chance(40))
			for (; ft.len < FILTER_TEXT_MAX - 1 && chance(90); ft.len++)
				ft.buf[ft.len] = rnd();
		break;
	case 9:
		c = C_FI_OFFSET;
		valid_text(&ft, &f);
		off = range(1, 600);
		break;
	default:
		c = C_FI_FAULT;
		do {
			valid_text(&ft, &f);
		} while (!ft.len);
		do {
			k = pick_kind();
		} while (readable(k));
		want = A_E(EFAULT);
		break;
	}
	r = dbg_write(filter_fd, k, ft.buf, ft.len, off, &err);
	if (expect(c, r, err, want, "write filter '%.*s'%s (%zu bytes, %s%s)",
		   (int)(ft.len < 120 ? ft.len : 120), ft.buf,
		   ft.len < 120 ? "" : "...", ft.len, ptr_name[k],
		   off ? ", at an offset" : "")) {
		if ((size_t)r != ft.len)
			fail(c, "write filter returned %ld of %zu", r, ft.len);
		strcpy(model_filter, canon);
	}
	check_state(c, "a filter write");
}

static void do_stats(void)
{
	static const char * const files[] = { "stats", "enable", "filter" };
	char buf[8192], want[FILTER_TEXT_MAX + 16];
	enum ptr_kind k;
	size_t n, mapped;
	int fd, e;
	char *p;
	long r;

	switch (below(3)) {
	case 0:
		fd = open(DBG "stats", O_RDWR);
		if (fd < 0) {
			fail(C_STATS, "open stats O_RDWR: %s", ename(errno));
			break;
		}
		k = pick_kind();
		n = pick_size();
		p = make_ptr(k, n, &mapped);
		r = write(fd, p, n);
		expect(C_STATS, r, errno, A_E(EINVAL), "write stats (%s, %zu)",
		       ptr_name[k], n);
		close(fd);
		break;
	case 1:
		fd = open(DBG "stats", O_RDONLY);
		if (fd < 0) {
			fail(C_STATS, "open stats: %s", ename(errno));
			break;
		}
		r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (!expect(C_STATS, r, errno, A_OK, "read stats"))
			break;
		buf[r] = '\0';
		snprintf(want, sizeof(want), "\nenabled %d\nreader 1\n", model_enable);
		if (!strstr(buf, want))
			fail(C_STATS, "stats lack 'enabled %d' and 'reader 1'",
			     model_enable);
		snprintf(want, sizeof(want), "\nfilter %s\n", model_filter);
		if (!strstr(buf, want))
			fail(C_STATS, "stats lack 'filter %s'", model_filter);
		break;
	default:
		e = below(3);
		snprintf(want, sizeof(want), DBG "%s", files[e]);
		fd = open(want, O_RDONLY);
		if (fd < 0) {
			fail(C_DBG_READ, "open %s: %s", files[e], ename(errno));
			break;
		}
		do {
			k = pick_kind();
		} while (k == P_GOOD || k == P_STRADDLE);
		n = range(1, 8192);
		p = make_ptr(k, n, &mapped);
		r = read(fd, p, n);
		expect(C_DBG_READ, r, errno, A_E(EFAULT), "read %s (%s %p, %zu)",
		       files[e], ptr_name[k], p, n);
		close(fd);
		break;
	}
}

static void one_iteration(void)
{
	unsigned int op = below(100);

	/* -vv: every iteration, flushed, to find the call that kills a kernel */
	if (verbose > 1) {
		printf("# iter %lu op %u\n", iter, op);
		fflush(stdout);
	}
	if (op < 31)
		do_read();
	else if (op < 34)
		do_midline();
	else if (op < 35)
		do_read_blocking();
	else if (op < 55)
		do_ioctl();
	else if (op < 65)
		do_file_ops();
	else if (op < 70)
		do_open();
	else if (op < 80)
		do_enable();
	else if (op < 94)
		do_filter();
	else
		do_stats();
}

/* ---- setup, run, report ---- */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_or_die(const char *path, int flags)
{
	int fd = open(path, flags);

	if (fd < 0) {
		fprintf(stderr, "at-fuzz: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	return fd;
}

static void usage(void)
{
	fprintf(stderr, "usage: at-fuzz [-s SEED] [-t SECONDS] [-n ITER] [-p PID] [-c COMM] [-v[v]]\n");
	exit(2);
}

/* Has every class been tried at least once? */
static bool all_exercised(void)
{
	int c;

	for (c = 0; c < NR_CLASSES; c++)
		if (!cls[c].calls)
			return false;
	return true;
}

int main(int argc, char **argv)
{
	unsigned long long seed = 0, max_iter = ULLONG_MAX;
	struct sigaction sa = { .sa_handler = on_alarm };
	bool have_seed = false;
	double seconds = 10, end;
	char buf[FILTER_TEXT_MAX + 8];
	unsigned long bad = 0;
	int opt, c;

	while ((opt = getopt(argc, argv, "s:t:n:p:c:v")) != -1) {
		switch (opt) {
		case 's': seed = strtoull(optarg, NULL, 0); have_seed = true; break;
		case 't': seconds = atof(optarg); break;
		case 'n': max_iter = strtoull(optarg, NULL, 0); break;
		case 'p': want_pid = atoi(optarg); break;
		case 'c': want_comm = optarg; break;
		case 'v': verbose++; break;
		default: usage();
		}
	}
	if (optind != argc || seconds <= 0)
		usage();
	if (!have_seed)
		seed = (unsigned long long)time(NULL) ^ ((unsigned long long)getpid() << 32);
	printf("KTAP version 1\n1..%d\n", NR_CLASSES);
	printf("# at-fuzz: seed %llu (replay: at-fuzz -s %llu -n ITER), %g s\n",
	       seed, seed, seconds);
	fflush(stdout);

	/* No SA_RESTART: the signal ends a blocking read with EINTR. */
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	mem_init();
	enable_fd = open_or_die(DBG "enable", O_RDWR);
	filter_fd = open_or_die(DBG "filter", O_RDWR);
	dev = open_dev(O_RDONLY);
	if (dev < 0) {
		fprintf(stderr, "at-fuzz: %s: %s\n", ACCEPTTRACE_DEVICE, strerror(errno));
		return 2;
	}
	dev_acc = O_RDONLY;
	read_file_at(enable_fd, buf, sizeof(buf));
	model_enable = atoi(buf);
	read_file_at(filter_fd, buf, sizeof(buf));
	buf[strcspn(buf, "\n")] = '\0';
	snprintf(model_filter, sizeof(model_filter), "%.*s",
		 (int)sizeof(model_filter) - 1, buf);
	printf("# start: enable %d, filter %s\n", model_enable, model_filter);

	end = now() + seconds;
	for (iter = 0; iter < max_iter; iter++) {
		/*
		 * A slow (debug) kernel may reach the time limit before the
		 * rarer classes came up: go on until each has, for up to
		 * twice as long again; one still missing then fails below.
		 */
		if (!(iter & 15) && now() >= end &&
		    (all_exercised() || now() >= end + 2 * seconds))
			break;
		rng = seed ^ (iter * 0xd1342543de82ef95ULL);
		splitmix(&rng);
		one_iteration();
		if (verbose && !(iter % 5000)) {
			printf("# iter %lu: %lu lines, %lu sys, %lu inet\n",
			       iter, n_lines, n_sys, n_inet);
			fflush(stdout);
		}
	}

	/* Leave recording on, the filter cleared: the suite checks it. */
	if (write(enable_fd, "1\n", 2) != 2)
		fail(C_EN_VALID, "final enable write: %s", ename(errno));
	close(dev);
	model_enable = 1;
	strcpy(model_filter, "none");
	check_state(C_REOPEN, "the final close");

	printf("# %lu iterations; %lu text lines, %lu partial lines dropped by SET_BINARY\n",
	       iter, n_lines, n_partial_dropped);
	for (c = 0; c < NR_CLASSES; c++) {
		if (!cls[c].calls) {
			printf("not ok %d fuzz: %s: never exercised\n", c + 1,
			       cls[c].name);
			bad++;
		} else if (cls[c].bad) {
			printf("not ok %d fuzz: %s: %lu failures in %lu calls\n",
			       c + 1, cls[c].name, cls[c].bad, cls[c].calls);
			bad++;
		} else {
			printf("ok %d fuzz: %s (%lu calls)\n", c + 1,
			       cls[c].name, cls[c].calls);
		}
	}
	printf("# fuzz-records: sys_accept4=%lu inet_accept=%lu lost_records=%lu lost_events=%llu\n",
	       n_sys, n_inet, n_lost_recs, n_lost_events);
	return bad ? 1 : 0;
}
