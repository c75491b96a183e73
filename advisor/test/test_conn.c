/* Unit tests for conn.c: backoff delays and masked connection errors. */
#include "conn.h"
#include "log.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

TEST(conn, backoff_doubles_then_caps)
{
	CHECK_DOUBLE_EQ(1.0, conn_backoff_delay(1, 0.999999999), 1e-6);
	CHECK_DOUBLE_EQ(2.0, conn_backoff_delay(2, 0.999999999), 1e-6);
	CHECK_DOUBLE_EQ(4.0, conn_backoff_delay(3, 0.999999999), 1e-6);
	CHECK_DOUBLE_EQ(256.0, conn_backoff_delay(9, 0.999999999), 1e-6);
	CHECK_DOUBLE_EQ(300.0, conn_backoff_delay(10, 0.999999999), 1e-6);
	CHECK_DOUBLE_EQ(300.0, conn_backoff_delay(1000, 0.999999999), 1e-6);
}

TEST(conn, backoff_jitter_halves_at_most)
{
	CHECK_DOUBLE_EQ(0.5, conn_backoff_delay(1, 0.0), 1e-9);
	CHECK_DOUBLE_EQ(0.75, conn_backoff_delay(1, 0.5), 1e-9);
	CHECK_DOUBLE_EQ(150.0, conn_backoff_delay(40, 0.0), 1e-9);
}

/* Connect to a socket directory that does not exist, so no server is involved. */
TEST(conn, failure_log_masks_password)
{
	char	   *output = NULL;
	size_t		length = 0;
	FILE	   *stream = open_memstream(&output, &length);
	PGconn	   *conn;

	REQUIRE_NOT_NULL(stream);
	log_set_stream(stream);
	conn = conn_open("shop", "host=/nonexistent/scaleup-test port=5 password=hunter2 dbname=x");
	log_set_stream(NULL);
	fclose(stream);

	CHECK_NULL(conn);
	CHECK(strstr(output, "hunter2") == NULL);
	CHECK_STR_CONTAINS("ERROR [shop] could not connect to target (host=/nonexistent/scaleup-test port=5 password=******** dbname=x): ",
					   output);
	CHECK_STR_CONTAINS("No such file or directory", output);
	/* One event, one line: the only newline ends the output. */
	REQUIRE_NOT_NULL(strchr(output, '\n'));
	CHECK_UINT_EQ(strlen(output), (size_t) (strchr(output, '\n') - output) + 1);
	free(output);
}

TEST(conn, reconnect_state_backs_off)
{
	TargetConfig target = {0};
	TargetConnection connection;
	char	   *output = NULL;
	size_t		length = 0;
	FILE	   *stream = open_memstream(&output, &length);

	REQUIRE_NOT_NULL(stream);
	target.name = "down";
	target.conninfo = "postgresql://u:s3cret@/db?host=/nonexistent/scaleup-test&port=5";
	conn_init(&connection, &target);
	log_set_stream(stream);

	CHECK_NULL(conn_get(&connection, 100.0));
	CHECK_INT_EQ(1, connection.failures);
	CHECK(connection.next_attempt >= 100.5);
	CHECK(connection.next_attempt <= 101.0);

	/* Before the delay has passed, no attempt is made. */
	CHECK_NULL(conn_get(&connection, 100.1));
	CHECK_INT_EQ(1, connection.failures);

	CHECK_NULL(conn_get(&connection, 200.0));
	CHECK_INT_EQ(2, connection.failures);
	CHECK(connection.next_attempt >= 201.0);
	CHECK(connection.next_attempt <= 202.0);

	log_set_stream(NULL);
	fclose(stream);
	CHECK(strstr(output, "s3cret") == NULL);
	CHECK_STR_CONTAINS("ERROR [down] could not connect to target (postgresql://u:********@/db?host=/nonexistent/scaleup-test&port=5): ",
					   output);
	/* The second failure is below the default INFO level. */
	CHECK(strstr(output, "attempt 2") == NULL);
	conn_close(&connection);
	free(output);
}
