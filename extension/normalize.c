/*-------------------------------------------------------------------------
 *
 * normalize.c
 *	  Normalized query text: the constants of a statement replaced by $n.
 *
 * The core query jumble (utils/queryjumble.h) records where each constant it
 * hashed starts, as a byte offset into the source text, but not its length
 * (LocationLen.length stays -1 in PostgreSQL 15).  To cut the constants out,
 * this file runs the core SQL scanner over the statement and measures the
 * token, or the short run of tokens, that starts at each recorded location:
 *
 *	5, 'abc', E'a\'b', $$x$$, B'101', X'1F', true, NULL
 *						one literal token
 *	-5, - 2.5, -(5)		a minus sign the grammar folded into the constant,
 *						which is then located at the sign
 *	N'abc'				the keyword NCHAR (just "N") and a string; the
 *						constant is located at the string
 *	U&'d!0061' UESCAPE '!'
 *						a Unicode string with its escape clause
 *	ALL (in LIMIT ALL), year (in EXTRACT), NFC (in NORMALIZE)
 *						a word the grammar turned into a constant
 *
 * Scanning the same text with the same scanner gives the token boundaries
 * the parser saw, unless a setting that changes scanning was altered between
 * parsing and this call (see find_constants()).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/keywords.h"
#include "parser/parser.h"
#include "parser/scanner.h"
/* gram.h needs YYLTYPE from scanner.h, so it must come after it. */
#include "parser/gram.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "normalize.h"

/* How a replaced constant is written as an argument of EXECUTE. */
typedef enum LiteralForm
{
	LITERAL_AS_WRITTEN,			/* the constant's source text */
	LITERAL_NULL,				/* NULL, for LIMIT ALL (a null constant) */
	LITERAL_QUOTED_WORD			/* the value of a word, as a quoted string */
} LiteralForm;

/*
 * One recorded constant of the statement.  Offsets count from the start of
 * the statement, not of the full source text.
 */
typedef struct ConstantSpan
{
	int			location;		/* where the jumble says the constant starts */
	int			start;			/* first byte to replace: location, or the N
								 * of N'...' */
	int			length;			/* bytes to replace; 0 when not found */
	LiteralForm form;
	char	   *word;			/* the word's value, for LITERAL_QUOTED_WORD */
} ConstantSpan;

/* A token returned by the core scanner, with its extent in the text. */
typedef struct ScanToken
{
	int			code;			/* a character, a gram.h token, 0 at the end */
	int			start;			/* offset of its first byte */
	int			end;			/* offset just past its last byte */
	core_YYSTYPE value;
} ScanToken;

/* The core scanner with room to give one token back. */
typedef struct TokenReader
{
	core_yyscan_t scanner;
	core_yy_extra_type extra;
	int			text_len;
	bool		has_pushed_back;
	ScanToken	pushed_back;
	MemoryContext result_context;	/* where ConstantSpan.word is allocated */
} TokenReader;

static int
compare_locations(const void *a, const void *b)
{
	int			left = *(const int *) a;
	int			right = *(const int *) b;

	return (left > right) - (left < right);
}

/*
 * Collect the distinct constant locations of jstate that fall inside the
 * statement [query_loc, query_loc + len) of the source text, as offsets from
 * the statement's start, sorted.  Returns how many were stored in *spans.
 */
static int
collect_constants(JumbleState *jstate, int query_loc, int len,
				  ConstantSpan **spans)
{
	int		   *locations;
	int			count = 0;
	int			nspans = 0;
	bool		sorted = true;
	int			i;

	*spans = NULL;
	if (jstate == NULL || jstate->clocations_count <= 0)
		return 0;

	locations = palloc(jstate->clocations_count * sizeof(int));
	for (i = 0; i < jstate->clocations_count; i++)
	{
		int			location = jstate->clocations[i].location - query_loc;

		if (location < 0 || location >= len)
			continue;
		if (count > 0 && location < locations[count - 1])
			sorted = false;
		locations[count++] = location;
	}

	if (!sorted)
		qsort(locations, count, sizeof(int), compare_locations);

	*spans = palloc0(Max(count, 1) * sizeof(ConstantSpan));
	for (i = 0; i < count; i++)
	{
		if (nspans > 0 && (*spans)[nspans - 1].location == locations[i])
			continue;
		(*spans)[nspans].location = locations[i];
		(*spans)[nspans].start = locations[i];
		nspans++;
	}

	pfree(locations);
	return nspans;
}

