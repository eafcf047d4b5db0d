// SPDX-License-Identifier: GPL-2.0
/*
 * at-dev - poke /dev/accepttrace the ways a shell cannot.
 *
 *   at-dev abi                 print ACCEPTTRACE_IOC_ABI_VERSION
 *   at-dev sizes               "<record> <bytes>": each record type's
 *                              fixed part (an accept record's three
 *                              addresses follow it), "address" the
 *                              empty address, "max" the largest record
 *   at-dev read BUFSZ          text, read(BUFSZ) at a time until empty
 *   at-dev read-nonblock       one O_NONBLOCK read: "EAGAIN" or "data N"
 *   at-dev poll MS             drain, then poll: "ready" within MS or fail
 *   at-dev binread-small SIZE  binary read(SIZE): errno name, then what a
 *                              full-sized read finds ("type T size S")
 *   at-dev binread N FILE      binary records until N are read, saved to
 *                              FILE, then die by SIGKILL mid-stream
 *   at-dev set-comm COMM       ACCEPTTRACE_IOC_SET_FILTER with comm=COMM
 *                              (bytes as given), then, with the device
 *                              still open: debugfs `filter` and the
 *                              number of `probe` lines in `stats`
 *   at-dev read-threads ROUNDS two threads blocked in read() on one open
 *                              file; each round, two accepts while they
 *                              wait: both must return
 *   at-dev wake-latency N      N times: a reader blocked in read() on an
 *                              idle box, an accept; the time from the
 *                              accept4() call to the read() returning,
 *                              "wake-latency N median_us=M min_us=A
 *                              max_us=B" (a measurement, not a test)
 *
 * Every result goes to stdout as one line a suite compares exactly;
 * "read" copies the bytes to stdout.  Exit status 0, 1 when the awaited
 * thing did not happen, 2 on a usage or open error.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "accepttrace.h"

static const char *errname(int err)
{
	switch (err) {
	case EAGAIN:
		return "EAGAIN";
	case EINVAL:
		return "EINVAL";
	case EBUSY:
		return "EBUSY";
	case EFAULT:
		return "EFAULT";
	default:
		return strerror(err);
	}
}

static int open_dev(int flags)
{
	int fd = open(ACCEPTTRACE_DEVICE, O_RDONLY | flags);

	if (fd < 0) {
		printf("open %s\n", errname(errno));
		exit(2);
	}
	return fd;
}

static void set_binary(int fd)
{
	__u32 one = 1;

	if (ioctl(fd, ACCEPTTRACE_IOC_SET_BINARY, &one)) {
		printf("SET_BINARY %s\n", errname(errno));
		exit(2);
	}
}

static int cmd_abi(void)
{
	int fd = open_dev(0);
	__u32 v;

	if (ioctl(fd, ACCEPTTRACE_IOC_ABI_VERSION, &v)) {
		printf("ABI_VERSION %s\n", errname(errno));
		return 1;
	}
	printf("%u\n", v);
	return 0;
}

static int cmd_sizes(void)
{
	printf("sys_accept4 %zu\n", sizeof(struct accepttrace_sys_accept4));
	printf("inet_accept %zu\n", sizeof(struct accepttrace_inet_accept));
	printf("uring_accept %zu\n", sizeof(struct accepttrace_uring_accept));
	printf("lost %zu\n", sizeof(struct accepttrace_lost));
	printf("address %zu\n", (size_t)ACCEPTTRACE_SOCKADDR_SIZE(0));
	printf("max %zu\n", (size_t)ACCEPTTRACE_REC_MAX);
	return 0;
}

static int cmd_read(size_t bufsz)
{
	char *buf = malloc(bufsz);
	int fd = open_dev(O_NONBLOCK);
	ssize_t n;

	if (!buf)
		return 2;
	while ((n = read(fd, buf, bufsz)) > 0)
		if (fwrite(buf, 1, (size_t)n, stdout) != (size_t)n)
			return 2;
	if (n < 0 && errno != EAGAIN) {
		fprintf(stderr, "at-dev: read: %s\n", strerror(errno));
		return 1;
	}
	return 0;
}

static int cmd_read_nonblock(void)
{
	char buf[4096];
	int fd = open_dev(O_NONBLOCK);
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0)
		printf("%s\n", errname(errno));
	else
		printf("data %zd\n", n);
	return 0;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Prints "empty" once nothing is readable (the suite then makes an
 * accept happen), then "ready" if poll() woke and a read found data.
 */
