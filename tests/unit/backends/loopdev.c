/**
 * @file loopdev.c
 * @brief Test helper: attach and always detach a loop device (see loopdev.h).
 *
 * losetup is run with fork()+execv() rather than system(), so that the
 * signal-handler path (which may only use async-signal-safe calls) can run
 * exactly the same command as the normal path.
 *
 * Locking: none; the registry of attached devices is used by one thread and
 * by signal handlers that only read it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loopdev.h"

/* Devices attached and not yet detached, for the atexit/signal safety net. */
#define LOOPDEV_MAX 8
static struct loopdev *volatile loopdev_registry[LOOPDEV_MAX];
static char losetup_path[256];
static bool handlers_installed;
static struct sigaction old_sigint, old_sigterm;

/* Find an executable losetup in PATH (plus the sbin directories). */
static bool find_losetup(void)
{
	const char *path = getenv("PATH");
	char dirs[1024];
	char *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s:/usr/sbin:/sbin", path ? path : "/usr/bin:/bin");
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(losetup_path, sizeof(losetup_path), "%s/losetup", d);
		if (access(losetup_path, X_OK) == 0)
			return true;
	}
	losetup_path[0] = '\0';
	return false;
}

/*
 * Run losetup with @argv; its stdout and stderr go to @out.  Returns the
 * exit status, or -1 if it could not be run or was killed.
 */
static int run_losetup(char *const argv[], char *out, size_t outlen)
{
	int pipefd[2], status;
	size_t used = 0;
	pid_t pid;

	if (pipe(pipefd) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		close(pipefd[0]);
		close(pipefd[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		execv(losetup_path, argv);
		_exit(127);
	}
	close(pipefd[1]);
	for (;;) {
		ssize_t n = read(pipefd[0], out + used, outlen - 1 - used);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		used += (size_t)n;
		if (used == outlen - 1)
			break;
	}
	out[used] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Detach in a way that is safe inside a signal handler. */
static void detach_async_safe(struct loopdev *ld)
{
	char *const argv[] = { "losetup", "-d", ld->path, NULL };
	pid_t pid;

	if (!ld->attached || ld->owner != getpid())
		return;
	pid = fork();
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);

		if (devnull >= 0) {
			dup2(devnull, STDOUT_FILENO);
			dup2(devnull, STDERR_FILENO);
		}
		execv(losetup_path, argv);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	ld->attached = false;
	if (ld->image[0])
		unlink(ld->image);
}

static void detach_all(void)
{
	for (int i = 0; i < LOOPDEV_MAX; i++)
		if (loopdev_registry[i])
			detach_async_safe(loopdev_registry[i]);
}

static void loopdev_atexit(void)
{
	detach_all();
}

/* Detach, then hand the signal to whoever handled it before us (Check). */
static void loopdev_on_signal(int sig)
{
	detach_all();
	sigaction(sig, sig == SIGINT ? &old_sigint : &old_sigterm, NULL);
	raise(sig);
}

static void install_handlers(void)
{
	struct sigaction sa;

	if (handlers_installed)
		return;
	handlers_installed = true;
	atexit(loopdev_atexit);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = loopdev_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_sigint);
	sigaction(SIGTERM, &sa, &old_sigterm);
}

int loopdev_attach(struct loopdev *ld, uint64_t size, unsigned lbs)
{
	char out[512], lbs_str[16];
	int fd, status;

	memset(ld, 0, sizeof(*ld));
	ld->lbs = lbs;
	ld->owner = getpid();
	if (geteuid() != 0) {
		snprintf(ld->reason, sizeof(ld->reason),
			 "not running as root (euid %u); loop devices need root",
			 (unsigned)geteuid());
		return -1;
	}
	if (!find_losetup()) {
		snprintf(ld->reason, sizeof(ld->reason), "losetup not found in PATH");
		return -1;
	}
	snprintf(ld->image, sizeof(ld->image), "/tmp/iomap-ref-loop-XXXXXX");
	fd = mkstemp(ld->image);
	if (fd < 0) {
		snprintf(ld->reason, sizeof(ld->reason), "cannot create image in /tmp: %s",
			 strerror(errno));
		ld->image[0] = '\0';
		return -1;
	}
	if (ftruncate(fd, (off_t)size) < 0) {
		snprintf(ld->reason, sizeof(ld->reason), "cannot size image: %s", strerror(errno));
		close(fd);
		unlink(ld->image);
		ld->image[0] = '\0';
		return -1;
	}
	close(fd);

	snprintf(lbs_str, sizeof(lbs_str), "%u", lbs);
	{
		char *const argv[] = { "losetup", "-f", "--show", "-b", lbs_str, ld->image, NULL };

		status = run_losetup(argv, out, sizeof(out));
	}
	out[strcspn(out, "\n")] = '\0';
	if (status != 0 || strncmp(out, "/dev/loop", 9) != 0 || strlen(out) >= sizeof(ld->path)) {
		snprintf(ld->reason, sizeof(ld->reason), "losetup -f --show failed (status %d): %.200s",
			 status, out);
		unlink(ld->image);
		ld->image[0] = '\0';
		return -1;
	}
	memcpy(ld->path, out, strlen(out) + 1);
	ld->attached = true;
	install_handlers();
	for (int i = 0; i < LOOPDEV_MAX; i++) {
		if (!loopdev_registry[i]) {
			loopdev_registry[i] = ld;
			break;
		}
	}
	return 0;
}

void loopdev_detach(struct loopdev *ld)
{
	char out[512];

	for (int i = 0; i < LOOPDEV_MAX; i++)
		if (loopdev_registry[i] == ld)
			loopdev_registry[i] = NULL;
	if (ld->attached && ld->owner == getpid()) {
		char *const argv[] = { "losetup", "-d", ld->path, NULL };
		int status = run_losetup(argv, out, sizeof(out));

		if (status != 0)
			fprintf(stderr, "loopdev: losetup -d %s failed (status %d): %s\n", ld->path,
				status, out);
		ld->attached = false;
	}
	if (ld->image[0] && ld->owner == getpid()) {
		unlink(ld->image);
		ld->image[0] = '\0';
	}
}
