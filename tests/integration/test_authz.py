"""The authorization matrix: every route of docs/openapi.yaml against
each kind of caller, with the status each must get, in one table run as
one test. A route in the description without a row here fails the test,
so a new route cannot land without its authorization stated.

Callers: anon (no session), other (another user), owner (the user whose
objects the path names), merchant (a shop owner, also not the owner),
token (the first operator's credential as a Bearer on the public
listener), internal (the internal listener without a credential), and
the operators support, compliance and admin on the internal listener.
Each row runs its callers in that order, owner and admin last, so a row that changes or removes something sees the others
refused first. Rows that remove something use objects of their own."""

import yaml

from harness import (Client, admin_token, eq, internal_url, operator_token,
                     sql_one, unique_email, user_body)
from money_helpers import (MERCHANT, account_number, add_recipient,
                           funded_user, link)
from stack import ROOT
from test_cards import new_card, set_flags
from test_merchants import merchant_body

CALLERS = ["anon", "token", "internal", "other", "merchant", "owner",
           "support", "compliance", "admin"]
OPERATORS = {"support": "support", "compliance": "compliance"}


def public(status, internal=404):
    """Anyone on the public listener; the internal one has no such path."""
    return {"anon": status, "token": status, "other": status,
            "merchant": status, "owner": status, "internal": internal}


def signed_in(status, merchant=None):
    """Any signed-in user for their own data; 401 without a session."""
    return {"anon": 401, "token": 401, "internal": 404, "other": status,
            "merchant": status if merchant is None else merchant,
            "owner": status}


def owned(status):
    """An object of the owner's: everyone else is told it does not exist."""
    return {"anon": 401, "token": 401, "internal": 404, "other": 404,
            "merchant": 404, "owner": status}


def shop(status):
    """A merchant's own: users without a shop are forbidden."""
    return {"anon": 401, "token": 401, "internal": 404, "other": 403,
            "merchant": status, "owner": 403}


def internal(status, roles=("admin",)):
    """The internal API: not on the public listener at all; an operator
    whose role the route does not admit is 403 (admin is always one)."""
    want = {"anon": 404, "token": 404, "other": 404, "merchant": 404,
            "owner": 404, "internal": 401, "admin": status}
    for role in OPERATORS:
        want[role] = status if role in roles else 403
    return want


ALL = ("support", "compliance", "admin")
AUDIT = ("compliance", "admin")


def card_ok(who):
    return {"address": "Storgata 1, 0155 Oslo"}


