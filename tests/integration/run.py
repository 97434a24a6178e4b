"""Runs every integration test module against the running server."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
import test_foundation  # noqa: E402,F401
import test_money  # noqa: E402,F401
import test_paging  # noqa: E402,F401
import test_merchants  # noqa: E402,F401
import test_cards  # noqa: E402,F401
import test_account  # noqa: E402,F401
import test_openapi  # noqa: E402,F401
import test_web  # noqa: E402,F401
import test_zy_ledger  # noqa: E402,F401
import test_zz_recovery  # noqa: E402,F401

if __name__ == "__main__":
    sys.exit(0 if harness.run_all() else 1)
