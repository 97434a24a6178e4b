-- Ledger invariant: for every bank account, the linked (or synced) balance
-- minus every debit plus every refund equals the cached balance now, and
-- every payment's debit and refund match its transaction.
-- Rows returned are violations; the test expects none.
SELECT b.id, b.balance, coalesce(sum(e.delta), 0) AS ledger
FROM bank_accounts b LEFT JOIN balance_events e ON e.bank_account_id = b.id
GROUP BY b.id, b.balance
HAVING b.balance <> coalesce(sum(e.delta), 0)
UNION ALL
-- A remittance held by a sanctions hit and never released moved nothing.
SELECT t.id, -t.total, coalesce(sum(e.delta) FILTER (WHERE e.kind = 'debit'), 0)
FROM transactions t LEFT JOIN balance_events e ON e.transaction_id = t.id
GROUP BY t.id, t.total, t.status, t.failure_reason, t.hold_entry
HAVING coalesce(sum(e.delta) FILTER (WHERE e.kind = 'debit'), 0) <>
    CASE WHEN t.status = 'failed' AND t.hold_entry IS NOT NULL AND
        t.failure_reason IN ('held_for_review', 'rejected_by_compliance',
        'insufficient_balance') THEN 0 ELSE -t.total END
UNION ALL
SELECT t.id, t.total, coalesce(sum(e.delta) FILTER (WHERE e.kind = 'refund'), 0)
FROM transactions t LEFT JOIN balance_events e ON e.transaction_id = t.id
GROUP BY t.id, t.total, t.status, t.failure_reason, t.hold_entry
HAVING coalesce(sum(e.delta) FILTER (WHERE e.kind = 'refund'), 0) <>
    CASE WHEN t.status = 'failed' AND NOT (t.hold_entry IS NOT NULL AND
        t.failure_reason IN ('held_for_review', 'rejected_by_compliance',
        'insufficient_balance')) THEN t.total ELSE 0 END
UNION ALL
-- The aggregates of migration 004 equal a recount of history.
SELECT coalesce(h.user_id, s.user_id) || ' ' || coalesce(h.month, s.month)
    || ' ' || coalesce(h.type, s.type) || ' ' || coalesce(h.status, s.status),
    coalesce(s.n, 0), coalesce(h.n, 0)
FROM (SELECT user_id, oslo_month(created_at) AS month, type, status,
        count(*) AS n, sum(amount) AS amount, sum(fee) AS fee,
        sum(total) AS total
      FROM transactions GROUP BY 1, 2, 3, 4) h
FULL JOIN tx_stats s USING (user_id, month, type, status)
WHERE coalesce(h.n, 0) <> coalesce(s.n, 0)
   OR coalesce(h.amount, 0) <> coalesce(s.amount, 0)
   OR coalesce(h.fee, 0) <> coalesce(s.fee, 0)
   OR coalesce(h.total, 0) <> coalesce(s.total, 0)
UNION ALL
-- The merchant aggregates of migration 005 equal a recount of history.
SELECT coalesce(h.merchant_id, s.merchant_id) || ' ' || coalesce(h.day, s.day),
    coalesce(s.n, 0), coalesce(h.n, 0)
FROM (SELECT merchant_id, oslo_day(created_at) AS day, count(*) AS n,
        sum(amount) AS amount, sum(fee) AS fee
      FROM transactions WHERE merchant_id IS NOT NULL AND status = 'completed'
      GROUP BY 1, 2) h
FULL JOIN (SELECT merchant_id, day, sum(n) AS n, sum(amount) AS amount,
        sum(fee) AS fee FROM merchant_stats GROUP BY 1, 2) s
    USING (merchant_id, day)
WHERE coalesce(h.n, 0) <> coalesce(s.n, 0)
   OR coalesce(h.amount, 0) <> coalesce(s.amount, 0)
   OR coalesce(h.fee, 0) <> coalesce(s.fee, 0);
