"""A second bank nobody here wrote: Drop's bank client against Prism
serving the Berlin Group's own definition (sandbox/bank/psd2-api-1.3.9.yaml)
as a validating mock. Runs in its own session (pytest --bank prism); the
session fails if Prism found a request the definition does not allow
(tests/integration/stack.py), and each test checks that its calls reached
Prism and passed its validation. Prism answers with the definition's
examples, so the statuses are its, not a bank's."""

import os
import re
import time

from harness import admin, approve, eq, is_error, register, sql, sql_one
from money_helpers import MERCHANT, account_number, add_recipient, link, remit
from money_helpers import new_client_like

# Prism: "[HTTP SERVER] post /v1/consents ℹ info Request received", then
# "[VALIDATOR] ✔ success The request passed the validation rules".
RECEIVED = re.compile(r"\[HTTP SERVER\] (\w+) (\S+) .*Request received")


def prism_calls():
    """(method, path, passed validation) of every request Prism saw."""
    calls = []
    with open(os.environ["DROP_TEST_BANK_LOG"], errors="replace") as f:
        for line in f:
            m = RECEIVED.search(line)
            if m:
                calls.append([m.group(1).upper(), m.group(2), False])
            elif "passed the validation rules" in line and calls:
                calls[-1][2] = True
    return calls


def wait_call(method, prefix, since, timeout=10):
    """Waits for the call and its verdict (Prism logs it a line later)."""
    deadline = time.time() + timeout
    seen = None
    while time.time() < deadline:
        for m, path, ok in prism_calls()[since:]:
            if m == method and path.startswith(prefix):
                if ok:
                    return
                seen = path
        time.sleep(0.2)
    assert seen is None, "%s %s did not pass validation" % (method, seen)
    raise AssertionError("no %s %s reached Prism: %r" % (
        method, prefix, prism_calls()[since:]))


def active_user():
    """A user whose account Drop may pay from (Prism's consent is its
    example, for an account that is not this one: set active by hand)."""
    c = register()
    approve(c)
    a = link(c, account_number()).json["data"]
    sql("UPDATE bank_accounts SET status = 'active', is_primary = true, "
        "consent_sca_url = NULL, resource_id = '3dc3d5b3-7023-4848-9853-"
        "f5400a64e80f' WHERE id = :'p1'", a["id"])
    r = admin("PUT", "/internal/bank-accounts/%s/balance" % a["id"],
              {"balance": 5000})
    eq(r.status, 200)
    c.account = a
    return c


def test_consent_and_account_information_calls_are_the_definitions():
    n = len(prism_calls())
    c = register()
    r = link(c, account_number())
    a = r.json["data"]
    eq(a["status"], "pending_consent")
    eq(a["authorisation"]["url"],
       "https://www.testbank.com/authentication/1234-wertiq-983")
    wait_call("POST", "/v1/consents", n)
    n = len(prism_calls())
    r = c.post("/api/bank-accounts/%s/refresh" % a["id"])
    # Prism's example consent is valid; its example accounts are German
    # IBANs, none of them this bban, which Drop does not take as ours.
    is_error(r, 422, "validation_error")
    wait_call("GET", "/v1/consents/1234-wertiq-983/status", n)
    wait_call("GET", "/v1/accounts", n)
    n = len(prism_calls())
    r = c.post("/api/bank-accounts/%s/consent" % a["id"])
    eq(r.status, 200, "renew %r" % r)
    wait_call("POST", "/v1/consents", n)
    n = len(prism_calls())
    eq(c.delete("/api/bank-accounts/%s" % a["id"]).status, 204)
    wait_call("DELETE", "/v1/consents/1234-wertiq-983", n)


def test_payment_calls_are_the_definitions():
    c = active_user()
    n = len(prism_calls())
    r = new_client_like(c).post("/api/transactions/qr-payment",
                                {"merchantId": MERCHANT, "amount": 25})
    eq(r.status, 201, "qr %r" % r)
    d = r.json["data"]
    eq(d["status"], "pending_authorisation")
    eq(d["authorisation"]["url"], "https://www.testbank.com/asdfasdfasdf")
    eq(d["bankReference"], "1234-wertiq-983")
    wait_call("POST", "/v1/payments/instant-sepa-credit-transfers", n)
    # Polled: Prism's example status (ACCP) means accepted, under way.
    wait_call("GET", "/v1/payments/instant-sepa-credit-transfers/"
              "1234-wertiq-983/status", n)
    n = len(prism_calls())
    sql("INSERT INTO bank_outbox (tx_id, kind) VALUES (:'p1', 'cancel')",
        d["id"])
    wait_call("DELETE", "/v1/payments/instant-sepa-credit-transfers/"
              "1234-wertiq-983", n)
    # Every example payment has the same id: free it for the next one.
    sql("UPDATE transactions SET bank_payment_id = bank_payment_id || "
        "'-qr' WHERE id = :'p1'", d["id"])
    n = len(prism_calls())
    rcp = add_recipient(c, "PL")
    r = remit(new_client_like(c), rcp["id"], 100)
    eq(r.status, 201)
    eq(r.json["data"]["status"], "pending_authorisation")
    wait_call("POST", "/v1/payments/sepa-credit-transfers", n)
    eq(sql_one("SELECT count(*) FROM bank_outbox WHERE done_at IS NULL"),
       "0")
