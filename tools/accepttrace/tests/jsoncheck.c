// SPDX-License-Identifier: GPL-2.0
/*
 * jsoncheck EXPECT-FILE JSON-FILE
 *
 * Compares accepttrace -j output with the workload's account (lines
 * "EXPECT key=value ...", other lines ignored).  The k-th EXPECT of a
 * (probe, tid) matches the k-th record of that (probe, tid); an EXPECT
 * without a tid (an io_uring worker) is matched by (probe, pid,
 * listen_port).  Records of other threads are ignored.  Every key the
 * EXPECT line prints must equal the record's value exactly (JSON true and
 * false compare as 1 and 0, null as "null").
 *
 * Prints KTAP (Documentation/dev-tools/ktap.rst): one result per EXPECT,
 * "not ok" ones for lines that are not JSON and for extra records, other
 * lines "# " diagnostics; exits 1 on any failure, 2 on a usage error.
 * Runs in the test guest: static, no dependency beyond libc.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flatjson.h"

#define MAX_TOKENS	64

struct expect {
	char *line;		/* as read, for messages */
	char *buf;		/* a copy the tokens point into */
	unsigned int n;
	char *key[MAX_TOKENS], *val[MAX_TOKENS];
	char group[128];
	unsigned int lineno;
};

struct record {
	char *line;
	unsigned int lineno;
	bool bad;		/* not JSON */
	bool lost;		/* a "lost" line */
	char group_tid[128], group_port[128];
	int group;		/* index into groups, -1: not ours */
};

static struct expect *exps;
static unsigned int nexps;
static struct record *recs;
static unsigned int nrecs;
static char (*groups)[128];
static unsigned int ngroups;
static unsigned int failures, nresults;

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "jsoncheck: out of memory\n");
		exit(2);
	}
	return p;
}

static const char *exp_get(const struct expect *e, const char *k)
{
	unsigned int i;

	for (i = 0; i < e->n; i++)
		if (!strcmp(e->key[i], k))
			return e->val[i];
	return NULL;
}

static const char *case_of(const struct expect *e)
{
	const char *c = exp_get(e, "case");

	return c ? c : "?";
}

/*
 * @s as one line of output: control bytes as \xNN, its newline left out;
 * in a description (@desc) '#', which would end it, as "no.".
 */
static void put_line(const char *s, bool desc)
{
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '#' && desc)
			fputs("no.", stdout);
		else if (c == '\n' && !s[1])
			break;
		else if (c < 0x20 || c == 0x7f)
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('\n');
}

/* One KTAP result: "ok N desc" or "not ok N desc" */
static void __attribute__((format(printf, 2, 3)))
result(bool ok, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("%sok %u ", ok ? "" : "not ", ++nresults);
	put_line(buf, true);
	if (!ok)
		failures++;
}

