"""Feature flags (§10, §12) and cards: every card route with its flag on
and off (flipped through the internal API while the server runs), owner
scoping, masking, PIN format and hashing, limit replacement."""

import json
import os
import re
import time

from harness import (Client, admin, detail_fields, eq, is_error, register, sql,
                     sql_one)
from money_helpers import new_client_like

FLAGS = ["cards", "physicalCards", "cardPin", "spendingLimits",
         "notifications"]
DEFAULTS = {"cards": False, "physicalCards": False, "cardPin": False,
            "spendingLimits": False, "notifications": True}
# A card number: 13-19 digits, maybe grouped by spaces or dashes, standing
# alone (ids are random hex and may hold digit runs by chance: not PANs).
PAN_RUN = re.compile(r"(?<![0-9A-Za-z_])(?:\d[ -]?){12,18}\d(?![0-9A-Za-z])")
REACH_S = 1.0   # a flag change reaches every worker within this


def set_flags(**flags):
    for name, on in flags.items():
        r = admin("PUT", "/internal/flags/" + name, {"enabled": on})
        eq(r.status, 200, "set flag %s %r" % (name, r))
        eq(r.json["data"], {"name": name, "enabled": on})
    time.sleep(REACH_S)


def no_pan(r):
    assert not PAN_RUN.search(r.raw.decode("utf-8", "replace")), r.raw


def card_paths(card_id):
    return [("GET", "/api/cards"), ("POST", "/api/cards"),
            ("GET", "/api/cards/" + card_id),
            ("PATCH", "/api/cards/" + card_id),
            ("DELETE", "/api/cards/" + card_id),
            ("POST", "/api/cards/%s/physical" % card_id),
            ("POST", "/api/cards/%s/pin" % card_id),
            ("GET", "/api/cards/%s/limits" % card_id),
            ("PUT", "/api/cards/%s/limits" % card_id)]


def like_unknown(c, method, path):
    """The answer equals that of a path no route claims, but its id."""
    r = c.request(method, path, body={})
    u = c.request(method, "/api/no-such-route", body={})
    eq((r.status, sorted(r.json)), (u.status, sorted(u.json)), path)
    eq((r.json["error"], r.json["message"], r.json["details"]),
       (u.json["error"], u.json["message"], u.json["details"]), path)
    is_error(r, 404, "not_found")


def test_pan_pattern_finds_card_numbers_not_ids():
    for text in ["4111111111111111", "pan=4000001234567899;",
                 "4111 1111 1111 1111", "4111-1111-1111-1111",
                 '"number": "5555555555554444"']:
        assert PAN_RUN.search(text), text
    for text in ["card_0123456789012345", "usr_0000000000000000",
                 "**** **** **** 1234", "2026-11-30T19:01:34Z",
                 "123456789012"]:
        assert not PAN_RUN.search(text), text


def test_flags_listed_set_and_audited():
    r = admin("GET", "/internal/flags")
    eq(r.status, 200)
    eq(sorted(r.json["data"]), sorted(FLAGS))
    for name in FLAGS:
        one = admin("GET", "/internal/flags/" + name)
        eq(one.json["data"], {"name": name,
                              "enabled": r.json["data"][name]})
    is_error(admin("GET", "/internal/flags/teleport"), 404, "not_found")
    is_error(admin("PUT", "/internal/flags/teleport", {"enabled": True}),
             404, "not_found")
    is_error(admin("PUT", "/internal/flags/cards", {"enabled": "true"}),
             400, "bad_request")
    is_error(admin("PUT", "/internal/flags/cards", {}), 400, "bad_request")
    is_error(admin("GET", "/internal/flags", token="wrong"), 401,
             "unauthorized")
    is_error(admin("PUT", "/internal/flags/cards", {"enabled": True},
                   token=""), 401, "unauthorized")
    before = int(sql_one("SELECT count(*) FROM audit_log WHERE "
                         "action = 'flag.set' AND entity_id = 'cardPin'"))
    set_flags(cardPin=True)
    set_flags(cardPin=False)
    rows = sql("SELECT before, after FROM audit_log WHERE action = "
               "'flag.set' AND entity_id = 'cardPin' ORDER BY id DESC "
               "LIMIT 2")
    eq(len(rows), 2)
    eq([json.loads(rows[1][0]), json.loads(rows[1][1])],
       [{"enabled": False}, {"enabled": True}])
    eq([json.loads(rows[0][0]), json.loads(rows[0][1])],
       [{"enabled": True}, {"enabled": False}])
    eq(int(sql_one("SELECT count(*) FROM audit_log WHERE action = "
                   "'flag.set' AND entity_id = 'cardPin'")), before + 2)


