// SPDX-License-Identifier: GPL-2.0
/*
 * `accepttrace stats`: the module's counters from debugfs
 * /sys/kernel/debug/accepttrace/stats, for people or as one JSON object.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/vfs.h>

#include "tool.h"

#define DEBUGFS_ROOT	"/sys/kernel/debug"
#define DEBUGFS_MAGIC	0x64626720
#define STATS_FILE	AT_DEBUGFS_DIR "/stats"

static int parse_probe(const char *line, struct at_stats *s)
{
	struct at_stats_probe *p;

	if (s->nprobes == AT_STATS_MAX_PROBES)
		return 0;
	p = &s->probe[s->nprobes];
	if (sscanf(line, "probe %31s active=%d hits=%llu nmissed=%llu "
		   "kretprobe_nmissed=%llu", p->name, &p->active, &p->hits,
		   &p->nmissed, &p->kretprobe_nmissed) != 5)
		return -1;
	s->nprobes++;
	return 0;
}

static int parse_cpu(const char *line, struct at_stats *s)
{
	struct at_stats_cpu *c;

	if (s->ncpus == AT_STATS_MAX_CPUS)
		return 0;
	c = &s->cpu[s->ncpus];
	if (sscanf(line, "cpu %u recorded=%llu lost=%llu filtered=%llu "
		   "used=%llu", &c->cpu, &c->recorded, &c->lost,
		   &c->filtered, &c->used) != 5)
		return -1;
	s->ncpus++;
	return 0;
}

static int parse_line(const char *line, struct at_stats *s, unsigned int *seen)
{
	if (!strncmp(line, "probe ", 6))
		return parse_probe(line, s);
	if (!strncmp(line, "cpu ", 4))
		return parse_cpu(line, s);
	if (!strncmp(line, "filter ", 7)) {
		size_t n = strnlen(line + 7, sizeof(s->filter) - 1);

		memcpy(s->filter, line + 7, n);
		s->filter[n] = '\0';
		return 0;
	}
	if (sscanf(line, "abi_version %u", &s->abi_version) == 1)
		*seen |= 1;
	else if (sscanf(line, "enabled %d", &s->enabled) == 1)
		*seen |= 2;
	else if (sscanf(line, "reader %d", &s->reader) == 1)
		*seen |= 4;
	else if (sscanf(line, "maxactive %llu", &s->maxactive) == 1)
		*seen |= 8;
	else if (sscanf(line, "buf_bytes %llu", &s->buf_bytes) == 1)
		*seen |= 16;
	else if (sscanf(line, "rings %*u ring_memory=%*u lost_no_ring=%llu",
			&s->lost_no_ring) == 1)
		*seen |= 64;	/* not required */
	else if (sscanf(line, "total recorded=%llu lost=%llu filtered=%llu",
			&s->recorded, &s->lost, &s->filtered) == 3)
		*seen |= 32;
	/* other lines: from a newer module, ignored */
	return 0;
}

int at_stats_parse(const char *text, struct at_stats *s)
{
	unsigned int seen = 0;
	char line[512];
	const char *p = text, *nl;
	size_t n;

	memset(s, 0, sizeof(*s));
	while (*p) {
		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n >= sizeof(line))
			return -1;
		memcpy(line, p, n);
		line[n] = '\0';
		if (parse_line(line, s, &seen))
			return -1;
		p += n + (nl ? 1 : 0);
	}
	return (seen & 63) == 63 ? 0 : -1;
}

/* Why debugfs stats cannot be read, said so that the user can fix it. */
static void explain(int err)
{
	struct statfs sfs;

	if (err == EACCES || err == EPERM) {
		fprintf(stderr, "%s: %s: permission denied \xe2\x80\x94 the "
			"module's counters are readable by root only (try "
			"sudo)\n", at_prog, STATS_FILE);
	} else if (err == ENOENT && (statfs(DEBUGFS_ROOT, &sfs) ||
				     sfs.f_type != DEBUGFS_MAGIC)) {
		fprintf(stderr, "%s: debugfs is not mounted; mount it with: "
			"mount -t debugfs none %s\n", at_prog, DEBUGFS_ROOT);
	} else if (err == ENOENT) {
		fprintf(stderr, "%s: %s not found \xe2\x80\x94 is the module "
			"loaded? (sudo insmod accepttrace.ko)\n", at_prog,
			STATS_FILE);
	} else {
		fprintf(stderr, "%s: %s: %s\n", at_prog, STATS_FILE,
			strerror(err));
	}
}

static int open_stats(void)
{
	struct statfs sfs;
	int fd = open(STATS_FILE, O_RDONLY | O_CLOEXEC);

	/* debugfs not mounted: mount it where everybody expects it */
	if (fd < 0 && errno == ENOENT && geteuid() == 0 &&
	    (statfs(DEBUGFS_ROOT, &sfs) || sfs.f_type != DEBUGFS_MAGIC) &&
	    !mount("debugfs", DEBUGFS_ROOT, "debugfs", 0, NULL))
		fd = open(STATS_FILE, O_RDONLY | O_CLOEXEC);
	return fd;
}

