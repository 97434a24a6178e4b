-- Identity checks and sanctions screening (issue 20). Names are compared
-- as Drop normalises them (lower case, accents off, letters only, words
-- sorted) against every name and alias of the loaded list: the same
-- words are an exact hit, a trigram similarity of at least 0.55 a near
-- one. A user's identity check with any hit needs two operators; a
-- remittance to a recipient with any hit is held for compliance.

CREATE OR REPLACE FUNCTION drop_name_norm(p_name text) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT coalesce(string_agg(w, ' ' ORDER BY w), '') FROM
	    regexp_split_to_table(trim(regexp_replace(lower(unaccent(
	    coalesce(p_name, ''))), '[^a-z]+', ' ', 'g')), ' ') w WHERE w <> ''
$$;

-- The closest listed name, if any is near enough.
CREATE OR REPLACE FUNCTION drop_sanctions_match(p_name text,
    OUT entry_id text, OUT listed_name text, OUT score real,
    OUT exact boolean)
LANGUAGE plpgsql STABLE AS $$
DECLARE
	v	text := drop_name_norm(p_name);
BEGIN
	IF v = '' THEN
		RETURN;
	END IF;
	PERFORM set_config('pg_trgm.similarity_threshold', '0.55', true);
	SELECT n.entry_id, n.name, similarity(n.norm, v), n.norm = v
	    INTO entry_id, listed_name, score, exact
	    FROM sanctions_names n WHERE n.norm % v
	    ORDER BY n.norm = v DESC, similarity(n.norm, v) DESC, n.entry_id
	    LIMIT 1;
END;
$$;

-- The identity number's birth date is the user's: DDMMYY (a D-number's
-- day has 40 added).
CREATE OR REPLACE FUNCTION drop_fnr_matches(p_fnr text, p_dob date)
RETURNS boolean
LANGUAGE sql IMMUTABLE AS $$
	SELECT (substr(p_fnr, 1, 2)::integer - CASE WHEN
	    substr(p_fnr, 1, 2)::integer > 40 THEN 40 ELSE 0 END) =
	    extract(day FROM p_dob) AND substr(p_fnr, 3, 2)::integer =
	    extract(month FROM p_dob) AND substr(p_fnr, 5, 2)::integer =
	    extract(year FROM p_dob)::integer % 100
$$;

