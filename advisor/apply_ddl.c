/*
 * apply_ddl.c
 *		Parsing of the index DDL stored in scaleup.suggestions; see
 *		apply_ddl.h.
 */
#include "apply_ddl.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum
{
	TOKEN_END,
	TOKEN_WORD,					/* bare identifier or keyword, folded to lower case */
	TOKEN_QUOTED,				/* "quoted identifier", unquoted */
	TOKEN_STRING,				/* 'string literal' or $$dollar quoted$$ */
	TOKEN_SYMBOL,				/* one punctuation byte: ( ) , . ; and others */
	TOKEN_OTHER,				/* numbers and operators */
	TOKEN_ERROR					/* unterminated quote or comment */
} TokenKind;

typedef struct Token
{
	TokenKind	kind;
	char	   *text;			/* malloc'd for WORD and QUOTED; NULL otherwise */
	char		symbol;			/* for SYMBOL */
	const char *start;			/* position in the input */
} Token;

typedef struct Lexer
{
	const char *input;
	const char *pos;
} Lexer;

static bool
is_ident_start(unsigned char c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static bool
is_ident_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* Skip white space and -- and C-style comments; false on an unterminated comment. */
static bool
skip_space(Lexer *lexer)
{
	for (;;)
	{
		const char *p = lexer->pos;

		while (*p && isspace((unsigned char) *p))
			p++;
		if (p[0] == '-' && p[1] == '-')
		{
			while (*p && *p != '\n')
				p++;
			lexer->pos = p;
			continue;
		}
		if (p[0] == '/' && p[1] == '*')
		{
			int			depth = 1;

			p += 2;
			while (*p && depth > 0)
			{
				if (p[0] == '/' && p[1] == '*')
				{
					depth++;
					p += 2;
				}
				else if (p[0] == '*' && p[1] == '/')
				{
					depth--;
					p += 2;
				}
				else
					p++;
			}
			lexer->pos = p;
			if (depth > 0)
				return false;
			continue;
		}
		lexer->pos = p;
		return true;
	}
}

static void
token_clear(Token *token)
{
	free(token->text);
	memset(token, 0, sizeof(*token));
}

/* Read the next token; the caller clears it with token_clear(). */
static void
next_token(Lexer *lexer, Token *token)
{
	const char *p;

	memset(token, 0, sizeof(*token));
	if (!skip_space(lexer))
	{
		token->kind = TOKEN_ERROR;
		return;
	}
	p = lexer->pos;
	token->start = p;
	if (*p == '\0')
	{
		token->kind = TOKEN_END;
		return;
	}

	if (is_ident_start((unsigned char) *p))
	{
		StrBuf		word;

		strbuf_init(&word);
		while (is_ident_char((unsigned char) *p))
		{
			strbuf_append_char(&word, (char) tolower((unsigned char) *p));
			p++;
		}
		token->kind = TOKEN_WORD;
		token->text = strbuf_release(&word);
		lexer->pos = p;
		return;
	}

	if (*p == '"')
	{
		StrBuf		ident;

		strbuf_init(&ident);
		p++;
		for (;;)
		{
			if (*p == '\0')
			{
				strbuf_free(&ident);
				token->kind = TOKEN_ERROR;
				lexer->pos = p;
				return;
			}
			if (*p == '"' && p[1] == '"')
			{
				strbuf_append_char(&ident, '"');
				p += 2;
				continue;
			}
			if (*p == '"')
			{
				p++;
				break;
			}
			strbuf_append_char(&ident, *p);
			p++;
		}
		token->kind = TOKEN_QUOTED;
		token->text = strbuf_release(&ident);
		lexer->pos = p;
		return;
	}

	if (*p == '\'')
	{
		/* A doubled quote stays inside the literal; E'' escapes are rejected below. */
		p++;
		for (;;)
		{
			if (*p == '\0')
			{
				token->kind = TOKEN_ERROR;
				lexer->pos = p;
				return;
			}
			if (*p == '\'' && p[1] == '\'')
			{
				p += 2;
				continue;
			}
			if (*p == '\'')
			{
				p++;
				break;
			}
			p++;
		}
		token->kind = TOKEN_STRING;
		lexer->pos = p;
		return;
	}

	if (*p == '$' && p[1] == '$')
	{
		const char *end = strstr(p + 2, "$$");

		if (end == NULL)
		{
			token->kind = TOKEN_ERROR;
			lexer->pos = p + strlen(p);
			return;
		}
		token->kind = TOKEN_STRING;
		lexer->pos = end + 2;
		return;
	}

	if (strchr("(),.;[]", *p) != NULL)
	{
		token->kind = TOKEN_SYMBOL;
		token->symbol = *p;
		lexer->pos = p + 1;
		return;
	}

	token->kind = TOKEN_OTHER;
	lexer->pos = p + 1;
}

static bool
token_is_word(const Token *token, const char *word)
{
	return token->kind == TOKEN_WORD && strcmp(token->text, word) == 0;
}

static bool
token_is_symbol(const Token *token, char symbol)
{
	return token->kind == TOKEN_SYMBOL && token->symbol == symbol;
}

static bool
token_is_name(const Token *token)
{
	return token->kind == TOKEN_WORD || token->kind == TOKEN_QUOTED;
}

static char *
error_text(const char *message)
{
	return xstrdup(message);
}

/*
 * Read a name of one or two parts from the lexer; the token after it is left
 * in *next.  Returns false when the next token is not a name.
 */
static bool
read_qualified_name(Lexer *lexer, Token *next, char **schema, char **name)
{
	Token		first = *next;

	*schema = NULL;
	*name = NULL;
	if (!token_is_name(&first))
		return false;
	next_token(lexer, next);
	if (!token_is_symbol(next, '.'))
	{
		*name = first.text;
		return true;
	}
	token_clear(next);
	next_token(lexer, next);
	if (!token_is_name(next))
	{
		free(first.text);
		return false;
	}
	*schema = first.text;
	*name = next->text;
	next->text = NULL;
	next_token(lexer, next);
	return true;
}

/* True when only an optional semicolon and white space follow. */
static bool
at_statement_end(Lexer *lexer, Token *token)
{
	if (token_is_symbol(token, ';'))
	{
		token_clear(token);
		next_token(lexer, token);
	}
	return token->kind == TOKEN_END;
}

bool
apply_parse_qualified_name(const char *text, char **schema, char **name)
{
	Lexer		lexer = {text, text};
	Token		token;
	bool		ok;

	next_token(&lexer, &token);
	ok = read_qualified_name(&lexer, &token, schema, name) && token.kind == TOKEN_END;
	token_clear(&token);
	if (!ok)
	{
		free(*schema);
		free(*name);
		*schema = *name = NULL;
	}
	return ok;
}

/*
 * Scan the key list that starts after "(" and record the leading plain
 * column keys.  Stops after the matching ")"; returns false on a syntax
 * error.
 */
static bool
read_key_list(Lexer *lexer, IndexDdl *ddl)
{
	int			depth = 1;
	bool		element_start = true;
	bool		plain_prefix = true;
	char	   *pending = NULL; /* a key's first name, until we see it is no
								 * function call */
	Token		token;

	ddl->nkeys = 0;
	for (;;)
	{
		next_token(lexer, &token);
		if (token.kind == TOKEN_END || token.kind == TOKEN_ERROR ||
			token_is_symbol(&token, ';'))
		{
			token_clear(&token);
			free(pending);
			return false;
		}
		if (pending != NULL)
		{
			/* "lower(email)" is an expression, "email DESC" a column. */
			if (token_is_symbol(&token, '(') || token_is_symbol(&token, '.'))
			{
				free(pending);
				plain_prefix = false;
			}
			else
			{
				strlist_append(&ddl->key_columns, pending);
				free(pending);
			}
			pending = NULL;
		}
		if (element_start && depth == 1)
		{
			ddl->nkeys++;
			if (plain_prefix && token_is_name(&token))
				pending = xstrdup(token.text);
			else
				plain_prefix = false;
			element_start = false;
		}
		if (token_is_symbol(&token, '('))
			depth++;
		else if (token_is_symbol(&token, ')'))
		{
			depth--;
			if (depth == 0)
			{
				token_clear(&token);
				return true;
			}
		}
		else if (token_is_symbol(&token, ',') && depth == 1)
			element_start = true;
		token_clear(&token);
	}
}

/* Copy text from "start" to the end, without a final semicolon and white space. */
static char *
copy_tail(const char *start)
{
	size_t		len = strlen(start);

	while (len > 0 && (isspace((unsigned char) start[len - 1]) || start[len - 1] == ';'))
		len--;
	while (len > 0 && isspace((unsigned char) *start))
	{
		start++;
		len--;
	}
	{
		char	   *tail = xmalloc(len + 1);

		memcpy(tail, start, len);
		tail[len] = '\0';
		return tail;
	}
}

bool
apply_parse_create_index(const char *sql, IndexDdl *ddl, char **error)
{
	Lexer		lexer = {sql, sql};
	Token		token;
	const char *tail_start;

	memset(ddl, 0, sizeof(*ddl));
	*error = NULL;

	next_token(&lexer, &token);
	if (!token_is_word(&token, "create"))
		goto not_create_index;
	token_clear(&token);
	next_token(&lexer, &token);
	if (token_is_word(&token, "unique"))
	{
		ddl->unique = true;
		token_clear(&token);
		next_token(&lexer, &token);
	}
	if (!token_is_word(&token, "index"))
		goto not_create_index;
	token_clear(&token);
	next_token(&lexer, &token);
	if (token_is_word(&token, "concurrently"))
	{
		token_clear(&token);
		next_token(&lexer, &token);
	}
	if (token_is_word(&token, "if"))
	{
		token_clear(&token);
		next_token(&lexer, &token);
		if (!token_is_word(&token, "not"))
			goto syntax_error;
		token_clear(&token);
		next_token(&lexer, &token);
		if (!token_is_word(&token, "exists"))
			goto syntax_error;
		token_clear(&token);
		next_token(&lexer, &token);
	}
	if (token_is_name(&token) && !token_is_word(&token, "on"))
	{
		ddl->index_name = token.text;
		token.text = NULL;
		token_clear(&token);
		next_token(&lexer, &token);
	}
	if (!token_is_word(&token, "on"))
		goto syntax_error;
	token_clear(&token);
	next_token(&lexer, &token);
	if (token_is_word(&token, "only"))
	{
		token_clear(&token);
		next_token(&lexer, &token);
	}
	if (!read_qualified_name(&lexer, &token, &ddl->schema, &ddl->table))
		goto syntax_error;

	tail_start = token.start;
	if (token_is_word(&token, "using"))
	{
		token_clear(&token);
		next_token(&lexer, &token);
		if (!token_is_name(&token))
			goto syntax_error;
		token_clear(&token);
		next_token(&lexer, &token);
	}
	if (!token_is_symbol(&token, '('))
		goto syntax_error;
	token_clear(&token);
	if (!read_key_list(&lexer, ddl))
		goto syntax_error;

	/* INCLUDE, WITH, TABLESPACE, WHERE: any tokens up to the end of one statement. */
	for (;;)
	{
		next_token(&lexer, &token);
		if (token.kind == TOKEN_ERROR)
			goto syntax_error;
		if (token.kind == TOKEN_END)
			break;
		if (token_is_symbol(&token, ';'))
		{
			if (!at_statement_end(&lexer, &token))
			{
				token_clear(&token);
				apply_index_ddl_free(ddl);
				*error = error_text("the statement is followed by another statement");
				return false;
			}
			break;
		}
		token_clear(&token);
	}
	token_clear(&token);
	ddl->tail = copy_tail(tail_start);
	return true;

not_create_index:
	token_clear(&token);
	apply_index_ddl_free(ddl);
	*error = error_text("the statement is not CREATE INDEX");
	return false;

syntax_error:
	token_clear(&token);
	apply_index_ddl_free(ddl);
	*error = error_text("the CREATE INDEX statement could not be parsed");
	return false;
}

bool
apply_parse_drop_index(const char *sql, DropIndexDdl *ddl, char **error)
{
	Lexer		lexer = {sql, sql};
	Token		token;

	memset(ddl, 0, sizeof(*ddl));
	*error = NULL;

	next_token(&lexer, &token);
	if (!token_is_word(&token, "drop"))
		goto not_drop_index;
	token_clear(&token);
	next_token(&lexer, &token);
	if (!token_is_word(&token, "index"))
		goto not_drop_index;
	token_clear(&token);
	next_token(&lexer, &token);
	if (token_is_word(&token, "concurrently"))
	{
		token_clear(&token);
		next_token(&lexer, &token);
	}
	if (token_is_word(&token, "if"))
	{
		token_clear(&token);
		next_token(&lexer, &token);
		if (!token_is_word(&token, "exists"))
			goto syntax_error;
		token_clear(&token);
		next_token(&lexer, &token);
	}
	if (!read_qualified_name(&lexer, &token, &ddl->schema, &ddl->index_name))
		goto syntax_error;
	if (!at_statement_end(&lexer, &token))
	{
		token_clear(&token);
		apply_drop_ddl_free(ddl);
		*error = error_text("the DROP INDEX statement must name exactly one index and end there");
		return false;
	}
	token_clear(&token);
	return true;

not_drop_index:
	token_clear(&token);
	apply_drop_ddl_free(ddl);
	*error = error_text("the statement is not DROP INDEX");
	return false;

syntax_error:
	token_clear(&token);
	apply_drop_ddl_free(ddl);
	*error = error_text("the DROP INDEX statement could not be parsed");
	return false;
}

void
apply_index_ddl_free(IndexDdl *ddl)
{
	free(ddl->index_name);
	free(ddl->schema);
	free(ddl->table);
	free(ddl->tail);
	strlist_free(&ddl->key_columns);
	memset(ddl, 0, sizeof(*ddl));
}

void
apply_drop_ddl_free(DropIndexDdl *ddl)
{
	free(ddl->schema);
	free(ddl->index_name);
	memset(ddl, 0, sizeof(*ddl));
}

bool
apply_is_write_on_table(const char *query, const char *schema, const char *table)
{
	Lexer		lexer = {query, query};
	Token		token;
	char	   *found_schema = NULL;
	char	   *found_table = NULL;
	bool		match = false;

	next_token(&lexer, &token);
	if (token_is_word(&token, "insert") || token_is_word(&token, "delete"))
	{
		const char *keyword = token_is_word(&token, "insert") ? "into" : "from";

		token_clear(&token);
		next_token(&lexer, &token);
		if (!token_is_word(&token, keyword))
		{
			token_clear(&token);
			return false;
		}
	}
	else if (!token_is_word(&token, "update"))
	{
		token_clear(&token);
		return false;
	}
	token_clear(&token);
	next_token(&lexer, &token);
	if (token_is_word(&token, "only"))
	{
		token_clear(&token);
		next_token(&lexer, &token);
	}
	if (read_qualified_name(&lexer, &token, &found_schema, &found_table))
		match = strcmp(found_table, table) == 0 &&
			(found_schema == NULL || schema == NULL || strcmp(found_schema, schema) == 0);
	token_clear(&token);
	free(found_schema);
	free(found_table);
	return match;
}

bool
apply_index_is_equivalent(const StrList *existing, const StrList *wanted)
{
	if (wanted->count == 0 || existing->count < wanted->count)
		return false;
	for (int i = 0; i < wanted->count; i++)
		if (strcmp(existing->items[i], wanted->items[i]) != 0)
			return false;
	return true;
}
