/* SPDX-License-Identifier: GPL-2.0 */
/*
 * at-workload: performs accept(2)/accept4(2)/io_uring accepts against
 * loopback and prints, for every record accepttrace should produce, an
 * "EXPECT key=value ..." line (see README, "Tests: workload and checks").
 */
#ifndef AT_WORKLOAD_H
#define AT_WORKLOAD_H

#include <stdbool.h>
#include <sys/socket.h>
#include <sys/types.h>

/* A socket address as the workload knows it (from getsockname etc.). */
struct wl_addr {
	struct sockaddr_storage ss;
	socklen_t len;
};

/*
 * One call of accept/accept4 as the workload made it.  @kret is what the
 * kernel function returned (differs from -errno only for ERESTARTSYS).
 */
struct wl_call {
	long nr;			/* SYS_accept, SYS_accept4 (i386: 102, 364) */
	const char *syscall;		/* as made: accept, accept4, socketcall */
	int fd;
	int flags;
	void *addr;
	socklen_t *addrlen;
	bool addrlen_bad;		/* @addrlen points at unmapped memory */
	int addrlen_in;			/* *addrlen before the call */
	int addrlen_out;		/* *addrlen after the call */
	long ret;			/* what the caller saw: fd or -errno */
	long kret;			/* what __sys_accept4 returned */
	pid_t tid;
};

/* What inet_accept() saw for one call. */
struct wl_inet {
	pid_t tid;			/* 0: not known, match by listen port */
	unsigned int flags;		/* listening file's f_flags (+O_NONBLOCK) */
	long ret;
	unsigned int qlen, qmax;
	const char *comm;		/* NULL: the workload's own */
};

/* What do_accept() saw for one io_uring accept (a uring_accept record). */
struct wl_uring {
	pid_t tid;			/* 0: not known, match by listener */
	const char *comm;		/* NULL: the workload's own */
	int flags;			/* accept4 flags of the request */
	unsigned int file_flags;	/* O_NONBLOCK: the non-blocking try */
	long ret;			/* 0 or -errno */
	void *addr;
	socklen_t *addrlen;		/* NULL: no length */
	int addrlen_in, addrlen_out;
};

/* The new connection, when a call succeeded. */
struct wl_conn {
	struct wl_addr local;		/* the new socket's local address */
	struct wl_addr peer;		/* the client's address */
};

struct wl_case {
	const char *name;
	const char *what;		/* one line: what the case does */
	int (*run)(const struct wl_case *c);
};

extern const struct wl_case wl_cases[];
extern const unsigned int wl_ncases;
extern const struct wl_case wl_uring_cases[];
extern const unsigned int wl_uring_ncases;

/* wl-expect.c: the account printed on stdout */
extern const char *wl_comm;		/* the records' comm: at-workload */
void wl_info(const char *cname, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void wl_expect_sys(const char *cname, const struct wl_call *c,
		   const struct wl_conn *conn);
void wl_expect_inet(const char *cname, const struct wl_inet *in,
		    const struct wl_addr *listen, const struct wl_conn *conn);
void wl_expect_uring(const char *cname, const struct wl_uring *u,
		     const struct wl_addr *listen, const struct wl_conn *conn);
/* A case found the kernel behaving other than the man page says. */
int wl_fail(const char *cname, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int wl_check_ret(const char *cname, const struct wl_call *c, int want);
int wl_check_peer(const char *cname, const struct wl_call *c,
		  const struct wl_addr *client);

/* wl-net.c: sockets, calls and thread synchronisation */
pid_t wl_gettid(void);
int wl_listen_tcp(int family, const char *ip, int backlog, int sock_flags,
		  struct wl_addr *bound);
int wl_listen_unix(const char *name, bool abstract, int backlog,
		   struct wl_addr *bound);
int wl_connect(const struct wl_addr *to, const char *bind_unix,
	       bool abstract, struct wl_addr *client);
int wl_wait_pending(int lfd);
void wl_call_init(struct wl_call *c, long nr, int fd, void *addr,
		  socklen_t *addrlen, int flags);
long wl_call_accept(struct wl_call *c);
int wl_wait_blocked(pid_t tid, long nr);
void wl_conn_from(struct wl_conn *conn, const struct wl_addr *local,
		  const struct wl_addr *client);
bool wl_addr_eq(const struct wl_addr *a, const void *sa, socklen_t len);
const char *wl_tmpdir(void);
void *wl_bad_page(void);

/* The --blocked N mode (30-stress.sh) and --burst N mode. */
/*
 * --hold FILE: wl_run_blocked() says "# blocked N" on stderr once all its
 * threads sleep in accept, and connects only once FILE exists, so a test
 * can unload or reload the tracer under blocked acceptors.
 */
extern const char *wl_hold;
int wl_run_blocked(unsigned int n);
int wl_run_burst(unsigned int n);

#endif /* AT_WORKLOAD_H */
