/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A strict parser for one flat JSON object per line ({"k":v,...} where v
 * is a string, number, true, false or null), as accepttrace -j writes
 * them.  Used by the unit tests (is every line valid JSON?) and by
 * jsoncheck (compare lines with the workload's EXPECT account).  Header
 * only: both are single-file programs.
 */
#ifndef _AT_FLATJSON_H
#define _AT_FLATJSON_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FJ_MAX_KEYS	64
#define FJ_MAX_STR	512

enum fj_type { FJ_STRING, FJ_NUMBER, FJ_TRUE, FJ_FALSE, FJ_NULL };

struct fj_value {
	char key[64];
	enum fj_type type;
	char text[FJ_MAX_STR];	/* decoded string, or the literal */
	size_t len;
};

struct fj_object {
	unsigned int n;
	struct fj_value v[FJ_MAX_KEYS];
};

static int fj_hex(const char *p)
{
	int v = 0, i;

	for (i = 0; i < 4; i++) {
		char c = p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	return v;
}

/*
 * A JSON string at *p (at the opening quote) into @out; \u00XX gives the
 * byte XX, larger code points are stored as UTF-8.  Raw bytes must be
 * valid UTF-8 and not control characters.
 */
static bool fj_string(const char **p, char *out, size_t size, size_t *len)
{
	const unsigned char *s = (const unsigned char *)*p;
	size_t n = 0;

	if (*s++ != '"')
		return false;
	while (*s != '"') {
		int c = *s;

		if (!c || c < 0x20)
			return false;
		if (c == '\\') {
			s++;
			switch (*s) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case '/': c = '/'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				c = fj_hex((const char *)s + 1);
				if (c < 0)
					return false;
				s += 4;
				if (c >= 0x100) {
					/* stored as UTF-8 */
					if (n + 3 >= size)
						return false;
					if (c < 0x800) {
						out[n++] = 0xc0 | c >> 6;
					} else {
						out[n++] = 0xe0 | c >> 12;
						out[n++] = 0x80 | (c >> 6 & 0x3f);
					}
					c = 0x80 | (c & 0x3f);
				}
				break;
			default:
				return false;
			}
			s++;
		} else if (c >= 0x80) {
			int k = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 ? 1 : -1, i;

			if (k < 0 || c > 0xf4)
				return false;
			for (i = 1; i <= k; i++)
				if ((s[i] & 0xc0) != 0x80)
					return false;
			if (n + k + 1 >= size)
				return false;
			for (i = 0; i < k; i++)
				out[n++] = *s++;
			c = *s++;
		} else {
			s++;
		}
		if (n + 1 >= size)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	*len = n;
	*p = (const char *)s + 1;
	return true;
}

static bool fj_number(const char **p, char *out, size_t size)
{
	const char *s = *p, *start = s;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return false;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return false;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if ((size_t)(s - start) >= size)
		return false;
	memcpy(out, start, s - start);
	out[s - start] = '\0';
	*p = s;
	return true;
}

/* Parse @line (one object, optional trailing newline); false if invalid. */
static bool fj_parse(const char *line, struct fj_object *o)
{
	const char *p = line;
	size_t len;

	o->n = 0;
	if (*p++ != '{')
		return false;
	if (*p == '}')
		goto end;
	for (;;) {
		struct fj_value *v;

		if (o->n == FJ_MAX_KEYS)
			return false;
		v = &o->v[o->n++];
		if (!fj_string(&p, v->key, sizeof(v->key), &len) || *p++ != ':')
			return false;
		if (*p == '"') {
			v->type = FJ_STRING;
			if (!fj_string(&p, v->text, sizeof(v->text), &v->len))
				return false;
		} else if (!strncmp(p, "true", 4)) {
			v->type = FJ_TRUE;
			strcpy(v->text, "true");
			p += 4;
		} else if (!strncmp(p, "false", 5)) {
			v->type = FJ_FALSE;
			strcpy(v->text, "false");
			p += 5;
		} else if (!strncmp(p, "null", 4)) {
			v->type = FJ_NULL;
			strcpy(v->text, "null");
			p += 4;
		} else {
			v->type = FJ_NUMBER;
			if (!fj_number(&p, v->text, sizeof(v->text)))
				return false;
		}
		if (v->type != FJ_STRING)
			v->len = strlen(v->text);
		if (*p == '}')
			break;
		if (*p++ != ',')
			return false;
	}
end:
	p++;
	if (*p == '\n')
		p++;
	return *p == '\0';
}

static const struct fj_value *fj_get(const struct fj_object *o, const char *k)
{
	unsigned int i;

	for (i = 0; i < o->n; i++)
		if (!strcmp(o->v[i].key, k))
			return &o->v[i];
	return NULL;
}

#endif /* _AT_FLATJSON_H */
