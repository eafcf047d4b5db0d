#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 76-hotplug-soak: an experiment for issue 11 (75-hotplug hung on both
# debug kernels under multi-threaded TCG on an overloaded host), run
# only when named (AT_NAMED_ONLY in tools/vm/lib.sh).  Two parts:
#
# census: what CPU hotplug does to kernel text.  kprobe events on every
#   runtime text-patching entry point the kernel has (__text_poke, which
#   every text_poke*() goes through, text_poke_bp_batch, the jump-label
#   and static-call transforms, ftrace_modify_all_code) and on the
#   static-key slow paths (naming the key), counted across windows: the
#   first onlining of CPUs 2-3, offlining and onlining CPUs 1-3 without
#   the module, insmod, the same with the module loaded, rmmod.  A
#   patch made while another vCPU runs the text is what multi-threaded
#   TCG gets wrong (tools/vm/README.md, "Load and unload under QEMU").
#
# soak: 75-hotplug's loop under load, longer and with or without the
#   module: at-churn on every CPU, CPUs 1-3 offlined and onlined in turn,
#   one "# soak cycle" line per cycle (progress a host watchdog can see);
#   with the module, a reader throughout and 75-hotplug's account after.
#
# Kernel command line (AT_APPEND):
#   at.soak_census=0|1   run the census (default 1)
#   at.soak_module=0|1   load the module for the soak (default 1)
#   at.soak_cycles=N     offline/online cycles in the soak (default 12)
. "$AT_BIN/at-lib.sh"

CPUS=/sys/devices/system/cpu
T=/sys/kernel/tracing

param() {
	sed -n "s/.*[[:space:]]$1=\([0-9]*\).*/\1/p" /proc/cmdline | head -n1
}
CENSUS=$(param at.soak_census)
MODULE=$(param at.soak_module)
CYCLES=$(param at.soak_cycles)
: "${CENSUS:=1}" "${MODULE:=1}" "${CYCLES:=12}"
echo "${AT_IND}# census=$CENSUS module=$MODULE cycles=$CYCLES kernel=$AT_KVER"

# ---- census ----

# The name kallsyms gives function $1 (it may carry a .constprop or
# .isra suffix), or nothing if the kernel has no such text symbol.
ksym() {
	awk -v f="$1" '$2 ~ /^[tT]$/ && ($3 == f || index($3, f ".") == 1) {
		print $3; exit }' /proc/kallsyms
}

# NAME FUNCTION FETCHARGS...: one kprobe event per line.  __text_poke's
# second argument is the address patched; the static-key functions'
# first is the key.  "symbol" prints a pointer as symbol+offset.
PROBES='
tpoke __text_poke addr=%si:symbol len=%cx:u64
tpbatch text_poke_bp_batch nr=%si:u32
jlqueue arch_jump_label_transform_queue
jlapply arch_jump_label_transform_apply
jlxform arch_jump_label_transform
scxform arch_static_call_transform site=%di:symbol func=%dx:symbol
ftmod ftrace_modify_all_code cmd=%di:x32
skena static_key_enable_cpuslocked key=%di:symbol
skdis static_key_disable_cpuslocked key=%di:symbol
skinc static_key_slow_inc_cpuslocked key=%di:symbol
skdec __static_key_slow_dec_cpuslocked key=%di:symbol
skdecw static_key_slow_try_dec key=%di:symbol
smpalt alternatives_enable_smp
'
EVENTS=

census_setup() {
	_have=
	_none=
	echo 0 >$T/tracing_on
	echo >$T/kprobe_events
	echo 4096 >$T/buffer_size_kb
	echo "$PROBES" | while read -r name fn args; do
		[ -n "$name" ] || continue
		s=$(ksym "$fn")
		if [ -z "$s" ]; then
			echo "$fn" >>census.absent
			continue
		fi
		# shellcheck disable=SC2086 # args are several
		if echo "p:kprobes/$name $s $args" >>$T/kprobe_events 2>/dev/null; then
			echo "$name" >>census.events
			echo "$s" >>census.placed
			# The callers: the stack of every hit but the
			# byte-by-byte pokes, which the batch above them shows.
			[ "$name" = tpoke ] ||
				echo stacktrace >$T/events/kprobes/$name/trigger
		else
			echo "$s" >>census.refused
		fi
	done
	EVENTS=$(cat census.events 2>/dev/null)
	diag_list() { [ -s "$2" ] && echo "${AT_IND}# $1: $(paste -sd' ' "$2")"; }
	diag_list "no such function on this kernel" census.absent
	diag_list "kprobe refused" census.refused
	diag_list "probed" census.placed
	if [ -z "$EVENTS" ]; then
		notok "census: no text-patching function could be probed"
		return 1
	fi
	for e in $EVENTS; do
		echo 1 >"$T/events/kprobes/$e/enable"
	done
	ok "census: $(echo "$EVENTS" | wc -w) kprobe events enabled"
}

