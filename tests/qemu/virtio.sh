#!/usr/bin/env bash
# tests/qemu/virtio.sh: virtio-blk end to end: disk images made here with a known pattern, the kernel's
# pci_* and virtio_* ktests run on them, then the bytes the guest wrote checked in the image files.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib.sh"
build=${O:-$top/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The layout virtio_ktest.c expects: sector s < 64 holds bytes (s + i) & 0xff, the last sector
# a line of text, the rest zeros. The sizes are not powers of two so that an off-by-some shows.
SECT=512
size=$((1024 * 1024 + 3 * SECT))
size2=$((64 * 1024 + SECT))
last_text='granary virtio-blk test: last sector'
img=$tmp/vda.img img2=$tmp/vdb.img

# A kernel with virtio-blk built in: the build's own, or one built beside it (kernel only, same
# initramfs) while the build has it as a module and nothing loads modules at boot.
kernel_dir() {
	local k=$build/_virtio
	# auto.conf has every symbol; an old .config may lack options added since it was written.
	local cfg=$build/include/config/auto.conf
	[ -f "$cfg" ] || cfg=$build/.config
	if grep -q '^CONFIG_VIRTIO_BLK=y' "$cfg"; then
		echo "$build"
		return 0
	fi
	grep -q '^CONFIG_PCI=y' "$cfg" && grep -q '^CONFIG_BLOCK=y' "$cfg" || return 1
	mkdir -p "$k"
	sed -e '/^CONFIG_VIRTIO_BLK=/d' -e '/^# CONFIG_VIRTIO_BLK is not set/d' "$build/.config" > "$k/.config.new"
	echo 'CONFIG_VIRTIO_BLK=y' >> "$k/.config.new"
	cmp -s "$k/.config.new" "$k/.config.want" || { cp "$k/.config.new" "$k/.config" && cp "$k/.config.new" "$k/.config.want"; }
	{ make --no-print-directory -C "$top" O="$k" olddefconfig && make --no-print-directory -C "$top" O="$k" kernel; } \
		> "$k/build.log" 2>&1 || { tail -n 20 "$k/build.log" >&2; return 2; }
	ln -sf "$build/initramfs.cpio" "$k/initramfs.cpio"
	"$top/tools/mkiso" --kernel "$k/granary.elf" --initrd "$k/initramfs.cpio" --out "$k/granary.iso" \
		>> "$k/build.log" 2>&1 || { tail -n 20 "$k/build.log" >&2; return 2; }
	echo "$k"
}

kdir=$(kernel_dir)
case $? in
0) ;;
1) echo "1..0 # SKIP this configuration has no PCI or no block devices"; exit 0 ;;
*) echo "not ok - build of a kernel with virtio-blk built in (see $build/_virtio/build.log)"; exit 1 ;;
esac

# ---- the images
for i in $(seq 0 255); do printf "\\$(printf %03o "$i")"; done > "$tmp/ramp"
cat "$tmp/ramp" "$tmp/ramp" "$tmp/ramp" > "$tmp/ramp3"
for s in $(seq 0 63); do tail -c +$((s + 1)) "$tmp/ramp3" | head -c $SECT; done > "$tmp/pattern"
truncate -s "$size" "$img"
dd if="$tmp/pattern" of="$img" conv=notrunc status=none
printf '%s\n' "$last_text" | dd of="$img" bs=$SECT seek=$((size / SECT - 1)) conv=notrunc status=none
truncate -s "$size2" "$img2"

# ---- the guest
O=$kdir "$top/tools/qemu-run" --mem 32 --timeout 120 --disk "$img" --disk "$img2" \
	--cmdline "ktest=pci_*,virtio_* vdtest=$size,$size2" > "$tmp/guest.log" 2>&1
rc=$?
cat "$tmp/guest.log" | grep -E '(ok [0-9]+ - |^\[ *[0-9.]+\] #|1\.\.[0-9]+)' | sed 's/^\[ *[0-9.]*\] //'

# ---- what the host sees afterwards
plan 11
# region FIRST COUNT: COUNT sectors of vda from sector FIRST.
region() { dd if="$img" bs=$SECT skip="$1" count="$2" status=none; }
zeros() { [ "$(region "$1" "$2" | tr -d '\0' | wc -c)" -eq 0 ]; }

