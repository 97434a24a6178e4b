"""Account (§11): notifications (flag, paging, marking read), settings,
consents with history, complaints, GDPR export (complete, no secrets) and
erasure (sessions, cookies, login, email reserved)."""

import json
import re
import threading
import time

from harness import (Client, detail_fields, eq, is_error, raw_connection,
                     register, sql, sql_one, user_body)
from money_helpers import (MERCHANT, account_number, add_recipient,
                           funded_user, new_client_like, remit)
from test_cards import set_flags

COMMITMENT = ("We will review and respond to your complaint within 15 "
              "business days per Finansavtaleloven §3-53")


def login(c, ip=None):
    n = Client(ip=ip)
    r = n.post("/api/auth/login", {"email": c.email, "password": c.password})
    return n, r


def notis(c, q=""):
    r = c.get("/api/notifications" + q)
    eq(r.status, 200, "notifications %r" % r)
    return r


def test_notifications_list_newest_first_and_page():
    c = funded_user(5000)
    for i in range(3):
        r = new_client_like(c).post("/api/transactions/qr-payment",
                                    {"merchantId": MERCHANT, "amount": 10})
        eq(r.status, 201)
    r = notis(c, "?limit=2")
    eq(r.json["pagination"]["total"], 3)
    eq(r.json["pagination"]["totalPages"], 2)
    d = r.json["data"]
    eq(sorted(d[0]), ["body", "createdAt", "id", "read", "title", "type"])
    eq((d[0]["type"], d[0]["read"]), ("qr_payment_completed", False))
    assert d[0]["createdAt"] >= d[1]["createdAt"], d
    rest = notis(c, "?cursor=" + r.json["pagination"]["nextCursor"])
    eq(len(rest.json["data"]), 1)
    eq(len({x["id"] for x in d + rest.json["data"]}), 3)
    for q in ["?limit=101", "?limit=0", "?page=0", "?cursor=xyz"]:
        is_error(c.get("/api/notifications" + q), 422, "validation_error")
    eq(notis(c, "?limit=100").json["pagination"]["limit"], 100)
    is_error(Client().get("/api/notifications"), 401, "unauthorized")


def test_notifications_mark_read_only_the_callers():
    a = funded_user(5000)
    b = funded_user(5000)
    for c in (a, b):
        eq(new_client_like(c).post("/api/transactions/qr-payment",
                                   {"merchantId": MERCHANT,
                                    "amount": 10}).status, 201)
    mine = [x["id"] for x in notis(a).json["data"]]
    theirs = [x["id"] for x in notis(b).json["data"]]
    r = a.patch("/api/notifications",
                {"notificationIds": mine + theirs + ["noti_0000000000000000"]})
    eq(r.status, 200, "%r" % r)
    eq(r.json["data"], {"updated": len(mine)})
    assert all(x["read"] for x in notis(a).json["data"])
    assert not any(x["read"] for x in notis(b).json["data"])
    eq(sql_one("SELECT bool_or(read) FROM notifications WHERE id = :'p1'",
               theirs[0]), "f")
    for bad in [[], ["noti_XYZ"], ["noti_0123456789abcdef", 5],
                ["noti_0123456789abcdef"] * 101, ["tx_rem_0123456789abcdef"],
                ["NOTI_0123456789abcdef"]]:
        r = a.patch("/api/notifications", {"notificationIds": bad})
        is_error(r, 422, "validation_error")
        eq(detail_fields(r), ["notificationIds"])
    is_error(a.patch("/api/notifications", {"notificationIds": "noti_x"}),
             400, "bad_request")
    is_error(a.patch("/api/notifications", {}), 400, "bad_request")
    ok = a.patch("/api/notifications",
                 {"notificationIds": ["noti_0123456789abcdef"] * 100})
    eq(ok.json["data"], {"updated": 0})


def test_notifications_follow_their_flag():
    c = register()
    set_flags(notifications=False)
    try:
        for method in ["GET", "PATCH"]:
            for who in [c, Client()]:
                r = who.request(method, "/api/notifications",
                                body={"notificationIds": []})
                u = who.request(method, "/api/no-such-route", body={})
                is_error(r, 404, "not_found")
                eq((r.json["message"], r.json["details"]),
                   (u.json["message"], u.json["details"]))
    finally:
        set_flags(notifications=True)
    eq(c.get("/api/notifications").status, 200)


