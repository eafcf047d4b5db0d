// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite pinning the binary ABI of include/accepttrace.h: every
 * constant, ioctl number, struct size and field offset.  Any change that
 * moves a byte fails here, and must come with an ACCEPTTRACE_ABI_VERSION
 * bump and a new expectation.
 */
#include "kunit_compat.h"
#include <linux/socket.h>
#include <linux/stddef.h>

#include "accepttrace.h"

#define EXPECT_OFF(test, type, field, off)	\
	KUNIT_EXPECT_EQ(test, offsetof(struct type, field), off)

static void abi_test_constants(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_ABI_VERSION, 1);
	KUNIT_EXPECT_STREQ(test, ACCEPTTRACE_DEVICE, "/dev/accepttrace");
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_REC_SYS_ACCEPT4, 1);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_REC_INET_ACCEPT, 2);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_REC_LOST, 3);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_REC_URING_ACCEPT, 4);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_ADDR_MAX, 112);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_SA_FAULT, 0x1);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_SYSCALL_UNKNOWN, 0);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_SYSCALL_ACCEPT, 1);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_SYSCALL_ACCEPT4, 2);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_SYSCALL_SOCKETCALL, 3);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_V_ADDRLEN_IN, 0x1);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_V_ADDRLEN_OUT, 0x2);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_V_SOCK, 0x4);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_REC_MAX, 464);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_FILTER_MAX, 8);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_FAM_INET, 0x1);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_FAM_INET6, 0x2);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_FAM_UNIX, 0x4);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_FAM_ALL, 0x7);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_FILTER_ERRORS, 0x1);
}

/* The header's family names are the kernel's numbers, not copies of them. */
static void abi_test_families(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_AF_UNIX, AF_UNIX);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_AF_INET, AF_INET);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_AF_INET6, AF_INET6);
}

/* The numbers userspace compiled against an older header still sends. */
static void abi_test_ioctls(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_IOC_MAGIC, 0xAC);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_IOC_ABI_VERSION, 0x8004ac01);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_IOC_SET_BINARY, 0x4004ac02);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_IOC_SET_FILTER, 0x4078ac03);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_IOC_CLEAR_FILTER, 0xac04);
}

static void abi_test_hdr(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_hdr), 24);
	EXPECT_OFF(test, accepttrace_hdr, type, 0);
	EXPECT_OFF(test, accepttrace_hdr, size, 2);
	EXPECT_OFF(test, accepttrace_hdr, cpu, 4);
	EXPECT_OFF(test, accepttrace_hdr, seq, 8);
	EXPECT_OFF(test, accepttrace_hdr, ts_ns, 16);
}

static void abi_test_task(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_task), 32);
	EXPECT_OFF(test, accepttrace_task, pid, 0);
	EXPECT_OFF(test, accepttrace_task, tid, 4);
	EXPECT_OFF(test, accepttrace_task, uid, 8);
	EXPECT_OFF(test, accepttrace_task, netns, 12);
	EXPECT_OFF(test, accepttrace_task, comm, 16);
	KUNIT_EXPECT_EQ(test, sizeof_field(struct accepttrace_task, comm), 16);
}

static void abi_test_sockaddr(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_sockaddr), 120);
	EXPECT_OFF(test, accepttrace_sockaddr, len, 0);
	EXPECT_OFF(test, accepttrace_sockaddr, stored, 4);
	EXPECT_OFF(test, accepttrace_sockaddr, flags, 6);
	EXPECT_OFF(test, accepttrace_sockaddr, data, 8);
	KUNIT_EXPECT_EQ(test, sizeof_field(struct accepttrace_sockaddr, data),
			112);
}

static void abi_test_sys_accept4(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_sys_accept4), 464);
	EXPECT_OFF(test, accepttrace_sys_accept4, hdr, 0);
	EXPECT_OFF(test, accepttrace_sys_accept4, task, 24);
	EXPECT_OFF(test, accepttrace_sys_accept4, fd, 56);
	EXPECT_OFF(test, accepttrace_sys_accept4, flags, 60);
	EXPECT_OFF(test, accepttrace_sys_accept4, ret, 64);
	EXPECT_OFF(test, accepttrace_sys_accept4, syscall, 68);
	EXPECT_OFF(test, accepttrace_sys_accept4, valid, 70);
	EXPECT_OFF(test, accepttrace_sys_accept4, uaddr, 72);
	EXPECT_OFF(test, accepttrace_sys_accept4, uaddrlen, 80);
	EXPECT_OFF(test, accepttrace_sys_accept4, addrlen_in, 88);
	EXPECT_OFF(test, accepttrace_sys_accept4, addrlen_out, 92);
	EXPECT_OFF(test, accepttrace_sys_accept4, latency_ns, 96);
	EXPECT_OFF(test, accepttrace_sys_accept4, user, 104);
	EXPECT_OFF(test, accepttrace_sys_accept4, local, 224);
	EXPECT_OFF(test, accepttrace_sys_accept4, peer, 344);
}

