#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# config-matrix.sh [SERIES-VARIANT...] -- build the module, warning-free
# with W=1 and sparse, against kernel configurations that no packaged
# kernel has: Debian's own configuration of linux-source-6.1 and -6.12
# with one thing changed, prepared with "make modules_prepare".
#
#   ipv6-off      CONFIG_IPV6=n (no struct ipv6_pinfo, no in6 helpers)
#   ipv6-module   CONFIG_IPV6=m (IS_ENABLED, not IS_BUILTIN)
#   no-netns      CONFIG_NET_NS=n (every socket in init_net)
#   kprobes-int3  CONFIG_FTRACE=n: kprobes by int3 (no KPROBES_ON_FTRACE;
#                 FUNCTION_TRACER alone is selected back by Debian's options)
#   preempt-rt    CONFIG_PREEMPT_RT=y (6.12: mainline since 6.12; 6.1's
#                 is Debian's 6.1-rt package, which make check builds)
#   kunit-module  CONFIG_KUNIT=m, the distro case: the KUnit module
#                 (AT_KUNIT=1) builds beside accepttrace.ko
#
# Without arguments every one of them, for both series (6.12-preempt-rt
# but no 6.1-preempt-rt).  A prepared tree is cached in
# $AT_CACHE/config-matrix/<source-version>-<variant>-<hash>/ (hash: the
# base configuration and the change), written under a lock and renamed
# into place, so a warm run only builds the module.  An option that
# olddefconfig drops (a dependency missing) fails the variant rather
# than building something else under its name.  One PASS/FAIL line per
# variant ("config/6.1-ipv6-off"); exit status 1 if any failed.
set -euo pipefail
AT_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
. "$AT_ROOT/tools/vm/lib.sh"

CACHE=${AT_CACHE:-/var/cache/accepttrace}
VARIANTS="ipv6-off ipv6-module no-netns kprobes-int3 preempt-rt kunit-module"

# ops VARIANT: scripts/config arguments, then "=" and the lines the
# resulting .config must hold
ops() {
	case $1 in
	ipv6-off) echo "--disable IPV6 = # CONFIG_IPV6 is not set" ;;
	ipv6-module) echo "--module IPV6 = CONFIG_IPV6=m" ;;
	no-netns) echo "--disable NET_NS = # CONFIG_NET_NS is not set" ;;
	kprobes-int3) echo "--disable FTRACE = # CONFIG_FTRACE is not set|CONFIG_KPROBES=y|CONFIG_KRETPROBES=y" ;;
	preempt-rt) echo "--enable EXPERT --disable PREEMPT_NONE --disable PREEMPT_VOLUNTARY --disable PREEMPT --enable PREEMPT_RT = CONFIG_PREEMPT_RT=y" ;;
	kunit-module) echo "--module KUNIT --enable KUNIT_DEBUGFS = CONFIG_KUNIT=m" ;;
	*) return 1 ;;
	esac
}

