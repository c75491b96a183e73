-- One customer's order count and lifetime revenue (three-way join on keys).
\set cid random(1, :customers)
SELECT c.id, c.name, count(DISTINCT o.id) AS orders,
       sum(ol.quantity * ol.unit_price) AS revenue
  FROM customers AS c
  JOIN orders AS o ON o.customer_id = c.id
  JOIN order_lines AS ol ON ol.order_id = o.id
 WHERE c.id = :cid
 GROUP BY c.id, c.name;
