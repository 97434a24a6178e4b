"""Foundation: envelope, errors, health, TLS, auth, sessions, CSRF, rate
limits, internal KYC (contract §1-4, §12)."""

import base64
import hashlib
import hmac
import json
import os
import random
import socket
import ssl
import subprocess
import threading
import time
import urllib.parse

from harness import (Client, admin, approve, base_url,
                     detail_fields, eq, fresh_ip, is_error, register, sql,
                     sql_one, ssl_context, unique_email, user_body)


# --- envelope, ids, errors ------------------------------------------------

def test_health_reports_database_round_trip():
    r = Client().get("/api/health")
    eq(r.status, 200)
    eq(r.json["status"], "ok")
    eq(r.json["db"], "connected")
    assert isinstance(r.json["dbLatencyMs"], int), r
    assert isinstance(r.json["uptime"], int), r
    assert r.json["timestamp"].endswith("Z"), r
    assert "data" not in r.json
    assert r.header("Content-Type").startswith("application/json")


def test_request_id_is_echoed_when_well_formed():
    r = Client().get("/api/health", headers={"X-Request-Id": "abc.DEF_1-2"})
    eq(r.header("X-Request-Id"), "abc.DEF_1-2")


def test_request_id_is_replaced_when_malformed():
    for bad in ["has space", "x" * 129, "<script>", "a;b"]:
        r = Client().get("/api/nope", headers={"X-Request-Id": bad})
        rid = r.header("X-Request-Id")
        assert rid != bad and rid, r
        assert all(c.isalnum() or c in "._-" for c in rid), rid
        eq(r.json["requestId"], rid)


def test_unknown_route_is_json_404():
    is_error(Client().get("/api/does-not-exist"), 404, "not_found")
    is_error(Client().post("/nothing/here", {"a": 1}), 404, "not_found")
    is_error(admin("GET", "/internal/nothing"), 404, "not_found")


def test_wrong_method_is_405_before_authentication():
    r = Client().get("/api/auth/login")
    is_error(r, 405, "method_not_allowed")
    assert "POST" in r.header("Allow"), r
    is_error(Client().delete("/api/users/me"), 405, "method_not_allowed")
    is_error(admin("GET", "/internal/users/usr_0000000000000000/kyc"),
             405, "method_not_allowed")


def test_body_over_64k_is_413():
    raw = json.dumps({"email": "a" * (65 * 1024)}).encode()
    is_error(Client().post("/api/auth/login", raw=raw), 413,
             "payload_too_large")


def test_non_json_body_is_415():
    r = Client().post("/api/auth/login", raw=b"email=a",
                      headers={"Content-Type": "application/x-www-form-urlencoded"})
    is_error(r, 415, "unsupported_media_type")
    r = Client().post("/api/auth/login", raw=b"{}",
                      headers={"Content-Type": "text/plain"})
    is_error(r, 415, "unsupported_media_type")


def test_malformed_json_is_400():
    bad = [b"{", b'{"email": "x"', b"[1,2]", b'"str"', b"\xff\xfe{}",
           b'{"email": "\xc3\x28"}', b"{" * 30000, b"[" * 60000,
           b'{"a":1,"a":2}', b"nul", b'{"email": "a\\u0000b"}']
    for raw in bad:
        r = Client().post("/api/auth/register", raw=raw)
        is_error(r, 400, "bad_request")


def test_hostile_bodies_never_cause_5xx():
    rnd = random.Random(7)
    paths = ["/api/auth/register", "/api/auth/login", "/api/auth/logout",
             "/api/auth/refresh"]
    for i in range(60):
        n = rnd.randint(0, 400)
        raw = bytes(rnd.randint(0, 255) for _ in range(n))
        r = Client().post(rnd.choice(paths), raw=raw)
        assert r.status < 500, (raw, r)
    shapes = [{"email": 1, "password": []}, {"email": None},
              {"email": {"$ne": 1}, "password": True},
              {"firstName": "x" * 5000, "email": "a@b.no"}]
    for body in shapes:
        for p in paths[:2]:
            r = Client().post(p, body)
            assert r.status in (400, 401, 422), (body, r)


