"""Money movement: bank accounts, rates, recipients, remittances, QR
payments, idempotency, settlement, history (contract §5-8, §12)."""

import threading
import time

from harness import (Client, admin, approve, detail_fields,
                     bank, eq, fresh_ip, is_error, register, sql, sql_one)
from money_helpers import (MERCHANT, account_number, add_recipient,
                           balance_ore, funded_user, link, new_client_like,
                           remit, sandbox_balance, set_balance, settle)


# --- bank accounts --------------------------------------------------------

def test_link_reads_balance_and_first_is_primary():
    c = register()
    n1 = account_number()
    r = link(c, n1)
    a = r.json["data"]
    assert a["id"].startswith("ba_"), a
    eq(a["accountNumber"], n1)
    eq(a["balance"], sandbox_balance(n1))
    eq(a["currency"], "NOK")
    eq(a["isPrimary"], True)
    eq(a["bankName"], "DNB")
    assert a["balanceUpdatedAt"].endswith("Z")
    n2 = account_number()
    dotted = "%s.%s.%s" % (n2[:4], n2[4:6], n2[6:])
    b = link(c, dotted).json["data"]
    eq(b["accountNumber"], n2)
    eq(b["isPrimary"], False)
    lst = c.get("/api/bank-accounts").json["data"]
    eq([x["id"] for x in lst], [a["id"], b["id"]])
    me = c.get("/api/users/me").json["data"]
    eq(len(me["bankAccounts"]), 2)
    eq(me["totalBalance"], sandbox_balance(n1) + sandbox_balance(n2))
    eq(sql_one("SELECT sum(delta) FROM balance_events WHERE "
               "bank_account_id = :'p1'", a["id"]),
       str(sandbox_balance(n1) * 100))


def test_link_rejects_bad_numbers_and_duplicates():
    c = register()
    n = account_number()
    bad = n[:-1] + str((int(n[-1]) + 1) % 10)
    r = c.post("/api/bank-accounts", {"bankName": "DNB", "accountNumber": bad})
    is_error(r, 422, "validation_error")
    eq(detail_fields(r), ["accountNumber"])
    for junk in ["1234", "1234.56.7890", "abcdefghijk", "1234-56-78903"]:
        r = c.post("/api/bank-accounts", {"bankName": "DNB",
                                          "accountNumber": junk})
        is_error(r, 422, "validation_error")
    link(c, n)
    is_error(c.post("/api/bank-accounts", {"bankName": "DNB",
                                           "accountNumber": n}),
             409, "conflict")
    is_error(c.post("/api/bank-accounts", {"accountNumber": n}), 400,
             "bad_request")
    is_error(Client().get("/api/bank-accounts"), 401, "unauthorized")


def test_unavailable_bank_is_503():
    c = register()
    r = c.post("/api/bank-accounts", {"bankName": "X",
                                      "accountNumber": account_number("7777")})
    is_error(r, 503, "unavailable")


def test_primary_can_be_moved_and_refresh_rereads():
    c = register()
    a = link(c).json["data"]
    b = link(c).json["data"]
    r = c.patch("/api/bank-accounts/%s" % b["id"], {"isPrimary": True})
    eq(r.status, 200)
    eq(r.json["data"]["isPrimary"], True)
    lst = {x["id"]: x["isPrimary"] for x in
           c.get("/api/bank-accounts").json["data"]}
    eq(lst, {a["id"]: False, b["id"]: True})
    is_error(c.patch("/api/bank-accounts/%s" % b["id"], {"isPrimary": False}),
             422, "validation_error")
    # Drop's copy drifts (an operator correction); refresh reads the bank.
    r = admin("PUT", "/internal/bank-accounts/%s/balance" % a["id"],
              {"balance": 12.34})
    eq(r.status, 200)
    eq(c.get("/api/bank-accounts").json["data"][0]["balance"], 12.34)
    r = c.post("/api/bank-accounts/%s/refresh" % a["id"])
    eq(r.status, 200)
    eq(r.json["data"]["balance"], sandbox_balance(a["accountNumber"]))
    bank("POST", "/sandbox/accounts/" + a["accountNumber"],
         {"balance": 1234})
    r = c.post("/api/bank-accounts/%s/refresh" % a["id"])
    eq(r.json["data"]["balance"], 12.34)
    other = register()
    is_error(other.post("/api/bank-accounts/%s/refresh" % a["id"]), 404,
             "not_found")
    is_error(other.patch("/api/bank-accounts/%s" % a["id"],
                         {"isPrimary": True}), 404, "not_found")
    is_error(c.post("/api/bank-accounts/nope/refresh"), 404, "not_found")


