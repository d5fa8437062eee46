/**
 * @file iomap-io.c
 * @brief iomap-io, the shell: xfs_io's command line around iocmd, over an
 *        extentfs that lives in memory, in an image file or on a block
 *        device, with the event stream written out as tracefs text and/or a
 *        recording.
 *
 *     iomap-io [--image PATH | --mkfs "MKFS OPTIONS"] [--ftrace FILE]
 *              [--record FILE] [--concurrent] [-adfnrst] [[-c|-C] CMD]... [FILE...]
 *     iomap-io --demo
 *
 * What a run does, in order:
 *
 *   1. name this thread "iomap-io" (the task column of traces), reset the
 *      event clock, choose the execution mode (deterministic by default);
 *   2. get a backend: 512 MiB of RAM (the size of the kernel scenarios'
 *      image), or --image (a block device, or a regular file created at
 *      512 MiB when --mkfs is given and it does not exist);
 *   3. mkfs when the filesystem is fresh or --mkfs was given;
 *   4. attach the sinks (--ftrace, --record), mount;
 *   5. open each FILE as xfs_io does (-f creates, -d O_DIRECT, ...); a file
 *      that cannot be opened ends the run with status 1, as in xfs_io;
 *   6. run each -c line once per open file (each -C line once), or read
 *      lines from stdin when there is no -c; `quit` stops;
 *   7. close the files, unmount (which commits), detach the sinks.
 *
 * The exit status is xfs_io's: 0 unless a command took one of the error
 * paths on which xfs_io 6.1 sets its exit code (iocmd.h); a command that
 * fails does not stop the ones after it.
 *
 * --demo runs the commands of kernel scenario 09 on a fresh in-memory
 * filesystem and prints, after each command, its output and the iomap
 * events it caused in the kernel's format (what `./run.sh` shows).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <iomap/lock.h>
#include <iomap/trace.h>

#include "iocmd/iocmd.h"

/* The kernel scenarios' image: 512 MiB on a loop device with 512-byte sectors. */
#define DEFAULT_SIZE (512ull << 20)
#define DEFAULT_LBS 512u
/* Device number shown in traces for memory and file images (loop0, as captured). */
#define DEFAULT_MAJOR 7u
#define DEFAULT_MINOR 0u

/* The commands of tests/xcheck/scenarios/09-falloc-punch-report/scenario.xio. */
static const char *const demo_cmds[] = {
	"falloc 0 1m", "fpunch 256k 128k", "falloc -k 2m 64k", "fiemap -v", "seek -a -r 0",
	"truncate 3m", "fiemap -v", "seek -d 0", "seek -h 0",
};

/* One -c or -C argument. */
struct cmdline {
	const char *line;
	bool oneshot; /* -C: run once, not per open file */
};

struct options {
	const char *image;
	const char *mkfs;       /* NULL: no --mkfs */
	const char *ftrace;
	const char *record;
	bool concurrent;
	unsigned ioflags;       /* IOCMD_IO_* for the FILEs */
	struct cmdline *cmds;
	size_t nr_cmds;
};

static void usage(FILE *to)
{
	fprintf(to,
		"Usage: iomap-io [--image PATH | --mkfs \"MKFS OPTIONS\"] [--ftrace FILE] [--record FILE]\n"
		"                [--concurrent] [-adfnrst] [[-c|-C] CMD]... [FILE...]\n"
		"       iomap-io --demo\n"
		"\n"
		"An xfs_io-compatible shell over extentfs and the iomap reference.\n"
		"\n"
		"  --image PATH    use the extentfs image in PATH (a regular file or a block\n"
		"                  device) instead of a fresh 512 MiB in-memory filesystem\n"
		"  --mkfs OPTS     format first, with mkfs.xfs-style options (\"-b size=1024\");\n"
		"                  with --image, a missing file is created at 512 MiB\n"
		"  --ftrace FILE   write the iomap events in the kernel's tracefs format\n"
		"                  (\"-\" for stdout)\n"
		"  --record FILE   write every event in the recording format (docs/RECORDING.md)\n"
		"  --concurrent    run completions on their own threads (default: deterministic)\n"
		"  --demo          run kernel scenario 09 and show each command's events\n"
		"  -c CMD          run CMD on every open file (xfs_io -c); -C CMD: once\n"
		"  -f -d -r -s -t -a -n   open FILEs with O_CREAT, O_DIRECT, O_RDONLY, O_SYNC,\n"
		"                  O_TRUNC, O_APPEND, O_NONBLOCK (as xfs_io's options)\n"
		"\n"
		"Without -c, commands are read from stdin.  `help` lists the commands.\n"
		"Output is xfs_io 6.1's, except the times in timing lines and physical\n"
		"block numbers (docs/IOMAP-IO.md).  Without -d, pwrite and pread go\n"
		"through the page cache; with -d they are direct I/O.\n");
}

