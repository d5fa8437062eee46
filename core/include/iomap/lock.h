/**
 * @file lock.h
 * @brief Sleeping locks with lock classes, and the lock-order validator
 *        (a small lockdep).
 *
 * Every lock belongs to a ::lock_class, declared once with
 * DEFINE_LOCK_CLASS() and shared by every instance of that kind of lock
 * ("all inodes' i_rwsem" is one class).  Each acquisition is reported to the
 * validator, which keeps, per thread, the stack of classes held and, globally,
 * the graph of "class A was held while class B was taken" edges.  When a new
 * edge B -> A closes a cycle with an existing path A -> ... -> B, the
 * validator records a ::lockdep_report naming both orders, emits a
 * `lockdep_inversion` event and (by default) prints it to stderr.  Like the
 * kernel's lockdep it reports the *possibility* of deadlock from the order
 * alone: the two threads need not ever race.  Taking a second lock of a
 * class the thread already holds is reported too (kind "recursive"), unless
 * both holds are shared, the second is a trylock, or it is annotated with a
 * nesting subclass (down_write_nested(), inode_lock_nested()).
 *
 * The iomap locking hierarchy of the seed (design.rst, "Locking Hierarchy")
 * maps onto classes as follows:
 *
 *     upper      i_rwsem  ->  invalidate_lock           (VFS / filesystem)
 *     lower      filesystem mapping lock (extentfs "ilock")
 *     operation  folio lock, ifs state lock             (iomap itself)
 *
 * Each class carries its level so that the visualiser can draw the hierarchy.
 *
 * Every acquire, contention and release is emitted into the event stream
 * (`lock_acquire`, `lock_contended`, `lock_acquired`, `lock_release`) with
 * the class name, the mode and the thread.
 *
 * Rules: never take a lock of a lower level and then one of a higher level;
 * never release a lock on a thread other than the one that took it (rwsems
 * here are owner-tracked; the kernel's up_read from another task is not
 * modelled).
 */
#ifndef IOMAP_LOCK_H
#define IOMAP_LOCK_H

#include <pthread.h>

#include "types.h"

/** Position of a lock class in the seed's locking hierarchy. */
enum lock_level {
	LOCK_LEVEL_UPPER = 0,     /**< i_rwsem, invalidate_lock, mmap lock */
	LOCK_LEVEL_LOWER = 1,     /**< the filesystem mapping lock */
	LOCK_LEVEL_OPERATION = 2, /**< folio lock, iomap-internal locks */
	LOCK_LEVEL_INTERNAL = 3,  /**< plumbing below iomap (bio lists, queues) */
};

/** Maximum number of distinct lock classes in one process. */
#define LOCKDEP_MAX_CLASSES 64

/** A kind of lock; all locks of one kind share one class. */
struct lock_class {
	const char *name;      /**< e.g. "i_rwsem", "invalidate_lock" */
	enum lock_level level; /**< hierarchy level, for display */
	int id;                /**< assigned on first use; 0 = not yet */
};

/** Define a lock class variable @p var named @p str at hierarchy level @p lvl. */
#define DEFINE_LOCK_CLASS(var, str, lvl) \
	struct lock_class var = { .name = (str), .level = (lvl), .id = 0 }

/** Modes in which a lock can be held. */
enum lock_mode {
	LOCK_EXCLUSIVE = 0, /**< write / mutex */
	LOCK_SHARED = 1,    /**< read */
};

/**
 * A read-write semaphore (the kernel's `struct rw_semaphore`).
 * Protected by itself; `owner` is written only by the exclusive holder.
 */
struct rw_semaphore {
	pthread_rwlock_t rw;      /**< the real lock */
	struct lock_class *cls;   /**< class for the validator */
	const char *name;         /**< instance name for events (may be NULL) */
	uint64_t instance;        /**< stable instance number for events */
};

/** A mutex (the kernel's `struct mutex`). */
struct mutex {
	pthread_mutex_t m;        /**< the real lock */
	struct lock_class *cls;   /**< class for the validator */
	const char *name;         /**< instance name for events (may be NULL) */
	uint64_t instance;        /**< stable instance number for events */
};