def test_flag_change_reaches_every_worker_within_a_second():
    """New connections land on either worker: 20 in a row must all agree
    one second after each change (no restart, no per-request query)."""
    for on, status in [(True, 401), (False, 404), (True, 401),
                       (False, 404)]:
        set_flags(cards=on)
        got = [Client().get("/api/cards").status for _ in range(20)]
        eq(got, [status] * 20, "cards=%s" % on)


def test_card_routes_are_unknown_while_cards_is_off():
    set_flags(cards=False, physicalCards=True, cardPin=True,
              spendingLimits=True)
    c = register()
    for method, path in card_paths("card_0123456789abcdef"):
        like_unknown(c, method, path)
        like_unknown(Client(), method, path)
    # A malformed id too: nothing tells the route exists.
    like_unknown(Client(), "GET", "/api/cards/x")


def new_card(c, body=None, status=201):
    r = c.post("/api/cards", body) if body is not None else \
        c.post("/api/cards")
    eq(r.status, status, "create card %r" % r)
    no_pan(r)
    return r.json["data"] if status == 201 else r


def test_cards_create_list_detail_masked():
    set_flags(cards=True, physicalCards=False)
    c = register()
    card = new_card(c)
    assert re.fullmatch(r"card_[0-9a-f]{16}", card["id"]), card
    eq((card["type"], card["status"], card["brand"], card["cvv"]),
       ("virtual", "active", "Visa", "***"))
    assert re.fullmatch(r"\*\*\*\* \*\*\*\* \*\*\*\* \d{4}",
                        card["maskedNumber"]), card
    assert isinstance(card["expiryMonth"], int) and \
        1 <= card["expiryMonth"] <= 12, card
    assert isinstance(card["expiryYear"], int) and \
        card["expiryYear"] == time.gmtime().tm_year + 3, card
    eq(sorted(card), sorted(["id", "type", "status", "brand", "maskedNumber",
                             "cvv", "expiryMonth", "expiryYear",
                             "createdAt"]))
    eq(sql_one("SELECT last4 FROM cards WHERE id = :'p1'", card["id"]),
       card["maskedNumber"][-4:])
    # Only token, last 4, expiry and brand are stored: no PAN-like data.
    row = sql_one("SELECT row_to_json(c)::text FROM cards c WHERE id = "
                  ":'p1'", card["id"])
    assert not PAN_RUN.search(row), row
    second = new_card(c, {"type": "virtual"})
    r = c.get("/api/cards")
    eq(r.status, 200)
    no_pan(r)
    eq([x["id"] for x in r.json["data"]], [second["id"], card["id"]])
    d = c.get("/api/cards/" + card["id"])
    eq(d.status, 200)
    eq(d.json["data"], card)
    # Physical needs its flag; bad types and bodies are refused.
    r = c.post("/api/cards", {"type": "physical",
                              "address": "Storgata 1, 0155 Oslo"})
    is_error(r, 422, "validation_error")
    eq(detail_fields(r), ["type"])
    is_error(c.post("/api/cards", {"type": "metal"}), 422,
             "validation_error")
    is_error(c.post("/api/cards", {"type": 1}), 400, "bad_request")
    is_error(c.post("/api/cards", raw=b"{"), 400, "bad_request")
    is_error(Client().get("/api/cards"), 401, "unauthorized")