static int cmd_poll(int ms)
{
	struct pollfd p = { .events = POLLIN };
	char buf[4096];
	long long t0;
	int r;

	p.fd = open_dev(O_NONBLOCK);
	while (read(p.fd, buf, sizeof(buf)) > 0)
		;
	if (poll(&p, 1, 0) != 0) {
		printf("readable while empty\n");
		return 1;
	}
	printf("empty\n");
	fflush(stdout);
	t0 = now_ms();
	r = poll(&p, 1, ms);
	if (r != 1 || !(p.revents & POLLIN)) {
		printf("no wakeup in %d ms\n", ms);
		return 1;
	}
	if (read(p.fd, buf, sizeof(buf)) <= 0) {
		printf("woken, but read found nothing\n");
		return 1;
	}
	fprintf(stderr, "at-dev: woken after %lld ms\n", now_ms() - t0);
	printf("ready\n");
	return 0;
}

static int cmd_binread_small(size_t size)
{
	static char buf[64 * 1024];
	const struct accepttrace_hdr *h = (const void *)buf;
	int fd = open_dev(O_NONBLOCK);
	ssize_t n;

	set_binary(fd);
	n = read(fd, buf, size);
	if (n < 0)
		printf("%s", errname(errno));
	else
		printf("data %zd", n);
	n = read(fd, buf, sizeof(buf));
	if (n < (ssize_t)sizeof(*h))
		printf(", then %s\n", n < 0 ? errname(errno) : "short read");
	else
		printf(", then type %u size %u\n", h->type, h->size);
	return 0;
}

static int cmd_binread(unsigned long want, const char *path)
{
	static char buf[ACCEPTTRACE_REC_MAX];
	unsigned long got = 0;
	FILE *out = fopen(path, "w");
	int fd = open_dev(0);
	ssize_t n, off;

	if (!out) {
		perror(path);
		return 2;
	}
	set_binary(fd);
	while (got < want) {
		n = read(fd, buf, sizeof(buf));
		if (n <= 0) {
			fprintf(stderr, "at-dev: read: %s\n",
				n ? strerror(errno) : "end of file");
			return 1;
		}
		for (off = 0; off < n;
		     off += ((struct accepttrace_hdr *)(buf + off))->size)
			got++;
		fwrite(buf, 1, (size_t)n, out);
	}
	fclose(out);
	printf("read %lu records\n", got);
	fflush(stdout);
	/* Die holding the device, as a reader killed mid-stream would. */
	kill(getpid(), SIGKILL);
	return 1;
}

#define AT_DEBUGFS	"/sys/kernel/debug/accepttrace"

/* @s with every byte outside printable ASCII, and backslash, as \\xHH. */
static void print_escaped(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (c < 0x20 || c >= 0x7f || c == '\\')
			printf("\\x%02x", c);
		else
			putchar(c);
	}
}

