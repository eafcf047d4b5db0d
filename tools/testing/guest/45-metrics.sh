#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 45-metrics: `accepttrace metrics` against the real module and the real
# Prometheus programs (45-metrics.progs puts Debian's promtool,
# prometheus-node-exporter and prometheus in the guest):
#
#   - usage errors exit 2, no module exits 1 and writes no file;
#   - after the whole man-page workload, one `accepttrace metrics` passes
#     `promtool check metrics` (parse and lint) and its per-listener,
#     per-errno and per-probe series hold exactly what the workload's
#     EXPECT account says, its module counters what debugfs says;
#   - `accepttrace metrics -i 1 -o DIR/accepttrace.prom` beside
#     node_exporter's textfile collector: a scrape over HTTP on loopback
#     holds exactly the counts of a controlled workload, an AF_UNIX name
#     with a quote, a backslash, a newline and a byte that is not UTF-8
#     among its listeners;
#   - a Prometheus server scraping that node_exporter every second
#     answers a query over its HTTP API with the workload's count.
. "$AT_BIN/at-lib.sh"

T=${AT_TOOL:-$AT_BIN/accepttrace}
W=$(pwd)
NE_PORT=9100
PROM_PORT=9090

lines() { wc -l <"$1" | tr -d ' '; }
events() { echo $(($(stat_total recorded) + $(stat_total filtered))); }

# wait_events N BASE: until N more events than BASE (10 s at most)
wait_events() {
	_i=0
	while [ $(($(events) - $2)) -lt "$1" ] && [ $_i -lt 100 ]; do
		usleep 100000
		_i=$((_i + 1))
	done
	[ $(($(events) - $2)) -ge "$1" ]
}

wait_reader() {	# 1: a reader is attached; 0: none
	_i=0
	while ! grep -q "^reader $1\$" $AT_DBG/stats && [ $_i -lt 100 ]; do
		usleep 50000
		_i=$((_i + 1))
	done
	grep -q "^reader $1\$" $AT_DBG/stats
}

listening() {	# PORT: something listens on it (IPv4 or IPv6)
	_hex=$(printf '%04X' "$1")
	grep -q ":$_hex 0\+:0000 0A" /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# promtool_ok DESC FILE: promtool check metrics passes, saying nothing
promtool_ok() {
	promtool check metrics <"$2" >"$2.promtool" 2>&1
	_rc=$?
	if [ $_rc = 0 ] && ! [ -s "$2.promtool" ]; then
		ok "$1: promtool check metrics"
	else
		notok "$1: promtool check metrics (exit $_rc)"
		diag <"$2.promtool"
	fi
}

# Series compared with the account, values as numbers ("1e+06" is 1000000).
SERIES='^accepttrace_(accepts_total|accept_failures_total|accept_duration_seconds_count|accept_queue_length_max|accept_queue_limit|syscall_failures_total|records_read_total)[{ ]'
series() {	# FILE: the SERIES samples of FILE, sorted
	grep -E "$SERIES" "$1" | awk '{ v = $NF; sub(/ [^ ]*$/, "");
		printf "%s %.17g\n", $0, v + 0 }' | sort
}