-- A submission: 'ok', 'open' (one is in review), 'approved' (no need) or
-- 'dob_mismatch'. Screened at once; the user's status is in_review. The
-- number comes sealed (src/lib/seal.c), with its first six digits (the
-- birth date) apart for the check against the user's.
CREATE OR REPLACE FUNCTION drop_kyc_submit(p_user text, p_id text,
    p_name text, p_address text, p_birth text, p_sealed text,
    p_purpose text, p_detail text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	u	users%ROWTYPE;
	m	record;
BEGIN
	SELECT * INTO u FROM users WHERE id = p_user AND deleted_at IS NULL
	    FOR UPDATE;
	IF u.kyc_status = 'approved' THEN
		RETURN 'approved';
	END IF;
	IF EXISTS (SELECT 1 FROM kyc_submissions WHERE user_id = p_user AND
	    status = 'in_review') THEN
		RETURN 'open';
	END IF;
	IF NOT drop_fnr_matches(p_birth, u.date_of_birth) THEN
		RETURN 'dob_mismatch';
	END IF;
	SELECT * INTO m FROM drop_sanctions_match(p_name);
	INSERT INTO kyc_submissions (id, user_id, legal_name, address,
	    national_id, purpose, purpose_detail, sanctions_entry,
	    sanctions_name, sanctions_score)
	VALUES (p_id, p_user, p_name, p_address, p_sealed, p_purpose, p_detail,
	    m.entry_id, m.listed_name, m.score);
	UPDATE users SET kyc_status = 'in_review', updated_at = now()
	    WHERE id = p_user;
	INSERT INTO audit_log (actor, action, entity, entity_id, after)
	VALUES (p_user, 'kyc.submit', 'kyc_submission', p_id,
	    jsonb_build_object('status', 'in_review'));
	IF m.entry_id IS NOT NULL THEN
		INSERT INTO audit_log (actor, action, entity, entity_id, after)
		VALUES ('screening', 'sanctions.match', 'kyc_submission', p_id,
		    jsonb_build_object('rule', 'sanctions:' || m.entry_id,
		    'score', round(m.score::numeric, 2), 'exact', m.exact,
		    'needs', 'two operators'));
	END IF;
	RETURN 'ok';
END;
$$;

-- An operator's decision: 'approved', 'rejected', 'first_approval' (a
-- case with a hit waits for a second operator), 'same_operator' (the
-- first approver again), 'not_found' or 'conflict' (decided already).
CREATE OR REPLACE FUNCTION drop_kyc_decide(p_id text, p_operator text,
    p_decision text, p_reason text, p_request text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	k	kyc_submissions%ROWTYPE;
	v_out	text;
BEGIN
	SELECT * INTO k FROM kyc_submissions WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 'not_found';
	END IF;
	IF k.status <> 'in_review' THEN
		RETURN 'conflict';
	END IF;
	IF p_decision = 'approve' AND k.sanctions_entry IS NOT NULL THEN
		IF k.first_approver = p_operator THEN
			RETURN 'same_operator';
		END IF;
		IF k.first_approver IS NULL THEN
			UPDATE kyc_submissions SET first_approver = p_operator
			    WHERE id = p_id;
			INSERT INTO audit_log (actor, action, entity, entity_id,
			    after, request_id)
			VALUES (p_operator, 'kyc.first_approval', 'kyc_submission',
			    p_id, jsonb_build_object('reason', p_reason), p_request);
			RETURN 'first_approval';
		END IF;
	END IF;
	v_out := CASE p_decision WHEN 'approve' THEN 'approved'
	    ELSE 'rejected' END;
	UPDATE kyc_submissions SET status = v_out, decided_by = p_operator,
	    reason = p_reason, decided_at = now() WHERE id = p_id;
	UPDATE users SET kyc_status = v_out, updated_at = now()
	    WHERE id = k.user_id;
	INSERT INTO audit_log (actor, action, entity, entity_id, before, after,
	    request_id)
	VALUES (p_operator, 'kyc.' || p_decision, 'kyc_submission', p_id,
	    jsonb_build_object('status', 'in_review'),
	    jsonb_build_object('status', v_out, 'reason', p_reason), p_request);
	PERFORM drop_notify(drop_new_id('noti_'), k.user_id,
	    'kyc_' || v_out, CASE v_out WHEN 'approved' THEN
	    'Your identity is verified' ELSE 'We could not verify your identity'
	    END, CASE v_out WHEN 'approved' THEN 'You can now send money ' ||
	    'abroad with Drop.' ELSE 'We could not verify your identity: ' ||
	    p_reason || ' You can send the form again with corrections.' END,
	    NULL);
	RETURN v_out;
END;
$$;

-- A remittance to a recipient on the list: recorded as failed,
-- held_for_review, nothing debited and nothing sent; the user is told it
-- is being checked; the audit log names the rule.
CREATE OR REPLACE FUNCTION drop_remit_held(p_user text, p_key text,
    p_tx text, p_noti text, r recipients, p_amount bigint, p_fee bigint,
    p_rate numeric, p_account text, p_psu_ip text, p_quote text,
    p_entry text, p_score real, p_exact boolean)
RETURNS TABLE (code text, status integer, tx_id text, response text)
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO transactions (id, user_id, type, status, amount, fee, total,
	    exchange_rate, receive_amount, receive_currency, bank_account_id,
	    recipient_id, recipient_name, recipient_country, reference, psu_ip,
	    bank_product, quote_id, failure_reason, hold_entry, hold_score)
	VALUES (p_tx, p_user, 'remittance', 'failed', p_amount, p_fee,
	    p_amount + p_fee, p_rate, round(p_amount * p_rate), r.currency,
	    p_account, r.id, r.name, r.country, upper(substr(p_tx, 8)),
	    p_psu_ip, 'sepa-credit-transfers', p_quote, 'held_for_review',
	    p_entry, p_score);
	UPDATE quotes SET used_by = p_tx WHERE id = p_quote;
	PERFORM drop_tx_event(p_tx, 'failed', 'held for review: checked by ' ||
	    'compliance before anything is sent');
	PERFORM drop_notify(p_noti, p_user, 'remittance_held',
	    'Transfer held for review', 'Your transfer to ' || r.name ||
	    ' must be checked by our compliance team before it is sent. ' ||
	    'Nothing has left your account.', p_tx);
	INSERT INTO audit_log (actor, action, entity, entity_id, after)
	VALUES ('screening', 'sanctions.hold', 'transaction', p_tx,
	    jsonb_build_object('rule', 'sanctions:' || p_entry, 'score',
	    round(p_score::numeric, 2), 'exact', p_exact));
	PERFORM drop_idem_finish(p_user, p_key, 201, NULL, p_tx);
	RETURN QUERY SELECT 'ok'::text, 201, p_tx, NULL::text;
END;
$$;

-- Compliance on a held remittance: 'released' (debited now and sent to
-- the bank like any payment), 'insufficient_balance' (released, but the
-- money is no longer there: it stays failed), 'rejected', 'not_found'
-- or 'conflict' (not held).
CREATE OR REPLACE FUNCTION drop_tx_review(p_tx text, p_operator text,
    p_decision text, p_reason text, p_request text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	t	transactions%ROWTYPE;
	v_code	text;
	v_acct	text;
	v_out	text;
BEGIN
	SELECT * INTO t FROM transactions WHERE id = p_tx FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 'not_found';
	END IF;
	IF t.status <> 'failed' OR t.failure_reason IS DISTINCT FROM
	    'held_for_review' THEN
		RETURN 'conflict';
	END IF;
	IF p_decision = 'release' THEN
		SELECT d.account_id, d.code INTO v_acct, v_code
		    FROM drop_pay_debit(t.user_id, t.bank_account_id, t.total) d;
		v_out := coalesce(v_code, 'released');
	ELSE
		v_out := 'rejected';
	END IF;
	UPDATE transactions SET reviewed_by = p_operator, reviewed_at = now(),
	    updated_at = now(), status = CASE v_out WHEN 'released' THEN
	    'processing' ELSE 'failed' END, failure_reason = CASE v_out WHEN
	    'released' THEN NULL WHEN 'rejected' THEN 'rejected_by_compliance'
	    ELSE 'insufficient_balance' END WHERE id = p_tx;
	IF v_out = 'released' THEN
		INSERT INTO balance_events (bank_account_id, kind, delta,
		    transaction_id)
		VALUES (t.bank_account_id, 'debit', -t.total, p_tx);
		INSERT INTO bank_outbox (tx_id, kind, next_at)
		VALUES (p_tx, 'initiate', now());
		PERFORM drop_tx_event(p_tx, 'processing',
		    'released by compliance; your bank is asked to pay');
	ELSE
		PERFORM drop_tx_event(p_tx, 'failed', CASE v_out WHEN 'rejected'
		    THEN 'not sent: rejected by compliance' ELSE
		    'not sent: the account no longer covers it' END);
	END IF;
	PERFORM drop_notify(drop_new_id('noti_'), t.user_id,
	    'remittance_reviewed', CASE v_out WHEN 'released' THEN
	    'Transfer released' ELSE 'Transfer not sent' END,
	    CASE v_out WHEN 'released' THEN 'Your transfer to ' ||
	    t.recipient_name || ' passed our check and is on its way.'
	    WHEN 'rejected' THEN 'Your transfer to ' || t.recipient_name ||
	    ' was not sent after our compliance check. Nothing left your ' ||
	    'account.' ELSE 'Your transfer to ' || t.recipient_name ||
	    ' passed our check, but your account no longer covers it. ' ||
	    'Nothing left your account.' END, p_tx);
	INSERT INTO audit_log (actor, action, entity, entity_id, before, after,
	    request_id)
	VALUES (p_operator, 'transaction.' || p_decision, 'transaction', p_tx,
	    jsonb_build_object('failureReason', 'held_for_review'),
	    jsonb_build_object('outcome', v_out, 'reason', p_reason), p_request);
	RETURN v_out;
END;
$$;
