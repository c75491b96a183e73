/*
 * projection_sql.c
 *		Rewrites of normalized SELECT texts for trim_projection and
 *		add_limit: a small SQL tokenizer, the select-list rewrite and the
 *		LIMIT rewrite; see projections.h.
 *
 * The tokenizer skips over what it must not look inside: string constants
 * ('...', E'...' with backslash escapes, $tag$...$tag$), quoted
 * identifiers, comments (nested block comments too) and $n placeholders.  The
 * rewrites only need the token boundaries and the parenthesis depth, so
 * everything else is a one-character operator token.  Texts the rewrites
 * do not understand (no top-level FROM, set operations, several relations
 * behind a bare "*") are refused with a reason rather than guessed at.
 */
#include "projections.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef enum TokenKind
{
	TOKEN_WORD,					/* keyword or unquoted identifier */
	TOKEN_QUOTED,				/* "quoted identifier" */
	TOKEN_STRING,				/* any string constant */
	TOKEN_NUMBER,
	TOKEN_PARAM,				/* $n */
	TOKEN_OPERATOR				/* one character */
} TokenKind;

typedef struct Token
{
	TokenKind	kind;
	int			start;			/* byte offsets into the text */
	int			end;
	int			depth;			/* parentheses open before the token */
} Token;

typedef struct TokenList
{
	Token	   *items;
	int			count;
} TokenList;

/*
 * Keywords of PostgreSQL 15 that are not unreserved (reserved, column-name
 * and type-or-function-name keywords, from src/include/parser/kwlist.h):
 * quote_ident() quotes these, and so does projection_quote_column().
 */
static const char *const quoted_keywords[] = {
	"all", "analyse", "analyze", "and", "any", "array", "as", "asc",
	"asymmetric", "authorization", "between", "bigint", "binary", "bit",
	"boolean", "both", "case", "cast", "char", "character", "check",
	"coalesce", "collate", "collation", "column", "concurrently",
	"constraint", "create", "cross", "current_catalog", "current_date",
	"current_role", "current_schema", "current_time", "current_timestamp",
	"current_user", "dec", "decimal", "default", "deferrable", "desc",
	"distinct", "do", "else", "end", "except", "exists", "extract", "false",
	"fetch", "float", "for", "foreign", "freeze", "from", "full", "grant",
	"greatest", "group", "grouping", "having", "ilike", "in", "initially",
	"inner", "inout", "int", "integer", "intersect", "interval", "into", "is",
	"isnull", "join", "lateral", "leading", "least", "left", "like", "limit",
	"localtime", "localtimestamp", "national", "natural", "nchar", "none",
	"normalize", "not", "notnull", "null", "nullif", "numeric", "offset", "on",
	"only", "or", "order", "out", "outer", "overlaps", "overlay", "placing",
	"position", "precision", "primary", "real", "references", "returning",
	"right", "row", "select", "session_user", "setof", "similar", "smallint",
	"some", "substring", "symmetric", "table", "tablesample", "then", "time",
	"timestamp", "to", "trailing", "treat", "trim", "true", "union", "unique",
	"user", "using", "values", "varchar", "variadic", "verbose", "when",
	"where", "window", "with", "xmlattributes", "xmlconcat", "xmlelement",
	"xmlexists", "xmlforest", "xmlnamespaces", "xmlparse", "xmlpi", "xmlroot",
	"xmlserialize", "xmltable", NULL
};

/* Keywords that end a select list or a FROM clause at depth 0. */
static const char *const clause_keywords[] = {
	"from", "into", "where", "group", "having", "window", "order", "limit",
	"offset", "fetch", "for", "union", "intersect", "except", "returning", NULL
};

/* --- tokenizer ------------------------------------------------------------- */