# --- TLS ----------------------------------------------------------------

def _tls_request(version, ciphers=None):
    u = urllib.parse.urlsplit(base_url())
    ctx = ssl_context(version)
    if ciphers:
        ctx.set_ciphers(ciphers)
    with socket.create_connection((u.hostname, u.port), timeout=10) as s:
        with ctx.wrap_socket(s, server_hostname="localhost") as t:
            proto = t.version()
            t.sendall(b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n"
                      b"Connection: close\r\n\r\n")
            data = b""
            while True:
                chunk = t.recv(4096)
                if not chunk:
                    break
                data += chunk
    return proto, data


def test_tls12_and_tls13_handshakes_complete():
    if not base_url().startswith("https"):
        return
    proto, data = _tls_request(ssl.TLSVersion.TLSv1_2)
    eq(proto, "TLSv1.2")
    assert data.startswith(b"HTTP/1.1 200"), data[:100]
    proto, data = _tls_request(ssl.TLSVersion.TLSv1_3)
    eq(proto, "TLSv1.3")
    assert data.startswith(b"HTTP/1.1 200"), data[:100]


def test_tls12_offers_only_aead_suites_with_forward_secrecy():
    if not base_url().startswith("https"):
        return
    for weak in ["ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES128-SHA",
                 "ECDHE-RSA-AES256-SHA384:ECDHE-ECDSA-AES256-SHA384",
                 "AES128-GCM-SHA256:AES256-GCM-SHA384"]:
        try:
            _tls_request(ssl.TLSVersion.TLSv1_2, weak)
        except (ssl.SSLError, ConnectionError):
            continue
        raise AssertionError("TLS 1.2 accepted " + weak)
    proto, data = _tls_request(ssl.TLSVersion.TLSv1_2,
                               "ECDHE-RSA-AES128-GCM-SHA256:"
                               "ECDHE-ECDSA-AES128-GCM-SHA256")
    eq(proto, "TLSv1.2")
    assert data.startswith(b"HTTP/1.1 200"), data[:100]


# --- register -------------------------------------------------------------

def test_register_creates_user_session_and_cookies():
    c = Client()
    body = user_body()
    r = c.post("/api/auth/register", body)
    eq(r.status, 201)
    d = r.json["data"]
    assert d["id"].startswith("usr_") and len(d["id"]) == 20, d
    eq(d["email"], body["email"])
    eq(d["firstName"], "Kari")
    eq(d["lastName"], "Nordmann")
    eq(d["dateOfBirth"], "1990-05-17")
    eq(d["kycStatus"], "pending")
    eq(d["role"], "user")
    assert d["createdAt"].endswith("Z"), d
    assert "password" not in json.dumps(r.json).lower()
    ck = r.cookies()
    tok = ck["drop_token"]
    for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/",
                 "Max-Age=86400"]:
        assert flag in tok, tok
    csrf = ck["drop_csrf"]
    assert "HttpOnly" not in csrf and "SameSite=Strict" in csrf, csrf
    h = sql_one("SELECT password_hash FROM users WHERE id = :'p1'", d["id"])
    cost = os.environ.get("DROP_BCRYPT_COST", "12")
    assert h.startswith("$2b$%02d$" % int(cost)), h
    eq(sql_one("SELECT count(*) FROM sessions WHERE user_id = :'p1' "
               "AND revoked_at IS NULL", d["id"]), "1")
    eq(c.get("/api/users/me").json["data"]["id"], d["id"])


