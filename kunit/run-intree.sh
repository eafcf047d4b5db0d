#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run-intree.sh [kunit.py run options...] -- run the accepttrace KUnit
# suites the way kernel CI does: inside a kernel tree, with kunit.py.
#
# The tree is a hard-linked copy of the test kernel's unpacked
# linux-source-6.12 ($AT_CACHE/test-kernel/src/<version>, made by
# tools/vm/test-kernel.sh), so the original is never touched: the two
# files edited (drivers/misc/Kconfig and Makefile) are replaced by real
# copies.  The sources go to drivers/misc/accepttrace/ as kunit/Kconfig
# describes, and kunit.py builds an x86_64 kernel from
# drivers/misc/accepttrace/kunit/.kunitconfig and boots it in QEMU.
# The first build takes long (a kernel from scratch); later runs rebuild
# only what changed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${AT_CACHE:-/var/cache/accepttrace}
WORK=$CACHE/kunit-intree

die() { printf 'accepttrace: %s\n' "$*" >&2; exit 1; }

src=${AT_KSRC:-}
if [ -z "$src" ]; then
	for d in "$CACHE"/test-kernel/src/*/; do
		[ -f "$d/tools/testing/kunit/kunit.py" ] && src=${d%/}
	done
fi
[ -n "$src" ] && [ -f "$src/tools/testing/kunit/kunit.py" ] ||
	die "no kernel source with tools/testing/kunit/kunit.py — run tools/vm/test-kernel.sh once, or pass AT_KSRC=/path/to/linux"

tree=$WORK/linux
mkdir -p "$WORK"
exec 9>"$WORK/.lock"
flock 9
if [ "$(cat "$tree/.at-src" 2>/dev/null)" != "$src" ]; then
	echo "accepttrace: linking $src into $tree (once)" >&2
	rm -rf "$tree" "$WORK/build"
	cp -al "$src" "$tree.tmp"
	rm -f "$tree.tmp/.complete"
	echo "$src" >"$tree.tmp/.at-src"
	mv "$tree.tmp" "$tree"
fi

# The two hooks, on private copies of the files.
for f in drivers/misc/Kconfig drivers/misc/Makefile; do
	cp --remove-destination "$src/$f" "$tree/$f"
done
sed -i '$i source "drivers/misc/accepttrace/kunit/Kconfig"' \
	"$tree/drivers/misc/Kconfig"
echo 'obj-$(CONFIG_ACCEPTTRACE) += accepttrace/' >>"$tree/drivers/misc/Makefile"

dst=$tree/drivers/misc/accepttrace
rm -rf "$dst"
mkdir -p "$dst"
cp -r "$ROOT/Kbuild" "$ROOT/module" "$ROOT/include" "$ROOT/kunit" "$dst/"
find "$dst" \( -name '*.o' -o -name '*.ko' -o -name '*.mod*' -o -name '.*.cmd' \
	-o -name 'modules.order' -o -name 'Module.symvers' \) -delete

cd "$tree"
exec python3 tools/testing/kunit/kunit.py run --arch=x86_64 \
	--kunitconfig=drivers/misc/accepttrace/kunit \
	--build_dir="$WORK/build" --jobs="$(nproc)" --timeout=900 "$@"