# (method, path template, body or body(caller), expected by caller).
# Templates: {ba} {ba2} the owner's accounts (the second one is unlinked
# by its row), {rcp} {rcp2} recipients, {tx} a payment, {card} {card2}
# cards, {usr} the owner's id, {key} the merchant's API key, {preq} its
# payment request, {hook} its webhook endpoint.
MATRIX = [
    ("GET", "/", None, public(200)),
    ("GET", "/static/app.js", None, public(200)),
    ("GET", "/static/app.css", None, public(200)),
    ("GET", "/api/health", None, public(200)),
    ("GET", "/api/openapi.yaml", None, public(200)),
    ("GET", "/api/csrf", None, public(200)),
    ("POST", "/api/auth/register", lambda who: user_body(
        email=unique_email()), public(201)),
    ("POST", "/api/auth/login", {"email": "nobody@example.no",
                                 "password": "Nope12345"}, public(401)),
    ("POST", "/api/auth/password-reset", {"email": "nobody@example.no"},
     public(202)),
    ("POST", "/api/auth/password-reset/confirm",
     {"token": "x" * 43, "password": "Nope12345"}, public(400)),
    ("GET", "/api/users/me", None, signed_in(200)),
    ("PATCH", "/api/users/me", {"phone": "+4791234567"}, signed_in(200)),
    # A wrong current password: refused (and counted) for everyone.
    ("PUT", "/api/users/me/password", {"currentPassword": "Wrong-One1",
                                       "newPassword": "Nope12345x"},
     signed_in(403)),
    ("GET", "/api/bank-accounts", None, signed_in(200)),
    ("POST", "/api/bank-accounts", lambda who: {
        "bankName": "DNB", "accountNumber": account_number()},
     signed_in(201)),
    ("PATCH", "/api/bank-accounts/{ba}", {"isPrimary": True}, owned(200)),
    ("POST", "/api/bank-accounts/{ba}/consent", None, owned(200)),
    ("POST", "/api/bank-accounts/{ba}/refresh", None, owned(200)),
    ("DELETE", "/api/bank-accounts/{ba2}", None, owned(204)),
    ("GET", "/api/rates", None, public(200)),
    ("GET", "/api/corridors", None, public(200)),
    ("GET", "/api/pricing", None, public(200)),
    ("GET", "/api/pricing/estimate?amount=100&country=RS", None,
     public(200)),
    ("GET", "/api/rates/{cur}", None, public(200)),
    ("GET", "/api/recipients", None, signed_in(200)),
    ("POST", "/api/recipients", {"name": "Ana Kovač", "country": "BA",
                                 "bankAccount": "BA391290079401028494"},
     signed_in(201)),
    ("DELETE", "/api/recipients/{rcp2}", None, owned(204)),
    ("GET", "/api/transactions", None, signed_in(200)),
    ("GET", "/api/transactions/summary", None, signed_in(200)),
    ("POST", "/api/transactions/disclosure", {"type": "qr_payment",
                                              "amount": 10},
     signed_in(200)),
    # Another user's recipient does not exist for them.
    ("POST", "/api/transactions/remittance", {"recipientId": "{rcp}",
                                              "amount": 100}, owned(201)),
    # The seeded demo shop: any user with an account may pay it.
    ("POST", "/api/transactions/qr-payment", {"merchantId": MERCHANT,
                                              "amount": 1}, signed_in(201)),
    ("GET", "/api/transactions/{tx}", None, owned(200)),
    ("GET", "/api/transactions/{tx}/receipt", None, owned(200)),
    ("GET", "/api/transactions/{tx}/events", None, owned(200)),
    # The bank's callback: a signature, never a session.
    ("POST", "/api/bank/events", {"eventId": "e1"}, public(401)),
    ("GET", "/api/merchants/dashboard", None, shop(200)),
    ("GET", "/api/merchants/qr", None, shop(200)),
    ("GET", "/api/merchants/qr.svg", None, shop(200)),
    ("GET", "/api/merchants/transactions", None, shop(200)),
    ("GET", "/api/merchants/payouts", None, shop(200)),
    # The owner's payment went to the demo shop: another shop cannot
    # refund it (it does not exist for them), a customer has no shop.
    ("POST", "/api/merchants/transactions/{tx}/refunds", {"amount": 1},
     dict(shop(201), merchant=404)),
    ("POST", "/api/merchants/api-keys", {"scopes": ["payments:read"]},
     shop(201)),
    ("GET", "/api/merchants/api-keys", None, shop(200)),
    ("DELETE", "/api/merchants/api-keys/{key}", None, shop(204)),
    # The merchant has no payments: nothing is ever sent to this address.
    ("POST", "/api/merchants/webhooks", {"url": "https://shop.example/h",
                                         "events": ["payout.paid"]},
     shop(201)),
    ("GET", "/api/merchants/webhooks", None, shop(200)),
    ("GET", "/api/merchants/webhooks/{hook}/deliveries", None, shop(200)),
    ("DELETE", "/api/merchants/webhooks/{hook}", None, shop(204)),
    ("POST", "/api/merchants/payment-requests", {"amount": 10}, shop(201)),
    ("GET", "/api/merchants/payment-requests/{preq}", None, shop(200)),
    ("GET", "/api/merchants/payment-requests/{preq}/qr.svg", None,
     shop(200)),
    # Its id is what a customer's phone reads off the QR code.
    ("GET", "/api/payment-requests/{preq}", None, signed_in(200)),
    ("GET", "/api/cards", None, signed_in(200)),
    ("POST", "/api/cards", None, signed_in(201)),
    ("GET", "/api/cards/{card}", None, owned(200)),
    ("POST", "/api/cards/{card}/physical", card_ok, owned(200)),
    ("POST", "/api/cards/{card}/pin", {"pin": "4821"}, owned(200)),
    ("GET", "/api/cards/{card}/limits", None, owned(200)),
    ("PUT", "/api/cards/{card}/limits", {"limitType": "daily",
                                         "amount": 10}, owned(200)),
    ("PATCH", "/api/cards/{card}", {"status": "frozen"}, owned(200)),
    ("DELETE", "/api/cards/{card2}", None, owned(200)),
    ("GET", "/api/notifications", None, signed_in(200)),
    ("PATCH", "/api/notifications", {"notificationIds":
                                     ["noti_0000000000000000"]},
     signed_in(200)),
    ("GET", "/api/settings", None, signed_in(200)),
    ("PATCH", "/api/settings", {"language": "en"}, signed_in(200)),
    ("GET", "/api/user/data-export", None, signed_in(200)),
    ("GET", "/api/consents", None, signed_in(200)),
    ("POST", "/api/consents", {"consentType": "marketing", "granted": True},
     signed_in(201)),
    ("GET", "/api/complaints", None, signed_in(200)),
    ("GET", "/api/transactions/statement?month=2026-11", None,
     signed_in(200)),
    ("POST", "/api/complaints", {"category": "other", "subject": "Hello",
                                 "description": "A question"},
     signed_in(201)),
    ("GET", "/internal/flags", None, internal(200, ALL)),
    ("GET", "/internal/flags/notifications", None, internal(200, ALL)),
    ("PUT", "/internal/flags/notifications", {"enabled": True},
     internal(200)),
    ("PUT", "/internal/rates/{cur}", {"rate": "{rate}"}, internal(200)),
    ("POST", "/internal/users/{usr}/kyc", {"status": "approved"},
     internal(200)),
    ("POST", "/api/kyc", {"legalName": "Kari Nordmann",
                          "address": "Storgata 1, 0155 Oslo",
                          "nationalId": "00000000000",
                          "purpose": "family_support"}, signed_in(422)),
    ("GET", "/internal/kyc", None, internal(200, AUDIT)),
    ("POST", "/internal/kyc/kyc_0000000000000000/decision",
     {"decision": "approve", "reason": "Documents match"},
     internal(404, AUDIT)),
    ("GET", "/internal/holds", None, internal(200, AUDIT)),
    # A QR payment is never held: no review.
    ("POST", "/internal/transactions/{tx}/review",
     {"decision": "release", "reason": "Not the listed person"},
     internal(404, AUDIT)),
    # A QR payment is no remittance to settle: past authorization, 409.
    ("POST", "/internal/transactions/{tx}/settle", {"status": "completed"},
     internal(409)),
    ("PUT", "/internal/bank-accounts/{ba}/balance", {"balance": 5000},
     internal(200)),
    ("POST", "/internal/reconciliation", {"day": "2026-11-30"},
     internal(202, AUDIT)),
    ("GET", "/internal/reconciliation?day=2026-11-30", None,
     internal(200, AUDIT)),
    ("GET", "/internal/audit", None, internal(200, AUDIT)),
    ("GET", "/internal/complaints", None, internal(200, ALL)),
    ("POST", "/internal/complaints/{cmp}/take", None, internal(409, ALL)),
    ("POST", "/internal/complaints/{cmp}/extend", {"reason": "Records"},
     internal(409, ALL)),
    ("POST", "/internal/complaints/{cmp}/answer",
     {"status": "resolved", "resolution": "Done"}, internal(409, ALL)),
    ("POST", "/api/auth/refresh", None, signed_in(200)),
    # A shop of one's own, once: the merchant has one already.
    ("POST", "/api/merchants/register", lambda who: merchant_body(),
     signed_in(201, merchant=409)),
    ("POST", "/api/auth/logout", None, signed_in(200)),
    ("DELETE", "/api/user/account", {"password": "Secret123"},
     signed_in(200)),
]

