/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * accepttrace record ABI: the binary records read from /dev/accepttrace
 * and the ioctls that control an open reader.  Shared, unchanged, by the
 * kernel module and the userspace tool.
 *
 * Rules: fixed-width types only, natural alignment, no implicit padding
 * (every hole is an explicit reserved field), every record starts with
 * struct accepttrace_hdr so a reader can skip a type it does not know.
 * A change that moves a field bumps ACCEPTTRACE_ABI_VERSION.
 *
 * Version 2: an accept record's three addresses follow its fixed part,
 * each only as long as what it stores (struct accepttrace_sockaddr),
 * instead of three 120-byte slots; @hdr.size says where the record ends.
 */
#ifndef _UAPI_ACCEPTTRACE_H
#define _UAPI_ACCEPTTRACE_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define ACCEPTTRACE_ABI_VERSION		2
#define ACCEPTTRACE_DEVICE		"/dev/accepttrace"

enum accepttrace_rec_type {
	ACCEPTTRACE_REC_SYS_ACCEPT4	= 1,
	ACCEPTTRACE_REC_INET_ACCEPT	= 2,
	ACCEPTTRACE_REC_LOST		= 3,
	ACCEPTTRACE_REC_URING_ACCEPT	= 4,
};

/*
 * @size covers the whole record, header included, and is a multiple of 8.
 * @seq counts, per CPU, every event that CPU produced, recorded or lost,
 * so a gap in it is exactly the number of events a LOST record reports.
 * LOST records carry seq 0.  @ts_ns is CLOCK_MONOTONIC at the moment the
 * call returned (when the record was written).
 */
struct accepttrace_hdr {
	__u16	type;
	__u16	size;
	__u32	cpu;
	__u64	seq;
	__u64	ts_ns;
};

/*
 * Who made the call.  @netns is a network namespace inode number: that
 * of the socket the record is about (the new socket, else the listener),
 * the caller's only where the call found no socket; the netns filter
 * tests the same value.
 */
struct accepttrace_task {
	__u32	pid;		/* tgid */
	__u32	tid;
	__u32	uid;		/* in the initial user namespace */
	__u32	netns;
	char	comm[16];	/* not necessarily NUL-terminated */
};

#define ACCEPTTRACE_ADDR_MAX		112

/*
 * The address families the records decode, with their Linux values
 * (AF_UNIX, AF_INET, AF_INET6: the KUnit suite holds them equal), so
 * that code shared with userspace needs no <sys/socket.h>.  Every other
 * family is passed through as its number.
 */
#define ACCEPTTRACE_AF_UNIX		1
#define ACCEPTTRACE_AF_INET		2
#define ACCEPTTRACE_AF_INET6		10

/* accepttrace_sockaddr.flags */
#define ACCEPTTRACE_SA_FAULT		0x0001	/* user memory unreadable */

/*
 * An address as the kernel hands it to userspace, stored in a record no
 * bigger than it: an 8-byte head, then @stored bytes of @data (the raw
 * struct sockaddr_in/_in6/_un, family in host order first), then zeros
 * up to a multiple of 8 (ACCEPTTRACE_SOCKADDR_SIZE()).  @len is the
 * address length the kernel reports; @stored is at most
 * ACCEPTTRACE_ADDR_MAX and less than @len when the caller's buffer (or
 * ACCEPTTRACE_ADDR_MAX) truncated it.  @len == 0: no address, and
 * @stored is 0 (8 bytes in the record).
 */
struct accepttrace_sockaddr {
	__u32	len;
	__u16	stored;
	__u16	flags;
	__u8	data[];
};

/* Bytes an address of @stored bytes of data takes in a record. */
#define ACCEPTTRACE_SOCKADDR_SIZE(stored) \
	(sizeof(struct accepttrace_sockaddr) + (((stored) + 7U) & ~7U))

/*
 * Every accept record ends in ACCEPTTRACE_REC_NADDR addresses, one after
 * the other from the end of its fixed part, in this order.  Use
 * accepttrace_rec_addrs() to find them.
 */
#define ACCEPTTRACE_REC_NADDR		3
enum accepttrace_addr_slot {
	ACCEPTTRACE_ADDR_USER	= 0,	/* sys_accept4: caller's buffer */
	ACCEPTTRACE_ADDR_LISTEN	= 0,	/* inet_accept, uring_accept */
	ACCEPTTRACE_ADDR_LOCAL	= 1,	/* new socket */
	ACCEPTTRACE_ADDR_PEER	= 2,	/* new socket */
};

