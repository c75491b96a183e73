/* Unit tests for config.c: values, every error path, masking, the example file. */
#include "config.h"
#include "unit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Parse text that must fail; returns the error text, which the caller frees. */
static char *
load_errors(const char *text)
{
	char	   *errors = NULL;
	AdvisorConfig *config = config_load_string(text, "config.yaml", &errors);

	if (config != NULL)
	{
		config_free(config);
		return strdup("(parsed without errors)");
	}
	return errors;
}

#define CHECK_CONFIG_ERROR(expected, text) \
	do { \
		char *errors_ = load_errors(text); \
		CHECK_STR_EQ(expected, errors_); \
		free(errors_); \
	} while (0)

static AdvisorConfig *
load_ok(const char *text)
{
	char	   *errors = NULL;
	AdvisorConfig *config = config_load_string(text, "config.yaml", &errors);

	if (config == NULL)
	{
		printf("unexpected configuration errors:\n%s", errors);
		free(errors);
	}
	return config;
}

static const char *one_target =
"targets:\n"
"  - name: shop\n"
"    conninfo: \"dbname=shop\"\n";

TEST(config, durations)
{
	int64_t		ms = -1;

	CHECK(config_parse_duration("500ms", &ms));
	CHECK_INT_EQ(500, ms);
	CHECK(config_parse_duration("30s", &ms));
	CHECK_INT_EQ(30000, ms);
	CHECK(config_parse_duration("5m", &ms));
	CHECK_INT_EQ(300000, ms);
	CHECK(config_parse_duration("5min", &ms));
	CHECK_INT_EQ(300000, ms);
	CHECK(config_parse_duration("2h", &ms));
	CHECK_INT_EQ(7200000, ms);
	CHECK(config_parse_duration("1d", &ms));
	CHECK_INT_EQ(86400000, ms);
	CHECK(config_parse_duration("1.5h", &ms));
	CHECK_INT_EQ(5400000, ms);
	CHECK(config_parse_duration(" 10 s ", &ms));
	CHECK_INT_EQ(10000, ms);
	CHECK(config_parse_duration("0s", &ms));
	CHECK_INT_EQ(0, ms);

	CHECK(!config_parse_duration("often", &ms));
	CHECK(!config_parse_duration("300", &ms));
	CHECK(!config_parse_duration("5", &ms));
	CHECK(!config_parse_duration("-5m", &ms));
	CHECK(!config_parse_duration("5 minutes", &ms));
	CHECK(!config_parse_duration("5M", &ms));
	CHECK(!config_parse_duration("0.5ms", &ms));
	CHECK(!config_parse_duration("1e3s", &ms));
	CHECK(!config_parse_duration("0x10s", &ms));
	CHECK(!config_parse_duration("5m30s", &ms));
	CHECK(!config_parse_duration("", &ms));
}

TEST(config, sizes)
{
	int64_t		bytes = -1;

	CHECK(config_parse_size("8kB", &bytes));
	CHECK_INT_EQ(8192, bytes);
	CHECK(config_parse_size("500MB", &bytes));
	CHECK_INT_EQ(524288000LL, bytes);
	CHECK(config_parse_size("2GB", &bytes));
	CHECK_INT_EQ(2147483648LL, bytes);
	CHECK(config_parse_size("1TB", &bytes));
	CHECK_INT_EQ(1099511627776LL, bytes);
	CHECK(config_parse_size("100B", &bytes));
	CHECK_INT_EQ(100, bytes);
	CHECK(config_parse_size("1.5GB", &bytes));
	CHECK_INT_EQ(1610612736LL, bytes);

	/* PostgreSQL's units are case-sensitive. */
	CHECK(!config_parse_size("8KB", &bytes));
	CHECK(!config_parse_size("2gb", &bytes));
	CHECK(!config_parse_size("2G", &bytes));
	CHECK(!config_parse_size("500", &bytes));
	CHECK(!config_parse_size("big", &bytes));
	CHECK(!config_parse_size("0.3B", &bytes));
}

