"""make faults: payments under database, worker and bank faults.

Concurrent payers (QR payments and remittances over many users, each
retrying with its own Idempotency-Key until it gets a definite answer) run
while the harness injects one fault after another. Among them are payers
whose bank asks SCA for everything (an approver approves or rejects at the
bank's page, as people would), one whose bank answers after 10 s and one
whose bank cannot be reached. Probes measure what a client sees during
each fault; after each one the database is checked, and Drop's records
against the sandbox bank's own ledger (tests/integration/bank_ledger.py):
every acknowledged payment at the bank once, nothing debited twice. At
the end every payment must have ended by itself, and every QR payment the
demo shop received must have made one webhook event that reached the
harness's receiver (at least once: a repeat is counted, not a failure).
Loopback only; every loop
is bounded in time. DROP_FAULT_ONLY (fault names) and DROP_FAULT_REPEAT
(times) narrow and repeat the sequence to chase one failure.
"""

import http.client
import http.server
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

from harness import (Client, approve, bank, base_url,  # noqa: E402
                     fresh_ip, pg_signal, register, sql, sql_file,
                     ssl_context)
from money_helpers import MERCHANT, account_number  # noqa: E402
from bank_helpers import sca_form  # noqa: E402
import bank_ledger  # noqa: E402
from stack import ask_worker_stacks, worker_pids  # noqa: E402

PGDIR = os.environ["DROP_TEST_PGDIR"]
PGPORT = os.environ["DROP_TEST_PGPORT"]
KORE_PID = int(os.environ["DROP_FAULT_KORE_PID"])
PGBIN = os.environ["DROP_FAULT_PGBIN"]
ROOT = os.path.join(HERE, "..", "..")
PAYERS = int(os.environ.get("DROP_FAULT_PAYERS", "12"))
SCA_PAYERS = 2
BANK_TMP = os.environ["DROP_FAULT_TMP"]
BANK_PID = [int(os.environ["DROP_FAULT_BANK_PID"])]
BANK_PORT = os.environ["DROP_TEST_BANK"].rsplit(":", 1)[1]
GIVEUP_S = int(os.environ.get("DROP_BANK_GIVEUP_S", "60"))
LEASE_S = 30        # a claimed call's lease (sql/functions/007_bank.sql)
# How much slower this flavor is (3 under ASan): the waits scale with it.
SLOW = float(os.environ.get("DROP_FAULT_SLOW", "1"))
# Chasing one failure: only these faults (comma-separated names), and the
# whole sequence this many times against the same Kore.
ONLY = [n for n in os.environ.get("DROP_FAULT_ONLY", "").split(",") if n]
REPEAT = max(1, int(os.environ.get("DROP_FAULT_REPEAT", "1")))
FREEZE_S = 10
SOCKET_S = 5

# The answers every fault must keep (issue: database faults).
RATES_MAX_S = 0.5
HEALTH_MAX_S = 2.0
DB_ROUTE_MAX_S = 3.0
RECOVERY_MAX_S = 5.0

stop_payers = threading.Event()
lock = threading.Lock()
acked = {}          # Idempotency-Key -> transaction id of a 201
refused = {}        # Idempotency-Key -> definite 4xx
anomalies = []      # answers no fault may cause (5xx other than 503)
attempts = [0]
PAYER_IDS = []


def as_pg(args):
    if os.getuid() == 0:
        args = ["runuser", "-u", "postgres", "--"] + args
    return subprocess.run(args, capture_output=True, text=True)


