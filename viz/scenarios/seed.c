/**
 * @file seed.c
 * @brief Where a scenario's seed section lives on the web:
 *        viz_scenario_seed_url().
 *
 * The seed documents are the kernel's Documentation/filesystems/iomap/
 * pages, published at docs.kernel.org; Sphinx turns each section heading
 * into an anchor by lower-casing it and replacing every run of other
 * characters with one '-'.  A scenario names its section as a path of
 * headings ("Buffered I/O > Buffered Writes"); the anchor is that of the
 * last heading.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "viz-scenario.h"

/** Base address of the kernel's filesystem documentation. */
#define SEED_BASE "https://docs.kernel.org/filesystems/"

int viz_scenario_seed_url(const struct viz_scenario *sc, char *buf, size_t len)
{
	const char *doc, *sec, *dot;
	size_t n = 0, base;
	bool dash = false;
	int w;

	if (!sc || !buf || !len || !sc->seed_doc || !*sc->seed_doc)
		return -EINVAL;
	doc = sc->seed_doc;
	dot = strrchr(doc, '.');
	if (!dot || strcmp(dot, ".rst") != 0)
		return -EINVAL;
	w = snprintf(buf, len, "%s%.*s.html", SEED_BASE, (int)(dot - doc), doc);
	if (w < 0 || (size_t)w >= len)
		return -ENOSPC;
	n = (size_t)w;
	if (!sc->seed_section || !*sc->seed_section)
		return (int)n;
	sec = strrchr(sc->seed_section, '>');
	sec = sec ? sec + 1 : sc->seed_section;
	while (*sec == ' ')
		sec++;
	if (n + 2 >= len)
		return -ENOSPC;
	buf[n++] = '#';
	base = n;
	for (; *sec; sec++) {
		unsigned char c = (unsigned char)*sec;

		if (isalnum(c)) {
			if (dash && n > base) {
				if (n + 1 >= len)
					return -ENOSPC;
				buf[n++] = '-';
			}
			dash = false;
			if (n + 1 >= len)
				return -ENOSPC;
			buf[n++] = (char)tolower(c);
		} else {
			dash = true;
		}
	}
	buf[n] = '\0';
	return (int)n;
}
