"""Identity checks and sanctions screening (issue 20 point 2): a user
submits what a Norwegian identity check needs (the national identity
number judged by its two MOD11 check digits and the user's birth date);
compliance approves or rejects it with a reason, and a case near a
sanctioned name needs a second operator; a remittance to a recipient
near a sanctioned name is held, nothing debited or sent, until
compliance releases (it is then paid) or rejects it."""

import time
import uuid

from harness import (admin, detail_fields, eq, is_error, operator_token,
                     register, sql, sql_one, watch)
from bank_helpers import bank_payments, wait_status
from money_helpers import (MERCHANT, add_recipient, balance_ore, funded_user,
                           remit)
from test_rules import kore_with, needs_stack, wait_up

FNR = "17059012355"       # 17.05.1990, the test users' birth date


def form(**over):
    body = {"legalName": "Kari Nordmann", "address": "Storgata 1, 0155 Oslo",
            "nationalId": FNR, "purpose": "family_support",
            "purposeDetail": "Rent for my mother"}
    body.update(over)
    return body


def op(method, path, body=None, who="compliance"):
    return admin(method, path, body, token=operator_token(who))


def decide(case, decision, who="compliance", reason="Documents match"):
    return op("POST", "/internal/kyc/%s/decision" % case,
              {"decision": decision, "reason": reason}, who)


def test_a_submission_is_reviewed_and_approved_with_a_reason():
    u = register()
    watch(FNR)
    r = u.post("/api/kyc", form())
    eq(r.status, 201, "submit %r" % r)
    case = r.json["data"]["id"]
    eq(r.json["data"]["status"], "in_review")
    assert FNR not in r.raw.decode(), "the number is not sent back"
    eq(u.get("/api/users/me").json["data"]["kycStatus"], "in_review")
    is_error(u.post("/api/kyc", form()), 409, "conflict")
    # Still no money abroad while it is reviewed.
    rows = op("GET", "/internal/kyc?status=in_review&limit=100").json["data"]
    mine = [x for x in rows if x["id"] == case]
    eq(len(mine), 1)
    eq((mine[0]["userId"], mine[0]["nationalId"], mine[0]["purpose"],
        mine[0]["sanctionsEntry"]), (u.user_id, FNR, "family_support", None))
    is_error(op("GET", "/internal/kyc", who="support"), 403, "forbidden")

    r = decide(case, "approve")
    eq(r.status, 200, "approve %r" % r)
    eq((r.json["data"]["status"], r.json["data"]["reason"]),
       ("approved", "Documents match"))
    eq(r.json["data"]["decidedBy"],
       sql_one("SELECT id FROM operators WHERE name = 'compliance'"))
    eq(u.get("/api/users/me").json["data"]["kycStatus"], "approved")
    eq(sql_one("SELECT count(*) FROM notifications WHERE user_id = :'p1' "
               "AND type = 'kyc_approved'", u.user_id), "1")
    is_error(decide(case, "reject"), 409, "conflict")
    # The export has what was submitted, the number included.
    doc = u.get("/api/user/data-export").json["data"]
    eq([(k["national_id"], k["status"]) for k in doc["kycSubmissions"]],
       [(FNR, "approved")])


def test_the_number_is_sealed_at_rest():
    """The database holds the number sealed (AES-256-GCM under a key it
    never holds); the compliance view and the export open it. A number
    stored before sealing began reads as it is; a sealed one changed in
    the database does not open (null; another column's value does not
    either: tests/unit/test_seal.c)."""
    u = register()
    case = u.post("/api/kyc", form()).json["data"]["id"]
    stored = sql_one("SELECT national_id FROM kyc_submissions WHERE id = "
                     ":'p1'", case)
    assert stored.startswith("s1:") and FNR not in stored, stored

    def seen():
        rows = op("GET", "/internal/kyc?status=in_review&limit=100"
                  ).json["data"]
        doc = u.get("/api/user/data-export").json["data"]
        return ([x["nationalId"] for x in rows if x["id"] == case],
                [k["national_id"] for k in doc["kycSubmissions"]])

    eq(seen(), ([FNR], [FNR]))
    sql("UPDATE kyc_submissions SET national_id = :'p2' WHERE id = :'p1'",
        case, FNR)
    eq(seen(), ([FNR], [FNR]))
    changed = stored[:-1] + ("0" if stored[-1] != "0" else "1")
    sql("UPDATE kyc_submissions SET national_id = :'p2' WHERE id = :'p1'",
        case, changed)
    eq(seen(), ([None], [None]))


