-- Complaint handling by operators (issue 20): take, mark exceptional,
-- answer. Each is one statement's transaction: the row locked, its state
-- checked, the change, the audit row naming the operator and the user's
-- notification together.

-- A complaint's deadline: 15 business days after the Oslo day it came,
-- 35 when exceptional (PSD2 art. 101, Finansavtaleloven § 3-53).
CREATE OR REPLACE FUNCTION drop_complaint_due(p_created timestamptz,
    p_exceptional boolean) RETURNS date
LANGUAGE sql STABLE AS $$
	SELECT drop_add_business_days(oslo_day(p_created),
	    CASE WHEN p_exceptional THEN 35 ELSE 15 END)
$$;

-- What the user is told after an answer, whatever it is.
CREATE OR REPLACE FUNCTION drop_complaint_next_step() RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT 'If you are not satisfied with this answer, you can bring the '
	    'complaint to Finansklagenemnda (the Norwegian Financial Services '
	    'Complaints Board, www.finansklagenemnda.no), free of charge.'
$$;

-- p_action: take (received -> in_review), extend (p_text the reason;
-- once, before the answer), answer (p_status resolved or rejected,
-- p_text the resolution). 'ok', 'not_found' or 'conflict'.
CREATE OR REPLACE FUNCTION drop_complaint_act(p_id text, p_action text,
    p_operator text, p_status text, p_text text, p_request text)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
	c	complaints%ROWTYPE;
	v_after	jsonb;
BEGIN
	SELECT * INTO c FROM complaints WHERE id = p_id FOR UPDATE;
	IF NOT FOUND THEN
		RETURN 'not_found';
	END IF;
	IF c.status NOT IN ('received', 'in_review') OR
	    (p_action = 'take' AND c.status <> 'received') OR
	    (p_action = 'extend' AND c.exceptional_reason IS NOT NULL) THEN
		RETURN 'conflict';
	END IF;
	IF p_action = 'take' THEN
		UPDATE complaints SET status = 'in_review', handler_id = p_operator,
		    taken_at = now() WHERE id = p_id;
		v_after := jsonb_build_object('status', 'in_review');
		PERFORM drop_notify(drop_new_id('noti_'), c.user_id,
		    'complaint_in_review', 'Your complaint is being reviewed',
		    'We have started on your complaint "' || c.subject ||
		    '". You will have our answer by ' ||
		    to_char(c.due_at, 'DD.MM.YYYY') || '.', NULL);
	ELSIF p_action = 'extend' THEN
		UPDATE complaints SET exceptional_reason = p_text,
		    due_at = drop_complaint_due(c.created_at, true)
		    WHERE id = p_id RETURNING * INTO c;
		v_after := jsonb_build_object('dueAt', c.due_at);
		PERFORM drop_notify(drop_new_id('noti_'), c.user_id,
		    'complaint_extended', 'Your complaint needs more time',
		    'We need more time to answer your complaint "' || c.subject ||
		    '": ' || p_text || ' You will have our answer by ' ||
		    to_char(c.due_at, 'DD.MM.YYYY') || '.', NULL);
	ELSE
		UPDATE complaints SET status = p_status, resolution = p_text,
		    resolved_at = now(), handler_id = coalesce(handler_id,
		    p_operator) WHERE id = p_id;
		v_after := jsonb_build_object('status', p_status);
		PERFORM drop_notify(drop_new_id('noti_'), c.user_id,
		    'complaint_answered', CASE p_status WHEN 'resolved' THEN
		    'Your complaint is resolved' ELSE 'Your complaint was not upheld'
		    END, 'Our answer to your complaint "' || c.subject || '": ' ||
		    p_text || ' ' || drop_complaint_next_step(), NULL);
	END IF;
	INSERT INTO audit_log (actor, action, entity, entity_id, before, after,
	    request_id)
	VALUES (p_operator, 'complaint.' || p_action, 'complaint', p_id,
	    jsonb_build_object('status', c.status), v_after, p_request);
	RETURN 'ok';
END;
$$;
