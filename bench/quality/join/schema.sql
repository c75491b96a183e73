-- A small shop's order history for the advisor quality benchmark: customers,
-- products, orders and order lines, with primary keys and no other index.
--
--   psql -v orders=100000 -f bench/quality/join/schema.sql
--
-- The psql variable "orders" sets the number of orders (default 100000).
-- Each order has 1 to 7 lines (4 on average), there is one customer per 5
-- orders and one product per 50 orders.  A fixed random seed makes every load
-- produce the same rows.  Orders span the two years from 2024-01-01 in id
-- order, as an application inserts them.

\if :{?orders}
\else
\set orders 100000
\endif

SELECT :orders / 5 AS customers, :orders / 50 AS products
\gset

SELECT setseed(0.2024);

CREATE TABLE customers (
    id bigint PRIMARY KEY,
    email text NOT NULL,
    name text NOT NULL,
    country text NOT NULL,
    segment text NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE products (
    id bigint PRIMARY KEY,
    sku text NOT NULL,
    name text NOT NULL,
    category text NOT NULL,
    price numeric(10, 2) NOT NULL,
    active boolean NOT NULL
);

CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL,
    status text NOT NULL,
    channel text NOT NULL,
    total numeric(12, 2) NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE order_lines (
    id bigint PRIMARY KEY,
    order_id bigint NOT NULL,
    product_id bigint NOT NULL,
    quantity integer NOT NULL,
    unit_price numeric(10, 2) NOT NULL,
    discount numeric(4, 2) NOT NULL
);

-- Countries C10 to C39, the first few far more common than the rest.
INSERT INTO customers
SELECT c,
       'customer' || c || '@example.com',
       'Customer ' || c,
       'C' || (10 + floor(30 * random() ^ 2))::int,
       (ARRAY['consumer', 'consumer', 'consumer', 'business', 'enterprise'])[1 + c % 5],
       timestamptz '2022-01-01 00:00+00' + (c::float8 / :customers) * interval '4 years'
  FROM generate_series(1, :customers) AS c;

-- Categories cat10 to cat29.
INSERT INTO products
SELECT p,
       'SKU-' || lpad(p::text, 6, '0'),
       'Product ' || p,
       'cat' || (10 + p % 20),
       round((2 + random() * 198)::numeric, 2),
       random() < 0.9
  FROM generate_series(1, :products) AS p;

-- Order statuses: 2 % pending (the open queue), 6 % paid, 8 % shipped,
-- 76 % delivered, 8 % cancelled.
INSERT INTO orders
SELECT o,
       1 + floor(:customers * random())::bigint,
       CASE WHEN r < 0.02 THEN 'pending'
            WHEN r < 0.08 THEN 'paid'
            WHEN r < 0.16 THEN 'shipped'
            WHEN r < 0.92 THEN 'delivered'
            ELSE 'cancelled' END,
       (ARRAY['web', 'web', 'mobile', 'store'])[1 + o % 4],
       0,
       timestamptz '2024-01-01 00:00+00'
         + (o::float8 / :orders) * interval '730 days'
  FROM (SELECT o, random() AS r FROM generate_series(1, :orders) AS o) AS g;

-- Products are skewed: low ids sell more often.
INSERT INTO order_lines
SELECT row_number() OVER (ORDER BY o.id, l),
       o.id,
       1 + floor(:products * random() ^ 2)::bigint,
       1 + floor(random() * 4)::int,
       round((2 + random() * 198)::numeric, 2),
       (ARRAY[0, 0, 0, 0.05, 0.10])[1 + floor(random() * 5)::int]
  FROM orders AS o
 CROSS JOIN LATERAL generate_series(1, 1 + (o.id * 7 + o.id / 3) % 7) AS l;

UPDATE orders AS o
   SET total = s.total
  FROM (SELECT order_id, sum(quantity * unit_price * (1 - discount)) AS total
          FROM order_lines GROUP BY order_id) AS s
 WHERE s.order_id = o.id;
