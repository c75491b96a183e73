-- Units and revenue of one product over its lifetime.
\set pid random(1, :products)
SELECT count(*), sum(quantity), sum(quantity * unit_price)
  FROM order_lines
 WHERE product_id = :pid;
