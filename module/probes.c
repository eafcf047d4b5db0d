// SPDX-License-Identifier: GPL-2.0
/*
 * The two kretprobes.  Handlers run in atomic context: they never sleep,
 * read user memory only with copy_from_user_nofault(), take no socket
 * lock (addresses come straight from struct sock, as getname would
 * return them) and no global lock, and account for every event they
 * skip.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/net.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/un.h>
#include <linux/uaccess.h>
#include <linux/cred.h>
#include <linux/highuid.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/timekeeping.h>
#include <net/sock.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/af_unix.h>
#include <net/net_namespace.h>

#include "internal.h"
#include "compat.h"

/* An address as getname() gives it, before it goes into a record. */
struct at_addr {
	u32	len;				/* the address's length */
	u8	data[ACCEPTTRACE_ADDR_MAX];	/* its first bytes */
};

/*
 * State of one __sys_accept4 call, kept in its kretprobe instance: the
 * arguments from its entry, and the new socket that do_accept() made,
 * put there by do_accept()'s return handler (@key, @local, @peer and
 * ACCEPTTRACE_V_SOCK in @valid) before the descriptor is installed.
 */
struct at_sys_entry {
	u64	ts;
	u64	uaddr;
	u64	uaddrlen;
	s32	fd;
	s32	flags;
	s32	addrlen_in;
	u16	syscall;
	u16	valid;
	u16	keyed;		/* @key holds a socket's (not .ret) */
	struct at_event_key	key;
	struct at_addr	local;
	struct at_addr	peer;
};

/*
 * do_accept()'s instance: the __sys_accept4 call it runs for, or for
 * io_uring's (@sys NULL) the arguments of the accept it records.
 */
struct at_do_entry {
	struct at_sys_entry	*sys;
	u64	ts;
	u64	uaddr;
	u64	uaddrlen;
	struct file	*lfile;		/* the listener; io_uring holds it */
	s32	flags;
	u32	file_flags;
	s32	addrlen_in;
	u16	valid;
};

/* Entry state of one inet_accept call. */
struct at_inet_entry {
	u64		ts;
	struct socket	*sock;
	struct socket	*newsock;
	u32		flags;
	u32		qlen;
	u32		qmax;
	u8		kern;
};

static struct kretprobe at_kretprobes[AT_NR_PROBES];

/* Incremented if a handler ever runs preemptible; the KUnit suite checks. */
atomic_t at_preemptible_calls = ATOMIC_INIT(0);

/*
 * Records are built in place in the ring, which holds older records'
 * bytes, so every field is written.  An accept record's three addresses
 * follow its fixed part, each as long as what it stores (include/
 * accepttrace.h): the handler reserves room for the largest record of
 * its type, writes the addresses one after the other from a cursor and
 * commits the size they came to.
 */
#define AT_REC_ROOM(fixed)	((fixed) + ACCEPTTRACE_REC_NADDR * \
				 ACCEPTTRACE_SOCKADDR_SIZE(ACCEPTTRACE_ADDR_MAX))

static_assert(AT_REC_ROOM(sizeof(struct accepttrace_sys_accept4)) ==
	      ACCEPTTRACE_REC_MAX);
static_assert(AT_REC_ROOM(sizeof(struct accepttrace_uring_accept)) ==
	      ACCEPTTRACE_REC_MAX);
static_assert(AT_REC_ROOM(sizeof(struct accepttrace_inet_accept)) <
	      ACCEPTTRACE_REC_MAX);

/* Where a record's first address goes. */
static __always_inline struct accepttrace_sockaddr *
first_addr(void *rec, size_t fixed)
{
	return (struct accepttrace_sockaddr *)((u8 *)rec + fixed);
}

/*
 * Close the address at @sa, whose first @stored bytes of data are
 * written: its head, and zeros up to the next multiple of 8.  Returns
 * where the next address goes.
 */
static __always_inline struct accepttrace_sockaddr *
addr_close(struct accepttrace_sockaddr *sa, u32 len, u32 stored, u16 flags)
{
	sa->len = len;
	sa->stored = stored;
	sa->flags = flags;
	if (stored & 7)
		memset(sa->data + stored, 0, 8 - (stored & 7));
	return (struct accepttrace_sockaddr *)
		((u8 *)sa + ACCEPTTRACE_SOCKADDR_SIZE(stored));
}

