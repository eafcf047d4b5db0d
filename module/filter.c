// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel filter: applied before a record is written, so a
 * filtered-out accept costs a comparison and cannot fill a ring.  One
 * filter, replaced whole under RCU; the ioctl and the debugfs `filter`
 * file are two doors to it.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/rcupdate.h>
#include <linux/mutex.h>
#include <linux/socket.h>
#include <linux/sched.h>

#include "internal.h"

struct at_filter_rcu {
	struct rcu_head rcu;
	struct accepttrace_filter f;
};

struct at_filter_rcu __rcu *at_filter;
static DEFINE_MUTEX(at_filter_lock);

static bool in_list(const u32 *list, u32 n, u32 v)
{
	u32 i;

	for (i = 0; i < n; i++)
		if (list[i] == v)
			return true;
	return false;
}

/*
 * A comm to match: NUL-terminated, and printable ASCII without spaces.
 * debugfs prints it as it is in `filter` and `stats`, where a newline or
 * a space would break the line or forge another, and the text form could
 * not say it anyway.
 */
static bool comm_valid(const char *comm, size_t size)
{
	size_t i, len = strnlen(comm, size);

	if (len == size)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = comm[i];

		if (c <= ' ' || c >= 0x7f)
			return false;
	}
	return true;
}

/* -EINVAL unless every field of @f is within its range. */
int at_filter_check(const struct accepttrace_filter *f)
{
	u32 i;

	if (f->flags & ~ACCEPTTRACE_FILTER_ERRORS ||
	    f->families & ~ACCEPTTRACE_FAM_ALL ||
	    f->npids > ACCEPTTRACE_FILTER_MAX ||
	    f->ntids > ACCEPTTRACE_FILTER_MAX ||
	    f->nports > ACCEPTTRACE_FILTER_MAX ||
	    !comm_valid(f->comm, sizeof(f->comm)))
		return -EINVAL;
	for (i = 0; i < f->npids; i++)
		if (!f->pids[i] || f->pids[i] > PID_MAX_LIMIT)
			return -EINVAL;
	for (i = 0; i < f->ntids; i++)
		if (!f->tids[i] || f->tids[i] > PID_MAX_LIMIT)
			return -EINVAL;
	for (i = 0; i < f->nports; i++)
		if (!f->ports[i])
			return -EINVAL;
	return 0;
}

static bool filter_empty(const struct accepttrace_filter *f)
{
	return !f->flags && !f->families && !f->netns && !f->npids &&
	       !f->ntids && !f->nports && !f->comm[0];
}