/* A diagnostic line: "#   " and the text */
static void __attribute__((format(printf, 1, 2)))
diag(const char *fmt, ...)
{
	char buf[8192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fputs("#   ", stdout);
	put_line(buf, false);
}

static int group_index(const char *g)
{
	unsigned int i;

	for (i = 0; i < ngroups; i++)
		if (!strcmp(groups[i], g))
			return i;
	return -1;
}

static void add_expect(char *line, unsigned int lineno)
{
	struct expect *e;
	const char *probe, *tid, *pid, *port;
	char *tok, *save = NULL;

	exps = xrealloc(exps, (nexps + 1) * sizeof(*exps));
	e = &exps[nexps++];
	memset(e, 0, sizeof(*e));
	e->line = strdup(line);
	e->buf = strdup(line);
	if (!e->line || !e->buf) {
		fprintf(stderr, "jsoncheck: out of memory\n");
		exit(2);
	}
	e->lineno = lineno;
	line = e->buf + strlen("EXPECT ");
	for (tok = strtok_r(line, " \n", &save); tok && e->n < MAX_TOKENS;
	     tok = strtok_r(NULL, " \n", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq)
			continue;
		*eq = '\0';
		e->key[e->n] = tok;
		e->val[e->n++] = eq + 1;
	}
	probe = exp_get(e, "probe");
	tid = exp_get(e, "tid");
	pid = exp_get(e, "pid");
	port = exp_get(e, "listen_port");
	if (!port)
		port = exp_get(e, "listen_path");
	if (tid)
		snprintf(e->group, sizeof(e->group), "%.40s tid=%.20s",
			 probe ? probe : "?", tid);
	else
		snprintf(e->group, sizeof(e->group), "%.40s pid=%.20s listen=%.40s",
			 probe ? probe : "?", pid ? pid : "?",
			 port ? port : "?");
	if (group_index(e->group) < 0) {
		groups = xrealloc(groups, (ngroups + 1) * sizeof(*groups));
		memcpy(groups[ngroups++], e->group, sizeof(e->group));
	}
}

static const char *norm(const struct fj_value *v)
{
	if (v->type == FJ_TRUE)
		return "1";
	if (v->type == FJ_FALSE)
		return "0";
	return v->text;
}

static struct record *new_record(const char *line, unsigned int lineno)
{
	struct record *r;

	recs = xrealloc(recs, (nrecs + 1) * sizeof(*recs));
	r = &recs[nrecs++];
	memset(r, 0, sizeof(*r));
	r->line = strdup(line);
	if (!r->line) {
		fprintf(stderr, "jsoncheck: out of memory\n");
		exit(2);
	}
	r->lineno = lineno;
	r->group = -1;
	return r;
}

/* Kept: records with a probe, tid and pid; lines not JSON; lost lines */
static void add_record(const char *line, unsigned int lineno,
		       struct fj_object *o)
{
	const struct fj_value *probe, *tid, *pid, *port;
	struct record *r;

	if (!fj_parse(line, o)) {
		new_record(line, lineno)->bad = true;
		return;
	}
	if (fj_get(o, "lost")) {
		new_record(line, lineno)->lost = true;
		return;
	}
	probe = fj_get(o, "probe");
	tid = fj_get(o, "tid");
	pid = fj_get(o, "pid");
	port = fj_get(o, "listen_port");
	if (!port || port->type == FJ_NULL)
		port = fj_get(o, "listen_path");
	if (!probe || !tid || !pid)
		return;
	r = new_record(line, lineno);
	snprintf(r->group_tid, sizeof(r->group_tid), "%.40s tid=%.20s", probe->text,
		 tid->text);
	snprintf(r->group_port, sizeof(r->group_port),
		 "%.40s pid=%.20s listen=%.40s", probe->text, pid->text,
		 port ? norm(port) : "null");
}

static bool compare(const struct expect *e, const char *line,
		    struct fj_object *o)
{
	const struct fj_value *v;
	bool ok = true;
	unsigned int i;

	fj_parse(line, o);
	for (i = 0; i < e->n; i++) {
		if (!strcmp(e->key[i], "case"))
			continue;
		v = fj_get(o, e->key[i]);
		if (!v) {
			diag("%s: expected %s, the record has no such key",
			     e->key[i], e->val[i]);
			ok = false;
		} else if (strcmp(norm(v), e->val[i])) {
			diag("%s: expected %s, got %s", e->key[i], e->val[i],
			     norm(v));
			ok = false;
		}
	}
	return ok;
}

static char *read_line(FILE *f)
{
	static char *buf;
	static size_t size;

	return getline(&buf, &size, f) < 0 ? NULL : buf;
}

/* The results to come: one per EXPECT, bad line and extra record */
static unsigned int plan(void)
{
	unsigned int g, i, n = nexps + !nexps;

	for (i = 0; i < nrecs; i++)
		n += recs[i].bad;
	for (g = 0; g < ngroups; g++) {
		unsigned int ne = 0, nr = 0;

		for (i = 0; i < nexps; i++)
			ne += !strcmp(exps[i].group, groups[g]);
		for (i = 0; i < nrecs; i++)
			nr += recs[i].group == (int)g;
		n += nr > ne ? nr - ne : 0;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct fj_object *o = malloc(sizeof(*o));
	unsigned int i, g, lineno, matched = 0, extra = 0;
	FILE *fe, *fj;
	char *line;

	if (argc != 3 || !o) {
		fprintf(stderr, "usage: jsoncheck EXPECT-FILE JSON-FILE\n");
		return 2;
	}
	fe = fopen(argv[1], "r");
	fj = fopen(argv[2], "r");
	if (!fe || !fj) {
		perror("jsoncheck: open");
		return 2;
	}
	for (lineno = 1; (line = read_line(fe)); lineno++)
		if (!strncmp(line, "EXPECT ", 7))
			add_expect(line, lineno);
	for (lineno = 1; (line = read_line(fj)); lineno++)
		add_record(line, lineno, o);
	/* a record belongs to its thread's group, else to its port's */
	for (i = 0; i < nrecs; i++) {
		if (recs[i].bad || recs[i].lost)
			continue;
		recs[i].group = group_index(recs[i].group_tid);
		if (recs[i].group < 0)
			recs[i].group = group_index(recs[i].group_port);
	}
	printf("KTAP version 1\n1..%u\n", plan());
	for (i = 0; i < nrecs; i++) {
		if (recs[i].lost)
			diag("JSON line %u: %s", recs[i].lineno, recs[i].line);
		if (!recs[i].bad)
			continue;
		result(false, "JSON line %u is not valid JSON",
		       recs[i].lineno);
		diag("%s", recs[i].line);
	}
	for (g = 0; g < ngroups; g++) {
		unsigned int ri = 0, k = 0;

		for (i = 0; i < nexps; i++) {
			struct expect *e = &exps[i];

			if (strcmp(e->group, groups[g]))
				continue;
			k++;
			while (ri < nrecs && recs[ri].group != (int)g)
				ri++;
			if (ri == nrecs) {
				result(false, "%s: %s [%u]: no record",
				       case_of(e), groups[g], k);
				diag("%s", e->line);
				continue;
			}
			if (compare(e, recs[ri].line, o)) {
				result(true, "%s: %s [%u]", case_of(e),
				       groups[g], k);
				matched++;
			} else {
				result(false, "%s: %s [%u]", case_of(e),
				       groups[g], k);
				diag("expect line %u: %s", e->lineno, e->line);
				diag("record: %s", recs[ri].line);
			}
			ri++;
		}
		for (; ri < nrecs; ri++) {
			if (recs[ri].group != (int)g)
				continue;
			result(false, "%s: extra record", groups[g]);
			diag("record: %s", recs[ri].line);
			extra++;
		}
	}
	if (!nexps)
		result(false, "the account has no EXPECT lines");
	printf("# jsoncheck: %u expected, %u matched, %u extra, %u failures\n",
	       nexps, matched, extra, failures);
	return failures ? 1 : 0;
}
