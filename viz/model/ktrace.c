/**
 * @file ktrace.c
 * @brief Reading a real kernel's trace text (tracefs `trace`, trace-cmd
 *        report) into a store, with the same field names and value kinds
 *        as the reference's events, and the normaliser of
 *        tests/xcheck/normalize.sh -m.
 *
 * A tracefs line and what it becomes:
 *
 *     xfs_io-10147 [001] ..... 326.728899: iomap_iter: dev 7:0 ino 0x83
 *       pos 0x0 length 0x0 status 0 flags WRITE (0x1) ops 0xffff... caller
 *       iomap_file_buffered_write+0xcf/0x470
 *   -> task "xfs_io", tid 10147, ts 326728899000 ns, dev 7:0, ino 0x83,
 *      iomap_iter pos=0x0 length=0x0 status=0 flags=0x1
 *      ops="0xffff..." caller="iomap_file_buffered_write"
 *
 * This inverts core/trace/ftrace.c: each kernel event has a schema (the
 * keys of its TP_printk in order and how each value is spelt); symbolic
 * values such as `WRITE (0x1)` or `NEW|DIRTY (0x3)` keep only the number,
 * as the reference does; `dirty len` becomes `dirty_len`; `bdev M:m`
 * becomes the reference's MKDEV number.  trace-cmd report lines (no flags
 * column) are accepted too.  `#` lines and events that are not `iomap_*`
 * are skipped; `CPU:N [LOST M EVENTS]` lines are skipped and M counted
 * (viz_store_lost_events()); an `iomap_*` event without a schema is kept
 * with its text only.  Keys are matched by name, so an event of an older
 * or newer kernel with fewer or more keys than the 6.18 schema loads (a
 * missing key leaves its field absent).  Anything else is an error naming
 * the problem.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/types.h>

#include "model-internal.h"

/* How a value is spelt in the text. */
enum vk_spell {
	VS_HEX,    /* 0x1f -> TF_U64 */
	VS_DEC,    /* -5 -> TF_S64 */
	VS_BDEV,   /* 7:0 -> TF_U64 MKDEV */
	VS_SYM,    /* NAME (0x3), NAME may be empty -> TF_U64 */
	VS_WORD,   /* DIRECT, may be empty -> TF_STR */
	VS_OPS,    /* 0xffffffff82469ab0 -> TF_STR (kept as text) */
	VS_CALLER, /* func+0x1/0x2 -> TF_STR "func" */
};

struct vk_key {
	const char *text;  /* as printed */
	const char *field; /* reference field name */
	enum vk_spell spell;
};

#define VK_MAX_KEYS 10

struct vk_schema {
	const char *event;
	struct vk_key keys[VK_MAX_KEYS];
};

#define K_MAP { "addr", "addr", VS_HEX }, { "offset", "offset", VS_HEX }, \
	      { "length", "length", VS_HEX }, { "type", "type", VS_SYM }, \
	      { "flags", "flags", VS_SYM }
#define K_RANGE { "size", "size", VS_HEX }, { "offset", "offset", VS_HEX }, \
		{ "length", "length", VS_HEX }

