"""Paging shared by every list: page/limit and cursor (infinite scroll),
totals from the maintained aggregates."""

from harness import eq, is_error, register, sql, sql_include
from money_helpers import (MERCHANT, add_recipient, funded_user,
                           new_client_like, remit, settle)


def qr(c, amount):
    r = new_client_like(c).post("/api/transactions/qr-payment",
                                {"merchantId": MERCHANT, "amount": amount})
    eq(r.status, 201, "qr %r" % r)
    return r.json["data"]["id"]


def walk(c, path, limit):
    """Every id of a list, following nextCursor from the first page."""
    ids, pages = [], 0
    r = c.get("%s?limit=%d" % (path, limit))
    while True:
        eq(r.status, 200, "page %r" % r)
        pg = r.json["pagination"]
        ids += [x["id"] for x in r.json["data"]]
        pages += 1
        assert pages < 50, "cursor walk does not end"
        if pg["nextCursor"] is None:
            eq(pg["hasNextPage"], False)
            return ids
        eq(pg["hasNextPage"], True)
        eq(len(r.json["data"]), limit)
        r = c.get("%s?limit=%d&cursor=%s" % (path, limit, pg["nextCursor"]))
        eq(r.json["pagination"]["page"], None)
        eq(r.json["pagination"]["hasPreviousPage"], True)


def test_cursor_walk_matches_pages_and_ends():
    c = funded_user(5000)
    made = [qr(c, 1 + i) for i in range(7)]
    newest_first = list(reversed(made))
    eq(walk(c, "/api/transactions", 3), newest_first)
    eq(walk(c, "/api/transactions", 7), newest_first)
    eq(walk(c, "/api/transactions", 50), newest_first)
    paged = []
    for page in (1, 2, 3):
        r = c.get("/api/transactions?limit=3&page=%d" % page)
        paged += [x["id"] for x in r.json["data"]]
        eq(r.json["pagination"]["hasNextPage"], page < 3)
        eq(r.json["pagination"]["nextCursor"] is None, page == 3)
    eq(paged, newest_first)
    # A page's nextCursor continues where the page ended.
    r = c.get("/api/transactions?limit=2&page=2")
    nxt = c.get("/api/transactions?limit=2&cursor=%s" %
                r.json["pagination"]["nextCursor"])
    eq([x["id"] for x in nxt.json["data"]], newest_first[4:6])
    eq(nxt.json["pagination"]["total"], 7)


def test_cursor_follows_filters_and_scope():
    c = funded_user(5000)
    rcp = add_recipient(c)
    r1 = remit(c, rcp["id"], 100).json["data"]["id"]
    q1 = qr(c, 2)
    r2 = remit(new_client_like(c), rcp["id"], 150).json["data"]["id"]
    q2 = qr(c, 3)
    settle(r2, "failed")
    r = c.get("/api/transactions?type=remittance&limit=1")
    eq([x["id"] for x in r.json["data"]], [r2])
    eq(r.json["pagination"]["total"], 2)
    r = c.get("/api/transactions?type=remittance&limit=1&cursor=%s" %
              r.json["pagination"]["nextCursor"])
    eq([x["id"] for x in r.json["data"]], [r1])
    eq(r.json["pagination"]["nextCursor"], None)
    r = c.get("/api/transactions?status=failed")
    eq([x["id"] for x in r.json["data"]], [r2])
    eq(r.json["pagination"]["total"], 1)
    eq(c.get("/api/transactions?status=completed").json["pagination"]
       ["total"], 2)
    eq(c.get("/api/transactions").json["pagination"]["total"], 4)
    # Another user's cursor only moves within the caller's own rows.
    cur = c.get("/api/transactions?limit=1").json["pagination"]["nextCursor"]
    other = register()
    r = other.get("/api/transactions?cursor=%s" % cur)
    eq(r.status, 200)
    eq(r.json["data"], [])
    assert q1 and q2


