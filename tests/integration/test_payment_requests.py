"""Payment requests (issue 19, point 6): a shop asks for one amount by a
QR code (drop://pay/<merchantId>?request=<id>, and its SVG); the payer's
QR payment naming it must be of that amount, before it expires, and pays
it once, even when two pay at the same moment; a payment of it that
fails frees it again."""

import threading

from harness import eq, is_error, sql, sql_one
from bank_helpers import sca_form, sca_user, wait_status
from money_helpers import funded_user, new_client_like, set_balance
from test_api_keys import new_key, till
from test_payouts import shop

REQUESTS = "/api/merchants/payment-requests"


def ask(m, amount, **more):
    body = dict(more, amount=amount)
    r = m.post(REQUESTS, body)
    eq(r.status, 201, "request %r" % r)
    return r.json["data"]


def pay(payer, m, amount, request):
    return new_client_like(payer).post("/api/transactions/qr-payment", {
        "merchantId": m.merchant_id, "amount": amount, "requestId": request})


def test_a_request_is_paid_once_by_its_amount():
    m = shop()
    req = ask(m, 89.5, description="Lunsj, bord 4", expiresIn=600)
    eq((req["amount"], req["description"], req["status"],
        req["transactionId"]), (89.5, "Lunsj, bord 4", "open", None))
    eq(req["qrValue"], "drop://pay/%s?request=%s" % (m.merchant_id,
                                                     req["id"]))
    assert req["qrUrl"].endswith("/#/pay/%s?request=%s" % (m.merchant_id,
                                                           req["id"])), req
    svg = m.get(REQUESTS + "/%s/qr.svg" % req["id"])
    eq(svg.status, 200)
    assert svg.raw.startswith(b"<?xml") or b"<svg" in svg.raw[:200], svg
    payer = funded_user(5000)
    # What the payer's phone shows before paying.
    seen = payer.get("/api/payment-requests/" + req["id"]).json["data"]
    eq((seen["merchantName"], seen["amount"], seen["status"]),
       ("Bakeri Ås", 89.5, "open"))
    is_error(pay(payer, m, 89.49, req["id"]), 422, "validation_error")
    r = pay(payer, m, 89.5, req["id"])
    eq(r.status, 201, "pay %r" % r)
    tx = r.json["data"]["id"]
    eq(r.json["data"]["status"], "completed")
    got = m.get(REQUESTS + "/" + req["id"]).json["data"]
    eq((got["status"], got["transactionId"]), ("paid", tx))
    assert got["paidAt"], got
    is_error(pay(funded_user(5000), m, 89.5, req["id"]), 409, "conflict")
    eq(sql_one("SELECT count(*) FROM transactions WHERE "
               "payment_request_id = :'p1'", req["id"]), "1")


def test_two_payers_at_once_pay_it_once():
    m = shop()
    req = ask(m, 20)
    payers = [funded_user(500) for _ in range(6)]
    out = []
    lock = threading.Lock()

    def one(p):
        r = pay(p, m, 20, req["id"])
        with lock:
            out.append(r.status)

    ts = [threading.Thread(target=one, args=(p,)) for p in payers]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    eq(sorted(out), [201] + [409] * 5)
    eq(sql_one("SELECT count(*) FROM transactions WHERE "
               "payment_request_id = :'p1'", req["id"]), "1")


def test_expired_unknown_and_another_shops_requests_are_refused():
    m = shop()
    other = shop()
    req = ask(m, 15, expiresIn=60)
    payer = funded_user(500)
    sql("UPDATE payment_requests SET expires_at = now() - interval '1 s' "
        "WHERE id = :'p1'", req["id"])
    is_error(pay(payer, m, 15, req["id"]), 409, "conflict")
    eq(m.get(REQUESTS + "/" + req["id"]).json["data"]["status"], "expired")
    is_error(pay(payer, other, 15, ask(m, 15)["id"]), 404, "not_found")
    is_error(pay(payer, m, 15, "preq_0123456789abcdef"), 404, "not_found")
    is_error(pay(payer, m, 15, "nope"), 404, "not_found")
    is_error(other.get(REQUESTS + "/" + req["id"]), 404, "not_found")
    for body in ({"amount": 0}, {"amount": 10, "expiresIn": 59},
                 {"amount": 10, "expiresIn": 604801},
                 {"amount": 10, "expiresIn": 1.5},
                 {"amount": 10, "description": "x" * 141}):
        is_error(m.post(REQUESTS, body), 422, "validation_error")
    eq(sql_one("SELECT balance FROM bank_accounts WHERE id = :'p1'",
               payer.account["id"]), "50000")


def test_a_failed_payment_frees_the_request():
    m = shop()
    req = ask(m, 30)
    payer = sca_user()
    set_balance(payer.account["id"], 500)
    r = pay(payer, m, 30, req["id"])
    eq(r.json["data"]["status"], "pending_authorisation")
    eq(m.get(REQUESTS + "/" + req["id"]).json["data"]["status"], "paying")
    sca_form(r.json["data"]["authorisation"]["url"], "reject")
    eq(wait_status(payer, r.json["data"]["id"], ("failed",))["status"],
       "failed")
    eq(m.get(REQUESTS + "/" + req["id"]).json["data"]["status"], "open")
    r = pay(funded_user(500), m, 30, req["id"])
    eq((r.status, r.json["data"]["status"]), (201, "completed"))


def test_a_till_asks_with_its_key():
    m = shop()
    k = new_key(m, ["requests:write", "payments:read"])
    t = till(k["key"])
    r = t.post(REQUESTS, {"amount": 42})
    eq(r.status, 201, "by key %r" % r)
    eq(t.get(REQUESTS + "/" + r.json["data"]["id"]).status, 200)
    read_only = till(new_key(m, ["payments:read"])["key"])
    is_error(read_only.post(REQUESTS, {"amount": 42}), 403, "forbidden")
