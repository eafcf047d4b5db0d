// SPDX-License-Identifier: GPL-2.0
/*
 * at-fdrace: accept while another thread steals the descriptor.
 *
 *   at-fdrace [-n ACCEPTS] [-u]
 *
 * A child process connects to a TCP listener on 127.0.0.1, ACCEPTS times
 * (default 10000), a few connections ahead of a thread that accepts them
 * and closes each, so accept() hands out the same lowest free descriptor
 * number F again and again (the clients live in the child, so they never
 * take F).  A second
 * thread loops dup2(S, F) and close(F), where S is an AF_UNIX socket:
 * between the moment accept() installs the new socket at F and the
 * moment the tracer's return probe runs, F may already be closed, or be
 * the AF_UNIX socket.  A tracer that looks the new socket up by its
 * number then records no address or the wrong socket's; one that takes
 * the socket accept() made records the peer the caller received.
 *
 * A third thread reads /dev/accepttrace in binary mode, filtered to this
 * process (so the module must be loaded, with rings large enough that
 * nothing is lost), and checks every accept4 record: it succeeded, it
 * carries the socket (ACCEPTTRACE_V_SOCK), its peer is exactly the
 * address the caller's buffer received (the record's user slot), its
 * local address is the listener's, and the peer ports of the records are
 * the peer ports the accepting thread got, one for one.  It prints
 *
 *   FDRACE accepts=N records=N sock=N peer_ok=N local_ok=N ports_ok=1
 *          stolen=K lost=0 other=0
 *
 * (one line) where stolen counts the accepts whose descriptor no longer
 * named a TCP socket when the accepting thread looked: the race was run.
 * Exits 0 if every check held, 1 otherwise.  With -u the thief only
 * closes, never dup2()s.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "accepttrace.h"

static long naccepts = 10000;
static int close_only;
static volatile int done;	/* the accepting thread has finished */
static volatile int stop_thief;
static int target_fd;		/* F */
static int unix_fd;		/* S */
static int listen_fd;
static int token_fd;		/* one byte: the child may connect once more */
static struct sockaddr_in listen_addr;

static unsigned short *got_ports;	/* what the acceptor received */
static long ngot;
static long stolen;
static long accept_errors;

struct check {
	long records, sock, peer_ok, local_ok, lost, other;
	unsigned short *ports;
};

