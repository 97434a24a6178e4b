"""The API description: served by the server itself, and the validator
that checks every response of the suite against it really refuses
responses the document does not describe."""

import json
import os

import yaml

from harness import Client, Response, eq, openapi_on

SPEC_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "..", "..", "docs", "openapi.yaml")


def test_openapi_document_is_served():
    r = Client().get("/api/openapi.yaml")
    eq(r.status, 200)
    assert r.header("Content-Type").startswith("application/yaml"), \
        r.headers
    with open(SPEC_PATH, "rb") as f:
        eq(r.raw, f.read(), "served document")
    spec = yaml.safe_load(r.raw)
    eq(spec["openapi"], "3.1.0")
    assert r.header("X-Request-Id")


def refused(method, path, status, body, ctype="application/json"):
    import openapi_check
    raw = json.dumps(body).encode() if body is not None else b""
    resp = Response(status, [("Content-Type", ctype)], raw)
    try:
        openapi_check.check(method, path, resp, count=False)
    except AssertionError:
        return True
    return False


def test_openapi_validator_refuses_what_the_document_does_not_say():
    if not openapi_on():
        return
    err = {"error": "not_found", "message": "Not found", "details": [],
           "requestId": "req_1"}
    card = {"id": "card_0123456789abcdef", "type": "virtual",
            "status": "active", "brand": "Visa",
            "maskedNumber": "**** **** **** 1234", "cvv": "***",
            "expiryMonth": 11, "expiryYear": 2029,
            "createdAt": "2026-11-30T10:00:00.000Z"}
    # What the document says passes.
    assert not refused("GET", "/api/cards/card_0123456789abcdef", 200,
                       {"data": card})
    assert not refused("GET", "/api/nothing-here", 404, err)
    # A status the operation does not declare.
    assert refused("GET", "/api/cards/card_0123456789abcdef", 418, err)
    # A field missing, a field too many, a wrong type, a full card number.
    for k, v in [("cvv", None), ("pan", "4111111111111111"),
                 ("expiryMonth", "11"),
                 ("maskedNumber", "4111 1111 1111 1111")]:
        bad = dict(card)
        if v is None:
            del bad[k]
        else:
            bad[k] = v
        assert refused("GET", "/api/cards/card_0123456789abcdef", 200,
                       {"data": bad}), k
    # An error body that is not the envelope; an unknown path that is 200.
    assert refused("GET", "/api/cards", 401, {"error": "unauthorized"})
    assert refused("GET", "/api/nothing-here", 200, {"data": {}})
    # A method a path does not serve must be 405 (or a flag's 404).
    assert refused("PUT", "/api/health", 200, {"status": "ok"})
    assert not refused("PUT", "/api/health", 405,
                       dict(err, error="method_not_allowed"))
    # The declared media type.
    assert refused("GET", "/api/merchants/qr.svg", 200, {"x": 1})