# census_window NAME CMD...: the text pokes CMD causes, per probe, with
# the keys and the patching callers.
census_window() {
	_w=$1
	shift
	echo >$T/trace
	echo 1 >$T/tracing_on
	"$@"
	_rc=$?
	echo 0 >$T/tracing_on
	cat $T/trace >"census.$_w"
	_line=
	_sum=0
	for e in $EVENTS; do
		n=$(grep -c " kprobes/$e: \| $e: (" "census.$_w")
		_line="$_line $e=$n"
		[ "$e" = tpoke ] && _sum=$n
	done
	echo "${AT_IND}# census $_w:$_line"
	# Keys switched, patch sites and patchers (first stack frame below
	# the probed function), each with its count.
	sed -n 's/.* \(sk[a-z]*\): .*key=\([^ ]*\).*/key \1 \2/p' "census.$_w" |
		sort | uniq -c | sed "s/^ */${AT_IND}#   /"
	sed -n 's/.* tpoke: .*addr=\([^+ ]*\).*/poke-site \1/p' "census.$_w" |
		sort | uniq -c | sed "s/^ */${AT_IND}#   /"
	awk '/<stack trace>/ { s = ""; k = 0; next }
		/^ *=> / && k >= 0 { f = $2; sub(/\+.*/, "", f)
			if (f ~ /kprobe|ftrace|^trace|stack_trace|event_trigger|^0x/ || k == 3)
				next
			s = s (k++ ? " < " : "") f
			if (k == 3) { print "caller " s; k = -1 } next }
		k > 0 { print "caller " s; k = -1 }' \
		"census.$_w" | sort | uniq -c | sed "s/^ */${AT_IND}#   /"
	check "census $_w: done, $_sum text poke(s)" test "$_rc" -eq 0
}

offon() {
	for c in "$@"; do
		cpu_set "$c" 0 && cpu_set "$c" 1 || return 1
	done
}

census() {
	census_setup || return
	census_window first-online sh -c "echo 1 >$CPUS/cpu2/online && echo 1 >$CPUS/cpu3/online"
	census_window hotplug offon 1 2 3
	census_window insmod insmod "$AT_KO"
	census_window hotplug-module offon 1 2 3
	census_window rmmod rmmod accepttrace
	for e in $EVENTS; do
		echo 0 >"$T/events/kprobes/$e/enable"
		echo "!stacktrace" >"$T/events/kprobes/$e/trigger" 2>/dev/null
	done
	echo >$T/kprobe_events
	echo 1 >$T/tracing_on
	echo >$T/trace
	cpu_set 2 0
	cpu_set 3 0
}

[ "$CENSUS" = 1 ] && census

# ---- soak ----

cpu_set 2 1
cpu_set 3 1
check_eq "soak: all 4 CPUs online" 0-3 "$(cat $CPUS/online)"
if [ "$MODULE" = 1 ]; then
	load buf_kb=16
	# Reads throughout the cycles (0.5 s each), then the drain below.
	at-check -t $((CYCLES * 600 + 2000)) -w load.bin >load.chk 2>&1 &
	reader=$!
fi
at-churn -t 4 -p 2000 -s $((CYCLES * 10 + 600)) -f stop >churn.out 2>&1 &
churn=$!
t0=$(cut -d' ' -f1 /proc/uptime)
hotplug_cycles "$CYCLES" soak
touch stop
wait $churn
check "soak: $CYCLES cycles, every accept succeeded (from ${t0}s)" test $? -eq 0
diag <churn.out
check_eq "soak: all 4 CPUs back online" 0-3 "$(cat $CPUS/online)"
if [ "$MODULE" = 1 ]; then
	echo 0 >"$AT_DBG/enable"
	acct=$(settle)
	check "soak: every call in flight returned ($acct)" test $? -eq 0
	wait "$reader"
	check "soak: reader: records consistent (seq and LOST per CPU)" test $? -eq 0
	at-check -w drain.bin >drain.chk 2>&1
	check "soak: drain: records consistent (seq and LOST per CPU)" test $? -eq 0
	grep -v -e '^ok ' -e '^KTAP version' load.chk drain.chk | diag
	rec=$(stat_total recorded)
	lost=$(stat_total lost)
	filt=$(stat_total filtered)
	hits=$(hits_total)
	echo "${AT_IND}# hits=$hits recorded=$rec lost=$lost filtered=$filt"
	check_eq "soak: hits = recorded + lost + filtered" "$hits" $((rec + lost + filt))
	got=$(($(nrec load.chk) + $(nrec drain.chk)))
	lrec=$(($(sf load.chk lost_events) + $(sf drain.chk lost_events)))
	check_eq "soak: the readers got every recorded record" "$rec" "$got"
	check_eq "soak: LOST records add up to the lost counter" "$lost" "$lrec"
	unload
fi
cpu_set 2 0
cpu_set 3 0
check_eq "CPUs 0-1 online again" 0-1 "$(cat $CPUS/online)"
finish
