/**
 * @file recording.h
 * @brief Reading the recording format written by recording_sink_new()
 *        (docs/RECORDING.md).
 *
 * The parser is strict: it accepts exactly what the writer produces and
 * names the first problem of a malformed line, so that a corrupt file gives
 * a clear error instead of a wrong picture.
 */
#ifndef IOMAP_RECORDING_H
#define IOMAP_RECORDING_H

#include "trace.h"

/** The header's fixed part; the version number follows it. */
#define RECORDING_MAGIC "# iomap-ref recording v"
/** The header line this version writes. */
#define RECORDING_HEADER RECORDING_MAGIC "1"

/** Storage for the strings of one parsed event. */
struct recording_arena {
	char buf[4096]; /**< strings of the event, NUL-separated */
	size_t used;    /**< bytes used */
};

/**
 * Check the first line of a recording.
 * @param line   the line (with or without its '\n')
 * @param err    message on failure (may be NULL)
 * @param errlen size of @p err
 * @return 0, or -EINVAL (not a recording, or an unknown version)
 */
int recording_check_header(const char *line, char *err, size_t errlen);
/**
 * Parse one event line.  String fields point into @p arena, which is reset.
 * @param line   the line (with or without its '\n')
 * @param ev     output event
 * @param arena  storage for its strings
 * @param err    message on failure (may be NULL)
 * @param errlen size of @p err
 * @return 0, or -EINVAL with a message naming the problem
 */
int recording_parse_line(const char *line, struct trace_event *ev, struct recording_arena *arena,
			 char *err, size_t errlen);

#endif /* IOMAP_RECORDING_H */
