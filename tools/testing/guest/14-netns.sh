#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 14-netns: one meaning for netns.  at-netns accepts, from a task it has
# moved into a new network namespace, on listeners made in the initial
# one (a TCP accept and an EAGAIN), on an AF_UNIX listener made in the
# new one, and on no socket at all (EBADF).  Each record's netns must be
# its socket's namespace (the new socket, else the listener), the task's
# only where there is no socket; and a netns= filter, set through
# debugfs, must keep exactly the records whose field carries its value.
. "$AT_BIN/at-lib.sh"

# round NAME FILTER RECORDS: at-netns -F FILTER, then its account checked
round() {
	at-netns -F "$2" >"$1.out"
	check_eq "$1: at-netns ran" 0 $?
	grep '^# netns' "$1.out" | diag
	check_eq "$1: records expected" "$3" "$(grep -c '^EXPECT' "$1.out")"
	run_tap -o "$1.chk" at-check -e "$1.out"
	check_eq "$1: at-check found every record as expected" "" \
		"$(grep '^not ok' "$1.chk")"
	check_eq "$1: records read" "$3" "$(nrec "$1.chk")"
	check_eq "$1: filter cleared when the reader closed" none \
		"$(cat $AT_DBG/filter)"
}

load
# sys: tcp, eagain, unix, ebadf; inet: tcp, eagain
round all none 6
# the initial namespace: the TCP accept and EAGAIN, sys and inet
round init init 4
# the new one: the AF_UNIX accept and EBADF
round new new 2
unload
finish
