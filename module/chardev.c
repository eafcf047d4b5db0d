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
#include <linux/timer.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include "internal.h"
#include "compat.h"
#include "accepttrace_format.h"

/*
 * Waking readers.  Probe handlers never wake them directly: while anyone
 * waits, a timer looks every AT_WAKE_MS and, if records are there, wakes
 * every waiter, one wakeup however many arrived; a ring that fills past
 * a quarter wakes them at once through irq_work, so a burst is read
 * before the ring is full.
 *
 * Several threads may block in read() on the one open file.  Each
 * counts itself in at_waiters for as long as it waits, and the timer
 * keeps looking while the count is not zero: a reader woken with the
 * others that finds the records taken and sleeps again is woken by the
 * next records.  A poller arms the timer for one wakeup (at_poll_armed);
 * poll() then calls at_poll() again, which arms it again if need be.
 */
#define AT_WAKE_MS	10

static DECLARE_WAIT_QUEUE_HEAD(at_wq);
static unsigned long at_busy;	/* bit 0: the device is open */
static atomic_t at_waiters = ATOMIC_INIT(0);
static bool at_poll_armed;
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

static void at_reader_wake(struct irq_work *work)
{
	wake_up_interruptible(&at_wq);
}

/* A ring crossed a quarter full: wake the reader now, not at the tick. */
void at_ring_kick(struct at_ring *r)
{
	irq_work_queue(&r->wake);
}

void at_ring_wake_init(struct at_ring *r)
{
	init_irq_work(&r->wake, at_reader_wake);
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

/* The oldest record of all rings: its ring, and its header in @hdr. */
static struct at_ring *at_next_record(struct accepttrace_hdr *hdr)
{
	struct at_ring *best = NULL;
	struct accepttrace_hdr h;
	int cpu;

	for_each_possible_cpu(cpu) {
		struct at_ring *r = at_ring_of(cpu);

		if (!r || !at_ring_peek(r, &h))
			continue;
		if (!best || h.ts_ns < hdr->ts_ns) {
			best = r;
			*hdr = h;
		}
	}
	return best;
}

static ssize_t read_text(struct at_reader *rd, char __user *buf, size_t count)
{
	size_t done = 0;

	while (done < count) {
		size_t n;

		if (!rd->cur) {
			struct accepttrace_hdr h;
			struct at_ring *r = at_next_record(&h);
			int len;

			if (!r)
				break;
			at_ring_read(r, &rd->rec,
				     min_t(u32, h.size, sizeof(rd->rec)));
			len = at_format_record(rd->line, sizeof(rd->line),
					       &rd->rec.hdr);
			rd->line_len = min_t(u32, len, sizeof(rd->line) - 1);
			rd->line_off = 0;
			WRITE_ONCE(rd->cur, r);
		}
		n = min_t(size_t, count - done, rd->line_len - rd->line_off);
		if (copy_to_user(buf + done, rd->line + rd->line_off, n))
			return done ? done : -EFAULT;
		rd->line_off += n;
		done += n;
		if (rd->line_off == rd->line_len) {
			at_ring_consume(rd->cur);
			WRITE_ONCE(rd->cur, NULL);
		}
	}
	return done;
}

static ssize_t read_binary(struct at_reader *rd, char __user *buf,
			   size_t count)
{
	size_t done = 0;

	while (done < count) {
		struct accepttrace_hdr h;
		struct at_ring *r = at_next_record(&h);

		if (!r)
			break;
		/* Whole records only; too small a buffer gets -EINVAL. */
		if (h.size > count - done)
			return done ? done : -EINVAL;
		if (at_ring_read_user(r, buf + done, h.size))
			return done ? done : -EFAULT;
		at_ring_consume(r);
		done += h.size;
	}
	return done;
}

/*
 * (Re)arm the timer.  Under the timer base's lock, which the timer takes
 * before it runs: it sees a waiter counted, or a poller that armed it,
 * before the call.
 */
static void arm_wake_timer(void)
{
	mod_timer(&at_wake_timer, jiffies + msecs_to_jiffies(AT_WAKE_MS));
}

static void at_wake_timer_fn(struct timer_list *t)
{
	if (any_readable()) {
		WRITE_ONCE(at_poll_armed, false);
		wake_up_interruptible(&at_wq);
	}
	if (atomic_read(&at_waiters) || READ_ONCE(at_poll_armed))
		arm_wake_timer();
}

static int wait_for_records(void)
{
	int ret;

	atomic_inc(&at_waiters);
	arm_wake_timer();
	ret = wait_event_interruptible(at_wq, any_readable());
	atomic_dec(&at_waiters);
	return ret;
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
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_for_records();
		if (ret)
			return ret;
	}
}

static __poll_t at_poll(struct file *file, poll_table *wait)
{
	struct at_reader *rd = file->private_data;

	poll_wait(file, &at_wq, wait);
	if (READ_ONCE(rd->cur) || any_readable())
		return EPOLLIN | EPOLLRDNORM;
	WRITE_ONCE(at_poll_armed, true);
	arm_wake_timer();
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
	/* No thread is in read() or poll() on a file being released. */
	WRITE_ONCE(at_poll_armed, false);
	timer_delete_sync(&at_wake_timer);
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
	timer_setup(&at_wake_timer, at_wake_timer_fn, 0);
	return misc_register(&at_misc);
}

void at_chardev_exit(void)
{
	misc_deregister(&at_misc);
	timer_delete_sync(&at_wake_timer);
}
