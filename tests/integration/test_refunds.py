"""Refunds by the merchant (issue 19, point 2): POST
/api/merchants/transactions/{id}/refunds pays part or all of a completed
QR payment back from the collection account to the payer's account at
the sandbox bank, through the bank outbox; never more than was paid,
whatever runs at once; Idempotency-Key retries get the first answer; the
payer is told and sees it; the dashboard's netRevenue and the next payout
shrink by it."""

import datetime
import threading
import time

from harness import bank, clock, eq, is_error, sql, sql_one
from bank_helpers import sca_user
from money_helpers import funded_user, set_balance
from payout_helpers import next_payout, oslo_at
from test_merchants import new_client_like, pay
from test_payouts import (COLLECTION, bank_balance, booking, paid_to,
                          shop, skew_to, utcnow, wait_payouts)


def refunds_path(tx_id):
    return "/api/merchants/transactions/%s/refunds" % tx_id


def refund(m, tx_id, amount=None, key=None):
    body = {} if amount is None else {"amount": amount}
    headers = {"Idempotency-Key": key} if key else None
    return m.post(refunds_path(tx_id), body, headers=headers)


def wait_refund(rf_id, status="succeeded", limit=20):
    deadline = time.time() + limit
    while True:
        got = sql_one("SELECT status FROM refunds WHERE id = :'p1'", rf_id)
        if got == status or time.time() > deadline:
            return got
        time.sleep(0.2)


def payer_account(tx_id):
    return sql_one("SELECT b.account_number FROM transactions t JOIN "
                   "bank_accounts b ON b.id = t.bank_account_id "
                   "WHERE t.id = :'p1'", tx_id)


def test_a_refund_pays_the_payer_back_from_the_collection_account():
    m = shop()
    payer = funded_user(5000)
    tx = pay(payer, m.merchant_id, 200)
    to = payer_account(tx)
    before = bank_balance(to)
    r = refund(m, tx, 50)
    eq(r.status, 201, "refund %r" % r)
    d = r.json["data"]
    assert d["id"].startswith("rf_"), d
    eq((d["transactionId"], d["amount"], d["refundableAmount"]),
       (tx, 50, 150))
    eq(wait_refund(d["id"]), "succeeded")
    # At the bank: once, from the collection account to the payer.
    ref = sql_one("SELECT bank_payment_id FROM refunds WHERE id = :'p1'",
                  d["id"])
    eq([(b["debtor"], b["creditor"], b["amount"]) for b in booking(ref)],
       [(COLLECTION, to, 5000)])
    eq(bank_balance(to), before + 5000)
    # The payer sees it and is told.
    t = payer.get("/api/transactions/" + tx).json["data"]
    eq((t["status"], t["refundedAmount"]), ("completed", 50))
    row = [x for x in payer.get("/api/transactions").json["data"]
           if x["id"] == tx]
    eq(row[0]["refundedAmount"], 50)
    notes = [n for n in payer.get("/api/notifications").json["data"]
             if n["type"] == "qr_payment_refunded"]
    eq(len(notes), 1, "one refund notification")
    assert "50.00 NOK" in notes[0]["body"], notes[0]
    # The rest, with no amount; then nothing is left.
    r = refund(m, tx)
    eq((r.status, r.json["data"]["amount"],
        r.json["data"]["refundableAmount"]), (201, 150, 0))
    eq(wait_refund(r.json["data"]["id"]), "succeeded")
    is_error(refund(m, tx, 0.01), 409, "refund_exceeds_payment")
    is_error(refund(m, tx), 409, "refund_exceeds_payment")
    eq(sql("SELECT refund_held, refunded FROM transactions WHERE "
           "id = :'p1'", tx), [["20000", "20000"]])
    got = [x for x in m.get("/api/merchants/transactions").json["data"]
           if x["id"] == tx]
    eq((got[0]["refundedAmount"], got[0]["refundableAmount"]), (200, 0))


def test_refunds_above_the_payment_and_of_others_payments_are_refused():
    m = shop()
    other = shop()
    payer = funded_user(5000)
    tx = pay(payer, m.merchant_id, 80)
    is_error(refund(m, tx, 80.01), 409, "refund_exceeds_payment")
    is_error(refund(other, tx, 10), 404, "not_found")
    is_error(refund(m, "tx_qr_0123456789abcdef", 10), 404, "not_found")
    is_error(refund(m, "tx_rem_0123456789abcdef", 10), 404, "not_found")
    is_error(refund(m, tx, 0), 422, "validation_error")
    is_error(refund(m, tx, 1.001), 422, "validation_error")
    # A customer is not a merchant.
    r = refund(payer, tx, 10)
    eq(r.status, 403, "customer %r" % r)
    eq(sql_one("SELECT count(*) FROM refunds WHERE tx_id = :'p1'", tx), "0")
    eq(sql_one("SELECT refund_held FROM transactions WHERE id = :'p1'", tx),
       "0")


def test_only_a_completed_payment_can_be_refunded():
    m = shop()
    payer = sca_user()
    set_balance(payer.account["id"], 500)
    tx = pay(payer, m.merchant_id, 40)
    eq(payer.get("/api/transactions/" + tx).json["data"]["status"],
       "pending_authorisation")
    is_error(refund(m, tx, 10), 409, "conflict")
    eq(sql_one("SELECT count(*) FROM refunds WHERE tx_id = :'p1'", tx), "0")


