// SPDX-License-Identifier: GPL-2.0
/*
 * Text at a cursor: numbers and strings written straight into a buffer
 * the caller has sized, with no printf machinery.  The record loop runs
 * these for every record, so they are kept to plain loops.  And where
 * the text goes: the program's name for its messages, and stdout's end.
 */
#include <stdio.h>
#include <unistd.h>

#include "tool.h"

const char *at_prog = "accepttrace";

void at_check_stdout(void)
{
	/* EPIPE (SIGPIPE is ignored) or any write error: nobody listens */
	if (fflush(stdout) == EOF || ferror(stdout))
		_exit(AT_EXIT_OK);
}

static const char pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

static unsigned int digits10(unsigned long long v)
{
	unsigned int n = 1;

	while (v >= 10000) {
		v /= 10000;
		n += 4;
	}
	if (v >= 1000)
		return n + 3;
	if (v >= 100)
		return n + 2;
	return v >= 10 ? n + 1 : n;
}

char *at_put_u64(char *p, unsigned long long v)
{
	char *end = p + digits10(v), *t = end;

	/* backwards from the end, two digits per division */
	while (v >= 100) {
		unsigned int r = v % 100;

		v /= 100;
		t -= 2;
		t[0] = pairs[2 * r];
		t[1] = pairs[2 * r + 1];
	}
	if (v >= 10) {
		t[-2] = pairs[2 * v];
		t[-1] = pairs[2 * v + 1];
	} else {
		t[-1] = '0' + v;
	}
	return end;
}

char *at_put_s64(char *p, long long v)
{
	if (v < 0) {
		*p++ = '-';
		return at_put_u64(p, -(unsigned long long)v);
	}
	return at_put_u64(p, v);
}

char *at_put_u64_pad(char *p, unsigned long long v, unsigned int width)
{
	char *end = p + width;

	while (end > p) {
		*--end = '0' + v % 10;
		v /= 10;
	}
	return p + width;
}

char *at_put_hex(char *p, unsigned long long v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[16], *t = tmp + sizeof(tmp);
	size_t n;

	do {
		*--t = digits[v & 15];
		v >>= 4;
	} while (v);
	n = tmp + sizeof(tmp) - t;
	memcpy(p, t, n);
	return p + n;
}

char *at_put_hex_bytes(char *p, const uint8_t *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		*p++ = digits[b[i] >> 4];
		*p++ = digits[b[i] & 15];
	}
	return p;
}
