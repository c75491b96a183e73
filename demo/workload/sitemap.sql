-- sitemap.xml: every product with every column, although the sitemap
-- only needs each product's id and date.  Rare, so weighted low.
SELECT * FROM products;
