// SPDX-License-Identifier: GPL-2.0
/*
 * The per-CPU record ring: one producer (the probe handler on that CPU),
 * one consumer (the reader).  See struct at_ring (ring.h) for the
 * contract.  And the set of rings: one per CPU that has been online.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/uaccess.h>
#include <linux/timekeeping.h>
#include <linux/topology.h>
#include <linux/timer.h>
#include <linux/jiffies.h>
#include <linux/wait.h>
#include <linux/poll.h>

#include "ring.h"
#include "compat.h"

struct at_ring **at_rings;
bool at_wake_wanted;

int at_ring_init(struct at_ring *r, u32 size, u32 cpu)
{
	if (!is_power_of_2(size) || size < ACCEPTTRACE_REC_MAX * 2)
		return -EINVAL;
	memset(r, 0, sizeof(*r));
	/*
	 * ACCEPTTRACE_REC_MAX bytes of slack past the end: a record is
	 * always built contiguously where it starts, and the part that ran
	 * past the end is moved to the start when it is committed.
	 */
	r->data = vzalloc_node(size + ACCEPTTRACE_REC_MAX, cpu_to_node(cpu));
	if (!r->data)
		return -ENOMEM;
	r->size = size;
	r->cpu = cpu;
	atomic64_set(&r->unreported, 0);
	return 0;
}

void at_ring_destroy(struct at_ring *r)
{
	vfree(r->data);
	r->data = NULL;
}

static void ring_put(struct at_ring *r, u64 pos, const void *src, u32 len)
{
	u32 off = pos & (r->size - 1);
	u32 first = min(len, r->size - off);

	memcpy(r->data + off, src, first);
	memcpy(r->data, src + first, len - first);
}

static void ring_get(const struct at_ring *r, u64 pos, void *dst, u32 len)
{
	u32 off = pos & (r->size - 1);
	u32 first = min(len, r->size - off);

	memcpy(dst, r->data + off, first);
	memcpy(dst + first, r->data, len - first);
}

/*
 * at_ring_reserve() when there are drops to report or no room: writes
 * the LOST record first, or counts this event as lost too.  Called with
 * @in_record set; a drop ends the reservation.
 */
struct accepttrace_hdr *at_ring_reserve_slow(struct at_ring *r, u16 type,
					     u16 size, u64 ts)
{
	u64 head = r->head;
	/* Acquire: the reader is done with the space it released. */
	u64 tail = smp_load_acquire(&r->tail);
	u64 unreported = atomic64_read(&r->unreported);
	u32 need = size;

	if (unreported)
		need += sizeof(struct accepttrace_lost);
	if (need > r->size - (head - tail)) {
		local64_inc(&r->seq);
		local64_inc(&r->lost);
		atomic64_inc(&r->unreported);
		barrier();
		WRITE_ONCE(r->in_record, false);
		return NULL;
	}
	/*
	 * Take the count, even from under a reader's claim (which then
	 * fails); the reader may also have reported these drops itself
	 * meanwhile.
	 */
	if (unreported) {
		u64 n = atomic64_xchg(&r->unreported, 0) & ~AT_LOST_CLAIM;

		if (n) {
			struct accepttrace_lost lost = {
				.hdr.type	= ACCEPTTRACE_REC_LOST,
				.hdr.size	= sizeof(lost),
				.hdr.cpu	= r->cpu,
				.hdr.ts_ns	= ts,
				.count		= n,
			};

			ring_put(r, head, &lost, sizeof(lost));
			head += sizeof(lost);
		}
	}
	return at_ring_place(r, head, type, size, ts);
}

/*
 * A reserve that interrupted another on the same CPU, between its
 * at_ring_reserve() and at_ring_commit() (see at_ring_reserve()): the
 * event is dropped and counted as lost, with a seq of its own, and the
 * next record that fits after the open one is preceded by its LOST.
 * Only updates that an interrupt cannot split: the open reservation may
 * be in the middle of its own.
 */
struct accepttrace_hdr *at_ring_nested(struct at_ring *r)
{
	local64_inc(&r->seq);
	local64_inc(&r->lost);
	atomic64_inc(&r->unreported);
	return NULL;
}

/*
 * Append a copy of @rec (rec->size bytes), stamping its cpu and seq (in
 * @rec too).  Returns false if it did not fit: the record is then counted
 * as lost.  Producer only.
 */
bool at_ring_write(struct at_ring *r, struct accepttrace_hdr *rec)
{
	struct accepttrace_hdr *dst;

	dst = at_ring_reserve(r, rec->type, rec->size, rec->ts_ns);
	if (!dst) {
		rec->cpu = r->cpu;
		rec->seq = local64_read(&r->seq) - 1;
		return false;
	}
	rec->cpu = dst->cpu;
	rec->seq = dst->seq;
	memcpy(dst + 1, rec + 1, rec->size - sizeof(*rec));
	at_ring_commit(r, dst);
	return true;
}

