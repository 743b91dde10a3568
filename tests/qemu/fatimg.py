#!/usr/bin/env python3
# tests/qemu/fatimg.py: host side of the FAT test (tests/qemu/fat.sh): the source tree, corrupted images
# patched from mtools-made ones, and the checks of the image the guest wrote. Not an image builder.
import os
import random
import struct
import subprocess
import sys


def pattern(n, seed):
    """The bytes userland/tests/fat.c writes: the same function on both sides."""
    return bytes(((i * 131 + seed * 7 + (i >> 8)) & 0xff) for i in range(n))


SIZES = [0, 1, 2, 511, 512, 513, 1023, 1024, 1025, 2047, 2048, 2049, 4095, 4096, 4097, 8191,
         8192, 8193, 65535, 65536, 65537, 131079, 300000]


def make_tree(root):
    rnd = random.Random(1234)

    def put(path, data):
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, 'wb') as f:
            f.write(data)

    for n in SIZES:
        put('sizes/size %d.bin' % n, rnd.randbytes(n))
    put('README.TXT', b'upper-case 8.3 name\n')
    put('lower.txt', b'lower-case 8.3 name: NT case flags\n')
    put('MixedCase.Txt', b'mixed case needs a long name\n')
    put('a name with spaces.data', rnd.randbytes(3000))
    put('many.dots.in.the.name.tar.gz', rnd.randbytes(777))
    put('\u00dcn\u00efc\u00f6d\u00e9 \u0444\u0430\u0439\u043b.txt', 'unicode name\n'.encode())
    put('L' + 'ong name ' * 22 + 'end.txt', b'a 200-character name\n')
    put('deep/level one/level two/level three/level four/leaf.txt', b'deep leaf\n')
    for k in range(100):
        put('many/file number %03d.txt' % k, ('file %d\n' % k).encode() * (k % 7))
    os.makedirs(os.path.join(root, 'emptydir'), exist_ok=True)


def make_bad_tree(root):
    """Files whose chains fat.sh breaks: each is in the root with a known short name."""
    os.makedirs(root, exist_ok=True)
    files = {'GOOD.TXT': pattern(700, 4), 'LOOP.BIN': pattern(2000, 5),
             'RANGE.BIN': pattern(1500, 6), 'START.BIN': pattern(600, 7),
             'FREE.BIN': pattern(1500, 8), 'Bad Checksum Name.txt': b'lfn\n'}
    for name, data in files.items():
        with open(os.path.join(root, name), 'wb') as f:
            f.write(data)
    os.makedirs(os.path.join(root, 'LOOPDIR'))
    with open(os.path.join(root, 'LOOPDIR', 'INSIDE.TXT'), 'wb') as f:
        f.write(b'inside\n')


