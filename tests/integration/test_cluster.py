"""The cluster (--cluster: make cluster's topology, tests/integration/
stack.py ClusterStack): HAProxy in front of two instances, a primary and
a synchronous hot standby. The per-address and per-user limits hold for
the cluster as a whole, the daily jobs run once across instances, and the
fault run: one instance killed under paying load, then the primary
stopped and the standby promoted, with no payment lost or doubled
(against the sandbox bank's ledger) and health 503 then 200 by itself;
the times it took are printed and recorded in docs/reliability.md."""

import os
import subprocess
import threading
import time
import uuid

import pytest

import bank_ledger
from harness import Client, eq, fresh_ip, sql, sql_one
from money_helpers import MERCHANT, funded_user, new_client_like

PGBIN = subprocess.run(
    "ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1", shell=True,
    capture_output=True, text=True).stdout.strip()


def served(stack):
    """Requests each checked instance has had from HAProxy."""
    return {name: int(row["stot"])
            for name, row in stack.checked_servers().items()}


def test_login_limit_holds_for_the_cluster(stack):
    """Ten sign-ins from one address reach both instances (round robin);
    the eleventh is 429 at the balancer in the contract's envelope, though
    neither instance alone has seen ten."""
    ip = fresh_ip()
    before = served(stack)
    got = [Client(ip=ip).post("/api/auth/login", {
        "email": "nobody@example.no", "password": "Nope1234"})
        for _ in range(11)]
    eq([r.status for r in got], [401] * 10 + [429])
    after = served(stack)
    each = sorted(after[s] - before[s] for s in after)
    assert each[0] >= 3, each
    r = got[-1]
    eq(r.json["error"], "rate_limited")
    eq(r.json["requestId"], r.header("X-Request-Id"))
    eq(r.header("Retry-After"), "60")
    # Another address is not held back by this one.
    eq(Client(ip=fresh_ip()).post("/api/auth/login", {
        "email": "nobody@example.no", "password": "Nope1234"}).status, 401)


def test_the_balancer_pair_counts_a_client_once(stack):
    """Ten sign-ins from one address, taken in turn by the two balancers
    of the pair (peers pushing each other their tables): the eleventh is
    429 at either, though each balancer took only five."""
    base2 = os.environ["DROP_TEST_BASE2"]
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            if Client(base2).get("/api/health").status == 200:
                break
        except OSError:
            pass
        time.sleep(0.2)
    ip = fresh_ip()
    got = [Client(base2 if n % 2 else None, ip=ip).post(
        "/api/auth/login", {"email": "nobody@example.no",
                            "password": "Nope1234"}).status
           for n in range(10)]
    eq(got, [401] * 10)
    for base in (None, base2):
        r = Client(base, ip=ip).post("/api/auth/login", {
            "email": "nobody@example.no", "password": "Nope1234"})
        eq(r.status, 429)
        eq(r.json["error"], "rate_limited")


def test_payment_limit_per_user_holds_for_the_cluster(stack):
    """One user's payments, each from another address, sent to the two
    instances in turn (not through HAProxy, whose round robin the bank's
    callbacks also take); the 31st in a minute is 429 though neither
    instance has seen 16: the count is the database's."""
    c = funded_user(500)
    got = []
    for n in range(31):
        pay = new_client_like(c)
        pay.base = "http://127.0.0.1:%d" % stack.instances[n % 2][2]
        got.append(pay.post("/api/transactions/qr-payment", {
            "merchantId": MERCHANT, "amount": 1}))
    eq([r.status for r in got], [201] * 30 + [429])
    eq(got[-1].json["error"], "rate_limited")
    assert 1 <= int(got[-1].header("Retry-After")) <= 61, \
        got[-1].header("Retry-After")


def test_ipv6_clients_count_by_their_64_at_the_balancer():
    base = "2001:db8:%x:%x::" % (os.getpid() & 0xffff, int(time.time()) &
                                 0xffff)
    got = [Client(ip=base + "%x" % (n + 1)).get("/api/rates").status
           for n in range(121)]
    eq(got, [200] * 120 + [429])


def test_daily_jobs_ran_once_across_instances(stack):
    """Four workers in two instances race for the day's purge and
    reconciliation: one row each, and one instance's log tells of it."""
    deadline = time.time() + 30
    while sql_one("SELECT count(*) FROM purge_runs WHERE day = (now() AT "
                  "TIME ZONE 'Europe/Oslo')::date AND status = 'done'") \
            != "1" and time.time() < deadline:
        time.sleep(0.5)
    eq(sql_one("SELECT count(*) FROM purge_runs WHERE day = "
               "(now() AT TIME ZONE 'Europe/Oslo')::date"), "1")
    days = sql("SELECT day, count(*) FROM reconciliations GROUP BY 1 "
               "HAVING count(*) > 1")
    eq(days, [])
    logs = ""
    for path in os.environ["DROP_TEST_KORE_LOGS"].split():
        with open(path, errors="replace") as f:
            logs += f.read()
    purges = [line for line in logs.splitlines() if "]: purge: " in line]
    eq(len(purges), 1, purges)