TEST(config, format_values)
{
	char		buf[32];

	config_format_duration(300000, buf, sizeof(buf));
	CHECK_STR_EQ("5m", buf);
	config_format_duration(86400000, buf, sizeof(buf));
	CHECK_STR_EQ("1d", buf);
	config_format_duration(1500, buf, sizeof(buf));
	CHECK_STR_EQ("1500ms", buf);
	config_format_duration(0, buf, sizeof(buf));
	CHECK_STR_EQ("0s", buf);
	config_format_size(2147483648LL, buf, sizeof(buf));
	CHECK_STR_EQ("2GB", buf);
	config_format_size(8192, buf, sizeof(buf));
	CHECK_STR_EQ("8kB", buf);
	config_format_size(1000, buf, sizeof(buf));
	CHECK_STR_EQ("1000B", buf);
	config_format_size(0, buf, sizeof(buf));
	CHECK_STR_EQ("0B", buf);
}

TEST(config, fractions)
{
	double		fraction = -1;

	CHECK(config_parse_fraction("10%", &fraction));
	CHECK_DOUBLE_EQ(0.10, fraction, 1e-12);
	CHECK(config_parse_fraction("0.25", &fraction));
	CHECK_DOUBLE_EQ(0.25, fraction, 1e-12);
	CHECK(config_parse_fraction("150 %", &fraction));
	CHECK_DOUBLE_EQ(1.5, fraction, 1e-12);
	CHECK(!config_parse_fraction("ten", &fraction));
	CHECK(!config_parse_fraction("10%%", &fraction));
	CHECK(!config_parse_fraction("-1%", &fraction));
}

TEST(config, windows)
{
	TimeWindow	window;

	CHECK(config_parse_window("01:00-05:00", &window));
	CHECK_INT_EQ(60, window.start_minute);
	CHECK_INT_EQ(300, window.end_minute);
	CHECK(config_window_contains(&window, 60));
	CHECK(config_window_contains(&window, 299));
	CHECK(!config_window_contains(&window, 300));
	CHECK(!config_window_contains(&window, 59));

	CHECK(config_parse_window("22:30-04:00", &window));
	CHECK(config_window_contains(&window, 23 * 60));
	CHECK(config_window_contains(&window, 0));
	CHECK(!config_window_contains(&window, 12 * 60));

	CHECK(config_parse_window("00:00-24:00", &window));
	CHECK(config_window_contains(&window, 0));
	CHECK(config_window_contains(&window, 1439));

	CHECK(!config_parse_window("1:00-5:00", &window));
	CHECK(!config_parse_window("01:00-01:00", &window));
	CHECK(!config_parse_window("25:00-05:00", &window));
	CHECK(!config_parse_window("01:60-05:00", &window));
	CHECK(!config_parse_window("24:00-05:00", &window));
	CHECK(!config_parse_window("night", &window));
}