/* accepttrace_sys_accept4.syscall: how __sys_accept4 was entered */
enum accepttrace_syscall {
	ACCEPTTRACE_SYSCALL_UNKNOWN	= 0,
	ACCEPTTRACE_SYSCALL_ACCEPT	= 1,
	ACCEPTTRACE_SYSCALL_ACCEPT4	= 2,
	ACCEPTTRACE_SYSCALL_SOCKETCALL	= 3,	/* 32-bit socketcall(2) */
};

/* accepttrace_sys_accept4.valid: which user-memory reads succeeded */
#define ACCEPTTRACE_V_ADDRLEN_IN	0x0001	/* *upeer_addrlen at entry */
#define ACCEPTTRACE_V_ADDRLEN_OUT	0x0002	/* *upeer_addrlen at return */
#define ACCEPTTRACE_V_SOCK		0x0004	/* local/peer read from the socket */

/*
 * One call of __sys_accept4(), i.e. accept(2) or accept4(2).  Followed
 * by three addresses: the caller's buffer at return (user), and the new
 * socket's local and peer, from struct sock.
 */
struct accepttrace_sys_accept4 {
	struct accepttrace_hdr	hdr;
	struct accepttrace_task	task;
	__s32	fd;		/* listening fd as passed */
	__s32	flags;		/* accept4 flags as passed */
	__s32	ret;		/* new fd, or -errno */
	__u16	syscall;	/* enum accepttrace_syscall */
	__u16	valid;		/* ACCEPTTRACE_V_* */
	__u64	uaddr;		/* upeer_sockaddr (0: NULL) */
	__u64	uaddrlen;	/* upeer_addrlen (0: NULL) */
	__s32	addrlen_in;	/* *upeer_addrlen at entry */
	__s32	addrlen_out;	/* *upeer_addrlen at return */
	__u64	latency_ns;	/* entry to return */
};

/*
 * One call of inet_accept(): TCP/IPv4 and IPv6, io_uring, kernel_accept().
 * Followed by three addresses: the listener's local address (listen),
 * and the new socket's local and peer.
 */
struct accepttrace_inet_accept {
	struct accepttrace_hdr	hdr;
	struct accepttrace_task	task;
	__s32	ret;		/* 0, or -errno */
	__u32	flags;		/* file flags passed to ->accept (O_NONBLOCK...) */
	__u8	kern;		/* accepted for an in-kernel user */
	__u8	reserved0;
	__u16	family;		/* new socket: AF_* */
	__u16	type;		/* new socket: SOCK_STREAM... */
	__u16	protocol;	/* new socket: IPPROTO_* */
	__u32	qlen;		/* listener's accept queue at entry */
	__u32	qmax;		/* listener's accept queue limit */
	__u64	latency_ns;
};

/*
 * One accept that io_uring made for an IORING_OP_ACCEPT request: a call
 * of do_accept() inside io_accept(), on any address family, from the
 * submitting task or an io-wq worker (iou-wrk-<tid>).  One request can
 * make several: a non-blocking try that fails with EAGAIN before poll
 * retries it (@file_flags has O_NONBLOCK), or one per connection of a
 * multishot request.  The descriptor (or fixed-file slot) is not known
 * here: io_uring assigns it after the call and reports it in the CQE,
 * so @ret is 0 for an accepted connection, else -errno.  TCP accepts
 * also make an inet_accept record.  @uaddr, @uaddrlen and the lengths
 * are those of the SQE, as for struct accepttrace_sys_accept4.
 * Followed by three addresses: listen, local and peer, as for
 * inet_accept.
 */
struct accepttrace_uring_accept {
	struct accepttrace_hdr	hdr;
	struct accepttrace_task	task;
	__s32	ret;		/* 0: accepted, or -errno */
	__s32	flags;		/* accept4 flags of the request */
	__u32	file_flags;	/* O_NONBLOCK: io_uring's non-blocking try */
	__u16	valid;		/* ACCEPTTRACE_V_* */
	__u16	reserved0;
	__u64	uaddr;
	__u64	uaddrlen;
	__s32	addrlen_in;
	__s32	addrlen_out;
	__u64	latency_ns;
};

/* @count events were lost on @hdr.cpu because its ring was full. */
struct accepttrace_lost {
	struct accepttrace_hdr	hdr;
	__u64	count;
};

