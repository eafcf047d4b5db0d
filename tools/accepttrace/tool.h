/* SPDX-License-Identifier: GPL-2.0 */
/*
 * accepttrace(8), the reader tool: declarations shared by its files.
 * The record layout comes from include/accepttrace.h, the name tables
 * and the text format from include/accepttrace_format.h (module/format.c,
 * compiled into the tool too); nothing here copies either.
 */
#ifndef _AT_TOOL_H
#define _AT_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "accepttrace.h"
#include "accepttrace_format.h"

#define AT_DEBUGFS_DIR		"/sys/kernel/debug/accepttrace"

/* Exit codes. */
#define AT_EXIT_OK		0
#define AT_EXIT_ERROR		1
#define AT_EXIT_USAGE		2

enum at_time_mode {
	AT_TIME_MONO,		/* the record's CLOCK_MONOTONIC stamp */
	AT_TIME_WALL,		/* -T */
	AT_TIME_REL,		/* -t */
};

struct at_opts {
	struct accepttrace_filter filter;
	bool json;
	enum at_time_mode time;
	long long count;	/* -n, 0: no limit */
	double duration;	/* -d seconds, 0: no limit */
	double interval;	/* -i seconds (hist, top, metrics) */
	bool once;		/* top -1 */
	const char *output;	/* metrics -o FILE */
	bool drain_only;	/* at_run: read what the module holds, stop */
};

/* ---- out.c: text at a cursor, in a buffer the caller sized ---- */
/* The program's name, for its messages. */
extern const char *at_prog;
/* Flush stdout; if nobody reads it any more, exit 0 quietly. */
void at_check_stdout(void);

