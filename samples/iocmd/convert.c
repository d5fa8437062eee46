/**
 * @file convert.c
 * @brief Numbers as xfs_io reads and sizes them: cvtnum() and numlen()
 *        (xfsprogs libfrog/convert.c).
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
 */
#include <ctype.h>
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