def test_internal_balance_update_is_audited():
    c = register()
    a = link(c).json["data"]
    r = admin("PUT", "/internal/bank-accounts/%s/balance" % a["id"],
              {"balance": 1234.56})
    eq(r.status, 200)
    eq(r.json["data"]["balance"], 1234.56)
    eq(balance_ore(a["id"]), 123456)
    row = sql("SELECT before->>'balance', after->>'balance' FROM audit_log "
              "WHERE entity_id = :'p1' ORDER BY id DESC LIMIT 1", a["id"])
    eq(row[0], [str(sandbox_balance(a["accountNumber"]) * 100), "123456"])
    is_error(admin("PUT", "/internal/bank-accounts/%s/balance" % a["id"],
                   {"balance": 1.234}), 422, "validation_error")
    is_error(admin("PUT", "/internal/bank-accounts/%s/balance" % a["id"],
                   {"balance": -1}), 422, "validation_error")
    is_error(admin("PUT", "/internal/bank-accounts/%s/balance" % a["id"],
                   {"balance": "5"}), 400, "bad_request")
    is_error(admin("PUT", "/internal/bank-accounts/ba_0000000000000000/"
                   "balance", {"balance": 5}), 404, "not_found")
    is_error(admin("PUT", "/internal/bank-accounts/%s/balance" % a["id"],
                   {"balance": 5}, token="x" * 30), 401, "unauthorized")


# --- rates ----------------------------------------------------------------

def test_rates_list_and_single():
    r = Client().get("/api/rates")
    eq(r.status, 200)
    d = r.json["data"]
    eq(d["baseCurrency"], "NOK")
    for cur in ["RSD", "BAM", "PLN", "PKR", "TRY", "EUR"]:
        assert cur in d["rates"], d
    assert d["updatedAt"].endswith("Z")
    one = Client().get("/api/rates/pln").json["data"]
    eq(one["currency"], "PLN")
    eq(one["baseCurrency"], "NOK")
    eq(one["fee"], 0.005)
    eq(one["rate"], d["rates"]["PLN"])
    is_error(Client().get("/api/rates/XYZ"), 404, "not_found")
    is_error(Client().get("/api/rates/toolong"), 404, "not_found")


def test_rate_change_reaches_every_worker_within_a_second():
    old = Client().get("/api/rates/EUR").json["data"]["rate"]
    try:
        r = admin("PUT", "/internal/rates/eur", {"rate": 0.0912})
        eq(r.status, 200)
        eq(r.json["data"]["currency"], "EUR")
        eq(r.json["data"]["rate"], 0.0912)
        time.sleep(1.0)
        for _ in range(12):
            eq(Client().get("/api/rates/EUR").json["data"]["rate"], 0.0912)
        eq(sql_one("SELECT after->>'rate' FROM audit_log WHERE "
                   "action = 'rate.update' ORDER BY id DESC LIMIT 1"),
           "0.091200")
    finally:
        admin("PUT", "/internal/rates/EUR", {"rate": old})
    is_error(admin("PUT", "/internal/rates/XXX", {"rate": 1}), 404,
             "not_found")
    is_error(admin("PUT", "/internal/rates/EUR", {"rate": 0}), 422,
             "validation_error")


def test_rates_are_rate_limited_at_120_per_minute():
    ip = fresh_ip()
    c = Client(ip=ip)
    codes = [c.get("/api/rates").status for _ in range(121)]
    eq(codes[:120], [200] * 120)
    is_error(c.get("/api/rates/RSD"), 429, "rate_limited")


# --- recipients -----------------------------------------------------------

