/**
 * @file lock.c
 * @brief Sleeping locks (rw_semaphore, mutex) that report every acquisition
 *        to the lock validator, and the reference thread ids used in events.
 *
 * Mirrors the lock entry points of kernel/locking/rwsem.c (down_read(),
 * down_write(), up_read(), ...) and kernel/locking/mutex.c (mutex_lock(),
 * mutex_trylock(), mutex_unlock()), built on pthread locks.  What the kernel
 * gets from its lockdep annotations (rwsem_acquire(), lock_contended(),
 * lock_acquired(), rwsem_release()) happens here in one fixed pattern:
 *
 *     blocking:  lockdep_acquire -> trylock --ok--------------------> lockdep_acquired
 *                                          \--busy--> lockdep_contended
 *                                                     -> blocking lock -> lockdep_acquired
 *     trylock:   trylock --ok--> lockdep_acquire(trylock) -> lockdep_acquired
 *                        \--busy--> (nothing: a failed trylock held nothing)
 *     release:   lockdep_release -> unlock
 *
 * The validator is told *before* a blocking acquisition, as in the kernel,
 * so that an order inversion is reported even when the acquisition is
 * about to deadlock.  A trylock is announced only once it has succeeded, so
 * a failed trylock leaves no trace in the held-lock stack.
 *
 * How to use: init_rwsem() / mutex_init_class() with a class defined by
 * DEFINE_LOCK_CLASS(), then the usual down_* / up_* / mutex_* calls.
 *
 * A caller must never: release a lock on a thread other than the one that
 * took it; destroy a held lock; take the same instance twice on one thread
 * (the validator reports it, then the thread deadlocks, as in the kernel).
 *
 * Locking: each lock protects whatever its owner says it does; the
 * instance counter and the thread-id counter are atomics; thread ids and
 * names are thread-local and need no lock.
 */
#include <stdio.h>
#include <string.h>

#include <iomap/lock.h>

/* ---------------------------------------------------------------------- */
/* Reference thread ids and names                                          */
/* ---------------------------------------------------------------------- */

/** Last thread id handed out; ids are 1, 2, 3 ... in order of first use. */
static int last_thread_id;
/** The calling thread's id; 0 until it first asks. */
static __thread int this_thread_id;
/** The calling thread's name, as shown in events (at most 15 characters). */
static __thread char this_thread_name[16] = "iomap-ref";

int ref_thread_id(void)
{
	if (this_thread_id == 0)
		this_thread_id = __atomic_add_fetch(&last_thread_id, 1, __ATOMIC_SEQ_CST);
	return this_thread_id;
}

void ref_thread_set_name(const char *name)
{
	/* The kernel's TASK_COMM_LEN is 16 including the terminator. */
	snprintf(this_thread_name, sizeof(this_thread_name), "%s", name ? name : "");
}

const char *ref_thread_name(void)
{
	return this_thread_name;
}

/* ---------------------------------------------------------------------- */
/* Instance numbers                                                        */
/* ---------------------------------------------------------------------- */

/** Last lock instance number handed out. */
static uint64_t last_instance;

uint64_t lockdep_new_instance(void)
{
	return __atomic_add_fetch(&last_instance, 1, __ATOMIC_SEQ_CST);
}

/* ---------------------------------------------------------------------- */
/* rw_semaphore                                                            */
/* ---------------------------------------------------------------------- */

void init_rwsem(struct rw_semaphore *sem, struct lock_class *cls, const char *name)
{
	pthread_rwlockattr_t attr;

	pthread_rwlockattr_init(&attr);
	/*
	 * A kernel rwsem lets a waiting writer hold off new readers, so two
	 * readers that take two rwsems in opposite orders can deadlock against
	 * a writer.  glibc's default prefers readers and would hide that;
	 * writer preference makes the pthread lock behave like the kernel's.
	 */
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&sem->rw, &attr);
	pthread_rwlockattr_destroy(&attr);
	sem->cls = cls;
	sem->name = name ? name : cls->name;
	sem->instance = lockdep_new_instance();
}

