/**
 * @file trace09.h
 * @brief The normalised kernel trace of scenario 09-falloc-punch-report
 *        (Linux 6.18, XFS on a loop device, 4 KiB blocks), which efs-4.1
 *        replays through extentfs and compares line by line, addresses
 *        included.
 *
 * The scenario: falloc 0 1m; fpunch 256k 128k; falloc -k 2m 64k; fiemap -v;
 * seek -a -r 0; truncate 3m; fiemap -v; seek -d 0; seek -h 0.
 * Normalised as tests/xcheck does: dev, ino, bdev and ops fields removed.
 * Include it once, from test_extentfs.c.
 */
#ifndef EXTENTFS_TEST_TRACE09_H
#define EXTENTFS_TEST_TRACE09_H

static const char *const trace09_expected[] = {
	"iomap_iter: pos 0x0 length 0x0 status 0 flags ZERO (0x2) caller iomap_zero_range",
	"iomap_iter_dstmap: addr 0x18000 offset 0x0 length 0x100000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
	"iomap_iter: pos 0x100000 length 0x0 status 0 flags ZERO (0x2) caller iomap_zero_range",
	"iomap_iter: pos 0x40000 length 0x20000 status 0 flags ZERO (0x2) caller iomap_zero_range",
	"iomap_iter_dstmap: addr 0xffffffffffffffff offset 0x40000 length 0x20000 type HOLE (0x0) flags  (0x0)",
	"iomap_iter: pos 0x60000 length 0x0 status 0 flags ZERO (0x2) caller iomap_zero_range",
	"iomap_iter: pos 0x0 length 0x0 status 0 flags REPORT (0x4) caller iomap_fiemap",
	"iomap_iter_dstmap: addr 0x18000 offset 0x0 length 0x40000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
	"iomap_iter: pos 0x40000 length 0x0 status 0 flags REPORT (0x4) caller iomap_fiemap",
	"iomap_iter_dstmap: addr 0xffffffffffffffff offset 0x40000 length 0x20000 type HOLE (0x0) flags DIRTY (0x2)",
	"iomap_iter: pos 0x60000 length 0x0 status 0 flags REPORT (0x4) caller iomap_fiemap",
	"iomap_iter_dstmap: addr 0x78000 offset 0x60000 length 0xa0000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
	"iomap_iter: pos 0x100000 length 0x0 status 0 flags REPORT (0x4) caller iomap_fiemap",
	"iomap_iter_dstmap: addr 0xffffffffffffffff offset 0x100000 length 0x100000 type HOLE (0x0) flags DIRTY (0x2)",
	"iomap_iter: pos 0x200000 length 0x0 status 0 flags REPORT (0x4) caller iomap_fiemap",
	"iomap_iter_dstmap: addr 0x218000 offset 0x200000 length 0x10000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
	"iomap_iter: pos 0x210000 length 0x0 status 0 flags REPORT (0x4) caller iomap_fiemap",
	"iomap_iter_dstmap: addr 0xffffffffffffffff offset 0x210000 length 0x7fffffffffdf0000 type HOLE (0x0) flags DIRTY (0x2)",
	"iomap_iter: pos 0x7fffffffffffffff length 0x0 status 0 flags REPORT (0x4) caller iomap_fiemap",
	"iomap_iter: pos 0x0 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_hole",
	"iomap_iter_dstmap: addr 0x18000 offset 0x0 length 0x40000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
	"iomap_iter: pos 0x0 length 0x40000 status 0 flags REPORT (0x4) caller iomap_seek_hole",
	"iomap_iter: pos 0x0 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_data",
	"iomap_iter_dstmap: addr 0x18000 offset 0x0 length 0x40000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
	"iomap_iter: pos 0x40000 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_data",
	"iomap_iter_dstmap: addr 0xffffffffffffffff offset 0x40000 length 0x20000 type HOLE (0x0) flags DIRTY (0x2)",
	"iomap_iter: pos 0x60000 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_data",
	"iomap_iter_dstmap: addr 0x78000 offset 0x60000 length 0xa0000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
	"iomap_iter: pos 0x100000 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_data",
	"iomap_iter: pos 0x100000 length 0x200000 status 0 flags ZERO (0x2) caller iomap_zero_range",
	"iomap_iter_dstmap: addr 0xffffffffffffffff offset 0x100000 length 0x100000 type HOLE (0x0) flags  (0x0)",
	"iomap_iter: pos 0x200000 length 0x0 status 0 flags ZERO (0x2) caller iomap_zero_range",
	"iomap_iter_dstmap: addr 0x218000 offset 0x200000 length 0x10000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
	"iomap_iter: pos 0x210000 length 0x0 status 0 flags ZERO (0x2) caller iomap_zero_range",
	"iomap_iter_dstmap: addr 0xffffffffffffffff offset 0x210000 length 0xf0000 type HOLE (0x0) flags  (0x0)",
	"iomap_iter: pos 0x300000 length 0x0 status 0 flags ZERO (0x2) caller iomap_zero_range",
	"iomap_iter: pos 0x0 length 0x0 status 0 flags REPORT (0x4) caller iomap_fiemap",
	"iomap_iter_dstmap: addr 0x18000 offset 0x0 length 0x40000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
	"iomap_iter: pos 0x40000 length 0x0 status 0 flags REPORT (0x4) caller iomap_fiemap",
	"iomap_iter_dstmap: addr 0xffffffffffffffff offset 0x40000 length 0x20000 type HOLE (0x0) flags DIRTY (0x2)",
	"iomap_iter: pos 0x60000 length 0x0 status 0 flags REPORT (0x4) caller iomap_fiemap",
	"iomap_iter_dstmap: addr 0x78000 offset 0x60000 length 0xa0000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
	"iomap_iter: pos 0x100000 length 0x0 status 0 flags REPORT (0x4) caller iomap_fiemap",
	"iomap_iter_dstmap: addr 0xffffffffffffffff offset 0x100000 length 0x100000 type HOLE (0x0) flags DIRTY (0x2)",
	"iomap_iter: pos 0x200000 length 0x0 status 0 flags REPORT (0x4) caller iomap_fiemap",
	"iomap_iter_dstmap: addr 0x218000 offset 0x200000 length 0x10000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
	"iomap_iter: pos 0x210000 length 0x0 status 0 flags REPORT (0x4) caller iomap_fiemap",
	"iomap_iter_dstmap: addr 0xffffffffffffffff offset 0x210000 length 0x7fffffffffdf0000 type HOLE (0x0) flags DIRTY (0x2)",
	"iomap_iter: pos 0x7fffffffffffffff length 0x0 status 0 flags REPORT (0x4) caller iomap_fiemap",
	"iomap_iter: pos 0x0 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_data",
	"iomap_iter_dstmap: addr 0x18000 offset 0x0 length 0x40000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
	"iomap_iter: pos 0x40000 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_data",
	"iomap_iter_dstmap: addr 0xffffffffffffffff offset 0x40000 length 0x20000 type HOLE (0x0) flags DIRTY (0x2)",
	"iomap_iter: pos 0x60000 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_data",
	"iomap_iter_dstmap: addr 0x78000 offset 0x60000 length 0xa0000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
	"iomap_iter: pos 0x100000 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_data",
	"iomap_iter_dstmap: addr 0xffffffffffffffff offset 0x100000 length 0x100000 type HOLE (0x0) flags DIRTY (0x2)",
	"iomap_iter: pos 0x200000 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_data",
	"iomap_iter_dstmap: addr 0x218000 offset 0x200000 length 0x10000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
	"iomap_iter: pos 0x210000 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_data",
	"iomap_iter_dstmap: addr 0xffffffffffffffff offset 0x210000 length 0xf0000 type HOLE (0x0) flags DIRTY (0x2)",
	"iomap_iter: pos 0x300000 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_data",
	"iomap_iter: pos 0x0 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_hole",
	"iomap_iter_dstmap: addr 0x18000 offset 0x0 length 0x40000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
	"iomap_iter: pos 0x0 length 0x40000 status 0 flags REPORT (0x4) caller iomap_seek_hole",
	"iomap_iter: pos 0x0 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_data",
	"iomap_iter_dstmap: addr 0x18000 offset 0x0 length 0x40000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
	"iomap_iter: pos 0x40000 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_data",
	"iomap_iter_dstmap: addr 0xffffffffffffffff offset 0x40000 length 0x20000 type HOLE (0x0) flags DIRTY (0x2)",
	"iomap_iter: pos 0x60000 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_data",
	"iomap_iter_dstmap: addr 0x78000 offset 0x60000 length 0xa0000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
	"iomap_iter: pos 0x100000 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_data",
	"iomap_iter_dstmap: addr 0xffffffffffffffff offset 0x100000 length 0x100000 type HOLE (0x0) flags DIRTY (0x2)",
	"iomap_iter: pos 0x200000 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_data",
	"iomap_iter_dstmap: addr 0x218000 offset 0x200000 length 0x10000 type UNWRITTEN (0x3) flags DIRTY (0x2)",
	"iomap_iter: pos 0x210000 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_data",
	"iomap_iter_dstmap: addr 0xffffffffffffffff offset 0x210000 length 0xf0000 type HOLE (0x0) flags DIRTY (0x2)",
	"iomap_iter: pos 0x300000 length 0x0 status 0 flags REPORT (0x4) caller iomap_seek_data",
};

#endif /* EXTENTFS_TEST_TRACE09_H */
