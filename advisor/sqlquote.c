/*
 * sqlquote.c
 *		Identifier quoting and index names for generated SQL; see sqlquote.h.
 */
#include "sqlquote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *
sql_quote_ident(PGconn *conn, const char *ident)
{
	char	   *escaped = PQescapeIdentifier(conn, ident, strlen(ident));
	char	   *copy;

	if (escaped == NULL)
		return NULL;
	copy = xstrdup(escaped);
	PQfreemem(escaped);
	return copy;
}

bool
sql_append_ident(StrBuf *buf, PGconn *conn, const char *ident)
{
	char	   *quoted = sql_quote_ident(conn, ident);

	if (quoted == NULL)
		return false;
	strbuf_append(buf, quoted);
	free(quoted);
	return true;
}

bool
sql_append_qualified(StrBuf *buf, PGconn *conn, const char *schema,
					 const char *name)
{
	if (!sql_append_ident(buf, conn, schema))
		return false;
	strbuf_append_char(buf, '.');
	return sql_append_ident(buf, conn, name);
}

uint32_t
sql_name_hash(const char *text)
{
	uint32_t	hash = 2166136261u;

	for (const unsigned char *p = (const unsigned char *) text; *p; p++)
	{
		hash ^= *p;
		hash *= 16777619u;
	}
	return hash;
}

/* Append "text" lower-cased, other bytes as "_", without doubled "_". */
static void
append_sanitized(StrBuf *buf, const char *text)
{
	for (const unsigned char *p = (const unsigned char *) text; *p; p++)
	{
		char		c;

		if (*p >= 'A' && *p <= 'Z')
			c = (char) (*p - 'A' + 'a');
		else if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			c = (char) *p;
		else
			c = '_';
		if (c == '_' && buf->len > 0 && buf->data[buf->len - 1] == '_')
			continue;
		strbuf_append_char(buf, c);
	}
}

char *
sql_index_name(const char *table, const StrList *columns,
			   const char *fingerprint, bool force_hash)
{
	StrBuf		name;
	char		suffix[16];

	strbuf_init(&name);
	strbuf_append(&name, "scaleup_");
	append_sanitized(&name, table);
	for (int i = 0; i < columns->count; i++)
	{
		if (name.data[name.len - 1] != '_')
			strbuf_append_char(&name, '_');
		append_sanitized(&name, columns->items[i]);
	}
	while (name.len > 0 && name.data[name.len - 1] == '_')
		name.data[--name.len] = '\0';

	if (!force_hash && name.len <= SQL_MAX_IDENTIFIER_BYTES)
		return strbuf_release(&name);

	/* "_" + 8 hex digits; the name is plain ASCII, so any cut is safe */
	snprintf(suffix, sizeof(suffix), "_%08x", sql_name_hash(fingerprint));
	if (name.len > SQL_MAX_IDENTIFIER_BYTES - strlen(suffix))
	{
		name.len = SQL_MAX_IDENTIFIER_BYTES - strlen(suffix);
		name.data[name.len] = '\0';
	}
	while (name.len > 0 && name.data[name.len - 1] == '_')
		name.data[--name.len] = '\0';
	strbuf_append(&name, suffix);
	return strbuf_release(&name);
}