TEST(config, values_parsed)
{
	AdvisorConfig *config = load_ok(
		"interval: 30s\n"
		"log: {level: debug, format: json}\n"
		"report: /tmp/report-{target}.html\n"
		"thresholds:\n"
		"  min_calls: 5\n"
		"  min_total_time: 500ms\n"
		"  min_gain_per_hour: 2s\n"
		"  min_table_rows: 100\n"
		"budgets:\n"
		"  max_indexes_per_table: 3\n"
		"  max_index_size_total: 500MB\n"
		"  max_index_size_per_table: 8kB\n"
		"apply:\n"
		"  window: \"01:00-05:00\"\n"
		"  lock_timeout: 2s\n"
		"  allow_drop_in_auto: yes\n"
		"verify: {after: 2h, min_improvement: 25%, max_write_slowdown: 0.5}\n"
		"whatif: {statement_timeout: 1s, use_hypopg: false}\n"
		"targets:\n"
		"  - name: shop\n"
		"    conninfo: \"host=db1 dbname=shop\"\n"
		"    apply_mode: approved\n"
		"  - name: replica\n"
		"    service: shop-ro\n"
		"    role: replica\n");

	REQUIRE_NOT_NULL(config);
	CHECK_INT_EQ(30000, config->interval_ms);
	CHECK_INT_EQ(LOG_LEVEL_DEBUG, config->log_level);
	CHECK_INT_EQ(LOG_FORMAT_JSON, config->log_format);
	CHECK_STR_EQ("/tmp/report-{target}.html", config->report_path);
	CHECK_INT_EQ(5, config->min_calls);
	CHECK_INT_EQ(500, config->min_total_time_ms);
	CHECK_INT_EQ(2000, config->min_gain_per_hour_ms);
	CHECK_INT_EQ(100, config->min_table_rows);
	CHECK_INT_EQ(3, config->max_indexes_per_table);
	CHECK_INT_EQ(524288000LL, config->max_index_size_total);
	CHECK_INT_EQ(8192, config->max_index_size_per_table);
	CHECK_INT_EQ(60, config->apply_window.start_minute);
	CHECK_INT_EQ(300, config->apply_window.end_minute);
	CHECK_INT_EQ(2000, config->apply_lock_timeout_ms);
	CHECK(config->allow_drop_in_auto);
	CHECK_INT_EQ(7200000, config->verify_after_ms);
	CHECK_DOUBLE_EQ(0.25, config->verify_min_improvement, 1e-12);
	CHECK_DOUBLE_EQ(0.5, config->verify_max_write_slowdown, 1e-12);
	CHECK_INT_EQ(1000, config->whatif_statement_timeout_ms);
	CHECK(!config->use_hypopg);

	REQUIRE(config->ntargets == 2);
	CHECK_STR_EQ("shop", config->targets[0].name);
	CHECK_STR_EQ("host=db1 dbname=shop", config->targets[0].conninfo);
	CHECK_NULL(config->targets[0].service);
	CHECK_INT_EQ(TARGET_ROLE_PRIMARY, config->targets[0].role);
	CHECK_INT_EQ(APPLY_MODE_APPROVED, config->targets[0].apply_mode);
	CHECK_INT_EQ(20, config->targets[0].line);
	CHECK_STR_EQ("replica", config->targets[1].name);
	CHECK_NULL(config->targets[1].conninfo);
	CHECK_STR_EQ("shop-ro", config->targets[1].service);
	CHECK_INT_EQ(TARGET_ROLE_REPLICA, config->targets[1].role);
	CHECK_INT_EQ(APPLY_MODE_OFF, config->targets[1].apply_mode);
	CHECK(config_find_target(config, "replica") == &config->targets[1]);
	CHECK_NULL(config_find_target(config, "nope"));
	config_free(config);
}

TEST(config, defaults_without_keys)
{
	AdvisorConfig *config = load_ok(one_target);

	REQUIRE_NOT_NULL(config);
	CHECK_INT_EQ(300000, config->interval_ms);
	CHECK_INT_EQ(LOG_LEVEL_INFO, config->log_level);
	CHECK_INT_EQ(LOG_FORMAT_TEXT, config->log_format);
	CHECK_NULL(config->report_path);
	CHECK_INT_EQ(50, config->min_calls);
	CHECK_INT_EQ(10000, config->min_table_rows);
	CHECK_INT_EQ(0, config->apply_window.start_minute);
	CHECK_INT_EQ(1440, config->apply_window.end_minute);
	CHECK(config->use_hypopg);
	CHECK(!config->allow_drop_in_auto);
	CHECK_DOUBLE_EQ(0.10, config->verify_min_improvement, 1e-12);
	config_free(config);
}

TEST(config, empty_file_uses_environment)
{
	AdvisorConfig *config;

	setenv("PGDATABASE", "blog", 1);
	unsetenv("PGSERVICE");
	config = load_ok("");
	REQUIRE_NOT_NULL(config);
	REQUIRE(config->ntargets == 1);
	CHECK_STR_EQ("blog", config->targets[0].name);
	CHECK_STR_EQ("", config->targets[0].conninfo);
	config_free(config);

	config = load_ok("interval: 1m\n");
	REQUIRE_NOT_NULL(config);
	REQUIRE(config->ntargets == 1);
	CHECK_STR_EQ("blog", config->targets[0].name);
	config_free(config);

	unsetenv("PGDATABASE");
	config = config_default();
	REQUIRE(config->ntargets == 1);
	CHECK_STR_EQ("default", config->targets[0].name);
	CHECK_STR_EQ("", config->targets[0].conninfo);
	CHECK_NULL(config->path);
	config_free(config);

	setenv("PGSERVICE", "shop-service", 1);
	config = config_default();
	CHECK_STR_EQ("shop-service", config->targets[0].name);
	config_free(config);
	unsetenv("PGSERVICE");
}

TEST(config, error_bad_duration)
{
	CHECK_CONFIG_ERROR("config.yaml:3: key \"interval\": expected a duration such as \"5m\", got \"often\"\n",
					   "# comment\n"
					   "\n"
					   "interval: often\n");
	CHECK_CONFIG_ERROR("config.yaml:1: key \"interval\": expected a duration such as \"5m\", got \"300\"\n",
					   "interval: 300\n");
}