def test_security_notifications_for_new_address_and_deletion():
    c = register()
    eq(notis(c).json["pagination"]["total"], 0)
    # Same address as registration: nothing new to report.
    same, r = login(c, ip=c.ip)
    eq(r.status, 200)
    eq(notis(same).json["pagination"]["total"], 0)
    other, r = login(c)
    eq(r.status, 200)
    d = notis(other).json["data"]
    eq([x["type"] for x in d], ["security_new_login"])
    assert other.ip in d[0]["body"], d
    # Again from that address: already known.
    login(c, ip=other.ip)
    eq(notis(other).json["pagination"]["total"], 1)
    eq(other.delete("/api/user/account",
                    body={"password": c.password}).status, 200)
    eq(sql_one("SELECT type FROM notifications WHERE user_id = :'p1' "
               "ORDER BY created_at DESC LIMIT 1", c.user_id),
       "account_deletion")


def test_settings_defaults_once_and_updates():
    c = register()
    r = c.get("/api/settings")
    eq(r.status, 200)
    eq(r.json["data"], {"currency": "NOK", "language": "nb",
                        "pushEnabled": True, "emailEnabled": True})
    r = c.patch("/api/settings", {"currency": "EUR", "pushEnabled": False,
                                  "role": "admin"})
    eq(r.status, 200, "%r" % r)
    eq(r.json["data"], {"currency": "EUR", "language": "nb",
                        "pushEnabled": False, "emailEnabled": True})
    eq(c.get("/api/settings").json["data"]["currency"], "EUR")
    eq(c.get("/api/users/me").json["data"]["role"], "user")
    for body, field in [({"currency": "SEK"}, "currency"),
                        ({"language": "de"}, "language"),
                        ({"currency": "eur"}, "currency")]:
        r = c.patch("/api/settings", body)
        is_error(r, 422, "validation_error")
        eq(detail_fields(r), [field])
    for body in [{"pushEnabled": "true"}, {"emailEnabled": 1},
                 {"currency": 5}]:
        is_error(c.patch("/api/settings", body), 400, "bad_request")
    is_error(c.patch("/api/settings", {}), 422, "validation_error")
    is_error(c.patch("/api/settings", {"unknown": 1}), 422,
             "validation_error")
    eq(c.get("/api/settings").json["data"]["pushEnabled"], False)


