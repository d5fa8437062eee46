/**
 * @file iocmd-internal.h
 * @brief What the files of samples/iocmd/ share: the context, the command
 *        table, getopt, and the helpers every command uses.  Not installed;
 *        the unit tests include it to reach the pieces they check alone.
 *
 * The files mirror xfsprogs' io/ and libxcmd/ by name, so that a reader who
 * knows xfs_io finds each command where xfs_io keeps it:
 *
 *     command.c   the table, line splitting, dispatch, exit code (libxcmd/command.c)
 *     getopt.c    GNU getopt, reentrant (xfs_io uses glibc's)
 *     convert.c   cvtnum, numlen (libfrog/convert.c)
 *     open.c      open, close, file, print (io/open.c, io/file.c)
 *     help.c      help, quit (libxcmd/help.c, libxcmd/quit.c)
 *     prealloc.c  falloc, fpunch, fzero, funshare, fcollapse, finsert
 *     truncate.c  truncate;  fsync.c  fsync, fdatasync, sync, syncfs
 *     sync_file_range.c  sync_range (io/sync_file_range.c)
 *     seek.c  fiemap.c  bmap.c  reflink.c
 *     pread.c     pread, and the I/O buffer pwrite shares (io/pread.c)
 *     pwrite.c    pwrite (io/pwrite.c)
 *     mmap.c      mmap, mread, mwrite, msync, munmap (io/mmap.c)
 *     reference.c fibmap, swapon, swapoff: reference only, not in xfs_io
 *     aio.c       aio_pwrite, aio_pread: reference only, not in xfs_io
 *     syscall.c   the checks the kernel's VFS makes before it calls the
 *                 filesystem (fs/open.c, fs/read_write.c, fs/aio.c, ...)
 *
 * Command functions follow xfs_io's convention: they print their own
 * messages, return 0 to go on, and a non-zero value to stop the command
 * loop (only `quit` and open's "-T and -r are incompatible" do).
 */
#ifndef IOCMD_INTERNAL_H
#define IOCMD_INTERNAL_H

#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>

#include <iomap/iomap.h>

#include "iocmd.h"

/**
 * @name Command flags (xfs_io's CMD_*, plus two of ours)
 * @{
 */
#define IOCMD_NOFILE_OK (1u << 0)  /**< runs with no file open */
#define IOCMD_ONESHOT (1u << 1)    /**< a -c line runs it once, not per file */
#define IOCMD_REFERENCE (1u << 2)  /**< reference only: xfs_io has no such command */
#define IOCMD_NEEDMAP (1u << 3)    /**< needs a current mapping (xfs_io: no CMD_NOMAP_OK) */
/** @} */

struct iocmd;

/** One command: what xfs_io's cmdinfo_t holds. */
struct iocmd_cmd {
	const char *name;     /**< name as listed by `help` */
	const char *altname;  /**< short alias (xfs_io's altname), or NULL */
	/** The command; argv[0] is the name as typed. @return 0, or non-zero to stop */
	int (*func)(struct iocmd *ic, int argc, char **argv);
	int argmin;           /**< fewest arguments */
	int argmax;           /**< most arguments, -1 for no limit */
	unsigned flags;       /**< IOCMD_NOFILE_OK, IOCMD_ONESHOT, IOCMD_REFERENCE */
	const char *args;     /**< argument synopsis, or NULL */
	const char *oneline;  /**< one-line description */
	const char *help;     /**< extended help printed by `help NAME`, or NULL */
};

/** One entry of the file table (xfs_io's fileio_t). */
struct iocmd_file {
	char *name;          /**< name as opened (owned) */
	struct file *file;   /**< the extentfs open file */
	unsigned ioflags;    /**< IOCMD_IO_* */
};

/** One active swap file started by `swapon` (reference.c). */
struct iocmd_swap {
	char *name;                   /**< file name (owned) */
	struct file *file;            /**< swapon's own open file, as sys_swapon has */
	struct swap_info_struct sis;  /**< the extent list */
	struct iocmd_swap *next;      /**< list link */
};

/**
 * The extentfs calls whose answers the reporting commands print.  A context
 * uses iocmd_extentfs_ops; the unit tests substitute answers captured on
 * XFS, so that the printing (widths, holes, flags) is checked byte for byte
 * against the real xfs_io, physical block numbers included.
 */
