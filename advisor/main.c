/*
 * main.c: the scaleup-advisor command line.
 *
 *   scaleup-advisor [-c FILE] COMMAND [OPTIONS]
 *
 * Global options come before the command, its own options after it; -c is
 * accepted in both places.
 * Exit codes: 0 success, 1 runtime failure, 2 usage or configuration error.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyze.h"
#include "apply.h"
#include "config.h"
#include "conn.h"
#include "daemon.h"
#include "log.h"
#include "review.h"
#include "strbuf.h"
#include "version.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2

static const char *progname = "scaleup-advisor";

/* -c FILE, or NULL for the libpq environment. */
static const char *config_path = NULL;

typedef int (*CommandFunction) (int argc, char **argv);

typedef struct Command
{
	const char *name;
	CommandFunction function;
	const char *usage;			/* synopsis after "scaleup-advisor [-c FILE] " */
	const char *help;			/* description and options */
} Command;

static int	command_analyze(int argc, char **argv);
static int	command_run(int argc, char **argv);
static int	command_review(int argc, char **argv);
static int	command_approve(int argc, char **argv);
static int	command_reject(int argc, char **argv);
static int	command_apply(int argc, char **argv);
static int	command_check_config(int argc, char **argv);

static const Command commands[] = {
	{"analyze", command_analyze,
		"analyze [--target NAME] [--format text|json|sql|html] [--output FILE] [--no-store]",
		"Analyze the targets once, print the suggested changes and store them in\n"
		"scaleup.suggestions for review.\n"
		"\n"
		"Options:\n"
		"  -t, --target NAME   analyze only this target (required with several targets\n"
		"                      for the json, sql and html formats)\n"
		"  -f, --format FORMAT text (default), json, sql (a migration file) or html\n"
		"  -o, --output FILE   write to FILE instead of standard output\n"
		"      --no-store      do not write to scaleup.suggestions\n"},
	{"run", command_run,
		"run",
		"Run as a daemon: analyze every target each interval and store the\n"
		"suggestions.  Then, per the target's apply_mode, apply the approved\n"
		"suggestions (approved) or every pending index suggestion (auto) inside\n"
		"the apply window, and verify the indexes applied earlier.  SIGHUP\n"
		"reloads the configuration file; SIGTERM or SIGINT stop after the step\n"
		"in progress.  Logs go to standard error.\n"},
	{"review", command_review,
		"review [--status STATUS] [--target NAME]",
		"List the stored suggestions of each target with their status, estimated\n"
		"gain and size, the measured times once applied, and the SQL.\n"
		"\n"
		"Options:\n"
		"  -s, --status STATUS only suggestions with this status: pending, approved,\n"
		"                      rejected, applied, verified, reverted or failed\n"
		"  -t, --target NAME   only this target\n"},
	{"approve", command_approve,
		"approve ID... [--target NAME]",
		"Approve suggestions by id, through scaleup.approve(id).\n"
		"\n"
		"Options:\n"
		"  -t, --target NAME   the target the ids belong to (required with several\n"
		"                      targets)\n"},
	{"reject", command_reject,
		"reject ID... [--reason TEXT] [--target NAME]",
		"Reject suggestions by id, through scaleup.reject(id, reason).  A rejected\n"
		"suggestion is not proposed again.\n"
		"\n"
		"Options:\n"
		"  -r, --reason TEXT   why, stored with the suggestion\n"
		"  -t, --target NAME   the target the ids belong to (required with several\n"
		"                      targets)\n"},
	{"apply", command_apply,
		"apply [ID...] [--now] [--target NAME]",
		"Apply the approved suggestions, or the ones named by id (naming one approves\n"
		"it), with CREATE or DROP INDEX CONCURRENTLY, one at a time, on the primary\n"
		"only.  Then verify the indexes applied earlier whose verification window\n"
		"has passed, and drop those that did not make their queries faster.  Waits\n"
		"when another advisor is applying on the same database.  Every step is\n"
		"recorded in scaleup.actions.\n"
		"\n"
		"Options:\n"
		"      --now           apply even outside the configured apply window\n"
		"  -t, --target NAME   the target to apply (required with several targets)\n"},
	{"check-config", command_check_config,
		"check-config",
		"Validate the configuration file given with -c and print every key with its\n"
		"value and default, and the targets with their passwords masked.\n"},
};

