"""Complaints handled (issue 20 point 3): an operator takes a complaint
into review, may mark it exceptional (due 35 Norwegian business days
after receipt instead of 15, the reason told to the user), and answers
it; the user is notified each time and the answer names
Finansklagenemnda; the queue shows what is overdue."""

from harness import (admin, detail_fields, eq, is_error, operator_token,
                     register, sql, sql_one)


def file_complaint(u, subject="A fee I did not expect"):
    r = u.post("/api/complaints", {"category": "fees", "subject": subject,
                                    "description": "Why 25 kr?"})
    eq(r.status, 201)
    return r.json["data"]


def op(method, path, body=None, who="support"):
    return admin(method, path, body, token=operator_token(who))


def notes(user_id):
    return sql("SELECT type, body FROM notifications WHERE user_id = :'p1' "
               "ORDER BY created_at, id", user_id)


def test_the_deadline_counts_norwegian_business_days():
    # From Monday 21 December 2026: Christmas, New Year and weekends skipped.
    eq(sql_one("SELECT drop_complaint_due('2026-12-21 10:00+01', false)"),
       "2027-01-13")
    # Received on Saturday 20 March 2027 (22:30 UTC, Sunday in Oslo):
    # counted from Monday, with Maundy Thursday, Good Friday and Easter
    # Monday skipped.
    eq(sql_one("SELECT drop_complaint_due('2027-03-20 22:30+00', false)"),
       "2027-04-14")
    eq(sql_one("SELECT drop_complaint_due('2026-12-21 10:00+01', true)"),
       "2027-02-10")
    u = register()
    c = file_complaint(u)
    eq(c["due_at"], sql_one("SELECT drop_add_business_days(oslo_day(now()), "
                            "15)::text"))
    eq(c["next_step"], None)
    eq(c["exceptional_reason"], None)


def test_a_complaint_is_taken_extended_and_answered():
    u = register()
    c = file_complaint(u)
    path = "/internal/complaints/%s" % c["id"]
    r = op("POST", path + "/take")
    eq(r.status, 200)
    eq(r.json["data"]["status"], "in_review")
    support = sql_one("SELECT id FROM operators WHERE name = 'support'")
    eq(r.json["data"]["handlerId"], support)
    is_error(op("POST", path + "/take"), 409, "conflict")

    r = op("POST", path + "/extend", {"reason": "We wait for the bank's "
                                                "records."})
    eq(r.status, 200)
    due35 = sql_one("SELECT drop_complaint_due(created_at, true)::text FROM "
                    "complaints WHERE id = :'p1'", c["id"])
    eq(r.json["data"]["dueAt"], due35)
    eq(r.json["data"]["exceptionalReason"], "We wait for the bank's records.")
    is_error(op("POST", path + "/extend", {"reason": "Again"}), 409,
             "conflict")

    r = op("POST", path + "/answer", {"status": "resolved",
                                      "resolution": "We refunded the fee."},
           who="compliance")
    eq(r.status, 200)
    eq(r.json["data"]["status"], "resolved")
    eq(r.json["data"]["handlerId"], support)
    assert r.json["data"]["resolvedAt"]
    is_error(op("POST", path + "/answer", {"status": "rejected",
                                           "resolution": "No"}), 409,
             "conflict")
    is_error(op("POST", path + "/extend", {"reason": "Late"}), 409,
             "conflict")

    mine = u.get("/api/complaints").json["data"][0]
    eq(mine["status"], "resolved")
    eq(mine["resolution"], "We refunded the fee.")
    eq(mine["due_at"], due35)
    eq(mine["exceptional_reason"], "We wait for the bank's records.")
    assert "Finansklagenemnda" in mine["next_step"], mine

    got = notes(u.user_id)
    eq([t for t, _ in got], ["complaint_in_review", "complaint_extended",
                             "complaint_answered"])
    assert "We wait for the bank's records." in got[1][1], got
    assert "We refunded the fee." in got[2][1], got
    assert "Finansklagenemnda" in got[2][1], got
    rows = sql("SELECT action, actor FROM audit_log WHERE entity_id = :'p1' "
               "ORDER BY id", c["id"])
    compliance = sql_one("SELECT id FROM operators WHERE name = "
                         "'compliance'")
    eq(rows, [["complaint.take", support], ["complaint.extend", support],
              ["complaint.answer", compliance]])


def test_a_received_complaint_can_be_answered_directly_and_rejected():
    u = register()
    c = file_complaint(u)
    r = op("POST", "/internal/complaints/%s/answer" % c["id"],
           {"status": "rejected", "resolution": "The fee is in the price "
                                                "list you accepted."})
    eq(r.status, 200)
    eq(r.json["data"]["status"], "rejected")
    got = notes(u.user_id)
    eq(got[-1][0], "complaint_answered")
    assert "Finansklagenemnda" in got[-1][1]
    is_error(op("POST", "/internal/complaints/%s/take" % c["id"]), 409,
             "conflict")


def test_the_queue_shows_what_is_overdue():
    u = register()
    late, fresh, done = file_complaint(u), file_complaint(u), \
        file_complaint(u)
    # Filed in March: due in April, long past.
    for c in (late, done):
        sql("UPDATE complaints SET created_at = '2026-03-02 09:00+01', "
            "due_at = drop_complaint_due('2026-03-02 09:00+01', false) "
            "WHERE id = :'p1'", c["id"])
    eq(op("POST", "/internal/complaints/%s/answer" % done["id"],
          {"status": "resolved", "resolution": "Done."}).status, 200)
    r = op("GET", "/internal/complaints?overdue=true&limit=100")
    eq(r.status, 200)
    ids = [x["id"] for x in r.json["data"]]
    assert late["id"] in ids and fresh["id"] not in ids and \
        done["id"] not in ids, ids
    row = [x for x in r.json["data"] if x["id"] == late["id"]][0]
    eq(row["overdue"], True)
    eq(row["dueAt"], "2026-03-23")
    eq(row["userId"], u.user_id)
    r = op("GET", "/internal/complaints?status=resolved&limit=100")
    assert done["id"] in [x["id"] for x in r.json["data"]]
    assert all(x["status"] == "resolved" for x in r.json["data"])


def test_handling_errors():
    u = register()
    c = file_complaint(u)
    path = "/internal/complaints/%s/answer" % c["id"]
    r = op("POST", path, {"status": "maybe", "resolution": ""})
    is_error(r, 422, "validation_error")
    eq(sorted(detail_fields(r)), ["resolution", "status"])
    is_error(op("POST", path, {"status": "resolved"}), 400, "bad_request")
    is_error(op("POST", "/internal/complaints/cmp_0000000000000000/take"),
             404, "not_found")
    is_error(op("POST", "/internal/complaints/nonsense/take"), 404,
             "not_found")
    r = op("GET", "/internal/complaints?overdue=yes&status=lost")
    is_error(r, 422, "validation_error")
    eq(sorted(detail_fields(r)), ["overdue", "status"])
    eq(sql_one("SELECT status FROM complaints WHERE id = :'p1'", c["id"]),
       "received")
