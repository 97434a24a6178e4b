"""Integration test harness: an HTTP(S) client with cookies and its own
client address, the internal API, database access, and assertions. Where
the stack is (tests/integration/stack.py exports it) is read at call
time, so the pytest session fixture can start it after collection."""

import contextlib
import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid

_ip_counter = [0]
_ip_lock = threading.Lock()


def base_url():
    return os.environ.get("DROP_TEST_BASE", "https://127.0.0.1:8443")


def internal_url():
    return os.environ.get("DROP_TEST_INTERNAL", "http://127.0.0.1:8444")


def admin_token():
    """The credential of the first operator (an admin, made at install)."""
    return os.environ.get("DROP_OPERATOR_ADMIN", "")


def operator_token(name):
    """A test operator's credential: support, compliance or compliance2."""
    return os.environ.get("DROP_OPERATOR_" + name.upper(), "")


def openapi_on():
    """Every response is checked against docs/openapi.yaml when set."""
    return os.environ.get("DROP_TEST_OPENAPI") == "1"


def fresh_ip():
    """A distinct client address, sent as X-Forwarded-For from the trusted
    loopback proxy, so per-IP rate limits do not couple tests."""
    with _ip_lock:
        _ip_counter[0] += 1
        n = _ip_counter[0]
    return "10.%d.%d.%d" % ((n >> 16) & 255, (n >> 8) & 255, n & 255)


def ssl_context(version=None):
    cert = os.environ.get("DROP_TEST_CERT")
    ctx = ssl.create_default_context(cafile=cert) if cert else \
        ssl._create_unverified_context()
    if version is not None:
        ctx.minimum_version = version
        ctx.maximum_version = version
    return ctx


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.raw = body
        try:
            self.json = json.loads(body) if body else None
        except ValueError:
            self.json = None

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def cookies(self):
        out = {}
        for k, v in self.headers:
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                out[name] = v
        return out

    def __repr__(self):
        return "<%d %s>" % (self.status, self.raw[:300])


class Client:
    """One user agent: its own cookies and its own client address."""

    def __init__(self, base=None, ip=None):
        self.base = base or base_url()
        self.cookies = {}
        self.ip = ip or fresh_ip()
        self.bearer = None
        # False: answers are not checked against the description (callers
        # the description does not speak of, as in the authorization matrix).
        self.described = True

    def request(self, method, path, body=None, headers=None, raw=None,
                csrf=True):
        u = urllib.parse.urlsplit(self.base)
        if u.scheme == "https":
            conn = http.client.HTTPSConnection(u.hostname, u.port,
                                               context=ssl_context(),
                                               timeout=30)
        else:
            conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        h = {"X-Forwarded-For": self.ip}
        if body is not None:
            raw = json.dumps(body).encode()
            if isinstance(body, dict):
                watch_body(body)
        if raw is not None:
            h["Content-Type"] = "application/json"
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if csrf and "drop_csrf" in self.cookies and \
                method in ("POST", "PUT", "PATCH", "DELETE"):
            h["X-CSRF-Token"] = self.cookies["drop_csrf"]
        if self.bearer:
            h["Authorization"] = "Bearer " + self.bearer
        if headers:
            for k, v in headers.items():
                if v is None:
                    h.pop(k, None)
                else:
                    h[k] = v
        conn.request(method, path, body=raw, headers=h)
        r = conn.getresponse()
        resp = Response(r.status, r.getheaders(), r.read())
        conn.close()
        if openapi_on() and self.described:
            import openapi_check
            openapi_check.check(method, path, resp)
        for name, line in resp.cookies().items():
            value = line.split(";", 1)[0].split("=", 1)[1]
            if len(value) >= 16:
                watch(value)
            if "Max-Age=0" in line:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body=body, **kw)

    def patch(self, path, body=None, **kw):
        return self.request("PATCH", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)


def admin(method, path, body=None, token=None):
    c = Client(internal_url())
    hdr = {"Authorization": "Bearer " + (token if token is not None
                                         else admin_token())}
    return c.request(method, path, body=body, headers=hdr)


def bank(method, path, body=None):
    """The sandbox bank's operator interface (/sandbox/...): its ledger,
    payments, holds and lost callbacks. Returns the decoded JSON."""
    url = urllib.parse.urlsplit(os.environ["DROP_TEST_BANK"])
    conn = http.client.HTTPSConnection(url.hostname, url.port, timeout=30,
                                       context=ssl_context())
    data = json.dumps(body).encode() if body is not None else None
    conn.request(method, path, body=data,
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    doc = json.loads(r.read() or b"null")
    conn.close()
    if r.status != 200:
        raise AssertionError("sandbox bank %s %s: %d %r" % (method, path,
                                                             r.status, doc))
    return doc


def pg_pids():
    """The test cluster's postmaster and all its children ([] if unknown)."""
    pgdir = os.environ.get("DROP_TEST_PGDIR")
    if not pgdir:
        return []
    with open(os.path.join(pgdir, "data", "postmaster.pid")) as f:
        pm = int(f.readline())
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pm)],
                         capture_output=True, text=True).stdout
    return [pm] + [int(p) for p in out.split()]