# Rows whose path has another template than the description's.
TEMPLATE = {"/internal/flags/notifications": "/internal/flags/{name}",
            "/api/pricing/estimate?amount=100&country=RS":
                "/api/pricing/estimate",
            "/internal/reconciliation?day=2026-11-30":
                "/internal/reconciliation",
            "/api/transactions/statement?month=2026-11":
                "/api/transactions/statement",
            "/internal/kyc/kyc_0000000000000000/decision":
                "/internal/kyc/{id}/decision"}


def described():
    with open(ROOT + "/docs/openapi.yaml") as f:
        doc = yaml.safe_load(f)
    ops = set()
    for path, item in doc["paths"].items():
        for method in item:
            if method in ("get", "post", "put", "patch", "delete"):
                ops.add((method.upper(), path))
    return ops


def normal(path):
    path = TEMPLATE.get(path, path)
    for name in ("ba2", "ba", "rcp2", "rcp", "tx", "card2", "card", "usr",
                 "cur", "key", "preq", "hook", "cmp"):
        path = path.replace("{%s}" % name, "{%s}" % {
            "ba2": "id", "ba": "id", "rcp2": "id", "rcp": "id", "tx": "id",
            "card2": "id", "card": "id", "usr": "id",
            "cur": "currency", "key": "id", "preq": "id",
            "hook": "id", "cmp": "id"}[name])
    return path


def test_every_described_route_has_a_row():
    rows = {(m, normal(p)) for m, p, _, _ in MATRIX}
    eq(sorted(described() - rows), [], "routes without a row")
    eq(sorted(rows - described()), [], "rows without a route")
    for m, p, _, want in MATRIX:
        eq(sorted(set(want) - set(CALLERS)), [], "callers of %s %s" % (m, p))


