/*
 * sqlquote.h
 *		Quoting of identifiers in generated SQL, and generated index names.
 *
 * Every identifier that goes into DDL passes through PQescapeIdentifier, so
 * a table called  Blog Posts; DROP TABLE keep; --  comes out as one quoted
 * name.  The functions return malloc'd strings that the caller frees.
 */
#ifndef SCALEUP_SQLQUOTE_H
#define SCALEUP_SQLQUOTE_H

#include <stdint.h>

#include <libpq-fe.h>

#include "strbuf.h"

/* Maximum identifier length PostgreSQL keeps, in bytes (NAMEDATALEN - 1). */
#define SQL_MAX_IDENTIFIER_BYTES 63

/*
 * Quote one identifier for "conn"'s client encoding.  Returns NULL when
 * libpq rejects it (invalid encoding), and PQerrorMessage(conn) then has
 * the reason.
 */
extern char *sql_quote_ident(PGconn *conn, const char *ident);

/* Append "schema"."name", both quoted; returns false when quoting failed. */
extern bool sql_append_qualified(StrBuf *buf, PGconn *conn,
								 const char *schema, const char *name);

/* Append one quoted identifier; returns false when quoting failed. */
extern bool sql_append_ident(StrBuf *buf, PGconn *conn, const char *ident);

/* 32-bit FNV-1a hash of a string, for short stable name suffixes. */
extern uint32_t sql_name_hash(const char *text);

/*
 * Build the name of a suggested index: "scaleup_" + table + "_" + columns,
 * lower-cased, with every byte outside [a-z0-9] replaced by "_".  When that
 * is longer than 63 bytes, or when "force_hash" is set, the name ends in
 * "_" and 8 hex digits of the hash of "fingerprint", so that suggestions
 * with different fingerprints get different names.
 */
extern char *sql_index_name(const char *table, const StrList *columns,
							const char *fingerprint, bool force_hash);

#endif							/* SCALEUP_SQLQUOTE_H */
