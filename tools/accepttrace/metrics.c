// SPDX-License-Identifier: GPL-2.0
/*
 * `accepttrace metrics`: what hist counts (at_tally_add()) and the
 * module's counters (debugfs stats) in the Prometheus text exposition
 * format, version 0.0.4, for node_exporter's textfile collector.  To
 * standard output, or with -o FILE into FILE.tmp, renamed over FILE once
 * complete, so that a scrape never reads half a file.
 *
 * Without -i it reads what the module holds (for -d SEC seconds if
 * given), prints once and exits; with -i it keeps reading and prints or
 * rewrites FILE every SEC seconds, the counts of the records it read
 * accumulating from its start.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

#define METRICS_KEYS		1024	/* the HELP of ..._overflow_events_total */
#define MODULE_VERSION_FILE	"/sys/module/accepttrace/version"
/* listener="unix:..." with every byte of the longest name as \\xNN */
#define LABEL_MAX		(32 + 5 * (ACCEPTTRACE_ADDR_MAX + 1))

/*
 * Length of the well-formed UTF-8 sequence at @s (@n bytes left), as
 * Unicode's table 3-7 has it (no overlong forms, surrogates or values
 * past U+10FFFF: what Go's utf8.ValidString takes), or 0.
 */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

char *at_prom_put_value(char *p, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, n;

	while (i < len) {
		unsigned char c = u[i];

		if (c == '\\' || c == '"') {
			*p++ = '\\';
			*p++ = c;
			i++;
			continue;
		}
		if (c == '\n') {
			p = AT_PUT_LIT(p, "\\n");
			i++;
			continue;
		}
		n = c < 0x20 || c == 0x7f ? 0 : utf8_seq(u + i, len - i);
		if (!n) {
			p = AT_PUT_LIT(p, "\\\\x");
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
			i++;
			continue;
		}
		p = at_put(p, s + i, n);
		i += n;
	}
	return p;
}

/* listener="tcp:8080" (or "unix:/path") of @l at @buf, LABEL_MAX bytes */
static void listener_label(char *buf, const struct at_listener *l)
{
	char *p = AT_PUT_LIT(buf, "listener=\"");

	if (!l->is_unix) {
		p = AT_PUT_LIT(p, "tcp:");
		if (l->port >= 0)
			p = at_put_u64(p, l->port);
		else
			*p++ = '?';
	} else if (!l->path) {
		p = AT_PUT_LIT(p, "unix:(unnamed)");
	} else {
		p = AT_PUT_LIT(p, "unix:");
		p = at_prom_put_value(p, l->path, l->path_len);
	}
	*p++ = '"';
	*p = '\0';
}

static void help(FILE *f, const char *name, const char *type,
		 const char *text)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

/* 2^(slot+1) µs in seconds, exactly: "0.000002", "1.048576" */
static void put_le(FILE *f, unsigned int slot)
{
	unsigned long long us = 2ULL << slot;

	fprintf(f, "%llu.%06llu", us / 1000000, us % 1000000);
}

