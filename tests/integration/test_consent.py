"""Account-information consent and unlinking (contract §5, §13): what the
bank is asked for, approval on the bank's page, refusal and an approval
page left too long, expiry after the consent's last day (the clock moved,
not waited for), renewal, and an unlinked account: gone from the lists,
revoked at the bank, kept in past transactions, linkable again."""

import datetime

from bank_helpers import sca_form, sca_user, wait_status
from harness import (approve, bank, clock, eq, is_error, register, sql_one)
from money_helpers import (MERCHANT, account_number, add_recipient,
                           balance_ore, funded_user, link, new_client_like,
                           remit)


def qr(c, amount):
    return new_client_like(c).post("/api/transactions/qr-payment",
                                   {"merchantId": MERCHANT,
                                    "amount": amount})


def consent_at_bank(number):
    """The sandbox bank's consents for an account, oldest first."""
    return [x for x in bank("GET", "/sandbox/consents")
            if x["bban"] == number]


def accounts(c):
    r = c.get("/api/bank-accounts")
    eq(r.status, 200)
    return r.json["data"]


def refresh(c, account_id):
    return c.post("/api/bank-accounts/%s/refresh" % account_id)


def renew(c, account_id):
    return c.post("/api/bank-accounts/%s/consent" % account_id)


# --- what the bank is asked for -------------------------------------------

def test_link_asks_the_bank_for_180_days_of_balances_4_times_a_day():
    c = register()
    number = account_number()
    a = link(c, number).json["data"]
    eq(a["status"], "active")
    (con,) = consent_at_bank(number)
    until = (datetime.datetime.now(datetime.timezone.utc).date() +
             datetime.timedelta(days=180)).isoformat()
    eq((con["valid_until"], con["frequency"], con["status"]),
       (until, 4, "valid"))
    eq(a["consentExpiresAt"][:10], until)
    assert "authorisation" not in a, a


def test_sca_consent_link_is_pending_with_an_approval_page_for_15_minutes():
    c = register()
    a = link(c, account_number("5555")).json["data"]
    eq(a["status"], "pending_consent")
    auth = a["authorisation"]
    assert auth["url"].startswith("https://"), auth
    at = datetime.datetime.fromisoformat(auth["expiresAt"].replace("Z",
                                                                   "+00:00"))
    left = at - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(minutes=14) < left <= \
        datetime.timedelta(minutes=15, seconds=5), left
    # Not an account to pay from, nor one that /users/me calls primary.
    eq(a["isPrimary"], False)
    me = c.get("/api/users/me").json["data"]
    eq([x["status"] for x in me["bankAccounts"]], ["pending_consent"])


def test_approved_consent_reads_the_balance_with_it():
    c = sca_user()
    number = c.account["accountNumber"]
    eq(c.account["balance"], 1000 + int(number[4:10]))
    eq(c.account["isPrimary"], True)
    (con,) = consent_at_bank(number)
    eq(con["status"], "valid")
    eq(sql_one("SELECT consent_id FROM bank_accounts WHERE id = :'p1'",
               c.account["id"]), con["id"])


def test_refused_consent_leaves_no_account_and_frees_the_number():
    c = register()
    number = account_number("5555")
    a = link(c, number).json["data"]
    status, _ = sca_form(a["authorisation"]["url"], "reject")
    eq(status, 303)
    is_error(refresh(c, a["id"]), 409, "conflict")
    eq(accounts(c), [])
    is_error(refresh(c, a["id"]), 404, "not_found")
    # Linked again (and approved this time) by someone else.
    other = register()
    b = link(other, number).json["data"]
    eq(b["status"], "pending_consent")


def test_approval_page_left_past_15_minutes_leaves_no_account():
    c = register()
    a = link(c, account_number("5555")).json["data"]
    with clock("16 minutes"):
        is_error(refresh(c, a["id"]), 409, "conflict")
    eq(accounts(c), [])


# --- expiry and renewal ---------------------------------------------------

def test_after_its_last_day_the_consent_reads_and_pays_nothing():
    c = funded_user(500)
    rcp = add_recipient(c)
    aid = c.account["id"]
    with clock("179 days"):
        eq(refresh(c, aid).status, 200)
    with clock("181 days"):
        is_error(refresh(c, aid), 409, "consent_expired")
        is_error(qr(c, 10), 409, "consent_expired")
        is_error(remit(new_client_like(c), rcp["id"], 100), 409,
                 "consent_expired")
        eq(balance_ore(aid), 50000)
        eq(sql_one("SELECT count(*) FROM transactions WHERE user_id = "
                   ":'p1'", c.user_id), "0")
        # Renewed: 180 more days from (the moved) today, and it pays.
        r = renew(c, aid)
        eq(r.status, 200, "renew %r" % r)
        until = sql_one("SELECT to_char((drop_now() AT TIME ZONE 'UTC') + "
                        "interval '180 days', 'YYYY-MM-DD')")
        eq(r.json["data"]["consentExpiresAt"][:10], until)
        eq(r.json["data"]["status"], "active")
        eq(refresh(c, aid).status, 200)
        eq(qr(c, 10).status, 201)
    eq(len(consent_at_bank(c.account["accountNumber"])), 2)