def test_recipients_add_list_delete():
    c = register()
    r = c.post("/api/recipients", {"name": "  Ana Kovač ", "country": "BA",
                                   "bankAccount": "BA39 1290 0794 0102 8494",
                                   "bankName": "x" * 250})
    eq(r.status, 201)
    d = r.json["data"]
    eq(d["name"], "Ana Kovač")
    eq(d["currency"], "BAM")
    eq(d["bankAccount"], "*****8494")
    eq(len(d["bankName"]), 200)
    assert d["id"].startswith("rcp_")
    ids = [d["id"]] + [add_recipient(c)["id"] for _ in range(2)]
    r = c.get("/api/recipients?limit=2")
    eq(r.status, 200)
    cursor = r.json["pagination"].pop("nextCursor")
    assert isinstance(cursor, str) and cursor, cursor
    eq(r.json["pagination"], {"page": 1, "limit": 2, "total": 3,
                              "totalPages": 2, "hasNextPage": True,
                              "hasPreviousPage": False})
    eq([x["id"] for x in r.json["data"]], [ids[2], ids[1]])
    r = c.get("/api/recipients?page=2&limit=2")
    eq([x["id"] for x in r.json["data"]], [ids[0]])
    r = c.get("/api/recipients?page=9")
    eq(r.json["data"], [])
    eq(r.json["pagination"]["total"], 3)
    eq(c.delete("/api/recipients/%s" % ids[0]).status, 204)
    is_error(c.delete("/api/recipients/%s" % ids[0]), 404, "not_found")
    eq(c.get("/api/recipients").json["pagination"]["total"], 2)
    is_error(register().delete("/api/recipients/%s" % ids[1]), 404,
             "not_found")
    is_error(c.delete("/api/recipients/garbage"), 404, "not_found")


def test_recipients_validation():
    c = register()
    r = c.post("/api/recipients", {"name": "<b>x</b>", "country": "SE",
                                   "bankAccount": "ab", "currency": "SEK"})
    is_error(r, 422, "validation_error")
    eq(detail_fields(r), ["bankAccount", "country", "name"])
    r = c.post("/api/recipients", {"name": "Jan", "country": "PL",
                                   "currency": "EUR",
                                   "bankAccount": "PL61109010140000071219812874"})
    is_error(r, 422, "validation_error")
    eq(detail_fields(r), ["currency"])
    eq(add_recipient(c, "PL", "PLN")["currency"], "PLN")
    is_error(c.post("/api/recipients", {"name": "Jan", "country": "PL"}),
             400, "bad_request")
    for q in ["page=0", "page=abc", "limit=51", "limit=0", "page="]:
        is_error(c.get("/api/recipients?" + q), 422, "validation_error")


# --- remittances ----------------------------------------------------------

def test_remittance_debits_total_and_records_processing():
    c = funded_user(5000)
    rcp = add_recipient(c)
    rate = Client().get("/api/rates/RSD").json["data"]["rate"]
    r = remit(c, rcp["id"], 1000)
    eq(r.status, 201)
    d = r.json["data"]
    assert d["id"].startswith("tx_rem_"), d
    eq(d["type"], "remittance")
    eq(d["status"], "processing")
    eq(d["sendAmount"], 1000)
    eq(d["sendCurrency"], "NOK")
    eq(d["fee"], 5)
    eq(d["feePercent"], 0.5)
    eq(d["total"], 1005)
    eq(d["receiveCurrency"], "RSD")
    eq(d["exchangeRate"], rate)
    eq(round(d["receiveAmount"] * 100), round(1000 * rate * 100))
    eq(d["recipientName"], "Marko Petrović")
    eq(d["recipientCountry"], "RS")
    eq(d["fromAccount"], c.account["accountNumber"])
    eq(d["eta"], "2-4 business days")
    eq(balance_ore(c.account["id"]), 500000 - 100500)
    eq(sql_one("SELECT count(*) FROM notifications WHERE transaction_id = "
               ":'p1'", d["id"]), "1")


def test_remittance_fee_rounding_half_up():
    c = funded_user(60000)
    rcp = add_recipient(c, "PL")
    cases = [(100, 0.5), (100.01, 0.5), (101, 0.51), (100.99, 0.5),
             (333.33, 1.67), (1234.56, 6.17), (50000, 250)]
    for amount, fee in cases:
        r = new_client_like(c).post("/api/transactions/remittance",
                                    {"recipientId": rcp["id"],
                                     "amount": amount})
        eq(r.status, 201, repr(r))
        eq(r.json["data"]["fee"], fee, "fee of %s" % amount)
        eq(r.json["data"]["total"], round(amount + fee, 2))
        eq(r.json["data"]["eta"], "1-2 business days")