def test_register_trims_and_strips_control_characters():
    c = Client()
    r = c.post("/api/auth/register",
               user_body(firstName="  Ola\u0007 ", lastName="\tNord\u0000x"))
    # A NUL inside a JSON string is refused by the parser as a whole.
    if r.status == 400:
        r = c.post("/api/auth/register",
                   user_body(firstName="  Ola\u0007 ", lastName="\tNordx"))
    eq(r.status, 201)
    eq(r.json["data"]["firstName"], "Ola")
    eq(r.json["data"]["lastName"], "Nordx")


def test_register_lists_every_failing_field():
    r = Client().post("/api/auth/register", {
        "email": "not-an-email", "password": "short", "firstName": "<b>x</b>",
        "lastName": "1234", "phone": "12345", "dateOfBirth": "2001-02-30"})
    is_error(r, 422, "validation_error")
    eq(detail_fields(r), ["dateOfBirth", "email", "firstName", "lastName",
                          "password", "phone"])
    for d in r.json["details"]:
        assert d["message"], d


def test_register_missing_or_mistyped_field_is_400():
    body = user_body()
    del body["email"]
    r = Client().post("/api/auth/register", body)
    is_error(r, 400, "bad_request")
    assert "email" in detail_fields(r)
    r = Client().post("/api/auth/register", user_body(dateOfBirth=19900517))
    is_error(r, 400, "bad_request")
    r = Client().post("/api/auth/register", user_body(password=12345678))
    is_error(r, 400, "bad_request")


def test_register_password_rules():
    for pw in ["abcdefg", "abcdefgh", "12345678", "a1" * 65]:
        r = Client().post("/api/auth/register", user_body(password=pw))
        is_error(r, 422, "validation_error")
        eq(detail_fields(r), ["password"])
    eq(Client().post("/api/auth/register",
                     user_body(password="abcdefg1")).status, 201)


def test_register_names_length_in_characters():
    eq(Client().post("/api/auth/register",
                     user_body(firstName="Å" * 100)).status, 201)
    r = Client().post("/api/auth/register", user_body(firstName="Å" * 101))
    is_error(r, 422, "validation_error")


def test_register_requires_age_18():
    r = Client().post("/api/auth/register", user_body(dateOfBirth="2015-01-01"))
    is_error(r, 422, "validation_error")
    eq(detail_fields(r), ["dateOfBirth"])
    today = time.gmtime(time.time() + 3 * 3600)
    y = today.tm_year - 18
    tomorrow_bd = "%04d-12-31" % y if today.tm_mon < 12 else None
    if tomorrow_bd:
        r = Client().post("/api/auth/register",
                          user_body(dateOfBirth=tomorrow_bd))
        is_error(r, 422, "validation_error")
    eq(Client().post("/api/auth/register",
                     user_body(dateOfBirth="%04d-01-01" % (y - 1))).status, 201)


def test_register_duplicate_email_case_insensitive_is_409():
    c = register()
    r = Client().post("/api/auth/register", user_body(email=c.email.upper()))
    is_error(r, 409, "conflict")


def test_register_phone_is_optional():
    eq(Client().post("/api/auth/register", user_body(phone=None)).status, 201)


# --- login, me, logout, refresh -------------------------------------------

def test_login_sets_session_and_returns_user():
    u = register()
    c = Client()
    r = c.post("/api/auth/login", {"email": u.email.upper(),
                                   "password": u.password})
    eq(r.status, 200)
    d = r.json["data"]
    eq(d["id"], u.user_id)
    eq(sorted(d.keys()), ["email", "firstName", "id", "kycStatus",
                          "lastName", "role"])
    assert "drop_token" in c.cookies and "drop_csrf" in c.cookies
    eq(c.get("/api/users/me").status, 200)


def test_login_failure_is_alike_for_unknown_email_and_wrong_password():
    u = register()
    a = Client().post("/api/auth/login", {"email": u.email,
                                          "password": "Wrong1234"})
    b = Client().post("/api/auth/login", {"email": unique_email(),
                                          "password": "Wrong1234"})
    is_error(a, 401, "unauthorized")
    is_error(b, 401, "unauthorized")
    eq(a.json["message"], b.json["message"])
    assert "drop_token" not in a.cookies()


