/*
 * apply_ddl.h
 *		Reading the DDL stored in scaleup.suggestions before applying it.
 *
 * The apply step does not run a suggestion's "sql" as stored.  It parses the
 * statement into its parts, checks that it is one CREATE INDEX or DROP INDEX
 * statement, and builds the statement it runs from those parts with every
 * name quoted again by PQescapeIdentifier.  A stored text with a second
 * statement, or anything but an index statement, is rejected.
 *
 * The parser follows PostgreSQL's lexical rules for identifiers, string
 * literals and comments.  Bare names fold to lower case, and "quoted" names
 * keep their case and write a quote as two.  Every function returns malloc'd
 * results that the caller frees.
 */
#ifndef SCALEUP_APPLY_DDL_H
#define SCALEUP_APPLY_DDL_H

#include <stdbool.h>

#include "strbuf.h"

/* A parsed CREATE INDEX statement. */
typedef struct IndexDdl
{
	bool		unique;
	char	   *index_name;		/* unquoted; NULL when the statement names none */
	char	   *schema;			/* unquoted; NULL when the table is unqualified */
	char	   *table;			/* unquoted */
	StrList		key_columns;	/* leading plain-column keys, unquoted; stops at
								 * the first expression key */
	int			nkeys;			/* every key, expressions included */
	char	   *tail;			/* text after the table name: "USING btree (...)
								 * INCLUDE (...) WHERE ...", without the final
								 * semicolon */
} IndexDdl;

/* A parsed DROP INDEX statement. */
typedef struct DropIndexDdl
{
	char	   *schema;			/* unquoted; NULL when unqualified */
	char	   *index_name;		/* unquoted */
} DropIndexDdl;

/*
 * Parse a CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] [name] ON
 * [ONLY] table ... statement.  Returns false with a malloc'd message in
 * *error when the text is not exactly one such statement.
 */
extern bool apply_parse_create_index(const char *sql, IndexDdl *ddl, char **error);

/* Parse DROP INDEX [CONCURRENTLY] [IF EXISTS] name [;]; one index only. */
extern bool apply_parse_drop_index(const char *sql, DropIndexDdl *ddl, char **error);

extern void apply_index_ddl_free(IndexDdl *ddl);
extern void apply_drop_ddl_free(DropIndexDdl *ddl);

/*
 * Parse a possibly qualified name such as  public."Blog Posts"  into its
 * unquoted parts; *schema is NULL when unqualified.  Returns false when the
 * text is not one name.
 */
extern bool apply_parse_qualified_name(const char *text, char **schema, char **name);

/*
 * When "query" (a normalized statement text) is an INSERT, UPDATE or DELETE
 * whose target table is schema.table (an unqualified target matches any
 * schema), return true.  A leading WITH clause is not looked through.
 */
extern bool apply_is_write_on_table(const char *query, const char *schema,
									const char *table);

/*
 * True when an existing index with key columns "existing" serves the same
 * lookups as a new one with key columns "wanted": the first
 * wanted->count keys of the existing index are the same columns in the same
 * order.  Column directions are not compared, because a btree can be read
 * backwards.
 */
extern bool apply_index_is_equivalent(const StrList *existing, const StrList *wanted);

#endif							/* SCALEUP_APPLY_DDL_H */
