/**
 * @file command.c
 * @brief The command table, line splitting and dispatch: what libxcmd's
 *        command.c and input.c do for xfs_io, plus the context's life cycle.
 *
 * A line goes through four steps, each as xfs_io does it:
 *
 *     "falloc -k 0 1m"
 *       -> breakline()        split on ' ' only; empty words dropped
 *       -> find_command()     by name or altname, else
 *                             `command "X" not found` on stderr
 *       -> check_command()    a command that needs a file, with none open:
 *                             "no files are open, try 'help open'"
 *       -> argument count     "bad argument count N to CMD, expected ..."
 *       -> the command        parses its options (getopt.c), prints, sets
 *                             the exit code on the paths xfs_io 6.1 does
 *
 * For a `-c` line (iocmd_run_cmdline) the last two steps run once per open
 * file, each time with that file current (xfs_io's filetable_iterator),
 * unless the command is one-shot.
 *
 * The table below is the contract with xfs_io: names, altnames, argument
 * limits, one-shot and no-file flags, synopsis and one-line text are those
 * of xfs_io 6.1 (checked with `help` and with wrong argument counts on the
 * real tool).  Five entries are marked IOCMD_REFERENCE: they are not xfs_io
 * commands and say so in their one-line text.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/trace.h>

#include "iocmd-internal.h"

/* Sorted by name, as xfs_io sorts its table (help lists it in this order). */
const struct iocmd_cmd iocmd_cmds[] = {
	{ "aio_pread", NULL, iocmd_aio_pread_f, 2, -1, IOCMD_REFERENCE,
	  "[-b bs] [-n depth] [-q] [-HC] off len",
	  "(reference only, not in xfs_io) reads with up to depth asynchronous direct reads in flight",
	  iocmd_aio_pread_help },
	{ "aio_pwrite", NULL, iocmd_aio_pwrite_f, 2, -1, IOCMD_REFERENCE,
	  "[-b bs] [-n depth] [-S seed] [-q] [-HC] off len",
	  "(reference only, not in xfs_io) writes with up to depth asynchronous direct writes in flight",
	  iocmd_aio_pwrite_help },
	{ "bmap", NULL, iocmd_bmap_f, 0, -1, 0, "[-acelpv] [-n nx]",
	  "print block mapping for an XFS file", iocmd_bmap_help },
	{ "close", "c", iocmd_close_f, 0, 0, IOCMD_ONESHOT, NULL, "close the current open file",
	  NULL },
	{ "falloc", NULL, iocmd_falloc_f, 2, -1, 0, "[-c] [-k] [-p] [-u] off len",
	  "allocates space associated with part of a file via fallocate", iocmd_falloc_help },
	{ "fcollapse", NULL, iocmd_fcollapse_f, 2, 2, 0, "off len",
	  "de-allocates space and eliminates the hole by shifting extents", NULL },
	{ "fdatasync", "ds", iocmd_fdatasync_f, 0, 0, 0, NULL,
	  "calls fdatasync(2) to flush the files in-core data to disk", NULL },
	{ "fibmap", NULL, iocmd_fibmap_f, 1, 1, IOCMD_ONESHOT | IOCMD_REFERENCE, "block",
	  "(reference only, not in xfs_io) print the device block FIBMAP returns",
	  iocmd_fibmap_help },
	{ "fiemap", NULL, iocmd_fiemap_f, 0, -1, 0, "[-alv] [-n nx] [offset [len]]",
	  "print block mapping for a file", iocmd_fiemap_help },
	{ "file", "f", iocmd_file_f, 0, 1, IOCMD_ONESHOT, "[N]", "set the current file", NULL },
	{ "finsert", NULL, iocmd_finsert_f, 2, 2, 0, "off len",
	  "creates new space for writing within file by shifting extents", NULL },
	{ "fpunch", NULL, iocmd_fpunch_f, 2, 2, 0, "off len",
	  "de-allocates space associated with part of a file via fallocate", NULL },
	{ "fsync", "s", iocmd_fsync_f, 0, 0, 0, NULL,
	  "calls fsync(2) to flush all in-core file state to disk", NULL },
	{ "funshare", NULL, iocmd_funshare_f, 2, 2, 0, "off len",
	  "unshares shared blocks within the range", NULL },
	{ "fzero", NULL, iocmd_fzero_f, 2, 3, 0, "[-k] off len",
	  "zeroes space and eliminates holes by preallocating", NULL },
	{ "help", "?", iocmd_help_f, 0, 1, IOCMD_NOFILE_OK | IOCMD_ONESHOT, "[command]",
	  "help for one or all commands", NULL },
	{ "mmap", "mm", iocmd_mmap_f, 0, -1, IOCMD_NOFILE_OK | IOCMD_ONESHOT,
	  "[N] | [-rwxS] [-s size] [off len]", "mmap a range in the current file, show mappings",
	  iocmd_mmap_help },
	{ "mread", "mr", iocmd_mread_f, 0, -1, IOCMD_NOFILE_OK | IOCMD_NEEDMAP, "[-r] [off len]",
	  "reads data from a region in the current memory mapping", iocmd_mread_help },
	{ "msync", "ms", iocmd_msync_f, 0, -1, IOCMD_NOFILE_OK | IOCMD_NEEDMAP, "[-ais] [off len]",
	  "flush a region in the current memory mapping", iocmd_msync_help },
	{ "munmap", "mu", iocmd_munmap_f, 0, 0, IOCMD_NOFILE_OK | IOCMD_NEEDMAP, NULL,
	  "unmaps the current memory mapping", NULL },
	{ "mwrite", "mw", iocmd_mwrite_f, 0, -1, IOCMD_NOFILE_OK | IOCMD_NEEDMAP,
	  "[-r] [-S seed] [off len]", "writes data into a region in the current memory mapping",
	  iocmd_mwrite_help },
	{ "open", "o", iocmd_open_f, 0, -1, IOCMD_NOFILE_OK | IOCMD_ONESHOT,
	  "[-acdrstxRTPL] [-m mode] [path]", "open the file specified by path", iocmd_open_help },
	{ "pread", "r", iocmd_pread_f, 2, -1, 0, "[-b bs] [-qv] [-i N] [-FBR [-Z N]] off len",
	  "reads a number of bytes at a specified offset", iocmd_pread_help },
	{ "print", "p", iocmd_print_f, 0, 0, IOCMD_NOFILE_OK | IOCMD_ONESHOT, NULL,
	  "list current open files and memory mappings", NULL },
	{ "pwrite", "w", iocmd_pwrite_f, 2, -1, 0,
	  "[-i infile [-qdDwNOW] [-s skip]] [-b bs] [-S seed] [-FBR [-Z N]] [-V N] off len",
	  "writes a number of bytes at a specified offset", iocmd_pwrite_help },
	{ "quit", "q", iocmd_quit_f, 0, -1, IOCMD_NOFILE_OK | IOCMD_ONESHOT, NULL,
	  "exit the program", NULL },
	{ "reflink", "rl", iocmd_reflink_f, 1, -1, IOCMD_ONESHOT, "infile [src_off dst_off len]",
	  "reflinks an entire file, or a number of bytes at a specified offset",
	  iocmd_reflink_help },
	{ "seek", NULL, iocmd_seek_f, 2, 5, 0, "-a | -d | -h [-r] off",
	  "locate the next data and/or hole", iocmd_seek_help },
	{ "swapoff", NULL, iocmd_swapoff_f, 0, 0, IOCMD_ONESHOT | IOCMD_REFERENCE, NULL,
	  "(reference only, not in xfs_io) deactivate the current file as swap", NULL },
	{ "swapon", NULL, iocmd_swapon_f, 0, 0, IOCMD_ONESHOT | IOCMD_REFERENCE, NULL,
	  "(reference only, not in xfs_io) activate the current file as swap, list its extents",
	  iocmd_swapon_help },
	{ "sync", NULL, iocmd_sync_f, 0, 0, IOCMD_NOFILE_OK | IOCMD_ONESHOT, NULL,
	  "calls sync(2) to flush all in-core filesystem state to disk", NULL },
	{ "sync_range", NULL, iocmd_sync_range_f, 2, -1, 0, "[-abw] off len",
	  "Control writeback on a range of a file", iocmd_sync_range_help },
	{ "syncfs", NULL, iocmd_syncfs_f, 0, 0, 0, NULL,
	  "calls syncfs(2) to flush all in-core filesystem state to disk", NULL },
	{ "truncate", "t", iocmd_truncate_f, 1, 1, 0, "off",
	  "truncates the current file at the given offset", NULL },
};
const size_t iocmd_nr_cmds = ARRAY_SIZE(iocmd_cmds);

