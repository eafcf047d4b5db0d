// SPDX-License-Identifier: GPL-2.0
/*
 * accepttrace: trace accept(2) and inet_accept() with two kretprobes.
 *
 *   insmod accepttrace.ko [buf_kb=256] [maxactive=1024] [enabled=1]
 *   cat /dev/accepttrace
 *   cat /sys/kernel/debug/accepttrace/stats
 *
 * Every call is recorded into the ring of the CPU it returned on and
 * read back, merged across CPUs, as text or as the binary records of
 * include/accepttrace.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/build_bug.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/smp.h>
#include <linux/topology.h>
#include <linux/cpuhotplug.h>

#include "internal.h"

#define AT_BUF_KB_MIN		4
#define AT_BUF_KB_MAX		65536
#define AT_MAXACTIVE_MAX	32768

static unsigned int buf_kb = 256;
module_param(buf_kb, uint, 0444);
MODULE_PARM_DESC(buf_kb, "per-CPU ring size in KiB: a power of two, 4..65536 (default 256)");

unsigned int at_maxactive = 1024;
module_param_named(maxactive, at_maxactive, uint, 0444);
MODULE_PARM_DESC(maxactive, "calls that can be inside each probed function at once, blocked acceptors included: 1..32768 (default 1024)");

bool at_enabled = true;
module_param_named(enabled, at_enabled, bool, 0444);
MODULE_PARM_DESC(enabled, "record from load on (default 1); toggle later in debugfs accepttrace/enable");

u32 at_ring_bytes;

/*
 * The record ABI has no implicit padding: every struct is the sum of its
 * fields, and sizes are multiples of 8 so records stay aligned in a ring.
 * (The KUnit suite checks every offset.)
 */
static_assert(sizeof(struct accepttrace_hdr) == 24);
static_assert(sizeof(struct accepttrace_task) == 32);
static_assert(sizeof(struct accepttrace_sockaddr) == 8);
static_assert(sizeof(struct accepttrace_sys_accept4) == 104);
static_assert(sizeof(struct accepttrace_inet_accept) == 88);
static_assert(sizeof(struct accepttrace_uring_accept) == 104);
static_assert(ACCEPTTRACE_REC_MAX == 464);
static_assert(sizeof(struct accepttrace_lost) == 32);
static_assert(sizeof(struct accepttrace_filter) == 120);

static int check_params(void)
{
	if (buf_kb < AT_BUF_KB_MIN || buf_kb > AT_BUF_KB_MAX ||
	    !is_power_of_2(buf_kb)) {
		pr_err("buf_kb=%u: must be a power of two from %u to %u\n",
		       buf_kb, AT_BUF_KB_MIN, AT_BUF_KB_MAX);
		return -EINVAL;
	}
	if (!at_maxactive || at_maxactive > AT_MAXACTIVE_MAX) {
		pr_err("maxactive=%u: must be from 1 to %u\n", at_maxactive,
		       AT_MAXACTIVE_MAX);
		return -EINVAL;
	}
	at_ring_bytes = buf_kb * 1024;
	return 0;
}

/*
 * A ring is allocated when its CPU first comes online and kept until
 * unload: records in the ring of a CPU that went offline are still
 * read, and a CPU that comes back records into the same ring.  CPUs
 * that are possible but never online cost nothing.
 */
static enum cpuhp_state at_cpuhp_state;
static bool at_rings_live;	/* load is done: a failure no longer fails it */
atomic_long_t at_lost_no_ring = ATOMIC_LONG_INIT(0);
atomic_long_t at_no_ring_hits[AT_NR_PROBES];

static int at_cpu_online(unsigned int cpu)
{
	int ret = at_ring_add(cpu, at_ring_bytes);

	if (!ret || !at_rings_live)
		return ret;
	/* Never keep a CPU from coming up: its events are counted. */
	pr_warn("cpu %u: no ring (error %d); its events are counted as lost\n",
		cpu, ret);
	return 0;
}

/* Only once the probes are gone: nothing may write to what this frees. */
static void rings_free(void)
{
	if (!at_rings)
		return;
	if (at_cpuhp_state > 0)
		cpuhp_remove_state_nocalls(at_cpuhp_state);
	at_cpuhp_state = 0;
	at_rings_live = false;
	at_rings_free();
}

/* A ring for every CPU online now, and for each one that comes later. */
static int rings_alloc(void)
{
	int ret;

	ret = at_rings_alloc();
	if (ret)
		return ret;
	ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "accepttrace:online",
				at_cpu_online, NULL);
	if (ret < 0) {
		rings_free();
		return ret;
	}
	at_cpuhp_state = ret;
	at_rings_live = true;
	return 0;
}

/*
 * Nothing is reachable before what it uses is in place: the probes write
 * into the rings; debugfs reads the rings and the probes; the device,
 * last, is what a reader holds open.  A load that fails undoes what it
 * did in reverse and never had a reader: the device is the last step,
 * and the one that can fail after the probes.  Unload is the same steps
 * in reverse: the device and debugfs go before the probes and the rings
 * they show.
 */
static int __init at_init(void)
{
	int ret;

	ret = check_params();
	if (ret)
		return ret;
	ret = rings_alloc();
	if (ret)
		return ret;
	ret = at_probes_register();
	if (ret)
		goto err_rings;
	at_debugfs_init();
	ret = at_chardev_init();
	if (ret)
		goto err_debugfs;
	pr_info("%u KiB ring per CPU, recording %s\n", buf_kb,
		READ_ONCE(at_enabled) ? "on" :
		"off (echo 1 > accepttrace/enable)");
	return 0;

err_debugfs:
	at_debugfs_exit();
	at_probes_unregister();
err_rings:
	rings_free();
	at_filter_exit();
	return ret;
}

static void __exit at_exit(void)
{
	at_chardev_exit();
	at_debugfs_exit();
	at_probes_unregister();
	rings_free();
	at_filter_exit();
}

module_init(at_init);
module_exit(at_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Trace accept(2) and inet_accept() into per-CPU buffers");
MODULE_VERSION(AT_VERSION);
