/**
 * @file format.h
 * @brief extentfs on-disk format: constants, record layouts and the codecs
 *        that turn them into bytes and back (format.c).
 *
 * docs/FORMAT.md is the specification, byte by byte; this header is its
 * executable form.  Every multi-byte integer on disk is little-endian.
 *
 * The device, in filesystem blocks of B bytes (B = 512 ... 65536):
 *
 *     block 0      block 1      blocks 2 .. data_start-1     data_start .. nblocks-1
 *   +------------+------------+----------------------------+--------------------------------+
 *   | superblock | superblock |  metadata reserve          |  data area                     |
 *   |  slot 0    |  slot 1    |  (metadata chain blocks    |  file data; metadata chain     |
 *   |            |            |   first, else free)        |  blocks top-down when the      |
 *   |            |            |                            |  reserve is full                |
 *   +------------+------------+----------------------------+--------------------------------+
 *
 * A *commit* writes the whole metadata (inodes with their extent maps or,
 * for inline files, their data; the
 * root directory, the shared-extent reference counts, the free-space
 * extents) as one byte stream, the *metadata stream*, into a chain of
 * freshly allocated blocks, each carrying a header with a CRC and the
 * number of the next block.  Then, after a cache flush, it writes a
 * superblock that points at the chain into the slot that does *not* hold
 * the current generation.  Mount picks the valid slot with the highest
 * generation, so after a power cut the image is either the old or the new
 * commit, never a mix.
 *
 * How to use: encode a superblock with efs_sb_encode() (which computes its
 * CRC) and decode with efs_sb_decode(); the same pair exists for metadata
 * block headers.  Stream records are written and read with the
 * efs_put_le* / efs_get_le* helpers at the offsets given below.
 *
 * Never: write a structure with memcpy of a C struct (padding and byte order
 * are not the format); change an offset without bumping ::EFS_VERSION.
 *
 * Locking: none; these are pure functions of their arguments.
 */
