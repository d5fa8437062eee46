/**
 * @file describe.c
 * @brief viz_hit_describe(): the tooltip text of whatever viz_hit_test()
 *        found: a folio's fields and the block's bits, an ioend's file and
 *        disk ranges, a lock's holder, an event's line, a call's
 *        arguments, a disk run, a mapping.
 *
 * Text only, several lines separated by '\n', in the trace's spellings
 * (hex offsets, IOMAP_F_* names), so that what a tooltip says can be
 * found in the event list and in the kernel's trace.
 */
#include <stdio.h>
#include <string.h>

#include <iomap/iomap.h>

#include "render-internal.h"

static int folio_text(const struct viz_state *s, const struct viz_hit *hit, char *buf, size_t len)
{
	const struct viz_folio *f = viz_state_folio(s, hit->index);
	bool known = f && f->nr_blocks && hit->sub < f->nr_blocks &&
		     !(viz_state_lacks(s) & VIZ_LACKS_FOLIO_BITS);

	if (!f)
		return snprintf(buf, len, "folio %zu: gone", hit->index);
	return snprintf(buf, len,
			"folio ino 0x%llx index %llu (pos 0x%llx, %llu bytes), order %u\n"
			"flags:%s%s%s%s, %u blocks, last change: %s at step %zu\n"
			"block %u: %s",
			(unsigned long long)f->ino, (unsigned long long)f->index,
			(unsigned long long)f->index << PAGE_SHIFT,
			(unsigned long long)PAGE_SIZE << f->order, f->order,
			f->flags & VIZ_FOLIO_UPTODATE ? " uptodate" : "",
			f->flags & VIZ_FOLIO_DIRTY ? " dirty" : "",
			f->flags & VIZ_FOLIO_LOCKED ? " locked" : "",
			f->flags & VIZ_FOLIO_WRITEBACK ? " writeback" : "", f->nr_blocks,
			*f->why ? f->why : "-", f->changed_step, hit->sub,
			!known ? "state unknown" :
			viz_folio_block_dirty(s, hit->index, hit->sub) ? "uptodate, dirty" :
			viz_folio_block_uptodate(s, hit->index, hit->sub) ? "uptodate" :
									 "not uptodate");
}

static int ioend_text(const struct viz_state *s, size_t i, char *buf, size_t len)
{
	const struct viz_ioend *e = viz_state_ioend(s, i);
	char chain[48] = "";

	if (!e)
		return snprintf(buf, len, "ioend %zu: gone", i);
	if (e->into >= 0)
		snprintf(chain, sizeof(chain), ", merged into ioend %lld", (long long)e->into);
	return snprintf(buf, len,
			"ioend %llu (ino 0x%llx): %s\n"
			"file 0x%llx-0x%llx (%llu bytes)\n"
			"disk sectors 0x%llx-0x%llx\n"
			"flags %s, error %lld, %u folios, bio %lld%s",
			(unsigned long long)e->id, (unsigned long long)e->ino,
			vr_ioend_stage_name(e->stage),
			(unsigned long long)e->offset, (unsigned long long)(e->offset + e->size),
			(unsigned long long)e->size, (unsigned long long)e->sector,
			(unsigned long long)(e->sector + (e->size + 511) / 512),
			*e->flags ? e->flags : "none", (long long)e->error, e->nr_folios,
			(long long)e->bio, chain);
}

static int lock_text(const struct viz_state *s, size_t i, char *buf, size_t len)
{
	const struct viz_lock *l = viz_state_lock(s, i);

	if (!l)
		return snprintf(buf, len, "lock %zu: gone", i);
	return snprintf(buf, len, "%s #%llu (level %d)\nthread %d %s %s it %s%s",
			l->cls, (unsigned long long)l->instance, l->level, l->tid, l->task,
			l->stage == VIZ_LOCK_HELD ? "holds" : "waits for", l->mode,
			l->contended ? " (contended)" : "");
}

