/*
 * conn.c: connections to targets, with backoff for the daemon (see conn.h).
 */
#include "conn.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "strbuf.h"

#define APPLICATION_NAME "scaleup-advisor"
/* Used unless the conninfo sets connect_timeout, so a silent host cannot stall a cycle. */
#define DEFAULT_CONNECT_TIMEOUT "10"

double
conn_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

const char *
conn_error_message(const PGconn *conn)
{
	static char message[1024];
	const char *raw = conn ? PQerrorMessage(conn) : "out of memory";
	size_t		len = 0;
	const char *p;

	/* libpq's messages span lines; fold each run of whitespace into one space. */
	for (p = raw; *p && len + 1 < sizeof(message); p++)
	{
		if (isspace((unsigned char) *p))
		{
			if (len > 0 && message[len - 1] != ' ')
				message[len++] = ' ';
		}
		else
			message[len++] = *p;
	}
	while (len > 0 && message[len - 1] == ' ')
		len--;
	message[len] = '\0';
	return message;
}

/*
 * Connect with PQconnectdbParams.  The conninfo is passed as an expanded
 * dbname after our defaults, so any key it sets overrides them; an empty
 * conninfo leaves every choice to libpq's environment.
 */
static PGconn *
connect_target(const char *conninfo)
{
	const char *keywords[] = {
		"application_name", "fallback_application_name", "connect_timeout", "dbname", NULL
	};
	const char *values[] = {
		APPLICATION_NAME, APPLICATION_NAME, DEFAULT_CONNECT_TIMEOUT, conninfo, NULL
	};

	return PQconnectdbParams(keywords, values, 1);
}

PGconn *
conn_open(const char *target_name, const char *conninfo)
{
	PGconn	   *conn = connect_target(conninfo);

	if (conn == NULL || PQstatus(conn) != CONNECTION_OK)
	{
		char	   *display = (conninfo && conninfo[0]) ? config_mask_conninfo(conninfo)
			: xstrdup("libpq environment");

		log_event(LOG_LEVEL_ERROR, target_name, "could not connect to target (%s): %s",
				  display, conn_error_message(conn));
		free(display);
		PQfinish(conn);
		return NULL;
	}
	return conn;
}

void
conn_init(TargetConnection *tc, const TargetConfig *target)
{
	memset(tc, 0, sizeof(*tc));
	tc->target_name = xstrdup(target->name);
	tc->conninfo = config_target_conninfo(target);
	tc->display = config_target_display(target);
}

double
conn_backoff_delay(int failures, double random_unit)
{
	double		delay = CONN_BACKOFF_BASE_SECONDS;
	int			i;

	for (i = 1; i < failures && delay < CONN_BACKOFF_MAX_SECONDS; i++)
		delay *= 2;
	if (delay > CONN_BACKOFF_MAX_SECONDS)
		delay = CONN_BACKOFF_MAX_SECONDS;
	return delay * (0.5 + 0.5 * random_unit);
}

static void
record_failure(TargetConnection *tc, double now, const char *message)
{
	double		delay;

	tc->failures++;
	delay = conn_backoff_delay(tc->failures, (double) random() / ((double) RAND_MAX + 1.0));
	tc->next_attempt = now + delay;

	if (tc->failures == 1)
		log_event(LOG_LEVEL_ERROR, tc->target_name,
				  "could not connect to target (%s): %s; retrying in %.0f s",
				  tc->display, message, ceil(delay));
	else if (tc->failures % CONN_WARN_EVERY == 0)
		log_event(LOG_LEVEL_WARNING, tc->target_name,
				  "target still unreachable after %d attempts (%s): %s; retrying in %.0f s",
				  tc->failures, tc->display, message, ceil(delay));
	else
		log_event(LOG_LEVEL_DEBUG, tc->target_name,
				  "connection attempt %d failed: %s; retrying in %.0f s",
				  tc->failures, message, ceil(delay));
}

PGconn *
conn_get(TargetConnection *tc, double now)
{
	if (tc->conn != NULL)
	{
		if (PQstatus(tc->conn) == CONNECTION_OK)
			return tc->conn;
		log_event(LOG_LEVEL_WARNING, tc->target_name, "connection lost: %s",
				  conn_error_message(tc->conn));
		PQfinish(tc->conn);
		tc->conn = NULL;
		tc->failures = 0;
		tc->next_attempt = now;
	}

	if (now < tc->next_attempt)
		return NULL;

	tc->conn = connect_target(tc->conninfo);
	if (tc->conn == NULL || PQstatus(tc->conn) != CONNECTION_OK)
	{
		record_failure(tc, now, conn_error_message(tc->conn));
		PQfinish(tc->conn);
		tc->conn = NULL;
		return NULL;
	}

	if (tc->failures > 0)
		log_event(LOG_LEVEL_INFO, tc->target_name,
				  "connection restored after %d failed attempt%s", tc->failures,
				  tc->failures == 1 ? "" : "s");
	else
		log_event(LOG_LEVEL_DEBUG, tc->target_name, "connected (%s)", tc->display);
	tc->failures = 0;
	tc->next_attempt = 0;
	return tc->conn;
}

void
conn_mark_broken(TargetConnection *tc, double now)
{
	if (tc->conn == NULL)
		return;
	log_event(LOG_LEVEL_WARNING, tc->target_name, "connection lost: %s; reconnecting",
			  conn_error_message(tc->conn));
	PQfinish(tc->conn);
	tc->conn = NULL;
	tc->failures = 0;
	tc->next_attempt = now;
}

void
conn_close(TargetConnection *tc)
{
	PQfinish(tc->conn);
	tc->conn = NULL;
	free(tc->target_name);
	free(tc->conninfo);
	free(tc->display);
	tc->target_name = tc->conninfo = tc->display = NULL;
}