TEST(config, error_out_of_range)
{
	CHECK_CONFIG_ERROR("config.yaml:1: key \"interval\": expected a duration between 1s and 1d, got \"500ms\"\n",
					   "interval: 500ms\n");
	CHECK_CONFIG_ERROR("config.yaml:2: key \"thresholds.min_calls\": expected an integer between 1 and 1000000000000, got \"0\"\n",
					   "thresholds:\n  min_calls: 0\n");
	CHECK_CONFIG_ERROR("config.yaml:2: key \"budgets.max_index_size_total\": expected a size between 0B and 1024TB, got \"2000TB\"\n",
					   "budgets:\n  max_index_size_total: 2000TB\n");
	CHECK_CONFIG_ERROR("config.yaml:1: key \"verify.min_improvement\": expected a percentage between 0% and 100%, got \"150%\"\n",
					   "verify: {min_improvement: 150%}\n");
}

TEST(config, error_bad_size)
{
	CHECK_CONFIG_ERROR("config.yaml:2: key \"budgets.max_index_size_per_table\": expected a size such as \"500MB\", got \"2gb\"\n",
					   "budgets:\n  max_index_size_per_table: 2gb\n");
}

TEST(config, error_wrong_types)
{
	CHECK_CONFIG_ERROR("config.yaml:2: key \"thresholds.min_calls\": expected an integer, got \"many\"\n",
					   "thresholds:\n  min_calls: many\n");
	CHECK_CONFIG_ERROR("config.yaml:1: key \"whatif.use_hypopg\": expected true or false, got \"maybe\"\n",
					   "whatif: {use_hypopg: maybe}\n");
	CHECK_CONFIG_ERROR("config.yaml:1: key \"log.level\": expected one of \"debug\", \"info\", \"warning\", \"error\", got \"verbose\"\n",
					   "log: {level: verbose}\n");
	CHECK_CONFIG_ERROR("config.yaml:1: key \"apply.window\": expected a UTC time window such as \"01:00-05:00\", got \"nights\"\n",
					   "apply: {window: nights}\n");
	CHECK_CONFIG_ERROR("config.yaml:2: key \"interval\": expected a duration such as \"5m\", got a mapping\n",
					   "interval:\n  every: 5m\n");
	CHECK_CONFIG_ERROR("config.yaml:1: key \"interval\": expected a duration such as \"5m\", got a list\n",
					   "interval: [5m]\n");
	CHECK_CONFIG_ERROR("config.yaml:1: key \"interval\": expected a duration such as \"5m\", got an empty value\n",
					   "interval:\n");
	CHECK_CONFIG_ERROR("config.yaml:1: key \"thresholds\": expected a mapping, got \"high\"\n",
					   "thresholds: high\n");
	CHECK_CONFIG_ERROR("config.yaml:1: expected a mapping of keys at the top level, got a list\n",
					   "- interval\n");
	CHECK_CONFIG_ERROR("config.yaml:1: key \"targets\": expected a list of targets, got \"shop\"\n",
					   "targets: shop\n");
	CHECK_CONFIG_ERROR("config.yaml:1: key \"targets\": expected a list of at least one target, got an empty list\n",
					   "targets: []\n");
	CHECK_CONFIG_ERROR("config.yaml:2: key \"targets[0]\": expected a mapping with name and conninfo or service, got \"shop\"\n",
					   "targets:\n  - shop\n");
}

TEST(config, error_unknown_keys)
{
	CHECK_CONFIG_ERROR("config.yaml:2: unknown key \"thresholds.min_cals\" (did you mean \"thresholds.min_calls\"?)\n",
					   "thresholds:\n  min_cals: 5\n");
	CHECK_CONFIG_ERROR("config.yaml:1: unknown key \"min_calls\" (did you mean \"thresholds.min_calls\"?)\n",
					   "min_calls: 5\n");
	CHECK_CONFIG_ERROR("config.yaml:1: unknown key \"threshold\" (did you mean \"thresholds\"?)\n",
					   "threshold:\n  min_calls: 5\n");
	CHECK_CONFIG_ERROR("config.yaml:1: unknown key \"colour\"\n",
					   "colour: blue\n");
	CHECK_CONFIG_ERROR("config.yaml:4: unknown key \"targets[0].password\" (passwords belong in ~/.pgpass or a service file, which libpq reads)\n",
					   "targets:\n  - name: shop\n    conninfo: \"dbname=shop\"\n    password: secret\n");
	CHECK_CONFIG_ERROR("config.yaml:4: unknown key \"targets[0].conninf\" (did you mean \"targets[0].conninfo\"?)\n",
					   "targets:\n"
					   "  - name: shop\n"
					   "    conninfo: \"\"\n"
					   "    conninf: \"password=secret\"\n");
}