if [ "$rc" -eq 0 ]; then ok "the guest's tests passed and it powered off (status 0)"
else not_ok "the guest's tests passed and it powered off (status 0)" "exit status $rc; log tail:"; diag_file "$tmp/guest.log" 30; fi
check "the kernel logged vda and vdb with their sizes" \
	eval "grep -q 'virtio_blk: vda: $size bytes in 512-byte blocks' '$tmp/guest.log' &&
	      grep -q 'virtio_blk: vdb: $size2 bytes' '$tmp/guest.log'"
check "the image sizes did not change" \
	eval "[ \$(stat -c %s '$img') -eq $size ] && [ \$(stat -c %s '$img2') -eq $size2 ]"
check "sectors 0-63 still hold the pattern the host wrote" cmp -s <(region 0 64) "$tmp/pattern"
for s in $(seq 128 143); do for l in $(seq 0 15); do printf '%-31s\n' "$(printf 'vda sector %03u line %02u' "$s" "$l")"; done; done > "$tmp/text"
check "sectors 128-143 hold the text lines the guest wrote" cmp -s <(region 128 16) "$tmp/text"
cat "$tmp/pattern" "$tmp/pattern" "$tmp/pattern" | head -c $((160 * SECT)) > "$tmp/big"
check "sectors 256-415 hold the 80 KiB the guest wrote" cmp -s <(region 256 160) "$tmp/big"
{ printf '%s\n' "$last_text"; head -c $((SECT - ${#last_text} - 1)) /dev/zero; } > "$tmp/last"
check "the last sector is intact after a write that crossed the end" \
	cmp -s <(region $((size / SECT - 1)) 1) "$tmp/last"
check "every other sector is still zero" \
	eval "zeros 64 64 && zeros 144 112 && zeros 416 $((size / SECT - 417))"

# ---- the same disk from user space: a shell script as pid 1 reads and writes /dev/vda
cat > "$tmp/vdcheck" <<'SCRIPT'
#!/bin/sh
# pid 1 for tests/qemu/virtio.sh: /dev/vda through devfs and the block-device file.
mount -t proc proc /proc && mount -t devfs devfs /dev || exit 10
[ -b /dev/vda ] && [ -b /dev/vdb ] || exit 11
[ "$(stat -c '%t:%T' /dev/vda)" = "fe:0" ] || exit 12
[ "$(dd if=/dev/vda bs=512 skip=1 count=1 2>/dev/null | od -An -tx1 -N4 | tr -d ' ')" = "01020304" ] || exit 13
[ "$(wc -c < /dev/vdb)" = "$1" ] || exit 14
printf 'written through /dev/vda\n' | dd of=/dev/vda bs=512 seek=200 conv=sync 2>/dev/null || exit 15
echo "vdcheck: all good"
exit 0
SCRIPT
chmod +x "$tmp/vdcheck"
sed -i "s/\"\$1\"/$size2/" "$tmp/vdcheck"
if cp -a "$build/initramfs-root" "$tmp/root" && cp "$tmp/vdcheck" "$tmp/root/vdcheck" &&
	"$top/tools/mkinitramfs" "$tmp/root" "$tmp/check.cpio" > /dev/null &&
	"$top/tools/mkiso" --kernel "$kdir/granary.elf" --initrd "$tmp/check.cpio" --out "$tmp/check.iso" \
		--cmdline 'init=/vdcheck' > /dev/null; then
	"$top/tools/qemu-run" --iso "$tmp/check.iso" --mem 64 --timeout 60 --disk "$img" --disk "$img2" \
		> "$tmp/shell.log" 2>&1
	rc=$?
else
	echo "could not make the ISO" > "$tmp/shell.log"
	rc=99
fi
if [ "$rc" -eq 0 ] && grep -q 'vdcheck: all good' "$tmp/shell.log"; then
	ok "a shell as pid 1 sees /dev/vda (254:0) and /dev/vdb, reads vda's bytes and vdb's size"
else
	not_ok "a shell as pid 1 sees /dev/vda (254:0) and /dev/vdb, reads vda's bytes and vdb's size" \
		"exit status $rc (10 mount, 11 no node, 12 number, 13 bytes, 14 size, 15 write); log tail:"
	diag_file "$tmp/shell.log" 15
fi
{ printf 'written through /dev/vda\n'; head -c $((SECT - 25)) /dev/zero; } > "$tmp/sector200"
check "the bytes dd wrote to /dev/vda reached sector 200 of the image" cmp -s <(region 200 1) "$tmp/sector200"
check "and nothing around it" eval "zeros 199 1 && zeros 201 1"