/* No address: the 8-byte head alone, all zero. */
static __always_inline struct accepttrace_sockaddr *
no_addr(struct accepttrace_sockaddr *sa)
{
	*(u64 *)sa = 0;
	return sa + 1;
}

/* @len bytes of @addr, of which the first ACCEPTTRACE_ADDR_MAX are kept. */
static __always_inline struct accepttrace_sockaddr *
put_addr(struct accepttrace_sockaddr *sa, const void *addr, u32 len)
{
	u32 n = min_t(u32, len, ACCEPTTRACE_ADDR_MAX);

	memcpy(sa->data, addr, n);
	return addr_close(sa, len, n, 0);
}

/* The record is done at @end: its size, for at_emit() to commit. */
static __always_inline void rec_close(struct accepttrace_hdr *hdr,
				      const struct accepttrace_sockaddr *end)
{
	hdr->size = (const u8 *)end - (const u8 *)hdr;
}

/*
 * The sockaddr builders below write at most ACCEPTTRACE_ADDR_MAX bytes
 * to @buf and return the address's whole length, as getname would.
 */
static u32 name_inet(u8 *buf, __be32 addr, __be16 port)
{
	struct sockaddr_in sin = {
		.sin_family	= AF_INET,
		.sin_port	= port,
		.sin_addr.s_addr = addr,
	};

	memcpy(buf, &sin, sizeof(sin));
	return sizeof(sin);
}

#if IS_ENABLED(CONFIG_IPV6)
static u32 name_inet6(u8 *buf, const struct in6_addr *addr, __be16 port,
		      int ifindex)
{
	struct sockaddr_in6 sin6 = {
		.sin6_family	= AF_INET6,
		.sin6_port	= port,
		.sin6_addr	= *addr,
		.sin6_scope_id	= ipv6_iface_scope_id(addr, ifindex),
	};

	memcpy(buf, &sin6, sizeof(sin6));
	return sizeof(sin6);
}
#endif

/* What unix_getname() would return, without taking its locks. */
static u32 name_unix(u8 *buf, const struct sock *sk)
{
	struct unix_address *ua = NULL;
	sa_family_t family = AF_UNIX;

	/* Acquire: pairs with unix_bind() publishing the address. */
	ua = sk ? smp_load_acquire(&unix_sk(sk)->addr) : NULL;
	if (!ua) {
		memcpy(buf, &family, sizeof(family));
		return sizeof(family);
	}
	memcpy(buf, ua->name, min_t(u32, ua->len, ACCEPTTRACE_ADDR_MAX));
	return ua->len;
}

/* The local (@peer false) or peer address of @sk, as getname reports it. */
static u32 sock_name(u8 *buf, const struct sock *sk, bool peer)
{
	const struct inet_sock *inet = inet_sk(sk);

	switch (sk->sk_family) {
	case AF_INET:
		if (peer)
			return name_inet(buf, sk->sk_daddr, inet->inet_dport);
		return name_inet(buf, sk->sk_rcv_saddr ?: inet->inet_saddr,
				 inet->inet_sport);
#if IS_ENABLED(CONFIG_IPV6)
	case AF_INET6:
		if (peer)
			return name_inet6(buf, &sk->sk_v6_daddr,
					  inet->inet_dport,
					  sk->sk_bound_dev_if);
		return name_inet6(buf, ipv6_addr_any(&sk->sk_v6_rcv_saddr) ?
				  &inet6_sk(sk)->saddr : &sk->sk_v6_rcv_saddr,
				  inet->inet_sport, sk->sk_bound_dev_if);
#endif
	case AF_UNIX:
		return name_unix(buf, peer ? READ_ONCE(unix_sk(sk)->peer) :
				 sk);
	default:
		memcpy(buf, &sk->sk_family, sizeof(sk->sk_family));
		return sizeof(sk->sk_family);
	}
}

/* The same, into a record's next address; returns the one after it. */
static struct accepttrace_sockaddr *put_sock_addr(struct accepttrace_sockaddr *sa,
						  const struct sock *sk,
						  bool peer)
{
	u32 len = sock_name(sa->data, sk, peer);

	return addr_close(sa, len, min_t(u32, len, ACCEPTTRACE_ADDR_MAX), 0);
}

