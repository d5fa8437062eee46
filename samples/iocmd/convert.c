/**
 * @file convert.c
 * @brief Numbers as xfs_io reads and prints them: cvtnum(), numlen(),
 *        cvtstr(), timestr() and tsub() (xfsprogs libfrog/convert.c and
 *        libxcmd/input.c).
 *
 * cvtnum() is why "falloc 0 1m" works: strtoll() in base 0 (so 0x10 is hex
 * and 010 is octal) followed by at most one unit letter.  Its corner cases
 * are part of xfs_io's behaviour and were measured on xfs_io 6.1
 * (tests/unit/iocmd, cvt-1.*):
 *
 *     "08"     -1     strtoll stops at '8', which is no unit
 *     "1kb"    -1     more than one character after the number
 *     "0x"     -1     strtoll reads "0", then 'x' is no unit
 *     "8e"     < 0    8 << 60 wraps to a negative number
 *     "16e"    0      16 << 60 wraps to zero (accepted!)
 *     "99999999999999999999"   LLONG_MAX (strtoll saturates)
 *
 * The unit arithmetic is done in unsigned 64-bit so that the wrap-around
 * xfs_io shows is computed without signed overflow (which UBSan traps).
 *
 * cvtstr() and timestr() print the timing line of pread and pwrite.  Their
 * output was measured on xfs_io 6.1 with gettimeofday() made to advance by
 * a fixed step (tests/unit/iocmd/test_pio.c, iocmd-pwrite-2.*):
 *
 *     65536 bytes in 124 us      "64 KiB" ... "0.0001 sec" ... "504.032 MiB"
 *     40 bytes                   "40.000000 bytes"
 *     0 us                       "inf EiB" (a rate over no time)
 *     3723.456789 s              "1:02:03.45"
 *     300 us                     "0.0003 sec": timestr works on the integer
 *                                microseconds (a double would give 0.0002)
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>

#include "iocmd-internal.h"

long long iocmd_cvtnum(size_t blocksize, size_t sectorsize, const char *s)
{
	char *sp;
	long long i = strtoll(s, &sp, 0);
	unsigned long long u = (unsigned long long)i;

	if (i == 0 && sp == s)
		return -1;
	if (*sp == '\0')
		return i;
	if (sp[1] != '\0')
		return -1;

	switch (tolower((unsigned char)*sp)) {
	case 'b':
		return (long long)(u * blocksize);
	case 's':
		return (long long)(u * sectorsize);
	case 'k':
		return (long long)(u << 10);
	case 'm':
		return (long long)(u << 20);
	case 'g':
		return (long long)(u << 30);
	case 't':
		return (long long)(u << 40);
	case 'p':
		return (long long)(u << 50);
	case 'e':
		return (long long)(u << 60);
	default:
		return -1;
	}
}

size_t iocmd_numlen(uint64_t val, unsigned base)
{
	size_t len = 0;

	for (; val > 0; val /= base)
		len++;
	return len == 0 ? 1 : len;
}

bool iocmd_parse_ulong(const char *s, unsigned long *val)
{
	char *end;

	*val = strtoul(s, &end, 0);
	return end != s;
}

void iocmd_cvtstr(double value, char *str, size_t size)
{
	static const struct {
		double unit;
		const char *name;
	} units[] = {
		{ 1152921504606846976.0, "EiB" }, { 1125899906842624.0, "PiB" },
		{ 1099511627776.0, "TiB" },       { 1073741824.0, "GiB" },
		{ 1048576.0, "MiB" },             { 1024.0, "KiB" },
	};
	/*
	 * "Whole" is decided the way cvtstr's `value * 1000 == (int)value *
	 * 1000` turns out on x86-64: a value outside int's range converts to
	 * INT_MIN, so 3 GiB/s is printed with three decimals even when whole.
	 * The range test keeps that answer without the undefined conversion.
	 */
	bool whole = value >= (double)INT_MIN && value < (double)INT_MAX + 1.0 &&
		     value == (double)(long long)value;

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (value >= units[i].unit) {
			snprintf(str, size, whole ? "%.f %s" : "%.3f %s", value / units[i].unit,
				 units[i].name);
			return;
		}
	}
	/* Below 1 KiB, and NaN (0 bytes in 0 seconds), which no test above took. */
	snprintf(str, size, "%f bytes", value);
}

void iocmd_timestr(const struct timeval *tv, char *str, size_t size, bool fixed)
{
	unsigned long sec = (unsigned long)tv->tv_sec;
	unsigned long usec = (unsigned long)tv->tv_usec;

	if (fixed || sec)
		snprintf(str, size, "%u:%02u:%02u.%02u", (unsigned)(sec / 3600),
			 (unsigned)(sec % 3600 / 60), (unsigned)(sec % 60),
			 (unsigned)(usec / 10000));
	else
		snprintf(str, size, "0.%04u sec", (unsigned)(usec / 100));
}

struct timeval iocmd_tsub(struct timeval t2, struct timeval t1)
{
	t2.tv_usec -= t1.tv_usec;
	if (t2.tv_usec < 0) {
		t2.tv_usec += 1000000;
		t2.tv_sec--;
	}
	t2.tv_sec -= t1.tv_sec;
	return t2;
}
