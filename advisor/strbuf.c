/*
 * strbuf.c
 *		Growable strings and string lists; see strbuf.h.
 */
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
out_of_memory(void)
{
	fprintf(stderr, "scaleup-advisor: out of memory\n");
	abort();
}

void *
xmalloc(size_t size)
{
	void	   *ptr = malloc(size ? size : 1);

	if (ptr == NULL)
		out_of_memory();
	return ptr;
}

void *
xcalloc(size_t count, size_t size)
{
	void	   *ptr = calloc(count ? count : 1, size ? size : 1);

	if (ptr == NULL)
		out_of_memory();
	return ptr;
}

void *
xrealloc(void *ptr, size_t size)
{
	void	   *grown = realloc(ptr, size ? size : 1);

	if (grown == NULL)
		out_of_memory();
	return grown;
}

char *
xstrdup(const char *text)
{
	char	   *copy = strdup(text ? text : "");

	if (copy == NULL)
		out_of_memory();
	return copy;
}

void
strbuf_init(StrBuf *buf)
{
	buf->cap = 128;
	buf->len = 0;
	buf->data = xmalloc(buf->cap);
	buf->data[0] = '\0';
}

void
strbuf_reset(StrBuf *buf)
{
	buf->len = 0;
	buf->data[0] = '\0';
}

void
strbuf_free(StrBuf *buf)
{
	free(buf->data);
	buf->data = NULL;
	buf->len = buf->cap = 0;
}

static void
strbuf_reserve(StrBuf *buf, size_t extra)
{
	if (buf->len + extra + 1 <= buf->cap)
		return;
	while (buf->len + extra + 1 > buf->cap)
		buf->cap *= 2;
	buf->data = xrealloc(buf->data, buf->cap);
}

void
strbuf_append_len(StrBuf *buf, const char *text, size_t len)
{
	strbuf_reserve(buf, len);
	memcpy(buf->data + buf->len, text, len);
	buf->len += len;
	buf->data[buf->len] = '\0';
}

void
strbuf_append(StrBuf *buf, const char *text)
{
	strbuf_append_len(buf, text, strlen(text));
}

void
strbuf_append_char(StrBuf *buf, char c)
{
	strbuf_append_len(buf, &c, 1);
}

void
strbuf_appendf(StrBuf *buf, const char *fmt,...)
{
	va_list		args;
	int			needed;

	va_start(args, fmt);
	needed = vsnprintf(NULL, 0, fmt, args);
	va_end(args);
	if (needed < 0)
		return;
	strbuf_reserve(buf, (size_t) needed);
	va_start(args, fmt);
	vsnprintf(buf->data + buf->len, (size_t) needed + 1, fmt, args);
	va_end(args);
	buf->len += (size_t) needed;
}

void
strbuf_append_json_string(StrBuf *buf, const char *text)
{
	const unsigned char *p;

	if (text == NULL)
	{
		strbuf_append(buf, "null");
		return;
	}
	strbuf_append_char(buf, '"');
	for (p = (const unsigned char *) text; *p; p++)
	{
		switch (*p)
		{
			case '"':
				strbuf_append(buf, "\\\"");
				break;
			case '\\':
				strbuf_append(buf, "\\\\");
				break;
			case '\n':
				strbuf_append(buf, "\\n");
				break;
			case '\r':
				strbuf_append(buf, "\\r");
				break;
			case '\t':
				strbuf_append(buf, "\\t");
				break;
			case '\b':
				strbuf_append(buf, "\\b");
				break;
			case '\f':
				strbuf_append(buf, "\\f");
				break;
			default:
				if (*p < 0x20)
					strbuf_appendf(buf, "\\u%04x", *p);
				else
					strbuf_append_char(buf, (char) *p);
		}
	}
	strbuf_append_char(buf, '"');
}

char *
strbuf_release(StrBuf *buf)
{
	char	   *data = buf->data;

	buf->data = NULL;
	buf->len = buf->cap = 0;
	return data;
}

void
strlist_append(StrList *list, const char *item)
{
	if (list->count == list->cap)
	{
		list->cap = list->cap ? list->cap * 2 : 4;
		list->items = xrealloc(list->items, sizeof(char *) * (size_t) list->cap);
	}
	list->items[list->count++] = xstrdup(item);
}

int
strlist_index(const StrList *list, const char *item)
{
	for (int i = 0; i < list->count; i++)
		if (strcmp(list->items[i], item) == 0)
			return i;
	return -1;
}

bool
strlist_contains(const StrList *list, const char *item)
{
	return strlist_index(list, item) >= 0;
}

void
strlist_copy(StrList *dst, const StrList *src)
{
	for (int i = 0; i < src->count; i++)
		strlist_append(dst, src->items[i]);
}

void
strlist_free(StrList *list)
{
	for (int i = 0; i < list->count; i++)
		free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = list->cap = 0;
}