void rwsem_destroy(struct rw_semaphore *sem)
{
	pthread_rwlock_destroy(&sem->rw);
}

/* The blocking pattern of the file comment, for both modes. */
static void rwsem_down(struct rw_semaphore *sem, enum lock_mode mode, unsigned subclass)
{
	int busy;

	lockdep_acquire_nested(sem->cls, subclass, mode, sem->instance, false);
	busy = mode == LOCK_SHARED ? pthread_rwlock_tryrdlock(&sem->rw)
				   : pthread_rwlock_trywrlock(&sem->rw);
	if (busy) {
		lockdep_contended(sem->cls, sem->instance);
		if (mode == LOCK_SHARED)
			pthread_rwlock_rdlock(&sem->rw);
		else
			pthread_rwlock_wrlock(&sem->rw);
	}
	lockdep_acquired(sem->cls, mode, sem->instance);
}

static int rwsem_try(struct rw_semaphore *sem, enum lock_mode mode)
{
	int busy = mode == LOCK_SHARED ? pthread_rwlock_tryrdlock(&sem->rw)
				       : pthread_rwlock_trywrlock(&sem->rw);

	if (busy)
		return 0;
	lockdep_acquire(sem->cls, mode, sem->instance, true);
	lockdep_acquired(sem->cls, mode, sem->instance);
	return 1;
}

void down_read(struct rw_semaphore *sem)
{
	rwsem_down(sem, LOCK_SHARED, 0);
}

void down_write(struct rw_semaphore *sem)
{
	rwsem_down(sem, LOCK_EXCLUSIVE, 0);
}

void down_read_nested(struct rw_semaphore *sem, unsigned subclass)
{
	rwsem_down(sem, LOCK_SHARED, subclass);
}

void down_write_nested(struct rw_semaphore *sem, unsigned subclass)
{
	rwsem_down(sem, LOCK_EXCLUSIVE, subclass);
}

int down_read_trylock(struct rw_semaphore *sem)
{
	return rwsem_try(sem, LOCK_SHARED);
}

int down_write_trylock(struct rw_semaphore *sem)
{
	return rwsem_try(sem, LOCK_EXCLUSIVE);
}

void up_read(struct rw_semaphore *sem)
{
	lockdep_release(sem->cls, sem->instance);
	pthread_rwlock_unlock(&sem->rw);
}

void up_write(struct rw_semaphore *sem)
{
	lockdep_release(sem->cls, sem->instance);
	pthread_rwlock_unlock(&sem->rw);
}

/* ---------------------------------------------------------------------- */
/* mutex                                                                   */
/* ---------------------------------------------------------------------- */

void mutex_init_class(struct mutex *m, struct lock_class *cls, const char *name)
{
	pthread_mutex_init(&m->m, NULL);
	m->cls = cls;
	m->name = name ? name : cls->name;
	m->instance = lockdep_new_instance();
}

void mutex_destroy_class(struct mutex *m)
{
	pthread_mutex_destroy(&m->m);
}

void mutex_lock_nested(struct mutex *m, unsigned subclass)
{
	lockdep_acquire_nested(m->cls, subclass, LOCK_EXCLUSIVE, m->instance, false);
	if (pthread_mutex_trylock(&m->m) != 0) {
		lockdep_contended(m->cls, m->instance);
		pthread_mutex_lock(&m->m);
	}
	lockdep_acquired(m->cls, LOCK_EXCLUSIVE, m->instance);
}

void mutex_lock(struct mutex *m)
{
	mutex_lock_nested(m, 0);
}

int mutex_trylock(struct mutex *m)
{
	if (pthread_mutex_trylock(&m->m) != 0)
		return 0;
	lockdep_acquire(m->cls, LOCK_EXCLUSIVE, m->instance, true);
	lockdep_acquired(m->cls, LOCK_EXCLUSIVE, m->instance);
	return 1;
}

void mutex_unlock(struct mutex *m)
{
	lockdep_release(m->cls, m->instance);
	pthread_mutex_unlock(&m->m);
}
