/**
 * @file pwrite.c
 * @brief `pwrite` (xfsprogs io/pwrite.c).
 *
 *     pwrite [-i infile [-qdDwNOW] [-s skip]] [-b bs] [-S seed] [-FBR [-Z N]]
 *            [-V N] [-uC] off len
 *
 * Every call is one write(2)-family system call on the current file
 * (syscall.c), which becomes one extentfs_write_iter() with a synchronous
 * kiocb; on a file opened with -d that is one iomap_dio_rw().  So
 * "pwrite -b 8k 128k 16k" makes two direct writes, and the trace shows two
 * iomap_dio_rw_begin events, as on XFS (kernel scenario 05).
 *
 * The data is the I/O buffer (pread.c), filled with the low byte of -S
 * (0xcd by default), or, with -i, read from a file of the *host* (the
 * machine iomap-io runs on, not extentfs): each block is first read from
 * INFILE at skip + bytes written so far, then written.  -d opens INFILE
 * with O_DIRECT.
 *
 *     -F (default)  off, off+bs, ... until len bytes or a short write
 *     -B            the piece below off's bs boundary, then bs blocks down
 *     -R            len/bs writes at srandom(seed)/random() offsets (-Z)
 *     -O            one call of len bytes
 *     -w / -W       fdatasync / fsync at the end (timed)
 *     -N / -D       RWF_NOWAIT / RWF_DSYNC: pwritev2 flags
 *
 * Quirks of xfs_io 6.1 kept because a user sees them (measured, see
 * tests/unit/iocmd/test_pio.c):
 *   - -N and -D change nothing without -V: xfs_io calls pwrite(), which
 *     takes no flags, unless vectors are in use (strace shows it);
 *   - -B's loop compares the bytes left with an offset: "pwrite -B 64k
 *     10k" writes nothing and reports "wrote 0/10240";
 *   - -V N stays in force for later commands, and every call passes all N
 *     segments, the last one trimmed: "pwrite -V 2 -b 4k 0 20k" writes
 *     24576 bytes and says "wrote 24576/20480";
 *   - -R rounds the length up by (len % bs), and writes whole blocks;
 *   - a failing read of INFILE (perror "pread") ends the loop without an
 *     error: the bytes written so far are reported.
 *
 * One deliberate difference: -O with a length above the block size writes
 * from a buffer of that length filled with the pattern; xfs_io writes past
 * the end of its own buffer, i.e. whatever memory follows it.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "iocmd-internal.h"

/* The glibc generator behind srandom()/random(), as in pread.c. */
struct pwrite_random {
	struct random_data data;
	char state[128];
};

/*
 * do_pwrite(): pwrite() of min(count, buffer_size) bytes from the single
 * buffer, or with vectors one pwritev2() of all segments, the one where
 * @count ends trimmed.  The RWF_* flags only reach the vectored call.
 */
static ssize_t do_pwrite(struct iocmd *ic, long long offset, long long count,
			 size_t buffer_size, int rwf)
{
	struct iocmd_iobuf *b = &ic->iobuf;
	struct iocmd_file *f = iocmd_cur(ic);
	size_t saved = 0;
	int trimmed = -1;
	ssize_t ret;

	if (!b->vectors) {
		struct kvec one = { b->buffer, iocmd_min_count(count, buffer_size) };

		return iocmd_sys_pwritev2(f, &one, 1, offset, 0, false);
	}
	if ((unsigned long long)count < b->buffersize) {
		size_t len = 0;
		int i = 0;

		while (len + b->iov[i].iov_len < (unsigned long long)count)
			len += b->iov[i++].iov_len;
		trimmed = i;
		saved = b->iov[i].iov_len;
		b->iov[i].iov_len = (size_t)count - len;
	}
	ret = iocmd_sys_pwritev2(f, b->iov, b->nr_iov, offset, rwf, true);
	if (trimmed >= 0)
		b->iov[trimmed].iov_len = saved;
	return ret;
}

/* The result of one call: 1 to go on, 0 to stop quietly, -1 after an error. */
static int account(struct iocmd *ic, ssize_t bytes, int *ops, long long *total)
{
	if (bytes == 0)
		return 0;
	if (bytes < 0) {
		iocmd_io_error(ic, "pwrite", bytes, -1);
		return -1;
	}
	(*ops)++;
	*total += bytes;
	return 1;
}