/*
 * xfs_io 6.1 commands iomap-io does not model.  Typing one says so instead
 * of pretending that xfs_io has no such command.
 */
static const char *const xfs_io_only[] = {
	"add_enckey", "allocsp", "bulkstat", "bulkstat_single", "chattr", "chmod", "chproj",
	"copy_range", "cowextsize", "crc32cselftest", "dedupe", "enckey_status", "extsize",
	"fadvise", "flink", "freesp", "fsmap", "get_encpolicy", "inode", "inumbers", "label",
	"log_writes", "lsattr", "lsproj", "madvise", "mincore", "mremap", "readdir", "resvsp", "rm_enckey", "scrub", "sendfile",
	"set_encpolicy", "stat", "statfs", "statx", "swapext", "unresvsp",
	"utimes", "zero",
};

const struct iocmd_fs_ops iocmd_extentfs_ops = {
	.fiemap = extentfs_fiemap,
	.getbmap = extentfs_getbmap,
	.llseek = extentfs_llseek,
};

const struct iocmd_cmd *iocmd_find_command(const char *name)
{
	for (size_t i = 0; i < iocmd_nr_cmds; i++)
		if (strcmp(iocmd_cmds[i].name, name) == 0 ||
		    (iocmd_cmds[i].altname && strcmp(iocmd_cmds[i].altname, name) == 0))
			return &iocmd_cmds[i];
	return NULL;
}

