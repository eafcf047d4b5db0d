#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Smoke test: the module loads, creates its device and debugfs directory,
# and unloads cleanly.
#
# Guest suite conventions (tools/vm/README.md): POSIX sh, environment AT_KO,
# AT_KUNIT_KO, AT_BIN, AT_KVER; one KTAP document on stdout through
# at-lib.sh's ok/notok/check (numbered results, "# " diagnostics); exit
# non-zero if anything failed.
. "$AT_BIN/at-lib.sh"

if insmod "$AT_KO"; then
	ok "insmod $AT_KO"
else
	notok "insmod $AT_KO"
	exit 1
fi

check "/dev/accepttrace is a character device" test -c /dev/accepttrace
mode=$(stat -c %a /dev/accepttrace 2>/dev/null)
check "/dev/accepttrace has mode 0600 (got ${mode:-none})" test "$mode" = 600
check "/sys/kernel/debug/accepttrace/ exists" test -d /sys/kernel/debug/accepttrace
check "rmmod accepttrace" rmmod accepttrace
check "/dev/accepttrace is gone after rmmod" test ! -e /dev/accepttrace
check "debugfs directory is gone after rmmod" test ! -e /sys/kernel/debug/accepttrace

exit $AT_FAILED