def test_renewal_needing_sca_keeps_the_account_until_approved():
    c = sca_user()
    aid = c.account["id"]
    old_until = c.account["consentExpiresAt"]
    with clock("100 days"):
        r = renew(c, aid)
        eq(r.status, 200)
        a = r.json["data"]
        # Still active on its old consent while the new one waits.
        eq((a["status"], a["consentExpiresAt"]), ("active", old_until))
        url = a["authorisation"]["url"]
        eq(refresh(c, aid).json["data"]["authorisation"]["url"], url)
        sca_form(url, "approve")
        r = refresh(c, aid)
        eq(r.status, 200)
        a = r.json["data"]
        assert "authorisation" not in a, a
        assert a["consentExpiresAt"] > old_until, (a, old_until)


def test_refused_renewal_keeps_the_old_consent():
    c = sca_user()
    aid = c.account["id"]
    old_until = c.account["consentExpiresAt"]
    a = renew(c, aid).json["data"]
    sca_form(a["authorisation"]["url"], "reject")
    is_error(refresh(c, aid), 409, "conflict")
    r = refresh(c, aid)
    eq(r.status, 200, "still reads with the old consent %r" % r)
    eq((r.json["data"]["status"], r.json["data"]["consentExpiresAt"]),
       ("active", old_until))
    assert "authorisation" not in r.json["data"], r.json


def test_consent_routes_are_the_owners_only():
    c = funded_user(100)
    other = register()
    aid = c.account["id"]
    is_error(renew(other, aid), 404, "not_found")
    is_error(other.delete("/api/bank-accounts/%s" % aid), 404, "not_found")
    is_error(renew(c, "ba_nothex"), 404, "not_found")
    eq(accounts(c)[0]["id"], aid)


# --- unlinking ------------------------------------------------------------

def test_unlink_revokes_at_the_bank_and_moves_primary():
    c = funded_user(300)
    first = c.account
    second = link(c).json["data"]
    eq(second["isPrimary"], False)
    r = qr(c, 12.5)
    eq(r.status, 201)
    paid = r.json["data"]["id"]
    eq(r.json["data"]["fromAccount"], first["accountNumber"])
    r = c.delete("/api/bank-accounts/%s" % first["id"])
    eq(r.status, 204, "unlink %r" % r)
    eq([(a["id"], a["isPrimary"]) for a in accounts(c)],
       [(second["id"], True)])
    me = c.get("/api/users/me").json["data"]
    eq([a["id"] for a in me["bankAccounts"]], [second["id"]])
    (con,) = consent_at_bank(first["accountNumber"])
    eq(con["status"], "terminatedByTpp")
    # The past payment is still there, with the account it came from.
    eq(c.get("/api/transactions/%s" % paid).status, 200)
    eq([t["id"] for t in c.get("/api/transactions").json["data"]], [paid])
    eq(sql_one("SELECT bank_account_id FROM transactions WHERE id = :'p1'",
               paid), first["id"])
    is_error(c.delete("/api/bank-accounts/%s" % first["id"]), 404,
             "not_found")
    is_error(c.patch("/api/bank-accounts/%s" % first["id"],
                     {"isPrimary": True}), 404, "not_found")
    is_error(refresh(c, first["id"]), 404, "not_found")
    # Linked again by the same user: a new consent, a new account.
    again = link(c, first["accountNumber"]).json["data"]
    assert again["id"] != first["id"], again
    eq(len(consent_at_bank(first["accountNumber"])), 2)


def test_unlink_is_refused_while_a_payment_from_it_is_open():
    c = sca_user()
    r = qr(c, 20)
    eq(r.status, 201)
    d = r.json["data"]
    eq(d["status"], "pending_authorisation")
    is_error(c.delete("/api/bank-accounts/%s" % c.account["id"]), 409,
             "conflict")
    sca_form(d["authorisation"]["url"], "reject")
    eq(wait_status(c, d["id"], ("failed",))["status"], "failed")
    eq(c.delete("/api/bank-accounts/%s" % c.account["id"]).status, 204)
    eq(accounts(c), [])
    is_error(qr(c, 1), 400, "no_bank_account")


def test_unlinked_number_can_be_linked_by_another_user():
    c = funded_user()
    number = c.account["accountNumber"]
    link(register(), number, expect=409)
    eq(c.delete("/api/bank-accounts/%s" % c.account["id"]).status, 204)
    other = register()
    approve(other)
    b = link(other, number).json["data"]
    eq((b["status"], b["isPrimary"]), ("active", True))
    eq(sql_one("SELECT count(*) FROM bank_accounts WHERE account_number = "
               ":'p1' AND deleted_at IS NULL", number), "1")


def test_unlink_of_a_pending_link_revokes_its_consent():
    c = register()
    number = account_number("5555")
    a = link(c, number).json["data"]
    eq(c.delete("/api/bank-accounts/%s" % a["id"]).status, 204)
    (con,) = consent_at_bank(number)
    eq(con["status"], "terminatedByTpp")
    eq(accounts(c), [])
