// SPDX-License-Identifier: GPL-2.0
/*
 * Text at a cursor: numbers and strings written straight into a buffer
 * the caller has sized, with no printf machinery.  The record loop runs
 * these for every record, so they are kept to plain loops.
 */
#include "tool.h"

char *at_put_u64(char *p, unsigned long long v)
{
	char tmp[20], *t = tmp + sizeof(tmp);
	size_t n;

	do {
		*--t = '0' + v % 10;
		v /= 10;
	} while (v);
	n = tmp + sizeof(tmp) - t;
	memcpy(p, t, n);
	return p + n;
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
