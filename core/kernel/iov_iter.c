/**
 * @file iov_iter.c
 * @brief An iterator over caller buffers (lib/iov_iter.c, the ITER_KVEC
 *        flavour), with a simulated page fault for testing short copies.
 *
 * How to use: describe the caller's memory as an array of kvecs, wrap it
 * with iov_iter_kvec(), and move data with copy_to_iter() (reads fill the
 * buffers) or copy_from_iter() (writes drain them).  Both return how much
 * they copied and advance the iterator by exactly that much.
 *
 * Position, shown for three segments after 14 bytes were copied:
 *
 *        kvec[0] (10)          kvec[1] (8)       kvec[2] (6)
 *     [##########]         [####....]          [......]
 *                                ^
 *          kvec -> kvec[1], iov_offset = 4, nr_segs = 2,
 *          consumed = 14, count = 10
 *
 * The simulated fault: `fault_at` is a byte position counted from where
 * the iteration began (so, in `consumed` units).  A copy may move bytes
 * only below it, exactly as a user buffer whose page at that offset is not
 * mapped: the copy comes back short and the caller must cope, which is how
 * iomap's "short copy" paths (iomap_write_iter) get exercised.
 * iov_iter_advance() and iov_iter_revert() move the position without
 * touching memory, so they do not fault.
 *
 * Invariants:
 *   (1) `consumed` + `count` is constant except across iov_iter_truncate()
 *       (and a truncate never makes `count` larger);
 *   (2) `kvec` + `iov_offset` is the byte at position `consumed`, and a
 *       non-empty iterator never rests at the end of a segment;
 *   (3) a copy never moves a byte at a position >= `fault_at`.
 *
 * A caller must never: revert further than it advanced; free the kvec
 * array while the iterator is in use (revert walks back through it).
 *
 * Locking: none; an iterator belongs to one thread.
 */
#include <string.h>

#include <iomap/fs.h>

void iov_iter_kvec(struct iov_iter *i, enum iter_dir dir, const struct kvec *kvec,
		   unsigned long nr, size_t count)
{
	i->dir = dir;
	i->kvec = kvec;
	i->nr_segs = nr;
	i->iov_offset = 0;
	i->count = count;
	i->consumed = 0;
	i->fault_at = SIZE_MAX;
	/* Invariant (2): do not rest on an empty first segment. */
	while (i->nr_segs > 0 && i->kvec->iov_len == 0 && i->count > 0) {
		i->kvec++;
		i->nr_segs--;
	}
}

/* Move forward by @bytes (<= count) through the segments. */
static void iter_forward(struct iov_iter *i, size_t bytes)
{
	i->count -= bytes;
	i->consumed += bytes;
	while (i->nr_segs > 0) {
		size_t left = i->kvec->iov_len - i->iov_offset;

		if (bytes < left || (bytes == left && i->count == 0)) {
			/* Stay in this segment (at its end only if done). */
			i->iov_offset += bytes;
			return;
		}
		bytes -= left;
		i->kvec++;
		i->nr_segs--;
		i->iov_offset = 0;
	}
}

/* Bytes a copy of @bytes may move now: bounded by count and by the fault. */
static size_t copy_limit(const struct iov_iter *i, size_t bytes)
{
	size_t n = bytes < i->count ? bytes : i->count;

	if (i->fault_at != SIZE_MAX) {
		size_t room = i->fault_at > i->consumed ? i->fault_at - i->consumed : 0;

		if (n > room)
			n = room; /* invariant (3) */
	}
	return n;
}

/* Copy @n bytes between @buf and the segments at the current position,
 * in the direction given by @to_iter, then advance. */
static void iter_copy(struct iov_iter *i, void *buf, size_t n, bool to_iter)
{
	const struct kvec *v = i->kvec;
	size_t off = i->iov_offset, done = 0;

	while (done < n) {
		size_t chunk = v->iov_len - off;

		if (chunk > n - done)
			chunk = n - done;
		/* An empty segment may have a NULL base: keep it from memcpy. */
		if (chunk > 0 && to_iter)
			memcpy((char *)v->iov_base + off, (char *)buf + done, chunk);
		else if (chunk > 0)
			memcpy((char *)buf + done, (char *)v->iov_base + off, chunk);
		done += chunk;
		v++;
		off = 0;
	}
	iter_forward(i, n);
}

