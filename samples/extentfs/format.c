/**
 * @file format.c
 * @brief CRC32C and the superblock / chain-header codecs of format.h.
 *
 * The CRC is the bytewise table form of CRC32C: the table holds, for every
 * byte value, the remainder of that byte shifted through eight rounds of the
 * reflected polynomial; each input byte then costs one table look-up.  The
 * table is computed on first use (it is 1 KiB of pure arithmetic, so two
 * threads racing to fill it write identical values; the `ready` flag is
 * published with release/acquire ordering).
 *
 * Never: call the codecs on buffers shorter than ::EFS_SB_SIZE (superblock)
 * or the block size (chain block).
 *
 * Locking: none needed.
 */
#include <string.h>

#include "format.h"

#define CRC32C_POLY_REFLECTED 0x82f63b78u

static uint32_t crc32c_table[256];
static int crc32c_ready;

static void crc32c_init(void)
{
	for (uint32_t b = 0; b < 256; b++) {
		uint32_t r = b;

		for (int i = 0; i < 8; i++)
			r = (r & 1) ? (r >> 1) ^ CRC32C_POLY_REFLECTED : r >> 1;
		crc32c_table[b] = r;
	}
	__atomic_store_n(&crc32c_ready, 1, __ATOMIC_RELEASE);
}

uint32_t efs_crc32c_update(uint32_t crc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	uint32_t r = ~crc;

	if (!__atomic_load_n(&crc32c_ready, __ATOMIC_ACQUIRE))
		crc32c_init();
	while (len--)
		r = (r >> 8) ^ crc32c_table[(r ^ *p++) & 0xff];
	return ~r;
}

uint32_t efs_crc32c(const void *buf, size_t len)
{
	return efs_crc32c_update(0, buf, len);
}

void efs_sb_encode(const struct efs_dsb *sb, uint8_t *buf)
{
	memset(buf, 0, EFS_SB_SIZE);
	efs_put_le32(buf + EFS_SB_OFF_MAGIC, sb->magic);
	efs_put_le32(buf + EFS_SB_OFF_VERSION, sb->version);
	efs_put_le32(buf + EFS_SB_OFF_BLOCK_LOG, sb->block_log);
	efs_put_le64(buf + EFS_SB_OFF_GENERATION, sb->generation);
	efs_put_le64(buf + EFS_SB_OFF_NBLOCKS, sb->nblocks);
	efs_put_le64(buf + EFS_SB_OFF_DATA_START, sb->data_start);
	efs_put_le64(buf + EFS_SB_OFF_META_HEAD, sb->meta_head);
	efs_put_le64(buf + EFS_SB_OFF_META_NBLOCKS, sb->meta_nblocks);
	efs_put_le64(buf + EFS_SB_OFF_META_BYTES, sb->meta_bytes);
	efs_put_le32(buf + EFS_SB_OFF_META_CRC, sb->meta_crc);
	efs_put_le32(buf + EFS_SB_OFF_FEATURES, sb->features);
	efs_put_le64(buf + EFS_SB_OFF_NEXT_INO, sb->next_ino);
	efs_put_le64(buf + EFS_SB_OFF_NINODES, sb->ninodes);
	efs_put_le64(buf + EFS_SB_OFF_NEXTENTS, sb->nextents);
	efs_put_le64(buf + EFS_SB_OFF_NDIRENTS, sb->ndirents);
	efs_put_le64(buf + EFS_SB_OFF_NREFCOUNT, sb->nrefcount);
	efs_put_le64(buf + EFS_SB_OFF_NFREE, sb->nfree);
	efs_put_le64(buf + EFS_SB_OFF_FREE_BLOCKS, sb->free_blocks);
	efs_put_le32(buf + EFS_SB_OFF_LBS, sb->lbs);
	efs_put_le32(buf + EFS_SB_OFF_SLOT, sb->slot);
	/* The CRC covers the whole 512 bytes with its own field zero. */
	efs_put_le32(buf + EFS_SB_OFF_CRC, efs_crc32c(buf, EFS_SB_SIZE));
}