def pg_restart_immediate():
    data = os.path.join(PGDIR, "data")
    r = as_pg([PGBIN + "/pg_ctl", "-D", data, "-m", "immediate", "-w",
               "stop"])
    assert r.returncode == 0, r.stderr
    r = subprocess.run(["sh", os.path.join(ROOT, "scripts", "pgctl.sh"),
                        "start", PGDIR, PGPORT], capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stderr


# --- payers ---------------------------------------------------------------

class Payer(threading.Thread):
    def __init__(self, client, recipient):
        super().__init__(daemon=True)
        self.c = client
        self.recipient = recipient

    def body(self, kind):
        if kind == "qr":
            return ("/api/transactions/qr-payment",
                    {"merchantId": MERCHANT,
                     "amount": random.randint(100, 2000) / 100})
        return ("/api/transactions/remittance",
                {"recipientId": self.recipient,
                 "amount": random.randint(10000, 20000) / 100})

    def pay_once(self):
        key = "fault-" + uuid.uuid4().hex
        path, body = self.body(random.choice(("qr", "remit")))
        deadline = time.time() + 90
        while time.time() < deadline:
            with lock:
                attempts[0] += 1
            self.c.ip = fresh_ip()
            try:
                r = self.c.post(path, body,
                                headers={"Idempotency-Key": key})
            except (OSError, http.client.HTTPException):
                time.sleep(0.1)
                continue
            if r.status == 201:
                with lock:
                    acked[key] = r.json["data"]["id"]
                return
            if r.status == 503 or r.status == 429:
                time.sleep(0.1)
                continue
            if r.status >= 500:
                with lock:
                    anomalies.append("%s %d %s" % (path, r.status, r.raw[:120]))
                time.sleep(0.1)
                continue
            with lock:
                refused[key] = "%d %s" % (r.status, (r.json or {}).get(
                    "error", ""))
            return
        with lock:
            anomalies.append("no definite answer for key %s in 90 s" % key)

    def run(self):
        while not stop_payers.is_set():
            self.pay_once()
            time.sleep(random.uniform(0.02, 0.1))


class HookReceiver:
    """The demo shop's webhook endpoint: answers 200 and counts each
    event id it is sent."""

    def __init__(self):
        self.seen = {}
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get(
                    "Content-Length", "0")))
                ev = json.loads(body)["id"]
                with lock:
                    outer.seen[ev] = outer.seen.get(ev, 0) + 1
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      Handler)
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()
        # Straight into the table (the seeded shop has no session here),
        # in place of an earlier run's.
        self.id = "whk_" + uuid.uuid4().hex[:16]
        sql("UPDATE webhook_endpoints SET deleted_at = now() WHERE "
            "merchant_id = :'p1' AND deleted_at IS NULL", MERCHANT)
        sql("INSERT INTO webhook_endpoints (id, merchant_id, url, events, "
            "secret) VALUES (:'p1', :'p2', :'p3', '{payment.completed}', "
            "'whsec_' || repeat('0', 64))", self.id, MERCHANT,
            "http://127.0.0.1:%d/hooks" % self.server.server_port)

    def check(self, failures, limit_s=90):
        """Every completed QR payment of the payers: one event, received."""
        deadline = time.time() + limit_s
        while time.time() < deadline and sql(
                "SELECT count(*) FROM webhook_deliveries WHERE endpoint_id "
                "= :'p1' AND status = 'pending'", self.id)[0][0] != "0":
            time.sleep(0.5)
        rows = sql("SELECT t.id, e.id FROM transactions t LEFT JOIN "
                   "webhook_events e ON e.object_id = t.id AND e.type = "
                   "'payment.completed' WHERE t.type = 'qr_payment' AND "
                   "t.status = 'completed' AND t.user_id = ANY "
                   "(string_to_array(:'p1', ','))", ",".join(PAYER_IDS))
        no_event = [tx for tx, ev in rows if not ev]
        with lock:
            unseen = [ev for _, ev in rows if ev and ev not in self.seen]
            repeats = sum(n - 1 for n in self.seen.values())
        print("webhooks: %d completed QR payments, %d events received, %d "
              "repeated deliveries, %d without an event, %d not received" % (
                  len(rows), len(rows) - len(unseen) - len(no_event),
                  repeats, len(no_event), len(unseen)), flush=True)
        if no_event:
            failures.append("QR payments without a webhook event: %r" %
                            no_event[:5])
        if unseen:
            failures.append("webhook events never received: %r" %
                            unseen[:5])
        self.server.shutdown()
        return not no_event and not unseen


def make_payer(prefix, swap=None):
    """A payer with a recipient; its account's number decides the bank's
    behaviour (5555: SCA for everything). swap: the prefix its account
    takes after linking (7777 unavailable, 8888 slow, 4444 loses its
    answers for 20 s)."""
    c = register()
    approve(c)
    number = account_number(prefix=prefix)
    r = c.post("/api/bank-accounts", {"bankName": "DNB",
                                      "accountNumber": number})
    assert r.status == 201, r
    a = r.json["data"]
    if a["status"] == "pending_consent":
        assert sca_form(a["authorisation"]["url"], "approve")[0] == 303
        r = c.post("/api/bank-accounts/%s/refresh" % a["id"])
        assert r.status == 200 and r.json["data"]["status"] == "active", r
    if swap is not None:
        number = account_number(prefix=swap)
        sql("UPDATE bank_accounts SET account_number = :'p1' WHERE id = "
            ":'p2'", number, a["id"])
        bank("POST", "/sandbox/accounts/" + number, {"balance": 10 ** 9})
    return c


