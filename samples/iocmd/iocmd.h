/**
 * @file iocmd.h
 * @brief iocmd: an xfs_io-compatible command interpreter, as a library.
 *
 * One ::iocmd context plays the part of one xfs_io process: it holds the
 * mounted extentfs, xfs_io's *file table* (the open files and which one is
 * current), the two output streams and the exit code.  The shell
 * (samples/iomap-io.c), the visualiser's command entry and the tests all
 * drive extentfs through it, so that "falloc 0 1m" means the same thing
 * everywhere and prints what xfs_io 6.1 prints.
 *
 * Using it:
 *
 *     struct iocmd *ic = iocmd_new(fs, stdout, stderr);
 *     iocmd_open(ic, "f", IOCMD_IO_CREAT);       // like `xfs_io -f ... f`
 *     iocmd_run_cmdline(ic, "falloc 0 1m");      // like `-c "falloc 0 1m"`
 *     iocmd_run(ic, "fiemap -v");                // like typing at xfs_io>
 *     int status = iocmd_exit_code(ic);          // what xfs_io would exit with
 *     iocmd_free(ic);                            // closes the files, not the fs
 *
 * Two ways to run a line, because xfs_io has two:
 *   - iocmd_run() is the interactive prompt: the command runs once, on the
 *     current file.
 *   - iocmd_run_cmdline() is a `-c` argument: a command that works on a
 *     file runs once *for every open file*, in table order, and the last one
 *     stays current (xfs_io's filetable iterator).  Commands xfs_io marks
 *     one-shot (open, close, file, print, help, quit, reflink, sync, ...)
 *     run once.  With no file open, an iterating command does nothing at
 *     all, silently, exactly as xfs_io does.
 *
 * Output contract: for the commands it implements, what goes to @c out and
 * to @c err is byte for byte what xfs_io 6.1 writes to stdout and stderr for
 * the same command on XFS, with the exceptions documented in
 * docs/IOMAP-IO.md: timing lines ("64 KiB, 1 ops; 0.0001 sec ...") carry
 * iomap-io's own wall-clock times, physical block numbers (fiemap/bmap
 * BLOCK-RANGE, bmap AG columns) are extentfs's, and `open` without
 * arguments prints only the stat lines extentfs can answer.
 * Lines are split on single spaces only, as xfs_io's breakline() does: no
 * quoting, and a tab is part of a word.
 *
 * Exit code: like xfs_io, commands run in order whatever happens and the
 * exit code starts at 0; the error paths on which xfs_io 6.1 sets its
 * exitcode to 1 do the same here (measured on the real tool; the table is
 * in docs/IOMAP-IO.md).  A wrong argument count never sets it.
 *
 * Tracing: unless disabled with iocmd_set_trace_ops(), every line run is
 * framed by trace_op(true, line, 0) and trace_op(false, line, status),
 * where status is 0, the first -errno a filesystem call returned, or
 * -EINVAL for a usage error.
 *
 * Threads: a context is used by one thread at a time; it holds no lock of
 * its own.  Different contexts may share one extentfs (extentfs does its
 * own locking).
 */
#ifndef IOCMD_H
#define IOCMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../extentfs/extentfs.h"

struct iocmd;

/**
 * @name Open flags of a file table entry
 * xfs_io's IO_* flags: what `open -r -d ...` or `xfs_io -f -d` asked for.
 * @{
 */
#define IOCMD_IO_READONLY (1u << 0) /**< -r: O_RDONLY (default O_RDWR) */
#define IOCMD_IO_CREAT (1u << 1)    /**< -f / -c: O_CREAT */
#define IOCMD_IO_DIRECT (1u << 2)   /**< -d: O_DIRECT */
#define IOCMD_IO_OSYNC (1u << 3)    /**< -s: O_SYNC */
#define IOCMD_IO_TRUNC (1u << 4)    /**< -t: O_TRUNC */
#define IOCMD_IO_APPEND (1u << 5)   /**< -a: O_APPEND */
#define IOCMD_IO_NONBLOCK (1u << 6) /**< -n: O_NONBLOCK */
/** @} */

/** What running one line asks of the caller. */
enum iocmd_next {
	IOCMD_CONTINUE = 0, /**< run the next command */
	IOCMD_STOP = 1,     /**< `quit` (or xfs_io's open -T -r): stop reading commands */
};