# prepare SERIES VARIANT: prints the prepared O= tree
prepare() {
	local series=$1 variant=$2 ksrc base spec args want hash dir tmp line
	ksrc=$("$AT_ROOT/tools/vm/test-kernel.sh" --series "$series" --unpack | sed -n 's/^KSRC=//p' | tail -n1)
	[ -d "$ksrc" ] || die "no linux-source-$series tree"
	eval "$("$AT_ROOT/tools/vm/kernels.sh" "$series")"
	base=$KDIR/.config
	[ -f "$base" ] || die "no Debian configuration at $base"
	spec=$(ops "$variant") || die "unknown variant $variant"
	args=${spec%% = *}
	want=${spec#* = }
	# The recipe's version too: a change to how a tree is prepared
	# must not reuse trees prepared the old way.
	hash=$({ cat "$base"; echo "$spec recipe 3"; } | sha256sum | cut -c1-12)
	dir=$CACHE/config-matrix/$(basename "$ksrc")-$variant-$hash
	mkdir -p "$CACHE/config-matrix"
	exec 8>"$dir.lock"
	flock 8
	if [ ! -f "$dir/.complete" ]; then
		tmp=$dir.tmp
		rm -rf "$tmp"
		mkdir -p "$tmp"
		cp "$base" "$tmp/.config"
		# shellcheck disable=SC2086 # $args is a list of options
		"$ksrc/scripts/config" --file "$tmp/.config" $args ||
			die "$series-$variant: scripts/config failed"
		make -s -C "$ksrc" O="$tmp" olddefconfig >&2 ||
			die "$series-$variant: olddefconfig failed"
		while IFS= read -r line; do
			grep -qxF "$line" "$tmp/.config" ||
				die "$series-$variant: olddefconfig did not keep '$line'"
		done < <(tr '|' '\n' <<<"$want")
		make -s -C "$ksrc" O="$tmp" -j"$(nproc)" modules_prepare >&2 ||
			die "$series-$variant: modules_prepare failed"
		# No vmlinux here, so no Module.symvers of its own: modpost
		# resolves the module's symbols against Debian's (the same
		# exports but for the one option; only presence is checked).
		cp "$KDIR/Module.symvers" "$tmp/Module.symvers" || die "no $KDIR/Module.symvers"
		# Debian's kernel has no KUnit: build lib/kunit as a module
		# here, for the exports the KUnit module links against.  Its
		# own imports from a KUnit vmlinux (kunit_hooks, symbols
		# exported only for KUnit) are not in Debian's list, so its
		# modpost only warns: it is built for its Module.symvers.
		if [ "$variant" = kunit-module ]; then
			rm -rf "$tmp/kunit-ext"
			cp -r "$ksrc/lib/kunit" "$tmp/kunit-ext"
			make -s -C "$tmp" M="$tmp/kunit-ext" KBUILD_MODPOST_WARN=1 \
				modules >&2 2>/dev/null ||
				die "$series-$variant: lib/kunit did not build"
			[ -s "$tmp/kunit-ext/Module.symvers" ] ||
				die "$series-$variant: no lib/kunit Module.symvers"
			cat "$tmp/kunit-ext/Module.symvers" >>"$tmp/Module.symvers"
		fi
		touch "$tmp/.complete"
		rm -rf "$dir"
		mv "$tmp" "$dir"
	fi
	exec 8>&-
	echo "$dir"
}

one() {
	local name=$1 series=${1%%-*} variant=${1#*-} dir out log rc=0
	log=${AT_LOGDIR:-$AT_ROOT/build/logs}/config-$name.log
	mkdir -p "$(dirname "$log")"
	if ! dir=$(prepare "$series" "$variant" 2>"$log"); then
		report FAIL "config/$name" 0 1 "$(tail -n1 "$log")"
		return 1
	fi
	out=$AT_ROOT/build/config/$name
	STRICT=1 "$AT_ROOT/tools/vm/build.sh" "$dir" "$out" >>"$log" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		report FAIL "config/$name" 0 1 "W=1 C=2 build failed; see $log and $out/build.log"
		grep -E 'warning|error' "$out/build.log" | head -n 10 | sed 's/^/    | /' || true
		return 1
	fi
	if [ "$variant" = kunit-module ] && [ ! -f "$out/kunit/accepttrace_kunit.ko" ]; then
		report FAIL "config/$name" 0 1 "no kunit/accepttrace_kunit.ko against CONFIG_KUNIT=m"
		return 1
	fi
	report PASS "config/$name" 1 0 "W=1 C=2 clean"
}

main() {
	local list=() v s fail=0
	if [ $# -gt 0 ]; then
		list=("$@")
	else
		for s in 6.1 6.12; do
			for v in $VARIANTS; do
				[ "$s-$v" = 6.1-preempt-rt ] && continue
				list+=("$s-$v")
			done
		done
	fi
	for v in "${list[@]}"; do
		one "$v" || fail=1
	done
	return $fail
}

main "$@"
