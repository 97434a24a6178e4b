-- Demo data for `make run`: safe to load again (nothing is overwritten).

CREATE EXTENSION IF NOT EXISTS pgcrypto;

INSERT INTO exchange_rates (currency, rate) VALUES
	('RSD', 11.7), ('BAM', 1.04), ('PLN', 0.41),
	('PKR', 26.8), ('TRY', 3.45), ('EUR', 0.089)
ON CONFLICT (currency) DO NOTHING;

-- demo@drop.example / DemoPass123: KYC approved, two linked accounts at
-- the sandbox bank: the primary (SCA-exempt) with its opening balance
-- there, and a 5555 one whose bank asks SCA for every payment and for the
-- consent its first refresh requests.
INSERT INTO users (id, email, password_hash, first_name, last_name, phone,
    date_of_birth, kyc_status)
VALUES ('usr_00000000000000d1', 'demo@drop.example',
    crypt('DemoPass123', gen_salt('bf', 12)), 'Demo', 'User', '+4712345678',
    '1990-05-17', 'approved')
ON CONFLICT (id) DO NOTHING;

WITH a AS (
	INSERT INTO bank_accounts (id, user_id, bank_name, account_number,
	    balance, is_primary)
	VALUES ('ba_00000000000000d1', 'usr_00000000000000d1', 'DNB',
	    '12345678903', 56889000, true),
	    ('ba_00000000000000d3', 'usr_00000000000000d1', 'Sandbox SCA',
	    '55550000015', 100100, false)
	ON CONFLICT DO NOTHING RETURNING id, balance)
INSERT INTO balance_events (bank_account_id, kind, delta)
	SELECT id, 'link', balance FROM a;

-- merchant@drop.example / DemoPass123 owns the demo shop.
INSERT INTO users (id, email, password_hash, first_name, last_name,
    date_of_birth, role, kyc_status)
VALUES ('usr_00000000000000d2', 'merchant@drop.example',
    crypt('DemoPass123', gen_salt('bf', 12)), 'Kari', 'Nordmann',
    '1985-02-01', 'merchant', 'approved')
ON CONFLICT (id) DO NOTHING;

INSERT INTO merchants (id, user_id, business_name, org_number, address,
    bank_account)
VALUES ('mer_00000000000000a1', 'usr_00000000000000d2', 'Kafé Oslo',
    '987654321', 'Karl Johans gate 1, 0154 Oslo', '98765432103')
ON CONFLICT (id) DO NOTHING;
