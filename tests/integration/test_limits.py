"""Rate limits that hold (contract §3): IPv6 clients count by their /64,
X-Forwarded-For is read from its end whatever its length (and refused
when it is not addresses), payments count per user as well as per
address, and a full table never resets anyone's count: logins and
payments are refused, rate reads let through."""

import itertools
import os
import threading
import time

import pytest

from harness import (Client, clock, eq, fresh_ip, is_error, register, sql,
                     sql_one)
from money_helpers import MERCHANT, funded_user, new_client_like
from test_rules import kore_with, needs_stack, wait_up

_prefix = itertools.count(1)


def login(c):
    return c.post("/api/auth/login", {"email": "nobody@example.no",
                                      "password": "Nope1234"})


def v6_prefix():
    """A /64 no other test uses (the counter runs within the session)."""
    n = next(_prefix)
    return "2001:db8:%x:%x" % (n >> 16, n & 0xffff)


def wait_public(base, timeout=15):
    """The public listener answers (its TLS keys load after the workers)."""
    deadline = time.time() + timeout
    while True:
        try:
            if Client(base).get("/api/health").status == 200:
                return
        except OSError:
            pass
        assert time.time() < deadline, "no answer from " + base
        time.sleep(0.1)


def test_ipv6_clients_count_by_their_64():
    if not trusting():
        pytest.skip("needs a trusted proxy")
    net = v6_prefix()
    codes = [login(Client(ip="%s::%x" % (net, i + 1))).status
             for i in range(10)]
    eq(codes, [401] * 10)
    # Another address in the same /64 is the same subscriber.
    is_error(login(Client(ip=net + ":ffff:1:2:3")), 429, "rate_limited")
    eq(login(Client(ip=v6_prefix() + "::1")).status, 401)


def trusting():
    """This session's Kore trusts the loopback proxy's X-Forwarded-For."""
    return os.environ.get("DROP_TEST_UNTRUSTED") != "1"


def test_long_forwarded_for_is_read_from_its_end():
    if not trusting():
        pytest.skip("needs a trusted proxy")
    junk = ", ".join("198.51.100.%d" % (i % 250) for i in range(60))
    assert len(junk) > 512, len(junk)
    ip = fresh_ip()
    codes = [login(Client(ip=junk + ", " + ip)).status for _ in range(10)]
    eq(codes, [401] * 10)
    is_error(login(Client(ip=junk + ", " + ip)), 429, "rate_limited")
    # The same junk before another client is another client, not the proxy.
    eq(login(Client(ip=junk + ", " + fresh_ip())).status, 401)


def test_forwarded_for_that_is_not_addresses_is_refused():
    if not trusting():
        pytest.skip("needs a trusted proxy")
    is_error(login(Client(ip="203.0.113.9, not-an-address")), 400,
             "bad_request")


def test_payments_count_per_user_across_addresses():
    c = funded_user(500)
    codes = [new_client_like(c).post("/api/transactions/qr-payment",
                                     {"merchantId": MERCHANT,
                                      "amount": 1}).status
             for _ in range(31)]
    eq(codes[:30], [201] * 30)
    eq(codes[30], 429)
    other = funded_user(500)
    eq(new_client_like(other).post("/api/transactions/qr-payment",
                                   {"merchantId": MERCHANT,
                                    "amount": 1}).status, 201)


def limit_hit(user, limit):
    return int(sql_one("SELECT drop_user_limit_hit(:'p1', 'payments', %d)"
                       % limit, user))


def set_window(user, ago, hits):
    """The user's payment window as if hits were counted ago seconds ago
    (and that second was the last counted)."""
    sql("UPDATE user_limits SET sec = extract(epoch FROM now())::bigint "
        "- %d, hits = array_fill(0, ARRAY[61]) WHERE user_id = :'p1' AND "
        "grp = 'payments'" % ago, user)
    sql("UPDATE user_limits SET hits[sec %% 61 + 1] = %d WHERE user_id = "
        ":'p1' AND grp = 'payments'" % hits, user)


def test_user_window_slides_by_the_second():
    """The per-user count (sql/functions/019_limits.sql): hits leave the
    window 61 seconds after their second, not all at once at a minute's
    edge; Retry-After is the time until the oldest leave."""
    user = register().user_id
    eq(limit_hit(user, 3), 0)
    set_window(user, 30, 3)
    wait = limit_hit(user, 3)
    assert 30 <= wait <= 32, wait
    eq(sql_one("SELECT sum(h) FROM user_limits, unnest(hits) h WHERE "
               "user_id = :'p1'", user), "3")
    set_window(user, 62, 3)
    eq(limit_hit(user, 3), 0)
    eq(sql_one("SELECT sum(h) FROM user_limits, unnest(hits) h WHERE "
               "user_id = :'p1'", user), "1")
    set_window(user, 10, 2)
    eq([limit_hit(user, 3), limit_hit(user, 3) > 0], [0, True])


def test_full_table_refuses_logins_and_resets_no_count(stack):
    """A table of 32 slots, filled by 80 addresses: a new address is
    refused (never given someone's slot), two addresses that would have
    evicted each other get nothing through, the first one's count stands,
    and rate reads still go."""
    needs_stack(stack)
    with kore_with(stack, lambda t: t, {"DROP_RATELIMIT_SLOTS": "32"}) as \
            (p, base, internal, _):
        eq(wait_up(p, internal), None)
        wait_public(base)
        first = fresh_ip()
        eq(login(Client(base, ip=first)).status, 401)
        codes = [login(Client(base, ip=fresh_ip())).status
                 for _ in range(80)]
        assert 429 in codes and 401 in codes, codes
        a, b = fresh_ip(), fresh_ip()
        late = [login(Client(base, ip=x)) for _ in range(20) for x in (a, b)]
        eq(sorted(set(r.status for r in late)), [429])
        eq(late[0].header("Retry-After"), "61")
        eq(Client(base).get("/api/rates").status, 200)
        codes = [login(Client(base, ip=first)).status for _ in range(10)]
        eq(codes, [401] * 9 + [429])


