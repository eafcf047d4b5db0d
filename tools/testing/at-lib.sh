# SPDX-License-Identifier: GPL-2.0
# Shared by the guest suites of tools/testing (busybox sh); sourced as
#   . "$AT_BIN/at-lib.sh"
# KTAP helpers, debugfs stats readers, and the text-line builder that
# turns EXPECT lines into the exact /dev/accepttrace lines.
#
# A suite prints one KTAP document (Documentation/dev-tools/ktap.rst):
# the version line when it sources this file, then one numbered result
# per check, "# " diagnostics, and the documents of the programs it runs
# nested one level deeper (subtest, run_tap).  It has no plan: how many
# checks a suite makes depends on the kernel and on what it finds, and
# KTAP allows leaving the plan out.  Under the guest's init the suite is
# itself a subtest of the boot's document, indented by AT_KTAP_INDENT.

AT_FAILED=0
AT_DBG=/sys/kernel/debug/accepttrace
AT_DEV=/dev/accepttrace
PATH=$AT_BIN:$PATH
AT_IND=${AT_KTAP_INDENT-}
AT_NTEST=0

echo "${AT_IND}KTAP version 1"

# result RESULT DESC [DIRECTIVE]: the next numbered result line.  A '#'
# ends KTAP's description, so one inside DESC is shown as "no.".
result() {
	AT_NTEST=$((AT_NTEST + 1))
	_desc=$2
	case $_desc in
	*'#'*) _desc=$(printf '%s' "$_desc" | sed 's/#/no./g') ;;
	esac
	echo "${AT_IND}$1 $AT_NTEST $_desc${3:+ # $3}"
}

ok() { result ok "$*"; }
notok() { result "not ok" "$*"; AT_FAILED=1; }
# skip DESC WHY: not run; the harness counts a skip as a failure.
skip() { result ok "$1" "SKIP $2"; }
diag() { sed "s/^/${AT_IND}# /" "$@"; }

# skip_all WHY: the suite does not apply to this kernel: an empty plan
# that says why, and exit 77 (not counted, shown as N/A).
skip_all() {
	echo "${AT_IND}1..0 # SKIP $*"
	exit 77
}

# check DESC CMD...: ok when CMD succeeds.
check() {
	_d=$1
	shift
	if "$@"; then ok "$_d"; else notok "$_d"; fi
}

# check_eq DESC EXPECTED GOT
check_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		notok "$1"
		echo "${AT_IND}# expected '$2' got '$3'"
	fi
}

# subtest_result NAME RC FILE: the result of a program whose KTAP
# document (FILE) was shown as a subtest: ok when it exited 0 (RC) and
# printed no "not ok".  Its own results are counted by the harness.
subtest_result() {
	if [ "$2" = 0 ] && ! grep -q '^ *not ok ' "$3"; then
		ok "$1"
	else
		notok "$1 (exit status $2)"
	fi
}

# subtest NAME RC FILE: FILE nested one level deeper, then its result.
subtest() {
	sed "s/^/${AT_IND}  /" "$3"
	subtest_result "$@"
}

# indent: stdin to stdout one level deeper, line by line as it comes
# (a program streamed to the console, whose last lines must show if the
# kernel dies under it).
indent() {
	awk -v p="${AT_IND}  " '{ print p $0; fflush() }'
}

# run_tap [-o FILE] PROG ARGS...: run PROG, which prints a KTAP document
# of its own, into FILE (or a file of its own), and show it as a
# subtest.
run_tap() {
	_o=run_tap.out
	if [ "$1" = -o ]; then
		_o=$2
		shift 2
	fi
	"$@" >"$_o"
	subtest "$*" $? "$_o"
}

# CPU $1 offline (0) or online (1).
cpu_set() {
	echo "$2" >"/sys/devices/system/cpu/cpu$1/online"
}