class Fat:
    """Just enough of a FAT volume to find root entries and rewrite FAT entries."""

    def __init__(self, img):
        self.img = bytearray(img)
        b = self.img
        self.ss, self.spc, self.rsv, self.nfats, self.rootent, tot16 = struct.unpack_from('<HBHBHH', b, 11)
        fsz16, = struct.unpack_from('<H', b, 22)
        tot32, fsz32 = struct.unpack_from('<II', b, 32)
        self.total = tot16 or tot32
        self.fatsz = fsz16 or fsz32
        rootsec = (self.rootent * 32 + self.ss - 1) // self.ss
        self.fat = self.rsv * self.ss
        self.root = self.fat + self.nfats * self.fatsz * self.ss
        self.data = self.root + rootsec * self.ss
        n = (self.total - self.rsv - self.nfats * self.fatsz - rootsec) // self.spc
        self.nclusters = n
        self.type = 12 if n < 4085 else 16 if n < 65525 else 32
        self.csize = self.ss * self.spc

    def get(self, c):
        if self.type == 12:
            v, = struct.unpack_from('<H', self.img, self.fat + c + c // 2)
            return v >> 4 if c & 1 else v & 0xfff
        if self.type == 16:
            return struct.unpack_from('<H', self.img, self.fat + 2 * c)[0]
        return struct.unpack_from('<I', self.img, self.fat + 4 * c)[0] & 0x0fffffff

    def set(self, c, val):
        for k in range(self.nfats):
            base = self.fat + k * self.fatsz * self.ss
            if self.type == 12:
                off = base + c + c // 2
                v, = struct.unpack_from('<H', self.img, off)
                v = (v & 0xf) | (val << 4) if c & 1 else (v & 0xf000) | val
                struct.pack_into('<H', self.img, off, v)
            elif self.type == 16:
                struct.pack_into('<H', self.img, base + 2 * c, val)
            else:
                struct.pack_into('<I', self.img, base + 4 * c, val)

    def entry(self, short):
        """Offset of the root entry with the 11-byte short name."""
        for off in range(self.root, self.data, 32):
            if self.img[off:off + 11] == short.encode():
                return off
        raise KeyError(short)

    def start(self, short):
        return struct.unpack_from('<H', self.img, self.entry(short) + 26)[0]

    def chain(self, c):
        out = []
        while 2 <= c < 0xff8 and len(out) <= self.nclusters:
            out.append(c)
            c = self.get(c)
        return out

    def free_count(self):
        return sum(1 for c in range(2, self.nclusters + 2) if self.get(c) == 0)


def corrupt(kind, src, dst):
    with open(src, 'rb') as f:
        fat = Fat(f.read())
    b = fat.img
    if kind == 'bps':
        struct.pack_into('<H', b, 11, 1000)
    elif kind == 'spc':
        b[13] = 3
    elif kind == 'total':
        struct.pack_into('<HI', b, 19, 0, 0)
        struct.pack_into('<I', b, 32, 0x7fffffff)
    elif kind == 'sig':
        b[510] = 0
    elif kind == 'fatsize':
        struct.pack_into('<H', b, 22, 1)
    elif kind == 'zero':
        b[:] = bytes(len(b))
    elif kind == 'rootclus':
        struct.pack_into('<I', b, 44, 0x0ffffff0)
    elif kind == 'fsinfo':
        struct.pack_into('<H', b, 48, fat.rsv + 8)
    elif kind == 'chains':
        loop = fat.chain(fat.start('LOOP    BIN'))
        fat.set(loop[2], loop[0])                      # third cluster leads back to the first
        rng = fat.chain(fat.start('RANGE   BIN'))
        fat.set(rng[1], fat.nclusters + 10)           # past the last cluster
        struct.pack_into('<H', b, fat.entry('START   BIN') + 26, fat.nclusters + 40)
        free = fat.chain(fat.start('FREE    BIN'))
        fat.set(free[0], 0x0)                          # runs into a free cluster
        d = fat.start('LOOPDIR    ')
        fat.set(d, d)                                  # a directory chain looping on itself
        lfn = fat.entry('BADCHE~1TXT') - 32            # the long name's last piece
        b[lfn + 13] ^= 0xff                            # its checksum no longer matches
    else:
        sys.exit('fatimg.py: unknown corruption ' + kind)
    with open(dst, 'wb') as f:
        f.write(b)


def mtools(*args):
    env = dict(os.environ, MTOOLS_SKIP_CHECK='1', LC_ALL='C.UTF-8')
    return subprocess.run(args, env=env, capture_output=True)


class Tap:
    def __init__(self, n):
        self.n = 0
        self.failed = 0
        print('1..%d' % n, flush=True)

    def ok(self, cond, desc):
        self.n += 1
        self.failed += not cond
        print('%sok %d - %s' % ('' if cond else 'not ', self.n, desc), flush=True)
        return cond


# What the guest's round trip leaves (userland/tests/fat.c, roundtrip()).
RT_FILES = {
    'new.txt': pattern(3000, 1),
    'Long Directory Name/inner/\u00dcn\u00efc\u00f6d\u00e9 file.txt': pattern(700, 2),
    'big.bin': pattern(200000, 3),
    'keep.txt': b'keep\nmore\n',
    'trunc-shrink.bin': pattern(5000, 9)[:1234],
    'trunc-grow.txt': b'grow' + bytes(2996),
    'sparse.bin': bytes(5000) + b'0123456789',
    'Renamed File.txt': b'rename\n',
    'victim.txt': b'over\n',
}
RT_GONE = ['rename-me.txt', 'overwriter.txt', 'old/gone.txt', 'old']
for _k in range(40):
    if _k % 2:
        RT_FILES['Long Directory Name/entry %02d with a long name.txt' % _k] = pattern(100 + _k, _k)


def make_rt_tree(root):
    files = {'keep.txt': b'keep\n', 'old/gone.txt': b'gone\n', 'rename-me.txt': b'rename\n',
             'victim.txt': b'victim\n', 'trunc-shrink.bin': pattern(5000, 9),
             'trunc-grow.txt': b'grow'}
    for name, data in files.items():
        full = os.path.join(root, name)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, 'wb') as f:
            f.write(data)