def test_rate_readers_leave_room_for_logins(stack):
    """A flood of rate reads from many addresses (the bench's, or an
    attacker's) once filled every slot, and logins and payments, which
    fail closed on a full bucket, were refused for a minute. A new rate
    reader takes no bucket's last 4 slots: after 200 addresses read the
    rates from a table of 32 slots (2 buckets), 4 new addresses can still
    sign in (they fall in at most 2 buckets, 4 free slots each)."""
    needs_stack(stack)
    with kore_with(stack, lambda t: t, {"DROP_RATELIMIT_SLOTS": "32"}) as \
            (p, base, internal, _):
        eq(wait_up(p, internal), None)
        wait_public(base)
        reads = [Client(base, ip=fresh_ip()).get("/api/rates").status
                 for _ in range(200)]
        eq(set(reads), {200})
        eq([login(Client(base, ip=fresh_ip())).status for _ in range(4)],
           [401] * 4)


def test_hashes_past_the_queue_cap_are_503(stack):
    """A worker holds at most DROP_PASSWD_QUEUE hashes (here 1): a burst
    of 16 logins at bcrypt cost 12 gets 503 with Retry-After for those
    past it, and the rest their 401; afterwards logins go again."""
    needs_stack(stack)
    with kore_with(stack, lambda t: t, {"DROP_PASSWD_QUEUE": "1",
                                        "DROP_BCRYPT_COST": "12"}) as \
            (p, base, internal, _):
        eq(wait_up(p, internal), None)
        wait_public(base)
        got = []
        threads = [threading.Thread(target=lambda: got.append(
            login(Client(base, ip=fresh_ip())))) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        busy = [r for r in got if r.status == 503]
        assert busy and len(busy) <= 14, sorted(r.status for r in got)
        eq(sorted(set(r.status for r in got)), [401, 503])
        is_error(busy[0], 503, "unavailable")
        eq(busy[0].header("Retry-After"), "1")
        eq(login(Client(base, ip=fresh_ip())).status, 401)


# --- the per-account sign-in throttle --------------------------------------

def sign_in(email, password):
    """One sign-in from an address of its own (the per-IP limit stays out)."""
    return Client(ip=fresh_ip()).post("/api/auth/login",
                                      {"email": email, "password": password})


def paused_notes(user_id):
    return int(sql_one("SELECT count(*) FROM notifications WHERE user_id = "
                       ":'p1' AND type = 'security_login_paused'", user_id))


def test_wrong_passwords_pause_the_account_from_any_address():
    u = register()
    for _ in range(5):
        is_error(sign_in(u.email, "Wrong1234"), 401, "unauthorized")
    # Paused: even the right password, from a new address, waits.
    r = sign_in(u.email, u.password)
    is_error(r, 429, "rate_limited")
    assert 25 <= int(r.header("Retry-After")) <= 30, r.header("Retry-After")
    eq(paused_notes(u.user_id), 1)
    with clock("31 seconds"):
        # The pause is over; one more failure doubles it.
        is_error(sign_in(u.email, "Wrong1234"), 401, "unauthorized")
        r = sign_in(u.email, u.password)
        is_error(r, 429, "rate_limited")
        assert 55 <= int(r.header("Retry-After")) <= 60, r.header(
            "Retry-After")
    with clock("92 seconds"):
        eq(sign_in(u.email, u.password).status, 200)
    # A correct password clears the count: four failures pause nothing.
    eq(sql_one("SELECT count(*) FROM login_throttle WHERE user_id = :'p1'",
               u.user_id), "0")
    for _ in range(4):
        is_error(sign_in(u.email, "Wrong1234"), 401, "unauthorized")
    eq(sign_in(u.email, u.password).status, 200)
    eq(paused_notes(u.user_id), 1)


def test_the_pause_grows_to_at_most_fifteen_minutes_then_forgets():
    u = register()
    sql("INSERT INTO login_throttle (user_id, failures, last_failed_at) "
        "VALUES (:'p1', 40, now())", u.user_id)
    is_error(sign_in(u.email, "Wrong1234"), 401, "unauthorized")
    r = sign_in(u.email, u.password)
    is_error(r, 429, "rate_limited")
    assert 890 <= int(r.header("Retry-After")) <= 900, r.header("Retry-After")
    # Fifteen quiet minutes after the pause ends start the count again.
    with clock("31 minutes"):
        is_error(sign_in(u.email, "Wrong1234"), 401, "unauthorized")
        eq(sign_in(u.email, u.password).status, 200)


def test_unknown_emails_are_limited_per_address_only():
    # No account, nothing to protect or notify; register's 409 already
    # tells whether an address has an account (docs/decisions.md).
    email = "nobody-%s@example.no" % fresh_ip().replace(".", "-")
    eq([sign_in(email, "Wrong1234").status for _ in range(8)], [401] * 8)
    eq(sql_one("SELECT count(*) FROM login_throttle"), sql_one(
        "SELECT count(*) FROM login_throttle t JOIN users u ON u.id = "
        "t.user_id"))
