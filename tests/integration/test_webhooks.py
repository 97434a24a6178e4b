"""Signed webhooks (issue 19, point 5): a shop registers endpoints
(POST/GET/DELETE /api/merchants/webhooks, the signing secret shown once)
for payment.completed, refund.succeeded and payout.paid; each delivery is
signed (X-Drop-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">),
carries its event id, is retried with exponential back-off when the
receiver fails or is slow (the test stack's first retry is after 1 s,
its attempt timeout 2 s), and every attempt is listed
(GET /api/merchants/webhooks/{id}/deliveries). The receivers here are
real HTTP servers on loopback."""

import datetime
import hashlib
import hmac
import http.server
import json
import socket
import threading
import time

import pytest

from harness import Client, clock, eq, is_error, register, sql, sql_one
from money_helpers import funded_user
from payout_helpers import next_payout, oslo_at
from test_merchants import pay
from test_payouts import shop, skew_to, utcnow, wait_payouts
from test_refunds import refund, wait_refund

HOOKS = "/api/merchants/webhooks"
ALL = ["payment.completed", "refund.succeeded", "payout.paid"]


class Receiver:
    """An endpoint that answers the statuses of plan in turn (then 200),
    sleeping slow[i] seconds before answer i, and records each request:
    (time, headers, body)."""

    def __init__(self, plan=(), slow=()):
        self.plan = list(plan)
        self.slow = list(slow)
        self.got = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                with outer.lock:
                    i = len(outer.got)
                    outer.got.append((time.time(), dict(self.headers),
                                      body))
                    status = outer.plan[i] if i < len(outer.plan) else 200
                    pause = outer.slow[i] if i < len(outer.slow) else 0
                time.sleep(pause)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass   # Drop stopped waiting: that was the point

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      Handler)
        self.url = "http://127.0.0.1:%d/hooks" % self.server.server_port
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    def wait(self, n, limit=30):
        deadline = time.time() + limit
        while len(self.got) < n and time.time() < deadline:
            time.sleep(0.1)
        return list(self.got)

    def events(self):
        return [json.loads(b) for _, _, b in self.got]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def endpoint(m, url, events=("payment.completed",)):
    r = m.post(HOOKS, {"url": url, "events": list(events)})
    eq(r.status, 201, "endpoint %r" % r)
    return r.json["data"]


def signed(secret, headers, body):
    """True when X-Drop-Signature is Drop's over this very body."""
    parts = dict(p.split("=", 1) for p in
                 headers["X-Drop-Signature"].split(","))
    want = hmac.new(secret.encode(), parts["t"].encode() + b"." + body,
                    hashlib.sha256).hexdigest()
    return hmac.compare_digest(want, parts["v1"]) and \
        abs(int(parts["t"]) - time.time()) < 60


def attempts(m, hook_id):
    r = m.get("%s/%s/deliveries" % (HOOKS, hook_id))
    eq(r.status, 200, "deliveries %r" % r)
    return r.json["data"]


def wait_delivery(event_id, status, limit=20):
    deadline = time.time() + limit
    while True:
        got = sql_one("SELECT status FROM webhook_deliveries WHERE "
                      "event_id = :'p1'", event_id)
        if got == status or time.time() > deadline:
            return got
        time.sleep(0.1)