def test_login_missing_field_is_400():
    is_error(Client().post("/api/auth/login", {"email": "a@b.no"}), 400,
             "bad_request")
    is_error(Client().post("/api/auth/login", {}), 400, "bad_request")


def test_soft_deleted_user_cannot_log_in():
    u = register()
    sql("UPDATE users SET deleted_at = now() WHERE id = :'p1'", u.user_id)
    is_error(u.get("/api/users/me"), 401, "unauthorized")
    r = Client().post("/api/auth/login", {"email": u.email,
                                          "password": u.password})
    is_error(r, 401, "unauthorized")


def test_me_returns_profile_and_accounts():
    u = register()
    r = u.get("/api/users/me")
    eq(r.status, 200)
    d = r.json["data"]
    for k in ["id", "email", "firstName", "lastName", "phone", "dateOfBirth",
              "role", "kycStatus", "createdAt", "totalBalance",
              "bankAccounts"]:
        assert k in d, k
    eq(d["phone"], "+4791234567")
    eq(d["bankAccounts"], [])
    eq(d["totalBalance"], 0)


def test_me_for_demo_user_sums_nok_accounts():
    c = Client()
    r = c.post("/api/auth/login", {"email": "demo@drop.example",
                                   "password": "DemoPass123"})
    eq(r.status, 200)
    d = c.get("/api/users/me").json["data"]
    eq(d["kycStatus"], "approved")
    assert len(d["bankAccounts"]) >= 1, d
    nok = [a["balance"] for a in d["bankAccounts"] if a["currency"] == "NOK"]
    eq(round(d["totalBalance"] * 100), round(sum(nok) * 100))
    a = d["bankAccounts"][0]
    for k in ["id", "bankName", "accountNumber", "balance", "currency",
              "isPrimary", "balanceUpdatedAt"]:
        assert k in a, k


def test_me_without_session_is_401():
    is_error(Client().get("/api/users/me"), 401, "unauthorized")
    c = Client()
    c.cookies["drop_token"] = "garbage"
    is_error(c.get("/api/users/me"), 401, "unauthorized")


def test_bearer_token_works_like_the_cookie():
    u = register()
    m = Client()
    m.bearer = u.cookies["drop_token"]
    eq(m.get("/api/users/me").json["data"]["id"], u.user_id)
    # Bearer requests are exempt from CSRF.
    eq(m.post("/api/auth/refresh").status, 200)


def test_logout_revokes_every_session_and_clears_cookies():
    u = register()
    other = Client()
    eq(other.post("/api/auth/login", {"email": u.email,
                                      "password": u.password}).status, 200)
    r = u.post("/api/auth/logout")
    eq(r.status, 200)
    eq(r.json, {"message": "Logged out"})
    for name in ["drop_token", "drop_csrf"]:
        assert "Max-Age=0" in r.cookies()[name], r.cookies()
    eq(sql_one("SELECT count(*) FROM sessions WHERE user_id = :'p1' "
               "AND revoked_at IS NULL", u.user_id), "0")
    is_error(other.get("/api/users/me"), 401, "unauthorized")


def test_revoked_token_is_rejected_even_with_valid_signature():
    u = register()
    token = u.cookies["drop_token"]
    eq(u.post("/api/auth/logout").status, 200)
    m = Client()
    m.bearer = token
    is_error(m.get("/api/users/me"), 401, "unauthorized")