struct iocmd_fs_ops {
	/** FS_IOC_FIEMAP (extentfs_fiemap) */
	int (*fiemap)(struct file *file, struct fiemap_extent_info *fi, uint64_t start,
		      uint64_t len);
	/** XFS_IOC_GETBMAPX's source (extentfs_getbmap) */
	int (*getbmap)(struct file *file, struct extentfs_bmap_rec **recs, size_t *nr);
	/** lseek(2) (extentfs_llseek) */
	loff_t (*llseek)(struct file *file, loff_t off, int whence);
};
/** The real thing: extentfs's functions. */
extern const struct iocmd_fs_ops iocmd_extentfs_ops;

/**
 * xfs_io's I/O buffer (io/pread.c: io_buffer, highwater, io_buffersize,
 * vectors, iov), which pread, pwrite and pwrite -i share and which lives
 * from one command to the next, as in xfs_io:
 *
 *   - without -V, one page-aligned buffer that only grows (`highwater`);
 *     it is refilled with the pattern by every command unless -u;
 *   - `pwrite -V N` / `pread -V N` set `vectors` *for every later command
 *     too* (xfs_io keeps it in a global): N page-aligned buffers of the
 *     block size, and each call passes all N iovecs to preadv/pwritev,
 *     the last one trimmed (which is why "pwrite -V 2 -b 4k 0 20k" writes
 *     24576 bytes).  -V 0 goes back to single buffers.
 */
struct iocmd_iobuf {
	void *buffer;       /**< the single buffer (page aligned), or NULL */
	size_t highwater;   /**< bytes allocated at @c buffer */
	size_t buffersize;  /**< bytes in use: bsize, or bsize * vectors */
	int vectors;        /**< -V N (an int, as xfs_io's; negative = unusable) */
	struct kvec *iov;   /**< @c vectors segments of bsize bytes each, or NULL */
	int nr_iov;         /**< segments allocated at @c iov */
};

/** One entry of the mapping table (xfs_io's mmap_region_t; mmap.c). */
struct iocmd_map {
	struct vm_area *vma;     /**< the modelled mapping (core/include/iomap/mm.h) */
	char *name;              /**< file name as opened (owned) */
	unsigned long long addr; /**< made-up start address, for printing */
	long long offset;        /**< file offset mapped */
	size_t length;           /**< bytes mapped */
	int prot;                /**< PROT_* */
};

/** The context.  Only the thread running a command touches it. */
struct iocmd {
	struct extentfs *fs;       /**< the filesystem (not owned) */
	const struct iocmd_fs_ops *ops; /**< reporting calls (iocmd_extentfs_ops) */
	FILE *out;                 /**< xfs_io's stdout */
	FILE *err;                 /**< xfs_io's stderr */
	const char *progname;      /**< "xfs_io" */
	bool trace_ops;            /**< emit op_begin / op_end */
	struct iocmd_file *files;  /**< the file table, in open order */
	size_t nr_files;           /**< entries used */
	size_t cap_files;          /**< entries allocated */
	size_t cur;                /**< index of the current file (< nr_files when any) */
	int exitcode;              /**< 0 or 1 (xfs_io's exitcode); 128 + signal after a fatal fault */
	int status;                /**< result of the line being run (see iocmd_last_status) */
	bool quit;                 /**< `quit` was run */
	const struct iocmd_cmd *cmd; /**< command being run, for usage messages */
	int fiemap_max_extents;    /**< xfs_io keeps `fiemap -n N` for later calls; -1 = none */
	struct iocmd_swap *swaps;  /**< active swap files */
	struct iocmd_iobuf iobuf;  /**< pread/pwrite buffer, kept between commands */
	struct iocmd_map *maps;    /**< the mapping table, in mmap order */
	int nr_maps;               /**< entries used */
	int cur_map;               /**< current mapping, -1 if none */
	unsigned long long next_addr; /**< lowest made-up address handed out */
	/** gettimeofday() for the timing lines; the tests fix the time. */
	void (*clock)(struct timeval *tv);
};