def test_bad_cursors_are_422():
    c = funded_user(5000)
    qr(c, 1)
    qr(c, 2)
    cur = c.get("/api/transactions?limit=1").json["pagination"]["nextCursor"]
    for bad in ("xyz", "ab", "0" * 200, cur[:-2], cur[:-1] + "g",
                "%s%%00" % cur):
        r = c.get("/api/transactions?cursor=%s" % bad)
        is_error(r, 422, "validation_error")
        eq([d["field"] for d in r.json["details"]], ["cursor"])
    r = c.get("/api/transactions?page=2&cursor=%s" % cur)
    is_error(r, 422, "validation_error")
    eq([d["field"] for d in r.json["details"]], ["cursor"])
    is_error(c.get("/api/recipients?cursor=zz"), 422, "validation_error")


def test_recipients_page_by_cursor():
    c = funded_user(5000)
    made = [add_recipient(c, name="Ana %s" % n)["id"] for n in "ABCDE"]
    newest_first = list(reversed(made))
    eq(walk(c, "/api/recipients", 2), newest_first)
    eq(c.delete("/api/recipients/%s" % made[2]).status, 204)
    eq(walk(c, "/api/recipients", 2),
       [i for i in newest_first if i != made[2]])
    eq(c.get("/api/recipients").json["pagination"]["total"], 4)


def test_summary_and_total_come_from_aggregates():
    c = funded_user(5000)
    rcp = add_recipient(c)
    remit(c, rcp["id"], 100)
    qr(c, 10)
    eq(c.get("/api/transactions").json["pagination"]["total"], 2)
    rows = sql("SELECT type, status, n, amount FROM tx_stats "
               "WHERE user_id = :'p1' AND n > 0 ORDER BY type", c.user_id)
    eq(rows, [["qr_payment", "completed", "1", "1000"],
              ["remittance", "processing", "1", "10000"]])
    s = c.get("/api/transactions/summary").json["data"]
    eq(s["allTime"]["totalCount"], 2)
    eq(s["allTime"]["totalSent"], 100)
    eq(s["thisMonth"]["totalPaid"], 10)


def test_bulk_statements_keep_the_aggregates_exact():
    """A multi-row INSERT, UPDATE and DELETE (a migration, a batch
    settlement, a correction) each move the aggregates by their net change
    (statement-level triggers), checked after each, then rolled back."""
    c = funded_user(5000)
    qr(c, 10)
    ba = sql("SELECT id FROM bank_accounts WHERE user_id = :'p1'",
             c.user_id)[0][0]
    # The user's and the merchant's aggregates against a recount.
    diff = sql_include("aggregates.sql", agg_user=c.user_id,
                       agg_merchant=MERCHANT)
    steps = """
INSERT INTO transactions (id, user_id, type, status, amount, fee, total,
    exchange_rate, receive_amount, receive_currency, bank_account_id,
    merchant_id, merchant_name, reference, created_at, updated_at)
SELECT 'tx_qr_' || substr(md5(:'p1'), 1, 8) || lpad(to_hex(g), 8, '0'),
    :'p1', 'qr_payment', CASE WHEN g %% 3 = 0 THEN 'failed'
    ELSE 'completed' END, 100 * g, g, 101 * g, 1, 100 * g, 'NOK', :'p3',
    :'p2', 'Bulk', 'BULK', now() - g * interval '9 days',
    now() - g * interval '9 days'
FROM generate_series(1, 40) g;
%s
UPDATE transactions SET status = 'failed', amount = amount + 1
    WHERE user_id = :'p1' AND reference = 'BULK' AND status = 'completed'
    AND amount %% 200 = 0;
%s
UPDATE transactions SET updated_at = now() WHERE user_id = :'p1';
%s
DELETE FROM transactions WHERE user_id = :'p1' AND reference = 'BULK'
    AND amount > 1500;
%s
""" % ((diff,) * 4)
    rows = sql("BEGIN;\n" + steps + "ROLLBACK;\n", c.user_id, MERCHANT, ba)
    eq(rows, [], "aggregates differ from a recount")
    eq(sql(diff), [])
