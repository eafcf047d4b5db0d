# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the accepttrace build/test harness.  Sourced, not run.

# Everything downloaded or built for the harness lives here, outside the
# repository, so that fresh clones (CI) reuse it.
AT_CACHE=${AT_CACHE:-/var/cache/accepttrace}
AT_ROOT=${AT_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}

msg() { printf 'accepttrace: %s\n' "$*" >&2; }
die() { msg "$*"; exit 1; }

# Run a command quietly; on failure show its output, since that is the
# only time anybody wants to read apt or dpkg chatter.
quiet() {
	local out rc=0
	out=$("$@" 2>&1) || rc=$?
	if [ "$rc" -ne 0 ]; then
		printf '%s\n' "$out" | tail -n 30 >&2
	fi
	return "$rc"
}

need_root() {
	[ "$(id -u)" -eq 0 ] || die "$1 needs root (run as root or with sudo)"
}

# Serialise work on shared state (the cache, apt, dkms) between concurrent
# harness runs by several engineers on the same machine.  The lock is held
# on fd 9 until the calling (sub)shell exits.
# Machine-wide state (dkms) is locked in /run/lock, whatever AT_CACHE is.
with_lock() {
	local name=$1 dir="$AT_CACHE/locks"
	[ "$name" = dkms ] && dir=/run/lock
	mkdir -p "$dir"
	exec 9>"$dir/accepttrace-$name.lock"
	flock 9
}

pkg_installed() {
	[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

# apt-get update at most once per run, and only when an install needs it.
apt_updated=
apt_install() {
	local missing=() p
	for p in "$@"; do
		pkg_installed "$p" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	need_root "installing ${missing[*]}"
	msg "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	if [ -z "$apt_updated" ]; then
		quiet apt-get update -q || msg "apt-get update failed, trying with the current package index"
		apt_updated=1
	fi
	quiet apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
		"${missing[@]}"
}

# Print one summary line and, when check.sh collects results, record it.
#   report PASS|FAIL|SKIP NAME PASSED FAILED DETAIL
report() {
	local status=$1 name=$2 pass=$3 fail=$4 detail=$5
	printf '%-4s  %-32s  (%s)\n' "$status" "$name" "$detail"
	if [ -n "${AT_RESULTS:-}" ]; then
		printf '%s\t%s\t%s\t%s\n' "$status" "$name" "$pass" "$fail" >>"$AT_RESULTS"
	fi
}

# Experiments, not tests: a suite here runs only when SUITES names it.
# 76-hotplug-soak (issue 11) runs 75-hotplug's loop as long as asked,
# for tools/vm/hotplug-soak.sh, and counts what CPU hotplug patches.
AT_NAMED_ONLY="76-hotplug-soak"

# Guest suites, by name, in run order.  SUITES may name a suite in full
# (00-smoke) or by number (00); host-side names (build, checkpatch, ...)
# are ignored here.  Empty or "all" selects every suite but those in
# AT_NAMED_ONLY.
guest_suites() {
	local want=${1:-all} f name w
	for f in "$AT_ROOT"/tools/testing/guest/*.sh; do
		[ -f "$f" ] || continue
		name=$(basename "$f" .sh)
		if [ "$want" = all ]; then
			[[ " $AT_NAMED_ONLY " == *" $name "* ]] || echo "$name"
			continue
		fi
		for w in ${want//,/ }; do
			if [ "$w" = "$name" ] || [ "$w" = "${name%%-*}" ]; then
				echo "$name"
				break
			fi
		done
	done
}

# Kernel messages that fail a run even when every test passed.  Only
# timestamped (printk.time=1) lines count, so a test printing the word
# "WARNING:" does not trip it.
KERNEL_SPLAT_RE='\[ *[0-9]+\.[0-9]+\].*(BUG:|WARNING:|Oops|KASAN|UBSAN|possible circular locking|inconsistent lock state|possible recursive locking|suspicious RCU usage|Call Trace:|Kernel panic|general protection fault|kernel BUG|refcount_t:|list_(add|del) corruption)'
