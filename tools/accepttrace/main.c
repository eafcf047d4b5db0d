// SPDX-License-Identifier: GPL-2.0
/*
 * accepttrace - read accept(2) events from the accepttrace module.
 *
 * Options, the subcommand and exit codes: 0 ok, 1 runtime error, 2 usage.
 * Filters are handed to the module (ACCEPTTRACE_IOC_SET_FILTER) so that
 * filtered-out accepts are never written to its rings.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

/* PID_MAX_LIMIT on 64-bit: the module rejects anything larger. */
#define AT_PID_MAX	4194304

static const char usage_text[] =
"usage: accepttrace [stream] [-j] [-T|-t] [-n N] [-d SEC] [FILTER...]\n"
"       accepttrace stats [-j]\n"
"       accepttrace hist [-i SEC] [-d SEC] [FILTER...]\n"
"       accepttrace top [-1] [-i SEC] [-d SEC] [FILTER...]\n"
"       accepttrace metrics [-o FILE] [-i SEC] [-d SEC] [FILTER...]\n"
"       accepttrace --help | --version\n"
"Trace accept(2)/accept4(2) and inet_accept() through /dev/accepttrace.\n"
"\n"
"  -j, --json          JSON lines (stream) or one JSON object (stats)\n"
"  -T, --wall-time     wall-clock times      -t, --rel-time  seconds since start\n"
"  -n, --count N       stop after N events\n"
"  -d, --duration SEC  stop after SEC seconds\n"
"  -i, --interval SEC  hist/top/metrics: print every SEC s (top: default 1)\n"
"  -1, --once          top: print one table after -i (or -d) SEC and exit\n"
"  -o, --output FILE   metrics: write FILE.tmp, rename it to FILE\n"
"  -h, --help          this text             -V, --version\n"
"FILTER, applied in the kernel (up to 8 of each -p, --tid, -P; all must match):\n"
"  -p, --pid PID       process (tgid)        --tid TID     thread\n"
"  -c, --comm NAME     command name          -P, --port PORT  listener's port\n"
"  -4, --ipv4  -6, --ipv6  --unix  --family inet|inet6|unix  listener's family\n"
"  -x, --errors        failed accepts only   --netns INODE  network namespace\n"
"\n"
"Stop with Ctrl-C: the count of events read and lost goes to stderr.\n"
"Exit status: 0 ok, 1 error, 2 bad usage.  See accepttrace(8).\n";

enum {
	OPT_TID = 256,
	OPT_UNIX,
	OPT_FAMILY,
	OPT_NETNS,
};

static const struct option long_opts[] = {
	{ "json",	no_argument,		NULL, 'j' },
	{ "wall-time",	no_argument,		NULL, 'T' },
	{ "rel-time",	no_argument,		NULL, 't' },
	{ "count",	required_argument,	NULL, 'n' },
	{ "duration",	required_argument,	NULL, 'd' },
	{ "interval",	required_argument,	NULL, 'i' },
	{ "once",	no_argument,		NULL, '1' },
	{ "output",	required_argument,	NULL, 'o' },
	{ "pid",	required_argument,	NULL, 'p' },
	{ "tid",	required_argument,	NULL, OPT_TID },
	{ "comm",	required_argument,	NULL, 'c' },
	{ "port",	required_argument,	NULL, 'P' },
	{ "ipv4",	no_argument,		NULL, '4' },
	{ "ipv6",	no_argument,		NULL, '6' },
	{ "unix",	no_argument,		NULL, OPT_UNIX },
	{ "family",	required_argument,	NULL, OPT_FAMILY },
	{ "errors",	no_argument,		NULL, 'x' },
	{ "netns",	required_argument,	NULL, OPT_NETNS },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const char short_opts[] = "jTtn:d:i:1o:p:c:P:46xhV";

static void __attribute__((noreturn, format(printf, 1, 2)))
usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", at_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help'.\n", at_prog);
	exit(AT_EXIT_USAGE);
}