static bool
ident_start(unsigned char c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static bool
ident_char(unsigned char c)
{
	return ident_start(c) || isdigit(c) || c == '$';
}

/* Length of a dollar-quote opening tag ("$$" or "$tag$") at p, or 0. */
static int
dollar_tag_length(const char *p)
{
	int			n = 1;

	if (p[0] != '$')
		return 0;
	if (p[1] != '$' && !(ident_start((unsigned char) p[1]) && p[1] != '$'))
		return 0;
	while (p[n] != '$')
	{
		if (p[n] == '\0' || !(ident_char((unsigned char) p[n]) && p[n] != '$'))
			return 0;
		n++;
	}
	return n + 1;
}

/*
 * Split "text" into tokens.  Returns false for an unterminated string,
 * quoted identifier or comment, or unbalanced parentheses.
 */
static bool
tokenize(const char *text, TokenList *list)
{
	int			pos = 0;
	int			depth = 0;
	int			len = (int) strlen(text);

	list->items = xcalloc((size_t) len + 1, sizeof(Token));
	list->count = 0;
	while (pos < len)
	{
		unsigned char c = (unsigned char) text[pos];
		Token	   *t;

		if (isspace(c))
		{
			pos++;
			continue;
		}
		if (c == '-' && text[pos + 1] == '-')
		{
			while (pos < len && text[pos] != '\n')
				pos++;
			continue;
		}
		if (c == '/' && text[pos + 1] == '*')
		{
			int			nesting = 1;

			pos += 2;
			while (nesting > 0)
			{
				if (pos >= len)
					return false;
				if (text[pos] == '/' && text[pos + 1] == '*')
				{
					nesting++;
					pos += 2;
				}
				else if (text[pos] == '*' && text[pos + 1] == '/')
				{
					nesting--;
					pos += 2;
				}
				else
					pos++;
			}
			continue;
		}

		t = &list->items[list->count++];
		t->start = pos;
		t->depth = depth;
		if (c == '\'')
		{
			/* E'...' was lexed as a word "E" just before: backslashes escape */
			bool		escapes = list->count >= 2 &&
				t[-1].kind == TOKEN_WORD && t[-1].end == pos &&
				t[-1].end - t[-1].start == 1 &&
				(text[t[-1].start] == 'e' || text[t[-1].start] == 'E');

			t->kind = TOKEN_STRING;
			pos++;
			for (;;)
			{
				if (pos >= len)
					return false;
				if (escapes && text[pos] == '\\' && pos + 1 < len)
					pos += 2;
				else if (text[pos] == '\'' && text[pos + 1] == '\'')
					pos += 2;
				else if (text[pos] == '\'')
				{
					pos++;
					break;
				}
				else
					pos++;
			}
		}
		else if (c == '"')
		{
			t->kind = TOKEN_QUOTED;
			pos++;
			for (;;)
			{
				if (pos >= len)
					return false;
				if (text[pos] == '"' && text[pos + 1] == '"')
					pos += 2;
				else if (text[pos] == '"')
				{
					pos++;
					break;
				}
				else
					pos++;
			}
		}
		else if (c == '$' && isdigit((unsigned char) text[pos + 1]))
		{
			t->kind = TOKEN_PARAM;
			pos++;
			while (isdigit((unsigned char) text[pos]))
				pos++;
		}
		else if (c == '$' && dollar_tag_length(text + pos) > 0)
		{
			int			tag = dollar_tag_length(text + pos);
			const char *close;

			t->kind = TOKEN_STRING;
			close = text + pos + tag;
			for (;;)
			{
				close = strchr(close, '$');
				if (close == NULL)
					return false;
				if (strncmp(close, text + pos, (size_t) tag) == 0)
					break;
				close++;
			}
			pos = (int) (close - text) + tag;
		}
		else if (ident_start(c))
		{
			t->kind = TOKEN_WORD;
			while (pos < len && ident_char((unsigned char) text[pos]))
				pos++;
		}
		else if (isdigit(c) || (c == '.' && isdigit((unsigned char) text[pos + 1])))
		{
			t->kind = TOKEN_NUMBER;
			while (pos < len && (isalnum((unsigned char) text[pos]) || text[pos] == '.' ||
								 text[pos] == '_' ||
								 ((text[pos] == '+' || text[pos] == '-') &&
								  (text[pos - 1] == 'e' || text[pos - 1] == 'E'))))
				pos++;
		}
		else
		{
			t->kind = TOKEN_OPERATOR;
			pos++;
			if (c == '(' || c == '[')
				depth++;
			else if (c == ')' || c == ']')
			{
				depth--;
				t->depth = depth;
				if (depth < 0)
					return false;
			}
		}
		t->end = pos;
	}
	return depth == 0;
}

static bool
token_is_word(const char *text, const Token *t, const char *word)
{
	size_t		n = strlen(word);

	return t->kind == TOKEN_WORD && (size_t) (t->end - t->start) == n &&
		strncasecmp(text + t->start, word, n) == 0;
}

static bool
token_is_char(const char *text, const Token *t, char c)
{
	return t->kind == TOKEN_OPERATOR && text[t->start] == c;
}

static bool
token_is_clause_keyword(const char *text, const Token *t)
{
	for (int k = 0; clause_keywords[k] != NULL; k++)
		if (token_is_word(text, t, clause_keywords[k]))
			return true;
	return false;
}

/*
 * The name an identifier token stands for: an unquoted word folded to
 * lower case, a quoted identifier without its quotes.  NULL for other
 * tokens.
 */
static char *
token_identifier(const char *text, const Token *t)
{
	StrBuf		buf;

	strbuf_init(&buf);
	if (t->kind == TOKEN_WORD)
	{
		for (int i = t->start; i < t->end; i++)
			strbuf_append_char(&buf, (char) tolower((unsigned char) text[i]));
	}
	else if (t->kind == TOKEN_QUOTED)
	{
		for (int i = t->start + 1; i < t->end - 1; i++)
		{
			strbuf_append_char(&buf, text[i]);
			if (text[i] == '"')
				i++;
		}
	}
	else
	{
		strbuf_free(&buf);
		return NULL;
	}
	return strbuf_release(&buf);
}

static bool
token_names(const char *text, const Token *t, const char *name)
{
	char	   *ident = token_identifier(text, t);
	bool		same = ident != NULL && strcmp(ident, name) == 0;

	free(ident);
	return same;
}

/* --- quoting ----------------------------------------------------------------- */

char *
projection_quote_column(PGconn *conn, const char *name)
{
	bool		plain = name[0] != '\0' &&
		(islower((unsigned char) name[0]) || name[0] == '_');
	char	   *escaped;
	char	   *result;

	for (const char *p = name; plain && *p; p++)
		if (!(islower((unsigned char) *p) || isdigit((unsigned char) *p) || *p == '_'))
			plain = false;
	for (int k = 0; plain && quoted_keywords[k] != NULL; k++)
		if (strcmp(name, quoted_keywords[k]) == 0)
			plain = false;
	if (plain)
		return xstrdup(name);

	escaped = PQescapeIdentifier(conn, name, strlen(name));
	if (escaped == NULL)
		return NULL;
	result = xstrdup(escaped);
	PQfreemem(escaped);
	return result;
}

/* --- statement structure ----------------------------------------------------- */

/* Positions of the parts of a SELECT, as token indexes. */
typedef struct SelectShape
{
	int			list_start;		/* first token of the select list */
	int			list_end;		/* the FROM token (one past the list) */
	int			from_end;		/* first token after the FROM clause */
	bool		set_operation;	/* UNION, INTERSECT or EXCEPT at depth 0 */
	bool		has_limit;		/* LIMIT or FETCH at depth 0 */
	int			order_by;		/* token after ORDER BY at depth 0, or -1 */
	int			order_by_end;	/* one past the ORDER BY keys */
} SelectShape;

/*
 * Find the parts of the main SELECT of "tokens".  The statement must start
 * with SELECT, or with WITH and then have its main SELECT at depth 0 (the
 * common table expressions are all inside parentheses).  Returns NULL on
 * success, else the reason.
 */
static const char *
find_select_shape(const char *text, const TokenList *tokens, SelectShape *shape)
{
	int			i = 0;
	int			n = tokens->count;
	const Token *t = tokens->items;

	memset(shape, 0, sizeof(*shape));
	shape->order_by = -1;
	if (n == 0)
		return "the query text is empty";
	if (token_is_word(text, &t[0], "with"))
	{
		for (i = 1; i < n; i++)
			if (t[i].depth == 0 && token_is_word(text, &t[i], "select"))
				break;
	}
	if (i >= n || !token_is_word(text, &t[i], "select"))
		return "the statement is not a SELECT";
	i++;

	/* ALL, DISTINCT, DISTINCT ON (...) */
	if (i < n && token_is_word(text, &t[i], "all"))
		i++;
	else if (i < n && token_is_word(text, &t[i], "distinct"))
	{
		i++;
		if (i < n && token_is_word(text, &t[i], "on"))
		{
			i++;
			if (i < n && token_is_char(text, &t[i], '('))
			{
				int			open_depth = t[i].depth;

				i++;
				while (i < n && !(t[i].depth == open_depth && token_is_char(text, &t[i], ')')))
					i++;
				i++;
			}
		}
	}
	shape->list_start = i;
	while (i < n && !(t[i].depth == 0 && token_is_clause_keyword(text, &t[i])) &&
		   !(t[i].depth == 0 && token_is_char(text, &t[i], ';')))
		i++;
	shape->list_end = i;
	if (i < n && token_is_word(text, &t[i], "from"))
	{
		i++;
		while (i < n && !(t[i].depth == 0 &&
						  (token_is_clause_keyword(text, &t[i]) ||
						   token_is_char(text, &t[i], ';'))))
			i++;
	}
	shape->from_end = i;

	/* the rest of the statement at depth 0 */
	for (; i < n; i++)
	{
		if (t[i].depth != 0)
			continue;
		if (token_is_word(text, &t[i], "union") ||
			token_is_word(text, &t[i], "intersect") ||
			token_is_word(text, &t[i], "except"))
			shape->set_operation = true;
		else if (token_is_word(text, &t[i], "limit") ||
				 token_is_word(text, &t[i], "fetch"))
			shape->has_limit = true;
		else if (token_is_word(text, &t[i], "order") && i + 1 < n &&
				 token_is_word(text, &t[i + 1], "by") && shape->order_by < 0)
		{
			int			k = i + 2;

			shape->order_by = k;
			while (k < n && !(t[k].depth == 0 &&
							  (token_is_clause_keyword(text, &t[k]) ||
							   token_is_char(text, &t[k], ';'))))
				k++;
			shape->order_by_end = k;
		}
	}
	return NULL;
}

/*
 * Find the relation in the FROM clause.  *items counts the FROM items,
 * which commas and JOINs at depth 0 separate.  *qualifier is the token
 * index of the name that qualifies the relation's columns (the alias, or
 * the table name), or -1 when the relation is not a FROM item at depth 0.
 */
static void
find_relation(const char *text, const TokenList *tokens, const SelectShape *shape,
			  const char *schema, const char *table, int *items, int *qualifier)
{
	const Token *t = tokens->items;

	*items = 1;
	*qualifier = -1;
	for (int i = shape->list_end + 1; i < shape->from_end; i++)
	{
		int			name = i;

		if (t[i].depth != 0)
			continue;
		if (token_is_char(text, &t[i], ',') || token_is_word(text, &t[i], "join"))
		{
			(*items)++;
			continue;
		}
		if (t[i].kind != TOKEN_WORD && t[i].kind != TOKEN_QUOTED)
			continue;
		/* schema.table, or a table name that no dot precedes */
		if (i + 2 < shape->from_end && token_is_char(text, &t[i + 1], '.'))
		{
			if (!token_names(text, &t[i], schema))
				continue;
			name = i + 2;
		}
		else if (i > 0 && token_is_char(text, &t[i - 1], '.'))
			continue;
		if (!token_names(text, &t[name], table) || *qualifier >= 0)
			continue;

		*qualifier = name;
		if (name + 1 < shape->from_end && token_is_word(text, &t[name + 1], "as"))
		{
			if (name + 2 < shape->from_end)
				*qualifier = name + 2;
		}
		else if (name + 1 < shape->from_end &&
				 (t[name + 1].kind == TOKEN_QUOTED ||
				  (t[name + 1].kind == TOKEN_WORD &&
				   !token_is_clause_keyword(text, &t[name + 1]) &&
				   !token_is_word(text, &t[name + 1], "join") &&
				   !token_is_word(text, &t[name + 1], "on") &&
				   !token_is_word(text, &t[name + 1], "using") &&
				   !token_is_word(text, &t[name + 1], "natural") &&
				   !token_is_word(text, &t[name + 1], "inner") &&
				   !token_is_word(text, &t[name + 1], "left") &&
				   !token_is_word(text, &t[name + 1], "right") &&
				   !token_is_word(text, &t[name + 1], "full") &&
				   !token_is_word(text, &t[name + 1], "cross") &&
				   !token_is_word(text, &t[name + 1], "tablesample"))))
			*qualifier = name + 1;
		i = *qualifier;
	}
}

/* Text of tokens [first, last] as written. */
static void
append_tokens_text(StrBuf *buf, const char *text, const TokenList *tokens,
				   int first, int last)
{
	strbuf_append_len(buf, text + tokens->items[first].start,
					  (size_t) (tokens->items[last].end - tokens->items[first].start));
}

/*
 * Append the kept columns, each qualified by "qualifier" text when not
 * NULL.  Returns false when a name could not be quoted.
 */
static bool
append_kept_columns(StrBuf *buf, PGconn *conn, const char *qualifier,
					const StrList *columns, const bool *drop)
{
	bool		first = true;

	for (int c = 0; c < columns->count; c++)
	{
		char	   *quoted;

		if (drop[c])
			continue;
		quoted = projection_quote_column(conn, columns->items[c]);
		if (quoted == NULL)
			return false;
		if (!first)
			strbuf_append(buf, ", ");
		first = false;
		if (qualifier != NULL)
		{
			strbuf_append(buf, qualifier);
			strbuf_append_char(buf, '.');
		}
		strbuf_append(buf, quoted);
		free(quoted);
	}
	return true;
}

/*
 * Whether select item tokens [first, last] are a plain reference to a
 * dropped column (col, or qualifier.col, maybe with an alias).
 */
static bool
item_is_dropped_column(const char *text, const TokenList *tokens, int first, int last,
					   const char *qualifier_name, bool single_relation,
					   const StrList *columns, const bool *drop)
{
	const Token *t = tokens->items;
	int			column_token;
	int			end;
	char	   *name;
	int			pos;

	if (last - first >= 2 && token_is_char(text, &t[first + 1], '.'))
	{
		if (qualifier_name == NULL || !token_names(text, &t[first], qualifier_name))
			return false;
		column_token = first + 2;
	}
	else if (single_relation)
		column_token = first;
	else
		return false;

	/* optional alias: [AS] name */
	end = column_token;
	if (end + 1 <= last && token_is_word(text, &t[end + 1], "as"))
		end += 2;
	else if (end + 1 <= last)
		end += 1;
	if (end != last)
		return false;
	if (end != column_token && t[end].kind != TOKEN_WORD && t[end].kind != TOKEN_QUOTED)
		return false;

	name = token_identifier(text, &t[column_token]);
	if (name == NULL)
		return false;
	pos = strlist_index(columns, name);
	free(name);
	return pos >= 0 && drop[pos];
}

char *
projection_rewrite_columns(PGconn *conn, const char *query, const char *schema,
						   const char *table, const StrList *columns, const bool *drop,
						   const char **reason)
{
	TokenList	tokens;
	SelectShape shape;
	StrBuf		list;
	StrBuf		result;
	const Token *t;
	int			from_items;
	int			qualifier;
	char	   *qualifier_name = NULL;
	char	   *qualifier_text = NULL;
	int			item_start;
	int			kept_items = 0;
	int			changes = 0;

	*reason = NULL;
	if (!tokenize(query, &tokens))
	{
		free(tokens.items);
		*reason = "the query text could not be tokenized";
		return NULL;
	}
	t = tokens.items;
	*reason = find_select_shape(query, &tokens, &shape);
	if (*reason == NULL && shape.list_end >= tokens.count)
		*reason = "the query has no FROM clause";
	else if (*reason == NULL && !token_is_word(query, &t[shape.list_end], "from"))
		*reason = "the query has no FROM clause after its select list";
	else if (*reason == NULL && shape.set_operation)
		*reason = "the query combines several SELECTs (UNION, INTERSECT or EXCEPT)";
	else if (*reason == NULL && shape.list_start >= shape.list_end)
		*reason = "the select list is empty";
	if (*reason != NULL)
	{
		free(tokens.items);
		return NULL;
	}

	find_relation(query, &tokens, &shape, schema, table, &from_items, &qualifier);
	if (qualifier < 0)
	{
		free(tokens.items);
		*reason = "the relation is not named in the FROM clause of the main SELECT";
		return NULL;
	}
	qualifier_name = token_identifier(query, &t[qualifier]);
	qualifier_text = xmalloc((size_t) (t[qualifier].end - t[qualifier].start) + 1);
	memcpy(qualifier_text, query + t[qualifier].start,
		   (size_t) (t[qualifier].end - t[qualifier].start));
	qualifier_text[t[qualifier].end - t[qualifier].start] = '\0';

	/* each select item: copy it, expand it or leave it out */
	strbuf_init(&list);
	item_start = shape.list_start;
	for (int i = shape.list_start; i <= shape.list_end; i++)
	{
		int			last;
		bool		is_star;
		bool		is_qualified_star;

		if (i < shape.list_end && !(t[i].depth == 0 && token_is_char(query, &t[i], ',')))
			continue;
		last = i - 1;
		if (last < item_start)
		{
			*reason = "the select list has an empty item";
			break;
		}
		is_star = last == item_start && token_is_char(query, &t[item_start], '*');
		is_qualified_star = last - item_start == 2 &&
			token_is_char(query, &t[item_start + 1], '.') &&
			token_is_char(query, &t[last], '*');

		if (is_star && from_items != 1)
		{
			*reason = "\"*\" expands to the columns of several relations";
			break;
		}
		if (is_star || (is_qualified_star &&
						token_names(query, &t[item_start], qualifier_name)))
		{
			if (kept_items++ > 0)
				strbuf_append(&list, ", ");
			if (!append_kept_columns(&list, conn, is_star ? NULL : qualifier_text,
									 columns, drop))
			{
				*reason = "a column name could not be quoted";
				break;
			}
			changes++;
		}
		else if (item_is_dropped_column(query, &tokens, item_start, last, qualifier_name,
										from_items == 1, columns, drop))
			changes++;
		else
		{
			if (kept_items++ > 0)
				strbuf_append(&list, ", ");
			append_tokens_text(&list, query, &tokens, item_start, last);
		}
		item_start = i + 1;
	}
	if (*reason == NULL && changes == 0)
		*reason = "the select list has no \"*\" and no wide column that could be left out";
	if (*reason == NULL && kept_items == 0)
		*reason = "no column would be left in the select list";

	free(qualifier_name);
	free(qualifier_text);
	if (*reason != NULL)
	{
		strbuf_free(&list);
		free(tokens.items);
		return NULL;
	}

	strbuf_init(&result);
	strbuf_append_len(&result, query, (size_t) t[shape.list_start].start);
	strbuf_append(&result, list.data);
	strbuf_append_char(&result, ' ');
	strbuf_append(&result, query + t[shape.list_end].start);
	strbuf_free(&list);
	free(tokens.items);
	return strbuf_release(&result);
}

char *
projection_add_limit(const char *query, int64_t limit, char **order_by,
					 const char **reason)
{
	TokenList	tokens;
	SelectShape shape;
	StrBuf		result;
	int			last;

	*order_by = NULL;
	*reason = NULL;
	if (!tokenize(query, &tokens))
	{
		free(tokens.items);
		*reason = "the query text could not be tokenized";
		return NULL;
	}
	*reason = find_select_shape(query, &tokens, &shape);
	if (*reason == NULL && shape.has_limit)
		*reason = "the query already has a LIMIT or FETCH";
	if (*reason != NULL)
	{
		free(tokens.items);
		return NULL;
	}

	if (shape.order_by >= 0 && shape.order_by < shape.order_by_end)
	{
		StrBuf		keys;

		strbuf_init(&keys);
		append_tokens_text(&keys, query, &tokens, shape.order_by, shape.order_by_end - 1);
		*order_by = strbuf_release(&keys);
	}

	/* after the last token that is not a semicolon */
	last = tokens.count - 1;
	while (last >= 0 && token_is_char(query, &tokens.items[last], ';'))
		last--;
	strbuf_init(&result);
	strbuf_append_len(&result, query, (size_t) tokens.items[last].end);
	strbuf_appendf(&result, " LIMIT %lld", (long long) limit);
	strbuf_append(&result, query + tokens.items[last].end);
	free(tokens.items);
	return strbuf_release(&result);
}

void
projection_format_bytes(char *buf, size_t size, double bytes)
{
	const char *units[] = {"bytes", "kB", "MB", "GB", "TB"};
	int			unit = 0;

	while (bytes >= 1024 && unit < 4)
	{
		bytes /= 1024;
		unit++;
	}
	if (unit == 0)
		snprintf(buf, size, "%.0f %s", bytes, units[unit]);
	else
		snprintf(buf, size, "%.1f %s", bytes, units[unit]);
}

char *
projection_include_variant(PGconn *conn, const char *index_sql, const StrList *columns,
						   const bool *drop)
{
	TokenList	tokens;
	const Token *t;
	int			open = -1;
	int			close = -1;
	StrList		keys = {0};
	StrBuf		result;
	bool		any = false;

	if (!tokenize(index_sql, &tokens))
	{
		free(tokens.items);
		return NULL;
	}
	t = tokens.items;

	/* the key list: the first parenthesis at depth 0 after ON */
	for (int i = 0; i < tokens.count && open < 0; i++)
		if (t[i].depth == 0 && token_is_word(index_sql, &t[i], "on"))
			for (int j = i + 1; j < tokens.count; j++)
				if (token_is_char(index_sql, &t[j], '('))
				{
					open = j;
					break;
				}
	for (int i = open + 1; open >= 0 && i < tokens.count; i++)
		if (t[i].depth == 0 && token_is_char(index_sql, &t[i], ')'))
		{
			close = i;
			break;
		}
	if (open < 0 || close < 0 || !token_is_word(index_sql, &t[0], "create"))
	{
		free(tokens.items);
		return NULL;
	}

	/* a key column is the identifier that starts each item of the list */
	for (int i = open + 1; i < close; i++)
		if (t[i].depth == 1 && (t[i - 1].depth == 0 || token_is_char(index_sql, &t[i - 1], ',')))
		{
			char	   *name = token_identifier(index_sql, &t[i]);

			if (name != NULL)
				strlist_append(&keys, name);
			free(name);
		}

	/* CREATE INDEX [CONCURRENTLY] ON ...: the server names the index */
	strbuf_init(&result);
	strbuf_append(&result, "CREATE INDEX ");
	if (token_is_word(index_sql, &t[2], "concurrently"))
		strbuf_append(&result, "CONCURRENTLY ");
	for (int i = 0; i < tokens.count; i++)
		if (t[i].depth == 0 && token_is_word(index_sql, &t[i], "on"))
		{
			strbuf_append_len(&result, index_sql + t[i].start,
							  (size_t) (t[close].end - t[i].start));
			break;
		}
	strbuf_append(&result, " INCLUDE (");
	for (int c = 0; c < columns->count; c++)
	{
		char	   *quoted;

		if (drop[c] || strlist_contains(&keys, columns->items[c]))
			continue;
		quoted = PQescapeIdentifier(conn, columns->items[c], strlen(columns->items[c]));
		if (quoted == NULL)
		{
			any = false;
			break;
		}
		if (any)
			strbuf_append(&result, ", ");
		strbuf_append(&result, quoted);
		PQfreemem(quoted);
		any = true;
	}
	strbuf_append_char(&result, ')');
	/* the rest: a WHERE clause of a partial index, and the semicolon */
		if (close + 1 < tokens.count)
	{
		if (!token_is_char(index_sql, &t[close + 1], ';'))
			strbuf_append_char(&result, ' ');
		strbuf_append(&result, index_sql + t[close + 1].start);
	}
	strlist_free(&keys);
	free(tokens.items);
	if (!any)
	{
		strbuf_free(&result);
		return NULL;
	}
	return strbuf_release(&result);
}

char *
projection_bind_literals(const char *sql, const StrList *literals)
{
	TokenList	tokens;
	StrBuf		result;
	int			copied = 0;

	if (!tokenize(sql, &tokens))
	{
		free(tokens.items);
		return NULL;
	}
	strbuf_init(&result);
	for (int i = 0; i < tokens.count; i++)
	{
		const Token *t = &tokens.items[i];
		long		n;

		if (t->kind != TOKEN_PARAM)
			continue;
		n = strtol(sql + t->start + 1, NULL, 10);
		if (n < 1 || n > literals->count)
		{
			strbuf_free(&result);
			free(tokens.items);
			return NULL;
		}
		strbuf_append_len(&result, sql + copied, (size_t) (t->start - copied));
		strbuf_append(&result, literals->items[n - 1]);
		copied = t->end;
	}
	strbuf_append(&result, sql + copied);
	free(tokens.items);
	return strbuf_release(&result);
}

int
projection_max_placeholder(const char *sql)
{
	TokenList	tokens;
	int			max = 0;

	if (tokenize(sql, &tokens))
		for (int i = 0; i < tokens.count; i++)
			if (tokens.items[i].kind == TOKEN_PARAM)
			{
				int			n = (int) strtol(sql + tokens.items[i].start + 1, NULL, 10);

				if (n > max)
					max = n;
			}
	free(tokens.items);
	return max;
}