/**
 * Initialise a rw_semaphore of class @p cls.
 * @param sem   the semaphore
 * @param cls   its lock class (static storage)
 * @param name  instance name for events, or NULL to use the class name
 */
void init_rwsem(struct rw_semaphore *sem, struct lock_class *cls, const char *name);
/** Destroy a rw_semaphore that nobody holds. @param sem the semaphore */
void rwsem_destroy(struct rw_semaphore *sem);
/** Take @p sem shared, sleeping if needed. @param sem the semaphore */
void down_read(struct rw_semaphore *sem);
/** Take @p sem exclusive, sleeping if needed. @param sem the semaphore */
void down_write(struct rw_semaphore *sem);
/**
 * Try to take @p sem shared without sleeping.
 * @param sem the semaphore
 * @return 1 if taken, 0 if it would have blocked
 */
int down_read_trylock(struct rw_semaphore *sem);
/**
 * Try to take @p sem exclusive without sleeping.
 * @param sem the semaphore
 * @return 1 if taken, 0 if it would have blocked
 */
int down_write_trylock(struct rw_semaphore *sem);
/** Release a shared hold of @p sem. @param sem the semaphore */
void up_read(struct rw_semaphore *sem);
/** Release an exclusive hold of @p sem. @param sem the semaphore */
void up_write(struct rw_semaphore *sem);
/**
 * down_read() of a second lock of the same class, at nesting level
 * @p subclass (the kernel's down_read_nested()).
 * @param sem the semaphore; @param subclass nesting level (see lockdep_acquire_nested())
 */
void down_read_nested(struct rw_semaphore *sem, unsigned subclass);
/**
 * down_write() of a second lock of the same class, at nesting level
 * @p subclass (the kernel's down_write_nested()).
 * @param sem the semaphore; @param subclass nesting level (see lockdep_acquire_nested())
 */
void down_write_nested(struct rw_semaphore *sem, unsigned subclass);

/**
 * Initialise a mutex of class @p cls.
 * @param m     the mutex
 * @param cls   its lock class
 * @param name  instance name for events, or NULL
 */
void mutex_init_class(struct mutex *m, struct lock_class *cls, const char *name);
/** Destroy an unheld mutex. @param m the mutex */
void mutex_destroy_class(struct mutex *m);
/** Take @p m, sleeping if needed. @param m the mutex */
void mutex_lock(struct mutex *m);
/**
 * Try to take @p m without sleeping.
 * @param m the mutex
 * @return 1 if taken, 0 if busy
 */
int mutex_trylock(struct mutex *m);
/** Release @p m. @param m the mutex */
void mutex_unlock(struct mutex *m);
/**
 * mutex_lock() of a second mutex of the same class, at nesting level
 * @p subclass (the kernel's mutex_lock_nested()).
 * @param m the mutex; @param subclass nesting level (see lockdep_acquire_nested())
 */
void mutex_lock_nested(struct mutex *m, unsigned subclass);

/**
 * @name Validator hooks
 * Used by the lock primitives above and by locks implemented elsewhere
 * (the folio lock in core/kernel/folio.c), so that every lock of the
 * hierarchy goes through one validator.
 * @{
 */
/**
 * Record that the current thread is about to take a lock of class @p cls.
 * Checks the order against the locks it already holds and records new
 * dependency edges; reports an inversion if one closes a cycle.
 * @param cls       class of the lock
 * @param mode      exclusive or shared
 * @param instance  stable instance number (for events)
 * @param trylock   true for a trylock (a trylock cannot deadlock, so it adds
 *                  no dependency edge, as in the kernel)
 */
void lockdep_acquire(struct lock_class *cls, enum lock_mode mode, uint64_t instance,
		     bool trylock);
/**
 * Record that the acquisition announced by lockdep_acquire() had to wait.
 * @param cls class of the lock; @param instance its instance number
 */
