-- Homepage shop box: the newest featured products (1 % of the catalogue).
SELECT id, name, price, image_url
  FROM products
 WHERE featured
 ORDER BY created_at DESC
 LIMIT 8;
