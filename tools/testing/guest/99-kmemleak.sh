#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 99-kmemleak: the last suite of every boot (99-kmemleak.accel says "*"):
# after the boot's other suites loaded, exercised and unloaded
# accepttrace (and its KUnit module), kmemleak finds no unreferenced
# object allocated from module code.
#
# An object is a module's when a frame of its allocation backtrace is in
# module space: "[accepttrace]" while the module is loaded, a bare
# 0xffffffff[a-f]....... once it is unloaded.  Only our modules
# (accepttrace, accepttrace_kunit, the bench's accepttrace_floor) are
# loaded before this suite, so such an object is ours.  The kernel's own
# boot-time suspects have no such frame; they are counted, not failed.
#
# Then the control: kmemleak-test.ko (samples/kmemleak, built with the
# debug kernels) leaks on purpose from its __init code; after a clear, the
# same scan and the same classifier must find its objects, or a clean
# result above proves nothing.
#
# Kernels without kmemleak (Debian's) skip the suite (exit 77).
. "$AT_BIN/at-lib.sh"

KML=/sys/kernel/debug/kmemleak

if [ ! -e "$KML" ]; then
	if [ -f "${AT_KMEMLEAK_KO:-}" ]; then
		notok "kmemleak-test.ko is in the guest but $KML is missing"
		exit 1
	fi
	skip_all "kernel ${AT_KVER:-$(uname -r)} has no kmemleak"
fi
if [ ! -f "${AT_KMEMLEAK_KO:-}" ]; then
	notok "the control module kmemleak-test.ko is in the guest (AT_KMEMLEAK_KO=${AT_KMEMLEAK_KO:-unset})"
	exit 1
fi

# scan: two scans (a value left on a stack or in a register can hide an
# object from one), objects younger than 5 s are never reported.
scan() {
	sleep 6
	t0=$(date +%s)
	if echo scan >"$KML" 2>scan.err && echo scan >"$KML" 2>>scan.err; then
		ok "kmemleak scan ($1, $(($(date +%s) - t0)) s)"
	else
		notok "kmemleak scan ($1): $(cat scan.err)"
		dmesg | grep -i kmemleak | tail -n 5 | diag
		finish
	fi
	cat "$KML" >"$2"
}

# classify FILE: "<module objects> <all objects>", and the module
# objects' reports into FILE.mod.  Frames are the indented lines after
# "backtrace": "[<addr>] sym+off/len [mod]" on 6.1 (addr hashed, or
# "(____ptrval____)" before the hash key is ready), "sym+off/len [mod]"
# on 6.12; a frame in a module ends in "[mod]", or is a bare address in
# module space once the module is gone.
classify() {
	awk -v mod="$1.mod" '
	function flush(   i) {
		if (n == 0)
			return
		all++
		if (ours) {
			mine++
			for (i = 1; i <= n; i++)
				print blk[i] > mod
		}
		n = 0
		ours = 0
		bt = 0
	}
	/^unreferenced object / { flush() }
	{ blk[++n] = $0 }
	/^  backtrace/ { bt = 1; next }
	bt && /^    / {
		f = $0
		sub(/^ +/, "", f)
		sub(/^\[<[^>]*>\] /, "", f)
		if (f ~ /^0xffffffff[a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]$/ ||
		    f ~ /\[[A-Za-z0-9_]+\]$/)
			ours = 1
	}
	END { flush(); print mine + 0, all + 0 }
	' "$1"
}

: >after.txt.mod
scan "after the suites" after.txt
read -r mine all <<EOT
$(classify after.txt)
EOT
echo "# $all suspected leaks in all (the kernel's own included), $mine from module code"
check_eq "no unreferenced object allocated by accepttrace" 0 "$mine"
head -n 60 after.txt.mod | diag
# The kernel's own, shown so that a classifier gone blind would be seen.
[ "$mine" -eq "$all" ] || grep -A14 '^unreferenced object' after.txt | head -n 30 | diag

# The control.
echo clear >"$KML"
if insmod "$AT_KMEMLEAK_KO" 2>insmod.err; then
	ok "insmod kmemleak-test.ko (leaks on purpose)"
else
	notok "insmod kmemleak-test.ko: $(cat insmod.err)"
	finish
fi
: >control.txt.mod
scan "after kmemleak-test" control.txt
read -r mine all <<EOT
$(classify control.txt)
EOT
echo "# control: $all suspected leaks, $mine from module code"
check "the same scan finds kmemleak-test's leaks ($mine objects)" test "$mine" -gt 0
[ "$mine" -gt 0 ] || head -n 40 control.txt | diag
# Its leaks stay: kmemleak forgets them when the boot ends.
finish
