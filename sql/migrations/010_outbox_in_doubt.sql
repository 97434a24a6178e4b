-- Whether an initiation may have reached the bank: an attempt that sent
-- bytes and got no answer, a 5xx other than 503, or a lease that ran out
-- unreported. Such a payment is never given up on (docs/reliability.md).
ALTER TABLE bank_outbox ADD COLUMN in_doubt boolean NOT NULL DEFAULT false;
