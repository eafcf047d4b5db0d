// SPDX-License-Identifier: GPL-2.0
/*
 * The default command: one line per record, in the module's text format
 * (module/format.c) or as JSON lines, until -n/-d or a signal; then the
 * read/lost account on stderr.  A client of the read loop in run.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

/* Output: records are formatted into one buffer, written once per read. */
#define AT_OUT_BUF	(512 * 1024)
/* Room one record may take: a JSON line, or a text line and its stamp. */
#define AT_OUT_REC	(AT_JSON_MAX > AT_LINE_MAX + 64 ? AT_JSON_MAX : \
			 AT_LINE_MAX + 64)

struct stream {
	const struct at_opts *o;
	long long start_mono, wall_off;
	unsigned long long events, lost;
	unsigned long long past;	/* read after -n's count, not shown */
	bool started;		/* the device is open: an account to give */
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

/* at_run(): the device is open; times count from here. */
static void stream_started(void *ctx)
{
	struct stream *s = ctx;

	s->started = true;
	s->start_mono = at_now_ns(CLOCK_MONOTONIC);
	s->wall_off = at_now_ns(CLOCK_REALTIME) - s->start_mono;
}

/* at_run(): one record; non-zero once -n's count is reached. */
static int one_record(void *ctx, const struct accepttrace_hdr *h)
{
	const struct accepttrace_lost *lost = at_as_lost(h);
	struct stream *s = ctx;
	char *p;

	/*
	 * The rest of a read() that reached -n's count: only a race can
	 * bring any (at_dev_read()), and they are counted in the account.
	 */
	if (s->o->count && (long long)s->events >= s->o->count) {
		if (!lost)
			s->past++;
		else
			s->lost += lost->count;
		return 1;
	}
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
	return s->o->count && (long long)s->events >= s->o->count;
}

/* at_run(): after each read(), its lines go out. */
static void one_batch(void *ctx)
{
	out_flush(ctx);
}

/* at_run(): with -n, no read() takes more than the records still wanted. */
static unsigned long long still_wanted(void *ctx)
{
	const struct stream *s = ctx;

	return s->o->count ? s->o->count - s->events : 0;
}

static void report(const struct stream *s, bool have_before,
		   const struct at_stats *before)
{
	struct at_stats after;

	fprintf(stderr, "%s: %llu events read, %llu lost", at_prog,
		s->events, s->lost);
	if (s->past)
		fprintf(stderr, ", %llu more read past -n and not shown",
			s->past);
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
	const struct at_loop loop = {
		.started	= stream_started,
		.rec		= one_record,
		.batch		= one_batch,
		.want		= still_wanted,
		.ctx		= &s,
	};
	struct at_stats *before = calloc(1, sizeof(*before));
	bool have_before;
	int rc;

	s.out = malloc(AT_OUT_BUF);
	if (!before || !s.out) {
		fprintf(stderr, "%s: out of memory\n", at_prog);
		free(s.out);
		free(before);
		return AT_EXIT_ERROR;
	}
	s.tty = isatty(STDOUT_FILENO);
	have_before = !at_stats_read(before, false);
	rc = at_run(o, &loop);
	/* If the device could not be opened, at_run() said why: no account. */
	if (s.started)
		report(&s, have_before, before);
	free(s.out);
	free(before);
	return rc;
}