static u16 sock_port(const struct sock *sk)
{
	if (sk->sk_family == AF_INET || sk->sk_family == AF_INET6)
		return ntohs(inet_sk(sk)->inet_sport);
	return 0;
}

static u32 task_netns(void)
{
	struct nsproxy *ns = current->nsproxy;

	return ns ? ns->net_ns->ns.inum : 0;
}

/*
 * The caller.  The initial user namespace maps every uid to itself but
 * the invalid one, which from_kuid_munged() would turn into overflowuid:
 * the same answer without the map walk.
 */
static __always_inline void fill_task(struct accepttrace_task *t, u32 netns)
{
	const struct task_struct *tsk = current;
	uid_t uid = __kuid_val(current_uid());

	t->pid = tsk->tgid;
	t->tid = tsk->pid;
	t->uid = uid == (uid_t)-1 ? overflowuid : uid;
	t->netns = netns;
	memcpy(t->comm, tsk->comm, sizeof(t->comm));
}

static void note_context(void)
{
	if (preemptible())
		atomic_inc(&at_preemptible_calls);
}

/*
 * An event on a CPU that has no ring (see at_this_ring()) is lost, and
 * counted: at entry it is a hit that no ring holds, so it is counted
 * as one here too, and recorded + lost + filtered = hits still holds.
 */
static noinline void no_ring(enum at_probe_id id, bool entry)
{
	if (entry)
		atomic_long_inc(&at_no_ring_hits[id]);
	atomic_long_inc(&at_lost_no_ring);
}

/* Common entry gate: recording on, and the task passes the filter. */
static __always_inline bool entry_wanted(enum at_probe_id id)
{
	struct at_ring *r;

	if (!READ_ONCE(at_enabled))
		return false;
	note_context();
	r = at_this_ring();
	if (unlikely(!r)) {
		no_ring(id, true);
		return false;
	}
	local64_inc(&r->hits[id]);
	if (!at_filter_allows_task()) {
		local64_inc(&r->filtered);
		return false;
	}
	return true;
}

/* The socket behind @fd, with a reference, or NULL. */
static struct socket *fd_sock(int fd)
{
	int err;

	/* fput() from NMI context could queue work: never look there. */
	if (in_nmi())
		return NULL;
	return sockfd_lookup(fd, &err);
}

/* What the filter knows of the socket. */
static void sock_key(const struct sock *sk, struct at_event_key *key)
{
	key->family = sk->sk_family;
	key->port = sock_port(sk);
	key->netns = sock_net(sk)->ns.inum;
}

/* The call is about @sk: the listener, or once accepted the new socket. */
static void sys_entry_key(struct at_sys_entry *e, const struct sock *sk)
{
	sock_key(sk, &e->key);
	e->keyed = 1;
}

/*
 * A filter on port, family or netns decides a failed call by its
 * listener.  do_accept()'s entry hands it over for every call that gets
 * that far; for the few failures before it (bad flags, no free
 * descriptor) it is looked up here, at entry, as __sys_accept4() is
 * about to look it up itself, never by number once the call is over.
 */
static void sys_entry_listener(struct at_sys_entry *e)
{
	struct socket *sock;

	sock = fd_sock(e->fd);
	if (!sock)
		return;
	if (sock->sk)
		sys_entry_key(e, sock->sk);
	sockfd_put(sock);
}

static int sys_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct at_sys_entry *e = (struct at_sys_entry *)ri->data;
	int __user *ulen;

	if (!entry_wanted(AT_PROBE_SYS_ACCEPT4))
		return 1;
	e->ts = ktime_get_ns();
	at_sys_accept4_args(regs, &e->fd, &e->uaddr, &e->uaddrlen, &e->flags);
	e->syscall = at_syscall_kind();
	e->valid = 0;
	e->keyed = 0;
	e->addrlen_in = 0;
	ulen = (int __user *)(unsigned long)e->uaddrlen;
	if (ulen && !copy_from_user_nofault(&e->addrlen_in, ulen,
					    sizeof(e->addrlen_in)))
		e->valid |= ACCEPTTRACE_V_ADDRLEN_IN;
	if (at_filter_wants_listener())
		sys_entry_listener(e);
	return 0;
}

