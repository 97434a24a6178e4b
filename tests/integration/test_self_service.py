"""Self-service (issue 20 point 6): names and phone changed by the user,
the password changed with the current one (every other session revoked,
the user told), a forgotten password reset through a single-use link
sent by e-mail over SMTP from the outbox (the same answer whether or not
the address has an account), and notifications e-mailed while e-mail is
on; the relay's failures retried."""

import re
import time

from harness import (Client, clock, detail_fields, eq, is_error, register,
                     sql, sql_one, watch)
from mail_helpers import fail_next, mail_to, messages


def test_names_and_phone_change_and_are_audited():
    c = register()
    r = c.patch("/api/users/me", {"firstName": "Ingrid", "phone": "+4798765432"})
    eq(r.status, 200, "patch %r" % r)
    d = r.json["data"]
    eq((d["firstName"], d["lastName"], d["phone"]),
       ("Ingrid", "Nordmann", "+4798765432"))
    eq(c.get("/api/users/me").json["data"]["firstName"], "Ingrid")
    row = sql("SELECT actor, before->>'firstName', after->>'firstName' FROM "
              "audit_log WHERE entity_id = :'p1' AND action = 'user.profile'",
              c.user_id)
    eq(row, [[c.user_id, "Kari", "Ingrid"]])
    r = c.patch("/api/users/me", {"firstName": "<b>x</b>", "phone": "12"})
    is_error(r, 422, "validation_error")
    eq(sorted(detail_fields(r)), ["firstName", "phone"])
    is_error(c.patch("/api/users/me", {}), 422, "validation_error")
    eq(sql_one("SELECT first_name FROM users WHERE id = :'p1'", c.user_id),
       "Ingrid")


def test_a_password_change_needs_the_current_one_and_signs_out_the_rest():
    c = register()
    other = Client()
    eq(other.post("/api/auth/login", {"email": c.email,
                                      "password": c.password}).status, 200)
    watch("Brand-New-Secret9")
    is_error(c.put("/api/users/me/password", {
        "currentPassword": "Wrong-Guess1", "newPassword": "Brand-New-Secret9"}),
        403, "forbidden")
    eq(sql_one("SELECT failures FROM login_throttle WHERE user_id = :'p1'",
               c.user_id), "1")
    r = c.put("/api/users/me/password", {"currentPassword": c.password,
                                         "newPassword": "short"})
    is_error(r, 422, "validation_error")
    eq(detail_fields(r), ["newPassword"])
    r = c.put("/api/users/me/password", {"currentPassword": c.password,
                                         "newPassword": "Brand-New-Secret9"})
    eq(r.status, 200, "change %r" % r)
    eq(r.json["sessionsRevoked"], 1)
    # This session goes on; the other device is signed out.
    eq(c.get("/api/users/me").status, 200)
    is_error(other.get("/api/users/me"), 401, "unauthorized")
    fresh = Client()
    is_error(fresh.post("/api/auth/login", {"email": c.email,
                                            "password": c.password}),
             401, "unauthorized")
    eq(fresh.post("/api/auth/login", {"email": c.email,
                                      "password": "Brand-New-Secret9"}).status,
       200)
    eq(sql_one("SELECT count(*) FROM notifications WHERE user_id = :'p1' AND "
               "type = 'security_password_changed'", c.user_id), "1")
    got = mail_to(c.email, "Your password was changed")
    eq(len(got), 1)
    assert "every other device was signed out" in got[0]["body"], got[0]


def reset_link(addr):
    got = mail_to(addr, "Reset your Drop password")
    eq(len(got), 1, "one reset e-mail")
    m = re.search(r"/#/reset/([A-Za-z0-9_-]{43})\b", got[0]["body"])
    assert m, got[0]["body"]
    return m.group(1)