/**
 * @name The command table (command.c)
 * @{
 */
/** Every command, sorted by name as xfs_io's table is. */
extern const struct iocmd_cmd iocmd_cmds[];
/** Number of entries of iocmd_cmds. */
extern const size_t iocmd_nr_cmds;
/**
 * Look a command up by name or altname.
 * @param name as typed
 * @return the command, or NULL
 */
const struct iocmd_cmd *iocmd_find_command(const char *name);
/** @} */

/**
 * @name Helpers for command functions (command.c)
 * @{
 */
/** @return the current file table entry, or NULL @param ic context */
struct iocmd_file *iocmd_cur(struct iocmd *ic);
/**
 * Print the running command's usage line to out ("NAME ARGS -- ONELINE"),
 * as libxcmd's command_usage() does, and record -EINVAL as the status.
 * @param ic context
 * @return 0, so that commands can `return iocmd_usage(ic);`
 */
int iocmd_usage(struct iocmd *ic);
/**
 * Record @p err (a negative errno) as the status of the running line, unless
 * an earlier error was recorded.
 * @param ic context; @param err -errno
 */
void iocmd_note(struct iocmd *ic, int err);
/**
 * perror() to err: "WHAT: strerror(-err)".  Records @p err.
 * @param ic context; @param what prefix; @param err -errno
 */
void iocmd_perror(struct iocmd *ic, const char *what, int err);
/**
 * The block and sector sizes cvtnum uses: the filesystem's when a file is
 * open, 4096 and 512 otherwise (xfs_io's init_cvtnum).
 * @param ic context; @param blocksize out; @param sectsize out
 */
void iocmd_init_cvtnum(struct iocmd *ic, size_t *blocksize, size_t *sectsize);
/**
 * Print one file table line as xfs_io's `print` and `file` do.
 * @param ic context; @param index entry index
 */
void iocmd_print_file_entry(struct iocmd *ic, size_t index);
/** Print the whole file table (xfs_io's filelist_f). @param ic context */
void iocmd_filelist(struct iocmd *ic);
/**
 * The two lines xfs_io prints after a transfer (libxcmd's report_io_times):
 *
 *     wrote 65536/65536 bytes at offset 0
 *     64 KiB, 1 ops; 0.0001 sec (504.032 MiB/sec and 8064.5161 ops/sec)
 *
 * or, with -C, the one line "65536,1,0:00:00.00,528516129.032,8064.516".
 * @param ic context; @param verb "wrote" or "read"
 * @param elapsed time the transfer took
 * @param offset offset to print; @param count bytes asked for
 * @param total bytes transferred; @param ops calls made
 * @param compact -C's one-line form
 */
void iocmd_report_io_times(struct iocmd *ic, const char *verb, const struct timeval *elapsed,
			   long long offset, long long count, long long total, int ops,
			   bool compact);
/** @} */

/**
 * @name getopt (getopt.c)
 * @{
 */
/** State of one getopt scan; zero it, or use IOCMD_GETOPT_INIT. */
struct iocmd_getopt {
	int optind;       /**< next argv element to look at (starts at 1) */
	int optopt;       /**< the option character that caused '?' */
	char *optarg;     /**< argument of the option just returned */
	char *nextchar;   /**< rest of the option cluster being scanned */
	int first_nonopt; /**< permutation: first skipped non-option */
	int last_nonopt;  /**< permutation: one past the last skipped non-option */
};
/** Initial state. */
#define IOCMD_GETOPT_INIT { 1, 0, NULL, NULL, 1, 1 }
/**
 * GNU getopt(3) with argument permutation, without global state.  Options
 * may come after operands ("falloc 0 -k 1m" works); "--" ends options; at
 * the end argv is permuted so that the operands are argv[optind..argc).
 * Errors are reported to @p err as glibc does: "CMD: invalid option -- 'x'"
 * and "CMD: option requires an argument -- 'n'", CMD being argv[0].
 * @param g         state
 * @param argc      argument count
 * @param argv      arguments (permuted in place)
 * @param optstring option letters, ':' after one that takes an argument
 * @param err       where to print errors
 * @return the option letter, '?' for an error, or -1 at the end
 */
