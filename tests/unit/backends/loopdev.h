/**
 * @file loopdev.h
 * @brief Test helper: attach a real loop device over a sparse image in /tmp.
 *
 * What it is for: the bdev backend can only be tested against a real block
 * device.  A loop device is the one every Linux machine can make, but only
 * root can attach one, so the helper either gives a device or a one-line
 * reason why not, and the tests that need it count themselves as skipped.
 *
 * How to use it (from the Check parent process, e.g. an unchecked fixture):
 *
 *     struct loopdev ld;
 *     if (loopdev_attach(&ld, 64 << 20, 4096) < 0)
 *             printf("SKIP bdev: %s\n", ld.reason);
 *     ... tests open ld.path with backend_bdev_new() ...
 *     loopdev_detach(&ld);          // always; safe if attach failed
 *
 * Detaching is guaranteed three ways: loopdev_detach() in the teardown, an
 * atexit() handler, and a SIGINT/SIGTERM/SIGALRM handler (a test runner's
 * timeout), each of which detaches every device still attached -- but only
 * in the process that attached it, so that Check's forked test children,
 * which inherit the handlers, never detach the parent's device.
 *
 * Never: attach from a forked test child (the child's exit would not detach
 * it, and its death would leak the device); share one struct between
 * processes for writing.
 *
 * Locking: none; use from one thread.
 */
#ifndef IOMAP_TESTS_LOOPDEV_H
#define IOMAP_TESTS_LOOPDEV_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/** One attached (or failed-to-attach) loop device. */
struct loopdev {
	char path[64];     /**< "/dev/loopN" once attached */
	char image[128];   /**< backing image file in /tmp */
	char reason[256];  /**< why attaching failed, for the SKIP line */
	unsigned lbs;      /**< logical block size asked for */
	bool attached;     /**< path is a live loop device we own */
	pid_t owner;       /**< process that attached it */
};

/**
 * Create a sparse image of @p size bytes in /tmp and attach it with
 * `losetup -f --show -b LBS`.
 * @param ld    result; on failure `ld->reason` says why
 * @param size  image size in bytes
 * @param lbs   logical block size of the loop device (512 or 4096)
 * @return 0 if attached, -1 if not (not root, no losetup, no free device, ...)
 */
int loopdev_attach(struct loopdev *ld, uint64_t size, unsigned lbs);

/**
 * Detach the device and remove the image.  Safe to call twice, and on a
 * struct whose attach failed.
 * @param ld the device
 */
void loopdev_detach(struct loopdev *ld);

#endif /* IOMAP_TESTS_LOOPDEV_H */
