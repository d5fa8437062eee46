/**
 * @file file.c
 * @brief The file backend: a regular file used as a disk image.
 *
 * What it is for: an image that outlives the process (mkfs once, mount in
 * the next run), and a medium whose flush is a real fdatasync().
 *
 * How to use it: backend_file_new(path, size, lbs).  The file is created if
 * missing.  With @p size non-zero the device is exactly @p size bytes long
 * and the file is extended (sparse, by ftruncate) when it is shorter; a
 * longer file keeps its tail, which the device simply does not expose.  With
 * @p size zero the device is the file's current length rounded down to whole
 * logical blocks.  backend_destroy() closes the file and leaves it in place.
 *
 * Mapping of operations:
 *
 *     BACKEND_READ            pread()   (loops over short reads)
 *     BACKEND_WRITE           pwrite()  (loops over short writes)
 *     BACKEND_WRITE | FUA     pwritev2(..., RWF_DSYNC): durable on return
 *     BACKEND_FLUSH           fdatasync()
 *
 * Completion is inline on the submitting thread.
 *
 * Never: let another program truncate the image while it is open (a read
 * past the new end of file fails with -EIO).
 *
 * Locking: none needed; pread/pwrite at explicit offsets do not share a
 * file position, and `fd` is constant for the backend's life.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "backends/backend.h"

/* Private state of a file backend. */
struct file_backend {
	struct backend b; /* embedded: b.priv points back here */
	int fd;           /* the image, opened O_RDWR; constant */
};

static int file_read(int fd, unsigned char *buf, size_t len, uint64_t off)
{
	while (len) {
		ssize_t n = pread(fd, buf, len, (off_t)off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO; /* the image shrank under us */
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int file_write(int fd, const unsigned char *buf, size_t len, uint64_t off, bool fua)
{
	while (len) {
		struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
		ssize_t n = pwritev2(fd, &iov, 1, (off_t)off, fua ? RWF_DSYNC : 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int file_submit(struct backend *b, struct backend_req *req)
{
	struct file_backend *fb = b->priv;
	int err = 0;

	switch (req->op) {
	case BACKEND_READ:
		err = file_read(fb->fd, req->buf, req->len, req->off);
		break;
	case BACKEND_WRITE:
		err = file_write(fb->fd, req->buf, req->len, req->off,
				 req->flags & BACKEND_REQ_FUA);
		break;
	case BACKEND_FLUSH:
		if (fdatasync(fb->fd) < 0)
			err = -errno;
		break;
	}
	backend_complete(b, req, err);
	return 0;
}

static void file_destroy(struct backend *b)
{
	struct file_backend *fb = b->priv;

	close(fb->fd);
	free(fb);
}

static const struct backend_ops file_ops = {
	.submit = file_submit,
	.poll = NULL,
	.destroy = file_destroy,
};

struct backend *backend_file_new(const char *path, uint64_t size, uint32_t lbs)
{
	struct file_backend *fb;
	struct stat st;
	int fd, saved;

	if (!path || (lbs != 512 && lbs != 4096) || size % lbs) {
		errno = EINVAL;
		return NULL;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		/* A block device belongs to backend_bdev_new(). */
		errno = EINVAL;
		goto fail;
	}
	if (size == 0) {
		size = (uint64_t)st.st_size - (uint64_t)st.st_size % lbs;
		if (size == 0) {
			errno = EINVAL; /* an empty image and no size to give it */
			goto fail;
		}
	} else if ((uint64_t)st.st_size < size && ftruncate(fd, (off_t)size) < 0) {
		goto fail;
	}
	fb = calloc(1, sizeof(*fb));
	if (!fb) {
		errno = ENOMEM;
		goto fail;
	}
	fb->fd = fd;
	backend_init(&fb->b, &file_ops, "file", lbs, size, BACKEND_CAP_FUA, BACKEND_DEFAULT_MAJOR, 0, fb);
	return &fb->b;

fail:
	saved = errno;
	close(fd);
	errno = saved;
	return NULL;
}
