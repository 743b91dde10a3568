#!/usr/bin/env bash
# tests/qemu/builtin.sh: the builtin suite: virtio-blk, FAT, ext2 and the samples built in (y), booted on an mtools
# FAT disk, run the module flow as pid 1 (tests/qemu/builtin-init); the host checks each step, then the disk. TAP.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
build=${O:-$top/build}
kb=$build/_builtin
units="VIRTIO_BLK FAT_FS EXT2_FS SAMPLE_MODULES"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

case "${1:-}" in
--help|-h)
	cat <<USAGE
usage: tests/qemu/builtin.sh

Builds $build/_builtin (O= names the build directory): the build's .config with
CONFIG_{${units// /,}}=y, a full 'make all', incremental on later runs. Boots it
with a FAT image (tools/mkfatimg) as vda and checks lsmod, modinfo, modprobe,
insmod, mount, file reads and writes, umount and rmmod of built-in modules, and
built-in module parameters given on the kernel command line.
USAGE
	exit 0 ;;
"") ;;
*) echo "builtin.sh: unknown argument '$1'" >&2; exit 2 ;;
esac
for t in mformat mcopy mtype fsck.fat md5sum; do
	command -v "$t" >/dev/null || { echo "Bail out! $t not found (tools/setup-host installs it)"; exit 1; }
done
[ -f "$build/.config" ] || { echo "Bail out! no $build/.config: build first"; exit 1; }

# ---- the all-y kernel, its configuration the build's with the units set to y
mkdir -p "$kb"
sed -E "/^(# )?CONFIG_(${units// /|})[= ]/d" "$build/.config" > "$kb/.config.new"
for u in $units; do echo "CONFIG_$u=y"; done >> "$kb/.config.new"
cmp -s "$kb/.config.new" "$kb/.config.want" || { cp "$kb/.config.new" "$kb/.config" && cp "$kb/.config.new" "$kb/.config.want"; }
if ! { make --no-print-directory -C "$top" O="$kb" olddefconfig && make --no-print-directory -C "$top" O="$kb" all; } \
	> "$kb/build.log" 2>&1; then
	echo "1..1"
	not_ok "make all of the all-y configuration in $kb" "log tail:"
	diag_file "$kb/build.log" 30
	exit 1
fi
for u in $units; do
	grep -q "^CONFIG_$u=y" "$kb/include/config/auto.conf" ||
		{ echo "1..0 # SKIP CONFIG_$u cannot be y in this configuration (no PCI or no block devices?)"; exit 0; }
done

plan 31
ok "make all of the all-y configuration in $kb"
lm=$(echo "$kb"/initramfs-root/lib/modules/*)
printf 'kernel/%s.ko\n' fs/ext2/ext2 fs/fat/fat drivers/virtio/virtio_blk modules/sample/sample_export \
	modules/sample/sample_use | sort > "$tmp/builtin.want"
check "modules.builtin lists the five built-in modules, the same in the initramfs" \
	eval 'sort "$kb/modules/modules.builtin" | cmp -s - "$tmp/builtin.want" && cmp -s "$kb/modules/modules.builtin" "$lm/modules.builtin"'
tr '\0' '\n' < "$lm/modules.builtin.modinfo" > "$tmp/modinfo.txt"
check "modules.builtin.modinfo has fat.file, fat.license, sample_use.parmtype (prefixed tags)" \
	eval 'grep -qx fat.file=fs/fat/fat "$tmp/modinfo.txt" && grep -qx fat.license=GPL "$tmp/modinfo.txt" &&
	      grep -qx sample_use.parmtype=sample_base:int "$tmp/modinfo.txt" && ! grep -q "^license=" "$tmp/modinfo.txt"'
check "no .ko in the initramfs and an empty modules.dep" \
	eval '! ls "$lm" | grep -q "\.ko$" && test -f "$lm/modules.dep" && ! test -s "$lm/modules.dep"'

# ---- the disk: a FAT16 volume with a text file, a binary one across several clusters, a directory
tree=$tmp/tree
mkdir -p "$tree/sub" "$tmp/add/m"
printf 'hello from the all-y kernel\nsecond line\n' > "$tree/hello.txt"
head -c 9000 /dev/urandom > "$tree/data.bin"
printf 'in a directory\n' > "$tree/sub/note.txt"
"$top/tools/mkfatimg" --fat 16 --from "$tree" "$tmp/fat.img" > "$tmp/mkfatimg.log" 2>&1 ||
	{ echo "Bail out! tools/mkfatimg failed: $(tail -n 3 "$tmp/mkfatimg.log")"; exit 1; }

# A module build's fat.ko, to load by path and through init_module: refused by name, fat is built in.
mfat=$(ls "$build"/initramfs-root/lib/modules/*/fat.ko 2>/dev/null | head -n 1)
[ -n "$mfat" ] && cp "$mfat" "$tmp/add/m/fat.ko"
cp "$top/tests/qemu/builtin-init" "$tmp/add/builtin-init"