/* After the "dev M:m ino 0x.." head every event starts with. */
static const struct vk_schema vk_schemas[] = {
	{ "iomap_iter", { { "pos", "pos", VS_HEX }, { "length", "length", VS_HEX },
			  { "status", "status", VS_DEC }, { "flags", "flags", VS_SYM },
			  { "ops", "ops", VS_OPS }, { "caller", "caller", VS_CALLER } } },
	{ "iomap_iter_dstmap", { { "bdev", "bdev", VS_BDEV }, K_MAP } },
	{ "iomap_iter_srcmap", { { "bdev", "bdev", VS_BDEV }, K_MAP } },
	{ "iomap_add_to_ioend", { { "bdev", "bdev", VS_BDEV }, { "pos", "pos", VS_HEX },
				  { "dirty len", "dirty_len", VS_HEX }, K_MAP } },
	{ "iomap_writeback_folio", { K_RANGE } },
	{ "iomap_release_folio", { K_RANGE } },
	{ "iomap_invalidate_folio", { K_RANGE } },
	{ "iomap_dio_invalidate_fail", { K_RANGE } },
	{ "iomap_dio_rw_queued", { K_RANGE } },
	{ "iomap_zero_iter", { K_RANGE } },
	{ "iomap_readpage", { { "nr_pages", "nr_pages", VS_DEC } } },
	{ "iomap_readahead", { { "nr_pages", "nr_pages", VS_DEC } } },
	{ "iomap_dio_rw_begin", { K_RANGE, { "done_before", "done_before", VS_HEX },
				  { "flags", "flags", VS_WORD },
				  { "dio_flags", "dio_flags", VS_WORD },
				  { "aio", "aio", VS_DEC } } },
	{ "iomap_dio_complete", { { "size", "size", VS_HEX }, { "offset", "offset", VS_HEX },
				  { "flags", "flags", VS_WORD }, { "aio", "aio", VS_DEC },
				  { "error", "error", VS_DEC }, { "ret", "ret", VS_DEC } } },
};

static const struct vk_schema *schema_of(const char *event)
{
	for (size_t i = 0; i < ARRAY_SIZE(vk_schemas); i++)
		if (strcmp(vk_schemas[i].event, event) == 0)
			return &vk_schemas[i];
	return NULL;
}

