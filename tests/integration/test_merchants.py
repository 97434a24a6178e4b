"""Merchants (§9): registration, role checks, dashboard arithmetic from
real QR payments (with the Europe/Oslo day boundary), QR value and image,
and the payments received with short customer names."""

import datetime
import os
import random
import subprocess
import tempfile
import time
import zoneinfo

from harness import (Client, base_url, detail_fields, eq, is_error, register,
                     sql, sql_one)
from money_helpers import account_number, funded_user, new_client_like
from payout_helpers import due_day, next_payout

OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def org_number():
    return "%09d" % random.randrange(10 ** 9)


def merchant_body(**over):
    b = {"businessName": "Bakeri Ås", "orgNumber": org_number(),
         "address": "Storgata 1, 0155 Oslo", "bankAccount": account_number()}
    b.update(over)
    return {k: v for k, v in b.items() if v is not None}


def new_merchant(first="Ola", last="Hansen"):
    c = register(firstName=first, lastName=last)
    r = c.post("/api/merchants/register", merchant_body())
    eq(r.status, 201, "merchant register %r" % r)
    c.merchant_id = r.json["data"]["merchantId"]
    return c


def pay(payer, merchant_id, amount):
    r = new_client_like(payer).post("/api/transactions/qr-payment",
                                    {"merchantId": merchant_id,
                                     "amount": amount})
    eq(r.status, 201, "qr payment %r" % r)
    return r.json["data"]["id"]


def test_merchant_register_upgrades_role_and_rotates_session():
    c = register()
    old_token = c.cookies["drop_token"]
    body = merchant_body(address="  Karl Johans gate 5\x07, Oslo  ")
    r = c.post("/api/merchants/register", body)
    eq(r.status, 201, "register %r" % r)
    d = r.json["data"]
    assert d["merchantId"].startswith("mer_"), d
    eq(d["businessName"], "Bakeri Ås")
    eq(d["orgNumber"], body["orgNumber"])
    eq(d["address"], "Karl Johans gate 5, Oslo")
    eq(d["qrValue"], "drop://pay/" + d["merchantId"])
    assert d["createdAt"].endswith("Z"), d
    assert c.cookies["drop_token"] != old_token, "no new token"
    eq(c.get("/api/users/me").json["data"]["role"], "merchant")
    eq(sql_one("SELECT role FROM users WHERE id = :'p1'", c.user_id),
       "merchant")
    eq(sql_one("SELECT bank_account FROM merchants WHERE id = :'p1'",
               d["merchantId"]), body["bankAccount"])
    # The old token's session is revoked.
    old = Client()
    old.cookies = {"drop_token": old_token}
    is_error(old.get("/api/users/me"), 401, "unauthorized")
    eq(sql_one("SELECT count(*) FROM audit_log WHERE action = "
               "'merchant.register' AND entity_id = :'p1'", c.user_id), "1")


def test_merchant_register_conflicts_and_validation():
    a = new_merchant()
    r = a.post("/api/merchants/register", merchant_body())
    is_error(r, 409, "conflict")
    taken = sql_one("SELECT org_number FROM merchants WHERE id = :'p1'",
                    a.merchant_id)
    b = register()
    is_error(b.post("/api/merchants/register",
                    merchant_body(orgNumber=taken)), 409, "conflict")
    eq(b.get("/api/users/me").json["data"]["role"], "user")
    bad = b.post("/api/merchants/register", merchant_body(
        businessName="<b>x</b>", orgNumber="12345678",
        bankAccount="12345678901", address="x" * 301))
    is_error(bad, 422, "validation_error")
    eq(detail_fields(bad), ["bankAccount", "businessName", "orgNumber"])
    for org in ["1234567890", "12345678a", " 12345678"]:
        r = b.post("/api/merchants/register", merchant_body(orgNumber=org))
        is_error(r, 422, "validation_error")
    is_error(b.post("/api/merchants/register", merchant_body(
        businessName="x" * 201)), 422, "validation_error")
    is_error(b.post("/api/merchants/register", {"businessName": "Shop"}),
             400, "bad_request")
    is_error(b.post("/api/merchants/register",
                    merchant_body(orgNumber=123456789)), 400, "bad_request")
    # Address is cut to 300 characters (counted as code points).
    r = b.post("/api/merchants/register", merchant_body(address="ø" * 350))
    eq(r.status, 201, "%r" % r)
    eq(r.json["data"]["address"], "ø" * 300)
    is_error(Client().post("/api/merchants/register", merchant_body()),
             401, "unauthorized")