/*
 * Where the addresses of a record of @type start: the size of its fixed
 * part, or 0 for a type that has none (LOST, or unknown).
 */
static inline __u32 accepttrace_addrs_offset(__u16 type)
{
	switch (type) {
	case ACCEPTTRACE_REC_SYS_ACCEPT4:
		return sizeof(struct accepttrace_sys_accept4);
	case ACCEPTTRACE_REC_INET_ACCEPT:
		return sizeof(struct accepttrace_inet_accept);
	case ACCEPTTRACE_REC_URING_ACCEPT:
		return sizeof(struct accepttrace_uring_accept);
	default:
		return 0;
	}
}

/*
 * Point @sa[ACCEPTTRACE_ADDR_*] at the addresses of the accept record
 * @hdr, which is @hdr->size bytes long.  Returns 0, or -1 if it is not an
 * accept record or its addresses do not lie within it: each must have
 * @stored <= ACCEPTTRACE_ADDR_MAX and fit, and together they must end
 * exactly at @hdr->size.
 */
static inline int
accepttrace_rec_addrs(const struct accepttrace_hdr *hdr,
		      const struct accepttrace_sockaddr *sa[ACCEPTTRACE_REC_NADDR])
{
	__u32 off = accepttrace_addrs_offset(hdr->type);
	unsigned int i;

	if (!off)
		return -1;
	for (i = 0; i < ACCEPTTRACE_REC_NADDR; i++) {
		const struct accepttrace_sockaddr *a;

		if (off + sizeof(*a) > hdr->size)
			return -1;
		a = (const struct accepttrace_sockaddr *)
			((const __u8 *)hdr + off);
		if (a->stored > ACCEPTTRACE_ADDR_MAX ||
		    off + ACCEPTTRACE_SOCKADDR_SIZE(a->stored) > hdr->size)
			return -1;
		sa[i] = a;
		off += ACCEPTTRACE_SOCKADDR_SIZE(a->stored);
	}
	return off == hdr->size ? 0 : -1;
}

/* Largest record; a binary read() needs at least this much room. */
#define ACCEPTTRACE_REC_MAX	(sizeof(struct accepttrace_sys_accept4) + \
				 ACCEPTTRACE_REC_NADDR * \
				 ACCEPTTRACE_SOCKADDR_SIZE(ACCEPTTRACE_ADDR_MAX))

/*
 * Filter applied in the kernel before a record is written.  Every list
 * that is non-empty must match (pid OR pid..., AND port OR port...).
 */
#define ACCEPTTRACE_FILTER_MAX		8

#define ACCEPTTRACE_FAM_INET		0x1
#define ACCEPTTRACE_FAM_INET6		0x2
#define ACCEPTTRACE_FAM_UNIX		0x4
#define ACCEPTTRACE_FAM_ALL		0x7

#define ACCEPTTRACE_FILTER_ERRORS	0x1	/* failed calls only */

struct accepttrace_filter {
	__u32	flags;		/* ACCEPTTRACE_FILTER_* */
	__u32	families;	/* ACCEPTTRACE_FAM_* mask; 0: any */
	__u32	netns;		/* 0: any */
	__u32	npids;
	__u32	ntids;
	__u32	nports;
	__u32	pids[ACCEPTTRACE_FILTER_MAX];
	__u32	tids[ACCEPTTRACE_FILTER_MAX];
	__u16	ports[ACCEPTTRACE_FILTER_MAX];	/* local port, host order */
	char	comm[16];	/* "" : any; printable ASCII, no space */
};

#define ACCEPTTRACE_IOC_MAGIC		0xAC
/* The ABI version this module speaks. */
#define ACCEPTTRACE_IOC_ABI_VERSION	_IOR(ACCEPTTRACE_IOC_MAGIC, 1, __u32)
/* 1: read() returns binary records; 0: text lines (the default). */
#define ACCEPTTRACE_IOC_SET_BINARY	_IOW(ACCEPTTRACE_IOC_MAGIC, 2, __u32)
/* Replace the filter; it is cleared when the reader closes the device. */
#define ACCEPTTRACE_IOC_SET_FILTER	_IOW(ACCEPTTRACE_IOC_MAGIC, 3, \
					     struct accepttrace_filter)
#define ACCEPTTRACE_IOC_CLEAR_FILTER	_IO(ACCEPTTRACE_IOC_MAGIC, 4)

#endif /* _UAPI_ACCEPTTRACE_H */