# ---- the guest: a bad value first, then the good one; an unknown parameter of a built-in module
cmdline='init=/builtin-init sample_use.sample_base=abc sample_use.sample_base=7 sample_use.sample_who=cmdline fat.nosuch=1'
O=$kb "$top/tools/qemu-run" --timeout 120 --disk "$tmp/fat.img" --initrd-add "$tmp/add" --cmdline "$cmdline" \
	< /dev/null > "$tmp/raw.log" 2>&1
status=$?
tr -d '\r' < "$tmp/raw.log" > "$tmp/guest.log"
log=$tmp/guest.log

# out NAME: what step NAME printed, kernel log lines left out; rc NAME: its exit status.
out() { awk -v n="$1" '$0 ~ "^@@END " n " " { f = 0 } f && !/^\[ *[0-9]+\.[0-9]+\] / { print } $0 == "@@BEGIN " n { f = 1 }' "$log"; }
rc() { sed -n "s/^@@END $1 \([0-9]*\)\$/\1/p" "$log"; }
# step_is DESCRIPTION NAME STATUS OUTPUT: the step exited STATUS and printed exactly OUTPUT.
# step_has DESCRIPTION NAME STATUS REGEX: it exited STATUS ("!0": not 0) and a line matches REGEX.
step_report() {
	if [ "$1" = yes ]; then ok "$2"; else
		not_ok "$2" "step $3 exited '$(rc "$3")' (expected $4) and printed:"
		out "$3" | sed 's/^/#   /' | head -n 15
	fi
}
status_is() { local r; r=$(rc "$1"); [ -n "$r" ] && { [ "$2" = "!0" ] && [ "$r" != 0 ] || [ "$r" = "$2" ]; }; }
step_is() {
	local res=no
	status_is "$2" "$3" && [ "$(out "$2")" = "$4" ] && res=yes
	step_report "$res" "$1" "$2" "$3"
}
step_has() {
	local res=no
	status_is "$2" "$3" && out "$2" | grep -qE "$4" && res=yes
	step_report "$res" "$1" "$2" "$3"
}

if [ "$status" -eq 0 ] && grep -q '^@@END lsmod_end ' "$log"; then
	ok "the guest ran every step and powered off (status 0)"
else
	not_ok "the guest ran every step and powered off (status 0)" "status $status; log tail:"
	diag_file "$log" 30
fi
check "sample_use.sample_base=7 and sample_use.sample_who=cmdline were set before its init ran" \
	grep -q 'sample_use: hello cmdline, 7 + 2 = 9$' "$log"
check "a bad value and an unknown parameter of a built-in module are warnings, and boot goes on" \
	eval "grep -q \"cmdline: invalid value 'abc' for 'sample_use.sample_base' (error -22) ignored\" '$log' &&
	      grep -q \"cmdline: unknown parameter 'fat.nosuch' ignored\" '$log'"
