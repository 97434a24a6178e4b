"""Retention and purge (issue 20 point 4, docs/retention.md): once a day
the purge removes or makes anonymous what Drop may no longer keep, and
counts it in the audit log. The test moves Drop's clock past an erased
account's five years and checks what is gone and what stays: the money
records stay, without the person."""

import time

from harness import Client, clock, eq, register, sql, sql_one
from money_helpers import MERCHANT, add_recipient, funded_user, remit

AHEAD = "5 years 2 days"


def at(offset):
    """A time offset back from the clock the purge will run on."""
    return sql_one("SELECT (now() + interval '%s' - interval '%s')::text"
                   % (AHEAD, offset))


def wait_run(day, limit=90):
    deadline = time.time() + limit
    while time.time() < deadline:
        if sql_one("SELECT status FROM purge_runs WHERE day = :'p1'",
                   day) == "done":
            return True
        time.sleep(0.3)
    return False


def test_the_daily_purge_keeps_money_records_without_the_person():
    # An account erased today: its five years end inside AHEAD.
    a = funded_user(500)
    rcp = add_recipient(a)["id"]
    tx = a.post("/api/transactions/qr-payment",
                {"merchantId": MERCHANT, "amount": 12}).json["data"]["id"]
    # A remittance at a quoted price: the quote belongs to its record.
    quote = a.post("/api/transactions/disclosure", {
        "type": "remittance", "amount": 100, "recipientId": rcp}).json[
        "data"]["quoteId"]
    r = remit(a, rcp, 100, body={"quoteId": quote})
    eq(r.status, 201, "remittance %r" % r)
    rem = r.json["data"]["id"]
    eq(a.patch("/api/users/me", {"firstName": "Ingrid"}).status, 200)
    cmp = a.post("/api/complaints", {"category": "fees", "subject": "Fee",
                                     "description": "My phone 91234567"}
                 ).json["data"]["id"]
    eq(a.delete("/api/user/account", body={"password": a.password}).status,
       200)
    # Someone still here, with old and recent things.
    b = register()
    old_ses, new_ses = [sql_one(
        "INSERT INTO sessions (id, user_id, expires_at) VALUES "
        "(drop_new_id('ses_'), :'p1', :'p2') RETURNING id", b.user_id, t)
        for t in (at("31 days"), at("-7 days"))]
    old_note, new_note = [sql_one(
        "INSERT INTO notifications (id, user_id, type, title, body, "
        "created_at) VALUES (drop_new_id('noti_'), :'p1', 'test', 'T', 'B', "
        ":'p2') RETURNING id", b.user_id, t)
        for t in (at("14 months"), at("12 months"))]
    for key, t in (("old", at("25 hours")), ("new", at("23 hours"))):
        sql("INSERT INTO idempotency_keys (user_id, key, endpoint, "
            "request_hash, status, created_at) VALUES (:'p1', :'p2', 'x', "
            "'h', 201, :'p3')", b.user_id, key, t)

    with clock(AHEAD):
        day = sql_one("SELECT drop_purge_day(drop_now())::text")
        assert wait_run(day), "no purge run for " + day
        # Once a day, whoever asks.
        eq(sql_one("SELECT drop_purge_run(500) IS NULL"), "t")

    # The erased account: nothing that names the person.
    u = sql("SELECT email, first_name, last_name, phone, password_hash, "
            "date_of_birth::text FROM users WHERE id = :'p1'", a.user_id)[0]
    eq(u, ["erased-%s@erased.invalid" % a.user_id, "-", "-", "", "*",
           "1900-01-01"])
    eq(sql("SELECT name, bank_account FROM recipients WHERE id = :'p1'", rcp),
       [["-", "-"]])
    eq(sql("SELECT subject, description, category FROM complaints WHERE "
           "id = :'p1'", cmp), [["-", "-", "fees"]])
    for table in ("sessions", "notifications", "consents", "emails",
                  "login_throttle", "user_limits", "idempotency_keys"):
        eq(sql_one("SELECT count(*) FROM %s WHERE user_id = :'p1'" % table,
                   a.user_id), "0", table)
    eq(sql_one("SELECT count(*) FROM audit_log WHERE entity_id = :'p1' AND "
               "action = 'user.profile' AND (before IS NOT NULL OR after IS "
               "NOT NULL)", a.user_id), "0")
    eq(sql_one("SELECT account_number FROM bank_accounts WHERE user_id = "
               ":'p1'", a.user_id), "00000000000")
    # ...and the money it moved, to the øre, with its dates and shop.
    eq(sql("SELECT user_id, amount, status, merchant_name IS NOT NULL FROM "
           "transactions WHERE id = :'p1'", tx),
       [[a.user_id, "1200", "completed", "t"]])
    eq(sql("SELECT quote_id, recipient_name FROM transactions WHERE id = "
           ":'p1'", rem), [[quote, ""]])
    assert sql_one("SELECT purged_at FROM data_access_requests WHERE "
                   "user_id = :'p1' AND type = 'erasure'", a.user_id)

    # The one still here: the old goes, the recent stays.
    live = lambda table, id_: sql_one("SELECT count(*) FROM %s WHERE id = "
                                      ":'p1'" % table, id_)
    eq((live("sessions", old_ses), live("sessions", new_ses)), ("0", "1"))
    eq((live("notifications", old_note), live("notifications", new_note)),
       ("0", "1"))
    eq(sql("SELECT key FROM idempotency_keys WHERE user_id = :'p1'",
           b.user_id), [["new"]])
    eq(Client().post("/api/auth/login", {"email": b.email,
                                         "password": b.password}).status, 200)

    # Every kind purged is counted in the audit log, by the purge.
    counts = dict(sql("SELECT action, after->>'count' FROM audit_log WHERE "
                      "actor = 'purge' AND entity_id = :'p1'", day))
    assert int(counts["purge.erasedAccounts"]) >= 1, counts
    for kind in ("sessions", "notifications", "idempotencyKeys"):
        assert int(counts["purge." + kind]) >= 1, counts


def test_the_server_may_not_purge_one_account():
    ok = sql_one("SELECT has_function_privilege('drop', "
                 "'drop_purge_user(text)', 'EXECUTE')")
    eq(ok, "f")
    eq(sql_one("SELECT has_function_privilege('drop', "
               "'drop_purge_run(integer)', 'EXECUTE')"), "t")