NOKPROBE_SYMBOL(sys_entry);

/* *@ulen into @len, if it can be read; ACCEPTTRACE_V_ADDRLEN_* then. */
static u16 read_addrlen(u64 uaddrlen, s32 *len, u16 bit)
{
	int __user *ulen = (int __user *)(unsigned long)uaddrlen;

	*len = 0;
	if (ulen && !copy_from_user_nofault(len, ulen, sizeof(*len)))
		return bit;
	*len = 0;
	return 0;
}

/*
 * An io_uring accept: do_accept() called by io_accept() (see compat.h),
 * in the submitting task or an io-wq worker.  Its event is counted as a
 * hit of do_accept and recorded at return.
 */
static int uring_entry(struct at_do_entry *e, struct pt_regs *regs)
{
	if (!entry_wanted(AT_PROBE_DO_ACCEPT))
		return 1;
	e->sys = NULL;
	e->ts = ktime_get_ns();
	e->lfile = at_do_accept_file(regs);
	at_do_accept_args(regs, &e->uaddr, &e->uaddrlen, &e->flags,
			  &e->file_flags);
	e->valid = read_addrlen(e->uaddrlen, &e->addrlen_in,
				ACCEPTTRACE_V_ADDRLEN_IN);
	return 0;
}

/*
 * do_accept() runs inside __sys_accept4() and inside io_uring's
 * io_accept(); it returns the new socket's file before the caller
 * installs a descriptor for it, so its return handler is the one place
 * that knows which socket the accept made: another thread may close or
 * dup2() onto the descriptor the moment it exists.  Under a recorded
 * __sys_accept4 call it hands the socket's addresses and key to that
 * call's instance; under io_accept() it makes a uring_accept record of
 * its own.  Which of the two encloses it is found on the task's own
 * list of pending kretprobe calls.  Under neither (a __sys_accept4 call
 * that entered while recording was off, or that the filter declined)
 * it does nothing: that call is no event.
 */
static int do_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct at_do_entry *e = (struct at_do_entry *)ri->data;
	struct kretprobe_instance *sys;
	struct socket *lsock;

	if (!READ_ONCE(at_enabled))
		return 1;
	sys = at_kretprobe_pending(&at_kretprobes[AT_PROBE_SYS_ACCEPT4]);
	if (!sys) {
		if (at_kretprobe_pending(&at_kretprobes[AT_PROBE_IO_ACCEPT]))
			return uring_entry(e, regs);
		return 1;
	}
	e->sys = (struct at_sys_entry *)sys->data;
	/*
	 * The listener, which the caller holds: what a call that fails
	 * from here on is about (its filter key and netns).
	 */
	lsock = sock_from_file(at_do_accept_file(regs));
	if (lsock && lsock->sk)
		sys_entry_key(e->sys, lsock->sk);
	return 0;
}

NOKPROBE_SYMBOL(do_entry);

/* The socket of @file (not an ERR_PTR), or NULL. */
static struct sock *file_sock(struct file *file)
{
	struct socket *sock = file ? sock_from_file(file) : NULL;

	return sock ? sock->sk : NULL;
}

/*
 * The record of an io_uring accept.  The new socket is the file
 * do_accept() returns; the key the filter tests is that socket's, or
 * for a failed call the listener's, as for __sys_accept4.
 */