/*
 * Drops happened and the ring is empty: if no record was written after
 * them, they are the newest thing on this CPU and the reader reports them
 * itself.  It must know that no record came after them, which only the
 * producer's own use of @unreported tells: any record reserved after a
 * drop goes through at_ring_reserve_slow() and takes the count with
 * atomic64_xchg() to write the LOST first.  So the reader claims the
 * count (AT_LOST_CLAIM), checks that the ring is still empty, and takes
 * the count only if it is unchanged since the claim: no record was
 * reserved after the drops in between, and any reserved later comes
 * after the reader's LOST.  The count is never handed back: a record
 * the producer wrote meanwhile without a LOST would then come before the
 * LOST of drops older than it.
 */
static bool ring_claim_lost(struct at_ring *r, u64 tail)
{
	s64 v = atomic64_read(&r->unreported);

	for (;;) {
		if (!v)
			return false;
		if (!(v & AT_LOST_CLAIM)) {
			if (!atomic64_try_cmpxchg(&r->unreported, &v,
						  v | AT_LOST_CLAIM))
				continue;
			v |= AT_LOST_CLAIM;
		}
		/* Acquire: as in at_ring_peek(); ordered after the claim. */
		if (smp_load_acquire(&r->head) != tail) {
			/* Records to read first; the producer may take it. */
			atomic64_andnot(AT_LOST_CLAIM, &r->unreported);
			return false;
		}
		/* Unchanged since the claim: fails if the producer took it. */
		if (atomic64_try_cmpxchg(&r->unreported, &v, 0))
			break;
	}
	r->synth = (struct accepttrace_lost) {
		.hdr.type	= ACCEPTTRACE_REC_LOST,
		.hdr.size	= sizeof(r->synth),
		.hdr.cpu	= r->cpu,
		.hdr.ts_ns	= r->last_ts,
		.count		= v & ~AT_LOST_CLAIM,
	};
	/* Read locklessly by ring_readable(). */
	WRITE_ONCE(r->synth_pending, true);
	return true;
}

/*
 * Copy the next record's header into @hdr, looking no further than
 * @head, a head the caller loaded with acquire; false if there is none.
 */
static bool ring_peek_below(struct at_ring *r, u64 head,
			    struct accepttrace_hdr *hdr)
{
	u64 tail = r->tail;

	if (r->synth_pending) {
		*hdr = r->synth.hdr;
		return true;
	}
	if (head == tail) {
		if (!ring_claim_lost(r, tail))
			return false;
		*hdr = r->synth.hdr;
		return true;
	}
	ring_get(r, tail, hdr, sizeof(*hdr));
	return true;
}

/* Copy the next record's header into @hdr; false if there is none. */
bool at_ring_peek(struct at_ring *r, struct accepttrace_hdr *hdr)
{
	/* Acquire: pairs with the release in at_ring_commit(). */
	return ring_peek_below(r, smp_load_acquire(&r->head), hdr);
}

/* Copy the first @len bytes of the next record (after a peek). */
void at_ring_read(struct at_ring *r, void *dst, u32 len)
{
	if (r->synth_pending)
		memcpy(dst, &r->synth, min_t(u32, len, sizeof(r->synth)));
	else
		ring_get(r, r->tail, dst, len);
}

/*
 * Copy the next record (after a peek) to userspace.  The producer never
 * overwrites unconsumed bytes, so this may fault and sleep safely.
 */
int at_ring_read_user(struct at_ring *r, void __user *dst, u32 len)
{
	u32 off, first;

	if (r->synth_pending)
		return copy_to_user(dst, &r->synth, len) ? -EFAULT : 0;
	off = r->tail & (r->size - 1);
	first = min(len, r->size - off);
	if (copy_to_user(dst, r->data + off, first) ||
	    copy_to_user(dst + first, r->data, len - first))
		return -EFAULT;
	return 0;
}

/* Drop the record the last peek returned. */
void at_ring_consume(struct at_ring *r)
{
	struct accepttrace_hdr hdr;

	if (r->synth_pending) {
		WRITE_ONCE(r->synth_pending, false);
		return;
	}
	ring_get(r, r->tail, &hdr, sizeof(hdr));
	r->last_ts = hdr.ts_ns;
	/* Release: done reading before the producer may reuse the space. */
	smp_store_release(&r->tail, r->tail + hdr.size);
}

u64 at_ring_used(const struct at_ring *r)
{
	/* Acquire: a snapshot for statistics, ordered like the reader's. */
	return smp_load_acquire(&r->head) - READ_ONCE(r->tail);
}

