/*
 * io_uring IORING_OP_ACCEPT: the kernel calls do_accept() from io_accept()
 * directly, without __sys_accept4(), so accepttrace writes a uring_accept
 * record per do_accept() call (and TCP's ->accept an inet_accept record)
 * but no sys_accept4 record.
 *
 * io_uring first issues the request non-blocking (->accept gets
 * O_NONBLOCK on top of the listener's O_RDWR), in the submitting task:
 *  - pending: a connection is queued, the inline issue succeeds;
 *    the records carry the submitter's tid.
 *  - wait: nothing queued, the inline issue fails with EAGAIN and
 *    arms poll; the retry runs as task_work, again in the submitter.
 *  - async: IOSQE_ASYNC hands the request to an io-wq worker, a
 *    thread of this process named "iou-wrk-<submitter tid>" whose tid
 *    the workload cannot know: the EXPECT lines have no tid and at-check
 *    matches them by the listener (port or path, unique to the case).
 *  - multishot: two connections queued, one IORING_ACCEPT_MULTISHOT
 *    request accepts both inline and then fails with EAGAIN (armed for
 *    more until the ring goes); on TCP since 6.10 without the EAGAIN.
 *  - fixed: the new socket goes into a fixed (direct) file slot: the
 *    CQE says 0, and the record, which cannot know the slot, says 0.
 * Each for TCP over IPv4 and for AF_UNIX (abstract names, the clients'
 * too, so that every record's peer is its own).
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "at-workload.h"

/* Wait until a TCP listener has @n connections queued (tcpi_unacked). */
static int wait_queued(const char *cname, int lfd, unsigned int n)
{
	struct tcp_info ti;
	socklen_t len;
	int i;

	for (i = 0; i < 10000; i++) {
		len = sizeof(ti);
		if (getsockopt(lfd, IPPROTO_TCP, TCP_INFO, &ti, &len))
			return wl_fail(cname, "TCP_INFO: %s", strerror(errno));
		if (ti.tcpi_unacked >= n)
			return 0;
		usleep(1000);
	}
	return wl_fail(cname, "%u connections never queued", n);
}

/*
 * Since 6.10 TCP's ->accept tells io_uring whether it left the queue
 * empty (proto_accept_arg.is_empty), and a multishot request then stops
 * without the accept that would fail with EAGAIN; AF_UNIX does not tell.
 */
static bool tcp_says_empty(void)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 10);
}

enum uring_mode { URING_PENDING, URING_WAIT, URING_ASYNC, URING_MULTISHOT,
		  URING_FIXED };

/* Two accepts of one multishot request, or its failure. */
static int uring_multishot(const char *cname, int lfd, struct io_uring *ring,
			   int res[2])
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	int i, ret;

	io_uring_prep_multishot_accept(sqe, lfd, NULL, NULL, 0);
	ret = io_uring_submit(ring);
	if (ret != 1)
		return wl_fail(cname, "io_uring_submit: %d", ret);
	for (i = 0; i < 2; i++) {
		ret = io_uring_wait_cqe(ring, &cqe);
		if (ret)
			return wl_fail(cname, "io_uring_wait_cqe: %d", ret);
		res[i] = cqe->res;
		ret = cqe->flags & IORING_CQE_F_MORE;
		io_uring_cqe_seen(ring, cqe);
		if (res[i] < 0 || !ret)
			return wl_fail(cname, "multishot accept %d: %d%s", i,
				       res[i], ret ? "" : " (no F_MORE)");
	}
	return 0;
}

/*
 * The account of a non-blocking try that found the queue empty: its
 * uring_accept record and, on TCP, its inet_accept record.
 */
static void expect_eagain(const char *cname, struct wl_uring *u,
			  const struct wl_addr *la, bool unix_family,
			  int backlog)
{
	u->ret = -EAGAIN;
	wl_expect_uring(cname, u, la, NULL);
	if (!unix_family)
		wl_expect_inet(cname, &(struct wl_inet){
			.tid = u->tid, .flags = O_RDWR | O_NONBLOCK,
			.ret = -EAGAIN, .qlen = 0,
			.qmax = (unsigned int)backlog,
		}, la, NULL);
}

