"""pytest wiring of the integration tests: the stack as a session fixture
(tests/integration/stack.py), options for the flavor and the plain-HTTP
listener, the phase marker that orders the ledger check and the recovery
tests last, and the OpenAPI coverage line at the end of the run."""

import os

import pytest

import harness
import openapi_check
from stack import ClusterStack, Stack

# Not through the balancer: they restart PostgreSQL or Kore, start Kores
# of their own, or read one Kore's process and memory (the cluster's own
# faults are test_cluster.py's).
SINGLE_ONLY = {"test_recovery.py", "test_crashlog.py", "test_hostile.py",
               "test_limits.py", "test_rules.py", "test_http_limits.py",
               "test_browser.py", "test_sandbox_bank.py"}
# Single tests of the same kinds: Kore's own answer to a body it will not
# read (HAProxy stands between), the key manager (plain-HTTP instances
# run none), a Kore of its own started on the session's configuration.
SINGLE_ONLY_TESTS = {"test_a_delete_body_over_64_kib_is_refused_unread",
                     "test_workers_and_key_manager_run_unprivileged",
                     "test_values_stored_in_clear_are_sealed_when_workers_"
                     "start"}


def pytest_addoption(parser):
    parser.addoption("--flavor", default="dev",
                     help="build flavor of Kore to test (dev, asan, prod)")
    parser.addoption("--plain-http", action="store_true",
                     help="public listener in plain HTTP, no trusted proxy")
    parser.addoption("--bank", default="sandbox", choices=("sandbox", "prism"),
                     help="the bank: the sandbox bank, or Prism serving the "
                     "Berlin Group's definition (test_prism.py only)")
    parser.addoption("--cluster", action="store_true",
                     help="HAProxy, two instances, a primary and a standby "
                     "(make cluster's topology); test_cluster.py runs only "
                     "here")


def pytest_ignore_collect(collection_path, config):
    """test_prism.py runs in a session of its own, against Prism; the
    other tests need the sandbox bank's ledger and behaviours."""
    prism = config.getoption("--bank") == "prism"
    cluster = config.getoption("--cluster")
    name = collection_path.name
    if not name.startswith("test_"):
        return None
    if cluster and name in SINGLE_ONLY:
        return True
    if name == "test_cluster.py" and not cluster:
        return True
    return (name == "test_prism.py") != prism


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "phase(n): run after every test of a lower phase "
        "(0 by default; 1 the ledger check, 2 the database recovery)")


def pytest_collection_modifyitems(session, config, items):
    """Stable order by phase: the ledger check sees every other test's
    money, and the recovery tests take the database away last."""
    def phase(item):
        m = item.get_closest_marker("phase")
        return m.args[0] if m else 0
    items.sort(key=phase)
    if config.getoption("--cluster"):
        skip = pytest.mark.skip(reason="single instance only")
        for item in items:
            if item.name in SINGLE_ONLY_TESTS:
                item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def stack(request):
    """The stack every test talks to: started once, checked when stopped.
    With DROP_TEST_BASE set, a running server is used as it is."""
    if os.environ.get("DROP_TEST_BASE") and not os.environ.get(
            "DROP_TEST_FLAVOR"):
        harness.wait_ready()
        yield None
        return
    if request.config.getoption("--cluster"):
        s = ClusterStack(request.config.getoption("--flavor"))
    else:
        s = Stack(request.config.getoption("--flavor"),
                  request.config.getoption("--plain-http"),
                  request.config.getoption("--bank"))
    try:
        s.start()
    except Exception:
        s.stop()
        raise
    harness.wait_ready()
    yield s
    problems = s.stop()
    assert not problems, "\n".join(problems)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if os.environ.get("DROP_TEST_OPENAPI") != "1":
        return
    terminalreporter.write_line(
        "openapi: %d responses validated against docs/openapi.yaml" %
        openapi_check.validated())
    missed = openapi_check.not_exercised()
    whole = not config.getoption("keyword") and config.args in ([], ["."])
    if missed and whole:
        terminalreporter.write_line(
            "openapi: operations never exercised: %s" %
            ", ".join("%s %s" % op for op in missed))