def test_refresh_rotates_the_session():
    u = register()
    old = u.cookies["drop_token"]
    r = u.post("/api/auth/refresh")
    eq(r.status, 200)
    eq(r.json["data"], {"userId": u.user_id, "email": u.email,
                        "role": "user"})
    assert u.cookies["drop_token"] != old
    eq(u.get("/api/users/me").status, 200)
    m = Client()
    m.bearer = old
    is_error(m.get("/api/users/me"), 401, "unauthorized")
    eq(sql_one("SELECT count(*) FROM sessions WHERE user_id = :'p1'",
               u.user_id), "2")


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forge(header, claims, key):
    h = _b64(json.dumps(header).encode())
    p = _b64(json.dumps(claims).encode())
    if key is None:
        return "%s.%s." % (h, p)
    sig = hmac.new(key, ("%s.%s" % (h, p)).encode(), hashlib.sha256).digest()
    return "%s.%s.%s" % (h, p, _b64(sig))


def test_forged_tokens_are_rejected():
    u = register()
    sid = sql_one("SELECT id FROM sessions WHERE user_id = :'p1'", u.user_id)
    now = int(time.time())
    claims = {"sub": u.user_id, "jti": sid, "role": "admin", "iat": now,
              "exp": now + 3600}
    secret = os.environ["DROP_JWT_SECRET"].encode()
    good = _forge({"alg": "HS256", "typ": "JWT"}, claims, secret)
    m = Client()
    m.bearer = good
    eq(m.get("/api/users/me").status, 200)
    # The role comes from the database, not from the token.
    eq(m.get("/api/users/me").json["data"]["role"], "user")
    cases = [
        _forge({"alg": "none", "typ": "JWT"}, claims, None),
        _forge({"alg": "HS256"}, claims, b"wrong-secret-wrong-secret-wrong!"),
        _forge({"alg": "HS256"}, dict(claims, exp=now - 1), secret),
        _forge({"alg": "HS256"}, dict(claims, sub="usr_0000000000000000"),
               secret),
    ]
    for tok in cases:
        m.bearer = tok
        is_error(m.get("/api/users/me"), 401, "unauthorized")


# --- CSRF -----------------------------------------------------------------

def test_cookie_writes_need_the_csrf_header():
    u = register()
    r = u.post("/api/auth/refresh", csrf=False)
    is_error(r, 403, "csrf_failed")
    r = u.post("/api/auth/refresh", headers={"X-CSRF-Token": "nope"},
               csrf=False)
    is_error(r, 403, "csrf_failed")
    eq(u.post("/api/auth/refresh").status, 200)


def test_csrf_endpoint_issues_a_fresh_token():
    c = Client()
    r = c.get("/api/csrf")
    eq(r.status, 200)
    tok = r.json["data"]["token"]
    assert len(tok) >= 32, tok
    eq(c.cookies["drop_csrf"], tok)
    ck = r.cookies()["drop_csrf"]
    assert "HttpOnly" not in ck and "SameSite=Strict" in ck
    u = register()
    eq(u.get("/api/csrf").status, 200)
    eq(u.post("/api/auth/refresh").status, 200)


# --- rate limits ----------------------------------------------------------

def test_login_rate_limit_is_per_ip_across_workers():
    ip = fresh_ip()
    statuses = []
    first = time.monotonic()
    for _ in range(11):
        statuses.append(Client(ip=ip).post(
            "/api/auth/login", {"email": "x@y.no", "password": "Nope1234"}))
    took = time.monotonic() - first
    eq([r.status for r in statuses[:10]], [401] * 10)
    last = statuses[10]
    is_error(last, 429, "rate_limited")
    ra = int(last.header("Retry-After"))
    # A sliding minute: the first attempt leaves it 61 s after it was made
    # (however long the eleven took on a busy machine).
    assert 61 - took - 2 <= ra <= 61, (ra, took)
    # Another client address is unaffected; registration shares the group.
    eq(Client().post("/api/auth/login", {"email": "x@y.no",
                                         "password": "Nope1234"}).status, 401)
    is_error(Client(ip=ip).post("/api/auth/register", user_body()), 429,
             "rate_limited")