/**
 * Create a context over a mounted filesystem.  No file is open yet.
 * @param fs   the mounted extentfs (not owned; must outlive the context)
 * @param out  where xfs_io's stdout text goes (not closed)
 * @param err  where xfs_io's stderr text goes (not closed)
 * @return the context, or NULL on ENOMEM
 */
struct iocmd *iocmd_new(struct extentfs *fs, FILE *out, FILE *err);
/**
 * Close every open file (and deactivate swap files started with `swapon`)
 * and free the context.  The filesystem stays mounted.
 * @param ic the context (NULL is allowed)
 */
void iocmd_free(struct iocmd *ic);

/**
 * Open @p name and add it to the file table as the current file, as xfs_io
 * does with the file names on its command line.  On failure prints
 * "NAME: strerror" to err, as xfs_io's perror(path) does.
 * @param ic      context
 * @param name    file name in extentfs's root directory
 * @param ioflags IOCMD_IO_*
 * @return 0 or -errno (-ENOENT without IOCMD_IO_CREAT, -EINVAL for a bad
 *         name, -EOPNOTSUPP for a flag extentfs cannot honour)
 */
int iocmd_open(struct iocmd *ic, const char *name, unsigned ioflags);

/**
 * Run one line the way xfs_io's interactive prompt does (current file only).
 * @param ic   context
 * @param line the command line, e.g. "falloc -k 0 1m" (not modified)
 * @return IOCMD_CONTINUE or IOCMD_STOP
 */
enum iocmd_next iocmd_run(struct iocmd *ic, const char *line);
/**
 * Run one line the way xfs_io runs a `-c` argument: once per open file
 * unless the command is one-shot (see the file comment).
 * @param ic   context
 * @param line the command line
 * @return IOCMD_CONTINUE or IOCMD_STOP
 */
enum iocmd_next iocmd_run_cmdline(struct iocmd *ic, const char *line);

/** @return the exit code xfs_io would return now (0 or 1) @param ic context */
int iocmd_exit_code(const struct iocmd *ic);
/**
 * Result of the last line run: 0, the first -errno a filesystem call
 * returned, -EINVAL for a usage or argument error, -ENOENT for an unknown
 * command.  This is the `ret` of the op_end event.
 * @param ic context
 * @return 0 or -errno
 */
int iocmd_last_status(const struct iocmd *ic);
/** @return whether `quit` has been run @param ic context */
bool iocmd_quit_requested(const struct iocmd *ic);

/** @return number of open files @param ic context */
size_t iocmd_nr_files(const struct iocmd *ic);
/** @return the current file, or NULL if none is open @param ic context */
struct file *iocmd_current_file(const struct iocmd *ic);
/** @return the current file's name as opened, or NULL @param ic context */
const char *iocmd_current_name(const struct iocmd *ic);
/** @return the filesystem @param ic context */
struct extentfs *iocmd_fs(const struct iocmd *ic);

/**
 * Name printed where xfs_io prints its program name ("xfs_io: ioctl(...)").
 * Defaults to "xfs_io" so that output compares byte for byte.
 * @param ic context
 * @param progname static or caller-owned string that outlives @p ic
 */
void iocmd_set_progname(struct iocmd *ic, const char *progname);
/**
 * Turn the op_begin / op_end events around each line on or off (on by
 * default).
 * @param ic context
 * @param on whether to emit them
 */
void iocmd_set_trace_ops(struct iocmd *ic, bool on);

/**
 * xfs_io's size parser (libfrog cvtnum): a number in C syntax (decimal,
 * 0x hex, 0 octal) followed by at most one unit letter, case-insensitive:
 * b (filesystem blocks), s (sectors), k m g t p e (powers of 1024).
 * Overflow behaves as on the real tool: a number too big for a long long
 * saturates, a unit multiplication wraps modulo 2^64.
 * @param blocksize  bytes per "b"
 * @param sectorsize bytes per "s"
 * @param s          the text
 * @return the value; any negative value means "not a valid size" (callers
 *         print xfs_io's "non-numeric ... argument" message)
 */
long long iocmd_cvtnum(size_t blocksize, size_t sectorsize, const char *s);

#endif /* IOCMD_H */
