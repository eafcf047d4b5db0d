// SPDX-License-Identifier: GPL-2.0
/* Placeholder: replaced by the real module. */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt
#include <linux/module.h>
#include <linux/miscdevice.h>
#include <linux/debugfs.h>
#include <linux/fs.h>

static struct dentry *at_dir;

static const struct file_operations at_fops = {
	.owner	= THIS_MODULE,
};

static struct miscdevice at_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "accepttrace",
	.fops	= &at_fops,
	.mode	= 0600,
};

static int __init at_init(void)
{
	int ret = misc_register(&at_misc);

	if (ret)
		return ret;
	at_dir = debugfs_create_dir("accepttrace", NULL);
	return 0;
}

static void __exit at_exit(void)
{
	debugfs_remove(at_dir);
	misc_deregister(&at_misc);
}

module_init(at_init);
module_exit(at_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Trace accept(2) and inet_accept()");
