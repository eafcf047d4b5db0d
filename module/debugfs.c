// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/accepttrace/: stats (counters, read-only), enable
 * (0/1) and filter (the in-kernel filter in text form).  A write that is
 * not valid returns -EINVAL and changes nothing; a write is the whole
 * value, so one at an offset, one longer than the file takes or one with
 * a NUL in it is not valid either.
 */
#include <linux/kernel.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/uaccess.h>
#include <linux/cpumask.h>

#include "internal.h"

static struct dentry *at_dir;

static int stats_show(struct seq_file *m, void *v)
{
	u64 hits[AT_NR_PROBES] = { 0 }, rec = 0, lost = 0, filt = 0;
	unsigned int nrings = 0;
	unsigned long nr_lost;
	struct accepttrace_filter f;
	char buf[AT_FILTER_TEXT_MAX];
	int cpu, i;

	at_filter_get(&f);
	at_filter_print(buf, sizeof(buf), &f);
	seq_printf(m, "abi_version %u\n", ACCEPTTRACE_ABI_VERSION);
	seq_printf(m, "enabled %d\n", READ_ONCE(at_enabled));
	seq_printf(m, "reader %d\n", at_reader_attached());
	seq_printf(m, "maxactive %u\n", at_maxactive);
	seq_printf(m, "buf_bytes %u\n", at_ring_bytes);
	seq_printf(m, "filter %s\n", buf);
	for_each_possible_cpu(cpu) {
		struct at_ring *r = at_ring_of(cpu);

		for (i = 0; r && i < AT_NR_PROBES; i++)
			hits[i] += local64_read(&r->hits[i]);
	}
	for (i = 0; i < AT_NR_PROBES; i++)
		hits[i] += atomic_long_read(&at_no_ring_hits[i]);
	for (i = 0; i < AT_NR_PROBES; i++)
		seq_printf(m, "probe %s active=%d hits=%llu nmissed=%lu kretprobe_nmissed=%lu\n",
			   at_probe_name(i), at_probe_active(i), hits[i],
			   at_probe_nmissed(i), at_probe_kretprobe_nmissed(i));
	/* A CPU that has been online since load has a ring, kept offline. */
	for_each_possible_cpu(cpu) {
		struct at_ring *r = at_ring_of(cpu);
		u64 cr, cl, cf;

		if (!r)
			continue;
		cr = local64_read(&r->recorded);
		cl = local64_read(&r->lost);
		cf = local64_read(&r->filtered);
		seq_printf(m, "cpu %d recorded=%llu lost=%llu filtered=%llu used=%llu online=%d\n",
			   cpu, cr, cl, cf, at_ring_used(r), cpu_online(cpu));
		rec += cr;
		lost += cl;
		filt += cf;
		nrings++;
	}
	/* Events on a CPU without a ring are lost too. */
	nr_lost = atomic_long_read(&at_lost_no_ring);
	lost += nr_lost;
	seq_printf(m, "rings %u ring_memory=%llu lost_no_ring=%lu\n", nrings,
		   (u64)nrings * at_ring_bytes, nr_lost);
	seq_printf(m, "total recorded=%llu lost=%llu filtered=%llu\n",
		   rec, lost, filt);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(stats);

static ssize_t enable_read(struct file *file, char __user *ubuf, size_t count,
			   loff_t *ppos)
{
	char buf[3] = { READ_ONCE(at_enabled) ? '1' : '0', '\n' };

	return simple_read_from_buffer(ubuf, count, ppos, buf, 2);
}

/* "0" or "1", a newline and leading zeros allowed: room to spare. */
#define AT_ENABLE_WRITE_MAX	16

static ssize_t enable_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	char buf[AT_ENABLE_WRITE_MAX];
	unsigned int v;

	/* Not kstrtouint_from_user(): it cuts a long write short. */
	if (*ppos || !count || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	if (strlen(buf) != count || kstrtouint(buf, 10, &v) || v > 1)
		return -EINVAL;
	WRITE_ONCE(at_enabled, v);
	return count;
}

static const struct file_operations enable_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= enable_read,
	.write	= enable_write,
};

static ssize_t filter_read(struct file *file, char __user *ubuf, size_t count,
			   loff_t *ppos)
{
	struct accepttrace_filter f;
	char buf[AT_FILTER_TEXT_MAX];
	int len;

	at_filter_get(&f);
	len = at_filter_print(buf, sizeof(buf) - 1, &f);
	buf[len++] = '\n';
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static ssize_t filter_write(struct file *file, const char __user *ubuf,
			    size_t count, loff_t *ppos)
{
	struct accepttrace_filter f;
	char buf[AT_FILTER_TEXT_MAX];
	int ret;

	if (*ppos || count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	/* The parser would stop at a NUL and take what came before. */
	if (strlen(buf) != count)
		return -EINVAL;
	ret = at_filter_parse(buf, &f);
	if (!ret)
		ret = at_filter_set(&f);
	return ret ? ret : count;
}

static const struct file_operations filter_fops = {
	.owner	= THIS_MODULE,
	.open	= simple_open,
	.read	= filter_read,
	.write	= filter_write,
};

void at_debugfs_init(void)
{
	/* debugfs is a convenience: the device works without it. */
	at_dir = debugfs_create_dir("accepttrace", NULL);
	debugfs_create_file("stats", 0400, at_dir, NULL, &stats_fops);
	debugfs_create_file("enable", 0600, at_dir, NULL, &enable_fops);
	debugfs_create_file("filter", 0600, at_dir, NULL, &filter_fops);
}

void at_debugfs_exit(void)
{
	debugfs_remove(at_dir);
	at_dir = NULL;
}