int iocmd_getopt(struct iocmd_getopt *g, int argc, char **argv, const char *optstring,
		 FILE *err);
/** @} */

/**
 * @name Numbers (convert.c)
 * @{
 */
/**
 * Digits of @p val in @p base (libfrog numlen): 1 for 0.
 * @param val value; @param base 10 or 16
 * @return number of digits
 */
size_t iocmd_numlen(uint64_t val, unsigned base);
/**
 * strtoul(@p s, base 0) checked the way xfs_io checks -S, -Z and -V: only
 * "no digits at all" is an error ("12abc" is 12, "-1" is ULONG_MAX).
 * @param s the text; @param val out: the value (0 when there are no digits)
 * @return whether there were digits
 */
bool iocmd_parse_ulong(const char *s, unsigned long *val);
/**
 * A byte count or rate for humans (libfrog cvtstr): "64 KiB", "504.032
 * MiB", "40.000000 bytes", "inf EiB"; whole numbers without decimals.
 * @param value the number; @param str output; @param size its size
 */
void iocmd_cvtstr(double value, char *str, size_t size);
/**
 * A duration (libfrog timestr): "0.0001 sec" under a second, else
 * "H:MM:SS.hh"; with @p fixed always "H:MM:SS.hh" (VERBOSE_FIXED_TIME).
 * @param tv the duration; @param str output; @param size its size
 * @param fixed the fixed form
 */
void iocmd_timestr(const struct timeval *tv, char *str, size_t size, bool fixed);
/** @} */

/**
 * @name The VFS checks (syscall.c)
 * @{
 */
/**
 * fallocate(2) as the kernel's vfs_fallocate() sees it: mode and range
 * checks, then the file-mode checks, then extentfs_fallocate().
 * @param f file table entry; @param mode FALLOC_FL_*; @param off offset; @param len length
 * @return 0 or -errno
 */
int iocmd_sys_fallocate(struct iocmd_file *f, int mode, loff_t off, loff_t len);
/**
 * ftruncate(2): length and file-mode checks (do_ftruncate), then
 * extentfs_setattr_size().
 * @param f file table entry; @param len new size
 * @return 0 or -errno
 */
int iocmd_sys_ftruncate(struct iocmd_file *f, loff_t len);
/**
 * The FICLONE / FICLONERANGE ioctls (ioctl_file_clone, vfs_clone_file_range).
 * @param dst destination (the current file); @param src source
 * @param srcoff source offset; @param dstoff destination offset
 * @param len bytes, 0 = to the end of @p src
 * @return 0 or -errno
 */
int iocmd_sys_clone(struct iocmd_file *dst, struct iocmd_file *src, loff_t srcoff,
		    loff_t dstoff, loff_t len);
/**
 * pread(2) (@p vectored false: ksys_pread64, vfs_read) or preadv2(2)
 * (do_preadv, vfs_readv): the position and mode checks, then
 * f_op->read_iter() with a kiocb from init_sync_kiocb() and
 * kiocb_set_rw_flags(@p rwf).  A vectored read of 0 bytes returns 0
 * without calling the filesystem, as vfs_readv does.
 * @param f file table entry; @param vec segments; @param nr their number
 * @param pos file offset; @param rwf RWF_* (vectored only)
 * @param vectored whether this is preadv2 rather than pread
 * @return bytes read, or -errno (-EBADF not open for reading, -EINVAL bad
 *         position or too many segments, or the filesystem's error)
 */
ssize_t iocmd_sys_preadv2(struct iocmd_file *f, const struct kvec *vec, int nr, loff_t pos,
			  int rwf, bool vectored);
/**
 * pwrite(2) or pwritev2(2), as iocmd_sys_preadv2() for writing:
 * f_op->write_iter(); an append-only file adds IOCB_APPEND.
 * @param f file table entry; @param vec segments; @param nr their number
 * @param pos file offset; @param rwf RWF_* (vectored only)
 * @param vectored whether this is pwritev2 rather than pwrite
 * @return bytes written, or -errno
 */
ssize_t iocmd_sys_pwritev2(struct iocmd_file *f, const struct kvec *vec, int nr, loff_t pos,
			   int rwf, bool vectored);
