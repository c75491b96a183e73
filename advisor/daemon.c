/*
 * daemon.c: the "run" loop.
 *
 * Each cycle analyzes every target in turn on the target's own connection,
 * and, unless the target's apply_mode is "off", then applies and verifies
 * its suggestions on a session of their own (apply.c).  Then it sleeps
 * until one interval after the cycle started.  conn.c reconnects
 * a lost target with backoff, so a dead server costs the others at most one
 * connection attempt (connect_timeout, 10 s unless the conninfo sets it) per
 * retry.  The signal handlers only set flags.  SIGTERM and SIGINT stop the
 * loop after the target being analyzed; SIGHUP reloads the configuration
 * during the sleep, so a reload never changes targets within a cycle.  The
 * sleep blocks the signals until pselect() atomically unblocks them, so a
 * signal cannot arrive unseen between the check of the flags and the sleep.
 */
#include "daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "analyze.h"
#include "apply.h"
#include "conn.h"
#include "log.h"
#include "strbuf.h"
#include "version.h"

static volatile sig_atomic_t reload_requested = 0;
static volatile sig_atomic_t stop_requested = 0;
static volatile sig_atomic_t stop_signal = 0;

/* One target's state across cycles. */
typedef struct TargetRuntime
{
	TargetConnection connection;
	AnalyzeState *analyze_state;	/* previous snapshot, for deltas */
	bool		seen;			/* still in the configuration after a reload */
} TargetRuntime;

typedef struct Daemon
{
	const char *config_path;
	AdvisorConfig *config;
	TargetRuntime *targets;		/* parallel to config->targets */
	int			ntargets;
} Daemon;

static void
handle_reload(int signo)
{
	(void) signo;
	reload_requested = 1;
}

static void
handle_stop(int signo)
{
	stop_signal = signo;
	stop_requested = 1;
}

static void
install_signal_handlers(void)
{
	struct sigaction action;

	memset(&action, 0, sizeof(action));
	sigemptyset(&action.sa_mask);
	/* No SA_RESTART, so pselect() returns at once; libpq retries its own waits. */
	action.sa_flags = 0;

	action.sa_handler = handle_reload;
	sigaction(SIGHUP, &action, NULL);
	action.sa_handler = handle_stop;
	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGINT, &action, NULL);
	/* A server closing the socket must not kill the daemon. */
	action.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &action, NULL);
}

static void
runtime_init(TargetRuntime *runtime, const TargetConfig *target)
{
	memset(runtime, 0, sizeof(*runtime));
	conn_init(&runtime->connection, target);
}

static void
runtime_free(TargetRuntime *runtime)
{
	conn_close(&runtime->connection);
	analyze_state_free(runtime->analyze_state);
	runtime->analyze_state = NULL;
}

/* Replace REPORT_TARGET_PLACEHOLDER in the report path by the target's name. */
static char *
report_path_for(const char *pattern, const char *target_name)
{
	StrBuf		path;
	const char *placeholder = strstr(pattern, REPORT_TARGET_PLACEHOLDER);

	strbuf_init(&path);
	if (placeholder == NULL)
		strbuf_append(&path, pattern);
	else
	{
		strbuf_append_len(&path, pattern, (size_t) (placeholder - pattern));
		strbuf_append(&path, target_name);
		strbuf_append(&path, placeholder + strlen(REPORT_TARGET_PLACEHOLDER));
	}
	return strbuf_release(&path);
}

/*
 * Count the suggestions the cycle wrote for a target, by status, as
 * "2 pending, 1 rejected"; "none" when there are none.
 */
static char *
summarize_stored(PGconn *conn, const char *target_name, const char *cycle_start)
{
	const char *params[2] = {target_name, cycle_start};
	PGresult   *result;
	StrBuf		summary;
	int			row;

	strbuf_init(&summary);
	result = PQexecParams(conn,
						  "SELECT status, count(*) FROM scaleup.suggestions "
						  " WHERE target = $1 AND updated_at >= $2::timestamptz "
						  " GROUP BY status ORDER BY status",
						  2, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(result) != PGRES_TUPLES_OK)
		strbuf_append(&summary, "unknown");
	else if (PQntuples(result) == 0)
		strbuf_append(&summary, "none");
	else
		for (row = 0; row < PQntuples(result); row++)
			strbuf_appendf(&summary, "%s%s %s", row > 0 ? ", " : "",
						   PQgetvalue(result, row, 1), PQgetvalue(result, row, 0));
	PQclear(result);
	return strbuf_release(&summary);
}

