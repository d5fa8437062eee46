/**
 * @file seek.c
 * @brief lseek SEEK_HOLE and SEEK_DATA over the iterator (mirrors
 *        fs/iomap/seek.c; operations.rst, "Seeking Files").
 *
 * Both walk [pos, EOF) with IOMAP_REPORT and stop the walk by *not*
 * advancing once they have found what they look for (iter.c ends the loop
 * on a step that made no progress).  What each mapping type means:
 *
 *     type        SEEK_HOLE                        SEEK_DATA
 *     HOLE        found: pos                       keep going
 *     UNWRITTEN   ask the page cache (a folio-     ask the page cache (uptodate
 *                 less or !uptodate range is a     blocks are data)
 *                 hole)
 *     other       keep going                       found: pos
 *
 * EOF is an implied hole; there is no data at or past EOF (-ENXIO).
 *
 * @pre callers hold i_rwsem shared.
 */
#include <unistd.h>

#include <iomap/iomap.h>

/* Mirrors iomap_seek_hole_iter(). */
static int iomap_seek_hole_iter(struct iomap_iter *iter, loff_t *hole_pos)
{
	uint64_t length = iomap_length(iter);
	loff_t end = iter->pos + (loff_t)length;

	switch (iter->iomap.type) {
	case IOMAP_UNWRITTEN:
		*hole_pos = mapping_seek_hole_data(iter->inode->i_mapping, iter->pos, end,
						   SEEK_HOLE);
		if (*hole_pos == end)
			return iomap_iter_advance(iter, length);
		return 0;
	case IOMAP_HOLE:
		*hole_pos = iter->pos;
		return 0;
	default:
		return iomap_iter_advance(iter, length);
	}
}

loff_t iomap_seek_hole(struct inode *inode, loff_t pos, const struct iomap_ops *ops)
{
	loff_t size = i_size_read(inode);
	struct iomap_iter iter = {
		.inode = inode,
		.pos = pos,
		.flags = IOMAP_REPORT,
	};
	int ret;

	/* Nothing to find before the start or at/after the end of the file. */
	if (pos < 0 || pos >= size)
		return -ENXIO;

	iter.len = (uint64_t)(size - pos);
	while ((ret = iomap_iter(&iter, ops)) > 0)
		iter.status = iomap_seek_hole_iter(&iter, &pos);
	if (ret < 0)
		return ret;
	if (iter.len) /* stopped early: a hole before EOF */
		return pos;
	return size;
}

/* Mirrors iomap_seek_data_iter(). */
static int iomap_seek_data_iter(struct iomap_iter *iter, loff_t *data_pos)
{
	uint64_t length = iomap_length(iter);
	loff_t end = iter->pos + (loff_t)length;

	switch (iter->iomap.type) {
	case IOMAP_HOLE:
		return iomap_iter_advance(iter, length);
	case IOMAP_UNWRITTEN:
		*data_pos = mapping_seek_hole_data(iter->inode->i_mapping, iter->pos, end,
						   SEEK_DATA);
		if (*data_pos == end) /* no cached data over this unwritten extent */
			return iomap_iter_advance(iter, length);
		return 0;
	default:
		*data_pos = iter->pos;
		return 0;
	}
}

loff_t iomap_seek_data(struct inode *inode, loff_t pos, const struct iomap_ops *ops)
{
	loff_t size = i_size_read(inode);
	struct iomap_iter iter = {
		.inode = inode,
		.pos = pos,
		.flags = IOMAP_REPORT,
	};
	int ret;

	if (pos < 0 || pos >= size)
		return -ENXIO;

	iter.len = (uint64_t)(size - pos);
	while ((ret = iomap_iter(&iter, ops)) > 0)
		iter.status = iomap_seek_data_iter(&iter, &pos);
	if (ret < 0)
		return ret;
	if (iter.len) /* stopped early: data before EOF */
		return pos;
	return -ENXIO;
}
