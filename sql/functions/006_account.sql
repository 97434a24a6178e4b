-- Account (§11): notification counter, settings, consents.

CREATE OR REPLACE FUNCTION drop_notification_count() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO notification_counts AS c (user_id, n)
		VALUES (NEW.user_id, 1)
		ON CONFLICT (user_id) DO UPDATE SET n = c.n + 1;
	ELSE
		UPDATE notification_counts SET n = n - 1
		    WHERE user_id = OLD.user_id;
	END IF;
	RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS notifications_count ON notifications;
CREATE TRIGGER notifications_count AFTER INSERT OR DELETE ON notifications
	FOR EACH ROW EXECUTE FUNCTION drop_notification_count();

-- The user's settings, created with the defaults on first use. Two first
-- reads at once: one insert wins, the other finds its row (a new
-- statement, so a new snapshot, sees it).
CREATE OR REPLACE FUNCTION drop_settings(p_user text)
RETURNS SETOF user_settings
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO user_settings (user_id) VALUES (p_user)
	    ON CONFLICT (user_id) DO NOTHING;
	RETURN QUERY SELECT * FROM user_settings WHERE user_id = p_user;
END;
$$;

-- Changes the given settings (NULL: unchanged).
CREATE OR REPLACE FUNCTION drop_settings_update(p_user text,
    p_currency text, p_language text, p_push boolean, p_email boolean)
RETURNS SETOF user_settings
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM drop_settings(p_user);
	RETURN QUERY UPDATE user_settings SET
	    currency = coalesce(p_currency, currency),
	    language = coalesce(p_language, language),
	    push_enabled = coalesce(p_push, push_enabled),
	    email_enabled = coalesce(p_email, email_enabled),
	    updated_at = now()
	    WHERE user_id = p_user RETURNING *;
END;
$$;

-- Grants or withdraws one consent type: created (true) or updated. A grant
-- of a granted consent keeps its first grant time; a withdrawal keeps the
-- grant time it withdraws; every call is kept in consent_events.
CREATE OR REPLACE FUNCTION drop_consent_set(p_user text, p_id text,
    p_type text, p_granted boolean, p_ip text)
RETURNS TABLE (created boolean, id text, consent_type text, granted boolean,
    granted_at text, withdrawn_at text, ip_address text)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
	c	consents%ROWTYPE;
	v_new	boolean;
BEGIN
	INSERT INTO consents AS o (id, user_id, consent_type, granted,
	    granted_at, withdrawn_at, ip_address)
	VALUES (p_id, p_user, p_type, p_granted,
	    CASE WHEN p_granted THEN now() END,
	    CASE WHEN NOT p_granted THEN now() END, p_ip)
	ON CONFLICT ON CONSTRAINT consents_user_id_consent_type_key DO UPDATE SET
	    granted = EXCLUDED.granted,
	    granted_at = CASE WHEN EXCLUDED.granted AND NOT o.granted
	        THEN now() ELSE o.granted_at END,
	    withdrawn_at = CASE WHEN EXCLUDED.granted THEN NULL
	        WHEN o.granted THEN now() ELSE o.withdrawn_at END,
	    ip_address = EXCLUDED.ip_address, updated_at = now()
	RETURNING o.*, (o.xmax = 0) INTO c.id, c.user_id, c.consent_type,
	    c.granted, c.granted_at, c.withdrawn_at, c.ip_address,
	    c.created_at, c.updated_at, v_new;
	INSERT INTO consent_events (consent_id, user_id, consent_type, granted,
	    ip_address)
	VALUES (c.id, p_user, p_type, p_granted, p_ip);
	RETURN QUERY SELECT v_new, c.id, c.consent_type, c.granted,
	    iso(c.granted_at), iso(c.withdrawn_at), c.ip_address;
END;
$$;