#define NUM_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
print_usage(FILE *out)
{
	size_t		i;

	fprintf(out,
			"%s analyzes PostgreSQL databases with the pg_scaleup extension and\n"
			"suggests indexes.\n"
			"\n"
			"Usage:\n", progname);
	for (i = 0; i < NUM_COMMANDS; i++)
		fprintf(out, "  %s [-c FILE] %s\n", progname, commands[i].usage);
	fprintf(out,
			"  %s --version | --help\n"
			"\n"
			"Options:\n"
			"  -c, --config FILE   YAML configuration file; without it, one target that\n"
			"                      libpq's environment (PGHOST, PGDATABASE, PGSERVICE, ...)\n"
			"                      names\n"
			"  -V, --version       print the version and exit\n"
			"  -h, --help          print this help and exit\n"
			"\n"
			"\"%s COMMAND --help\" describes a command.\n"
			"Exit status: 0 success, 1 runtime failure, 2 usage or configuration error.\n",
			progname, progname);
}

static void
print_command_help(const Command *command)
{
	printf("Usage: %s [-c FILE] %s\n\n%s", progname, command->usage, command->help);
}

static int
usage_error(const char *command_name, const char *fmt,...)
__attribute__((format(printf, 2, 3)));

static int
usage_error(const char *command_name, const char *fmt,...)
{
	va_list		args;

	fprintf(stderr, "%s: ", progname);
	va_start(args, fmt);
	vfprintf(stderr, fmt, args);
	va_end(args);
	fputc('\n', stderr);
	if (command_name != NULL)
		fprintf(stderr, "Try \"%s %s --help\" for more information.\n", progname, command_name);
	else
		fprintf(stderr, "Try \"%s --help\" for more information.\n", progname);
	return EXIT_USAGE;
}

/* Load -c FILE or the environment default; prints errors and returns NULL. */
static AdvisorConfig *
load_config(void)
{
	AdvisorConfig *config;
	char	   *errors = NULL;

	if (config_path == NULL)
		config = config_default();
	else
	{
		config = config_load_file(config_path, &errors);
		if (config == NULL)
		{
			fputs(errors, stderr);
			free(errors);
			return NULL;
		}
	}
	log_configure(config->log_level, config->log_format);
	return config;
}

/*
 * Find the targets a command works on: the one named, or all of them.  With
 * single_required, a configuration of several targets needs a name.  Sets
 * *first and *count and returns 0, or prints an error and returns its exit
 * code.
 */
static int
select_targets(const AdvisorConfig *config, const char *command_name, const char *target_name,
			   bool single_required, const TargetConfig **first, int *count)
{
	if (target_name != NULL)
	{
		*first = config_find_target(config, target_name);
		if (*first == NULL)
		{
			fprintf(stderr, "%s: target \"%s\" not found in the configuration\n",
					progname, target_name);
			return EXIT_USAGE;
		}
		*count = 1;
		return 0;
	}
	if (single_required && config->ntargets > 1)
		return usage_error(command_name, "the configuration has %d targets; choose one with --target",
						   config->ntargets);
	*first = config->targets;
	*count = config->ntargets;
	return 0;
}

/* Options of all commands; each command accepts a subset. */
typedef struct CommandOptions
{
	const char *target;
	const char *format;
	const char *output;
	const char *status;
	const char *reason;
	bool		no_store;
	bool		now;			/* apply --now */
	int			first_argument; /* index of the first operand in argv */
} CommandOptions;

#define OPTION_NO_STORE 1000
#define OPTION_NOW 1001

/*
 * Parse a command's options with getopt_long.  argv[0] is the command name.
 * Returns 0, -1 after printing the help (exit 0), or EXIT_USAGE.
 */