def make_payers():
    payers = []
    kinds = ["4%03d" % random.choice([n for n in range(1000) if n != 444])
             for _ in range(PAYERS)]
    kinds += ["5555"] * SCA_PAYERS + [("1234", "8888"), ("1234", "7777"),
                                      ("1234", "4444")]
    for kind in kinds:
        c = make_payer(*kind) if isinstance(kind, tuple) else \
            make_payer(kind)
        r = c.post("/api/recipients", {
            "name": "Marko Petrovic", "country": "RS",
            "bankAccount": "RS35260005601001611379", "bankName": "Banka"})
        assert r.status == 201, r
        payers.append(Payer(c, r.json["data"]["id"]))
        PAYER_IDS.append(c.user_id)
    return payers


class Approver(threading.Thread):
    """The people behind the SCA payers: each payment waiting for them is
    approved at the bank's page (one in five rejected), a second or so
    after it was asked for."""

    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.done = set()

    def run(self):
        while not self.stop.is_set():
            try:
                rows = sql("SELECT id, sca_url FROM transactions WHERE "
                           "status = 'pending_authorisation' AND sca_url IS "
                           "NOT NULL AND created_at < now() - interval "
                           "'1 second'")
            except subprocess.CalledProcessError:
                rows = []       # the database is down in this fault
            for tx, url in rows:
                if tx in self.done:
                    continue
                try:
                    sca_form(url, "reject" if random.random() < 0.2
                             else "approve")
                    self.done.add(tx)
                except (OSError, http.client.HTTPException):
                    pass
            time.sleep(0.3)


def bank_start():
    """The sandbox bank again, after a kill (same ledger, same port)."""
    log = open(os.path.join(BANK_TMP, "bank", "bank.log"), "ab")
    p = subprocess.Popen(["sh", os.path.join(ROOT, "scripts", "stackctl.sh"),
                          "bank", BANK_TMP, BANK_PORT], stdout=log,
                         stderr=subprocess.STDOUT, start_new_session=True)
    BANK_PID[0] = p.pid
    BANK_CHILDREN.append(p)
    deadline = time.time() + 15
    while time.time() < deadline:
        try:
            bank("GET", "/sandbox/health")
            return
        except (OSError, AssertionError):
            time.sleep(0.1)
    raise RuntimeError("the sandbox bank did not come back")


def bank_signal(sig):
    """sig to the sandbox bank (its shell and its Python)."""
    out = subprocess.run(["pgrep", "-f", "sandbox/bank/bank.py"],
                         capture_output=True, text=True).stdout
    for pid in [int(p) for p in out.split()]:
        try:
            with open("/proc/%d/environ" % pid, "rb") as f:
                if ("BANK_PORT=%s" % BANK_PORT).encode() not in f.read():
                    continue
            os.kill(pid, sig)
        except OSError:
            pass


BANK_CHILDREN = []
KILLED_AT = [0.0]   # when the last worker was killed


# --- probes ---------------------------------------------------------------

