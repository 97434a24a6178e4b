"""The sandbox bank: a separate program that answers the NextGenPSD2 subset
Drop uses (consents, accounts and balances, payment initiation and status)
over HTTPS, with a ledger of its own in SQLite, so tests see money move
between accounts. It is a test double, written in Python for simplicity;
every request is checked against the Berlin Group's definition
(berlingroup.py) before anything else.

Behaviour by the first four digits of an account number (§13):
  0000  empty (opening balance 0)
  6666  refuses every payment (RJCT)
  7777  unavailable: every call is answered 503 SERVICE_UNAVAILABLE
        (the bank took nothing)
  4444  loses its answers: a payment is taken and booked, but for
        BANK_LOST_S (default 20) after the bank first saw its
        X-Request-ID the connection is dropped without an answer
  5555  asks for SCA for every consent and payment (the bank's own page)
  8888  answers after 10 s
  other SCA-exempt: consents valid and payments executed at once
Opening balance: 1 000 NOK plus digits 5-10 of the number in whole NOK.

Status changes are sent to the TPP-Notification-URI the TPP gave, signed:
X-Bank-Signature: sha256=<hex HMAC-SHA256 of the raw body>, the body
carrying eventId and timestamp. /sandbox/... is the operator's interface
(ledger, bookings, payments, consents, holds, lost callbacks, schema
violations; bookings it makes up, and a held payment booked for another
amount, are marked injected). Account statements are by Oslo booking
date, BANK_PAGE_ITEMS (default 200) a page.

Configuration (environment): BANK_PORT, BANK_DB, BANK_CERT, BANK_KEY,
BANK_CALLBACK_SECRET (or _FILE), BANK_CALLBACK_CA (the certificate to
trust when calling back), BANK_PUBLIC_URL (where PSUs reach the SCA pages),
BANK_SLOW_S (8888's delay, default 10), BANK_LOST_S (4444's window).
"""

import datetime
import hashlib
import hmac
import html
import http.client
import http.server
import json
import os
import queue
import re
import socketserver
import sqlite3
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
import zoneinfo

import berlingroup

PORT = int(os.environ.get("BANK_PORT", "8445"))
DB = os.environ.get("BANK_DB", "var/bank/bank.db")
CERT = os.environ.get("BANK_CERT", "var/tls/cert.pem")
KEY = os.environ.get("BANK_KEY", "var/tls/key.pem")
PUBLIC = os.environ.get("BANK_PUBLIC_URL", "https://127.0.0.1:%d" % PORT)
SLOW_S = float(os.environ.get("BANK_SLOW_S", "10"))
LOST_S = float(os.environ.get("BANK_LOST_S", "20"))
CALLBACK_CA = os.environ.get("BANK_CALLBACK_CA", CERT)
PAGE_ITEMS = int(os.environ.get("BANK_PAGE_ITEMS", "200"))
OSLO = zoneinfo.ZoneInfo("Europe/Oslo")


def _secret():
    v = os.environ.get("BANK_CALLBACK_SECRET")
    if v:
        return v.encode()
    path = os.environ.get("BANK_CALLBACK_SECRET_FILE",
                          "var/secrets/bank_callback_secret")
    with open(path, "rb") as f:
        return f.read().strip()


SECRET = _secret()
LOCK = threading.RLock()
BOOKED = ("ACSC", "ACCC")
FINAL = ("ACSC", "ACCC", "RJCT", "CANC")


def now():
    return time.time()


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + \
        ".%03dZ" % int((t % 1) * 1000)


