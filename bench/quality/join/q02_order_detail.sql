-- The lines of one order with their product names (order page).
\set oid random(1, :orders)
SELECT ol.product_id, p.name, ol.quantity, ol.unit_price, ol.discount
  FROM order_lines AS ol
  JOIN products AS p ON p.id = ol.product_id
 WHERE ol.order_id = :oid;