int at_stats_read(struct at_stats *s, bool loud)
{
	size_t size = 16384, len = 0;
	char *buf = malloc(size);
	ssize_t n;
	int fd, err;

	if (!buf)
		return -1;
	fd = open_stats();
	if (fd < 0) {
		err = errno;
		if (loud)
			explain(err);
		free(buf);
		errno = err;
		return -1;
	}
	while ((n = read(fd, buf + len, size - len - 1)) > 0) {
		len += n;
		if (len + 1 == size) {
			char *nb = realloc(buf, size * 2);

			if (!nb)
				break;
			buf = nb;
			size *= 2;
		}
	}
	close(fd);
	buf[len] = '\0';
	err = at_stats_parse(buf, s);
	free(buf);
	if (err && loud)
		fprintf(stderr, "%s: %s: unexpected format\n", at_prog,
			STATS_FILE);
	return err;
}

static void print_json(FILE *f, const struct at_stats *s)
{
	unsigned int i;

	fprintf(f, "{\"abi_version\":%u,\"enabled\":%s,\"reader\":%s,"
		"\"maxactive\":%llu,\"buf_bytes\":%llu,\"filter\":",
		s->abi_version, s->enabled ? "true" : "false",
		s->reader ? "true" : "false", s->maxactive, s->buf_bytes);
	at_json_string(f, s->filter, strlen(s->filter));
	fputs(",\"probes\":[", f);
	for (i = 0; i < s->nprobes; i++) {
		const struct at_stats_probe *p = &s->probe[i];

		fprintf(f, "%s{\"name\":", i ? "," : "");
		at_json_string(f, p->name, strlen(p->name));
		fprintf(f, ",\"active\":%s,\"hits\":%llu,\"nmissed\":%llu,"
			"\"kretprobe_nmissed\":%llu}",
			p->active ? "true" : "false", p->hits, p->nmissed,
			p->kretprobe_nmissed);
	}
	fputs("],\"cpus\":[", f);
	for (i = 0; i < s->ncpus; i++) {
		const struct at_stats_cpu *c = &s->cpu[i];

		fprintf(f, "%s{\"cpu\":%u,\"recorded\":%llu,\"lost\":%llu,"
			"\"filtered\":%llu,\"used\":%llu}", i ? "," : "",
			c->cpu, c->recorded, c->lost, c->filtered, c->used);
	}
	fprintf(f, "],\"recorded\":%llu,\"lost\":%llu,\"filtered\":%llu}\n",
		s->recorded, s->lost, s->filtered);
}

static void print_text(FILE *f, const struct at_stats *s)
{
	unsigned int i;

	fprintf(f, "module ABI %u, recording %s, reader %s\n",
		s->abi_version, s->enabled ? "enabled" : "disabled",
		s->reader ? "attached" : "none");
	fprintf(f, "ring %llu bytes per CPU, maxactive %llu, filter %s\n\n",
		s->buf_bytes, s->maxactive, s->filter);
	fprintf(f, "%-12s %6s %12s %10s %18s\n", "PROBE", "ACTIVE", "HITS",
		"NMISSED", "KRETPROBE_NMISSED");
	for (i = 0; i < s->nprobes; i++)
		fprintf(f, "%-12s %6s %12llu %10llu %18llu\n",
			s->probe[i].name, s->probe[i].active ? "yes" : "no",
			s->probe[i].hits, s->probe[i].nmissed,
			s->probe[i].kretprobe_nmissed);
	fprintf(f, "\n%-6s %12s %10s %10s %12s\n", "CPU", "RECORDED",
		"LOST", "FILTERED", "USED");
	for (i = 0; i < s->ncpus; i++)
		fprintf(f, "%-6u %12llu %10llu %10llu %12llu\n",
			s->cpu[i].cpu, s->cpu[i].recorded, s->cpu[i].lost,
			s->cpu[i].filtered, s->cpu[i].used);
	fprintf(f, "%-6s %12llu %10llu %10llu\n", "total", s->recorded,
		s->lost, s->filtered);
}

void at_stats_print(FILE *f, const struct at_stats *s, bool json)
{
	if (json)
		print_json(f, s);
	else
		print_text(f, s);
}

int at_cmd_stats(const struct at_opts *o)
{
	struct at_stats *s = malloc(sizeof(*s));
	int rc = AT_EXIT_OK;

	if (!s)
		return AT_EXIT_ERROR;
	if (at_stats_read(s, true))
		rc = AT_EXIT_ERROR;
	else
		at_stats_print(stdout, s, o->json);
	free(s);
	fflush(stdout);
	at_check_stdout();
	return rc;
}