static void
read_token(TokenReader *reader, ScanToken *token)
{
	int			start = -1;

	if (reader->has_pushed_back)
	{
		*token = reader->pushed_back;
		reader->has_pushed_back = false;
		return;
	}

	token->code = core_yylex(&token->value, &start, reader->scanner);
	if (token->code == 0 || start < 0 || start > reader->text_len)
	{
		token->code = 0;
		token->start = token->end = reader->text_len;
		return;
	}

	/*
	 * The scanner reports only where a token starts.  Flex ends the text of
	 * the rule it just matched with a NUL byte in its buffer (and restores
	 * that byte on the next call).  A literal that spans several rules, such
	 * as a quoted string, ends with a rule that gives back everything after
	 * the closing quote, so that NUL sits right after the token.
	 */
	token->start = start;
	token->end = start + strnlen(reader->extra.scanbuf + start,
								 reader->text_len - start);
}

static void
push_back_token(TokenReader *reader, const ScanToken *token)
{
	Assert(!reader->has_pushed_back);
	reader->pushed_back = *token;
	reader->has_pushed_back = true;
}

/* Is code a token that can be written as an argument of EXECUTE as is? */
static bool
is_literal_token(int code)
{
	switch (code)
	{
		case ICONST:
		case FCONST:
		case SCONST:
		case USCONST:
		case BCONST:
		case XCONST:
		case TRUE_P:
		case FALSE_P:
		case NULL_P:
			return true;
		default:
			return false;
	}
}

/*
 * The core scanner returns characters, the tokens IDENT to NOT_EQUALS, and
 * keywords, whose codes follow NOT_EQUALS in gram.h from ABORT_P to ZONE.
 */
static bool
is_keyword_token(int code)
{
	return code >= ABORT_P && code <= ZONE;
}

/*
 * Return the offset just past the literal that starts with token.  A
 * U&'...' string followed by UESCAPE '<char>' includes that clause, because
 * the parser reads the three tokens as one constant.
 */
static int
read_literal_end(TokenReader *reader, const ScanToken *token)
{
	ScanToken	keyword;
	ScanToken	escape;

	if (token->code != USCONST)
		return token->end;

	read_token(reader, &keyword);
	if (keyword.code != UESCAPE)
	{
		push_back_token(reader, &keyword);
		return token->end;
	}

	read_token(reader, &escape);
	if (escape.code != SCONST)
	{
		/* Not valid SQL, so not seen after a successful parse. */
		push_back_token(reader, &escape);
		return token->end;
	}
	return escape.end;
}

/*
 * Measure a constant located at a minus sign.  The grammar folds a minus
 * sign into the number (or string) it applies to, even through parentheses
 * as in -(5) or -(-5), and reports the constant at the first sign.  The
 * constant ends after the literal and the parentheses that close the ones
 * opened after the sign.  Leaves span->length at 0 if the tokens do not
 * have that shape.
 */
static void
measure_negated_constant(TokenReader *reader, const ScanToken *sign,
						 ConstantSpan *span)
{
	ScanToken	token;
	int			open_parens = 0;
	int			end;

	read_token(reader, &token);
	while (token.code == '-' || token.code == '(')
	{
		if (token.code == '(')
			open_parens++;
		read_token(reader, &token);
	}

	if (!is_literal_token(token.code))
	{
		push_back_token(reader, &token);
		return;
	}
	end = read_literal_end(reader, &token);

	for (; open_parens > 0; open_parens--)
	{
		read_token(reader, &token);
		if (token.code != ')')
		{
			push_back_token(reader, &token);
			return;
		}
		end = token.end;
	}

	span->length = end - sign->start;
}

/*
 * Measure the constant located where token starts.  previous is the token
 * read before it (code 0 if none).  Leaves span->length at 0 when no
 * constant is found there, and sets it last, so a span is complete once its
 * length is set.
 */
static void
measure_constant(TokenReader *reader, const ScanToken *token,
				 const ScanToken *previous, ConstantSpan *span)
{
	if (is_literal_token(token->code))
	{
		/*
		 * N'abc' is scanned as the keyword NCHAR, spelled with the single
		 * letter N, followed by the string.  Replace the N too, so that no
		 * stray N is left in front of $n.
		 */
		if (token->code == SCONST && previous->code == NCHAR &&
			previous->end == token->start &&
			previous->end - previous->start == 1)
			span->start = previous->start;

		span->form = LITERAL_AS_WRITTEN;
		span->length = read_literal_end(reader, token) - span->start;
	}
	else if (token->code == '-')
	{
		span->form = LITERAL_AS_WRITTEN;
		measure_negated_constant(reader, token, span);
	}
	else if (token->code == ALL)
	{
		/* LIMIT ALL is parsed as a null constant located at ALL. */
		span->form = LITERAL_NULL;
		span->length = token->end - token->start;
	}
	else if (token->code == IDENT || is_keyword_token(token->code))
	{
		/*
		 * A word the grammar turns into a string constant, as the field of
		 * EXTRACT(year FROM ...).  The scanner gives an identifier's value
		 * (folded to lower case, or with its double quotes removed) and a
		 * keyword's lower-case spelling.
		 */
		span->form = LITERAL_QUOTED_WORD;
		span->word = MemoryContextStrdup(reader->result_context,
										 token->code == IDENT ?
										 token->value.str :
										 token->value.keyword);
		span->length = token->end - token->start;
	}
}

