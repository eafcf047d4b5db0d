// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite for the in-kernel filter (module/filter.c, compiled in
 * here): the debugfs text form both ways, the range checks, and the
 * matching rules the probes apply.
 */
#include "kunit_compat.h"
#include <linux/socket.h>

#include "../module/filter.c"

/* at_filter_parse() writes into its input: parse a copy. */
static int parse(struct kunit *test, const char *text,
		 struct accepttrace_filter *f)
{
	size_t len = strlen(text) + 1;
	char *copy = kunit_kzalloc(test, len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, copy);
	memcpy(copy, text, len);
	return at_filter_parse(copy, f);
}

struct parse_case {
	const char *desc;
	const char *in;
	const char *printed;	/* canonical form at_filter_print() gives */
};

static const struct parse_case parse_cases[] = {
	{ "empty", "", "none" },
	{ "newline", "\n", "none" },
	{ "clear", "clear", "none" },
	{ "clear with blanks", " clear\n", "none" },
	{ "none", "none\n", "none" },
	{ "pid", "pid=42", "pid=42" },
	{ "two tids", "tid=7 tid=8", "tid=7 tid=8" },
	{ "comm", "comm=nginx", "comm=nginx" },
	{ "comm of 15", "comm=0123456789abcde", "comm=0123456789abcde" },
	{ "port", "port=8080", "port=8080" },
	{ "port range ends", "port=1 port=65535", "port=1 port=65535" },
	{ "family", "family=inet6", "family=inet6" },
	{ "families, repeated", "family=unix family=inet family=inet",
	  "family=inet family=unix" },
	{ "errors", "errors", "errors" },
	{ "netns", "netns=4026531840", "netns=4026531840" },
	{ "pid PID_MAX_LIMIT", "pid=4194304", "pid=4194304" },
	{ "tabs and newline", "  errors\tport=80\n", "port=80 errors" },
	{ "every kind, any order",
	  "netns=1 errors family=inet port=80 comm=a tid=2 pid=1",
	  "pid=1 tid=2 comm=a port=80 family=inet errors netns=1" },
	{ "eight pids", "pid=1 pid=2 pid=3 pid=4 pid=5 pid=6 pid=7 pid=8",
	  "pid=1 pid=2 pid=3 pid=4 pid=5 pid=6 pid=7 pid=8" },
};

KUNIT_ARRAY_PARAM_DESC(parse, parse_cases, desc);

static void filter_test_parse_print(struct kunit *test)
{
	const struct parse_case *c = test->param_value;
	char *buf = kunit_kzalloc(test, 512, GFP_KERNEL);
	struct accepttrace_filter f, again;
	int len;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, parse(test, c->in, &f), 0);
	len = at_filter_print(buf, 512, &f);
	KUNIT_EXPECT_STREQ(test, buf, c->printed);
	KUNIT_EXPECT_EQ(test, len, strlen(c->printed));
	/* The printed form, "none" included, parses back to the same filter. */
	KUNIT_ASSERT_EQ(test, parse(test, buf, &again), 0);
	KUNIT_EXPECT_MEMEQ(test, &f, &again, sizeof(f));
}

static const char every_field[] =
	"pid=10 tid=11 tid=12 comm=srv port=80 port=443 family=inet6 family=unix errors netns=99";

static void filter_test_parse_fields(struct kunit *test)
{
	struct accepttrace_filter f;

	KUNIT_ASSERT_EQ(test, parse(test, every_field, &f), 0);
	KUNIT_EXPECT_EQ(test, f.npids, 1);
	KUNIT_EXPECT_EQ(test, f.pids[0], 10);
	KUNIT_EXPECT_EQ(test, f.ntids, 2);
	KUNIT_EXPECT_EQ(test, f.tids[0], 11);
	KUNIT_EXPECT_EQ(test, f.tids[1], 12);
	KUNIT_EXPECT_STREQ(test, f.comm, "srv");
	KUNIT_EXPECT_EQ(test, f.nports, 2);
	KUNIT_EXPECT_EQ(test, f.ports[0], 80);
	KUNIT_EXPECT_EQ(test, f.ports[1], 443);
	KUNIT_EXPECT_EQ(test, f.families,
			ACCEPTTRACE_FAM_INET6 | ACCEPTTRACE_FAM_UNIX);
	KUNIT_EXPECT_EQ(test, f.flags, ACCEPTTRACE_FILTER_ERRORS);
	KUNIT_EXPECT_EQ(test, f.netns, 99);
	KUNIT_EXPECT_EQ(test, at_filter_check(&f), 0);
}

