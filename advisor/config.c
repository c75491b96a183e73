/*
 * config.c: parse and validate the YAML configuration (see config.h).
 *
 * The tables config_keys[] and target_keys[] below list every key the file
 * may contain.  The parser applies each key's default first, then walks the
 * YAML document (libyaml's document API, which keeps the line of every node)
 * and parses each value with its key's type.  A dotted name such as
 * "thresholds.min_calls" is the key "min_calls" inside the mapping
 * "thresholds".  Errors are collected, one line each, so that one run of
 * check-config lists every problem of the file.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>
#include <yaml.h>

#include "analyze.h"
#include "strbuf.h"

typedef enum
{
	KEY_STRING,
	KEY_BOOL,
	KEY_INTEGER,
	KEY_DURATION,
	KEY_SIZE,
	KEY_FRACTION,
	KEY_ENUM,
	KEY_WINDOW,
	KEY_TARGETS
} KeyType;

/*
 * One configuration key.  min and max are in the struct's unit (ms, bytes,
 * a fraction) and apply to integers, durations, sizes and fractions.  A NULL
 * default_value leaves a string unset.
 */
typedef struct ConfigKey
{
	const char *name;
	KeyType		type;
	const char *default_value;
	const char *unit;			/* unit of an integer, for check-config */
	double		min;
	double		max;
	bool		reloadable;		/* false: a SIGHUP keeps the running value */
	const char *const *enum_names;	/* NULL-terminated, index = enum value */
	size_t		offset;			/* in AdvisorConfig or TargetConfig */
	const char *description;
} ConfigKey;

static const char *const log_level_names[] = {"debug", "info", "warning", "error", NULL};
static const char *const log_format_names[] = {"text", "json", NULL};
static const char *const role_names[] = {"primary", "replica", NULL};
static const char *const apply_mode_names[] = {"off", "approved", "auto", NULL};

#define MS_PER_SECOND 1000.0
#define MS_PER_MINUTE (60 * MS_PER_SECOND)
#define MS_PER_HOUR (60 * MS_PER_MINUTE)
#define MS_PER_DAY (24 * MS_PER_HOUR)
#define KB 1024.0
#define MB (1024 * KB)
#define GB (1024 * MB)
#define TB (1024 * GB)

#define CFG(field) offsetof(AdvisorConfig, field)
#define TGT(field) offsetof(TargetConfig, field)

static const ConfigKey config_keys[] = {
	{"interval", KEY_DURATION, "5m", NULL, MS_PER_SECOND, MS_PER_DAY, true, NULL,
	CFG(interval_ms), "time between two analysis cycles of the daemon"},

	{"log.level", KEY_ENUM, "info", NULL, 0, 0, true, log_level_names,
	CFG(log_level), "lowest level of the events written to the log"},
	{"log.format", KEY_ENUM, "text", NULL, 0, 0, false, log_format_names,
	CFG(log_format), "text lines, or one JSON object per line"},

	{"report", KEY_STRING, NULL, NULL, 0, 0, true, NULL,
	CFG(report_path), "HTML report file the daemon rewrites after each cycle; {target} is replaced by the target's name"},

	{"thresholds.min_calls", KEY_INTEGER, "50", "calls", 1, 1e12, true, NULL,
	CFG(min_calls), "calls a query needs in the analysis window before it counts"},
	{"thresholds.min_total_time", KEY_DURATION, "1s", NULL, 0, 30 * MS_PER_DAY, true, NULL,
	CFG(min_total_time_ms), "total execution time a query needs in the window before it counts"},
	{"thresholds.min_gain_per_hour", KEY_DURATION, "10s", NULL, 0, MS_PER_HOUR, true, NULL,
	CFG(min_gain_per_hour_ms), "query time an index must save per hour, after its write cost, to be suggested"},
	{"thresholds.min_table_rows", KEY_INTEGER, "10000", "rows", 0, 1e15, true, NULL,
	CFG(min_table_rows), "tables with fewer rows get no index suggestion"},
	{"thresholds.unused_index_age", KEY_DURATION, "7d", NULL, 1000, 365 * MS_PER_DAY, true, NULL,
	CFG(unused_index_age_ms), "time an index must go unscanned before a drop is suggested"},
	{"thresholds.busy_table_writes", KEY_INTEGER, "1000", "rows", 0, 1e15, true, NULL,
	CFG(busy_table_writes), "rows inserted, updated or deleted that make a table busy enough for an unused-index drop"},
	{"thresholds.page_rows", KEY_INTEGER, "100", "rows", 1, 1e9, true, NULL,
	CFG(page_rows), "rows a page of results shows: a query without LIMIT that returns more rows per call gets an add_limit suggestion"},

	{"budgets.max_indexes_per_table", KEY_INTEGER, "8", "indexes", 1, 1000, true, NULL,
	CFG(max_indexes_per_table), "indexes a table may have, existing ones included, after the suggestions"},
	{"budgets.max_index_size_total", KEY_SIZE, "10GB", NULL, 0, 1024 * TB, true, NULL,
	CFG(max_index_size_total), "estimated storage of all new indexes suggested in one cycle of one target"},
	{"budgets.max_index_size_per_table", KEY_SIZE, "2GB", NULL, 0, 1024 * TB, true, NULL,
	CFG(max_index_size_per_table), "estimated storage of the new indexes suggested for one table"},

	{"apply.window", KEY_WINDOW, "00:00-24:00", NULL, 0, 0, true, NULL,
	CFG(apply_window), "daily UTC window in which indexes may be built or dropped; may wrap past midnight"},
	{"apply.lock_timeout", KEY_DURATION, "5s", NULL, 1, 10 * MS_PER_MINUTE, true, NULL,
	CFG(apply_lock_timeout_ms), "lock_timeout of each CREATE or DROP INDEX CONCURRENTLY"},
	{"apply.statement_timeout", KEY_DURATION, "6h", NULL, MS_PER_SECOND, 7 * MS_PER_DAY, true, NULL,
	CFG(apply_statement_timeout_ms), "statement_timeout of each index build or drop"},
	{"apply.allow_drop_in_auto", KEY_BOOL, "false", NULL, 0, 0, true, NULL,
	CFG(allow_drop_in_auto), "whether apply_mode auto also drops indexes without approval"},

	{"verify.after", KEY_DURATION, "1h", NULL, MS_PER_SECOND, 30 * MS_PER_DAY, true, NULL,
	CFG(verify_after_ms), "time after an index is built before its effect is measured"},
	{"verify.min_calls", KEY_INTEGER, "20", "calls", 1, 1e12, true, NULL,
	CFG(verify_min_calls), "calls of the affected queries needed since the build to judge it"},
	{"verify.min_improvement", KEY_FRACTION, "10%", NULL, 0, 1, true, NULL,
	CFG(verify_min_improvement), "fall in the affected queries' mean time below which the index is reverted"},
	{"verify.max_write_slowdown", KEY_FRACTION, "20%", NULL, 0, 10, true, NULL,
	CFG(verify_max_write_slowdown), "rise in the table's mean write time above which the index is reverted"},

	{"whatif.statement_timeout", KEY_DURATION, "5s", NULL, 10, 10 * MS_PER_MINUTE, true, NULL,
	CFG(whatif_statement_timeout_ms), "statement_timeout of each EXPLAIN in the what-if session"},
	{"whatif.use_hypopg", KEY_BOOL, "true", NULL, 0, 0, true, NULL,
	CFG(use_hypopg), "plan with HypoPG when it is installed in the target database; false uses the estimate"},

	{"targets", KEY_TARGETS, NULL, NULL, 0, 0, true, NULL, 0,
	"databases to analyze; without this key, the one libpq's environment names"},
};