static void uring_return(const struct at_do_entry *e, struct file *file)
{
	struct at_ring *r = at_this_ring();
	int ret = IS_ERR(file) ? PTR_ERR(file) : 0;
	struct sock *lsk = file_sock(e->lfile);
	struct sock *nsk = ret ? NULL : file_sock(file);
	struct at_event_key key = { .netns = task_netns() };
	struct accepttrace_uring_accept *rec;
	struct accepttrace_sockaddr *sa;
	u64 now = ktime_get_ns();
	s32 addrlen_out;
	u16 valid;

	if (unlikely(!r)) {
		no_ring(AT_PROBE_DO_ACCEPT, false);
		return;
	}
	if (nsk)
		sock_key(nsk, &key);
	else if (lsk)
		sock_key(lsk, &key);
	key.ret = ret;
	if (!at_filter_allows_event(&key)) {
		local64_inc(&r->filtered);
		return;
	}
	valid = e->valid | read_addrlen(e->uaddrlen, &addrlen_out,
					ACCEPTTRACE_V_ADDRLEN_OUT);
	if (nsk)
		valid |= ACCEPTTRACE_V_SOCK;
	rec = (struct accepttrace_uring_accept *)
		at_ring_reserve(r, ACCEPTTRACE_REC_URING_ACCEPT,
				AT_REC_ROOM(sizeof(*rec)), now);
	if (!rec)
		return;
	fill_task(&rec->task, key.netns);
	rec->ret = ret;
	rec->flags = e->flags;
	rec->file_flags = e->file_flags;
	rec->valid = valid;
	rec->reserved0 = 0;
	rec->uaddr = e->uaddr;
	rec->uaddrlen = e->uaddrlen;
	rec->addrlen_in = e->addrlen_in;
	rec->addrlen_out = addrlen_out;
	rec->latency_ns = now - e->ts;
	sa = first_addr(rec, sizeof(*rec));
	sa = lsk ? put_sock_addr(sa, lsk, false) : no_addr(sa);
	if (nsk) {
		sa = put_sock_addr(sa, nsk, false);
		sa = put_sock_addr(sa, nsk, true);
	} else {
		sa = no_addr(no_addr(sa));
	}
	rec_close(&rec->hdr, sa);
	at_emit(r, &rec->hdr);
}

static int do_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	const struct at_do_entry *e = (const struct at_do_entry *)ri->data;
	struct file *file = at_do_accept_ret(regs);
	struct at_sys_entry *sys = e->sys;
	struct sock *sk;

	note_context();
	if (!sys) {
		uring_return(e, file);
		return 0;
	}
	if (IS_ERR_OR_NULL(file))
		return 0;
	sk = file_sock(file);
	if (!sk)
		return 0;
	sys_entry_key(sys, sk);
	sys->local.len = sock_name(sys->local.data, sk, false);
	sys->peer.len = sock_name(sys->peer.data, sk, true);
	sys->valid |= ACCEPTTRACE_V_SOCK;
	return 0;
}

NOKPROBE_SYMBOL(do_return);

/*
 * io_accept(): entered with recording on, it marks the do_accept()
 * calls beneath it as io_uring's.  It records nothing itself; its hits
 * are the io_uring accept requests issued (one may accept many times,
 * or not at all), outside the account of events.
 */
static int io_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct at_ring *r;

	if (!READ_ONCE(at_enabled))
		return 1;
	r = at_this_ring();
	if (likely(r))
		local64_inc(&r->hits[AT_PROBE_IO_ACCEPT]);
	else
		atomic_long_inc(&at_no_ring_hits[AT_PROBE_IO_ACCEPT]);
	return 0;
}

NOKPROBE_SYMBOL(io_entry);

static int io_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	return 0;
}

NOKPROBE_SYMBOL(io_return);

/*
 * What the caller's buffer holds, min(addrlen in, out) bytes, into the
 * record's next address; returns the one after it.
 */
static struct accepttrace_sockaddr *
put_user_addr(struct accepttrace_sockaddr *sa,
	      const struct accepttrace_sys_accept4 *rec)
{
	void __user *uaddr = (void __user *)(unsigned long)rec->uaddr;
	u32 n;

	if (!uaddr || (rec->valid & (ACCEPTTRACE_V_ADDRLEN_IN |
				     ACCEPTTRACE_V_ADDRLEN_OUT)) !=
		      (ACCEPTTRACE_V_ADDRLEN_IN | ACCEPTTRACE_V_ADDRLEN_OUT) ||
	    rec->addrlen_in < 0 || rec->addrlen_out < 0)
		return no_addr(sa);
	n = min3((u32)rec->addrlen_in, (u32)rec->addrlen_out,
		 (u32)ACCEPTTRACE_ADDR_MAX);
	/*
	 * A partial copy may have written some bytes: past the record's
	 * end, which stores none of them.
	 */
	if (copy_from_user_nofault(sa->data, uaddr, n))
		return addr_close(sa, rec->addrlen_out, 0,
				  ACCEPTTRACE_SA_FAULT);
	return addr_close(sa, rec->addrlen_out, n, 0);
}

