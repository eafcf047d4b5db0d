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
#include <linux/uaccess.h>

#include "internal.h"
#include "compat.h"
#include "accepttrace_format.h"

static unsigned long at_busy;	/* bit 0: the device is open */

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
			if (at_rings_want_wake())
				continue;
			return -EAGAIN;
		}
		ret = at_rings_wait();
		if (ret)
			return ret;
	}
}

static __poll_t at_poll(struct file *file, poll_table *wait)
{
	struct at_reader *rd = file->private_data;

	/* Waiting before it looks, as a reader in read() is. */
	at_rings_poll_wait(file, wait);
	if (READ_ONCE(rd->cur) || at_rings_want_wake())
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
	ret = misc_register(&at_misc);
	if (ret) {
		kfree(at_reader.merge);
		at_reader.merge = NULL;
	}
	return ret;
}

/* No file is open: the module is in use while one is. */
void at_chardev_exit(void)
{
	misc_deregister(&at_misc);
	kfree(at_reader.merge);
	at_reader.merge = NULL;
}
