"""The bank over PSD2 (contract §13): payments reach the user's bank (the
sandbox bank's own ledger shows the money move), SCA through the bank's
page, refusals, an unreachable and a slow bank, expiry, signed callbacks,
history, and funds that cannot be spent twice."""

import os
import subprocess
import threading
import time

from bank_helpers import (COLLECTION, bank_payments, bookings, events,
                          post_event, sca_form, sca_page, sca_user, tx_row,
                          wait_status)
from harness import (Client, admin, bank, eq, is_error, register, sql,
                     sql_one)
from money_helpers import (MERCHANT, account_number, add_recipient,
                           balance_ore, funded_user, link, new_client_like,
                           remit, set_balance, settle)
from test_merchants import new_merchant


def qr(c, amount, merchant=MERCHANT):
    return new_client_like(c).post("/api/transactions/qr-payment",
                                   {"merchantId": merchant,
                                    "amount": amount})


def ore(nok):
    return int(round(nok * 100))


def swap_number(c, prefix):
    """Points the user's account at a bank account that behaves by prefix
    (7777 unavailable, 4444 loses answers, 8888 slow): what Drop's records
    say is the debtor."""
    number = account_number(prefix)
    sql("UPDATE bank_accounts SET account_number = :'p1' WHERE id = :'p2'",
        number, c.account["id"])
    return number


# --- SCA-exempt accounts: at the bank within the 201 ----------------------

def test_exempt_qr_payment_is_booked_at_the_bank_within_the_201():
    c = funded_user(500)
    before = bank("GET", "/sandbox/ledger")["accounts"].get(COLLECTION, 0)
    r = qr(c, 129.9)
    eq(r.status, 201)
    d = r.json["data"]
    eq(d["status"], "completed")
    ref = d["bankReference"]
    assert ref, d
    eq(balance_ore(c.account["id"]), 50000 - 12990)
    b = bookings(d["id"])
    eq([(x["payment_id"], x["debtor"], x["creditor"], x["amount"])
        for x in b], [(ref, c.account["accountNumber"], COLLECTION, 12990)])
    ledger = bank("GET", "/sandbox/ledger")["accounts"]
    eq(ledger[c.account["accountNumber"]], 50000 - 12990)
    assert ledger[COLLECTION] - before >= 12990, ledger[COLLECTION]
    p = bank_payments(d["id"])
    eq(len(p), 1)
    eq(p[0]["product"], "instant-sepa-credit-transfers")
    assert "Kafé Oslo" in p[0]["remittance"], p[0]
    ev = events(c, d["id"])
    eq([e["status"] for e in ev], ["processing", "completed"])
    assert all(e["at"].endswith("Z") for e in ev), ev
    eq(sql_one("SELECT count(*) FROM notifications WHERE transaction_id = "
               ":'p1'", d["id"]), "1")


def test_remittance_pays_its_total_to_the_payout_partner():
    c = funded_user(5000)
    rcp = add_recipient(c, "PL", name="Anna Kowalska")
    r = remit(c, rcp["id"], 1000)
    eq(r.status, 201)
    d = r.json["data"]
    eq(d["status"], "processing")
    b = bookings(d["id"])
    eq([(x["debtor"], x["creditor"], x["amount"]) for x in b],
       [(c.account["accountNumber"], COLLECTION, 100500)])
    assert "Anna Kowalska" in b[0]["remittance"], b
    eq(bank_payments(d["id"])[0]["product"], "sepa-credit-transfers")
    eq(d["bankReference"], b[0]["payment_id"])
    eq(settle(d["id"], "completed").status, 200)
    rc = c.get("/api/transactions/%s/receipt" % d["id"]).json["data"]
    eq(rc["bankReference"], b[0]["payment_id"])
    eq([e["status"] for e in events(c, d["id"])],
       ["processing", "processing", "completed"])


# --- SCA: the bank's own page -----------------------------------------------

