"""The web client's files: served with a strict Content-Security-Policy,
nosniff, a referrer policy, and cache headers that fit (the page is
revalidated, the files it names by hash are cached for a year)."""

import re

from harness import Client, eq, is_error


def security_headers(r):
    csp = r.header("Content-Security-Policy") or ""
    for directive in ["default-src 'none'", "script-src 'self'",
                      "style-src 'self'", "frame-ancestors 'none'"]:
        assert directive in csp, csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, csp
    eq(r.header("X-Content-Type-Options"), "nosniff")
    eq(r.header("Referrer-Policy"), "no-referrer")


def test_web_page_is_served_with_a_strict_policy():
    r = Client().get("/")
    eq(r.status, 200)
    assert r.header("Content-Type").startswith("text/html"), r.headers
    security_headers(r)
    eq(r.header("Cache-Control"), "no-cache")
    page = r.raw.decode()
    assert "<script>" not in page and " style=" not in page, page
    js = re.search(r'src="(/static/app\.js\?v=[0-9a-f]{16})"', page)
    css = re.search(r'href="(/static/app\.css\?v=[0-9a-f]{16})"', page)
    assert js and css, page
    for url, ctype in [(js.group(1), "text/javascript"),
                       (css.group(1), "text/css")]:
        f = Client().get(url)
        eq(f.status, 200, url)
        assert f.header("Content-Type").startswith(ctype), f.headers
        security_headers(f)
        eq(f.header("Cache-Control"), "public, max-age=31536000, immutable")
        assert len(f.raw) > 1000, url
    is_error(Client().post("/", {}), 405, "method_not_allowed")
    is_error(Client().get("/static/other.js"), 404, "not_found")