/* A decimal integer in [min, max], or a usage error naming @what. */
static unsigned long long parse_uint(const char *s, unsigned long long min,
				     unsigned long long max, const char *what)
{
	unsigned long long v;
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		usage_error("invalid %s '%s' (%llu-%llu)", what, s, min, max);
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		usage_error("invalid %s '%s' (%llu-%llu)", what, s, min, max);
	return v;
}

static double parse_seconds(const char *s, const char *what)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1e7)
		usage_error("invalid %s '%s' (seconds, > 0)", what, s);
	return v;
}

static void add_u32(__u32 *list, __u32 *n, __u32 v, const char *what)
{
	if (*n == ACCEPTTRACE_FILTER_MAX)
		usage_error("too many %s values (at most %d)", what,
			    ACCEPTTRACE_FILTER_MAX);
	list[(*n)++] = v;
}

static __u32 parse_family(const char *s)
{
	if (!strcmp(s, "inet") || !strcmp(s, "ipv4") || !strcmp(s, "4"))
		return ACCEPTTRACE_FAM_INET;
	if (!strcmp(s, "inet6") || !strcmp(s, "ipv6") || !strcmp(s, "6"))
		return ACCEPTTRACE_FAM_INET6;
	if (!strcmp(s, "unix") || !strcmp(s, "local"))
		return ACCEPTTRACE_FAM_UNIX;
	usage_error("unknown family '%s' (inet, inet6 or unix)", s);
}

static void parse_option(int c, const char *arg, struct at_opts *o)
{
	struct accepttrace_filter *f = &o->filter;

	switch (c) {
	case 'j': o->json = true; break;
	case 'T': o->time = AT_TIME_WALL; break;
	case 't': o->time = AT_TIME_REL; break;
	case 'n': o->count = parse_uint(arg, 1, LLONG_MAX, "count"); break;
	case 'd': o->duration = parse_seconds(arg, "duration"); break;
	case 'i': o->interval = parse_seconds(arg, "interval"); break;
	case '1': o->once = true; break;
	case 'o':
		if (!*arg)
			usage_error("invalid output file '' (a file name)");
		o->output = arg;
		break;
	case 'p':
		add_u32(f->pids, &f->npids,
			parse_uint(arg, 1, AT_PID_MAX, "pid"), "pid");
		break;
	case OPT_TID:
		add_u32(f->tids, &f->ntids,
			parse_uint(arg, 1, AT_PID_MAX, "tid"), "tid");
		break;
	case 'c':
		if (!*arg || strlen(arg) >= sizeof(f->comm))
			usage_error("invalid comm '%s' (1-%zu bytes)", arg,
				    sizeof(f->comm) - 1);
		strcpy(f->comm, arg);
		break;
	case 'P':
		if (f->nports == ACCEPTTRACE_FILTER_MAX)
			usage_error("too many port values (at most %d)",
				    ACCEPTTRACE_FILTER_MAX);
		f->ports[f->nports++] = parse_uint(arg, 1, 65535, "port");
		break;
	case '4': f->families |= ACCEPTTRACE_FAM_INET; break;
	case '6': f->families |= ACCEPTTRACE_FAM_INET6; break;
	case OPT_UNIX: f->families |= ACCEPTTRACE_FAM_UNIX; break;
	case OPT_FAMILY: f->families |= parse_family(arg); break;
	case 'x': f->flags |= ACCEPTTRACE_FILTER_ERRORS; break;
	case OPT_NETNS:
		f->netns = parse_uint(arg, 1, UINT32_MAX, "netns inode");
		break;
	case 'h':
		fputs(usage_text, stdout);
		fflush(stdout);
		exit(AT_EXIT_OK);
	case 'V':
		printf("accepttrace %s (module ABI version %u)\n",
		       AT_TOOL_VERSION, ACCEPTTRACE_ABI_VERSION);
		fflush(stdout);
		exit(AT_EXIT_OK);
	default:
		fprintf(stderr, "Try '%s --help'.\n", at_prog);
		exit(AT_EXIT_USAGE);
	}
}