# want_of < ACCOUNT: the SERIES samples the records of an at-workload
# account make, counted as accepttrace(8) says: TCP per listening port
# from inet_accept, AF_UNIX from successful accept(2), every failed
# accept(2) per errno.
want_of() {
	awk '
	# one accept (e = "null") or failure (errno name e) of listener l
	function count(l, e) {
		seen[l] = 1
		n[l]++
		if (e == "null")
			acc[l]++
		else
			fail[l "\",errno=\"" e]++
	}
	/^EXPECT / {
		delete kv
		for (i = 2; i <= NF; i++) {
			p = index($i, "=")
			kv[substr($i, 1, p - 1)] = substr($i, p + 1)
		}
		pr = kv["probe"]
		rec[pr]++
		e = kv["errno"]
		if (pr == "inet_accept") {
			l = "tcp:" (("listen_port" in kv) ? kv["listen_port"] : "?")
			count(l, e)
			if (!(l in qlen) || kv["qlen"] + 0 > qlen[l])
				qlen[l] = kv["qlen"] + 0
			qmax[l] = kv["qmax"] + 0
		} else if (pr == "uring_accept") {
			# TCP: counted from its inet_accept record
			if (!("listen_path" in kv))
				next
			count("unix:" kv["listen_path"], e)
		} else if (e != "null") {
			sysf[e]++
		} else if (kv["family"] == "AF_UNIX") {
			count("unix:" (kv["local_path"] == "null" ? "(unnamed)" : kv["local_path"]), e)
		}
	}
	END {
		for (l in seen) {
			printf "accepttrace_accepts_total{listener=\"%s\"} %d\n", l, acc[l]
			printf "accepttrace_accept_duration_seconds_count{listener=\"%s\"} %d\n", l, n[l]
			if (l in qlen) {
				printf "accepttrace_accept_queue_length_max{listener=\"%s\"} %d\n", l, qlen[l]
				printf "accepttrace_accept_queue_limit{listener=\"%s\"} %d\n", l, qmax[l]
			}
		}
		for (k in fail)
			printf "accepttrace_accept_failures_total{listener=\"%s\"} %d\n", k, fail[k]
		for (e in sysf)
			printf "accepttrace_syscall_failures_total{errno=\"%s\"} %d\n", e, sysf[e]
		for (p in rec)
			printf "accepttrace_records_read_total{probe=\"%s\"} %d\n", p, rec[p]
	}' | sort
}

# same DESC WANT GOT: the two files are equal and not empty
same() {
	if [ -s "$2" ] && cmp -s "$2" "$3"; then
		ok "$1 ($(lines "$2") series)"
	else
		notok "$1"
		echo "# want:"
		diag <"$2"
		echo "# got:"
		diag <"$3"
	fi
}

# metric FILE SERIES: the value of the sample SERIES ("name{labels}")
metric() {
	awk -v s="$2" 'substr($0, 1, length(s) + 1) == s " " { print $NF }' "$1"
}

# sum_of FILE NAME: NAME summed over its label sets
sum_of() {
	awk -v n="$2" 'index($0, n "{") == 1 { s += $NF } END { print s + 0 }' "$1"
}

