#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# at-bench.sh -- the accepttrace benchmark, run inside the test guest
# (busybox sh, root, module at $AT_KO, programs in $AT_BIN).
#
#   at-bench.sh [-n CONNS] [-m CONNS] [-r ROUNDS] [-g CALLS] [-e CALLS]
#               [-c CONNS] [-A ARMS] [-o FILE] [-I] [-D CONNS]
#
#   -n  connections per run of the one-thread workload
#       (3000; 0: leave it out)
#   -m  connections per run of the 2 acceptors + 2 clients workload
#       (3000; 0: leave that workload out, as on one vCPU)
#   -r  rounds; every arm runs once per round, interleaved, and the first
#       round is a warm-up that the statistics leave out     (7)
#   -g  getpid() calls per control run                       (200000)
#   -e  accept4() calls per EAGAIN run (0: no EAGAIN workload) (0)
#   -c  connections per capacity step (0: no capacity search) (0)
#   -A  the arms to run, in this order (default: all, as below, but
#       bcc-tcpaccept only before 6.12: see bcc_runs_here()); for
#       looking at a few closely, e.g. -A "base floor at-noread"
#   -o  write the table here too
#   -I  the guest runs under QEMU -icount shift=0: one ns of guest time
#       is one instruction, so the table counts instructions
#   -D  the reader's cost alone, instead of the arms: per round, CONNS
#       connections recorded with no reader, then the rings drained by
#       "at-bench drain" (binary records, then text lines in a second
#       load); the table gives each mode's median per record
#
# Arms: base (nothing loaded), base2 (base again, mid-round: the noise
# floor), at-tool (accepttrace recording, "accepttrace --json > /dev/null"
# reading), at-cat (the same read by "cat /dev/accepttrace"), at-noread
# (recording into rings big enough for the whole round, no reader: the
# handlers' own work), at-off (loaded, enabled=0), floor
# (accepttrace_floor: the same kretprobes with empty handlers), floor-clk
# (the floor with handlers that only read the clock at entry and return,
# as accepttrace's do; EAGAIN workload only), ft-pipe
# (kprobe_events p+r probes on both functions, "cat trace_pipe >
# /dev/null" reading), ft-nopipe (the same, no reader), bt-full
# (bpftrace running at-bench.bt: kprobe + kretprobe on both functions,
# a line per call), bt-tcpaccept (bpftrace running Debian's
# tcpaccept.bt: successful TCP accepts only), bcc-tcpaccept (bcc's
# tcpaccept, python3-bpfcc: the same, a line per accept written and
# flushed).  The getpid control runs under base and at-tool.
#
# Every run is checked for completeness: exact record counts (accepttrace
# stats and the tool's own count, ftrace's ring buffer and
# kprobe_profile counts, or bpftrace's and bcc's lines), zero lost, zero
# nmissed.  An incomplete run is left out of the numbers and its arm
# shown as lossy; it prints "not ok", except for the bpftrace and bcc
# arms, whose loss is the peer's own ("ok ... ran, incomplete").
# Output: KTAP results, "RUN ..." lines (raw data), the table between
# "=== accepttrace benchmark" and "=== end"; exit 1 if any result is
# "not ok".

N1=3000 N22=3000 ROUNDS=7 NGETPID=200000 NEAGAIN=0 NCAP=0 OUT= UNIT=ns NDRAIN=0

# bcc's tcpaccept compiles its C against the running kernel's headers,
# and Debian 12's bcc (0.26, clang 14) cannot compile against 6.12's:
# "In file included from include/linux/log2.h ... arch/x86/include/..."
# errors.  It is an arm on the kernels before 6.12 only.
bcc_runs_here() {
	set -- $(uname -r | sed 's/^\([0-9]*\)\.\([0-9]*\).*/\1 \2/')
	[ "$1" -lt 6 ] || { [ "$1" -eq 6 ] && [ "$2" -lt 12 ]; }
}
ARMS="base at-tool at-cat at-noread floor floor-clk base2 at-off ft-pipe ft-nopipe bt-full bt-tcpaccept"
! bcc_runs_here || ARMS="$ARMS bcc-tcpaccept"
while getopts n:m:r:g:e:c:A:o:ID: opt; do
	case $opt in
	n) N1=$OPTARG ;;
	m) N22=$OPTARG ;;
	r) ROUNDS=$OPTARG ;;
	g) NGETPID=$OPTARG ;;
	e) NEAGAIN=$OPTARG ;;
	c) NCAP=$OPTARG ;;
	A) ARMS=$OPTARG ;;
	o) OUT=$OPTARG ;;
	I) UNIT=insn ;;
	D) NDRAIN=$OPTARG ;;
	*) echo "usage: at-bench.sh [-n N] [-m N] [-r ROUNDS] [-g CALLS] [-e CALLS] [-c N] [-A ARMS] [-o FILE] [-I] [-D N]" >&2; exit 2 ;;
	esac
