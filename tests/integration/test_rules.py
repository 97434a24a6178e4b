"""One source for each rule, or a test that ties its copies: the enums of
kore.conf's validators against docs/openapi.yaml and the SQL CHECKs, each
validator's message against its values, every list's page limits between
the document and the server, the corridors between the API and the
document; and the start-up check that refuses a kore.conf whose
`validate` names a field the route does not read."""

import contextlib
import os
import re
import subprocess
import time
import urllib.parse

import pytest

import openapi_check
from harness import (Client, admin_token, eq, internal_url, is_error, register,
                     sql)
from stack import KORE_FLAGS, ROOT, free_ports

KORE_CONF = os.path.join(ROOT, "kore.conf")
VALIDATORS_C = os.path.join(ROOT, "src", "core", "validators.c")

# Each enum validator and the column whose CHECK holds its values: "same"
# values, or a "subset" (a client may set only some of what is stored).
TIES = {
    "v_kyc": ("users.kyc_status", "subset"),
    "v_tx_type": ("transactions.type", "same"),
    "v_tx_status": ("transactions.status", "same"),
    "v_settle": ("transactions.status", "subset"),
    "v_card_type": ("cards.type", "same"),
    "v_card_status": ("cards.status", "subset"),
    "v_limit_type": ("card_limits.limit_type", "same"),
    "v_settings_currency": ("user_settings.currency", "same"),
    "v_language": ("user_settings.language", "same"),
    "v_consent_type": ("consents.consent_type", "same"),
    "v_complaint_category": ("complaints.category", "same"),
    "v_complaint_status": ("complaints.status", "same"),
    "v_complaint_answer": ("complaints.status", "subset"),
    "v_kyc_status": ("kyc_submissions.status", "same"),
    "v_purpose": ("kyc_submissions.purpose", "same"),
}
# Enum validators with no column behind them (a choice of a view).
UNSTORED = {"v_period", "v_true", "v_kyc_decision", "v_review_decision"}

# Enums of the document's answers and the column that stores them.
ANSWER_ENUMS = [
    ("components/schemas/Role", "users.role"),
    ("components/schemas/TxType", "transactions.type"),
    ("components/schemas/TxStatus", "transactions.status"),
    ("components/schemas/Card/properties/status", "cards.status"),
    ("components/schemas/Card/properties/type", "cards.type"),
    ("components/schemas/Complaint/properties/status", "complaints.status"),
    ("components/schemas/Complaint/properties/category",
     "complaints.category"),
    ("components/schemas/Consent/properties/consent_type",
     "consents.consent_type"),
]


def kore_conf(text=None):
    """({validator: (type, arg)}, [(method, path, field, validator, qs)])."""
    if text is None:
        with open(KORE_CONF) as f:
            text = f.read()
    validators, params = {}, []
    block = None
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        if words[0] == "validator":
            validators[words[1]] = (words[2], " ".join(words[3:]))
        elif words[0] == "params":
            qs = words[1].startswith("qs:")
            block = (words[1].split(":")[-1], words[2], qs)
        elif words[0] == "validate" and block is not None:
            params.append((block[0], block[1], words[1], words[2], block[2]))
        elif words[0] == "}":
            block = None
    return validators, params


def enum_values(regex):
    m = re.fullmatch(r"\^\(([A-Za-z_|]+)\)\$", regex)
    return set(m.group(1).split("|")) if m else None


def enum_validators():
    validators, _ = kore_conf()
    return {name: enum_values(arg) for name, (kind, arg) in
            validators.items() if kind == "regex" and enum_values(arg)}


def sample_path(kore_path):
    """A concrete path that a kore.conf route (literal or regex) matches."""
    return kore_path.strip("^$").replace("[^/]+", "x0")


def field_schema(method, kore_path, field, qs):
    template, item = openapi_check._find(sample_path(kore_path))
    assert item is not None, "%s is not in docs/openapi.yaml" % kore_path
    op = openapi_check._deref(item[method])
    if qs:
        for p in op.get("parameters", []) + openapi_check._deref(
                item.get("parameters", [])):
            if p["name"] == field and p["in"] == "query":
                return template, p["schema"]
        raise AssertionError("%s %s: no query parameter %s" % (
            method, template, field))
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    return template, schema["properties"][field]


def sql_enums():
    """{table.column: values} of every CHECK (column IN (...))."""
    out = {}
    rows = sql("SELECT conrelid::regclass::text, pg_get_constraintdef(oid) "
               "FROM pg_constraint WHERE contype = 'c'")
    for table, definition in rows:
        m = re.search(r"\(\(?(\w+)\)? = ANY \(ARRAY\[(.*?)\]\)\)",
                      definition)
        if m:
            out["%s.%s" % (table, m.group(1))] = set(
                re.findall(r"'([^']*)'::text", m.group(2)))
    return out


def validator_messages():
    with open(VALIDATORS_C) as f:
        text = f.read()
    return dict(re.findall(r'\{ "(v_\w+)",\s*"([^"]*)" \}', text))


