-- National identity numbers and webhook signing secrets are sealed by
-- the server before they are stored (src/lib/seal.c: "s1:" and the hex
-- of nonce, AES-256-GCM ciphertext and tag, under a key the database
-- never holds). Rows stored before this read as they are until the
-- server seals them (drop_unsealed_values, found by these indexes).
ALTER TABLE kyc_submissions DROP CONSTRAINT kyc_submissions_national_id_check,
    ADD CONSTRAINT kyc_submissions_national_id_check CHECK
    (national_id ~ '^[0-9]{11}$' OR (national_id ~ '^s1:[0-9a-f]+$' AND
    length(national_id) BETWEEN 59 AND 315));
ALTER TABLE webhook_endpoints DROP CONSTRAINT webhook_endpoints_secret_check,
    ADD CONSTRAINT webhook_endpoints_secret_check CHECK
    (secret ~ '^whsec_[0-9a-f]{64}$' OR (secret ~ '^s1:[0-9a-f]+$' AND
    length(secret) BETWEEN 59 AND 315));
CREATE INDEX kyc_submissions_unsealed ON kyc_submissions (id)
    WHERE national_id NOT LIKE 's1:%' AND national_id <> '00000000000';
CREATE INDEX webhook_endpoints_unsealed ON webhook_endpoints (id)
    WHERE secret NOT LIKE 's1:%';
-- Its new form takes the sealed number and the birth date apart.
DROP FUNCTION IF EXISTS drop_kyc_submit(text, text, text, text, text, text,
    text);
