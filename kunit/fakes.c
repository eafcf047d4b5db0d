// SPDX-License-Identifier: GPL-2.0
/*
 * Stand-ins for main.c, so that the units under test (ring.c, filter.c,
 * format.c, probes.c, compiled into this module) run against rings the
 * suites own and inspect.  Nothing here is shared with accepttrace.ko:
 * both modules can be loaded at once.
 */
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/smp.h>

#include "at_test.h"

bool at_enabled;
unsigned int at_maxactive = 16;
u32 at_ring_bytes;
atomic_long_t at_lost_no_ring;
atomic_long_t at_no_ring_hits[AT_NR_PROBES];
int at_test_rings_alloc(u32 size)
{
	int cpu, ret;

	ret = at_rings_alloc();
	if (ret)
		return ret;
	for_each_possible_cpu(cpu) {
		ret = at_ring_add(cpu, size);
		if (ret) {
			at_rings_free();
			return ret;
		}
	}
	at_ring_bytes = size;
	return 0;
}

void at_test_rings_free(void)
{
	at_rings_free();
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
