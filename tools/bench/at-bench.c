// SPDX-License-Identifier: GPL-2.0
/*
 * at-bench: the timed workloads of the accepttrace benchmark.
 *
 *   at-bench conn -n N [-a ACCEPTORS] [-c CLIENTS] [-r RATE]
 *   at-bench getpid -n N
 *   at-bench eagain -n N
 *   at-bench drain [-b]
 *
 * conn with one acceptor and one client (the default) is one thread doing
 * N x (connect + accept4 + close) on loopback; with more, ACCEPTORS
 * threads accept N/ACCEPTORS connections each from one listener while
 * CLIENTS threads make N/CLIENTS connections each, thread k pinned to
 * CPU k % ncpus (so 2+2 puts an acceptor and a client on each vCPU).
 * -r paces the clients to RATE connections per second in total.  Clients
 * close with SO_LINGER {1, 0} (RST), so no TIME_WAIT piles up and the
 * ephemeral ports never run out.
 *
 * getpid is the control: N getpid() system calls, which accepttrace
 * does not probe.
 *
 * eagain is N accept4() calls on an empty non-blocking listener: each
 * fails with EAGAIN after passing through both probed functions, at a
 * hundredth of a connection's cost, so what the probes add per call
 * stands well above the run-to-run noise.
 *
 * drain reads /dev/accepttrace until it is empty (O_NONBLOCK, 64 KiB per
 * read(); -b: binary records, else text lines): the reader's cost per
 * record, the records being in the rings already; n is the records read.
 *
 * Timing is CLOCK_MONOTONIC around the whole run.  Output, one line:
 *   RESULT work=conn n=N threads=A+C ns=TOTAL ns_per_op=X.X rate=R
 * Exit 1 if any call fails: every connection must be accepted, so the
 * benchmark knows exactly how many records to expect.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "accepttrace.h"

#define MAX_THREADS	64

static struct sockaddr_in listen_addr;
static int listen_fd;
static long per_acceptor, per_client;
static double client_rate;	/* connections/s per client, 0: unpaced */
static pthread_barrier_t start_line;

static void die(const char *what)
{
	fprintf(stderr, "at-bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void pin(int k)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	if (ncpu < 1)
		return;
	CPU_ZERO(&set);
	CPU_SET(k % ncpu, &set);
	/* Best effort: an unpinned run is still a valid run. */
	sched_setaffinity(0, sizeof(set), &set);
}

static void make_listener(void)
{
	socklen_t len = sizeof(listen_addr);
	int one = 1;

	listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	if (listen_fd < 0)
		die("socket");
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&listen_addr, 0, sizeof(listen_addr));
	listen_addr.sin_family = AF_INET;
	listen_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(listen_fd, (struct sockaddr *)&listen_addr, len) < 0)
		die("bind");
	if (listen(listen_fd, 4096) < 0)
		die("listen");
	if (getsockname(listen_fd, (struct sockaddr *)&listen_addr, &len) < 0)
		die("getsockname");
}

static int connect_one(void)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	/* close() sends RST: no TIME_WAIT on either side. */
	if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) < 0)
		die("SO_LINGER");
	if (connect(fd, (struct sockaddr *)&listen_addr,
		    sizeof(listen_addr)) < 0)
		die("connect");
	return fd;
}

static void accept_one(void)
{
	struct sockaddr_in peer;
	socklen_t len = sizeof(peer);
	int fd;

	fd = accept4(listen_fd, (struct sockaddr *)&peer, &len, SOCK_CLOEXEC);
	if (fd < 0)
		die("accept4");
	close(fd);
}

static void *acceptor(void *arg)
{
	long i;

	pin((long)arg);
	pthread_barrier_wait(&start_line);
	for (i = 0; i < per_acceptor; i++)
		accept_one();
	return NULL;
}