def db():
    c = sqlite3.connect(DB, check_same_thread=False, isolation_level=None)
    c.row_factory = sqlite3.Row
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("PRAGMA synchronous=FULL")
    c.executescript("""
    CREATE TABLE IF NOT EXISTS accounts (bban TEXT PRIMARY KEY,
        balance INTEGER NOT NULL, hold INTEGER NOT NULL DEFAULT 0);
    CREATE TABLE IF NOT EXISTS consents (id TEXT PRIMARY KEY,
        request_id TEXT UNIQUE, bban TEXT, status TEXT, valid_until TEXT,
        frequency INTEGER, redirect_uri TEXT, nok_redirect_uri TEXT,
        notify_uri TEXT, created_at REAL);
    CREATE TABLE IF NOT EXISTS payments (id TEXT PRIMARY KEY,
        request_id TEXT UNIQUE, product TEXT, debtor TEXT, creditor TEXT,
        creditor_name TEXT, amount INTEGER, currency TEXT, remittance TEXT,
        status TEXT, sca INTEGER, notify_uri TEXT, redirect_uri TEXT,
        nok_redirect_uri TEXT, created_at REAL, updated_at REAL);
    CREATE TABLE IF NOT EXISTS bookings (id INTEGER PRIMARY KEY,
        payment_id TEXT UNIQUE, debtor TEXT, creditor TEXT, amount INTEGER,
        remittance TEXT, booked_at REAL);
    CREATE TABLE IF NOT EXISTS violations (id INTEGER PRIMARY KEY,
        at REAL, request TEXT, problems TEXT);
    CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT);
    """)
    # A booking the operator made up (not a payment's as it was asked).
    try:
        c.execute("ALTER TABLE bookings ADD COLUMN injected INTEGER NOT NULL "
                  "DEFAULT 0")
    except sqlite3.OperationalError:
        pass
    return c


CONN = None


def q(sql, *args):
    return CONN.execute(sql, args).fetchall()


def q1(sql, *args):
    rows = q(sql, *args)
    return rows[0] if rows else None


def setting(name, default=None):
    r = q1("SELECT value FROM settings WHERE name = ?", name)
    return r["value"] if r else default


def opening(bban):
    if bban.startswith("0000") or len(bban) != 11 or not bban.isdigit():
        return 0
    return 100000 + int(bban[4:10]) * 100


def account(bban):
    """The account's row, opened with its sandbox balance on first use."""
    CONN.execute("INSERT OR IGNORE INTO accounts (bban, balance) "
                 "VALUES (?, ?)", (bban, opening(bban)))
    return q1("SELECT * FROM accounts WHERE bban = ?", bban)


def ore(text):
    m = re.fullmatch(r"([0-9]{1,12})(?:\.([0-9]{1,2}))?", text or "")
    if not m:
        return None
    return int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))