TEST(config, error_duplicate_key)
{
	CHECK_CONFIG_ERROR("config.yaml:3: key \"interval\": duplicate key, first set at line 1\n",
					   "interval: 5m\n"
					   "log: {level: info}\n"
					   "interval: 10m\n");
}

TEST(config, error_duplicate_target)
{
	CHECK_CONFIG_ERROR("config.yaml:6: key \"targets[2].name\": duplicate target name \"shop\", first used at line 2\n",
					   "targets:\n"
					   "  - name: shop\n"
					   "    conninfo: \"dbname=a\"\n"
					   "  - name: other\n"
					   "    conninfo: \"dbname=b\"\n"
					   "  - name: shop\n"
					   "    conninfo: \"dbname=c\"\n");
}

TEST(config, error_target_name)
{
	CHECK_CONFIG_ERROR("config.yaml:2: key \"targets[0]\": missing required key \"name\"\n",
					   "targets:\n"
					   "  - conninfo: \"dbname=a\"\n");
	CHECK_CONFIG_ERROR("config.yaml:2: key \"targets[0].name\": expected a string, got an empty value\n"
					   "config.yaml:2: key \"targets[0]\": missing required key \"name\"\n",
					   "targets:\n"
					   "  - name:\n"
					   "    conninfo: \"dbname=a\"\n");
	CHECK_CONFIG_ERROR("config.yaml:2: key \"targets[0].name\": expected a name of 1 to 63 characters without control characters or surrounding spaces, got \" shop\"\n",
					   "targets:\n"
					   "  - name: \" shop\"\n"
					   "    conninfo: \"dbname=a\"\n");
}

TEST(config, error_conninfo_and_service)
{
	CHECK_CONFIG_ERROR("config.yaml:2: key \"targets[0]\": expected exactly one of \"conninfo\" and \"service\", got both\n",
					   "targets:\n"
					   "  - name: shop\n"
					   "    conninfo: \"dbname=a\"\n"
					   "    service: shop\n");
	CHECK_CONFIG_ERROR("config.yaml:2: key \"targets[0]\": expected exactly one of \"conninfo\" and \"service\", got neither (use conninfo: \"\" for libpq's environment)\n",
					   "targets:\n"
					   "  - name: shop\n"
					   "    role: primary\n");
}

TEST(config, error_replica_apply_mode)
{
	CHECK_CONFIG_ERROR("config.yaml:2: key \"targets[0].apply_mode\": expected \"off\" for a replica, got \"auto\"\n",
					   "targets:\n"
					   "  - name: ro\n"
					   "    service: ro\n"
					   "    role: replica\n"
					   "    apply_mode: auto\n");
	CHECK_CONFIG_ERROR("config.yaml:4: key \"targets[0].role\": expected one of \"primary\", \"replica\", got \"standby\"\n",
					   "targets:\n"
					   "  - name: ro\n"
					   "    service: ro\n"
					   "    role: standby\n");
}

TEST(config, error_bad_conninfo)
{
	CHECK_CONFIG_ERROR("config.yaml:3: key \"targets[0].conninfo\": expected a libpq connection string, got one libpq rejects: invalid connection option \"colour\"\n",
					   "targets:\n"
					   "  - name: shop\n"
					   "    conninfo: \"colour=blue\"\n");
	/* libpq's message could quote part of a password, so it is left out. */
	CHECK_CONFIG_ERROR("config.yaml:3: key \"targets[0].conninfo\": expected a libpq connection string, got one libpq rejects (its message is not shown because the string contains a password)\n",
					   "targets:\n"
					   "  - name: shop\n"
					   "    conninfo: \"password=hunter2 colour=blue\"\n");
}

