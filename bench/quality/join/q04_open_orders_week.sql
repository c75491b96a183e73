-- Orders not yet shipped in one week (IN list plus a range).
\set day random(0, 723)
SELECT count(*), sum(total)
  FROM orders
 WHERE status IN ('pending', 'paid')
   AND created_at >= timestamptz '2024-01-01 00:00+00' + :day * interval '1 day'
   AND created_at < timestamptz '2024-01-01 00:00+00' + (:day + 7) * interval '1 day';