static void default_clock(struct timeval *tv)
{
	gettimeofday(tv, NULL);
}

struct iocmd *iocmd_new(struct extentfs *fs, FILE *out, FILE *err)
{
	struct iocmd *ic = calloc(1, sizeof(*ic));

	if (!ic)
		return NULL;
	ic->fs = fs;
	ic->ops = &iocmd_extentfs_ops;
	ic->out = out;
	ic->err = err;
	ic->progname = "xfs_io";
	ic->trace_ops = true;
	ic->fiemap_max_extents = -1;
	ic->clock = default_clock;
	ic->cur_map = -1;
	ic->next_addr = 0x7f0000000000ull;
	return ic;
}

void iocmd_free(struct iocmd *ic)
{
	if (!ic)
		return;
	iocmd_swapoff_all(ic);
	iocmd_munmap_all(ic);
	iocmd_iobuf_free(ic);
	for (size_t i = 0; i < ic->nr_files; i++) {
		extentfs_close(ic->files[i].file);
		free(ic->files[i].name);
	}
	free(ic->files);
	free(ic);
}

/* The O_* flags extentfs_open() understands, from xfs_io's IO_* flags. */
static int open_flags(unsigned ioflags)
{
	int oflags = (ioflags & IOCMD_IO_READONLY) ? O_RDONLY : O_RDWR;

	if (ioflags & IOCMD_IO_CREAT)
		oflags |= O_CREAT;
	if (ioflags & IOCMD_IO_DIRECT)
		oflags |= O_DIRECT;
	if (ioflags & IOCMD_IO_OSYNC)
		oflags |= O_SYNC;
	if (ioflags & IOCMD_IO_TRUNC)
		oflags |= O_TRUNC;
	/* O_APPEND and O_NONBLOCK stay in the table entry: the checks that use
	 * them (clone into an append-only file) are made in syscall.c. */
	return oflags;
}

int iocmd_open(struct iocmd *ic, const char *name, unsigned ioflags)
{
	struct iocmd_file *f;
	struct file *file;
	char *copy;
	int ret;

	ret = extentfs_open(ic->fs, name, open_flags(ioflags), &file);
	if (ret < 0) {
		/* openfile(): perror(path) */
		iocmd_perror(ic, name, ret);
		return ret;
	}
	/*
	 * do_dentry_open() sets up readahead for every open file; a zeroed
	 * state would mean "readahead off" and read page by page.  Harmless
	 * if extentfs_open() did it already.
	 */
	file_ra_state_init(&file->f_ra, file->f_inode->i_mapping);
	copy = strdup(name);
	if (ic->nr_files == ic->cap_files) {
		size_t cap = ic->cap_files ? 2 * ic->cap_files : 4;
		struct iocmd_file *files = realloc(ic->files, cap * sizeof(*files));

		if (!files) {
			free(copy);
			copy = NULL;
		} else {
			ic->files = files;
			ic->cap_files = cap;
		}
	}
	if (!copy) {
		extentfs_close(file);
		iocmd_perror(ic, "realloc", -ENOMEM);
		return -ENOMEM;
	}
	/* addfile(): the new file becomes the current one. */
	f = &ic->files[ic->nr_files];
	f->name = copy;
	f->file = file;
	f->ioflags = ioflags;
	ic->cur = ic->nr_files++;
	return 0;
}

