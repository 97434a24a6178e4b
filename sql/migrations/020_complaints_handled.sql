-- Complaints handled (issue 20): an answer is due 15 Norwegian business
-- days after receipt (35 when an operator marks the case exceptional,
-- with the reason the user is told); the operator who took it.

ALTER TABLE complaints
	ADD COLUMN due_at date,
	ADD COLUMN exceptional_reason text
	    CHECK (length(exceptional_reason) BETWEEN 1 AND 1000),
	ADD COLUMN handler_id text REFERENCES operators (id),
	ADD COLUMN taken_at timestamptz;

-- Complaints filed before: their deadline from the day they came (the
-- calendar's functions exist unless this is a new database, then empty).
DO $$
BEGIN
	IF to_regproc('drop_add_business_days') IS NOT NULL THEN
		EXECUTE 'UPDATE complaints SET due_at = drop_add_business_days('
		    '(created_at AT TIME ZONE ''Europe/Oslo'')::date, 15)';
	END IF;
END;
$$;
ALTER TABLE complaints ALTER COLUMN due_at SET NOT NULL;

-- The queue: open ones by deadline.
CREATE INDEX complaints_open ON complaints (due_at, id)
    WHERE status IN ('received', 'in_review');
CREATE INDEX complaints_time ON complaints (created_at DESC, id DESC);