def test_sca_payment_waits_for_approval_then_completes():
    c = sca_user()
    start = balance_ore(c.account["id"])
    r = qr(c, 250)
    eq(r.status, 201)
    d = r.json["data"]
    eq(d["status"], "pending_authorisation")
    auth = d["authorisation"]
    assert auth["url"].startswith("https://"), auth
    left = time.mktime(time.strptime(auth["expiresAt"][:19],
                                     "%Y-%m-%dT%H:%M:%S")) - time.mktime(
        time.gmtime())
    assert 14 * 60 < left <= 15 * 60 + 5, auth
    eq(balance_ore(c.account["id"]), start - 25000)
    eq(bookings(d["id"]), [])
    # Polled meanwhile (every 2 s): the bank's RCVD is still waiting.
    time.sleep(2.5)
    eq(c.get("/api/transactions/%s" % d["id"]).json["data"]["status"],
       "pending_authorisation")
    status, page = sca_page(auth["url"])
    eq(status, 200)
    assert "Approve payment of 250,00\u00a0NOK to" in page, page
    status, back = sca_form(auth["url"], "approve")
    eq(status, 303)
    assert back.endswith("/#/tx/" + d["id"]), back
    done = wait_status(c, d["id"], ("completed", "failed"))
    eq(done["status"], "completed")
    assert "authorisation" not in done, done
    eq(len(bookings(d["id"])), 1)
    eq(balance_ore(c.account["id"]), start - 25000)
    eq([e["status"] for e in events(c, d["id"])],
       ["processing", "pending_authorisation", "processing", "completed"])


def test_sca_rejected_fails_and_releases_exactly_what_it_held():
    c = sca_user()
    rcp = add_recipient(c, "PL")
    start = balance_ore(c.account["id"])
    d = remit(c, rcp["id"], 500).json["data"]
    eq(d["status"], "pending_authorisation")
    held = ore(d["total"])
    eq(balance_ore(c.account["id"]), start - held)
    # A refresh while it waits: the bank still has the money; Drop must
    # not make it spendable again.
    r = c.post("/api/bank-accounts/%s/refresh" % c.account["id"])
    eq(ore(r.json["data"]["balance"]), start - held)
    is_error(settle(d["id"], "completed"), 409, "conflict")
    status, _ = sca_form(d["authorisation"]["url"], "reject")
    eq(status, 303)
    done = wait_status(c, d["id"], ("failed",))
    eq((done["status"], done["failureReason"]), ("failed",
                                                 "rejected_by_bank"))
    eq(balance_ore(c.account["id"]), start)
    r = c.post("/api/bank-accounts/%s/refresh" % c.account["id"])
    eq(ore(r.json["data"]["balance"]), start)
    eq(bookings(d["id"]), [])
    eq(sql("SELECT kind, delta FROM balance_events WHERE transaction_id = "
           ":'p1' ORDER BY id", d["id"]),
       [["debit", str(-held)], ["refund", str(held)]])
    eq(sql_one("SELECT count(*) FROM notifications WHERE transaction_id = "
               ":'p1' AND type = 'remittance_failed'", d["id"]), "1")


def test_unapproved_payment_expires_and_is_cancelled_at_the_bank():
    c = sca_user()
    start = balance_ore(c.account["id"])
    d = qr(c, 40).json["data"]
    eq(d["status"], "pending_authorisation")
    sql("UPDATE transactions SET sca_expires_at = now() - interval '1 s' "
        "WHERE id = :'p1'", d["id"])
    done = wait_status(c, d["id"], ("failed",))
    eq((done["status"], done["failureReason"]), ("failed", "expired"))
    eq(balance_ore(c.account["id"]), start)
    deadline = time.time() + 10
    while bank_payments(d["id"])[0]["status"] != "CANC":
        assert time.time() < deadline, bank_payments(d["id"])
        time.sleep(0.2)
    # Approving at the bank now is too late: nothing moves.
    sca_form(d["authorisation"]["url"], "approve")
    eq(bookings(d["id"]), [])


def test_consent_needing_sca_leaves_the_account_pending():
    c = register()
    approve_kyc = admin("POST", "/internal/users/%s/kyc" % c.user_id,
                        {"status": "approved"})
    eq(approve_kyc.status, 200)
    a = link(c, account_number("5555")).json["data"]
    eq((a["status"], a["balance"]), ("pending_consent", 0))
    assert a["authorisation"]["url"].startswith("https://"), a
    status, page = sca_page(a["authorisation"]["url"])
    assert "Allow Drop to read the balance of account" in page, page
    # Not approved yet: still pending, and it cannot pay.
    r = c.post("/api/bank-accounts/%s/refresh" % a["id"])
    eq(r.json["data"]["status"], "pending_consent")
    is_error(qr(c, 10), 400, "no_bank_account")
    sca_form(a["authorisation"]["url"], "approve")
    r = c.post("/api/bank-accounts/%s/refresh" % a["id"])
    eq(r.json["data"]["status"], "active")
    eq(ore(r.json["data"]["balance"]),
       100000 + int(a["accountNumber"][4:10]) * 100)
    assert r.json["data"]["consentExpiresAt"], r.json


