#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# hotplug-soak.sh [options] VMLINUZ KO -- boot 76-hotplug-soak once and,
# if the guest stops making progress, tell starvation from deadlock.
# An experiment for issue 11 (tools/vm/README.md, 75-hotplug), not part
# of make check.
#
#   -a ACCEL     QEMU accelerator (tcg = multi-threaded, tcg,thread=single)
#   -b N         N busy loops on the host while the guest runs (default 0)
#   -A APPEND    more kernel command line (at.soak_module=0 at.soak_cycles=N
#                at.soak_census=0, see 76-hotplug-soak.sh)
#   -s SECONDS   no new console line for this long is a stall (default 180)
#   -r SECONDS   after a stall, the busy loops are killed and the guest has
#                this long to make progress again (default 300)
#   -T SECONDS   kill the guest after this long in any case (default 1800)
#   -o LOG       console log (default build/soak/console-<time>.log);
#                the watchdog's own notes go to LOG.notes
#
# On a stall: every vCPU's RIP and RDI, twice, 5 s apart (symbolized
# with the kernel's System.map if there is one beside VMLINUZ, else
# as _stext offsets), the words on each vCPU's stack that point into
# the kernel's text; then the host load is removed.  Progress after
# that is starvation (the guest only needed CPU), none is a hang in the
# guest (then SysRq l and w go to the console, and the samples repeat).
# The verdict is the last line: DONE, STARVED-RECOVERED, HUNG, TIMEOUT.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

ACCEL=tcg BUSY=0 APPEND='' STALL=180 RECOVER=300 MAXT=1800 LOG=''
while getopts a:b:A:s:r:T:o: opt; do
	case $opt in
	a) ACCEL=$OPTARG ;;
	b) BUSY=$OPTARG ;;
	A) APPEND=$OPTARG ;;
	s) STALL=$OPTARG ;;
	r) RECOVER=$OPTARG ;;
	T) MAXT=$OPTARG ;;
	o) LOG=$OPTARG ;;
	*) die "usage: hotplug-soak.sh [-a accel] [-b busy] [-A append] [-s stall] [-r recover] [-T max] [-o log] VMLINUZ KO" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || die "usage: hotplug-soak.sh [options] VMLINUZ KO"
VMLINUZ=$1 KO=$2
[ -n "$LOG" ] || LOG=$AT_ROOT/build/soak/console-$(date +%H%M%S).log
mkdir -p "$(dirname "$LOG")"
NOTES=$LOG.notes
: >"$NOTES"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/at-soak.XXXXXX")
busy_pids=() qpid=

note() { printf '%s %s\n' "$(date +%T)" "$*" | tee -a "$NOTES" >&2; }

unload_host() {
	local p
	for p in "${busy_pids[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	busy_pids=()
}

cleanup() {
	unload_host
	[ -z "$qpid" ] || kill "$qpid" 2>/dev/null || true
	[ ! -f "$tmp/console.raw" ] || tr -d '\r' <"$tmp/console.raw" >"$LOG"
	rm -rf "$tmp"
}
trap cleanup EXIT

# Symbols: System.map beside the image (debug kernels: KASLR is off).
MAP=
for m in "${VMLINUZ%/*}/System.map" "${VMLINUZ%/*}/../../../System.map"; do
	if [ -f "$m" ] && grep -q ' _stext$' "$m"; then
		MAP=$m
		break
	fi
done

mon() {
	printf '%s\n' "$@" | timeout 20 socat -t 5 - "UNIX-CONNECT:$tmp/console.raw.mon" 2>/dev/null |
		tr -d '\r'
}

# sym [text]: each address on stdin as symbol+offset (any symbol, for
# RDI; with "text", text symbols only, for stack words).
sym() {
	awk -v map="$MAP" -v textonly="${1:-}" '
	function hex(s,   i, c, v) {
		v = 0; s = tolower(s); sub(/^0x/, "", s)
		s = substr(s, length(s) > 10 ? length(s) - 9 : 1)
		for (i = 1; i <= length(s); i++) {
			c = index("0123456789abcdef", substr(s, i, 1)); v = v * 16 + c - 1
		}
		return v
	}
	BEGIN {
		while (map != "" && (getline line < map) > 0) {
			split(line, f, " ")
			if (textonly && f[2] !~ /^[tT]$/)
				continue
			n++; a[n] = hex(f[1]); nm[n] = f[3]
		}
	}
	{
		x = hex($1); lo = 1; hi = n; best = 0
		while (lo <= hi) {
			mid = int((lo + hi) / 2)
			if (a[mid] <= x) { best = mid; lo = mid + 1 } else hi = mid - 1
		}
		if (best && x - a[best] < 65536)
			printf "%s=%s+0x%x", $1, nm[best], x - a[best]
		else
			printf "%s", $1
		printf "\n"
	}'
}

