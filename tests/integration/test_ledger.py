"""After everything else: the ledger invariant holds for every account."""

import pytest

import bank_ledger
from harness import eq, sql, sql_file

# After every other test (conftest.py orders phases).
pytestmark = pytest.mark.phase(1)


def test_ledger_invariant_holds_for_every_account():
    bad = sql_file("ledger.sql")
    eq(bad, [], "accounts whose balance is not the sum of their ledger")
    eq(sql("SELECT id FROM bank_accounts WHERE balance < 0"), [])


def test_drop_and_the_bank_agree_on_every_payment():
    """Every payment of every test is at the bank once, for what Drop
    debited, and booked there exactly when Drop says so."""
    eq(bank_ledger.settled(), [], "Drop against the sandbox bank's ledger")
