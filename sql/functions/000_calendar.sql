-- The Norwegian business-day calendar (payouts, delivery estimates and,
-- later, complaint deadlines): Monday to Friday except the public
-- holidays of helligdagsloven and the two of May, the movable ones from
-- Easter.

-- Easter Sunday of year y in the Gregorian calendar (the anonymous
-- Gregorian computus of Meeus, Jones and Butcher).
CREATE OR REPLACE FUNCTION drop_easter(y integer) RETURNS date
LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
	a integer := y % 19;
	b integer := y / 100;
	c integer := y % 100;
	h integer;
	l integer;
	m integer;
BEGIN
	h := (19 * a + b - b / 4 - (b - (b + 8) / 25 + 1) / 3 + 15) % 30;
	l := (32 + 2 * (b % 4) + 2 * (c / 4) - h - c % 4) % 7;
	m := (a + 11 * h + 22 * l) / 451;
	RETURN make_date(y, (h + l - 7 * m + 114) / 31,
	    (h + l - 7 * m + 114) % 31 + 1);
END;
$$;

-- A Norwegian public holiday: New Year's Day, Maundy Thursday, Good
-- Friday, Easter Sunday and Monday, 1 May, 17 May, Ascension Day, Whit
-- Sunday and Monday, Christmas Day and St Stephen's Day.
CREATE OR REPLACE FUNCTION drop_holiday(d date) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT to_char(d, 'MM-DD') IN ('01-01', '05-01', '05-17', '12-25',
	    '12-26') OR d - drop_easter(extract(year FROM d)::integer) IN
	    (-3, -2, 0, 1, 39, 49, 50)
$$;

CREATE OR REPLACE FUNCTION drop_business_day(d date) RETURNS boolean
LANGUAGE sql IMMUTABLE STRICT AS $$
	SELECT extract(isodow FROM d) < 6 AND NOT drop_holiday(d)
$$;

-- d plus n business days.
CREATE OR REPLACE FUNCTION drop_add_business_days(d date, n integer)
RETURNS date
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	left_days integer := n;
BEGIN
	WHILE left_days > 0 LOOP
		d := d + 1;
		IF drop_business_day(d) THEN
			left_days := left_days - 1;
		END IF;
	END LOOP;
	RETURN d;
END;
$$;

-- The business day before d.
CREATE OR REPLACE FUNCTION drop_prev_business_day(d date) RETURNS date
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	LOOP
		d := d - 1;
		EXIT WHEN drop_business_day(d);
	END LOOP;
	RETURN d;
END;
$$;
