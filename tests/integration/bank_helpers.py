"""Helpers for the bank tests: accounts that need SCA, the sandbox bank's
approval pages as the user would use them, its payments and ledger, and
callbacks signed as the bank signs them."""

import hashlib
import hmac
import http.client
import json
import os
import time
import urllib.parse
import uuid

from harness import Client, approve, bank, eq, register, sql, ssl_context
from money_helpers import account_number, link

COLLECTION = "99990000013"


def sca_form(url, action):
    """Presses Approve or Reject on the bank's page; the status and where
    the bank sends the user back to."""
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPSConnection(u.hostname, u.port, timeout=30,
                                       context=ssl_context())
    conn.request("POST", u.path + "/" + action, body=b"",
                 headers={"Content-Type":
                          "application/x-www-form-urlencoded"})
    r = conn.getresponse()
    r.read()
    conn.close()
    return r.status, r.getheader("Location")


def sca_page(url):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPSConnection(u.hostname, u.port, timeout=30,
                                       context=ssl_context())
    conn.request("GET", u.path)
    r = conn.getresponse()
    body = r.read().decode()
    conn.close()
    return r.status, body


def sca_user(kyc=True):
    """A user whose primary account asks SCA for everything (5555): linked
    as pending_consent, approved at the bank, then active on refresh."""
    c = register()
    if kyc:
        approve(c)
    number = account_number("5555")
    a = link(c, number).json["data"]
    eq(a["status"], "pending_consent")
    status, _ = sca_form(a["authorisation"]["url"], "approve")
    eq(status, 303)
    r = c.post("/api/bank-accounts/%s/refresh" % a["id"])
    eq(r.status, 200, "refresh after consent %r" % r)
    eq(r.json["data"]["status"], "active")
    c.account = r.json["data"]
    return c


def wait_status(c, tx_id, want, timeout=15):
    """The transaction's detail once its status is one of want."""
    deadline = time.time() + timeout
    while True:
        d = c.get("/api/transactions/%s" % tx_id).json["data"]
        if d["status"] in want or time.time() > deadline:
            return d
        time.sleep(0.2)


def bank_payments(tx_id):
    """The sandbox bank's payments that carry this Drop transaction."""
    return [p for p in bank("GET", "/sandbox/payments")
            if ("Drop %s " % tx_id) in (p["remittance"] + " ")]


def bookings(tx_id):
    return [b for b in bank("GET", "/sandbox/ledger")["bookings"]
            if ("Drop %s " % tx_id) in (b["remittance"] + " ")]


def secret():
    return os.environ["DROP_BANK_CALLBACK_SECRET"].encode()


def signed(doc, key=None, raw=None):
    raw = raw if raw is not None else json.dumps(doc).encode()
    sig = "sha256=" + hmac.new(key or secret(), raw,
                                hashlib.sha256).hexdigest()
    return raw, sig


def post_event(payment_id, status, ts=None, event_id=None, key=None,
               raw=None, sig=None):
    doc = {"eventId": event_id or str(uuid.uuid4()), "paymentId": payment_id,
           "transactionStatus": status,
           "timestamp": int(time.time()) if ts is None else ts}
    body, good = signed(doc, key, raw)
    return Client().post("/api/bank/events", raw=body,
                         headers={"X-Bank-Signature":
                                  good if sig is None else sig})


def events(c, tx_id):
    r = c.get("/api/transactions/%s/events" % tx_id)
    eq(r.status, 200, "events %r" % r)
    return r.json["data"]


def tx_row(tx_id, *cols):
    return sql("SELECT %s FROM transactions WHERE id = :'p1'" %
               ", ".join(cols), tx_id)[0]