def test_remittance_amount_limits_and_decimals():
    c = funded_user(60000)
    rcp = add_recipient(c)
    for bad in [99.99, 50000.01, 0, -100, 100.001, 1e9]:
        r = new_client_like(c).post("/api/transactions/remittance",
                                    {"recipientId": rcp["id"], "amount": bad})
        is_error(r, 422, "validation_error")
        eq(detail_fields(r), ["amount"])
    for ok in [100, 50000]:
        eq(new_client_like(c).post("/api/transactions/remittance",
                                   {"recipientId": rcp["id"],
                                    "amount": ok}).status, 201)
    r = remit(c, rcp["id"], 100, body={"currency": "EUR"})
    is_error(r, 422, "validation_error")
    eq(detail_fields(r), ["currency"])
    is_error(remit(c, rcp["id"], "100"), 400, "bad_request")
    is_error(c.post("/api/transactions/remittance", {"amount": 100}), 400,
             "bad_request")


def test_remittance_business_errors():
    # KYC pending
    c = funded_user(1000, kyc=False)
    rcp = add_recipient(c)
    is_error(remit(c, rcp["id"], 100), 403, "kyc_required")
    # no bank account
    u = register()
    approve(u)
    r2 = add_recipient(u)
    is_error(remit(u, r2["id"], 100), 400, "no_bank_account")
    # insufficient balance: 100.50 needed
    p = funded_user(100.49)
    r3 = add_recipient(p)
    is_error(remit(p, r3["id"], 100), 402, "insufficient_balance")
    eq(balance_ore(p.account["id"]), 10049)
    set_balance(p.account["id"], 100.50)
    eq(new_client_like(p).post("/api/transactions/remittance",
                               {"recipientId": r3["id"],
                                "amount": 100}).status, 201)
    eq(balance_ore(p.account["id"]), 0)
    # another user's recipient, a deleted one, a malformed id
    q = funded_user(1000)
    is_error(remit(q, r3["id"], 100), 404, "not_found")
    own = add_recipient(q)
    eq(q.delete("/api/recipients/%s" % own["id"]).status, 204)
    is_error(new_client_like(q).post("/api/transactions/remittance",
                                     {"recipientId": own["id"],
                                      "amount": 100}), 404, "not_found")
    is_error(new_client_like(q).post("/api/transactions/remittance",
                                     {"recipientId": "rcp_zz",
                                      "amount": 100}), 404, "not_found")
    # another user's bank account
    mine = add_recipient(q)
    is_error(new_client_like(q).post(
        "/api/transactions/remittance",
        {"recipientId": mine["id"], "amount": 100,
         "bankAccountId": p.account["id"]}), 404, "not_found")
    eq(balance_ore(p.account["id"]), 0)
    # CSRF is required with the cookie
    is_error(q.post("/api/transactions/remittance",
                    {"recipientId": mine["id"], "amount": 100}, csrf=False),
             403, "csrf_failed")


def test_unsupported_corridor_is_422_and_debits_nothing():
    c = funded_user(1000)
    rcp = add_recipient(c, "TR")
    rate = sql_one("SELECT rate FROM exchange_rates WHERE currency = 'TRY'")
    sql("DELETE FROM exchange_rates WHERE currency = 'TRY'")
    try:
        r = remit(c, rcp["id"], 100)
        is_error(r, 422, "validation_error")
        eq(detail_fields(r), ["recipientId"])
        eq(balance_ore(c.account["id"]), 100000)
    finally:
        sql("INSERT INTO exchange_rates (currency, rate) VALUES "
            "('TRY', :'p1')", rate)


def test_remittance_from_a_chosen_account():
    c = funded_user(1000)
    second = link(c).json["data"]
    set_balance(second["id"], 500)
    rcp = add_recipient(c)
    r = remit(c, rcp["id"], 200, body={"bankAccountId": second["id"]})
    eq(r.status, 201)
    eq(r.json["data"]["fromAccount"], second["accountNumber"])
    eq(balance_ore(second["id"]), 50000 - 20100)
    eq(balance_ore(c.account["id"]), 100000)


def test_bank_refusing_the_payment_fails_and_refunds_it():
    c = register()
    approve(c)
    a = link(c, account_number("6666")).json["data"]
    set_balance(a["id"], 1000)
    rcp = add_recipient(c)
    r = remit(c, rcp["id"], 100)
    eq(r.status, 201)
    eq(r.json["data"]["status"], "failed")
    eq(balance_ore(a["id"]), 100000)
    eq(sql_one("SELECT count(*) FROM notifications WHERE transaction_id = "
               ":'p1'", r.json["data"]["id"]), "2")