def test_every_enum_validator_is_tied_to_its_column():
    untied = sorted(set(enum_validators()) - set(TIES) - UNSTORED)
    eq(untied, [], "enum validators with no column in TIES")


def test_enum_validators_match_the_document_and_the_checks():
    enums = enum_validators()
    _, params = kore_conf()
    checks = sql_enums()
    seen = 0
    for method, path, field, validator, qs in params:
        if validator not in enums:
            continue
        template, schema = field_schema(method, path, field, qs)
        eq(set(schema.get("enum", [])), enums[validator],
           "%s %s %s: docs/openapi.yaml against kore.conf %s" % (
               method.upper(), template, field, validator))
        seen += 1
    assert seen >= 10, seen
    for validator, (column, relation) in TIES.items():
        stored = checks.get(column)
        assert stored, "no CHECK for %s" % column
        if relation == "same":
            eq(enums[validator], stored, "%s against CHECK of %s" % (
                validator, column))
        else:
            assert enums[validator] < stored, (validator, column)


def test_answer_enums_match_the_checks():
    checks = sql_enums()
    for pointer, column in ANSWER_ENUMS:
        node = openapi_check.SPEC
        for part in pointer.split("/"):
            node = node[part]
        eq(set(openapi_check._deref(node)["enum"]), checks[column],
           "docs/openapi.yaml %s against CHECK of %s" % (pointer, column))


def test_each_enum_message_names_every_value():
    messages = validator_messages()
    for validator, values in enum_validators().items():
        msg = messages.get(validator, "")
        for v in values:
            assert re.search(r"\b%s\b" % re.escape(v), msg), \
                "%s: message %r does not name %s" % (validator, msg, v)


def list_operations():
    """(path, default, maximum) of every paged list in the document."""
    out = []
    for path, item in openapi_check.SPEC["paths"].items():
        op = item.get("get")
        if not op:
            continue
        for p in openapi_check._deref(op.get("parameters", [])):
            if p["name"] == "limit" and p["in"] == "query":
                out.append((path, p["schema"]["default"],
                            p["schema"]["maximum"]))
    return out


def test_page_limits_of_the_document_are_the_servers():
    lists = list_operations()
    eq(sorted(p for p, _, _ in lists), sorted([
        "/api/recipients", "/api/transactions", "/api/merchants/transactions",
        "/api/merchants/payouts", "/api/notifications", "/api/complaints",
        "/api/merchants/webhooks/{id}/deliveries", "/internal/audit",
        "/internal/complaints", "/internal/holds", "/internal/kyc"]),
       "paged lists")
    user = register()
    shop = register()
    r = shop.post("/api/merchants/register", {
        "businessName": "Limits AS", "orgNumber": "9%08d" % (
            int(time.time() * 1000) % 100000000),
        "bankAccount": "12345678903"})
    eq(r.status, 201, "merchant %r" % r)
    # A list of one thing's own: the shop's webhook endpoint.
    r = shop.post("/api/merchants/webhooks", {
        "url": "https://shop.example/limits", "events": ["payout.paid"]})
    eq(r.status, 201, "webhook %r" % r)
    hook = r.json["data"]["id"]
    for path, default, maximum in lists:
        c = shop if path.startswith("/api/merchants/") else user
        if path.startswith("/internal/"):
            c = Client(internal_url())
            c.bearer = admin_token()
        path = path.replace("{id}", hook)
        r = c.get(path)
        eq(r.status, 200, path)
        eq(r.json["pagination"]["limit"], default, path + " default")
        r = c.get("%s?limit=%d" % (path, maximum))
        eq(r.json["pagination"]["limit"], maximum, path + " maximum")
        r = c.get("%s?limit=%d" % (path, maximum + 1))
        is_error(r, 422, "validation_error")
        eq([d["field"] for d in r.json["details"]], ["limit"], path)


def test_corridors_are_the_documents_and_have_rates():
    r = Client().get("/api/corridors")
    eq(r.status, 200)
    countries = [c["country"] for c in r.json["data"]]
    eq(set(countries), set(openapi_check.SPEC["components"]["schemas"]
                           ["CorridorCountry"]["enum"]), "corridors")
    eq(len(countries), len(set(countries)), "each country once")
    rates = Client().get("/api/rates").json["data"]["rates"]
    for c in r.json["data"]:
        assert c["currency"] in rates, c
        assert c["delivery"].endswith("business days"), c
    eq([c["country"] for c in r.json["data"] if c["eea"]], ["PL"])


# --- the start-up check ----------------------------------------------------