static int run_uring(const struct wl_case *cs, enum uring_mode mode,
		     bool unix_family, int backlog)
{
	struct sockaddr_storage buf;
	socklen_t len = sizeof(buf);
	struct io_uring ring;
	struct wl_addr la, cl[2];
	struct wl_conn conn;
	char worker[16], cname[2][64];
	pid_t tid = wl_gettid();
	int lfd, cfd[2] = { -1, -1 }, res[2] = { -1, -1 }, ret, i, n = 1;
	unsigned int inet_flags = O_RDWR | O_NONBLOCK;
	struct wl_uring u = {
		.tid = mode == URING_ASYNC ? 0 : tid,
		.comm = mode == URING_ASYNC ? worker : NULL,
		.file_flags = O_NONBLOCK,
		.addr = &buf, .addrlen = &len,
		.addrlen_in = (int)sizeof(buf),
	};

	snprintf(worker, sizeof(worker), "iou-wrk-%d", tid);
	ret = io_uring_queue_init(4, &ring, 0);
	if (ret)
		return wl_fail(cs->name, "io_uring_queue_init: %s",
			       strerror(-ret));
	if (mode == URING_FIXED) {
		ret = io_uring_register_files_sparse(&ring, 2);
		if (ret)
			return wl_fail(cs->name, "register_files_sparse: %s",
				       strerror(-ret));
	}
	if (unix_family)
		lfd = wl_listen_unix(cs->name, true, backlog, &la);
	else
		lfd = wl_listen_tcp(AF_INET, "127.0.0.1", backlog, 0, &la);
	if (mode == URING_MULTISHOT)
		n = 2;
	for (i = 0; i < 2; i++)
		snprintf(cname[i], sizeof(cname[i]), "%s.c%d", cs->name, i);
	if (mode != URING_WAIT) {
		for (i = 0; i < n; i++)
			cfd[i] = wl_connect(&la, unix_family ? cname[i] : NULL,
					    true, &cl[i]);
		wl_wait_pending(lfd);
		if (!unix_family && wait_queued(cs->name, lfd, n))
			return 1;
	}
	memset(&buf, 0xa5, sizeof(buf));
	if (mode == URING_MULTISHOT) {
		ret = uring_multishot(cs->name, lfd, &ring, res);
		io_uring_queue_exit(&ring);
		if (ret)
			return ret;
	} else {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
		struct io_uring_cqe *cqe;

		if (mode == URING_FIXED)
			io_uring_prep_accept_direct(sqe, lfd,
						    (struct sockaddr *)&buf,
						    &len, 0, 0);
		else
			io_uring_prep_accept(sqe, lfd, (struct sockaddr *)&buf,
					     &len, 0);
		if (mode == URING_ASYNC)
			sqe->flags |= IOSQE_ASYNC;
		ret = io_uring_submit(&ring);
		if (ret != 1)
			return wl_fail(cs->name, "io_uring_submit: %d", ret);
		if (mode == URING_WAIT)
			cfd[0] = wl_connect(&la, unix_family ? cname[0] : NULL,
					    true, &cl[0]);
		ret = io_uring_wait_cqe(&ring, &cqe);
		if (ret)
			return wl_fail(cs->name, "io_uring_wait_cqe: %d", ret);
		res[0] = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
		io_uring_queue_exit(&ring);
		if (res[0] < 0)
			return wl_fail(cs->name, "accept completed with %d",
				       res[0]);
		if (mode == URING_FIXED && res[0] != 0)
			return wl_fail(cs->name, "accept into slot 0 gave %d",
				       res[0]);
		if (!wl_addr_eq(&cl[0], &buf, len))
			return wl_fail(cs->name, "accept returned another peer");
	}

	wl_info(cs->name, "IORING_OP_ACCEPT on %s fd %d%s -> %d",
		unix_family ? "AF_UNIX" : "TCP", lfd,
		mode == URING_WAIT ? " before the client connected" :
		mode == URING_ASYNC ? " with IOSQE_ASYNC" :
		mode == URING_MULTISHOT ? " multishot" :
		mode == URING_FIXED ? " into fixed slot 0" : "", res[0]);
	if (mode == URING_MULTISHOT) {
		u.addr = NULL;
		u.addrlen = NULL;
	}
	if (mode == URING_WAIT) {
		u.addrlen_out = u.addrlen_in;
		expect_eagain(cs->name, &u, &la, unix_family, backlog);
	}
	for (i = 0; i < n; i++) {
		wl_conn_from(&conn, &la, &cl[i]);
		u.ret = 0;
		u.addrlen_out = (int)cl[i].len;
		wl_expect_uring(cs->name, &u, &la, &conn);
		if (!unix_family)
			wl_expect_inet(cs->name, &(struct wl_inet){
				.tid = u.tid, .comm = u.comm,
				.flags = inet_flags, .ret = 0,
				.qlen = (unsigned int)(n - i),
				.qmax = (unsigned int)backlog,
			}, &la, &conn);
	}
	if (mode == URING_MULTISHOT && (unix_family || !tcp_says_empty())) {
		/* The third accept of the request found the queue empty. */
		expect_eagain(cs->name, &u, &la, unix_family, backlog);
	}
	for (i = 0; i < 2; i++) {
		if (res[i] >= 0 && mode != URING_FIXED)
			close(res[i]);
		if (cfd[i] >= 0)
			close(cfd[i]);
	}
	close(lfd);
	return 0;
}