# --- the fault run: an instance dies, then the primary ----------------------

class Payers:
    """Threads paying QR payments through HAProxy, each retrying one
    Idempotency-Key until a definite answer: acked maps key to tx id."""

    def __init__(self, n):
        self.users = [funded_user(100000) for _ in range(n)]
        self.acked = {}
        self.refused = {}
        self.unknown = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(c,))
                        for c in self.users]
        self.lock = threading.Lock()
        self.last_ok = 0.0
        self.last_seen = None

    def start(self):
        for t in self.threads:
            t.start()

    def join(self):
        self.stop.set()
        for t in self.threads:
            t.join()

    def run(self, c):
        while not self.stop.is_set():
            key = str(uuid.uuid4())
            # An address per payment: the per-address limit stays out.
            c.ip = fresh_ip()
            deadline = time.time() + 90
            while True:
                try:
                    r = c.post("/api/transactions/qr-payment", {
                        "merchantId": MERCHANT, "amount": 1.5},
                        headers={"Idempotency-Key": key})
                except OSError as e:
                    r = None
                    self.last_seen = repr(e)
                if r is not None:
                    self.last_seen = "%d %s" % (r.status, r.raw[:160])
                if r is not None and r.status in (200, 201):
                    with self.lock:
                        self.acked[key] = r.json["data"]["id"]
                        self.last_ok = time.time()
                    # A person's pace: under the 30 a minute of one user.
                    self.stop.wait(2.1)
                    break
                if r is not None and r.status in (402, 409, 422):
                    self.refused[key] = r.status
                    break
                if time.time() > deadline:
                    self.unknown.append(key)
                    break
                time.sleep(0.2)


def health():
    try:
        return Client().get("/api/health").status
    except OSError:
        return None


def pg_ctl(*args):
    cmd = [PGBIN + "/pg_ctl"] + list(args)
    if os.getuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--"] + cmd
    subprocess.run(cmd, check=True, capture_output=True)


@pytest.mark.phase(2)
def test_instance_death_and_failover_lose_no_payment(stack):
    payers = Payers(12)
    payers.start()
    time.sleep(3)
    # One instance dies whole, mid-payment (its leases run out).
    victim, log_path = stack.instances[1][:2]
    open(log_path + ".killed", "w").close()
    os.killpg(victim.pid, 9)
    victim.wait()
    time.sleep(4)
    n_before = len(payers.acked)
    # The primary crashes; the standby is promoted two seconds later.
    t_stop = time.time()
    pg_ctl("-D", os.path.join(stack.pgdir, "data"), "-m", "immediate",
           "stop")
    saw_503 = None
    rates = []
    while time.time() < t_stop + 2:
        if health() == 503 and saw_503 is None:
            saw_503 = time.time() - t_stop
        # No instance passes its check now: the unchecked ones answer
        # from their caches.
        rates.append(Client().get("/api/rates").status)
        time.sleep(0.1)
    t_promote = time.time()
    pg_ctl("-D", os.path.join(stack.pgdir2, "data"), "-w", "promote")
    healthy = None
    while time.time() < t_promote + 30:
        if health() == 200:
            healthy = time.time() - t_promote
            break
        time.sleep(0.1)
    paid = None
    while time.time() < t_promote + 30:
        if payers.last_ok > t_promote:
            paid = payers.last_ok - t_promote
            break
        time.sleep(0.1)
    time.sleep(3)
    payers.join()
    print("\ncluster fault run: %d payments acknowledged (%d before the "
          "primary stopped), %d refused, %d without an answer; health 503 "
          "%.1f s after the primary stopped, 200 %.1f s after the "
          "promotion, first payment %.1f s after it" % (
              len(payers.acked), n_before, len(payers.refused),
              len(payers.unknown), saw_503 or -1, healthy or -1,
              paid or -1))
    print("last answer seen: %s" % payers.last_seen)
    assert saw_503 is not None, "health never said 503"
    eq(set(rates), {200}, "rates while the database switched")
    assert healthy is not None, "health not 200 within 30 s"
    assert paid is not None, "no payment within 30 s of the promotion"
    eq(payers.unknown, [])
    eq(payers.refused, {})
    ids = list(payers.acked.values())
    eq(len(set(ids)), len(ids), "one payment per key")
    # Every acknowledged payment is in the promoted database, once.
    found = sql("SELECT count(*) FROM transactions WHERE id = ANY("
                "string_to_array(:'p1', ','))", ",".join(ids))
    eq(found, [[str(len(ids))]])
    # And at the bank once, for what Drop debited (the killed instance's
    # leases run out first: 30 s).
    eq(bank_ledger.settled(limit_s=90), [], "Drop against the bank")