/**
 * io_submit(2) of one IOCB_CMD_PREADV / PWRITEV (fs/aio.c aio_read,
 * aio_write): the checks, a kiocb with @p iocb's ki_complete and the
 * flags of the file plus IOCB_WRITE for writes plus kiocb_set_rw_flags(@p
 * rwf) plus @p extra_flags, then read_iter or write_iter.  As aio_rw_done()
 * does, a result other than -EIOCBQUEUED is delivered through ki_complete
 * before this returns.
 * @param f file table entry
 * @param iocb the request: ki_complete set, stays alive until it is called
 * @param iter the memory (stays alive until completion); ITER_SOURCE = write
 * @param pos file offset; @param rwf RWF_*
 * @param extra_flags IOCB_* to add (IOCB_DIO_CALLER_COMP; io_uring sets it)
 * @return 0 once submitted (the result comes through ki_complete), or
 *         -errno when the request was refused before reaching the
 *         filesystem (ki_complete is not called then)
 */
int iocmd_sys_aio_rw(struct iocmd_file *f, struct kiocb *iocb, struct iov_iter *iter,
		     loff_t pos, int rwf, unsigned extra_flags);
/** @} */

/**
 * @name Command functions (one file each, named as in xfsprogs io/)
 * @{
 */
/**
 * `open`.  Every command function has this shape (iocmd_cmd::func).
 * @param ic   context; the current file is iocmd_cur(ic)
 * @param argc number of words, the command name included
 * @param argv the words; argv[0] is the name as typed (getopt may permute the rest)
 * @return 0 to go on, non-zero to stop the command loop
 */
int iocmd_open_f(struct iocmd *ic, int argc, char **argv);
/** `close`. @copydetails iocmd_open_f */
int iocmd_close_f(struct iocmd *ic, int argc, char **argv);
/** `file`. @copydetails iocmd_open_f */
int iocmd_file_f(struct iocmd *ic, int argc, char **argv);
/** `print`. @copydetails iocmd_open_f */
int iocmd_print_f(struct iocmd *ic, int argc, char **argv);
/** `help`. @copydetails iocmd_open_f */
int iocmd_help_f(struct iocmd *ic, int argc, char **argv);
/** `quit`. @copydetails iocmd_open_f */
int iocmd_quit_f(struct iocmd *ic, int argc, char **argv);
/** `falloc`. @copydetails iocmd_open_f */
int iocmd_falloc_f(struct iocmd *ic, int argc, char **argv);
/** `fpunch`. @copydetails iocmd_open_f */
int iocmd_fpunch_f(struct iocmd *ic, int argc, char **argv);
/** `fzero`. @copydetails iocmd_open_f */
int iocmd_fzero_f(struct iocmd *ic, int argc, char **argv);
/** `funshare`. @copydetails iocmd_open_f */
int iocmd_funshare_f(struct iocmd *ic, int argc, char **argv);
/** `fcollapse`. @copydetails iocmd_open_f */
int iocmd_fcollapse_f(struct iocmd *ic, int argc, char **argv);
/** `finsert`. @copydetails iocmd_open_f */
int iocmd_finsert_f(struct iocmd *ic, int argc, char **argv);
/** `truncate`. @copydetails iocmd_open_f */
int iocmd_truncate_f(struct iocmd *ic, int argc, char **argv);
/** `fsync`. @copydetails iocmd_open_f */
int iocmd_fsync_f(struct iocmd *ic, int argc, char **argv);
/** `fdatasync`. @copydetails iocmd_open_f */
int iocmd_fdatasync_f(struct iocmd *ic, int argc, char **argv);
/** `sync`. @copydetails iocmd_open_f */
int iocmd_sync_f(struct iocmd *ic, int argc, char **argv);
/** `syncfs`. @copydetails iocmd_open_f */
int iocmd_syncfs_f(struct iocmd *ic, int argc, char **argv);
/** `sync_range`. @copydetails iocmd_open_f */
int iocmd_sync_range_f(struct iocmd *ic, int argc, char **argv);
/** `seek`. @copydetails iocmd_open_f */
int iocmd_seek_f(struct iocmd *ic, int argc, char **argv);
/** `fiemap`. @copydetails iocmd_open_f */
int iocmd_fiemap_f(struct iocmd *ic, int argc, char **argv);
/** `bmap`. @copydetails iocmd_open_f */
int iocmd_bmap_f(struct iocmd *ic, int argc, char **argv);
/** `reflink`. @copydetails iocmd_open_f */
int iocmd_reflink_f(struct iocmd *ic, int argc, char **argv);
/** `pwrite`. @copydetails iocmd_open_f */
int iocmd_pwrite_f(struct iocmd *ic, int argc, char **argv);
/** `pread`. @copydetails iocmd_open_f */
int iocmd_pread_f(struct iocmd *ic, int argc, char **argv);
/** `aio_pwrite (reference)`. @copydetails iocmd_open_f */
int iocmd_aio_pwrite_f(struct iocmd *ic, int argc, char **argv);
/** `aio_pread (reference)`. @copydetails iocmd_open_f */
int iocmd_aio_pread_f(struct iocmd *ic, int argc, char **argv);
/** `fibmap (reference)`. @copydetails iocmd_open_f */
int iocmd_fibmap_f(struct iocmd *ic, int argc, char **argv);
/** `swapon (reference)`. @copydetails iocmd_open_f */
int iocmd_swapon_f(struct iocmd *ic, int argc, char **argv);
/** `swapoff (reference)`. @copydetails iocmd_open_f */
int iocmd_swapoff_f(struct iocmd *ic, int argc, char **argv);
/** `mmap`. @copydetails iocmd_open_f */
int iocmd_mmap_f(struct iocmd *ic, int argc, char **argv);
/** `mread`. @copydetails iocmd_open_f */
int iocmd_mread_f(struct iocmd *ic, int argc, char **argv);
/** `mwrite`. @copydetails iocmd_open_f */
int iocmd_mwrite_f(struct iocmd *ic, int argc, char **argv);
/** `msync`. @copydetails iocmd_open_f */
int iocmd_msync_f(struct iocmd *ic, int argc, char **argv);
/** `munmap`. @copydetails iocmd_open_f */
int iocmd_munmap_f(struct iocmd *ic, int argc, char **argv);
/** Remove every mapping of @p ic (iocmd_free). @param ic context */
void iocmd_munmap_all(struct iocmd *ic);
/** Deactivate every swap file of @p ic (iocmd_free). @param ic context */
void iocmd_swapoff_all(struct iocmd *ic);
/** @} */