header=$(printf '%-19s %8s  %s' Module Size 'Used by')
step_is "lsmod lists nothing: virtio_blk, fat and ext2 are built in, not loaded" lsmod 0 "$header"
step_is "/proc/modules is empty (Linux lists no built-in module there)" procmodules 0 ""
check "/proc/filesystems has vfat, fat and ext2 from boot" \
	eval 'out filesystems | grep -qw vfat && out filesystems | grep -qw fat && out filesystems | grep -qw ext2'
step_has "modinfo fat: name and filename (builtin) first" modinfo 0 '^filename: +\(builtin\)$'
check "modinfo fat: exactly name, filename, then fat's own tags from modules.builtin.modinfo" \
	eval '[ "$(out modinfo)" = "$(printf "%-12s %s\n" name: fat filename: "(builtin)";
		sed -n "s/^fat\.\([a-z]*\)=\(.*\)/\1: \2/p" "$tmp/modinfo.txt" | grep -v "^parmtype:" |
		while IFS= read -r l; do printf "%-12s %s\n" "${l%%: *}:" "${l#*: }"; done)" ]'
step_has "modinfo sample_use: its parameters' parm lines" modinfo_sample 0 '^parm: +sample_base:the number'
step_is "modprobe virtio_blk: built in, exit 0 and nothing printed" modprobe 0 ""
step_is "modprobe -r virtio_blk: \"modprobe: virtio_blk is built into the kernel\", exit 1" modprobe_r 1 \
	"modprobe: virtio_blk is built into the kernel"
step_is "insmod fat: \"insmod: fat is built into the kernel\", exit 1" insmod 1 "insmod: fat is built into the kernel"
if [ -n "$mfat" ]; then
	step_is "insmod of a module build's fat.ko by path: refused the same way" insmod_path 1 \
		"insmod: fat is built into the kernel"
	step_has "busybox insmod of it (init_module/finit_module): EEXIST" bb_insmod '!0' 'File exists'
else
	ok "insmod of a module build's fat.ko by path # SKIP the build has no fat.ko"
	ok "busybox insmod of it # SKIP the build has no fat.ko"
fi
step_is "mount -t vfat /dev/vda /mnt" mount 0 ""
step_is "ls /mnt: data.bin, hello.txt, sub" ls 0 "$(printf 'data.bin\nhello.txt\nsub')"
check "cat /mnt/hello.txt: the file's exact bytes" eval 'status_is cat 0 && out cat | cmp -s - "$tree/hello.txt"'
check "md5sum /mnt/data.bin (9000 bytes, 18 clusters): the host's sum" \
	eval 'status_is md5 0 && [ "$(out md5 | cut -d" " -f1)" = "$(md5sum < "$tree/data.bin" | cut -d" " -f1)" ]'
step_is "a file written and one copied into sub/" write 0 ""
step_is "rmmod fat while mounted: refused as built in, exit 1" rmmod_mounted 1 \
	"rmmod: fat is built into the kernel and cannot be unloaded"
step_is "umount /mnt" umount 0 ""
step_is "rmmod fat after umount: still refused, exit 1" rmmod 1 "rmmod: fat is built into the kernel and cannot be unloaded"
step_has "busybox rmmod fat (delete_module): ENOENT" bb_rmmod '!0' 'No such file or directory'
step_is "lsmod at the end: still nothing loaded" lsmod_end 0 "$header"

# ---- the host's look at the disk
check "mtype reads written.txt back byte for byte" \
	eval '[ "$(mtype -i "$tmp/fat.img" ::/written.txt | od -c)" = "$(printf "written by the built-in fat\n" | od -c)" ]'
check "the copy in sub/ equals data.bin" \
	eval 'mcopy -n -i "$tmp/fat.img" ::/sub/copy.bin "$tmp/copy.bin" && cmp -s "$tmp/copy.bin" "$tree/data.bin"'
check "fsck.fat -n finds the volume clean" eval 'fsck.fat -n "$tmp/fat.img" > "$tmp/fsck.log" 2>&1'
