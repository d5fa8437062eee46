/**
 * @file aio.c
 * @brief Reference-only commands, not in xfs_io: `aio_pwrite` and
 *        `aio_pread`, which keep several asynchronous direct I/Os in
 *        flight the way io_submit(2) or io_uring do.
 *
 *     aio_pwrite [-b bs] [-n depth] [-S seed] [-q] [-HC] off len
 *     aio_pread  [-b bs] [-n depth] [-q] [-HC] off len
 *
 * The range is cut into blocks of bs bytes (4096 by default, the last one
 * shorter), each submitted as its own kiocb with `ki_complete` set, with up
 * to `depth` (1 by default) in flight.  iomap_dio_rw() then returns
 * -EIOCBQUEUED instead of waiting, and the request finishes later:
 *
 *     submit ──> extentfs_write_iter ──> iomap_dio_rw ──> -EIOCBQUEUED
 *                                                          │ bios in flight
 *     bio end_io (device completion context)  <────────────┘
 *        ├─ reads, pure overwrites:  iomap_dio_complete inline ─> ki_complete(res)
 *        ├─ other writes:  s_dio_done_wq work ─> iomap_dio_complete ─> ki_complete(res)
 *        └─ -C (IOCB_DIO_CALLER_COMP) overwrites:  ki_complete(0) with
 *           iocb->dio_complete set; *this command* then calls
 *           dio_complete(iocb->private) from its own context, as io_uring's
 *           task work does, and that result is the request's
 *
 * -H sets RWF_HIPRI (IOCB_HIPRI): the bios are polled, so their completion
 * runs only when someone polls; this command polls with the file's
 * f_op->iopoll (iocb_bio_iopoll), as io_uring's IOPOLL mode does.
 *
 * Who drives completions: in concurrent mode the device's completion thread
 * and the dio workqueue's worker run by themselves (except polled bios),
 * and the command sleeps until ki_complete is called.  In deterministic
 * mode nothing runs by itself: when the queue is full, and at the end, the
 * command runs the finished bios (blkdev_poll) and the dio workqueue
 * (flush_workqueue) on its own thread, so the trace shows `depth`
 * submissions, then their completions, then the next submissions, the
 * same way on every run.
 *
 * Output is pwrite's and pread's: "wrote N/M bytes at offset O" and the
 * timing line, once every request has completed (N sums the results;
 * ops counts the requests that moved data).  The first failure is printed
 * as "aio_pwrite: strerror" and sets the exit code; no more requests are
 * submitted after it, and those in flight are waited for.
 *
 * Not modelled: IOMAP_DIO_FORCE_WAIT (only the filesystem can ask for it),
 * aio_pread -v (completions arrive in any order in concurrent mode; use
 * pread -v afterwards).  An unaligned -H write in concurrent mode would make
 * extentfs wait (inode_dio_wait) for polled bios nobody polls: keep -H
 * requests aligned.
 */
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <iomap/bio.h>
#include <iomap/trace.h>
#include <iomap/workqueue.h>

#include "iocmd-internal.h"

/* Largest -n: io_setup's limit is the system's aio-max-nr; this is ours. */
#define AIO_MAX_DEPTH 1024

enum aio_state {
	AIO_FREE,     /* slot unused */
	AIO_INFLIGHT, /* submitted, ki_complete not called yet */
	AIO_CALLER,   /* ki_complete(0) with dio_complete: the issuer finishes it */
	AIO_DONE,     /* result in res, to be accounted */
};

struct aio_ctx;

/* One request.  `iocb` comes first: ki_complete finds the request from it. */
struct aio_req {
	struct kiocb iocb;
	struct kvec kvec;
	struct iov_iter iter;   /* lives until completion, as the kernel's copy does */
	void *buf;              /* bs bytes, page aligned */
	enum aio_state state;   /* ctx->lock */
	long res;               /* ctx->lock; valid in AIO_DONE */
	struct aio_ctx *ctx;
};

/*
 * What one command keeps.  `lock` protects every req's state and res and
 * `completed`; the completion thread of concurrent mode takes it in
 * ki_complete.  The rest belongs to the command's thread.
 */
struct aio_ctx {
	struct iocmd *ic;
	struct iocmd_file *f;
	pthread_mutex_t lock;
	pthread_cond_t cond;     /* signalled by ki_complete */
	unsigned long completed; /* ki_complete calls so far */
	struct aio_req *reqs;
	int depth;
	int inflight;            /* requests not yet accounted */
	bool hipri;
	const char *what;        /* "aio_pwrite" / "aio_pread" */
	long long total;         /* bytes moved */
	int ops;                 /* requests that moved bytes */
	long first_error;        /* 0 or the first -errno */
	bool short_io;           /* a request moved less than asked (EOF) */
};

