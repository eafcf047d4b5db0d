// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/accepttrace: open it, check that the module speaks our ABI, switch
 * to binary records, set the in-kernel filter, and split what read()
 * returns into records.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include "tool.h"

const char *at_dev_open_error(int err)
{
	switch (err) {
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return ACCEPTTRACE_DEVICE " not found \xe2\x80\x94 is the module "
		       "loaded? (sudo insmod accepttrace.ko)";
	case EACCES:
	case EPERM:
		return ACCEPTTRACE_DEVICE ": permission denied \xe2\x80\x94 "
		       "reading accept events needs root (try sudo)";
	case EBUSY:
		return ACCEPTTRACE_DEVICE " is busy \xe2\x80\x94 another reader "
		       "has it open (one reader at a time; `accepttrace stats` "
		       "shows \"reader 1\")";
	default:
		return NULL;
	}
}

void at_abi_mismatch(FILE *f, __u32 ver)
{
	/*
	 * Version 1 is the release before records shrank to what their
	 * addresses hold: its records are not what this tool parses, and
	 * the fix is the module of this tree, not another tool.
	 */
	if (ver < ACCEPTTRACE_ABI_VERSION)
		fprintf(f, "%s: the loaded module speaks record ABI version "
			"%u, from an older release; this tool reads record ABI "
			"version %u \xe2\x80\x94 unload it (sudo rmmod "
			"accepttrace) and load the module built from the same "
			"tree as this tool\n", at_prog, ver,
			ACCEPTTRACE_ABI_VERSION);
	else
		fprintf(f, "%s: ABI version mismatch: the module speaks "
			"version %u, this tool speaks version %u \xe2\x80\x94 "
			"use the tool built with the module\n", at_prog, ver,
			ACCEPTTRACE_ABI_VERSION);
}

static int check_abi(int fd)
{
	__u32 ver = 0;

	if (ioctl(fd, ACCEPTTRACE_IOC_ABI_VERSION, &ver) < 0) {
		fprintf(stderr, "%s: %s: cannot ask the module's ABI version: "
			"%s (this tool speaks ABI version %u)\n", at_prog,
			ACCEPTTRACE_DEVICE, strerror(errno),
			ACCEPTTRACE_ABI_VERSION);
		return -1;
	}
	if (ver != ACCEPTTRACE_ABI_VERSION) {
		at_abi_mismatch(stderr, ver);
		return -1;
	}
	return 0;
}

static bool filter_empty(const struct accepttrace_filter *f)
{
	return !f->flags && !f->families && !f->netns && !f->npids &&
	       !f->ntids && !f->nports && !f->comm[0];
}

int at_dev_open(const struct accepttrace_filter *filter)
{
	__u32 one = 1;
	const char *why;
	int fd;

	fd = open(ACCEPTTRACE_DEVICE, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		why = at_dev_open_error(err);
		if (why)
			fprintf(stderr, "%s: %s\n", at_prog, why);
		else
			fprintf(stderr, "%s: %s: %s\n", at_prog,
				ACCEPTTRACE_DEVICE, strerror(err));
		return -1;
	}
	if (check_abi(fd))
		goto fail;
	if (ioctl(fd, ACCEPTTRACE_IOC_SET_BINARY, &one) < 0) {
		fprintf(stderr, "%s: %s: cannot switch to binary records: %s\n",
			at_prog, ACCEPTTRACE_DEVICE, strerror(errno));
		goto fail;
	}
	if (filter && !filter_empty(filter) &&
	    ioctl(fd, ACCEPTTRACE_IOC_SET_FILTER, filter) < 0) {
		fprintf(stderr, "%s: %s: the module refused the filter: %s\n",
			at_prog, ACCEPTTRACE_DEVICE, strerror(errno));
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

int at_reader_init(struct at_reader *r, int fd)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->size = AT_READ_BUF;
	/* 8-byte aligned: records are read in place */
	r->buf = aligned_alloc(8, r->size);
	if (!r->buf) {
		fprintf(stderr, "%s: out of memory\n", at_prog);
		return -1;
	}
	return 0;
}

void at_reader_free(struct at_reader *r)
{
	free(r->buf);
	r->buf = NULL;
}

size_t at_read_size(size_t size, unsigned long long want, size_t after)
{
	size_t n;

	/* @size holds fewer than @want accept records anyway */
	if (!want || want > size / AT_ACCEPT_MIN)
		return size;
	if (!after) {
		/*
		 * Records are whole multiples of 8 bytes, so a read of less
		 * than @want + 1 smallest records takes at most @want; it
		 * may be too small for the next record (112 to 464 bytes),
		 * which the module answers with EINVAL, taking nothing.
		 */
		n = (want + 1) * AT_ACCEPT_MIN - 8;
	} else {
		/*
		 * The next record did not fit in @after bytes: it takes at
		 * least @after + 8, and @want more records at least
		 * @want * AT_ACCEPT_MIN, more than this.  Each try grows by
		 * at least AT_ACCEPT_MIN: at most four reach
		 * ACCEPTTRACE_REC_MAX.
		 */
		n = after + want * AT_ACCEPT_MIN;
	}
	return n < size ? n : size;
}

/*
 * A read() for at most @want accept records (0: as many as fit), so that
 * -n N takes exactly N from the module and leaves the rest for the next
 * reader.  Since records are only as long as their addresses, no single
 * size both holds the largest record and keeps out N + 1 of the
 * smallest (for N < 4): a read that the next record does not fit fails
 * with EINVAL and takes nothing, and is tried again a little larger
 * (at_read_size()).  That bound holds for the records the module held
 * at the first try.  Only after an EINVAL, records that other CPUs
 * commit between two tries, stamped before the one that did not fit,
 * can come first in the larger read, and the ones past N are taken:
 * the stream counts them in its account ("N more read past -n and not
 * shown"); the module offers no way to read N records exactly.
 */
long at_dev_read(struct at_reader *r, unsigned long long want)
{
	size_t size = 0;
	ssize_t n;

	r->len = r->off = 0;
	do {
		size = at_read_size(r->size, want, size);
		n = read(r->fd, r->buf, size);
	} while (n < 0 && errno == EINVAL && size < r->size);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		fprintf(stderr, "%s: reading %s: %s\n", at_prog,
			ACCEPTTRACE_DEVICE, strerror(errno));
		return -1;
	}
	r->len = n;
	return n;
}

const struct accepttrace_hdr *at_dev_next(struct at_reader *r)
{
	const struct accepttrace_hdr *h;

	if (r->len - r->off < sizeof(*h))
		return NULL;
	h = (const void *)(r->buf + r->off);
	if (h->size < sizeof(*h) || h->size > r->len - r->off) {
		fprintf(stderr, "%s: malformed record (type %u size %u) "
			"skipped with the rest of this read\n", at_prog,
			h->type, h->size);
		r->off = r->len;
		return NULL;
	}
	r->off += h->size;
	return h;
}
