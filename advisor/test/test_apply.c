/* Unit tests for apply_ddl.c: parsing stored index DDL and spotting writes. */
#include "apply_ddl.h"
#include "unit.h"

#include <stdlib.h>

TEST(apply_ddl, create_index_generated_form)
{
	IndexDdl	ddl;
	char	   *error = NULL;

	REQUIRE(apply_parse_create_index(
									 "CREATE INDEX CONCURRENTLY \"scaleup_blog_posts_created_at\" ON \"public\".\"blog_posts\" "
									 "(\"created_at\" DESC, \"id\");",
									 &ddl, &error));
	CHECK_NULL(error);
	CHECK(!ddl.unique);
	CHECK_STR_EQ("scaleup_blog_posts_created_at", ddl.index_name);
	CHECK_STR_EQ("public", ddl.schema);
	CHECK_STR_EQ("blog_posts", ddl.table);
	CHECK_INT_EQ(2, ddl.nkeys);
	REQUIRE(ddl.key_columns.count == 2);
	CHECK_STR_EQ("created_at", ddl.key_columns.items[0]);
	CHECK_STR_EQ("id", ddl.key_columns.items[1]);
	CHECK_STR_EQ("(\"created_at\" DESC, \"id\")", ddl.tail);
	apply_index_ddl_free(&ddl);
}

TEST(apply_ddl, create_index_partial_include_and_case)
{
	IndexDdl	ddl;
	char	   *error = NULL;

	REQUIRE(apply_parse_create_index(
									 "create unique index if not exists Idx on ONLY Shop.\"Order Lines\" using btree "
									 "(Customer_Id, lower(email), x) include (total) where status = 'open;x' -- done\n",
									 &ddl, &error));
	CHECK(ddl.unique);
	CHECK_STR_EQ("idx", ddl.index_name);
	CHECK_STR_EQ("shop", ddl.schema);
	CHECK_STR_EQ("Order Lines", ddl.table);
	CHECK_INT_EQ(3, ddl.nkeys);
	REQUIRE(ddl.key_columns.count == 1);
	CHECK_STR_EQ("customer_id", ddl.key_columns.items[0]);
	CHECK_STR_EQ("using btree (Customer_Id, lower(email), x) include (total) where status = 'open;x' -- done",
				 ddl.tail);
	apply_index_ddl_free(&ddl);
}

TEST(apply_ddl, create_index_without_name)
{
	IndexDdl	ddl;
	char	   *error = NULL;

	REQUIRE(apply_parse_create_index("CREATE INDEX ON posts (a)", &ddl, &error));
	CHECK_NULL(ddl.index_name);
	CHECK_NULL(ddl.schema);
	CHECK_STR_EQ("posts", ddl.table);
	apply_index_ddl_free(&ddl);
}

TEST(apply_ddl, create_index_rejects_second_statement)
{
	IndexDdl	ddl;
	char	   *error = NULL;

	CHECK(!apply_parse_create_index("CREATE INDEX i ON t (a); DROP TABLE t", &ddl, &error));
	CHECK_STR_EQ("the statement is followed by another statement", error);
	free(error);

	CHECK(!apply_parse_create_index("CREATE INDEX i ON t (a) WHERE b = 'x'; DROP TABLE t;", &ddl, &error));
	CHECK_STR_EQ("the statement is followed by another statement", error);
	free(error);
}

TEST(apply_ddl, create_index_rejects_other_statements)
{
	IndexDdl	ddl;
	char	   *error = NULL;

	CHECK(!apply_parse_create_index("DROP TABLE t", &ddl, &error));
	CHECK_STR_EQ("the statement is not CREATE INDEX", error);
	free(error);

	CHECK(!apply_parse_create_index("CREATE TABLE i (a int)", &ddl, &error));
	CHECK_STR_EQ("the statement is not CREATE INDEX", error);
	free(error);

	CHECK(!apply_parse_create_index("CREATE INDEX i ON t (a", &ddl, &error));
	CHECK_STR_EQ("the CREATE INDEX statement could not be parsed", error);
	free(error);

	CHECK(!apply_parse_create_index("CREATE INDEX \"i ON t (a)", &ddl, &error));
	CHECK_STR_EQ("the CREATE INDEX statement could not be parsed", error);
	free(error);
}

