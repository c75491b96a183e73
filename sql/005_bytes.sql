--
-- Bytes returned: TOASTed values count at their raw size.
--
CREATE TABLE blog_posts (id int PRIMARY KEY, title text, body text,
                         created_at timestamptz);
-- Each body is 6,000 bytes of a compressible pattern, so it is stored
-- compressed; the count must still see 6,000 bytes.
INSERT INTO blog_posts
SELECT i, 'title ' || lpad(i::text, 4, '0'), repeat(md5(i::text), 6000 / 32) || repeat('z', 6000 % 32),
       timestamptz '2025-01-01' + i * interval '1 hour'
  FROM generate_series(1, 500) i;
SELECT count(*) FROM blog_posts WHERE length(body) = 6000;
SELECT pg_column_size(body) < 6000 AS stored_compressed FROM blog_posts WHERE id = 1;

SELECT scaleup.reset();
SELECT * FROM blog_posts ORDER BY created_at DESC LIMIT 10 \g /dev/null
SELECT title FROM blog_posts ORDER BY created_at DESC LIMIT 10 \g /dev/null

-- title is 10 bytes, created_at 8, id 4, body 6,000: every count is exact.
SELECT columns, all_columns, column_bytes, calls, rows_returned,
       bytes_returned
  FROM scaleup.projections
 WHERE relid = 'blog_posts'::regclass
 ORDER BY bytes_returned DESC;

SELECT sort_keys, limit_rows, executions, rows_scanned, rows_kept
  FROM scaleup.scans WHERE relid = 'blog_posts'::regclass;
