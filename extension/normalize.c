/*-------------------------------------------------------------------------
 *
 * normalize.c
 *	  Normalized query text: the constants of a statement replaced by $n.
 *
 * The core query jumble (utils/queryjumble.h) records where each constant it
 * hashed starts, as a byte offset into the source text, but not its length
 * (LocationLen.length stays -1 in PostgreSQL 15).  To cut the constants out,
 * this file runs the core SQL scanner over the statement once, from its
 * start to its last constant, and measures the token, or the short run of
 * tokens, that starts at each recorded location:
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
 * Run the core scanner over text (NUL-terminated, text_len bytes long) and
 * measure each constant of spans, which are sorted by location.  Stops after
 * the last constant.  A location that is not the start of a token, or that
 * lies inside a constant measured before, keeps length 0.
 */
static void
scan_constants(const char *text, int text_len, ConstantSpan *spans,
			   int nspans, MemoryContext result_context)
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

	/*
	 * The parser already warned about nonstandard escapes and rejected
	 * unsafe \' escapes, so this second pass neither warns nor rejects.
	 */
	reader.extra.escape_string_warning = false;
	reader.extra.backslash_quote = BACKSLASH_QUOTE_ON;

	while (next < nspans)
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

/*
 * Measure the constants of spans in the statement, scanning in a memory
 * context of its own.  The text parsed without error, so the scanner fails
 * only if a setting that changes scanning, such as
 * standard_conforming_strings, was altered after parsing: a multi-statement
 * string is parsed whole before its first statement runs, so
 * "SET standard_conforming_strings = on; SELECT 'a\'b', 1" scans differently
 * the second time.  The error is logged and not raised, because a statistics
 * extension must not fail the user's statement; the constants not yet
 * measured stay as written.
 *
 * NOTE: catching the error without a subtransaction is safe only because
 * the scanner acquires nothing but memory, which is freed with its context.
 */
static void
find_constants(const char *statement, int len, ConstantSpan *spans,
			   int nspans)
{
	MemoryContext result_context = CurrentMemoryContext;
	MemoryContext scan_context;
	char	   *text;

	scan_context = AllocSetContextCreate(result_context,
										 "pg_scaleup normalization",
										 ALLOCSET_DEFAULT_SIZES);
	MemoryContextSwitchTo(scan_context);

	/* Scan only this statement, not the statements that follow it. */
	text = pnstrdup(statement, len);

	PG_TRY();
	{
		scan_constants(text, len, spans, nspans, result_context);
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(result_context);
		edata = CopyErrorData();
		FlushErrorState();
		ereport(LOG,
				(errmsg("could not scan query text for constants: %s",
						edata->message),
				 errdetail("The normalized query text keeps the constants after the error as written.")));
		FreeErrorData(edata);
	}
	PG_END_TRY();

	MemoryContextSwitchTo(result_context);
	MemoryContextDelete(scan_context);
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
 * first_param, and return the length of the normalized text.  Sets the
 * length of the others to 0: overlapping or out-of-range spans (which a
 * consistent scan never produces), and, should the text grow past the
 * maximum allocation size (every one-byte constant becomes a symbol of up
 * to 11 bytes), every constant from the one that would overflow it.
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

	/* Bind parameters can use every number up to INT_MAX in principle. */
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
