/**
 * @file trace.c
 * @brief iomap's tracepoints (mirrors fs/iomap/trace.h and trace.c): the
 *        kernel's spellings of types and flags, and the emit helpers.
 *
 * Spellings follow Linux 6.18: flags are printed the way __print_flags()
 * does — the names of the set flags in table order joined by '|', then any
 * unknown bits as "0x..." — and an empty set prints as "".
 */
#include <stdio.h>
#include <string.h>

#include <iomap/iomap.h>
#include <iomap/trace.h>

struct flag_name {
	unsigned mask;
	const char *name;
};

/* IOMAP_F_FLAGS_STRINGS of 6.18, in its order. */
static const struct flag_name iomap_f_names[] = {
	{ IOMAP_F_NEW, "NEW" },
	{ IOMAP_F_DIRTY, "DIRTY" },
	{ IOMAP_F_SHARED, "SHARED" },
	{ IOMAP_F_MERGED, "MERGED" },
	{ IOMAP_F_BUFFER_HEAD, "BH" },
	{ IOMAP_F_XATTR, "XATTR" },
	{ IOMAP_F_BOUNDARY, "BOUNDARY" },
	{ IOMAP_F_ANON_WRITE, "ANON_WRITE" },
	{ IOMAP_F_ATOMIC_BIO, "ATOMIC_BIO" },
	{ IOMAP_F_PRIVATE, "PRIVATE" },
	{ IOMAP_F_SIZE_CHANGED, "SIZE_CHANGED" },
	{ IOMAP_F_STALE, "STALE" },
};

/* IOMAP_FLAGS_STRINGS of 6.18, in its order. */
static const struct flag_name iomap_op_names[] = {
	{ IOMAP_WRITE, "WRITE" },
	{ IOMAP_ZERO, "ZERO" },
	{ IOMAP_REPORT, "REPORT" },
	{ IOMAP_FAULT, "FAULT" },
	{ IOMAP_DIRECT, "DIRECT" },
	{ IOMAP_NOWAIT, "NOWAIT" },
	{ IOMAP_OVERWRITE_ONLY, "OVERWRITE_ONLY" },
	{ IOMAP_UNSHARE, "UNSHARE" },
	{ IOMAP_DAX, "DAX" },
	{ IOMAP_ATOMIC, "ATOMIC" },
	{ IOMAP_DONTCACHE, "DONTCACHE" },
};

static const char *print_flags(unsigned flags, const struct flag_name *names, size_t nr,
			       char *buf, size_t len)
{
	size_t n = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < nr && flags; i++) {
		if ((flags & names[i].mask) != names[i].mask)
			continue;
		n += (size_t)snprintf(buf + n, n < len ? len - n : 0, "%s%s", n ? "|" : "",
				      names[i].name);
		flags &= ~names[i].mask;
	}
	if (flags)
		snprintf(buf + n, n < len ? len - n : 0, "%s0x%x", n ? "|" : "", flags);
	return buf;
}

const char *iomap_f_flags_str(unsigned flags, char *buf, size_t len)
{
	return print_flags(flags, iomap_f_names, ARRAY_SIZE(iomap_f_names), buf, len);
}

const char *iomap_flags_str(unsigned flags, char *buf, size_t len)
{
	return print_flags(flags, iomap_op_names, ARRAY_SIZE(iomap_op_names), buf, len);
}

const char *iomap_type_name(unsigned type)
{
	static const char *const names[] = { "HOLE", "DELALLOC", "MAPPED", "UNWRITTEN",
					     "INLINE" };

	/* __print_symbolic prints the number for an unknown value. */
	return type < ARRAY_SIZE(names) ? names[type] : "UNKNOWN";
}

void trace_iomap_map(const char *name, struct inode *inode, const struct iomap *map)
{
	struct trace_event ev;

	if (!trace_enabled())
		return;
	trace_event_init(&ev, name, inode->i_sb->s_dev, inode->i_ino);
	trace_u64(&ev, "bdev", map->bdev ? map->bdev->bd_dev : 0);
	trace_u64(&ev, "addr", map->addr);
	trace_u64(&ev, "offset", (uint64_t)map->offset);
	trace_u64(&ev, "length", map->length);
	trace_u64(&ev, "type", map->type);
	trace_u64(&ev, "flags", map->flags);
	trace_emit(&ev);
}

void trace_iomap_range(const char *name, struct inode *inode, loff_t off, uint64_t len)
{
	struct trace_event ev;

	if (!trace_enabled())
		return;
	trace_event_init(&ev, name, inode->i_sb->s_dev, inode->i_ino);
	trace_u64(&ev, "size", (uint64_t)i_size_read(inode));
	trace_u64(&ev, "offset", (uint64_t)off);
	trace_u64(&ev, "length", len);
	trace_emit(&ev);
}

/* 6.18's TRACE_IOCB_STRINGS, in its order (so "DIRECT|WRITE", never "WRITE|DIRECT"). */
static const struct flag_name iocb_names[] = {
	{ IOCB_HIPRI, "HIPRI" },
	{ IOCB_DSYNC, "DSYNC" },
	{ IOCB_SYNC, "SYNC" },
	{ IOCB_NOWAIT, "NOWAIT" },
	{ IOCB_APPEND, "APPEND" },
	{ IOCB_ATOMIC, "ATOMIC" },
	{ IOCB_DONTCACHE, "DONTCACHE" },
	{ IOCB_EVENTFD, "EVENTFD" },
	{ IOCB_DIRECT, "DIRECT" },
	{ IOCB_WRITE, "WRITE" },
	{ IOCB_WAITQ, "WAITQ" },
	{ IOCB_NOIO, "NOIO" },
	{ IOCB_ALLOC_CACHE, "ALLOC_CACHE" },
	{ IOCB_DIO_CALLER_COMP, "CALLER_COMP" },
};

/* fs/iomap/trace.h IOMAP_DIO_STRINGS. */
static const struct flag_name dio_names[] = {
	{ IOMAP_DIO_FORCE_WAIT, "DIO_FORCE_WAIT" },
	{ IOMAP_DIO_OVERWRITE_ONLY, "DIO_OVERWRITE_ONLY" },
	{ IOMAP_DIO_PARTIAL, "DIO_PARTIAL" },
	{ IOMAP_DIO_FSBLOCK_ALIGNED, "DIO_FSBLOCK" },
};

const char *iocb_flags_str(unsigned flags, char *buf, size_t len)
{
	return print_flags(flags, iocb_names, ARRAY_SIZE(iocb_names), buf, len);
}

const char *iomap_dio_flags_str(unsigned flags, char *buf, size_t len)
{
	return print_flags(flags, dio_names, ARRAY_SIZE(dio_names), buf, len);
}
