/*-------------------------------------------------------------------------
 *
 * statement.c
 *	  Cutting one statement's text out of the source string.
 *
 * The text kept for a query is the statement itself, so the advisor can
 * plan it again.  A query prepared with PREPARE name(types) AS ... or opened
 * with DECLARE name CURSOR ... FOR ... carries the whole utility statement
 * as its location, so the prefix up to AS or FOR is cut off: the entry then
 * reads the same as the query sent on its own.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "common/keywords.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "parser/scansup.h"
/* gram.h needs the scanner's types first */
#include "parser/gram.h"
#include "utils/queryjumble.h"

#include "statement.h"

/*
 * Return the offset just past the prefix that starts with the keyword token
 * first and ends with the first keyword token last outside parentheses, or
 * 0 when text does not start with first.
 */
static int
prefix_length(const char *text, int len, int first_token, int last_token,
			  int last_length)
{
	core_yy_extra_type extra;
	core_yyscan_t scanner;
	core_YYSTYPE value;
	YYLTYPE		location;
	char	   *copy = pnstrdup(text, len);
	int			token;
	int			depth = 0;
	int			result = 0;
	bool		first = true;

	scanner = scanner_init(copy, &extra, &ScanKeywords, ScanKeywordTokens);
	while ((token = core_yylex(&value, &location, scanner)) != 0)
	{
		if (first)
		{
			if (token != first_token)
				break;
			first = false;
			continue;
		}
		if (token == '(')
			depth++;
		else if (token == ')')
			depth--;
		else if (token == last_token && depth == 0)
		{
			result = location + last_length;
			break;
		}
	}
	scanner_finish(scanner);
	pfree(copy);
	return result;
}

/*
 * Return the text of the statement at *location / *len of source, with
 * leading white space and a PREPARE or DECLARE prefix removed.  On return *location is
 * the offset of the returned text in source and *len its length, which is
 * what the constant locations of the query's jumble are measured against.
 */
const char *
scaleup_statement_text(const char *source, int *location, int *len)
{
	const char *text = CleanQuerytext(source, location, len);
	int			prefix;

	if (*len > 7 && pg_strncasecmp(text, "prepare", 7) == 0)
		prefix = prefix_length(text, *len, PREPARE, AS, 2);
	else if (*len > 7 && pg_strncasecmp(text, "declare", 7) == 0)
		prefix = prefix_length(text, *len, DECLARE, FOR, 3);
	else
		return text;

	while (prefix < *len && scanner_isspace(text[prefix]))
		prefix++;

	*location += prefix;
	*len -= prefix;
	return text + prefix;
}