/**
 * @name Extended help texts (printed by `help NAME`)
 * @{
 */
extern const char iocmd_falloc_help[];  /**< falloc */
extern const char iocmd_seek_help[];    /**< seek */
extern const char iocmd_fiemap_help[];  /**< fiemap */
extern const char iocmd_bmap_help[];    /**< bmap */
extern const char iocmd_reflink_help[]; /**< reflink */
extern const char iocmd_open_help[];    /**< open */
extern const char iocmd_pwrite_help[];  /**< pwrite */
extern const char iocmd_pread_help[];   /**< pread */
extern const char iocmd_fibmap_help[];  /**< fibmap */
extern const char iocmd_swapon_help[];  /**< swapon */
extern const char iocmd_aio_pwrite_help[]; /**< aio_pwrite */
extern const char iocmd_aio_pread_help[];  /**< aio_pread */
extern const char iocmd_mmap_help[];   /**< mmap */
extern const char iocmd_mread_help[];  /**< mread */
extern const char iocmd_mwrite_help[]; /**< mwrite */
extern const char iocmd_msync_help[];  /**< msync */
extern const char iocmd_sync_range_help[]; /**< sync_range */
/** @} */

/**
 * @name Pieces the unit tests check alone
 * @{
 */
/**
 * @name seek flags
 * @{
 */
#define IOCMD_SEEK_DATA (1u << 0) /**< -d (or -a) */
#define IOCMD_SEEK_HOLE (1u << 1) /**< -h (or -a) */
#define IOCMD_SEEK_ALL (1u << 2)  /**< -r */
#define IOCMD_SEEK_START (1u << 3) /**< -s */
/** @} */
/** An lseek(2): returns the offset or -errno. */
typedef loff_t (*iocmd_lseek_fn)(void *arg, loff_t off, int whence);
/**
 * The body of `seek` after its arguments are parsed: xfs_io's walk that
 * alternates SEEK_DATA and SEEK_HOLE and prints the table.
 * @param out  stdout; @param err stderr
 * @param flags IOCMD_SEEK_*
 * @param start the offset typed
 * @param lseek_fn how to seek; @param arg its argument
 * @return 0, or the -errno of a failed lseek other than ENXIO
 */