sample() {
	local tag=$1 regs cpu rip rdi rsp words
	regs=$(mon "info registers -a")
	cpu=0
	while read -r rip rdi rsp; do
		note "$tag vcpu $cpu: rip $(echo "$rip" | sym) rdi $(echo "$rdi" | sym)"
		if [ -n "$MAP" ]; then
			words=$(mon "cpu $cpu" "x/48gx 0x$rsp" | sed -n 's/^[0-9a-f]*: //p' | tr ' ' '\n' |
				grep '^0xffffffff8' || true)
			printf '%s\n' "$words" | sym text | grep '=' | head -n 16 |
				sed "s/^/    $tag vcpu $cpu stack: /" | tee -a "$NOTES" >&2 || true
		fi
		cpu=$((cpu + 1))
	done < <(printf '%s\n' "$regs" | awk '
		/^RSI=/ { for (i = 1; i <= NF; i++) {
			if ($i ~ /^RDI=/) { rdi = substr($i, 5) }
			if ($i ~ /^RSP=/) { rsp = substr($i, 5) } } }
		/^RIP=/ { rip = substr($1, 5); print rip, rdi, rsp }')
}

progress() { grep -a -c -E '^ *(ok|not ok) |# soak cycle|@@AT ' "$tmp/console.raw" || true; }

AT_PROG_SUITES=76-hotplug-soak "$AT_ROOT/tools/vm/mkinitramfs.sh" "$tmp/initramfs.cpio.gz" "$KO" "" >/dev/null
QEMU=(qemu-system-x86_64 -accel "$ACCEL" -smp 4 -m 2G -nographic -no-reboot -nic none
	-kernel "$VMLINUZ" -initrd "$tmp/initramfs.cpio.gz"
	-append "console=ttyS0 loglevel=5 printk.time=1 panic=-1 sysrq_always_enabled maxcpus=2 at.mode=test at.suites=76-hotplug-soak $APPEND")
: >"$tmp/console.raw"
for ((i = 0; i < BUSY; i++)); do
	nice -n 0 sh -c 'while :; do :; done' &
	busy_pids+=($!)
done
note "start: $VMLINUZ accel=$ACCEL busy=$BUSY append='$APPEND' stall=$STALL recover=$RECOVER max=$MAXT load=$(cut -d' ' -f1-3 /proc/loadavg)"
"${QEMU[@]}" -serial "file:$tmp/console.raw" -monitor "unix:$tmp/console.raw.mon,server=on,wait=off" \
	</dev/null >"$tmp/qemu.out" 2>&1 &
qpid=$!
t0=$SECONDS last=-1 lastt=$SECONDS verdict=
while kill -0 "$qpid" 2>/dev/null; do
	sleep 2
	cur=$(progress)
	if [ "$cur" != "$last" ]; then
		last=$cur lastt=$SECONDS
	fi
	if [ $((SECONDS - t0)) -ge "$MAXT" ]; then
		verdict="TIMEOUT after $MAXT s"
		break
	fi
	[ $((SECONDS - lastt)) -ge "$STALL" ] || continue
	# A stall: where the vCPUs are, twice; then take the load away.
	note "STALL: no console progress for $STALL s (load $(cut -d' ' -f1-3 /proc/loadavg)); last line: $(tr -d '\r' <"$tmp/console.raw" | grep -a . | tail -n1)"
	sample s1
	sleep 5
	sample s2
	unload_host
	note "host load removed; waiting up to $RECOVER s for progress"
	stallt=$SECONDS
	while kill -0 "$qpid" 2>/dev/null && [ $((SECONDS - stallt)) -lt "$RECOVER" ]; do
		sleep 2
		[ "$(progress)" = "$last" ] || break
	done
	if [ "$(progress)" != "$last" ]; then
		note "STARVED-RECOVERED: progress $((SECONDS - stallt)) s after the host load went: $(tr -d '\r' <"$tmp/console.raw" | grep -a -E '# soak cycle|ok ' | tail -n1)"
		verdict=STARVED-RECOVERED
		# Let it finish (bounded by MAXT) to see whether the rest passes.
		while kill -0 "$qpid" 2>/dev/null && [ $((SECONDS - t0)) -lt "$MAXT" ]; do
			sleep 2
		done
		break
	fi
	note "HUNG: no progress $RECOVER s after the host load went"
	sample s3
	for k in l w; do
		mon "sendkey alt-sysrq-$k" >/dev/null
		sleep 10
	done
	sample s4
	verdict=HUNG
	break
done
if [ -z "$verdict" ]; then
	wait "$qpid" || true
	verdict=DONE
fi
tr -d '\r' <"$tmp/console.raw" >"$LOG"
res=$(grep -a -E '^ *(not ok|ok) [0-9]+ (soak|census|76-)' "$LOG" | tail -n 3 | tr '\n' ';')
note "verdict: $verdict after $((SECONDS - t0)) s; guest-end: $(grep -a -c '^@@AT guest-end' "$LOG"); cycles: $(grep -a -c '# soak cycle' "$LOG"); splats: $(grep -a -c -E "$KERNEL_SPLAT_RE" "$LOG"); last results: $res"