static const ConfigKey target_keys[] = {
	{"name", KEY_STRING, NULL, NULL, 0, 0, true, NULL,
	TGT(name), "unique name used in logs and in scaleup.suggestions"},
	{"conninfo", KEY_STRING, NULL, NULL, 0, 0, true, NULL,
	TGT(conninfo), "libpq connection string or URI; keep passwords in .pgpass"},
	{"service", KEY_STRING, NULL, NULL, 0, 0, true, NULL,
	TGT(service), "pg_service.conf entry, instead of conninfo"},
	{"role", KEY_ENUM, "primary", NULL, 0, 0, true, role_names,
	TGT(role), "primary, or replica (analyzed, never changed)"},
	{"apply_mode", KEY_ENUM, "off", NULL, 0, 0, true, apply_mode_names,
	TGT(apply_mode), "off, approved (apply approved suggestions) or auto (apply every suggestion)"},
};

#define NUM_CONFIG_KEYS (sizeof(config_keys) / sizeof(config_keys[0]))
#define NUM_TARGET_KEYS (sizeof(target_keys) / sizeof(target_keys[0]))

#define MAX_TARGET_NAME_LEN 63

/* State of one parse: the document, the file name and the errors so far. */
typedef struct ParseContext
{
	yaml_document_t *document;
	const char *file_name;
	StrBuf		errors;
	int			error_count;
	int			report_line;	/* line of the "report" key, 0 when absent */
} ParseContext;

static void
add_error(ParseContext *ctx, int line, const char *fmt,...)
__attribute__((format(printf, 3, 4)));

static void
add_error(ParseContext *ctx, int line, const char *fmt,...)
{
	va_list		args;
	char		message[1024];

	va_start(args, fmt);
	vsnprintf(message, sizeof(message), fmt, args);
	va_end(args);

	if (line > 0)
		strbuf_appendf(&ctx->errors, "%s:%d: %s\n", ctx->file_name, line, message);
	else
		strbuf_appendf(&ctx->errors, "%s: %s\n", ctx->file_name, message);
	ctx->error_count++;
}

static int
node_line(const yaml_node_t *node)
{
	return (int) node->start_mark.line + 1;
}

static const char *
scalar_text(const yaml_node_t *node)
{
	return (const char *) node->data.scalar.value;
}