static int write_random(struct iocmd *ic, long long offset, long long count, unsigned seed,
			long long *total, int rwf)
{
	long long bs = (long long)ic->iobuf.buffersize, range, off, rem, before;
	struct pwrite_random rnd;
	int ops = 0, r;

	memset(&rnd, 0, sizeof(rnd));
	initstate_r(seed, rnd.state, sizeof(rnd.state), &rnd.data);
	if (bs && (rem = offset % bs))
		offset -= rem;
	if (offset < 0)
		offset = 0;
	if (bs && (rem = count % bs))
		count += rem; /* up by the remainder, as xfs_io */
	if (count < bs)
		count = bs;
	range = count - bs;

	*total = 0;
	while (count > 0) {
		int32_t v = 0;

		random_r(&rnd.data, &v);
		/* (bs is 0 only for "-b 0", on which xfs_io divides by zero) */
		off = range && bs ? ((offset + v % range) / bs) * bs : offset;
		before = *total;
		r = account(ic, do_pwrite(ic, off, bs, (size_t)bs, rwf), &ops, total);
		if (r <= 0)
			return r < 0 ? -1 : ops;
		if (*total - before < bs)
			break; /* a short write */
		count -= *total - before;
	}
	return ops;
}

static int write_backward(struct iocmd *ic, long long offset, long long *count, long long *total,
			  int rwf)
{
	long long bs = (long long)ic->iobuf.buffersize;
	long long off = offset, cnt = *count, end, want, before;
	int ops = 0, r;

	end = off - cnt;
	if (end < 0) {
		cnt += end; /* only what lies above offset 0 */
		end = 0;
	}
	*total = 0;
	*count = cnt;

	/* The piece below off, down to the bs boundary, first. */
	want = bs ? off % bs : 0;
	if (want) {
		if (cnt < want)
			want = cnt;
		off -= want;
		r = account(ic, do_pwrite(ic, off, want, (size_t)bs, rwf), &ops, total);
		if (r <= 0)
			return r < 0 ? -1 : ops;
		if (*total < want)
			return ops;
		cnt -= *total;
	}
	/* Then whole blocks down; the test compares bytes with an offset (sic). */
	while (cnt > end) {
		want = cnt < bs ? cnt : bs;
		off -= want;
		before = *total;
		r = account(ic, do_pwrite(ic, off, cnt, (size_t)bs, rwf), &ops, total);
		if (r <= 0)
			return r < 0 ? -1 : ops;
		if (*total - before < want)
			break;
		cnt -= *total - before;
	}
	return ops;
}

static int write_buffer(struct iocmd *ic, long long offset, long long count, size_t bs,
			int infd, long long skip, long long *total, int rwf)
{
	long long bar = (long long)iocmd_min_count(count, bs), bytes;
	int ops = 0, r;

	*total = 0;
	while (count >= 0) {
		if (infd >= 0) {
			/* The block comes from the input file first; bar = what was read. */
			if (iocmd_read_buffer(ic, infd, skip + *total, (long long)bs, &bar, false,
					      true) < 0)
				break;
		}
		bytes = do_pwrite(ic, offset, count, (size_t)bar, rwf);
		r = account(ic, (ssize_t)bytes, &ops, total);
		if (r <= 0)
			return r < 0 ? -1 : ops;
		if ((size_t)bytes < iocmd_min_count(count, (size_t)bar))
			break;
		offset += bytes;
		count -= bytes;
		if (count == 0)
			break;
	}
	return ops;
}

static int write_once(struct iocmd *ic, long long offset, long long count, long long *total,
		      int rwf)
{
	ssize_t bytes = do_pwrite(ic, offset, count, (size_t)count, rwf);

	if (bytes < 0) {
		iocmd_io_error(ic, "pwrite", bytes, -1);
		return -1;
	}
	*total = bytes;
	return 1;
}

/* fsync / fdatasync at the end (-W, -w); perror and exit code as fsync.c. */
static bool sync_at_end(struct iocmd *ic, int datasync)
{
	int ret = extentfs_fsync(iocmd_cur(ic)->file, datasync);

	if (ret < 0) {
		iocmd_perror(ic, datasync ? "fdatasync" : "fsync", ret);
		ic->exitcode = 1;
		return false;
	}
	return true;
}

