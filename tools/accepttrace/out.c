// SPDX-License-Identifier: GPL-2.0
/*
 * Text at a cursor: numbers and strings written straight into a buffer
 * the caller has sized, with no printf machinery.  The record loop runs
 * these for every record, so they are kept to plain loops.  And where
 * the text goes: the program's name for its messages, and stdout's end.
 */
#include <stdio.h>
#include <string.h>
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

static const unsigned long long pow10[20] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL,
	10000000ULL, 100000000ULL, 1000000000ULL, 10000000000ULL,
	100000000000ULL, 1000000000000ULL, 10000000000000ULL,
	100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
	100000000000000000ULL, 1000000000000000000ULL,
	10000000000000000000ULL,
};

/*
 * Digits of @v >= 100 in decimal: log10 from log2 (1233 / 4096 is just
 * under log10(2)), one compare to round it.
 */
static unsigned int digits10(unsigned long long v)
{
	unsigned int t = (64 - __builtin_clzll(v)) * 1233 >> 12;

	return t + (v >= pow10[t]);
}

/* Two digits of @v < 100 at @t. */
static inline void put_pair(char *t, unsigned int v)
{
	memcpy(t, pairs + 2 * v, 2);
}

/*
 * The JSON line writes some fifteen numbers a record, most under 100
 * (cpu, uid, fd, ret, lengths): those take no division at all.
 */
char *at_put_u64(char *p, unsigned long long v)
{
	char *end, *t;

	if (v < 10) {
		*p = '0' + v;
		return p + 1;
	}
	if (v < 100) {
		put_pair(p, v);
		return p + 2;
	}
	end = p + digits10(v);
	t = end;
	/* backwards from the end, two digits per division */
	do {
		unsigned long long q = v / 100;

		t -= 2;
		put_pair(t, v - q * 100);
		v = q;
	} while (v >= 100);
	if (v >= 10)
		put_pair(t - 2, v);
	else
		t[-1] = '0' + v;
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

/* "00".."ff", built at the first call: two output bytes per lookup. */
static char hex_pairs[512];

char *at_put_hex_bytes(char *p, const uint8_t *b, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	if (!hex_pairs[0]) {
		for (i = 0; i < 256; i++) {
			hex_pairs[2 * i] = digits[i >> 4];
			hex_pairs[2 * i + 1] = digits[i & 15];
		}
	}
	for (i = 0; i < n; i++, p += 2)
		memcpy(p, hex_pairs + 2 * b[i], 2);
	return p;
}