/* A plain scalar such as "", "~" or "null" is YAML's null. */
static bool
node_is_null(const yaml_node_t *node)
{
	const char *text;

	if (node->type != YAML_SCALAR_NODE)
		return false;
	if (node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	text = scalar_text(node);
	return text[0] == '\0' || strcmp(text, "~") == 0 ||
		strcmp(text, "null") == 0 || strcmp(text, "Null") == 0 ||
		strcmp(text, "NULL") == 0;
}

/*
 * Describe a value for "got ..." in messages.  Scalars are quoted and cut at
 * 60 bytes; the caller never passes a value that may hold a password.
 */
static void
describe_node(const yaml_node_t *node, char *buf, size_t size)
{
	if (node->type == YAML_MAPPING_NODE)
		snprintf(buf, size, "a mapping");
	else if (node->type == YAML_SEQUENCE_NODE)
		snprintf(buf, size, "a list");
	else if (node_is_null(node))
		snprintf(buf, size, "an empty value");
	else if (strlen(scalar_text(node)) > 60)
		snprintf(buf, size, "\"%.57s...\"", scalar_text(node));
	else
		snprintf(buf, size, "\"%s\"", scalar_text(node));
}

/* ----------------------------------------------------------------------
 * Applying one key
 * ---------------------------------------------------------------------- */

/* What a key expects, for "expected ..." in messages. */
static void
describe_expectation(const ConfigKey *key, bool with_range, char *buf, size_t size)
{
	char		low[32];
	char		high[32];
	int			i;
	size_t		len;

	switch (key->type)
	{
		case KEY_STRING:
			snprintf(buf, size, "a string");
			return;
		case KEY_BOOL:
			snprintf(buf, size, "true or false");
			return;
		case KEY_INTEGER:
			if (with_range)
				snprintf(buf, size, "an integer between %.0f and %.0f", key->min, key->max);
			else
				snprintf(buf, size, "an integer");
			return;
		case KEY_DURATION:
			if (with_range)
			{
				config_format_duration((int64_t) key->min, low, sizeof(low));
				config_format_duration((int64_t) key->max, high, sizeof(high));
				snprintf(buf, size, "a duration between %s and %s", low, high);
			}
			else
				snprintf(buf, size, "a duration such as \"5m\"");
			return;
		case KEY_SIZE:
			if (with_range)
			{
				config_format_size((int64_t) key->min, low, sizeof(low));
				config_format_size((int64_t) key->max, high, sizeof(high));
				snprintf(buf, size, "a size between %s and %s", low, high);
			}
			else
				snprintf(buf, size, "a size such as \"500MB\"");
			return;
		case KEY_FRACTION:
			if (with_range)
			{
				config_format_fraction(key->min, low, sizeof(low));
				config_format_fraction(key->max, high, sizeof(high));
				snprintf(buf, size, "a percentage between %s and %s", low, high);
			}
			else
				snprintf(buf, size, "a percentage such as \"10%%\" or a fraction such as 0.1");
			return;
		case KEY_ENUM:
			snprintf(buf, size, "one of ");
			for (i = 0; key->enum_names[i] != NULL; i++)
			{
				len = strlen(buf);
				snprintf(buf + len, size - len, "%s\"%s\"", i > 0 ? ", " : "",
						 key->enum_names[i]);
			}
			return;
		case KEY_WINDOW:
			snprintf(buf, size, "a UTC time window such as \"01:00-05:00\"");
			return;
		case KEY_TARGETS:
			snprintf(buf, size, "a list of targets");
			return;
	}
}

static void
report_bad_value(ParseContext *ctx, const ConfigKey *key, const char *display_name,
				 const yaml_node_t *node, bool out_of_range)
{
	char		expected[256];
	char		got[80];

	describe_expectation(key, out_of_range, expected, sizeof(expected));
	describe_node(node, got, sizeof(got));
	add_error(ctx, node_line(node), "key \"%s\": expected %s, got %s",
			  display_name, expected, got);
}

/*
 * Parse text as the key's type into the struct at base.  Returns 0 on
 * success, 1 when the text is not of the type, 2 when it is out of range.
 * The default values go through here too.
 */
static int
assign_value(const ConfigKey *key, const char *text, void *base)
{
	char	   *field = (char *) base + key->offset;
	int64_t		integer;
	double		fraction;
	bool		flag;
	TimeWindow	window;
	int			i;

	switch (key->type)
	{
		case KEY_STRING:
			free(*(char **) field);
			*(char **) field = text ? xstrdup(text) : NULL;
			return 0;
		case KEY_BOOL:
			if (!config_parse_bool(text, &flag))
				return 1;
			*(bool *) field = flag;
			return 0;
		case KEY_INTEGER:
		case KEY_DURATION:
		case KEY_SIZE:
			if (key->type == KEY_INTEGER ? !config_parse_integer(text, &integer)
				: key->type == KEY_DURATION ? !config_parse_duration(text, &integer)
				: !config_parse_size(text, &integer))
				return 1;
			if ((double) integer < key->min || (double) integer > key->max)
				return 2;
			*(int64_t *) field = integer;
			return 0;
		case KEY_FRACTION:
			if (!config_parse_fraction(text, &fraction))
				return 1;
			if (fraction < key->min || fraction > key->max)
				return 2;
			*(double *) field = fraction;
			return 0;
		case KEY_ENUM:
			for (i = 0; key->enum_names[i] != NULL; i++)
				if (strcmp(text, key->enum_names[i]) == 0)
				{
					*(int *) field = i;
					return 0;
				}
			return 1;
		case KEY_WINDOW:
			if (!config_parse_window(text, &window))
				return 1;
			*(TimeWindow *) field = window;
			return 0;
		case KEY_TARGETS:
			return 1;
	}
	return 1;
}

/* Parse one YAML value node for a key; reports its own errors. */
static void
apply_node(ParseContext *ctx, const ConfigKey *key, const char *display_name,
		   const yaml_node_t *node, void *base)
{
	int			result;

	if (node->type != YAML_SCALAR_NODE)
	{
		report_bad_value(ctx, key, display_name, node, false);
		return;
	}
	if (node_is_null(node))
	{
		/* An empty optional string means "unset"; anything else needs a value. */
		if (key->type == KEY_STRING && key->default_value == NULL &&
			strcmp(key->name, "name") != 0)
		{
			assign_value(key, NULL, base);
			return;
		}
		report_bad_value(ctx, key, display_name, node, false);
		return;
	}
	result = assign_value(key, scalar_text(node), base);
	if (result != 0)
		report_bad_value(ctx, key, display_name, node, result == 2);
}

static void
apply_defaults(const ConfigKey *keys, size_t nkeys, void *base)
{
	size_t		i;

	for (i = 0; i < nkeys; i++)
	{
		if (keys[i].type == KEY_TARGETS)
			continue;
		if (keys[i].type == KEY_STRING && keys[i].default_value == NULL)
			continue;
		if (assign_value(&keys[i], keys[i].default_value, base) != 0)
		{
			/* A default that does not parse is a bug in the table above. */
			fprintf(stderr, "scaleup-advisor: invalid built-in default for \"%s\"\n",
					keys[i].name);
			abort();
		}
	}
}

/* ----------------------------------------------------------------------
 * Unknown keys
 * ---------------------------------------------------------------------- */

static size_t
edit_distance(const char *a, const char *b)
{
	size_t		la = strlen(a);
	size_t		lb = strlen(b);
	size_t	   *row;
	size_t		i;
	size_t		j;
	size_t		result;

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	row = xmalloc((lb + 1) * sizeof(size_t));
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++)
	{
		size_t		diagonal = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++)
		{
			size_t		above = row[j];
			size_t		best = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);

			if (above + 1 < best)
				best = above + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diagonal = above;
		}
	}
	result = row[lb];
	free(row);
	return result;
}