/*
 * Run the core scanner over all of text (NUL-terminated, text_len bytes
 * long), with standard_conforming_strings set to standard_strings, and
 * measure each constant of spans, which are sorted by location.  A location
 * that is not the start of a token, or that lies inside a constant measured
 * before, keeps length 0.  The scan goes on past the last constant, so that
 * a scan out of step with the parser's is likely to fail.
 */
static void
scan_constants(const char *text, int text_len, bool standard_strings,
			   ConstantSpan *spans, int nspans, MemoryContext result_context)
{
	TokenReader reader;
	ScanToken	token;
	ScanToken	previous;
	int			next = 0;

	memset(&reader, 0, sizeof(reader));
	memset(&previous, 0, sizeof(previous));
	reader.text_len = text_len;
	reader.result_context = result_context;
	reader.scanner = scanner_init(text, &reader.extra, &ScanKeywords,
								  ScanKeywordTokens);
	reader.extra.standard_conforming_strings = standard_strings;

	/*
	 * The parser already warned about nonstandard escapes and rejected
	 * unsafe \' escapes, so this second pass neither warns nor rejects.
	 */
	reader.extra.escape_string_warning = false;
	reader.extra.backslash_quote = BACKSLASH_QUOTE_ON;

	for (;;)
	{
		read_token(&reader, &token);
		if (token.code == 0)
			break;

		while (next < nspans && spans[next].location < token.start)
			next++;
		if (next < nspans && spans[next].location == token.start)
		{
			measure_constant(&reader, &token, &previous, &spans[next]);
			next++;
		}
		previous = token;
	}

	scanner_finish(reader.scanner);
}

static void
reset_spans(ConstantSpan *spans, int nspans)
{
	int			i;

	for (i = 0; i < nspans; i++)
	{
		spans[i].start = spans[i].location;
		spans[i].length = 0;
		spans[i].form = LITERAL_AS_WRITTEN;
		spans[i].word = NULL;
	}
}

/*
 * Measure the constants of spans in text with one setting of
 * standard_conforming_strings, scanning in a memory context of its own.
 * Returns how many constants were found, or -1 if the scanner failed; the
 * spans are then reset and *error is set to the error.
 *
 * NOTE: the error is caught without a subtransaction.  That is safe only
 * because the scanner acquires nothing but memory, which is freed with its
 * context.
 */