int iocmd_seek_walk(FILE *out, FILE *err, unsigned flags, loff_t start, iocmd_lseek_fn lseek_fn,
		    void *arg);

/**
 * Make the I/O buffer ready for a command (io/pread.c alloc_buffer): with
 * `vectors` set, that many new segments of @p bsize bytes; otherwise the
 * single buffer, grown to @p bsize if needed.  Unless @p keep, every byte
 * is set to the low byte of @p seed (memset, as xfs_io: the "0xcdcdcdcd
 * pattern" is the byte 0xcd).  Failure prints perror("memalign"), except
 * for a negative vector count, which fails silently as in xfs_io.
 * @param ic context; @param bsize block size; @param keep -u: do not fill
 * @param seed fill pattern
 * @return 0 or -ENOMEM
 */
int iocmd_iobuf_alloc(struct iocmd *ic, size_t bsize, bool keep, unsigned seed);
/** Free the I/O buffer (iocmd_free). @param ic context */
void iocmd_iobuf_free(struct iocmd *ic);
/**
 * Hex dump of @p len bytes read at @p offset as `pread -v` prints it
 * ("00000000:  55 55 ...  UUUU"), from the single buffer or segment by
 * segment.
 * @param ic context; @param offset file offset of the first byte
 * @param len bytes
 */
void iocmd_dump_buffer(struct iocmd *ic, long long offset, long long len);
/**
 * Read forward into the I/O buffer (io/pread.c read_buffer): calls of at
 * most one buffer each from @p offset until @p count bytes, a short read,
 * or the first call when @p onlyone.  Reads the current file when @p hostfd
 * is negative, else the host file @p hostfd (pwrite -i).  An error is
 * printed as perror("pread").
 * @param ic context; @param hostfd -1 or a host descriptor
 * @param offset where to start; @param count bytes wanted
 * @param total out: bytes read
 * @param verbose dump each block read (pread -v)
 * @param onlyone stop after one call
 * @return number of calls made, or -1 after an error
 */
int iocmd_read_buffer(struct iocmd *ic, int hostfd, long long offset, long long count,
		      long long *total, bool verbose, bool onlyone);
/**
 * xfs_io's min(a, b) of a signed count and a buffer size: compared as
 * unsigned, so a negative count ("pread 0 -1": read to EOF) picks the
 * buffer size.
 * @param count bytes wanted (may be negative); @param size buffer size
 * @return the smaller, as unsigned
 */
static inline size_t iocmd_min_count(long long count, size_t size)
{
	return (unsigned long long)count < size ? (size_t)count : size;
}
/**
 * @name Directions of pread and pwrite (xfs_io's IO_RANDOM, IO_FORWARD,
 * IO_BACKWARD, IO_ONCE).  The values are xfs_io's and matter: pread tests
 * them with `&`, and -1 has every bit set.
 * @{
 */
#define IOCMD_DIR_RANDOM 0      /**< -R: random offsets in the range */
#define IOCMD_DIR_FORWARD 1     /**< -F (default): from the start forwards */
#define IOCMD_DIR_BACKWARD (-1) /**< -B: from the end backwards */
#define IOCMD_DIR_ONCE 2        /**< -O: one call of the whole length */
/** @} */
/**
 * Print an I/O error as xfs_io's perror(@p what) does.
 * @param ic context; @param what "pread" or "pwrite"
 * @param err -errno; @param hostfd -1 for the current file
 */
void iocmd_io_error(struct iocmd *ic, const char *what, ssize_t err, int hostfd);
/**
 * The elapsed time between two clock readings (libxcmd tsub).
 * @param t2 later; @param t1 earlier
 * @return t2 - t1
 */
struct timeval iocmd_tsub(struct timeval t2, struct timeval t1);
/** @} */

#endif /* IOCMD_INTERNAL_H */