struct iocmd_file *iocmd_cur(struct iocmd *ic)
{
	return ic->nr_files ? &ic->files[ic->cur] : NULL;
}

void iocmd_note(struct iocmd *ic, int err)
{
	if (ic->status == 0 && err < 0)
		ic->status = err;
}

void iocmd_perror(struct iocmd *ic, const char *what, int err)
{
	fprintf(ic->err, "%s: %s\n", what, strerror(-err));
	iocmd_note(ic, err);
}

void iocmd_report_io_times(struct iocmd *ic, const char *verb, const struct timeval *elapsed,
			   long long offset, long long count, long long total, int ops,
			   bool compact)
{
	/* tdiv(): a rate over the elapsed time; 0 bytes in 0 s is NaN, as there. */
	double secs = (double)elapsed->tv_sec + (double)elapsed->tv_usec / 1000000.0;
	double bytes_rate = (double)total / secs, ops_rate = (double)ops / secs;
	char size[64], rate[64], time[64];

	iocmd_timestr(elapsed, time, sizeof(time), compact);
	if (compact) {
		/* bytes,ops,time,bytes/sec,ops/sec */
		fprintf(ic->out, "%lld,%d,%s,%.3f,%.3f\n", total, ops, time, bytes_rate, ops_rate);
		return;
	}
	iocmd_cvtstr((double)total, size, sizeof(size));
	iocmd_cvtstr(bytes_rate, rate, sizeof(rate));
	fprintf(ic->out, "%s %lld/%lld bytes at offset %lld\n", verb, total, count, offset);
	fprintf(ic->out, "%s, %d ops; %s (%s/sec and %.4f ops/sec)\n", size, ops, time, rate,
		ops_rate);
}

int iocmd_usage(struct iocmd *ic)
{
	const struct iocmd_cmd *ct = ic->cmd;

	/* libxcmd's command_usage() prints the name, never the altname typed. */
	fprintf(ic->out, "%s %s -- %s\n", ct->name, ct->args ? ct->args : "", ct->oneline);
	iocmd_note(ic, -EINVAL);
	return 0;
}

void iocmd_init_cvtnum(struct iocmd *ic, size_t *blocksize, size_t *sectsize)
{
	struct iocmd_file *f = iocmd_cur(ic);

	if (!f) {
		*blocksize = 4096;
		*sectsize = 512;
		return;
	}
	*blocksize = extentfs_block_size(ic->fs);
	*sectsize = extentfs_sb(ic->fs)->s_bdev ?
			    extentfs_sb(ic->fs)->s_bdev->bd_logical_block_size : 512;
}

/*
 * breakline(): split on single spaces, dropping empty words.  Tabs are not
 * separators (xfs_io's strsep(&input, " ")).  The words point into @p copy.
 */
static char **breakline(char *copy, int *count)
{
	size_t n = 0, cap = 8;
	char **v = malloc(cap * sizeof(*v));
	char *p, *rest = copy;

	while (v && (p = strsep(&rest, " ")) != NULL) {
		if (!*p)
			continue;
		if (n + 2 > cap) {
			char **nv = realloc(v, 2 * cap * sizeof(*v));

			if (!nv) {
				free(v);
				v = NULL;
				break;
			}
			v = nv;
			cap *= 2;
		}
		v[n++] = p;
	}
	if (v)
		v[n] = NULL;
	*count = v ? (int)n : 0;
	return v;
}

/* init_check_command(): commands that work on a file need one. */
static bool check_command(struct iocmd *ic, const struct iocmd_cmd *ct)
{
	if (ic->nr_files == 0 && !(ct->flags & IOCMD_NOFILE_OK)) {
		fprintf(ic->err, "no files are open, try 'help open'\n");
		iocmd_note(ic, -EBADF);
		return false;
	}
	if (ic->cur_map < 0 && (ct->flags & IOCMD_NEEDMAP)) {
		fprintf(ic->err, "no mapped regions, try 'help mmap'\n");
		iocmd_note(ic, -EINVAL);
		return false;
	}
	return true;
}

