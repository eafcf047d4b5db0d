#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 15-compat32: accept(2) and accept4(2) from 32-bit programs.
#
# at-compat32, a static i386 program, makes its calls with int $0x80 as
# socketcall(2) (SYS_ACCEPT, SYS_ACCEPT4, an argument array) and as
# accept4(2); at-x32, a static x32 program, as accept and accept4 with
# __X32_SYSCALL_BIT.  Good and bad arguments: IPv4, IPv6, AF_UNIX path
# and abstract; flags 0, SOCK_NONBLOCK, SOCK_CLOEXEC, both, invalid;
# addr/addrlen NULL, short, zero, negative, unmapped; EAGAIN, EBADF,
# ENOTSOCK; and two socketcalls the kernel refuses before accepting (an
# unmapped argument array, call 0), which must leave no record.
#
# Every record is held to the program's account by at-check, field by
# field (syscall, pid, tid, comm, fd, flags, ret, errno, addr, addrlen
# in and out, the caller's buffer, family, local, peer; inet_accept's
# flags, listener, queue); the records, probe hits and syscall= values
# are counted exactly; the same account with the syscall names swapped
# must fail at-check on every sys_accept4 record; the text lines are
# rebuilt from the account.  The boot has syscall.x32=y
# (15-compat32.append): Debian builds x32 in, but off.
. "$AT_BIN/at-lib.sh"

# nsys PROG.out SYSCALL: sys_accept4 EXPECT lines with syscall=SYSCALL
nsys() {
	grep -c "^EXPECT .* probe=sys_accept4 syscall=$2 " "$1"
}

# abi PROG SOCKETCALL ACCEPT ACCEPT4 NORECORD SWAP: PROG's cases, whose
# records are SOCKETCALL, ACCEPT and ACCEPT4 sys_accept4 records by
# syscall, after NORECORD calls that make none; SWAP is the sed script
# that swaps its syscall names for the self-test.
abi() {
	p=$1
	load
	"$p" >"$p.out"
	check_eq "$p: every case ran as the man pages say" 0 $?
	grep FAILED "$p.out" | diag
	nexp=$(count_expect "$p.out")
	ns=$(count_expect "$p.out" sys_accept4)
	ni=$(count_expect "$p.out" inet_accept)
	echo "# $p: $nexp records expected: $ns sys_accept4, $ni inet_accept"
	check_eq "$p: syscall=socketcall records" "$2" "$(nsys "$p.out" socketcall)"
	check_eq "$p: syscall=accept records" "$3" "$(nsys "$p.out" accept)"
	check_eq "$p: syscall=accept4 records" "$4" "$(nsys "$p.out" accept4)"
	check_eq "$p: every sys_accept4 record is one of the three" \
		$(($2 + $3 + $4)) "$ns"
	check_eq "$p: calls refused before __sys_accept4" "$5" \
		"$(grep -c '^# norecord ' "$p.out")"
	check_eq "$p: hits sys_accept4 = $ns (refused calls add none)" \
		"$ns" "$(stat_probe sys_accept4 hits)"
	check_eq "$p: hits inet_accept = $ni" "$ni" "$(stat_probe inet_accept hits)"
	check_eq "$p: total recorded = $nexp" "$nexp" "$(stat_total recorded)"
	check_eq "$p: total lost = 0" 0 "$(stat_total lost)"
	for q in sys_accept4 inet_accept; do
		check_eq "$p: $q kretprobe_nmissed=0" 0 "$(stat_probe $q kretprobe_nmissed)"
	done
	run_tap -o "$p.chk" at-check -e "$p.out" -w "$p.rec"
	check_eq "$p: records read = records expected" "$nexp" \
		"$(summary_field "$p.chk" total)"
	check_eq "$p: sys_accept4 records read" "$ns" \
		"$(summary_field "$p.chk" sys_accept4)"

	# The checker fails a record whose syscall is not the account's.
	sed "$6" "$p.out" >"$p.swap"
	check_eq "$p: the swapped account differs on every sys_accept4 line" \
		"$ns" "$(awk 'NR == FNR { a[FNR] = $0; next }
			$0 != a[FNR] { n++ } END { print n + 0 }' "$p.out" "$p.swap")"
	at-check -n -r "$p.rec" -e "$p.swap" >"$p.swap.chk"
	check_eq "$p: at-check fails the swapped account" 1 $?
	check_eq "$p: ... on every sys_accept4 record, and nothing else" \
		"$ns" "$(grep -c '^not ok' "$p.swap.chk")"
	check_eq "$p: ... by its syscall field alone" "$ns $ns" \
		"$(grep -c '^#   syscall: expected ' "$p.swap.chk") $(grep -c '^#   [a-z_]*: expected ' "$p.swap.chk")"

	# The text lines, rebuilt from a second run's account.
	"$p" >"$p.t.out"
	check_eq "$p: second run" 0 $?
	at-dev read 65536 >"$p.txt"
	check_text "$p.txt" "$p.t.out" "$p: text lines"
	unload
}

