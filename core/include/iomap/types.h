/**
 * @file types.h
 * @brief Basic kernel-shaped types, error numbers and helpers shared by every
 *        layer of iomap-ref.
 *
 * The reference keeps the kernel's vocabulary so that a reader can hold
 * `fs/iomap/` next to `core/iomap/` and recognise every name: `loff_t` is a
 * signed byte position in a file, `sector_t` a 512-byte unit on a device,
 * `pgoff_t` an index in the page cache.
 *
 * Error convention (as in the kernel): functions return `0` or a positive
 * count on success and a *negative* errno on failure.  Two kernel-internal
 * error numbers that userspace's `<errno.h>` does not provide are defined
 * here: ::EIOCBQUEUED.  (`ENOTBLK` exists in Linux's `<errno.h>`.)
 */
#ifndef IOMAP_TYPES_H
#define IOMAP_TYPES_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/** Signed byte offset in a file (the kernel's `loff_t`; same type as glibc's). */
typedef int64_t loff_t;
/** 512-byte unit on a block device. */
typedef uint64_t sector_t;
/** Index of a page-sized slot in the page cache. */
typedef uint64_t pgoff_t;
/** Device number, encoded as the kernel's internal `MKDEV(major, minor)`. */
typedef uint32_t kdev_t;

/** Shift from bytes to sectors. */
#define SECTOR_SHIFT 9
/** Bytes in a sector. */
#define SECTOR_SIZE (1u << SECTOR_SHIFT)
/** Page size of the modelled machine (4 KiB, as on x86-64). */
#define PAGE_SHIFT 12
/** Bytes in a page. */
#define PAGE_SIZE (1ul << PAGE_SHIFT)

/** Kernel-internal: an asynchronous kiocb was queued and completes later. */
#ifndef EIOCBQUEUED
#define EIOCBQUEUED 529
#endif
#ifndef ENOTBLK
/** Kernel: "block device required" (glibc has it; kept for completeness). */
#define ENOTBLK 15
#endif

/** The largest file offset the VFS allows (`MAX_LFS_FILESIZE` on 64-bit). */
#define MAX_LFS_FILESIZE ((loff_t)INT64_MAX)

/** Build a device number the way the kernel does internally (20-bit minor). */
#define MKDEV(ma, mi) ((kdev_t)(((uint32_t)(ma) << 20) | ((uint32_t)(mi) & 0xfffff)))
/** Major number of a ::kdev_t. */
#define MAJOR(dev) ((unsigned int)((dev) >> 20))
/** Minor number of a ::kdev_t. */
#define MINOR(dev) ((unsigned int)((dev) & 0xfffff))

/** Branch hints, as the kernel spells them. */
#define likely(x) __builtin_expect(!!(x), 1)
/** Branch hint: the condition is expected to be false. */
#define unlikely(x) __builtin_expect(!!(x), 0)

/** Smaller of two unsigned 64-bit values. */
static inline uint64_t min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
/** Larger of two unsigned 64-bit values. */
static inline uint64_t max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }
/** Smaller of two signed 64-bit values. */
static inline int64_t min_s64(int64_t a, int64_t b) { return a < b ? a : b; }
/** Larger of two signed 64-bit values. */
static inline int64_t max_s64(int64_t a, int64_t b) { return a > b ? a : b; }
/** Round @p x down to a multiple of the power of two @p a. */
#define round_down(x, a) ((x) & ~((__typeof__(x))(a) - 1))
/** Round @p x up to a multiple of the power of two @p a. */
#define round_up(x, a) ((((x) - 1) | ((__typeof__(x))(a) - 1)) + 1)
/** Number of elements of a fixed array. */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/** Pointer to the structure that contains @p ptr as member @p member. */
#define container_of(ptr, type, member) \
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/** Largest errno an error pointer carries (the kernel's MAX_ERRNO). */
#define MAX_ERRNO 4095
/** Encode -errno @p err as a pointer (the kernel's ERR_PTR). @param err -errno */
static inline void *ERR_PTR(long err) { return (void *)(intptr_t)err; }
/** Decode an error pointer. @param p pointer from ERR_PTR() @return -errno */
static inline long PTR_ERR(const void *p) { return (long)(intptr_t)p; }
/** @return whether @p p is an error pointer @param p pointer */
static inline bool IS_ERR(const void *p)
{
	return (uintptr_t)p >= (uintptr_t)-MAX_ERRNO;
}
/** @return whether @p p is NULL or an error pointer @param p pointer */
static inline bool IS_ERR_OR_NULL(const void *p) { return !p || IS_ERR(p); }
/** @return -errno for an error pointer, else 0 @param p pointer */
static inline long PTR_ERR_OR_ZERO(const void *p) { return IS_ERR(p) ? PTR_ERR(p) : 0; }

#endif /* IOMAP_TYPES_H */