def test_a_forgotten_password_is_reset_once_through_the_e_mailed_link():
    c = register()
    known = Client().post("/api/auth/password-reset", {"email": c.email})
    eq(known.status, 202)
    unknown = Client().post("/api/auth/password-reset",
                            {"email": "nobody-%s" % c.email})
    eq((unknown.status, unknown.json), (known.status, known.json))
    token = reset_link(c.email)
    watch(token, "Reset-Chosen-Secret7")
    # Only the token's hash is kept, and the sent e-mail's body is gone.
    eq(sql_one("SELECT count(*) FROM password_resets WHERE token_hash = "
               "encode(sha256(convert_to(:'p1', 'UTF8')), 'hex')", token), "1")
    eq(sql_one("SELECT count(*) FROM password_resets WHERE token_hash = "
               ":'p1'", token), "0")
    time.sleep(0.5)
    eq(sql_one("SELECT count(*) FROM emails WHERE user_id = :'p1' AND "
               "kind = 'password_reset' AND status = 'sent' AND body IS NULL",
               c.user_id), "1")
    assert not [m for m in messages() if m["envelope"]["to"] ==
                ["<nobody-%s>" % c.email]]

    r = Client().post("/api/auth/password-reset/confirm",
                      {"token": token, "password": "Reset-Chosen-Secret7"})
    eq(r.status, 200, "confirm %r" % r)
    is_error(c.get("/api/users/me"), 401, "unauthorized")
    eq(Client().post("/api/auth/login", {
        "email": c.email, "password": "Reset-Chosen-Secret7"}).status, 200)
    is_error(Client().post("/api/auth/password-reset/confirm", {
        "token": token, "password": "Another-Secret8"}), 400, "bad_request")
    is_error(Client().post("/api/auth/password-reset/confirm", {
        "token": "x" * 43, "password": "Another-Secret8"}), 400,
        "bad_request")
    r = Client().post("/api/auth/password-reset/confirm", {
        "token": "not a token", "password": "Another-Secret8"})
    is_error(r, 422, "validation_error")
    eq(detail_fields(r), ["token"])


def test_a_reset_link_lasts_thirty_minutes():
    c = register()
    eq(Client().post("/api/auth/password-reset",
                     {"email": c.email.upper()}).status, 202)
    token = reset_link(c.email)
    with clock("31 minutes"):
        is_error(Client().post("/api/auth/password-reset/confirm", {
            "token": token, "password": "Too-Late-Secret1"}), 400,
            "bad_request")
    eq(Client().post("/api/auth/login", {"email": c.email,
                                         "password": c.password}).status, 200)


def test_notifications_are_e_mailed_only_while_e_mail_is_on():
    c = register()
    eq(c.patch("/api/settings", {"emailEnabled": False}).status, 200)
    c.put("/api/users/me/password", {"currentPassword": "Wrong-Guess1",
                                     "newPassword": "Whatever-Secret2"})
    sql("SELECT drop_notify(drop_new_id('noti_'), :'p1', 'test_quiet', "
        "'Quiet one', 'Not by e-mail', NULL)", c.user_id)
    eq(c.patch("/api/settings", {"emailEnabled": True}).status, 200)
    sql("SELECT drop_notify(drop_new_id('noti_'), :'p1', 'test_loud', "
        "'Loud one', 'By e-mail too', NULL)", c.user_id)
    got = mail_to(c.email, "Loud one")
    eq(len(got), 1)
    assert got[0]["body"].startswith("By e-mail too"), got[0]
    eq(got[0]["envelope"]["from"], "<no-reply@drop.example>")
    eq(mail_to(c.email, "Quiet one", timeout=1), [])


def test_a_message_sent_again_keeps_its_message_id():
    """SMTP has no idempotency key: when the relay's acknowledgement is
    lost, Drop sends the message again and the relay has it twice. Both
    copies carry the same Message-ID (RFC 5322: the same message), so
    the recipient's mail system can tell the second for a repeat."""
    c = register()
    fail_next(1, c.email, lost=True)
    sql("SELECT drop_notify(drop_new_id('noti_'), :'p1', 'test_lost', "
        "'Lost answer', 'Sent twice, one message', NULL)", c.user_id)
    got = mail_to(c.email, "Lost answer", timeout=45, count=2)
    eq(len(got), 2)
    ids = [m["headers"]["Message-ID"] for m in got]
    eq(ids[0], ids[1])
    eml = sql_one("SELECT id FROM emails WHERE user_id = :'p1' AND kind = "
                  "'test_lost'", c.user_id)
    assert ids[0].startswith("<%s@" % eml), ids


def test_a_relay_that_fails_is_tried_again():
    c = register()
    fail_next(2, c.email)
    sql("SELECT drop_notify(drop_new_id('noti_'), :'p1', 'test_retry', "
        "'Retried one', 'Third time lucky', NULL)", c.user_id)
    got = mail_to(c.email, "Retried one", timeout=30)
    eq(len(got), 1)
    row = sql("SELECT status, attempts, last_error FROM emails WHERE "
              "user_id = :'p1' AND kind = 'test_retry'", c.user_id)[0]
    eq((row[0], row[1], row[2]), ("sent", "3", ""))
