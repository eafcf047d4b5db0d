/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The text format of accepttrace records.  module/format.c implements it
 * and is compiled both into the module (/dev/accepttrace text mode) and
 * into the userspace tool, so the two print the same bytes.
 *
 * Every function is snprintf-like: it writes at most @size bytes
 * including the terminating NUL and returns the length the full text
 * needs.
 */
#ifndef _ACCEPTTRACE_FORMAT_H
#define _ACCEPTTRACE_FORMAT_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stddef.h>
#endif
#include "accepttrace.h"

/* One entry of a table of names: errno, flag, family or socket type. */
struct at_name {
	long value;
	const char *name;
};

/*
 * Room for the longest line at_format_record() can produce, NUL
 * included: three 108-byte AF_UNIX names of bytes that print as \xNN
 * (peer, local and a truncated user buffer) take about 1660.
 */
#define AT_LINE_MAX	2048

extern const struct at_name at_errno_names[];
extern const unsigned int at_errno_names_count;
extern const struct at_name at_sock_flag_names[];
extern const unsigned int at_sock_flag_names_count;
extern const struct at_name at_file_flag_names[];
extern const unsigned int at_file_flag_names_count;
extern const struct at_name at_family_names[];
extern const unsigned int at_family_names_count;
extern const struct at_name at_sock_type_names[];
extern const unsigned int at_sock_type_names_count;

/* Name of @value in @tab, or NULL. */
const char *at_name_of(const struct at_name *tab, unsigned int n, long value);

/* "accept", "accept4", "socketcall" for enum accepttrace_syscall, or NULL. */
const char *at_syscall_name(unsigned int nr);

/* "EAGAIN" for 11 (the sign is ignored), or NULL. */
const char *at_errno_name(int err);

/* "SOCK_NONBLOCK|SOCK_CLOEXEC", unknown bits as one hex term, "0" if none. */
int at_format_flags(char *buf, size_t size, unsigned long flags,
		    const struct at_name *tab, unsigned int n);

/*
 * "127.0.0.1:80", "[::1]:80", "[fe80::1%2]:80", "[::ffff:10.0.0.1]:80",
 * "unix:/path", "unix:@name", "unix:(unnamed)", "af=N:hexbytes";
 * a truncated address as "trunc(stored/len):hexbytes"; "?" on a fault;
 * "-" when there is no address.
 */
int at_format_sockaddr(char *buf, size_t size,
		       const struct accepttrace_sockaddr *sa);

/*
 * The address of an AF_INET or AF_INET6 @sa without the port, as
 * at_format_sockaddr() prints it: "127.0.0.1", "::1", "fe80::1%2",
 * "::ffff:10.0.0.1".  "" (0) when @sa holds no complete sockaddr_in or
 * sockaddr_in6: another family, too few bytes stored, a fault, no address.
 */
int at_format_ip(char *buf, size_t size, const struct accepttrace_sockaddr *sa);

/* Bytes as text: printable ASCII as is, '\\' doubled, others as \xNN. */
int at_format_escaped(char *buf, size_t size, const char *s, size_t len);

/* Everything after the timestamp, without the newline. */
int at_format_body(char *buf, size_t size, const struct accepttrace_hdr *rec);

/* The /dev/accepttrace text line: timestamp, body, newline. */
int at_format_record(char *buf, size_t size, const struct accepttrace_hdr *rec);

#endif /* _ACCEPTTRACE_FORMAT_H */
