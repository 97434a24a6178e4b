"""Validates every response the integration tests receive against
docs/openapi.yaml: the status must be declared for the operation and the
body must match its schema. A path no route claims must be the JSON 404, a
method a path does not serve the JSON 405 (or 404 while a feature flag
hides the route), as the document's description says."""

import json
import os
import re
import threading

import jsonschema
import yaml

SPEC_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "..", "..", "docs", "openapi.yaml")
METHODS = ("get", "put", "post", "delete", "patch")

_lock = threading.Lock()
_counts = {"validated": 0}
_seen = set()


def _load():
    with open(SPEC_PATH) as f:
        spec = yaml.safe_load(f)
    return spec


SPEC = _load()


def _deref(node, seen=()):
    """The node with every local $ref replaced by what it names."""
    if isinstance(node, dict):
        if "$ref" in node and node["$ref"].startswith("#/"):
            ref = node["$ref"]
            if ref in seen:
                raise ValueError("recursive $ref " + ref)
            target = SPEC
            for part in ref[2:].split("/"):
                target = target[part]
            return _deref(target, seen + (ref,))
        return {k: _deref(v, seen) for k, v in node.items()}
    if isinstance(node, list):
        return [_deref(v, seen) for v in node]
    return node


def _templates():
    out = []
    for path, item in SPEC["paths"].items():
        regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+",
                             re.escape(path)) + "$"
        out.append((path.count("{"), path, re.compile(regex), item))
    out.sort(key=lambda t: t[0])   # literal paths before templated ones
    return out


TEMPLATES = _templates()
ERROR = _deref({"$ref": "#/components/schemas/Error"})
_validators = {}


def _validator(schema_key, schema):
    v = _validators.get(schema_key)
    if v is None:
        v = jsonschema.Draft202012Validator(_deref(schema))
        _validators[schema_key] = v
    return v


def _find(path):
    for _, template, regex, item in TEMPLATES:
        if regex.match(path):
            return template, item
    return None, None


def _check_error(resp, statuses, what):
    assert resp.status in statuses, "%s: %d not allowed" % (what, resp.status)
    assert resp.json is not None, "%s: body is not JSON" % what
    errs = sorted(jsonschema.Draft202012Validator(ERROR).iter_errors(
        resp.json), key=str)
    assert not errs, "%s: %s" % (what, errs[0].message)


def check(method, path, resp, count=True):
    """Raises AssertionError when resp is not what the document says."""
    path = path.split("?", 1)[0]
    method = method.lower()
    what = "%s %s -> %d" % (method.upper(), path, resp.status)
    template, item = _find(path)
    if item is None:
        _check_error(resp, (404,), what + " (undocumented path)")
        return _count(count)
    op = item.get("head" if method == "head" else method)
    if op is None and method == "head":
        op = item.get("get")
    if op is None:
        _check_error(resp, (404, 405), what + " (method not served)")
        return _count(count)
    with _lock:
        _seen.add((method.upper(), template))
    responses = op["responses"]
    declared = responses.get(str(resp.status))
    assert declared is not None, "%s: status not declared for %s %s" % (
        what, method.upper(), template)
    declared = _deref(declared)
    content = declared.get("content")
    if not content or method == "head" or resp.status == 204:
        assert not resp.raw or method == "head", \
            "%s: a body where none is declared" % what
        return _count(count)
    ctype = (resp.header("Content-Type") or "").split(";")[0].strip()
    assert ctype in content, "%s: Content-Type %r, declared %s" % (
        what, ctype, sorted(content))
    if ctype != "application/json":
        return _count(count)
    assert resp.json is not None, "%s: body is not JSON" % what
    key = (template, method, str(resp.status), ctype)
    errs = sorted(_validator(key, content[ctype]["schema"]).iter_errors(
        resp.json), key=lambda e: list(e.path))
    assert not errs, "%s: body breaks the schema at %s: %s" % (
        what, "/".join(str(p) for p in errs[0].path), errs[0].message)
    return _count(count)


def _count(count):
    if count:
        with _lock:
            _counts["validated"] += 1


def validated():
    return _counts["validated"]


def operations():
    """(method, path) of every operation, for coverage reports."""
    return [(m.upper(), p) for p, item in SPEC["paths"].items()
            for m in METHODS if m in item]


def not_exercised():
    return [op for op in operations() if op not in _seen]


if __name__ == "__main__":
    print(json.dumps({"paths": len(SPEC["paths"]),
                      "operations": len(operations())}))
