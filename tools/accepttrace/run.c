// SPDX-License-Identifier: GPL-2.0
/*
 * The one read loop, which every subcommand that reads records runs
 * (stream, hist, top, metrics): open the device with the filter, wait
 * for records with ppoll(), read them in batches and hand each to the
 * caller, keep the caller's interval and duration, stop on a signal, and
 * then read what the module already holds, so that the account is exact
 * however late a wakeup would have come.  Also the signal handling and
 * the clocks the subcommands share.
 */
#define _GNU_SOURCE		/* ppoll() */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

volatile int at_stop;

/*
 * After a stop, reads that empty what the module already holds: until
 * read() says EAGAIN, but no more than twice what all its rings can hold
 * (AT_DRAIN_READS when debugfs cannot tell), so a stop ends even while
 * accepts keep coming.
 */
#define AT_DRAIN_READS	64

static void on_signal(int sig)
{
	(void)sig;
	at_stop = 1;
}

/* The signal mask at_wait() waits with: the stop signals let in. */
static sigset_t wait_mask;

/*
 * SIGINT and SIGTERM set at_stop, and stay blocked but while at_wait()
 * waits: one that comes after the read loop looked at at_stop and before
 * it waits is then held, and ends the wait at once.  With the handler
 * free to run at any time, it could land in that window, and the loop
 * went on to wait on an idle device for good, deaf to the signal.
 */
void at_install_signals(void)
{
	struct sigaction sa;
	sigset_t stops;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: ppoll() returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigprocmask(SIG_BLOCK, &stops, &wait_mask);
	sigdelset(&wait_mask, SIGINT);
	sigdelset(&wait_mask, SIGTERM);
}

void at_unblock_signals(void)
{
	sigprocmask(SIG_SETMASK, &wait_mask, NULL);
}

long long at_now_ns(int clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int at_wait(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };
	int n = ppoll(&p, 1, ms < 0 ? NULL : &ts, &wait_mask);

	if (n < 0 && errno != EINTR) {
		fprintf(stderr, "%s: poll %s: %s\n", at_prog,
			ACCEPTTRACE_DEVICE, strerror(errno));
		return -1;
	}
	return n > 0;
}

unsigned int at_drain_reads(void)
{
	struct at_stats *st = calloc(1, sizeof(*st));
	unsigned long long n = AT_DRAIN_READS;

	if (st && !at_stats_read(st, false) && st->ncpus)
		n = 2 + 2 * st->buf_bytes * st->ncpus / AT_READ_BUF;
	free(st);
	if (n < AT_DRAIN_READS)
		n = AT_DRAIN_READS;
	return n > 1000000 ? 1000000 : (unsigned int)n;
}

/*
 * One read() and its records: -1 on error, 0 when nothing was there, 2
 * when the caller asked to stop, else 1.
 */
static int run_batch(struct at_reader *r, const struct at_loop *l)
{
	unsigned long long want = l->want ? l->want(l->ctx) : 0;
	const struct accepttrace_hdr *h;
	long n = at_dev_read(r, want);
	int rc = 1;

	if (n <= 0)
		return (int)n;
	while ((h = at_dev_next(r)))
		if (l->rec(l->ctx, h))
			rc = 2;
	if (l->batch)
		l->batch(l->ctx);
	return rc;
}

int at_run(const struct at_opts *o, const struct at_loop *l)
{
	long long start, end = 0, next = 0, now, wait;
	struct at_reader r;
	unsigned int i, drain;
	int fd, rc = 0;

	fd = at_dev_open(&o->filter);
	if (fd < 0)
		return AT_EXIT_ERROR;
	if (at_reader_init(&r, fd)) {
		close(fd);
		return AT_EXIT_ERROR;
	}
	if (l->started)
		l->started(l->ctx);
	start = at_now_ns(CLOCK_MONOTONIC);
	if (o->duration > 0)
		end = start + (long long)(o->duration * 1e9);
	if (o->interval > 0)
		next = start + (long long)(o->interval * 1e9);
	while (!o->drain_only && !at_stop && rc >= 0 && rc != 2) {
		now = at_now_ns(CLOCK_MONOTONIC);
		if (end && now >= end)
			break;
		if (next && now >= next) {
			if (l->tick)
				l->tick(l->ctx, false);
			at_check_stdout();
			next += (long long)(o->interval * 1e9);
			continue;
		}
		wait = -1;
		if (end)
			wait = end - now;
		if (next && (wait < 0 || next - now < wait))
			wait = next - now;
		if (at_wait(fd, wait < 0 ? -1 : (int)((wait + 999999) / 1000000)) < 0) {
			rc = -1;
			break;
		}
		rc = run_batch(&r, l);
	}
	/* Stopped by time, signal or drain_only: what the module holds. */
	drain = rc >= 0 && rc != 2 ? at_drain_reads() : 0;
	for (i = 0; i < drain; i++) {
		rc = run_batch(&r, l);
		if (rc <= 0 || rc == 2)
			break;
	}
	if (l->tick)
		l->tick(l->ctx, true);
	at_check_stdout();
	at_reader_free(&r);
	close(fd);
	return rc < 0 ? AT_EXIT_ERROR : AT_EXIT_OK;
}