static int
parse_command_options(const Command *command, int argc, char **argv,
					  const char *short_options, const struct option *long_options,
					  CommandOptions *options)
{
	static char program_and_command[64];
	struct option all_long_options[16];
	char		all_short_options[32];
	int			n = 0;
	int			c;

	/* -c FILE is accepted after the command too: "check-config -c FILE". */
	while (long_options[n].name != NULL && n < 14)
	{
		all_long_options[n] = long_options[n];
		n++;
	}
	all_long_options[n++] = (struct option) {"config", required_argument, NULL, 'c'};
	all_long_options[n] = (struct option) {NULL, 0, NULL, 0};
	snprintf(all_short_options, sizeof(all_short_options), "c:%s", short_options);

	/* getopt's messages start with argv[0]: "scaleup-advisor review: ...". */
	snprintf(program_and_command, sizeof(program_and_command), "%s %s", progname, command->name);
	argv[0] = program_and_command;

	memset(options, 0, sizeof(*options));
	opterr = 1;
	optind = 0;					/* reinitialize glibc's getopt for the new argv */
	while ((c = getopt_long(argc, argv, all_short_options, all_long_options, NULL)) != -1)
	{
		switch (c)
		{
			case 'c':
				config_path = optarg;
				break;
			case 'h':
				print_command_help(command);
				return -1;
			case 't':
				options->target = optarg;
				break;
			case 'f':
				options->format = optarg;
				break;
			case 'o':
				options->output = optarg;
				break;
			case 's':
				options->status = optarg;
				break;
			case 'r':
				options->reason = optarg;
				break;
			case OPTION_NO_STORE:
				options->no_store = true;
				break;
			case OPTION_NOW:
				options->now = true;
				break;
			default:
				fprintf(stderr, "Try \"%s %s --help\" for more information.\n",
						progname, command->name);
				return EXIT_USAGE;
		}
	}
	options->first_argument = optind;
	return 0;
}