# $1 cycles of CPU hotplug: CPUs 1, 2, 3 in turn offlined for 0.3 s and
# onlined for 0.2 s.  With $2, a "# $2 cycle I cpu C up T" line after
# each: progress a host watchdog can see.
hotplug_cycles() {
	_i=0
	while [ $_i -lt "$1" ]; do
		_i=$((_i + 1))
		_c=$((_i % 3 + 1))
		cpu_set $_c 0
		sleep 0.3
		cpu_set $_c 1
		sleep 0.2
		[ -z "${2:-}" ] ||
			echo "${AT_IND}# $2 cycle $_i cpu $_c up $(cut -d' ' -f1 /proc/uptime)"
	done
}

loaded() { grep -q '^accepttrace ' /proc/modules; }

load() {
	if insmod "$AT_KO" "$@"; then
		ok "insmod accepttrace $*"
	else
		notok "insmod accepttrace $*"
		dmesg | tail -n 5 | diag
		exit 1
	fi
}

unload() {
	check "rmmod accepttrace" rmmod accepttrace
}

# bad_param PARAMS WORD [ERRNO]: loading with PARAMS (split at blanks:
# "buf_kb=4 buf_kb=3" is two) fails with ERRNO (default EINVAL), dmesg
# names WORD, and nothing is left behind.  One finit_module() (at-insmod):
# busybox insmod would load the module twice for every failure.
bad_param() {
	dmesg -c >/dev/null
	# shellcheck disable=SC2086 # PARAMS may be several
	_got=$(at-insmod "$AT_KO" $1)
	if [ "$_got" = ok ]; then
		notok "insmod $1 is refused"
		rmmod accepttrace
		return
	fi
	check_eq "insmod $1 fails with ${3:-EINVAL}" "${3:-EINVAL}" "$_got"
	dmesg | grep -i accepttrace >dmesg.out
	check "dmesg says why $1 was refused" grep -q "$2" dmesg.out
	diag <dmesg.out
	check "nothing is left loaded after insmod $1" sh -c \
		"! grep -q '^accepttrace ' /proc/modules && ! [ -e $AT_DEV ] && ! [ -e $AT_DBG ]"
}

finish() {
	loaded && rmmod accepttrace
	exit $AT_FAILED
}

# stat_line KEY: the value of a one-value stats line ("enabled 1").
stat_line() {
	awk -v k="$1" '$1 == k { print $2 }' $AT_DBG/stats
}

# stat_probe PROBE FIELD: "probe sys_accept4 ... hits=12" -> 12
stat_probe() {
	awk -v p="$1" -v f="$2" '$1 == "probe" && $2 == p {
		for (i = 3; i <= NF; i++) { split($i, a, "="); if (a[1] == f) print a[2] } }' \
		$AT_DBG/stats
}

# stat_total FIELD: the "total" line's FIELD
stat_total() {
	awk -v f="$1" '$1 == "total" {
		for (i = 2; i <= NF; i++) { split($i, a, "="); if (a[1] == f) print a[2] } }' \
		$AT_DBG/stats
}

# stat_cpu_sum FIELD: FIELD summed over the "cpu N" lines
stat_cpu_sum() {
	awk -v f="$1" '$1 == "cpu" {
		for (i = 3; i <= NF; i++) { split($i, a, "="); if (a[1] == f) s += a[2] } }
		END { print s + 0 }' $AT_DBG/stats
}

# sf FILE FIELD: summary_field, 0 when absent (then the totals disagree)
sf() {
	_v=$(summary_field "$1" "$2")
	echo "${_v:-0}"
}

# nrec FILE: the event records (not LOST records) an at-check read
nrec() {
	echo $(($(sf "$1" sys_accept4) + $(sf "$1" inet_accept) + \
		$(sf "$1" uring_accept)))
}

# hits_total: the events the probes counted (io_accept's are not events)
hits_total() {
	echo $(($(stat_probe sys_accept4 hits) + $(stat_probe inet_accept hits) + \
		$(stat_probe do_accept hits)))
}

