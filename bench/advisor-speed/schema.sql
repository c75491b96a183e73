-- Schema of the advisor speed benchmark: :tables tables speed.t01, speed.t02,
-- ... of :rows rows each, with no index but the primary key.  psql variables
-- "tables" and "rows" are set by run.sh.
--
-- Columns and value ranges, which generate_queries.py relies on for its
-- selectivities:
--   id           bigint, 1..rows, primary key
--   customer_id  integer, uniform in 1..5000
--   region_id    integer, uniform in 1..50
--   category     text, 'cat_000'..'cat_199'
--   amount       numeric(10,2), uniform in 0..1000
--   quantity     integer, uniform in 1..100
--   is_active    boolean, true for about half the rows
--   created_at   timestamptz, uniform over 2024
--   due_date     date, uniform over 2024
--   score        double precision, uniform in [0, 1)
--   note         text, 32 hexadecimal characters

CREATE SCHEMA speed;

SELECT setseed(0.42);

SELECT format($ddl$
CREATE TABLE speed.%1$I (
    id bigint PRIMARY KEY,
    customer_id integer NOT NULL,
    region_id integer NOT NULL,
    category text NOT NULL,
    amount numeric(10,2) NOT NULL,
    quantity integer NOT NULL,
    is_active boolean NOT NULL,
    created_at timestamptz NOT NULL,
    due_date date NOT NULL,
    score double precision NOT NULL,
    note text NOT NULL
);
INSERT INTO speed.%1$I
SELECT g,
       1 + floor(random() * 5000)::int,
       1 + floor(random() * 50)::int,
       'cat_' || lpad(floor(random() * 200)::int::text, 3, '0'),
       round((random() * 1000)::numeric, 2),
       1 + floor(random() * 100)::int,
       random() < 0.5,
       timestamptz '2024-01-01 00:00:00+00' + random() * interval '366 days',
       date '2024-01-01' + floor(random() * 366)::int,
       random(),
       md5(g::text)
  FROM generate_series(1, %2$s) g;
$ddl$, 't' || lpad(t::text, 2, '0'), :rows)
  FROM generate_series(1, :tables) t
\gexec

VACUUM (ANALYZE);