# --- QR payments ----------------------------------------------------------

def test_qr_payment_debits_amount_merchant_bears_fee():
    c = funded_user(500)
    r = c.post("/api/transactions/qr-payment", {"merchantId": MERCHANT,
                                                "amount": 129.9})
    eq(r.status, 201)
    d = r.json["data"]
    assert d["id"].startswith("tx_qr_"), d
    eq(d["type"], "qr_payment")
    eq(d["status"], "completed")
    eq(d["amount"], 129.9)
    eq(d["currency"], "NOK")
    eq(d["fee"], 1.3)
    eq(d["feePercent"], 1)
    eq(d["merchantName"], "Kafé Oslo")
    eq(d["merchantId"], MERCHANT)
    eq(d["fromAccount"], c.account["accountNumber"])
    eq(balance_ore(c.account["id"]), 50000 - 12990)
    det = c.get("/api/transactions/%s" % d["id"]).json["data"]
    # Completed when the bank booked it: after it was created.
    assert det["completedAt"] >= det["createdAt"], det
    eq(det["bankReference"], sql_one(
        "SELECT bank_payment_id FROM transactions WHERE id = :'p1'", d["id"]))


def test_qr_payment_errors():
    c = funded_user(50)
    for bad in [0.99, 100000.01, 1.001]:
        r = new_client_like(c).post("/api/transactions/qr-payment",
                                    {"merchantId": MERCHANT, "amount": bad})
        is_error(r, 422, "validation_error")
    is_error(new_client_like(c).post("/api/transactions/qr-payment",
                                     {"merchantId": MERCHANT,
                                      "amount": 50.01}),
             402, "insufficient_balance")
    eq(new_client_like(c).post("/api/transactions/qr-payment",
                               {"merchantId": MERCHANT,
                                "amount": 1}).status, 201)
    is_error(new_client_like(c).post("/api/transactions/qr-payment",
                                     {"merchantId": "mer_0000000000000000",
                                      "amount": 1}), 404, "not_found")
    u = register()
    is_error(u.post("/api/transactions/qr-payment",
                    {"merchantId": MERCHANT, "amount": 1}),
             400, "no_bank_account")
    m = Client()
    eq(m.post("/api/auth/login", {"email": "merchant@drop.example",
                                  "password": "DemoPass123"}).status, 200)
    link(m)
    before = sql_one("SELECT sum(balance) FROM bank_accounts WHERE user_id = "
                     "'usr_00000000000000d2'")
    r = m.post("/api/transactions/qr-payment", {"merchantId": MERCHANT,
                                                "amount": 10})
    is_error(r, 422, "validation_error")
    eq(detail_fields(r), ["merchantId"])
    eq(sql_one("SELECT sum(balance) FROM bank_accounts WHERE user_id = "
               "'usr_00000000000000d2'"), before)


# --- idempotency ----------------------------------------------------------

def test_idempotent_retry_returns_first_answer_without_second_debit():
    c = funded_user(1000)
    rcp = add_recipient(c)
    h = {"Idempotency-Key": "retry-%s" % c.user_id}
    a = remit(new_client_like(c), rcp["id"], 100, headers=h)
    b = remit(new_client_like(c), rcp["id"], 100, headers=h)
    eq(a.status, 201)
    eq(b.status, 201)
    eq(b.json, a.json)
    eq(balance_ore(c.account["id"]), 100000 - 10050)
    r = remit(new_client_like(c), rcp["id"], 101, headers=h)
    is_error(r, 409, "idempotency_conflict")
    eq(balance_ore(c.account["id"]), 100000 - 10050)
    # a failed first attempt is replayed as the same failure
    h2 = {"Idempotency-Key": "poor-%s" % c.user_id}
    x = remit(new_client_like(c), rcp["id"], 50000, headers=h2)
    is_error(x, 402, "insufficient_balance")
    set_balance(c.account["id"], 60000)
    y = remit(new_client_like(c), rcp["id"], 50000, headers=h2)
    is_error(y, 402, "insufficient_balance")
    is_error(remit(new_client_like(c), rcp["id"], 100,
                   headers={"Idempotency-Key": "k" * 256}),
             422, "validation_error")
    q = c.post("/api/transactions/qr-payment", {"merchantId": MERCHANT,
                                                "amount": 5}, headers=h)
    is_error(q, 409, "idempotency_conflict")