static int case_uring_pending(const struct wl_case *cs)
{
	return run_uring(cs, URING_PENDING, false, 40);
}

static int case_uring_wait(const struct wl_case *cs)
{
	return run_uring(cs, URING_WAIT, false, 41);
}

static int case_uring_async(const struct wl_case *cs)
{
	return run_uring(cs, URING_ASYNC, false, 42);
}

static int case_uring_multishot(const struct wl_case *cs)
{
	return run_uring(cs, URING_MULTISHOT, false, 43);
}

static int case_uring_fixed(const struct wl_case *cs)
{
	return run_uring(cs, URING_FIXED, false, 44);
}

static int case_uring_unix(const struct wl_case *cs)
{
	return run_uring(cs, URING_PENDING, true, 45);
}

static int case_uring_unix_wait(const struct wl_case *cs)
{
	return run_uring(cs, URING_WAIT, true, 46);
}

static int case_uring_unix_async(const struct wl_case *cs)
{
	return run_uring(cs, URING_ASYNC, true, 47);
}

static int case_uring_unix_multishot(const struct wl_case *cs)
{
	return run_uring(cs, URING_MULTISHOT, true, 48);
}

static int case_uring_unix_fixed(const struct wl_case *cs)
{
	return run_uring(cs, URING_FIXED, true, 49);
}

const struct wl_case wl_uring_cases[] = {
	{ "uring_pending", "io_uring accept of a queued connection (inline)",
	  case_uring_pending },
	{ "uring_wait", "io_uring accept before the client: EAGAIN, poll, retry",
	  case_uring_wait },
	{ "uring_async", "io_uring accept with IOSQE_ASYNC (io-wq worker)",
	  case_uring_async },
	{ "uring_multishot", "io_uring multishot accept: two, then EAGAIN",
	  case_uring_multishot },
	{ "uring_fixed", "io_uring accept into a fixed file slot",
	  case_uring_fixed },
	{ "uring_unix", "io_uring accept on AF_UNIX (inline)",
	  case_uring_unix },
	{ "uring_unix_wait", "io_uring AF_UNIX accept before the client",
	  case_uring_unix_wait },
	{ "uring_unix_async", "io_uring AF_UNIX accept on an io-wq worker",
	  case_uring_unix_async },
	{ "uring_unix_multishot", "io_uring multishot accept on AF_UNIX",
	  case_uring_unix_multishot },
	{ "uring_unix_fixed", "io_uring AF_UNIX accept into a fixed slot",
	  case_uring_unix_fixed },
};
const unsigned int wl_uring_ncases =
	sizeof(wl_uring_cases) / sizeof(wl_uring_cases[0]);