def test_merchant_routes_are_forbidden_to_non_merchants():
    c = register()
    for path in ["/api/merchants/dashboard", "/api/merchants/qr",
                 "/api/merchants/qr.svg", "/api/merchants/transactions",
                 "/api/merchants/payouts"]:
        is_error(c.get(path), 403, "forbidden")
        is_error(Client().get(path), 401, "unauthorized")


def test_merchant_qr_value_and_own_payment_refused():
    m = new_merchant()
    r = m.get("/api/merchants/qr")
    eq(r.status, 200)
    eq(r.json["data"], {"merchantId": m.merchant_id,
                        "businessName": "Bakeri Ås",
                        "qrValue": "drop://pay/" + m.merchant_id,
                        "qrUrl": "%s/#/pay/%s" % (base_url(), m.merchant_id),
                        "address": "Storgata 1, 0155 Oslo"})
    r = m.post("/api/transactions/qr-payment",
               {"merchantId": m.merchant_id, "amount": 10})
    is_error(r, 422, "validation_error")
    eq(detail_fields(r), ["merchantId"])


def test_merchant_qr_svg_decodes_to_the_shops_pay_page():
    m = new_merchant()
    r = m.get("/api/merchants/qr.svg")
    eq(r.status, 200)
    assert r.header("Content-Type").startswith("image/svg+xml"), r.headers
    assert r.raw.startswith(b"<?xml") or r.raw.startswith(b"<svg"), r.raw[:80]
    with tempfile.TemporaryDirectory() as d:
        svg = os.path.join(d, "qr.svg")
        png = os.path.join(d, "qr.png")
        with open(svg, "wb") as f:
            f.write(r.raw)
        subprocess.run(["rsvg-convert", "-o", png, svg], check=True)
        out = subprocess.run(["zbarimg", "-q", "--raw", png],
                             capture_output=True, text=True, check=True)
    # What a phone camera opens: the web client's pay page for this shop.
    eq(out.stdout.strip(), m.get("/api/merchants/qr").json["data"]["qrUrl"],
       "decoded QR")
    assert out.stdout.strip().startswith(base_url() + "/#/pay/mer_"), out


def oslo_midnight_utc(days_ago=0):
    today = datetime.datetime.now(OSLO).date() - datetime.timedelta(days_ago)
    local = datetime.datetime.combine(today, datetime.time(0, 0), OSLO)
    return local.astimezone(datetime.timezone.utc)


def move(tx_id, when):
    sql("UPDATE transactions SET created_at = :'p2'::timestamptz "
        "WHERE id = :'p1'", tx_id, when.isoformat())


def taken_by_a_run(tx_id, limit=15):
    """The payout run that is due took tx_id (every worker runs it every
    5 s)."""
    deadline = time.time() + limit
    while time.time() < deadline:
        if sql_one("SELECT payout_id FROM transactions WHERE id = :'p1'",
                   tx_id):
            return True
        time.sleep(0.2)
    return False


