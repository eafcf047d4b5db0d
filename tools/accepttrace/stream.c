// SPDX-License-Identifier: GPL-2.0
/*
 * The default command: one line per record, in the module's text format
 * (module/format.c) or as JSON lines, until -n/-d or a signal; then the
 * read/lost account on stderr.
 */
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

/* Output: records are formatted into one buffer, written once per read. */
#define AT_OUT_BUF	(512 * 1024)
/* Room one record may take: a JSON line, or a text line and its stamp. */
#define AT_OUT_REC	(AT_JSON_MAX > AT_LINE_MAX + 64 ? AT_JSON_MAX : \
			 AT_LINE_MAX + 64)

static void on_signal(int sig)
{
	(void)sig;
	at_stop = 1;
}

void at_install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll() returns */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
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
	int n = poll(&p, 1, ms);

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

struct stream {
	const struct at_opts *o;
	long long start_mono, wall_off;
	unsigned long long events, lost;
	bool done;
	bool tty;		/* stdout is a terminal: a write per line */
	char *out;		/* AT_OUT_BUF bytes */
	size_t out_len;
	time_t tm_sec;		/* -T: the second in tm_text */
	char tm_text[9];	/* "HH:MM:SS" */
};

/* Write out the buffer; a closed stdout ends the tool quietly, status 0. */
static void out_flush(struct stream *s)
{
	const char *p = s->out;
	size_t n = s->out_len;
	ssize_t w;

	s->out_len = 0;
	while (n) {
		w = write(STDOUT_FILENO, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			_exit(AT_EXIT_OK);	/* EPIPE under `| head`... */
		}
		p += w;
		n -= w;
	}
}

static char *put_time(struct stream *s, char *p, uint64_t ts)
{
	long long ns;

	if (s->o->time == AT_TIME_WALL) {
		time_t sec;

		ns = (long long)ts + s->wall_off;
		sec = ns / 1000000000LL;
		if (sec != s->tm_sec || !s->tm_text[0]) {
			struct tm tm;
			char *t = s->tm_text;

			localtime_r(&sec, &tm);
			t = at_put_u64_pad(t, tm.tm_hour, 2);
			*t++ = ':';
			t = at_put_u64_pad(t, tm.tm_min, 2);
			*t++ = ':';
			t = at_put_u64_pad(t, tm.tm_sec, 2);
			*t = '\0';
			s->tm_sec = sec;
		}
		p = at_put(p, s->tm_text, 8);
	} else {
		ns = (long long)ts - s->start_mono;
		if (ns < 0) {		/* recorded before we started */
			*p++ = '-';
			ns = -ns;
		}
		p = at_put_u64(p, ns / 1000000000LL);
	}
	*p++ = '.';
	p = at_put_u64_pad(p, ns % 1000000000LL / 1000, 6);
	*p++ = ' ';
	return p;
}

/* The module's line, from module/format.c, at @p. */
static char *put_text(struct stream *s, char *p,
		      const struct accepttrace_hdr *h)
{
	int n;

	if (s->o->time == AT_TIME_MONO || h->type == ACCEPTTRACE_REC_LOST) {
		n = at_format_record(p, AT_LINE_MAX, h);
		return p + (n < AT_LINE_MAX ? n : AT_LINE_MAX - 1);
	}
	p = put_time(s, p, h->ts_ns);
	n = at_format_body(p, AT_LINE_MAX, h);
	p += n < AT_LINE_MAX ? n : AT_LINE_MAX - 1;
	*p++ = '\n';
	return p;
}

static void one_record(struct stream *s, const struct accepttrace_hdr *h)
{
	const struct accepttrace_lost *lost = at_as_lost(h);
	char *p;

	if (lost)
		s->lost += lost->count;
	else
		s->events++;
	if (AT_OUT_BUF - s->out_len < AT_OUT_REC)
		out_flush(s);
	p = s->out + s->out_len;
	if (s->o->json)
		p = at_json_line(p, h, s->wall_off, s->start_mono, s->o->time);
	else
		p = put_text(s, p, h);
	s->out_len = p - s->out;
	if (s->tty)
		out_flush(s);
	if (s->o->count && (long long)s->events >= s->o->count)
		s->done = true;
}

