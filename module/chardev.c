// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/accepttrace: one reader at a time.  read() returns text lines by
 * default (a byte stream, as from a pipe: a short read gets part of a
 * line and the rest comes with the next read, by this reader or the next
 * one) or, after ACCEPTTRACE_IOC_SET_BINARY, whole records.  Records from
 * all CPUs are merged oldest first.  A record leaves its ring only once
 * all of it has been received, so a reader killed mid-read loses nothing
 * it did not get.
 */
#include <linux/kernel.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/timer.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "internal.h"
#include "compat.h"
#include "accepttrace_format.h"

/*
 * Waking readers.  Probe handlers never wake them directly (they run
 * with preemption off, and on PREEMPT_RT wake_up() takes a sleeping
 * lock): a handler that commits a record while a reader waits queues
 * its ring's irq_work (at_ring_kick()), whose handler, at_reader_wake(),
 * wakes every waiter.  Nothing runs while nobody records: an idle
 * reader costs no timer and no wakeup.
 *
 * at_wake_wanted says that a reader found the rings empty and waits for
 * the next record: every thread blocked in read() sets it each time it
 * looks before it sleeps, a poller each time poll() finds nothing, and
 * an O_NONBLOCK read() that returns EAGAIN (for edge-triggered epoll).
 * The first producer to commit after that kicks; at_reader_wake()
 * clears it, so the records that follow, until a reader looks and
 * sleeps again, kick nobody: one irq_work per wakeup, none per record
 * while a reader drains.
 *
 * No wakeup is lost.  The reader does "set at_wake_wanted; smp_mb();
 * look at every ring's head" (at_want_wake()), the producer "store the
 * ring's head; smp_mb(); read at_wake_wanted" (at_emit()).  The two
 * barriers pair: either the reader sees the record, or the producer
 * sees the flag and kicks.  A kick that clears a flag a reader set
 * again meanwhile (a reader that looked, found nothing, and sleeps
 * again) loses nothing either: at_reader_wake() clears the flag before
 * the smp_mb() of wq_has_sleeper() and looks for sleepers after it; a
 * reader (in read() or poll()) is on at_wq before at_want_wake()'s
 * smp_mb(), and looks at the heads after it, so either it sees the
 * record the kick came for or at_reader_wake() sees it on the queue and
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
 */
#define AT_WAKE_MS	10

static DECLARE_WAIT_QUEUE_HEAD(at_wq);
static unsigned long at_busy;	/* bit 0: the device is open */
static unsigned long at_last_wake;	/* jiffies of the last wakeup */
static struct timer_list at_wake_timer;

/*
 * The reader's state.  There is one reader at a time, and the text
 * stream outlives it: a line half read by one reader is finished by the
 * next, as a pipe would.
 */
struct at_reader {
	struct mutex		lock;	/* read and ioctl of the open file */
	bool			binary;	/* this open file reads records */
	struct at_ring		*cur;	/* text: ring of the line in @line */
	struct at_merge		*merge;	/* this read()'s view of the rings */
	u32			line_len;
	u32			line_off;
	union at_scratch	rec;
	char			line[AT_LINE_MAX];
};

static struct at_reader at_reader = {
	.lock	= __MUTEX_INITIALIZER(at_reader.lock),
};

static bool at_reader_claim(void)
{
	return !test_and_set_bit(0, &at_busy);
}

static void at_reader_release(void)
{
	clear_bit(0, &at_busy);
}

bool at_reader_attached(void)
{
	return test_bit(0, &at_busy);
}

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

static void at_wake_readers(void)
{
	WRITE_ONCE(at_last_wake, jiffies);
	wake_up_interruptible(&at_wq);
}

static void at_wake_timer_fn(struct timer_list *t)
{
	at_wake_readers();
}

/* The ring's irq_work: wake the readers now, or at the end of the interval. */
static void at_reader_wake(struct irq_work *work)
{
	struct at_ring *r = container_of(work, struct at_ring, wake);
	unsigned long next;

	WRITE_ONCE(at_wake_wanted, false);
	/*
	 * Full barrier (in wq_has_sleeper()): the flag is clear before the
	 * queue is looked at.  Pairs with the smp_mb() in at_want_wake() of
	 * a reader that is on the queue and sets the flag again.  Nobody on
	 * the queue: nobody to wake (and at unload, once the device is gone,
	 * the timer is never armed again).
	 */
	if (!wq_has_sleeper(&at_wq))
		return;
	next = READ_ONCE(at_last_wake) + msecs_to_jiffies(AT_WAKE_MS);
	if (time_before(jiffies, next) && at_ring_used(r) < r->size / 4) {
		timer_reduce(&at_wake_timer, next);
		return;
	}
	at_wake_readers();
}

/*
 * Say that the caller waits for the next record, then look: true if a
 * record is there after all.  See "Waking readers" above for the
 * barrier.
 */
static bool at_want_wake(void)
{
	WRITE_ONCE(at_wake_wanted, true);
	/* Pairs with the smp_mb() in at_emit(): flag, then the heads. */
	smp_mb();
	return any_readable();
}

void at_ring_wake_init(struct at_ring *r)
{
	init_irq_work(&r->wake, at_reader_wake);
}

/*
 * The rings are merged from one look at their heads per read() (see
 * at_merge_start()); a line half read by an earlier read() is finished
 * first, from its ring, before that look.
 */