static void print_module(FILE *f, const struct at_stats *s,
			 const char *version)
{
	char v[5 * 64 + 1];
	unsigned int i;

	*at_prom_put_value(v, version, strnlen(version, 64)) = '\0';
	help(f, "accepttrace_build_info", "gauge",
	     "The module's record ABI and version, and the tool's version; always 1.");
	fprintf(f, "accepttrace_build_info{abi=\"%u\",version=\"%s\",",
		s->abi_version, v);
	*at_prom_put_value(v, AT_TOOL_VERSION,
			   strnlen(AT_TOOL_VERSION, 64)) = '\0';
	fprintf(f, "tool_version=\"%s\"} 1\n", v);
	help(f, "accepttrace_enabled", "gauge",
	     "1 while the module records accept calls (debugfs enable).");
	fprintf(f, "accepttrace_enabled %d\n", s->enabled ? 1 : 0);
	help(f, "accepttrace_reader", "gauge",
	     "1 while a reader has /dev/accepttrace open; this tool is one.");
	fprintf(f, "accepttrace_reader %d\n", s->reader ? 1 : 0);
	help(f, "accepttrace_ring_size_bytes", "gauge",
	     "Size of each CPU's ring.");
	fprintf(f, "accepttrace_ring_size_bytes %llu\n", s->buf_bytes);
	help(f, "accepttrace_kretprobe_maxactive", "gauge",
	     "Calls each probe can follow at once (maxactive).");
	fprintf(f, "accepttrace_kretprobe_maxactive %llu\n", s->maxactive);

	help(f, "accepttrace_probe_active", "gauge",
	     "1 while the probe is registered and armed.");
	for (i = 0; i < s->nprobes; i++)
		fprintf(f, "accepttrace_probe_active{probe=\"%s\"} %d\n",
			s->probe[i].name, s->probe[i].active ? 1 : 0);
	help(f, "accepttrace_probe_hits_total", "counter",
	     "Calls the probe saw since the module was loaded.");
	for (i = 0; i < s->nprobes; i++)
		fprintf(f, "accepttrace_probe_hits_total{probe=\"%s\"} %llu\n",
			s->probe[i].name, s->probe[i].hits);
	help(f, "accepttrace_kprobe_nmissed_total", "counter",
	     "Calls the probe's kprobe missed (nmissed), since the module was loaded.");
	for (i = 0; i < s->nprobes; i++)
		fprintf(f, "accepttrace_kprobe_nmissed_total{probe=\"%s\"} %llu\n",
			s->probe[i].name, s->probe[i].nmissed);
	help(f, "accepttrace_kretprobe_nmissed_total", "counter",
	     "Returns the probe's kretprobe missed, all maxactive instances busy, since the module was loaded.");
	for (i = 0; i < s->nprobes; i++)
		fprintf(f, "accepttrace_kretprobe_nmissed_total{probe=\"%s\"} %llu\n",
			s->probe[i].name, s->probe[i].kretprobe_nmissed);

	help(f, "accepttrace_events_recorded_total", "counter",
	     "Events written to the CPU's ring, since the module was loaded.");
	for (i = 0; i < s->ncpus; i++)
		fprintf(f, "accepttrace_events_recorded_total{cpu=\"%u\"} %llu\n",
			s->cpu[i].cpu, s->cpu[i].recorded);
	help(f, "accepttrace_events_lost_total", "counter",
	     "Events dropped because the CPU's ring was full, since the module was loaded.");
	for (i = 0; i < s->ncpus; i++)
		fprintf(f, "accepttrace_events_lost_total{cpu=\"%u\"} %llu\n",
			s->cpu[i].cpu, s->cpu[i].lost);
	help(f, "accepttrace_events_filtered_total", "counter",
	     "Events the filter kept out of the CPU's ring, since the module was loaded.");
	for (i = 0; i < s->ncpus; i++)
		fprintf(f, "accepttrace_events_filtered_total{cpu=\"%u\"} %llu\n",
			s->cpu[i].cpu, s->cpu[i].filtered);
	help(f, "accepttrace_ring_used_bytes", "gauge",
	     "Bytes of records waiting in the CPU's ring.");
	for (i = 0; i < s->ncpus; i++)
		fprintf(f, "accepttrace_ring_used_bytes{cpu=\"%u\"} %llu\n",
			s->cpu[i].cpu, s->cpu[i].used);
	help(f, "accepttrace_events_lost_no_ring_total", "counter",
	     "Events lost on CPUs that have no ring (came online after the load).");
	fprintf(f, "accepttrace_events_lost_no_ring_total %llu\n",
		s->lost_no_ring);
}

static bool any_errno(const unsigned long long *err)
{
	unsigned int e;

	for (e = 0; e < AT_ERRNO_SLOTS; e++)
		if (err[e])
			return true;
	return false;
}

/* One sample per errno with a count: NAME{LABELS,errno="EAGAIN"} N */
static void print_errnos(FILE *f, const char *name, const char *labels,
			 const unsigned long long *err)
{
	char buf[16];
	unsigned int e;

	for (e = 0; e < AT_ERRNO_SLOTS; e++)
		if (err[e])
			fprintf(f, "%s{%s%serrno=\"%s\"} %llu\n", name, labels,
				*labels ? "," : "", at_errno_slot_name(e, buf),
				err[e]);
}

