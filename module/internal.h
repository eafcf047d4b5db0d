/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accepttrace internals shared by the module's files (and its KUnit
 * suite): the filter, the probes, main.c's parameters, the device and
 * debugfs.  The rings have ring.h.
 */
#ifndef _AT_INTERNAL_H
#define _AT_INTERNAL_H

#include <linux/types.h>
#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/string.h>
#include <linux/rcupdate.h>
#include <linux/atomic.h>

#include "accepttrace.h"
#include "ring.h"

/* Room for the largest record (the reader's copy of one). */
union at_scratch {
	struct accepttrace_hdr		hdr;
	struct accepttrace_sys_accept4	sys;
	struct accepttrace_inet_accept	inet;
	struct accepttrace_uring_accept	uring;
	u8				bytes[ACCEPTTRACE_REC_MAX];
};

/* filter.c */
struct at_event_key {
	u32 family;		/* AF_* of the listening socket, 0: unknown */
	u16 port;		/* local port of the listening socket */
	s32 ret;
	u32 netns;
};

int at_filter_check(const struct accepttrace_filter *f);
int at_filter_set(const struct accepttrace_filter *f);
void at_filter_get(struct accepttrace_filter *f);
bool at_filter_active(void);
bool at_filter_match_task(const struct accepttrace_filter *f, u32 pid,
			  u32 tid, const char *comm);
bool at_filter_match_event(const struct accepttrace_filter *f,
			   const struct at_event_key *k);
bool at_filter_allows_task_slow(void);
bool at_filter_allows_event_slow(const struct at_event_key *k);
bool at_filter_wants_listener_slow(void);

/* The filter, NULL when none is set: the handlers' common case, inline. */
struct at_filter_rcu;
extern struct at_filter_rcu __rcu *at_filter;

/* Does the calling task pass the filter? */
static inline bool at_filter_allows_task(void)
{
	return likely(!rcu_access_pointer(at_filter)) ||
	       at_filter_allows_task_slow();
}

/* Does the event described by @k pass the filter? */
static inline bool at_filter_allows_event(const struct at_event_key *k)
{
	return likely(!rcu_access_pointer(at_filter)) ||
	       at_filter_allows_event_slow(k);
}

/* Does the filter need the listening socket of a failed accept? */
static inline bool at_filter_wants_listener(void)
{
	return unlikely(rcu_access_pointer(at_filter)) &&
	       at_filter_wants_listener_slow();
}

/* Room for the longest filter in text form (8 pids, 8 tids, 8 ports...). */
#define AT_FILTER_TEXT_MAX	512

int at_filter_parse(char *text, struct accepttrace_filter *f);
int at_filter_print(char *buf, size_t size, const struct accepttrace_filter *f);
void at_filter_exit(void);

/* probes.c */
int at_probes_register(void);
void at_probes_unregister(void);
bool at_probe_active(enum at_probe_id id);
const char *at_probe_name(enum at_probe_id id);
unsigned long at_probe_nmissed(enum at_probe_id id);
unsigned long at_probe_kretprobe_nmissed(enum at_probe_id id);
extern atomic_t at_preemptible_calls;

/* main.c: state shared by the files above */
extern bool at_enabled;
extern unsigned int at_maxactive;
extern u32 at_ring_bytes;

extern atomic_long_t at_lost_no_ring;
extern atomic_long_t at_no_ring_hits[AT_NR_PROBES];

/* chardev.c */
int at_chardev_init(void);
void at_chardev_exit(void);
bool at_reader_attached(void);

/* debugfs.c */
void at_debugfs_init(void);
void at_debugfs_exit(void);

#endif /* _AT_INTERNAL_H */
