/*
 * strbuf.h
 *		A growable, NUL-terminated string buffer and a growable array of
 *		strings, used to build SQL, JSON and report text.
 *
 * Allocation failure aborts the program with a message: the advisor cannot
 * do anything useful without memory, and checking every append would hide
 * the logic.
 */
#ifndef SCALEUP_STRBUF_H
#define SCALEUP_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct StrBuf
{
	char	   *data;			/* always NUL-terminated once initialized */
	size_t		len;
	size_t		cap;
} StrBuf;

extern void strbuf_init(StrBuf *buf);
extern void strbuf_reset(StrBuf *buf);
extern void strbuf_free(StrBuf *buf);
extern void strbuf_append(StrBuf *buf, const char *text);
extern void strbuf_append_len(StrBuf *buf, const char *text, size_t len);
extern void strbuf_append_char(StrBuf *buf, char c);
extern void strbuf_appendf(StrBuf *buf, const char *fmt,...)
			__attribute__((format(printf, 2, 3)));
/* Append text as a JSON string literal, quotes included; NULL appends null. */
extern void strbuf_append_json_string(StrBuf *buf, const char *text);
/* Hand the string over to the caller, who frees it; the buffer is reset. */
extern char *strbuf_release(StrBuf *buf);

typedef struct StrList
{
	char	  **items;
	int			count;
	int			cap;
} StrList;

extern void strlist_append(StrList *list, const char *item);
extern bool strlist_contains(const StrList *list, const char *item);
extern int	strlist_index(const StrList *list, const char *item);
extern void strlist_free(StrList *list);
extern void strlist_copy(StrList *dst, const StrList *src);

extern void *xmalloc(size_t size);
extern void *xcalloc(size_t count, size_t size);
extern void *xrealloc(void *ptr, size_t size);
extern char *xstrdup(const char *text);

#endif							/* SCALEUP_STRBUF_H */