static const char * const bad_texts[] = {
	"pid", "pid=", "pid=0", "pid=-1", "pid=abc", "pid=0x10", "pid=4194305",
	"pid=1 pid=2 pid=3 pid=4 pid=5 pid=6 pid=7 pid=8 pid=9",
	"tid=0", "tid=1 tid=2 tid=3 tid=4 tid=5 tid=6 tid=7 tid=8 tid=9",
	"port=0", "port=65536", "port=-1", "port=http",
	"port=1 port=2 port=3 port=4 port=5 port=6 port=7 port=8 port=9",
	"comm=", "comm=0123456789abcdef", "family=", "family=inet4",
	"family=INET", "netns=0", "netns=4294967296", "errors=1", "error",
	"bogus", "clear pid=1", "pid=1 clear", "=", "pid=1,2",
	"comm=a\001b", "comm=\177", "comm=a\rb", "comm=caf\xc3\xa9",
};

static void filter_test_parse_rejects(struct kunit *test)
{
	struct accepttrace_filter f;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_texts); i++)
		KUNIT_EXPECT_EQ_MSG(test, parse(test, bad_texts[i], &f),
				    -EINVAL, "\"%s\"", bad_texts[i]);
}

/* The longest valid filter prints and parses back unchanged. */
static void fill_max(struct accepttrace_filter *f)
{
	u32 i;

	memset(f, 0, sizeof(*f));
	f->flags = ACCEPTTRACE_FILTER_ERRORS;
	f->families = ACCEPTTRACE_FAM_ALL;
	f->netns = U32_MAX;
	f->npids = ACCEPTTRACE_FILTER_MAX;
	f->ntids = ACCEPTTRACE_FILTER_MAX;
	f->nports = ACCEPTTRACE_FILTER_MAX;
	for (i = 0; i < ACCEPTTRACE_FILTER_MAX; i++) {
		f->pids[i] = PID_MAX_LIMIT - i;
		f->tids[i] = PID_MAX_LIMIT - i;
		f->ports[i] = U16_MAX - i;
	}
	memset(f->comm, 'c', sizeof(f->comm) - 1);
}

static void filter_test_print_longest(struct kunit *test)
{
	struct accepttrace_filter f, again;
	char *buf = kunit_kzalloc(test, 1024, GFP_KERNEL);
	int len;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	fill_max(&f);
	KUNIT_ASSERT_EQ(test, at_filter_check(&f), 0);
	len = at_filter_print(buf, 1024, &f);
	KUNIT_EXPECT_EQ(test, len, strlen(buf));
	KUNIT_ASSERT_EQ(test, parse(test, buf, &again), 0);
	KUNIT_EXPECT_MEMEQ(test, &f, &again, sizeof(f));
}

/*
 * debugfs.c reads and writes the filter text through buffers of
 * AT_FILTER_TEXT_MAX bytes (filter_read, filter_write, stats_show): every
 * valid filter must fit, or reading it back gives a cut-off line and
 * writing it is refused.
 */
static void filter_test_longest_fits_debugfs(struct kunit *test)
{
	struct accepttrace_filter f;
	char *buf = kunit_kzalloc(test, 1024, GFP_KERNEL);
	int len;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	fill_max(&f);
	len = at_filter_print(buf, 1024, &f);
	/* filter_read() adds a newline; filter_write() needs a NUL too. */
	KUNIT_EXPECT_LT_MSG(test, len + 1, AT_FILTER_TEXT_MAX,
			    "longest filter text is %d bytes: %s", len, buf);
}

struct check_case {
	const char *desc;
	struct accepttrace_filter f;
	int want;
};