done

AT_BIN=${AT_BIN:-/opt/at/bin}
AT_KO=${AT_KO:-/lib/accepttrace/accepttrace.ko}
FLOOR_KO=${FLOOR_KO:-${AT_KO%/*}/accepttrace_floor.ko}
TOOL=${AT_TOOL:-$AT_BIN/accepttrace}
BENCH=$AT_BIN/at-bench
DBG=/sys/kernel/debug/accepttrace
TR=/sys/kernel/tracing
T=$(mktemp -d /tmp/at-bench.XXXXXX)
DATA=$T/runs
: >"$DATA"
FAILED=0
READER=
BT_PRIMED=0

NTEST=0

# Each run's completeness is a result of a KTAP document (numbered, no
# plan: runs that fail to start are not counted in advance).
ok() { NTEST=$((NTEST + 1)); echo "ok $NTEST $*"; }
notok() { NTEST=$((NTEST + 1)); echo "not ok $NTEST $*"; FAILED=1; }

# Wait up to $1 tenths of a second for command "$2 ..." to succeed.
wait_for() {
	_n=$1
	shift
	while ! "$@"; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || return 1
		sleep 0.1
	done
}

# --- accepttrace --------------------------------------------------------

# stats FIELD...: "probe sys_accept4 hits=3" style lookups, one value per
# argument: "recorded" (total), "lost" (total), "used" (sum over CPUs),
# "reader", "<probe>.<field>" (sys_accept4.hits, inet_accept.nmissed...).
stats() {
	awk -v want="$*" '
	$1 == "reader" { v["reader"] = $2 }
	$1 == "total" || $1 == "cpu" || $1 == "probe" {
		pre = $1 == "probe" ? $2 "." : ""
		for (i = 2; i <= NF; i++)
			if (split($i, kv, "=") == 2) {
				if ($1 == "cpu") { if (kv[1] == "used") v["used"] += kv[2] }
				else if ($1 == "total") v[kv[1]] = kv[2]
				else v[pre kv[1]] = kv[2]
			}
	}
	END { n = split(want, w, " "); for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? " " : ""), v[w[i]] + 0; print "" }
	' $DBG/stats
}

reader_attached() { [ "$(stats reader)" = 1 ]; }
rings_empty() { [ "$(stats used)" = 0 ]; }

at_load() {
	insmod "$AT_KO" "$@" || { notok "insmod accepttrace $*"; return 1; }
}

# Start a reader in the background; $READER is its pid.
at_reader() {
	if [ "$1" = tool ]; then
		"$TOOL" --json >/dev/null 2>"$T/reader.err" &
	else
		cat /dev/accepttrace >/dev/null 2>"$T/reader.err" &
	fi
	READER=$!
	wait_for 100 reader_attached || { notok "$1 reader attached to /dev/accepttrace"; return 1; }
}

# CPU time (ticks of 1/100 s) the reader has used so far.
reader_ticks() {
	awk '{ print $14 + $15 }' "/proc/$READER/stat" 2>/dev/null || echo 0
}

# gone PID: PID has exited (a zombie nobody waited for yet counts).
gone() {
	_st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -z "$_st" ] || [ "$_st" = Z ]
}

# stop_pid PID SIG TENTHS WHAT: signal a reader or tracer and wait for it,
# TENTHS of a second at most: one that does not exit is killed, and said
# so in $WHY, rather than waited for until the host's watchdog kills the
# guest with nothing said.
stop_pid() {
	kill -"$2" "$1" 2>/dev/null
	if ! wait_for "$3" gone "$1"; then
		WHY="$WHY $4 (pid $1) still running $(($3 / 10)) s after SIG$2: killed;"
		kill -KILL "$1" 2>/dev/null
	fi
	wait "$1" 2>/dev/null
}

stop_reader() {
	[ -n "$READER" ] || return 0
	stop_pid "$READER" TERM 300 "the ${READER_KIND:-tracer} reader"
	READER=
}

# at_check CONNS RECORDS: every expected record written and read,
# nothing lost or missed; problems are appended to $WHY.  RECORDS is 0
# when recording is off.
at_check() {
	_conns=$1 _recs=$2
	if [ -n "$READER" ] && ! wait_for 300 rings_empty; then
		WHY="$WHY reader did not drain the rings (used=$(stats used));"
	fi
	set -- $(stats recorded lost used sys_accept4.hits inet_accept.hits \
		sys_accept4.nmissed inet_accept.nmissed \
		sys_accept4.kretprobe_nmissed inet_accept.kretprobe_nmissed)
	_hits=$_conns
	[ "$_recs" = 0 ] && _hits=0
	[ "$1" = "$_recs" ] || WHY="$WHY recorded=$1 want $_recs;"
	[ "$2" = 0 ] || WHY="$WHY lost=$2;"
	[ -z "$READER" ] || [ "$3" = 0 ] || WHY="$WHY used=$3 after drain;"
	[ "$4" = "$_hits" ] || WHY="$WHY sys_accept4 hits=$4 want $_hits;"
	[ "$5" = "$_hits" ] || WHY="$WHY inet_accept hits=$5 want $_hits;"
	[ "$6$7$8$9" = 0000 ] || WHY="$WHY nmissed=$6/$7 kretprobe_nmissed=$8/$9;"
	_tool=$READER_KIND
	stop_reader
	if [ "$_tool" = tool ]; then
		_line=$(grep 'events read' "$T/reader.err")
		set -- $(echo "$_line" | sed -n 's/.* \([0-9]*\) events read, \([0-9]*\) lost.*/\1 \2/p')
		[ "$1" = "$_recs" ] && [ "$2" = 0 ] ||
			WHY="$WHY tool: '${_line:-no summary}' want $_recs read, 0 lost;"
	fi
	rmmod accepttrace || WHY="$WHY rmmod failed;"
	# Freeing the rings (16 MiB for at-noread) leaves the kernel work
	# to finish in the background: not in the next arm's runs.
	sleep 1
}

# --- the floor module ---------------------------------------------------

floor_check() {
	rmmod accepttrace_floor || WHY="$WHY rmmod failed;"
	for _f in __sys_accept4 inet_accept do_accept; do
		dmesg | grep -q "accepttrace_floor: $_f nmissed=0 kretprobe_nmissed=0\$" ||
			WHY="$WHY $_f: $(dmesg | grep "accepttrace_floor: $_f" | tail -n1);"
	done
}

# --- ftrace kprobe_events -----------------------------------------------

ft_up() {
	[ -d $TR/events ] || mount -t tracefs tracefs $TR || return 1
	echo 0 >$TR/tracing_on
	echo >$TR/kprobe_events
	# Enabling the first event otherwise hooks sched_switch to record
	# comms, live-patching __schedule on every arm: under TCG that once
	# stalled a vCPU for good (RCU stall, smp_call_function_many).
	echo 0 >$TR/options/record-cmd
	# Deep enough that the no-reader arm never overwrites (it must be
	# lossless to count); the size does not change the cost per event.
	echo 8192 >$TR/buffer_size_kb
	echo 'p:at/sys __sys_accept4 fd=%di:s32 upeer=%si addrlen=%dx flags=%cx:s32' >>$TR/kprobe_events &&
	echo 'r:at/sys_ret __sys_accept4 ret=$retval:s32' >>$TR/kprobe_events &&
	echo 'p:at/inet inet_accept sock=%di newsock=%si flags=%dx kern=%cx' >>$TR/kprobe_events &&
	echo 'r:at/inet_ret inet_accept ret=$retval:s32' >>$TR/kprobe_events &&
	echo >$TR/trace &&
	echo 1 >$TR/events/at/enable &&
	echo 1 >$TR/tracing_on
}

# Ring buffer counters summed over CPUs: entries overrun read dropped.
ft_ring() {
	cat $TR/per_cpu/cpu*/stats | awk '
	/^entries:/ { e += $2 } /^overrun:/ { o += $2 }
	/^read events:/ { r += $3 } /^dropped events:/ { d += $3 }
	END { print e + 0, o + 0, r + 0, d + 0 }'
}

ft_drained() { [ "$(ft_ring | cut -d' ' -f1)" = 0 ]; }

# ft_check CONNS: 4 events per connection, all in the ring or read.
ft_check() {
	_conns=$1
	if [ -n "$READER" ] && ! wait_for 300 ft_drained; then
		WHY="$WHY trace_pipe reader did not drain the buffer;"
	fi
	stop_reader
	echo 0 >$TR/tracing_on
	set -- $(ft_ring)
	[ $(($1 + $3)) = $((4 * _conns)) ] ||
		WHY="$WHY events entries+read=$(($1 + $3)) want $((4 * _conns));"
	[ "$2$4" = 00 ] || WHY="$WHY overrun=$2 dropped=$4;"
	# kprobe_profile: event hits misses
	_prof=$(awk '$1 ~ /(^|\/)(sys|sys_ret|inet|inet_ret)$/ { printf "%s=%s/%s ", $1, $2, $3 }' $TR/kprobe_profile)
	for _e in $_prof; do
		case $_e in
		*=$_conns/0) ;;
		*) WHY="$WHY profile $_e want $_conns/0;" ;;
		esac
	done
	[ "$(echo $_prof | wc -w)" = 4 ] || WHY="$WHY kprobe_profile: '$_prof';"
	echo 0 >$TR/events/at/enable
	echo >$TR/kprobe_events
	echo >$TR/trace
	echo 1408 >$TR/buffer_size_kb
	echo 1 >$TR/tracing_on
}