def test_a_payment_is_delivered_signed_and_retried_with_back_off():
    m = shop()
    rcv = Receiver(plan=[500, 500])
    try:
        hook = endpoint(m, rcv.url)
        secret = hook["secret"]
        assert secret.startswith("whsec_") and len(secret) == 70, hook
        eq((hook["url"], hook["events"]), (rcv.url, ["payment.completed"]))
        # Listed without its secret, which is kept for signing only.
        listed = m.get(HOOKS).json["data"]
        eq([(h["id"], h["url"]) for h in listed], [(hook["id"], rcv.url)])
        assert "secret" not in listed[0], listed
        # Sealed at rest (docs/security.md, V6): the signer opens it.
        stored = sql_one("SELECT secret FROM webhook_endpoints WHERE id = "
                         ":'p1'", hook["id"])
        assert stored.startswith("s1:") and secret not in stored and \
            secret[6:] not in stored, stored
        tx = pay(funded_user(5000), m.merchant_id, 120.5)
        got = rcv.wait(3)
        eq(len(got), 3, "two failures, then delivered")
        time.sleep(1.5)
        eq(len(rcv.got), 3, "nothing after the 200")
    finally:
        rcv.close()
    ids = {h["X-Drop-Event-Id"] for _, h, _ in got}
    eq(len(ids), 1, "one event, the same id on every attempt")
    eq({b for _, _, b in got}.__len__(), 1, "the same body every time")
    for _, h, b in got:
        assert signed(secret, h, b), h
        eq((h["Content-Type"], h["X-Drop-Event-Type"]),
           ("application/json", "payment.completed"))
        assert not signed("whsec_" + "0" * 64, h, b), "another secret"
    eq([h["X-Drop-Delivery-Attempt"] for _, h, _ in got], ["1", "2", "3"])
    ev = json.loads(got[0][2])
    eq((ev["id"], ev["type"]), (ids.pop(), "payment.completed"))
    eq((ev["data"]["id"], ev["data"]["amount"], ev["data"]["currency"]),
       (tx, 120.5, "NOK"))
    eq(ev["data"]["fee"], float(sql_one(
        "SELECT round(fee / 100.0, 2) FROM transactions WHERE id = :'p1'",
        tx)))
    # Exponential back-off: about 1 s, then about 2 s.
    gap1, gap2 = got[1][0] - got[0][0], got[2][0] - got[1][0]
    assert 0.95 <= gap1 <= 4 and gap2 >= 1.9 and gap2 >= 1.5 * gap1, \
        (gap1, gap2)
    # Every attempt listed, newest first.
    a = attempts(m, hook["id"])
    eq([(x["attempt"], x["status"], x["httpStatus"], x["eventType"])
        for x in a], [(3, "succeeded", 200, "payment.completed"),
                      (2, "failed", 500, "payment.completed"),
                      (1, "failed", 500, "payment.completed")])
    eq({x["eventId"] for x in a}, {ev["id"]})
    eq(a[0]["nextAttemptAt"], None)
    assert a[1]["nextAttemptAt"] and a[2]["nextAttemptAt"], a
    eq(a[2]["error"], "HTTP 500")
    eq(sql("SELECT status, attempts FROM webhook_deliveries WHERE "
           "event_id = :'p1'", ev["id"]), [["delivered", "3"]])
    # Paged like every list; another shop's endpoint does not exist.
    r = m.get("%s/%s/deliveries?limit=2" % (HOOKS, hook["id"]))
    eq((len(r.json["data"]), r.json["pagination"]["total"]), (2, 3))
    other = shop()
    is_error(other.get("%s/%s/deliveries" % (HOOKS, hook["id"])), 404,
             "not_found")
    is_error(m.get(HOOKS + "/whk_nope/deliveries"), 404, "not_found")


def test_refunds_and_payouts_are_delivered_too():
    m = shop()
    rcv = Receiver()
    try:
        hook = endpoint(m, rcv.url, ALL)
        tx = pay(funded_user(5000), m.merchant_id, 80)
        r = refund(m, tx, 30)
        eq(r.status, 201, "refund %r" % r)
        rf = r.json["data"]["id"]
        eq(wait_refund(rf), "succeeded")
        day = next_payout(utcnow())
        with clock(skew_to(oslo_at(day, datetime.time(6, 0, 5)))):
            got = wait_payouts(m, lambda p: p and p[0]["status"] == "paid")
        eq(len(got), 1, "payout %r" % got)
        rcv.wait(3)
    finally:
        rcv.close()
    by_type = {e["type"]: e for e in rcv.events()}
    eq(sorted(by_type), sorted(ALL))
    eq(len(rcv.got), 3, "each event once")
    eq((by_type["refund.succeeded"]["data"]["id"],
        by_type["refund.succeeded"]["data"]["paymentId"],
        by_type["refund.succeeded"]["data"]["amount"]), (rf, tx, 30))
    p = by_type["payout.paid"]["data"]
    eq((p["id"], p["amount"], p["bankReference"]),
       (got[0]["id"], got[0]["amount"], got[0]["bankReference"]))
    for _, h, b in rcv.got:
        assert signed(hook["secret"], h, b), h


def test_a_slow_receiver_is_cut_off_and_tried_again():
    m = shop()
    rcv = Receiver(slow=[3.5])
    try:
        hook = endpoint(m, rcv.url)
        pay(funded_user(5000), m.merchant_id, 10)
        rcv.wait(2)
        a = []
        deadline = time.time() + 10
        while time.time() < deadline and (not a or a[0]["status"] !=
                                          "succeeded"):
            time.sleep(0.2)
            a = attempts(m, hook["id"])
    finally:
        rcv.close()
    eq([(x["attempt"], x["status"], x["httpStatus"]) for x in a],
       [(2, "succeeded", 200), (1, "failed", None)])
    assert "imeout" in a[1]["error"], a[1]
    assert 1900 <= a[1]["durationMs"] <= 3400, a[1]


def test_a_delivery_gives_up_a_day_after_its_event():
    m = shop()
    rcv = Receiver(plan=[503] * 20)
    try:
        hook = endpoint(m, rcv.url)
        pay(funded_user(5000), m.merchant_id, 10)
        rcv.wait(1)
        ev = sql_one("SELECT e.id FROM webhook_events e JOIN "
                     "webhook_deliveries d ON d.event_id = e.id WHERE "
                     "d.endpoint_id = :'p1'", hook["id"])
        # As if a day had passed since the event: the next failure is
        # the last.
        sql("UPDATE webhook_events SET created_at = now() - interval "
            "'24 hours' WHERE id = :'p1'", ev)
        eq(wait_delivery(ev, "failed"), "failed")
        n = len(rcv.got)
        time.sleep(2.5)
        eq(len(rcv.got), n, "no attempt after giving up")
    finally:
        rcv.close()
    a = attempts(m, hook["id"])
    eq(a[0]["status"], "failed")
    eq(a[0]["nextAttemptAt"], None)