static void print_histogram(FILE *f, const char *label,
			    const struct at_tally_key *k)
{
	static const char name[] = "accepttrace_accept_duration_seconds";
	unsigned long long n = 0;
	unsigned int i;

	for (i = 0; i < AT_HIST_SLOTS - 1; i++) {
		n += k->le.slot[i];
		fprintf(f, "%s_bucket{%s,le=\"", name, label);
		put_le(f, i);
		fprintf(f, "\"} %llu\n", n);
	}
	fprintf(f, "%s_bucket{%s,le=\"+Inf\"} %llu\n", name, label,
		k->accepts + k->errors);
	fprintf(f, "%s_sum{%s} %llu.%09llu\n", name, label,
		k->latency_ns / 1000000000ULL, k->latency_ns % 1000000000ULL);
	fprintf(f, "%s_count{%s} %llu\n", name, label, k->accepts + k->errors);
}

static void print_listeners(FILE *f, const struct at_tally *t)
{
	char label[LABEL_MAX];
	unsigned int i;
	bool any;

	if (!t->nkeys)
		return;
	help(f, "accepttrace_accepts_total", "counter",
	     "Successful accepts per listener (tcp:PORT from inet_accept, unix:PATH from accept(2)), since the tool started.");
	for (i = 0; i < t->nkeys; i++) {
		listener_label(label, &t->keys[i].l);
		fprintf(f, "accepttrace_accepts_total{%s} %llu\n", label,
			t->keys[i].accepts);
	}
	for (i = 0, any = false; i < t->nkeys; i++)
		any |= t->keys[i].errors != 0;
	if (any) {
		help(f, "accepttrace_accept_failures_total", "counter",
		     "Failed accepts per listener and errno, since the tool started.");
		for (i = 0; i < t->nkeys; i++) {
			listener_label(label, &t->keys[i].l);
			print_errnos(f, "accepttrace_accept_failures_total",
				     label, t->keys[i].err);
		}
	}
	help(f, "accepttrace_accept_duration_seconds", "histogram",
	     "Time accept calls took per listener, failed ones too, in log2 buckets, since the tool started.");
	for (i = 0; i < t->nkeys; i++) {
		listener_label(label, &t->keys[i].l);
		print_histogram(f, label, &t->keys[i]);
	}
	for (i = 0, any = false; i < t->nkeys; i++)
		any |= t->keys[i].has_queue;
	if (!any)
		return;
	help(f, "accepttrace_accept_queue_length_max", "gauge",
	     "Longest accept queue seen at an inet_accept entry, per TCP listener, since the tool started.");
	for (i = 0; i < t->nkeys; i++) {
		if (!t->keys[i].has_queue)
			continue;
		listener_label(label, &t->keys[i].l);
		fprintf(f, "accepttrace_accept_queue_length_max{%s} %u\n",
			label, t->keys[i].qlen_max);
	}
	help(f, "accepttrace_accept_queue_limit", "gauge",
	     "Accept queue limit (backlog) of the TCP listener, as last seen.");
	for (i = 0; i < t->nkeys; i++) {
		if (!t->keys[i].has_queue)
			continue;
		listener_label(label, &t->keys[i].l);
		fprintf(f, "accepttrace_accept_queue_limit{%s} %u\n", label,
			t->keys[i].qmax);
	}
}

void at_metrics_print(FILE *f, const struct at_tally *t,
		      const struct at_stats *s, const char *version,
		      double start)
{
	if (s)
		print_module(f, s, version);
	help(f, "accepttrace_tool_start_time_seconds", "gauge",
	     "When this accepttrace metrics started counting, since the Epoch.");
	fprintf(f, "accepttrace_tool_start_time_seconds %.3f\n", start);
	help(f, "accepttrace_records_read_total", "counter",
	     "Records this tool read, per probe, since it started.");
	fprintf(f, "accepttrace_records_read_total{probe=\"sys_accept4\"} %llu\n",
		t->sys);
	fprintf(f, "accepttrace_records_read_total{probe=\"inet_accept\"} %llu\n",
		t->inet);
	fprintf(f, "accepttrace_records_read_total{probe=\"uring_accept\"} %llu\n",
		t->uring);
	help(f, "accepttrace_read_lost_events_total", "counter",
	     "Events the LOST records this tool read reported, since it started.");
	fprintf(f, "accepttrace_read_lost_events_total %llu\n", t->lost);
	help(f, "accepttrace_listener_overflow_events_total", "counter",
	     "Events of listeners past the first 1024, not counted per listener, since the tool started.");
	fprintf(f, "accepttrace_listener_overflow_events_total %llu\n",
		t->overflow);
	print_listeners(f, t);
	if (any_errno(t->sys_err)) {
		help(f, "accepttrace_syscall_failures_total", "counter",
		     "Failed accept(2) and accept4(2) calls per errno, listener known or not, since the tool started.");
		print_errnos(f, "accepttrace_syscall_failures_total", "",
			     t->sys_err);
	}
}