def test_a_retried_key_gets_the_first_answer_and_refunds_once():
    m = shop()
    payer = funded_user(5000)
    tx = pay(payer, m.merchant_id, 120)
    first = refund(m, tx, 20, key="refund-1")
    eq(first.status, 201, "first %r" % first)
    again = refund(m, tx, 20, key="refund-1")
    eq((again.status, again.json), (201, first.json))
    is_error(refund(m, tx, 30, key="refund-1"), 409,
             "idempotency_conflict")
    eq(sql_one("SELECT count(*) FROM refunds WHERE tx_id = :'p1'", tx), "1")
    # The same key for another payment is another request.
    tx2 = pay(payer, m.merchant_id, 10)
    is_error(refund(m, tx2, 20, key="refund-1"), 409,
             "idempotency_conflict")
    eq(wait_refund(first.json["data"]["id"]), "succeeded")
    ref = sql_one("SELECT bank_payment_id FROM refunds WHERE id = :'p1'",
                  first.json["data"]["id"])
    eq(len(booking(ref)), 1, "once at the bank")


def test_parallel_refunds_never_pass_the_payment():
    m = shop()
    payer = funded_user(5000)
    tx = pay(payer, m.merchant_id, 100)
    results = []
    lock = threading.Lock()

    def one(i):
        r = refund(new_client_like(m), tx, 30)
        with lock:
            results.append(r.status)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(sorted(results), [201] * 3 + [409] * 5, "3 of 30 fit in 100")
    eq(sql_one("SELECT refund_held FROM transactions WHERE id = :'p1'", tx),
       "9000")
    ids = [r[0] for r in sql("SELECT id FROM refunds WHERE tx_id = :'p1'",
                             tx)]
    eq(len(ids), 3)
    for i in ids:
        eq(wait_refund(i), "succeeded")
    paid = sum(b["amount"] for i in ids for b in booking(sql_one(
        "SELECT bank_payment_id FROM refunds WHERE id = :'p1'", i)))
    eq(paid, 9000, "the bank paid back 90.00")


def test_a_refund_the_bank_refuses_fails_and_frees_the_payment():
    m = shop()
    payer = funded_user(5000)
    tx = pay(payer, m.merchant_id, 60)
    kept = bank_balance(COLLECTION)
    bank("POST", "/sandbox/accounts/" + COLLECTION, {"balance": 0})
    try:
        r = refund(m, tx, 60)
        eq(r.status, 201, "refund %r" % r)
        got = wait_refund(r.json["data"]["id"], "failed")
    finally:
        bank("POST", "/sandbox/accounts/" + COLLECTION, {"balance": kept})
    eq(got, "failed")
    eq(sql("SELECT refund_held, refunded FROM transactions WHERE "
           "id = :'p1'", tx), [["0", "0"]])
    notes = [n["type"] for n in m.get("/api/notifications").json["data"]]
    assert "refund_failed" in notes, notes
    eq(payer.get("/api/transactions/" + tx).json["data"]["refundedAmount"],
       0)
    # Free again: the whole payment can be refunded now.
    r = refund(m, tx, 60)
    eq(r.status, 201, "again %r" % r)
    eq(wait_refund(r.json["data"]["id"]), "succeeded")


def test_net_revenue_and_the_next_payout_shrink_by_refunds():
    m = shop()
    net, fees, ids = paid_to(m, (300, 100))
    dash = m.get("/api/merchants/dashboard").json["data"]
    eq(dash["refunds"], 0)
    r = refund(m, ids[0], 45.5)
    eq(r.status, 201, "refund %r" % r)
    eq(wait_refund(r.json["data"]["id"]), "succeeded")
    after = m.get("/api/merchants/dashboard").json["data"]
    eq(after["refunds"], 45.5)
    eq(round(after["netRevenue"] * 100),
       round(dash["netRevenue"] * 100) - 4550)
    eq(round(after["nextPayout"]["amount"] * 100), net - 4550)
    # The payout pays the payments less the refund, and names it.
    day = next_payout(utcnow())
    with clock(skew_to(oslo_at(day, datetime.time(6, 0, 5)))):
        got = wait_payouts(m, lambda p: p and p[0]["status"] == "paid")
    eq((got[0]["amount"], got[0]["paymentCount"]), ((net - 4550) / 100, 2))
    eq(sql("SELECT refunds, (SELECT count(*) FROM refunds r WHERE "
           "r.payout_id = p.id) FROM payouts p WHERE id = :'p1'",
           got[0]["id"]), [["4550", "1"]])


def test_refunds_that_outweigh_the_payments_wait_for_the_next_payout():
    m = shop()
    payer = funded_user(5000)
    first = pay(payer, m.merchant_id, 100)
    day = next_payout(utcnow())
    with clock(skew_to(oslo_at(day, datetime.time(6, 0, 5)))):
        paid = wait_payouts(m, lambda p: p and p[0]["status"] == "paid")
    eq(len(paid), 1)
    # Refunded after its payout: the next payments carry it.
    r = refund(m, first, 100)
    eq(wait_refund(r.json["data"]["id"]), "succeeded")
    pay(payer, m.merchant_id, 30)
    dash = m.get("/api/merchants/dashboard").json["data"]
    eq(dash["nextPayout"]["amount"], 0)
    eq(sql_one("SELECT count(*) FROM refunds WHERE tx_id = :'p1' AND "
               "payout_id IS NULL", first), "1")
