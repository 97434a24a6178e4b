"""Merchant payouts (issue 19, point 1): the Norwegian business-day
calendar, and each business day at 06:00 Europe/Oslo one payout per
merchant of what the bank booked for it, paid from the collection
account to the shop's account at the sandbox bank, exactly once, a
missed day caught up, a refused payout failed and tried again with the
next. The clock is Drop's (drop_now(), moved by harness.clock); the job
runs in every worker every 5 s."""

import datetime
import threading
import time

from harness import bank, clock, eq, sql, sql_one
from money_helpers import funded_user
from payout_helpers import (EASTER, business_day, next_business_day,
                            next_payout, oslo_at)
from test_merchants import new_merchant, pay

COLLECTION = "99990000013"
JOB_S = 5


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc)


def skew_to(when):
    """The interval that makes Drop's clock read when, now."""
    return "%d seconds" % int((when - utcnow()).total_seconds())


def shop():
    m = new_merchant()
    m.account = sql_one("SELECT bank_account FROM merchants "
                        "WHERE id = :'p1'", m.merchant_id)
    return m


def paid_to(m, amounts):
    """QR payments of amounts to m (SCA-exempt payer: booked at once);
    their net and fees in øre, and their ids."""
    payer = funded_user(5000)
    ids = [pay(payer, m.merchant_id, a) for a in amounts]
    rows = sql("SELECT amount - fee, fee, status, (bank_booked_at IS NOT "
               "NULL)::text FROM transactions WHERE id = ANY "
               "(string_to_array(:'p1', ','))", ",".join(ids))
    eq(sorted((r[2], r[3]) for r in rows), [("completed", "true")] *
       len(ids), "booked")
    return sum(int(r[0]) for r in rows), sum(int(r[1]) for r in rows), ids


def payouts(m):
    r = m.get("/api/merchants/payouts")
    eq(r.status, 200, "payouts %r" % r)
    return r.json["data"]


def wait_payouts(m, done, limit=30):
    deadline = time.time() + limit
    while True:
        got = payouts(m)
        if done(got) or time.time() > deadline:
            return got
        time.sleep(0.3)


def bank_balance(bban):
    """The account's balance at the sandbox bank (opened if it was not)."""
    return bank("POST", "/sandbox/accounts/" + bban, {})["balance"]


def booking(payment_id):
    return [b for b in bank("GET", "/sandbox/ledger")["bookings"]
            if b["payment_id"] == payment_id]


def payout_ids(tx_ids):
    return sorted(r[0] for r in sql(
        "SELECT coalesce(payout_id, 'none') FROM transactions WHERE id = ANY "
        "(string_to_array(:'p1', ','))", ",".join(tx_ids)))


def test_the_calendar_is_norways():
    for year, easter in EASTER.items():
        eq(sql_one("SELECT drop_easter(:'p1'::integer)::text", year),
           easter.isoformat(), "Easter %d" % year)
    rows = sql("SELECT d::date::text, drop_business_day(d::date)::text "
               "FROM generate_series('2026-01-01'::date, '2027-12-31', "
               "'1 day') d")
    eq(len(rows), 730)
    for day, is_business in rows:
        eq(is_business == "true",
           business_day(datetime.date.fromisoformat(day)), day)
    for day in ("2026-01-01", "2026-04-02", "2026-04-03", "2026-04-06",
                "2026-05-01", "2026-05-14", "2026-05-25", "2026-12-25",
                "2027-05-17", "2027-03-29"):
        eq(sql_one("SELECT drop_business_day(:'p1'::date)::text", day),
           "false", day)
    # Maundy Thursday to Easter Monday: the Wednesday before, then Tuesday.
    eq(sql_one("SELECT drop_add_business_days('2026-04-01', 1)::text"),
       "2026-04-07")
    eq(sql_one("SELECT drop_prev_business_day('2026-04-07')::text"),
       "2026-04-01")
    # The next payout of a Wednesday evening before Maundy Thursday.
    eq(sql_one("SELECT drop_next_payout_day('2026-04-01 20:00+02', "
               "'06:00')::text"), "2026-04-07")


