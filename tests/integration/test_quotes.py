"""The rate the user saw is the rate they get (contract §8; PSD2 Art. 45
and 59): a remittance disclosure holds its rate and fee for ten minutes
as a quote; a remittance with it is executed at exactly that price
whatever the rate is by then, once; a quote that expired, is another
user's, or is for another recipient or amount is 422 quote_expired and
debits nothing."""

import datetime
import decimal
import threading

from harness import admin, clock, detail_fields, eq, is_error, sql_one
from money_helpers import (add_recipient, balance_ore, funded_user,
                           new_client_like, remit, set_balance)

def disclose(c, recipient_id, amount):
    r = c.post("/api/transactions/disclosure",
               {"type": "remittance", "amount": amount,
                "recipientId": recipient_id})
    eq(r.status, 200, "disclosure %r" % r)
    return r.json["data"]


def set_rate(currency, rate):
    r = admin("PUT", "/internal/rates/%s" % currency, {"rate": rate})
    eq(r.status, 200, "rate %r" % r)


def rate_of(currency):
    return sql_one("SELECT rate FROM exchange_rates WHERE currency = :'p1'",
                   currency)


def user_with_recipient(nok=2000):
    c = funded_user(nok)
    c.rcp = add_recipient(c, "RS")
    return c


def no_debit(c, before):
    eq(balance_ore(c.account["id"]), before)
    eq(sql_one("SELECT count(*) FROM transactions WHERE user_id = :'p1'",
               c.user_id), "0")


def test_disclosure_holds_its_price_for_ten_minutes():
    c = user_with_recipient()
    d = disclose(c, c.rcp["id"], 1000)
    assert d["quoteId"].startswith("quo_") and len(d["quoteId"]) == 20, d
    at = datetime.datetime.fromisoformat(d["expiresAt"].replace("Z",
                                                                "+00:00"))
    left = at - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(minutes=9, seconds=50) < left <= \
        datetime.timedelta(minutes=10, seconds=5), left
    eq((d["fee"], d["totalCost"]), (5, 1005))


def test_quoted_remittance_pays_the_quoted_rate_after_a_rate_change():
    c = user_with_recipient()
    old = rate_of("RSD")
    d = disclose(c, c.rcp["id"], 1000)
    try:
        set_rate("RSD", float(decimal.Decimal(old) * 2))
        r = remit(new_client_like(c), c.rcp["id"], 1000,
                  body={"quoteId": d["quoteId"]})
        eq(r.status, 201, "remit %r" % r)
        t = r.json["data"]
        eq((t["exchangeRate"], t["receiveAmount"], t["fee"], t["total"]),
           (d["exchangeRate"], d["receiveAmount"], d["fee"], d["totalCost"]))
        eq(sql_one("SELECT exchange_rate FROM transactions WHERE id = :'p1'",
                   t["id"]), old)
        eq(sql_one("SELECT quote_id FROM transactions WHERE id = :'p1'",
                   t["id"]), d["quoteId"])
        # Without a quote: the rate of now.
        r = remit(new_client_like(c), c.rcp["id"], 100)
        eq(r.status, 201)
        eq(decimal.Decimal(str(r.json["data"]["exchangeRate"])),
           decimal.Decimal(old) * 2)
    finally:
        set_rate("RSD", float(decimal.Decimal(old)))


def test_expired_quote_is_refused_without_a_debit():
    c = user_with_recipient()
    d = disclose(c, c.rcp["id"], 500)
    before = balance_ore(c.account["id"])
    with clock("10 minutes 1 second"):
        r = remit(new_client_like(c), c.rcp["id"], 500,
                  body={"quoteId": d["quoteId"]})
    is_error(r, 422, "quote_expired")
    eq(detail_fields(r), ["quoteId"])
    no_debit(c, before)


def test_quote_for_another_user_recipient_or_amount_is_refused():
    c = user_with_recipient()
    other = user_with_recipient()
    second = add_recipient(c, "RS", name="Ana Jovanović")
    d = disclose(c, c.rcp["id"], 500)
    before = balance_ore(c.account["id"])
    cases = [(other, other.rcp["id"], 500),
             (c, second["id"], 500),
             (c, c.rcp["id"], 500.01)]
    for who, rcp, amount in cases:
        r = remit(new_client_like(who), rcp, amount,
                  body={"quoteId": d["quoteId"]})
        is_error(r, 422, "quote_expired")
    is_error(remit(new_client_like(c), c.rcp["id"], 500,
                   body={"quoteId": "quo_notaquote"}), 422, "quote_expired")
    no_debit(c, before)
    # Still good for what it was given for.
    r = remit(new_client_like(c), c.rcp["id"], 500,
              body={"quoteId": d["quoteId"]})
    eq(r.status, 201, "remit %r" % r)


def test_quote_is_used_once_even_by_racing_payments():
    c = user_with_recipient(5000)
    d = disclose(c, c.rcp["id"], 300)
    out = []

    def pay(i):
        out.append(remit(new_client_like(c), c.rcp["id"], 300,
                         body={"quoteId": d["quoteId"]},
                         headers={"Idempotency-Key": "race-%d" % i}))

    threads = [threading.Thread(target=pay, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(sorted(r.status for r in out), [201] + [422] * 5)
    eq(balance_ore(c.account["id"]), 500000 - 30150)
    eq(sql_one("SELECT count(*) FROM transactions WHERE quote_id = :'p1'",
               d["quoteId"]), "1")


def test_refused_payment_leaves_the_quote_usable():
    c = user_with_recipient(100)
    d = disclose(c, c.rcp["id"], 500)
    is_error(remit(new_client_like(c), c.rcp["id"], 500,
                   body={"quoteId": d["quoteId"]}), 402,
             "insufficient_balance")
    set_balance(c.account["id"], 1000)
    r = remit(new_client_like(c), c.rcp["id"], 500,
              body={"quoteId": d["quoteId"]})
    eq(r.status, 201, "remit %r" % r)


def test_live_quotes_per_user_are_bounded():
    c = user_with_recipient()
    for i in range(25):
        disclose(c, c.rcp["id"], 100 + i)
    eq(sql_one("SELECT count(*) FROM quotes WHERE user_id = :'p1'",
               c.user_id), "20")