/*
 * The filter is decided before a record is reserved, so the record is
 * written once, in place, and only if it is kept.  The new socket is
 * the one do_accept() returned (ACCEPTTRACE_V_SOCK): the descriptor
 * number in @ret may name another file by now.
 */
static int sys_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	const struct at_sys_entry *e = (const struct at_sys_entry *)ri->data;
	struct at_ring *r = at_this_ring();
	int ret = at_sys_accept4_ret(regs);
	u32 netns = task_netns();
	struct at_event_key key = { .netns = netns, .ret = ret };
	int __user *ulen = (int __user *)(unsigned long)e->uaddrlen;
	struct accepttrace_sys_accept4 *rec;
	struct accepttrace_sockaddr *sa;
	u64 now = ktime_get_ns();
	s32 addrlen_out = 0;
	u16 valid = e->valid;
	bool have_sock;

	note_context();
	if (unlikely(!r)) {
		no_ring(AT_PROBE_SYS_ACCEPT4, false);
		return 0;
	}
	/* A failed call made no socket, whatever do_accept() saw. */
	have_sock = ret >= 0 && (valid & ACCEPTTRACE_V_SOCK);
	if (!have_sock)
		valid &= ~ACCEPTTRACE_V_SOCK;
	if (have_sock || (ret < 0 && e->keyed)) {
		key = e->key;
		key.ret = ret;
	}
	if (!at_filter_allows_event(&key)) {
		local64_inc(&r->filtered);
		return 0;
	}
	if (ulen && !copy_from_user_nofault(&addrlen_out, ulen,
					    sizeof(addrlen_out)))
		valid |= ACCEPTTRACE_V_ADDRLEN_OUT;
	rec = (struct accepttrace_sys_accept4 *)
		at_ring_reserve(r, ACCEPTTRACE_REC_SYS_ACCEPT4,
				AT_REC_ROOM(sizeof(*rec)), now);
	if (!rec)
		return 0;
	fill_task(&rec->task, key.netns);
	rec->fd = e->fd;
	rec->flags = e->flags;
	rec->ret = ret;
	rec->syscall = e->syscall;
	rec->valid = valid;
	rec->uaddr = e->uaddr;
	rec->uaddrlen = e->uaddrlen;
	rec->addrlen_in = e->addrlen_in;
	rec->addrlen_out = addrlen_out;
	rec->latency_ns = now - e->ts;
	sa = first_addr(rec, sizeof(*rec));
	sa = ret >= 0 ? put_user_addr(sa, rec) : no_addr(sa);
	if (have_sock) {
		sa = put_addr(sa, e->local.data, e->local.len);
		sa = put_addr(sa, e->peer.data, e->peer.len);
	} else {
		sa = no_addr(no_addr(sa));
	}
	rec_close(&rec->hdr, sa);
	at_emit(r, &rec->hdr);
	return 0;
}

NOKPROBE_SYMBOL(sys_return);

static int inet_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct at_inet_entry *e = (struct at_inet_entry *)ri->data;
	struct sock *sk;

	if (!entry_wanted(AT_PROBE_INET_ACCEPT))
		return 1;
	e->ts = ktime_get_ns();
	at_inet_accept_args(regs, &e->sock, &e->newsock, &e->flags, &e->kern);
	sk = e->sock->sk;
	e->qlen = READ_ONCE(sk->sk_ack_backlog);
	e->qmax = READ_ONCE(sk->sk_max_ack_backlog);
	return 0;
}

NOKPROBE_SYMBOL(inet_entry);

