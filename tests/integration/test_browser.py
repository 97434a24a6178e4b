"""The browser walk (tests/browser/walk.mjs, headless Debian Chromium via
playwright-core) against this session's stack, on the dev flavor over
TLS only: the web client is the same on every flavor, and the walk is
slow under AddressSanitizer."""

import os
import subprocess

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def test_browser_walk_on_desktop_and_phone():
    if os.environ.get("DROP_TEST_FLAVOR") != "dev" or \
            os.environ.get("DROP_TEST_UNTRUSTED") == "1":
        pytest.skip("the walk runs on the dev flavor over TLS")
    r = subprocess.run(["sh", os.path.join(ROOT, "scripts", "browser.sh")],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, "browser walk failed:\n%s%s" % (
        r.stdout[-6000:], r.stderr[-6000:])