static void abi_test_inet_accept(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_inet_accept), 448);
	EXPECT_OFF(test, accepttrace_inet_accept, hdr, 0);
	EXPECT_OFF(test, accepttrace_inet_accept, task, 24);
	EXPECT_OFF(test, accepttrace_inet_accept, ret, 56);
	EXPECT_OFF(test, accepttrace_inet_accept, flags, 60);
	EXPECT_OFF(test, accepttrace_inet_accept, kern, 64);
	EXPECT_OFF(test, accepttrace_inet_accept, reserved0, 65);
	EXPECT_OFF(test, accepttrace_inet_accept, family, 66);
	EXPECT_OFF(test, accepttrace_inet_accept, type, 68);
	EXPECT_OFF(test, accepttrace_inet_accept, protocol, 70);
	EXPECT_OFF(test, accepttrace_inet_accept, qlen, 72);
	EXPECT_OFF(test, accepttrace_inet_accept, qmax, 76);
	EXPECT_OFF(test, accepttrace_inet_accept, latency_ns, 80);
	EXPECT_OFF(test, accepttrace_inet_accept, listen, 88);
	EXPECT_OFF(test, accepttrace_inet_accept, local, 208);
	EXPECT_OFF(test, accepttrace_inet_accept, peer, 328);
}

static void abi_test_uring_accept(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_uring_accept), 464);
	EXPECT_OFF(test, accepttrace_uring_accept, hdr, 0);
	EXPECT_OFF(test, accepttrace_uring_accept, task, 24);
	EXPECT_OFF(test, accepttrace_uring_accept, ret, 56);
	EXPECT_OFF(test, accepttrace_uring_accept, flags, 60);
	EXPECT_OFF(test, accepttrace_uring_accept, file_flags, 64);
	EXPECT_OFF(test, accepttrace_uring_accept, valid, 68);
	EXPECT_OFF(test, accepttrace_uring_accept, reserved0, 70);
	EXPECT_OFF(test, accepttrace_uring_accept, uaddr, 72);
	EXPECT_OFF(test, accepttrace_uring_accept, uaddrlen, 80);
	EXPECT_OFF(test, accepttrace_uring_accept, addrlen_in, 88);
	EXPECT_OFF(test, accepttrace_uring_accept, addrlen_out, 92);
	EXPECT_OFF(test, accepttrace_uring_accept, latency_ns, 96);
	EXPECT_OFF(test, accepttrace_uring_accept, listen, 104);
	EXPECT_OFF(test, accepttrace_uring_accept, local, 224);
	EXPECT_OFF(test, accepttrace_uring_accept, peer, 344);
}

static void abi_test_lost(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_lost), 32);
	EXPECT_OFF(test, accepttrace_lost, hdr, 0);
	EXPECT_OFF(test, accepttrace_lost, count, 24);
}

/* Every record size is a multiple of 8, as the ring and readers assume. */
static void abi_test_record_alignment(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_sys_accept4) % 8, 0);
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_inet_accept) % 8, 0);
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_uring_accept) % 8, 0);
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_lost) % 8, 0);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_REC_MAX,
			max3(sizeof(struct accepttrace_sys_accept4),
			     sizeof(struct accepttrace_inet_accept),
			     sizeof(struct accepttrace_uring_accept)));
}

static void abi_test_filter(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_filter), 120);
	EXPECT_OFF(test, accepttrace_filter, flags, 0);
	EXPECT_OFF(test, accepttrace_filter, families, 4);
	EXPECT_OFF(test, accepttrace_filter, netns, 8);
	EXPECT_OFF(test, accepttrace_filter, npids, 12);
	EXPECT_OFF(test, accepttrace_filter, ntids, 16);
	EXPECT_OFF(test, accepttrace_filter, nports, 20);
	EXPECT_OFF(test, accepttrace_filter, pids, 24);
	EXPECT_OFF(test, accepttrace_filter, tids, 56);
	EXPECT_OFF(test, accepttrace_filter, ports, 88);
	EXPECT_OFF(test, accepttrace_filter, comm, 104);
}

static struct kunit_case abi_test_cases[] = {
	KUNIT_CASE(abi_test_constants),
	KUNIT_CASE(abi_test_families),
	KUNIT_CASE(abi_test_ioctls),
	KUNIT_CASE(abi_test_hdr),
	KUNIT_CASE(abi_test_task),
	KUNIT_CASE(abi_test_sockaddr),
	KUNIT_CASE(abi_test_sys_accept4),
	KUNIT_CASE(abi_test_inet_accept),
	KUNIT_CASE(abi_test_uring_accept),
	KUNIT_CASE(abi_test_lost),
	KUNIT_CASE(abi_test_record_alignment),
	KUNIT_CASE(abi_test_filter),
	{}
};

static struct kunit_suite abi_test_suite = {
	.name = "accepttrace_abi",
	.test_cases = abi_test_cases,
};

kunit_test_suite(abi_test_suite);
