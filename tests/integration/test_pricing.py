"""Public prices (GET /api/pricing, /api/pricing/estimate): what the web
client's first page and amount hints show, from the server's one policy
table, and an estimate that equals the disclosure a signed-in user gets."""

from harness import Client, detail_fields, eq, is_error
from money_helpers import add_recipient, funded_user


def test_pricing_lists_each_payment_type_from_the_policy():
    r = Client().get("/api/pricing")
    eq(r.status, 200)
    eq(r.json["data"], [
        {"type": "remittance", "minAmount": 100, "maxAmount": 50000,
         "feePercentage": 0.5, "feePaidBy": "payer"},
        {"type": "qr_payment", "minAmount": 1, "maxAmount": 100000,
         "feePercentage": 1, "feePaidBy": "merchant"}])


def test_estimate_equals_the_disclosure_of_the_same_payment():
    c = funded_user(100)
    for country, amount in [("RS", 1005.5), ("PL", 100), ("PK", 50000)]:
        rcp = add_recipient(c, country)
        d = c.post("/api/transactions/disclosure", {
            "type": "remittance", "amount": amount,
            "recipientId": rcp["id"]}).json["data"]
        e = Client().get("/api/pricing/estimate?amount=%s&country=%s" % (
            amount, country))
        eq(e.status, 200, country)
        # The disclosure also holds its price as a quote; an estimate does not.
        assert d.pop("quoteId").startswith("quo_") and d.pop("expiresAt"), d
        eq(e.json["data"], d, "estimate against disclosure, " + country)


def test_estimate_refuses_what_it_cannot_price():
    c = Client()
    for query, fields in [
            ("", ["amount", "country"]),
            ("amount=1000", ["country"]),
            ("country=RS", ["amount"]),
            ("amount=12,50&country=RS", ["amount"]),
            ("amount=100.005&country=RS", ["amount"]),
            ("amount=99.99&country=RS", ["amount"]),
            ("amount=50000.01&country=RS", ["amount"]),
            ("amount=1000&country=SE", ["country"]),
            ("amount=1000&country=rs", ["country"])]:
        r = c.get("/api/pricing/estimate?" + query)
        is_error(r, 422, "validation_error")
        eq(detail_fields(r), fields, query)
    r = c.get("/api/pricing/estimate?amount=99&country=RS")
    eq(r.json["details"][0]["message"], "must be from 100.00 to 50000.00")