@contextlib.contextmanager
def kore_with(stack, edit, env=None):
    """Kore on the session's build with an edited copy of its kore.conf
    (own ports and pidfile) and env added to its environment, while the
    block runs: yields (process, public base URL, internal base URL, log
    path); killed afterwards if it still runs."""
    conf = os.path.join(stack.tmp, "kore-%s.conf" % stack.flavor)
    with open(conf) as f:
        text = f.read()
    a, b = free_ports(2)
    text = re.sub(r"(bind\s+127\.0\.0\.1\s+)%s\b" % stack.env[
        "DROP_HTTPS_PORT"], r"\g<1>%d" % a, text)
    text = re.sub(r"(bind\s+127\.0\.0\.1\s+)%s\b" % stack.env[
        "DROP_INTERNAL_PORT"], r"\g<1>%d" % b, text)
    text = re.sub(r"pidfile\s+\S+", "pidfile %s/broken.pid" % stack.tmp,
                  text)
    text = edit(text)
    broken = os.path.join(stack.tmp, "kore-broken.conf")
    with open(broken, "w") as f:
        f.write(text)
    log = os.path.join(stack.tmp, "kore-broken.log")
    with open(log, "w") as out:
        p = subprocess.Popen(["kore", KORE_FLAGS, broken], cwd=ROOT,
                             env=dict(stack.kore_env, **(env or {})),
                             stdout=out,
                             stderr=subprocess.STDOUT,
                             start_new_session=True)
    scheme = urllib.parse.urlsplit(stack.base).scheme
    try:
        yield (p, "%s://127.0.0.1:%d" % (scheme, a),
               "http://127.0.0.1:%d" % b, log)
    finally:
        if p.poll() is None:
            os.killpg(p.pid, 9)
            p.wait()


def wait_up(p, internal, timeout=15):
    """None once Kore answers on its internal listener; its exit status
    if it stopped first (or after timeout seconds, still None)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if (status := p.poll()) is not None:
            return status
        try:
            Client(internal).get("/internal/flags")
            return None
        except OSError:
            time.sleep(0.1)
    return None


def start_with(stack, edit, env=None):
    """Kore started as kore_with does: (exit status or None if it kept
    running, everything it printed)."""
    with kore_with(stack, edit, env) as (p, _, internal, log):
        status = wait_up(p, internal)
    with open(log) as f:
        return status, f.read()


def needs_stack(stack):
    if stack is None:
        pytest.skip("needs the session's own stack")


# Each broken kore.conf (a line replaced), and what the check says of it.
REGISTER = "\tparams post /api/auth/register {\n"
DASHBOARD = "\tparams qs:get /api/merchants/dashboard {\n"
BROKEN_CONFS = [
    ("a validate line for a body field the route lacks",
     REGISTER, REGISTER + "\t\tvalidate\tnickname\tv_name\n",
     "kore.conf: params of /api/auth/register: 'validate nickname v_name': "
     "route auth.register does not read field nickname"),
    ("a query argument the route does not declare",
     DASHBOARD, DASHBOARD + "\t\tvalidate\tshop\tv_period\n",
     "route merchants.dashboard does not read query argument shop"),
    ("a validator without a message",
     "validator v_email\t",
     "validator v_nickname\tregex\t^[a-z]+$\nvalidator v_email\t",
     "kore.conf: validator v_nickname has no failure message"),
]


@pytest.mark.parametrize("what,old,new,message", BROKEN_CONFS,
                         ids=[b[0] for b in BROKEN_CONFS])
def test_startup_refuses_a_broken_conf(stack, what, old, new, message):
    needs_stack(stack)
    status, out = start_with(stack, lambda t: t.replace(old, new, 1))
    assert status not in (None, 0), "%s: kore started: %s" % (what,
                                                             out[-2000:])
    assert message in out, "%s: %s" % (what, out[-2000:])


def test_startup_accepts_the_config_as_shipped(stack):
    """The same harness with no edit: Kore starts (so the refusals above
    are the check's, not the harness's)."""
    needs_stack(stack)
    status, out = start_with(stack, lambda t: t)
    eq(status, None, "kore exited: %s" % out[-2000:])


BROKEN_ENVS = [
    ("plain http to a bank that is not on this machine",
     {"DROP_BANK_URL": "http://bank.example.no"},
     "plain http:// only to 127.0.0.1 or localhost"),
    ("a bank URL with a path's trailing slash",
     {"DROP_BANK_URL": "https://127.0.0.1:9/"},
     "DROP_BANK_URL must be an http(s) URL without a trailing slash"),
    ("a callback secret too short to sign with",
     {"DROP_BANK_CALLBACK_SECRET": "short"},
     "DROP_BANK_CALLBACK_SECRET (or _FILE) of at least 16 bytes"),
]


@pytest.mark.parametrize("what,env,message", BROKEN_ENVS,
                         ids=[b[0] for b in BROKEN_ENVS])
def test_startup_refuses_an_unsafe_bank_setting(stack, what, env, message):
    needs_stack(stack)
    status, out = start_with(stack, lambda t: t, env)
    assert status not in (None, 0), "%s: kore started: %s" % (what,
                                                             out[-2000:])
    assert message in out, "%s: %s" % (what, out[-2000:])
