#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (once) an accepttrace test kernel: Debian's linux-source-6.12 (the
# default) or linux-source-6.1, `make tinyconfig` + tools/vm/test-kernel.config
# (KUnit, kprobes, ftrace, KASAN, lockdep, UBSAN, KFENCE, kmemleak, ...) +
# tools/vm/test-kernel-SERIES.config (what differs between the two trees),
# cached outside the repository.
#
# Cache layout (AT_CACHE defaults to /var/cache/accepttrace; ROOT is
# $AT_CACHE/test-kernel for 6.12, $AT_CACHE/test-kernel-6.1 for 6.1, each
# with its own lock):
#   ROOT/src/<source-version>/        unpacked source (once)
#   ROOT/<source-version>-<hash>/     one build, where
#       build/          O= output tree, usable as KDIR for `make -C KDIR M=...`
#       build.log       full configure + build log
#       config.fragment copy of the fragments the build used
#       .complete       stamp, written last; a directory without it is junk
# <hash> is the first 12 hex digits of sha256 of the two fragments.
#
# Builds happen in a temporary sibling directory that is renamed into place,
# under an flock, so concurrent callers wait for one build instead of racing.
# The source is unpacked under a lock of its own (ROOT/src/.lock), so that
# --unpack (the in-tree KUnit step, kunit/run-intree.sh) need not wait
# for a kernel build.
#
# stdout, last three lines (read by tools/vm/kernels.sh):
#   KVER=<kernelrelease>
#   KDIR=<O= build tree>
#   VMLINUZ=<bzImage>
# Everything else goes to stderr.
#
# Usage: tools/vm/test-kernel.sh [--series 6.1|6.12] [--print] [--rebuild] [--unpack]
#   --series   which linux-source to build (default 6.12)
#   --print    print the paths of the cached kernel, exit 1 if not built
#   --rebuild  discard the cached build for this fragment and build again
#   --unpack   only unpack the source (once) and print KSRC=<ROOT/src/...>
#              and KSRC_VERSION=<source-version>; builds nothing

set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FRAGMENT=$HERE/test-kernel.config
SERIES=6.12

log() { printf 'test-kernel: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
	sed -n '/^# Usage:/,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
}

mode=build
while [ $# -gt 0 ]; do
	case $1 in
	--series)
		[ $# -ge 2 ] || { usage; die "--series needs 6.1 or 6.12"; }
		SERIES=$2
		shift
		;;
	--print) mode=print ;;
	--rebuild) mode=rebuild ;;
	--unpack) mode=unpack ;;
	-h|--help) usage; exit 0 ;;
	*) usage; die "unknown argument: $1" ;;
	esac
	shift
done

case $SERIES in
6.1 | 6.12) ;;
*) usage; die "unknown series '$SERIES' (6.1 or 6.12)" ;;
esac
SRC_PKG=linux-source-$SERIES
SRC_TARBALL=/usr/src/linux-source-$SERIES.tar.xz
OVERLAY=$HERE/test-kernel-$SERIES.config
CACHE_ROOT=${AT_CACHE:-/var/cache/accepttrace}/test-kernel
[ "$SERIES" = 6.12 ] || CACHE_ROOT+=-$SERIES

[ -r "$FRAGMENT" ] || die "missing config fragment $FRAGMENT"
[ -r "$OVERLAY" ] || die "missing config fragment $OVERLAY"

# --- build dependencies (cheap check, apt only when something is missing) ---
need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" -eq 0 ] || die "missing packages (need root to install): ${missing[*]}"
	log "installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >&2
	apt-get install -y --no-install-recommends "${missing[@]}" >&2
}

src_version() {
	dpkg-query -W -f='${Version}' "$SRC_PKG" 2>/dev/null || true
}

# The version is part of paths handed to make: keep it free of '~', ':' etc.
sanitize() { printf '%s' "$1" | tr -c 'A-Za-z0-9._+-' '_'; }

print_contract() {
	local dir=$1 kver
	kver=$(cat "$dir/build/include/config/kernel.release")
	printf 'KVER=%s\nKDIR=%s\nVMLINUZ=%s\n' \
		"$kver" "$dir/build" "$dir/build/arch/x86/boot/bzImage"
}

is_complete() {
	[ -f "$1/.complete" ] && [ -f "$1/build/arch/x86/boot/bzImage" ] &&
		[ -f "$1/build/Module.symvers" ] &&
		[ -f "$1/build/include/config/kernel.release" ]
}

hash=$(cat "$FRAGMENT" "$OVERLAY" | sha256sum | cut -c1-12)

if [ "$mode" = print ]; then
	ver=$(src_version)
	[ -n "$ver" ] || die "$SRC_PKG is not installed; run $0 to build"
	dir=$CACHE_ROOT/$(sanitize "$ver")-$hash
	is_complete "$dir" || die "test kernel not built ($dir); run $0 to build"
	print_contract "$dir"
	exit 0
fi

# Unpack the source into $srcdir once per source version, under the
# source lock (fd 8), which is released again: a kernel build need not
# hold it, and --unpack callers must not wait for one.
unpack_src() {
	local tmp
	mkdir -p "$CACHE_ROOT/src"
	exec 8>"$CACHE_ROOT/src/.lock"
	if ! flock -n 8; then
		log "waiting for another unpack (lock $CACHE_ROOT/src/.lock)"
		flock 8
	fi
	# Leftovers of interrupted runs (we hold the lock, so nobody owns them).
	rm -rf "$CACHE_ROOT"/src/.tmp-*
	if [ ! -f "$srcdir/.complete" ]; then
		rm -rf "$srcdir"
		tmp=$CACHE_ROOT/src/.tmp-$sver.$$
		mkdir -p "$tmp"
		log "unpacking $SRC_TARBALL ($ver) into $srcdir"
		tar -C "$tmp" --strip-components=1 -xJf "$SRC_TARBALL"
		[ -f "$tmp/Makefile" ] || die "unexpected layout of $SRC_TARBALL"
		: >"$tmp/.complete"
		mv -T "$tmp" "$srcdir"
	fi
	exec 8>&-
}