/* What a subcommand takes besides a filter, as its usage line lists. */
#define TAKES_COUNT	0x01	/* -n */
#define TAKES_TIME	0x02	/* -T, -t */
#define TAKES_JSON	0x04	/* -j */
#define TAKES_INTERVAL	0x08	/* -i */
#define TAKES_OUTPUT	0x10	/* -o */
#define TAKES_ONCE	0x20	/* -1 */
#define TAKES_DURATION	0x40	/* -d */
#define TAKES_FILTER	0x80

/* The subcommands, the first the default. */
static const struct at_subcmd {
	const char	*name;
	int		(*run)(const struct at_opts *o);
	unsigned int	takes;
} subcmds[] = {
	{ "stream",  at_cmd_stream,  TAKES_COUNT | TAKES_TIME | TAKES_JSON |
				     TAKES_DURATION | TAKES_FILTER },
	{ "stats",   at_cmd_stats,   TAKES_JSON },
	{ "hist",    at_cmd_hist,    TAKES_INTERVAL | TAKES_DURATION |
				     TAKES_FILTER },
	{ "top",     at_cmd_top,     TAKES_INTERVAL | TAKES_ONCE |
				     TAKES_DURATION | TAKES_FILTER },
	{ "metrics", at_cmd_metrics, TAKES_INTERVAL | TAKES_OUTPUT |
				     TAKES_DURATION | TAKES_FILTER },
};

static const struct at_subcmd *find_subcmd(const char *s)
{
	unsigned int i;

	for (i = 0; i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
		if (!strcmp(s, subcmds[i].name))
			return &subcmds[i];
	return NULL;
}

static bool filter_given(const struct accepttrace_filter *f)
{
	return f->flags || f->families || f->netns || f->npids || f->ntids ||
	       f->nports || f->comm[0];
}

/* Each subcommand takes what its line of the usage text lists, no more. */
static void check_combination(const struct at_subcmd *c,
			      const struct at_opts *o)
{
	if (o->count && !(c->takes & TAKES_COUNT))
		usage_error("-n/--count is for the event stream");
	if (o->time != AT_TIME_MONO && !(c->takes & TAKES_TIME))
		usage_error("-T/-t are for the event stream");
	if (o->json && !(c->takes & TAKES_JSON))
		usage_error("-j/--json is for the event stream and stats");
	if (o->interval && !(c->takes & TAKES_INTERVAL))
		usage_error("-i/--interval is for hist, top and metrics");
	if (o->output && !(c->takes & TAKES_OUTPUT))
		usage_error("-o/--output is for metrics");
	if (o->once && !(c->takes & TAKES_ONCE))
		usage_error("-1/--once is for top");
	if (o->duration && !(c->takes & TAKES_DURATION))
		usage_error("%s takes no -d/--duration", c->name);
	if (filter_given(&o->filter) && !(c->takes & TAKES_FILTER))
		usage_error("%s takes no filter: its counters are the module's",
			    c->name);
}

int main(int argc, char **argv)
{
	const struct at_subcmd *cmd = &subcmds[0], *c;
	struct at_opts o;
	int opt;

	memset(&o, 0, sizeof(o));
	if (argc > 1 && (c = find_subcmd(argv[1]))) {
		cmd = c;
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	while ((opt = getopt_long(argc, argv, short_opts, long_opts, NULL)) != -1)
		parse_option(opt, optarg, &o);
	if (optind == argc - 1 && cmd == &subcmds[0] &&
	    (c = find_subcmd(argv[optind]))) {
		cmd = c;
		optind++;
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	check_combination(cmd, &o);

	at_install_signals();
	return cmd->run(&o);
}