/* One read(): returns -1 on error, 0 when nothing was there, else 1. */
static int read_batch(struct stream *s, struct at_reader *r)
{
	unsigned long long want = s->o->count ? s->o->count - s->events : 0;
	const struct accepttrace_hdr *h;
	long n = at_dev_read(r, want);

	if (n <= 0)
		return (int)n;
	while (!s->done && (h = at_dev_next(r)))
		one_record(s, h);
	out_flush(s);
	return 1;
}

static int remaining_ms(const struct stream *s)
{
	long long left;

	if (s->o->duration <= 0)
		return -1;
	left = s->start_mono + (long long)(s->o->duration * 1e9) -
	       at_now_ns(CLOCK_MONOTONIC);
	return left <= 0 ? 0 : (int)((left + 999999) / 1000000);
}

static void report(const struct stream *s, bool have_before,
		   const struct at_stats *before)
{
	struct at_stats after;

	fprintf(stderr, "%s: %llu events read, %llu lost", at_prog,
		s->events, s->lost);
	/* Drops the module counted but could not yet report in a record. */
	if (have_before && !at_stats_read(&after, false) &&
	    after.lost - before->lost > s->lost)
		fprintf(stderr, " (module counted %llu lost while reading)",
			after.lost - before->lost);
	fputc('\n', stderr);
}

int at_cmd_stream(const struct at_opts *o)
{
	struct stream s = { .o = o };
	struct at_stats *before = calloc(1, sizeof(*before));
	struct at_reader r;
	bool have_before;
	unsigned int i, drain;
	int fd, ms, rc = AT_EXIT_OK;

	if (!before)
		return AT_EXIT_ERROR;
	fd = at_dev_open(&o->filter);
	if (fd < 0) {
		free(before);
		return AT_EXIT_ERROR;
	}
	if (at_reader_init(&r, fd)) {
		close(fd);
		free(before);
		return AT_EXIT_ERROR;
	}
	s.out = malloc(AT_OUT_BUF);
	if (!s.out) {
		fprintf(stderr, "%s: out of memory\n", at_prog);
		at_reader_free(&r);
		close(fd);
		free(before);
		return AT_EXIT_ERROR;
	}
	s.tty = isatty(STDOUT_FILENO);
	have_before = !at_stats_read(before, false);
	s.start_mono = at_now_ns(CLOCK_MONOTONIC);
	s.wall_off = at_now_ns(CLOCK_REALTIME) - s.start_mono;

	while (!s.done && !at_stop) {
		ms = remaining_ms(&s);
		if (!ms)
			break;
		if (at_wait(fd, ms) < 0 || read_batch(&s, &r) < 0) {
			rc = AT_EXIT_ERROR;
			break;
		}
	}
	/*
	 * Stopped by time or signal: print what the module already holds,
	 * so that the account is exact however late its wakeup would be.
	 */
	drain = rc == AT_EXIT_OK && !s.done ? at_drain_reads() : 0;
	for (i = 0; i < drain && !s.done; i++)
		if (read_batch(&s, &r) <= 0)
			break;
	out_flush(&s);
	at_check_stdout();
	report(&s, have_before, before);
	free(s.out);
	at_reader_free(&r);
	close(fd);
	free(before);
	return rc;
}

static int run_batch(struct at_reader *r, at_rec_fn rec, void *ctx)
{
	const struct accepttrace_hdr *h;
	long n = at_dev_read(r, 0);

	if (n <= 0)
		return (int)n;
	while ((h = at_dev_next(r)))
		if (rec(ctx, h))
			return 2;
	return 1;
}

int at_run(const struct at_opts *o, at_rec_fn rec, at_tick_fn tick, void *ctx)
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
			tick(ctx, false);
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
		rc = run_batch(&r, rec, ctx);
	}
	/* Whatever stopped us, count what the module already holds. */
	drain = rc >= 0 && rc != 2 ? at_drain_reads() : 0;
	for (i = 0; i < drain; i++)
		if ((rc = run_batch(&r, rec, ctx)) <= 0)
			break;
	tick(ctx, true);
	fflush(stdout);
	at_check_stdout();
	at_reader_free(&r);
	close(fd);
	return rc < 0 ? AT_EXIT_ERROR : AT_EXIT_OK;
}