#ifndef EXTENTFS_FORMAT_H
#define EXTENTFS_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * @name Identification
 * @{
 */
#define EFS_SB_MAGIC 0x31534645u   /**< "EFS1" read as little-endian bytes */
#define EFS_META_MAGIC 0x4d534645u /**< "EFSM": a metadata chain block */
/**
 * Newest format version.  Version 2 adds inline inodes (::EFS_DIFLAG_INLINE,
 * allowed only with ::EFS_FEAT_INLINE_DATA); a commit writes the lowest
 * version that can express the image's features (efs_version_for()), so a
 * filesystem made without the inline option stays a version 1 image,
 * byte for byte, and an older build refuses an inline image instead of
 * misreading its inode records.
 */
#define EFS_VERSION 2u
#define EFS_VERSION_MIN 1u         /**< oldest format version mount accepts */
/** @} */

/**
 * @name Geometry
 * @{
 */
#define EFS_MIN_BLOCK_LOG 9            /**< 512-byte blocks */
#define EFS_MAX_BLOCK_LOG 16           /**< 64 KiB blocks */
#define EFS_SB_SIZE 512u               /**< bytes of a superblock (rest of the slot is zero) */
#define EFS_SB_SLOTS 2u                /**< superblock slots: blocks 0 and 1 */
#define EFS_DATA_START_BYTES 0x18000u  /**< data area starts here, rounded up to a block */
#define EFS_MIN_DATA_BLOCKS 16u        /**< smallest data area mkfs accepts */
/** @} */

/**
 * @name Superblock layout (512 bytes at byte 0 of its slot block)
 * @{
 */
#define EFS_SB_OFF_MAGIC 0          /**< u32 ::EFS_SB_MAGIC */
#define EFS_SB_OFF_CRC 4            /**< u32 CRC32C of the 512 bytes with this field 0 */
#define EFS_SB_OFF_VERSION 8        /**< u32 format version (efs_version_for()) */
#define EFS_SB_OFF_BLOCK_LOG 12     /**< u32 log2(block size) */
#define EFS_SB_OFF_GENERATION 16    /**< u64 commit generation (mkfs writes 1) */
#define EFS_SB_OFF_NBLOCKS 24       /**< u64 filesystem size in blocks */
#define EFS_SB_OFF_DATA_START 32    /**< u64 first block of the data area */
#define EFS_SB_OFF_META_HEAD 40     /**< u64 first block of the metadata chain */
#define EFS_SB_OFF_META_NBLOCKS 48  /**< u64 blocks in the chain */
#define EFS_SB_OFF_META_BYTES 56    /**< u64 bytes of the metadata stream */
#define EFS_SB_OFF_META_CRC 64      /**< u32 CRC32C of the whole stream */
#define EFS_SB_OFF_FEATURES 68      /**< u32 EFS_FEAT_* */
#define EFS_SB_OFF_NEXT_INO 72      /**< u64 next inode number to hand out */
#define EFS_SB_OFF_NINODES 80       /**< u64 inode records in the stream */
#define EFS_SB_OFF_NEXTENTS 88      /**< u64 extent records in the stream */
#define EFS_SB_OFF_NDIRENTS 96      /**< u64 directory entries in the stream */
#define EFS_SB_OFF_NREFCOUNT 104    /**< u64 reference count records */
#define EFS_SB_OFF_NFREE 112        /**< u64 free-space records */
#define EFS_SB_OFF_FREE_BLOCKS 120  /**< u64 sum of the free-space records */
#define EFS_SB_OFF_LBS 128          /**< u32 device logical block size at mkfs */
#define EFS_SB_OFF_SLOT 132         /**< u32 slot this copy was written to (0 or 1) */
/* bytes 136 .. 511 are zero */
/** @} */

/**
 * @name Features (superblock `features`)
 * @{
 */
#define EFS_FEAT_INLINE_DATA (1u << 0) /**< small files may be stored inline (mkfs -i inline=1; version 2) */
#define EFS_FEAT_ALL EFS_FEAT_INLINE_DATA /**< every feature this version knows */
/** @} */

/**
 * @name Metadata chain block header (32 bytes, then the payload)
 * @{
 */
#define EFS_META_HDR_SIZE 32u  /**< header bytes */
#define EFS_MH_OFF_MAGIC 0     /**< u32 ::EFS_META_MAGIC */
#define EFS_MH_OFF_CRC 4       /**< u32 CRC32C of the whole block with this field 0 */
#define EFS_MH_OFF_GENERATION 8 /**< u64 generation of the commit that wrote it */
#define EFS_MH_OFF_NEXT 16     /**< u64 next chain block, 0 = last */
#define EFS_MH_OFF_INDEX 24    /**< u32 position in the chain, from 0 */
#define EFS_MH_OFF_PAYLOAD 28  /**< u32 payload bytes in this block */
/** @} */

/**
 * @name Metadata stream records (in this order: inodes, dirents, refcounts, free)
 * @{
 */
#define EFS_DINODE_SIZE 32u   /**< ino u64, size u64, nextents u64, nlink u32, flags u32 */
#define EFS_DEXT_SIZE 32u     /**< fblock u64, dblock u64, len u64, state u32, zero u32 */
#define EFS_DIRENT_HDR 10u    /**< ino u64, namelen u16, then the name, padded to 8 */
#define EFS_DREFC_SIZE 24u    /**< start u64, len u64, count u64 */
#define EFS_DFREE_SIZE 16u    /**< start u64, len u64 */
/** @} */

/**
 * @name Inode flags (dinode `flags`)
 * @{
 */
#define EFS_DIFLAG_REFLINK (1u << 0) /**< has shared extents (XFS_DIFLAG2_REFLINK) */
#define EFS_DIFLAG_INLINE (1u << 1)  /**< data inline after the record, no extents (version 2) */
#define EFS_DIFLAG_ALL (EFS_DIFLAG_REFLINK | EFS_DIFLAG_INLINE) /**< every flag this version knows */
/** @} */

/**
 * @name Inline data (EFS_FEAT_INLINE_DATA)
 *
 * An inode record with ::EFS_DIFLAG_INLINE is followed, instead of extent
 * records, by its data: `size` bytes, then zeroes up to a multiple of 8
 * (efs_dinline_size()).  `size` is at most the inline capacity of the
 * block size (efs_inline_capacity()); the capacity is a power of two no
 * larger than a page, so an in-memory copy aligned to it never crosses a
 * page boundary (the rule iomap sets for IOMAP_INLINE buffers).
 * @{
 */
#define EFS_INLINE_MAX 1024u /**< inline capacity cap, bytes (a power of two, <= 4096) */
/** @} */

/**
 * @name Extent states (dext `state`)
 * @{
 */
#define EFS_EXT_NORM 0u      /**< written: reads return the blocks' contents */
#define EFS_EXT_UNWRITTEN 1u /**< allocated, reads return zeroes (XFS_EXT_UNWRITTEN) */
/** @} */

/** Longest file name, bytes. */
#define EFS_NAME_MAX 255u
/** The flat root directory's inode number (implicit, not stored). */
#define EFS_ROOT_INO 1u
/** First inode number handed out to a file. */
#define EFS_FIRST_INO 2u

/** A superblock, decoded (see the EFS_SB_OFF_* layout). */
struct efs_dsb {
	uint32_t magic;          /**< ::EFS_SB_MAGIC */
	uint32_t crc;            /**< as stored */
	uint32_t version;        /**< ::EFS_VERSION_MIN .. ::EFS_VERSION */
	uint32_t block_log;      /**< log2(block size) */
	uint64_t generation;     /**< commit generation */
	uint64_t nblocks;        /**< filesystem size, blocks */
	uint64_t data_start;     /**< first data block */
	uint64_t meta_head;      /**< first chain block */
	uint64_t meta_nblocks;   /**< chain length */
	uint64_t meta_bytes;     /**< stream length */
	uint32_t meta_crc;       /**< CRC32C of the stream */
	uint32_t features;       /**< EFS_FEAT_* */
	uint64_t next_ino;       /**< next inode number */
	uint64_t ninodes;        /**< inode records */
	uint64_t nextents;       /**< extent records */
	uint64_t ndirents;       /**< directory entries */
	uint64_t nrefcount;      /**< reference count records */
	uint64_t nfree;          /**< free-space records */
	uint64_t free_blocks;    /**< free blocks */
	uint32_t lbs;            /**< device logical block size at mkfs */
	uint32_t slot;           /**< slot it was written to */
};

/** A metadata chain block header, decoded. */
struct efs_mhdr {
	uint32_t magic;       /**< ::EFS_META_MAGIC */
	uint32_t crc;         /**< as stored */
	uint64_t generation;  /**< commit generation */
	uint64_t next;        /**< next block, 0 = last */
	uint32_t index;       /**< position in the chain */
	uint32_t payload;     /**< payload bytes */
};

/** Store a 16-bit value little-endian. @param p destination @param v value */
static inline void efs_put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
/** Store a 32-bit value little-endian. @param p destination @param v value */
static inline void efs_put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
/** Store a 64-bit value little-endian. @param p destination @param v value */
static inline void efs_put_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
/** @return the little-endian 16-bit value at @p p @param p source */
static inline uint16_t efs_get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}
/** @return the little-endian 32-bit value at @p p @param p source */
static inline uint32_t efs_get_le32(const uint8_t *p)
{
	uint32_t v = 0;

	for (int i = 3; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}
/** @return the little-endian 64-bit value at @p p @param p source */
static inline uint64_t efs_get_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

/**
 * CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum XFS
 * uses.  efs_crc32c("123456789", 9) == 0xE3069283.
 * @param buf bytes; @param len count
 * @return the CRC
 */
uint32_t efs_crc32c(const void *buf, size_t len);
/**
 * Continue a CRC32C over more bytes.
 * @param crc value returned for the previous bytes (0 to start)
 * @param buf bytes; @param len count
 * @return the CRC of everything so far
 */
uint32_t efs_crc32c_update(uint32_t crc, const void *buf, size_t len);

/**
 * Encode @p sb into the first ::EFS_SB_SIZE bytes of @p buf and store its
 * CRC (sb->crc is ignored).
 * @param sb superblock; @param buf at least ::EFS_SB_SIZE bytes
 */
void efs_sb_encode(const struct efs_dsb *sb, uint8_t *buf);
/**
 * Decode a superblock.
 * @param buf ::EFS_SB_SIZE bytes; @param sb output
 * @return true if the magic and the CRC are right (the fields are filled
 *         either way)
 */
bool efs_sb_decode(const uint8_t *buf, struct efs_dsb *sb);
/**
 * Encode a chain block header into @p block and compute the CRC over the
 * whole block (header and payload must already be in place).
 * @param h header (h->crc is ignored); @param block the block
 * @param blocksize block size in bytes
 */
void efs_mhdr_encode(const struct efs_mhdr *h, uint8_t *block, uint32_t blocksize);
/**
 * Decode a chain block header and check magic and CRC.
 * @param block the block; @param blocksize its size; @param h output
 * @return true if magic and CRC are right
 */
bool efs_mhdr_decode(const uint8_t *block, uint32_t blocksize, struct efs_mhdr *h);

/**
 * Bytes a directory entry with a name of @p namelen bytes takes in the stream.
 * @param namelen 1 .. ::EFS_NAME_MAX
 * @return EFS_DIRENT_HDR + namelen, rounded up to 8
 */
static inline size_t efs_dirent_size(size_t namelen)
{
	return (EFS_DIRENT_HDR + namelen + 7) & ~(size_t)7;
}

/**
 * Most bytes a file may keep inline: the block size, but no more than
 * ::EFS_INLINE_MAX (so that 100 bytes are inline everywhere and a file
 * that outgrows its inode needs exactly one block).
 * @param block_log log2(block size)
 * @return capacity in bytes (a power of two)
 */
static inline uint32_t efs_inline_capacity(unsigned block_log)
{
	uint64_t bs = 1ull << block_log;

	return bs < EFS_INLINE_MAX ? (uint32_t)bs : EFS_INLINE_MAX;
}

/**
 * Bytes the inline data of a @p size -byte file takes in the stream.
 * @param size file size (at most the inline capacity)
 * @return @p size rounded up to 8
 */
static inline size_t efs_dinline_size(uint64_t size)
{
	return (size_t)((size + 7) & ~(uint64_t)7);
}

/**
 * The superblock version a commit writes for @p features: 1 unless a
 * version-2 feature is on.
 * @param features EFS_FEAT_*
 * @return ::EFS_VERSION_MIN or ::EFS_VERSION
 */
static inline uint32_t efs_version_for(uint32_t features)
{
	return (features & EFS_FEAT_INLINE_DATA) ? EFS_VERSION : EFS_VERSION_MIN;
}

/**
 * First block of the data area for a block size (0x18000 rounded up to a
 * block, at least block 2).
 * @param block_log log2(block size)
 * @return block number
 */
static inline uint64_t efs_data_start_for(unsigned block_log)
{
	uint64_t bs = 1ull << block_log;
	uint64_t b = (EFS_DATA_START_BYTES + bs - 1) / bs;

	return b < EFS_SB_SLOTS ? EFS_SB_SLOTS : b;
}

#endif /* EXTENTFS_FORMAT_H */