# --- bpftrace and bcc ---------------------------------------------------

# The peers users reach for: bt-full runs at-bench.bt (kprobe + kretprobe
# on both functions, one line per call, like accepttrace's text), and
# bt-tcpaccept Debian's own tcpaccept.bt (one kretprobe on
# inet_csk_accept, a line per successful TCP accept only).  Output goes
# to a file in the guest's RAM, fully buffered as bpftrace does for
# anything but a terminal, so that its lines can be counted at the end:
# every event printed, or the run is lossy.  Start-up (LLVM compiling
# the script, attaching) is waited out, not timed.
BPFTRACE=${AT_BPFTRACE:-bpftrace}
BT_FULL=${AT_BT_FULL:-$AT_BIN/at-bench.bt}
BT_TCPACCEPT=${AT_BT_TCPACCEPT:-/usr/sbin/tcpaccept.bt}
# bcc's tcpaccept (bcc-tcpaccept), under Debian's python3.  A background
# job of a non-interactive shell starts with SIGINT ignored, and Python
# then leaves it so; the tool stops (flushing what it printed) on
# KeyboardInterrupt, so the handler is put back first.
PYTHON=${AT_PYTHON:-/usr/bin/python3}
BCC_TCPACCEPT=${AT_BCC_TCPACCEPT:-/usr/sbin/tcpaccept-bpfcc}
BCC_RUN="import runpy, signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
sys.argv = ['tcpaccept']
runpy.run_path('$BCC_TCPACCEPT', run_name='__main__')"