# Is there an ia32 (x32) system call entry in this kernel at all?  x32
# compat calls are __x64_compat_sys_*; Debian's syscall.x32 parameter
# exists wherever x32 is built in, on or off.
has_ia32() { grep -q ' __ia32_sys_accept4$' /proc/kallsyms; }
has_x32() {
	[ -e /sys/module/syscall/parameters/x32 ] ||
		grep -q ' __x64_compat_sys_recvmsg$' /proc/kallsyms
}

if ! at-compat32 --list >/dev/null 2>&1; then
	if ! has_ia32; then
		skip_all "$AT_KVER has no ia32 emulation (CONFIG_IA32_EMULATION)"
	fi
	notok "at-compat32 (i386) runs on a kernel with ia32 system calls"
	finish
fi

abi at-compat32 14 0 9 2 \
	's/ syscall=socketcall / syscall=X /; s/ syscall=accept4 / syscall=socketcall /; s/ syscall=X / syscall=accept4 /'

# By hand, as accepttrace(4) documents the line: socketcall(SYS_ACCEPT)
# with junk where SYS_ACCEPT4's flags would be: flags=0.
ev() {
	awk -v c="case=$1" -v k="$2" '$2 == c && $3 == "probe=sys_accept4" {
		for (i = 4; i <= NF; i++)
			if (index($i, k "=") == 1) print substr($i, length(k) + 2) }' at-compat32.t.out
}
pid=$(ev sc_accept_ipv4 pid)
n=$(grep -cE "^[0-9]+\.[0-9]{9} cpu=[0-9]+ pid=$pid tid=$pid comm=at-compat32 socketcall\(fd=$(ev sc_accept_ipv4 fd), addr=$(ev sc_accept_ipv4 addr), addrlen=16->16, flags=0\) = $(ev sc_accept_ipv4 ret) peer=127\.0\.0\.1:$(ev sc_accept_ipv4 peer_port) local=127\.0\.0\.1:$(ev sc_accept_ipv4 local_port) lat=[0-9]+\.[0-9]{3}us\$" at-compat32.txt)
check_eq "i386 socketcall(SYS_ACCEPT) line, flags=0" 1 "$n"
n=$(grep -cE "^[0-9]+\.[0-9]{9} cpu=[0-9]+ pid=$pid tid=$pid comm=at-compat32 accept4\(fd=$(ev accept4_badflags fd), addr=0x[0-9a-f]+, addrlen=128->128, flags=0x80000000\) = -22 EINVAL lat=" at-compat32.txt)
check_eq "i386 accept4 (364) line, flags=INT_MIN: EINVAL" 1 "$n"

if at-x32 --list >/dev/null 2>&1; then
	abi at-x32 0 5 5 0 \
		's/ syscall=accept / syscall=X /; s/ syscall=accept4 / syscall=accept /; s/ syscall=X / syscall=accept4 /'
elif has_x32; then
	notok "at-x32 runs: x32 is built in (boot with syscall.x32=y, see 15-compat32.append)"
	cat /sys/module/syscall/parameters/x32 2>&1 | diag
else
	echo "# $AT_KVER has no x32 ABI (CONFIG_X86_X32_ABI): at-x32 not run"
fi

finish
