// SPDX-License-Identifier: GPL-2.0
/*
 * `accepttrace top`: per listening socket and process, accepts and
 * failures per second and the accept queue seen (qlen/qmax), refreshed
 * every -i seconds until Ctrl-C; `-1` prints one plain table and exits.
 * Rows are counted like `hist`: TCP from inet_accept, AF_UNIX from
 * successful accept(2) calls and from io_uring's uring_accept records.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

#define TOP_ROWS	1024

struct top_row {
	char listener[160];
	unsigned int pid;
	char comm[16];
	unsigned long long accepts, errors;
	unsigned int qlen_max, qmax;
	bool has_queue;
};

struct top_ctx {
	const struct at_opts *o;
	struct top_row *rows;
	unsigned int nrows;
	unsigned long long dropped, lost;
	long long since;
	bool tty;
};

static struct top_row *find_row(struct top_ctx *c, const char *listener,
				const struct accepttrace_task *t)
{
	struct top_row *r;
	unsigned int i;

	for (i = 0; i < c->nrows; i++) {
		r = &c->rows[i];
		if (r->pid == t->pid && !strncmp(r->comm, t->comm, 16) &&
		    !strcmp(r->listener, listener))
			return r;
	}
	if (c->nrows == TOP_ROWS) {
		c->dropped++;
		return NULL;
	}
	r = &c->rows[c->nrows++];
	snprintf(r->listener, sizeof(r->listener), "%s", listener);
	r->pid = t->pid;
	memcpy(r->comm, t->comm, sizeof(r->comm));
	return r;
}

static int top_rec(void *ctx, const struct accepttrace_hdr *h)
{
	struct top_ctx *c = ctx;
	struct top_row *r;
	const struct accepttrace_lost *lost = at_as_lost(h);
	struct at_listener l;
	struct at_event ev;
	char name[160];

	if (lost) {
		c->lost += lost->count;
		return 0;
	}
	if (at_decode_event(h, &ev))
		return 0;
	if (!at_event_listener(&ev, &l))
		return 0;
	if (!l.is_unix) {
		const char *ip = ev.listen.has_ip ? ev.listen.ip : "?";
		bool v6 = ev.listen.family == ACCEPTTRACE_AF_INET6;

		if (l.port >= 0)
			snprintf(name, sizeof(name), v6 ? "[%s]:%d" : "%s:%d",
				 ip, l.port);
		else
			snprintf(name, sizeof(name), v6 ? "[%s]:?" : "%s:?",
				 ip);
	} else if (l.path) {
		snprintf(name, sizeof(name), "unix:%.*s", (int)l.path_len,
			 l.path);
	} else {
		snprintf(name, sizeof(name), "unix:(unnamed)");
	}
	r = find_row(c, name, ev.task);
	if (!r)
		return 0;
	if (ev.ret < 0)
		r->errors++;
	else
		r->accepts++;
	if (!ev.is_sys && !ev.is_uring) {
		const struct accepttrace_inet_accept *ia = (const void *)h;

		if (!r->has_queue || ia->qlen > r->qlen_max)
			r->qlen_max = ia->qlen;
		r->qmax = ia->qmax;
		r->has_queue = true;
	}
	return 0;
}

static int by_accepts(const void *a, const void *b)
{
	const struct top_row *x = a, *y = b;

	if (x->accepts + x->errors != y->accepts + y->errors)
		return x->accepts + x->errors < y->accepts + y->errors ? 1 : -1;
	return strcmp(x->listener, y->listener);
}

static void print_table(struct top_ctx *c, double secs)
{
	char comm[80];
	unsigned int i;

	if (secs <= 0)
		secs = 1;
	qsort(c->rows, c->nrows, sizeof(*c->rows), by_accepts);
	printf("%-28s %7s %-16s %8s %9s %7s %8s %5s %5s\n", "LISTENER", "PID",
	       "COMM", "ACCEPTS", "ACC/s", "ERRORS", "ERR/s", "QLEN", "QMAX");
	for (i = 0; i < c->nrows; i++) {
		struct top_row *r = &c->rows[i];

		at_format_escaped(comm, sizeof(comm), r->comm,
				  strnlen(r->comm, sizeof(r->comm)));
		printf("%-28s %7u %-16s %8llu %9.1f %7llu %8.1f ", r->listener,
		       r->pid, comm, r->accepts, r->accepts / secs, r->errors,
		       r->errors / secs);
		if (r->has_queue)
			printf("%5u %5u\n", r->qlen_max, r->qmax);
		else
			printf("%5s %5s\n", "-", "-");
	}
	if (c->dropped)
		printf("(%llu events in rows beyond the first %d)\n",
		       c->dropped, TOP_ROWS);
	if (c->lost)
		printf("%llu events lost\n", c->lost);
}

static void top_tick(void *ctx, bool final)
{
	struct top_ctx *c = ctx;
	long long now = at_now_ns(CLOCK_MONOTONIC);
	time_t t = time(NULL);
	struct tm tm;

	/* Ctrl-C in refresh mode: the last table stays on the screen. */
	if (final && !c->o->once)
		return;
	if (c->tty && !c->o->once)
		fputs("\033[H\033[2J", stdout);
	if (!c->o->once) {
		localtime_r(&t, &tm);
		printf("accepttrace top - %02d:%02d:%02d, every %gs\n",
		       tm.tm_hour, tm.tm_min, tm.tm_sec, c->o->interval);
	}
	print_table(c, (now - c->since) / 1e9);
	if (!c->tty || c->o->once)
		putchar('\n');
	fflush(stdout);
	c->nrows = 0;
	c->dropped = c->lost = 0;
	c->since = now;
}

int at_cmd_top(const struct at_opts *o)
{
	struct top_ctx c = { .o = o };
	struct at_opts run = *o;
	int rc;

	c.rows = calloc(TOP_ROWS, sizeof(*c.rows));
	if (!c.rows) {
		fprintf(stderr, "%s: out of memory\n", at_prog);
		return AT_EXIT_ERROR;
	}
	if (run.interval <= 0)
		run.interval = 1;
	if (run.once) {
		/* one table covering -i (or -d) seconds */
		if (run.duration <= 0)
			run.duration = run.interval;
		run.interval = 0;
	}
	c.o = &run;
	c.tty = isatty(STDOUT_FILENO);
	c.since = at_now_ns(CLOCK_MONOTONIC);
	rc = at_run(&run, &(const struct at_loop){ .rec = top_rec,
						    .tick = top_tick, .ctx = &c });
	free(c.rows);
	return rc;
}
