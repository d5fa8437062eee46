#!/usr/bin/env python3
"""capture-pio.py MOUNTPOINT > pio-captures.h
capture-pio.py --buffered DIR > pio-buffered-captures.h

Regenerates tests/unit/iocmd/pio-captures.h: what the real xfs_io (6.1.0,
Debian 12 xfsprogs) prints for the pwrite / pread cases below, on XFS.

Run as root on a fresh 512 MiB XFS (mkfs.xfs -m reflink=1, 4 KiB blocks,
512-byte sectors) mounted at MOUNTPOINT, e.g.

    truncate -s 512M /dev/shm/x.img && mkfs.xfs -q -m reflink=1 /dev/shm/x.img
    mount -o loop /dev/shm/x.img /mnt && ./capture-pio.py /mnt > pio-captures.h

Each case runs, on a file "f" created afresh,

    xfs_io -f [FLAGS] -c CMD1 -c CMD2 ... f

with gettimeofday() made to advance by exactly 124 microseconds per call
(an LD_PRELOAD library compiled here), so that the timing lines are
reproducible too; test_pio.c gives iocmd the same clock.  stdout, stderr
and the exit status are kept apart.  The host file /tmp/iocmd-pio-infile
("abcdefghijklmnopqrstuvwxyz0123456789" repeated, 1024 bytes) serves
pwrite -i;
test_pio.c creates the same file.

With --buffered, only BUFFERED_CASES run (files opened without -d: the
page cache, fsync, fdatasync, sync), and DIR may be any directory of a
local filesystem (e.g. a fresh one under /tmp): buffered xfs_io output does
not depend on the filesystem.  Their output goes to pio-buffered-captures.h.
"""
import os
import subprocess
import sys
import tempfile

INFILE = "/tmp/iocmd-pio-infile"
# 1024 bytes: the alphabet and digits over and over (O_DIRECT needs whole sectors)
INFILE_DATA = (b"abcdefghijklmnopqrstuvwxyz0123456789" * 29)[:1024]

FAKE_CLOCK = r"""
#include <sys/time.h>
static long long now = 1000000000LL * 1000000LL;
int gettimeofday(struct timeval *tv, void *tz)
{
	tv->tv_sec = now / 1000000;
	tv->tv_usec = now % 1000000;
	now += 124;
	return 0;
}
"""

# (id, what it shows, xfs_io open flags, commands)
CASES = [
    ("iocmd-pwrite-1.1", "direct writes and reads in blocks; -C, -q", "-d",
     ["pwrite -S 0x55 -b 65536 0 64k", "pwrite -S 0x66 -b 8192 128k 16k",
      "pread -b 65536 0 64k", "pwrite -C 0 4k", "pread -C -b 8k 128k 16k",
      "pwrite -q 4k 4k", "pread -q 0 4k", "w 8k 4k", "r 8k 4k"]),
    ("iocmd-pread-1.1", "pread -v dumps what pwrite wrote", "-d",
     ["pwrite -S 0x41 0 4k", "pwrite -S 0x7e -b 512 512 512", "pread -v -b 512 0 1k"]),
    ("iocmd-pwrite-1.2", "O_DIRECT misalignment, reads at and past EOF", "-d",
     ["pwrite 1 4096", "pwrite 0 100", "pwrite -S 0x31 0 12k", "pread 0 100",
      "pread 512 4k", "pread 12k 4k", "pread 1m 4k", "pread -b 8k 0 1m",
      "pwrite -b 0 0 4k", "pwrite 0 0", "pread 0 0"]),
    ("iocmd-pwrite-1.3", "usage errors and bad numbers", "-d",
     ["pwrite -z 0 4k", "pwrite 0 4k 5", "pwrite -b x 0 4k", "pwrite -S x 0 4k",
      "pwrite -s 4 0 4k", "pwrite -d 0 4k", "pwrite x 4k", "pwrite 0 x",
      "pwrite -V x 0 4k", "pwrite -Z x 0 4k", "pwrite -i nosuch 0 4k",
      "pwrite -i f -B 0 4k", "pwrite -A 0 4k", "pwrite -b", "pwrite"]),
    ("iocmd-pread-1.2", "usage errors and bad numbers", "-d",
     ["pread -i 3 0 4k", "pread -b x 0 4k", "pread -V x 0 4k", "pread -Z x 0 4k",
      "pread 0 4k 5", "pread -R x 4k", "pread -R 0 x", "pread -B 0 x", "pread -x"]),
    ("iocmd-pread-1.3", "to and from EOF: a length or offset that is not a number", "-d",
     ["pwrite -S 0x61 0 12k", "pread 0 x", "pread -b 8k 0 x", "pread -B x 8k",
      "pread -B -b 2k x 5k", "pread x 4k", "pread -B 0 x"]),
    ("iocmd-pwrite-1.4", "-V: vectored, and sticky for later commands", "-d",
     ["pwrite -V 2 -b 4k 0 20k", "pwrite 0 4k", "pread -V 3 -b 1k 0 5k",
      "pread -b 512 0 4k", "pwrite -V 0 -b 8k 0 8k", "pread -V 4 -b 1k 0 2k"]),
    ("iocmd-pwrite-1.5", "-R with -Z: the same random offsets (seek shows them)", "-d",
     ["pwrite -R -Z 5 -b 4k 0 64k", "seek -a -r 0", "pread -R -Z 7 -b 1k 1000 6000",
      "pwrite -R -Z 42 -b 512 100 3000", "pread -R -Z 3 -b 4k 60k 64k"]),
    ("iocmd-pwrite-1.6", "-B backwards; -O once", "-d",
     ["pwrite -S 0x62 -B -b 4k 16k 16k", "pwrite -B -b 4k 64k 8k", "pwrite -B -b 4k 6k 12k",
      "pread -B -b 4k 16k 12k", "pread -B -b 1k 9k 3k", "pwrite -O -b 4k 32k 16k",
      "seek -a -r 0"]),
    ("iocmd-pwrite-1.7", "-w, -W, and -N / -D (which need -V)", "-d",
     ["pwrite -w 0 4k", "pwrite -W 4k 4k", "pwrite -N 8k 4k", "pwrite -D 8k 4k",
      "pwrite -V 1 -D 12k 4k", "pwrite -N 4k 4k"]),
    ("iocmd-pwrite-1.8", "-i: data from a host file, -s skip", "-d",
     ["pwrite -S 0 0 4k", "pwrite -i %s -b 512 0 2k" % INFILE,
      "pwrite -i %s -s 512 -b 512 2k 512" % INFILE, "pwrite -i %s -s 1k 3k 512" % INFILE,
      "pread -v -b 512 0 512", "pread -v 2k 512"]),
    ("iocmd-pwrite-1.9", "a read-only file", "-r -d",
     ["pwrite 0 4k", "pread 0 4k"]),
]

