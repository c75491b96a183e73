-- The five largest orders of one day (range, ORDER BY another column).
\set day random(0, 729)
SELECT id, customer_id, total
  FROM orders
 WHERE created_at BETWEEN timestamptz '2024-01-01 00:00+00' + :day * interval '1 day'
                      AND timestamptz '2024-01-01 00:00+00' + (:day + 1) * interval '1 day'
 ORDER BY total DESC
 LIMIT 5;
