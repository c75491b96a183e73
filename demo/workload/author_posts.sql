-- Homepage sidebar: the latest published posts of one author.
-- pgbench -D authors=N sets the number of authors.
\set author_id random(1, :authors)
SELECT id, title, slug, excerpt, image_url, created_at
  FROM blog_posts
 WHERE author_id = :author_id AND published
 ORDER BY created_at DESC
 LIMIT 5;