-- Everything Drop holds about a user, as one JSON document, and the
-- export recorded. Never a password or PIN hash, session token, issuer
-- token or card number. Transactions and notifications: the newest p_max
-- of each (and their totals), so one export never holds a whole history
-- in memory (docs/decisions.md).
CREATE OR REPLACE FUNCTION drop_export(p_user text, p_dar text,
    p_max integer)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	v_doc	jsonb;
BEGIN
	INSERT INTO data_access_requests (id, user_id, type, status,
	    completed_at)
	VALUES (p_dar, p_user, 'export', 'completed', now());
	SELECT jsonb_build_object(
	    'user', (SELECT jsonb_build_object('id', u.id, 'email', u.email,
		'first_name', u.first_name, 'last_name', u.last_name,
		'phone', u.phone, 'date_of_birth', u.date_of_birth::text,
		'role', u.role, 'kyc_status', u.kyc_status,
		'created_at', iso(u.created_at), 'updated_at', iso(u.updated_at))
		FROM users u WHERE u.id = p_user),
	    'transactions', coalesce((SELECT jsonb_agg(jsonb_build_object(
		'id', t.id, 'type', t.type, 'status', t.status,
		'amount', t.amount / 100.0, 'fee', t.fee / 100.0,
		'total', t.total / 100.0, 'currency', t.currency,
		'exchange_rate', t.exchange_rate,
		'receive_amount', t.receive_amount / 100.0,
		'receive_currency', t.receive_currency,
		'bank_account_id', t.bank_account_id,
		'recipient_id', t.recipient_id,
		'recipient_name', t.recipient_name,
		'recipient_country', t.recipient_country,
		'merchant_id', t.merchant_id, 'merchant_name', t.merchant_name,
		'reference', t.reference, 'created_at', iso(t.created_at),
		'completed_at', iso(t.completed_at),
		'refunded', t.refunded / 100.0,
		'payment_request_id', t.payment_request_id)
		ORDER BY t.created_at DESC, t.id DESC)
		FROM (SELECT * FROM transactions WHERE user_id = p_user
		    ORDER BY created_at DESC, id DESC LIMIT p_max) t), '[]'),
	    'transactionsTotal', (SELECT coalesce(sum(n), 0) FROM tx_stats
		WHERE user_id = p_user),
	    'recipients', coalesce((SELECT jsonb_agg(jsonb_build_object(
		'id', r.id, 'name', r.name, 'country', r.country,
		'currency', r.currency, 'bank_account', r.bank_account,
		'bank_name', r.bank_name, 'created_at', iso(r.created_at),
		'deleted_at', iso(r.deleted_at)) ORDER BY r.created_at, r.id)
		FROM recipients r WHERE r.user_id = p_user), '[]'),
	    'bankAccounts', coalesce((SELECT jsonb_agg(jsonb_build_object(
		'id', b.id, 'bank_name', b.bank_name,
		'account_number', b.account_number, 'balance', b.balance / 100.0,
		'currency', b.currency, 'is_primary', b.is_primary,
		'balance_updated_at', iso(b.balance_updated_at),
		'status', b.status, 'consent_expires_at', iso(b.consent_expires_at),
		'created_at', iso(b.created_at), 'unlinked_at', iso(b.deleted_at))
		ORDER BY b.created_at, b.id)
		FROM bank_accounts b WHERE b.user_id = p_user), '[]'),
	    -- Every change to the balances Drop held for the user, newest first.
	    'balanceEvents', coalesce((SELECT jsonb_agg(jsonb_build_object(
		'bank_account_id', e.bank_account_id, 'kind', e.kind,
		'delta', e.delta / 100.0, 'transaction_id', e.transaction_id,
		'at', iso(e.created_at)) ORDER BY e.id DESC)
		FROM (SELECT e.* FROM balance_events e JOIN bank_accounts b ON
		    b.id = e.bank_account_id WHERE b.user_id = p_user
		    ORDER BY e.id DESC LIMIT p_max) e), '[]'),
	    -- What operators did to the user, their accounts and payments.
	    'auditLog', coalesce((SELECT jsonb_agg(jsonb_build_object(
		'action', a.action, 'entity', a.entity, 'entity_id', a.entity_id,
		'before', a.before, 'after', a.after, 'at', iso(a.created_at))
		ORDER BY a.id DESC)
		FROM (SELECT a.* FROM audit_log a WHERE (a.entity = 'user' AND
		    a.entity_id = p_user) OR (a.entity = 'bank_account' AND
		    a.entity_id IN (SELECT id FROM bank_accounts
		    WHERE user_id = p_user)) OR (a.entity = 'transaction' AND
		    a.entity_id IN (SELECT id FROM transactions
		    WHERE user_id = p_user))
		    ORDER BY a.id DESC LIMIT p_max) a), '[]'),
	    'settings', (SELECT jsonb_build_object('currency', s.currency,
		'language', s.language, 'push_enabled', s.push_enabled,
		'email_enabled', s.email_enabled,
		'updated_at', iso(s.updated_at))
		FROM user_settings s WHERE s.user_id = p_user),
	    'consents', coalesce((SELECT jsonb_agg(jsonb_build_object(
		'id', c.id, 'consent_type', c.consent_type,
		'granted', c.granted, 'granted_at', iso(c.granted_at),
		'withdrawn_at', iso(c.withdrawn_at),
		'ip_address', c.ip_address) ORDER BY c.consent_type)
		FROM consents c WHERE c.user_id = p_user), '[]'),
	    'consentHistory', coalesce((SELECT jsonb_agg(jsonb_build_object(
		'consent_type', e.consent_type, 'granted', e.granted,
		'at', iso(e.at), 'ip_address', e.ip_address) ORDER BY e.id)
		FROM consent_events e WHERE e.user_id = p_user), '[]'),
	    'complaints', coalesce((SELECT jsonb_agg(jsonb_build_object(
		'id', c.id, 'category', c.category, 'subject', c.subject,
		'description', c.description, 'status', c.status,
		'resolution', c.resolution, 'created_at', iso(c.created_at),
		'resolved_at', iso(c.resolved_at)) ORDER BY c.created_at, c.id)
		FROM complaints c WHERE c.user_id = p_user), '[]'),
	    'kycSubmissions', coalesce((SELECT jsonb_agg(jsonb_build_object(
		'id', k.id, 'legal_name', k.legal_name, 'address', k.address,
		'national_id', k.national_id, 'purpose', k.purpose,
		'purpose_detail', k.purpose_detail, 'status', k.status,
		'reason', k.reason, 'created_at', iso(k.created_at),
		'decided_at', iso(k.decided_at)) ORDER BY k.created_at, k.id)
		FROM kyc_submissions k WHERE k.user_id = p_user), '[]'),
	    'cards', coalesce((SELECT jsonb_agg(jsonb_build_object(
		'id', k.id, 'type', k.type, 'status', k.status,
		'brand', k.brand, 'masked_number', '**** **** **** ' || k.last4,
		'expiry_month', k.expiry_month, 'expiry_year', k.expiry_year,
		'pin_set', k.pin_set_at IS NOT NULL,
		'shipping_address', k.shipping_address,
		'created_at', iso(k.created_at),
		'limits', coalesce((SELECT jsonb_agg(jsonb_build_object(
		    'limit_type', l.limit_type, 'amount', l.amount / 100.0,
		    'currency', l.currency) ORDER BY l.limit_type)
		    FROM card_limits l WHERE l.card_id = k.id), '[]'))
		ORDER BY k.created_at, k.id)
		FROM cards k WHERE k.user_id = p_user), '[]'),
	    'merchant', (SELECT jsonb_build_object('id', m.id,
		'business_name', m.business_name, 'org_number', m.org_number,
		'address', m.address, 'bank_account', m.bank_account,
		'active', m.active, 'created_at', iso(m.created_at),
		'api_keys', coalesce((SELECT jsonb_agg(jsonb_build_object(
		    'id', k.id, 'name', k.name, 'scopes', to_jsonb(k.scopes),
		    'created_at', iso(k.created_at),
		    'last_used_at', iso(k.last_used_at),
		    'revoked_at', iso(k.revoked_at)) ORDER BY k.created_at)
		    FROM (SELECT * FROM api_keys WHERE merchant_id = m.id
		    ORDER BY created_at DESC LIMIT p_max) k), '[]'),
		'webhook_endpoints', coalesce((SELECT jsonb_agg(
		    jsonb_build_object('id', w.id, 'url', w.url, 'events',
		    to_jsonb(w.events), 'created_at', iso(w.created_at),
		    'deleted_at', iso(w.deleted_at)) ORDER BY w.created_at)
		    FROM (SELECT * FROM webhook_endpoints WHERE merchant_id =
		    m.id ORDER BY created_at DESC LIMIT p_max) w), '[]'))
		FROM merchants m WHERE m.user_id = p_user),
	    'notifications', coalesce((SELECT jsonb_agg(jsonb_build_object(
		'id', n.id, 'type', n.type, 'title', n.title, 'body', n.body,
		'read', n.read, 'created_at', iso(n.created_at))
		ORDER BY n.created_at DESC, n.id DESC)
		FROM (SELECT * FROM notifications WHERE user_id = p_user
		    ORDER BY created_at DESC, id DESC LIMIT p_max) n), '[]'),
	    'sessions', coalesce((SELECT jsonb_agg(jsonb_build_object(
		'ip_address', s.ip, 'created_at', iso(s.created_at),
		'expires_at', iso(s.expires_at),
		'revoked_at', iso(s.revoked_at)) ORDER BY s.created_at)
		FROM (SELECT * FROM sessions WHERE user_id = p_user
		    ORDER BY created_at DESC LIMIT p_max) s), '[]'),
	    'dataAccessRequests', coalesce((SELECT jsonb_agg(jsonb_build_object(
		'id', d.id, 'type', d.type, 'status', d.status,
		'created_at', iso(d.created_at),
		'completed_at', iso(d.completed_at)) ORDER BY d.created_at, d.id)
		FROM data_access_requests d WHERE d.user_id = p_user), '[]'))
	INTO v_doc;
	RETURN v_doc::text;