size_t copy_to_iter(const void *buf, size_t bytes, struct iov_iter *i)
{
	size_t n;

	if (i->dir != ITER_DEST)
		return 0; /* the kernel WARNs: copying into a source iterator */
	n = copy_limit(i, bytes);
	iter_copy(i, (void *)buf, n, true);
	return n;
}

size_t copy_from_iter(void *buf, size_t bytes, struct iov_iter *i)
{
	size_t n;

	if (i->dir != ITER_SOURCE)
		return 0; /* the kernel WARNs: copying out of a destination */
	n = copy_limit(i, bytes);
	iter_copy(i, buf, n, false);
	return n;
}

void iov_iter_advance(struct iov_iter *i, size_t bytes)
{
	if (bytes > i->count)
		bytes = i->count;
	iter_forward(i, bytes);
}

void iov_iter_revert(struct iov_iter *i, size_t bytes)
{
	if (bytes > i->consumed)
		bytes = i->consumed; /* the kernel WARNs on reverting past the start */
	if (bytes == 0)
		return;
	i->count += bytes;
	i->consumed -= bytes;
	if (bytes <= i->iov_offset) {
		i->iov_offset -= bytes;
		return;
	}
	bytes -= i->iov_offset;
	/* Walk back through earlier segments (they are contiguous in the
	 * caller's array, as the kernel also assumes). */
	for (;;) {
		i->kvec--;
		i->nr_segs++;
		if (bytes <= i->kvec->iov_len) {
			i->iov_offset = i->kvec->iov_len - bytes;
			break;
		}
		bytes -= i->kvec->iov_len;
	}
	/* Invariant (2): landing exactly at the end of a segment means the
	 * next byte is in the following one. */
	while (i->nr_segs > 1 && i->iov_offset == i->kvec->iov_len) {
		i->kvec++;
		i->nr_segs--;
		i->iov_offset = 0;
	}
}

void iov_iter_truncate(struct iov_iter *i, size_t count)
{
	/* Like the kernel: only ever shrinks, and leaves the segments alone
	 * (the copies are bounded by count). */
	if (count < i->count)
		i->count = count;
}

void iov_iter_reexpand(struct iov_iter *i, size_t count)
{
	/* Undo an iov_iter_truncate(): the segments were never shortened, so
	 * giving the count back is all there is to it (invariant (1) holds
	 * again once the caller restores the count it had). */
	i->count = count;
}

size_t iov_iter_zero(size_t bytes, struct iov_iter *i)
{
	const struct kvec *v;
	size_t n, off, done = 0;

	if (i->dir != ITER_DEST)
		return 0;
	n = copy_limit(i, bytes);
	v = i->kvec;
	off = i->iov_offset;
	while (done < n) {
		size_t chunk = v->iov_len - off;

		if (chunk > n - done)
			chunk = n - done;
		if (chunk > 0)
			memset((char *)v->iov_base + off, 0, chunk);
		done += chunk;
		v++;
		off = 0;
	}
	iter_forward(i, n);
	return n;
}

bool iov_iter_is_aligned(const struct iov_iter *i, unsigned long addr_mask,
			 unsigned long len_mask)
{
	const struct kvec *v = i->kvec;
	size_t left = i->count, off = i->iov_offset;

	for (unsigned long s = 0; s < i->nr_segs && left > 0; s++, v++, off = 0) {
		size_t len = v->iov_len - off;

		if (len > left)
			len = left;
		if (len == 0)
			continue;
		if (((uintptr_t)v->iov_base + off) & addr_mask)
			return false;
		if (len & len_mask)
			return false;
		left -= len;
	}
	return true;
}

size_t iov_iter_get_buf(struct iov_iter *i, size_t maxlen, void **buf)
{
	size_t n = copy_limit(i, maxlen);
	size_t seg_left;

	if (n == 0 || i->nr_segs == 0)
		return 0;
	/* Invariant (2): a non-empty iterator rests inside a segment. */
	seg_left = i->kvec->iov_len - i->iov_offset;
	if (n > seg_left)
		n = seg_left;
	*buf = (char *)i->kvec->iov_base + i->iov_offset;
	iter_forward(i, n);
	return n;
}
