-- Every page: the signed-in user, looked up by e-mail address.
-- pgbench -D authors=N sets the number of authors.  pgbench replaces
-- :author_id inside the string literal too, in its default simple protocol.
\set author_id random(1, :authors)
SELECT id, name, email, avatar_url FROM authors WHERE email = 'author:author_id@example.com';