END;
$$;

-- Erasure: soft delete, every session revoked, the shop closed, the cards
-- cancelled, a notification and the request recorded (data kept for the
-- AML retention of 5 years, then purged). false if already deleted.
CREATE OR REPLACE FUNCTION drop_erase(p_user text, p_dar text,
    p_noti text)
RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	UPDATE users SET deleted_at = now(), updated_at = now()
	    WHERE id = p_user AND deleted_at IS NULL;
	IF NOT FOUND THEN
		RETURN false;
	END IF;
	UPDATE sessions SET revoked_at = now()
	    WHERE user_id = p_user AND revoked_at IS NULL;
	UPDATE merchants SET active = false WHERE user_id = p_user;
	UPDATE cards SET status = 'cancelled', updated_at = now()
	    WHERE user_id = p_user AND status <> 'cancelled';
	INSERT INTO notifications (id, user_id, type, title, body)
	VALUES (p_noti, p_user, 'account_deletion', 'Account deleted',
	    'Your account was deleted at your request. Records are kept for '
	    '5 years as anti-money-laundering law requires.');
	INSERT INTO data_access_requests (id, user_id, type, status,
	    purge_after, completed_at)
	VALUES (p_dar, p_user, 'erasure', 'completed',
	    now() + interval '5 years', now());
	INSERT INTO audit_log (actor, action, entity, entity_id, before, after)
	VALUES (p_user, 'user.erase', 'user', p_user, NULL,
	    jsonb_build_object('deletedAt', iso(now())));
	RETURN true;
END;
$$;
