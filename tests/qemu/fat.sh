#!/usr/bin/env bash
# tests/qemu/fat.sh: the fat suite: mtools-made FAT12/16/32 images (tools/mkfatimg) and corrupted copies
# go into the guest, /tests/fat mounts them from a RAM disk; the disk it wrote comes back over the
# console and mtools and fsck.fat check it on the host. TAP on stdout; exit 0 iff everything passed.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
O=${O:-$top/build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
py() { python3 "$top/tests/qemu/fatimg.py" "$@"; }
mk() { "$top/tools/mkfatimg" "$@" || { echo "Bail out! tools/mkfatimg $* failed"; exit 1; }; }

case "${1:-}" in
--help|-h)
	echo "usage: tests/qemu/fat.sh   (O= names the build directory; see docs/fat.md)"
	exit 0 ;;
"") ;;
*) echo "fat.sh: unknown argument '$1'" >&2; exit 2 ;;
esac
for t in mformat mcopy mtype mdir fsck.fat gzip base64 python3; do
	command -v "$t" >/dev/null || { echo "Bail out! $t not found (tools/setup-host installs it)"; exit 1; }
done

# The guest is the debug build (heap checks on; FAT as fat.ko, which /tests/fat loads), shared with
# the debug and ext2 suites. The configuration with FAT built in is the builtin suite's.
. "$top/tests/lib.sh"
kb=$O/_debug
if ! debug_build "$O"; then
	tail -n 30 "$O/_debug.log" | sed 's/^/# /'
	echo "Bail out! the debug build in $kb failed"
	exit 1
fi

# ---- images
d=$tmp/initrd/fat-test
mkdir -p "$d" "$tmp/img"
py tree "$d/tree"
py badtree "$tmp/badtree"
py rttree "$tmp/rttree"
for t in 12 16 32; do
	mk --fat "$t" --from "$d/tree" "$tmp/img/fat$t.img"
	gzip -c "$tmp/img/fat$t.img" > "$d/fat$t.img.gz"
done
mk --fat 12 --from "$tmp/badtree" "$tmp/img/bad.img"
py corrupt chains "$tmp/img/bad.img" "$tmp/img/bad-chains.img"
gzip -c "$tmp/img/bad-chains.img" > "$d/bad-chains.img.gz"
mk --fat 32 "$tmp/img/rt32.img"
# Refused at the boot sector: the first 64 KiB are enough.
for k in bps spc total sig fatsize zero rootclus fsinfo; do
	src=$tmp/img/bad.img
	case $k in rootclus|fsinfo) src=$tmp/img/rt32.img ;; esac
	py corrupt "$k" "$src" "$tmp/img/bad-$k.img"
	head -c 65536 "$tmp/img/bad-$k.img" | gzip -c > "$d/bad-$k.img.gz"
done
mk --fat 12 --from "$tmp/rttree" "$tmp/img/rt12.img"
gzip -c "$tmp/img/rt12.img" > "$d/rt12.img.gz"
gzip -c "$tmp/img/rt32.img" > "$d/rt32.img.gz"

# ---- the guest
O=$kb "$top/tools/qemu-run" --timeout 240 --initrd-add "$tmp/initrd" \
	--cmdline 'init=/tests/fat ramdisk=40M' < /dev/null > "$tmp/guest.log" 2>&1
status=$?
tr -d '\r' < "$tmp/guest.log" | awk '/^FAT-DUMP-BEGIN/ { skip = 1 } !skip { print } /^FAT-DUMP-END/ { skip = 0 }'
[ "$status" -eq 0 ] || echo "# the guest exited with status $status"

# ---- the host's look at what the guest wrote
undump() { # TAG OUT SIZE
	tr -d '\r' < "$tmp/guest.log" | awk -v tag="$1" '$0 == "FAT-DUMP-END " tag { f = 0 } f { print } $0 == "FAT-DUMP-BEGIN " tag { f = 1 }' |
		base64 -d 2>/dev/null | gunzip -c > "$2" 2>/dev/null && [ -s "$2" ] && truncate -s "$3" "$2"
}
if undump rt12 "$tmp/rt12.out" 1474560 && undump rt32 "$tmp/rt32.out" 35840000; then
	py checkrt "$tmp/rt12.out" "$tmp/rt32.out"
	host=$?
else
	echo "1..1"
	echo "not ok 1 - the guest dumped the disks it wrote"
	host=1
fi
[ "$status" -eq 0 ] && [ "$host" -eq 0 ]