static ssize_t read_text(struct at_reader *rd, char __user *buf, size_t count)
{
	struct at_merge *m = rd->merge;
	bool started = false, merged = false;
	size_t done = 0;

	while (done < count) {
		size_t n;

		if (!rd->cur) {
			struct accepttrace_hdr h;
			struct at_ring *r;
			int len;

			if (!started) {
				at_merge_start(m);
				started = true;
			}
			r = at_merge_next(m, &h);
			if (!r)
				break;
			at_ring_read(r, &rd->rec,
				     min_t(u32, h.size, sizeof(rd->rec)));
			len = at_format_record(rd->line, sizeof(rd->line),
					       &rd->rec.hdr);
			rd->line_len = min_t(u32, len, sizeof(rd->line) - 1);
			rd->line_off = 0;
			WRITE_ONCE(rd->cur, r);
			merged = true;
		}
		n = min_t(size_t, count - done, rd->line_len - rd->line_off);
		if (copy_to_user(buf + done, rd->line + rd->line_off, n))
			return done ? done : -EFAULT;
		rd->line_off += n;
		done += n;
		if (rd->line_off == rd->line_len) {
			if (merged)
				at_merge_consume(m);
			else
				at_ring_consume(rd->cur);
			merged = false;
			WRITE_ONCE(rd->cur, NULL);
		}
	}
	return done;
}

static ssize_t read_binary(struct at_reader *rd, char __user *buf,
			   size_t count)
{
	struct at_merge *m = rd->merge;
	size_t done = 0;

	at_merge_start(m);
	while (done < count) {
		struct accepttrace_hdr h;
		struct at_ring *r = at_merge_next(m, &h);

		if (!r)
			break;
		/* Whole records only; too small a buffer gets -EINVAL. */
		if (h.size > count - done)
			return done ? done : -EINVAL;
		if (at_ring_read_user(r, buf + done, h.size))
			return done ? done : -EFAULT;
		at_merge_consume(m);
		done += h.size;
	}
	return done;
}

static int wait_for_records(void)
{
	return wait_event_interruptible(at_wq, at_want_wake());
}

static ssize_t at_read(struct file *file, char __user *buf, size_t count,
		       loff_t *ppos)
{
	struct at_reader *rd = file->private_data;
	ssize_t ret;

	if (!count)
		return 0;
	for (;;) {
		if (mutex_lock_interruptible(&rd->lock))
			return -ERESTARTSYS;
		ret = rd->binary ? read_binary(rd, buf, count) :
				   read_text(rd, buf, count);
		mutex_unlock(&rd->lock);
		if (ret)
			return ret;
		if (file->f_flags & O_NONBLOCK) {
			/* Edge-triggered epoll: the next record wakes it. */
			if (at_want_wake())
				continue;
			return -EAGAIN;
		}
		ret = wait_for_records();
		if (ret)
			return ret;
	}
}

static __poll_t at_poll(struct file *file, poll_table *wait)
{
	struct at_reader *rd = file->private_data;

	/* On at_wq before it looks, as a reader in read() is. */
	poll_wait(file, &at_wq, wait);
	if (READ_ONCE(rd->cur) || at_want_wake())
		return EPOLLIN | EPOLLRDNORM;
	return 0;
}

static long at_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct at_reader *rd = file->private_data;
	void __user *uarg = (void __user *)arg;
	struct accepttrace_filter f;
	u32 v;

	switch (cmd) {
	case ACCEPTTRACE_IOC_ABI_VERSION:
		return put_user((u32)ACCEPTTRACE_ABI_VERSION, (u32 __user *)uarg);
	case ACCEPTTRACE_IOC_SET_BINARY:
		if (get_user(v, (u32 __user *)uarg))
			return -EFAULT;
		if (v > 1)
			return -EINVAL;
		mutex_lock(&rd->lock);
		/* Records are whole: a half-read line is sent again whole. */
		if (v)
			WRITE_ONCE(rd->cur, NULL);
		rd->binary = v;
		mutex_unlock(&rd->lock);
		return 0;
	case ACCEPTTRACE_IOC_SET_FILTER:
		if (copy_from_user(&f, uarg, sizeof(f)))
			return -EFAULT;
		return at_filter_set(&f);
	case ACCEPTTRACE_IOC_CLEAR_FILTER:
		return at_filter_set(NULL);
	default:
		return -ENOTTY;
	}
}

static int at_open(struct inode *inode, struct file *file)
{
	if (!at_reader_claim())
		return -EBUSY;
	mutex_lock(&at_reader.lock);
	at_reader.binary = false;
	mutex_unlock(&at_reader.lock);
	file->private_data = &at_reader;
	return stream_open(inode, file);
}

static int at_release(struct inode *inode, struct file *file)
{
	/* The filter belongs to the reader that set it. */
	at_filter_set(NULL);
	at_reader_release();
	return 0;
}

static const struct file_operations at_fops = {
	.owner		= THIS_MODULE,
	.open		= at_open,
	.release	= at_release,
	.read		= at_read,
	.poll		= at_poll,
	.unlocked_ioctl	= at_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice at_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "accepttrace",
	.fops	= &at_fops,
	.mode	= 0600,
};

int at_chardev_init(void)
{
	int ret;

	at_reader.merge = at_merge_alloc();
	if (!at_reader.merge)
		return -ENOMEM;
	timer_setup(&at_wake_timer, at_wake_timer_fn, 0);
	at_last_wake = jiffies - msecs_to_jiffies(AT_WAKE_MS) - 1;
	ret = misc_register(&at_misc);
	if (ret) {
		kfree(at_reader.merge);
		at_reader.merge = NULL;
	}
	return ret;
}

/*
 * No file is open (the module is in use while one is), so nothing is on
 * at_wq: a kick that runs from here on, until the probes are gone and
 * rings_free() has synced every ring's irq_work, arms no timer.
 */
void at_chardev_exit(void)
{
	misc_deregister(&at_misc);
	timer_delete_sync(&at_wake_timer);
	kfree(at_reader.merge);
	at_reader.merge = NULL;
}