static int inet_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	const struct at_inet_entry *e = (const struct at_inet_entry *)ri->data;
	struct at_ring *r = at_this_ring();
	int ret = at_inet_accept_ret(regs);
	struct sock *lsk = e->sock->sk;
	struct at_event_key key = { .ret = ret };
	struct accepttrace_inet_accept *rec;
	struct accepttrace_sockaddr *sa;
	u64 now = ktime_get_ns();
	struct sock *nsk;

	note_context();
	if (unlikely(!r)) {
		no_ring(AT_PROBE_INET_ACCEPT, false);
		return 0;
	}
	sock_key(lsk, &key);
	if (!at_filter_allows_event(&key)) {
		local64_inc(&r->filtered);
		return 0;
	}
	rec = (struct accepttrace_inet_accept *)
		at_ring_reserve(r, ACCEPTTRACE_REC_INET_ACCEPT,
				AT_REC_ROOM(sizeof(*rec)), now);
	if (!rec)
		return 0;
	fill_task(&rec->task, key.netns);
	rec->ret = ret;
	rec->flags = e->flags;
	rec->kern = e->kern;
	rec->reserved0 = 0;
	rec->qlen = e->qlen;
	rec->qmax = e->qmax;
	rec->latency_ns = now - e->ts;
	sa = put_sock_addr(first_addr(rec, sizeof(*rec)), lsk, false);
	nsk = ret == 0 ? e->newsock->sk : NULL;
	if (nsk) {
		rec->family = nsk->sk_family;
		rec->type = e->newsock->type;
		rec->protocol = nsk->sk_protocol;
		sa = put_sock_addr(sa, nsk, false);
		sa = put_sock_addr(sa, nsk, true);
	} else {
		rec->family = 0;
		rec->type = 0;
		rec->protocol = 0;
		sa = no_addr(no_addr(sa));
	}
	rec_close(&rec->hdr, sa);
	at_emit(r, &rec->hdr);
	return 0;
}

NOKPROBE_SYMBOL(inet_return);

static struct kretprobe at_kretprobes[AT_NR_PROBES] = {
	[AT_PROBE_SYS_ACCEPT4] = {
		.kp.symbol_name	= "__sys_accept4",
		.entry_handler	= sys_entry,
		.handler	= sys_return,
		.data_size	= sizeof(struct at_sys_entry),
	},
	[AT_PROBE_INET_ACCEPT] = {
		.kp.symbol_name	= "inet_accept",
		.entry_handler	= inet_entry,
		.handler	= inet_return,
		.data_size	= sizeof(struct at_inet_entry),
	},
	[AT_PROBE_DO_ACCEPT] = {
		.kp.symbol_name	= "do_accept",
		.entry_handler	= do_entry,
		.handler	= do_return,
		.data_size	= sizeof(struct at_do_entry),
	},
	[AT_PROBE_IO_ACCEPT] = {
		.kp.symbol_name	= AT_IO_ACCEPT_SYMBOL,
		.entry_handler	= io_entry,
		.handler	= io_return,
	},
};

/* What a probe that cannot be placed costs the records. */
static const char * const at_probe_loss[AT_NR_PROBES] = {
	[AT_PROBE_SYS_ACCEPT4]	= "sys_accept4 events will not be recorded",
	[AT_PROBE_INET_ACCEPT]	= "inet_accept events will not be recorded",
	[AT_PROBE_DO_ACCEPT]	= "sys_accept4 events will carry no addresses; no io_uring accepts",
	[AT_PROBE_IO_ACCEPT]	= "io_uring accepts will not be recorded",
};

static const char * const at_probe_names[AT_NR_PROBES] = {
	[AT_PROBE_SYS_ACCEPT4]	= "sys_accept4",
	[AT_PROBE_INET_ACCEPT]	= "inet_accept",
	[AT_PROBE_DO_ACCEPT]	= "do_accept",
	[AT_PROBE_IO_ACCEPT]	= "io_accept",
};

static bool at_active[AT_NR_PROBES];

const char *at_probe_name(enum at_probe_id id)
{
	return at_probe_names[id];
}

bool at_probe_active(enum at_probe_id id)
{
	return READ_ONCE(at_active[id]);
}

/* The kprobes core counts these with plain increments on any CPU. */
unsigned long at_probe_nmissed(enum at_probe_id id)
{
	return READ_ONCE(at_kretprobes[id].kp.nmissed);
}

unsigned long at_probe_kretprobe_nmissed(enum at_probe_id id)
{
	return READ_ONCE(at_kretprobes[id].nmissed);
}

