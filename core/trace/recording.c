/**
 * @file recording.c
 * @brief The recording sink: every event, in a documented, versioned text
 *        format (docs/RECORDING.md), and a strict parser for it.
 *
 * Format, version 1 (one event per line, UTF-8, '\n' line ends):
 *
 *     # iomap-ref recording v1
 *     E <seq> <ts_ns> <tid> <task> <dev> <ino> <name> [key=value ...]
 *
 *   - seq, ts_ns, tid: decimal; dev: "MAJ:MIN"; ino: 0x hex;
 *   - task, name, key: no white space, no '=' (task names are sanitised);
 *   - value: `0x...` for unsigned, `-?[0-9]+` for signed, `"..."` for
 *     strings with `\\`, `\"`, `\n` and `\t` escaped.
 *
 * Lines starting with '#' after the header are comments.  A reader must
 * refuse a file whose first line is not the header, a version it does not
 * know, or a malformed line (recording_parse_line() says which and where).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/recording.h>
#include <iomap/trace.h>

struct recording_sink {
	struct trace_sink sink; /* first: trace_sink_free() frees priv */
	FILE *out;
	bool header_done;
};

static void put_token(FILE *out, const char *s)
{
	/* Task and event names are identifiers; anything else is replaced so
	 * that the line stays splittable on blanks. */
	if (!*s) {
		fputc('-', out);
		return;
	}
	for (; *s; s++)
		fputc(isspace((unsigned char)*s) || *s == '=' || *s == '"' ? '_' : *s, out);
}

static void put_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		switch (*s) {
		case '"': fputs("\\\"", out); break;
		case '\\': fputs("\\\\", out); break;
		case '\n': fputs("\\n", out); break;
		case '\t': fputs("\\t", out); break;
		default: fputc(*s, out); break;
		}
	}
	fputc('"', out);
}

static void recording_emit(struct trace_sink *sink, const struct trace_event *ev)
{
	struct recording_sink *r = (struct recording_sink *)sink->priv;

	if (!r->header_done) {
		fprintf(r->out, "%s\n", RECORDING_HEADER);
		r->header_done = true;
	}
	fprintf(r->out, "E %llu %llu %d ", (unsigned long long)ev->seq,
		(unsigned long long)ev->ts_ns, ev->tid);
	put_token(r->out, ev->task ? ev->task : "");
	fprintf(r->out, " %u:%u 0x%llx ", MAJOR(ev->dev), MINOR(ev->dev),
		(unsigned long long)ev->ino);
	put_token(r->out, ev->name);
	for (unsigned i = 0; i < ev->nfields; i++) {
		const struct trace_field *f = &ev->f[i];

		fputc(' ', r->out);
		put_token(r->out, f->key);
		fputc('=', r->out);
		switch (f->kind) {
		case TF_U64: fprintf(r->out, "0x%llx", (unsigned long long)f->v.u); break;
		case TF_S64: fprintf(r->out, "%lld", (long long)f->v.s); break;
		case TF_STR: put_string(r->out, f->v.str); break;
		}
	}
	fputc('\n', r->out);
}

static void recording_close(struct trace_sink *sink)
{
	struct recording_sink *r = (struct recording_sink *)sink->priv;

	if (!r->header_done) {
		fprintf(r->out, "%s\n", RECORDING_HEADER);
		r->header_done = true;
	}
	fflush(r->out);
}

struct trace_sink *recording_sink_new(FILE *out)
{
	struct recording_sink *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->out = out;
	r->sink.emit = recording_emit;
	r->sink.close = recording_close;
	r->sink.priv = r;
	return &r->sink;
}

/* ---- parser ---------------------------------------------------------- */

static int parse_err(char *err, size_t errlen, const char *what)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", what);
	return -EINVAL;
}

/* Copy the next blank-separated token into the string arena. */
static const char *take_token(const char **p, struct recording_arena *a)
{
	const char *s = *p;
	size_t n = 0;
	char *dst;

	while (*s == ' ')
		s++;
	while (s[n] && s[n] != ' ' && s[n] != '\n')
		n++;
	if (n == 0 || a->used + n + 1 > sizeof(a->buf))
		return NULL;
	dst = a->buf + a->used;
	memcpy(dst, s, n);
	dst[n] = '\0';
	a->used += n + 1;
	*p = s + n;
	return dst;
}

static bool parse_u64(const char *s, int base, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-' || isspace((unsigned char)*s))
		return false;
	errno = 0;
	*out = strtoull(s, &end, base);
	return errno == 0 && *end == '\0';
}