def test_every_event_goes_out_once_from_both_workers():
    m = shop()
    rcv = Receiver()
    try:
        endpoint(m, rcv.url)
        payer = funded_user(5000)
        txs = [pay(payer, m.merchant_id, 5 + i) for i in range(6)]
        rcv.wait(6)
        time.sleep(2)
    finally:
        rcv.close()
    eq(len(rcv.got), 6, "one request per payment")
    eq(sorted(e["data"]["id"] for e in rcv.events()), sorted(txs))


def test_a_named_endpoint_is_resolved_off_the_event_loop():
    """A host name is looked up on the worker's HTTP thread, under Kore's
    sandbox (a blocked system call would kill the worker). The machine's
    own name, which /etc/hosts maps to loopback, is asked for over
    https:// of a plain-HTTP receiver: the lookup and the connection
    happen, the TLS handshake fails, and the attempt says so."""
    name = socket.gethostname()
    try:
        addrs = {a[4][0] for a in socket.getaddrinfo(name, None)}
    except OSError:
        addrs = set()
    if not addrs or not all(a.startswith("127.") or a == "::1"
                            for a in addrs):
        pytest.skip("%s is not a loopback name here" % name)
    m = shop()
    rcv = Receiver()
    try:
        port = rcv.server.server_port
        hook = endpoint(m, "https://%s:%d/hooks" % (name, port))
        pay(funded_user(5000), m.merchant_id, 10)
        a = []
        deadline = time.time() + 15
        while time.time() < deadline and not a:
            time.sleep(0.2)
            a = attempts(m, hook["id"])
    finally:
        rcv.close()
    assert a, "no attempt"
    eq((a[-1]["status"], a[-1]["httpStatus"]), ("failed", None))
    assert "SSL" in a[-1]["error"] or "TLS" in a[-1]["error"], a[-1]
    eq(Client().get("/api/health").status, 200)


def test_endpoints_are_checked_owned_and_removable():
    m = shop()
    bad = [
        ({"url": "http://shop.example/hooks", "events": ALL}, "url"),
        ({"url": "https://10.0.0.1/hooks", "events": ALL}, "url"),
        ({"url": "https://169.254.169.254/latest", "events": ALL}, "url"),
        ({"url": "https://user:pw@shop.example/", "events": ALL}, "url"),
        ({"url": "https://shop.example/" + "a" * 500, "events": ALL},
         "url"),
        ({"url": "https://shop.example/", "events": []}, "events"),
        ({"url": "https://shop.example/", "events": ["payment.failed"]},
         "events"),
        ({"url": "https://shop.example/",
          "events": ["payout.paid", "payout.paid"]}, "events"),
    ]
    for body, field in bad:
        r = m.post(HOOKS, body)
        is_error(r, 422, "validation_error")
        eq([d["field"] for d in r.json["details"]], [field], body)
    r = m.post(HOOKS, {"url": "https://shop.example/"})
    is_error(r, 400, "bad_request")
    eq([d["field"] for d in r.json["details"]], ["events"])
    # A user without a shop has no endpoints.
    is_error(register().post(HOOKS, {"url": "https://shop.example/",
                                     "events": ALL}), 403, "forbidden")
    rcv = Receiver()
    try:
        hook = endpoint(m, rcv.url)
        other = shop()
        is_error(other.delete(HOOKS + "/" + hook["id"]), 404, "not_found")
        eq(m.delete(HOOKS + "/" + hook["id"]).status, 204)
        is_error(m.delete(HOOKS + "/" + hook["id"]), 404, "not_found")
        eq(m.get(HOOKS).json["data"], [])
        # The shop's export holds its endpoints, never their secrets.
        export = m.get("/api/user/data-export").json["data"]["merchant"]
        eq([(w["id"], w["url"], w["events"]) for w in
            export["webhook_endpoints"]],
           [(hook["id"], rcv.url, ["payment.completed"])])
        assert export["webhook_endpoints"][0]["deleted_at"], export
        assert hook["secret"] not in json.dumps(export)
        eq(sql_one("SELECT count(*) FROM audit_log WHERE entity_id = "
                   ":'p1'", hook["id"]), "2")
        # Removed: nothing more is sent to it, its attempts stay listed.
        pay(funded_user(5000), m.merchant_id, 10)
        time.sleep(2)
        eq(rcv.got, [])
        eq(attempts(m, hook["id"]), [])
    finally:
        rcv.close()
    made = [endpoint(m, "https://shop.example/%d" % i) for i in range(10)]
    is_error(m.post(HOOKS, {"url": "https://shop.example/x",
                            "events": ALL}), 409, "conflict")
    for h in made:
        eq(m.delete(HOOKS + "/" + h["id"]).status, 204)
    eq(Client().get(HOOKS).status, 401)