static const Command *
find_command(const char *name)
{
	size_t		i;

	for (i = 0; i < NUM_COMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static int
reject_operands(const Command *command, int argc, char **argv, int first)
{
	if (first < argc)
		return usage_error(command->name, "unexpected argument \"%s\"", argv[first]);
	return 0;
}

/* ---------------------------------------------------------------------- */

static bool
parse_format(const char *text, OutputFormat *format)
{
	static const struct
	{
		const char *name;
		OutputFormat format;
	}			formats[] = {
		{"text", OUTPUT_TEXT}, {"json", OUTPUT_JSON}, {"sql", OUTPUT_SQL}, {"html", OUTPUT_HTML}
	};
	size_t		i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(text, formats[i].name) == 0)
		{
			*format = formats[i].format;
			return true;
		}
	return false;
}

static int
analyze_targets(const AdvisorConfig *config, const TargetConfig *targets, int count,
				OutputFormat format, FILE *out, bool store)
{
	int			failed = 0;
	int			i;

	for (i = 0; i < count; i++)
	{
		const TargetConfig *target = &targets[i];
		char	   *conninfo = config_target_conninfo(target);
		PGconn	   *conn = conn_open(target->name, conninfo);
		AnalyzeSettings settings;
		AnalyzeState *state = NULL;

		if (conn == NULL)
		{
			failed++;
			free(conninfo);
			continue;
		}
		config_analyze_settings(config, target, &settings);
		if (analyze_target(target->name, conn, conninfo, &settings, format, out, store,
						   &state) != 0)
			failed++;
		analyze_state_free(state);
		PQfinish(conn);
		free(conninfo);
	}
	return failed == 0 ? 0 : EXIT_RUNTIME;
}

static int
command_analyze(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"target", required_argument, NULL, 't'},
		{"format", required_argument, NULL, 'f'},
		{"output", required_argument, NULL, 'o'},
		{"no-store", no_argument, NULL, OPTION_NO_STORE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	const Command *command = find_command("analyze");
	CommandOptions options;
	OutputFormat format = OUTPUT_TEXT;
	AdvisorConfig *config;
	const TargetConfig *targets;
	int			count;
	int			rc;
	FILE	   *out = stdout;
	char	   *temp_path = NULL;

	rc = parse_command_options(command, argc, argv, "t:f:o:h", long_options, &options);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if ((rc = reject_operands(command, argc, argv, options.first_argument)) != 0)
		return rc;
	if (options.format != NULL && !parse_format(options.format, &format))
		return usage_error(command->name,
						   "invalid value \"%s\" for --format: expected text, json, sql or html",
						   options.format);

	config = load_config();
	if (config == NULL)
		return EXIT_USAGE;
	rc = select_targets(config, command->name, options.target, format != OUTPUT_TEXT,
						&targets, &count);
	if (rc != 0)
	{
		config_free(config);
		return rc;
	}

	/* Write next to the file and rename, so a failed run leaves no half file. */
	if (options.output != NULL)
	{
		temp_path = xmalloc(strlen(options.output) + 8);
		sprintf(temp_path, "%s.tmp", options.output);
		out = fopen(temp_path, "w");
		if (out == NULL)
		{
			fprintf(stderr, "%s: could not open \"%s\" for writing: %s\n", progname,
					temp_path, strerror(errno));
			free(temp_path);
			config_free(config);
			return EXIT_RUNTIME;
		}
	}

	rc = analyze_targets(config, targets, count, format, out, !options.no_store);

	if (options.output != NULL)
	{
		if (fclose(out) != 0)
		{
			fprintf(stderr, "%s: could not write \"%s\": %s\n", progname, temp_path,
					strerror(errno));
			rc = EXIT_RUNTIME;
		}
		if (rc == 0 && rename(temp_path, options.output) != 0)
		{
			fprintf(stderr, "%s: could not rename \"%s\" to \"%s\": %s\n", progname,
					temp_path, options.output, strerror(errno));
			rc = EXIT_RUNTIME;
		}
		if (rc != 0)
			unlink(temp_path);
		free(temp_path);
	}
	config_free(config);
	return rc;
}

static int
command_run(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	const Command *command = find_command("run");
	CommandOptions options;
	AdvisorConfig *config;
	int			rc;

	rc = parse_command_options(command, argc, argv, "h", long_options, &options);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if ((rc = reject_operands(command, argc, argv, options.first_argument)) != 0)
		return rc;
	config = load_config();
	if (config == NULL)
		return EXIT_USAGE;
	return daemon_run(config_path, config);
}

static int
command_review(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"status", required_argument, NULL, 's'},
		{"target", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	const Command *command = find_command("review");
	CommandOptions options;
	AdvisorConfig *config;
	const TargetConfig *targets;
	int			count;
	int			rc;
	int			i;

	rc = parse_command_options(command, argc, argv, "s:t:h", long_options, &options);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if ((rc = reject_operands(command, argc, argv, options.first_argument)) != 0)
		return rc;
	if (options.status != NULL && !review_valid_status(options.status))
		return usage_error(command->name,
						   "invalid value \"%s\" for --status: expected pending, approved, rejected, applied, verified, reverted or failed",
						   options.status);

	config = load_config();
	if (config == NULL)
		return EXIT_USAGE;
	rc = select_targets(config, command->name, options.target, false, &targets, &count);
	for (i = 0; rc == 0 && i < count; i++)
	{
		if (i > 0)
			fputc('\n', stdout);
		if (review_list(&targets[i], options.status, stdout) != 0)
			rc = EXIT_RUNTIME;
	}
	config_free(config);
	return rc;
}

/* Shared by approve and reject. */
static int
decide(const char *command_name, int argc, char **argv, bool approve)
{
	static const struct option approve_options[] = {
		{"target", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	static const struct option reject_options[] = {
		{"target", required_argument, NULL, 't'},
		{"reason", required_argument, NULL, 'r'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	const Command *command = find_command(command_name);
	CommandOptions options;
	AdvisorConfig *config;
	const TargetConfig *target;
	int			count;
	int64_t    *ids;
	int			nids;
	int			rc;
	int			i;

	rc = parse_command_options(command, argc, argv, approve ? "t:h" : "t:r:h",
							   approve ? approve_options : reject_options, &options);
	if (rc != 0)
		return rc < 0 ? 0 : rc;

	nids = argc - options.first_argument;
	if (nids == 0)
		return usage_error(command->name, "no suggestion id given");
	ids = xcalloc((size_t) nids, sizeof(int64_t));
	for (i = 0; i < nids; i++)
	{
		const char *text = argv[options.first_argument + i];
		char	   *end;
		long long	value;

		errno = 0;
		value = strtoll(text, &end, 10);
		if (errno != 0 || end == text || *end != '\0' || value <= 0)
		{
			free(ids);
			return usage_error(command->name,
							   "invalid suggestion id \"%s\": expected a positive integer", text);
		}
		ids[i] = value;
	}

	config = load_config();
	if (config == NULL)
	{
		free(ids);
		return EXIT_USAGE;
	}
	rc = select_targets(config, command->name, options.target, true, &target, &count);
	if (rc == 0)
		rc = review_decide(target, ids, nids, approve, options.reason, stdout) == 0
			? 0 : EXIT_RUNTIME;
	free(ids);
	config_free(config);
	return rc;
}

static int
command_approve(int argc, char **argv)
{
	return decide("approve", argc, argv, true);
}

static int
command_reject(int argc, char **argv)
{
	return decide("reject", argc, argv, false);
}

static int
command_apply(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"now", no_argument, NULL, OPTION_NOW},
		{"target", required_argument, NULL, 't'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	const Command *command = find_command("apply");
	CommandOptions options;
	AdvisorConfig *config;
	const TargetConfig *target;
	ApplyOptions apply_options;
	int64_t    *ids = NULL;
	int			nids;
	int			count;
	int			rc;
	int			i;

	rc = parse_command_options(command, argc, argv, "t:h", long_options, &options);
	if (rc != 0)
		return rc < 0 ? 0 : rc;

	nids = argc - options.first_argument;
	if (nids > 0)
		ids = xcalloc((size_t) nids, sizeof(int64_t));
	for (i = 0; i < nids; i++)
	{
		const char *text = argv[options.first_argument + i];
		char	   *end;
		long long	value;

		errno = 0;
		value = strtoll(text, &end, 10);
		if (errno != 0 || end == text || *end != '\0' || value <= 0)
		{
			free(ids);
			return usage_error(command->name,
							   "invalid suggestion id \"%s\": expected a positive integer", text);
		}
		ids[i] = value;
	}

	config = load_config();
	if (config == NULL)
	{
		free(ids);
		return EXIT_USAGE;
	}
	rc = select_targets(config, command->name, options.target, true, &target, &count);
	if (rc == 0)
	{
		char	   *conninfo = config_target_conninfo(target);

		memset(&apply_options, 0, sizeof(apply_options));
		apply_options.selection = nids > 0 ? APPLY_NAMED : APPLY_APPROVED;
		apply_options.ids = ids;
		apply_options.nids = nids;
		apply_options.manual = true;
		apply_options.ignore_window = options.now;
		apply_options.wait_for_lock = true;
		rc = apply_target(config, target, conninfo, &apply_options) == 0 ? 0 : EXIT_RUNTIME;
		free(conninfo);
	}
	free(ids);
	config_free(config);
	return rc;
}

static int
command_check_config(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}
	};
	const Command *command = find_command("check-config");
	CommandOptions options;
	AdvisorConfig *config;
	int			rc;

	rc = parse_command_options(command, argc, argv, "h", long_options, &options);
	if (rc != 0)
		return rc < 0 ? 0 : rc;
	if ((rc = reject_operands(command, argc, argv, options.first_argument)) != 0)
		return rc;
	config = load_config();
	if (config == NULL)
		return EXIT_USAGE;
	if (config_path != NULL)
		printf("configuration file \"%s\" is valid\n\n", config_path);
	else
		printf("no configuration file given: built-in defaults and the libpq environment\n\n");
	config_print(config, stdout);
	config_free(config);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option long_options[] = {
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0}
	};
	const Command *command;
	int			c;

	/* "+": stop at the command name, whose options are parsed separately. */
	while ((c = getopt_long(argc, argv, "+c:hV", long_options, NULL)) != -1)
	{
		switch (c)
		{
			case 'c':
				config_path = optarg;
				break;
			case 'h':
				print_usage(stdout);
				return 0;
			case 'V':
				printf("%s %s\n", progname, SCALEUP_ADVISOR_VERSION);
				return 0;
			default:
				fprintf(stderr, "Try \"%s --help\" for more information.\n", progname);
				return EXIT_USAGE;
		}
	}

	if (optind >= argc)
		return usage_error(NULL, "no command given");
	command = find_command(argv[optind]);
	if (command == NULL)
		return usage_error(NULL, "unknown command \"%s\"", argv[optind]);
	return command->function(argc - optind, argv + optind);
}