int recording_check_header(const char *line, char *err, size_t errlen)
{
	size_t hl = strlen(RECORDING_MAGIC);

	if (strncmp(line, RECORDING_MAGIC, hl) != 0)
		return parse_err(err, errlen, "not an iomap-ref recording (missing header)");
	if (strcmp(line + hl, "1") != 0 && strcmp(line + hl, "1\n") != 0)
		return parse_err(err, errlen, "unsupported recording version");
	return 0;
}

int recording_parse_line(const char *line, struct trace_event *ev, struct recording_arena *a,
			 char *err, size_t errlen)
{
	const char *p = line, *tok;
	uint64_t v, ma, mi;
	char *colon;

	a->used = 0;
	if (line[0] != 'E' || line[1] != ' ')
		return parse_err(err, errlen, "line does not start with 'E '");
	p = line + 2;
	trace_event_init(ev, "", 0, 0);

	if (!(tok = take_token(&p, a)) || !parse_u64(tok, 10, &ev->seq))
		return parse_err(err, errlen, "bad sequence number");
	if (!(tok = take_token(&p, a)) || !parse_u64(tok, 10, &ev->ts_ns))
		return parse_err(err, errlen, "bad timestamp");
	if (!(tok = take_token(&p, a)) || !parse_u64(tok, 10, &v) || v > INT32_MAX)
		return parse_err(err, errlen, "bad thread id");
	ev->tid = (int)v;
	if (!(tok = take_token(&p, a)))
		return parse_err(err, errlen, "missing task");
	ev->task = tok;
	if (!(tok = take_token(&p, a)) || !(colon = strchr(tok, ':')))
		return parse_err(err, errlen, "bad device (want MAJ:MIN)");
	*colon = '\0';
	if (!parse_u64(tok, 10, &ma) || !parse_u64(colon + 1, 10, &mi) || ma > 0xfff ||
	    mi > 0xfffff)
		return parse_err(err, errlen, "bad device (want MAJ:MIN)");
	ev->dev = MKDEV(ma, mi);
	if (!(tok = take_token(&p, a)) || strncmp(tok, "0x", 2) != 0 ||
	    !parse_u64(tok + 2, 16, &ev->ino))
		return parse_err(err, errlen, "bad inode number");
	if (!(tok = take_token(&p, a)))
		return parse_err(err, errlen, "missing event name");
	ev->name = tok;

	for (;;) {
		struct trace_field *f;
		const char *key;
		size_t klen;

		while (*p == ' ')
			p++;
		if (*p == '\0' || *p == '\n')
			break;
		if (ev->nfields >= TRACE_MAX_FIELDS)
			return parse_err(err, errlen, "too many fields");
		key = p;
		while (*p && *p != '=' && *p != ' ' && *p != '\n')
			p++;
		if (*p != '=' || p == key)
			return parse_err(err, errlen, "field without '='");
		klen = (size_t)(p - key);
		if (a->used + klen + 1 > sizeof(a->buf))
			return parse_err(err, errlen, "line too long");
		f = &ev->f[ev->nfields];
		memcpy(a->buf + a->used, key, klen);
		a->buf[a->used + klen] = '\0';
		f->key = a->buf + a->used;
		a->used += klen + 1;
		p++; /* '=' */
		if (*p == '"') {
			char *dst = a->buf + a->used;
			size_t n = 0, room = sizeof(a->buf) - a->used;

			p++;
			while (*p && *p != '"') {
				char c = *p++;

				if (c == '\\') {
					c = *p++;
					if (c == 'n')
						c = '\n';
					else if (c == 't')
						c = '\t';
					else if (c != '\\' && c != '"')
						return parse_err(err, errlen, "bad escape in string");
				}
				if (n + 1 >= room)
					return parse_err(err, errlen, "line too long");
				dst[n++] = c;
			}
			if (*p != '"')
				return parse_err(err, errlen, "unterminated string");
			p++;
			dst[n] = '\0';
			a->used += n + 1;
			f->kind = TF_STR;
			f->v.str = dst;
		} else {
			const char *val = take_token(&p, a);

			if (!val)
				return parse_err(err, errlen, "missing value");
			if (strncmp(val, "0x", 2) == 0) {
				if (!parse_u64(val + 2, 16, &f->v.u))
					return parse_err(err, errlen, "bad hex value");
				f->kind = TF_U64;
			} else {
				char *end;

				errno = 0;
				f->v.s = strtoll(val, &end, 10);
				if (errno || *end || end == val)
					return parse_err(err, errlen, "bad number");
				f->kind = TF_S64;
			}
		}
		ev->nfields++;
	}
	return 0;
}