def test_settings_first_reads_at_once_make_one_row():
    c = register()
    out = []

    def read():
        out.append(c.get("/api/settings").status)

    threads = [threading.Thread(target=read) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    eq(out, [200] * 8)
    eq(sql_one("SELECT count(*) FROM user_settings WHERE user_id = :'p1'",
               c.user_id), "1")


def test_consents_create_update_and_keep_history():
    c = register()
    eq(c.get("/api/consents").json["data"], [])
    r = c.post("/api/consents", {"consentType": "marketing",
                                 "granted": True})
    eq(r.status, 201, "%r" % r)
    first = r.json["data"]
    assert re.fullmatch(r"con_[0-9a-f]{16}", first["id"]), first
    eq((first["consent_type"], first["granted"], first["withdrawn_at"],
        first["ip_address"]), ("marketing", True, None, c.ip))
    granted_at = first["granted_at"]
    assert granted_at.endswith("Z")
    r = c.post("/api/consents", {"consentType": "marketing",
                                 "granted": True})
    eq(r.status, 200)
    eq(r.json["data"]["granted_at"], granted_at, "re-grant keeps time")
    r = c.post("/api/consents", {"consentType": "marketing",
                                 "granted": False})
    eq(r.status, 200)
    w = r.json["data"]
    eq((w["id"], w["granted"], w["granted_at"]),
       (first["id"], False, granted_at))
    assert w["withdrawn_at"] and w["withdrawn_at"] >= granted_at, w
    eq(c.post("/api/consents", {"consentType": "terms",
                                "granted": False}).status, 201)
    lst = c.get("/api/consents").json["data"]
    eq([(x["consent_type"], x["granted"]) for x in lst],
       [("marketing", False), ("terms", False)])
    assert all(isinstance(x["granted"], bool) for x in lst)
    eq(sql_one("SELECT count(*) FROM consent_events WHERE user_id = :'p1'",
               c.user_id), "4")
    is_error(c.post("/api/consents", {"consentType": "spam",
                                      "granted": True}),
             422, "validation_error")
    is_error(c.post("/api/consents", {"consentType": "terms",
                                      "granted": "true"}),
             400, "bad_request")
    is_error(c.post("/api/consents", {"consentType": "terms"}), 400,
             "bad_request")


def test_complaints_file_and_list():
    c = register()
    r = c.post("/api/complaints", {"category": "fees",
                                   "subject": "  Fee too high\x07 ",
                                   "description": "æ" * 2000})
    eq(r.status, 201, "%r" % r)
    eq(r.json["commitmentNote"], COMMITMENT)
    d = r.json["data"]
    eq((d["category"], d["subject"], d["status"], d["resolution"],
        d["resolved_at"]), ("fees", "Fee too high", "received", None, None))
    assert re.fullmatch(r"cmp_[0-9a-f]{16}", d["id"]) and \
        d["created_at"].endswith("Z"), d
    emoji = "\U0001F600" * 2000
    eq(c.post("/api/complaints", {"category": "other", "subject": "x",
                                  "description": emoji}).status, 201)
    for body, field in [
            ({"category": "food", "subject": "a", "description": "b"},
             "category"),
            ({"category": "fees", "subject": "a" * 201, "description": "b"},
             "subject"),
            ({"category": "fees", "subject": "   ", "description": "b"},
             "subject"),
            ({"category": "fees", "subject": "a", "description": "é" * 2001},
             "description")]:
        r = c.post("/api/complaints", body)
        is_error(r, 422, "validation_error")
        eq(detail_fields(r), [field])
    is_error(c.post("/api/complaints", {"category": "fees"}), 400,
             "bad_request")
    for i in range(10):
        c.post("/api/complaints", {"category": "service",
                                   "subject": "n%d" % i,
                                   "description": "d"})
    r = c.get("/api/complaints")
    eq(r.status, 200)
    pg = r.json["pagination"]
    eq((pg["limit"], pg["total"], pg["totalPages"], len(r.json["data"])),
       (10, 12, 2, 10))
    eq(r.json["data"][0]["subject"], "n9")
    eq(len(c.get("/api/complaints?limit=100").json["data"]), 12)
    is_error(c.get("/api/complaints?limit=101"), 422, "validation_error")
    other = register()
    eq(other.get("/api/complaints").json["pagination"]["total"], 0)


def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            yield k
            yield from walk(x)
    elif isinstance(v, list):
        for x in v:
            yield from walk(x)
    else:
        yield v


def test_data_export_is_complete_and_holds_no_secrets():
    set_flags(cards=True, cardPin=True, spendingLimits=True)
    try:
        c = funded_user(5000)
        rcp = add_recipient(c)
        eq(remit(c, rcp["id"], 150).status, 201)
        eq(new_client_like(c).post("/api/transactions/qr-payment",
                                   {"merchantId": MERCHANT,
                                    "amount": 12.5}).status, 201)
        gone = add_recipient(c, name="Old Friend")
        eq(c.delete("/api/recipients/" + gone["id"]).status, 204)
        c.get("/api/settings")
        c.post("/api/consents", {"consentType": "privacy", "granted": True})
        c.post("/api/consents", {"consentType": "privacy", "granted": False})
        c.post("/api/complaints", {"category": "service", "subject": "s",
                                   "description": "d"})
        card = c.post("/api/cards").json["data"]
        eq(c.post("/api/cards/%s/pin" % card["id"], {"pin": "4321"}).status,
           200)
        c.put("/api/cards/%s/limits" % card["id"],
              {"limitType": "daily", "amount": 100})
        r = c.post("/api/merchants/register", {
            "businessName": "Kiosk", "orgNumber": "%09d" % (
                int(c.user_id[-8:], 16) % 10 ** 9),
            "bankAccount": account_number()})
        eq(r.status, 201, "%r" % r)
        r = c.get("/api/user/data-export")
    finally:
        set_flags(cards=False, cardPin=False, spendingLimits=False)
    eq(r.status, 200, "%r" % r)
    assert "attachment" in r.header("Content-Disposition")
    assert r.json["exportedAt"].endswith("Z"), r.json
    d = r.json["data"]
    for k in ["user", "transactions", "recipients", "bankAccounts",
              "settings", "consents", "consentHistory", "complaints",
              "cards", "merchant", "notifications"]:
        assert d.get(k), "export lacks %s" % k
    eq(d["user"]["id"], c.user_id)
    eq(d["user"]["email"], c.email)
    assert "first_name" in d["user"] and "firstName" not in d["user"]
    eq(len(d["transactions"]), 2)
    eq(d["transactionsTotal"], 2)
    assert all(t["amount"] > 0 for t in d["transactions"]), d["transactions"]
    eq(sorted(t["amount"] for t in d["transactions"]), [12.5, 150])
    eq(sorted(x["name"] for x in d["recipients"]),
       sorted(["Marko Petrović", "Old Friend"]))
    eq([x["consent_type"] for x in d["consents"]], ["privacy"])
    eq([(h["consent_type"], h["granted"]) for h in d["consentHistory"]],
       [("privacy", True), ("privacy", False)])
    assert all(h["at"] and h["ip_address"] for h in d["consentHistory"])
    eq(d["cards"][0]["masked_number"], card["maskedNumber"])
    eq(d["cards"][0]["limits"][0]["limit_type"], "daily")
    eq(d["merchant"]["business_name"], "Kiosk")
    eq(sql_one("SELECT count(*) FROM data_access_requests WHERE user_id = "
               ":'p1' AND type = 'export' AND status = 'completed'",
               c.user_id), "1")
    # No secrets anywhere: password, hashes, tokens, PIN, card number.
    text = r.raw.decode()
    keys = set(k for k in walk(d) if isinstance(k, str))
    for secret in [c.password, "$2", c.cookies["drop_token"],
                   c.cookies["drop_csrf"], "tok_sbx_"]:
        assert secret not in text, "export holds %r" % secret
    for k in ["password_hash", "pin_hash", "issuer_token", "token"]:
        assert k not in keys, k
    for ses in sql("SELECT id FROM sessions WHERE user_id = :'p1'",
                   c.user_id):
        assert ses[0] not in text, "session id in export"
    from test_cards import PAN_RUN
    assert not PAN_RUN.search(text), PAN_RUN.search(text)


def test_erasure_revokes_everything_and_keeps_records():
    c = funded_user(500)
    bearer = Client()
    _, r = login(c)
    token = r.cookies()["drop_token"].split(";")[0].split("=", 1)[1]
    bearer.bearer = token
    eq(bearer.get("/api/users/me").status, 200)
    r = c.delete("/api/user/account", body={"password": c.password})
    eq(r.status, 200, "%r" % r)
    eq(r.json, {"message": "Account scheduled for deletion",
                "retentionNote": "Data retained for 5 years per AML "
                                 "requirements"})
    for name in ["drop_token", "drop_csrf"]:
        assert "Max-Age=0" in r.cookies()[name], r.cookies()
    old = Client()
    old.cookies = {"drop_token": token}
    is_error(old.get("/api/users/me"), 401, "unauthorized")
    is_error(bearer.get("/api/users/me"), 401, "unauthorized")
    _, r = login(c)
    is_error(r, 401, "unauthorized")
    r = Client().post("/api/auth/register", user_body(email=c.email))
    is_error(r, 409, "conflict")
    eq(sql_one("SELECT count(*) FROM sessions WHERE user_id = :'p1' AND "
               "revoked_at IS NULL", c.user_id), "0")
    row = sql("SELECT status, purge_after > now() + interval '4 years 11 "
              "months' FROM data_access_requests WHERE user_id = :'p1' AND "
              "type = 'erasure'", c.user_id)
    eq(row, [["completed", "t"]])
    eq(sql_one("SELECT deleted_at IS NOT NULL FROM users WHERE id = :'p1'",
               c.user_id), "t")
    # Kept for the retention period, not purged.
    eq(sql_one("SELECT count(*) FROM bank_accounts WHERE user_id = :'p1'",
               c.user_id), "1")
    is_error(Client().delete("/api/user/account",
                             body={"password": c.password}), 401,
             "unauthorized")


def erased(c):
    return sql_one("SELECT deleted_at IS NOT NULL FROM users WHERE id = "
                   ":'p1'", c.user_id)


def test_erasure_asks_for_the_password_again():
    c = register()
    is_error(c.delete("/api/user/account"), 400, "bad_request")
    is_error(c.delete("/api/user/account", body={}), 400, "bad_request")
    r = c.delete("/api/user/account", body={"password": 12345678})
    is_error(r, 400, "bad_request")
    eq(detail_fields(r), ["password"])
    is_error(c.delete("/api/user/account", body={"password": "Wrong1234"}),
             403, "forbidden")
    eq(erased(c), "f")
    eq(c.get("/api/users/me").status, 200)
    # A wrong password counts like one at sign-in (the per-account pause).
    eq(sql_one("SELECT failures FROM login_throttle WHERE user_id = :'p1'",
               c.user_id), "1")
    eq(sql_one("SELECT count(*) FROM data_access_requests WHERE user_id = "
               ":'p1'", c.user_id), "0")
    eq(c.delete("/api/user/account", body={"password": c.password}).status,
       200)
    eq(erased(c), "t")


def delete_in_two_parts(c, body, pause_s):
    """DELETE /api/user/account whose body arrives pause_s after its
    headers (Kore 4.1 reads no DELETE body itself); the status line."""
    s = raw_connection()
    head = ("DELETE /api/user/account HTTP/1.1\r\nHost: x\r\n"
            "Cookie: %s\r\nX-CSRF-Token: %s\r\nX-Forwarded-For: %s\r\n"
            "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            % ("; ".join("%s=%s" % kv for kv in c.cookies.items()),
               c.cookies["drop_csrf"], c.ip, len(body)))
    try:
        s.sendall(head.encode())
        time.sleep(pause_s)
        s.sendall(body)
        answer = b""
        while b"\r\n\r\n" not in answer:
            part = s.recv(4096)
            if not part:
                break
            answer += part
    finally:
        s.close()
    return answer.split(b"\r\n", 1)[0]


