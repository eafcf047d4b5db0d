// SPDX-License-Identifier: GPL-2.0
/*
 * at-churn: keep accept() busy on every CPU while something else loads,
 * unloads or reconfigures the tracer.
 *
 *   at-churn [-t THREADS] [-s SECONDS] [-f STOPFILE] [-p USEC] [-u]
 *
 * THREADS threads (default 3), thread k pinned to the k-th usable CPU, each
 * with a listener of its own: even threads TCP on 127.0.0.1, odd ones
 * AF_UNIX (with -u, all AF_UNIX).  Each loops connect + accept (or
 * accept4, alternately) + close until SECONDS have passed or STOPFILE
 * exists, pausing USEC microseconds (default 0) after each connection so
 * that a test driver on the same CPUs still gets its share.  Prints one
 * line at the end:
 *   CHURN threads=T accepts=N errors=E
 * and exits 1 if any call failed: a lifecycle test wants every accept
 * to succeed whatever the tracer is doing.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>

#define MAX_THREADS	64

static int nthreads = 3;
static double seconds = 10;
static const char *stopfile;
static int all_unix;
static useconds_t pause_us;
static volatile int stop;

struct churn {
	pthread_t	th;
	int		id;
	long		accepts;
	long		errors;
	char		why[128];
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fail(struct churn *c, const char *what)
{
	if (!c->errors)
		snprintf(c->why, sizeof(c->why), "%s: %s", what,
			 strerror(errno));
	c->errors++;
}

static int listener(struct churn *c, struct sockaddr_storage *ss,
		    socklen_t *len)
{
	int fd;

	if (!all_unix && c->id % 2 == 0) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		fd = socket(AF_INET, SOCK_STREAM, 0);
		memset(sin, 0, sizeof(*sin));
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		*len = sizeof(*sin);
	} else {
		struct sockaddr_un *sun = (struct sockaddr_un *)ss;

		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		memset(sun, 0, sizeof(*sun));
		sun->sun_family = AF_UNIX;
		/* Abstract: nothing to clean up. */
		*len = offsetof(struct sockaddr_un, sun_path) + 1 +
		       snprintf(sun->sun_path + 1, sizeof(sun->sun_path) - 1,
				"at-churn-%d-%d", (int)getpid(), c->id);
	}
	if (fd < 0 || bind(fd, (struct sockaddr *)ss, *len) ||
	    listen(fd, 64) ||
	    getsockname(fd, (struct sockaddr *)ss, len))
		return -1;
	return fd;
}

/*
 * Pin the calling thread to the k-th CPU it may run on (modulo their
 * number): CPU numbers need not be contiguous once some are offline.
 * A CPU that goes offline later unpins the thread; that is fine.
 */
static void pin(int k)
{
	cpu_set_t all, one;
	int cpu, n = 0;

	if (sched_getaffinity(0, sizeof(all), &all) || !CPU_COUNT(&all))
		return;
	k %= CPU_COUNT(&all);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &all) || n++ != k)
			continue;
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		pthread_setaffinity_np(pthread_self(), sizeof(one), &one);
		return;
	}
}

static void *run(void *arg)
{
	struct churn *c = arg;
	struct sockaddr_storage ss, peer;
	socklen_t len, plen;
	int lfd, cfd, afd;

	pin(c->id);
	lfd = listener(c, &ss, &len);
	if (lfd < 0) {
		fail(c, "listener");
		return NULL;
	}
	while (!stop) {
		cfd = socket(ss.ss_family, SOCK_STREAM, 0);
		if (cfd < 0 || connect(cfd, (struct sockaddr *)&ss, len)) {
			fail(c, "connect");
			if (cfd >= 0)
				close(cfd);
			continue;
		}
		plen = sizeof(peer);
		if (c->accepts % 2)
			afd = accept4(lfd, (struct sockaddr *)&peer, &plen,
				      SOCK_CLOEXEC);
		else
			afd = accept(lfd, (struct sockaddr *)&peer, &plen);
		if (afd < 0)
			fail(c, "accept");
		else
			c->accepts++;
		if (ss.ss_family == AF_INET) {
			/* RST on close: no TIME_WAIT, ports never run out. */
			struct linger lg = { 1, 0 };

			setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		}
		close(cfd);
		if (afd >= 0)
			close(afd);
		if (pause_us)
			usleep(pause_us);
	}
	close(lfd);
	return NULL;
}

static void usage(void)
{
	fprintf(stderr, "usage: at-churn [-t THREADS] [-s SECONDS] [-f STOPFILE] [-p USEC] [-u]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct churn c[MAX_THREADS];
	long accepts = 0, errors = 0;
	struct stat st;
	double end;
	int opt, i;

	while ((opt = getopt(argc, argv, "t:s:f:p:u")) != -1) {
		switch (opt) {
		case 't': nthreads = atoi(optarg); break;
		case 's': seconds = atof(optarg); break;
		case 'f': stopfile = optarg; break;
		case 'p': pause_us = (useconds_t)atol(optarg); break;
		case 'u': all_unix = 1; break;
		default: usage();
		}
	}
	if (optind != argc || nthreads < 1 || nthreads > MAX_THREADS ||
	    seconds <= 0)
		usage();
	signal(SIGPIPE, SIG_IGN);
	memset(c, 0, sizeof(c));
	for (i = 0; i < nthreads; i++) {
		c[i].id = i;
		if (pthread_create(&c[i].th, NULL, run, &c[i])) {
			perror("at-churn: pthread_create");
			return 1;
		}
	}
	end = now() + seconds;
	while (now() < end && !(stopfile && !stat(stopfile, &st)))
		usleep(20000);
	stop = 1;
	for (i = 0; i < nthreads; i++) {
		pthread_join(c[i].th, NULL);
		accepts += c[i].accepts;
		errors += c[i].errors;
		if (c[i].errors)
			fprintf(stderr, "at-churn: thread %d: %ld errors, first: %s\n",
				i, c[i].errors, c[i].why);
	}
	printf("CHURN threads=%d accepts=%ld errors=%ld\n", nthreads, accepts,
	       errors);
	return errors ? 1 : 0;
}