def pg_signal(sig):
    """Sends sig to every PostgreSQL process (SIGSTOP freezes them all).
    The postmaster goes first, then its children until a listing shows no
    new one: a backend it forked just before it stopped would otherwise
    escape the freeze and serve a connection (a worker then flaps up)."""
    done = set()
    for _ in range(5):
        pids = [p for p in pg_pids() if p not in done]
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
            done.add(pid)
        time.sleep(0.02)


def sql(query, *args):
    """Runs a query as the database's superuser (tests are its operator:
    they rename tables and signal backends); returns rows of text
    columns. test_hardening.py connects as drop, the server's role."""
    cmd = ["psql", "-X", "-q", "-tA", "-F", "\t", "-v", "ON_ERROR_STOP=1",
           "-h", os.environ.get("DROP_TEST_PGHOST", "/tmp"),
           "-p", os.environ.get("DROP_TEST_PGPORT", "5432"),
           "-U", "postgres", "-d", "drop"]
    for i, a in enumerate(args):
        cmd += ["-v", "p%d=%s" % (i + 1, a)]
    out = subprocess.run(cmd, input=query, capture_output=True, text=True,
                         check=True).stdout
    return [line.split("\t") for line in out.splitlines() if line != ""]


def sql_one(query, *args):
    rows = sql(query, *args)
    return rows[0][0] if rows else None


def sql_include(name, **variables):
    """psql lines that set variables and run tests/<name> (by \\i, so it
    may include files of its own directory with \\ir)."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        name)
    lines = ""
    for key, value in variables.items():
        assert "'" not in value and "\\" not in value, value
        lines += "\\set %s '%s'\n" % (key, value)
    return lines + "\\i '%s'\n" % os.path.normpath(path)


def sql_file(name, **variables):
    """The rows of tests/<name>, run as sql() runs a query."""
    return sql(sql_include(name, **variables))


def unique_email():
    return "t_%s@example.no" % uuid.uuid4().hex[:12]


def user_body(**over):
    b = {"email": unique_email(), "password": "Secret123",
         "firstName": "Kari", "lastName": "Nordmann",
         "dateOfBirth": "1990-05-17", "phone": "+4791234567"}
    b.update(over)
    return {k: v for k, v in b.items() if v is not None}


# What no log line of Drop may carry: the e-mails, passwords, tokens and
# account numbers the tests used (test_logs.py reads the log at the end).
# Compared in lower case (PostgreSQL's DETAIL shows lower(email)). Body
# fields count when they look like the real thing (a rejected "12345678"
# is in made-up ids too).
WATCHED = set()


def _password(v):
    return len(v) >= 8 and any(c.isalpha() for c in v) and \
        any(c.isdigit() for c in v)


WATCHED_FIELDS = {
    "email": lambda v: "@" in v and "." in v.split("@")[-1],
    "password": _password,
    "currentPassword": _password,
    "newPassword": _password,
    "accountNumber": lambda v: len(v) == 11 and v.isdigit(),
    "bankAccount": lambda v: len(v) >= 15 and v[:2].isalpha(),
}


def watch(*values):
    for v in values:
        if isinstance(v, str) and len(v) >= 8:
            WATCHED.add(v.lower())


def watch_body(body):
    for k, ok in WATCHED_FIELDS.items():
        v = body.get(k)
        if isinstance(v, str) and ok(v):
            watch(v)


def register(client=None, **over):
    c = client or Client()
    body = user_body(**over)
    r = c.post("/api/auth/register", body)
    assert r.status == 201, r
    c.user_id = r.json["data"]["id"]
    c.email = body["email"]
    c.password = body["password"]
    watch(c.email, c.password)
    return c


def approve(c):
    r = admin("POST", "/internal/users/%s/kyc" % c.user_id,
              {"status": "approved"})
    assert r.status == 200, r


def eq(actual, expected, what=""):
    assert actual == expected, "%s: expected %r, got %r" % (
        what, expected, actual)


def is_error(r, status, code):
    assert r.status == status, "expected %d %s, got %r" % (status, code, r)
    assert r.json is not None, r
    eq(r.json.get("error"), code, "error code")
    assert isinstance(r.json.get("message"), str), r
    eq(r.json.get("requestId"), r.header("X-Request-Id"), "requestId")
    assert "details" in r.json, r


def detail_fields(r):
    return sorted(d["field"] for d in r.json.get("details", []))


def wait_ready(timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if Client().get("/api/health").status in (200, 503):
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("server did not come up")


@contextlib.contextmanager
def clock(skew):
    """Moves the time Drop's business rules go by (drop_now(), the one
    clock tests can set) by skew, a PostgreSQL interval, and back."""
    sql("UPDATE drop_clock SET skew = :'p1'::interval", skew)
    try:
        yield
    finally:
        sql("UPDATE drop_clock SET skew = '0'")


def raw_connection(base=None):
    """A socket to the public listener (TLS when it is https), for
    requests the client above would not send."""
    u = urllib.parse.urlsplit(base or base_url())
    s = socket.create_connection((u.hostname, u.port), timeout=10)
    if u.scheme == "https":
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s = ctx.wrap_socket(s, server_hostname=u.hostname)
    return s


def child_status(pid):
    """/proc status (name -> text) of each process pid started."""
    kids = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/status" % d) as f:
                st = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        if int(st["PPid"]) == pid:
            kids.append(st)
    return kids

