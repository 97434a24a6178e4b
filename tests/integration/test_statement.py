"""Monthly statements (issue 20 point 5, PSD2 art. 57): GET
/api/transactions/statement?month=YYYY-MM answers CSV with every payment
(completed or under way), its fee and rate, and every refund of the Oslo
month, exact to the øre and safe to open in a spreadsheet."""

import csv
import decimal
import io

from harness import eq, is_error, register, sql, sql_one
from money_helpers import add_recipient, funded_user, remit
from test_merchants import pay
from test_payouts import shop
from test_refunds import refund, wait_refund

HEADER = ["date", "type", "id", "counterparty", "reference", "amount", "fee",
          "total", "currency", "exchange_rate", "received_amount",
          "received_currency", "status"]


def statement(c, month):
    r = c.get("/api/transactions/statement?month=" + month)
    eq(r.status, 200, "statement %r" % r)
    eq(r.header("Content-Type"), "text/csv; charset=utf-8")
    eq(r.header("Content-Disposition"),
       'attachment; filename="drop-statement-%s.csv"' % month)
    text = r.raw.decode("utf-8")
    assert text.endswith("\r\n"), text[-20:]
    rows = list(csv.reader(io.StringIO(text, newline="")))
    eq(rows[0], HEADER)
    return [dict(zip(HEADER, row)) for row in rows[1:]]


def this_month():
    return sql_one("SELECT to_char(now() AT TIME ZONE 'Europe/Oslo', "
                   "'YYYY-MM')")


def test_a_month_has_each_payment_fee_and_refund_exactly():
    m = shop()
    payer = funded_user(5000)
    qr = pay(payer, m.merchant_id, 123.45)
    rf = refund(m, qr, 20).json["data"]["id"]
    eq(wait_refund(rf), "succeeded")
    rcp = add_recipient(payer)["id"]
    r = remit(payer, rcp, 100)
    eq(r.status, 201, "remittance %r" % r)
    rem = r.json["data"]["id"]
    # A failed payment moved no money: a remittance a sanctions hit held.
    held = remit(payer, add_recipient(payer, name="Boris Karakurt")["id"],
                 150).json["data"]
    eq((held["status"], held["failureReason"]), ("failed", "held_for_review"))
    older = pay(payer, m.merchant_id, 9)
    sql("UPDATE transactions SET created_at = created_at - interval "
        "'40 days' WHERE id = :'p1'", older)
    pay(funded_user(100), m.merchant_id, 5)          # someone else's

    rows = statement(payer, this_month())
    eq([r["id"] for r in rows], [qr, rf, rem])
    q, f, x = rows
    eq((q["type"], q["amount"], q["fee"], q["total"], q["currency"],
        q["reference"], q["status"]),
       ("qr_payment", "-123.45", "0.00", "-123.45", "NOK",
        sql_one("SELECT reference FROM transactions WHERE id = :'p1'", qr),
        "completed"))
    eq((f["type"], f["amount"], f["total"], f["reference"], f["status"]),
       ("refund", "20.00", "20.00", qr, "succeeded"))
    eq(f["counterparty"], q["counterparty"])
    t = sql("SELECT amount, fee, total, exchange_rate::text, receive_amount, "
            "receive_currency, recipient_name FROM transactions WHERE "
            "id = :'p1'", rem)[0]
    cents = lambda v: "%.2f" % (decimal.Decimal(v) / 100)
    eq((x["type"], x["amount"], x["fee"], x["total"], x["exchange_rate"],
        x["received_amount"], x["received_currency"], x["counterparty"]),
       ("remittance", "-" + cents(t[0]), "-" + cents(t[1]),
        "-" + cents(t[2]), t[3], cents(t[4]), t[5], t[6]))
    assert int(t[1]) > 0, "a remittance has a fee"
    # Øre in, øre out: the statement's totals are Drop's records.
    net = sum(decimal.Decimal(r["total"]) for r in rows)
    eq(int(net * 100), 2000 - 12345 - int(t[2]))
    # The older payment is last month's, and only there.
    last = sql_one("SELECT to_char((now() - interval '40 days') AT TIME ZONE "
                   "'Europe/Oslo', 'YYYY-MM')")
    assert older in [r["id"] for r in statement(payer, last)]
    eq(statement(payer, "2019-01"), [])


def test_text_a_shop_wrote_cannot_become_a_formula():
    m = shop()
    payer = funded_user(500)
    qr = pay(payer, m.merchant_id, 10)
    sql("UPDATE transactions SET merchant_name = '=HYPERLINK(\"x\",\"y\")' "
        "WHERE id = :'p1'", qr)
    rows = statement(payer, this_month())
    eq(rows[0]["counterparty"], "'=HYPERLINK(\"x\",\"y\")")
    eq(rows[0]["amount"], "-10.00")


def test_a_statement_needs_a_month_and_a_session():
    c = register()
    for q in ("", "?month=2026-13", "?month=26-11", "?month=2026-11-01"):
        is_error(c.get("/api/transactions/statement" + q), 422,
                 "validation_error")
    c.cookies = {}
    is_error(c.get("/api/transactions/statement?month=2026-11"), 401,
             "unauthorized")
