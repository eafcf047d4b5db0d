// SPDX-License-Identifier: GPL-2.0
/*
 * `accepttrace hist`: log2 histograms of the time accept blocked, one per
 * listening socket, drawn like bcc's biolatency, and per-errno counts.
 *
 * TCP (IPv4/IPv6, io_uring included) is counted from inet_accept records,
 * which carry the listener's port for failures too; AF_UNIX from
 * successful accept(2) records (the new socket's local path is the
 * listener's) and from io_uring's uring_accept records (which name the
 * listener).  Failed accept(2)/accept4(2) calls are also counted per
 * errno on their own line: some (EBADF, EMFILE...) never reach a listener.
 * The counting (at_tally_add()) is shared with `accepttrace metrics`.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tool.h"

#define HIST_KEYS	256
#define BAR_WIDTH	40

unsigned int at_hist_slot(uint64_t usecs)
{
	unsigned int slot = 0;

	while (usecs >= 2 && slot < AT_HIST_SLOTS - 1) {
		usecs >>= 1;
		slot++;
	}
	return slot;
}

/*
 * at_hist_slot() of the whole microseconds below @ns: (ns - 1) / 1000 is
 * below 2^(k+1) exactly when ns <= 2^(k+1) µs, and at least 2^k exactly
 * when ns > 2^k µs.
 */