def test_a_delete_body_that_arrives_after_its_headers_is_read():
    c = register()
    wrong = json.dumps({"password": "Wrong1234"}).encode()
    eq(delete_in_two_parts(c, wrong, 0.3), b"HTTP/1.1 403 Forbidden")
    eq(erased(c), "f")
    # Larger than one receive buffer (8 KiB), in pieces.
    padded = json.dumps({"password": c.password, "pad": "x" * 20000})
    eq(delete_in_two_parts(c, padded.encode(), 0.3), b"HTTP/1.1 200 OK")
    eq(erased(c), "t")


def test_a_delete_body_over_64_kib_is_refused_unread():
    c = register()
    s = raw_connection()
    s.sendall(("DELETE /api/user/account HTTP/1.1\r\nHost: x\r\n"
               "Content-Type: application/json\r\n"
               "Content-Length: 70000\r\n\r\n").encode())
    head = s.recv(4096)
    tail = s.recv(4096)
    s.close()
    assert head.startswith(b"HTTP/1.1 413"), head[:80]
    eq(tail, b"")   # closed: the unread bytes are no next request
    eq(erased(c), "f")


def test_data_export_caps_a_long_history():
    c = funded_user(500)
    ba = c.account["id"]
    sql("INSERT INTO transactions (id, user_id, type, status, amount, fee, "
        "total, exchange_rate, receive_amount, receive_currency, "
        "bank_account_id, reference, created_at) "
        "SELECT 'tx_qr_' || substr(md5(:'p1' || g), 1, 16), :'p1', "
        "'qr_payment', 'completed', 100, 1, 100, 1, 100, 'NOK', :'p2', "
        "'SYN' || g, now() - g * interval '1 second' "
        "FROM generate_series(1, 10005) g", c.user_id, ba)
    try:
        r = c.get("/api/user/data-export")
        eq(r.status, 200)
        d = r.json["data"]
        eq(len(d["transactions"]), 10000)
        eq(d["transactionsTotal"], 10005)
        eq(d["transactions"][0]["reference"], "SYN1", "newest first")
    finally:
        sql("DELETE FROM transactions WHERE user_id = :'p1'", c.user_id)


def test_data_export_has_balance_events_and_audit_rows():
    """Everything Drop holds about the user: each balance change (link,
    operator correction, debit) and what operators did to them."""
    c = funded_user(300)
    r = new_client_like(c).post("/api/transactions/qr-payment",
                                {"merchantId": MERCHANT, "amount": 12.5})
    eq(r.status, 201)
    tx = r.json["data"]["id"]
    doc = c.get("/api/user/data-export").json["data"]
    events = doc["balanceEvents"]
    eq([e["kind"] for e in events], ["debit", "sync", "link"])
    eq((events[0]["delta"], events[0]["transaction_id"]), (-12.5, tx))
    eq(sum(e["delta"] for e in events), 287.5)
    actions = sorted(a["action"] for a in doc["auditLog"])
    eq(actions, ["bank_account.balance", "user.kyc"])
    other = register()
    eq(other.get("/api/user/data-export").json["data"]["auditLog"], [])
