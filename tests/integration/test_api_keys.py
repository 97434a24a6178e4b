"""Merchant API keys (issue 19, point 4): created, listed and revoked by
the signed-in shop owner; the key is shown once and only its SHA-256 is
kept; its id is the prefix that names it; X-API-Key authenticates the
merchant routes that name a scope, with no cookie and no CSRF token; a
key without the scope is 403, a revoked one 401 at once."""

import hashlib

from harness import Client, eq, is_error, register, sql, sql_one
from money_helpers import funded_user
from test_merchants import pay
from test_payouts import shop
from test_refunds import refunds_path, wait_refund

KEYS = "/api/merchants/api-keys"


def new_key(m, scopes, name=None):
    body = {"scopes": scopes}
    if name is not None:
        body["name"] = name
    r = m.post(KEYS, body)
    eq(r.status, 201, "new key %r" % r)
    return r.json["data"]


def till(key):
    """A client that has only the key: no session, no cookies."""
    c = Client()
    c.get_key = key

    def request(method, path, body=None, headers=None, **kw):
        h = dict(headers or {})
        h["X-API-Key"] = key
        return Client.request(c, method, path, body, headers=h, **kw)
    c.request = request
    return c


def test_a_key_is_shown_once_and_kept_as_its_hash():
    m = shop()
    k = new_key(m, ["payments:read"], "Till 1")
    eq((k["name"], k["scopes"], k["lastUsedAt"], k["revokedAt"]),
       ("Till 1", ["payments:read"], None, None))
    assert k["id"].startswith("key_"), k
    eq(k["prefix"], "dk_" + k["id"][4:])
    assert k["key"].startswith(k["prefix"] + "_"), k
    eq(len(k["key"]), 63)
    eq(sql("SELECT key_hash FROM api_keys WHERE id = :'p1'", k["id"]),
       [[hashlib.sha256(k["key"].encode()).hexdigest()]])
    eq(sql_one("SELECT count(*) FROM api_keys WHERE id = :'p1' AND "
               "(name = :'p2' OR key_hash = :'p2' OR scopes::text LIKE "
               "'%' || :'p2' || '%')", k["id"], k["key"]), "0")
    listed = m.get(KEYS).json["data"]
    eq([x["id"] for x in listed], [k["id"]])
    assert "key" not in listed[0], listed[0]
    eq(sql_one("SELECT count(*) FROM audit_log WHERE action = "
               "'merchant.api_key.create' AND entity_id = :'p1'", k["id"]),
       "1")
    # The shop owner's export names the key, never the key or its hash.
    export = m.get("/api/user/data-export")
    eq(export.status, 200)
    keys = export.json["data"]["merchant"]["api_keys"]
    eq([(x["id"], x["scopes"]) for x in keys], [(k["id"], ["payments:read"])])
    assert k["key"].encode() not in export.raw, "the key is exported"
    assert hashlib.sha256(k["key"].encode()).hexdigest().encode() not in \
        export.raw, "the key's hash is exported"


def test_a_key_reads_the_shop_without_a_session():
    m = shop()
    payer = funded_user(5000)
    tx = pay(payer, m.merchant_id, 30)
    k = new_key(m, ["payments:read"])
    t = till(k["key"])
    r = t.get("/api/merchants/transactions")
    eq(r.status, 200, "with the key %r" % r)
    eq([x["id"] for x in r.json["data"]], [tx])
    eq(t.get("/api/merchants/dashboard").status, 200)
    eq(t.get("/api/merchants/payouts").status, 200)
    assert sql_one("SELECT last_used_at IS NOT NULL FROM api_keys WHERE "
                   "id = :'p1'", k["id"]) == "t"
    # Only the routes that name a scope take a key.
    is_error(t.get("/api/users/me"), 401, "unauthorized")
    is_error(t.get(KEYS), 401, "unauthorized")
    # Read-only: no refunds, even without CSRF trouble.
    is_error(t.post(refunds_path(tx), {"amount": 1}), 403, "forbidden")
    # Another shop's key sees that shop only.
    other = new_key(shop(), ["payments:read"])
    eq(till(other["key"]).get("/api/merchants/transactions").json["data"],
       [])


def test_a_refunds_key_refunds_without_cookies_or_csrf():
    m = shop()
    payer = funded_user(5000)
    tx = pay(payer, m.merchant_id, 50)
    k = new_key(m, ["payments:read", "refunds:write"])
    r = till(k["key"]).post(refunds_path(tx), {"amount": 5})
    eq(r.status, 201, "refund by key %r" % r)
    eq(wait_refund(r.json["data"]["id"]), "succeeded")


def test_a_revoked_key_is_refused_at_once():
    m = shop()
    k = new_key(m, ["payments:read"])
    t = till(k["key"])
    eq(t.get("/api/merchants/transactions").status, 200)
    eq(m.delete(KEYS + "/" + k["id"]).status, 204)
    is_error(t.get("/api/merchants/transactions"), 401, "unauthorized")
    is_error(m.delete(KEYS + "/" + k["id"]), 404, "not_found")
    eq(m.get(KEYS).json["data"][0]["revokedAt"] is not None, True)
    # Not the owner's: 404, and it stays live.
    k2 = new_key(m, ["payments:read"])
    is_error(shop().delete(KEYS + "/" + k2["id"]), 404, "not_found")
    eq(till(k2["key"]).get("/api/merchants/payouts").status, 200)


def test_malformed_or_unknown_keys_and_scopes_are_refused():
    m = shop()
    k = new_key(m, ["payments:read"])
    # (An empty header value is refused by Kore itself, 400.)
    for bad in ("nope", k["key"][:-1], k["key"][:-1] + "!",
                k["key"][:-2] + ("AA" if not k["key"].endswith("AA")
                                 else "BB")):
        is_error(till(bad).get("/api/merchants/transactions"), 401,
                 "unauthorized")
    for scopes in ([], ["admin"], ["payments:read", "payments:read"],
                   "payments:read", ["payments:read", "refunds:write",
                                     "payments:read"]):
        r = m.post(KEYS, {"scopes": scopes})
        assert r.status in (400, 422), (scopes, r)
    is_error(m.post(KEYS, {"scopes": ["refunds:write"], "name": "x" * 101}),
             422, "validation_error")
    # A customer has no shop.
    is_error(register().post(KEYS, {"scopes": ["payments:read"]}), 403,
             "forbidden")


def test_a_shop_holds_at_most_twenty_live_keys():
    m = shop()
    made = [new_key(m, ["payments:read"])["id"] for _ in range(20)]
    is_error(m.post(KEYS, {"scopes": ["payments:read"]}), 409, "conflict")
    eq(m.delete(KEYS + "/" + made[0]).status, 204)
    new_key(m, ["payments:read"])