class Probes:
    """Every 100 ms, in fresh threads: a cached read (new TLS connection and
    a kept-alive one), health, and a route that needs the database."""

    def __init__(self, me_client):
        self.samples = []
        self.me = me_client
        self.stop = threading.Event()
        self.keepalive = None
        self.ka_lock = threading.Lock()

    def record(self, kind, t0, status):
        with lock:
            self.samples.append((kind, t0, time.time() - t0, status))

    def one(self, kind, path, client=None):
        t0 = time.time()
        c = client or Client()
        c.ip = fresh_ip()
        try:
            r = c.get(path)
            self.record(kind, t0, r.status)
        except (OSError, http.client.HTTPException) as e:
            self.record(kind, t0, "error:%s" % type(e).__name__)

    def rates_keepalive(self):
        t0 = time.time()
        with self.ka_lock:
            try:
                if self.keepalive is None:
                    u = base_url().split("//", 1)[1]
                    host, port = u.split(":")
                    if base_url().startswith("https"):
                        self.keepalive = http.client.HTTPSConnection(
                            host, int(port), context=ssl_context(),
                            timeout=10)
                    else:
                        self.keepalive = http.client.HTTPConnection(
                            host, int(port), timeout=10)
                self.keepalive.request("GET", "/api/rates",
                                       headers={"X-Forwarded-For": fresh_ip()})
                r = self.keepalive.getresponse()
                r.read()
                self.record("rates-ka", t0, r.status)
            except (OSError, http.client.HTTPException) as e:
                self.keepalive = None
                self.record("rates-ka", t0, "error:%s" % type(e).__name__)

    def loop(self):
        while not self.stop.is_set():
            for kind, path, client in (("rates", "/api/rates", None),
                                       ("health", "/api/health", None),
                                       ("me", "/api/users/me", self.me)):
                threading.Thread(target=self.one, args=(kind, path, client),
                                 daemon=True).start()
            threading.Thread(target=self.rates_keepalive, daemon=True).start()
            time.sleep(0.1)

    def window(self, t0, t1):
        with lock:
            return [s for s in self.samples if t0 <= s[1] <= t1]


def wait_recovered(t_from, limit=30):
    """Time at which health and a database route both answer 200."""
    me = PROBE_USER
    while time.time() < t_from + limit:
        try:
            h = Client().get("/api/health").status
            m = me.get("/api/users/me").status
            if h == 200 and m == 200:
                return time.time()
        except (OSError, http.client.HTTPException):
            pass
        time.sleep(0.05)
    return None


# --- checks ---------------------------------------------------------------

def check_bank(failures, open_ok=True, limit_s=(LEASE_S + 15) * SLOW):
    """Drop against the bank's ledger, once both have caught up."""
    problems = bank_ledger.settled(open_ok, limit_s)
    failures.extend("bank: " + p for p in problems[:10])
    return not problems


def check_database(failures):
    """Every acknowledged payment recorded once; ledger exact."""
    with lock:
        acks = dict(acked)
    rows = sql("SELECT key, coalesce(transaction_id, '') FROM "
               "idempotency_keys WHERE user_id = ANY "
               "(string_to_array(:'p1', ','))", ",".join(PAYER_IDS))
    keys = {k: tx for k, tx in rows}
    for key, tx in acks.items():
        if keys.get(key) != tx:
            failures.append("acknowledged %s (key %s) recorded as %r" %
                            (tx, key, keys.get(key)))
    txs = sql("SELECT t.id, count(k.key) FROM transactions t "
              "LEFT JOIN idempotency_keys k ON k.transaction_id = t.id "
              "WHERE t.user_id = ANY (string_to_array(:'p1', ',')) "
              "GROUP BY t.id", ",".join(PAYER_IDS))
    for tx, n in txs:
        if n != "1":
            failures.append("transaction %s has %s keys" % (tx, n))
    bad = sql_file("ledger.sql")
    if bad:
        failures.append("ledger invariant broken: %r" % bad[:5])
    return len(acks), len([k for k, tx in keys.items() if tx])


