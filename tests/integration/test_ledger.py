"""After everything else: the ledger invariant holds for every account."""

import os

import pytest

from harness import eq, sql

# After every other test (conftest.py orders phases).
pytestmark = pytest.mark.phase(1)

LEDGER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                      "ledger.sql")


def test_ledger_invariant_holds_for_every_account():
    with open(LEDGER) as f:
        bad = sql(f.read())
    eq(bad, [], "accounts whose balance is not the sum of their ledger")
    eq(sql("SELECT id FROM bank_accounts WHERE balance < 0"), [])