static FILE *open_out(const char *path)
{
	FILE *f;

	if (strcmp(path, "-") == 0)
		return stdout;
	f = fopen(path, "w");
	if (!f)
		fprintf(stderr, "iomap-io: %s: %s\n", path, strerror(errno));
	return f;
}

/* Step 2 and 3: the backend, formatted if needed.  NULL on error (printed). */
static struct backend *get_backend(const struct options *o)
{
	struct extentfs_mkfs_opts mo;
	struct backend *b;
	bool fresh = false;
	char err[256] = "";
	int ret;

	if (extentfs_parse_mkfs_opts(o->mkfs ? o->mkfs : "", &mo, err, sizeof(err)) < 0) {
		fprintf(stderr, "iomap-io: --mkfs \"%s\": %s\n", o->mkfs ? o->mkfs : "", err);
		return NULL;
	}
	if (!o->image) {
		b = backend_ram_new(DEFAULT_SIZE, DEFAULT_LBS);
		fresh = true;
	} else {
		struct stat st;
		bool exists = stat(o->image, &st) == 0;

		if (exists && S_ISBLK(st.st_mode)) {
			b = backend_bdev_new(o->image);
		} else if (!exists && !o->mkfs) {
			fprintf(stderr, "iomap-io: %s: %s\n", o->image, strerror(errno));
			return NULL;
		} else {
			/* A new image file gets the scenarios' 512 MiB. */
			b = backend_file_new(o->image, exists ? 0 : DEFAULT_SIZE, DEFAULT_LBS);
		}
	}
	if (!b) {
		fprintf(stderr, "iomap-io: %s: %s\n", o->image ? o->image : "memory",
			strerror(errno));
		return NULL;
	}
	if (fresh || o->mkfs) {
		ret = extentfs_mkfs(b, &mo);
		if (ret < 0) {
			fprintf(stderr, "iomap-io: mkfs: %s\n", strerror(-ret));
			backend_destroy(b);
			return NULL;
		}
	}
	return b;
}

static kdev_t backend_dev(const struct backend *b)
{
	if (b->caps & BACKEND_CAP_REAL_DEV)
		return MKDEV(b->dev_major, b->dev_minor);
	return MKDEV(DEFAULT_MAJOR, DEFAULT_MINOR);
}

/* Step 6: the commands; returns the exit code. */
static int run_commands(struct iocmd *ic, const struct options *o)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool tty = isatty(STDIN_FILENO);

	if (o->nr_cmds) {
		for (size_t i = 0; i < o->nr_cmds; i++) {
			enum iocmd_next next = o->cmds[i].oneshot ?
						       iocmd_run(ic, o->cmds[i].line) :
						       iocmd_run_cmdline(ic, o->cmds[i].line);

			if (next == IOCMD_STOP)
				break;
		}
		return iocmd_exit_code(ic);
	}
	/* Interactive: xfs_io's prompt loop. */
	for (;;) {
		if (tty) {
			printf("iomap-io> ");
			fflush(stdout);
		}
		n = getline(&line, &cap, stdin);
		if (n < 0)
			break;
		if (n > 0 && line[n - 1] == '\n')
			line[n - 1] = '\0';
		if (iocmd_run(ic, line) == IOCMD_STOP)
			break;
	}
	free(line);
	return iocmd_exit_code(ic);
}

