/*
 * What Drop costs, for anyone (§8's fees, public): GET /api/pricing lists
 * each payment type's range and fee from the one policy table
 * (src/lib/policy.c), and GET /api/pricing/estimate?amount=&country=
 * answers what a remittance of amount to that country would cost and
 * deliver at today's rate, in the disclosure's shape. The web client's
 * first page and its amount hints read these, so no fee or range is
 * written twice.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"

struct estimate_state {
	char			 amount[24];
	int64_t			 ore;
	const struct drop_corridor *corridor;
};

static int	list_start(struct drop_ctx *);
static int	estimate_check(struct drop_ctx *);
static int	estimate_start(struct drop_ctx *);
static int	estimate_done(struct drop_ctx *);

static const char *const estimate_query[] = { "amount", "country", NULL };

static const struct drop_method list_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_RL_RATES,
	    .start = list_start },
	{ .method = 0 }
};
static const struct drop_method estimate_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_RL_RATES,
	    .check = estimate_check, .start = estimate_start,
	    .query = estimate_query },
	{ .method = 0 }
};

static const struct drop_route list_route = {
	.name = "pricing",
	.methods = list_methods,
};
static const struct drop_route estimate_route = {
	.name = "pricing.estimate",
	.methods = estimate_methods,
	.datalen = sizeof(struct estimate_state),
};

/* Today's rate for the corridor's currency, and what amount becomes. */
static const char	sql_rate[] =
    "SELECT rate::text AS rate, round($1::bigint * rate) AS receive "
    "FROM exchange_rates WHERE currency = $2";

DROP_ROUTE(api_pricing, list_route);
DROP_ROUTE(api_pricing_estimate, estimate_route);

static int
list_start(struct drop_ctx *ctx)
{
	const struct drop_policy	*p;
	json_t				*list, *item;
	int				 i;

	list = json_array();
	for (i = 0; (p = drop_policy_at(i)) != NULL; i++) {
		item = json_object();
		json_object_set_new(item, "type", json_string(p->type));
		json_object_set_new(item, "minAmount", drop_json_money(p->min));
		json_object_set_new(item, "maxAmount", drop_json_money(p->max));
		json_object_set_new(item, "feePercentage", drop_json_percent(p));
		json_object_set_new(item, "feePaidBy", json_string(
		    p->payer_pays_fee ? "payer" : "merchant"));
		json_array_append_new(list, item);
	}

	return (drop_reply(ctx, 200, list));
}

/* Both arguments are needed; kore.conf's validators judged their form. */
static int
estimate_check(struct drop_ctx *ctx)
{
	struct estimate_state		*st = ctx->data;
	const struct drop_policy	*policy;
	const char			*amount, *country;

	policy = drop_policy("remittance");
	switch (drop_query_arg(ctx, "amount", &amount)) {
	case 0:
		drop_detail(ctx, "amount", "is required");
		break;
	case 1:
		if (drop_money_parse(amount, &st->ore) != 0)
			drop_detail(ctx, "amount", "must have at most 2 decimals");
		else
			(void)drop_money_range(ctx, "amount", st->ore,
			    policy->min, policy->max);
		break;
	default:
		break;	/* the pipeline reported its validator's message */
	}
	switch (drop_query_arg(ctx, "country", &country)) {
	case 0:
		drop_detail(ctx, "country", "is required");
		break;
	case 1:
		st->corridor = drop_corridor(country);
		break;
	default:
		break;
	}
	(void)snprintf(st->amount, sizeof(st->amount), "%lld",
	    (long long)st->ore);

	return (0);
}

static int
estimate_start(struct drop_ctx *ctx)
{
	struct estimate_state	*st = ctx->data;
	const char		*params[2];

	params[0] = st->amount;
	params[1] = st->corridor->currency;

	return (drop_sql(ctx, sql_rate, 2, params, estimate_done));
}

static int
estimate_done(struct drop_ctx *ctx)
{
	struct estimate_state	*st = ctx->data;

	if (drop_rows(ctx) != 1 || drop_col_null(ctx, 0, "rate")) {
		drop_detail(ctx, "country",
		    "no exchange rate for this country's currency yet");
		return (drop_fail_details(ctx, 422, "Validation failed"));
	}

	return (drop_reply(ctx, 200, drop_disclosure_json(
	    drop_policy("remittance"), st->ore,
	    json_real(strtod(drop_col(ctx, 0, "rate"), NULL)),
	    drop_json_money(drop_col_int(ctx, 0, "receive")),
	    st->corridor->currency, st->corridor->country)));
}