TEST(apply_ddl, drop_index_forms)
{
	DropIndexDdl ddl;
	char	   *error = NULL;

	REQUIRE(apply_parse_drop_index("DROP INDEX CONCURRENTLY \"public\".\"Old Index\";", &ddl, &error));
	CHECK_STR_EQ("public", ddl.schema);
	CHECK_STR_EQ("Old Index", ddl.index_name);
	apply_drop_ddl_free(&ddl);

	REQUIRE(apply_parse_drop_index("drop index if exists old_idx", &ddl, &error));
	CHECK_NULL(ddl.schema);
	CHECK_STR_EQ("old_idx", ddl.index_name);
	apply_drop_ddl_free(&ddl);

	CHECK(!apply_parse_drop_index("DROP INDEX a, b", &ddl, &error));
	CHECK_STR_EQ("the DROP INDEX statement must name exactly one index and end there", error);
	free(error);

	CHECK(!apply_parse_drop_index("DROP INDEX a CASCADE", &ddl, &error));
	free(error);

	CHECK(!apply_parse_drop_index("DROP TABLE a", &ddl, &error));
	CHECK_STR_EQ("the statement is not DROP INDEX", error);
	free(error);
}

TEST(apply_ddl, qualified_name)
{
	char	   *schema;
	char	   *name;

	REQUIRE(apply_parse_qualified_name("public.\"Blog \"\"Posts\"", &schema, &name));
	CHECK_STR_EQ("public", schema);
	CHECK_STR_EQ("Blog \"Posts", name);
	free(schema);
	free(name);

	REQUIRE(apply_parse_qualified_name("Posts", &schema, &name));
	CHECK_NULL(schema);
	CHECK_STR_EQ("posts", name);
	free(name);

	CHECK(!apply_parse_qualified_name("a.b.c", &schema, &name));
	CHECK(!apply_parse_qualified_name("a; b", &schema, &name));
}

TEST(apply_ddl, write_on_table)
{
	CHECK(apply_is_write_on_table("INSERT INTO blog_posts (title) VALUES ($1)", "public", "blog_posts"));
	CHECK(apply_is_write_on_table("insert into public.blog_posts values ($1)", "public", "blog_posts"));
	CHECK(apply_is_write_on_table("UPDATE ONLY \"blog_posts\" SET views = views + $1", "public", "blog_posts"));
	CHECK(apply_is_write_on_table("  delete from blog_posts where id = $1", "public", "blog_posts"));
	CHECK(!apply_is_write_on_table("DELETE FROM other.blog_posts", "public", "blog_posts"));
	CHECK(!apply_is_write_on_table("UPDATE blog_posts_archive SET a = $1", "public", "blog_posts"));
	CHECK(!apply_is_write_on_table("SELECT * FROM blog_posts", "public", "blog_posts"));
	CHECK(!apply_is_write_on_table("INSERT INTO \"Blog_Posts\" VALUES ($1)", "public", "blog_posts"));
}

TEST(apply_ddl, equivalent_index)
{
	StrList		existing = {0};
	StrList		wanted = {0};

	strlist_append(&existing, "author_id");
	strlist_append(&existing, "created_at");
	strlist_append(&wanted, "author_id");
	CHECK(apply_index_is_equivalent(&existing, &wanted));
	strlist_append(&wanted, "created_at");
	CHECK(apply_index_is_equivalent(&existing, &wanted));
	strlist_append(&wanted, "id");
	CHECK(!apply_index_is_equivalent(&existing, &wanted));
	strlist_free(&wanted);

	strlist_append(&wanted, "created_at");
	CHECK(!apply_index_is_equivalent(&existing, &wanted));
	strlist_free(&wanted);
	CHECK(!apply_index_is_equivalent(&existing, &wanted));
	strlist_free(&existing);
}
