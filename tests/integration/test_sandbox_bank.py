"""The sandbox bank itself, on a ledger of its own (no stack): a bank
killed midway never leaves a payment approved and never executed, and a
restarted bank finishes what it had accepted. Make faults kills the bank
with SIGKILL at random moments; a payment left approved forever there
looked like a lost status poll in Drop."""

import importlib.util
import os
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BANK_DIR = os.path.join(ROOT, "sandbox", "bank")


@pytest.fixture()
def sandbox(tmp_path, monkeypatch):
    """bank.py loaded afresh on an empty ledger under tmp_path."""
    monkeypatch.setenv("BANK_DB", str(tmp_path / "bank.db"))
    monkeypatch.setenv("BANK_CALLBACK_SECRET", "test-only")
    monkeypatch.syspath_prepend(BANK_DIR)
    spec = importlib.util.spec_from_file_location(
        "sandbox_bank_under_test", os.path.join(BANK_DIR, "bank.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.CONN = mod.db()
    yield mod
    mod.CONN.close()
    sys.modules.pop("sandbox_bank_under_test", None)


def add_payment(bank, pid, status, sca, debtor="55550012345"):
    bank.CONN.execute(
        "INSERT INTO payments (id, request_id, product, debtor, creditor, "
        "creditor_name, amount, currency, remittance, status, sca, "
        "created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        (pid, "rid-" + pid, "domestic-credit-transfers-nok", debtor,
         "99990000013", "Payout partner", 12345, "NOK", "Drop test", status,
         sca, bank.now(), bank.now()))
    return bank.payment(pid)


def test_approval_and_booking_are_one_transaction(sandbox, monkeypatch):
    p = add_payment(sandbox, "pay-approve", "RCVD", 1)
    real_account = sandbox.account

    def dies_at_the_creditor(bban):
        if bban == "99990000013":
            raise RuntimeError("killed midway")
        return real_account(bban)

    monkeypatch.setattr(sandbox, "account", dies_at_the_creditor)
    with pytest.raises(RuntimeError):
        sandbox.execute(p, approved=True)
    # Nothing of the approval stays, and no callback was queued for it.
    assert sandbox.payment("pay-approve")["status"] == "RCVD"
    assert sandbox.OUTBOX.empty()
    monkeypatch.setattr(sandbox, "account", real_account)
    assert sandbox.execute(sandbox.payment("pay-approve"),
                           approved=True) == "ACSC"
    assert sandbox.q1("SELECT amount FROM bookings WHERE payment_id = ?",
                      "pay-approve")["amount"] == 12345


def test_restart_finishes_what_was_accepted(sandbox):
    add_payment(sandbox, "pay-approved", "ACTC", 1)
    add_payment(sandbox, "pay-recorded", "RCVD", 0, debtor="12340012345")
    add_payment(sandbox, "pay-waiting", "RCVD", 1)
    sandbox.recover()
    assert sandbox.payment("pay-approved")["status"] == "ACSC"
    assert sandbox.payment("pay-recorded")["status"] == "ACSC"
    # Still waiting for its customer: the bank does not approve for them.
    assert sandbox.payment("pay-waiting")["status"] == "RCVD"
    booked = sorted(r["payment_id"] for r in
                    sandbox.q("SELECT payment_id FROM bookings"))
    assert booked == ["pay-approved", "pay-recorded"]
