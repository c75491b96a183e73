-- The newest customers of one country (equality, ORDER BY ... LIMIT).
\set country random(10, 39)
SELECT id, name, email, created_at
  FROM customers
 WHERE country = 'C:country'
 ORDER BY created_at DESC
 LIMIT 20;
