#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# stress.sh [KERNEL...] -- make stress: the lifecycle suite (70-lifecycle)
# with many more load/unload cycles, one guest boot per kernel.
#
#   STRESS_CYCLES   cycles per kernel (default 2000)
#   KERNELS         kernels when none are named (default "6.1 6.12")
#   STRESS_ACCEL    QEMU accelerator (default: the suite's own, single-
#                   threaded TCG; "tcg" is multi-threaded TCG, which
#                   executes stale code after cross-CPU text patching)
#
# Prints, per kernel, how many cycles ran clean out of how many, and the
# verdict of the kernel log; exits non-zero if any cycle failed, the
# guest died or the kernel complained.  The console logs stay in
# build/stress/.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

CYCLES=${STRESS_CYCLES:-2000}
ACCEL=${STRESS_ACCEL:-$(cat "$AT_ROOT/tools/testing/guest/70-lifecycle.accel")}

one() {
	local name=$1 vars KVER KDIR VMLINUZ out log rc=0 okc nok
	vars=$("$AT_ROOT/tools/vm/kernels.sh" "$name") || { msg "kernel $name unavailable"; return 1; }
	eval "$vars"
	out="$AT_ROOT/build/stress/$KVER"
	"$AT_ROOT/tools/vm/build.sh" "$KDIR" "$out" >/dev/null ||
		die "build for $KVER failed, see $out/build.log"
	log="$AT_ROOT/build/stress/$name.console.log"
	msg "$name ($KVER): $CYCLES load/unload cycles under accept churn; console: $log"
	# ~2 s a cycle under TCG, with room to spare.
	AT_ACCEL=$ACCEL AT_ACCEL_FORCE=$ACCEL \
	AT_APPEND="at.cycles=$CYCLES" AT_RESULTS=/dev/null "$AT_ROOT/tools/vm/run.sh" \
		-s 70-lifecycle -l "stress/$name" -o "$log" -t $((CYCLES * 6 + 600)) \
		"$VMLINUZ" "$out/module/accepttrace.ko" || rc=$?
	okc=$(grep -cE '^ *ok [0-9]+ cycle ' "$log" || true)
	nok=$(grep -cE '^ *not ok [0-9]+ cycle ' "$log" || true)
	echo "stress/$name: $okc of $CYCLES cycles clean, $nok failed ($KVER, -accel $ACCEL)"
	[ "$rc" -eq 0 ] && [ "$okc" -eq "$CYCLES" ]
}

main() {
	local k fail=0
	[ $# -gt 0 ] || set -- ${KERNELS:-6.1 6.12}
	mkdir -p "$AT_ROOT/build/stress"
	make -s -C "$AT_ROOT/tools/testing"
	make -s -C "$AT_ROOT/tools/accepttrace" all tests/jsoncheck
	for k in "$@"; do
		one "$k" || fail=1
	done
	return $fail
}

main "$@"