/*
 * Waking readers.  Probe handlers never wake them directly (they run
 * with preemption off, and on PREEMPT_RT wake_up() takes a sleeping
 * lock): a handler that commits a record while a reader waits queues
 * its ring's irq_work (at_ring_kick()), whose handler, ring_wake(),
 * wakes every waiter.  Nothing runs while nobody records: an idle
 * reader costs no timer and no wakeup.
 *
 * at_wake_wanted says that a reader found the rings empty and waits for
 * the next record: every thread blocked in read() sets it each time it
 * looks before it sleeps, a poller each time poll() finds nothing, and
 * an O_NONBLOCK read() that returns EAGAIN (for edge-triggered epoll).
 * The first producer to commit after that kicks; ring_wake()
 * clears it, so the records that follow, until a reader looks and
 * sleeps again, kick nobody: one irq_work per wakeup, none per record
 * while a reader drains.
 *
 * No wakeup is lost.  The reader does "set at_wake_wanted; smp_mb();
 * look at every ring's head" (at_rings_want_wake()), the producer
 * "store the ring's head; smp_mb(); read at_wake_wanted" (at_emit()).  The two
 * barriers pair: either the reader sees the record, or the producer
 * sees the flag and kicks.  A kick that clears a flag a reader set
 * again meanwhile (a reader that looked, found nothing, and sleeps
 * again) loses nothing either: ring_wake() clears the flag before
 * the smp_mb() of wq_has_sleeper() and looks for sleepers after it; a
 * reader (in read() or poll()) is on at_wq before at_rings_want_wake()'s
 * smp_mb(), and looks at the heads after it, so either it sees the
 * record the kick came for or ring_wake() sees it on the queue and
 * wakes it (the producer's smp_mb() orders that record's head before
 * the kick).
 *
 * Batching: at most one wakeup every AT_WAKE_MS, as readers were woken
 * before (a timer looked every 10 ms while anyone waited): a kick that
 * comes sooner after the last wakeup arms at_wake_timer for the rest of
 * the interval instead, unless its ring is a quarter full (then a
 * burst is read at once, before the ring fills).  The first record
 * after a quiet spell wakes the reader at once.  at_emit() also kicks,
 * flag or not, when a ring crosses a quarter full.
 *
 * The irq_work is not IRQ_WORK_INIT_HARD: on PREEMPT_RT it runs in the
 * per-CPU irq_work thread, where wake_up() and the timer may be used.
 * The timer lives as long as the table of rings: set up by
 * at_rings_alloc(), deleted by at_rings_free() once every ring's
 * irq_work, the only thing that arms it, has been synced.
 */
#define AT_WAKE_MS	10

static DECLARE_WAIT_QUEUE_HEAD(at_wq);
static unsigned long at_last_wake;	/* jiffies of the last wakeup */
static struct timer_list at_wake_timer;

static bool ring_readable(struct at_ring *r)
{
	if (READ_ONCE(r->synth_pending) || atomic64_read(&r->unreported))
		return true;
	/* Acquire: pairs with the producer's release of @head. */
	return smp_load_acquire(&r->head) != READ_ONCE(r->tail);
}

static bool any_readable(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct at_ring *r = at_ring_of(cpu);

		if (r && ring_readable(r))
			return true;
	}
	return false;
}

static void wake_readers(void)
{
	WRITE_ONCE(at_last_wake, jiffies);
	wake_up_interruptible(&at_wq);
}

static void wake_timer_fn(struct timer_list *t)
{
	wake_readers();
}

/* The ring's irq_work: wake the readers now, or at the end of the interval. */
static void ring_wake(struct irq_work *work)
{
	struct at_ring *r = container_of(work, struct at_ring, wake);
	unsigned long next;

	WRITE_ONCE(at_wake_wanted, false);
	/*
	 * Full barrier (in wq_has_sleeper()): the flag is clear before the
	 * queue is looked at.  Pairs with the smp_mb() in
	 * at_rings_want_wake() of a reader that is on the queue and sets the
	 * flag again.  Nobody on the queue: nobody to wake.
	 */
	if (!wq_has_sleeper(&at_wq))
		return;
	next = READ_ONCE(at_last_wake) + msecs_to_jiffies(AT_WAKE_MS);
	if (time_before(jiffies, next) && at_ring_used(r) < r->size / 4) {
		timer_reduce(&at_wake_timer, next);
		return;
	}
	wake_readers();
}

/* A ring crossed a quarter full, or a record came while a reader waits. */
void at_ring_kick(struct at_ring *r)
{
	irq_work_queue(&r->wake);
}

