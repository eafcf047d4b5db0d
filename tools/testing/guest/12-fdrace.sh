#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 12-fdrace: every accept4 record names the socket accept() made, even
# when another thread closes or dup2()s onto the new descriptor before
# __sys_accept4 returns (at-fdrace: 10,000 accepts against a thief
# thread that loops dup2(AF_UNIX socket, F) and close(F) on the number
# F accept() hands out).  The peer in each record must be the address the caller's
# buffer received, the local address the listener's, and the records'
# peer ports the ones the accepting thread got, one for one.
. "$AT_BIN/at-lib.sh"

N=10000

# fdrace DESC ARGS...: one at-fdrace run, every field checked
fdrace() {
	_d=$1
	shift
	out=$(at-fdrace -n $N "$@")
	rc=$?
	echo "# $out"
	check_eq "$_d: at-fdrace exit status" 0 "$rc"
	for f in accepts records sock peer_ok local_ok; do
		check_eq "$_d: $f" $N "$(echo "$out" | sed -n "s/.* $f=\([0-9]*\).*/\1/p")"
	done
	check_eq "$_d: the records' peer ports are the accepted ones" 1 \
		"$(echo "$out" | sed -n 's/.* ports_ok=\([0-9]*\).*/\1/p')"
	check_eq "$_d: nothing lost" 0 "$(echo "$out" | sed -n 's/.* lost=\([0-9]*\).*/\1/p')"
	check_eq "$_d: no other record" 0 "$(echo "$out" | sed -n 's/.* other=\([0-9]*\).*/\1/p')"
	stolen=$(echo "$out" | sed -n 's/.* stolen=\([0-9]*\).*/\1/p')
	check "$_d: the thief took descriptors ($stolen of $N)" test "${stolen:-0}" -gt 0
}

load buf_kb=4096
check_eq "do_accept probed" 1 "$(stat_probe do_accept active)"
fdrace "dup2 and close on the new fd"
check_eq "do_accept kretprobe_nmissed=0" 0 "$(stat_probe do_accept kretprobe_nmissed)"
check_eq "sys_accept4 kretprobe_nmissed=0" 0 "$(stat_probe sys_accept4 kretprobe_nmissed)"
unload
finish