def test_a_business_day_pays_each_merchant_once_what_the_bank_booked():
    m = shop()
    net, fees, ids = paid_to(m, (100, 50.5))
    before = bank_balance(m.account)
    day = next_payout(utcnow())
    d = m.get("/api/merchants/dashboard").json["data"]
    eq(d["nextPayout"], {"amount": net / 100, "date": day.isoformat()},
       "the payout to come")
    # A minute before the run: every worker's job runs, and pays nothing.
    with clock(skew_to(oslo_at(day, datetime.time(5, 59)))):
        time.sleep(JOB_S + 1.5)
        eq(payouts(m), [], "before 06:00")
    with clock(skew_to(oslo_at(day, datetime.time(6, 0, 5)))):
        # Racing runs (as from other instances) make no second payout.
        racers = [threading.Thread(target=sql, args=(
            "SELECT drop_payouts_run(drop_now(), '06:00', :'p1')",
            COLLECTION)) for _ in range(4)]
        for t in racers:
            t.start()
        for t in racers:
            t.join()
        got = wait_payouts(m, lambda p: p and p[0]["status"] == "paid")
        time.sleep(JOB_S + 1)
        again = payouts(m)
    eq(len(got), 1, "one payout %r" % got)
    eq(again, got, "no second payout")
    p = got[0]
    eq((p["amount"], p["fees"], p["paymentCount"], p["status"],
        p["scheduledFor"]), (net / 100, fees / 100, 2, "paid",
                             day.isoformat()))
    assert p["paidAt"].endswith("Z"), p
    assert p["id"].startswith("po_"), p
    eq(payout_ids(ids), [p["id"]] * 2, "the payments it took")
    eq(sql_one("SELECT count(*) FROM payouts WHERE merchant_id = :'p1'",
               m.merchant_id), "1")
    # The money moved at the bank, once: collection account to the shop.
    b = booking(p["bankReference"])
    eq([(x["debtor"], x["creditor"], x["amount"]) for x in b],
       [(COLLECTION, m.account, net)], "booked at the bank")
    eq(bank_balance(m.account) - before, net, "the shop's balance")
    eq(sql_one("SELECT count(*) FROM bank_outbox WHERE payout_id = :'p1' "
               "AND done_at IS NOT NULL", p["id"]), "1")
    notes = m.get("/api/notifications").json["data"]
    eq([n["type"] for n in notes if n["type"].startswith("payout")],
       ["payout_paid"])
    d = m.get("/api/merchants/dashboard").json["data"]
    eq(d["nextPayout"]["amount"], 0, "nothing left to pay")


def test_a_missed_run_is_caught_up_by_the_next():
    m = shop()
    net, _, ids = paid_to(m, (80,))
    day = next_payout(utcnow())
    later = next_business_day(day)
    # Drop was down through the 06:00 of day; it comes back at 10:00 the
    # business day after, and pays everything owed in that day's payout.
    with clock(skew_to(oslo_at(later, datetime.time(10, 0)))):
        got = wait_payouts(m, lambda p: p and p[0]["status"] == "paid")
    eq([(p["scheduledFor"], p["amount"], p["status"]) for p in got],
       [(later.isoformat(), net / 100, "paid")])
    eq(payout_ids(ids), [got[0]["id"]])


def test_a_refused_payout_fails_and_its_payments_wait_for_the_next():
    m = shop()
    net, _, ids = paid_to(m, (60, 40))
    day = next_payout(utcnow())
    kept = bank_balance(COLLECTION)
    # The collection account cannot pay: the bank refuses the payout.
    bank("POST", "/sandbox/accounts/" + COLLECTION, {"balance": 0})
    try:
        with clock(skew_to(oslo_at(day, datetime.time(6, 0, 5)))):
            failed = wait_payouts(m, lambda p: p and p[0]["status"] ==
                                  "failed")
    finally:
        bank("POST", "/sandbox/accounts/" + COLLECTION, {"balance": kept})
    eq([(p["status"], p["scheduledFor"], p["paidAt"]) for p in failed],
       [("failed", day.isoformat(), None)])
    eq(payout_ids(ids), ["none", "none"], "its payments are free again")
    eq(booking(failed[0]["bankReference"]), [], "nothing moved")
    notes = m.get("/api/notifications").json["data"]
    eq([n["type"] for n in notes if n["type"].startswith("payout")],
       ["payout_failed"])
    # The next business day's run pays them.
    with clock(skew_to(oslo_at(next_business_day(day),
                               datetime.time(6, 0, 5)))):
        got = wait_payouts(m, lambda p: len(p) == 2 and
                           p[0]["status"] == "paid")
    eq([(p["status"], p["amount"]) for p in got],
       [("paid", net / 100), ("failed", net / 100)])
    eq(payout_ids(ids), [got[0]["id"]] * 2)
    eq(len(booking(got[0]["bankReference"])), 1)
