/*
 * config.h: the advisor's YAML configuration.
 *
 * One table of keys in config.c (name, type, default, unit, range, whether a
 * reload may change it, description) drives parsing, validation, defaults and
 * the output of "check-config".  config/scaleup-advisor.yaml documents every
 * key.  A configuration is always parsed into a fresh AdvisorConfig, so a
 * reload can validate the new file before it replaces the live one.
 *
 * Units in the struct: durations in milliseconds, sizes in bytes, fractions
 * as 0.0 to 1.0.
 */
#ifndef SCALEUP_CONFIG_H
#define SCALEUP_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"

/* Replaced by the target's name in the report path. */
#define REPORT_TARGET_PLACEHOLDER "{target}"

typedef enum
{
	TARGET_ROLE_PRIMARY,
	TARGET_ROLE_REPLICA
} TargetRole;

typedef enum
{
	APPLY_MODE_OFF,
	APPLY_MODE_APPROVED,
	APPLY_MODE_AUTO
} ApplyMode;

/* A daily window in UTC, in minutes after midnight; end may be below start. */
typedef struct TimeWindow
{
	int			start_minute;	/* 0 to 1439 */
	int			end_minute;		/* 1 to 1440 */
} TimeWindow;

typedef struct TargetConfig
{
	char	   *name;			/* unique; shown in logs, stored in suggestions */
	char	   *conninfo;		/* libpq conninfo or URI; NULL when service is set */
	char	   *service;		/* pg_service.conf entry; NULL when conninfo is set */
	TargetRole	role;
	ApplyMode	apply_mode;
	int			line;			/* line of the entry in the file, 0 if none */
} TargetConfig;

typedef struct AdvisorConfig
{
	char	   *path;			/* file it was read from; NULL for the default */

	int64_t		interval_ms;
	LogLevel	log_level;
	LogFormat	log_format;
	char	   *report_path;	/* HTML report written by "run"; NULL for none.
								 * May contain REPORT_TARGET_PLACEHOLDER. */

	int64_t		min_calls;
	int64_t		min_total_time_ms;
	int64_t		min_gain_per_hour_ms;
	int64_t		min_table_rows;
	int64_t		unused_index_age_ms;
	int64_t		busy_table_writes;
	int64_t		page_rows;

	int64_t		max_indexes_per_table;
	int64_t		max_index_size_total;
	int64_t		max_index_size_per_table;

	TimeWindow	apply_window;
	int64_t		apply_lock_timeout_ms;
	int64_t		apply_statement_timeout_ms;
	bool		allow_drop_in_auto;

	int64_t		verify_after_ms;
	int64_t		verify_min_calls;
	double		verify_min_improvement;
	double		verify_max_write_slowdown;

	int64_t		whatif_statement_timeout_ms;
	bool		use_hypopg;

	TargetConfig *targets;
	int			ntargets;
} AdvisorConfig;

/*
 * Read and validate a configuration file.  Returns NULL on any error and sets
 * *errors to a malloc'd text of one "FILE:LINE: ..." message per line, for
 * the caller to print and free.
 */
AdvisorConfig *config_load_file(const char *path, char **errors);

/* The same for YAML text; display_name stands for the file name in messages. */
AdvisorConfig *config_load_string(const char *text, const char *display_name,
								  char **errors);

/*
 * The configuration used without -c: every default and one target with an
 * empty conninfo, so libpq reads PGHOST, PGDATABASE, PGSERVICE and the rest.
 * The target is named after PGSERVICE, else PGDATABASE, else "default".
 */
AdvisorConfig *config_default(void);

void		config_free(AdvisorConfig *config);

/* The target called name, or NULL. */
const TargetConfig *config_find_target(const AdvisorConfig *config, const char *name);

/*
 * Return a malloc'd conninfo for the target: its conninfo, or "service='NAME'"
 * for a service.  It may hold a password, so never print it: see below.
 */
char	   *config_target_conninfo(const TargetConfig *target);

/*
 * Return a malloc'd copy of a conninfo (key=value or URI form) with every
 * password value replaced by "********", for messages and logs.
 */
char	   *config_mask_conninfo(const char *conninfo);

/* Target's conninfo for display: masked, or "service=NAME", or "(libpq environment)". */
char	   *config_target_display(const TargetConfig *target);

/*
 * Copy the values a reload may not change from old_config into new_config,
 * logging a warning for each one whose value differed.
 */
void		config_keep_restart_only(const AdvisorConfig *old_config,
									 AdvisorConfig *new_config);

/* Print every key with its value, unit and default, then the targets. */
void		config_print(const AdvisorConfig *config, FILE *out);

/* Name of a role or apply mode as written in the file. */
const char *config_role_name(TargetRole role);
const char *config_apply_mode_name(ApplyMode mode);

/*
 * Parsers of single values (config_value.c).  Each returns true on success;
 * durations are in milliseconds, sizes in bytes.
 */
bool		config_parse_duration(const char *text, int64_t *ms);
bool		config_parse_size(const char *text, int64_t *bytes);
bool		config_parse_fraction(const char *text, double *fraction);
bool		config_parse_window(const char *text, TimeWindow *window);

bool		config_parse_bool(const char *text, bool *value);
bool		config_parse_integer(const char *text, int64_t *value);

/* Format values back in the file's notation ("5m", "2GB", "10%") into buf. */
void		config_format_duration(int64_t ms, char *buf, size_t size);
void		config_format_size(int64_t bytes, char *buf, size_t size);
void		config_format_fraction(double fraction, char *buf, size_t size);
void		config_format_window(const TimeWindow *window, char *buf, size_t size);

/*
 * Fill the analysis settings from the configuration.  The target is accepted
 * for per-target settings; every value is global today.
 */
struct AnalyzeSettings;
void		config_analyze_settings(const AdvisorConfig *config,
									const TargetConfig *target,
									struct AnalyzeSettings *settings);

/* True when the UTC time of day in minutes after midnight is inside window. */
bool		config_window_contains(const TimeWindow *window, int minute_of_day);

#endif							/* SCALEUP_CONFIG_H */
