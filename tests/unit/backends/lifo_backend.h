/**
 * @file lifo_backend.h
 * @brief Test helper: a RAM-like backend that completes requests in reverse
 *        order of submission, and only when polled.
 *
 * What it is for: io_uring may complete requests in any order, and a real
 * device may store two writes in either order.  This backend makes the
 * worst case happen every time -- the newest request completes (and its
 * data lands) first -- so that the tests of ordering rules (the block
 * layer's deterministic completion order, the fault backend's deferred
 * rollback) can actually fail when a rule is broken.
 *
 * How to use it: lifo_backend_new(size) (logical block size 512, caps
 * BACKEND_CAP_ASYNC); submit through backend.h; nothing completes until
 * backend_poll() (or backend_drain()), which completes everything queued,
 * newest first.  backend_destroy() frees it.
 *
 * Never: expect a read to see a write submitted before it but not yet
 * polled.
 *
 * Locking: an internal mutex protects the queue and the data; end_io runs
 * without it.
 */
#ifndef IOMAP_TESTS_LIFO_BACKEND_H
#define IOMAP_TESTS_LIFO_BACKEND_H

#include <stdint.h>

#include "backends/backend.h"

/**
 * Create a LIFO backend of @p size bytes, zero-filled, lbs 512.
 * @param size bytes (multiple of 512)
 * @return the backend (allocation failure aborts the test)
 */
struct backend *lifo_backend_new(uint64_t size);

/**
 * Number of completions that overtook an older request still queued.
 * @param b a backend from lifo_backend_new()
 * @return the count so far
 */
unsigned lifo_backend_reordered(struct backend *b);

#endif /* IOMAP_TESTS_LIFO_BACKEND_H */
