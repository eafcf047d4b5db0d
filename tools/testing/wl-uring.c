// SPDX-License-Identifier: GPL-2.0
/*
 * io_uring IORING_OP_ACCEPT: the kernel calls do_accept() directly, so
 * accepttrace sees an inet_accept record and no sys_accept4 record.
 *
 * io_uring first issues the request non-blocking (->accept gets
 * O_NONBLOCK on top of the listener's O_RDWR), in the submitting task:
 *  - uring_pending: a connection is queued, the inline issue succeeds;
 *    the record carries the submitter's tid.
 *  - uring_wait: nothing queued, the inline issue fails with EAGAIN and
 *    arms poll; the retry runs as task_work, again in the submitter.
 *  - uring_async: IOSQE_ASYNC hands the request to an io-wq worker, a
 *    thread of this process named "iou-wrk-<submitter tid>" whose tid
 *    the workload cannot know: the EXPECT line has no tid and at-check
 *    matches it by listen_port (unique to the case) instead.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "at-workload.h"

static int uring_accept(const char *cname, int lfd, struct io_uring *ring,
			struct sockaddr_storage *buf, socklen_t *len,
			unsigned int sqe_flags, int *cfd_later,
			const struct wl_addr *connect_to, struct wl_addr *cl)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	struct io_uring_cqe *cqe;
	int res, ret;

	io_uring_prep_accept(sqe, lfd, (struct sockaddr *)buf, len, 0);
	sqe->flags |= sqe_flags;
	ret = io_uring_submit(ring);
	if (ret != 1)
		return wl_fail(cname, "io_uring_submit: %d", ret);
	if (cfd_later)
		*cfd_later = wl_connect(connect_to, NULL, false, cl);
	ret = io_uring_wait_cqe(ring, &cqe);
	if (ret)
		return wl_fail(cname, "io_uring_wait_cqe: %d", ret);
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	return res;
}

enum uring_mode { URING_PENDING, URING_WAIT, URING_ASYNC };

static int run_uring(const struct wl_case *cs, enum uring_mode mode,
		     int backlog)
{
	struct sockaddr_storage buf;
	socklen_t len = sizeof(buf);
	struct io_uring ring;
	struct wl_addr la, cl;
	struct wl_conn conn;
	char worker[16];
	pid_t tid = wl_gettid();
	int lfd, cfd = -1, res, ret;

	ret = io_uring_queue_init(4, &ring, 0);
	if (ret)
		return wl_fail(cs->name, "io_uring_queue_init: %s",
			       strerror(-ret));
	lfd = wl_listen_tcp(AF_INET, "127.0.0.1", backlog, 0, &la);
	if (mode != URING_WAIT) {
		cfd = wl_connect(&la, NULL, false, &cl);
		wl_wait_pending(lfd);
	}
	memset(&buf, 0xa5, sizeof(buf));
	res = uring_accept(cs->name, lfd, &ring, &buf, &len,
			   mode == URING_ASYNC ? IOSQE_ASYNC : 0,
			   mode == URING_WAIT ? &cfd : NULL, &la, &cl);
	io_uring_queue_exit(&ring);
	if (res < 0)
		return wl_fail(cs->name, "accept completed with %d", res);
	if (!wl_addr_eq(&cl, &buf, len))
		return wl_fail(cs->name, "accept returned another peer");

	wl_info(cs->name, "IORING_OP_ACCEPT on fd %d%s -> %d", lfd,
		mode == URING_WAIT ? " before the client connected" :
		mode == URING_ASYNC ? " with IOSQE_ASYNC" : "", res);
	wl_conn_from(&conn, &la, &cl);
	if (mode == URING_WAIT)
		wl_expect_inet(cs->name, &(struct wl_inet){
			.tid = tid, .flags = O_RDWR | O_NONBLOCK,
			.ret = -EAGAIN, .qlen = 0, .qmax = (unsigned int)backlog,
		}, &la, NULL);
	snprintf(worker, sizeof(worker), "iou-wrk-%d", tid);
	wl_expect_inet(cs->name, &(struct wl_inet){
		.tid = mode == URING_ASYNC ? 0 : tid,
		.comm = mode == URING_ASYNC ? worker : NULL,
		.flags = O_RDWR | O_NONBLOCK, .ret = 0,
		.qlen = 1, .qmax = (unsigned int)backlog,
	}, &la, &conn);
	close(res);
	if (cfd >= 0)
		close(cfd);
	return 0;
}

static int case_uring_pending(const struct wl_case *cs)
{
	return run_uring(cs, URING_PENDING, 40);
}

static int case_uring_wait(const struct wl_case *cs)
{
	return run_uring(cs, URING_WAIT, 41);
}

static int case_uring_async(const struct wl_case *cs)
{
	return run_uring(cs, URING_ASYNC, 42);
}

const struct wl_case wl_uring_cases[] = {
	{ "uring_pending", "io_uring accept of a queued connection (inline)",
	  case_uring_pending },
	{ "uring_wait", "io_uring accept before the client: EAGAIN, poll, retry",
	  case_uring_wait },
	{ "uring_async", "io_uring accept with IOSQE_ASYNC (io-wq worker)",
	  case_uring_async },
};
const unsigned int wl_uring_ncases =
	sizeof(wl_uring_cases) / sizeof(wl_uring_cases[0]);