def test_values_stored_in_clear_are_sealed_when_workers_start(stack):
    """Rows from before sealing began (a number, a webhook secret, in
    clear) are sealed by the workers of a Kore that starts (or by the
    session's, still checking), and read the same afterwards."""
    needs_stack(stack)
    u = register()
    case = u.post("/api/kyc", form()).json["data"]["id"]
    sql("UPDATE kyc_submissions SET national_id = :'p2' WHERE id = :'p1'",
        case, FNR)
    hook = "whk_" + uuid.uuid4().hex[:16]
    clear = "whsec_" + uuid.uuid4().hex * 2
    sql("INSERT INTO webhook_endpoints (id, merchant_id, url, events, "
        "secret, deleted_at) VALUES (:'p1', :'p2', 'https://shop.example/h', "
        "'{payment.completed}', :'p3', now())", hook, MERCHANT, clear)
    stored = "SELECT (SELECT national_id FROM kyc_submissions WHERE id = " \
        ":'p1'), (SELECT secret FROM webhook_endpoints WHERE id = :'p2')"
    with kore_with(stack, lambda t: t) as (p, _, internal, _log):
        eq(wait_up(p, internal), None)
        deadline = time.time() + 20
        while time.time() < deadline and \
                not all(v.startswith("s1:") for v in sql(stored, case,
                                                          hook)[0]):
            time.sleep(0.2)
    number, secret = sql(stored, case, hook)[0]
    assert number.startswith("s1:") and secret.startswith("s1:"), \
        (number, secret)
    assert FNR not in number and clear[6:] not in secret
    rows = op("GET", "/internal/kyc?status=in_review&limit=100").json["data"]
    eq([x["nationalId"] for x in rows if x["id"] == case], [FNR])
    eq(sql_one("SELECT count(*) FROM drop_unsealed_values(10) WHERE id IN "
               "(:'p1', :'p2')", case, hook), "0")


def test_a_rejection_says_why_and_a_new_submission_may_follow():
    u = register()
    case = u.post("/api/kyc", form()).json["data"]["id"]
    r = decide(case, "reject", reason="The address is not in Norway.")
    eq(r.json["data"]["status"], "rejected")
    eq(u.get("/api/users/me").json["data"]["kycStatus"], "rejected")
    body = sql_one("SELECT body FROM notifications WHERE user_id = :'p1' "
                   "AND type = 'kyc_rejected'", u.user_id)
    assert "The address is not in Norway." in body, body
    eq(u.post("/api/kyc", form(address="Kirkegata 2, 0153 Oslo")).status, 201)


def test_the_number_and_the_form_are_checked():
    u = register()
    r = u.post("/api/kyc", form(nationalId="17059012354", purpose="crypto",
                                legalName="<b>Kari</b>"))
    is_error(r, 422, "validation_error")
    eq(sorted(detail_fields(r)), ["legalName", "nationalId", "purpose"])
    # Another individual number of the same birth date: fine.
    r = u.post("/api/kyc", form(nationalId="17059012436"))
    eq(r.status, 201)
    # Valid digits, someone else's birth date (a D-number of 4 May).
    v = register()
    r = v.post("/api/kyc", form(nationalId="44059012360"))
    is_error(r, 422, "validation_error")
    eq(detail_fields(r), ["nationalId"])
    eq(sql_one("SELECT kyc_status FROM users WHERE id = :'p1'", v.user_id),
       "pending")
    is_error(decide("kyc_0000000000000000", "approve"), 404, "not_found")
    r = decide("kyc_0000000000000000", "maybe", reason="")
    is_error(r, 422, "validation_error")
    eq(sorted(detail_fields(r)), ["decision", "reason"])


