/**
 * @file model.c
 * @brief The model: the fold of viz/model/fold.c over a store, with
 *        checkpoints so that any step is reached quickly in either
 *        direction.
 *
 * How to use it: viz_model_new() over a store, viz_model_seek() to a step,
 * viz_model_state() to draw.  The state belongs to the model and changes at
 * the next seek.
 *
 * Checkpoints are made lazily: whenever a fold passes a multiple of the
 * interval (512 steps to start with) it keeps a copy of the state there.
 * Seeking forward folds only the new events (or, when a checkpoint lies
 * between the current step and the target, restores it first); seeking
 * back restores the highest checkpoint at or below the target and folds
 * forward from it.  At
 * most VM_MAX_CHECKPOINTS copies are kept: when there would be more, the
 * interval doubles and every other checkpoint goes, so memory stays
 * bounded whatever the length of the run, and a seek folds at most one
 * interval of events past its checkpoint.
 *
 * A caller must never: free the store before the model; seek from two
 * threads.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <iomap/types.h>

#include "model-internal.h"

#define VM_FIRST_INTERVAL 512
#define VM_MAX_CHECKPOINTS 128

struct vm_checkpoint {
	size_t step;
	struct viz_state *s;
};

struct viz_model {
	const struct viz_store *st;
	struct viz_state *cur;
	struct vm_checkpoint *cps; /* sorted by step */
	size_t nr_cps, cap_cps;
	size_t interval;
};

struct viz_model *viz_model_new(const struct viz_store *st)
{
	struct viz_model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->st = st;
	m->interval = VM_FIRST_INTERVAL;
	m->cur = vf_state_new(viz_store_source(st));
	if (!m->cur) {
		free(m);
		return NULL;
	}
	return m;
}

void viz_model_free(struct viz_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nr_cps; i++)
		vf_state_free(m->cps[i].s);
	free(m->cps);
	vf_state_free(m->cur);
	free(m);
}

const struct viz_store *viz_model_store(const struct viz_model *m)
{
	return m->st;
}

size_t viz_model_nr_steps(const struct viz_model *m)
{
	return viz_store_count(m->st);
}

size_t viz_model_step(const struct viz_model *m)
{
	return viz_state_step(m->cur);
}

const struct viz_state *viz_model_state(const struct viz_model *m)
{
	return m->cur;
}

/* Index of the first checkpoint with step > @step. */
static size_t cp_upper(const struct viz_model *m, size_t step)
{
	size_t lo = 0, hi = m->nr_cps;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->cps[mid].step <= step)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Double the interval and drop the checkpoints that are off the new grid. */
static void cp_thin(struct viz_model *m)
{
	size_t keep = 0;

	m->interval *= 2;
	for (size_t i = 0; i < m->nr_cps; i++) {
		if (m->cps[i].step % m->interval == 0)
			m->cps[keep++] = m->cps[i];
		else
			vf_state_free(m->cps[i].s);
	}
	m->nr_cps = keep;
}

/* Keep a copy of the current state if it sits on the grid (best effort). */
static void cp_maybe_save(struct viz_model *m)
{
	size_t step = viz_state_step(m->cur), at;
	struct viz_state *copy;

	if (step == 0 || step % m->interval)
		return;
	at = cp_upper(m, step);
	if (at > 0 && m->cps[at - 1].step == step)
		return;
	if (m->nr_cps >= VM_MAX_CHECKPOINTS) {
		cp_thin(m);
		if (step % m->interval)
			return;
		at = cp_upper(m, step);
	}
	if (m->nr_cps == m->cap_cps) {
		size_t cap = m->cap_cps ? m->cap_cps * 2 : 16;
		struct vm_checkpoint *n = realloc(m->cps, cap * sizeof(*n));

		if (!n)
			return; /* a missing checkpoint only costs time */
		m->cps = n;
		m->cap_cps = cap;
	}
	copy = vf_state_new(viz_store_source(m->st));
	if (!copy || vf_state_copy(copy, m->cur) < 0) {
		vf_state_free(copy);
		return;
	}
	memmove(&m->cps[at + 1], &m->cps[at], (m->nr_cps - at) * sizeof(*m->cps));
	m->cps[at].step = step;
	m->cps[at].s = copy;
	m->nr_cps++;
}

int viz_model_seek(struct viz_model *m, size_t step)
{
	size_t n = viz_model_nr_steps(m), at;

	if (step > n)
		step = n;
	at = cp_upper(m, step);
	/*
	 * Back: restore the checkpoint at or below the target.  Forward: fold
	 * on from the current state, unless a checkpoint lies between the two.
	 */
	if (step < viz_state_step(m->cur) ||
	    (at > 0 && m->cps[at - 1].step > viz_state_step(m->cur))) {
		if (at == 0)
			vf_state_reset(m->cur);
		else if (vf_state_copy(m->cur, m->cps[at - 1].s) < 0)
			return -ENOMEM; /* cur was reset to step 0: still consistent */
	}
	while (viz_state_step(m->cur) < step) {
		if (vf_apply(m->cur, m->st, viz_state_step(m->cur)) < 0) {
			vf_state_reset(m->cur); /* never leave a half-applied event */
			return -ENOMEM;
		}
		cp_maybe_save(m);
	}
	return 0;
}

size_t viz_model_step_over(const struct viz_model *m, size_t step)
{
	const struct viz_store *st = m->st;
	size_t lo = 0, hi = st->nr_op_end;

	/*
	 * A kernel trace has no op_end: the operation around @step runs until
	 * the next one starts (store.c records where, as it appends); stop
	 * just before it.  The event at index @step is the next to apply: if
	 * it starts one, the operation it starts is the one to step over.
	 */
	if (st->src == VIZ_SRC_KERNEL)
		return step < st->nr_ev ? vs_next_op_start(st, step) : viz_model_nr_steps(m);

	/* The first op_end at index >= step ends the operation around it. */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (st->op_end[mid] < step)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < st->nr_op_end ? st->op_end[lo] + 1 : viz_model_nr_steps(m);
}

size_t viz_model_next_break(const struct viz_model *m, size_t step, const char *const *names,
			    size_t nr)
{
	const struct viz_store *st = m->st;
	uint32_t ids[16];
	size_t nr_ids = 0;

	for (size_t k = 0; k < nr && nr_ids < ARRAY_SIZE(ids); k++) {
		uint32_t id = names[k] ? vs_lookup(st, names[k]) : UINT32_MAX;

		if (id != UINT32_MAX)
			ids[nr_ids++] = id;
	}
	if (!nr_ids)
		return viz_model_nr_steps(m);
	/* Event i brings the model to step i + 1, so start at event @step. */
	for (size_t i = step; i < st->nr_ev; i++)
		for (size_t k = 0; k < nr_ids; k++)
			if (st->ev[i].name == ids[k])
				return i + 1;
	return viz_model_nr_steps(m);
}

size_t viz_model_op_step(const struct viz_model *m, size_t op)
{
	const struct viz_store *st = m->st;

	return op < st->nr_op_begin ? st->op_begin[op] + 1 : viz_model_nr_steps(m);
}