static int
try_scan(const char *text, int len, bool standard_strings,
		 ConstantSpan *spans, int nspans, ErrorData **error)
{
	MemoryContext result_context = CurrentMemoryContext;
	MemoryContext scan_context;
	volatile bool failed = false;
	int			found = 0;
	int			i;

	scan_context = AllocSetContextCreate(result_context,
										 "pg_scaleup normalization",
										 ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(scan_context);

	PG_TRY();
	{
		scan_constants(text, len, standard_strings, spans, nspans,
					   result_context);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(result_context);
		*error = CopyErrorData();
		FlushErrorState();
		failed = true;
	}
	PG_END_TRY();

	MemoryContextSwitchTo(result_context);
	MemoryContextDelete(scan_context);

	if (failed)
	{
		reset_spans(spans, nspans);
		return -1;
	}

	for (i = 0; i < nspans; i++)
	{
		if (spans[i].length > 0)
			found++;
	}
	return found;
}

/*
 * Measure the constants of spans in the statement, which is len bytes long.
 *
 * The statement parsed without error, so the scan can fail, or put token
 * boundaries elsewhere, only if standard_conforming_strings was changed
 * after parsing: a multi-statement string is parsed whole before its first
 * statement runs, so in
 *		SET standard_conforming_strings = on; SELECT 'a\'b', 1
 * sent with the setting off, the second statement is parsed with it off and
 * reaches this code with it on.  When the scan with the current setting
 * fails or misses constants, the statement is scanned again with the other
 * setting, and the better scan is kept.  If both fail, every constant stays
 * as written and the error is logged, not raised, so that a scanner error
 * does not fail the user's statement.
 */
static void
find_constants(const char *statement, int len, ConstantSpan *spans,
			   int nspans)
{
	char	   *text = pnstrdup(statement, len);
	ConstantSpan *other_spans;
	ErrorData  *error = NULL;
	ErrorData  *other_error = NULL;
	int			found;
	int			other_found;

	found = try_scan(text, len, standard_conforming_strings, spans, nspans,
					 &error);
	if (found == nspans)
	{
		pfree(text);
		return;
	}

	other_spans = palloc(nspans * sizeof(ConstantSpan));
	memcpy(other_spans, spans, nspans * sizeof(ConstantSpan));
	reset_spans(other_spans, nspans);
	other_found = try_scan(text, len, !standard_conforming_strings,
						   other_spans, nspans, &other_error);
	if (other_found > found)
		memcpy(spans, other_spans, nspans * sizeof(ConstantSpan));
	else if (found < 0)
		ereport(LOG,
				(errmsg("could not scan query text for constants: %s",
						error->message),
				 errdetail("The normalized query text keeps its constants as written.")));

	if (error != NULL)
		FreeErrorData(error);
	if (other_error != NULL)
		FreeErrorData(other_error);
	pfree(other_spans);
	pfree(text);
}

static int
decimal_digits(int value)
{
	int			digits = 1;

	while (value >= 10)
	{
		value /= 10;
		digits++;
	}
	return digits;
}

/*
 * Decide which measured constants get a parameter symbol, starting at
 * first_param, and return the length of the normalized text.  The others
 * get length 0.  These are overlapping or out-of-range spans, which a
 * consistent scan never produces, and every constant from the first one
 * whose symbol would make the text longer than MaxAllocSize.  (A one-byte
 * constant can become a symbol of up to 11 bytes.)
 */
static int
plan_replacements(int len, ConstantSpan *spans, int nspans, int first_param)
{
	int64		result_len = len;
	int			param = first_param;
	int			covered = 0;	/* end of the last replaced span */
	bool		full = false;
	int			i;

	for (i = 0; i < nspans; i++)
	{
		ConstantSpan *span = &spans[i];
		int64		symbol_len;

		if (span->length <= 0)
			continue;

		if (full || param <= 0 || span->start < covered ||
			span->length > len - span->start)
		{
			span->length = 0;
			continue;
		}

		symbol_len = 1 + decimal_digits(param);
		if (result_len - span->length + symbol_len > (int64) MaxAllocSize - 1)
		{
			full = true;
			span->length = 0;
			continue;
		}

		result_len += symbol_len - span->length;
		covered = span->start + span->length;
		if (param == PG_INT32_MAX)
			full = true;
		else
			param++;
	}

	return (int) result_len;
}

static char *
make_literal(const char *statement, const ConstantSpan *span)
{
	switch (span->form)
	{
		case LITERAL_NULL:
			return pstrdup("NULL");
		case LITERAL_QUOTED_WORD:
			return quote_literal_cstr(span->word);
		case LITERAL_AS_WRITTEN:
			break;
	}
	return pnstrdup(statement + span->start, span->length);
}

char *
scaleup_normalize_query(const char *query, int query_loc, int *query_len,
						JumbleState *jstate, List **literals)
{
	int			len = *query_len;
	ConstantSpan *spans;
	int			nspans;
	int			first_param;
	int			result_len;
	char	   *result;
	int			source_pos = 0;
	int			result_pos = 0;
	int			param;
	int			i;

	Assert(query != NULL && query_loc >= 0 && len >= 0);

	if (literals != NULL)
		*literals = NIL;

	/* After a bind parameter numbered INT_MAX, no number is left for $n. */
	if (jstate != NULL && jstate->highest_extern_param_id >= PG_INT32_MAX)
		jstate = NULL;
	first_param = (jstate != NULL ? jstate->highest_extern_param_id : 0) + 1;

	nspans = collect_constants(jstate, query_loc, len, &spans);
	if (nspans > 0)
		find_constants(query, len, spans, nspans);

	result_len = plan_replacements(len, spans, nspans, first_param);
	result = palloc(result_len + 1);

	param = first_param;
	for (i = 0; i < nspans; i++)
	{
		const ConstantSpan *span = &spans[i];
		int			copy_len = span->start - source_pos;

		if (span->length <= 0)
			continue;

		memcpy(result + result_pos, query + source_pos, copy_len);
		result_pos += copy_len;
		result_pos += snprintf(result + result_pos, result_len + 1 - result_pos,
							   "$%d", param);
		source_pos = span->start + span->length;
		param++;

		if (literals != NULL)
			*literals = lappend(*literals, make_literal(query, span));
	}

	memcpy(result + result_pos, query + source_pos, len - source_pos);
	result_pos += len - source_pos;
	Assert(result_pos == result_len);
	result[result_pos] = '\0';

	if (spans != NULL)
		pfree(spans);

	*query_len = result_pos;
	return result;
}
