/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-CPU record rings: the ring's contract and its producer's fast
 * path, inline for the probe handlers (reserve, commit, emit), with the
 * slow path, the consumer side and the set of rings in ring.c.
 */
#ifndef _AT_RING_H
#define _AT_RING_H

#include <linux/types.h>
#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/string.h>
#include <linux/smp.h>
#include <linux/irq_work.h>
#include <linux/cache.h>
#include <linux/atomic.h>
#include <asm/local64.h>

#include "accepttrace.h"

/* The probes; each ring counts the hits of each on its CPU. */
enum at_probe_id {
	AT_PROBE_SYS_ACCEPT4,
	AT_PROBE_INET_ACCEPT,
	AT_PROBE_DO_ACCEPT,	/* hands sys its socket; io_uring's accepts */
	AT_PROBE_IO_ACCEPT,	/* records nothing: marks io_uring's calls */
	AT_NR_PROBES,
};

/*
 * One ring per possible CPU.  Its only producer is the probe handler on
 * that CPU (see at_ring_reserve() for why, and what guards it); its only
 * consumer is the one open reader.  Ordering follows
 * Documentation/core-api/circular-buffers.rst: the producer publishes
 * @head with smp_store_release() after writing, the consumer releases
 * space by publishing @tail after reading.  When a record does not fit it
 * is dropped and counted; the next record that fits is preceded by a
 * LOST record.  If none comes, the reader reports the drops itself once
 * the ring is empty, so no drop goes unreported.  Either way the LOST
 * record comes after every record produced before the drops and before
 * every record produced after them: @unreported, the drops without a
 * LOST record yet, is the one word both sides change (see
 * ring_claim_lost()).
 */
struct at_ring {
	/*
	 * Written by the producer only.  The counters are local64_t: one
	 * CPU writes them (an increment safe against an interrupt on that
	 * CPU, and no atomic instruction), debugfs reads them from any.
	 */
	u64			head;
	local64_t		seq;
	local64_t		recorded;
	local64_t		lost;
	local64_t		filtered;
	local64_t		hits[AT_NR_PROBES];
	atomic64_t		unreported;	/* lost, no LOST record yet */
	u64			resv;		/* where the reserved record is */
	bool			in_record;	/* reserved, not yet committed */
	struct irq_work		wake;

	/* Written by the consumer only. */
	u64			tail ____cacheline_aligned_in_smp;
	u64			last_ts;
	bool			synth_pending;
	struct accepttrace_lost	synth;

	u8			*data;
	u32			size;		/* bytes, a power of two */
	u32			cpu;
};

/* Set in @unreported while the reader checks it may report the drops. */
#define AT_LOST_CLAIM		((s64)BIT_ULL(62))

/* ring.c */
int at_ring_init(struct at_ring *r, u32 size, u32 cpu);
void at_ring_destroy(struct at_ring *r);
struct accepttrace_hdr *at_ring_reserve_slow(struct at_ring *r, u16 type,
					     u16 size, u64 ts);
struct accepttrace_hdr *at_ring_nested(struct at_ring *r);

/* Put the header of a @size-byte record at @head; it is committed next. */
static inline struct accepttrace_hdr *
at_ring_place(struct at_ring *r, u64 head, u16 type, u16 size, u64 ts)
{
	struct accepttrace_hdr *hdr;

	hdr = (struct accepttrace_hdr *)(r->data + (head & (r->size - 1)));
	hdr->type = type;
	hdr->size = size;
	hdr->cpu = r->cpu;
	hdr->seq = local64_inc_return(&r->seq) - 1;
	hdr->ts_ns = ts;
	r->resv = head;
	return hdr;
}

/*
 * Reserve room for a record of @size bytes (a multiple of 8, at most
 * ACCEPTTRACE_REC_MAX) and fill in its header.  Returns the record, to be
 * filled in place and then published with at_ring_commit(), or NULL if it
 * does not fit: the event is then counted as lost.  @size is the most
 * the record may take: a record whose addresses make it shorter lowers
 * its header's size before the commit, which publishes only that much.
 * A reservation is always committed, and nothing else is written in
 * between: it may have taken the pending LOST record with it.  Producer only.  Inline, as the
 * handlers' hot path; drops and a full ring go to at_ring_reserve_slow().
 *
 * One producer per ring, and one record at a time.  That holds today
 * because a handler runs with preemption disabled (no other task's
 * handler runs on this CPU before it returns) and kprobes do not nest:
 * while a kprobe or kretprobe handler runs, the CPU's current_kprobe is
 * set, and a probe hit meanwhile from an interrupt or an NMI is counted
 * in its nmissed without its handler running.  A producer that could
 * interrupt another on the same CPU (a probe mechanism that nests, on a
 * softirq path, or one in NMI) would write into the open reservation.
 * @in_record guards against that: a reserve while a record is open on
 * this ring drops its event and counts it (at_ring_nested()) as one
 * that did not fit, reported by a LOST record after the open one, so
 * recorded + lost still counts every event.
 */
