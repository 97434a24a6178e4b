/*
 * GET /api/transactions/statement?month=YYYY-MM (issue 20, PSD2 art.
 * 57): the caller's payments, fees and refunds of an Oslo month as CSV
 * (RFC 4180, UTF-8, a header line), for a spreadsheet or the web
 * client's printable page. The rows come from drop_statement().
 */

#include <string.h>

#include "drop.h"

#define STATEMENT_ROWS	20000	/* more in one month: 422, never cut */
#define CELL_MAX	2048	/* the longest cell: a 1,000-character name */

struct statement_state {
	char		month[8];
	char		limit[16];
};

static int	statement_start(struct drop_ctx *);
static int	statement_done(struct drop_ctx *);
static int	csv_line(struct kore_buf *, struct drop_ctx *, int);

static const char *const statement_query[] = { "month", NULL };

static const struct drop_method statement_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_AUTH,
	    .query = statement_query, .start = statement_start },
	{ .method = 0 }
};

static const struct drop_route statement_route = {
	.name = "transactions.statement",
	.methods = statement_methods,
	.datalen = sizeof(struct statement_state),
};

/* Each column: its header and whether it holds text people wrote. */
static const struct {
	const char	*column;
	const char	*header;
	int		 guard;
} columns[] = {
	{ "day",		"date",			0 },
	{ "kind",		"type",			0 },
	{ "id",			"id",			0 },
	{ "counterparty",	"counterparty",		1 },
	{ "reference",		"reference",		1 },
	{ "amount",		"amount",		0 },
	{ "fee",		"fee",			0 },
	{ "total",		"total",		0 },
	{ "currency",		"currency",		0 },
	{ "exchange_rate",	"exchange_rate",	0 },
	{ "received",		"received_amount",	0 },
	{ "received_currency",	"received_currency",	0 },
	{ "status",		"status",		0 },
};
#define NCOLUMNS	(sizeof(columns) / sizeof(columns[0]))

static const char	sql_statement[] =
    "SELECT * FROM drop_statement($1, ($2 || '-01')::date, $3)";

DROP_ROUTE(api_transactions_statement, statement_route);

static int
statement_start(struct drop_ctx *ctx)
{
	struct statement_state	*st = ctx->data;
	const char		*month, *params[3];

	if (drop_query_arg(ctx, "month", &month) != 1) {
		drop_detail(ctx, "month", "is required (YYYY-MM)");
		return (drop_fail_details(ctx, 422, "Validation failed"));
	}
	(void)kore_strlcpy(st->month, month, sizeof(st->month));
	params[0] = ctx->sess.user_id;
	params[1] = st->month;
	/* One row more than a statement may have tells it has more. */
	(void)snprintf(st->limit, sizeof(st->limit), "%d", STATEMENT_ROWS + 1);
	params[2] = st->limit;

	return (drop_sql(ctx, sql_statement, 3, params, statement_done));
}

static int
statement_done(struct drop_ctx *ctx)
{
	struct statement_state	*st = ctx->data;
	struct kore_buf		 buf;
	char			 disp[96];
	size_t			 i;
	int			 rows, r, n;

	if ((rows = drop_rows(ctx)) > STATEMENT_ROWS) {
		drop_detail(ctx, "month", "has more than "
		    DROP_STR(STATEMENT_ROWS) " entries; ask support for it");
		return (drop_fail_details(ctx, 422, "Validation failed"));
	}
	kore_buf_init(&buf, 4096);
	for (i = 0; i < NCOLUMNS; i++)
		kore_buf_appendf(&buf, "%s%s", i > 0 ? "," : "",
		    columns[i].header);
	kore_buf_append(&buf, "\r\n", 2);
	for (n = 0; n < rows; n++) {
		if (csv_line(&buf, ctx, n) != 0) {
			kore_buf_cleanup(&buf);
			return (drop_fail_internal(ctx, "statement cell too long"));
		}
	}
	(void)snprintf(disp, sizeof(disp),
	    "attachment; filename=\"drop-statement-%s.csv\"", st->month);
	http_response_header(ctx->req, "content-disposition", disp);
	r = drop_reply_raw(ctx, 200, "text/csv; charset=utf-8", "no-store",
	    buf.data, buf.offset);
	kore_buf_cleanup(&buf);

	return (r);
}

/* Row n as one CSV line; -1 when a cell does not fit CELL_MAX. */
static int
csv_line(struct kore_buf *buf, struct drop_ctx *ctx, int n)
{
	char		cell[CELL_MAX];
	size_t		i;
	int		len;

	for (i = 0; i < NCOLUMNS; i++) {
		if ((len = drop_csv_cell(drop_col(ctx, n, columns[i].column),
		    columns[i].guard, cell, sizeof(cell))) < 0)
			return (-1);
		if (i > 0)
			kore_buf_append(buf, ",", 1);
		kore_buf_append(buf, cell, (size_t)len);
	}
	kore_buf_append(buf, "\r\n", 2);

	return (0);
}