static const struct check_case check_cases[] = {
	{ "empty", {}, 0 },
	{ "unknown flag", { .flags = 0x2 }, -EINVAL },
	{ "unknown family", { .families = 0x8 }, -EINVAL },
	{ "all families", { .families = ACCEPTTRACE_FAM_ALL }, 0 },
	{ "9 pids", { .npids = 9 }, -EINVAL },
	{ "9 tids", { .ntids = 9 }, -EINVAL },
	{ "9 ports", { .nports = 9 }, -EINVAL },
	{ "pid 0", { .npids = 1 }, -EINVAL },
	{ "pid too big", { .npids = 1, .pids = { PID_MAX_LIMIT + 1 } },
	  -EINVAL },
	{ "pid max", { .npids = 1, .pids = { PID_MAX_LIMIT } }, 0 },
	{ "second pid 0", { .npids = 2, .pids = { 1, 0 } }, -EINVAL },
	{ "unused pid slots ignored", { .npids = 1, .pids = { 1, 0, 99999999 } },
	  0 },
	{ "tid 0", { .ntids = 1 }, -EINVAL },
	{ "tid too big", { .ntids = 1, .tids = { PID_MAX_LIMIT + 1 } },
	  -EINVAL },
	{ "port 0", { .nports = 1 }, -EINVAL },
	{ "port max", { .nports = 1, .ports = { 65535 } }, 0 },
	{ "comm 15", { .comm = "0123456789abcde" }, 0 },
	{ "comm 16 unterminated",
	  { .comm = { '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'a',
		      'b', 'c', 'd', 'e', 'f' } }, -EINVAL },
	{ "netns any value", { .netns = U32_MAX }, 0 },
	/* debugfs prints comm raw: it must not break or forge a line. */
	{ "comm with a newline", { .comm = "x\nprobe forged" }, -EINVAL },
	{ "comm with a space", { .comm = "a b" }, -EINVAL },
	{ "comm with a tab", { .comm = "a\tb" }, -EINVAL },
	{ "comm with a carriage return", { .comm = "a\r" }, -EINVAL },
	{ "comm with DEL", { .comm = "a\x7f" }, -EINVAL },
	{ "comm with bytes past 0x7f", { .comm = "caf\xc3\xa9" }, -EINVAL },
	{ "comm of punctuation", { .comm = "a-b_c.d:e/f@1=~" }, 0 },
	{ "comm: bytes past its NUL ignored",
	  { .comm = { 'a', '\0', '\n', ' ' } }, 0 },
};

KUNIT_ARRAY_PARAM_DESC(check, check_cases, desc);

static void filter_test_check(struct kunit *test)
{
	const struct check_case *c = test->param_value;

	KUNIT_EXPECT_EQ(test, at_filter_check(&c->f), c->want);
}

static void filter_test_set_get(struct kunit *test)
{
	struct accepttrace_filter f = {
		.nports = 1, .ports = { 80 }, .flags = ACCEPTTRACE_FILTER_ERRORS,
	};
	struct accepttrace_filter bad = { .nports = 1 }, got;

	KUNIT_EXPECT_FALSE(test, at_filter_active());
	KUNIT_ASSERT_EQ(test, at_filter_set(&f), 0);
	KUNIT_EXPECT_TRUE(test, at_filter_active());
	at_filter_get(&got);
	KUNIT_EXPECT_MEMEQ(test, &got, &f, sizeof(f));

	/* An invalid filter is refused and the active one stays. */
	KUNIT_EXPECT_EQ(test, at_filter_set(&bad), -EINVAL);
	at_filter_get(&got);
	KUNIT_EXPECT_MEMEQ(test, &got, &f, sizeof(f));
	memset(&bad, 0, sizeof(bad));
	strscpy(bad.comm, "x\nfilter none", sizeof(bad.comm));
	KUNIT_EXPECT_EQ(test, at_filter_set(&bad), -EINVAL);
	at_filter_get(&got);
	KUNIT_EXPECT_MEMEQ(test, &got, &f, sizeof(f));

	/* An empty filter clears, as does NULL. */
	memset(&got, 0, sizeof(got));
	KUNIT_ASSERT_EQ(test, at_filter_set(&got), 0);
	KUNIT_EXPECT_FALSE(test, at_filter_active());
	KUNIT_ASSERT_EQ(test, at_filter_set(&f), 0);
	KUNIT_ASSERT_EQ(test, at_filter_set(NULL), 0);
	KUNIT_EXPECT_FALSE(test, at_filter_active());
	at_filter_get(&got);
	memset(&f, 0, sizeof(f));
	KUNIT_EXPECT_MEMEQ(test, &got, &f, sizeof(f));
}

