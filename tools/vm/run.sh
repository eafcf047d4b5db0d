#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run.sh [options] VMLINUZ KO [KUNIT_KO] -- boot a test guest under TCG.
#
#   -m test|shell|demo  test: run guest suites and judge them (default)
#                       shell: interactive shell with the module loaded
#                       demo: run tools/vm/demo-guest.sh and show its output
#   -s SUITES           guest suites to run (names or numbers; default all)
#   -l LABEL            prefix of summary lines, e.g. guest/6.12
#   -o LOG              keep the console log here (default: a temp file)
#   -t SECONDS          kill the guest when one suite (or the boot before
#                       the first) takes longer than this (AT_TIMEOUT, 600)
#
# Environment: AT_SMP (vCPUs, 4), AT_ONLINE (of which online at boot, 2),
# AT_MEM (2G: 60-bench-smoke's bpftrace, bcc and kernel headers with
# 45-metrics' Prometheus outgrow 1G), AT_APPEND (more kernel command
# line, e.g. at.cycles=N),
# AT_ACCEL (QEMU -accel, default tcg; e.g. tcg,thread=single), AT_ACCEL_FORCE
# (the same, also for the suites that name their own: see test_boots()).
#
# In test mode prints one PASS/FAIL line per suite plus one for the kernel
# log and exits non-zero if anything failed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

MODE=test SUITES=${SUITES:-all} LABEL=guest LOG= TIMEOUT=${AT_TIMEOUT:-600}

qemu_cmd() {
	local vmlinuz=$1 initrd=$2 append=$3
	# loglevel=5 keeps warnings (level 4) on the console but drops the
	# boot chatter.  panic=-1 + -no-reboot turns a panic into a QEMU exit
	# instead of a hang; oopses in process context are left non-fatal so
	# the remaining tests still report.
	#
	# The guest has AT_SMP (4) vCPUs of which AT_ONLINE (2) are brought
	# up at boot (maxcpus=): the others are possible but offline until
	# a suite onlines them through sysfs, as on a VM with hot-pluggable
	# CPUs.  Halted vCPUs cost TCG nothing.
	QEMU=(qemu-system-x86_64 -accel "${AT_ACCEL:-tcg}" -smp "${AT_SMP:-4}" -m "${AT_MEM:-2G}" -nographic -no-reboot
		-nic none -kernel "$vmlinuz" -initrd "$initrd"
		-append "console=ttyS0 loglevel=5 printk.time=1 panic=-1 sysrq_always_enabled maxcpus=${AT_ONLINE:-2} $append ${AT_APPEND:-}")
}

check_host() {
	command -v qemu-system-x86_64 >/dev/null ||
		die "qemu-system-x86_64 is missing — run: make deps (or apt-get install qemu-system-x86)"
	[ -f "$1" ] || die "kernel image $1 does not exist — run: tools/vm/kernels.sh <name>"
}

# Run QEMU with the console in RAW and give every step of the guest (boot,
# each suite, shutdown: the stretches between "@@AT" markers) TIMEOUT
# seconds.  A per-step limit catches a hung suite as soon as a whole-run
# limit would, without capping how many suites one boot may run.
# Returns QEMU's status, or 124 if the guest was killed.
watch_guest() {
	local raw=$1 pid last= cur deadline
	: >"$raw"
	rm -f "$raw.pm"
	"${QEMU[@]}" -serial "file:$raw" -monitor "unix:$raw.mon,server=on,wait=off" \
		</dev/null >"$raw.qemu" 2>&1 &
	pid=$!
	deadline=$((SECONDS + TIMEOUT))
	while kill -0 "$pid" 2>/dev/null; do
		sleep 1
		cur=$(grep -a -c '^@@AT ' "$raw" || true)
		if [ "$cur" != "$last" ]; then
			last=$cur
			deadline=$((SECONDS + TIMEOUT))
		elif [ "$SECONDS" -ge "$deadline" ]; then
			postmortem "$raw" >"$raw.pm" 2>&1 || true
			kill "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
			return 124
		fi
	done
	wait "$pid"
}