# settle: recording is off; wait until every call that entered while it
# was on has returned, i.e. hits = recorded + lost + filtered.  Prints
# "hits recorded lost filtered"; fails after ~5 s.
settle() {
	_t=0
	while :; do
		set -- $(awk '$1 == "probe" && $2 != "io_accept" {
				for (i = 3; i <= NF; i++) {
				split($i, a, "="); if (a[1] == "hits") h += a[2] } }
			$1 == "total" { for (i = 2; i <= NF; i++) {
				split($i, a, "="); v[a[1]] = a[2] } }
			END { print h + 0, v["recorded"] + 0, v["lost"] + 0, v["filtered"] + 0 }' \
			$AT_DBG/stats)
		[ "$1" = $(($2 + $3 + $4)) ] && { echo "$@"; return 0; }
		_t=$((_t + 1))
		[ $_t -gt 50 ] && { echo "$@"; return 1; }
		sleep 0.1
	done
}

# count_expect FILE [PROBE]: EXPECT lines (of PROBE)
count_expect() {
	grep -c "^EXPECT .* probe=${2:-[a-z_0-9]*} " "$1"
}

# summary_field OUTPUT FIELD: from at-check's "# records: ..." line
summary_field() {
	sed -n "s/^# records:.* $2=\([0-9]*\).*/\1/p" "$1" | tail -n 1
}

