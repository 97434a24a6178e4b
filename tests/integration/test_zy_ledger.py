"""After everything else: the ledger invariant holds for every account."""

import os

from harness import eq, sql, test

LEDGER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                      "ledger.sql")


@test
def ledger_invariant_holds_for_every_account():
    with open(LEDGER) as f:
        bad = sql(f.read())
    eq(bad, [], "accounts whose balance is not the sum of their ledger")
    eq(sql("SELECT id FROM bank_accounts WHERE balance < 0"), [])