static void filter_test_match_task(struct kunit *test)
{
	struct accepttrace_filter f = {};

	KUNIT_EXPECT_TRUE(test, at_filter_match_task(&f, 1, 2, "any"));

	f.npids = 2;
	f.pids[0] = 100;
	f.pids[1] = 200;
	KUNIT_EXPECT_TRUE(test, at_filter_match_task(&f, 100, 101, "a"));
	KUNIT_EXPECT_TRUE(test, at_filter_match_task(&f, 200, 201, "a"));
	/* pid is the tgid: a thread id equal to a listed pid does not do. */
	KUNIT_EXPECT_FALSE(test, at_filter_match_task(&f, 101, 100, "a"));

	f.ntids = 1;
	f.tids[0] = 101;
	KUNIT_EXPECT_TRUE(test, at_filter_match_task(&f, 100, 101, "a"));
	KUNIT_EXPECT_FALSE(test, at_filter_match_task(&f, 100, 102, "a"));
	KUNIT_EXPECT_FALSE(test, at_filter_match_task(&f, 200, 101 + 1, "a"));

	memset(&f, 0, sizeof(f));
	strscpy(f.comm, "nginx", sizeof(f.comm));
	KUNIT_EXPECT_TRUE(test, at_filter_match_task(&f, 1, 1, "nginx"));
	KUNIT_EXPECT_FALSE(test, at_filter_match_task(&f, 1, 1, "nginx2"));
	KUNIT_EXPECT_FALSE(test, at_filter_match_task(&f, 1, 1, "ngin"));
	KUNIT_EXPECT_FALSE(test, at_filter_match_task(&f, 1, 1, "NGINX"));

	/* pid AND comm */
	f.npids = 1;
	f.pids[0] = 5;
	KUNIT_EXPECT_TRUE(test, at_filter_match_task(&f, 5, 9, "nginx"));
	KUNIT_EXPECT_FALSE(test, at_filter_match_task(&f, 6, 9, "nginx"));
	KUNIT_EXPECT_FALSE(test, at_filter_match_task(&f, 5, 9, "httpd"));

	/* A 15-byte comm, as long as a task's can be. */
	memset(&f, 0, sizeof(f));
	strscpy(f.comm, "0123456789abcde", sizeof(f.comm));
	KUNIT_EXPECT_TRUE(test, at_filter_match_task(&f, 1, 1,
						     "0123456789abcde"));
	KUNIT_EXPECT_FALSE(test, at_filter_match_task(&f, 1, 1,
						      "0123456789abcdX"));
}

static void filter_test_match_event(struct kunit *test)
{
	struct accepttrace_filter f = {};
	struct at_event_key k = {
		.family = AF_INET, .port = 80, .ret = 4, .netns = 1000,
	};

	KUNIT_EXPECT_TRUE(test, at_filter_match_event(&f, &k));

	/* errors: ret < 0 only */
	f.flags = ACCEPTTRACE_FILTER_ERRORS;
	KUNIT_EXPECT_FALSE(test, at_filter_match_event(&f, &k));
	k.ret = 0;
	KUNIT_EXPECT_FALSE(test, at_filter_match_event(&f, &k));
	k.ret = -EAGAIN;
	KUNIT_EXPECT_TRUE(test, at_filter_match_event(&f, &k));
	k.ret = -ERESTARTSYS;
	KUNIT_EXPECT_TRUE(test, at_filter_match_event(&f, &k));
	f.flags = 0;

	/* family */
	f.families = ACCEPTTRACE_FAM_INET6;
	KUNIT_EXPECT_FALSE(test, at_filter_match_event(&f, &k));
	k.family = AF_INET6;
	KUNIT_EXPECT_TRUE(test, at_filter_match_event(&f, &k));
	f.families = ACCEPTTRACE_FAM_INET | ACCEPTTRACE_FAM_UNIX;
	KUNIT_EXPECT_FALSE(test, at_filter_match_event(&f, &k));
	k.family = AF_UNIX;
	KUNIT_EXPECT_TRUE(test, at_filter_match_event(&f, &k));
	k.family = 0;	/* unknown: no family filter matches it */
	KUNIT_EXPECT_FALSE(test, at_filter_match_event(&f, &k));
	f.families = ACCEPTTRACE_FAM_ALL;
	KUNIT_EXPECT_FALSE(test, at_filter_match_event(&f, &k));
	k.family = AF_INET;
	f.families = 0;

	/* port: any of the list */
	f.nports = 2;
	f.ports[0] = 443;
	f.ports[1] = 80;
	KUNIT_EXPECT_TRUE(test, at_filter_match_event(&f, &k));
	k.port = 443;
	KUNIT_EXPECT_TRUE(test, at_filter_match_event(&f, &k));
	k.port = 8080;
	KUNIT_EXPECT_FALSE(test, at_filter_match_event(&f, &k));
	k.port = 0;
	KUNIT_EXPECT_FALSE(test, at_filter_match_event(&f, &k));
	k.port = 80;

	/* netns */
	f.netns = 1000;
	KUNIT_EXPECT_TRUE(test, at_filter_match_event(&f, &k));
	k.netns = 1001;
	KUNIT_EXPECT_FALSE(test, at_filter_match_event(&f, &k));
	k.netns = 1000;

	/* All together: every condition must hold. */
	f.flags = ACCEPTTRACE_FILTER_ERRORS;
	f.families = ACCEPTTRACE_FAM_INET;
	k.ret = -ECONNABORTED;
	KUNIT_EXPECT_TRUE(test, at_filter_match_event(&f, &k));
	k.port = 81;
	KUNIT_EXPECT_FALSE(test, at_filter_match_event(&f, &k));
}

