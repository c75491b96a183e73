-- A customer's ten most recent orders (account page).
\set cid random(1, :customers)
SELECT id, status, total, created_at
  FROM orders
 WHERE customer_id = :cid
 ORDER BY created_at DESC
 LIMIT 10;