static int call_text(const struct viz_state *s, size_t i, char *buf, size_t len)
{
	const struct viz_call *c = viz_state_call(s, i);
	char fl[96];

	if (!c)
		return snprintf(buf, len, "call %zu: gone", i);
	if (c->kind == VIZ_CALL_DSTMAP || c->kind == VIZ_CALL_SRCMAP ||
	    c->kind == VIZ_CALL_MAP_BLOCKS) {
		return snprintf(buf, len, "%s at step %zu: %s\noffset 0x%llx length 0x%llx addr %s0x%llx",
				vr_call_name(c->kind), c->step, vr_map_str(&c->map, false, fl, sizeof(fl)),
				(unsigned long long)c->map.offset, (unsigned long long)c->map.length,
				c->map.addr == UINT64_MAX ? "NULL " : "",
				c->map.addr == UINT64_MAX ? 0ull : (unsigned long long)c->map.addr);
	}
	iomap_flags_str(c->flags, fl, sizeof(fl));
	return snprintf(buf, len, "%s at step %zu\npos 0x%llx length 0x%llx flags %s ret %lld%s%s%s%s",
			vr_call_name(c->kind), c->step,
			(unsigned long long)c->pos, (unsigned long long)c->length, *fl ? fl : "-",
			(long long)c->ret, *c->ops ? "\nops " : "", c->ops,
			*c->caller ? "\ncaller " : "", c->caller);
}

static int mapping_text(const struct viz_state *s, size_t i, char *buf, size_t len)
{
	const struct viz_mapping *m = viz_state_mapping(s, i);
	char fl[96];

	if (!m)
		return snprintf(buf, len, "mapping %zu: gone", i);
	vr_map_str(m, false, fl, sizeof(fl));
	if (m->addr == UINT64_MAX)
		return snprintf(buf, len, "%s\nfile 0x%llx-0x%llx, no disk address\nreturned at step %zu",
				fl, (unsigned long long)m->offset,
				(unsigned long long)(m->offset + m->length), m->step);
	return snprintf(buf, len, "%s\nfile 0x%llx-0x%llx -> disk 0x%llx\nreturned at step %zu",
			fl, (unsigned long long)m->offset,
			(unsigned long long)(m->offset + m->length), (unsigned long long)m->addr,
			m->step);
}

static int disk_text(const struct viz_state *s, size_t i, char *buf, size_t len)
{
	const struct viz_disk_run *r = viz_state_disk_run(s, i);

	if (!r)
		return snprintf(buf, len, "disk run %zu: gone", i);
	return snprintf(buf, len, "sectors 0x%llx-0x%llx (%llu bytes)\n%s by bio %llu, %s (step %zu)",
			(unsigned long long)r->sector,
			(unsigned long long)(r->sector + r->nr_sectors),
			(unsigned long long)r->nr_sectors * 512, r->write ? "written" : "read",
			(unsigned long long)r->bio, r->done ? "done" : "in flight", r->changed_step);
}

int viz_hit_describe(const struct viz_view *v, const struct viz_hit *hit, char *buf, size_t len)
{
	int n;

	if (!buf || !len)
		return 0;
	buf[0] = '\0';
	if (!v || !v->state || !hit)
		return 0;
	switch (hit->kind) {
	case VIZ_HIT_FOLIO:
		n = folio_text(v->state, hit, buf, len);
		break;
	case VIZ_HIT_IOEND:
		n = ioend_text(v->state, hit->index, buf, len);
		break;
	case VIZ_HIT_LOCK:
		n = lock_text(v->state, hit->index, buf, len);
		break;
	case VIZ_HIT_EVENT:
		n = v->store ? viz_store_format(v->store, hit->index, buf, len) : 0;
		if (n < 0)
			n = snprintf(buf, len, "event %zu: out of range", hit->index);
		break;
	case VIZ_HIT_CALL:
		n = call_text(v->state, hit->index, buf, len);
		break;
	case VIZ_HIT_DISK:
		n = disk_text(v->state, hit->index, buf, len);
		break;
	case VIZ_HIT_MAPPING:
		n = mapping_text(v->state, hit->index, buf, len);
		break;
	case VIZ_HIT_NONE:
	default:
		return 0;
	}
	if (n < 0)
		n = 0;
	return (size_t)n >= len ? (int)(len - 1) : n;
}