if [ "$mode" = unpack ]; then
	ver=$(src_version)
	sver=$(sanitize "$ver")
	srcdir=$CACHE_ROOT/src/$sver
	if [ -z "$ver" ] || [ ! -f "$srcdir/.complete" ]; then
		need_pkgs "$SRC_PKG" xz-utils
		[ -r "$SRC_TARBALL" ] || die "$SRC_TARBALL missing after installing $SRC_PKG"
		ver=$(src_version)
		sver=$(sanitize "$ver")
		srcdir=$CACHE_ROOT/src/$sver
		unpack_src
	fi
	printf 'KSRC=%s\nKSRC_VERSION=%s\n' "$srcdir" "$ver"
	exit 0
fi

# Fast path: nothing to install, nothing to lock.
ver=$(src_version)
if [ -n "$ver" ] && [ "$mode" = build ]; then
	dir=$CACHE_ROOT/$(sanitize "$ver")-$hash
	if is_complete "$dir"; then
		log "cached: $dir"
		print_contract "$dir"
		exit 0
	fi
fi

need_pkgs "$SRC_PKG" make gcc libc6-dev bc flex bison libelf-dev libssl-dev \
	cpio kmod xz-utils python3
[ -r "$SRC_TARBALL" ] || die "$SRC_TARBALL missing after installing $SRC_PKG"
ver=$(src_version)
sver=$(sanitize "$ver")
dir=$CACHE_ROOT/$sver-$hash
srcdir=$CACHE_ROOT/src/$sver

mkdir -p "$CACHE_ROOT/src"
exec 9>"$CACHE_ROOT/.lock"
if ! flock -n 9; then
	log "waiting for another build (lock $CACHE_ROOT/.lock)"
	flock 9
fi

# Leftovers of interrupted runs (we hold the lock, so nobody owns them).
rm -rf "$CACHE_ROOT"/.tmp-*

if [ "$mode" = rebuild ]; then
	log "--rebuild: removing $dir"
	rm -rf "$dir"
elif is_complete "$dir"; then
	# Another caller finished the build while we waited for the lock.
	log "cached: $dir"
	print_contract "$dir"
	exit 0
elif [ -e "$dir" ]; then
	log "removing incomplete build $dir"
	rm -rf "$dir"
fi

# --- unpack the source, once per source version ----------------------------
unpack_src

# --- configure and build ------------------------------------------------------
tmp=$CACHE_ROOT/.tmp-$sver-$hash.$$
obj=$tmp/build
logf=$tmp/build.log
mkdir -p "$obj"
cat "$FRAGMENT" "$OVERLAY" >"$tmp/config.fragment"

fail() {
	log "error: $1"
	if [ "${2:-}" != nolog ]; then
		log "last lines of $logf:"
		tail -n 60 "$logf" >&2 || true
	fi
	log "the failed tree is kept at $tmp until the next run"
	exit 1
}

jobs=$(nproc)
# ARCH=x86_64 so tinyconfig starts 64-bit (with ARCH=x86 it starts 32-bit
# and 64-bit defaults such as FRAME_WARN=2048 are lost).
kmake() { make -C "$srcdir" O="$obj" ARCH=x86_64 -j"$jobs" "$@"; }

log "configuring (tinyconfig + $(basename "$FRAGMENT") + $(basename "$OVERLAY")) in $obj"
{
	kmake tinyconfig &&
	"$srcdir/scripts/kconfig/merge_config.sh" -m -O "$obj" \
		"$obj/.config" "$tmp/config.fragment" &&
	kmake olddefconfig
} >"$logf" 2>&1 || fail "configuration failed"

# Every option of the fragment must survive olddefconfig.
bad=()
while IFS= read -r line; do
	case $line in
	CONFIG_*=*)
		grep -qxF -- "$line" "$obj/.config" || bad+=("$line")
		;;
	"# CONFIG_"*" is not set")
		opt=${line#\# }; opt=${opt%% *}
		! grep -q "^$opt=" "$obj/.config" || bad+=("$line")
		;;
	esac
done <"$tmp/config.fragment"
if [ ${#bad[@]} -gt 0 ]; then
	for line in "${bad[@]}"; do
		opt=${line#\# }; opt=${opt%%[= ]*}
		log "fragment wants '$line', .config has '$(grep -E "^(# )?$opt[= ]" "$obj/.config" || echo unset)'"
	done
	fail "config fragment not satisfied (missing dependency?)" nolog
fi

log "building with -j$jobs (log: $logf; takes a few minutes)"
start=$(date +%s)
kmake all >>"$logf" 2>&1 || fail "kernel build failed"
secs=$(( $(date +%s) - start ))
[ -f "$obj/Module.symvers" ] || fail "no Module.symvers after build"
log "built in ${secs}s"

printf 'source=%s\nfragment_sha256=%s\nbuild_seconds=%s\ndate=%s\n' \
	"$ver" "$(sha256sum "$tmp/config.fragment" | cut -d' ' -f1)" "$secs" \
	"$(date -u +%FT%TZ)" >"$tmp/.complete"
mv -T "$tmp" "$dir"
log "installed: $dir"
print_contract "$dir"