static const char *
leaf_name(const char *name)
{
	const char *dot = strrchr(name, '.');

	return dot ? dot + 1 : name;
}

/*
 * Find the key or section a misspelled name most likely meant: a close
 * spelling ("thresholds" for "threshold"), or the same leaf name in another
 * section ("thresholds.min_calls" for "min_calls").  Returns a static buffer.
 */
static const char *
closest_key(const ConfigKey *keys, size_t nkeys, const char *name)
{
	static char best[128];
	size_t		best_distance = 3;
	size_t		i;

	best[0] = '\0';
	for (i = 0; i < nkeys; i++)
	{
		const char *dot = strchr(keys[i].name, '.');
		char		section[128];
		size_t		distance = edit_distance(name, keys[i].name);

		if (strcmp(leaf_name(name), leaf_name(keys[i].name)) == 0)
			distance = 1;
		if (distance < best_distance)
		{
			best_distance = distance;
			snprintf(best, sizeof(best), "%s", keys[i].name);
		}

		if (dot == NULL || strchr(name, '.') != NULL)
			continue;
		snprintf(section, sizeof(section), "%.*s", (int) (dot - keys[i].name), keys[i].name);
		distance = edit_distance(name, section);
		if (distance < best_distance)
		{
			best_distance = distance;
			snprintf(best, sizeof(best), "%s", section);
		}
	}
	return best[0] ? best : NULL;
}

static void
report_unknown_key(ParseContext *ctx, const ConfigKey *keys, size_t nkeys,
				   const char *prefix, const char *name, const yaml_node_t *key_node)
{
	const char *hint = closest_key(keys, nkeys, name);
	char		hint_text[160] = "";

	if (strcmp(name, "password") == 0)
		snprintf(hint_text, sizeof(hint_text),
				 " (passwords belong in ~/.pgpass or a service file, which libpq reads)");
	else if (hint != NULL)
		snprintf(hint_text, sizeof(hint_text), " (did you mean \"%s%s\"?)", prefix, hint);
	add_error(ctx, node_line(key_node), "unknown key \"%s%s\"%s", prefix, name, hint_text);
}

/* ----------------------------------------------------------------------
 * Mappings and targets
 * ---------------------------------------------------------------------- */

