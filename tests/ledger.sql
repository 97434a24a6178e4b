-- Ledger invariant: for every bank account, the linked (or synced) balance
-- minus every debit plus every refund equals the cached balance now, and
-- every payment's debit and refund match its transaction.
-- Rows returned are violations; the test expects none.
SELECT b.id, b.balance, coalesce(sum(e.delta), 0) AS ledger
FROM bank_accounts b LEFT JOIN balance_events e ON e.bank_account_id = b.id
GROUP BY b.id, b.balance
HAVING b.balance <> coalesce(sum(e.delta), 0)
UNION ALL
SELECT t.id, -t.total, coalesce(sum(e.delta) FILTER (WHERE e.kind = 'debit'), 0)
FROM transactions t LEFT JOIN balance_events e ON e.transaction_id = t.id
GROUP BY t.id, t.total
HAVING coalesce(sum(e.delta) FILTER (WHERE e.kind = 'debit'), 0) <> -t.total
UNION ALL
SELECT t.id, t.total, coalesce(sum(e.delta) FILTER (WHERE e.kind = 'refund'), 0)
FROM transactions t LEFT JOIN balance_events e ON e.transaction_id = t.id
GROUP BY t.id, t.total, t.status
HAVING coalesce(sum(e.delta) FILTER (WHERE e.kind = 'refund'), 0) <>
    CASE WHEN t.status = 'failed' THEN t.total ELSE 0 END;
