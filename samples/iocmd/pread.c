/**
 * @file pread.c
 * @brief `pread`, and the I/O buffer it shares with `pwrite` (xfsprogs
 *        io/pread.c).
 *
 *     pread [-b bs] [-qvuC] [-FBR [-Z N]] [-V N] off len
 *
 * Every call is one read(2)-family system call on the current file
 * (syscall.c), which becomes one extentfs_read_iter() with a synchronous
 * kiocb; on a file opened with -d that is one iomap_dio_rw().  So
 * "pread -b 64k 0 256k" on an O_DIRECT file makes four direct reads, and
 * the trace shows four iomap_dio_rw_begin events, as on XFS.
 *
 * The three walks, as xfs_io does them (bs = the buffer size):
 *
 *     -F (default)  off, off+bs, ...  until len bytes, a short read or EOF
 *     -B            the unaligned tail piece first, then bs blocks down
 *                   towards off-len, both clipped at EOF
 *     -R            len/bs reads at offsets drawn with srandom(seed) /
 *                   random(), aligned down to bs; -Z seed (default: the
 *                   time).  The offsets are glibc's, so they are the same
 *                   as xfs_io's for the same seed.
 *
 * Quirks of xfs_io 6.1 kept because a user sees them (measured, see
 * tests/unit/iocmd/test_pio.c):
 *   - a length that is not a number means "to EOF" for -F and -B, and an
 *     offset that is not a number means "from EOF" for -F (which then
 *     fails: pread at offset -1 is EINVAL) and -B; -R prints "non-numeric
 *     length argument" for either (sic);
 *   - -B's loop compares the bytes left with an *offset*, so "pread -B -b
 *     1k 6000 5000" stops after 4976 bytes;
 *   - -R rounds the length up by (len % bs), not to a multiple of bs;
 *   - the usage line offers -i N, which pread does not accept;
 *   - -V N stays in force for later commands (iocmd_iobuf), and each call
 *     passes every segment: "pread -V 3 -b 1k 0 5k" reads 6144 bytes;
 *   - the dump prints 16 bytes a line, letters and digits as themselves
 *     and everything else as '.'.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "iocmd-internal.h"

/* ------------------------------------------------------------------ */
/* The I/O buffer                                                       */

static void free_iovec(struct iocmd_iobuf *b)
{
	for (int i = 0; i < b->nr_iov; i++)
		free(b->iov[i].iov_base);
	free(b->iov);
	b->iov = NULL;
	b->nr_iov = 0;
}

void iocmd_iobuf_free(struct iocmd *ic)
{
	free_iovec(&ic->iobuf);
	free(ic->iobuf.buffer);
	memset(&ic->iobuf, 0, sizeof(ic->iobuf));
}

/* Page-aligned memory, as xfs_io's memalign(pagesize, ...); zeroed. */
static void *alloc_aligned(struct iocmd *ic, size_t size)
{
	void *p;

	if (posix_memalign(&p, PAGE_SIZE, size ? size : 1) != 0) {
		iocmd_perror(ic, "memalign", -ENOMEM);
		return NULL;
	}
	/*
	 * Fresh memory is zeroed so that `-u` (use the buffer as it is) shows
	 * the same bytes on every run; xfs_io shows whatever malloc returned.
	 */
	memset(p, 0, size);
	return p;
}

/* alloc_iovec(): a new set of segments for every command, as xfs_io. */
static int alloc_iovec(struct iocmd *ic, size_t bsize, bool keep, unsigned seed)
{
	struct iocmd_iobuf *b = &ic->iobuf;

	free_iovec(b);
	b->buffersize = 0;
	/* xfs_io's calloc(vectors, ...) of a negative int fails, silently. */
	if (b->vectors < 0)
		return -ENOMEM;
	b->iov = calloc((size_t)b->vectors, sizeof(*b->iov));
	if (!b->iov)
		return -ENOMEM;
	for (int i = 0; i < b->vectors; i++) {
		void *p = alloc_aligned(ic, bsize);

		if (!p) {
			free_iovec(b);
			return -ENOMEM;
		}
		b->iov[i].iov_base = p;
		b->iov[i].iov_len = bsize;
		b->nr_iov = i + 1;
		if (!keep)
			memset(p, (int)(seed & 0xff), bsize);
	}
	b->buffersize = bsize * (size_t)b->vectors;
	return 0;
}

