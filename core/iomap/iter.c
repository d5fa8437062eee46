/**
 * @file iter.c
 * @brief The file range iterator (mirrors fs/iomap/iter.c).
 *
 * One call of iomap_iter() is one step of the loop that design.rst draws:
 *
 *     iomap_iter()  ──(first call)──────────────────────────────┐
 *        │                                                      v
 *        ├─ previous mapping? ─ ->iomap_end(start, len, advanced) │
 *        ├─ done?  (status < 0, len == 0, or nothing advanced     │
 *        │          and the mapping is not STALE)  → return 0/err │
 *        ├─ reset iomap/srcmap/status                             │
 *        └─ ->iomap_begin(pos, len) ────────────────────────────<─┘
 *               → validate the mapping, trace it, return 1
 *
 * The body between two calls does the work for the current mapping and moves
 * the cursor with iomap_iter_advance(); it reports an error through
 * `iter->status`.  A body that does not advance ends the loop — that is how
 * SEEK_DATA stops when it finds data — unless it marked the mapping
 * IOMAP_F_STALE, in which case the same position is mapped again.
 *
 * Events: `iomap_iter` at every call (as the kernel: the position and the
 * usable length before anything changes), `iomap_iter_dstmap` and
 * `iomap_iter_srcmap` for each new mapping, and the reference-only
 * `fs_iomap_begin` / `fs_iomap_begin_done` / `fs_iomap_end` around the
 * filesystem's callbacks (for the visualiser).
 *
 * Never: hold a filesystem lock across iomap_iter() calls; advance past
 * iomap_length(); change iter->iomap in the body except to set
 * IOMAP_F_STALE or IOMAP_F_SIZE_CHANGED.
 */
#include <string.h>

#include <iomap/iomap.h>
#include <iomap/trace.h>

static const char *ops_name(const struct iomap_ops *ops)
{
	return ops->name ? ops->name : "iomap_ops";
}

static void trace_iter(const struct iomap_iter *iter, const struct iomap_ops *ops,
		       const char *caller)
{
	struct trace_event ev;

	if (!trace_enabled())
		return;
	trace_event_init(&ev, "iomap_iter", iter->inode->i_sb->s_dev, iter->inode->i_ino);
	trace_u64(&ev, "pos", (uint64_t)iter->pos);
	trace_u64(&ev, "length", iomap_length(iter));
	trace_s64(&ev, "status", iter->status);
	trace_u64(&ev, "flags", iter->flags);
	trace_str(&ev, "ops", ops_name(ops));
	trace_str(&ev, "caller", caller);
	trace_emit(&ev);
}

static void trace_fs_call(const char *name, const struct iomap_iter *iter,
			  const struct iomap_ops *ops, loff_t pos, uint64_t len, int64_t written,
			  int ret)
{
	struct trace_event ev;

	if (!trace_enabled())
		return;
	trace_event_init(&ev, name, iter->inode->i_sb->s_dev, iter->inode->i_ino);
	trace_str(&ev, "ops", ops_name(ops));
	trace_u64(&ev, "pos", (uint64_t)pos);
	trace_u64(&ev, "length", len);
	trace_u64(&ev, "flags", iter->flags);
	if (written >= 0)
		trace_s64(&ev, "written", written);
	trace_s64(&ev, "ret", ret);
	trace_emit(&ev);
}

int iomap_iter_advance(struct iomap_iter *iter, uint64_t count)
{
	if (count > iter->len)
		return -EIO;
	iter->pos += (loff_t)count;
	iter->len -= count;
	return 0;
}

static void iomap_iter_reset_iomap(struct iomap_iter *iter)
{
	iter->status = 0;
	memset(&iter->iomap, 0, sizeof(iter->iomap));
	memset(&iter->srcmap, 0, sizeof(iter->srcmap));
}

/*
 * Refuse a mapping that breaks the ->iomap_begin contract (design.rst: it
 * must cover the first byte of the range).  The kernel WARNs; the reference
 * fails the operation with a message, which is what a porting workshop
 * attendee needs to see.
 */