def kroner(n):
    return "%d.%02d" % (n // 100, n % 100)


def nok_text(n):
    whole = "{:,}".format(n // 100).replace(",", "\u00a0")
    return "%s,%02d\u00a0NOK" % (whole, n % 100)


# --- callbacks ---------------------------------------------------------------

OUTBOX = queue.Queue()


def notify(uri, payment_id, status):
    if not uri:
        return
    body = json.dumps({"eventId": str(uuid.uuid4()), "paymentId": payment_id,
                       "transactionStatus": status,
                       "timestamp": int(now())}).encode()
    OUTBOX.put((uri, body))


def sign(body):
    return "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()


def sender():
    """Sends the callbacks in order, over one kept-alive connection per
    destination (a new TLS handshake for each would cost both sides)."""
    ctx = ssl.create_default_context(cafile=CALLBACK_CA)
    conns = {}
    while True:
        uri, body = OUTBOX.get()
        with LOCK:
            lose = setting("lose_callbacks", "0") == "1"
        if lose:
            log("callback lost on purpose: %s" % body[:80])
            continue
        u = urllib.parse.urlsplit(uri)
        path = u.path + ("?" + u.query if u.query else "")
        for attempt in range(3):
            conn = conns.get(u.netloc)
            if conn is None:
                conn = conns[u.netloc] = http.client.HTTPSConnection(
                    u.hostname, u.port or 443, timeout=5, context=ctx)
            try:
                conn.request("POST", path, body=body, headers={
                    "Content-Type": "application/json",
                    "X-Bank-Signature": sign(body)})
                r = conn.getresponse()
                r.read()
                if r.status >= 300:
                    log("callback %s answered %d" % (uri, r.status))
                break
            except (OSError, http.client.HTTPException) as e:
                conn.close()
                conns.pop(u.netloc, None)
                if attempt:
                    log("callback %s failed (%s); attempt %d" % (uri, e,
                                                                attempt))
                    time.sleep(1)


def log(msg):
    sys.stderr.write("bank: %s\n" % msg)
    sys.stderr.flush()


# --- the ledger --------------------------------------------------------------

def set_status(p, status, told=None):
    """A payment's new status; its callback goes at once, or into told
    when a transaction is open (sent once it commits)."""
    CONN.execute("UPDATE payments SET status = ?, updated_at = ? "
                 "WHERE id = ?", (status, now(), p["id"]))
    if told is None:
        notify(p["notify_uri"], p["id"], status)
    else:
        told.append((p["notify_uri"], p["id"], status))


def book(debtor, creditor, amount, remittance, payment_id=None,
         injected=0):
    CONN.execute("UPDATE accounts SET balance = balance - ? WHERE bban = ?",
                 (amount, debtor))
    CONN.execute("UPDATE accounts SET balance = balance + ? WHERE bban = ?",
                 (amount, creditor))
    cur = CONN.execute("INSERT INTO bookings (payment_id, debtor, creditor, "
                       "amount, remittance, booked_at, injected) VALUES "
                       "(?,?,?,?,?,?,?)", (payment_id, debtor, creditor,
                                           amount, remittance, now(),
                                           injected))
    return cur.lastrowid


def execute(p, approved=False, amount=None):
    """Books a payment, or rejects it for want of funds, in one transaction
    with the customer's approval (approved), so that a bank killed midway
    never leaves one approved and never executed; callbacks after it. The
    operator may book another amount than was asked (a short payment)."""
    told = []
    amount = p["amount"] if amount is None else amount
    CONN.execute("BEGIN IMMEDIATE")
    try:
        if approved:
            set_status(p, "ACTC", told)
        debtor = account(p["debtor"])
        account(p["creditor"])
        if p["debtor"].startswith("6666") or debtor["balance"] < amount:
            status = "RJCT"
        else:
            book(p["debtor"], p["creditor"], amount, p["remittance"], p["id"],
                 int(amount != p["amount"]))
            status = "ACSC"
        set_status(p, status, told)
        CONN.execute("COMMIT")
    except Exception:
        CONN.execute("ROLLBACK")
        raise
    for uri, pid, st in told:
        notify(uri, pid, st)
    return status


def recover():
    """At start: what a bank killed midway (or an older ledger) left
    accepted and not executed is executed, as a bank finishes it."""
    for p in q("SELECT * FROM payments WHERE status = 'ACTC' OR "
               "(status = 'RCVD' AND sca = 0)"):
        log("finishing %s (%s when the bank stopped)" % (p["id"],
                                                          p["status"]))
        if p["status"] == "RCVD":
            process(p)
        else:
            execute(p)


def payment(pid):
    return q1("SELECT * FROM payments WHERE id = ?", pid)


def process(p):
    """What the bank does with a payment it has just received: refuse it
    (6666), wait for the customer (SCA), hold it, or execute it."""
    if p["debtor"].startswith("6666"):
        set_status(p, "RJCT")
    elif not p["sca"]:
        if account(p["debtor"])["hold"]:
            set_status(p, "ACSP")
        else:
            execute(p)
    return payment(p["id"])


# --- HTTP ----------------------------------------------------------------------

class Dropped(Exception):
    """An answer lost: the connection closes without one."""


class Unavailable(Exception):
    """The bank says it is unavailable and took nothing (503)."""


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "SandboxBank/1"

    def log_message(self, fmt, *args):
        pass

    def send(self, status, body=None, ctype="application/json", headers=()):
        data = b""
        if body is not None:
            data = body if isinstance(body, bytes) else \
                json.dumps(body).encode()
        self.send_response(status)
        if body is not None:
            self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Request-ID", self.headers.get("X-Request-ID", ""))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if data:
            self.wfile.write(data)

    def tpp_error(self, status, code, text):
        self.send(status, {"tppMessages": [{"category": "ERROR",
                                            "code": code, "text": text}]})

    def read_body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n > 0 else b""

    def dispatch(self, method):
        body = self.read_body()
        path = urllib.parse.urlsplit(self.path).path
        try:
            if path.startswith("/v1/"):
                heads = {k.lower(): v for k, v in self.headers.items()}
                problems = berlingroup.check(method, path, heads, body)
                if problems:
                    with LOCK:
                        CONN.execute("INSERT INTO violations (at, request, "
                                     "problems) VALUES (?, ?, ?)",
                                     (now(), "%s %s" % (method, path),
                                      json.dumps(problems)))
                    log("violation: %s" % problems)
                    return self.tpp_error(400, "FORMAT_ERROR",
                                          "; ".join(problems)[:500])
                return self.psd2(method, path, body)
            if path.startswith("/sca/"):
                return self.sca(method, path, body)
            if path.startswith("/sandbox/"):
                return self.operator(method, path, body)
            self.send(404, {"error": "not found"})
        except Dropped:
            self.close_connection = True
        except Unavailable:
            self.tpp_error(503, "SERVICE_UNAVAILABLE",
                           "the bank is unavailable; nothing was taken")
        except Exception as e:      # a bug here must not take the bank down
            log("error: %r" % e)
            self.send(500, {"error": "internal"})

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def behave(self, bban):
        """7777 is unavailable, 8888 answers late."""
        if bban.startswith("7777"):
            raise Unavailable()
        if bban.startswith("8888"):
            time.sleep(SLOW_S)

    # --- NextGenPSD2 ---

    def psd2(self, method, path, body):
        parts = path.strip("/").split("/")
        if parts[1] == "consents":
            return self.consents(method, parts[2:], body)
        if parts[1] == "accounts":
            return self.accounts(parts[2:])
        if parts[1] == "payments":
            return self.payments(method, parts[2:], body)
        self.tpp_error(405, "SERVICE_INVALID", "not offered by this bank")

    def consent_body(self, c):
        links = {"self": {"href": "/v1/consents/" + c["id"]},
                 "status": {"href": "/v1/consents/%s/status" % c["id"]}}
        if c["status"] == "received":
            links["scaRedirect"] = {"href": "%s/sca/consents/%s" % (PUBLIC,
                                                                    c["id"])}
        return {"consentStatus": c["status"], "consentId": c["id"],
                "_links": links}

    def consents(self, method, rest, body):
        if method == "POST" and not rest:
            doc = json.loads(body)
            refs = doc["access"].get("balances") or \
                doc["access"].get("accounts") or [{}]
            bban = refs[0].get("bban")
            if not bban:
                return self.tpp_error(400, "FORMAT_ERROR", "a bban is needed")
            self.behave(bban)
            rid = self.headers["X-Request-ID"]
            with LOCK:
                c = q1("SELECT * FROM consents WHERE request_id = ?", rid)
                if c is None:
                    cid = "con-" + uuid.uuid4().hex[:20]
                    status = "received" if bban.startswith("5555") else "valid"
                    CONN.execute(
                        "INSERT INTO consents (id, request_id, bban, status, "
                        "valid_until, frequency, redirect_uri, "
                        "nok_redirect_uri, notify_uri, created_at) VALUES "
                        "(?,?,?,?,?,?,?,?,?,?)",
                        (cid, rid, bban, status, doc["validUntil"],
                         doc["frequencyPerDay"],
                         self.headers.get("TPP-Redirect-URI"),
                         self.headers.get("TPP-Nok-Redirect-URI"),
                         self.headers.get("TPP-Notification-URI"), now()))
                    account(bban)
                    c = q1("SELECT * FROM consents WHERE id = ?", cid)
            return self.send(201, self.consent_body(c))
        with LOCK:
            c = q1("SELECT * FROM consents WHERE id = ?", rest[0])
        if c is None:
            return self.tpp_error(403, "CONSENT_UNKNOWN", "no such consent")
        self.behave(c["bban"])
        if method == "DELETE":
            with LOCK:
                CONN.execute("UPDATE consents SET status = 'terminatedByTpp' "
                             "WHERE id = ?", (c["id"],))
            return self.send(204)
        if len(rest) == 2 and rest[1] == "status":
            return self.send(200, {"consentStatus": c["status"]})
        return self.send(200, {
            "access": {"balances": [{"bban": c["bban"]}],
                       "accounts": [{"bban": c["bban"]}]},
            "recurringIndicator": True, "validUntil": c["valid_until"],
            "frequencyPerDay": c["frequency"], "lastActionDate":
            time.strftime("%Y-%m-%d"), "consentStatus": c["status"]})

    def valid_consent(self):
        with LOCK:
            c = q1("SELECT * FROM consents WHERE id = ?",
                   self.headers.get("Consent-ID", ""))
        if c is None or c["status"] != "valid":
            self.tpp_error(401, "CONSENT_INVALID", "the consent is not valid")
            return None
        if c["valid_until"] < time.strftime("%Y-%m-%d"):
            self.tpp_error(401, "CONSENT_EXPIRED", "the consent has expired")
            return None
        self.behave(c["bban"])
        return c

    def accounts(self, rest):
        c = self.valid_consent()
        if c is None:
            return
        with LOCK:
            a = account(c["bban"])
        ref = {"resourceId": "acc-" + a["bban"], "bban": a["bban"],
               "currency": "NOK", "name": "Sandbox account",
               "_links": {"balances": {"href": "/v1/accounts/acc-%s/balances"
                                       % a["bban"]}}}
        if not rest:
            return self.send(200, {"accounts": [ref]})
        if rest[0] != "acc-" + a["bban"]:
            return self.tpp_error(403, "CONSENT_INVALID",
                                  "the consent does not cover this account")
        if len(rest) == 2 and rest[1] == "balances":
            return self.send(200, {"account": {"bban": a["bban"]},
                                   "balances": [{
                                       "balanceAmount": {"currency": "NOK",
                                                         "amount": kroner(a["balance"])},
                                       "balanceType": "interimAvailable",
                                       "lastChangeDateTime": iso(now())}]})
        if len(rest) == 2 and rest[1] == "transactions":
            return self.transactions(a["bban"])
        return self.send(200, {"account": ref})

    def transactions(self, bban):
        """The account's bookings, by booking date (Oslo) from dateFrom to
        dateTo, PAGE_ITEMS a page (pageIndex from 0, _links.next)."""
        u = urllib.parse.urlsplit(self.path)
        args = dict(urllib.parse.parse_qsl(u.query))
        since = args.get("dateFrom", "0000-01-01")
        until = args.get("dateTo", "9999-12-31")
        page = int(args.get("pageIndex", "0") or 0)
        with LOCK:
            rows = q("SELECT * FROM bookings WHERE debtor = ? OR "
                     "creditor = ? ORDER BY id", bban, bban)
        lines = []
        for r in rows:
            day = datetime.datetime.fromtimestamp(r["booked_at"],
                                                  OSLO).date().isoformat()
            if since <= day <= until:
                lines.append({"transactionId": "b%d" % r["id"],
                              "bookingDate": day, "transactionAmount": {
                                  "currency": "NOK", "amount":
                                  ("-" if r["debtor"] == bban else "") +
                                  kroner(r["amount"])},
                              "remittanceInformationUnstructured":
                              r["remittance"]})
        links = {}
        if (page + 1) * PAGE_ITEMS < len(lines):
            args["pageIndex"] = str(page + 1)
            links["next"] = {"href": u.path + "?" +
                             urllib.parse.urlencode(args)}
        booked = lines[page * PAGE_ITEMS:(page + 1) * PAGE_ITEMS]
        return self.send(200, {"account": {"bban": bban},
                               "transactions": {"booked": booked,
                                                "_links": links}})

    def payment_body(self, p, product):
        base = "/v1/payments/%s/%s" % (product, p["id"])
        links = {"self": {"href": base}, "status": {"href": base + "/status"}}
        if p["status"] == "RCVD" and p["sca"]:
            links["scaRedirect"] = {"href": "%s/sca/payments/%s" % (PUBLIC,
                                                                    p["id"])}
        return {"transactionStatus": p["status"], "paymentId": p["id"],
                "_links": links}

    def payments(self, method, rest, body):
        product = rest[0]
        if method == "POST" and len(rest) == 1:
            doc = json.loads(body)
            debtor = doc["debtorAccount"].get("bban")
            creditor = doc["creditorAccount"].get("bban")
            amount = ore(doc["instructedAmount"]["amount"])
            if not debtor or not creditor or amount is None or amount <= 0 \
                    or doc["instructedAmount"]["currency"] != "NOK":
                return self.tpp_error(400, "FORMAT_ERROR",
                                      "NOK between bban accounts only")
            self.behave(debtor)
            rid = self.headers["X-Request-ID"]
            with LOCK:
                p = q1("SELECT * FROM payments WHERE request_id = ?", rid)
                if p is None:
                    p = self.initiate(rid, product, doc, debtor, creditor,
                                      amount)
                elif p["status"] == "RCVD" and not p["sca"]:
                    # Killed between recording and executing it: the
                    # repeated request finishes the job.
                    p = process(p)
            if debtor.startswith("4444") and now() - p["created_at"] < LOST_S:
                raise Dropped()
            return self.send(201, self.payment_body(p, product),
                             headers=[("Location", "/v1/payments/%s/%s" % (
                                 product, p["id"]))])
        with LOCK:
            p = payment(rest[1]) if len(rest) > 1 else None
        if p is None or p["product"] != product:
            return self.tpp_error(403, "RESOURCE_UNKNOWN", "no such payment")
        self.behave(p["debtor"])
        if method == "DELETE":
            with LOCK:
                p = payment(p["id"])
                if p["status"] in BOOKED:
                    return self.tpp_error(400, "CANCELLATION_INVALID",
                                          "already executed")
                if p["status"] not in FINAL:
                    set_status(p, "CANC")
            return self.send(204)
        if len(rest) == 3 and rest[2] == "status":
            return self.send(200, {"transactionStatus": p["status"]})
        return self.send(200, {"debtorAccount": {"bban": p["debtor"]},
                               "instructedAmount": {"currency": "NOK",
                                                    "amount": kroner(p["amount"])},
                               "creditorAccount": {"bban": p["creditor"]},
                               "creditorName": p["creditor_name"],
                               "transactionStatus": p["status"]})

    def initiate(self, rid, product, doc, debtor, creditor, amount):
        pid = "pay-" + uuid.uuid4().hex[:24]
        sca = 1 if debtor.startswith("5555") else 0
        CONN.execute(
            "INSERT INTO payments (id, request_id, product, debtor, creditor, "
            "creditor_name, amount, currency, remittance, status, sca, "
            "notify_uri, redirect_uri, nok_redirect_uri, created_at, "
            "updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (pid, rid, product, debtor, creditor, doc["creditorName"], amount,
             "NOK", doc.get("remittanceInformationUnstructured", ""), "RCVD",
             sca, self.headers.get("TPP-Notification-URI"),
             self.headers.get("TPP-Redirect-URI"),
             self.headers.get("TPP-Nok-Redirect-URI"), now(), now()))
        return process(payment(pid))

    # --- the SCA pages (what the PSU sees) ---

    def sca(self, method, path, body):
        m = re.fullmatch(r"/sca/(payments|consents)/([a-z0-9-]+)(?:/(approve|reject))?",
                         path)
        if not m:
            return self.send(404, b"not found", "text/plain")
        kind, rid, action = m.groups()
        with LOCK:
            row = payment(rid) if kind == "payments" else \
                q1("SELECT * FROM consents WHERE id = ?", rid)
        if row is None:
            return self.send(404, b"not found", "text/plain")
        if method == "GET":
            return self.send(200, self.sca_page(kind, row).encode(),
                             "text/html; charset=utf-8")
        with LOCK:
            if kind == "payments":
                p = payment(rid)
                if p["status"] == "RCVD":
                    if action == "approve":
                        execute(p, approved=True)
                    else:
                        set_status(p, "RJCT")
                row = payment(rid)
                ok = row["status"] in BOOKED
            else:
                if row["status"] == "received":
                    CONN.execute("UPDATE consents SET status = ? WHERE id = ?",
                                 ("valid" if action == "approve" else "rejected",
                                  rid))
                row = q1("SELECT * FROM consents WHERE id = ?", rid)
                ok = row["status"] == "valid"
        target = row["redirect_uri"] if ok else \
            (row["nok_redirect_uri"] or row["redirect_uri"])
        if target:
            return self.send(303, b"", "text/plain", [("Location", target)])
        return self.send(200, b"done", "text/plain")

    def sca_page(self, kind, row):
        if kind == "payments":
            what = "Approve payment of %s to %s" % (nok_text(row["amount"]),
                                                    row["creditor_name"])
            detail = "From account %s. %s" % (row["debtor"], row["remittance"])
            done = row["status"] != "RCVD"
        else:
            what = "Allow Drop to read the balance of account %s until %s" % (
                row["bban"], row["valid_until"])
            detail = "Up to %d times a day." % row["frequency"]
            done = row["status"] != "received"
        form = "" if done else (
            '<form method="post" action="/sca/{k}/{i}/approve">'
            '<button type="submit">Approve</button></form>'
            '<form method="post" action="/sca/{k}/{i}/reject">'
            '<button type="submit">Reject</button></form>').format(
                k=kind, i=row["id"])
        return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<title>Sandbox Bank</title></head><body><h1>Sandbox Bank</h1>"
                "<p id=\"what\">%s</p><p>%s</p>%s%s</body></html>") % (
                    html.escape(what), html.escape(detail), form,
                    "<p>Already answered.</p>" if done else "")

    # --- the operator's interface ---

    def operator(self, method, path, body):
        doc = json.loads(body) if body else {}
        with LOCK:
            if path == "/sandbox/health":
                return self.send(200, {"status": "ok"})
            if path == "/sandbox/ledger":
                return self.send(200, {
                    "accounts": {r["bban"]: r["balance"] for r in
                                 q("SELECT * FROM accounts")},
                    "bookings": [dict(r) for r in
                                 q("SELECT * FROM bookings ORDER BY id")]})
            if path == "/sandbox/payments":
                return self.send(200, [dict(r) for r in
                                       q("SELECT * FROM payments ORDER BY created_at")])
            if path == "/sandbox/consents":
                return self.send(200, [dict(r) for r in
                                       q("SELECT * FROM consents ORDER BY created_at")])
            if path == "/sandbox/violations":
                return self.send(200, [dict(r) for r in
                                       q("SELECT * FROM violations ORDER BY id")])
            if path == "/sandbox/callbacks" and method == "POST":
                CONN.execute("INSERT OR REPLACE INTO settings VALUES "
                             "('lose_callbacks', ?)",
                             ("1" if doc.get("lose") else "0",))
                return self.send(200, {"lose": bool(doc.get("lose"))})
            m = re.fullmatch(r"/sandbox/accounts/([0-9]{11})", path)
            if m and method == "POST":
                account(m.group(1))
                if "hold" in doc:
                    CONN.execute("UPDATE accounts SET hold = ? WHERE bban = ?",
                                 (1 if doc["hold"] else 0, m.group(1)))
                if "balance" in doc:
                    CONN.execute("UPDATE accounts SET balance = ? WHERE bban = ?",
                                 (int(doc["balance"]), m.group(1)))
                return self.send(200, dict(account(m.group(1))))
            if path == "/sandbox/bookings" and method == "POST":
                # Money that moved without a payment Drop asked for.
                account(doc["debtor"])
                account(doc["creditor"])
                CONN.execute("BEGIN IMMEDIATE")
                bid = book(doc["debtor"], doc["creditor"], int(doc["amount"]),
                           doc.get("remittance", ""), None, 1)
                CONN.execute("COMMIT")
                return self.send(200, dict(q1("SELECT * FROM bookings "
                                              "WHERE id = ?", bid)))
            m = re.fullmatch(r"/sandbox/payments/([a-z0-9-]+)", path)
            if m and method == "POST":
                p = payment(m.group(1))
                if p is None:
                    return self.send(404, {"error": "no such payment"})
                action = doc.get("action")
                if p["status"] not in FINAL:
                    if action == "book":
                        execute(p, amount=doc.get("amount"))
                    elif action == "reject":
                        set_status(p, "RJCT")
                    elif action == "accept":
                        set_status(p, "ACSP")
                if action == "callback":
                    notify(p["notify_uri"], p["id"], p["status"])
                return self.send(200, dict(payment(m.group(1))))
        self.send(404, {"error": "not found"})


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """TLS is negotiated in each connection's thread, never in the accept
    loop, so a slow or silent client cannot hold the others up."""
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128
    tls = None

    def finish_request(self, request, client_address):
        request.settimeout(60)
        try:
            request = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        self.RequestHandlerClass(request, client_address, self)


def main():
    global CONN
    os.makedirs(os.path.dirname(os.path.abspath(DB)), exist_ok=True)
    CONN = db()
    recover()
    threading.Thread(target=sender, daemon=True).start()
    srv = Server(("127.0.0.1", PORT), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(CERT, KEY)
    srv.tls = ctx
    log("listening on https://127.0.0.1:%d (SCA pages at %s)" % (PORT, PUBLIC))
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