# Buffered I/O (issue 4): no -d.  The timing lines are there on purpose:
# they show that each command is one call (ops) of the sizes given.
BUFFERED_CASES = [
    ("iocmd-bio-1.1", "buffered write, fsync, overwrite, fdatasync, reads, sync", "",
     ["pwrite -S 0xab -b 65536 0 64k", "fsync", "pwrite -S 0xcd 4096 100", "fdatasync",
      "pread -v 4090 16", "pread -b 8k 0 64k", "sync", "pread 60k 8k", "pread 64k 4k"]),
    ("iocmd-bio-1.2", "small and unaligned buffered writes, reads of other sizes", "",
     ["pwrite -S 0x11 -b 4096 0 20k", "pwrite -S 0x22 -b 512 1000 3000",
      "pread -v -b 512 990 32", "pread -b 3000 0 20k", "fsync", "pread -v 3990 20"]),
    ("iocmd-bio-1.3", "sub-page writes with holes between (scenario 03 at 4 KiB)", "",
     ["pwrite -S 0x22 1024 1024", "pwrite -S 0x33 3072 512", "fsync", "pread -v 0 4096",
      "pread 4096 4096"]),
    ("iocmd-bio-1.4", "a read-only file opened buffered", "-r",
     ["pread 0 4k", "pwrite 0 4k", "fsync"]),
]


def c_string(text):
    """text as C string literal lines (one per output line)."""
    if not text:
        return '""'
    out = []
    for line in text.splitlines(keepends=True):
        s = line.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")
        out.append('"%s"' % s)
    return "\n\t  ".join(out)


def main():
    buffered = sys.argv[1] == "--buffered"
    mnt = sys.argv[2] if buffered else sys.argv[1]
    cases = BUFFERED_CASES if buffered else CASES
    header = "pio-buffered-captures.h" if buffered else "pio-captures.h"
    with open(INFILE, "wb") as f:
        f.write(INFILE_DATA)
    tmp = tempfile.mkdtemp()
    src, lib = os.path.join(tmp, "clock.c"), os.path.join(tmp, "clock.so")
    with open(src, "w") as f:
        f.write(FAKE_CLOCK)
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", lib, src], check=True)
    env = dict(os.environ, LD_PRELOAD=lib, LC_ALL="C")
    version = subprocess.run(["xfs_io", "-V"], capture_output=True, text=True).stdout.strip()

    print("/* %s -- generated by capture-pio.py%s from %s; do not edit. */"
          % (header, " --buffered" if buffered else "", version))
    print("/* clang-format off */")
    for cid, what, flags, cmds in cases:
        path = os.path.join(mnt, "f")
        if os.path.exists(path):
            os.unlink(path)
        if "-r" in flags.split():  # a read-only open needs an existing file
            open(path, "w").close()
            argv = ["xfs_io"] + flags.split()
        else:
            argv = ["xfs_io", "-f"] + flags.split()
        for c in cmds:
            argv += ["-c", c]
        argv.append("f")
        r = subprocess.run(argv, cwd=mnt, env=env, capture_output=True)
        print()
        print("/* %s: %s" % (cid, what))
        print(" *   %s */" % " ".join(a if " " not in a else '"%s"' % a for a in argv))
        print("static const char *const %s_cmds[] = {" % cid.replace("-", "_").replace(".", "_"))
        for c in cmds:
            print('\t"%s",' % c)
        print("\tNULL,")
        print("};")
        print("#define %s_FLAGS \"%s\"" % (cid.replace("-", "_").replace(".", "_").upper(), flags))
        print("static const char %s_out[] =\n\t  %s;" % (cid.replace("-", "_").replace(".", "_"),
                                                   c_string(r.stdout.decode())))
        print("static const char %s_err[] =\n\t  %s;" % (cid.replace("-", "_").replace(".", "_"),
                                                   c_string(r.stderr.decode())))
        print("#define %s_RC %d" % (cid.replace("-", "_").replace(".", "_").upper(), r.returncode))


if __name__ == "__main__":
    main()