static ssize_t read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n, len = 0;

	if (fd < 0)
		return -1;
	while (len < (ssize_t)size - 1 &&
	       (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return len;
}

/*
 * "SET_FILTER ok|ERRNO; filter TEXT; probe lines N": TEXT is debugfs
 * `filter`, escaped, so that a newline in it shows; N counts the lines
 * of `stats` that start with "probe ", one per probe unless a forged
 * line is among them.
 */
static int cmd_set_comm(const char *comm)
{
	struct accepttrace_filter f;
	static char buf[16384];
	int fd = open_dev(O_NONBLOCK), lines = 0;
	const char *p;
	ssize_t n;

	memset(&f, 0, sizeof(f));
	strncpy(f.comm, comm, sizeof(f.comm) - 1);
	if (ioctl(fd, ACCEPTTRACE_IOC_SET_FILTER, &f))
		printf("SET_FILTER %s; ", errname(errno));
	else
		printf("SET_FILTER ok; ");
	n = read_file(AT_DEBUGFS "/filter", buf, sizeof(buf));
	if (n < 0) {
		printf("filter: %s\n", strerror(errno));
		return 1;
	}
	printf("filter ");
	print_escaped(buf, n);
	if (read_file(AT_DEBUGFS "/stats", buf, sizeof(buf)) < 0) {
		printf("; stats: %s\n", strerror(errno));
		return 1;
	}
	for (p = buf; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : "")
		lines += !strncmp(p, "probe ", 6);
	printf("; probe lines %d\n", lines);
	close(fd);
	return 0;
}

/* ---- read-threads ---- */

#define RT_WAIT_MS	5000	/* a reader not back by then is stuck */

struct rt_reader {
	pthread_t	th;
	int		fd;
	char		*buf;
	pid_t		tid;		/* under rt_lock, as are the next three */
	int		done;
	long		records;
	int		err;
	long long	back_ns;	/* CLOCK_MONOTONIC when read() returned */
};

static pthread_mutex_t rt_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t rt_cond = PTHREAD_COND_INITIALIZER;

#define RT_BUF		(64 * 1024)

static long count_records(const char *buf, ssize_t n)
{
	long recs = 0;
	ssize_t off;

	for (off = 0; off < n;
	     off += ((const struct accepttrace_hdr *)(buf + off))->size)
		recs++;
	return recs;
}

/* One blocking read() of up to 64 KiB of binary records. */
static void *rt_read(void *arg)
{
	struct rt_reader *t = arg;
	ssize_t n;

	pthread_mutex_lock(&rt_lock);
	t->tid = gettid();
	pthread_mutex_unlock(&rt_lock);
	n = read(t->fd, t->buf, RT_BUF);
	pthread_mutex_lock(&rt_lock);
	t->back_ns = now_ns();
	if (n < 0)
		t->err = errno;
	else
		t->records = count_records(t->buf, n);
	t->done = 1;
	pthread_cond_broadcast(&rt_cond);
	pthread_mutex_unlock(&rt_lock);
	return NULL;
}

/*
 * Is thread @tid asleep in read(2)?  State S in /proc/self/task/TID/stat
 * (not R: woken and not yet run) and syscall 0 in .../syscall.
 */
static int rt_asleep(pid_t tid)
{
	char path[64], buf[512];
	const char *p;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	p = strrchr(buf, ')');
	if (!p || strncmp(p, ") S ", 4))
		return 0;
	snprintf(path, sizeof(path), "/proc/self/task/%d/syscall", tid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	return !strncmp(buf, "0 ", 2);
}

/* Wait until reader @t is asleep in read(), at most RT_WAIT_MS. */
static int rt_wait_asleep(struct rt_reader *t)
{
	int ms;

	for (ms = 0; ms < RT_WAIT_MS; ms += 10) {
		pid_t tid;
		int done;

		pthread_mutex_lock(&rt_lock);
		tid = t->tid;
		done = t->done;
		pthread_mutex_unlock(&rt_lock);
		if (done)
			return 0;
		if (tid && rt_asleep(tid))
			return 1;
		usleep(10000);
	}
	return 0;
}

/* Wait until @want readers are done, at most RT_WAIT_MS; how many are. */
static int rt_wait_done(struct rt_reader *t, int want)
{
	struct timespec dl;
	int n;

	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += RT_WAIT_MS / 1000;
	pthread_mutex_lock(&rt_lock);
	while (t[0].done + t[1].done < want &&
	       pthread_cond_timedwait(&rt_cond, &rt_lock, &dl) != ETIMEDOUT)
		;
	n = t[0].done + t[1].done;
	pthread_mutex_unlock(&rt_lock);
	return n;
}

/* What is left, read without blocking. */
static long rt_drain(int fd, char *buf)
{
	long recs = 0;
	ssize_t n;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	while ((n = read(fd, buf, RT_BUF)) > 0)
		recs += count_records(buf, n);
	fcntl(fd, F_SETFL, 0);
	return recs;
}

/*
 * An accept4() that fails with EAGAIN on a non-blocking listener: one
 * record of each probe.
 */
static void rt_accept(int ls)
{
	if (accept4(ls, NULL, NULL, 0) >= 0 || errno != EAGAIN) {
		printf("accept4 on an empty listener: %s\n", strerror(errno));
		exit(1);
	}
}

/*
 * Each round: two threads of this process block in read() on the same
 * open file; an accept; once one reader is back and the other asleep
 * again, a second accept; the other must be back within RT_WAIT_MS, and
 * the records both read plus what is left must be the round's four.
 * Everything runs on CPU 0, so that the readers, woken together, look
 * one after the other: the second finds the records taken.
 * Prints "read-threads ROUNDS rounds RECORDS records" on success.
 */
static int cmd_read_threads(int rounds)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	struct rt_reader t[2];
	char *buf = malloc(RT_BUF);
	long total = 0;
	cpu_set_t cpus;
	int fd, ls, round, i;

	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (!buf || sched_setaffinity(0, sizeof(cpus), &cpus)) {
		printf("setup: %s\n", strerror(errno));
		return 2;
	}
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (ls < 0 || bind(ls, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(ls, 4)) {
		printf("listener: %s\n", strerror(errno));
		return 2;
	}
	fd = open_dev(0);
	set_binary(fd);
	rt_drain(fd, buf);
	for (round = 1; round <= rounds; round++) {
		long got;

		memset(t, 0, sizeof(t));
		for (i = 0; i < 2; i++) {
			t[i].fd = fd;
			t[i].buf = malloc(RT_BUF);
			if (!t[i].buf ||
			    pthread_create(&t[i].th, NULL, rt_read, &t[i])) {
				printf("reader thread: cannot start\n");
				return 2;
			}
		}
		for (i = 0; i < 2; i++) {
			if (!rt_wait_asleep(&t[i])) {
				printf("round %d: reader %d never slept in read()\n",
				       round, i);
				return 1;
			}
		}
		rt_accept(ls);
		if (rt_wait_done(t, 1) < 1) {
			printf("round %d: no reader back %d ms after an accept\n",
			       round, RT_WAIT_MS);
			return 1;
		}
		/* The other one has looked, found nothing, and sleeps again. */
		for (i = 0; i < 2; i++)
			rt_wait_asleep(&t[i]);
		usleep(100000);
		rt_accept(ls);
		if (rt_wait_done(t, 2) < 2) {
			printf("round %d: a reader still blocked %d ms after the next accept\n",
			       round, RT_WAIT_MS);
			return 1;
		}
		for (i = 0; i < 2; i++) {
			pthread_join(t[i].th, NULL);
			free(t[i].buf);
			if (t[i].err) {
				printf("round %d: reader %d: read: %s\n", round,
				       i, strerror(t[i].err));
				return 1;
			}
			if (!t[i].records) {
				printf("round %d: reader %d returned no record\n",
				       round, i);
				return 1;
			}
		}
		got = t[0].records + t[1].records + rt_drain(fd, buf);
		if (got != 4) {
			printf("round %d: %ld records, not 4\n", round, got);
			return 1;
		}
		total += got;
	}
	printf("read-threads %d rounds %ld records\n", rounds, total);
	close(fd);
	close(ls);
	return 0;
}

/* ---- wake-latency ---- */

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/*
 * Each try: a connection waits on a listener; a reader thread blocks in
 * read() and is seen asleep; 50 ms of nothing (more than the module's
 * 10 ms between two wakeups, so the box is idle as far as it knows);
 * then accept4() takes the connection, and the time from just before
 * that call to the read() returning is the try's latency.
 */
static int cmd_wake_latency(int tries)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	long long *lat = calloc(tries, sizeof(*lat));
	char *buf = malloc(RT_BUF);
	struct rt_reader t[2];
	int fd, ls, i;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ls = socket(AF_INET, SOCK_STREAM, 0);
	if (!lat || !buf || ls < 0 ||
	    bind(ls, (struct sockaddr *)&sin, sizeof(sin)) || listen(ls, 4) ||
	    getsockname(ls, (struct sockaddr *)&sin, &len)) {
		printf("setup: %s\n", strerror(errno));
		return 2;
	}
	fd = open_dev(0);
	set_binary(fd);
	rt_drain(fd, buf);
	for (i = 0; i < tries; i++) {
		int c = socket(AF_INET, SOCK_STREAM, 0), a;
		long long t0;

		if (c < 0 || connect(c, (struct sockaddr *)&sin, sizeof(sin))) {
			printf("connect: %s\n", strerror(errno));
			return 2;
		}
		memset(t, 0, sizeof(t));
		t[0].fd = fd;
		t[0].buf = buf;
		if (pthread_create(&t[0].th, NULL, rt_read, &t[0])) {
			printf("reader thread: cannot start\n");
			return 2;
		}
		if (!rt_wait_asleep(&t[0])) {
			printf("try %d: the reader never slept in read()\n", i);
			return 1;
		}
		usleep(50000);
		t0 = now_ns();
		a = accept4(ls, NULL, NULL, 0);
		if (a < 0) {
			printf("accept4: %s\n", strerror(errno));
			return 1;
		}
		if (rt_wait_done(t, 1) < 1) {
			printf("try %d: no wakeup %d ms after an accept\n", i,
			       RT_WAIT_MS);
			return 1;
		}
		pthread_join(t[0].th, NULL);
		lat[i] = t[0].back_ns - t0;
		close(a);
		close(c);
		usleep(20000);
		rt_drain(fd, buf);
	}
	qsort(lat, tries, sizeof(*lat), cmp_ll);
	printf("wake-latency %d median_us=%lld min_us=%lld max_us=%lld\n",
	       tries, lat[tries / 2] / 1000, lat[0] / 1000,
	       lat[tries - 1] / 1000);
	close(fd);
	close(ls);
	return 0;
}

static void usage(void)
{
	fputs("usage: at-dev abi | sizes | read BUFSZ | read-nonblock | poll MS |\n"
	      "              binread-small SIZE | binread N FILE | set-comm COMM |\n"
	      "              read-threads ROUNDS | wake-latency N\n", stderr);
	exit(2);
}

static unsigned long num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*end || !*s)
		usage();
	return v;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(argv[1], "abi") && argc == 2)
		return cmd_abi();
	if (!strcmp(argv[1], "sizes") && argc == 2)
		return cmd_sizes();
	if (!strcmp(argv[1], "read") && argc == 3 && num(argv[2]))
		return cmd_read(num(argv[2]));
	if (!strcmp(argv[1], "read-nonblock") && argc == 2)
		return cmd_read_nonblock();
	if (!strcmp(argv[1], "poll") && argc == 3)
		return cmd_poll((int)num(argv[2]));
	if (!strcmp(argv[1], "binread-small") && argc == 3)
		return cmd_binread_small(num(argv[2]));
	if (!strcmp(argv[1], "binread") && argc == 4)
		return cmd_binread(num(argv[2]), argv[3]);
	if (!strcmp(argv[1], "set-comm") && argc == 3)
		return cmd_set_comm(argv[2]);
	if (!strcmp(argv[1], "read-threads") && argc == 3 && num(argv[2]))
		return cmd_read_threads((int)num(argv[2]));
	if (!strcmp(argv[1], "wake-latency") && argc == 3 && num(argv[2]))
		return cmd_wake_latency((int)num(argv[2]));
	usage();
	return 2;
}