/* command(): the argument count, then the command itself. */
static int command(struct iocmd *ic, const struct iocmd_cmd *ct, int argc, char **argv)
{
	const char *cmd = argv[0];

	if (!check_command(ic, ct))
		return 0;
	if (argc - 1 < ct->argmin || (ct->argmax != -1 && argc - 1 > ct->argmax)) {
		if (ct->argmax == -1)
			fprintf(ic->err,
				"bad argument count %d to %s, expected at least %d arguments\n",
				argc - 1, cmd, ct->argmin);
		else if (ct->argmin == ct->argmax)
			fprintf(ic->err, "bad argument count %d to %s, expected %d arguments\n",
				argc - 1, cmd, ct->argmin);
		else
			fprintf(ic->err,
				"bad argument count %d to %s, expected between %d and %d arguments\n",
				argc - 1, cmd, ct->argmin, ct->argmax);
		iocmd_note(ic, -EINVAL);
		return 0;
	}
	ic->cmd = ct;
	return ct->func(ic, argc, argv);
}

static bool is_xfs_io_only(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(xfs_io_only); i++)
		if (strcmp(xfs_io_only[i], name) == 0)
			return true;
	return false;
}

/* process_input() */
static enum iocmd_next run_line(struct iocmd *ic, const char *line, bool iterate)
{
	const struct iocmd_cmd *ct;
	char *copy = strdup(line);
	char **v;
	int argc = 0, stop = 0;

	ic->status = 0;
	v = copy ? breakline(copy, &argc) : NULL;
	if (!v) {
		fprintf(ic->err, "cannot strdup command '%s': %s\n", line, strerror(ENOMEM));
		free(copy);
		ic->status = -ENOMEM;
		return IOCMD_STOP;
	}
	if (argc == 0)
		goto out;

	if (ic->trace_ops)
		trace_op(true, line, 0);
	ct = iocmd_find_command(v[0]);
	if (!ct) {
		if (is_xfs_io_only(v[0]))
			fprintf(ic->err, "%s: this xfs_io command is not modelled by iomap-io\n",
				v[0]);
		else
			fprintf(ic->err, "command \"%s\" not found\n", v[0]);
		iocmd_note(ic, -ENOENT);
	} else if (!iterate || (ct->flags & IOCMD_ONESHOT)) {
		stop = command(ic, ct, argc, v);
	} else {
		/* filetable_iterator(): each open file in turn becomes current. */
		for (size_t i = 0; i < ic->nr_files && !stop; i++) {
			ic->cur = i;
			stop = command(ic, ct, argc, v);
		}
	}
	if (ic->trace_ops)
		trace_op(false, line, ic->status);
out:
	free(v);
	free(copy);
	return stop ? IOCMD_STOP : IOCMD_CONTINUE;
}

enum iocmd_next iocmd_run(struct iocmd *ic, const char *line)
{
	return run_line(ic, line, false);
}

enum iocmd_next iocmd_run_cmdline(struct iocmd *ic, const char *line)
{
	return run_line(ic, line, true);
}

int iocmd_exit_code(const struct iocmd *ic)
{
	return ic->exitcode;
}

int iocmd_last_status(const struct iocmd *ic)
{
	return ic->status;
}

bool iocmd_quit_requested(const struct iocmd *ic)
{
	return ic->quit;
}

size_t iocmd_nr_files(const struct iocmd *ic)
{
	return ic->nr_files;
}

struct file *iocmd_current_file(const struct iocmd *ic)
{
	return ic->nr_files ? ic->files[ic->cur].file : NULL;
}

const char *iocmd_current_name(const struct iocmd *ic)
{
	return ic->nr_files ? ic->files[ic->cur].name : NULL;
}

struct extentfs *iocmd_fs(const struct iocmd *ic)
{
	return ic->fs;
}

void iocmd_set_progname(struct iocmd *ic, const char *progname)
{
	ic->progname = progname;
}

void iocmd_set_trace_ops(struct iocmd *ic, bool on)
{
	ic->trace_ops = on;
}