static void filter_test_allows_current(struct kunit *test)
{
	struct accepttrace_filter f = { .npids = 1 };
	struct at_event_key k = { .family = AF_INET, .port = 80, .ret = 0 };

	/* No filter: everything passes, the listener is not needed. */
	KUNIT_EXPECT_TRUE(test, at_filter_allows_task());
	KUNIT_EXPECT_TRUE(test, at_filter_allows_event(&k));
	KUNIT_EXPECT_FALSE(test, at_filter_wants_listener());

	f.pids[0] = current->tgid;
	KUNIT_ASSERT_EQ(test, at_filter_set(&f), 0);
	KUNIT_EXPECT_TRUE(test, at_filter_allows_task());
	KUNIT_EXPECT_TRUE(test, at_filter_allows_event(&k));
	KUNIT_EXPECT_FALSE(test, at_filter_wants_listener());

	f.pids[0] = current->tgid + 1;
	KUNIT_ASSERT_EQ(test, at_filter_set(&f), 0);
	KUNIT_EXPECT_FALSE(test, at_filter_allows_task());

	memset(&f, 0, sizeof(f));
	strscpy(f.comm, current->comm, sizeof(f.comm));
	KUNIT_ASSERT_EQ(test, at_filter_set(&f), 0);
	KUNIT_EXPECT_TRUE(test, at_filter_allows_task());

	/* Filters on the listener need it even for failed accepts. */
	memset(&f, 0, sizeof(f));
	f.nports = 1;
	f.ports[0] = 81;
	KUNIT_ASSERT_EQ(test, at_filter_set(&f), 0);
	KUNIT_EXPECT_TRUE(test, at_filter_wants_listener());
	KUNIT_EXPECT_FALSE(test, at_filter_allows_event(&k));
	memset(&f, 0, sizeof(f));
	f.families = ACCEPTTRACE_FAM_INET;
	KUNIT_ASSERT_EQ(test, at_filter_set(&f), 0);
	KUNIT_EXPECT_TRUE(test, at_filter_wants_listener());
	KUNIT_EXPECT_TRUE(test, at_filter_allows_event(&k));
	memset(&f, 0, sizeof(f));
	f.netns = 5;
	KUNIT_ASSERT_EQ(test, at_filter_set(&f), 0);
	KUNIT_EXPECT_TRUE(test, at_filter_wants_listener());
	memset(&f, 0, sizeof(f));
	f.flags = ACCEPTTRACE_FILTER_ERRORS;
	KUNIT_ASSERT_EQ(test, at_filter_set(&f), 0);
	KUNIT_EXPECT_FALSE(test, at_filter_wants_listener());
	KUNIT_EXPECT_FALSE(test, at_filter_allows_event(&k));
}

/* Each case starts and ends with no filter set. */
static int filter_test_init(struct kunit *test)
{
	return at_filter_set(NULL);
}

static void filter_test_exit(struct kunit *test)
{
	at_filter_set(NULL);
}

static void filter_suite_exit(struct kunit_suite *suite)
{
	at_filter_exit();
}

static struct kunit_case filter_test_cases[] = {
	KUNIT_CASE_PARAM(filter_test_parse_print, parse_gen_params),
	KUNIT_CASE(filter_test_parse_fields),
	KUNIT_CASE(filter_test_parse_rejects),
	KUNIT_CASE(filter_test_print_longest),
	KUNIT_CASE(filter_test_longest_fits_debugfs),
	KUNIT_CASE_PARAM(filter_test_check, check_gen_params),
	KUNIT_CASE(filter_test_set_get),
	KUNIT_CASE(filter_test_match_task),
	KUNIT_CASE(filter_test_match_event),
	KUNIT_CASE(filter_test_allows_current),
	{}
};

static struct kunit_suite filter_test_suite = {
	.name = "accepttrace_filter",
	.init = filter_test_init,
	.exit = filter_test_exit,
	.suite_exit = filter_suite_exit,
	.test_cases = filter_test_cases,
};

kunit_test_suite(filter_test_suite);
