-- Best sellers of one category in one week (three-way join, range,
-- ORDER BY ... LIMIT).
\set day random(0, 723)
\set cat random(10, 29)
SELECT p.id, p.name, sum(ol.quantity) AS units
  FROM orders AS o
  JOIN order_lines AS ol ON ol.order_id = o.id
  JOIN products AS p ON p.id = ol.product_id
 WHERE o.created_at >= timestamptz '2024-01-01 00:00+00' + :day * interval '1 day'
   AND o.created_at < timestamptz '2024-01-01 00:00+00' + (:day + 7) * interval '1 day'
   AND p.category = 'cat:cat'
 GROUP BY p.id, p.name
 ORDER BY units DESC
 LIMIT 10;
