#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build.sh KDIR OUTDIR [make args...] -- build the module out of tree.
#
# Copies the module sources (module/ include/ kunit/ Kbuild) into OUTDIR
# and runs kbuild there, so several kernels can be built in one run
# without fighting over object files in the source tree.  Build outputs
# are never copied (nor kept from an earlier build), so every warning is
# seen on every run.  With STRICT=1 the build uses W=1 and sparse (C=2)
# and fails on any warning; the log is kept as OUTDIR/build.log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

main() {
	[ $# -ge 2 ] || die "usage: build.sh KDIR OUTDIR [make args]"
	local kdir=$1 out=$2 log flags=() rc=0 src
	shift 2
	[ -f "$kdir/Makefile" ] ||
		die "KDIR=$kdir has no Makefile — install the matching linux-headers package or pass KDIR=/path/to/build"
	if [ "${STRICT:-0}" = 1 ]; then
		command -v sparse >/dev/null || die "sparse is missing — run: make deps (or apt-get install sparse)"
		flags=(W=1 C=2)
	fi
	mkdir -p "$out"
	for src in module include kunit Kbuild VERSION; do
		[ -e "$AT_ROOT/$src" ] || continue
		rsync -a --delete --delete-excluded \
			--exclude='*.o' --exclude='*.ko' --exclude='*.ko.*' --exclude='*.mod' \
			--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.a' \
			--exclude='Module.symvers' --exclude='modules.order' \
			"$AT_ROOT/$src" "$out/"
	done
	rm -f "$out"/Module.symvers "$out"/modules.order "$out"/.module-common.o
	log="$out/build.log"
	# The harness wants the KUnit module too, where the kernel has KUnit
	# (AT_KUNIT=1, see Kbuild); AT_KUNIT=0 builds what "make" builds.
	make -C "$kdir" M="$(cd "$out" && pwd)" "${flags[@]}" AT_KUNIT="${AT_KUNIT:-1}" "$@" modules >"$log" 2>&1 || rc=$?
	# The benchmark's test-only module (tools/bench/floor), same kernel and flags.
	if [ -f "$AT_ROOT/tools/bench/floor/Kbuild" ]; then
		rm -rf "$out/floor"
		mkdir -p "$out/floor"
		cp "$AT_ROOT"/tools/bench/floor/Kbuild "$AT_ROOT"/tools/bench/floor/*.c "$out/floor/"
		make -C "$kdir" M="$(cd "$out/floor" && pwd)" "${flags[@]}" modules >>"$log" 2>&1 || rc=$?
	fi
	if [ "$rc" -ne 0 ]; then
		grep -E 'error|Error|warning' "$log" | head -n 40 >&2 || tail -n 40 "$log" >&2
		die "build against $kdir failed (full log: $log)"
	fi
	if [ "${STRICT:-0}" = 1 ] && grep -qiE '(warning|error)[]:[ ]' "$log"; then
		grep -iE '(warning|error)[]:[ ]' "$log" | head -n 40 >&2
		die "build against $kdir has warnings (W=1 C=2; full log: $log)"
	fi
	[ -f "$out/module/accepttrace.ko" ] || die "build produced no module/accepttrace.ko (log: $log)"
}

main "$@"
