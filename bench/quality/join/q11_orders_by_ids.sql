-- Five orders by id with their customers' names: the primary keys already
-- serve this query, so no new index should change it.
\set a random(1, :orders)
\set b random(1, :orders)
\set c random(1, :orders)
\set d random(1, :orders)
\set e random(1, :orders)
SELECT o.id, o.status, o.total, c.name
  FROM orders AS o
  JOIN customers AS c ON c.id = o.customer_id
 WHERE o.id IN (:a, :b, :c, :d, :e);