def test_a_near_sanctions_match_needs_a_second_operator():
    u = register()
    case = u.post("/api/kyc", form(legalName="Viktor Zlobine")).json[
        "data"]["id"]
    row = sql("SELECT sanctions_entry, sanctions_score > 0.55 FROM "
              "kyc_submissions WHERE id = :'p1'", case)
    eq(row, [["DROP-TEST-0001", "t"]])
    eq(sql_one("SELECT after->>'rule' FROM audit_log WHERE entity_id = "
               ":'p1' AND action = 'sanctions.match'", case),
       "sanctions:DROP-TEST-0001")
    r = decide(case, "approve")
    eq(r.status, 202)
    eq((r.json["data"]["status"], r.json["data"]["firstApprover"]),
       ("in_review", sql_one("SELECT id FROM operators WHERE name = "
                             "'compliance'")))
    eq(sql_one("SELECT kyc_status FROM users WHERE id = :'p1'", u.user_id),
       "in_review")
    is_error(decide(case, "approve"), 409, "conflict")
    r = decide(case, "approve", who="compliance2",
               reason="A different person: born 1990, not 1961")
    eq(r.status, 200)
    eq(r.json["data"]["status"], "approved")
    eq(sql_one("SELECT kyc_status FROM users WHERE id = :'p1'", u.user_id),
       "approved")


def test_a_remittance_to_a_listed_name_is_held_then_released_and_paid():
    c = funded_user(2000)
    before = balance_ore(c.account["id"])
    rcp = add_recipient(c, name="Dragan Zabranjeni")["id"]
    r = remit(c, rcp, 100)
    eq(r.status, 201, "remit %r" % r)
    tx = r.json["data"]["id"]
    eq((r.json["data"]["status"], r.json["data"]["failureReason"]),
       ("failed", "held_for_review"))
    eq(balance_ore(c.account["id"]), before)
    eq(bank_payments(tx), [])
    eq(sql_one("SELECT after->>'rule' FROM audit_log WHERE entity_id = "
               ":'p1' AND action = 'sanctions.hold'", tx),
       "sanctions:DROP-TEST-0004")
    eq(sql_one("SELECT count(*) FROM notifications WHERE transaction_id = "
               ":'p1' AND type = 'remittance_held'", tx), "1")
    held = [x for x in op("GET", "/internal/holds?limit=100").json["data"]
            if x["id"] == tx]
    eq((held[0]["sanctionsEntry"], held[0]["sanctionsName"],
        held[0]["total"]), ("DROP-TEST-0004", "Dragan Zabranjeni",
                            held[0]["amount"] + held[0]["fee"]))

    r = op("POST", "/internal/transactions/%s/review" % tx,
           {"decision": "release", "reason": "Not the listed person"})
    eq(r.json["data"], {"id": tx, "outcome": "released"})
    total = int(sql_one("SELECT total FROM transactions WHERE id = :'p1'",
                        tx))
    eq(balance_ore(c.account["id"]), before - total)
    wait_status(c, tx, "processing")
    payments = []
    for _ in range(50):
        payments = bank_payments(tx)
        if payments:
            break
        import time
        time.sleep(0.2)
    eq(len(payments), 1, "paid once at the bank after the release")
    is_error(op("POST", "/internal/transactions/%s/review" % tx,
                {"decision": "reject", "reason": "Late"}), 409, "conflict")
    eq(sql_one("SELECT actor FROM audit_log WHERE entity_id = :'p1' AND "
               "action = 'transaction.release'", tx),
       sql_one("SELECT id FROM operators WHERE name = 'compliance'"))


def test_a_rejected_hold_never_moves_money():
    c = funded_user(2000)
    before = balance_ore(c.account["id"])
    rcp = add_recipient(c, name="Dragan Zabranjen")["id"]     # an alias
    tx = remit(c, rcp, 150).json["data"]["id"]
    r = op("POST", "/internal/transactions/%s/review" % tx,
           {"decision": "reject", "reason": "Listed person"})
    eq(r.json["data"]["outcome"], "rejected")
    eq(sql("SELECT status, failure_reason FROM transactions WHERE id = "
           ":'p1'", tx), [["failed", "rejected_by_compliance"]])
    eq(balance_ore(c.account["id"]), before)
    eq(bank_payments(tx), [])
    eq(c.get("/api/transactions/" + tx).json["data"]["failureReason"],
       "rejected_by_compliance")