# The kprobes on the functions matching $1: the tracer's own (no other
# tracer is active in a bt or bcc arm).
bt_probes() {
	grep -cE "$1" /sys/kernel/debug/kprobes/list 2>/dev/null || true
}

bt_attached() { [ "$(bt_probes "$BT_RE")" = "$BT_WANT" ]; }

# bt_up KIND SCRIPT RE N: bpftrace running SCRIPT (KIND bt) or python
# running bcc's SCRIPT (KIND bcc), attached once N kprobes on functions
# matching RE are listed and have run; $READER is its pid.
bt_up() {
	_kind=$1 _prog=$BPFTRACE
	[ "$_kind" = bt ] || _prog=$PYTHON
	command -v "$_prog" >/dev/null || { notok "$_prog is installed in the guest"; return 1; }
	[ -f "$2" ] || { notok "$2 exists"; return 1; }
	shift
	BT_RE=$2 BT_WANT=$3
	[ "$(bt_probes "$BT_RE")" = 0 ] || { notok "no kprobes on $BT_RE before $_prog"; return 1; }
	if [ "$_kind" = bt ]; then
		"$BPFTRACE" -o "$T/bt.out" "$1" >/dev/null 2>"$T/bt.err" &
	else
		"$PYTHON" -c "$BCC_RUN" >"$T/bt.out" 2>"$T/bt.err" &
	fi
	READER=$!
	# LLVM compiles the script first: 25 s for bcc's under TCG.
	if ! wait_for 1200 bt_attached; then
		notok "$_prog $1 attached its $BT_WANT probes: $(head -c 300 "$T/bt.err")"
		stop_reader
		return 1
	fi
	# A listed kprobe may not run its program yet (the tracer attaches
	# it afterwards): connect until every kprobe's program has run at
	# least once, as the kernel's BPF statistics count, then switch
	# those off again.  The connections made here are counted in
	# $BT_PRIMED.
	BT_PRIMED=0
	echo 1 >/proc/sys/kernel/bpf_stats_enabled
	while [ "$(bt_progs_run)" -lt "$BT_WANT" ]; do
		if [ "$BT_PRIMED" -ge 100 ]; then
			echo 0 >/proc/sys/kernel/bpf_stats_enabled
			notok "$_prog $1: its $BT_WANT probes ran after $BT_PRIMED connections: $(bt_progs_run)"
			stop_reader
			return 1
		fi
		"$BENCH" conn -n 2 >/dev/null || break
		BT_PRIMED=$((BT_PRIMED + 2))
		sleep 0.1
	done
	echo 0 >/proc/sys/kernel/bpf_stats_enabled
}

