-- Revenue per hour of one day (range on orders.created_at).
\set day random(0, 729)
SELECT date_trunc('hour', created_at) AS hour, count(*), sum(total)
  FROM orders
 WHERE created_at >= timestamptz '2024-01-01 00:00+00' + :day * interval '1 day'
   AND created_at < timestamptz '2024-01-01 00:00+00' + (:day + 1) * interval '1 day'
 GROUP BY 1
 ORDER BY 1;