bool efs_sb_decode(const uint8_t *buf, struct efs_dsb *sb)
{
	uint8_t copy[EFS_SB_SIZE];

	sb->magic = efs_get_le32(buf + EFS_SB_OFF_MAGIC);
	sb->crc = efs_get_le32(buf + EFS_SB_OFF_CRC);
	sb->version = efs_get_le32(buf + EFS_SB_OFF_VERSION);
	sb->block_log = efs_get_le32(buf + EFS_SB_OFF_BLOCK_LOG);
	sb->generation = efs_get_le64(buf + EFS_SB_OFF_GENERATION);
	sb->nblocks = efs_get_le64(buf + EFS_SB_OFF_NBLOCKS);
	sb->data_start = efs_get_le64(buf + EFS_SB_OFF_DATA_START);
	sb->meta_head = efs_get_le64(buf + EFS_SB_OFF_META_HEAD);
	sb->meta_nblocks = efs_get_le64(buf + EFS_SB_OFF_META_NBLOCKS);
	sb->meta_bytes = efs_get_le64(buf + EFS_SB_OFF_META_BYTES);
	sb->meta_crc = efs_get_le32(buf + EFS_SB_OFF_META_CRC);
	sb->features = efs_get_le32(buf + EFS_SB_OFF_FEATURES);
	sb->next_ino = efs_get_le64(buf + EFS_SB_OFF_NEXT_INO);
	sb->ninodes = efs_get_le64(buf + EFS_SB_OFF_NINODES);
	sb->nextents = efs_get_le64(buf + EFS_SB_OFF_NEXTENTS);
	sb->ndirents = efs_get_le64(buf + EFS_SB_OFF_NDIRENTS);
	sb->nrefcount = efs_get_le64(buf + EFS_SB_OFF_NREFCOUNT);
	sb->nfree = efs_get_le64(buf + EFS_SB_OFF_NFREE);
	sb->free_blocks = efs_get_le64(buf + EFS_SB_OFF_FREE_BLOCKS);
	sb->lbs = efs_get_le32(buf + EFS_SB_OFF_LBS);
	sb->slot = efs_get_le32(buf + EFS_SB_OFF_SLOT);

	if (sb->magic != EFS_SB_MAGIC)
		return false;
	memcpy(copy, buf, EFS_SB_SIZE);
	efs_put_le32(copy + EFS_SB_OFF_CRC, 0);
	return efs_crc32c(copy, EFS_SB_SIZE) == sb->crc;
}

void efs_mhdr_encode(const struct efs_mhdr *h, uint8_t *block, uint32_t blocksize)
{
	efs_put_le32(block + EFS_MH_OFF_MAGIC, h->magic);
	efs_put_le32(block + EFS_MH_OFF_CRC, 0);
	efs_put_le64(block + EFS_MH_OFF_GENERATION, h->generation);
	efs_put_le64(block + EFS_MH_OFF_NEXT, h->next);
	efs_put_le32(block + EFS_MH_OFF_INDEX, h->index);
	efs_put_le32(block + EFS_MH_OFF_PAYLOAD, h->payload);
	efs_put_le32(block + EFS_MH_OFF_CRC, efs_crc32c(block, blocksize));
}

bool efs_mhdr_decode(const uint8_t *block, uint32_t blocksize, struct efs_mhdr *h)
{
	static const uint8_t zero[4];
	uint32_t crc;

	h->magic = efs_get_le32(block + EFS_MH_OFF_MAGIC);
	h->crc = efs_get_le32(block + EFS_MH_OFF_CRC);
	h->generation = efs_get_le64(block + EFS_MH_OFF_GENERATION);
	h->next = efs_get_le64(block + EFS_MH_OFF_NEXT);
	h->index = efs_get_le32(block + EFS_MH_OFF_INDEX);
	h->payload = efs_get_le32(block + EFS_MH_OFF_PAYLOAD);
	if (h->magic != EFS_META_MAGIC)
		return false;
	/* CRC of the block as if the CRC field were zero, without copying it. */
	crc = efs_crc32c_update(0, block, EFS_MH_OFF_CRC);
	crc = efs_crc32c_update(crc, zero, sizeof(zero));
	crc = efs_crc32c_update(crc, block + EFS_MH_OFF_CRC + 4, blocksize - EFS_MH_OFF_CRC - 4);
	return crc == h->crc;
}