int iocmd_iobuf_alloc(struct iocmd *ic, size_t bsize, bool keep, unsigned seed)
{
	struct iocmd_iobuf *b = &ic->iobuf;

	if (b->vectors)
		return alloc_iovec(ic, bsize, keep, seed);
	if (!b->buffer || bsize > b->highwater) {
		void *p;

		free(b->buffer);
		b->buffer = NULL;
		b->highwater = b->buffersize = 0;
		p = alloc_aligned(ic, bsize);
		if (!p)
			return -ENOMEM;
		b->buffer = p;
		b->highwater = bsize;
	}
	b->buffersize = bsize;
	/* memset() takes the low byte: the "0xcdcdcdcd pattern" is 0xcd bytes. */
	if (!keep)
		memset(b->buffer, (int)(seed & 0xff), bsize);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Dumping                                                              */

/* isalnum() in the C locale, which is what xfs_io runs in for a test. */
static bool is_alnum(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* One contiguous piece: "%08llx:  " offset, hex bytes, a space, the text. */
static void dump_piece(FILE *out, const unsigned char *buf, long long offset, long long len)
{
	for (long long i = 0; i < len; i += 16) {
		long long n = len - i < 16 ? len - i : 16;

		fprintf(out, "%08llx:  ", (unsigned long long)(offset + i));
		for (long long j = 0; j < n; j++)
			fprintf(out, "%02x ", buf[i + j]);
		fputc(' ', out);
		for (long long j = 0; j < n; j++)
			fputc(is_alnum(buf[i + j]) ? buf[i + j] : '.', out);
		fputc('\n', out);
	}
}

void iocmd_dump_buffer(struct iocmd *ic, long long offset, long long len)
{
	struct iocmd_iobuf *b = &ic->iobuf;

	if (!b->vectors) {
		dump_piece(ic->out, b->buffer, offset, len);
		return;
	}
	/*
	 * Segment by segment, each at its full size: after a trimmed call
	 * this shows the rest of the trimmed segment too (as xfs_io does,
	 * which restores the length before dumping).
	 */
	for (int i = 0; len > 0 && i < b->nr_iov; i++) {
		long long l = len < (long long)b->iov[i].iov_len ? len : (long long)b->iov[i].iov_len;

		dump_piece(ic->out, b->iov[i].iov_base, offset, l);
		len -= l;
		offset += l;
	}
}

/* ------------------------------------------------------------------ */
/* One call                                                             */

void iocmd_io_error(struct iocmd *ic, const char *what, ssize_t err, int hostfd)
{
	(void)hostfd;
	iocmd_perror(ic, what, (int)err);
}

/* A read from the host file of pwrite -i: the C library's calls. */
static ssize_t host_read(int fd, const struct kvec *vec, int nr, long long offset, bool vectored)
{
	ssize_t ret;

	if (!vectored) {
		ret = pread(fd, vec[0].iov_base, vec[0].iov_len, (off_t)offset);
	} else {
		struct iovec iov[1024]; /* UIO_MAXIOV: preadv refuses more */

		if (nr < 0 || nr > 1024)
			return -EINVAL;
		for (int i = 0; i < nr; i++) {
			iov[i].iov_base = vec[i].iov_base;
			iov[i].iov_len = vec[i].iov_len;
		}
		ret = preadv(fd, iov, nr, (off_t)offset);
	}
	return ret < 0 ? -errno : ret;
}

/*
 * do_pread(): one pread() of min(count, buffer_size) bytes, or with
 * vectors one preadv() of *all* segments, the one where @count ends
 * trimmed to end there (xfs_io passes `vectors`, not the trimmed number).
 */
static ssize_t do_pread(struct iocmd *ic, int hostfd, long long offset, long long count,
			size_t buffer_size)
{
	struct iocmd_iobuf *b = &ic->iobuf;
	size_t saved = 0;
	int trimmed = -1;
	ssize_t ret;

	if (!b->vectors) {
		struct kvec one = { b->buffer, iocmd_min_count(count, buffer_size) };

		if (hostfd >= 0)
			return host_read(hostfd, &one, 1, offset, false);
		return iocmd_sys_preadv2(iocmd_cur(ic), &one, 1, offset, 0, false);
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
	if (hostfd >= 0)
		ret = host_read(hostfd, b->iov, b->nr_iov, offset, true);
	else
		ret = iocmd_sys_preadv2(iocmd_cur(ic), b->iov, b->nr_iov, offset, 0, true);
	if (trimmed >= 0)
		b->iov[trimmed].iov_len = saved;
	return ret;
}

/* lseek(fd, 0, SEEK_END) on the current file. */
static long long file_end(struct iocmd *ic)
{
	return ic->ops->llseek(iocmd_cur(ic)->file, 0, SEEK_END);
}

/* ------------------------------------------------------------------ */
/* The walks                                                            */

/*
 * The glibc generator behind srandom()/random(), kept per command
 * (random_r) so that pread does not disturb, or depend on, anyone else's
 * random() calls.  Same state size (128 bytes, TYPE_3) as srandom's
 * default, hence the same sequence for the same seed.
 */
struct iocmd_random {
	struct random_data data;
	char state[128];
};

static void random_seed(struct iocmd_random *r, unsigned seed)
{
	memset(r, 0, sizeof(*r));
	initstate_r(seed, r->state, sizeof(r->state), &r->data);
}

static long random_next(struct iocmd_random *r)
{
	int32_t v;

	random_r(&r->data, &v);
	return v;
}

static int read_random(struct iocmd *ic, long long offset, long long count, long long *total,
		       unsigned seed, bool eof)
{
	long long bs = (long long)ic->iobuf.buffersize, end, range, off, rem;
	struct iocmd_random rnd;
	ssize_t bytes;
	int ops = 0;

	random_seed(&rnd, seed);
	end = file_end(ic);
	if (eof || offset > end)
		offset = end;
	if (bs && (rem = offset % bs))
		offset -= rem;
	if (offset < 0)
		offset = 0;
	/* Rounds *up by the remainder*, which is what xfs_io does. */
	if (bs && (rem = count % bs))
		count += rem;
	if (count < bs)
		count = bs;
	range = count - bs;

	*total = 0;
	while (count > 0) {
		/* (bs is 0 only for "-b 0", on which xfs_io divides by zero) */
		off = range && bs ? ((offset + random_next(&rnd) % range) / bs) * bs : offset;
		bytes = do_pread(ic, -1, off, bs, (size_t)bs);
		if (bytes == 0)
			break;
		if (bytes < 0) {
			iocmd_io_error(ic, "pread", bytes, -1);
			return -1;
		}
		ops++;
		*total += bytes;
		if (bytes < bs)
			break;
		count -= bytes;
	}
	return ops;
}

static int read_backward(struct iocmd *ic, long long *offset, long long *count, long long *total,
			 bool eof)
{
	long long bs = (long long)ic->iobuf.buffersize;
	long long end, off = *offset, cnt = *count, want;
	ssize_t bytes;
	int ops = 0;

	end = file_end(ic);
	if (eof || end < off)
		off = end;
	end = off - cnt;
	if (end < 0) {
		cnt += end; /* only what lies above offset 0 */
		end = 0;
	}
	*total = 0;
	*count = cnt;
	*offset = off;

	/* The piece above the last bs boundary first. */
	want = bs ? off % bs : 0;
	if (want) {
		off -= want;
		bytes = do_pread(ic, -1, off, want, (size_t)bs);
		if (bytes == 0)
			return ops;
		if (bytes < 0) {
			iocmd_io_error(ic, "pread", bytes, -1);
			return -1;
		}
		ops++;
		*total += bytes;
		if (bytes < want)
			return ops;
		cnt -= bytes;
	}
	/*
	 * Then whole blocks downwards.  xfs_io compares the bytes left with
	 * `end`, an offset; the loop stops early when they cross.
	 */
	while (cnt > end) {
		want = cnt < bs ? cnt : bs;
		off -= want;
		bytes = do_pread(ic, -1, off, cnt, (size_t)bs);
		if (bytes == 0)
			break;
		if (bytes < 0) {
			iocmd_io_error(ic, "pread", bytes, -1);
			return -1;
		}
		ops++;
		*total += bytes;
		if (bytes < want)
			break;
		cnt -= bytes;
	}
	return ops;
}

static int read_forward(struct iocmd *ic, int hostfd, long long offset, long long count,
			long long *total, bool verbose, bool onlyone, bool eof)
{
	size_t bs = ic->iobuf.buffersize;
	ssize_t bytes;
	int ops = 0;

	*total = 0;
	while (count > 0 || eof) {
		bytes = do_pread(ic, hostfd, offset, count, bs);
		if (bytes == 0)
			break;
		if (bytes < 0) {
			iocmd_io_error(ic, "pread", bytes, hostfd);
			return -1;
		}
		ops++;
		if (verbose)
			iocmd_dump_buffer(ic, offset, bytes);
		*total += bytes;
		if (onlyone || (size_t)bytes < iocmd_min_count(count, bs))
			break;
		offset += bytes;
		count -= bytes;
	}
	return ops;
}

int iocmd_read_buffer(struct iocmd *ic, int hostfd, long long offset, long long count,
		      long long *total, bool verbose, bool onlyone)
{
	return read_forward(ic, hostfd, offset, count, total, verbose, onlyone, false);
}

/* ------------------------------------------------------------------ */
/* The command                                                          */

int iocmd_pread_f(struct iocmd *ic, int argc, char **argv)
{
	struct iocmd_getopt g = IOCMD_GETOPT_INIT;
	size_t blocksize, sectsize, bsize;
	long long offset, count, total = 0, tmp;
	unsigned long val;
	unsigned zeed = 0;
	bool compact = false, quiet = false, keep = false, verbose = false, eof = false, ok;
	int direction = IOCMD_DIR_FORWARD, ops = 0, c;
	struct timeval t1, t2;

	iocmd_init_cvtnum(ic, &blocksize, &sectsize);
	bsize = blocksize;
	while ((c = iocmd_getopt(&g, argc, argv, "b:BCFRquvV:Z:", ic->err)) != -1) {
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
		case 'q':
			quiet = true;
			break;
		case 'u':
			keep = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'V':
			/* Stored before the check, as xfs_io does: "-V x" means 0. */
			ok = iocmd_parse_ulong(g.optarg, &val);
			ic->iobuf.vectors = (int)val; /* an int in xfs_io too */
			if (!ok) {
				fprintf(ic->out, "non-numeric vector count == %s\n", g.optarg);
				goto bad;
			}
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
	if (g.optind != argc - 2) {
		ic->exitcode = 1;
		return iocmd_usage(ic);
	}

	/*
	 * A negative offset or length means "from / to EOF" where the
	 * direction has a bit in common with the test mask (xfs_io's values:
	 * random 0, forward 1, backward -1); random has none.  Both messages
	 * say "length", as xfs_io's do.
	 */
	offset = iocmd_cvtnum(blocksize, sectsize, argv[g.optind]);
	if (offset < 0 && (direction & (IOCMD_DIR_RANDOM | IOCMD_DIR_BACKWARD))) {
		eof = true;
	} else if (offset < 0) {
		fprintf(ic->out, "non-numeric length argument -- %s\n", argv[g.optind]);
		goto bad;
	}
	count = iocmd_cvtnum(blocksize, sectsize, argv[g.optind + 1]);
	if (count < 0 && (direction & (IOCMD_DIR_RANDOM | IOCMD_DIR_FORWARD))) {
		eof = true;
	} else if (count < 0) {
		fprintf(ic->out, "non-numeric length argument -- %s\n", argv[g.optind + 1]);
		goto bad;
	}

	/* pread fills the buffer with 0xab first: stale bytes are recognisable. */
	if (iocmd_iobuf_alloc(ic, bsize, keep, 0xabababab) < 0) {
		ic->exitcode = 1;
		return 0;
	}

	ic->clock(&t1);
	switch (direction) {
	case IOCMD_DIR_RANDOM:
		if (!zeed)
			zeed = (unsigned)time(NULL);
		ops = read_random(ic, offset, count, &total, zeed, eof);
		break;
	case IOCMD_DIR_FORWARD:
		ops = read_forward(ic, -1, offset, count, &total, verbose, false, eof);
		if (eof)
			count = total;
		break;
	case IOCMD_DIR_BACKWARD:
		ops = read_backward(ic, &offset, &count, &total, eof);
		break;
	}
	if (ops < 0) {
		ic->exitcode = 1;
		return 0;
	}
	if (quiet)
		return 0;
	ic->clock(&t2);
	t2 = iocmd_tsub(t2, t1);
	iocmd_report_io_times(ic, "read", &t2, offset, count, total, ops, compact);
	return 0;

bad:
	iocmd_note(ic, -EINVAL);
	ic->exitcode = 1;
	return 0;
}