# How many of the tracer's BPF programs have run (their fdinfo's run_cnt,
# counted while bpf_stats_enabled is 1).
bt_progs_run() {
	cat /proc/"$READER"/fdinfo/* 2>/dev/null |
		awk '$1 == "run_cnt:" && $2 > 0 { n++ } END { print n + 0 }'
}

# The tracer's CPU time stops growing once it has printed what it read.
bt_idle() {
	_t0=$(reader_ticks)
	sleep 0.3
	[ "$(reader_ticks)" = "$_t0" ]
}

# bt_check KIND CONNS: every call's line printed, nothing lost.
bt_check() {
	_kind=$1 _conns=$(($2 + BT_PRIMED))
	if [ -n "$READER" ]; then
		# Whatever is still in its perf buffers when it is told to
		# stop, bcc's tcpaccept does not read.
		wait_for 300 bt_idle
		stop_pid "$READER" INT 600 "$_kind tracer"
		READER=
	fi
	if [ "$_kind" = full ]; then
		_sys=$(grep -c ' sys_accept4 fd=-*[0-9]* flags=0x[0-9a-f]* addrlen=[^ ]* ret=[0-9]* ns=' "$T/bt.out")
		_inet=$(grep -c ' inet_accept listener=[0-9]* ret=0 ns=[0-9]* local=127\.0\.0\.1:[0-9]* peer=127\.0\.0\.1:[0-9]*$' "$T/bt.out")
		[ "$_sys" = "$_conns" ] || WHY="$WHY sys_accept4 lines=$_sys want $_conns;"
		[ "$_inet" = "$_conns" ] || WHY="$WHY inet_accept lines=$_inet want $_conns;"
	elif [ "$_kind" = bcc ]; then
		# PID COMM IP RADDR RPORT LADDR LPORT, a line per event
		_n=$(grep -cE '^[0-9]+ +at-bench +4 +127\.0\.0\.1 +[0-9]+ +127\.0\.0\.1 +[0-9]+ *$' "$T/bt.out")
		[ "$_n" = "$_conns" ] || WHY="$WHY tcpaccept-bpfcc lines=$_n want $_conns;"
	else
		# TIME PID COMM RADDR RPORT LADDR LPORT BL, printed by four
		# actions, each an event of its own: time(), then printf()s of
		# "PID COMM ", "RADDR RPORT LADDR LPORT " and "BL\n".  Events
		# from two CPUs' buffers interleave, so each part is counted.
		_n1=$(grep -oE '[0-9]+ +at-bench +' "$T/bt.out" | wc -l)
		_n2=$(grep -oE '127\.0\.0\.1 +[0-9]+ +127\.0\.0\.1 +[0-9]+ +' "$T/bt.out" | wc -l)
		_n3=$(grep -cE '[0-9]+/[0-9]+$' "$T/bt.out")
		[ "$_n1/$_n2/$_n3" = "$_conns/$_conns/$_conns" ] ||
			WHY="$WHY tcpaccept pid+comm/addresses/backlog parts=$_n1/$_n2/$_n3 want $_conns each;"
	fi
	! grep -qi 'lost' "$T/bt.out" "$T/bt.err" ||
		WHY="$WHY $(grep -hi 'lost' "$T/bt.out" "$T/bt.err" | head -n 2 | tr '\n' ' ');"
	wait_for 100 eval '[ "$(bt_probes "$BT_RE")" = 0 ]' ||
		WHY="$WHY the tracer's kprobes still listed after it exited;"
	rm -f "$T/bt.out" "$T/bt.err"
	sleep 1
}

# --- arms ---------------------------------------------------------------

# Which kind of probe the kernel placed, once per arm kind.
show_probes() {
	[ -f "$T/probes.$1" ] && return 0
	: >"$T/probes.$1"
	grep -E '__sys_accept4|inet_accept|inet_csk_accept|do_accept' /sys/kernel/debug/kprobes/list 2>/dev/null |
		sed "s/^/PROBES arm=$1 /" | tee -a "$DATA"
}

arm_up() {
	READER= READER_KIND= BT_PRIMED=0
	case $1 in
	base | base2) ;;
	at-tool) at_load && READER_KIND=tool && at_reader tool ;;
	at-cat) at_load && READER_KIND=cat && at_reader cat ;;
	at-off) at_load enabled=0 ;;
	# Room for every record of the round: the handlers' work alone.
	at-noread) at_load buf_kb=16384 ;;
	floor | floor-clk)
		dmesg -c >/dev/null
		_clk=0
		[ "$1" = floor ] || _clk=1
		insmod "$FLOOR_KO" clock=$_clk || { notok "insmod $FLOOR_KO clock=$_clk"; return 1; }
		;;
	ft-pipe)
		ft_up || { notok "kprobe_events set up"; return 1; }
		cat $TR/trace_pipe >/dev/null 2>"$T/reader.err" &
		READER=$!
		;;
	ft-nopipe) ft_up || { notok "kprobe_events set up"; return 1; } ;;
	bt-full) bt_up bt "$BT_FULL" '__sys_accept4|inet_accept' 4 ;;
	bt-tcpaccept) bt_up bt "$BT_TCPACCEPT" 'inet_csk_accept' 1 ;;
	bcc-tcpaccept) bt_up bcc "$BCC_TCPACCEPT" 'inet_csk_accept' 1 ;;
	esac || return 1
	case $1 in
	at-tool | floor | ft-pipe | bt-full) show_probes "${1%-*}" ;;
	*-tcpaccept) show_probes "$1" ;;
	esac
	return 0
}

# arm_down ARM CONNS: completeness problems in $WHY, empty if none
arm_down() {
	WHY=
	case $1 in
	base | base2)
		! grep -qE '^accepttrace(_floor)? ' /proc/modules || WHY=" a module is loaded;" ;;
	at-tool | at-cat | at-noread) at_check "$2" $((2 * $2)) ;;
	at-off) at_check "$2" 0 ;;
	floor | floor-clk) floor_check ;;
	ft-*) ft_check "$2" ;;
	bt-*) bt_check "${1#bt-}" "$2" ;;
	bcc-tcpaccept) bt_check bcc "$2" ;;
	esac
}

# Let a reader finish the previous run's records before the next run is
# timed, so that its leftover work does not compete with that run's
# threads (or, on one vCPU, land in that run's time).
settle() {
	[ -z "$READER" ] && return 0
	case $1 in
	ft-*) sleep 0.2 ;;
	bt-* | bcc-*) wait_for 300 bt_idle ;;
	*) wait_for 300 rings_empty && sleep 0.2 ;;
	esac
}

# warm_up WORKLOAD ARGS...: the same workload, short and untimed, before
# each timed run.  Under TCG the first calls after code was patched
# (a probe placed or removed, a module loaded) also pay for translating
# it again; without this, base, which comes first in a round, paid for
# the previous arm's teardown.  The EAGAIN warm-up is long because after
# at-noread freed its 16 MiB rings the next few thousand accept4() calls
# (each allocates and frees a socket inode and file) cost more: ~300
# instructions each on 6.12, which the arm after at-noread paid.  Its
# calls are counted in $WARM.
warm_up() {
	case $1 in
	conn) _wn=100 ;;
	eagain) _wn=5000 ;;
	*) _wn=2000 ;;
	esac
	"$BENCH" "$@" -n "$_wn" >/dev/null || return 1
	[ "$1" = getpid ] || WARM=$((WARM + _wn))
}

# run ROUND ARM WORK ARGS...: one timed run after its warm-up, its
# RESULT line kept
run() {
	_r=$1 _a=$2 _w=$3
	shift 3
	warm_up "$@" || { notok "round $_r $_a $_w: warm-up at-bench $* failed"; return 1; }
	settle "$_a"
	_res=$("$BENCH" "$@") || { notok "round $_r $_a $_w: at-bench $* failed"; return 1; }
	_ns=$(echo "$_res" | sed -n 's/.* ns_per_op=\([0-9.]*\).*/\1/p')
	echo "RUN r=$_r arm=$_a work=$_w ns=$_ns" >>"$DATA.pending"
}