TEST(config, error_yaml_syntax)
{
	CHECK_CONFIG_ERROR("config.yaml:3: invalid YAML: mapping values are not allowed in this context\n",
					   "interval: 5m\n"
					   "log:\n"
					   "  level: info: debug\n");
	CHECK_CONFIG_ERROR("config.yaml:2: invalid YAML: while parsing a flow mapping did not find expected ',' or '}'\n",
					   "log: {level: info\n"
					   "interval: 5m\n");
	CHECK_CONFIG_ERROR("config.yaml:3: expected one YAML document, got a second one\n",
					   "interval: 5m\n"
					   "--- \n"
					   "interval: 6m\n");
}

TEST(config, errors_all_listed)
{
	CHECK_CONFIG_ERROR("config.yaml:1: key \"interval\": expected a duration such as \"5m\", got \"often\"\n"
					   "config.yaml:3: key \"log.format\": expected one of \"text\", \"json\", got \"xml\"\n"
					   "config.yaml:4: unknown key \"extra\"\n",
					   "interval: often\n"
					   "log:\n"
					   "  format: xml\n"
					   "extra: 1\n");
}

TEST(config, missing_file)
{
	char	   *errors = NULL;
	AdvisorConfig *config = config_load_file("/nonexistent/scaleup.yaml", &errors);

	CHECK_NULL(config);
	CHECK_STR_EQ("/nonexistent/scaleup.yaml: could not open configuration file: No such file or directory\n",
				 errors);
	free(errors);
}

TEST(config, mask_keyword_value)
{
	char	   *masked;

	masked = config_mask_conninfo("host=db1 password=hunter2 dbname=shop");
	CHECK_STR_EQ("host=db1 password=******** dbname=shop", masked);
	free(masked);

	masked = config_mask_conninfo("password = 'it''s a \\'secret\\' pass' user=bob");
	/* Invalid after the first quoted value ends: the rest is hidden. */
	CHECK_STR_EQ("password = '********''s ********", masked);
	free(masked);

	masked = config_mask_conninfo("password='a b\\' c' user=bob");
	CHECK_STR_EQ("password='********' user=bob", masked);
	free(masked);

	masked = config_mask_conninfo("PASSWORD=x\\ y host=h");
	CHECK_STR_EQ("PASSWORD=******** host=h", masked);
	free(masked);

	masked = config_mask_conninfo("host=db1 dbname=shop");
	CHECK_STR_EQ("host=db1 dbname=shop", masked);
	free(masked);

	masked = config_mask_conninfo("host=db1 password");
	CHECK_STR_EQ("host=db1 password", masked);
	free(masked);

	masked = config_mask_conninfo("host=db1 password hunter2");
	CHECK_STR_EQ("host=db1 password ********", masked);
	free(masked);
}

TEST(config, mask_uri)
{
	char	   *masked;

	masked = config_mask_conninfo("postgresql://u:secret@host/db");
	CHECK_STR_EQ("postgresql://u:********@host/db", masked);
	free(masked);

	masked = config_mask_conninfo("postgres://u:s%40cret@h1:5432,h2/db?sslmode=require");
	CHECK_STR_EQ("postgres://u:********@h1:5432,h2/db?sslmode=require", masked);
	free(masked);

	masked = config_mask_conninfo("postgresql://u@host/db?password=secret&sslmode=require");
	CHECK_STR_EQ("postgresql://u@host/db?password=********&sslmode=require", masked);
	free(masked);

	masked = config_mask_conninfo("postgresql://host/db");
	CHECK_STR_EQ("postgresql://host/db", masked);
	free(masked);

	masked = config_mask_conninfo("postgresql:///db?host=/tmp");
	CHECK_STR_EQ("postgresql:///db?host=/tmp", masked);
	free(masked);
}

TEST(config, target_conninfo_and_display)
{
	TargetConfig target = {0};
	char	   *text;

	target.name = "shop";
	target.service = "it's";
	text = config_target_conninfo(&target);
	CHECK_STR_EQ("service='it\\'s'", text);
	free(text);
	text = config_target_display(&target);
	CHECK_STR_EQ("service=it's", text);
	free(text);

	target.service = NULL;
	target.conninfo = "";
	text = config_target_display(&target);
	CHECK_STR_EQ("(libpq environment)", text);
	free(text);

	target.conninfo = "postgresql://u:pw@h/db";
	text = config_target_display(&target);
	CHECK_STR_EQ("postgresql://u:********@h/db", text);
	free(text);
	text = config_target_conninfo(&target);
	CHECK_STR_EQ("postgresql://u:pw@h/db", text);
	free(text);
}