/* The server's clock, so that the summary compares like with like. */
static char *
server_now(PGconn *conn)
{
	PGresult   *result = PQexec(conn, "SELECT pg_catalog.clock_timestamp()::text");
	char	   *now = NULL;

	if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) == 1)
		now = xstrdup(PQgetvalue(result, 0, 0));
	PQclear(result);
	return now;
}

static FILE *
open_cycle_output(const AdvisorConfig *config, const char *target_name,
				  char **report_path, char **temp_path, OutputFormat *format)
{
	FILE	   *out;

	*report_path = NULL;
	*temp_path = NULL;
	*format = OUTPUT_TEXT;
	if (config->report_path == NULL)
		return fopen("/dev/null", "w");

	*report_path = report_path_for(config->report_path, target_name);
	*temp_path = xmalloc(strlen(*report_path) + 8);
	sprintf(*temp_path, "%s.tmp", *report_path);
	*format = OUTPUT_HTML;
	out = fopen(*temp_path, "w");
	if (out == NULL)
	{
		log_event(LOG_LEVEL_ERROR, target_name, "could not open report file \"%s\": %s",
				  *temp_path, strerror(errno));
		free(*report_path);
		free(*temp_path);
		*report_path = *temp_path = NULL;
		*format = OUTPUT_TEXT;
		return fopen("/dev/null", "w");
	}
	return out;
}

/* Analyze one target once; every failure is logged, none is fatal. */
static void
analyze_one(Daemon *daemon, int index)
{
	const TargetConfig *target = &daemon->config->targets[index];
	TargetRuntime *runtime = &daemon->targets[index];
	double		started = conn_now();
	PGconn	   *conn = conn_get(&runtime->connection, started);
	AnalyzeSettings settings;
	char	   *cycle_start;
	char	   *report_path;
	char	   *temp_path;
	OutputFormat format;
	FILE	   *out;
	int			rc;

	if (conn == NULL)
	{
		log_event(LOG_LEVEL_DEBUG, target->name,
				  "skipped: target unreachable, next connection attempt in %.0f s",
				  runtime->connection.next_attempt - started);
		return;
	}

	cycle_start = server_now(conn);
	config_analyze_settings(daemon->config, target, &settings);
	out = open_cycle_output(daemon->config, target->name, &report_path, &temp_path, &format);
	if (out == NULL)
	{
		log_event(LOG_LEVEL_ERROR, target->name, "could not open /dev/null: %s", strerror(errno));
		free(cycle_start);
		return;
	}

	rc = analyze_target(target->name, conn, runtime->connection.conninfo, &settings,
						format, out, true, &runtime->analyze_state);

	if (fclose(out) != 0 && temp_path != NULL)
	{
		log_event(LOG_LEVEL_ERROR, target->name, "could not write report file \"%s\": %s",
				  temp_path, strerror(errno));
		rc = 1;
	}
	if (temp_path != NULL)
	{
		if (rc == 0 && rename(temp_path, report_path) != 0)
			log_event(LOG_LEVEL_ERROR, target->name, "could not rename \"%s\" to \"%s\": %s",
					  temp_path, report_path, strerror(errno));
		else if (rc != 0)
			unlink(temp_path);
	}

	if (PQstatus(conn) != CONNECTION_OK)
		conn_mark_broken(&runtime->connection, conn_now());
	else if (rc != 0)
		log_event(LOG_LEVEL_ERROR, target->name, "analysis failed after %.1f s",
				  conn_now() - started);
	else
	{
		char	   *summary = cycle_start ? summarize_stored(conn, target->name, cycle_start)
			: xstrdup("unknown");

		log_event(LOG_LEVEL_INFO, target->name,
				  "analysis finished in %.1f s; suggestions stored: %s",
				  conn_now() - started, summary);
		free(summary);
	}
	free(cycle_start);
	free(report_path);
	free(temp_path);
}

static bool
daemon_stop_requested(void)
{
	return stop_requested != 0;
}

/*
 * Apply and verify one target's suggestions per its apply_mode: "approved"
 * applies the approved ones, "auto" also every pending create_index that the
 * analysis stored.  apply_target() opens its own session and logs every
 * failure, a standby included, so no failure stops the daemon.  When another
 * session holds the apply lock, the target waits for the next cycle.
 */
