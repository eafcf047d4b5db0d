#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kernels.sh NAME -- make a test kernel available and describe it.
#
# NAME is one of
#   6.1, 6.12        Debian's generic kernels (linux-image-amd64, the
#                    6.12 backport)
#   6.1-rt, 6.12-rt  Debian's PREEMPT_RT kernels (linux-image-rt-amd64,
#                    linux-image-6.12.*+deb12-rt-amd64-unsigned)
#   test, test-6.1   the debug kernels tools/vm/test-kernel.sh builds from
#                    linux-source-6.12 and linux-source-6.1
# On success prints shell assignments
#   KVER=...  KDIR=...  VMLINUZ=...
# for eval.  For the Debian kernels it installs the matching headers with
# apt (DKMS needs them in /lib/modules/$KVER/build) and unpacks the
# unsigned image package into $AT_CACHE/kernels/$KVER.  Versions are
# resolved from the package index at run time because Debian moves them
# every few weeks; when apt is unreachable the newest cached kernel that
# still has headers installed is used instead.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The 6.1 ABI that the linux-headers-amd64 (FLAVOUR=amd64) or
# linux-headers-rt-amd64 (rt-amd64) metapackage points at.
resolve_61() {
	local flavour=$1
	apt-cache depends "linux-headers-$flavour" 2>/dev/null |
		sed -n "s/^ *Depends: linux-headers-\(6\.1\.[0-9]*-[0-9]*-$flavour\)\$/\1/p" | head -n1
}

# The highest 6.12 backport of FLAVOUR in the index.
resolve_612() {
	local flavour=$1
	apt-cache search --names-only "^linux-headers-6\.12\.[0-9]+\+deb12-$flavour\$" 2>/dev/null |
		sed -n "s/^linux-headers-\(6\.12\.[0-9]*+deb12-$flavour\) .*/\1/p" | sort -V | tail -n1
}

# Offline fallback: newest cached kernel of a series with headers present.
# PAT is an extended regular expression for the whole release name.
resolve_cached() {
	local pat=$1 d best=
	for d in "$AT_CACHE"/kernels/*; do
		[[ ${d##*/} =~ ^$pat$ ]] || continue
		[ -f "$d/.stamp" ] && [ -f "/lib/modules/${d##*/}/build/Makefile" ] || continue
		best+="${d##*/}"$'\n'
	done
	printf '%s' "$best" | sort -V | tail -n1
}

ensure_headers() {
	local kver=$1
	[ -f "/lib/modules/$kver/build/Makefile" ] && return 0
	apt_install "linux-headers-$kver" ||
		die "headers for $kver are missing and could not be installed — run: apt-get install linux-headers-$kver"
	[ -f "/lib/modules/$kver/build/Makefile" ] ||
		die "linux-headers-$kver is installed but /lib/modules/$kver/build/Makefile is missing — reinstall it: apt-get install --reinstall linux-headers-$kver"
}

# Unpack vmlinuz (and config, System.map) from linux-image-$kver-unsigned.
# Work happens in a temp dir that is renamed into place, and a stamp marks
# completion, so an interrupted run never leaves a half-written kernel.
ensure_image() {
	local kver=$1 dest="$AT_CACHE/kernels/$1" tmp deb
	[ -f "$dest/.stamp" ] && return 0
	with_lock "kernel-$kver"
	[ -f "$dest/.stamp" ] && return 0
	mkdir -p "$AT_CACHE/kernels"
	tmp=$(mktemp -d "$AT_CACHE/kernels/.tmp-$kver.XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now
	trap "rm -rf '$tmp'" EXIT
	msg "downloading linux-image-$kver-unsigned"
	(cd "$tmp" && quiet apt-get download -q "linux-image-$kver-unsigned") ||
		die "could not download linux-image-$kver-unsigned — check the apt sources (apt-get update) or network"
	deb=$(ls "$tmp"/*.deb)
	quiet dpkg-deb -x "$deb" "$tmp/x" || die "could not unpack $deb"
	mkdir -p "$tmp/k"
	mv "$tmp/x/boot/vmlinuz-$kver" "$tmp/k/vmlinuz"
	mv "$tmp/x/boot/config-$kver" "$tmp/k/config" 2>/dev/null || true
	mv "$tmp/x/boot/System.map-$kver" "$tmp/k/System.map" 2>/dev/null || true
	touch "$tmp/k/.stamp"
	rm -rf "$dest"
	mv "$tmp/k" "$dest"
	rm -rf "$tmp"
	trap - EXIT
}

debian_kernel() {
	local series=${1%-rt} flavour=amd64 kver pat
	[ "$1" = "$series" ] || flavour=rt-amd64
	case $series in
	6.1) kver=$(resolve_61 "$flavour") pat="6\.1\.[0-9]+-[0-9]+-$flavour" ;;
	6.12) kver=$(resolve_612 "$flavour") pat="6\.12\.[0-9]+\+deb12-$flavour" ;;
	esac
	if [ -z "$kver" ]; then
		kver=$(resolve_cached "$pat")
		[ -n "$kver" ] || die "cannot find a $1 kernel in the apt index — run apt-get update"
	fi
	# The index may name a version we cannot fetch right now (apt
	# unreachable); then carry on with the newest complete cached one.
	if ! (ensure_headers "$kver" && ensure_image "$kver"); then
		local cached
		cached=$(resolve_cached "$pat")
		[ -n "$cached" ] && [ "$cached" != "$kver" ] || exit 1
		msg "using the cached $cached instead of $kver"
		kver=$cached
	fi
	print_vars "$kver" "/lib/modules/$kver/build" "$AT_CACHE/kernels/$kver/vmlinuz"
}

# The debug/KUnit kernels are built by another script; it prints the same
# three variables.  Absent script = kernel not provided (exit 2).
test_kernel() {
	local series=$1 script="$AT_ROOT/tools/vm/test-kernel.sh" out KVER= KDIR= VMLINUZ=
	[ -x "$script" ] || [ -f "$script" ] || { msg "tools/vm/test-kernel.sh does not exist (yet) — no 'test' kernel"; exit 2; }
	out=$(bash "$script" --series "$series" | grep -E '^(KVER|KDIR|VMLINUZ)=') ||
		die "tools/vm/test-kernel.sh --series $series failed — run it by hand to see why"
	eval "$out"
	[ -n "$KVER" ] && [ -n "$KDIR" ] && [ -n "$VMLINUZ" ] ||
		die "tools/vm/test-kernel.sh did not print KVER=, KDIR= and VMLINUZ="
	print_vars "$KVER" "$KDIR" "$VMLINUZ"
}

print_vars() {
	[ -f "$2/Makefile" ] || die "KDIR=$2 has no Makefile"
	[ -f "$3" ] || die "kernel image $3 is missing — remove $(dirname "$3") and rerun"
	printf 'KVER=%q\nKDIR=%q\nVMLINUZ=%q\n' "$1" "$2" "$3"
}

main() {
	[ $# -eq 1 ] || die "usage: kernels.sh 6.1|6.12|6.1-rt|6.12-rt|test|test-6.1"
	case $1 in
	6.1 | 6.12 | 6.1-rt | 6.12-rt) debian_kernel "$1" ;;
	test) test_kernel 6.12 ;;
	test-6.1) test_kernel 6.1 ;;
	*) die "unknown kernel '$1' — use 6.1, 6.12, 6.1-rt, 6.12-rt, test or test-6.1" ;;
	esac
}

main "$@"
