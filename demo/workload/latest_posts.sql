-- Homepage: the ten newest posts with every column, the query that an ORM
-- generates for Post.order(created_at: :desc).limit(10).
SELECT * FROM blog_posts ORDER BY created_at DESC LIMIT 10;