# One command to the QEMU monitor of the guest whose console is $1.
monitor() {
	printf '%s\n' "$2" | timeout 10 socat -t 3 - "UNIX-CONNECT:$1.mon" 2>/dev/null |
		tr -d '\r'
}

# The text symbol at or below each address on stdin (hex, one per line),
# from the System.map next to the kernel image, if there is one, moved
# by KASLR to where the guest's _stext is (console $1, "@@AT stext").
symbolize() {
	local map d=${VMLINUZ%/*} stext
	stext=$(sed -n 's/^@@AT stext \([0-9a-f]*\).*/\1/p' "$1" | tail -n1)
	for map in "$d/System.map" "$d/../../../System.map"; do
		[ -f "$map" ] && break
	done
	# Debian's System.map is a stub: without a real one, the offset
	# from _stext (the same on every boot of that kernel; resolve it
	# with /proc/kallsyms of any boot, or the -dbg package).
	if [ ! -f "$map" ] || ! grep -q ' _stext$' "$map"; then
		map=/dev/null
	fi
	awk -v map="$map" -v stext="$stext" '
	function hex(s,   i, c, v) {
		v = 0
		# The low 40 bits: exact in awk doubles, and kernel text
		# and modules share the upper ones.
		s = tolower(s)
		s = substr(s, length(s) > 10 ? length(s) - 9 : 1)
		for (i = 1; i <= length(s); i++) {
			c = index("0123456789abcdef", substr(s, i, 1))
			v = v * 16 + c - 1
		}
		return v
	}
	BEGIN {
		while ((getline line < map) > 0) {
			split(line, f, " ")
			if (f[2] !~ /^[tT]$/)
				continue
			n++; a[n] = hex(f[1]); name[n] = f[3]
			if (f[3] == "_stext")
				base = a[n]
		}
		slide = stext != "" && base ? hex(stext) - base : 0
	}
	{
		if (!n) {
			if (stext != "" && hex($1) >= hex(stext))
				printf "%s _stext+0x%x\n", $1, hex($1) - hex(stext)
			else
				printf "%s ?\n", $1
			next
		}
		x = hex($1) - slide; lo = 1; hi = n; best = 0
		while (lo <= hi) {
			mid = int((lo + hi) / 2)
			if (a[mid] <= x) { best = mid; lo = mid + 1 } else hi = mid - 1
		}
		if (best && x - a[best] < 1048576)
			printf "%s %s+0x%x\n", $1, name[best], x - a[best]
		else
			printf "%s ?\n", $1
	}'
}

# A guest that stopped making progress: where each vCPU is (three
# samples of every vCPU's RIP, named from System.map), then the kernel's
# own view through magic SysRq (console loglevel 9, blocked tasks, every
# CPU's backtrace), which the console log keeps.  The kernel boots with
# sysrq_always_enabled for this.
postmortem() {
	local raw=$1 i
	for i in 1 2 3; do
		monitor "$raw" "info registers -a" |
			sed -n 's/^RIP=\([0-9a-f]*\).*/\1/p' | symbolize "$raw" |
			awk -v i="$i" '{ printf "sample %d vcpu %d: %s\n", i, NR - 1, $2 }'
		sleep 1
	done
	for i in 9 w l; do
		monitor "$raw" "sendkey alt-sysrq-$i" >/dev/null
		sleep 3
	done
	sleep 5
}

# Per suite: name, passes, failures, skips, KTAP format errors, rc ("-"
# if it never ended), guest seconds ("-" if unknown), 1 if it skipped
# as a whole ("1..0 # SKIP"); then "@boot" with the format errors of the
# boot's own document (tools/vm/ktap.awk).  The errors, each named, go
# to $2.
parse_suites() {
	awk -v sections=1 -f "$AT_ROOT/tools/vm/ktap.awk" "$1" 2>"$2"
}

# Shown once per boot: the last 40 console lines of a guest that hung or
# died under a suite.
tail_console() {
	[ -n "${TAIL_SHOWN:-}" ] && return 0
	TAIL_SHOWN=1
	local pm=${1%.log}.pm sysrq
	if [ -s "$pm" ]; then
		echo "    where the vCPUs were ($2):"
		sed 's/^/    @ /' "$pm"
	fi
	# The SysRq dumps the postmortem asked for come after the suite's
	# own last lines; show both.
	sysrq=$(grep -a -n -m1 'sysrq: Changing Loglevel' "$1" | cut -d: -f1 || true)
	echo "    last 40 console lines ($2):"
	if [ -n "$sysrq" ]; then
		head -n $((sysrq - 1)) "$1" | tail -n 40 | sed 's/^/    | /'
		echo "    what SysRq w and l printed (first 120 lines):"
		tail -n +"$sysrq" "$1" | head -n 120 | sed 's/^/    ! /'
	else
		tail -n 40 "$1" | sed 's/^/    | /'
	fi
}

judge() {
	local log=$1 qrc=$2 suites=$3 name line ok nok skip errs rc secs sall
	local fail=0 splats kerr=${1%.log}.ktap-errors
	declare -A got=()
	while read -r name ok nok skip errs rc secs sall; do
		got[$name]="$ok $nok $skip $errs $rc $secs $sall"
	done < <(parse_suites "$log" "$kerr")

	local why="qemu exited with rc=$qrc"
	if [ "$qrc" -eq 124 ] || [ "$qrc" -eq 137 ]; then
		why="guest killed: no progress for ${TIMEOUT}s (AT_TIMEOUT)"
	fi
	for name in ${suites//,/ }; do
		if [ -z "${got[$name]:-}" ]; then
			report FAIL "$LABEL/$name" 0 1 "never started: $why"
			tail_console "$log" "$why"
			fail=1
			continue
		fi
		read -r ok nok skip errs rc secs sall <<<"${got[$name]}"
		# A skip is a failure: what was not run was not shown to work.
		local bad=$((nok + skip + errs))
		local counts="$ok ok, $nok not ok, $skip skipped, $errs KTAP errors"
		if [ "$rc" = - ]; then
			report FAIL "$LABEL/$name" "$ok" $((bad + 1)) "$counts, did not finish: $why"
			tail_console "$log" "$why"
			fail=1
		elif [ "$rc" -eq 77 ] && [ "$sall" = 1 ] && [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then
			# Exit 77 with a "1..0 # SKIP" plan: the suite does not
			# apply to this kernel (e.g. KUnit on a Debian kernel).
			# Shown, not counted.
			printf '%-4s  %-32s  (%s)\n' N/A "$LABEL/$name" "not applicable to this kernel: $(sed -n "/^@@AT suite-begin $name\$/,/^@@AT suite-end $name /s/^ *1\.\.0 # SKIP //p" "$log" | head -n1)"
		elif [ "$rc" -ne 0 ] || [ "$bad" -ne 0 ]; then
			# A failing suite that printed no "not ok" still counts one failure.
			[ "$bad" -eq 0 ] && bad=1
			report FAIL "$LABEL/$name" "$ok" "$bad" "$counts, rc=$rc"
			grep -F " $name: " "$kerr" | head -n 10 | sed 's/^/    ! /' || true
			fail=1
		elif [ "$ok" -eq 0 ]; then
			report FAIL "$LABEL/$name" 0 1 "no results, rc=0"
			fail=1
		else
			report PASS "$LABEL/$name" "$ok" 0 "$ok test$([ "$ok" -eq 1 ] || echo s)$([ "${secs:--}" = - ] || echo ", $secs s")"
		fi
	done
	read -r _ _ _ errs _ <<<"${got[@boot]:-0 0 0 0}"
	if [ "${errs:-0}" -ne 0 ]; then
		report FAIL "$LABEL/ktap" 0 "$errs" "the boot's KTAP document is malformed"
		grep -vE '^ktap: [^:]*:[0-9]+: [0-9]{2}-[A-Za-z0-9_-]*: ' "$kerr" |
			head -n 10 | sed 's/^/    ! /' || true
		fail=1
	fi
	# The matching lines plus a little context (the first stack frames).
	# (Not in the SysRq dumps a postmortem asked for: see tail_console.)
	splats=$(sed '/sysrq: Changing Loglevel/,$d' "$log" | grep -E -A3 "$KERNEL_SPLAT_RE" || true)
	if [ -n "$splats" ]; then
		report FAIL "$LABEL/kernel-log" 0 1 "kernel warnings in console"
		printf '%s\n' "$splats" | head -n 60 | sed 's/^/    ! /'
		fail=1
	elif ! grep -q '^@@AT guest-end' "$log"; then
		report FAIL "$LABEL/kernel-log" 0 1 "guest did not shut down cleanly: $why"
		tail_console "$log" "$why"
		fail=1
	else
		report PASS "$LABEL/kernel-log" 1 0 "clean"
	fi
	return $fail
}

main() {
	local opt
	while getopts m:s:l:o:t: opt; do
		case $opt in
		m) MODE=$OPTARG ;;
		s) SUITES=$OPTARG ;;
		l) LABEL=$OPTARG ;;
		o) LOG=$OPTARG ;;
		t) TIMEOUT=$OPTARG ;;
		*) die "usage: run.sh [-m mode] [-s suites] [-l label] [-o log] [-t secs] VMLINUZ KO [KUNIT_KO]" ;;
		esac
	done
	shift $((OPTIND - 1))
	[ $# -ge 2 ] || die "usage: run.sh [-m mode] [-s suites] [-l label] [-o log] [-t secs] VMLINUZ KO [KUNIT_KO]"
	local vmlinuz=$1 ko=$2 kunit=${3:-} tmp suites qrc=0
	check_host "$vmlinuz"
	VMLINUZ=$vmlinuz
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/at-run.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	[ -n "$LOG" ] || LOG=$tmp/console.log
	# A test boot carries the extra programs of its own suites only
	# (45-metrics' Prometheus binaries are 110 MB).
	local progs_for=all
	[ "$MODE" != test ] || progs_for=$(guest_suites "$SUITES" | paste -sd, -)
	AT_PROG_SUITES=$progs_for \
		"$AT_ROOT/tools/vm/mkinitramfs.sh" "$tmp/initramfs.cpio.gz" "$ko" "$kunit"

	case $MODE in
	shell)
		qemu_cmd "$vmlinuz" "$tmp/initramfs.cpio.gz" "at.mode=shell"
		msg "booting $vmlinuz; the module is loaded, 'exit' powers off (Ctrl-a x kills QEMU)"
		"${QEMU[@]}"
		return
		;;
	demo)
		qemu_cmd "$vmlinuz" "$tmp/initramfs.cpio.gz" "at.mode=demo"
		msg "booting $vmlinuz in QEMU (TCG, ~20 s)"
		timeout -k 5 "$TIMEOUT" "${QEMU[@]}" </dev/null 2>&1 | tr -d '\r' >"$LOG" || qrc=$?
		sed -n '/^@@AT demo-begin/,/^@@AT demo-end/p' "$LOG" | grep -v '^@@AT'
		if grep -qE "$KERNEL_SPLAT_RE" "$LOG"; then
			msg "kernel warnings in the console:"
			grep -E "$KERNEL_SPLAT_RE" "$LOG" | head -n 40
			return 1
		fi
		grep -q '^@@AT demo-end rc=0' "$LOG" || { tail_console "$LOG" "demo failed, qemu rc=$qrc"; return 1; }
		return 0
		;;
	test) ;;
	*) die "unknown mode '$MODE' — use test, shell or demo" ;;
	esac

	suites=$(guest_suites "$SUITES" | paste -sd, -)
	[ -n "$suites" ] || die "no guest suite matches SUITES='$SUITES' (see tools/testing/guest/)"
	# Knobs of the hostile-input suite (80-hostile), numbers only.
	local v fuzz=
	for v in AT_FUZZ_SECONDS AT_FUZZ_SEED; do
		[ -n "${!v:-}" ] || continue
		[[ ${!v} =~ ^[0-9]+$ ]] || die "$v=${!v}: not a number"
		fuzz+=" at.${v#AT_}=${!v}"
	done
	test_boots "$vmlinuz" "$tmp" "$suites" "${fuzz,,}"
}

