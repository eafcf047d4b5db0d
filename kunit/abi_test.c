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
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_ABI_VERSION, 2);
	KUNIT_EXPECT_STREQ(test, ACCEPTTRACE_DEVICE, "/dev/accepttrace");
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_REC_SYS_ACCEPT4, 1);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_REC_INET_ACCEPT, 2);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_REC_LOST, 3);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_REC_URING_ACCEPT, 4);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_ADDR_MAX, 112);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_REC_NADDR, 3);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_ADDR_USER, 0);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_ADDR_LISTEN, 0);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_ADDR_LOCAL, 1);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_ADDR_PEER, 2);
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
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_sockaddr), 8);
	EXPECT_OFF(test, accepttrace_sockaddr, len, 0);
	EXPECT_OFF(test, accepttrace_sockaddr, stored, 4);
	EXPECT_OFF(test, accepttrace_sockaddr, flags, 6);
	EXPECT_OFF(test, accepttrace_sockaddr, data, 8);
	/* The head, then the data padded to 8. */
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_SOCKADDR_SIZE(0), 8);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_SOCKADDR_SIZE(1), 16);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_SOCKADDR_SIZE(2), 16);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_SOCKADDR_SIZE(8), 16);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_SOCKADDR_SIZE(16), 24);	/* in */
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_SOCKADDR_SIZE(28), 40);	/* in6 */
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_SOCKADDR_SIZE(110), 120);	/* un */
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_SOCKADDR_SIZE(112), 120);
}

static void abi_test_sys_accept4(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_sys_accept4), 104);
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
	KUNIT_EXPECT_EQ(test,
			accepttrace_addrs_offset(ACCEPTTRACE_REC_SYS_ACCEPT4),
			104);
}

static void abi_test_inet_accept(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_inet_accept), 88);
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
	KUNIT_EXPECT_EQ(test,
			accepttrace_addrs_offset(ACCEPTTRACE_REC_INET_ACCEPT),
			88);
}

static void abi_test_uring_accept(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_uring_accept), 104);
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
	KUNIT_EXPECT_EQ(test,
			accepttrace_addrs_offset(ACCEPTTRACE_REC_URING_ACCEPT),
			104);
	KUNIT_EXPECT_EQ(test, accepttrace_addrs_offset(ACCEPTTRACE_REC_LOST),
			0);
	KUNIT_EXPECT_EQ(test, accepttrace_addrs_offset(9), 0);
}

/*
 * accepttrace_rec_addrs() finds the three addresses of a record, one
 * after the other, and refuses any that do not lie exactly within it.
 */
static void abi_test_rec_addrs(struct kunit *test)
{
	const struct accepttrace_sockaddr *sa[ACCEPTTRACE_REC_NADDR];
	u64 buf[ACCEPTTRACE_REC_MAX / 8] = {};
	struct accepttrace_hdr *h = (struct accepttrace_hdr *)buf;
	u8 *b = (u8 *)buf;
	struct accepttrace_sockaddr *a0, *a1, *a2;

	/* inet_accept: listen of 16 bytes (24), local of 0 (8), peer of 3 (16) */
	h->type = ACCEPTTRACE_REC_INET_ACCEPT;
	h->size = 88 + 24 + 8 + 16;
	a0 = (struct accepttrace_sockaddr *)(b + 88);
	a1 = (struct accepttrace_sockaddr *)(b + 112);
	a2 = (struct accepttrace_sockaddr *)(b + 120);
	a0->len = 16;
	a0->stored = 16;
	a2->len = 3;
	a2->stored = 3;
	KUNIT_ASSERT_EQ(test, accepttrace_rec_addrs(h, sa), 0);
	KUNIT_EXPECT_PTR_EQ(test, sa[ACCEPTTRACE_ADDR_LISTEN], a0);
	KUNIT_EXPECT_PTR_EQ(test, sa[ACCEPTTRACE_ADDR_LOCAL], a1);
	KUNIT_EXPECT_PTR_EQ(test, sa[ACCEPTTRACE_ADDR_PEER], a2);
	/* Short by a byte, or a word too long. */
	h->size--;
	KUNIT_EXPECT_EQ(test, accepttrace_rec_addrs(h, sa), -1);
	h->size += 9;
	KUNIT_EXPECT_EQ(test, accepttrace_rec_addrs(h, sa), -1);
	h->size -= 8;
	/* More than ACCEPTTRACE_ADDR_MAX, even where the size would hold it. */
	a0->stored = 113;
	h->size = 88 + 128 + 8 + 16;
	KUNIT_EXPECT_EQ(test, accepttrace_rec_addrs(h, sa), -1);
	a0->stored = 16;
	h->size = 88 + 24 + 8 + 16;
	KUNIT_EXPECT_EQ(test, accepttrace_rec_addrs(h, sa), 0);
	/* Not an accept record. */
	h->type = ACCEPTTRACE_REC_LOST;
	KUNIT_EXPECT_EQ(test, accepttrace_rec_addrs(h, sa), -1);
	/* Too short for the fixed part and one address head. */
	h->type = ACCEPTTRACE_REC_SYS_ACCEPT4;
	h->size = 104 + 4;
	KUNIT_EXPECT_EQ(test, accepttrace_rec_addrs(h, sa), -1);
}

static void abi_test_lost(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_lost), 32);
	EXPECT_OFF(test, accepttrace_lost, hdr, 0);
	EXPECT_OFF(test, accepttrace_lost, count, 24);
}

/*
 * Every fixed part is a multiple of 8, as are the addresses after it, so
 * records stay aligned in a ring; the largest record is a sys_accept4
 * or uring_accept with three addresses of ACCEPTTRACE_ADDR_MAX bytes.
 */
static void abi_test_record_alignment(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_sys_accept4) % 8, 0);
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_inet_accept) % 8, 0);
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_uring_accept) % 8, 0);
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_lost) % 8, 0);
	KUNIT_EXPECT_EQ(test, sizeof(struct accepttrace_sockaddr) % 8, 0);
	KUNIT_EXPECT_EQ(test, ACCEPTTRACE_REC_MAX,
			max3(sizeof(struct accepttrace_sys_accept4),
			     sizeof(struct accepttrace_inet_accept),
			     sizeof(struct accepttrace_uring_accept)) +
			3 * ACCEPTTRACE_SOCKADDR_SIZE(ACCEPTTRACE_ADDR_MAX));
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
	KUNIT_CASE(abi_test_rec_addrs),
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