static void
apply_one(Daemon *daemon, int index)
{
	const TargetConfig *target = &daemon->config->targets[index];
	TargetRuntime *runtime = &daemon->targets[index];
	ApplyOptions options;

	if (target->apply_mode == APPLY_MODE_OFF || runtime->connection.conn == NULL)
		return;
	memset(&options, 0, sizeof(options));
	options.selection = target->apply_mode == APPLY_MODE_AUTO ? APPLY_AUTO : APPLY_APPROVED;
	options.ignore_window = false;
	options.wait_for_lock = false;
	options.stop_requested = daemon_stop_requested;
	if (apply_target(daemon->config, target, runtime->connection.conninfo, &options) != 0)
		log_event(LOG_LEVEL_WARNING, target->name,
				  "apply step finished with errors; analysis goes on and the next cycle retries");
}

static bool
same_connection(const TargetConfig *a, const TargetConfig *b)
{
	char	   *conninfo_a = config_target_conninfo(a);
	char	   *conninfo_b = config_target_conninfo(b);
	bool		same = strcmp(conninfo_a, conninfo_b) == 0;

	free(conninfo_a);
	free(conninfo_b);
	return same;
}

/*
 * Read the configuration file again.  A file with errors is logged line by
 * line and the running configuration stays.  Otherwise targets are matched
 * by name: an unchanged one keeps its connection and its previous snapshot.
 */
static void
reload_config(Daemon *daemon)
{
	char	   *errors = NULL;
	AdvisorConfig *new_config;
	TargetRuntime *new_targets;
	int			i;

	if (daemon->config_path == NULL)
	{
		log_event(LOG_LEVEL_INFO, NULL,
				  "received SIGHUP, but no configuration file was given with -c; nothing to reload");
		return;
	}

	new_config = config_load_file(daemon->config_path, &errors);
	if (new_config == NULL)
	{
		char	   *line = errors;

		while (line != NULL && *line)
		{
			char	   *newline = strchr(line, '\n');

			if (newline)
				*newline = '\0';
			log_event(LOG_LEVEL_ERROR, NULL, "invalid configuration: %s", line);
			line = newline ? newline + 1 : NULL;
		}
		log_event(LOG_LEVEL_ERROR, NULL,
				  "configuration file \"%s\" not reloaded; the running configuration stays in effect",
				  daemon->config_path);
		free(errors);
		return;
	}

	config_keep_restart_only(daemon->config, new_config);

	for (i = 0; i < daemon->ntargets; i++)
		daemon->targets[i].seen = false;
	new_targets = xcalloc((size_t) new_config->ntargets, sizeof(TargetRuntime));
	for (i = 0; i < new_config->ntargets; i++)
	{
		const TargetConfig *target = &new_config->targets[i];
		const TargetConfig *old_target = config_find_target(daemon->config, target->name);
		int			old_index = old_target ? (int) (old_target - daemon->config->targets) : -1;

		if (old_target != NULL && same_connection(old_target, target))
		{
			new_targets[i] = daemon->targets[old_index];
			daemon->targets[old_index].seen = true;
			continue;
		}
		runtime_init(&new_targets[i], target);
		log_event(LOG_LEVEL_INFO, target->name, "%s target (%s)",
				  old_target ? "reconnecting changed" : "added", new_targets[i].connection.display);
	}
	for (i = 0; i < daemon->ntargets; i++)
		if (!daemon->targets[i].seen)
		{
			if (config_find_target(new_config, daemon->config->targets[i].name) == NULL)
				log_event(LOG_LEVEL_INFO, daemon->config->targets[i].name, "target removed");
			runtime_free(&daemon->targets[i]);
		}

	free(daemon->targets);
	config_free(daemon->config);
	daemon->config = new_config;
	daemon->targets = new_targets;
	daemon->ntargets = new_config->ntargets;
	log_configure(new_config->log_level, new_config->log_format);
	log_event(LOG_LEVEL_INFO, NULL, "configuration reloaded from \"%s\": %d target%s",
			  daemon->config_path, new_config->ntargets, new_config->ntargets == 1 ? "" : "s");
}

