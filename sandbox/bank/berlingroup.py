"""Requests checked against the Berlin Group's own NextGenPSD2 definition
(psd2-api-1.3.9.yaml beside this file, unmodified): the operation must
exist, every required header and path parameter must be there and fit its
schema (formats uuid, ipv4, date included), and a JSON body must match the
operation's request schema. What does not is a violation: the sandbox
bank answers it 400 FORMAT_ERROR, as a bank would, and keeps it for the
tests, so Drop cannot drift from the protocol unnoticed."""

import ipaddress
import json
import os
import re
import uuid

import jsonschema
import yaml

SPEC_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         "psd2-api-1.3.9.yaml")


def _load():
    with open(SPEC_PATH) as f:
        return yaml.safe_load(f)


SPEC = _load()
_RESOLVER = jsonschema.RefResolver("", SPEC)
_FORMATS = jsonschema.FormatChecker()


@_FORMATS.checks("uuid", raises=ValueError)
def _is_uuid(value):
    if not isinstance(value, str):
        return True
    uuid.UUID(value)
    return True


@_FORMATS.checks("ipv4", raises=ValueError)
def _is_ipv4(value):
    if not isinstance(value, str):
        return True
    ipaddress.IPv4Address(value)
    return True


def _deref(node):
    while isinstance(node, dict) and "$ref" in node:
        target = SPEC
        for part in node["$ref"][2:].split("/"):
            target = target[part]
        node = target
    return node


def _templates():
    out = []
    for path, item in SPEC["paths"].items():
        names = re.findall(r"\{([^}]+)\}", path)
        regex = "^" + re.sub(r"\\\{[^}]+\\\}", "([^/]+)",
                             re.escape(path)) + "$"
        out.append((path.count("{"), path, re.compile(regex), names, item))
    out.sort(key=lambda t: t[0])
    return out


_TEMPLATES = _templates()


def _validate(schema, value, what):
    v = jsonschema.Draft4Validator(schema, resolver=_RESOLVER,
                                   format_checker=_FORMATS)
    errs = sorted(v.iter_errors(value), key=lambda e: list(e.path))
    if errs:
        e = errs[0]
        where = "/".join(str(p) for p in e.path)
        return ["%s%s: %s" % (what, " at " + where if where else "",
                              e.message[:300])]
    return []


def _typed(schema, text):
    """A header or path value as the type its schema names (OpenAPI's
    simple style): 'true' is a boolean, '12' an integer; else unchanged."""
    kind = schema.get("type")
    if kind == "boolean" and text in ("true", "false"):
        return text == "true"
    if kind == "integer" and re.fullmatch(r"-?[0-9]{1,18}", text):
        return int(text)
    return text


def check(method, path, headers, body):
    """[] when the request is one the definition allows, else the
    violations. headers: a dict of lower-cased names; body: bytes."""
    path = path.split("?", 1)[0]
    for _, template, regex, names, item in _TEMPLATES:
        m = regex.match(path)
        if not m:
            continue
        op = item.get(method.lower())
        if op is None:
            return ["%s %s: the definition has no such operation" % (
                method, template)]
        problems = []
        values = dict(zip(names, m.groups()))
        params = [_deref(p) for p in item.get("parameters", []) +
                  op.get("parameters", [])]
        for p in params:
            where = p["in"]
            if where == "path":
                value = values.get(p["name"])
            elif where == "header":
                value = headers.get(p["name"].lower())
            else:
                continue
            if value is None:
                if p.get("required"):
                    problems.append("%s %s: required %s %s missing" % (
                        method, template, where, p["name"]))
                continue
            schema = _deref(p.get("schema", {}))
            value = _typed(schema, value)
            problems += _validate(schema, value,
                                  "%s %s: %s %s" % (method, template, where,
                                                    p["name"]))
        rb = _deref(op.get("requestBody")) if op.get("requestBody") else None
        if rb is not None and body:
            content = rb.get("content", {})
            ctype = headers.get("content-type", "").split(";")[0].strip()
            if ctype not in content:
                problems.append("%s %s: body of type %r not allowed" % (
                    method, template, ctype))
            elif ctype == "application/json":
                try:
                    doc = json.loads(body)
                except ValueError:
                    problems.append("%s %s: body is not JSON" % (method,
                                                                template))
                else:
                    problems += _validate(content[ctype]["schema"], doc,
                                          "%s %s: body" % (method, template))
        elif rb is not None and rb.get("required") and not body:
            problems.append("%s %s: required body missing" % (method,
                                                            template))
        return problems
    return ["%s %s: no such path in the definition" % (method, path)]