/*
 * Loading and unloading while accept() runs on every CPU.  The probes
 * are registered disabled and armed once both are in place; at unload
 * they are disarmed, and only a grace period later unregistered: the
 * order the kernel's own kprobe events follow (trace_kprobe: create,
 * enable, disable, delete).
 *
 * The grace period is what makes unloading safe on 6.1.  There (rethook
 * before 6.7) a kretprobe's instances live in a lock-free freelist, and
 * an instance's freelist link shares its storage with the rcu_head that
 * rethook_recycle() hands to call_rcu() once the rethook is being freed.
 * unregister_kretprobes() frees the rethook right after disarming, while
 * a CPU may still be inside the pre-handler's freelist_try_get() with a
 * transient reference on an instance that another CPU took and, its
 * accept() returning, recycles through call_rcu(): the late reference
 * drop then lands in a queued rcu_head.  Once the probes are disarmed
 * and a grace period has passed no pre-handler runs any more (they run
 * with preemption disabled), so nothing touches the freelist when the
 * rethook goes.  Since 6.7 (objpool) the two no longer share storage.
 */
static int probe_place(int i)
{
	struct kretprobe *rp = &at_kretprobes[i];
	int ret;

	/*
	 * Every acceptor blocked in accept() holds an instance for as
	 * long as it blocks; sized by the maxactive parameter.
	 */
	rp->maxactive = at_maxactive;
	rp->kp.addr = NULL;
	rp->kp.flags = KPROBE_FLAG_DISABLED;
	rp->nmissed = 0;
	ret = register_kretprobe(rp);
	if (ret)
		pr_warn("cannot probe %s: error %d; %s\n",
			rp->kp.symbol_name, ret, at_probe_loss[i]);
	return ret;
}

/*
 * Place every probe that can be placed.  A missing target (a kernel that
 * renamed or inlined it) is reported and skipped; only if no probe that
 * records can be placed does loading fail, with the first error.
 * They are armed in reverse: io_accept() before do_accept() before the
 * others, so that every do_accept() call finds what encloses it and
 * every __sys_accept4 call recorded finds its socket.
 */
int at_probes_register(void)
{
	int i, ret, placed = 0, first_err = 0;
	bool placed_ok[AT_NR_PROBES] = { false };

	for (i = 0; i < AT_NR_PROBES; i++) {
		ret = probe_place(i);
		if (ret) {
			first_err = first_err ?: ret;
			continue;
		}
		placed_ok[i] = true;
	}
	for (i = AT_NR_PROBES - 1; i >= 0; i--) {
		struct kretprobe *rp = &at_kretprobes[i];

		if (!placed_ok[i])
			continue;
		ret = enable_kretprobe(rp);
		if (ret) {
			pr_warn("cannot arm %s: error %d; %s\n",
				rp->kp.symbol_name, ret, at_probe_loss[i]);
			/* Never armed: no instance is in use, nothing to wait for. */
			unregister_kretprobe(rp);
			first_err = first_err ?: ret;
			continue;
		}
		WRITE_ONCE(at_active[i], true);
		if (i == AT_PROBE_SYS_ACCEPT4 || i == AT_PROBE_INET_ACCEPT)
			placed++;
		pr_info("probing %s (maxactive %d)\n", rp->kp.symbol_name,
			rp->maxactive);
	}
	if (!placed) {
		pr_err("no probe could be placed; is CONFIG_KRETPROBES set and are __sys_accept4 and inet_accept in /proc/kallsyms?\n");
		/* do_accept() and io_accept() alone record nothing. */
		at_probes_unregister();
		return first_err ?: -ENOENT;
	}
	return 0;
}

void at_probes_unregister(void)
{
	struct kretprobe *rps[AT_NR_PROBES];
	int i, n = 0;

	for (i = 0; i < AT_NR_PROBES; i++) {
		if (!at_active[i])
			continue;
		rps[n] = &at_kretprobes[i];
		/* Disarm: no new call takes an instance. */
		disable_kretprobe(rps[n++]);
		WRITE_ONCE(at_active[i], false);
	}
	if (!n)
		return;
	/* No pre-handler is still inside the instance freelist (see above). */
	synchronize_rcu();
	/* Calls in flight still run the return handlers until here. */
	unregister_kretprobes(rps, n);
	for (i = 0; i < n; i++)
		if (rps[i]->nmissed)
			pr_info("%s: %d calls missed (maxactive too small)\n",
				rps[i]->kp.symbol_name, rps[i]->nmissed);
}
