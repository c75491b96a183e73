-- Sign-in: one customer by e-mail address.  pgbench replaces :cid inside
-- the string literal too.
\set cid random(1, :customers)
SELECT id, name, segment FROM customers WHERE email = 'customer:cid@example.com';