def check_rt(img, img32):
    t = Tap(5 + len(RT_FILES) + len(RT_GONE))
    fsck = subprocess.run(['fsck.fat', '-n', img], capture_output=True, text=True)
    t.ok(fsck.returncode == 0, 'fsck.fat -n finds the FAT12 image the guest wrote consistent')
    if fsck.returncode:
        print('# ' + (fsck.stdout + fsck.stderr).replace('\n', '\n# '))
    for name, data in sorted(RT_FILES.items()):
        got = mtools('mtype', '-i', img, '::/' + name)
        t.ok(got.returncode == 0 and got.stdout == data,
             'mtype %s: %d bytes as written in the guest' % (name, len(data)))
    listing = mtools('mdir', '-/', '-b', '-i', img, '::/').stdout.decode(errors='replace')
    for name in RT_GONE:
        t.ok('::/' + name + '\n' not in listing and '::/' + name + '/' not in listing,
             'mdir: %s is gone' % name)
    names = [l for l in listing.splitlines() if l.startswith('::/Long Directory Name/entry')]
    t.ok(len(names) == 20, 'mdir: 20 of 40 entries left in the grown directory (%d)' % len(names))
    fsck = subprocess.run(['fsck.fat', '-n', img32], capture_output=True, text=True)
    t.ok(fsck.returncode == 0, 'fsck.fat -n finds the FAT32 image the guest wrote consistent')
    with open(img32, 'rb') as f:
        fat = Fat(f.read())
    info = struct.unpack_from('<H', fat.img, 48)[0] * fat.ss
    free, = struct.unpack_from('<I', fat.img, info + 488)
    t.ok(free == fat.free_count(), 'FAT32 FSInfo free count %d after unmount is the real %d'
         % (free, fat.free_count()))
    got = mtools('mtype', '-i', img32, '::/written by granary.bin')
    t.ok(got.stdout == pattern(100000, 11), 'FAT32: mtype of the 100000-byte file written in the guest')
    return 1 if t.failed else 0


def main(argv):
    if len(argv) < 2 or argv[1] in ('-h', '--help'):
        print('usage: fatimg.py tree DIR | badtree DIR | rttree DIR | corrupt KIND IN OUT | '
              'checkrt IMG12 IMG32')
        return 0 if len(argv) >= 2 else 2
    cmd = argv[1]
    if cmd == 'tree':
        make_tree(argv[2])
    elif cmd == 'badtree':
        make_bad_tree(argv[2])
    elif cmd == 'rttree':
        make_rt_tree(argv[2])
    elif cmd == 'corrupt':
        corrupt(argv[2], argv[3], argv[4])
    elif cmd == 'checkrt':
        return check_rt(argv[2], argv[3])
    else:
        sys.exit('fatimg.py: unknown command ' + cmd)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