/*
 * Say that the caller waits for the next record, then look: true if a
 * record is there after all.  See "Waking readers" above for the
 * barrier.
 */
bool at_rings_want_wake(void)
{
	WRITE_ONCE(at_wake_wanted, true);
	/* Pairs with the smp_mb() in at_emit(): flag, then the heads. */
	smp_mb();
	return any_readable();
}

/* Sleep until a record is there; -ERESTARTSYS on a signal. */
int at_rings_wait(void)
{
	return wait_event_interruptible(at_wq, at_rings_want_wake());
}

/* poll(): on the queue before the caller looks (at_rings_want_wake()). */
void at_rings_poll_wait(struct file *file, poll_table *wait)
{
	poll_wait(file, &at_wq, wait);
}

/* The table of rings, empty: at_ring_add() fills it CPU by CPU. */
int at_rings_alloc(void)
{
	timer_setup(&at_wake_timer, wake_timer_fn, 0);
	at_last_wake = jiffies - msecs_to_jiffies(AT_WAKE_MS) - 1;
	at_wake_wanted = false;
	at_rings = kcalloc(nr_cpu_ids, sizeof(*at_rings), GFP_KERNEL);
	return at_rings ? 0 : -ENOMEM;
}

/* A ring of @size bytes for @cpu, unless it has one already. */
int at_ring_add(unsigned int cpu, u32 size)
{
	struct at_ring *r;
	int ret;

	if (at_rings[cpu])
		return 0;
	r = kzalloc_node(sizeof(*r), GFP_KERNEL, cpu_to_node(cpu));
	ret = r ? at_ring_init(r, size, cpu) : -ENOMEM;
	if (ret) {
		kfree(r);
		return ret;
	}
	init_irq_work(&r->wake, ring_wake);
	/* Release: the ring is whole before a handler or the reader sees it. */
	smp_store_release(&at_rings[cpu], r);
	return 0;
}

/* Only once the probes are gone: nothing may write to what this frees. */
void at_rings_free(void)
{
	int cpu;

	if (!at_rings)
		return;
	for_each_possible_cpu(cpu) {
		struct at_ring *r = at_rings[cpu];

		if (!r)
			continue;
		irq_work_sync(&r->wake);
		at_ring_destroy(r);
		kfree(r);
	}
	/* No irq_work is left to arm it again. */
	timer_delete_sync(&at_wake_timer);
	kfree(at_rings);
	at_rings = NULL;
}

/*
 * Merging the rings for one read().  at_merge_start() loads every
 * ring's head once; from then on the reader works from those heads and
 * the headers it copied, and touches a ring again only to take its next
 * record: a record costs a look at the rings that have records, not an
 * acquire load of every CPU's head, a line its producer writes.  What
 * the producers commit meanwhile waits for the next read() (which
 * starts again whenever a read() returns for want of records).  A ring
 * found empty at its snapshot may still report drops (ring_claim_lost()
 * looks at the live head): LOST records keep their place.
 */
struct at_merge *at_merge_alloc(void)
{
	struct at_merge *m;

	m = kzalloc(struct_size(m, src, nr_cpu_ids), GFP_KERNEL);
	return m;
}

/* The source's next record, below its snapshot; false: none left. */
static bool merge_fill(struct at_merge_src *s)
{
	return ring_peek_below(s->r, s->head, &s->hdr);
}

/* Take @r into the merge, at its head as of now, if it has a record. */
static void merge_add(struct at_merge *m, struct at_ring *r)
{
	struct at_merge_src *s = &m->src[m->n];

	s->r = r;
	/* Acquire: pairs with the release in at_ring_commit(). */
	s->head = smp_load_acquire(&r->head);
	if (merge_fill(s))
		m->n++;
}

void at_merge_start(struct at_merge *m)
{
	int cpu;

	m->n = 0;
	for_each_possible_cpu(cpu) {
		struct at_ring *r = at_ring_of(cpu);

		if (r)
			merge_add(m, r);
	}
}

/* The oldest record of the snapshot: its ring, its header in @hdr. */
struct at_ring *at_merge_next(struct at_merge *m, struct accepttrace_hdr *hdr)
{
	unsigned int i, best = 0;

	if (!m->n)
		return NULL;
	for (i = 1; i < m->n; i++)
		if (m->src[i].hdr.ts_ns < m->src[best].hdr.ts_ns)
			best = i;
	m->cur = best;
	*hdr = m->src[best].hdr;
	return m->src[best].r;
}

/* Consume the record at_merge_next() returned, and look at the next. */
void at_merge_consume(struct at_merge *m)
{
	struct at_merge_src *s = &m->src[m->cur];

	at_ring_consume(s->r);
	if (!merge_fill(s))
		*s = m->src[--m->n];
}