# A suite may name the QEMU accelerator it needs in NAME.accel next to
# it (70-lifecycle: single-threaded TCG, see tools/vm/README.md, "Load
# and unload under QEMU"), and kernel command line it needs in
# NAME.append (15-compat32: syscall.x32=y).  Suites are booted in groups, one boot
# per accelerator and command line, the default group first; a group
# other than the default reports under LABEL/ACCEL (LABEL/APPEND,
# LABEL/ACCEL/APPEND) and keeps its console in LOG with those in its
# name.  A suite whose NAME.accel says "*" runs at the end of every boot
# (99-kmemleak: each boot's leaks are its own).
test_boots() {
	local vmlinuz=$1 tmp=$2 suites=$3 extra=$4 s acc app key list log label rc=0 qrc every=
	local -A group=() gacc=() gapp=()
	local order=()
	for s in ${suites//,/ }; do
		acc=$(cat "$AT_ROOT/tools/testing/guest/$s.accel" 2>/dev/null || echo "${AT_ACCEL:-tcg}")
		if [ "$acc" = "*" ]; then
			every+=",$s"
			continue
		fi
		acc=${AT_ACCEL_FORCE:-$acc}
		app=$(sed 's/#.*//' "$AT_ROOT/tools/testing/guest/$s.append" 2>/dev/null | xargs || true)
		key="$acc|$app"
		if [ -z "${group[$key]:-}" ]; then
			order+=("$key")
			gacc[$key]=$acc
			gapp[$key]=$app
		fi
		group[$key]+="${group[$key]:+,}$s"
	done
	if [ ${#order[@]} -eq 0 ]; then
		acc=${AT_ACCEL_FORCE:-${AT_ACCEL:-tcg}}
		key="$acc|"
		order=("$key")
		gacc[$key]=$acc
		gapp[$key]=
		group[$key]=
	fi
	for key in "${order[@]}"; do
		acc=${gacc[$key]} app=${gapp[$key]}
		list=${group[$key]}$every
		list=${list#,}
		log=$LOG label=$LABEL
		if [ "$acc" != "${AT_ACCEL:-tcg}" ]; then
			log="${log%.log}.${acc//[^a-z0-9]/-}.log"
			label="$label/${acc//[^a-z0-9=]/-}"
		fi
		if [ -n "$app" ]; then
			log="${log%.log}.${app//[^a-z0-9]/-}.log"
			label="$label/${app//[^a-z0-9=.]/-}"
		fi
		qrc=0
		AT_ACCEL=$acc qemu_cmd "$vmlinuz" "$tmp/initramfs.cpio.gz" "at.mode=test at.suites=$list$extra${app:+ $app}"
		watch_guest "$tmp/console.raw" || qrc=$?
		tr -d '\r' <"$tmp/console.raw" >"$log"
		rm -f "${log%.log}.pm"
		[ ! -s "$tmp/console.raw.pm" ] || mv "$tmp/console.raw.pm" "${log%.log}.pm"
		LABEL=$label judge "$log" "$qrc" "$list" || rc=1
		TAIL_SHOWN=
	done
	return $rc
}

main "$@"