# Every listener's histogram: cumulative buckets that never fall, the
# +Inf bucket equal to _count.  Prints the listeners that fail.
bad_histograms() {
	awk '
	/^accepttrace_accept_duration_seconds_bucket\{/ {
		l = $0; sub(/,le="[^"]*"\} [0-9]+$/, "", l)
		if (l in last && $NF + 0 < last[l]) bad[l] = 1
		last[l] = $NF + 0
		if ($0 ~ /le="\+Inf"/) inf[l] = $NF + 0
	}
	/^accepttrace_accept_duration_seconds_count\{/ {
		l = $0; sub(/\} [0-9]+$/, "", l)
		sub(/_count\{/, "_bucket{", l)
		cnt[l] = $NF + 0
	}
	END {
		for (l in cnt) if (!(l in inf) || inf[l] != cnt[l]) bad[l] = 1
		for (l in inf) if (!(l in cnt)) bad[l] = 1
		for (l in bad) print l
	}' "$1"
}

usage() {	# usage DESC ARGS...: exit 2 and the usage hint
	_d=$1
	shift
	"$T" "$@" >/dev/null 2>"$W/usage.err"
	_rc=$?
	if [ $_rc = 2 ] && grep -q "Try 'accepttrace --help'" "$W/usage.err"; then
		ok "usage error: $_d"
	else
		notok "usage error: $_d (exit $_rc)"
		diag <"$W/usage.err"
	fi
}

for p in promtool prometheus-node-exporter prometheus; do
	check "$p is in the guest (45-metrics.progs)" sh -c "command -v $p >/dev/null"
done

# ---- 1. usage, no module ----

usage "metrics -j" metrics -j
usage "metrics -i 0" metrics -i 0
usage "metrics -i abc" metrics -i abc
usage "metrics -o ''" metrics -o ''
usage "metrics -n 1" metrics -n 1
usage "metrics -1" metrics -1
usage "hist -o FILE" hist -o "$W/x.prom"
rmmod accepttrace 2>/dev/null
"$T" metrics -o "$W/nomod.prom" >/dev/null 2>"$W/nomod.err"
check_eq "no module: exit status 1" 1 $?
check "no module: says so" grep -q "not found — is the module loaded" "$W/nomod.err"
check "no module: no file, no FILE.tmp" test ! -e "$W/nomod.prom" -a ! -e "$W/nomod.prom.tmp"

# ---- 2. one run after the whole workload: promtool, exact series ----

load
at-workload >"$W/acct" 2>"$W/acct.err"
check_eq "workload: exit status" 0 $?
nexp=$(count_expect "$W/acct")
nsys=$(count_expect "$W/acct" sys_accept4)
ninet=$(count_expect "$W/acct" inet_accept)
check_eq "workload: every call recorded" "$nexp" "$(stat_total recorded)"
"$T" metrics >"$W/m1.prom" 2>"$W/m1.err"
check_eq "metrics: exit status" 0 $?
check_eq "metrics: nothing on stderr" "" "$(cat "$W/m1.err")"
promtool_ok "metrics after the workload" "$W/m1.prom"
want_of <"$W/acct" >"$W/m1.want"
series "$W/m1.prom" >"$W/m1.got"
same "metrics: per-listener, per-errno, per-probe series equal the account" \
	"$W/m1.want" "$W/m1.got"
check_eq "metrics: histograms cumulative, +Inf = _count" "" \
	"$(bad_histograms "$W/m1.prom")"
check_eq "metrics: events recorded, all CPUs" "$nexp" \
	"$(sum_of "$W/m1.prom" accepttrace_events_recorded_total)"
check_eq "metrics: events lost, all CPUs" 0 \
	"$(sum_of "$W/m1.prom" accepttrace_events_lost_total)"
check_eq "metrics: events filtered, all CPUs" 0 \
	"$(sum_of "$W/m1.prom" accepttrace_events_filtered_total)"
check_eq "metrics: rings empty once read" 0 \
	"$(sum_of "$W/m1.prom" accepttrace_ring_used_bytes)"
check_eq "metrics: CPUs with a ring" "$(grep -c '^cpu ' $AT_DBG/stats)" \
	"$(grep -c '^accepttrace_events_recorded_total{cpu="[0-9]*"}' "$W/m1.prom")"
check_eq "metrics: sys_accept4 hits" "$nsys" \
	"$(metric "$W/m1.prom" 'accepttrace_probe_hits_total{probe="sys_accept4"}')"
check_eq "metrics: inet_accept hits" "$ninet" \
	"$(metric "$W/m1.prom" 'accepttrace_probe_hits_total{probe="inet_accept"}')"
check_eq "metrics: do_accept hits (io_uring's accepts)" \
	"$(count_expect "$W/acct" uring_accept)" \
	"$(metric "$W/m1.prom" 'accepttrace_probe_hits_total{probe="do_accept"}')"
for p in sys_accept4 inet_accept do_accept io_accept; do
	check_eq "metrics: $p active" 1 \
		"$(metric "$W/m1.prom" "accepttrace_probe_active{probe=\"$p\"}")"
	check_eq "metrics: $p kprobe nmissed" 0 \
		"$(metric "$W/m1.prom" "accepttrace_kprobe_nmissed_total{probe=\"$p\"}")"
	check_eq "metrics: $p kretprobe nmissed" 0 \
		"$(metric "$W/m1.prom" "accepttrace_kretprobe_nmissed_total{probe=\"$p\"}")"
done
check_eq "metrics: enabled" 1 "$(metric "$W/m1.prom" accepttrace_enabled)"
check_eq "metrics: reader (itself)" 1 "$(metric "$W/m1.prom" accepttrace_reader)"
check_eq "metrics: ring size" "$(stat_line buf_bytes)" \
	"$(metric "$W/m1.prom" accepttrace_ring_size_bytes)"
check_eq "metrics: no LOST records" 0 \
	"$(metric "$W/m1.prom" accepttrace_read_lost_events_total)"
v=$(cat /sys/module/accepttrace/version)
check_eq "metrics: build_info" 1 \
	"$(metric "$W/m1.prom" "accepttrace_build_info{abi=\"2\",version=\"$v\",tool_version=\"$v\"}")"

# Read again at once: nothing new, and -o leaves one whole file.
"$T" metrics -o "$W/m2.prom" >"$W/m2.out" 2>"$W/m2.err"
check_eq "metrics -o: exit status" 0 $?
check_eq "metrics -o: nothing on stdout or stderr" "" "$(cat "$W/m2.out" "$W/m2.err")"
check "metrics -o: the file, no FILE.tmp left" test -s "$W/m2.prom" -a ! -e "$W/m2.prom.tmp"
promtool_ok "metrics -o, nothing new" "$W/m2.prom"
printf '%s\n' 'accepttrace_records_read_total{probe="inet_accept"} 0' \
	'accepttrace_records_read_total{probe="sys_accept4"} 0' \
	'accepttrace_records_read_total{probe="uring_accept"} 0' >"$W/m2.want"
series "$W/m2.prom" >"$W/m2.got"
same "metrics -o: a second run counts only what it read" "$W/m2.want" "$W/m2.got"

# ---- 3. -i 1 -o beside node_exporter's textfile collector ----

mkdir -p "$W/tf"
"$T" metrics -i 1 -o "$W/tf/accepttrace.prom" >"$W/mi.out" 2>"$W/mi.err" &
mi=$!
wait_reader 1 || echo "# metrics -i: not attached"
prometheus-node-exporter --collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$W/tf" \
	--web.listen-address=127.0.0.1:$NE_PORT >"$W/ne.log" 2>&1 &
ne=$!
i=0
while ! listening $NE_PORT && [ $i -lt 300 ]; do
	usleep 100000
	i=$((i + 1))
done
check "node_exporter listens on 127.0.0.1:$NE_PORT" listening $NE_PORT

# An AF_UNIX listener whose name holds a double quote, a backslash, a
# newline and the byte 0xff, in socat's address syntax (\" and \\).
name=$(printf 'a"b\\c\nd\377e')
sname=$(printf 'a\\"b\\\\c\nd\377e')
socat UNIX-LISTEN:"$W/$sname",fork SYSTEM:true &
su=$!
i=0
while ! [ -S "$W/$name" ] && [ $i -lt 50 ]; do
	usleep 100000
	i=$((i + 1))
done
check "socat listens on the AF_UNIX name" test -S "$W/$name"

e0=$(events)
for i in 1 2 3; do socat -u OPEN:/dev/null UNIX-CONNECT:"$W/$sname"; done
at-workload --case ipv4,ipv6,ipv6_mapped,unix_path,unix_abstract,eagain,ebadf,eintr,threads \
	>"$W/acct2" 2>"$W/acct2.err"
check_eq "controlled workload: exit status" 0 $?
wait_events $(($(count_expect "$W/acct2") + 3)) "$e0" ||
	echo "# fewer events than the workload made"
# node_exporter puts the labels in name order: errno before listener.
{
	want_of <"$W/acct2" | grep listener=
	printf '%s\n' \
		"accepttrace_accept_duration_seconds_count{listener=\"unix:$W/a\\\"b\\\\c\\nd\\\\xffe\"} 3" \
		"accepttrace_accepts_total{listener=\"unix:$W/a\\\"b\\\\c\\nd\\\\xffe\"} 3"
} | sed -E 's/^(accepttrace_accept_failures_total)\{(listener="([^"\\]|\\.)*"),(errno="[^"]*")\}/\1{\4,\2}/' |
	sort >"$W/scrape.want"
# the listeners of the workload only: node_exporter's own accepts and
# Prometheus's count too
sed -nE 's/.*(listener="([^"\\]|\\.)*").*/\1/p' "$W/scrape.want" |
	sort -u | sed -n 'h; s/$/}/p; g; s/$/,/p' >"$W/listeners"
scrape() {
	wget -q -O "$W/scrape.txt" "http://127.0.0.1:$NE_PORT/metrics" 2>"$W/wget.err"
}
# The tool rewrites the file every second: wait for the counts to arrive.
i=0
while :; do
	scrape
	series "$W/scrape.txt" | grep -F -f "$W/listeners" >"$W/scrape.got"
	cmp -s "$W/scrape.want" "$W/scrape.got" && break
	i=$((i + 1))
	[ $i -ge 60 ] && break
	usleep 500000
done
echo "# node_exporter: the counts arrived after $i scrapes"
check "node_exporter: scrape over HTTP" scrape
same "node_exporter: the workload's series in the scrape, exact" \
	"$W/scrape.want" "$W/scrape.got"
check_eq "node_exporter: textfile read without error" 0 \
	"$(metric "$W/scrape.txt" node_textfile_scrape_error)"
check_eq "node_exporter: our HELP passed on" \
	"$(grep '^# HELP accepttrace_accepts_total ' "$W/tf/accepttrace.prom")" \
	"$(grep '^# HELP accepttrace_accepts_total ' "$W/scrape.txt")"
promtool_ok "node_exporter's scrape" "$W/scrape.txt"

# ---- 4. a Prometheus server scraping node_exporter ----

port=$(sed -n 's/^EXPECT case=threads probe=inet_accept .* listen_port=\([0-9]*\) .*/\1/p' \
	"$W/acct2" | head -n 1)
want=$(metric "$W/scrape.want" "accepttrace_accepts_total{listener=\"tcp:$port\"}")
cat >"$W/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:$NE_PORT']
EOF
t0=$(cut -d. -f1 /proc/uptime)
prometheus --config.file="$W/prometheus.yml" --storage.tsdb.path="$W/tsdb" \
	--web.listen-address=127.0.0.1:$PROM_PORT >"$W/prometheus.log" 2>&1 &
pr=$!
# accepttrace_accepts_total{listener="tcp:PORT"}
q="accepttrace_accepts_total%7Blistener%3D%22tcp%3A$port%22%7D"
got=
i=0
while [ $i -lt 120 ]; do
	wget -q -O "$W/query.json" "http://127.0.0.1:$PROM_PORT/api/v1/query?query=$q" 2>/dev/null &&
		got=$(sed -n 's/.*"listener":"tcp:'"$port"'"},"value":\[[0-9.]*,"\([0-9.e+]*\)"\].*/\1/p' "$W/query.json")
	[ -n "$got" ] && break
	i=$((i + 1))
	sleep 1
done
echo "# prometheus: answered after $(($(cut -d. -f1 /proc/uptime) - t0)) s"
check_eq "prometheus: accepts_total{listener=\"tcp:$port\"} over the HTTP API" \
	"$want" "$got"
[ -n "$got" ] || { diag <"$W/query.json"; tail -n 5 "$W/prometheus.log" | diag; }
check_eq "prometheus: the threads case's 8 accepts" 8 "$got"
kill "$pr" 2>/dev/null
wait "$pr" 2>/dev/null

# ---- the end: SIGTERM writes the file once more, exit 0 ----

kill "$ne" "$su" 2>/dev/null
wait "$ne" "$su" 2>/dev/null
kill -TERM "$mi"
wait "$mi"
check_eq "metrics -i: exit status after SIGTERM" 0 $?
check_eq "metrics -i: nothing on stdout or stderr" "" "$(cat "$W/mi.out" "$W/mi.err")"
check "metrics -i: the file, no FILE.tmp left" \
	test -s "$W/tf/accepttrace.prom" -a ! -e "$W/tf/accepttrace.prom.tmp"
promtool_ok "metrics -i, the last file" "$W/tf/accepttrace.prom"
finish