round() {
	_round=$1
	for arm in $ARMS; do
		# Progress, for a console that must show where a run stopped.
		echo "# round $_round $arm: up $(cut -d' ' -f1 /proc/uptime)"
		: >"$DATA.pending"
		WARM=0
		_conns=$((N1 + N22))
		[ "$arm" != floor-clk ] || _conns=0
		if arm_up "$arm" && [ "$_conns" -gt 0 ]; then
			[ "$N1" -eq 0 ] ||
				run "$_round" "$arm" conn1 conn -n "$N1"
			[ "$N22" -eq 0 ] ||
				run "$_round" "$arm" conn22 conn -n "$N22" -a 2 -c 2
			case $arm in
			base | at-tool) run "$_round" "$arm" getpid getpid -n "$NGETPID" ;;
			esac
		fi
		# The EAGAIN loop outruns any reader and ftrace's ring: it is
		# the handlers' own cost, so only the arms without a reader.
		_calls=$_conns
		case $arm in
		base | base2 | at-noread | at-off | floor | floor-clk)
			if [ "$NEAGAIN" -gt 0 ]; then
				run "$_round" "$arm" eagain eagain -n "$NEAGAIN"
				_calls=$((_calls + NEAGAIN))
			fi
			;;
		esac
		arm_down "$arm" $((_calls + WARM))
		if [ -z "$WHY" ]; then
			ok "round $_round $arm complete"
			sed 's/$/ ok=1/' "$DATA.pending" >>"$DATA"
		else
			case $arm in
			# A peer that drops events (bcc's tcpaccept, whose
			# Python cannot keep up at full rate) is measured, not
			# broken: its run is left out and the arm marked LOSSY
			# in the table.  60-bench-smoke, whose rates every
			# peer keeps up with, asserts that none is.
			bt-* | bcc-*) ok "round $_round $arm ran, incomplete (left out):$WHY" ;;
			*) notok "round $_round $arm complete:$WHY" ;;
			esac
			# Loss of accept records does not touch the getpid
			# control, which writes none: keep its number.
			sed '/ work=getpid /s/$/ ok=1/; / work=getpid /!s/$/ ok=0/' \
				"$DATA.pending" >>"$DATA"
		fi
		cat "$DATA.pending"
	done
}