unsigned int at_hist_le_slot(uint64_t ns)
{
	return at_hist_slot(ns ? (ns - 1) / 1000 : 0);
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

int at_tally_init(struct at_tally *t, unsigned int max)
{
	memset(t, 0, sizeof(*t));
	t->keys = calloc(max, sizeof(*t->keys));
	if (!t->keys) {
		fprintf(stderr, "%s: out of memory\n", at_prog);
		return -1;
	}
	t->max = max;
	return 0;
}

void at_tally_free(struct at_tally *t)
{
	free(t->keys);
	t->keys = NULL;
}

void at_tally_reset(struct at_tally *t)
{
	struct at_tally_key *keys = t->keys;
	unsigned int max = t->max;

	memset(keys, 0, sizeof(*keys) * t->nkeys);
	memset(t, 0, sizeof(*t));
	t->keys = keys;
	t->max = max;
}

static struct at_tally_key *find_key(struct at_tally *t,
				     const struct at_listener *l)
{
	struct at_tally_key *k;
	unsigned int i;

	for (i = 0; i < t->nkeys; i++) {
		k = &t->keys[i];
		if (k->l.is_unix == l->is_unix && k->l.port == l->port &&
		    !k->l.path == !l->path && k->l.path_len == l->path_len &&
		    !memcmp(k->path, l->path ? l->path : "", l->path_len))
			return k;
	}
	if (t->nkeys == t->max)
		return NULL;
	k = &t->keys[t->nkeys++];
	k->l = *l;
	if (l->path) {
		memcpy(k->path, l->path, l->path_len);
		k->l.path = k->path;
	}
	return k;
}

static void count_err(unsigned long long *err, int ret)
{
	unsigned int e = (unsigned int)-(long long)ret;

	err[e < AT_ERRNO_SLOTS ? e : 0]++;
}

void at_tally_add(struct at_tally *t, const struct accepttrace_hdr *h)
{
	const struct accepttrace_lost *lost = at_as_lost(h);
	struct at_tally_key *k;
	struct at_listener l;
	struct at_event ev;

	if (lost) {
		t->lost += lost->count;
		return;
	}
	if (at_decode_event(h, &ev))
		return;
	if (ev.is_sys)
		t->sys++;
	else if (ev.is_uring)
		t->uring++;
	else
		t->inet++;
	if (ev.is_sys && ev.ret < 0)
		count_err(t->sys_err, ev.ret);
	if (!at_event_listener(&ev, &l))
		return;
	k = find_key(t, &l);
	if (!k) {
		t->overflow++;
		return;
	}
	at_hist_add(&k->h, ev.latency_ns / 1000);
	k->le.slot[at_hist_le_slot(ev.latency_ns)]++;
	k->latency_ns += ev.latency_ns;
	if (ev.ret < 0) {
		k->errors++;
		count_err(k->err, ev.ret);
	} else {
		k->accepts++;
	}
	if (!ev.is_sys && !ev.is_uring) {
		const struct accepttrace_inet_accept *ia = (const void *)h;

		if (!k->has_queue || ia->qlen > k->qlen_max)
			k->qlen_max = ia->qlen;
		k->qmax = ia->qmax;
		k->has_queue = true;
	}
}

const char *at_errno_slot_name(unsigned int slot, char buf[16])
{
	const char *name;

	if (!slot)
		return "other";
	name = at_errno_name(slot);
	if (name)
		return name;
	snprintf(buf, 16, "errno%u", slot);
	return buf;
}

static void print_errs(FILE *f, const unsigned long long *err)
{
	char buf[16];
	unsigned int e;

	for (e = 1; e < AT_ERRNO_SLOTS; e++)
		if (err[e])
			fprintf(f, " %s=%llu", at_errno_slot_name(e, buf),
				err[e]);
	if (err[0])
		fprintf(f, " other=%llu", err[0]);
}

static bool any(const unsigned long long *err)
{
	unsigned int e;

	for (e = 0; e < AT_ERRNO_SLOTS; e++)
		if (err[e])
			return true;
	return false;
}

/* hist's name of a listener: "port 8080", "unix /path" */
static void key_name(const struct at_listener *l, char *buf, size_t size)
{
	if (!l->is_unix && l->port < 0)
		snprintf(buf, size, "port ?");
	else if (!l->is_unix)
		snprintf(buf, size, "port %d", l->port);
	else if (!l->path)
		snprintf(buf, size, "unix (unnamed)");
	else
		snprintf(buf, size, "unix %.*s", (int)l->path_len, l->path);
}

static int hist_rec(void *ctx, const struct accepttrace_hdr *h)
{
	at_tally_add(ctx, h);
	return 0;
}

static void hist_tick(void *ctx, bool final)
{
	struct at_tally *t = ctx;
	char name[160];
	unsigned int i;

	if (!final) {
		time_t now = time(NULL);
		struct tm tm;

		localtime_r(&now, &tm);
		printf("%02d:%02d:%02d\n", tm.tm_hour, tm.tm_min, tm.tm_sec);
	}
	if (!t->nkeys && !any(t->sys_err))
		printf("no accepts seen\n");
	for (i = 0; i < t->nkeys; i++) {
		struct at_tally_key *k = &t->keys[i];

		key_name(&k->l, name, sizeof(name));
		printf("\nlistener %s: %llu accepted, %llu failed\n", name,
		       k->accepts, k->errors);
		at_hist_print(stdout, &k->h, "usecs");
		if (k->errors) {
			printf("errors:");
			print_errs(stdout, k->err);
			putchar('\n');
		}
	}
	if (any(t->sys_err)) {
		printf("\naccept(2)/accept4(2) failures:");
		print_errs(stdout, t->sys_err);
		putchar('\n');
	}
	if (t->overflow)
		printf("(more than %d listeners: the rest not shown)\n",
		       HIST_KEYS);
	if (t->lost)
		printf("%llu events lost\n", t->lost);
	putchar('\n');
	fflush(stdout);
	at_tally_reset(t);
}

int at_cmd_hist(const struct at_opts *o)
{
	struct at_tally t;
	int rc;

	if (at_tally_init(&t, HIST_KEYS))
		return AT_EXIT_ERROR;
	if (!o->duration && !o->interval)
		fprintf(stderr, "Tracing accept latency... Hit Ctrl-C to end.\n");
	rc = at_run(o, &(const struct at_loop){ .rec = hist_rec,
						 .tick = hist_tick, .ctx = &t });
	at_tally_free(&t);
	return rc;
}