static void die(const char *what)
{
	fprintf(stderr, "at-fdrace: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void *thief(void *arg)
{
	(void)arg;
	while (!stop_thief) {
		if (!close_only)
			dup2(unix_fd, target_fd);
		close(target_fd);
	}
	return NULL;
}

static void *acceptor(void *arg)
{
	long i;

	(void)arg;
	for (i = 0; i < naccepts; i++) {
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		int a, domain = 0;
		socklen_t dlen = sizeof(domain);

		memset(&peer, 0, sizeof(peer));
		a = accept4(listen_fd, (struct sockaddr *)&peer, &len, 0);
		if (i + 32 < naccepts && write(token_fd, "", 1) != 1)
			die("write token");
		if (a < 0) {
			accept_errors++;
			continue;
		}
		got_ports[ngot++] = ntohs(peer.sin_port);
		if (getsockopt(a, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) ||
		    domain != AF_INET)
			stolen++;
		else
			close(a);
	}
	done = 1;
	return NULL;
}

/* The child: one connection per token, each closed at once. */
static void connector(int tokens)
{
	long n;
	char t;

	for (n = 0; n < naccepts && read(tokens, &t, 1) == 1; n++) {
		int c = socket(AF_INET, SOCK_STREAM, 0);

		if (c < 0 || connect(c, (struct sockaddr *)&listen_addr,
				     sizeof(listen_addr)))
			die("connect");
		close(c);
	}
	_exit(0);
}

static int cmp_port(const void *a, const void *b)
{
	return (int)*(const unsigned short *)a - *(const unsigned short *)b;
}

static void check_record(struct check *k, const struct accepttrace_hdr *h)
{
	const struct accepttrace_sys_accept4 *r = (const void *)h;
	const struct accepttrace_sockaddr *sa[ACCEPTTRACE_REC_NADDR];
	const struct accepttrace_sockaddr *user, *local, *peer;
	struct sockaddr_in sin;

	if (h->type == ACCEPTTRACE_REC_LOST) {
		k->lost += ((const struct accepttrace_lost *)h)->count;
		return;
	}
	if (h->type != ACCEPTTRACE_REC_SYS_ACCEPT4)
		return;		/* inet_accept: not what this test is about */
	if (accepttrace_rec_addrs(h, sa)) {
		fprintf(stderr, "at-fdrace: sys_accept4 record of size %u: "
			"its addresses are not within it\n", h->size);
		exit(2);
	}
	user = sa[ACCEPTTRACE_ADDR_USER];
	local = sa[ACCEPTTRACE_ADDR_LOCAL];
	peer = sa[ACCEPTTRACE_ADDR_PEER];
	k->records++;
	if (r->ret < 0 || r->fd != listen_fd) {
		k->other++;
		return;
	}
	if (r->valid & ACCEPTTRACE_V_SOCK)
		k->sock++;
	if (peer->len == sizeof(sin) && user->len == sizeof(sin) &&
	    user->stored == sizeof(sin) && peer->stored == sizeof(sin) &&
	    !memcmp(peer->data, user->data, sizeof(sin)))
		k->peer_ok++;
	if (local->len == sizeof(sin) && local->stored == sizeof(sin)) {
		memcpy(&sin, local->data, sizeof(sin));
		if (sin.sin_family == AF_INET &&
		    sin.sin_port == listen_addr.sin_port &&
		    sin.sin_addr.s_addr == listen_addr.sin_addr.s_addr)
			k->local_ok++;
	}
	if (peer->stored >= sizeof(sin) && k->records <= naccepts) {
		memcpy(&sin, peer->data, sizeof(sin));
		k->ports[k->records - 1] = ntohs(sin.sin_port);
	}
}

/* Read until every accept is accounted for, or 10 s after the last. */
static void read_records(int dev, struct check *k)
{
	static union {
		struct accepttrace_hdr h;
		unsigned char b[1 << 16];
	} buf;
	const char *indent = getenv("AT_KTAP_INDENT");
	struct timespec t0 = { 0 }, t;
	long next_note = 1000;

	for (;;) {
		struct pollfd p = { .fd = dev, .events = POLLIN };
		ssize_t n, off;

		if (done && k->records + k->lost >= ngot + accept_errors) {
			if (!t0.tv_sec)
				clock_gettime(CLOCK_MONOTONIC, &t0);
			/* A little longer: anything extra must show too. */
			clock_gettime(CLOCK_MONOTONIC, &t);
			if (t.tv_sec - t0.tv_sec >= 1)
				return;
		} else if (done) {
			clock_gettime(CLOCK_MONOTONIC, &t);
			if (!t0.tv_sec)
				t0 = t;
			if (t.tv_sec - t0.tv_sec >= 10)
				return;
		}
		if (poll(&p, 1, 100) <= 0)
			continue;
		n = read(dev, buf.b, sizeof(buf.b));
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			die("read /dev/accepttrace");
		}
		for (off = 0; off + (ssize_t)sizeof(struct accepttrace_hdr) <= n;) {
			const struct accepttrace_hdr *h = (const void *)(buf.b + off);

			if (h->size < sizeof(*h) || off + h->size > n) {
				fprintf(stderr, "at-fdrace: bad record at %zd\n", off);
				exit(2);
			}
			check_record(k, h);
			off += h->size;
		}
		/*
		 * Progress on the console (a diagnostic of the suite's KTAP
		 * document): on a debug kernel under TCG the run takes
		 * minutes, and the host's watchdog must see it move.
		 */
		if (k->records >= next_note) {
			fprintf(stderr, "%s# at-fdrace: %ld records\n",
				indent ? indent : "", k->records);
			next_note += 1000;
		}
	}
}

int main(int argc, char **argv)
{
	struct accepttrace_filter f = { .npids = 1 };
	struct check k = { 0 };
	pthread_t th_thief, th_acc;
	socklen_t len = sizeof(listen_addr);
	int sv[2], tok[2], dev, one = 1, opt, ok, status;
	pid_t child;
	long i;

	while ((opt = getopt(argc, argv, "n:u")) != -1) {
		switch (opt) {
		case 'n':
			naccepts = strtol(optarg, NULL, 10);
			break;
		case 'u':
			close_only = 1;
			break;
		default:
			fprintf(stderr, "usage: at-fdrace [-n ACCEPTS] [-u]\n");
			return 2;
		}
	}
	if (naccepts <= 0)
		return 2;
	/* A child that died shows as a failed write, not as SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);
	got_ports = calloc(naccepts, sizeof(*got_ports));
	k.ports = calloc(naccepts, sizeof(*k.ports));
	if (!got_ports || !k.ports)
		die("calloc");

	dev = open(ACCEPTTRACE_DEVICE, O_RDONLY | O_CLOEXEC);
	if (dev < 0)
		die("open " ACCEPTTRACE_DEVICE);
	f.pids[0] = getpid();
	if (ioctl(dev, ACCEPTTRACE_IOC_SET_BINARY, &one) ||
	    ioctl(dev, ACCEPTTRACE_IOC_SET_FILTER, &f))
		die("ioctl");

	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		die("socket");
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	listen_addr.sin_family = AF_INET;
	listen_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(listen_fd, (struct sockaddr *)&listen_addr,
		 sizeof(listen_addr)) || listen(listen_fd, 128) ||
	    getsockname(listen_fd, (struct sockaddr *)&listen_addr, &len))
		die("listen");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		die("socketpair");
	unix_fd = sv[0];
	if (pipe2(tok, O_CLOEXEC))
		die("pipe");
	child = fork();
	if (child < 0)
		die("fork");
	if (!child) {
		close(tok[1]);
		close(dev);
		connector(tok[0]);
	}
	close(tok[0]);
	token_fd = tok[1];
	/* Room for a few connections in the accept queue (backlog 128). */
	for (i = 0; i < 32 && i < naccepts; i++)
		if (write(token_fd, "", 1) != 1)
			die("write token");
	/* F: the lowest free number, which accept() hands out next. */
	target_fd = open("/dev/null", O_RDONLY);
	if (target_fd < 0)
		die("open /dev/null");
	close(target_fd);

	if (pthread_create(&th_thief, NULL, thief, NULL) ||
	    pthread_create(&th_acc, NULL, acceptor, NULL))
		die("pthread_create");
	read_records(dev, &k);
	pthread_join(th_acc, NULL);
	stop_thief = 1;
	pthread_join(th_thief, NULL);
	close(token_fd);
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		fprintf(stderr, "at-fdrace: the connecting child failed\n");

	qsort(got_ports, ngot, sizeof(*got_ports), cmp_port);
	qsort(k.ports, k.records < naccepts ? k.records : naccepts,
	      sizeof(*k.ports), cmp_port);
	ok = k.records == ngot;
	for (i = 0; ok && i < ngot; i++)
		ok = got_ports[i] == k.ports[i];
	printf("FDRACE accepts=%ld records=%ld sock=%ld peer_ok=%ld local_ok=%ld ports_ok=%d stolen=%ld lost=%ld other=%ld\n",
	       ngot, k.records, k.sock, k.peer_ok, k.local_ok, ok, stolen,
	       k.lost, k.other + accept_errors);
	return ngot == naccepts && k.records == ngot && k.sock == ngot &&
	       k.peer_ok == ngot && k.local_ok == ngot && ok && !k.lost &&
	       !k.other && !accept_errors ? 0 : 1;
}
