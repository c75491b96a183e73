/*
 * config_conninfo.c: a target's conninfo, and masking the passwords in a
 * conninfo before it is shown in a message or a log line.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strbuf.h"

#define MASKED_PASSWORD "********"

char *
config_target_conninfo(const TargetConfig *target)
{
	StrBuf		buf;
	const char *p;

	if (target->service == NULL)
		return xstrdup(target->conninfo ? target->conninfo : "");

	/* Quote the service name as a conninfo value: backslash before ' and \. */
	strbuf_init(&buf);
	strbuf_append(&buf, "service='");
	for (p = target->service; *p; p++)
	{
		if (*p == '\'' || *p == '\\')
			strbuf_append_char(&buf, '\\');
		strbuf_append_char(&buf, *p);
	}
	strbuf_append_char(&buf, '\'');
	return strbuf_release(&buf);
}

char *
config_target_display(const TargetConfig *target)
{
	StrBuf		buf;

	if (target->service != NULL)
	{
		strbuf_init(&buf);
		strbuf_appendf(&buf, "service=%s", target->service);
		return strbuf_release(&buf);
	}
	if (target->conninfo == NULL || target->conninfo[0] == '\0')
		return xstrdup("(libpq environment)");
	return config_mask_conninfo(target->conninfo);
}

static bool
starts_with_nocase(const char *text, const char *prefix)
{
	return strncasecmp(text, prefix, strlen(prefix)) == 0;
}

/*
 * Mask a URI: the password in "scheme://user:password@host" and the value of
 * any "password=" query parameter.  Like libpq's URI parser (PostgreSQL 15,
 * fe-connect.c, conninfo_uri_parse_options), this ends the user information
 * at the first '@' before any '/', and the user name at the first ':'.
 */
static char *
mask_uri(const char *uri)
{
	StrBuf		buf;
	const char *authority = strstr(uri, "://") + 3;
	const char *p = authority;
	const char *query;

	strbuf_init(&buf);
	while (*p && *p != '@' && *p != '/')
		p++;
	if (*p == '@')
	{
		const char *colon = memchr(authority, ':', (size_t) (p - authority));

		if (colon != NULL)
		{
			strbuf_append_len(&buf, uri, (size_t) (colon + 1 - uri));
			strbuf_append(&buf, MASKED_PASSWORD);
			strbuf_append_len(&buf, p, strlen(p));
		}
		else
			strbuf_append(&buf, uri);
	}
	else
		strbuf_append(&buf, uri);

	/* Query parameters: "?a=b&password=secret&c=d". */
	query = strchr(buf.data, '?');
	if (query != NULL)
	{
		StrBuf		masked;
		const char *q = query + 1;

		strbuf_init(&masked);
		strbuf_append_len(&masked, buf.data, (size_t) (q - buf.data));
		while (*q)
		{
			const char *end = strchr(q, '&');
			size_t		len = end ? (size_t) (end - q) : strlen(q);

			if (len >= 9 && starts_with_nocase(q, "password="))
			{
				strbuf_append(&masked, "password=");
				strbuf_append(&masked, MASKED_PASSWORD);
			}
			else
				strbuf_append_len(&masked, q, len);
			q += len;
			if (*q == '&')
				strbuf_append_char(&masked, *q++);
		}
		strbuf_free(&buf);
		return strbuf_release(&masked);
	}
	return strbuf_release(&buf);
}

/*
 * Mask a key=value conninfo, following libpq's grammar: a keyword, optional
 * spaces, '=', optional spaces, then a value that is either single-quoted
 * with backslash escapes or runs up to the next space.
 */
static char *
mask_keyword_value(const char *conninfo)
{
	StrBuf		buf;
	const char *p = conninfo;

	strbuf_init(&buf);
	while (*p)
	{
		const char *keyword;
		size_t		keyword_len;
		bool		is_password;

		/* Spaces between pairs are copied as they are. */
		while (isspace((unsigned char) *p))
			strbuf_append_char(&buf, *p++);
		if (*p == '\0')
			break;

		keyword = p;
		while (*p && *p != '=' && !isspace((unsigned char) *p))
			p++;
		keyword_len = (size_t) (p - keyword);
		strbuf_append_len(&buf, keyword, keyword_len);
		is_password = (keyword_len == 8 && strncasecmp(keyword, "password", 8) == 0);

		while (isspace((unsigned char) *p))
			strbuf_append_char(&buf, *p++);
		if (*p != '=')
		{
			/* The conninfo is invalid here, so hide the rest rather than guess. */
			if (*p != '\0')
				strbuf_append(&buf, MASKED_PASSWORD);
			break;
		}
		strbuf_append_char(&buf, *p++);
		while (isspace((unsigned char) *p))
			strbuf_append_char(&buf, *p++);

		if (*p == '\'')
		{
			const char *value = p++;

			while (*p && *p != '\'')
			{
				if (*p == '\\' && p[1] != '\0')
					p++;
				p++;
			}
			if (*p == '\'')
				p++;
			if (is_password)
				strbuf_append(&buf, "'" MASKED_PASSWORD "'");
			else
				strbuf_append_len(&buf, value, (size_t) (p - value));
		}
		else
		{
			const char *value = p;

			while (*p && !isspace((unsigned char) *p))
			{
				if (*p == '\\' && p[1] != '\0')
					p++;
				p++;
			}
			if (is_password)
				strbuf_append(&buf, MASKED_PASSWORD);
			else
				strbuf_append_len(&buf, value, (size_t) (p - value));
		}
	}
	return strbuf_release(&buf);
}

char *
config_mask_conninfo(const char *conninfo)
{
	if (conninfo == NULL)
		return xstrdup("");
	if (starts_with_nocase(conninfo, "postgresql://") || starts_with_nocase(conninfo, "postgres://"))
		return mask_uri(conninfo);
	return mask_keyword_value(conninfo);
}