# --- capacity -----------------------------------------------------------

# cap_step RATE: the 2+2 workload paced at RATE connections/s (0: flat
# out) with the tool reading.  Sets CAP_RATE (achieved), CAP_OK (1: no
# loss, every record read) and CAP_TICKS (the reader's CPU time, 1/100 s).
cap_step() {
	WHY= CAP_RATE=0 CAP_OK=0 CAP_TICKS=0
	at_load || return 1
	READER_KIND=tool
	at_reader tool || { rmmod accepttrace; return 1; }
	if _res=$("$BENCH" conn -n "$NCAP" -a 2 -c 2 -r "$1"); then
		CAP_RATE=$(echo "$_res" | sed -n 's/.* rate=\([0-9]*\).*/\1/p')
	else
		WHY=" at-bench failed;"
	fi
	wait_for 300 rings_empty
	CAP_TICKS=$(reader_ticks)
	at_check "$NCAP" $((2 * NCAP))
	[ -n "$WHY" ] || CAP_OK=1
	echo "CAP pace=$1 rate=$CAP_RATE lossless=$CAP_OK reader_ticks=$CAP_TICKS records=$((2 * NCAP))${WHY:+ #$WHY}" | tee -a "$DATA"
}

# The highest rate with no loss: flat out first (if the tool keeps up
# there, the workload is the limit), else a bisection on the paced rate.
capacity() {
	cap_step 0
	if [ "$CAP_OK" = 1 ]; then
		echo "CAPACITY rate=$CAP_RATE bound=workload ticks=$CAP_TICKS records=$((2 * NCAP))" >>"$DATA"
		return
	fi
	_lo=0 _hi=$CAP_RATE _best=0 _bticks=0
	for _i in 1 2 3 4 5; do
		_mid=$(((_lo + _hi) / 2))
		cap_step "$_mid"
		if [ "$CAP_OK" = 1 ]; then
			_lo=$_mid
			# Paced above what it can do, a step may achieve less.
			if [ "$CAP_RATE" -gt "$_best" ]; then
				_best=$CAP_RATE _bticks=$CAP_TICKS
			fi
		else
			_hi=$_mid
		fi
	done
	echo "CAPACITY rate=$_best bound=reader ticks=$_bticks records=$((2 * NCAP))" >>"$DATA"
}

# --- the reader alone ---------------------------------------------------

