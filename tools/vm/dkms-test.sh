#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# dkms-test.sh KERNEL... -- check the DKMS packaging end to end.
#
# For each Debian kernel name (6.1, 6.12): dkms add/build/install from a
# copy of the tree in /usr/src/accepttrace-$VERSION, boot that kernel with
# the DKMS-built module and run the 00-smoke suite with it, then remove
# everything again.  The /usr/src copy carries a marker file so that
# leftovers of an interrupted run are recognised and cleaned up, while a
# real (non-test) DKMS install of accepttrace is never touched.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

VER=$(cat "$AT_ROOT/VERSION")
SRC=/usr/src/accepttrace-$VER
MARK=.accepttrace-harness

# Remove our test install, also one left over by an interrupted run.
cleanup() {
	[ -e "$SRC" ] && [ ! -e "$SRC/$MARK" ] && return 0
	# No "| grep -q" here: with pipefail, dkms dying of SIGPIPE would
	# make a registered module look absent.
	if [ -n "$(registered)" ]; then
		quiet dkms remove "accepttrace/$VER" --all || true
	fi
	rm -rf "$SRC" "$SRC".tmp.*
	restore_module_dirs
}

registered() {
	dkms status -m accepttrace -v "$VER" 2>/dev/null || true
}

# dkms install runs depmod, which creates modules.* files (and updates/)
# in /lib/modules/$KVER even where only headers are installed.  Remember
# what was there before and remove what the test added.
remember_module_dir() {
	local kver=$1 list="$AT_CACHE/dkms-before-$1.list"
	[ -f "$list" ] && return 0
	(cd "/lib/modules/$kver" && find . -mindepth 1 -maxdepth 1 | sort) >"$list.tmp"
	mv "$list.tmp" "$list"
}

restore_module_dirs() {
	local list kver f
	for list in "$AT_CACHE"/dkms-before-*.list; do
		[ -f "$list" ] || continue
		kver=${list##*/dkms-before-}
		kver=${kver%.list}
		if [ -d "/lib/modules/$kver" ]; then
			(cd "/lib/modules/$kver" && find . -mindepth 1 -maxdepth 1 | sort) |
				comm -13 "$list" - | while read -r f; do
					rm -rf "/lib/modules/$kver/${f#./}"
				done
		fi
		rm -f "$list"
	done
}

add_source() {
	local tmp f
	if [ -e "$SRC" ] && [ ! -e "$SRC/$MARK" ]; then
		die "$SRC exists and was not made by the test harness — remove it (dkms remove accepttrace/$VER --all; rm -rf $SRC) and rerun"
	fi
	cleanup
	tmp=$(mktemp -d "$SRC.tmp.XXXXXX")
	for f in module include kunit Kbuild Makefile dkms.conf VERSION; do
		[ -e "$AT_ROOT/$f" ] || continue
		rsync -a --exclude='*.o' --exclude='*.ko' --exclude='*.ko.*' --exclude='*.mod' \
			--exclude='*.mod.c' --exclude='.*.cmd' --exclude=Module.symvers \
			--exclude=modules.order "$AT_ROOT/$f" "$tmp/"
	done
	touch "$tmp/$MARK"
	chmod 0755 "$tmp"
	mv "$tmp" "$SRC"
	quiet dkms add -m accepttrace -v "$VER"
}

# dkms may compress the module (Debian 6.12 uses .ko.xz); the guest gets
# a plain .ko so that busybox insmod can load it.
installed_ko() {
	local kver=$1 out=$2 f
	for f in /lib/modules/"$kver"/updates/dkms/accepttrace.ko{,.xz,.zst,.gz}; do
		[ -f "$f" ] || continue
		case $f in
		*.xz) xz -dc "$f" >"$out" ;;
		*.zst) zstd -qdc "$f" >"$out" ;;
		*.gz) gzip -dc "$f" >"$out" ;;
		*) cp "$f" "$out" ;;
		esac
		return 0
	done
	return 1
}

test_kernel() {
	local name=$1 tmp=$2 KVER KDIR VMLINUZ vars
	vars=$("$AT_ROOT/tools/vm/kernels.sh" "$name") || {
		report FAIL "dkms/$name/install" 0 1 "kernel $name unavailable"
		return 1
	}
	eval "$vars"
	remember_module_dir "$KVER"
	if ! quiet dkms build -m accepttrace -v "$VER" -k "$KVER" ||
		! quiet dkms install -m accepttrace -v "$VER" -k "$KVER" --force; then
		report FAIL "dkms/$name/install" 0 1 "dkms build/install -k $KVER failed"
		return 1
	fi
	if ! installed_ko "$KVER" "$tmp/accepttrace-$name.ko"; then
		report FAIL "dkms/$name/install" 0 1 "no accepttrace.ko under /lib/modules/$KVER/updates/dkms"
		return 1
	fi
	report PASS "dkms/$name/install" 1 0 "dkms build+install -k $KVER"
	"$AT_ROOT/tools/vm/run.sh" -s 00-smoke -l "dkms/$name" -o "${AT_LOGDIR:-$tmp}/dkms-$name.console.log" \
		"$VMLINUZ" "$tmp/accepttrace-$name.ko"
}

main() {
	[ $# -ge 1 ] || die "usage: dkms-test.sh 6.1|6.12 ..."
	need_root "the DKMS test"
	command -v dkms >/dev/null || die "dkms is missing — run: make deps (or apt-get install dkms)"
	local tmp name rc=0
	# dkms state is machine-wide: one harness run at a time.
	with_lock dkms
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/at-dkms.XXXXXX")
	# shellcheck disable=SC2064
	trap "cleanup; rm -rf '$tmp'" EXIT
	trap 'exit 130' INT TERM
	if ! add_source; then
		report FAIL dkms/add 0 1 "dkms add accepttrace/$VER failed"
		return 1
	fi
	for name in "$@"; do
		test_kernel "$name" "$tmp" || rc=1
	done
	cleanup
	if [ -n "$(registered)" ] || [ -e "$SRC" ]; then
		report FAIL dkms/remove 0 1 "accepttrace/$VER still registered with dkms or $SRC left behind"
		rc=1
	else
		report PASS dkms/remove 1 0 "dkms remove --all, $SRC removed"
	fi
	return $rc
}

main "$@"