def kore_gone(pid):
    """True once the process has exited (a zombie counts)."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def stop_in_flight(failures):
    """SIGTERM while every PostgreSQL process is frozen and requests wait
    on it: Kore must still stop within 5 s."""
    pg_signal(signal.SIGSTOP)
    try:
        for _ in range(6):
            threading.Thread(target=waiting_request, daemon=True).start()
        time.sleep(0.5)
        t0 = time.time()
        os.kill(KORE_PID, signal.SIGTERM)
        while not kore_gone(KORE_PID) and time.time() < t0 + 10:
            time.sleep(0.02)
        took = time.time() - t0
    finally:
        pg_signal(signal.SIGCONT)
    ok = took < 5
    print("shutdown with queries in flight: kore stopped in %s | %s" %
          (fmt_ms(took), "ok" if ok else "FAILED"), flush=True)
    if not ok:
        failures.append("SIGTERM took %.1f s with queries in flight" % took)
    return ok


def waiting_request():
    try:
        Client().get("/api/health")
        PROBE_USER.get("/api/users/me")
    except (OSError, http.client.HTTPException):
        pass


def fmt_ms(v):
    return "-" if v is None else "%d ms" % (v * 1000)


def run_fault(name, probes, inject, restore, hold, down, failures):
    t0 = time.time()
    inject()
    if hold:
        time.sleep(hold)
    t_restore = time.time()
    if restore:
        restore()
        t_restore = time.time()
    t_rec = wait_recovered(t_restore)
    t_end = time.time()
    time.sleep(1.0)
    samples = probes.window(t0, t_end)
    rates = [s for s in samples if s[0] in ("rates", "rates-ka")]
    health = [s for s in samples if s[0] == "health" and s[1] < t_restore]
    me = [s for s in samples if s[0] == "me" and s[1] < t_restore]
    rates_max = max((s[2] for s in rates), default=0)
    first_503 = min((s[1] + s[2] - t0 for s in health if s[3] == 503),
                    default=None)
    health_max = max((s[2] for s in health), default=0)
    me_max = max((s[2] for s in me), default=0)
    recovery = None if t_rec is None else max(0.0, t_rec - t_restore)
    mine = []
    bad_rates = [s for s in rates if s[3] != 200]
    if name.startswith("worker-kill"):
        # A killed worker's own connections fail; its successor answers
        # 503 until its first load of the rates.
        bad_rates = [s for s in bad_rates if not
                     KILLED_AT[0] - 0.1 <= s[1] <= KILLED_AT[0] + 1]
    if bad_rates:
        mine.append("cached read failed: %r" % bad_rates[:3])
    if rates_max > RATES_MAX_S:
        mine.append("cached read stalled %.2f s" % rates_max)
    if health_max > HEALTH_MAX_S:
        mine.append("health took %.2f s" % health_max)
    if me_max > DB_ROUTE_MAX_S:
        mine.append("database route took %.2f s" % me_max)
    if down and first_503 is None:
        mine.append("health never answered 503")
    odd = [s for s in me if s[3] not in (200, 503) and
           not (name.startswith("worker-kill") and
                KILLED_AT[0] - 0.1 <= s[1] <= KILLED_AT[0] + 1)]
    if odd:
        mine.append("database route answered %r" % odd[:3])
    if recovery is None or recovery > RECOVERY_MAX_S:
        mine.append("no recovery within %d s" % RECOVERY_MAX_S)
    n_acked, n_recorded = check_database(mine)
    bank_ok = check_bank(mine)
    print("fault %-22s cached read max %7s | health 503 after %7s, max %7s"
          " | db route max %7s | recovered in %7s | payments acknowledged "
          "%d / recorded %d | bank ledger %s | %s" % (
              name, fmt_ms(rates_max), fmt_ms(first_503), fmt_ms(health_max),
              fmt_ms(me_max), fmt_ms(recovery), n_acked, n_recorded,
              "agrees" if bank_ok else "DIFFERS",
              "ok" if not mine else "FAILED"), flush=True)
    for m in mine:
        print("    " + m, flush=True)
    if mine:
        # Where each worker thread is now, in Kore's kept log.
        ask_worker_stacks(worker_pids(KORE_PID))
    failures.extend("%s: %s" % (name, m) for m in mine)
    return not mine


def main():
    global PROBE_USER
    failures = []
    random.seed()
    PROBE_USER = register()
    hooks = HookReceiver()
    payers = make_payers()
    probes = Probes(PROBE_USER)
    threading.Thread(target=probes.loop, daemon=True).start()
    approver = Approver()
    approver.start()
    for p in payers:
        p.start()
    time.sleep(3)

    def kill_worker():
        workers = worker_pids(KORE_PID)
        assert workers, "no kore workers found"
        KILLED_AT[0] = time.time()
        os.kill(random.choice(workers), signal.SIGKILL)

    def socket_away():
        run = os.path.join(PGDIR, "run")
        os.rename(run, run + ".off")
        # Existing connections go too, so the pool must reconnect.
        as_pg(["psql", "-X", "-q", "-h", run + ".off", "-p", PGPORT,
               "-U", "postgres", "-d", "postgres", "-c",
               "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
               "WHERE usename = 'drop'"])

    def socket_back():
        run = os.path.join(PGDIR, "run")
        os.rename(run + ".off", run)

    def restart_then_freeze():
        pg_restart_immediate()
        pg_signal(signal.SIGSTOP)

    def kill_worker_in_bank_call():
        # The bank holds every call it gets: a worker dies with calls
        # sent and unanswered; the bank then books them. Its lease runs
        # out and another claim asks again with the same X-Request-ID.
        bank_signal(signal.SIGSTOP)
        time.sleep(1.5)
        try:
            kill_worker()
            time.sleep(0.5)
        finally:
            bank_signal(signal.SIGCONT)

    def kill_bank():
        bank_signal(signal.SIGKILL)

    def lose_callbacks():
        bank("POST", "/sandbox/callbacks", {"lose": True})

    def keep_callbacks():
        bank("POST", "/sandbox/callbacks", {"lose": False})

    faults = [
        ("worker-kill", kill_worker, None, 2, False),
        ("pg-restart-immediate", pg_restart_immediate, None, 0, False),
        ("freeze-after-start", restart_then_freeze,
         lambda: pg_signal(signal.SIGCONT), FREEZE_S, True),
        ("freeze-under-load", lambda: pg_signal(signal.SIGSTOP),
         lambda: pg_signal(signal.SIGCONT), FREEZE_S, True),
        ("socket-unreachable", socket_away, socket_back, SOCKET_S, True),
        ("worker-kill-in-bank-call", kill_worker_in_bank_call, None, 2,
         False),
        ("bank-kill-restart", kill_bank, bank_start, 3, False),
        ("bank-frozen", lambda: bank_signal(signal.SIGSTOP),
         lambda: bank_signal(signal.SIGCONT), 8, False),
        ("callbacks-lost", lose_callbacks, keep_callbacks, 10, False),
    ]
    chosen = [f for f in faults if not ONLY or f[0] in ONLY]
    results = []
    killed = 0
    for _ in range(REPEAT):
        for name, inject, restore, hold, down in chosen:
            results.append(run_fault(name, probes, inject, restore, hold,
                                     down, failures))
            killed += name.startswith("worker-kill")
    # The shell harness expects exactly this many workers gone.
    with open(os.path.join(BANK_TMP, "workers-killed"), "w") as f:
        f.write("%d\n" % killed)
    n_fault_failures = len(failures)

    stop_payers.set()
    for p in payers:
        p.join(100)
    probes.stop.set()
    time.sleep(0.5)
    # Every payment ends by itself: approved or rejected, given up on
    # (GIVEUP_S), or booked; none is left open but those held in doubt
    # for a bank that has not answered since (7777's, after a fault cut
    # an attempt off: Drop may not give up on those).
    t0 = time.time()
    bank_final = check_bank(failures, open_ok=False,
                            limit_s=GIVEUP_S + LEASE_S + 30)
    approver.stop.set()
    ends = sql("SELECT status, coalesce(failure_reason, ''), count(*) FROM "
               "transactions WHERE user_id = ANY (string_to_array(:'p1', "
               "',')) GROUP BY 1, 2 ORDER BY 1, 2", ",".join(PAYER_IDS))
    held = sql("SELECT count(*) FROM bank_outbox o JOIN transactions t ON "
               "t.id = o.tx_id WHERE o.kind = 'initiate' AND o.done_at IS "
               "NULL AND o.in_doubt AND t.user_id = ANY (string_to_array("
               ":'p1', ','))", ",".join(PAYER_IDS))[0][0]
    print("bank: every payment ended in %s | %s | %s held in doubt | Drop "
          "and the bank's ledger %s" % (fmt_ms(time.time() - t0), ", ".join(
              "%s%s %s" % (st, "/" + why if why else "", n)
              for st, why, n in ends), held,
              "agree" if bank_final else "DIFFER"), flush=True)
    n_acked, n_recorded = check_database(failures)
    results.append(hooks.check(failures))
    with lock:
        print("payments: %d acknowledged, %d recorded, %d refused %s, %d "
              "attempts, %d anomalies" % (
                  n_acked, n_recorded, len(refused),
                  sorted(set(refused.values())), attempts[0],
                  len(anomalies)))
        if any("idempotency" in v or v.startswith("5")
               for v in refused.values()):
            failures.append("a retry was refused: %r" % refused)
        failures.extend(anomalies[:10])
    if n_acked != n_recorded:
        failures.append("%d payments recorded, %d acknowledged" %
                        (n_recorded, n_acked))
    final_ok = len(failures) == n_fault_failures
    results.append(final_ok)
    results.append(stop_in_flight(failures))
    for f in failures:
        print("FAIL " + f)
    passed = results.count(True)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    for p in BANK_CHILDREN:
        os.killpg(p.pid, signal.SIGTERM)
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
