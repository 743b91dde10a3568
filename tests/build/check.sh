#!/usr/bin/env bash
# tests/build/check.sh: checks the build system: config targets, rebuilds, y/m switches, MODULES=n, V=1, clang.
# Works in its own build directories under the one given, so the main build is left alone.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
cd "$top"
base=${1:-build}
c=$base/_check
cl=$base/_clang
log=$(mktemp)
trap 'rm -f "$log"' EXIT
mk() { make --no-print-directory "$@" > "$log" 2>&1; }
# The objects a build compiled, one per line, sorted.
compiled() { sed -n 's/^  \(CC\|AS\)  *//p' "$log" | grep -v '^kernel/\.ksyms' | sort | tr '\n' ' ' | sed 's/ $//'; }
expect_compiled() { # DESCRIPTION EXPECTED
	local got
	got=$(compiled)
	if [ "$got" = "$2" ]; then ok "$1"; else not_ok "$1" "expected to compile: '$2'" "compiled: '$got'"; fi
}
set_opt() { # NAME VALUE: edit .config as menuconfig's save would
	sed -i -e "/^CONFIG_$1=/d" -e "/^# CONFIG_$1 is not set/d" "$c/.config"
	if [ "$2" = n ]; then echo "# CONFIG_$1 is not set" >> "$c/.config"; else echo "CONFIG_$1=$2" >> "$c/.config"; fi
}

plan 22

rm -rf "$c" "$cl"
check "make defconfig writes .config from configs/defconfig" \
	eval 'mk O="$c" defconfig && grep -q "^CONFIG_KTEST=y" "$c/.config"'
check "make fb_defconfig selects the framebuffer console" \
	eval 'mk O="$c" fb_defconfig && grep -q "^CONFIG_CONSOLE_FB=y" "$c/.config" && ! grep -q "^CONFIG_CONSOLE_VGA_TEXT=y" "$c/.config"'
check "make nosuch_defconfig fails and names the missing file" \
	eval '! mk O="$c" nosuch_defconfig && grep -q "no such configuration: configs/nosuch_defconfig" "$log"'
rm -rf "$c"
check "a build without .config starts from the defconfig and makes the ISO" \
	eval 'mk O="$c" && grep -q "DEFCONF configs/defconfig" "$log" && test -f "$c/granary.iso" && test -f "$c/include/generated/autoconf.h"'
check "autoconf.h defines the options as CONFIG_ macros" \
	eval 'grep -q "^#define CONFIG_KTEST 1" "$c/include/generated/autoconf.h" && grep -q "^#define CONFIG_HZ 100" "$c/include/generated/autoconf.h"'
mk O="$c"
expect_compiled "a second build with nothing changed compiles nothing" ""

set_opt DEBUG_VERBOSE_TRAPS y
mk O="$c"
expect_compiled "toggling a bool rebuilds only the objects that use it" "kernel/arch/x86_64/traps.o"
check "the relink after the toggle keeps the symbol layout check" test -f "$c/granary.elf"
set_opt CMDLINE '"loglevel=5"'
mk O="$c"
expect_compiled "changing a string option rebuilds only its user" "kernel/cmdline.o"
check "make savedefconfig writes only what differs from the defaults" \
	eval 'mk O="$c" savedefconfig && grep -q "^CONFIG_DEBUG_VERBOSE_TRAPS=y" "$c/defconfig" && ! grep -q "CONFIG_KALLSYMS" "$c/defconfig"'

touch include/granary/time.h
mk O="$c"
got=$(compiled)
if [[ " $got " == *" kernel/time.o "* && " $got " != *" kernel/lib/string.o "* ]]; then
	ok "touching a header rebuilds its includers and nothing else"
else
	not_ok "touching a header rebuilds its includers and nothing else" "compiled: $got"
fi

touch kernel/lib/parse.c
check "V=1 shows the full compiler command" eval 'mk O="$c" V=1 && grep -q -- "-mcmodel=kernel" "$log"'

check "no loadable segment of the kernel is both writable and executable" \
	eval '! readelf -lW "$c/granary.elf" | awk "/LOAD/ && \$7 ~ /W/ && \$7 ~ /E/" | grep -q .'
check "grub-file accepts the kernel as multiboot2" grub-file --is-x86-multiboot2 "$c/granary.elf"

# y <-> m: the switched unit's objects (and only they) are recompiled; what is built in is listed in
# modules.builtin and modules.builtin.modinfo (cut from the image), installed beside modules.dep.
fat_objs=$(sed -n 's/^fat-y := //p' fs/fat/Kbuild | tr ' ' '\n' | sed 's:^:fs/fat/:' | sort | tr '\n' ' ' | sed 's/ $//')
lib_modules() { echo "$c"/initramfs-root/lib/modules/*; }
set_opt FAT_FS y
mk O="$c"
expect_compiled "FAT_FS m -> y recompiles exactly fat's objects" "$fat_objs"
check "FAT_FS=y: modules.builtin lists kernel/fs/fat/fat.ko, in the build and the initramfs" \
	eval 'grep -qx kernel/fs/fat/fat.ko "$c/modules/modules.builtin" &&
	      cmp -s "$c/modules/modules.builtin" "$(lib_modules)/modules.builtin"'
check "FAT_FS=y: modules.builtin.modinfo holds fat.file=fs/fat/fat and fat.license=GPL, installed too" \
	eval 'tr "\\0" "\\n" < "$c/modules/modules.builtin.modinfo" | grep -qx fat.file=fs/fat/fat &&
	      tr "\\0" "\\n" < "$c/modules/modules.builtin.modinfo" | grep -qx fat.license=GPL &&
	      cmp -s "$c/modules/modules.builtin.modinfo" "$(lib_modules)/modules.builtin.modinfo"'
check "FAT_FS=y: no fat.ko in the initramfs and none in modules.dep" \
	eval '! test -e "$(lib_modules)/fat.ko" && ! grep -q "^fat.ko:" "$(lib_modules)/modules.dep"'
set_opt FAT_FS m
mk O="$c"
expect_compiled "FAT_FS y -> m recompiles exactly fat's objects" "$fat_objs"
check "FAT_FS=m: fat.ko is back with plain tags, and nothing lists fat as built in" \
	eval 'test -f "$(lib_modules)/fat.ko" && grep -q "^fat.ko:" "$(lib_modules)/modules.dep" &&
	      strings "$(lib_modules)/fat.ko" | grep -qx license=GPL &&
	      ! grep -q fat "$(lib_modules)/modules.builtin" &&
	      ! tr "\\0" "\\n" < "$(lib_modules)/modules.builtin.modinfo" | grep -q "^fat\."'
# Without the loader: every tristate is built in, no .ko is made, and the kernel still passes.
set_opt MODULES n
check "MODULES=n builds (no .ko in the initramfs) and passes ktest=all" \
	eval 'mk O="$c" && ! ls "$(lib_modules)"/*.ko > /dev/null 2>&1 &&
	      O="$c" tools/qemu-run --timeout 120 --cmdline ktest=all > "$log" 2>&1 &&
	      grep -q "# ktest: [0-9]* passed, 0 failed" "$log"'
set_opt MODULES y

if mk O="$cl" CC=clang && O="$cl" tools/qemu-run --timeout 120 --cmdline ktest=all > "$log" 2>&1 &&
	grep -q "# ktest: [0-9]* passed, 0 failed" "$log"; then
	ok "make CC=clang builds a kernel that passes ktest=all"
else
	not_ok "make CC=clang builds a kernel that passes ktest=all" "log tail:"
	diag_file "$log"
fi
