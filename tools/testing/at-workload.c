// SPDX-License-Identifier: GPL-2.0
/*
 * at-workload - make accept(2) calls of every kind and say what
 * accepttrace must record for them.
 *
 *   at-workload                  run every case
 *   at-workload --case a,b       run the named cases
 *   at-workload --list           list the cases
 *   at-workload --blocked N      N threads blocked in accept, N clients
 *               [--hold FILE]    ... and the clients only once FILE exists
 *   at-workload --burst N        N AF_UNIX accepts in a row (no EXPECT)
 *
 * stdout is the account: "EXPECT key=value ..." lines (see
 * tools/testing/README.md), "# ..." lines for people.  Exit status
 * 0, 1 when the kernel did not behave as a case assumes, 2 on a setup
 * error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "at-workload.h"

static const struct {
	const struct wl_case *cases;
	const unsigned int *n;
} tables[] = {
	{ wl_cases, &wl_ncases },
	{ wl_uring_cases, &wl_uring_ncases },
};

#define NTABLES	(sizeof(tables) / sizeof(tables[0]))

static const struct wl_case *find_case(const char *name)
{
	unsigned int t, i;

	for (t = 0; t < NTABLES; t++)
		for (i = 0; i < *tables[t].n; i++)
			if (!strcmp(tables[t].cases[i].name, name))
				return &tables[t].cases[i];
	return NULL;
}

static int run_case(const struct wl_case *c)
{
	printf("# case %s: %s\n", c->name, c->what);
	fflush(stdout);
	return c->run(c);
}

static int run_all(void)
{
	unsigned int t, i;
	int rc = 0, r;

	for (t = 0; t < NTABLES; t++)
		for (i = 0; i < *tables[t].n; i++) {
			r = run_case(&tables[t].cases[i]);
			if (r > rc)
				rc = r;
		}
	return rc;
}

static int run_list(char *list)
{
	const struct wl_case *c;
	char *name, *save = NULL;
	int rc = 0, r;

	for (name = strtok_r(list, ",", &save); name;
	     name = strtok_r(NULL, ",", &save)) {
		c = find_case(name);
		if (!c) {
			fprintf(stderr, "at-workload: no case '%s' (see --list)\n",
				name);
			return 2;
		}
		r = run_case(c);
		if (r > rc)
			rc = r;
	}
	return rc;
}

static void list_cases(void)
{
	unsigned int t, i;

	for (t = 0; t < NTABLES; t++)
		for (i = 0; i < *tables[t].n; i++)
			printf("%-22s %s\n", tables[t].cases[i].name,
			       tables[t].cases[i].what);
}

static unsigned int count_arg(const char *s)
{
	char *end;
	unsigned long n = strtoul(s, &end, 10);

	if (*end || !n || n > 100000) {
		fprintf(stderr, "at-workload: bad count '%s'\n", s);
		exit(2);
	}
	return (unsigned int)n;
}

static void usage(FILE *f)
{
	fputs("usage: at-workload [--case NAME[,NAME...]] [--list]\n"
	      "                   [--blocked N [--hold FILE]] [--burst N]\n"
	      "Makes accept(2)/accept4(2)/io_uring accepts on loopback and\n"
	      "prints an EXPECT line per record accepttrace must write.\n",
	      f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "case", required_argument, NULL, 'c' },
		{ "list", no_argument, NULL, 'l' },
		{ "blocked", required_argument, NULL, 'b' },
		{ "burst", required_argument, NULL, 'B' },
		{ "hold", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	char *cases = NULL;
	unsigned int blocked = 0, burst = 0;
	int o;

	while ((o = getopt_long(argc, argv, "c:lb:B:H:h", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
			cases = optarg;
			break;
		case 'l':
			list_cases();
			return 0;
		case 'b':
			blocked = count_arg(optarg);
			break;
		case 'B':
			burst = count_arg(optarg);
			break;
		case 'H':
			wl_hold = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# at-workload pid %d tid %d\n", getpid(), wl_gettid());
	if (blocked)
		return wl_run_blocked(blocked);
	if (burst)
		return wl_run_burst(burst);
	return cases ? run_list(cases) : run_all();
}