int iocmd_pwrite_f(struct iocmd *ic, int argc, char **argv)
{
	struct iocmd_getopt g = IOCMD_GETOPT_INIT;
	size_t blocksize, sectsize, bsize, alloc;
	long long offset, skip = 0, count, total = 0, tmp;
	unsigned long val;
	unsigned zeed = 0, seed = 0xcdcdcdcd;
	const char *infile = NULL;
	bool compact = false, quiet = false, keep = false, direct = false, ok;
	bool datasync = false, fullsync = false;
	int direction = IOCMD_DIR_FORWARD, rwf = 0, ops = 0, infd = -1, c;
	struct timeval t1, t2;

	iocmd_init_cvtnum(ic, &blocksize, &sectsize);
	bsize = blocksize;
	while ((c = iocmd_getopt(&g, argc, argv, "b:BCdDf:Fi:NqRs:OS:uV:wWZ:", ic->err)) != -1) {
		switch (c) {
		case 'b':
			tmp = iocmd_cvtnum(blocksize, sectsize, g.optarg);
			if (tmp < 0) {
				fprintf(ic->out, "non-numeric bsize -- %s\n", g.optarg);
				goto bad;
			}
			bsize = (size_t)tmp;
			break;
		case 'C':
			compact = true;
			break;
		case 'F':
			direction = IOCMD_DIR_FORWARD;
			break;
		case 'B':
			direction = IOCMD_DIR_BACKWARD;
			break;
		case 'R':
			direction = IOCMD_DIR_RANDOM;
			break;
		case 'O':
			direction = IOCMD_DIR_ONCE;
			break;
		case 'd':
			direct = true;
			break;
		case 'f':
		case 'i':
			infile = g.optarg;
			break;
		case 'N':
			rwf |= RWF_NOWAIT;
			break;
		case 'D':
			rwf |= RWF_DSYNC;
			break;
		case 's':
			skip = iocmd_cvtnum(blocksize, sectsize, g.optarg);
			if (skip < 0) {
				fprintf(ic->out, "non-numeric skip -- %s\n", g.optarg);
				goto bad;
			}
			break;
		case 'S':
			if (!iocmd_parse_ulong(g.optarg, &val)) {
				fprintf(ic->out, "non-numeric seed -- %s\n", g.optarg);
				goto bad;
			}
			seed = (unsigned)val;
			break;
		case 'q':
			quiet = true;
			break;
		case 'u':
			keep = true;
			break;
		case 'V':
			/* Stored before the check, as xfs_io does: "-V x" means 0. */
			ok = iocmd_parse_ulong(g.optarg, &val);
			ic->iobuf.vectors = (int)val;
			if (!ok) {
				fprintf(ic->out, "non-numeric vector count == %s\n", g.optarg);
				goto bad;
			}
			break;
		case 'w':
			datasync = true;
			break;
		case 'W':
			fullsync = true;
			break;
		case 'Z':
			if (!iocmd_parse_ulong(g.optarg, &val)) {
				fprintf(ic->out, "non-numeric seed -- %s\n", g.optarg);
				goto bad;
			}
			zeed = (unsigned)val;
			break;
		default:
			ic->exitcode = 1;
			return iocmd_usage(ic);
		}
	}
	/* -s and -d describe the input file: without -i they make no sense. */
	if (((skip || direct) && !infile) || g.optind != argc - 2 ||
	    (infile && direction != IOCMD_DIR_FORWARD)) {
		ic->exitcode = 1;
		return iocmd_usage(ic);
	}
	offset = iocmd_cvtnum(blocksize, sectsize, argv[g.optind]);
	if (offset < 0) {
		fprintf(ic->out, "non-numeric offset argument -- %s\n", argv[g.optind]);
		goto bad;
	}
	count = iocmd_cvtnum(blocksize, sectsize, argv[g.optind + 1]);
	if (count < 0) {
		fprintf(ic->out, "non-numeric length argument -- %s\n", argv[g.optind + 1]);
		goto bad;
	}

	/* -O writes len bytes from the buffer in one call: make it that long. */
	alloc = bsize;
	if (direction == IOCMD_DIR_ONCE && (unsigned long long)count > bsize)
		alloc = (size_t)count;
	if (iocmd_iobuf_alloc(ic, alloc, keep, seed) < 0) {
		ic->exitcode = 1;
		return 0;
	}
	if (infile) {
		infd = open(infile, O_RDONLY | (direct ? O_DIRECT : 0));
		if (infd < 0) {
			iocmd_perror(ic, infile, -errno); /* openfile(): perror(path) */
			ic->exitcode = 1;
			return 0;
		}
	}

	ic->clock(&t1);
	switch (direction) {
	case IOCMD_DIR_RANDOM:
		if (!zeed)
			zeed = (unsigned)time(NULL);
		ops = write_random(ic, offset, count, zeed, &total, rwf);
		break;
	case IOCMD_DIR_FORWARD:
		ops = write_buffer(ic, offset, count, bsize, infd, skip, &total, rwf);
		break;
	case IOCMD_DIR_BACKWARD:
		ops = write_backward(ic, offset, &count, &total, rwf);
		break;
	case IOCMD_DIR_ONCE:
		ops = write_once(ic, offset, count, &total, rwf);
		break;
	}
	if (ops < 0) {
		ic->exitcode = 1;
		goto done;
	}
	if (fullsync && !sync_at_end(ic, 0))
		goto done;
	if (datasync && !sync_at_end(ic, 1))
		goto done;
	if (quiet)
		goto done;
	ic->clock(&t2);
	t2 = iocmd_tsub(t2, t1);
	iocmd_report_io_times(ic, "wrote", &t2, offset, count, total, ops, compact);
done:
	if (infd >= 0)
		close(infd);
	return 0;

bad:
	iocmd_note(ic, -EINVAL);
	ic->exitcode = 1;
	return 0;
}
