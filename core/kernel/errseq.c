/**
 * @file errseq.c
 * @brief Error sequence counters (lib/errseq.c): report each writeback
 *        error once to every file description that was open, or opened
 *        before anybody saw the error.
 *
 * Layout of an ::errseq_t (32 bits):
 *
 *      31                          13  12   11           0
 *     +------------------------------+----+---------------+
 *     |          counter             |SEEN|  -errno       |
 *     +------------------------------+----+---------------+
 *
 * How to use: the mapping owns one counter (`mapping->wb_err`), written by
 * mapping_set_error() → errseq_set().  Each open file keeps the value of
 * errseq_sample() taken at open; fsync calls errseq_check_and_advance()
 * with it, gets any error recorded since, and moves its sample forward.
 *
 * Why the SEEN bit: a counter that changed on every error would need a
 * bump per failed write.  Instead the counter moves only when an error is
 * recorded after somebody has seen the previous one, so a burst of errors
 * nobody has looked at costs nothing, yet every sampler notices a change.
 *
 * Rules (numbered, exercised by tests/unit/kernel/test_errseq.c):
 *   (1) an error is reported at most once per sample;
 *   (2) an error recorded after a sample is reported to that sample,
 *       however many other samplers saw it first;
 *   (3) a file opened after an error that nobody has seen yet still gets
 *       it (errseq_sample() returns 0 then), one opened after a seen error
 *       does not.
 *
 * A caller must never: pass a positive errno, or one above 4095.
 *
 * Locking: none; every update is a compare-and-swap loop on the counter.
 */
#include <stdio.h>

#include <iomap/pagecache.h>

#define ERRSEQ_SHIFT 12                          /* bits of the errno: MAX_ERRNO (types.h) is 4095 */
#define ERRSEQ_SEEN (1u << ERRSEQ_SHIFT)         /* someone reported it */
#define ERRSEQ_CTR_INC (1u << (ERRSEQ_SHIFT + 1)) /* one step of the counter */

errseq_t errseq_set(errseq_t *eseq, int err)
{
	errseq_t old = __atomic_load_n(eseq, __ATOMIC_ACQUIRE), new;

	if (err == 0)
		return old;
	if (err > 0 || (unsigned)-err > MAX_ERRNO) {
		fprintf(stderr, "WARNING: errseq_set: bad error %d ignored\n", err);
		return old;
	}
	do {
		new = (old & ~(MAX_ERRNO | ERRSEQ_SEEN)) | (errseq_t)-err;
		/* Somebody saw the last error: make the change visible to
		 * every sampler by stepping the counter (rule 2). */
		if (old & ERRSEQ_SEEN)
			new += ERRSEQ_CTR_INC;
		if (new == old) /* same unseen error again: nothing to add */
			return new;
	} while (!__atomic_compare_exchange_n(eseq, &old, new, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	return new;
}

errseq_t errseq_sample(errseq_t *eseq)
{
	errseq_t old = __atomic_load_n(eseq, __ATOMIC_ACQUIRE);

	/* Rule 3: an unseen error is still news to a new opener. */
	return (old & ERRSEQ_SEEN) ? old : 0;
}

int errseq_check_and_advance(errseq_t *eseq, errseq_t *since)
{
	errseq_t old = __atomic_load_n(eseq, __ATOMIC_ACQUIRE), new;

	do {
		if (old == *since)
			return 0; /* rule 1: nothing new since this sample */
		/* Mark it seen, so that the next error bumps the counter. */
		new = old | ERRSEQ_SEEN;
		if (new == old)
			break;
	} while (!__atomic_compare_exchange_n(eseq, &old, new, false, __ATOMIC_ACQ_REL,
					      __ATOMIC_ACQUIRE));
	*since = new;
	return -(int)(new & MAX_ERRNO);
}
