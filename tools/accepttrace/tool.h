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
	double interval;	/* -i seconds (hist, top) */
	bool once;		/* top -1 */
};

/* ---- out.c: text at a cursor, in a buffer the caller sized ---- */

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
	bool is_sys;		/* sys_accept4 record, else inet_accept */
	const struct accepttrace_task *task;
	int ret;
	uint64_t latency_ns;
	int family;		/* of the (new or listening) socket, -1: ? */
	struct at_addr local, peer;
	struct at_addr listen;	/* inet_accept only */
};

/* @h as a LOST record, or NULL if it is not one (or too short). */
const struct accepttrace_lost *at_as_lost(const struct accepttrace_hdr *h);

/*
 * Fill @ev from a record; returns 0, or -1 for a record that is not an
 * accept record or too short (LOST or an unknown type).
 */
int at_decode_event(const struct accepttrace_hdr *h, struct at_event *ev);

/*
 * The listening port an event belongs to: the listener's port for
 * inet_accept, the new socket's local port for a successful
 * sys_accept4; -1 when it cannot be known.
 */
int at_event_port(const struct at_event *ev);

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

/* ---- stream.c ---- */
extern volatile int at_stop;
void at_install_signals(void);
long long at_now_ns(int clock);
/* Wait for the device to be readable for up to @ms (-1: forever). */
int at_wait(int fd, int ms);
/* How many reads at most empty the module after a stop (see stream.c). */
unsigned int at_drain_reads(void);
int at_cmd_stream(const struct at_opts *o);

/*
 * The read loop of hist and top: open the device with o->filter, hand
 * every record to @rec, call @tick every o->interval seconds (if > 0),
 * stop at o->duration, a signal, or when @rec returns non-zero; then
 * drain, and call @tick a last time with @final set.  Returns an exit code.
 */
typedef int (*at_rec_fn)(void *ctx, const struct accepttrace_hdr *h);
typedef void (*at_tick_fn)(void *ctx, bool final);
int at_run(const struct at_opts *o, at_rec_fn rec, at_tick_fn tick, void *ctx);

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

#define AT_STATS_MAX_PROBES	4
#define AT_STATS_MAX_CPUS	1024

struct at_stats {
	unsigned int abi_version;
	int enabled, reader;
	unsigned long long maxactive, buf_bytes;
	char filter[256];
	unsigned int nprobes, ncpus;
	struct at_stats_probe probe[AT_STATS_MAX_PROBES];
	struct at_stats_cpu cpu[AT_STATS_MAX_CPUS];
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
void at_hist_add(struct at_hist *h, uint64_t usecs);
void at_hist_print(FILE *f, const struct at_hist *h, const char *unit);
int at_cmd_hist(const struct at_opts *o);

/* ---- top.c ---- */
int at_cmd_top(const struct at_opts *o);

/* ---- main.c ---- */
extern const char *at_prog;
/* stdout failed (EPIPE under `| head`): leave quietly with status 0. */
void at_check_stdout(void);

#endif /* _AT_TOOL_H */
