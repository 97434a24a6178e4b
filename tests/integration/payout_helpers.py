"""The Norwegian business-day calendar as the tests know it, from Easter
dates written down (not computed, so the database's computus has an
independent oracle), and the payout days that follow from it: a payout
run at 06:00 Europe/Oslo each business day."""

import datetime
import zoneinfo

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")
PAYOUT_TIME = datetime.time(6, 0)

# Easter Sunday, from the almanac.
EASTER = {
    2024: datetime.date(2024, 3, 31), 2025: datetime.date(2025, 4, 20),
    2026: datetime.date(2026, 4, 5), 2027: datetime.date(2027, 3, 28),
    2028: datetime.date(2028, 4, 16), 2029: datetime.date(2029, 4, 1),
    2030: datetime.date(2030, 4, 21), 2038: datetime.date(2038, 4, 25),
    2285: datetime.date(2285, 3, 22), 1818: datetime.date(1818, 3, 22),
}

# Days from Easter Sunday: Maundy Thursday, Good Friday, Easter Sunday and
# Monday, Ascension Day, Whit Sunday and Monday.
EASTER_OFFSETS = (-3, -2, 0, 1, 39, 49, 50)
FIXED = ((1, 1), (5, 1), (5, 17), (12, 25), (12, 26))


def holiday(d):
    if (d.month, d.day) in FIXED:
        return True
    return (d - EASTER[d.year]).days in EASTER_OFFSETS


def business_day(d):
    return d.isoweekday() < 6 and not holiday(d)


def next_business_day(d):
    d += datetime.timedelta(1)
    while not business_day(d):
        d += datetime.timedelta(1)
    return d


def prev_business_day(d):
    d -= datetime.timedelta(1)
    while not business_day(d):
        d -= datetime.timedelta(1)
    return d


def due_day(now):
    """The day of the latest payout run due at now."""
    local = now.astimezone(OSLO)
    d = local.date()
    if business_day(d) and local.time() >= PAYOUT_TIME:
        return d
    return prev_business_day(d)


def next_payout(now):
    """The day of the next payout run after now."""
    local = now.astimezone(OSLO)
    d = local.date()
    if business_day(d) and local.time() < PAYOUT_TIME:
        return d
    return next_business_day(d)


def oslo_at(day, t):
    """day at local time t in Oslo, as an aware UTC datetime."""
    return datetime.datetime.combine(day, t, OSLO).astimezone(
        datetime.timezone.utc)


def oslo_day(ts):
    return ts.astimezone(OSLO).date()
