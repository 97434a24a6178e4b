"""Helpers for money tests: account numbers, funded users, recipients."""

import decimal
import random
import threading

from harness import (Client, admin, approve, bank, eq, register, sql_one,
                     watch)

_seq = [random.randrange(1000000)]
_lock = threading.Lock()


# The demo accounts of sql/seed.sql: one user each may link them.
SEEDED = ("12345678903", "55550000015")


def mod11(first10):
    w = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2]
    s = sum(int(d) * k for d, k in zip(first10, w))
    c = 11 - s % 11
    return None if c == 10 else (0 if c == 11 else c)


def account_number(prefix="1234", nok=None):
    """A valid account number; the sandbox gives it 1000 + nok NOK
    (nok = digits 5-10), except prefixes 0000 (empty), 6666, 7777."""
    for i in range(100):
        if nok is None:
            with _lock:
                _seq[0] += 1
                mid = "%06d" % ((_seq[0] * 7919) % 1000000)
            first10 = prefix + mid
        else:
            first10 = "%04d" % (int(prefix) + i) + "%06d" % nok
        c = mod11(first10)
        if c is not None and first10 + str(c) not in SEEDED:
            return first10 + str(c)
    raise ValueError("no valid account number")


def sandbox_balance(number):
    if number.startswith("0000"):
        return 0
    return 1000 + int(number[4:10])


def link(c, number=None, bank="DNB", expect=201):
    number = number or account_number()
    watch(number)
    r = c.post("/api/bank-accounts", {"bankName": bank,
                                      "accountNumber": number})
    eq(r.status, expect, "link %s: %r" % (number, r))
    return r


def funded_user(balance_nok=None, kyc=True):
    """An approved user with one primary account holding balance_nok."""
    c = register()
    if kyc:
        approve(c)
    r = link(c)
    c.account = r.json["data"]
    if balance_nok is not None:
        set_balance(c.account["id"], balance_nok)
        c.account["balance"] = balance_nok
    return c


def set_balance(account_id, nok):
    """The same money at the sandbox bank and in Drop's copy of it."""
    number = sql_one("SELECT account_number FROM bank_accounts "
                     "WHERE id = :'p1'", account_id)
    ore = int(decimal.Decimal(str(nok)) * 100)
    bank("POST", "/sandbox/accounts/" + number, {"balance": ore})
    r = admin("PUT", "/internal/bank-accounts/%s/balance" % account_id,
              {"balance": nok})
    eq(r.status, 200, "set balance %r" % r)


def balance_ore(account_id):
    return int(sql_one("SELECT balance FROM bank_accounts WHERE id = :'p1'",
                       account_id))


def add_recipient(c, country="RS", currency=None, name="Marko Petrović"):
    body = {"name": name, "country": country,
            "bankAccount": "RS35260005601001611379", "bankName": "Banka"}
    if currency is not None:
        body["currency"] = currency
    r = c.post("/api/recipients", body)
    eq(r.status, 201, "recipient %r" % r)
    return r.json["data"]


def remit(c, recipient_id, amount, **extra):
    body = {"recipientId": recipient_id, "amount": amount}
    body.update(extra.pop("body", {}))
    return c.post("/api/transactions/remittance", body, **extra)


def settle(tx_id, status):
    return admin("POST", "/internal/transactions/%s/settle" % tx_id,
                 {"status": status})


MERCHANT = "mer_00000000000000a1"


def new_client_like(c):
    """Same session, another client address (payments are 10/min per IP)."""
    n = Client()
    n.cookies = dict(c.cookies)
    n.user_id = c.user_id
    return n