def test_cards_are_scoped_to_their_owner():
    set_flags(cards=True, physicalCards=True, cardPin=True,
              spendingLimits=True)
    a = register()
    b = register()
    card = new_card(a)
    for method, path in card_paths(card["id"])[2:]:
        body = {"status": "frozen", "address": "Storgata 1, 0155 Oslo",
                "pin": "1234", "limitType": "daily", "amount": 100}
        is_error(b.request(method, path, body=body), 404, "not_found")
    eq(b.get("/api/cards").json["data"], [])
    eq(sql_one("SELECT status FROM cards WHERE id = :'p1'", card["id"]),
       "active")
    for bad in ["card_XYZ", "card_0123456789abcdef0", "1234"]:
        is_error(a.get("/api/cards/" + bad), 404, "not_found")


def test_card_freeze_cancel_and_conflicts():
    set_flags(cards=True)
    c = register()
    card = new_card(c)
    r = c.patch("/api/cards/" + card["id"], {"status": "frozen"})
    eq(r.status, 200, "%r" % r)
    eq(r.json["data"]["status"], "frozen")
    no_pan(r)
    eq(c.patch("/api/cards/" + card["id"],
               {"status": "active"}).json["data"]["status"], "active")
    is_error(c.patch("/api/cards/" + card["id"], {"status": "cancelled"}),
             422, "validation_error")
    is_error(c.patch("/api/cards/" + card["id"], {}), 400, "bad_request")
    r = c.delete("/api/cards/" + card["id"])
    eq(r.status, 200)
    eq(r.json["data"]["status"], "cancelled")
    eq(sql_one("SELECT status FROM cards WHERE id = :'p1'", card["id"]),
       "cancelled")
    eq(c.get("/api/cards").json["data"], [])
    eq(c.get("/api/cards/" + card["id"]).json["data"]["status"],
       "cancelled")
    set_flags(physicalCards=True, cardPin=True, spendingLimits=True)
    for method, path, body in [
            ("PATCH", "", {"status": "frozen"}), ("DELETE", "", None),
            ("POST", "/physical", {"address": "Storgata 1, 0155 Oslo"}),
            ("POST", "/pin", {"pin": "1234"}),
            ("PUT", "/limits", {"limitType": "daily", "amount": 10})]:
        r = c.request(method, "/api/cards/%s%s" % (card["id"], path),
                      body=body)
        is_error(r, 409, "conflict")


def test_card_cap_is_ten_live_cards():
    set_flags(cards=True)
    c = register()
    cards = [new_card(c) for _ in range(10)]
    is_error(new_card(c, status=409), 409, "conflict")
    eq(c.delete("/api/cards/" + cards[0]["id"]).status, 200)
    new_card(c)
    eq(sql_one("SELECT count(*) FROM cards WHERE user_id = :'p1' AND "
               "status <> 'cancelled'", c.user_id), "10")


def test_physical_cards_behind_their_flag():
    set_flags(cards=True, physicalCards=False)
    c = register()
    card = new_card(c)
    like_unknown(c, "POST", "/api/cards/%s/physical" % card["id"])
    set_flags(physicalCards=True)
    path = "/api/cards/%s/physical" % card["id"]
    for bad in ["short", "<b>Storgata 1</b>, Oslo",
                "Storgata 4111111111111111, Oslo", "x" * 301]:
        r = c.post(path, {"address": bad})
        is_error(r, 422, "validation_error")
        eq(detail_fields(r), ["address"])
    is_error(c.post(path, {}), 400, "bad_request")
    r = c.post(path, {"address": "Storgata 1, 0155 Oslo"})
    eq(r.status, 200, "%r" % r)
    eq((r.json["data"]["id"], r.json["data"]["type"]),
       (card["id"], "physical"))
    is_error(c.post(path, {"address": "Storgata 1, 0155 Oslo"}), 409,
             "conflict")
    eq(sql_one("SELECT shipping_address FROM cards WHERE id = :'p1'",
               card["id"]), "Storgata 1, 0155 Oslo")
    # Created physical: needs a shipping address.
    r = c.post("/api/cards", {"type": "physical"})
    is_error(r, 422, "validation_error")
    eq(detail_fields(r), ["address"])
    p = new_card(c, {"type": "physical", "address": "Storgata 1, 0155 Oslo"})
    eq(p["type"], "physical")