/* ki_complete: any context (the completion thread, a worker, or us). */
static void aio_ki_complete(struct kiocb *iocb, long res)
{
	struct aio_req *req = container_of(iocb, struct aio_req, iocb);
	struct aio_ctx *a = req->ctx;

	pthread_mutex_lock(&a->lock);
	if (iocb->dio_complete) {
		req->state = AIO_CALLER;
	} else {
		req->res = res;
		req->state = AIO_DONE;
	}
	a->completed++;
	pthread_cond_broadcast(&a->cond);
	pthread_mutex_unlock(&a->lock);
}

/* Account finished requests; finish caller-completed ones first. */
static void aio_collect(struct aio_ctx *a)
{
	for (int i = 0; i < a->depth; i++) {
		struct aio_req *req = &a->reqs[i];
		enum aio_state state;
		long res;

		pthread_mutex_lock(&a->lock);
		state = req->state;
		res = req->res;
		pthread_mutex_unlock(&a->lock);
		if (state == AIO_CALLER) {
			/* IOCB_DIO_CALLER_COMP: complete it here, outside any lock. */
			res = (long)req->iocb.dio_complete(req->iocb.private);
			state = AIO_DONE;
		}
		if (state != AIO_DONE)
			continue;
		if (res < 0) {
			if (!a->first_error)
				a->first_error = res;
		} else {
			a->total += res;
			if (res > 0)
				a->ops++;
			if ((size_t)res < req->kvec.iov_len)
				a->short_io = true;
		}
		pthread_mutex_lock(&a->lock);
		req->state = AIO_FREE;
		pthread_mutex_unlock(&a->lock);
		a->inflight--;
	}
}

/* One round of driving completions; see the file comment. */
static void aio_drive(struct aio_ctx *a)
{
	struct super_block *sb = extentfs_sb(a->ic->fs);
	struct block_device *bdev = sb->s_bdev;
	const struct file_operations *fop = a->f->file->f_op;
	unsigned long before;

	pthread_mutex_lock(&a->lock);
	before = a->completed;
	pthread_mutex_unlock(&a->lock);

	if (a->hipri) {
		for (int i = 0; i < a->depth; i++) {
			if (a->reqs[i].state != AIO_INFLIGHT) /* racy read: a hint only */
				continue;
			if (fop && fop->iopoll)
				fop->iopoll(&a->reqs[i].iocb);
			else if (bdev)
				blkdev_poll(bdev);
			break;
		}
	}
	if (kernel_exec_mode() == EXEC_DETERMINISTIC) {
		if (bdev)
			blkdev_poll(bdev);
		if (sb->s_dio_done_wq)
			flush_workqueue(sb->s_dio_done_wq);
		if (a->completed == before && bdev) {
			/* The backend is still busy (io_uring): wait for it. */
			blkdev_drain(bdev);
			blkdev_run_completions(bdev);
			if (sb->s_dio_done_wq)
				flush_workqueue(sb->s_dio_done_wq);
		}
		return;
	}
	/* Concurrent: the threads deliver; sleep a little unless polling. */
	pthread_mutex_lock(&a->lock);
	if (a->completed == before) {
		if (a->hipri) {
			pthread_mutex_unlock(&a->lock);
			sched_yield();
			return;
		} else {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 10 * 1000 * 1000;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&a->cond, &a->lock, &ts);
		}
	}
	pthread_mutex_unlock(&a->lock);
}

/* Wait until at most @target requests are in flight.  false if stuck. */
static bool aio_reap(struct aio_ctx *a, int target)
{
	int idle = 0;

	for (;;) {
		unsigned long before;

		aio_collect(a);
		if (a->inflight <= target)
			return true;
		pthread_mutex_lock(&a->lock);
		before = a->completed;
		pthread_mutex_unlock(&a->lock);
		aio_drive(a);
		/*
		 * Deterministic mode cannot wait for another thread: if a full
		 * round (device drained, workqueue run) completed nothing,
		 * nothing ever will.  Say so instead of spinning.
		 */
		if (kernel_exec_mode() == EXEC_DETERMINISTIC && a->completed == before &&
		    ++idle > 2) {
			fprintf(a->ic->err, "%s: %d request(s) never completed\n", a->what,
				a->inflight);
			return false;
		}
	}
}

