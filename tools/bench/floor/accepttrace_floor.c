// SPDX-License-Identifier: GPL-2.0
/*
 * accepttrace_floor: the cost of the probes alone, for the benchmark.
 *
 * Places the same three kretprobes as accepttrace (__sys_accept4,
 * inet_accept and do_accept) with the same maxactive, but with handlers
 * that do nothing.  What a kretprobe costs on this kernel
 * (trap or ftrace entry, instance allocation, return trampoline) is then
 * measured apart from what accepttrace does in its handlers.  Test-only:
 * it is never installed and has no switch in the product.
 *
 * With clock=1 the handlers read the clock as accepttrace's do (once at
 * entry, once at return, into the instance data; not in do_accept()): what timing each call
 * costs by itself, apart from building and publishing its record.
 *
 *   insmod accepttrace_floor.ko [maxactive=1024] [data_size=40] [clock=0|1]
 *
 * The probes' miss counts are printed at unload, so the benchmark can
 * tell a complete run from one that skipped calls.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/kprobes.h>
#include <linux/timekeeping.h>

static int maxactive = 1024;
module_param(maxactive, int, 0444);
MODULE_PARM_DESC(maxactive, "kretprobe instances per probe (default 1024, as accepttrace)");

/*
 * Per-instance data, one size for every probe here; accepttrace's are
 * sizeof(struct at_inet_entry) (40), struct at_sys_entry's (which holds
 * the accepted socket's addresses) and struct at_do_entry's (8).  The
 * instances are allocated at load: the size costs memory, not time.
 */
static int data_size = 40;
module_param(data_size, int, 0444);
MODULE_PARM_DESC(data_size, "bytes of per-instance data (default 40, as accepttrace)");

static bool clock;
module_param(clock, bool, 0444);
MODULE_PARM_DESC(clock, "read the clock at entry and return, as accepttrace does (default 0)");

static int floor_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	if (clock)
		*(u64 *)ri->data = ktime_get_ns();
	return 0;
}

NOKPROBE_SYMBOL(floor_entry);

static int floor_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	/* Kept in the instance, so the compiler cannot drop the read. */
	if (clock)
		*(u64 *)ri->data = ktime_get_ns() - *(u64 *)ri->data;
	return 0;
}

NOKPROBE_SYMBOL(floor_return);

/* do_accept(): accepttrace reads no clock there. */
static int floor_plain(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

NOKPROBE_SYMBOL(floor_plain);

static struct kretprobe floor_probes[] = {
	{
		.kp.symbol_name	= "__sys_accept4",
		.entry_handler	= floor_entry,
		.handler	= floor_return,
	},
	{
		.kp.symbol_name	= "inet_accept",
		.entry_handler	= floor_entry,
		.handler	= floor_return,
	},
	{
		.kp.symbol_name	= "do_accept",
		.entry_handler	= floor_plain,
		.handler	= floor_plain,
	},
};

static struct kretprobe *floor_list[ARRAY_SIZE(floor_probes)];

static int __init floor_init(void)
{
	int i, ret;

	if (maxactive < 1 || data_size < (clock ? (int)sizeof(u64) : 0) ||
	    data_size > 4096) {
		pr_err("maxactive=%d data_size=%d: out of range\n",
		       maxactive, data_size);
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(floor_probes); i++) {
		/* Blocked acceptors hold an instance each, as in accepttrace. */
		floor_probes[i].maxactive = maxactive;
		floor_probes[i].data_size = data_size;
		floor_list[i] = &floor_probes[i];
	}
	ret = register_kretprobes(floor_list, ARRAY_SIZE(floor_list));
	if (ret) {
		pr_err("register_kretprobes: error %d\n", ret);
		return ret;
	}
	pr_info("probing __sys_accept4, inet_accept and do_accept (maxactive %d, data_size %d, clock %d)\n",
		maxactive, data_size, clock);
	return 0;
}

static void __exit floor_exit(void)
{
	int i;

	unregister_kretprobes(floor_list, ARRAY_SIZE(floor_list));
	for (i = 0; i < ARRAY_SIZE(floor_probes); i++)
		pr_info("%s nmissed=%d kretprobe_nmissed=%d\n",
			floor_probes[i].kp.symbol_name,
			(int)floor_probes[i].kp.nmissed,
			floor_probes[i].nmissed);
}

module_init(floor_init);
module_exit(floor_exit);
MODULE_DESCRIPTION("accepttrace benchmark: empty kretprobes on the same functions");
MODULE_LICENSE("GPL");
