/*-------------------------------------------------------------------------
 *
 * params.c
 *	  One sample of parameter values per query, for the advisor's re-planning.
 *
 * The advisor re-plans a normalized query with
 *		PREPARE s AS <normalized text>; EXPLAIN EXECUTE s(<sample>)
 * so the sample contains one SQL expression per $n of the normalized text: the
 * literal as written in the query for constants the normalization replaced,
 * and a typed literal such as '42'::integer for bind parameters.
 *
 * A sample is a fixed-size buffer of NUL-terminated strings, so it can be
 * copied into shared memory under a spinlock without allocating.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "scaleup.h"

/*
 * Append one value.  Returns false, and marks the sample incomplete, when the
 * buffer has no room for it.
 */
bool
param_sample_add(ParamSample *sample, const char *value)
{
	int			len = strlen(value) + 1;

	if (sample->len + len > SCALEUP_PARAM_SAMPLE_SIZE ||
		sample->nparams == PG_INT16_MAX)
	{
		sample->complete = false;
		return false;
	}

	memcpy(sample->data + sample->len, value, len);
	sample->len += len;
	sample->nparams++;
	return true;
}

/*
 * Build the sample of a query's bind parameter values.  Runs type output
 * functions, so it must be called with no lock held.  Returns false when a
 * value cannot be sampled (a parameter fetched through a hook, as PL/pgSQL
 * does for its variables, or one without a type) or the values do not fit.
 */
bool
param_sample_from_params(ParamSample *sample, ParamListInfo params)
{
	int			i;

	memset(sample, 0, sizeof(*sample));
	sample->complete = true;

	if (params == NULL || params->paramFetch != NULL)
		return false;

	for (i = 0; i < params->numParams; i++)
	{
		ParamExternData *param = &params->params[i];
		char	   *expr;

		if (!OidIsValid(param->ptype))
			return false;

		if (param->isnull)
			expr = psprintf("NULL::%s", format_type_be(param->ptype));
		else
		{
			Oid			output_func;
			bool		is_varlena;
			char	   *text;

			getTypeOutputInfo(param->ptype, &output_func, &is_varlena);
			text = OidOutputFunctionCall(output_func, param->value);
			expr = psprintf("%s::%s", quote_literal_cstr(text),
							format_type_be(param->ptype));
		}

		if (!param_sample_add(sample, expr))
			return false;
	}

	sample->nextern = sample->nparams;
	sample->extern_done = true;
	return true;
}

/*
 * Complete an entry's sample with the values of its bind parameters.  The
 * entry's sample may already hold the literals found at parse time, after
 * nextern empty placeholders.  Copies only within fixed buffers, so it may
 * run under the entry's spinlock.
 */
void
param_sample_merge_extern(ParamSample *target, const ParamSample *bound)
{
	ParamSample merged;
	const char *cursor;
	int			i;

	/* No parse-time information: the entry's text has only these $n. */
	if (!target->from_parse)
	{
		*target = *bound;
		target->extern_done = true;
		target->complete = bound->complete;
		return;
	}

	target->extern_done = true;

	/* A mismatch means the sample does not describe this text: drop it. */
	if (target->nextern != bound->nparams || !bound->complete)
	{
		target->complete = false;
		return;
	}

	memset(&merged, 0, sizeof(merged));
	merged.complete = true;
	merged.from_parse = true;
	merged.extern_done = true;

	cursor = bound->data;
	for (i = 0; i < bound->nparams; i++)
	{
		param_sample_add(&merged, cursor);
		cursor += strlen(cursor) + 1;
	}

	/* Skip the placeholders, then copy the literals. */
	cursor = target->data;
	for (i = 0; i < target->nparams; i++)
	{
		if (i >= target->nextern)
			param_sample_add(&merged, cursor);
		cursor += strlen(cursor) + 1;
	}
	merged.nextern = bound->nparams;

	*target = merged;
}