static const char *skip_spaces(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static size_t token_len(const char *p)
{
	size_t n = 0;

	while (p[n] && p[n] != ' ' && p[n] != '\t')
		n++;
	return n;
}

/* Whether @p starts with the words @key followed by a blank or the end. */
static bool at_key(const char *p, const char *key)
{
	size_t n = strlen(key);

	return strncmp(p, key, n) == 0 && (p[n] == ' ' || p[n] == '\t' || p[n] == '\0');
}

/* A whole token of hex "0x..." (at most 16 digits); bare digits are not hex. */
static bool parse_hex(const char *p, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;

	if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
		i = 2;
	else
		return false;
	if (n - i > 16)
		return false;
	for (; i < n; i++) {
		int c = tolower((unsigned char)p[i]);

		if (!isxdigit(c))
			return false;
		v = v * 16 + (uint64_t)(isdigit(c) ? c - '0' : c - 'a' + 10);
	}
	*out = v;
	return true;
}

static bool parse_dec(const char *p, size_t n, int64_t *out)
{
	char tmp[32], *end;
	long long v;

	if (!n || n >= sizeof(tmp))
		return false;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	errno = 0;
	v = strtoll(tmp, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

/* "M:m" -> MKDEV. */
static bool parse_devnum(const char *p, size_t n, uint32_t *out)
{
	unsigned long ma, mi;
	char tmp[32], *end;

	if (!n || n >= sizeof(tmp))
		return false;
	memcpy(tmp, p, n);
	tmp[n] = '\0';
	if (!isdigit((unsigned char)tmp[0]))
		return false;
	ma = strtoul(tmp, &end, 10);
	if (*end != ':' || !isdigit((unsigned char)end[1]))
		return false;
	mi = strtoul(end + 1, &end, 10);
	if (*end || ma > MAJOR(UINT32_MAX) || mi > MINOR(UINT32_MAX))
		return false;
	*out = MKDEV(ma, mi);
	return true;
}

/* Lines of a trace-cmd report that precede the events. */
static bool is_report_header(const char *p)
{
	return strncmp(p, "cpus=", 5) == 0 || strncmp(p, "version =", 9) == 0 ||
	       strncmp(p, "CPU ", 4) == 0;
}

#define VK_ERR(...) (snprintf(err, errlen, __VA_ARGS__), -EINVAL)

/* The key of @sc at @p (longest match, so "dirty len" beats a "dirty"), or NULL. */
static const struct vk_key *key_at(const struct vk_schema *sc, const char *p)
{
	const struct vk_key *best = NULL;

	for (unsigned k = 0; k < VK_MAX_KEYS && sc->keys[k].text; k++)
		if (at_key(p, sc->keys[k].text) &&
		    (!best || strlen(sc->keys[k].text) > strlen(best->text)))
			best = &sc->keys[k];
	return best;
}

/*
 * Skip a "key value" pair the schema does not know (a newer or older
 * kernel's field): the key, its value, and a "(0x..)" after a symbolic
 * value.  An empty value (the next token is a known key) is allowed; a
 * word with nothing after it is no pair: NULL.
 */
static const char *skip_unknown(const struct vk_schema *sc, const char *p)
{
	p = skip_spaces(p + token_len(p));
	if (!*p)
		return NULL;
	if (!key_at(sc, p)) {
		p = skip_spaces(p + token_len(p));
		if (*p == '(')
			p = skip_spaces(p + token_len(p));
	}
	return p;
}

/*
 * Parse the fields of a known event; 0 or -EINVAL.  Keys are matched by
 * name, not by position, so a kernel whose TP_printk has fewer keys (the
 * missing fields are then absent: vs_u64() reads 0) or more (they are
 * skipped) than the 6.18 schema still loads.  A key the schema knows must
 * have a well-formed value, and appears at most once.
 */
static int parse_body(const struct vk_schema *sc, const char *p, struct trace_event *ev,
		      char *strbuf, size_t strcap, char *err, size_t errlen)
{
	bool seen[VK_MAX_KEYS] = { false };
	size_t used = 0;

	for (p = skip_spaces(p); *p; p = skip_spaces(p)) {
		const struct vk_key *key = key_at(sc, p);
		struct trace_field *f;
		size_t n;

		if (!key) {
			const char *next = skip_unknown(sc, p);

			if (!next)
				return VK_ERR("%s: unexpected '%.24s' (a key without a value) at the end",
					      sc->event, p);
			p = next;
			continue;
		}
		if (seen[key - sc->keys])
			return VK_ERR("%s: '%s' twice at '%.24s'", sc->event, key->text, p);
		seen[key - sc->keys] = true;
		if (ev->nfields >= TRACE_MAX_FIELDS)
			return VK_ERR("%s: too many fields", sc->event);
		f = &ev->f[ev->nfields];
		p = skip_spaces(p + strlen(key->text));
		n = token_len(p);
		f->key = key->field;
		switch (key->spell) {
		case VS_HEX:
			f->kind = TF_U64;
			if (!parse_hex(p, n, &f->v.u))
				return VK_ERR("%s: %s: bad hex number '%.*s'", sc->event, key->text,
					      (int)(n > 24 ? 24 : n), p);
			break;
		case VS_DEC:
			f->kind = TF_S64;
			if (!parse_dec(p, n, &f->v.s))
				return VK_ERR("%s: %s: bad number '%.*s'", sc->event, key->text,
					      (int)(n > 24 ? 24 : n), p);
			break;
		case VS_BDEV: {
			uint32_t d;

			f->kind = TF_U64;
			if (!parse_devnum(p, n, &d))
				return VK_ERR("%s: bad device '%.*s'", sc->event,
					      (int)(n > 24 ? 24 : n), p);
			f->v.u = d;
			break;
		}
		case VS_SYM:
			f->kind = TF_U64;
			if (*p != '(') { /* the symbolic name, then "(0x..)" */
				p = skip_spaces(p + n);
				n = token_len(p);
			}
			if (n < 3 || p[0] != '(' || p[n - 1] != ')' ||
			    !parse_hex(p + 1, n - 2, &f->v.u))
				return VK_ERR("%s: %s: expected 'NAME (0x..)' at '%.24s'", sc->event,
					      key->text, p);
			break;
		case VS_WORD:
		case VS_OPS:
		case VS_CALLER: {
			size_t keep = n;

			f->kind = TF_STR;
			if (key->spell == VS_WORD && (n == 0 || key_at(sc, p)))
				n = keep = 0; /* empty value: the next key follows */
			if (key->spell == VS_OPS && !parse_hex(p, n, &f->v.u))
				return VK_ERR("%s: ops: bad address '%.*s'", sc->event,
					      (int)(n > 24 ? 24 : n), p);
			if (key->spell == VS_CALLER) {
				const char *plus = memchr(p, '+', n);

				if (!n)
					return VK_ERR("%s: caller: missing", sc->event);
				if (plus)
					keep = (size_t)(plus - p);
			}
			if (used + keep + 1 > strcap)
				return VK_ERR("%s: %s: value too long", sc->event, key->text);
			memcpy(strbuf + used, p, keep);
			strbuf[used + keep] = '\0';
			f->v.str = strbuf + used;
			used += keep + 1;
			break;
		}
		}
		ev->nfields++;
		p += n;
	}
	return 0;
}

/* "CPU:N [LOST M EVENTS]": adds M to *lost and returns true. */
static bool lost_line(const char *p, size_t *lost)
{
	const char *q;
	unsigned long long m;
	char *end;

	if (strncmp(p, "CPU:", 4) != 0 || !(q = strstr(p, "[LOST ")))
		return false;
	m = strtoull(q + 6, &end, 10);
	if (end == q + 6 || strncmp(end, " EVENTS]", 8) != 0)
		return false;
	*lost += (size_t)m;
	return true;
}

int vk_parse_line(struct viz_store *st, const char *line, char *err, size_t errlen)
{
	char task[64], name[64], strbuf[512], raw[1024];
	const struct vk_schema *sc;
	struct trace_event ev;
	const char *p = skip_spaces(line), *lb, *rb, *dash, *body;
	uint64_t sec = 0, frac = 0;
	unsigned frac_digits = 0;
	size_t n;

	if (*p == '\0' || *p == '#' || is_report_header(p) || lost_line(p, &st->nr_lost))
		return 0;
	memset(&ev, 0, sizeof(ev));
	/* TASK-PID: the task may hold blanks and dashes; the pid follows the last '-'. */
	lb = strstr(p, " [");
	if (!lb || !isdigit((unsigned char)lb[2]))
		return VK_ERR("not a kernel trace line (expected 'TASK-PID [CPU] ... "
			      "TIMESTAMP: EVENT: ...') at '%.32s'", p);
	rb = strchr(lb, ']');
	dash = lb;
	while (dash > p && *dash != '-')
		dash--;
	if (!rb || *dash != '-')
		return VK_ERR("bad 'TASK-PID [CPU]' at '%.32s'", p);
	n = (size_t)(dash - p);
	if (n >= sizeof(task))
		n = sizeof(task) - 1;
	memcpy(task, p, n);
	task[n] = '\0';
	ev.tid = atoi(dash + 1);
	/* Optional flags column, then "SEC.USEC:". */
	p = skip_spaces(rb + 1);
	for (int tok = 0;; tok++) {
		const char *q = p;

		n = token_len(p);
		sec = frac = 0;
		frac_digits = 0;
		if (n >= 2 && p[n - 1] == ':' && isdigit((unsigned char)p[0])) {
			while (isdigit((unsigned char)*q))
				sec = sec * 10 + (uint64_t)(*q++ - '0');
			if (*q == '.') {
				q++;
				while (isdigit((unsigned char)*q) && frac_digits < 9) {
					frac = frac * 10 + (uint64_t)(*q++ - '0');
					frac_digits++;
				}
				while (isdigit((unsigned char)*q))
					q++;
			}
			if (q == p + n - 1)
				break;
		}
		if (tok >= 2 || !n)
			return VK_ERR("expected 'SECONDS.MICROS:' after the cpu at '%.32s'", p);
		p = skip_spaces(p + n);
	}
	while (frac_digits < 9) {
		frac *= 10;
		frac_digits++;
	}
	ev.ts_ns = sec * 1000000000ull + frac;
	/* "EVENT: body" */
	p = skip_spaces(p + n);
	n = strcspn(p, ": ");
	if (!n || p[n] != ':')
		return VK_ERR("expected 'EVENT:' at '%.32s'", p);
	if (n >= sizeof(name))
		return VK_ERR("event name too long at '%.32s'", p);
	memcpy(name, p, n);
	name[n] = '\0';
	if (strncmp(name, "iomap_", 6) != 0)
		return 0; /* not an iomap event */
	body = p[n + 1] == ' ' ? p + n + 2 : p + n + 1;
	snprintf(raw, sizeof(raw), "%s: %s", name, body);
	ev.name = name;
	ev.task = task;
	ev.seq = st->nr_ev;
	/* The head: "dev M:m ino 0x..". */
	p = skip_spaces(body);
	if (at_key(p, "dev")) {
		p = skip_spaces(p + 3);
		n = token_len(p);
		if (!parse_devnum(p, n, &ev.dev))
			return VK_ERR("%s: bad device '%.*s'", name, (int)(n > 24 ? 24 : n), p);
		p = skip_spaces(p + n);
		if (!at_key(p, "ino"))
			return VK_ERR("%s: expected 'ino' at '%.24s'", name, p);
		p = skip_spaces(p + 3);
		n = token_len(p);
		if (!parse_hex(p, n, &ev.ino))
			return VK_ERR("%s: bad inode number '%.*s'", name, (int)(n > 24 ? 24 : n), p);
		p += n;
	}
	sc = schema_of(name);
	if (sc) {
		int r = parse_body(sc, p, &ev, strbuf, sizeof(strbuf), err, errlen);

		if (r < 0)
			return r;
	}
	if (vs_append_raw(st, &ev, raw) < 0)
		return -ENOMEM;
	return 1;
}

/* ---- normalize.sh -m ----------------------------------------------------- */

/*
 * Match @pat at @s: 'D' is [0-9]+, 'H' is [0-9a-f]+, anything else is
 * itself.  The length matched, or -1.
 */
static long match_at(const char *s, const char *pat)
{
	const char *p = s;

	for (; *pat; pat++) {
		if (*pat == 'D' || *pat == 'H') {
			const char *q = p;

			while (*pat == 'D' ? isdigit((unsigned char)*q) :
					     (isdigit((unsigned char)*q) || (*q >= 'a' && *q <= 'f')))
				q++;
			if (q == p)
				return -1;
			p = q;
		} else if (*p++ != *pat) {
			return -1;
		}
	}
	return p - s;
}

/*
 * Replace the first match of @pat in @buf by @with; with
 * @after_colon_or_space, only a match that starts the buffer or follows a
 * ':' or ' '.
 */
static void replace_first(char *buf, const char *pat, const char *with, bool after_colon_or_space)
{
	for (char *s = buf; *s; s++) {
		long n;

		if (after_colon_or_space && (s == buf || (s[-1] != ':' && s[-1] != ' ')))
			continue;
		n = match_at(s, pat);
		if (n > 0) {
			size_t wl = strlen(with);

			memmove(s + wl, s + n, strlen(s + n) + 1);
			memcpy(s, with, wl);
			return;
		}
	}
}

int vk_normalise(const char *text, char *buf, size_t len)
{
	char tmp[1024], *c;
	size_t o = 0;

	snprintf(tmp, sizeof(tmp), "%s", text);
	replace_first(tmp, "dev D:D ", "", true);
	replace_first(tmp, " ino 0xH ", " ", false);
	replace_first(tmp, " bdev D:D ", " ", false);
	replace_first(tmp, " ops 0xH ", " ", false);
	c = strstr(tmp, "caller ");
	if (c) {
		c += 7;
		c += strcspn(c, " +");
		if (*c == '+' && match_at(c, "+0xH/0xH") > 0)
			replace_first(c, "+0xH/0xH", "", false);
	}
	/* Mask physical addresses; keep the null address of holes and delalloc. */
	for (const char *s = tmp; *s && o + 1 < len;) {
		long n = strncmp(s, "addr 0x", 7) == 0 ? match_at(s, "addr 0xH") : -1;

		if (n > 0 && !(n == 23 && strncmp(s + 7, "ffffffffffffffff", 16) == 0)) {
			o += (size_t)snprintf(buf + o, len - o, "addr ADDR");
			s += n;
			if (o >= len)
				o = len - 1;
			continue;
		}
		buf[o++] = *s++;
	}
	if (len)
		buf[o < len ? o : len - 1] = '\0';
	return (int)o;
}
