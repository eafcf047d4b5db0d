#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh [-k 6.1|6.12|test] [-i | -R NCPU] [at-bench.sh options] -- "make bench".
#
# Builds the module and the floor module for the kernel, the guest
# programs and the reader tool, boots one QEMU/TCG guest with -smp 2 and
# runs tools/bench/at-bench.sh in it (every arm, interleaved, in that one
# boot: only ratios within a boot mean anything under TCG).  The table
# goes to stdout and to tools/bench/results/<kernel>.txt, headed by the
# command and the kernel it ran on.  Options after -k go to at-bench.sh
# unchanged (defaults: -n 3000 -m 3000 -r 11 -g 200000 -e 5000 -c 6000).
#
# -i ("make bench-icount") counts instructions instead: one vCPU under
# QEMU -icount shift=0, where one ns of guest time is one instruction
# executed.  The numbers do not depend on the host's load, only on what
# the guest runs (its timer ticks vary them by a few tens of instructions
# per call), and the reader's work is part of the per-connection count.
# Without the second vCPU there is no 2+2 workload and no capacity
# search.  Results go to tools/bench/results/<kernel>-icount.txt.
#
# -R NCPU ("make bench-reader") measures the reader alone, per record,
# on NCPU vCPUs: at-bench.sh -D (every record already in the rings, one
# drain timed).  With one vCPU it counts instructions (-icount shift=0);
# with more it can only time the wall clock: QEMU 7.2 never brings up a
# second vCPU under -icount (the boot stops at "x86: Booting SMP
# configuration").  "make bench-reader" boots with 1, 2 and 8.
# Results: tools/bench/results/<kernel>-reader-NCPU.txt.
#
# The guest boots with tsc=reliable: TCG's TSC does not pass the
# kernel's stability checks, so the clocksource would be the HPET, whose
# every read is an emulated MMIO access costing several hundred ns, a
# cost no real machine with an invariant TSC pays for ktime_get_ns().
#
# Environment: AT_TIMEOUT (seconds, default 2400) kills a hung guest.
set -euo pipefail
AT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$AT_ROOT/tools/vm/lib.sh"

KNAME=6.1 ICOUNT=0
TIMEOUT=${AT_TIMEOUT:-2400}

main() {
	local cmdline="$0 $*" vars tmp out log results qrc=0 args load0
	local smp=(-smp 2) suffix= what="QEMU/TCG -smp 2 -m 2G, one boot"
	if [ "${1:-}" = -k ]; then
		KNAME=$2
		shift 2
	fi
	if [ "${1:-}" = -i ]; then
		ICOUNT=1
		shift
	fi
	if [ "${1:-}" = -R ]; then
		ICOUNT=2
		NCPU=$2
		shift 2
	fi
	if [ "$ICOUNT" = 2 ] && [ "$NCPU" = 1 ]; then
		args=(-D 2000 -r 5 -I "$@")
		smp=(-smp 1 -icount shift=0)
		suffix=-reader-1
		what="QEMU/TCG -smp 1 -icount shift=0 -m 2G, one boot: counts are instructions"
	elif [ "$ICOUNT" = 2 ]; then
		# QEMU 7.2 never brings up a second vCPU under -icount.
		args=(-D 2000 -r 9 "$@")
		smp=(-smp "$NCPU")
		suffix=-reader-$NCPU
		what="QEMU/TCG -smp $NCPU -m 2G, one boot: wall-clock ns"
	elif [ "$ICOUNT" = 1 ]; then
		args=(-n 2000 -m 0 -r 7 -g 20000 -e 5000 -c 0 -I "$@")
		smp=(-smp 1 -icount shift=0)
		suffix=-icount
		what="QEMU/TCG -smp 1 -icount shift=0 -m 2G, one boot: counts are instructions"
	else
		args=(-n 3000 -m 3000 -r 11 -g 200000 -e 5000 -c 6000 "$@")
	fi
	cd "$AT_ROOT"
	vars=$(tools/vm/kernels.sh "$KNAME") || die "kernel '$KNAME' is not available"
	eval "$vars"
	out=build/bench/$KVER
	msg "building the module and accepttrace_floor for $KVER"
	tools/vm/build.sh "$KDIR" "$out"
	[ -f "$out/floor/accepttrace_floor.ko" ] || die "build.sh did not build $out/floor/accepttrace_floor.ko"
	make -s -C tools/bench
	make -s -C tools/accepttrace
	[ ! -f tools/testing/Makefile ] || make -s -C tools/testing

	tmp=$(mktemp -d "${TMPDIR:-/tmp}/at-bench.XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now
	trap "rm -rf '$tmp'" EXIT
	# The programs the bench arms need (60-bench-smoke.progs), not every
	# suite's (Prometheus): 147 MB of archive, 416 MB unpacked, for 2 GiB.
	AT_PROG_SUITES=60-bench-smoke tools/vm/mkinitramfs.sh "$tmp/base.cpio.gz" "$out/module/accepttrace.ko"
	# A second archive, appended: the one "suite" this boot runs.
	mkdir -p "$tmp/o/opt/at/guest"
	printf '#!/bin/sh\nexec sh /opt/at/bin/at-bench.sh%s\n' "$(printf ' %q' "${args[@]}")" \
		>"$tmp/o/opt/at/guest/bench.sh"
	chmod 0755 "$tmp/o/opt/at/guest/bench.sh"
	(cd "$tmp/o" && find . -print0 | cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 >"$tmp/o.cpio.gz"
	cat "$tmp/base.cpio.gz" "$tmp/o.cpio.gz" >"$tmp/initramfs.cpio.gz"

	log=build/bench/console-$KVER$suffix.log
	load0=$(cut -d' ' -f1-3 /proc/loadavg)
	msg "booting $KVER (${smp[*]}); host load average: $load0; console: $log"
	timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -accel tcg "${smp[@]}" -m 2G -nographic -no-reboot \
		-nic none -kernel "$VMLINUZ" -initrd "$tmp/initramfs.cpio.gz" \
		-append "console=ttyS0 loglevel=5 printk.time=1 panic=-1 tsc=reliable at.mode=test at.suites=bench" \
		</dev/null 2>&1 | sed -u 's/\r$//' | tee "$log" |
		grep --line-buffered -E '^(not ok|CAP |PROBES |DRAIN )|^ok [0-9]+ round' >&2 || qrc=$?

	sed -n '/^=== accepttrace benchmark/,/^=== end/p' "$log" >"$tmp/table"
	[ -s "$tmp/table" ] || die "the guest printed no table (qemu/pipeline rc=$qrc); see $log"
	mkdir -p tools/bench/results
	results=tools/bench/results/$KNAME$suffix.txt
	{
		echo "command: ${BENCH_CMD:-$cmdline}"
		echo "kernel:  $KVER (Debian), $what"
		echo "date:    $(date -u '+%Y-%m-%d %H:%M UTC'); host: $(nproc) CPUs, load average $load0 at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
		grep -E '^not ok' "$log" | sed 's/^/incomplete: /' || true
		echo
		cat "$tmp/table"
	} >"$results"
	echo
	cat "$results"
	msg "results written to $results"
	! grep -qE '^not ok' "$log"
}

main "$@"
