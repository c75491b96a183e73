-- The oldest pending orders: a work queue on a rare status value.
SELECT id, customer_id, created_at
  FROM orders
 WHERE status = 'pending'
 ORDER BY created_at
 LIMIT 20;