static int run(const struct options *o, char **files, int nr_files)
{
	struct trace_sink *ftrace = NULL, *record = NULL;
	FILE *ftrace_out = NULL, *record_out = NULL;
	struct extentfs *fs = NULL;
	struct backend *b;
	struct iocmd *ic = NULL;
	int rc = 1, ret;

	ref_thread_set_name("iomap-io");
	trace_reset_clock();
	kernel_set_exec_mode(o->concurrent ? EXEC_CONCURRENT : EXEC_DETERMINISTIC);

	if (o->ftrace && !(ftrace_out = open_out(o->ftrace)))
		return 1;
	if (o->record && !(record_out = open_out(o->record)))
		goto out_files;
	b = get_backend(o);
	if (!b)
		goto out_files;
	if (ftrace_out && (ftrace = ftrace_sink_new(ftrace_out)))
		trace_add_sink(ftrace);
	if (record_out && (record = recording_sink_new(record_out)))
		trace_add_sink(record);

	ret = extentfs_mount(b, backend_dev(b), &fs);
	if (ret < 0) {
		fprintf(stderr, "iomap-io: mount: %s\n", strerror(-ret));
		goto out_sinks;
	}
	ic = iocmd_new(fs, stdout, stderr);
	if (!ic) {
		fprintf(stderr, "iomap-io: %s\n", strerror(ENOMEM));
		goto out_unmount;
	}
	for (int i = 0; i < nr_files; i++)
		if (iocmd_open(ic, files[i], o->ioflags) < 0)
			goto out_free; /* xfs_io: exit(1) */
	rc = run_commands(ic, o);
	/*
	 * The kernel captures stop tracing after the scenario's last command
	 * (tests/xcheck/capture-kernel.sh), before umount: what closing the
	 * files and unmounting emit (folio invalidation, ...) belongs to no
	 * command, so the kernel-format trace ends here.  --record keeps it.
	 */
	if (ftrace) {
		trace_remove_sink(ftrace);
		trace_sink_free(ftrace);
		ftrace = NULL;
	}

out_free:
	iocmd_free(ic);
out_unmount:
	fflush(stdout);
	ret = extentfs_unmount(fs);
	if (ret < 0) {
		fprintf(stderr, "iomap-io: unmount: %s\n", strerror(-ret));
		rc = 1;
	}
out_sinks:
	if (ftrace) {
		trace_remove_sink(ftrace);
		trace_sink_free(ftrace);
	}
	if (record) {
		trace_remove_sink(record);
		trace_sink_free(record);
	}
	backend_destroy(b);
out_files:
	if (ftrace_out && ftrace_out != stdout)
		fclose(ftrace_out);
	if (record_out && record_out != stdout)
		fclose(record_out);
	return rc;
}

