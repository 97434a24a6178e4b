"""Named operators of the internal API (issue 20): each their own
credential (scripts/operator.sh, only its hash kept), a role that each
route checks, their id in every audit row they cause, and the audit log
for compliance (GET /internal/audit)."""

import hashlib
import os
import subprocess

from harness import (admin, admin_token, detail_fields, eq, is_error,
                     operator_token, register, sql, sql_one)
from stack import ROOT


def operator_sh(*args):
    """scripts/operator.sh against the test database, the way production
    runs it (libpq's environment, as the schema's owner)."""
    env = dict(os.environ, PGHOST=os.environ["DROP_TEST_PGHOST"],
               PGPORT=os.environ["DROP_TEST_PGPORT"], PGUSER="drop_owner",
               PGDATABASE="drop")
    return subprocess.run(["sh", os.path.join(ROOT, "scripts",
                                              "operator.sh")] + list(args),
                          env=env, capture_output=True, text=True)


def op_id(name):
    return sql_one("SELECT id FROM operators WHERE name = :'p1'", name)


def test_an_operator_is_made_on_the_command_line_and_only_its_hash_kept():
    r = operator_sh("add", "dana", "support")
    eq(r.returncode, 0, r.stderr)
    token = r.stdout.strip()
    assert token.startswith("do_") and len(token) == 63, token
    row = sql("SELECT id, role, token_hash, created_by FROM operators "
              "WHERE name = 'dana'")[0]
    eq(row[0], "opr_" + token[3:19])
    eq(row[1], "support")
    eq(row[2], hashlib.sha256(token.encode()).hexdigest())
    assert row[3].startswith("cli:"), row
    eq(sql_one("SELECT count(*) FROM operators WHERE token_hash = :'p1'",
               token), "0")
    eq(sql_one("SELECT actor || ' ' || action FROM audit_log WHERE "
               "entity_id = :'p1'", row[0]), row[3] + " operator.create")
    eq(admin("GET", "/internal/flags", token=token).status, 200)
    # Her role is support: a rate is not hers to change.
    is_error(admin("PUT", "/internal/rates/EUR", {"rate": 11.5},
                   token=token), 403, "forbidden")
    # A name is one operator; a role is one of three.
    eq(operator_sh("add", "dana", "admin").returncode, 1)
    eq(operator_sh("add", "erik", "root").returncode, 1)

    eq(operator_sh("disable", "dana").returncode, 0)
    is_error(admin("GET", "/internal/flags", token=token), 401,
             "unauthorized")
    eq(operator_sh("disable", "dana").returncode, 1)


def test_an_unknown_or_malformed_credential_is_401():
    real = admin_token()
    forged = real[:20] + ("A" if real[20] != "A" else "B") + real[21:]
    for token in ("", "wrong", real + "x", forged,
                  "dk_" + real[3:], "do_0000000000000000_" + real[20:]):
        is_error(admin("GET", "/internal/flags", token=token), 401,
                 "unauthorized")


def complaint(user):
    return user.post("/api/complaints", {"category": "other", "subject": "S",
                                         "description": "D"}).json["data"]["id"]


def test_each_route_admits_its_roles():
    u = register()
    path = "/internal/users/%s/kyc" % u.user_id
    # The direct switch is the admin's alone.
    for role in ("support", "compliance"):
        is_error(admin("POST", path, {"status": "approved"},
                       token=operator_token(role)), 403, "forbidden")
    eq(sql_one("SELECT kyc_status FROM users WHERE id = :'p1'", u.user_id),
       "pending")
    # Support handles complaints; the audit row names who did it.
    cmp = complaint(u)
    r = admin("POST", "/internal/complaints/%s/take" % cmp,
              token=operator_token("support"))
    eq(r.status, 200)
    eq(sql_one("SELECT actor FROM audit_log WHERE entity_id = :'p1' AND "
               "action = 'complaint.take'", cmp), op_id("support"))
    for role in ("support", "compliance"):
        is_error(admin("PUT", "/internal/flags/notifications",
                       {"enabled": True}, token=operator_token(role)),
                 403, "forbidden")
    is_error(admin("GET", "/internal/audit", token=operator_token("support")),
             403, "forbidden")
    is_error(admin("GET", "/internal/kyc", token=operator_token("support")),
             403, "forbidden")


def test_the_audit_log_filters_by_actor_target_and_day():
    u = register()
    cmp_u, cmp_v = complaint(u), complaint(u)
    for who, c, step, body in (
            ("compliance", cmp_u, "take", None),
            ("compliance2", cmp_v, "take", None),
            ("compliance", cmp_v, "answer", {"status": "resolved",
                                             "resolution": "Done"})):
        eq(admin("POST", "/internal/complaints/%s/%s" % (c, step), body,
                 token=operator_token(who)).status, 200)
    tok = operator_token("compliance")
    r = admin("GET", "/internal/audit?entityId=%s" % cmp_v, token=tok)
    eq(r.status, 200)
    rows = r.json["data"]
    eq([x["actor"] for x in rows], [op_id("compliance"),
                                    op_id("compliance2")])
    eq(rows[0]["action"], "complaint.answer")
    eq(rows[0]["entity"], "complaint")
    eq(rows[0]["before"], {"status": "in_review"})
    eq(rows[1]["before"], {"status": "received"})
    eq(rows[1]["after"], {"status": "in_review"})
    eq(r.json["pagination"]["total"], 2)

    r = admin("GET", "/internal/audit?actor=%s&entity=complaint&limit=1" %
              op_id("compliance2"), token=tok)
    eq(r.json["pagination"]["total"],
       int(sql_one("SELECT count(*) FROM audit_log WHERE actor = :'p1' AND "
                   "entity = 'complaint'", op_id("compliance2"))))
    eq(len(r.json["data"]), 1)
    # Oslo days, both included: today has them, tomorrow and before not.
    today = sql_one("SELECT (now() AT TIME ZONE 'Europe/Oslo')::date")
    r = admin("GET", "/internal/audit?entityId=%s&from=%s&to=%s" %
              (cmp_v, today, today), token=tok)
    eq(len(r.json["data"]), 2)
    r = admin("GET", "/internal/audit?entityId=%s&to=2020-01-01" %
              cmp_v, token=tok)
    eq(r.json["data"], [])
    # The cursor walks the same rows.
    r = admin("GET", "/internal/audit?entityId=%s&limit=1" % cmp_v,
              token=tok)
    nxt = r.json["pagination"]["nextCursor"]
    r2 = admin("GET", "/internal/audit?entityId=%s&limit=1&cursor=%s" %
               (cmp_v, nxt), token=tok)
    eq(r2.json["data"][0]["actor"], op_id("compliance2"))

    r = admin("GET", "/internal/audit?from=2026-02-30&actor=Bad%20Actor",
              token=tok)
    is_error(r, 422, "validation_error")
    eq(sorted(detail_fields(r)), ["actor", "from"])