static int iomap_iter_done(struct iomap_iter *iter, const struct iomap_ops *ops)
{
	const struct iomap *m = &iter->iomap;
	const char *why = NULL;

	if (m->length == 0)
		why = "zero-length mapping";
	else if (m->offset > iter->pos)
		why = "mapping starts after the requested position";
	else if ((uint64_t)m->offset + m->length <= (uint64_t)iter->pos)
		why = "mapping ends before the requested position";
	else if (m->flags & IOMAP_F_STALE)
		why = "->iomap_begin returned a STALE mapping";
	else if ((m->type == IOMAP_HOLE || m->type == IOMAP_DELALLOC ||
		  m->type == IOMAP_INLINE) && m->addr != IOMAP_NULL_ADDR)
		why = "HOLE/DELALLOC/INLINE mapping with an address";
	else if (m->type == IOMAP_HOLE && (iter->flags & IOMAP_WRITE) &&
		 !(iter->flags & (IOMAP_ZERO | IOMAP_UNSHARE)))
		why = "HOLE mapping returned for a write";
	else if (m->type > IOMAP_INLINE)
		why = "unknown mapping type";
	if (why) {
		if (trace_enabled()) {
			struct trace_event ev;

			trace_event_init(&ev, "iomap_bad_mapping", iter->inode->i_sb->s_dev,
					 iter->inode->i_ino);
			trace_str(&ev, "ops", ops_name(ops));
			trace_str(&ev, "why", why);
			trace_emit(&ev);
		}
		return -EIO;
	}

	iter->iter_start_pos = iter->pos;
	trace_iomap_map("iomap_iter_dstmap", iter->inode, &iter->iomap);
	if (iter->srcmap.type != IOMAP_HOLE)
		trace_iomap_map("iomap_iter_srcmap", iter->inode, &iter->srcmap);
	return 0;
}

int iomap_iter_caller(struct iomap_iter *iter, const struct iomap_ops *ops, const char *caller)
{
	bool stale = iter->iomap.flags & IOMAP_F_STALE;
	uint64_t advanced, olen;
	int ret;

	trace_iter(iter, ops, caller);

	if (iter->iomap.length) {
		advanced = (uint64_t)(iter->pos - iter->iter_start_pos);
		olen = iter->len + advanced;
		if (ops->iomap_end) {
			uint64_t len = iomap_length_trim(iter, iter->iter_start_pos, olen);

			ret = ops->iomap_end(iter->inode, iter->iter_start_pos, (loff_t)len,
					     (ssize_t)advanced, iter->flags, &iter->iomap);
			trace_fs_call("fs_iomap_end", iter, ops, iter->iter_start_pos, len,
				      (int64_t)advanced, ret);
			if (ret < 0 && !advanced)
				return ret;
		}

		if (iter->status < 0)
			ret = iter->status;
		else if (iter->len == 0 || (!advanced && !stale))
			ret = 0;
		else
			ret = 1;
		iomap_iter_reset_iomap(iter);
		if (ret <= 0)
			return ret;
	}

	trace_fs_call("fs_iomap_begin", iter, ops, iter->pos, iter->len, -1, 0);
	ret = ops->iomap_begin(iter->inode, iter->pos, (loff_t)iter->len, iter->flags,
			       &iter->iomap, &iter->srcmap);
	if (trace_enabled()) {
		struct trace_event ev;

		trace_event_init(&ev, "fs_iomap_begin_done", iter->inode->i_sb->s_dev,
				 iter->inode->i_ino);
		trace_str(&ev, "ops", ops_name(ops));
		trace_s64(&ev, "ret", ret);
		trace_emit(&ev);
	}
	if (ret < 0)
		return ret;
	ret = iomap_iter_done(iter, ops);
	if (ret < 0) {
		iomap_iter_reset_iomap(iter);
		return ret;
	}
	return 1;
}