/* --demo: scenario 09, each command followed by its output and its events. */
static int demo(void)
{
	struct options o = { 0 };
	struct trace_sink *sink;
	struct extentfs *fs;
	struct backend *b;
	struct iocmd *ic;
	char *buf = NULL;
	size_t len = 0, shown = 0;
	FILE *ms;
	int ret;

	ref_thread_set_name("iomap-io");
	trace_reset_clock();
	kernel_set_exec_mode(EXEC_DETERMINISTIC);
	b = get_backend(&o);
	if (!b)
		return 1;
	ms = open_memstream(&buf, &len);
	sink = ms ? ftrace_sink_new(ms) : NULL;
	if (!sink) {
		fprintf(stderr, "iomap-io: %s\n", strerror(ENOMEM));
		backend_destroy(b);
		return 1;
	}
	trace_add_sink(sink);
	ret = extentfs_mount(b, backend_dev(b), &fs);
	if (ret < 0) {
		fprintf(stderr, "iomap-io: mount: %s\n", strerror(-ret));
		goto out;
	}
	ic = iocmd_new(fs, stdout, stdout);
	if (!ic || iocmd_open(ic, "f", IOCMD_IO_CREAT) < 0) {
		iocmd_free(ic);
		extentfs_unmount(fs);
		ret = -ENOMEM;
		goto out;
	}

	printf("iomap-io --demo: the commands of kernel scenario 09-falloc-punch-report\n"
	       "(tests/xcheck/scenarios/) on a fresh in-memory extentfs of 512 MiB with\n"
	       "4 KiB blocks, file \"f\".  After each command: what xfs_io prints, then\n"
	       "the iomap events it caused, in the kernel's tracefs format.  Compare with\n"
	       "the kernel's own trace: tests/xcheck/scenarios/09-*/trace.raw\n");
	for (size_t i = 0; i < sizeof(demo_cmds) / sizeof(demo_cmds[0]); i++) {
		printf("\n$ %s\n", demo_cmds[i]);
		iocmd_run_cmdline(ic, demo_cmds[i]);
		fflush(stdout);
		fflush(ms);
		if (len > shown) {
			printf("# iomap events:\n");
			fwrite(buf + shown, 1, len - shown, stdout);
			shown = len;
		}
	}
	iocmd_free(ic);
	ret = extentfs_unmount(fs);
	printf("\n$ (exit: files closed, filesystem unmounted%s)\n",
	       ret < 0 ? " with an error" : "");
out:
	trace_remove_sink(sink);
	trace_sink_free(sink);
	fclose(ms);
	free(buf);
	backend_destroy(b);
	return ret < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
	enum { OPT_IMAGE = 256, OPT_MKFS, OPT_FTRACE, OPT_RECORD, OPT_CONCURRENT, OPT_DEMO,
	       OPT_HELP };
	static const struct option longopts[] = {
		{ "image", required_argument, NULL, OPT_IMAGE },
		{ "mkfs", required_argument, NULL, OPT_MKFS },
		{ "ftrace", required_argument, NULL, OPT_FTRACE },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "concurrent", no_argument, NULL, OPT_CONCURRENT },
		{ "demo", no_argument, NULL, OPT_DEMO },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct options o = { 0 };
	int c, rc;

	o.cmds = calloc((size_t)argc, sizeof(*o.cmds));
	if (!o.cmds)
		return 1;
	while ((c = getopt_long(argc, argv, "ac:C:dfnrst", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_IMAGE:
			o.image = optarg;
			break;
		case OPT_MKFS:
			o.mkfs = optarg;
			break;
		case OPT_FTRACE:
			o.ftrace = optarg;
			break;
		case OPT_RECORD:
			o.record = optarg;
			break;
		case OPT_CONCURRENT:
			o.concurrent = true;
			break;
		case OPT_DEMO:
			free(o.cmds);
			return demo();
		case OPT_HELP:
			usage(stdout);
			free(o.cmds);
			return 0;
		case 'a':
			o.ioflags |= IOCMD_IO_APPEND;
			break;
		case 'c':
		case 'C':
			o.cmds[o.nr_cmds].line = optarg;
			o.cmds[o.nr_cmds++].oneshot = c == 'C';
			break;
		case 'd':
			o.ioflags |= IOCMD_IO_DIRECT;
			break;
		case 'f':
			o.ioflags |= IOCMD_IO_CREAT;
			break;
		case 'n':
			o.ioflags |= IOCMD_IO_NONBLOCK;
			break;
		case 'r':
			o.ioflags |= IOCMD_IO_READONLY;
			break;
		case 's':
			o.ioflags |= IOCMD_IO_OSYNC;
			break;
		case 't':
			o.ioflags |= IOCMD_IO_TRUNC;
			break;
		default:
			usage(stderr);
			free(o.cmds);
			return 1;
		}
	}
	rc = run(&o, argv + optind, argc - optind);
	free(o.cmds);
	return rc;
}