/* ---- the subcommand ---- */

struct metrics_ctx {
	const struct at_opts *o;
	struct at_tally t;
	struct at_stats *st;
	double start;
	bool stats_failed;	/* said so once */
	bool error;		/* exit status 1 */
};

static void module_version(char *buf, size_t size)
{
	FILE *f = fopen(MODULE_VERSION_FILE, "re");

	if (!f || !fgets(buf, size, f))
		snprintf(buf, size, "unknown");
	else
		buf[strcspn(buf, "\n")] = '\0';
	if (f)
		fclose(f);
}

static int write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n) {
		w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= w;
	}
	return 0;
}

/* FILE.tmp, or NULL (said why) when the name is too long */
static const char *tmp_name(const char *path)
{
	static char tmp[PATH_MAX];

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		fprintf(stderr, "%s: %s: name too long\n", at_prog, path);
		return NULL;
	}
	return tmp;
}

/* @len bytes into @path.tmp, then renamed to @path; -1 (said why) */
static int write_file(const char *path, const char *buf, size_t len)
{
	const char *tmp = tmp_name(path);
	int fd, err = 0;

	if (!tmp)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", at_prog, tmp, strerror(errno));
		return -1;
	}
	if (write_all(fd, buf, len))
		err = errno;
	if (close(fd) && !err)
		err = errno;
	if (!err && rename(tmp, path))
		err = errno;
	if (err) {
		fprintf(stderr, "%s: writing %s: %s\n", at_prog, path,
			strerror(err));
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int metrics_rec(void *ctx, const struct accepttrace_hdr *h)
{
	struct metrics_ctx *c = ctx;

	at_tally_add(&c->t, h);
	return 0;
}

static void metrics_tick(void *ctx, bool final)
{
	struct metrics_ctx *c = ctx;
	char version[64];
	char *buf = NULL;
	size_t len = 0;
	bool have;
	FILE *f;

	(void)final;
	have = !at_stats_read(c->st, !c->stats_failed);
	if (!have) {
		c->stats_failed = true;
		c->error = true;
	}
	module_version(version, sizeof(version));
	f = open_memstream(&buf, &len);
	if (!f) {
		fprintf(stderr, "%s: out of memory\n", at_prog);
		c->error = true;
		return;
	}
	at_metrics_print(f, &c->t, have ? c->st : NULL, version, c->start);
	if (fclose(f)) {
		fprintf(stderr, "%s: out of memory\n", at_prog);
		c->error = true;
	} else if (c->o->output) {
		if (write_file(c->o->output, buf, len))
			c->error = true;
	} else {
		fwrite(buf, 1, len, stdout);
		fflush(stdout);
	}
	free(buf);
}

/* Before reading anything: can FILE.tmp be written at all? */
static int check_output(const char *path)
{
	const char *tmp = tmp_name(path);
	int fd;

	if (!tmp)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", at_prog, tmp, strerror(errno));
		return -1;
	}
	close(fd);
	unlink(tmp);
	return 0;
}

int at_cmd_metrics(const struct at_opts *o)
{
	struct metrics_ctx c = { .o = o };
	struct at_opts run = *o;
	int rc;

	if (o->output && check_output(o->output))
		return AT_EXIT_ERROR;
	c.st = malloc(sizeof(*c.st));
	if (!c.st || at_tally_init(&c.t, METRICS_KEYS)) {
		if (!c.st)
			fprintf(stderr, "%s: out of memory\n", at_prog);
		free(c.st);
		return AT_EXIT_ERROR;
	}
	/* no -i, no -d: what the module holds now, once */
	run.drain_only = !o->interval && !o->duration;
	c.start = at_now_ns(CLOCK_REALTIME) / 1e9;
	rc = at_run(&run, &(const struct at_loop){ .rec = metrics_rec,
						    .tick = metrics_tick,
						    .ctx = &c });
	if (rc == AT_EXIT_OK && c.error)
		rc = AT_EXIT_ERROR;
	at_tally_free(&c.t);
	free(c.st);
	return rc;
}
