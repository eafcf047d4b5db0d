// SPDX-License-Identifier: GPL-2.0
/*
 * `accepttrace hist`: log2 histograms of the time accept blocked, one per
 * listening socket, drawn like bcc's biolatency, and per-errno counts.
 *
 * TCP (IPv4/IPv6, io_uring included) is counted from inet_accept records,
 * which carry the listener's port for failures too; AF_UNIX from
 * successful accept(2) records (the new socket's local path is the
 * listener's).  Failed accept(2)/accept4(2) calls are also counted per
 * errno on their own line: some (EBADF, EMFILE...) never reach a listener.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tool.h"

#define HIST_KEYS	256
#define HIST_ERRNO_MAX	520	/* past ERESTART_RESTARTBLOCK (516) */
#define BAR_WIDTH	40

struct hist_key {
	char name[160];
	unsigned long long accepts, errors;
	struct at_hist h;
	unsigned long long err[HIST_ERRNO_MAX];
};

struct hist_ctx {
	struct hist_key *keys;
	unsigned int nkeys;
	bool overflow;
	unsigned long long sys_err[HIST_ERRNO_MAX];
	unsigned long long lost;
};

unsigned int at_hist_slot(uint64_t usecs)
{
	unsigned int slot = 0;

	while (usecs >= 2 && slot < AT_HIST_SLOTS - 1) {
		usecs >>= 1;
		slot++;
	}
	return slot;
}

void at_hist_add(struct at_hist *h, uint64_t usecs)
{
	h->slot[at_hist_slot(usecs)]++;
}

static void bar(FILE *f, unsigned long long v, unsigned long long max)
{
	unsigned int n = max ? (unsigned int)(v * BAR_WIDTH / max) : 0, i;

	fputc('|', f);
	for (i = 0; i < BAR_WIDTH; i++)
		fputc(i < n ? '*' : ' ', f);
	fputc('|', f);
}

void at_hist_print(FILE *f, const struct at_hist *h, const char *unit)
{
	unsigned long long max = 0, lo, hi;
	int i, last = -1;

	for (i = 0; i < AT_HIST_SLOTS; i++) {
		if (h->slot[i])
			last = i;
		if (h->slot[i] > max)
			max = h->slot[i];
	}
	if (last < 0)
		return;
	fprintf(f, "%10s%-15s: count    distribution\n", unit, "");
	for (i = 0; i <= last; i++) {
		lo = i ? 1ULL << i : 0;
		hi = (2ULL << i) - 1;
		fprintf(f, "%10llu -> %-10llu : %-8llu ", lo, hi, h->slot[i]);
		bar(f, h->slot[i], max);
		fputc('\n', f);
	}
}

static struct hist_key *find_key(struct hist_ctx *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < c->nkeys; i++)
		if (!strcmp(c->keys[i].name, name))
			return &c->keys[i];
	if (c->nkeys == HIST_KEYS) {
		c->overflow = true;
		return NULL;
	}
	snprintf(c->keys[c->nkeys].name, sizeof(c->keys[0].name), "%s", name);
	return &c->keys[c->nkeys++];
}

static void count_err(unsigned long long *err, int ret)
{
	unsigned int e = (unsigned int)-(long long)ret;

	err[e < HIST_ERRNO_MAX ? e : 0]++;
}

/* The listener an event belongs to, or false when it is not counted here. */
static bool listener_name(const struct at_event *ev, char *buf, size_t size)
{
	if (!ev->is_sys) {
		if (ev->listen.port < 0)
			snprintf(buf, size, "port ?");
		else
			snprintf(buf, size, "port %d", ev->listen.port);
		return true;
	}
	if (ev->ret < 0 || ev->local.family != ACCEPTTRACE_AF_UNIX)
		return false;
	if (!ev->local.has_path)
		snprintf(buf, size, "unix (unnamed)");
	else
		snprintf(buf, size, "unix %.*s", (int)ev->local.path_len,
			 ev->local.path);
	return true;
}

static int hist_rec(void *ctx, const struct accepttrace_hdr *h)
{
	struct hist_ctx *c = ctx;
	struct hist_key *k;
	const struct accepttrace_lost *lost = at_as_lost(h);
	struct at_event ev;
	char name[160];

	if (lost) {
		c->lost += lost->count;
		return 0;
	}
	if (at_decode_event(h, &ev))
		return 0;
	if (ev.is_sys && ev.ret < 0)
		count_err(c->sys_err, ev.ret);
	if (!listener_name(&ev, name, sizeof(name)) ||
	    !(k = find_key(c, name)))
		return 0;
	at_hist_add(&k->h, ev.latency_ns / 1000);
	if (ev.ret < 0) {
		k->errors++;
		count_err(k->err, ev.ret);
	} else {
		k->accepts++;
	}
	return 0;
}

static void print_errs(FILE *f, const unsigned long long *err)
{
	const char *name;
	unsigned int e;

	for (e = 1; e < HIST_ERRNO_MAX; e++) {
		if (!err[e])
			continue;
		name = at_errno_name(e);
		if (name)
			fprintf(f, " %s=%llu", name, err[e]);
		else
			fprintf(f, " errno%u=%llu", e, err[e]);
	}
	if (err[0])
		fprintf(f, " other=%llu", err[0]);
}

static bool any(const unsigned long long *err)
{
	unsigned int e;

	for (e = 0; e < HIST_ERRNO_MAX; e++)
		if (err[e])
			return true;
	return false;
}

static void hist_tick(void *ctx, bool final)
{
	struct hist_ctx *c = ctx;
	unsigned int i;

	(void)final;
	if (!final) {
		time_t t = time(NULL);
		struct tm tm;

		localtime_r(&t, &tm);
		printf("%02d:%02d:%02d\n", tm.tm_hour, tm.tm_min, tm.tm_sec);
	}
	if (!c->nkeys && !any(c->sys_err))
		printf("no accepts seen\n");
	for (i = 0; i < c->nkeys; i++) {
		struct hist_key *k = &c->keys[i];

		printf("\nlistener %s: %llu accepted, %llu failed\n", k->name,
		       k->accepts, k->errors);
		at_hist_print(stdout, &k->h, "usecs");
		if (k->errors) {
			printf("errors:");
			print_errs(stdout, k->err);
			putchar('\n');
		}
	}
	if (any(c->sys_err)) {
		printf("\naccept(2)/accept4(2) failures:");
		print_errs(stdout, c->sys_err);
		putchar('\n');
	}
	if (c->overflow)
		printf("(more than %d listeners: the rest not shown)\n",
		       HIST_KEYS);
	if (c->lost)
		printf("%llu events lost\n", c->lost);
	putchar('\n');
	fflush(stdout);
	memset(c->keys, 0, sizeof(*c->keys) * c->nkeys);
	c->nkeys = 0;
	c->overflow = false;
	c->lost = 0;
	memset(c->sys_err, 0, sizeof(c->sys_err));
}

int at_cmd_hist(const struct at_opts *o)
{
	struct hist_ctx *c = calloc(1, sizeof(*c));
	int rc;

	if (!c || !(c->keys = calloc(HIST_KEYS, sizeof(*c->keys)))) {
		fprintf(stderr, "%s: out of memory\n", at_prog);
		free(c);
		return AT_EXIT_ERROR;
	}
	if (!o->duration && !o->interval)
		fprintf(stderr, "Tracing accept latency... Hit Ctrl-C to end.\n");
	rc = at_run(o, hist_rec, hist_tick, c);
	free(c->keys);
	free(c);
	return rc;
}