# drain_round ROUND: for each mode, NDRAIN connections into rings that
# hold them all (no reader), then one timed drain; "DRAIN" lines.
drain_round() {
	_rd=$1
	for _m in bin text; do
		WHY=
		at_load buf_kb=8192 || return 1
		"$BENCH" conn -n "$NDRAIN" >/dev/null || WHY="$WHY at-bench conn failed;"
		set -- $(stats recorded lost)
		[ "$1" = $((2 * NDRAIN)) ] && [ "$2" = 0 ] ||
			WHY="$WHY recorded=$1 lost=$2 want $((2 * NDRAIN)), 0;"
		# What the records take in the rings, before they are read.
		_used=$(stats used)
		_flag=
		[ $_m = bin ] && _flag=-b
		_res=$("$BENCH" drain $_flag) || WHY="$WHY drain failed;"
		_n=$(echo "$_res" | sed -n 's/.* n=\([0-9]*\) .*/\1/p')
		_ns=$(echo "$_res" | sed -n 's/.* ns_per_op=\([0-9.]*\).*/\1/p')
		[ "$_n" = $((2 * NDRAIN)) ] || WHY="$WHY drained $_n records;"
		[ "$(stats used)" = 0 ] || WHY="$WHY rings not empty;"
		rmmod accepttrace || WHY="$WHY rmmod failed;"
		if [ -z "$WHY" ]; then
			ok "round $_rd drain-$_m complete"
			echo "DRAIN r=$_rd mode=$_m n=$_n ns=$_ns used=$_used" | tee -a "$DATA"
		else
			notok "round $_rd drain-$_m complete:$WHY"
		fi
		sleep 1
	done
}

# The median per record of each mode, rounds after the first.
drain_table() {
	echo "=== accepttrace benchmark: the reader alone, per record ($UNIT)"
	echo "kernel $(uname -r), $(nproc) CPUs, $NDRAIN connections ($((2 * NDRAIN)) records) per round, $ROUNDS rounds (the first a warm-up)"
	for _m in bin text; do
		_med=$(awk -v m="$_m" '$1 == "DRAIN" && $3 == "mode=" m {
				split($2, r, "="); if (r[2] == 1) next
				split($5, v, "="); print v[2] }' "$DATA" | sort -n |
			awk '{ a[NR] = $1 } END { if (!NR) { print "-"; exit }
				print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
		printf 'drain-%-5s %s per record\n' "$_m" "$_med"
	done
	# Ring bytes per connection (a sys_accept4 and an inet_accept record).
	awk -v n="$NDRAIN" '$1 == "DRAIN" { split($6, u, "="); if (u[2] != "") b = u[2] }
		END { if (b != "") printf "ring bytes per connection %.1f\n", b / n }' "$DATA"
	echo "=== end"
}

# --- main ---------------------------------------------------------------

echo "KTAP version 1"
echo "# at-bench: kernel $(uname -r), $(nproc) CPUs, $N1 + $N22 connections x $ROUNDS rounds"
bcc_runs_here || echo "# bcc-tcpaccept left out: Debian 12's bcc 0.26 cannot compile against $(uname -r)'s headers"
[ -x "$BENCH" ] || { notok "$BENCH exists"; exit 1; }
[ -f "$FLOOR_KO" ] || { notok "$FLOOR_KO exists"; exit 1; }
[ -x "$TOOL" ] || { notok "$TOOL exists"; exit 1; }
mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
if [ "$NDRAIN" -gt 0 ]; then
	r=1
	while [ "$r" -le "$ROUNDS" ]; do
		drain_round "$r"
		r=$((r + 1))
	done
	drain_table >"$T/table"
	cat "$T/table"
	[ -z "$OUT" ] || cp "$T/table" "$OUT"
	rm -rf "$T"
	exit $FAILED
fi
r=1
while [ "$r" -le "$ROUNDS" ]; do
	round "$r"
	r=$((r + 1))
done
[ "$NCAP" -gt 0 ] && capacity

awk -v rounds="$ROUNDS" -v kver="$(uname -r)" -v ncpu="$(nproc)" -v unit="$UNIT" \
	-v clock="$(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)" \
	-v n1="$N1" -v n22="$N22" -v ng="$NGETPID" -v ne="$NEAGAIN" -v arms="$ARMS" \
	-f "$AT_BIN/at-bench-table.awk" "$DATA" >"$T/table"
cat "$T/table"
[ -z "$OUT" ] || cp "$T/table" "$OUT"
rm -rf "$T"
exit $FAILED
