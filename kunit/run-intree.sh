#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run-intree.sh [kunit.py run options...] -- run the accepttrace KUnit
# suites the way kernel CI does: inside a kernel tree, with kunit.py.
#
# The tree is a hard-linked copy of the test kernel's unpacked
# linux-source-6.12 ($AT_CACHE/test-kernel/src/<version>, unpacked by
# tools/vm/test-kernel.sh --unpack if it is not there yet), so the
# original is never touched: the two files edited (drivers/misc/Kconfig
# and Makefile) are replaced by real copies.  The sources go to
# drivers/misc/accepttrace/ as kunit/Kconfig describes, and kunit.py
# builds an x86_64 kernel from drivers/misc/accepttrace/kunit/.kunitconfig
# and boots it in QEMU.
#
# Cache: $AT_CACHE/kunit-intree/<source-version>-<arch>-<hash>/, where
# <hash> is the first 12 hex digits of the sha256 of kunit/.kunitconfig
# and of the options that change the kernel's configuration; it holds
#   linux/      the tree (hard links, plus the hooks and our sources)
#   build/      kunit.py's --build_dir: .config, the objects, test.log
# Our sources are copied into the tree only when their content changed
# (rsync --checksum), so a second run rebuilds nothing and a change to
# one of them rebuilds only the accepttrace objects and the link.
#
# Environment: AT_KSRC=/path/to/linux uses that tree instead (its
# "make kernelversion" then keys the cache); AT_KUNIT_RAW=1 appends the
# raw kernel output (the whole KTAP, build/test.log) after kunit.py's.
# The exit status is kunit.py's: non-zero when the configuration, the
# build or any test failed, or the kernel crashed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${AT_CACHE:-/var/cache/accepttrace}

die() { printf 'accepttrace: %s\n' "$*" >&2; exit 1; }
sanitize() { printf '%s' "$1" | tr -c 'A-Za-z0-9._+-' '_'; }

src=${AT_KSRC:-}
if [ -n "$src" ]; then
	src=$(cd "$src" && pwd) || die "AT_KSRC=$AT_KSRC: no such directory"
	ver=$(make -s -C "$src" kernelversion 2>/dev/null) ||
		die "AT_KSRC=$src: not a kernel tree (make kernelversion failed)"
	ver="$ver-$(printf '%s' "$src" | sha256sum | cut -c1-8)"
else
	vars=$("$ROOT/tools/vm/test-kernel.sh" --unpack) ||
		die "cannot unpack the kernel source (tools/vm/test-kernel.sh --unpack failed)"
	eval "$vars"
	src=$KSRC
	ver=$KSRC_VERSION
fi
[ -f "$src/tools/testing/kunit/kunit.py" ] ||
	die "no tools/testing/kunit/kunit.py in $src"

# The architecture (the last --arch wins, as in kunit.py) and what else
# shapes the .config key the cache.
arch=x86_64
keyopts=()
for a in "$@"; do
	case $a in
	--arch=*) arch=${a#--arch=} ;;
	--kconfig_add=* | --kunitconfig=* | --make_options=* | --cross_compile=* | \
		--qemu_config=*) keyopts+=("$a") ;;
	esac
done
hash=$({ cat "$ROOT/kunit/.kunitconfig"; printf '%s\n' "${keyopts[@]}"; } |
	sha256sum | cut -c1-12)
WORK=$CACHE/kunit-intree/$(sanitize "$ver")-$(sanitize "$arch")-$hash
tree=$WORK/linux
build=$WORK/build

mkdir -p "$WORK"
exec 9>"$WORK/.lock"
if ! flock -n 9; then
	echo "accepttrace: waiting for another run in $WORK" >&2
	flock 9
fi
echo "accepttrace: kernel source $src ($ver), cache $WORK" >&2
if [ "$(cat "$tree/.at-src" 2>/dev/null)" != "$src" ]; then
	echo "accepttrace: linking $src into $tree (once)" >&2
	rm -rf "$tree" "$tree.tmp" "$build"
	cp -al "$src" "$tree.tmp"
	rm -f "$tree.tmp/.complete"
	echo "$src" >"$tree.tmp/.at-src"
	mv "$tree.tmp" "$tree"
fi

# The two hooks, on private copies of the files (a rename replaces the
# hard link), rewritten only when they change so make sees no change.
hook() {
	local f=$1
	shift
	"$@" <"$src/$f" >"$tree/$f.at-new"
	if cmp -s "$tree/$f.at-new" "$tree/$f"; then
		rm -f "$tree/$f.at-new"
	else
		mv -f "$tree/$f.at-new" "$tree/$f"
	fi
}
hook drivers/misc/Kconfig sed '$i source "drivers/misc/accepttrace/kunit/Kconfig"'
hook drivers/misc/Makefile sh -c 'cat; echo "obj-\$(CONFIG_ACCEPTTRACE) += accepttrace/"'

dst=$tree/drivers/misc/accepttrace
mkdir -p "$dst"
rsync -r --checksum --delete --delete-excluded \
	--exclude='*.o' --exclude='*.ko' --exclude='*.ko.*' --exclude='*.mod' \
	--exclude='*.mod.c' --exclude='*.a' --exclude='.*.cmd' --exclude='.*.d' \
	--exclude='modules.order' --exclude='Module.symvers' \
	"$ROOT/Kbuild" "$ROOT/module" "$ROOT/include" "$ROOT/kunit" "$dst/"

rm -f "$build/test.log"
cd "$tree"
rc=0
python3 tools/testing/kunit/kunit.py run --arch=x86_64 \
	--kunitconfig=drivers/misc/accepttrace/kunit \
	--build_dir="$build" --jobs="$(nproc)" --timeout=900 "$@" || rc=$?
if [ "${AT_KUNIT_RAW:-0}" = 1 ] && [ -f "$build/test.log" ]; then
	echo "---- raw kernel output ($build/test.log) ----"
	cat "$build/test.log"
fi
exit "$rc"