def test_card_pin_behind_its_flag_and_hashed():
    set_flags(cards=True, cardPin=False)
    c = register()
    card = new_card(c)
    path = "/api/cards/%s/pin" % card["id"]
    like_unknown(c, "POST", path)
    set_flags(cardPin=True)
    for bad in ["123", "12345", "12a4", " 1234", "１２３４", ""]:
        r = c.post(path, {"pin": bad})
        is_error(r, 422, "validation_error")
        eq(detail_fields(r), ["pin"])
    is_error(c.post(path, {"pin": 1234}), 400, "bad_request")
    r = c.post(path, {"pin": "0420"})
    eq(r.status, 200, "%r" % r)
    eq(r.json, {"message": "PIN set"})
    # The issuer has the PIN; Drop keeps only when it was set.
    eq(sql_one("SELECT pin_set_at IS NOT NULL FROM cards WHERE id = :'p1'",
               card["id"]), "t")
    eq(sql_one("SELECT count(*) FROM information_schema.columns WHERE "
               "table_name = 'cards' AND column_name LIKE 'pin%'"), "1")
    dump = sql_one("SELECT row_to_json(c)::text FROM cards c WHERE id = "
                   ":'p1'", card["id"])
    assert '"0420"' not in dump, dump


def test_card_limits_behind_their_flag_and_replaced():
    set_flags(cards=True, spendingLimits=False)
    c = register()
    card = new_card(c)
    path = "/api/cards/%s/limits" % card["id"]
    like_unknown(c, "GET", path)
    like_unknown(c, "PUT", path)
    set_flags(spendingLimits=True)
    eq(c.get(path).json["data"], [])
    r = c.put(path, {"limitType": "daily", "amount": 500})
    eq(r.status, 200, "%r" % r)
    eq(r.json["data"], [{"limitType": "daily", "amount": 500,
                         "currency": "NOK"}])
    c.put(path, {"limitType": "transaction", "amount": 99.5})
    r = c.put(path, {"limitType": "daily", "amount": 750.25})
    eq(r.json["data"], [{"limitType": "daily", "amount": 750.25,
                         "currency": "NOK"},
                        {"limitType": "transaction", "amount": 99.5,
                         "currency": "NOK"}])
    eq(c.get(path).json["data"], r.json["data"])
    eq(sql_one("SELECT count(*) FROM card_limits WHERE card_id = :'p1'",
               card["id"]), "2")
    for body, field in [({"limitType": "yearly", "amount": 5}, "limitType"),
                        ({"limitType": "daily", "amount": 0}, "amount"),
                        ({"limitType": "daily", "amount": -5}, "amount"),
                        ({"limitType": "daily", "amount": 1.001}, "amount")]:
        r = c.put(path, body)
        is_error(r, 422, "validation_error")
        eq(detail_fields(r), [field])
    is_error(c.put(path, {"limitType": "daily", "amount": "5"}), 400,
             "bad_request")


def test_card_flags_off_again_and_no_pan_in_the_log():
    set_flags(**{k: v for k, v in DEFAULTS.items()})
    c = register()
    for method, path in card_paths("card_0123456789abcdef"):
        like_unknown(c, method, path)
    eq(admin("GET", "/internal/flags").json["data"], DEFAULTS)
    log = os.environ.get("DROP_TEST_KORE_LOG")
    if log:
        with open(log, errors="replace") as f:
            for line in f:
                assert not PAN_RUN.search(line), line


def test_pin_changes_are_limited_per_user():
    set_flags(cards=True, cardPin=True)
    c = register()
    card = new_card(c)
    path = "/api/cards/%s/pin" % card["id"]
    eq([c.post(path, {"pin": "0420"}).status for _ in range(5)], [200] * 5)
    # From another address too: the count is the user's.
    other = new_client_like(c)
    r = other.post(path, {"pin": "0421"})
    is_error(r, 429, "rate_limited")
    assert 1 <= int(r.header("Retry-After")) <= 61, r.header("Retry-After")