void lockdep_contended(struct lock_class *cls, uint64_t instance);
/**
 * Record that the acquisition completed (after lockdep_acquire(), and after
 * lockdep_contended() if it had to wait).
 * @param cls class; @param mode mode; @param instance instance number
 */
void lockdep_acquired(struct lock_class *cls, enum lock_mode mode, uint64_t instance);
/**
 * Record that the current thread released a lock of class @p cls.
 * @param cls class; @param instance instance number
 */
void lockdep_release(struct lock_class *cls, uint64_t instance);
/**
 * Forget a failed trylock announced by lockdep_acquire().
 * @param cls class; @param instance instance number
 */
void lockdep_abort(struct lock_class *cls, uint64_t instance);
/**
 * Most nesting subclasses per class (the kernel's MAX_LOCKDEP_SUBCLASSES).
 * Subclass 0 is the class itself.
 */
#define LOCKDEP_MAX_SUBCLASSES 8
/**
 * lockdep_acquire() for a lock taken while another lock of the same class
 * may be held, annotated with a nesting @p subclass (the kernel's
 * lock_acquire() with a subclass, behind down_write_nested() and
 * inode_lock_nested()).  Each (class, subclass) pair is validated as a class
 * of its own, shown as "name/subclass" in reports.
 * @param cls       class of the lock
 * @param subclass  nesting level, < ::LOCKDEP_MAX_SUBCLASSES (0 = plain)
 * @param mode      exclusive or shared
 * @param instance  stable instance number (for events)
 * @param trylock   true for a trylock (adds no dependency edge)
 */
void lockdep_acquire_nested(struct lock_class *cls, unsigned subclass, enum lock_mode mode,
			    uint64_t instance, bool trylock);
/**
 * Hand out a new stable instance number, for locks implemented outside
 * lock.c (the folio lock).  Numbers start at 1 and are never reused.
 * @return the new instance number
 */
uint64_t lockdep_new_instance(void);
/** @} */

/** One order inversion found by the validator. */
struct lockdep_report {
	char established[256]; /**< the order seen first, e.g. "i_rwsem -> ilock" */
	char inverted[256];    /**< the new order that closes the cycle */
	int tid;               /**< thread (reference thread id) that inverted it */
	char kind[16];         /**< "circular" (a cycle of classes) or "recursive"
				    (a class taken again while held) */
};

/**
 * Number of inversions reported since start or the last lockdep_reset().
 * @return count of reports
 */
int lockdep_nr_reports(void);
/**
 * Copy report number @p i (0-based, oldest first).
 * @param i    report index, < lockdep_nr_reports()
 * @param out  where to copy it
 * @return 0, or -ENOENT if @p i is out of range
 */
int lockdep_get_report(int i, struct lockdep_report *out);
/**
 * Forget every recorded dependency and report (tests call this between
 * cases so that one case's orders do not leak into the next).
 */
void lockdep_reset(void);
/**
 * Choose whether reports are printed to stderr as they happen.
 * @param quiet true to suppress printing (reports are still recorded)
 */
void lockdep_set_quiet(bool quiet);
/**
 * Number of locks the calling thread holds right now.
 * @return depth of the held-lock stack
 */
int lockdep_depth(void);
/**
 * Whether the calling thread holds a lock of class @p cls.
 * @param cls the class
 * @return true if held (in any mode)
 */
bool lockdep_is_held(const struct lock_class *cls);

/**
 * Small per-thread id used in events and traces: 1 for the first thread that
 * asks, then 2, 3 ... in order of first use, so traces stay reproducible.
 * @return the calling thread's reference id
 */
int ref_thread_id(void);
/**
 * Set the name the calling thread shows in events ("iomap-io", "kworker/u8:1").
 * @param name new name (copied, truncated to 15 characters)
 */
void ref_thread_set_name(const char *name);
/**
 * The calling thread's name (default "iomap-ref").
 * @return name string owned by the thread
 */
const char *ref_thread_name(void);

#endif /* IOMAP_LOCK_H */