static int aio_common(struct iocmd *ic, int argc, char **argv, bool write)
{
	struct iocmd_getopt g = IOCMD_GETOPT_INIT;
	struct aio_ctx *a;
	size_t blocksize, sectsize, bsize;
	long long offset, count, pos, left, tmp;
	unsigned long val;
	unsigned seed = 0xcdcdcdcd, extra = 0;
	bool quiet = false;
	int rwf = 0, c;
	struct timeval t1, t2;

	/*
	 * On the heap: if a request never completes (reported below), its
	 * ki_complete may still come later and must find the context alive.
	 */
	a = calloc(1, sizeof(*a));
	if (!a) {
		iocmd_perror(ic, "calloc", -ENOMEM);
		ic->exitcode = 1;
		return 0;
	}
	a->ic = ic;
	a->f = iocmd_cur(ic);
	a->depth = 1;
	a->what = write ? "aio_pwrite" : "aio_pread";
	iocmd_init_cvtnum(ic, &blocksize, &sectsize);
	bsize = blocksize;
	while ((c = iocmd_getopt(&g, argc, argv, write ? "b:CHn:qS:" : "b:CHn:q", ic->err)) != -1) {
		switch (c) {
		case 'b':
			tmp = iocmd_cvtnum(blocksize, sectsize, g.optarg);
			if (tmp <= 0) {
				fprintf(ic->out, "non-numeric bsize -- %s\n", g.optarg);
				goto bad;
			}
			bsize = (size_t)tmp;
			break;
		case 'C':
			extra |= IOCB_DIO_CALLER_COMP;
			break;
		case 'H':
			rwf |= RWF_HIPRI;
			a->hipri = true;
			break;
		case 'n':
			if (!iocmd_parse_ulong(g.optarg, &val) || val < 1 || val > AIO_MAX_DEPTH) {
				fprintf(ic->out, "depth must be a number from 1 to %d -- %s\n",
					AIO_MAX_DEPTH, g.optarg);
				goto bad;
			}
			a->depth = (int)val;
			break;
		case 'q':
			quiet = true;
			break;
		case 'S':
			if (!iocmd_parse_ulong(g.optarg, &val)) {
				fprintf(ic->out, "non-numeric seed -- %s\n", g.optarg);
				goto bad;
			}
			seed = (unsigned)val;
			break;
		default:
			free(a);
			ic->exitcode = 1;
			return iocmd_usage(ic);
		}
	}
	if (g.optind != argc - 2) {
		free(a);
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

	a->reqs = calloc((size_t)a->depth, sizeof(*a->reqs));
	if (!a->reqs) {
		iocmd_perror(ic, "calloc", -ENOMEM);
		ic->exitcode = 1;
		free(a);
		return 0;
	}
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->cond, NULL);
	for (int i = 0; i < a->depth; i++) {
		if (posix_memalign(&a->reqs[i].buf, PAGE_SIZE, bsize) != 0) {
			iocmd_perror(ic, "memalign", -ENOMEM);
			a->first_error = -ENOMEM;
			goto out;
		}
		/* The pattern for writes; 0xab for reads, as pread fills its buffer. */
		memset(a->reqs[i].buf, write ? (int)(seed & 0xff) : 0xab, bsize);
		a->reqs[i].ctx = a;
	}

	ic->clock(&t1);
	for (pos = offset, left = count; left > 0 && !a->first_error && !a->short_io;) {
		struct aio_req *req = NULL;
		size_t len = (unsigned long long)left < bsize ? (size_t)left : bsize;
		int ret;

		if (a->inflight == a->depth && !aio_reap(a, a->depth - 1))
			break;
		for (int i = 0; i < a->depth && !req; i++)
			if (a->reqs[i].state == AIO_FREE)
				req = &a->reqs[i];
		if (!req)
			continue;
		req->kvec.iov_base = req->buf;
		req->kvec.iov_len = len;
		iov_iter_kvec(&req->iter, write ? ITER_SOURCE : ITER_DEST, &req->kvec, 1, len);
		req->iocb.ki_complete = aio_ki_complete;
		/* In flight before the call: ki_complete may run before it returns. */
		req->state = AIO_INFLIGHT;
		a->inflight++;
		ret = iocmd_sys_aio_rw(a->f, &req->iocb, &req->iter, pos, rwf, extra);
		if (ret < 0) {
			req->state = AIO_FREE;
			a->inflight--;
			a->first_error = ret;
			break;
		}
		pos += (long long)len;
		left -= (long long)len;
	}
	if (!aio_reap(a, 0) && !a->first_error)
		a->first_error = -EIO;
	if (a->first_error) {
		iocmd_io_error(ic, a->what, a->first_error, -1);
		ic->exitcode = 1;
		goto out;
	}
	if (!quiet) {
		ic->clock(&t2);
		t2 = iocmd_tsub(t2, t1);
		iocmd_report_io_times(ic, write ? "wrote" : "read", &t2, offset, count, a->total,
				      a->ops, false);
	}
out:
	/* Nothing is in flight here unless a request never completed: keep it. */
	if (a->inflight == 0) {
		for (int i = 0; i < a->depth; i++)
			free(a->reqs[i].buf);
		free(a->reqs);
		pthread_cond_destroy(&a->cond);
		pthread_mutex_destroy(&a->lock);
		free(a);
	}
	return 0;

bad:
	free(a);
	iocmd_note(ic, -EINVAL);
	ic->exitcode = 1;
	return 0;
}

int iocmd_aio_pwrite_f(struct iocmd *ic, int argc, char **argv)
{
	return aio_common(ic, argc, argv, true);
}

int iocmd_aio_pread_f(struct iocmd *ic, int argc, char **argv)
{
	return aio_common(ic, argc, argv, false);
}