# expect_regex < EXPECT-FILE: for every EXPECT line, "case<TAB>regex" of
# the exact text line the module prints for that record (module/format.c):
# everything is fixed except the timestamp, cpu and latency.
expect_regex() {
	awk '
	function esc(s) { gsub(/[][\\.^$*+?(){}|]/, "\\\\&", s); return s }
	function flagnames(v, names, vals, n,   out, i, rest) {
		if (v < 0) v += 4294967296
		if (v == 0) return "0"
		out = ""; rest = v
		for (i = 1; i <= n; i++)
			if (and(rest, vals[i]) == vals[i]) {
				out = out (out == "" ? "" : "|") names[i]
				rest -= vals[i]
			}
		if (rest) out = out (out == "" ? "" : "|") sprintf("0x%x", rest)
		return out
	}
	function addr(w,   a) {
		if ((w "_path") in kv) {
			a = kv[w "_path"]
			return a == "null" ? "unix:(unnamed)" : "unix:" a
		}
		if (!((w "_addr") in kv)) return "-"
		a = kv[w "_addr"]
		if (a ~ /:/) a = "[" a "]"
		return a ":" kv[w "_port"]
	}
	# What a caller whose buffer was too short received (user=...)
	function hexbyte(h) {
		return (index(X, substr(h, 1, 1)) - 1) * 16 + \
			index(X, substr(h, 2, 1)) - 1
	}
	function unixpath(h, n,   i, b, s) {
		s = ""
		for (i = 0; i < n; i++) {
			b = hexbyte(substr(h, 2 * i + 1, 2))
			if (b == 92) s = s "\\\\"
			else if (b > 32 && b < 127) s = s sprintf("%c", b)
			else s = s "\\x" substr(h, 2 * i + 1, 2)
		}
		return s
	}
	function user(   st, d, n, p, i) {
		if (kv["user_fault"] == 1) return "?"
		st = kv["user_stored"] + 0
		d = kv["user_data"] == "null" ? "" : kv["user_data"]
		p = "trunc(" st "/" kv["user_len"] "):"
		if (st < 2 || substr(d, 1, 4) != "0100") return p d
		n = st - 2
		d = substr(d, 5)
		if (n == 0) return p "unix:(unnamed)"
		if (substr(d, 1, 2) == "00")
			return p "unix:@" unixpath(substr(d, 3), n - 1)
		for (i = 0; i < n; i++)
			if (substr(d, 2 * i + 1, 2) == "00") break
		return p "unix:" unixpath(d, i)
	}
	function result(   s) {
		s = " = " kv["ret"]
		if (kv["errno"] != "null") s = s " " kv["errno"]
		return s
	}
	BEGIN {
		X = "0123456789abcdef"
		sn[1] = "SOCK_NONBLOCK"; sv[1] = 2048
		sn[2] = "SOCK_CLOEXEC"; sv[2] = 524288
		fn[1] = "O_WRONLY"; fv[1] = 1
		fn[2] = "O_RDWR"; fv[2] = 2
		fn[3] = "O_APPEND"; fv[3] = 1024
		fn[4] = "O_NONBLOCK"; fv[4] = 2048
	}
	/^EXPECT / {
		delete kv
		for (i = 2; i <= NF; i++) {
			p = index($i, "=")
			kv[substr($i, 1, p - 1)] = substr($i, p + 1)
		}
		tid = ("tid" in kv) ? kv["tid"] : "[0-9]+"
		head = "pid=" kv["pid"] " tid=" tid " comm=" esc(kv["comm"]) " "
		if (kv["probe"] == "sys_accept4") {
			if (kv["addrlen_in"] == "null")
				al = (kv["addr"] == "null") ? "NULL" : "(NULL|\\?)"
			else
				al = kv["addrlen_in"] "->" kv["addrlen_out"]
			body = head esc(kv["syscall"] "(fd=" kv["fd"] ", addr=" \
				(kv["addr"] == "null" ? "NULL" : kv["addr"]) \
				", addrlen=") al esc(", flags=" \
				flagnames(kv["flags"], sn, sv, 2) ")" result())
		} else if (kv["probe"] == "uring_accept") {
			if (kv["addrlen_in"] == "null")
				al = (kv["addr"] == "null") ? "NULL" : "(NULL|\\?)"
			else
				al = kv["addrlen_in"] "->" kv["addrlen_out"]
			body = head esc("uring_accept(listen=" addr("listen") \
				", addr=" \
				(kv["addr"] == "null" ? "NULL" : kv["addr"]) \
				", addrlen=") al esc(", flags=" \
				flagnames(kv["flags"], sn, sv, 2) \
				", file_flags=" flagnames(kv["file_flags"], fn, fv, 4) \
				")" result())
		} else {
			body = head esc("inet_accept(listen=" addr("listen") \
				", flags=" flagnames(kv["flags"], fn, fv, 4) \
				", kern=" kv["kern"] ")" result())
		}
		if (kv["ret"] >= 0)
			body = body esc(" peer=" addr("peer") " local=" addr("local"))
		if (kv["ret"] >= 0 && ("user_len" in kv) &&
		    kv["addrlen_in"] != "null" && kv["addrlen_in"] + 0 >= 0 &&
		    kv["addrlen_out"] + 0 > kv["addrlen_in"] + 0)
			body = body esc(" user=" user())
		if (kv["probe"] == "inet_accept")
			body = body esc(" qlen=" kv["qlen"] "/" kv["qmax"])
		print kv["case"] "\t^[0-9]+\\.[0-9]{9} cpu=[0-9]+ " body \
			" lat=[0-9]+\\.[0-9]{3}us$"
	}'
}

# check_text TEXT-FILE EXPECT-FILE WHAT: every EXPECT line has exactly one
# text line, and there are no other lines.
check_text() {
	expect_regex <"$2" >"$2.re"
	_n=0
	_bad=0
	while IFS='	' read -r _case _re; do
		_n=$((_n + 1))
		_c=$(grep -cE -- "$_re" "$1")
		if [ "$_c" != 1 ]; then
			_bad=$((_bad + 1))
			echo "# $3: $_c lines match $_case: $_re"
		fi
	done <"$2.re"
	check_eq "$3: one exact text line per expected record ($_n)" 0 "$_bad"
	check_eq "$3: no other lines" "$_n" "$(wc -l <"$1")"
}