/* Sleep until the i-th connection of a client paced at client_rate. */
static void pace(unsigned long long t0, long i)
{
	unsigned long long due = t0 + (unsigned long long)(i * 1e9 / client_rate);
	struct timespec ts = {
		.tv_sec = due / 1000000000ULL,
		.tv_nsec = due % 1000000000ULL,
	};

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

static void *client(void *arg)
{
	unsigned long long t0;
	long i;

	pin((long)arg);
	pthread_barrier_wait(&start_line);
	t0 = now_ns();
	for (i = 0; i < per_client; i++) {
		if (client_rate > 0)
			pace(t0, i);
		close(connect_one());
	}
	return NULL;
}

static void report(const char *work, long n, const char *threads,
		   unsigned long long ns)
{
	printf("RESULT work=%s n=%ld threads=%s ns=%llu ns_per_op=%.1f rate=%.0f\n",
	       work, n, threads, ns, (double)ns / n, n * 1e9 / ns);
}

static void run_single(long n)
{
	unsigned long long t0, t1;
	long i;

	t0 = now_ns();
	for (i = 0; i < n; i++) {
		int c = connect_one();

		accept_one();
		close(c);
	}
	t1 = now_ns();
	report("conn", n, "1", t1 - t0);
}

static void run_threads(long n, int na, int nc)
{
	pthread_t tid[MAX_THREADS];
	unsigned long long t0, t1;
	char threads[32];
	int k, nt = 0;

	per_acceptor = n / na;
	per_client = n / nc;
	pthread_barrier_init(&start_line, NULL, na + nc + 1);
	for (k = 0; k < na; k++)
		if (pthread_create(&tid[nt++], NULL, acceptor, (void *)(long)k))
			die("pthread_create");
	for (k = 0; k < nc; k++)
		if (pthread_create(&tid[nt++], NULL, client, (void *)(long)k))
			die("pthread_create");
	pthread_barrier_wait(&start_line);
	t0 = now_ns();
	for (k = 0; k < nt; k++)
		pthread_join(tid[k], NULL);
	t1 = now_ns();
	snprintf(threads, sizeof(threads), "%d+%d", na, nc);
	report("conn", n, threads, t1 - t0);
}

static void run_getpid(long n)
{
	unsigned long long t0;
	long i;

	t0 = now_ns();
	for (i = 0; i < n; i++)
		syscall(SYS_getpid);
	report("getpid", n, "1", now_ns() - t0);
}

static void run_eagain(long n)
{
	unsigned long long t0;
	long i;

	make_listener();
	if (fcntl(listen_fd, F_SETFL, O_NONBLOCK) < 0)
		die("fcntl O_NONBLOCK");
	t0 = now_ns();
	for (i = 0; i < n; i++)
		if (accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK) != -1 ||
		    errno != EAGAIN)
			die("accept4 on an empty listener did not fail with EAGAIN");
	report("eagain", n, "1", now_ns() - t0);
}

static void run_drain(bool binary)
{
	static char buf[65536];
	unsigned long long t0, t1;
	__u32 one = 1;
	long n = 0;
	ssize_t got, off;
	int fd;

	fd = open(ACCEPTTRACE_DEVICE, O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		die("open " ACCEPTTRACE_DEVICE);
	if (binary && ioctl(fd, ACCEPTTRACE_IOC_SET_BINARY, &one))
		die("ACCEPTTRACE_IOC_SET_BINARY");
	t0 = now_ns();
	for (;;) {
		got = read(fd, buf, sizeof(buf));
		if (got < 0 && errno == EAGAIN)
			break;
		if (got < 0)
			die("read");
		if (!got)
			break;
		for (off = 0; off < got; n++) {
			if (binary) {
				struct accepttrace_hdr h;

				memcpy(&h, buf + off, sizeof(h));
				off += h.size;
			} else {
				char *nl = memchr(buf + off, '\n', got - off);

				if (!nl)
					break;
				off = nl - buf + 1;
			}
		}
	}
	t1 = now_ns();
	close(fd);
	report(binary ? "drain-bin" : "drain-text", n ? n : 1, "1", t1 - t0);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: at-bench conn -n N [-a ACCEPTORS] [-c CLIENTS] [-r RATE]\n"
		"       at-bench getpid -n N\n"
		"       at-bench eagain -n N\n"
		"       at-bench drain [-b]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	long n = 0;
	int na = 1, nc = 1, opt;
	double rate = 0;
	const char *work;

	if (argc < 2)
		usage();
	work = argv[1];
	if (!strcmp(work, "drain")) {
		if (argc > 3 || (argc == 3 && strcmp(argv[2], "-b")))
			usage();
		setvbuf(stdout, NULL, _IOLBF, 0);
		run_drain(argc == 3);
		return 0;
	}
	optind = 2;
	while ((opt = getopt(argc, argv, "n:a:c:r:")) != -1) {
		switch (opt) {
		case 'n': n = atol(optarg); break;
		case 'a': na = atoi(optarg); break;
		case 'c': nc = atoi(optarg); break;
		case 'r': rate = atof(optarg); break;
		default: usage();
		}
	}
	if (n < 2 || na < 1 || nc < 1 || na + nc > MAX_THREADS || rate < 0)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(work, "getpid")) {
		run_getpid(n);
		return 0;
	}
	if (!strcmp(work, "eagain")) {
		run_eagain(n);
		return 0;
	}
	if (strcmp(work, "conn"))
		usage();
	if (n % na || n % nc) {
		fprintf(stderr, "at-bench: -n %ld must divide among %d acceptors and %d clients\n",
			n, na, nc);
		return 2;
	}
	make_listener();
	if (na == 1 && nc == 1 && rate == 0) {
		run_single(n);
	} else {
		client_rate = rate / nc;
		run_threads(n, na, nc);
	}
	return 0;
}