def test_forwarded_for_is_ignored_from_untrusted_peers():
    # Only in the run whose Kore trusts no proxy (DROP_TRUSTED_PROXIES="").
    if os.environ.get("DROP_TEST_UNTRUSTED") != "1":
        return
    codes = [Client().post("/api/auth/login", {"email": "x@y.no",
                                               "password": "Nope1234"}).status
             for _ in range(11)]
    assert 429 in codes, codes
    is_error(Client().post("/api/auth/login", {"email": "x@y.no",
                                               "password": "Nope1234"}),
             429, "rate_limited")


def test_concurrent_logins_count_exactly_once_each():
    ip = fresh_ip()
    results = []

    def one():
        r = Client(ip=ip).post("/api/auth/login",
                               {"email": "x@y.no", "password": "Nope1234"})
        results.append(r.status)

    threads = [threading.Thread(target=one) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(sorted(results).count(429), 6)


# --- internal API ---------------------------------------------------------

def test_internal_requires_an_operator_credential():
    u = register()
    path = "/internal/users/%s/kyc" % u.user_id
    is_error(admin("POST", path, {"status": "approved"}, token="wrong"),
             401, "unauthorized")
    c = Client(os.environ.get("DROP_TEST_INTERNAL"))
    is_error(c.post(path, {"status": "approved"}), 401, "unauthorized")
    eq(sql_one("SELECT kyc_status FROM users WHERE id = :'p1'", u.user_id),
       "pending")


def test_internal_kyc_changes_status_and_audits():
    u = register()
    r = admin("POST", "/internal/users/%s/kyc" % u.user_id,
              {"status": "approved"}, )
    eq(r.status, 200)
    eq(r.json["data"], {"id": u.user_id, "kycStatus": "approved"})
    eq(u.get("/api/users/me").json["data"]["kycStatus"], "approved")
    row = sql("SELECT actor, action, before->>'kycStatus', "
              "after->>'kycStatus', request_id FROM audit_log "
              "WHERE entity_id = :'p1' ORDER BY id DESC LIMIT 1", u.user_id)
    # The actor is the operator who asked: the first one, made at install.
    eq(row[0][:4], [sql_one("SELECT id FROM operators WHERE name = 'admin'"),
                    "user.kyc", "pending", "approved"])
    eq(row[0][4], r.header("X-Request-Id"))


def test_internal_kyc_errors():
    u = register()
    r = admin("POST", "/internal/users/%s/kyc" % u.user_id,
              {"status": "maybe"})
    is_error(r, 422, "validation_error")
    eq(detail_fields(r), ["status"])
    is_error(admin("POST", "/internal/users/usr_0000000000000000/kyc",
                   {"status": "approved"}), 404, "not_found")
    is_error(admin("POST", "/internal/users/bogus/kyc",
                   {"status": "approved"}), 404, "not_found")
    is_error(admin("POST", "/internal/users/%s/kyc" % u.user_id, {}), 400,
             "bad_request")


def test_refresh_never_takes_a_login_past_seven_days():
    c = register()
    sid = sql_one("SELECT id FROM sessions WHERE user_id = :'p1' AND "
                  "revoked_at IS NULL", c.user_id)
    sql("UPDATE sessions SET authenticated_at = now() - interval '6 days "
        "23 hours' WHERE id = :'p1'", sid)
    eq(c.post("/api/auth/refresh").status, 200)
    # The new session ends with the login's seventh day, not 24 h on.
    left = sql_one("SELECT extract(epoch FROM expires_at - now())::int FROM "
                   "sessions WHERE user_id = :'p1' AND revoked_at IS NULL",
                   c.user_id)
    assert 3000 < int(left) <= 3600, left
    sql("UPDATE sessions SET authenticated_at = now() - interval '7 days 1 "
        "minute' WHERE user_id = :'p1' AND revoked_at IS NULL", c.user_id)
    is_error(c.post("/api/auth/refresh"), 401, "unauthorized")
    # A password starts a new login.
    r = c.post("/api/auth/login", {"email": c.email,
                                   "password": c.password})
    eq(r.status, 200)
    eq(c.post("/api/auth/refresh").status, 200)