/* Replace the filter with @f (NULL or an empty filter clears it). */
int at_filter_set(const struct accepttrace_filter *f)
{
	struct at_filter_rcu *nf = NULL, *old;

	if (f && at_filter_check(f))
		return -EINVAL;
	if (f && !filter_empty(f)) {
		nf = kmalloc(sizeof(*nf), GFP_KERNEL);
		if (!nf)
			return -ENOMEM;
		nf->f = *f;
	}
	mutex_lock(&at_filter_lock);
	old = rcu_replace_pointer(at_filter, nf,
				  lockdep_is_held(&at_filter_lock));
	mutex_unlock(&at_filter_lock);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

void at_filter_get(struct accepttrace_filter *f)
{
	struct at_filter_rcu *cur;

	memset(f, 0, sizeof(*f));
	rcu_read_lock();
	cur = rcu_dereference(at_filter);
	if (cur)
		*f = cur->f;
	rcu_read_unlock();
}

bool at_filter_active(void)
{
	return rcu_access_pointer(at_filter);
}

bool at_filter_match_task(const struct accepttrace_filter *f, u32 pid,
			  u32 tid, const char *comm)
{
	if (f->npids && !in_list(f->pids, f->npids, pid))
		return false;
	if (f->ntids && !in_list(f->tids, f->ntids, tid))
		return false;
	if (f->comm[0] && strncmp(f->comm, comm, sizeof(f->comm)))
		return false;
	return true;
}

static u32 family_bit(u32 family)
{
	switch (family) {
	case AF_INET:
		return ACCEPTTRACE_FAM_INET;
	case AF_INET6:
		return ACCEPTTRACE_FAM_INET6;
	case AF_UNIX:
		return ACCEPTTRACE_FAM_UNIX;
	default:
		return 0;
	}
}

bool at_filter_match_event(const struct accepttrace_filter *f,
			   const struct at_event_key *k)
{
	u32 i;

	if (f->flags & ACCEPTTRACE_FILTER_ERRORS && k->ret >= 0)
		return false;
	if (f->families && !(f->families & family_bit(k->family)))
		return false;
	if (f->netns && f->netns != k->netns)
		return false;
	if (!f->nports)
		return true;
	for (i = 0; i < f->nports; i++)
		if (f->ports[i] == k->port)
			return true;
	return false;
}

/* The handlers' filter checks, once a filter is set (see internal.h). */
bool at_filter_allows_task_slow(void)
{
	struct at_filter_rcu *cur;
	bool ok = true;

	rcu_read_lock();
	cur = rcu_dereference(at_filter);
	if (cur)
		ok = at_filter_match_task(&cur->f, current->tgid, current->pid,
					  current->comm);
	rcu_read_unlock();
	return ok;
}

bool at_filter_allows_event_slow(const struct at_event_key *k)
{
	struct at_filter_rcu *cur;
	bool ok = true;

	rcu_read_lock();
	cur = rcu_dereference(at_filter);
	if (cur)
		ok = at_filter_match_event(&cur->f, k);
	rcu_read_unlock();
	return ok;
}

bool at_filter_wants_listener_slow(void)
{
	struct at_filter_rcu *cur;
	bool want = false;

	rcu_read_lock();
	cur = rcu_dereference(at_filter);
	if (cur)
		want = cur->f.nports || cur->f.families || cur->f.netns;
	rcu_read_unlock();
	return want;
}

static int parse_u32(const char *s, u32 max, u32 *v)
{
	if (kstrtou32(s, 10, v) || !*v || *v > max)
		return -EINVAL;
	return 0;
}

static int parse_token(char *tok, struct accepttrace_filter *f)
{
	char *val = strchr(tok, '=');
	u32 v;

	if (!strcmp(tok, "errors")) {
		f->flags |= ACCEPTTRACE_FILTER_ERRORS;
		return 0;
	}
	if (!val)
		return -EINVAL;
	*val++ = '\0';
	if (!strcmp(tok, "pid") || !strcmp(tok, "tid")) {
		u32 *n = tok[0] == 'p' ? &f->npids : &f->ntids;
		u32 *list = tok[0] == 'p' ? f->pids : f->tids;

		if (*n == ACCEPTTRACE_FILTER_MAX ||
		    parse_u32(val, PID_MAX_LIMIT, &v))
			return -EINVAL;
		list[(*n)++] = v;
	} else if (!strcmp(tok, "port")) {
		if (f->nports == ACCEPTTRACE_FILTER_MAX ||
		    parse_u32(val, U16_MAX, &v))
			return -EINVAL;
		f->ports[f->nports++] = v;
	} else if (!strcmp(tok, "comm")) {
		if (!*val || strscpy(f->comm, val, sizeof(f->comm)) < 0)
			return -EINVAL;
	} else if (!strcmp(tok, "netns")) {
		if (parse_u32(val, U32_MAX, &f->netns))
			return -EINVAL;
	} else if (!strcmp(tok, "family")) {
		if (!strcmp(val, "inet"))
			f->families |= ACCEPTTRACE_FAM_INET;
		else if (!strcmp(val, "inet6"))
			f->families |= ACCEPTTRACE_FAM_INET6;
		else if (!strcmp(val, "unix"))
			f->families |= ACCEPTTRACE_FAM_UNIX;
		else
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	return 0;
}

/*
 * Parse the debugfs form: "pid=N tid=N comm=NAME port=N family=inet|
 * inet6|unix errors netns=N", tokens repeatable where lists allow;
 * "clear", "none" (what reading shows) or nothing gives the empty filter.
 * @text is modified.
 */
int at_filter_parse(char *text, struct accepttrace_filter *f)
{
	char *tok;

	memset(f, 0, sizeof(*f));
	text = strim(text);
	if (!strcmp(text, "clear") || !strcmp(text, "none"))
		return 0;
	while ((tok = strsep(&text, " \t\n")) != NULL) {
		if (!*tok)
			continue;
		if (parse_token(tok, f))
			return -EINVAL;
	}
	return at_filter_check(f);
}

/* The inverse of at_filter_parse(); "none" for the empty filter. */
int at_filter_print(char *buf, size_t size, const struct accepttrace_filter *f)
{
	static const char * const fam[] = { "inet", "inet6", "unix" };
	size_t len = 0;
	u32 i;

	if (filter_empty(f))
		return scnprintf(buf, size, "none");
	for (i = 0; i < f->npids; i++)
		len += scnprintf(buf + len, size - len, "pid=%u ", f->pids[i]);
	for (i = 0; i < f->ntids; i++)
		len += scnprintf(buf + len, size - len, "tid=%u ", f->tids[i]);
	if (f->comm[0])
		len += scnprintf(buf + len, size - len, "comm=%.16s ", f->comm);
	for (i = 0; i < f->nports; i++)
		len += scnprintf(buf + len, size - len, "port=%u ",
				 f->ports[i]);
	for (i = 0; i < ARRAY_SIZE(fam); i++)
		if (f->families & BIT(i))
			len += scnprintf(buf + len, size - len, "family=%s ",
					 fam[i]);
	if (f->flags & ACCEPTTRACE_FILTER_ERRORS)
		len += scnprintf(buf + len, size - len, "errors ");
	if (f->netns)
		len += scnprintf(buf + len, size - len, "netns=%u ", f->netns);
	if (len && buf[len - 1] == ' ')
		buf[--len] = '\0';
	return len;
}

void at_filter_exit(void)
{
	at_filter_set(NULL);
	rcu_barrier();	/* the kfree_rcu() above runs before we go */
}