def world():
    """The owner's objects and the other callers' sessions."""
    set_flags(cards=True, physicalCards=True, cardPin=True,
              spendingLimits=True)
    owner = funded_user(2000)
    ba2 = link(owner).json["data"]["id"]
    rcp = add_recipient(owner)["id"]
    rcp2 = add_recipient(owner, name="Ivo Marić")["id"]
    tx = owner.post("/api/transactions/qr-payment",
                    {"merchantId": MERCHANT, "amount": 2}).json["data"]["id"]
    card = new_card(owner)["id"]
    card2 = new_card(owner)["id"]
    other = funded_user(2000)
    add_recipient(other)
    merchant = funded_user(2000)
    # The role is read from the database: the session stays valid.
    r = merchant.post("/api/merchants/register", merchant_body())
    eq(r.status, 201, "merchant %r" % r)
    r = merchant.post("/api/merchants/api-keys", {"scopes": ["payments:read"]})
    eq(r.status, 201, "api key %r" % r)
    key = r.json["data"]["id"]
    r = merchant.post("/api/merchants/payment-requests", {"amount": 12})
    eq(r.status, 201, "payment request %r" % r)
    preq = r.json["data"]["id"]
    r = merchant.post("/api/merchants/webhooks", {
        "url": "https://shop.example/hooks", "events": ["payout.paid"]})
    eq(r.status, 201, "webhook %r" % r)
    hook = r.json["data"]["id"]
    rate = sql_one("SELECT rate::text FROM exchange_rates WHERE currency = "
                   "'RSD'")
    # An answered complaint: every operator's handling of it is 409.
    cmp = owner.post("/api/complaints", {"category": "other", "subject": "S",
                                         "description": "D"}).json["data"]["id"]
    sql_one("UPDATE complaints SET status = 'resolved', resolution = 'R', "
            "resolved_at = now() WHERE id = :'p1' RETURNING id", cmp)
    return {"owner": owner, "other": other, "merchant": merchant,
            "ids": {"ba": owner.account["id"], "ba2": ba2, "rcp": rcp,
                    "rcp2": rcp2, "tx": tx, "card": card, "card2": card2,
                    "usr": owner.user_id, "cur": "RSD", "rate": rate,
                    "key": key, "preq": preq, "hook": hook, "cmp": cmp}}


def fill(template, ids):
    for k, v in ids.items():
        template = template.replace("{%s}" % k, v)
    return template


def body_for(body, who, ids):
    if callable(body):
        body = body(who)
    if body is None:
        return None
    out = {}
    for k, v in body.items():
        if isinstance(v, str) and v.startswith("{"):
            v = fill(v, ids)
            if k == "rate":
                v = float(v)
        out[k] = v
    return out


def client_for(who, w):
    """A client for the caller, from a fresh address (payments are 10 a
    minute per address); a user's is a copy of their session, so a row
    that answers with cookies (register) does not change who they are."""
    if who in ("owner", "other", "merchant"):
        c = Client()
        c.cookies = dict(w[who].cookies)
        return c
    if who == "token":
        c = Client()
        c.bearer = admin_token()
        return c
    if who == "anon":
        return Client()
    return Client(internal_url())


def call(who, w, method, path, body):
    c = client_for(who, w)
    c.described = False
    headers = None
    if who == "admin":
        headers = {"Authorization": "Bearer " + admin_token()}
    elif who in OPERATORS:
        headers = {"Authorization": "Bearer " +
                   operator_token(OPERATORS[who])}
    r = c.request(method, path, body=body, headers=headers)
    # A new session for the same user (refresh, a shop registered): the
    # user goes on with it; registering makes someone else.
    if who in w and path != "/api/auth/register" and \
            "drop_token" in r.cookies():
        w[who].cookies = dict(c.cookies)
    return r


def test_authorization_matrix():
    w = world()
    wrong = []
    try:
        for method, template, body, want in MATRIX:
            path = fill(template, w["ids"])
            for who in CALLERS:
                if who not in want:
                    continue
                r = call(who, w, method, path, body_for(body, who,
                                                        w["ids"]))
                if r.status != want[who]:
                    wrong.append("%s %s as %s: %d, expected %d %s" % (
                        method, template, who, r.status, want[who],
                        r.raw[:120]))
            if template == "/api/auth/logout":
                for who in ("owner", "other", "merchant"):
                    c = w[who]
                    r = c.post("/api/auth/login", {"email": c.email,
                                                   "password": c.password})
                    eq(r.status, 200, "login again %r" % r)
    finally:
        set_flags(cards=False, physicalCards=False, cardPin=False,
                  spendingLimits=False)
    assert not wrong, "\n".join(wrong)