# --- a bank that refuses, cannot be reached, or is slow -----------------

def test_refusing_bank_fails_the_payment_within_the_201():
    c = register()
    admin("POST", "/internal/users/%s/kyc" % c.user_id,
          {"status": "approved"})
    c.account = link(c, account_number("6666")).json["data"]
    start = balance_ore(c.account["id"])
    d = qr(c, 10).json["data"]
    eq((d["status"], d["failureReason"]), ("failed", "rejected_by_bank"))
    eq(balance_ore(c.account["id"]), start)
    eq(bookings(d["id"]), [])
    eq(sql_one("SELECT count(*) FROM notifications WHERE transaction_id = "
               ":'p1' AND type = 'qr_payment_failed'", d["id"]), "1")


def test_unavailable_bank_gives_up_and_releases_the_funds():
    c = funded_user(300)
    swap_number(c, "7777")
    d = qr(c, 100).json["data"]
    eq(d["status"], "processing")
    eq(balance_ore(c.account["id"]), 20000)
    # DROP_BANK_GIVEUP_S is 8 s in tests (15 min in production).
    done = wait_status(c, d["id"], ("failed",), timeout=30)
    eq((done["status"], done["failureReason"]), ("failed",
                                                 "bank_unavailable"))
    eq(balance_ore(c.account["id"]), 30000)
    attempts = int(sql_one("SELECT attempts FROM bank_outbox WHERE tx_id = "
                           ":'p1'", d["id"]))
    assert 2 <= attempts <= 8, attempts


def test_a_payment_the_bank_may_have_is_never_given_up():
    # 4444 books the payment but loses every answer for 20 s: the retries
    # at about 7 and 15 s, past the 8 s give-up time, get none either. The
    # bank has the money, so Drop must keep asking (same X-Request-ID)
    # rather than fail it and release the funds.
    c = funded_user(300)
    number = swap_number(c, "4444")
    bank("POST", "/sandbox/accounts/" + number, {"balance": 30000})
    d = qr(c, 100).json["data"]
    eq(d["status"], "processing")
    done = wait_status(c, d["id"], ("completed", "failed"), timeout=60)
    eq((done["status"], done.get("failureReason")), ("completed", None))
    eq(len(bank_payments(d["id"])), 1)
    eq(len(bookings(d["id"])), 1)
    eq(balance_ore(c.account["id"]), 20000)
    row = sql_one("SELECT attempts || ' ' || in_doubt FROM bank_outbox "
                  "WHERE tx_id = :'p1'", d["id"]).split()
    assert int(row[0]) >= 5 and row[1] == "true", row


def test_slow_bank_answers_201_in_time_and_completes_later():
    c = funded_user(300)
    number = swap_number(c, "8888")
    bank("POST", "/sandbox/accounts/" + number, {"balance": 30000})
    t0 = time.time()
    d = qr(c, 100).json["data"]
    took = time.time() - t0
    eq(d["status"], "processing")
    assert 2.5 < took < 6, took
    # Other requests are served meanwhile: the wait holds no worker.
    done = wait_status(c, d["id"], ("completed", "failed"), timeout=30)
    eq(done["status"], "completed")
    eq(len(bank_payments(d["id"])), 1)
    eq(len(bookings(d["id"])), 1)


