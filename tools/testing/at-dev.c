// SPDX-License-Identifier: GPL-2.0
/*
 * at-dev - poke /dev/accepttrace the ways a shell cannot.
 *
 *   at-dev abi                 print ACCEPTTRACE_IOC_ABI_VERSION
 *   at-dev sizes               "<record> <bytes>" for each record type
 *   at-dev read BUFSZ          text, read(BUFSZ) at a time until empty
 *   at-dev read-nonblock       one O_NONBLOCK read: "EAGAIN" or "data N"
 *   at-dev poll MS             drain, then poll: "ready" within MS or fail
 *   at-dev binread-small SIZE  binary read(SIZE): errno name, then what a
 *                              full-sized read finds ("type T size S")
 *   at-dev binread N FILE      binary records until N are read, saved to
 *                              FILE, then die by SIGKILL mid-stream
 *
 * Every result goes to stdout as one line a suite compares exactly;
 * "read" copies the bytes to stdout.  Exit status 0, 1 when the awaited
 * thing did not happen, 2 on a usage or open error.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
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
	printf("lost %zu\n", sizeof(struct accepttrace_lost));
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

static void usage(void)
{
	fputs("usage: at-dev abi | sizes | read BUFSZ | read-nonblock | poll MS |\n"
	      "              binread-small SIZE | binread N FILE\n", stderr);
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
	usage();
	return 2;
}
