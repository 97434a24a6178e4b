-- The aggregates the statement-level triggers keep (tx_stats, migration
-- 004; merchant_stats, 005) against a recount of the transactions: a row
-- per difference (what, kept n, recounted n); none when exact. The psql
-- variables agg_user and agg_merchant narrow it to one user and one
-- shop; unset or '' means all. Run by tests/ledger.sql, test_paging.py
-- and the bench's bulk INSERT (tests/bench/bulk.sql).
\if :{?agg_user}
\else
\set agg_user ''
\endif
\if :{?agg_merchant}
\else
\set agg_merchant ''
\endif
SELECT 'user ' || coalesce(h.user_id, s.user_id) || ' ' ||
    coalesce(h.month, s.month) || ' ' || coalesce(h.type, s.type) || ' ' ||
    coalesce(h.status, s.status), coalesce(s.n, 0), coalesce(h.n, 0)
FROM (SELECT user_id, oslo_month(created_at) AS month, type, status,
        count(*) AS n, sum(amount) AS amount, sum(fee) AS fee,
        sum(total) AS total
      FROM transactions WHERE (:'agg_user' = '' OR user_id = :'agg_user')
      GROUP BY 1, 2, 3, 4) h
FULL JOIN (SELECT * FROM tx_stats
      WHERE (:'agg_user' = '' OR user_id = :'agg_user')) s
    USING (user_id, month, type, status)
WHERE coalesce(h.n, 0) <> coalesce(s.n, 0)
   OR coalesce(h.amount, 0) <> coalesce(s.amount, 0)
   OR coalesce(h.fee, 0) <> coalesce(s.fee, 0)
   OR coalesce(h.total, 0) <> coalesce(s.total, 0)
UNION ALL
SELECT 'merchant ' || coalesce(h.merchant_id, s.merchant_id) || ' ' ||
    coalesce(h.day, s.day), coalesce(s.n, 0), coalesce(h.n, 0)
FROM (SELECT merchant_id, oslo_day(created_at) AS day, count(*) AS n,
        sum(amount) AS amount, sum(fee) AS fee
      FROM transactions WHERE merchant_id IS NOT NULL AND
        status = 'completed' AND (:'agg_merchant' = '' OR
        merchant_id = :'agg_merchant')
      GROUP BY 1, 2) h
FULL JOIN (SELECT merchant_id, day, sum(n) AS n, sum(amount) AS amount,
        sum(fee) AS fee FROM merchant_stats
      WHERE (:'agg_merchant' = '' OR merchant_id = :'agg_merchant')
      GROUP BY 1, 2) s
    USING (merchant_id, day)
WHERE coalesce(h.n, 0) <> coalesce(s.n, 0)
   OR coalesce(h.amount, 0) <> coalesce(s.amount, 0)
   OR coalesce(h.fee, 0) <> coalesce(s.fee, 0);
