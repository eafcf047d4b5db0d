// SPDX-License-Identifier: GPL-2.0
/*
 * Stand-ins for main.c and chardev.c, so that the units under test
 * (ring.c, filter.c, format.c, probes.c, compiled into this module) run
 * against rings the suites own and inspect.  Nothing here is shared with
 * accepttrace.ko: both modules can be loaded at once.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "at_test.h"

struct at_ring **at_rings;
bool at_enabled;
unsigned int at_maxactive = 16;
u32 at_ring_bytes;
atomic_long_t at_lost_no_ring;
atomic_long_t at_no_ring_hits[AT_NR_PROBES];
bool at_wake_wanted;

/* The suites poll: no reader to kick. */
void at_ring_kick(struct at_ring *r)
{
}

int at_test_rings_alloc(u32 size)
{
	int cpu, ret;

	at_rings = kcalloc(nr_cpu_ids, sizeof(*at_rings), GFP_KERNEL);
	if (!at_rings)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct at_ring *r = kzalloc(sizeof(*r), GFP_KERNEL);

		if (!r) {
			ret = -ENOMEM;
			goto fail;
		}
		ret = at_ring_init(r, size, cpu);
		if (ret) {
			kfree(r);
			goto fail;
		}
		at_rings[cpu] = r;
	}
	at_ring_bytes = size;
	return 0;
fail:
	at_test_rings_free();
	return ret;
}

void at_test_rings_free(void)
{
	int cpu;

	if (!at_rings)
		return;
	for_each_possible_cpu(cpu) {
		if (!at_rings[cpu])
			continue;
		at_ring_destroy(at_rings[cpu]);
		kfree(at_rings[cpu]);
	}
	kfree(at_rings);
	at_rings = NULL;
}

u64 at_test_attempts(void)
{
	u64 n = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		n += local64_read(&at_rings[cpu]->seq);
	return n;
}

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for accepttrace: ring, formatter, filter, probes, ABI");
