// SPDX-License-Identifier: GPL-2.0
/*
 * at-insmod - load a module once and say how it went.
 *
 *   at-insmod KO [PARAM=VALUE]...
 *
 * One finit_module() with the parameters joined by blanks, as insmod
 * passes them; prints "ok" or the errno's name ("EINVAL", "ERANGE").
 * busybox insmod retries every failure with init_module(), loading the
 * module twice, and prints strerror() text: a suite refusing many
 * parameters on a slow kernel wants neither.  Exit status 0 if loaded,
 * 1 if refused, 2 if KO cannot be opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char params[4096] = "";
	size_t len = 0;
	int fd, i;

	if (argc < 2) {
		fprintf(stderr, "usage: at-insmod KO [PARAM=VALUE]...\n");
		return 2;
	}
	for (i = 2; i < argc; i++)
		len += snprintf(params + len, sizeof(params) - len, "%s%s",
				i > 2 ? " " : "", argv[i]);
	if (len >= sizeof(params)) {
		fprintf(stderr, "at-insmod: parameters too long\n");
		return 2;
	}
	fd = open(argv[1], O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "at-insmod: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (syscall(SYS_finit_module, fd, params, 0)) {
		const char *name = strerrorname_np(errno);

		if (name)
			printf("%s\n", name);
		else
			printf("errno %d\n", errno);
		return 1;
	}
	printf("ok\n");
	return 0;
}