/*
 * Sleep until deadline (conn_now() seconds) or until a signal sets a flag.
 * Returns at once when a flag is already set.
 */
static void
sleep_until(double deadline)
{
	sigset_t	block;
	sigset_t	original;

	sigemptyset(&block);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);

	for (;;)
	{
		double		remaining;
		struct timespec timeout;

		sigprocmask(SIG_BLOCK, &block, &original);
		remaining = deadline - conn_now();
		if (stop_requested || reload_requested || remaining <= 0)
		{
			sigprocmask(SIG_SETMASK, &original, NULL);
			return;
		}
		timeout.tv_sec = (time_t) remaining;
		timeout.tv_nsec = (long) ((remaining - (double) timeout.tv_sec) * 1e9);
		/* Returns -1 with EINTR when a handler ran, so the loop checks the flag. */
		pselect(0, NULL, NULL, NULL, &timeout, &original);
		sigprocmask(SIG_SETMASK, &original, NULL);
	}
}

/*
 * Earliest time a disconnected target may try again, or deadline when no
 * target is waiting for a retry before it.
 */
static double
next_wakeup(const Daemon *daemon, double deadline)
{
	double		wakeup = deadline;
	int			i;

	for (i = 0; i < daemon->ntargets; i++)
	{
		const TargetConnection *connection = &daemon->targets[i].connection;

		if (connection->conn == NULL && connection->failures > 0 &&
			connection->next_attempt < wakeup)
			wakeup = connection->next_attempt;
	}
	return wakeup;
}

/*
 * Sleep until one interval after cycle_start.  Meanwhile, reconnect targets
 * whose backoff delay has passed (they are analyzed in the next cycle) and
 * reload the configuration on SIGHUP.  Returns early on SIGTERM or SIGINT.
 */
static void
wait_for_next_cycle(Daemon *daemon, double cycle_start)
{
	for (;;)
	{
		double		deadline = cycle_start + (double) daemon->config->interval_ms / 1000.0;
		double		wakeup = next_wakeup(daemon, deadline);
		int			i;

		sleep_until(wakeup);
		if (stop_requested)
			return;
		if (reload_requested)
		{
			reload_requested = 0;
			log_event(LOG_LEVEL_INFO, NULL, "received SIGHUP, reloading the configuration");
			reload_config(daemon);
			continue;
		}
		if (conn_now() >= deadline)
			return;
		for (i = 0; i < daemon->ntargets && !stop_requested; i++)
		{
			TargetConnection *connection = &daemon->targets[i].connection;

			if (connection->conn == NULL && connection->failures > 0 &&
				connection->next_attempt <= conn_now())
				conn_get(connection, conn_now());
		}
	}
}

int
daemon_run(const char *config_path, AdvisorConfig *config)
{
	Daemon		daemon;
	int			i;
	char		interval[32];

	daemon.config_path = config_path;
	daemon.config = config;
	daemon.ntargets = config->ntargets;
	daemon.targets = xcalloc((size_t) config->ntargets, sizeof(TargetRuntime));
	for (i = 0; i < config->ntargets; i++)
		runtime_init(&daemon.targets[i], &config->targets[i]);

	srandom((unsigned int) (time(NULL) ^ getpid()));
	install_signal_handlers();

	config_format_duration(config->interval_ms, interval, sizeof(interval));
	log_event(LOG_LEVEL_INFO, NULL,
			  "scaleup-advisor %s started (pid %d): %d target%s, interval %s, configuration %s",
			  SCALEUP_ADVISOR_VERSION, (int) getpid(), config->ntargets,
			  config->ntargets == 1 ? "" : "s", interval,
			  config_path ? config_path : "from the libpq environment");

	while (!stop_requested)
	{
		double		cycle_start = conn_now();

		for (i = 0; i < daemon.ntargets && !stop_requested; i++)
		{
			analyze_one(&daemon, i);
			if (!stop_requested)
				apply_one(&daemon, i);
		}

		wait_for_next_cycle(&daemon, cycle_start);
	}

	log_event(LOG_LEVEL_INFO, NULL, "received %s, stopping",
			  stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
	for (i = 0; i < daemon.ntargets; i++)
		runtime_free(&daemon.targets[i]);
	free(daemon.targets);
	config_free(daemon.config);
	log_event(LOG_LEVEL_INFO, NULL, "scaleup-advisor stopped");
	return 0;
}