static const ConfigKey *
find_key(const ConfigKey *keys, size_t nkeys, const char *name)
{
	size_t		i;

	for (i = 0; i < nkeys; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	return NULL;
}

static bool
is_section(const ConfigKey *keys, size_t nkeys, const char *name)
{
	size_t		len = strlen(name);
	size_t		i;

	for (i = 0; i < nkeys; i++)
		if (strncmp(keys[i].name, name, len) == 0 && keys[i].name[len] == '.')
			return true;
	return false;
}

/*
 * Return the scalar text of a mapping key, or NULL after reporting an error
 * when the key is not a plain string or repeats an earlier key.
 */
static const char *
mapping_key_text(ParseContext *ctx, const yaml_node_t *mapping,
				 const yaml_node_pair_t *pair, const char *prefix)
{
	yaml_node_t *key_node = yaml_document_get_node(ctx->document, pair->key);
	const yaml_node_pair_t *earlier;

	if (key_node == NULL || key_node->type != YAML_SCALAR_NODE)
	{
		add_error(ctx, key_node ? node_line(key_node) : 0,
				  "expected a key name in \"%s\", got %s", prefix[0] ? prefix : "(top level)",
				  key_node && key_node->type == YAML_MAPPING_NODE ? "a mapping" : "a list");
		return NULL;
	}
	for (earlier = mapping->data.mapping.pairs.start; earlier < pair; earlier++)
	{
		yaml_node_t *earlier_key = yaml_document_get_node(ctx->document, earlier->key);

		if (earlier_key && earlier_key->type == YAML_SCALAR_NODE &&
			strcmp(scalar_text(earlier_key), scalar_text(key_node)) == 0)
		{
			add_error(ctx, node_line(key_node), "key \"%s%s\": duplicate key, first set at line %d",
					  prefix, scalar_text(key_node), node_line(earlier_key));
			return NULL;
		}
	}
	return scalar_text(key_node);
}

static bool
valid_target_name(const char *name)
{
	size_t		len = strlen(name);
	const unsigned char *p;

	if (len == 0 || len > MAX_TARGET_NAME_LEN)
		return false;
	if (isspace((unsigned char) name[0]) || isspace((unsigned char) name[len - 1]))
		return false;
	for (p = (const unsigned char *) name; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

/* Check a conninfo with libpq's parser; libpq's message only when no password is in it. */
static void
check_conninfo(ParseContext *ctx, const char *display_name, const yaml_node_t *node,
			   const char *conninfo)
{
	char	   *message = NULL;
	PQconninfoOption *options;
	char	   *masked;

	if (conninfo[0] == '\0')
		return;
	options = PQconninfoParse(conninfo, &message);
	if (options != NULL)
	{
		PQconninfoFree(options);
		return;
	}

	masked = config_mask_conninfo(conninfo);
	if (message != NULL && strcmp(masked, conninfo) == 0)
	{
		size_t		len = strlen(message);

		while (len > 0 && (message[len - 1] == '\n' || message[len - 1] == ' '))
			message[--len] = '\0';
		add_error(ctx, node_line(node),
				  "key \"%s\": expected a libpq connection string, got one libpq rejects: %s",
				  display_name, message);
	}
	else
		add_error(ctx, node_line(node),
				  "key \"%s\": expected a libpq connection string, got one libpq rejects (its message is not shown because the string contains a password)",
				  display_name);
	free(masked);
	PQfreemem(message);
}

static void
parse_target(ParseContext *ctx, const yaml_node_t *node, int index, TargetConfig *target)
{
	char		prefix[32];
	char		display_name[96];
	const yaml_node_pair_t *pair;
	const yaml_node_t *conninfo_node = NULL;
	bool		has_conninfo = false;
	bool		has_service = false;
	bool		has_name = false;

	snprintf(prefix, sizeof(prefix), "targets[%d].", index);
	target->line = node_line(node);
	apply_defaults(target_keys, NUM_TARGET_KEYS, target);

	if (node->type != YAML_MAPPING_NODE)
	{
		char		got[80];

		describe_node(node, got, sizeof(got));
		add_error(ctx, node_line(node),
				  "key \"targets[%d]\": expected a mapping with name and conninfo or service, got %s",
				  index, got);
		return;
	}

	for (pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; pair++)
	{
		const char *name = mapping_key_text(ctx, node, pair, prefix);
		const yaml_node_t *value = yaml_document_get_node(ctx->document, pair->value);
		const ConfigKey *key;

		if (name == NULL)
			continue;
		key = find_key(target_keys, NUM_TARGET_KEYS, name);
		if (key == NULL)
		{
			report_unknown_key(ctx, target_keys, NUM_TARGET_KEYS, prefix, name,
							   yaml_document_get_node(ctx->document, pair->key));
			continue;
		}
		snprintf(display_name, sizeof(display_name), "%s%s", prefix, name);

		/* Never echo a conninfo: it may hold a password. */
		if (strcmp(name, "conninfo") == 0 && value->type == YAML_SCALAR_NODE &&
			!node_is_null(value))
		{
			assign_value(key, scalar_text(value), target);
			conninfo_node = value;
			has_conninfo = true;
			continue;
		}
		apply_node(ctx, key, display_name, value, target);
		if (strcmp(name, "service") == 0)
			has_service = (target->service != NULL);
		else if (strcmp(name, "name") == 0 && target->name != NULL)
		{
			has_name = true;
			if (!valid_target_name(target->name))
			{
				char		got[80];

				describe_node(value, got, sizeof(got));
				add_error(ctx, node_line(value),
						  "key \"%s\": expected a name of 1 to %d characters without control characters or surrounding spaces, got %s",
						  display_name, MAX_TARGET_NAME_LEN, got);
			}
		}
	}

	if (!has_name)
		add_error(ctx, node_line(node), "key \"targets[%d]\": missing required key \"name\"", index);
	if (has_conninfo && has_service)
		add_error(ctx, node_line(node),
				  "key \"targets[%d]\": expected exactly one of \"conninfo\" and \"service\", got both",
				  index);
	else if (!has_conninfo && !has_service)
		add_error(ctx, node_line(node),
				  "key \"targets[%d]\": expected exactly one of \"conninfo\" and \"service\", got neither (use conninfo: \"\" for libpq's environment)",
				  index);
	if (conninfo_node != NULL)
	{
		snprintf(display_name, sizeof(display_name), "%sconninfo", prefix);
		check_conninfo(ctx, display_name, conninfo_node, target->conninfo);
	}
	if (target->role == TARGET_ROLE_REPLICA && target->apply_mode != APPLY_MODE_OFF)
		add_error(ctx, node_line(node),
				  "key \"targets[%d].apply_mode\": expected \"off\" for a replica, got \"%s\"",
				  index, apply_mode_names[target->apply_mode]);
}

static void
parse_targets(ParseContext *ctx, const yaml_node_t *node, AdvisorConfig *config)
{
	const yaml_node_item_t *item;
	int			count;
	int			i;
	int			j;

	if (node->type != YAML_SEQUENCE_NODE)
	{
		char		got[80];

		describe_node(node, got, sizeof(got));
		add_error(ctx, node_line(node), "key \"targets\": expected a list of targets, got %s", got);
		return;
	}
	count = (int) (node->data.sequence.items.top - node->data.sequence.items.start);
	if (count == 0)
	{
		add_error(ctx, node_line(node),
				  "key \"targets\": expected a list of at least one target, got an empty list");
		return;
	}

	config->targets = xcalloc((size_t) count, sizeof(TargetConfig));
	config->ntargets = count;
	for (item = node->data.sequence.items.start, i = 0; item < node->data.sequence.items.top; item++, i++)
		parse_target(ctx, yaml_document_get_node(ctx->document, *item), i, &config->targets[i]);

	for (i = 0; i < count; i++)
		for (j = 0; j < i; j++)
			if (config->targets[i].name && config->targets[j].name &&
				strcmp(config->targets[i].name, config->targets[j].name) == 0)
			{
				add_error(ctx, config->targets[i].line,
						  "key \"targets[%d].name\": duplicate target name \"%s\", first used at line %d",
						  i, config->targets[i].name, config->targets[j].line);
				break;
			}
}

static void
parse_mapping(ParseContext *ctx, const yaml_node_t *node, const char *prefix,
			  AdvisorConfig *config, bool *has_targets)
{
	const yaml_node_pair_t *pair;

	for (pair = node->data.mapping.pairs.start; pair < node->data.mapping.pairs.top; pair++)
	{
		const char *name = mapping_key_text(ctx, node, pair, prefix);
		const yaml_node_t *value = yaml_document_get_node(ctx->document, pair->value);
		char		full_name[256];
		const ConfigKey *key;

		if (name == NULL)
			continue;
		snprintf(full_name, sizeof(full_name), "%s%s", prefix, name);
		key = find_key(config_keys, NUM_CONFIG_KEYS, full_name);
		if (key != NULL && key->type == KEY_TARGETS)
		{
			*has_targets = true;
			parse_targets(ctx, value, config);
		}
		else if (key != NULL)
		{
			apply_node(ctx, key, full_name, value, config);
			if (key->offset == CFG(report_path))
				ctx->report_line = node_line(value);
		}
		else if (is_section(config_keys, NUM_CONFIG_KEYS, full_name))
		{
			char		section_prefix[260];

			if (value->type != YAML_MAPPING_NODE)
			{
				char		got[80];

				describe_node(value, got, sizeof(got));
				add_error(ctx, node_line(value), "key \"%s\": expected a mapping, got %s",
						  full_name, got);
				continue;
			}
			snprintf(section_prefix, sizeof(section_prefix), "%s.", full_name);
			parse_mapping(ctx, value, section_prefix, config, has_targets);
		}
		else
			report_unknown_key(ctx, config_keys, NUM_CONFIG_KEYS, "", full_name,
							   yaml_document_get_node(ctx->document, pair->key));
	}
}

/* Add the single target that libpq's environment names. */
static void
add_environment_target(AdvisorConfig *config)
{
	const char *service = getenv("PGSERVICE");
	const char *database = getenv("PGDATABASE");
	const char *name = "default";
	TargetConfig *target;

	if (service != NULL && valid_target_name(service))
		name = service;
	else if (database != NULL && valid_target_name(database))
		name = database;

	config->targets = xcalloc(1, sizeof(TargetConfig));
	config->ntargets = 1;
	target = &config->targets[0];
	apply_defaults(target_keys, NUM_TARGET_KEYS, target);
	target->name = xstrdup(name);
	target->conninfo = xstrdup("");
}

static AdvisorConfig *
new_config(const char *path)
{
	AdvisorConfig *config = xcalloc(1, sizeof(AdvisorConfig));

	config->path = path ? xstrdup(path) : NULL;
	apply_defaults(config_keys, NUM_CONFIG_KEYS, config);
	return config;
}

AdvisorConfig *
config_default(void)
{
	AdvisorConfig *config = new_config(NULL);

	add_environment_target(config);
	return config;
}

static void
report_yaml_error(ParseContext *ctx, const yaml_parser_t *parser)
{
	const yaml_mark_t *mark = &parser->problem_mark;
	const char *problem = parser->problem ? parser->problem : "unknown error";

	if (parser->error == YAML_MEMORY_ERROR)
		add_error(ctx, 0, "out of memory while parsing YAML");
	else if (parser->context != NULL)
		add_error(ctx, (int) mark->line + 1, "invalid YAML: %s %s", parser->context, problem);
	else
		add_error(ctx, (int) mark->line + 1, "invalid YAML: %s", problem);
}

static AdvisorConfig *
load_from_parser(yaml_parser_t *parser, const char *display_name, const char *path,
				 char **errors)
{
	ParseContext ctx;
	yaml_document_t document;
	yaml_node_t *root;
	AdvisorConfig *config = new_config(path);
	bool		has_targets = false;

	ctx.document = &document;
	ctx.file_name = display_name;
	ctx.error_count = 0;
	ctx.report_line = 0;
	strbuf_init(&ctx.errors);

	if (!yaml_parser_load(parser, &document))
	{
		report_yaml_error(&ctx, parser);
		goto done;
	}

	root = yaml_document_get_root_node(&document);
	if (root == NULL || node_is_null(root))
	{
		/* An empty file keeps every default. */
	}
	else if (root->type != YAML_MAPPING_NODE)
	{
		char		got[80];

		describe_node(root, got, sizeof(got));
		add_error(&ctx, node_line(root), "expected a mapping of keys at the top level, got %s", got);
	}
	else
		parse_mapping(&ctx, root, "", config, &has_targets);
	yaml_document_delete(&document);

	/* A second document in the same file would be silently ignored otherwise. */
	if (root != NULL && ctx.error_count == 0)
	{
		if (!yaml_parser_load(parser, &document))
			report_yaml_error(&ctx, parser);
		else
		{
			yaml_node_t *extra = yaml_document_get_root_node(&document);

			if (extra != NULL)
				add_error(&ctx, node_line(extra),
						  "expected one YAML document, got a second one");
			yaml_document_delete(&document);
		}
	}

	if (!has_targets && ctx.error_count == 0)
		add_environment_target(config);

	/* Each target writes its own report, so several need distinct paths. */
	if (config->report_path != NULL && config->ntargets > 1 &&
		strstr(config->report_path, REPORT_TARGET_PLACEHOLDER) == NULL)
		add_error(&ctx, ctx.report_line,
				  "key \"report\": expected a path containing \"%s\" with several targets, got \"%s\"",
				  REPORT_TARGET_PLACEHOLDER, config->report_path);

done:
	if (ctx.error_count > 0)
	{
		config_free(config);
		*errors = strbuf_release(&ctx.errors);
		return NULL;
	}
	strbuf_free(&ctx.errors);
	*errors = NULL;
	return config;
}

AdvisorConfig *
config_load_string(const char *text, const char *display_name, char **errors)
{
	yaml_parser_t parser;
	AdvisorConfig *config;

	if (!yaml_parser_initialize(&parser))
	{
		*errors = xstrdup("out of memory while parsing YAML\n");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *) text, strlen(text));
	config = load_from_parser(&parser, display_name, NULL, errors);
	yaml_parser_delete(&parser);
	return config;
}

AdvisorConfig *
config_load_file(const char *path, char **errors)
{
	FILE	   *file = fopen(path, "rb");
	yaml_parser_t parser;
	AdvisorConfig *config;

	if (file == NULL)
	{
		StrBuf		message;

		strbuf_init(&message);
		strbuf_appendf(&message, "%s: could not open configuration file: %s\n",
					   path, strerror(errno));
		*errors = strbuf_release(&message);
		return NULL;
	}
	if (!yaml_parser_initialize(&parser))
	{
		fclose(file);
		*errors = xstrdup("out of memory while parsing YAML\n");
		return NULL;
	}
	yaml_parser_set_input_file(&parser, file);
	config = load_from_parser(&parser, path, path, errors);
	yaml_parser_delete(&parser);
	fclose(file);
	return config;
}

static void
free_target(TargetConfig *target)
{
	free(target->name);
	free(target->conninfo);
	free(target->service);
}

void
config_free(AdvisorConfig *config)
{
	int			i;

	if (config == NULL)
		return;
	for (i = 0; i < config->ntargets; i++)
		free_target(&config->targets[i]);
	free(config->targets);
	free(config->report_path);
	free(config->path);
	free(config);
}

const TargetConfig *
config_find_target(const AdvisorConfig *config, const char *name)
{
	int			i;

	for (i = 0; i < config->ntargets; i++)
		if (strcmp(config->targets[i].name, name) == 0)
			return &config->targets[i];
	return NULL;
}

const char *
config_role_name(TargetRole role)
{
	return role_names[role];
}

const char *
config_apply_mode_name(ApplyMode mode)
{
	return apply_mode_names[mode];
}

/* ----------------------------------------------------------------------
 * Reload and display
 * ---------------------------------------------------------------------- */

static void
format_value(const ConfigKey *key, const void *base, char *buf, size_t size)
{
	const char *field = (const char *) base + key->offset;

	switch (key->type)
	{
		case KEY_STRING:
			snprintf(buf, size, "%s", *(char *const *) field ? *(char *const *) field : "(unset)");
			return;
		case KEY_BOOL:
			snprintf(buf, size, "%s", *(const bool *) field ? "true" : "false");
			return;
		case KEY_INTEGER:
			snprintf(buf, size, "%lld", (long long) *(const int64_t *) field);
			return;
		case KEY_DURATION:
			config_format_duration(*(const int64_t *) field, buf, size);
			return;
		case KEY_SIZE:
			config_format_size(*(const int64_t *) field, buf, size);
			return;
		case KEY_FRACTION:
			config_format_fraction(*(const double *) field, buf, size);
			return;
		case KEY_ENUM:
			snprintf(buf, size, "%s", key->enum_names[*(const int *) field]);
			return;
		case KEY_WINDOW:
			config_format_window((const TimeWindow *) field, buf, size);
			return;
		case KEY_TARGETS:
			snprintf(buf, size, "(list)");
			return;
	}
}

void
config_keep_restart_only(const AdvisorConfig *old_config, AdvisorConfig *new_config)
{
	size_t		i;

	for (i = 0; i < NUM_CONFIG_KEYS; i++)
	{
		const ConfigKey *key = &config_keys[i];
		char		old_value[128];
		char		new_value[128];

		if (key->reloadable || key->type == KEY_STRING || key->type == KEY_TARGETS)
			continue;
		format_value(key, old_config, old_value, sizeof(old_value));
		format_value(key, new_config, new_value, sizeof(new_value));
		if (strcmp(old_value, new_value) == 0)
			continue;
		log_event(LOG_LEVEL_WARNING, NULL,
				  "configuration key \"%s\" cannot be changed by a reload; keeping \"%s\" instead of \"%s\" until the advisor restarts",
				  key->name, old_value, new_value);
		assign_value(key, old_value, new_config);
	}
}

void
config_print(const AdvisorConfig *config, FILE *out)
{
	size_t		i;
	int			t;

	fprintf(out, "%-34s %-16s %-16s %s\n", "key", "value", "default", "description");
	for (i = 0; i < NUM_CONFIG_KEYS; i++)
	{
		const ConfigKey *key = &config_keys[i];
		char		value[160];
		char		default_value[64];

		if (key->type == KEY_TARGETS)
			continue;
		format_value(key, config, value, sizeof(value));
		if (key->unit != NULL)
		{
			size_t		len = strlen(value);

			snprintf(value + len, sizeof(value) - len, " %s", key->unit);
		}
		snprintf(default_value, sizeof(default_value), "%s",
				 key->default_value ? key->default_value : "(unset)");
		fprintf(out, "%-34s %-16s %-16s %s%s\n", key->name, value, default_value,
				key->description, key->reloadable ? "" : " (needs a restart to change)");
	}

	fprintf(out, "\n%d target%s:\n", config->ntargets, config->ntargets == 1 ? "" : "s");
	for (t = 0; t < config->ntargets; t++)
	{
		const TargetConfig *target = &config->targets[t];
		char	   *display = config_target_display(target);

		fprintf(out, "  %s: role %s, apply_mode %s, %s\n", target->name,
				config_role_name(target->role), config_apply_mode_name(target->apply_mode),
				display);
		free(display);
	}
}

void
config_analyze_settings(const AdvisorConfig *config, const TargetConfig *target,
						AnalyzeSettings *settings)
{
	(void) target;

	analyze_settings_default(settings);
	settings->min_calls = config->min_calls;
	settings->min_total_time_ms = (double) config->min_total_time_ms;
	settings->min_gain_ms_per_hour = (double) config->min_gain_per_hour_ms;
	settings->min_table_rows = config->min_table_rows;
	settings->max_indexes_per_table = (int) config->max_indexes_per_table;
	settings->max_index_bytes_total = config->max_index_size_total;
	settings->max_index_bytes_per_table = config->max_index_size_per_table;
	settings->whatif_statement_timeout_ms = (int) config->whatif_statement_timeout_ms;
	settings->use_hypopg = config->use_hypopg;
	settings->unused_index_min_age_s = config->unused_index_age_ms / 1000;
	settings->unused_index_min_writes = config->busy_table_writes;
	settings->page_rows = config->page_rows;
}