def test_the_wait_for_the_bank_holds_no_worker():
    c = funded_user(300)
    number = swap_number(c, "8888")
    bank("POST", "/sandbox/accounts/" + number, {"balance": 30000})
    # Signed up first: its password hash is no part of what is timed.
    other = register()
    slow = []
    threads = [threading.Thread(target=lambda: slow.append(qr(c, 1)))
               for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    t0 = time.time()
    eq(other.get("/api/users/me").status, 200)
    # A held worker would answer only after the bank's 10 s.
    assert time.time() - t0 < 3, time.time() - t0
    for t in threads:
        t.join()
    eq(sorted(r.status for r in slow), [201] * 4)


# --- callbacks ---------------------------------------------------------------

def pending_payment():
    c = sca_user()
    d = qr(c, 30).json["data"]
    eq(d["status"], "pending_authorisation")
    return c, d


def test_signed_callback_applies_once():
    c, d = pending_payment()
    start = balance_ore(c.account["id"]) + 3000
    r = post_event(d["bankReference"], "RJCT", event_id="ev-" + d["id"])
    eq(r.status, 200)
    eq(r.json["data"]["result"], "ok")
    x = c.get("/api/transactions/%s" % d["id"]).json["data"]
    eq((x["status"], x["failureReason"]), ("failed", "rejected_by_bank"))
    eq(balance_ore(c.account["id"]), start)
    r = post_event(d["bankReference"], "RJCT", event_id="ev-" + d["id"])
    eq((r.status, r.json["data"]["result"]), (200, "replay"))
    # A later event cannot revive it or release twice.
    r = post_event(d["bankReference"], "CANC")
    eq(r.status, 200)
    eq(balance_ore(c.account["id"]), start)
    eq(sql_one("SELECT count(*) FROM bank_events WHERE payment_id = :'p1'",
               d["bankReference"]), "2")


def test_callback_with_a_bad_signature_or_stale_time_changes_nothing():
    c, d = pending_payment()
    held = balance_ore(c.account["id"])
    r = post_event(d["bankReference"], "RJCT", key=b"not the secret")
    is_error(r, 401, "unauthorized")
    r = post_event(d["bankReference"], "RJCT", sig="sha256=" + "0" * 64)
    is_error(r, 401, "unauthorized")
    r = post_event(d["bankReference"], "RJCT", sig="sha256=")
    is_error(r, 401, "unauthorized")
    r = post_event(d["bankReference"], "RJCT", ts=int(time.time()) - 600)
    is_error(r, 401, "unauthorized")
    r = post_event(d["bankReference"], "RJCT", ts=int(time.time()) + 600)
    is_error(r, 401, "unauthorized")
    x = c.get("/api/transactions/%s" % d["id"]).json["data"]
    eq(x["status"], "pending_authorisation")
    eq(balance_ore(c.account["id"]), held)
    eq(sql_one("SELECT count(*) FROM bank_events WHERE payment_id = :'p1'",
               d["bankReference"]), "0")


def test_callback_for_an_unknown_payment_or_malformed_is_refused():
    is_error(post_event("pay-unknown-%d" % time.time(), "ACSC"), 404,
             "not_found")
    r = post_event("x", "ACSC", raw=b'{"eventId": 1}')
    is_error(r, 422, "validation_error")
    r = post_event("x", "ACSC", raw=b"[]")
    is_error(r, 400, "bad_request")


def test_lost_callback_is_covered_by_polling():
    c, d = pending_payment()
    bank("POST", "/sandbox/callbacks", {"lose": True})
    try:
        sca_form(d["authorisation"]["url"], "approve")
        done = wait_status(c, d["id"], ("completed", "failed"))
    finally:
        bank("POST", "/sandbox/callbacks", {"lose": False})
    eq(done["status"], "completed")
    assert any("polled" in (e["detail"] or "") for e in events(c, d["id"]))


def test_bank_books_after_the_operator_accepts():
    c = funded_user(200)
    bank("POST", "/sandbox/accounts/" + c.account["accountNumber"],
         {"hold": True})
    d = qr(c, 20).json["data"]
    eq(d["status"], "processing")
    eq(tx_row(d["id"], "bank_status"), ["ACSP"])
    bank("POST", "/sandbox/payments/" + d["bankReference"],
         {"action": "book"})
    eq(wait_status(c, d["id"], ("completed",))["status"], "completed")


# --- history -----------------------------------------------------------------

def test_events_route_is_the_callers_own_only():
    c = funded_user(100)
    d = qr(c, 5).json["data"]
    other = register()
    is_error(other.get("/api/transactions/%s/events" % d["id"]), 404,
             "not_found")
    is_error(c.get("/api/transactions/tx_qr_0000000000000000/events"), 404,
             "not_found")
    is_error(c.get("/api/transactions/nope/events"), 404, "not_found")
    is_error(Client().get("/api/transactions/%s/events" % d["id"]), 401,
             "unauthorized")


# --- funds that cannot be spent twice ----------------------------------------

def test_paying_a_friendly_shop_refresh_and_pay_again_is_refused():
    """The attack of issue 16: pay a shop one controls, refresh, pay again."""
    shop = new_merchant()
    payer = funded_user(1000)
    r = qr(payer, 900, shop.merchant_id)
    eq(r.json["data"]["status"], "completed")
    r = payer.post("/api/bank-accounts/%s/refresh" % payer.account["id"])
    eq(r.json["data"]["balance"], 100)
    r = qr(payer, 900, shop.merchant_id)
    is_error(r, 402, "insufficient_balance")
    d = shop.get("/api/merchants/dashboard").json["data"]
    booked = sum(b["amount"] for b in bank("GET", "/sandbox/ledger")[
        "bookings"] if b["debtor"] == payer.account["accountNumber"])
    eq(ore(d["revenue"]), booked)
    eq(booked, 90000)


def test_refresh_while_payments_wait_at_the_bank_counts_them():
    payer = sca_user()
    set_balance(payer.account["id"], 1000)
    d = qr(payer, 900).json["data"]
    eq(d["status"], "pending_authorisation")
    r = payer.post("/api/bank-accounts/%s/refresh" % payer.account["id"])
    eq(ore(r.json["data"]["balance"]), 10000)
    r = qr(payer, 101)
    is_error(r, 402, "insufficient_balance")
    eq(qr(payer, 100).status, 201)


def test_one_bank_account_links_to_one_user():
    number = account_number()
    a = register()
    link(a, number)
    b = register()
    is_error(b.post("/api/bank-accounts", {"bankName": "DNB",
                                           "accountNumber": number}),
             409, "conflict")
    is_error(a.post("/api/bank-accounts", {"bankName": "DNB",
                                           "accountNumber": number}),
             409, "conflict")
    eq(sql_one("SELECT count(*) FROM bank_accounts WHERE account_number = "
               ":'p1'", number), "1")


def test_account_linked_before_consents_asks_for_one_on_refresh():
    """Accounts from before §13 (the demo's) have no consent: a refresh
    asks for one; one the bank wants approved is kept until it is."""
    c = sca_user()
    sql("UPDATE bank_accounts SET consent_id = NULL, consent_status = NULL, "
        "resource_id = NULL WHERE id = :'p1'", c.account["id"])
    r = c.post("/api/bank-accounts/%s/refresh" % c.account["id"])
    eq(r.status, 200)
    a = r.json["data"]
    eq(a["status"], "active")
    url = a["authorisation"]["url"]
    eq(sql("SELECT consent_id IS NULL, consent_pending_id IS NOT NULL FROM "
           "bank_accounts WHERE id = :'p1'", a["id"]), [["t", "t"]])
    # Asked again before approval: the same consent, not a new one.
    r = c.post("/api/bank-accounts/%s/refresh" % c.account["id"])
    eq(r.json["data"]["authorisation"]["url"], url)
    sca_form(url, "approve")
    r = c.post("/api/bank-accounts/%s/refresh" % c.account["id"])
    eq(r.status, 200)
    assert "authorisation" not in r.json["data"], r.json
    eq(sql("SELECT consent_status, consent_pending_id IS NULL FROM "
           "bank_accounts WHERE id = :'p1'", a["id"]), [["valid", "t"]])


def test_racing_claims_never_hold_one_call_twice():
    """Two sessions and both workers' dispatchers claim one call the
    moment it falls due (FOR UPDATE SKIP LOCKED, then the lease): exactly
    one of them gets it, once."""
    c = funded_user(100)
    d = qr(c, 5).json["data"]
    oid = sql_one("INSERT INTO bank_outbox (tx_id, kind, next_at) VALUES "
                  "(:'p1', 'cancel', now() + interval '1.5 s') RETURNING id",
                  d["id"])
    env = dict(os.environ, PGHOST=os.environ["DROP_TEST_PGHOST"],
               PGPORT=os.environ["DROP_TEST_PGPORT"], PGUSER="drop",
               PGDATABASE="drop")
    loop = ("DO $$ DECLARE n int := 0; BEGIN "
            "FOR i IN 1..400 LOOP "
            "SELECT count(*) INTO n FROM drop_outbox_claim('%s', 8, '%s'); "
            "EXIT WHEN n > 0; PERFORM pg_sleep(0.01); END LOOP; "
            "RAISE NOTICE 'claimed %%', n; END $$;")
    racers = [subprocess.Popen(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                                "-c", loop % (who, d["id"])], env=env,
                               stderr=subprocess.PIPE, text=True)
              for who in ("a", "b")]
    won = []
    for who, p in zip(("a", "b"), racers):
        _, err = p.communicate(timeout=20)
        eq(p.returncode, 0, err)
        if "claimed 1" in err:
            won.append(who)
    attempts, by = sql("SELECT attempts, locked_by FROM bank_outbox WHERE "
                       "id = :'p1'", oid)[0]
    eq(attempts, "1")
    if by.startswith("worker-"):
        won.append(by)
    eq(len(won), 1, "claimed by %r (locked_by %s)" % (won, by))
    sql("UPDATE bank_outbox SET done_at = coalesce(done_at, now()) "
        "WHERE id = :'p1'", oid)