def test_merchant_dashboard_arithmetic_and_oslo_day_boundary():
    m = new_merchant()
    payer = funded_user(5000)
    empty = m.get("/api/merchants/dashboard").json["data"]
    eq((empty["revenue"], empty["transactionCount"], empty["fees"],
        empty["netRevenue"], empty["payoutTime"], empty["period"]),
       (0, 0, 0, 0, "06:00", "today"))
    t1 = pay(payer, m.merchant_id, 100)       # fee 1.00
    t2 = pay(payer, m.merchant_id, 129.9)     # fee 1.30 (1.299 half-up)
    t3 = pay(payer, m.merchant_id, 0.5 + 1)   # fee 0.02 (0.015 half-up)
    d = m.get("/api/merchants/dashboard?period=today").json["data"]
    eq((d["revenue"], d["transactionCount"], d["fees"], d["netRevenue"]),
       (231.4, 3, 2.32, 229.08), "today")
    # Just after midnight Oslo counts as today; just before, yesterday.
    start = oslo_midnight_utc()
    move(t1, start + datetime.timedelta(seconds=1))
    move(t2, start - datetime.timedelta(seconds=1))
    d = m.get("/api/merchants/dashboard?period=today").json["data"]
    eq((d["revenue"], d["transactionCount"], d["fees"]), (101.5, 2, 1.02),
       "today after the move")
    yesterday = (start - datetime.timedelta(seconds=1)).astimezone(OSLO).date()
    today = start.astimezone(OSLO).date()
    week = m.get("/api/merchants/dashboard?period=week").json["data"]
    month = m.get("/api/merchants/dashboard?period=month").json["data"]
    in_week = yesterday >= today - datetime.timedelta(today.weekday())
    in_month = yesterday.month == today.month
    eq(week["revenue"], 231.4 if in_week else 101.5, "week")
    eq(month["revenue"], 231.4 if in_month else 101.5, "month")
    eq(week["period"], "week")
    # Next payout: what its run will take, every booked payment made
    # before its day that no run took; one made before the day of the run
    # now due is that run's.
    now = datetime.datetime.now(datetime.timezone.utc)
    p, due = next_payout(now), due_day(now)
    nets = {today: 101.5 - 1.02, yesterday: 129.9 - 1.30}
    if yesterday < due:
        eq(taken_by_a_run(t2), True, "yesterday's payment paid out")
    expect = round(sum(v for k, v in nets.items() if due <= k < p), 2)
    d = m.get("/api/merchants/dashboard?period=today").json["data"]
    eq(d["nextPayout"], {"amount": expect, "date": p.isoformat()}, "payout")
    is_error(m.get("/api/merchants/dashboard?period=year"), 422,
             "validation_error")
    # The aggregates equal a recount (also checked for all in the ledger).
    eq(sql_one("SELECT sum(n) FROM merchant_stats WHERE merchant_id = "
               ":'p1'", m.merchant_id), "3")
    del t3


def test_merchant_transactions_page_with_short_names():
    m = new_merchant()
    payer = funded_user(5000)
    sql("UPDATE users SET first_name = 'Åse Marie', last_name = 'Øvrebø' "
        "WHERE id = :'p1'", payer.user_id)
    ids = [pay(payer, m.merchant_id, 10 + i) for i in range(5)]
    r = m.get("/api/merchants/transactions?limit=2")
    eq(r.status, 200)
    pg = r.json["pagination"]
    eq((pg["total"], pg["totalPages"], pg["hasNextPage"], pg["limit"]),
       (5, 3, True, 2))
    first = r.json["data"][0]
    eq(first["id"], ids[-1])
    eq((first["amount"], first["fee"], first["netAmount"]),
       (14, 0.14, 13.86))
    eq(first["customerName"], "Åse Marie Ø.")
    assert "Øvrebø" not in r.raw.decode(), r.raw
    assert first["createdAt"].endswith("Z")
    seen = [t["id"] for t in r.json["data"]]
    cursor = pg["nextCursor"]
    while cursor:
        r = m.get("/api/merchants/transactions?limit=2&cursor=" + cursor)
        eq(r.status, 200)
        seen += [t["id"] for t in r.json["data"]]
        cursor = r.json["pagination"]["nextCursor"]
    eq(seen, ids[::-1], "cursor walk")
    r = m.get("/api/merchants/transactions?page=3&limit=2")
    eq([t["id"] for t in r.json["data"]], [ids[0]])
    for q in ["limit=51", "limit=0", "page=0", "cursor=zz"]:
        is_error(m.get("/api/merchants/transactions?" + q), 422,
                 "validation_error")
    other = new_merchant()
    eq(other.get("/api/merchants/transactions").json["pagination"]["total"],
       0)