def test_concurrent_retries_with_one_key_debit_once():
    c = funded_user(1000)
    rcp = add_recipient(c)
    key = {"Idempotency-Key": "race-%s" % c.user_id}
    out = []

    def one():
        out.append(remit(new_client_like(c), rcp["id"], 100, headers=key))

    ts = [threading.Thread(target=one) for _ in range(10)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    eq(sorted(r.status for r in out), [201] * 10)
    eq(len({r.json["data"]["id"] for r in out}), 1)
    eq(balance_ore(c.account["id"]), 100000 - 10050)
    eq(sql_one("SELECT count(*) FROM transactions WHERE user_id = :'p1'",
               c.user_id), "1")


def test_concurrent_payments_never_overdraw():
    c = funded_user(1500)
    rcp = add_recipient(c)
    out = []

    def one(i):
        if i % 2:
            out.append(remit(new_client_like(c), rcp["id"], 100))
        else:
            out.append(new_client_like(c).post(
                "/api/transactions/qr-payment",
                {"merchantId": MERCHANT, "amount": 100.5}))

    ts = [threading.Thread(target=one, args=(i,)) for i in range(24)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    ok = [r for r in out if r.status == 201]
    eq(len(ok), 14, "successes")
    eq(sorted({r.status for r in out}), [201, 402])
    eq(balance_ore(c.account["id"]), 150000 - 14 * 10050)
    eq(sql_one("SELECT count(*) FROM transactions WHERE user_id = :'p1'",
               c.user_id), "14")


# --- settlement -----------------------------------------------------------

def test_settle_completed_then_conflict():
    c = funded_user(1000)
    rcp = add_recipient(c)
    tx = remit(c, rcp["id"], 100).json["data"]["id"]
    r = settle(tx, "completed")
    eq(r.status, 200)
    eq(r.json["data"]["status"], "completed")
    assert r.json["data"]["completedAt"], r
    is_error(settle(tx, "completed"), 409, "conflict")
    is_error(settle(tx, "failed"), 409, "conflict")
    eq(balance_ore(c.account["id"]), 100000 - 10050)
    eq(sql_one("SELECT count(*) FROM notifications WHERE transaction_id = "
               ":'p1'", tx), "2")
    rec = c.get("/api/transactions/%s/receipt" % tx).json["data"]
    eq(rec["estimatedCompletion"], None)
    eq(rec["status"], "completed")


def test_settle_failed_refunds_total():
    c = funded_user(1000)
    rcp = add_recipient(c)
    tx = remit(c, rcp["id"], 333.33).json["data"]["id"]
    eq(balance_ore(c.account["id"]), 100000 - 33500)
    r = settle(tx, "failed")
    eq(r.status, 200)
    eq(r.json["data"]["status"], "failed")
    eq(r.json["data"]["completedAt"], None)
    eq(balance_ore(c.account["id"]), 100000)
    is_error(settle(tx, "failed"), 409, "conflict")
    eq(balance_ore(c.account["id"]), 100000)
    eq(sql_one("SELECT count(*) FROM notifications WHERE transaction_id = "
               ":'p1' AND type = 'remittance_failed'", tx), "1")


def test_settle_errors():
    c = funded_user(100)
    q = c.post("/api/transactions/qr-payment", {"merchantId": MERCHANT,
                                                "amount": 5}).json["data"]
    is_error(settle(q["id"], "completed"), 409, "conflict")
    is_error(settle("tx_rem_0000000000000000", "completed"), 404,
             "not_found")
    is_error(settle("bogus", "completed"), 404, "not_found")
    is_error(admin("POST", "/internal/transactions/%s/settle" % q["id"],
                   {"status": "done"}), 422, "validation_error")
    is_error(admin("POST", "/internal/transactions/%s/settle" % q["id"],
                   {"status": "completed"}, token="nope"), 401,
             "unauthorized")


# --- history --------------------------------------------------------------

def test_history_list_filters_and_scoping():
    c = funded_user(5000)
    rcp = add_recipient(c)
    t1 = remit(c, rcp["id"], 100).json["data"]["id"]
    t2 = new_client_like(c).post("/api/transactions/qr-payment",
                                 {"merchantId": MERCHANT,
                                  "amount": 20.5}).json["data"]["id"]
    t3 = remit(new_client_like(c), rcp["id"], 200).json["data"]["id"]
    settle(t3, "failed")
    r = c.get("/api/transactions")
    eq(r.status, 200)
    eq([t["id"] for t in r.json["data"]], [t3, t2, t1])
    first = r.json["data"][2]
    eq(first["amount"], -100)
    eq(first["recipientName"], "Marko Petrović")
    assert "merchantName" not in first
    eq(r.json["data"][1]["amount"], -20.5)
    eq(r.json["data"][1]["merchantName"], "Kafé Oslo")
    eq(r.json["pagination"]["total"], 3)
    eq([t["id"] for t in c.get("/api/transactions?type=qr_payment")
        .json["data"]], [t2])
    eq([t["id"] for t in c.get("/api/transactions?status=failed")
        .json["data"]], [t3])
    eq(c.get("/api/transactions?limit=1&page=2").json["data"][0]["id"], t2)
    is_error(c.get("/api/transactions?type=card"), 422, "validation_error")
    is_error(c.get("/api/transactions?status=done"), 422, "validation_error")
    is_error(c.get("/api/transactions?limit=51"), 422, "validation_error")
    other = register()
    eq(other.get("/api/transactions").json["data"], [])
    is_error(other.get("/api/transactions/%s" % t1), 404, "not_found")
    is_error(other.get("/api/transactions/%s/receipt" % t1), 404, "not_found")
    is_error(c.get("/api/transactions/tx_rem_xyz"), 404, "not_found")
    # a deleted recipient stays readable in past transactions
    eq(c.delete("/api/recipients/%s" % rcp["id"]).status, 204)
    eq(c.get("/api/transactions/%s" % t1).json["data"]["recipientName"],
       "Marko Petrović")


def test_summary_excludes_failed():
    c = funded_user(5000)
    rcp = add_recipient(c)
    remit(c, rcp["id"], 100)
    bad = remit(new_client_like(c), rcp["id"], 300).json["data"]["id"]
    settle(bad, "failed")
    new_client_like(c).post("/api/transactions/qr-payment",
                            {"merchantId": MERCHANT, "amount": 49.99})
    d = c.get("/api/transactions/summary").json["data"]
    want = {"totalCount": 2, "totalSent": 100, "totalPaid": 49.99,
            "remittanceCount": 1, "qrPaymentCount": 1}
    eq(d["allTime"], want)
    eq(d["thisMonth"], want)


def test_detail_and_receipt_shapes():
    c = funded_user(5000)
    rcp = add_recipient(c, "PL")
    tx = remit(c, rcp["id"], 1000).json["data"]
    d = c.get("/api/transactions/%s" % tx["id"]).json["data"]
    for k in ["id", "type", "status", "sendAmount", "sendCurrency",
              "receiveAmount", "receiveCurrency", "exchangeRate", "fee",
              "total", "recipientName", "recipientCountry", "createdAt",
              "completedAt"]:
        assert k in d, k
    eq(d["sendAmount"], 1000)
    eq(d["completedAt"], None)
    rc = c.get("/api/transactions/%s/receipt" % tx["id"]).json["data"]
    eq(rc["transactionId"], tx["id"])
    eq(rc["amount"], 1000)
    eq(rc["fee"], 5)
    eq(rc["recipient"], {"name": "Marko Petrović", "country": "PL"})
    assert rc["reference"], rc
    est = rc["estimatedCompletion"]
    assert len(est) == 10 and est[4] == "-", est
    q = new_client_like(c).post("/api/transactions/qr-payment",
                                {"merchantId": MERCHANT,
                                 "amount": 10}).json["data"]
    rq = c.get("/api/transactions/%s/receipt" % q["id"]).json["data"]
    eq(rq["merchant"], {"id": MERCHANT, "name": "Kafé Oslo"})
    eq(rq["estimatedCompletion"], None)
    dq = c.get("/api/transactions/%s" % q["id"]).json["data"]
    eq(sorted(dq.keys()), sorted(["id", "type", "status", "amount",
                                  "currency", "fee", "merchantName",
                                  "merchantId", "refundedAmount",
                                  "createdAt", "completedAt",
                                  "bankReference"]))
    eq(dq["refundedAmount"], 0)


def test_disclosure_numbers():
    c = funded_user(100)
    rcp = add_recipient(c, "PK")
    rate = Client().get("/api/rates/PKR").json["data"]["rate"]
    r = c.post("/api/transactions/disclosure", {"type": "remittance",
                                                "amount": 101,
                                                "recipientId": rcp["id"]})
    eq(r.status, 200)
    d = r.json["data"]
    eq(d["amount"], 101)
    eq(d["fee"], 0.51)
    eq(d["feePercentage"], 0.5)
    eq(d["exchangeRate"], rate)
    eq(round(d["receiveAmount"] * 100), round(101 * rate * 100))
    eq(d["receiveCurrency"], "PKR")
    eq(d["estimatedDelivery"], "2-4 business days")
    eq(d["totalCost"], 101.51)
    q = c.post("/api/transactions/disclosure", {"type": "qr_payment",
                                                "amount": 250}).json["data"]
    eq(q, {"amount": 250, "fee": 2.5, "feePercentage": 1, "exchangeRate": 1,
           "receiveAmount": 250, "receiveCurrency": "NOK",
           "estimatedDelivery": "Instant", "totalCost": 250})
    r = c.post("/api/transactions/disclosure", {"type": "remittance",
                                                "amount": 100})
    is_error(r, 422, "validation_error")
    eq(detail_fields(r), ["recipientId"])
    is_error(c.post("/api/transactions/disclosure", {"type": "card",
                                                     "amount": 100}),
             422, "validation_error")
    is_error(register().post("/api/transactions/disclosure",
                             {"type": "remittance", "amount": 100,
                              "recipientId": rcp["id"]}), 404, "not_found")


def test_qr_disclosure_names_the_shop_and_refuses_unknown_and_own():
    payer = funded_user(500)
    shop = register()
    r = shop.post("/api/merchants/register", {
        "businessName": "Kiosk Grønland", "orgNumber": "8%08d" % (
            int(time.time() * 1000) % 100000000),
        "bankAccount": account_number()})
    eq(r.status, 201, "merchant %r" % r)
    mid = r.json["data"]["merchantId"]
    r = payer.post("/api/transactions/disclosure",
                   {"type": "qr_payment", "amount": 149.5, "merchantId": mid})
    eq(r.status, 200)
    eq(r.json["data"], {"amount": 149.5, "fee": 1.5, "feePercentage": 1,
                        "exchangeRate": 1, "receiveAmount": 149.5,
                        "receiveCurrency": "NOK", "estimatedDelivery":
                        "Instant", "totalCost": 149.5, "merchantId": mid,
                        "merchantName": "Kiosk Grønland"})
    # A made-up shop is refused at the review, not at Confirm.
    for bad in ["mer_ffffffffffffffff", "mer_123", "drop://pay/" + mid]:
        r = payer.post("/api/transactions/disclosure",
                       {"type": "qr_payment", "amount": 10,
                        "merchantId": bad})
        is_error(r, 404, "not_found")
    # The owner is told at the review too, in the payment's own words.
    r = shop.post("/api/transactions/disclosure",
                  {"type": "qr_payment", "amount": 10, "merchantId": mid})
    is_error(r, 422, "validation_error")
    eq(r.json["details"], [{"field": "merchantId",
                            "message": "you cannot pay your own shop"}])
    # An inactive shop (its owner erased the account) is unknown.
    sql("UPDATE merchants SET active = false WHERE id = :'p1'", mid)
    is_error(payer.post("/api/transactions/disclosure",
                        {"type": "qr_payment", "amount": 10,
                         "merchantId": mid}), 404, "not_found")


def test_history_rows_show_what_left_the_account():
    c = funded_user(5000)
    rcp = add_recipient(c, "RS")
    r = remit(c, rcp["id"], 1005)
    eq(r.status, 201, "remit %r" % r)
    p = c.post("/api/transactions/qr-payment",
               {"merchantId": MERCHANT, "amount": 20})
    eq(p.status, 201, "qr %r" % p)
    rows = {x["id"]: x for x in c.get("/api/transactions").json["data"]}
    sent = rows[r.json["data"]["id"]]
    eq((sent["amount"], sent["total"]), (-1005, -1010.03), "remittance")
    paid = rows[p.json["data"]["id"]]
    eq((paid["amount"], paid["total"]), (-20, -20), "QR: the shop pays")
    eq(int(sql_one("SELECT total FROM transactions WHERE id = :'p1'",
                   sent["id"])), 101003)