static inline struct accepttrace_hdr *
at_ring_reserve(struct at_ring *r, u16 type, u16 size, u64 ts)
{
	u64 head, tail;

	if (unlikely(READ_ONCE(r->in_record)))
		return at_ring_nested(r);
	WRITE_ONCE(r->in_record, true);
	/* Marked before anything of the ring is read or written. */
	barrier();
	head = r->head;
	/* Acquire: the reader is done with the space it released. */
	tail = smp_load_acquire(&r->tail);
	if (unlikely(atomic64_read(&r->unreported) ||
		     size > r->size - (head - tail)))
		return at_ring_reserve_slow(r, type, size, ts);
	return at_ring_place(r, head, type, size, ts);
}

/* Publish the record at_ring_reserve() returned.  Producer only. */
static inline void at_ring_commit(struct at_ring *r,
				  struct accepttrace_hdr *hdr)
{
	u32 end = (r->resv & (r->size - 1)) + hdr->size;

	/* The part built in the slack past the end belongs at the start. */
	if (unlikely(end > r->size))
		memcpy(r->data, r->data + r->size, end - r->size);
	/* Release: the record's bytes before the head that covers them. */
	smp_store_release(&r->head, r->resv + hdr->size);
	local64_inc(&r->recorded);
	/* Everything of the record done before the ring is free again. */
	barrier();
	WRITE_ONCE(r->in_record, false);
}

bool at_ring_write(struct at_ring *r, struct accepttrace_hdr *rec);
bool at_ring_peek(struct at_ring *r, struct accepttrace_hdr *hdr);
void at_ring_read(struct at_ring *r, void *dst, u32 len);
int at_ring_read_user(struct at_ring *r, void __user *dst, u32 len);
void at_ring_consume(struct at_ring *r);
u64 at_ring_used(const struct at_ring *r);

/*
 * The consumer's merge of all rings, oldest record first, for one read()
 * (see ring.c): at_merge_start(), then at_merge_next() and
 * at_merge_consume() until at_merge_next() returns NULL.
 */
struct at_merge_src {
	struct at_ring		*r;
	u64			head;	/* as loaded at the start */
	struct accepttrace_hdr	hdr;	/* of its next record */
};

struct at_merge {
	unsigned int		n;	/* sources with a record */
	unsigned int		cur;	/* the one at_merge_next() chose */
	struct at_merge_src	src[];	/* nr_cpu_ids */
};

struct at_merge *at_merge_alloc(void);
void at_merge_start(struct at_merge *m);
struct at_ring *at_merge_next(struct at_merge *m, struct accepttrace_hdr *hdr);
void at_merge_consume(struct at_merge *m);

/*
 * The rings: one per CPU that has been online since load, published by
 * at_ring_add() and kept, offline or not, until at_rings_free().
 */
extern struct at_ring **at_rings;

int at_rings_alloc(void);
int at_ring_add(unsigned int cpu, u32 size);
void at_rings_free(void);

/* The ring of @cpu, NULL until that CPU first came online. */
static inline struct at_ring *at_ring_of(int cpu)
{
	/* Acquire: pairs with the release in at_ring_add(). */
	return smp_load_acquire(&at_rings[cpu]);
}

/*
 * This CPU's ring; callers run with preemption disabled.  NULL only
 * between a CPU coming up and its ring being allocated (or if that
 * failed): the event is then counted in at_lost_no_ring.
 */
static inline struct at_ring *at_this_ring(void)
{
	return at_ring_of(smp_processor_id());
}

/*
 * Waiting for records (ring.c, "Waking readers").  A reader that found
 * nothing calls at_rings_want_wake(), which says so and looks again,
 * and sleeps in at_rings_wait() or poll() (at_rings_poll_wait()) until
 * a producer's kick (at_ring_kick(): @r's irq_work) wakes it.
 */
struct file;
struct poll_table_struct;

void at_ring_kick(struct at_ring *r);
bool at_rings_want_wake(void);
int at_rings_wait(void);
void at_rings_poll_wait(struct file *file, struct poll_table_struct *wait);
/* Set by a reader that found the rings empty and waits for a record. */
extern bool at_wake_wanted;

/*
 * Publish a record the handler built in place (at_ring_reserve()); kick
 * the reader (at_ring_kick()) if one waits for it, or if that took the
 * ring past a quarter full.
 */
static inline void at_emit(struct at_ring *r, struct accepttrace_hdr *rec)
{
	u32 mark = r->size / 4;
	u32 size = rec->size;
	/* The producer's own head; the tail as the reader last left it. */
	u64 used = r->resv + size - READ_ONCE(r->tail);

	at_ring_commit(r, rec);
	/*
	 * The head is stored before the flag is read: pairs with the
	 * smp_mb() in at_rings_want_wake(), which stores the flag
	 * before it reads the heads.  Either the reader sees this record
	 * or this sees the flag it set.
	 */
	smp_mb();
	if (unlikely(READ_ONCE(at_wake_wanted) ||
		     (used >= mark && used - size < mark)))
		at_ring_kick(r);
}

#endif /* _AT_RING_H */