TEST(config, print_hides_password)
{
	AdvisorConfig *config = load_ok("targets:\n"
									"  - name: shop\n"
									"    conninfo: \"host=h password=hunter2\"\n");
	char	   *output = NULL;
	size_t		length = 0;
	FILE	   *stream;

	REQUIRE_NOT_NULL(config);
	stream = open_memstream(&output, &length);
	REQUIRE_NOT_NULL(stream);
	config_print(config, stream);
	fclose(stream);
	CHECK(strstr(output, "hunter2") == NULL);
	CHECK_STR_CONTAINS("  shop: role primary, apply_mode off, host=h password=********\n", output);
	CHECK_STR_CONTAINS("\ninterval                           5m               5m               time between two analysis cycles of the daemon\n",
					   output);
	CHECK_STR_CONTAINS("\nthresholds.min_calls               50 calls         50               ", output);
	free(output);
	config_free(config);
}

TEST(config, reload_keeps_log_format)
{
	AdvisorConfig *old_config = load_ok("log: {format: text, level: info}\n");
	AdvisorConfig *new_config = load_ok("log: {format: json, level: debug}\n");
	FILE	   *devnull;

	REQUIRE_NOT_NULL(old_config);
	REQUIRE_NOT_NULL(new_config);
	devnull = fopen("/dev/null", "w");
	log_set_stream(devnull);
	config_keep_restart_only(old_config, new_config);
	log_set_stream(NULL);
	if (devnull != NULL)
		fclose(devnull);
	CHECK_INT_EQ(LOG_FORMAT_TEXT, new_config->log_format);
	CHECK_INT_EQ(LOG_LEVEL_DEBUG, new_config->log_level);
	config_free(old_config);
	config_free(new_config);
}

/* Print the key table of a configuration, without the targets. */
static char *
print_keys(const AdvisorConfig *config)
{
	char	   *output = NULL;
	size_t		length = 0;
	FILE	   *stream = open_memstream(&output, &length);
	char	   *targets;

	config_print(config, stream);
	fclose(stream);
	targets = strstr(output, "\n\n");
	if (targets != NULL)
		*targets = '\0';
	return output;
}

TEST(config, example_file_parses)
{
	char	   *errors = NULL;
	AdvisorConfig *example = config_load_file(SOURCE_ROOT "/config/scaleup-advisor.yaml", &errors);
	AdvisorConfig *defaults = config_default();
	char	   *example_keys;
	char	   *default_keys;

	if (errors != NULL)
		printf("%s", errors);
	CHECK_NULL(errors);
	free(errors);
	REQUIRE_NOT_NULL(example);
	CHECK_INT_EQ(2, example->ntargets);
	if (example->ntargets == 2)
	{
		CHECK_STR_EQ("shop", example->targets[0].name);
		CHECK_STR_EQ("shop-replica", example->targets[1].service);
	}

	/* The example shows every default, so its values equal the built-in ones. */
	example_keys = print_keys(example);
	default_keys = print_keys(defaults);
	CHECK_STR_EQ(default_keys, example_keys);
	free(example_keys);
	free(default_keys);
	config_free(example);
	config_free(defaults);
}

TEST(config, report_path_per_target)
{
	AdvisorConfig *config;

	CHECK_CONFIG_ERROR("config.yaml:1: key \"report\": expected a path containing \"{target}\" with several targets, got \"/tmp/report.html\"\n",
					   "report: /tmp/report.html\n"
					   "targets:\n"
					   "  - {name: a, conninfo: \"dbname=a\"}\n"
					   "  - {name: b, conninfo: \"dbname=b\"}\n");

	config = load_ok("report: /tmp/report-{target}.html\n"
					 "targets:\n"
					 "  - {name: a, conninfo: \"dbname=a\"}\n"
					 "  - {name: b, conninfo: \"dbname=b\"}\n");
	REQUIRE_NOT_NULL(config);
	CHECK_STR_EQ("/tmp/report-{target}.html", config->report_path);
	config_free(config);

	/* One target may use a plain path. */
	config = load_ok("report: /tmp/report.html\n");
	REQUIRE_NOT_NULL(config);
	CHECK_STR_EQ("/tmp/report.html", config->report_path);
	config_free(config);
}
