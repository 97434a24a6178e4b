-- Ledger invariant: for every bank account, the linked (or synced) balance
-- minus every debit plus every refund equals the cached balance now, and
-- every payment's debit and refund match its transaction.
-- Rows returned are violations; the test expects none. Run it with
-- psql -f (or \i): it includes aggregates.sql from its own directory.
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
        'insufficient_balance')) THEN t.total ELSE 0 END;
-- The aggregates equal a recount of history.
\ir aggregates.sql