static inline char *at_put(char *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

/* A string literal, without its NUL. */
#define AT_PUT_LIT(p, lit)	at_put((p), (lit), sizeof(lit) - 1)

char *at_put_u64(char *p, unsigned long long v);	/* decimal */
char *at_put_s64(char *p, long long v);
/* @v in exactly @width decimal digits, zero-padded (high digits dropped) */
char *at_put_u64_pad(char *p, unsigned long long v, unsigned int width);
char *at_put_hex(char *p, unsigned long long v);	/* lower case, no 0x */
char *at_put_hex_bytes(char *p, const uint8_t *b, size_t n); /* 2 per byte */

/* ---- decode.c: raw record bytes -> fields ---- */

/* One struct accepttrace_sockaddr, decoded for people and for JSON. */
struct at_addr {
	bool present;		/* len != 0 and readable */
	int family;		/* AF_*, -1 when unknown */
	bool has_ip;
	char ip[64];		/* "127.0.0.1", "::1", "fe80::1%2" */
	size_t ip_len;		/* bytes in ip, before its NUL */
	int port;		/* -1: none */
	bool has_path;		/* AF_UNIX with a name */
	char path[ACCEPTTRACE_ADDR_MAX + 1];	/* "@" first when abstract */
	size_t path_len;	/* bytes in path (may hold NULs) */
	bool truncated;		/* stored < len */
};

void at_decode_addr(const struct accepttrace_sockaddr *sa, struct at_addr *a);
/* "AF_INET", or NULL for a family the table does not know. */
const char *at_family_name(int family);

/* The fields every consumer (json, hist, top) wants from one record. */
struct at_event {
	const struct accepttrace_hdr *hdr;
	bool is_sys;		/* sys_accept4 record */
	bool is_uring;		/* uring_accept record; neither: inet_accept */
	const struct accepttrace_task *task;
	int ret;
	uint64_t latency_ns;
	int family;		/* of the (new or listening) socket, -1: ? */
	struct at_addr local, peer;
	struct at_addr listen;	/* inet_accept and uring_accept only */
	/* the record's addresses, ACCEPTTRACE_ADDR_*, within hdr->size */
	const struct accepttrace_sockaddr *sa[ACCEPTTRACE_REC_NADDR];
};

/* @h as a LOST record, or NULL if it is not one (or too short). */
const struct accepttrace_lost *at_as_lost(const struct accepttrace_hdr *h);

/*
 * Fill @ev from a record; returns 0, or -1 for a record that is not an
 * accept record (LOST or an unknown type) or a malformed one: too short,
 * or addresses that accepttrace_rec_addrs() does not find within
 * hdr->size.
 */
int at_decode_event(const struct accepttrace_hdr *h, struct at_event *ev);

/*
 * The listening port an event belongs to: the listener's port for
 * inet_accept and uring_accept, the new socket's local port for a
 * successful sys_accept4; -1 when it cannot be known.
 */
int at_event_port(const struct at_event *ev);

/*
 * The listener hist, top and metrics count an event under: for an
 * inet_accept record (TCP over IPv4 or IPv6, io_uring included) the
 * listening socket, by port; for a successful accept(2) of an AF_UNIX
 * socket the new socket's local name, which is the listener's; for an
 * io_uring accept on an AF_UNIX listener (uring_accept) that listener's
 * name.  The other records have none (false): a TCP accept(2) or
 * io_uring accept is counted from its inet_accept record, and a failed
 * accept(2) knows no listener.
 */
struct at_listener {
	bool is_unix;
	int port;		/* TCP: -1 when not known */
	const char *path;	/* AF_UNIX: "@..." when abstract, NULL: unnamed */
	size_t path_len;	/* bytes at path (may hold NULs) */
};
bool at_event_listener(const struct at_event *ev, struct at_listener *l);

/* ---- json.c ---- */

/* Longest line at_json_line() writes (a bound, checked by unit tests). */
#define AT_JSON_MAX	4096

/* Append a JSON string (quotes included) for @len bytes of @s. */
void at_json_string(FILE *f, const char *s, size_t len);
/* The same at a cursor: at most 6 * @len + 2 bytes. */
char *at_json_put_string(char *p, const char *s, size_t len);
/*
 * One record as a JSON line, newline included, written at @p (at most
 * AT_JSON_MAX bytes); returns the end.  With -T / -t (@mode), an extra
 * "time" (wall clock: @wall_off_ns + ts) / "t" (ts - @start_ns) key.
 */
char *at_json_line(char *p, const struct accepttrace_hdr *h,
		   long long wall_off_ns, long long start_ns,
		   enum at_time_mode mode);
/* at_json_line() to a stdio stream. */
void at_json_record(FILE *f, const struct accepttrace_hdr *h,
		    long long wall_off_ns, long long start_ns,
		    enum at_time_mode mode);

/* ---- dev.c: the device ---- */

/*
 * Open /dev/accepttrace for binary reading, check the ABI version and set
 * @filter (NULL: none).  On failure prints the reason and returns -1.
 */
int at_dev_open(const struct accepttrace_filter *filter);
/* A message for errno @err from open(2) of the device. */
const char *at_dev_open_error(int err);

/*
 * Records of one read(): call at_dev_read() then at_dev_next() until it
 * returns NULL.  at_dev_read() reads at most @want accept records (0: no
 * limit) and returns bytes read, 0 when nothing is ready, -1 on error
 * (reported).
 */
#define AT_READ_BUF	(256 * 1024)	/* one read() takes as many whole records as fit */
struct at_reader {
	int fd;
	unsigned char *buf;
	size_t size, len, off;
};
int at_reader_init(struct at_reader *r, int fd);
void at_reader_free(struct at_reader *r);
long at_dev_read(struct at_reader *r, unsigned long long want);
const struct accepttrace_hdr *at_dev_next(struct at_reader *r);

/*
 * The smallest accept record: the smallest fixed part and three empty
 * addresses.  A LOST record is smaller, but -n does not count those.
 */
#define AT_MIN(a, b)		((a) < (b) ? (a) : (b))
#define AT_ACCEPT_MIN							\
	(AT_MIN(AT_MIN(sizeof(struct accepttrace_sys_accept4),		\
		       sizeof(struct accepttrace_inet_accept)),		\
		sizeof(struct accepttrace_uring_accept)) +		\
	 ACCEPTTRACE_REC_NADDR * ACCEPTTRACE_SOCKADDR_SIZE(0))
/*
 * The size of at_dev_read()'s read() into a buffer of @size bytes, for
 * at most @want accept records (0: any): @after 0 for the first try, else
 * the size of the try that the next record did not fit (EINVAL).
 */
size_t at_read_size(size_t size, unsigned long long want, size_t after);
/*
 * To @f, why a module that speaks ABI version @ver (not this tool's) is
 * refused, and what to do.
 */
void at_abi_mismatch(FILE *f, __u32 ver);

/* ---- run.c: the read loop, signals, clocks ---- */
extern volatile int at_stop;
/*
 * SIGINT and SIGTERM set at_stop; they are held but while at_wait()
 * waits, so that one never slips between a look at at_stop and a wait.
 */
void at_install_signals(void);
/* Let them in again (the tests). */
void at_unblock_signals(void);
long long at_now_ns(int clock);
/*
 * Wait for the device to be readable for up to @ms (-1: forever), or
 * for a stop signal: 1 when readable, 0 when not, -1 on error.
 */
int at_wait(int fd, int ms);
/* How many reads at most empty the module after a stop (see run.c). */
unsigned int at_drain_reads(void);

/*
 * The read loop, which stream, hist, top and metrics run: open the
 * device with o->filter, call @started, hand every record to @rec, call
 * @batch after each read()'s records and @tick every o->interval seconds
 * (if > 0); stop at o->duration, a signal, or when @rec returns non-zero
 * (with o->drain_only at once); then, unless @rec asked to stop, drain
 * what the module holds and call @tick a last time with @final set.
 * Once @rec asked to stop, the rest of that read()'s records still go to
 * it: they have left the module, and only @rec can account for them.
 * @want, if set, bounds the records the next read() may take (0: any).
 * Every hook but @rec may be NULL.  Returns an exit code.
 */
typedef int (*at_rec_fn)(void *ctx, const struct accepttrace_hdr *h);
typedef void (*at_tick_fn)(void *ctx, bool final);
struct at_loop {
	void			(*started)(void *ctx);
	at_rec_fn		rec;
	void			(*batch)(void *ctx);
	unsigned long long	(*want)(void *ctx);
	at_tick_fn		tick;
	void			*ctx;
};
int at_run(const struct at_opts *o, const struct at_loop *l);

/* ---- stream.c ---- */
int at_cmd_stream(const struct at_opts *o);

/* ---- stats.c ---- */

struct at_stats_probe {
	char name[32];
	int active;
	unsigned long long hits, nmissed, kretprobe_nmissed;
};

struct at_stats_cpu {
	unsigned int cpu;
	unsigned long long recorded, lost, filtered, used;
};

#define AT_STATS_MAX_PROBES	8
#define AT_STATS_MAX_CPUS	1024

struct at_stats {
	unsigned int abi_version;
	int enabled, reader;
	unsigned long long maxactive, buf_bytes;
	char filter[256];
	unsigned int nprobes, ncpus;
	struct at_stats_probe probe[AT_STATS_MAX_PROBES];
	struct at_stats_cpu cpu[AT_STATS_MAX_CPUS];
	unsigned long long lost_no_ring;	/* in lost too */
	unsigned long long recorded, lost, filtered;
};

/* Parse the text of debugfs `stats`; 0 or -1 when malformed. */
int at_stats_parse(const char *text, struct at_stats *s);
/* Read and parse debugfs `stats`; -1 with errno (reported if @loud). */
int at_stats_read(struct at_stats *s, bool loud);
void at_stats_print(FILE *f, const struct at_stats *s, bool json);
int at_cmd_stats(const struct at_opts *o);

/* ---- hist.c ---- */

#define AT_HIST_SLOTS	40

struct at_hist {
	unsigned long long slot[AT_HIST_SLOTS];
};

/* Bucket of a latency in µs: 0 for 0..1, k for [2^k, 2^(k+1)). */
unsigned int at_hist_slot(uint64_t usecs);
/*
 * The same log2 bounds with Prometheus's `le` (<=): slot k holds the
 * latencies of at most 2^(k+1) µs (k == 0: 0..2 µs) and more than 2^k,
 * the last slot everything above.
 */
unsigned int at_hist_le_slot(uint64_t ns);
void at_hist_add(struct at_hist *h, uint64_t usecs);
void at_hist_print(FILE *f, const struct at_hist *h, const char *unit);

/*
 * What hist and metrics count, per listener (at_event_listener()) and
 * per errno: at_tally_add() takes every record a read returns.
 */
#define AT_ERRNO_SLOTS	520	/* errno 1..519 by number; slot 0: larger */

struct at_tally_key {
	struct at_listener l;	/* l.path points at path */
	char path[ACCEPTTRACE_ADDR_MAX + 1];
	unsigned long long accepts, errors;
	struct at_hist h;		/* at_hist_slot(): as hist draws it */
	struct at_hist le;		/* at_hist_le_slot(): metrics' buckets */
	unsigned long long latency_ns;	/* the sum */
	bool has_queue;			/* TCP: qlen/qmax seen */
	unsigned int qlen_max, qmax;	/* largest qlen, last qmax */
	unsigned long long err[AT_ERRNO_SLOTS];
};

struct at_tally {
	struct at_tally_key *keys;
	unsigned int nkeys, max;
	unsigned long long overflow;	/* events of listeners past max */
	unsigned long long sys_err[AT_ERRNO_SLOTS];	/* failed accept(2) */
	unsigned long long lost;	/* the counts of LOST records */
	unsigned long long sys, inet, uring;	/* records read of each probe */
};

int at_tally_init(struct at_tally *t, unsigned int max);
void at_tally_free(struct at_tally *t);
void at_tally_reset(struct at_tally *t);
void at_tally_add(struct at_tally *t, const struct accepttrace_hdr *h);
/* "EAGAIN", "errno42" for a number without a name, "other" for slot 0 */
const char *at_errno_slot_name(unsigned int slot, char buf[16]);
int at_cmd_hist(const struct at_opts *o);

/* ---- top.c ---- */
int at_cmd_top(const struct at_opts *o);

/* ---- metrics.c: the Prometheus text exposition format ---- */

/*
 * @len bytes of @s as a label value at @p, without the quotes: backslash,
 * double quote and newline escaped as the format says; a byte that a
 * label value cannot hold (not UTF-8) or should not (another control
 * character) becomes the text \xNN, whose backslash is escaped in turn.
 * Writes at most 5 * @len bytes.
 */
char *at_prom_put_value(char *p, const char *s, size_t len);
/*
 * Everything metrics prints: @t, the module's counters @s (NULL: not
 * readable, left out), the module's @version, @start (the tool's start,
 * seconds since the Epoch).
 */
void at_metrics_print(FILE *f, const struct at_tally *t,
		      const struct at_stats *s, const char *version,
		      double start);
int at_cmd_metrics(const struct at_opts *o);

#endif /* _AT_TOOL_H */
