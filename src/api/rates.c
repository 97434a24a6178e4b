/*
 * Exchange rates (§6): read from the per-worker cache; changed through the
 * internal API (audited), visible everywhere within a second.
 */

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drop.h"

struct rate_state {
	char		currency[4];
	char		rate[32];
};

static int	rates_start(struct drop_ctx *);
static int	rate_start(struct drop_ctx *);
static int	put_check(struct drop_ctx *);
static int	put_start(struct drop_ctx *);
static int	put_done(struct drop_ctx *);
static int	path_currency(struct drop_ctx *, char *);

static const struct drop_field put_fields[] = {
	{ "rate",	DROP_T_NUMBER,	1 },
	{ NULL, 0, 0 }
};

static const struct drop_method rates_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_RL_RATES,
	    .start = rates_start },
	{ .method = 0 }
};

static const struct drop_method rate_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_RL_RATES,
	    .start = rate_start },
	{ .method = 0 }
};

static const struct drop_method put_methods[] = {
	{ .method = HTTP_METHOD_PUT, .flags = DROP_BODY, .ops = DROP_OP_ADMIN,
	    .fields = put_fields, .check = put_check, .start = put_start },
	{ .method = 0 }
};

static const struct drop_route rates_route = {
	.name = "rates",
	.methods = rates_methods,
};
static const struct drop_route rate_route = {
	.name = "rate",
	.methods = rate_methods,
	.datalen = sizeof(struct rate_state),
};
static const struct drop_route put_route = {
	.name = "internal.rate",
	.methods = put_methods,
	.datalen = sizeof(struct rate_state),
};

static const char	sql_put[] =
    "WITH old AS (SELECT currency, rate FROM exchange_rates "
    "WHERE currency = $1 FOR UPDATE), "
    "upd AS (UPDATE exchange_rates e SET rate = $2::numeric, "
    "updated_at = now() FROM old WHERE e.currency = old.currency "
    "RETURNING e.currency, e.rate, e.updated_at), "
    "aud AS (INSERT INTO audit_log (actor, action, entity, entity_id, before, "
    "after, request_id) SELECT $4, 'rate.update', 'exchange_rate', "
    "upd.currency, jsonb_build_object('rate', old.rate), "
    "jsonb_build_object('rate', upd.rate), $3 FROM upd, old) "
    "SELECT currency, rate::text AS rate, iso(updated_at) AS updated FROM upd";

DROP_ROUTE(api_rates, rates_route);
DROP_ROUTE(api_rate, rate_route);
DROP_ROUTE(internal_rate, put_route);
static json_t *
rate_number(const char *text)
{
	return (json_real(strtod(text, NULL)));
}

static int
rates_start(struct drop_ctx *ctx)
{
	const struct drop_rate	*rates;
	const char		*updated;
	json_t			*data, *map;
	int			 i, n;

	if (drop_rates(&rates, &n, &updated) != 0)
		return (drop_error(ctx, 503, "unavailable",
		    "Exchange rates are not loaded yet"));
	map = json_object();
	for (i = 0; i < n; i++)
		json_object_set_new(map, rates[i].currency,
		    rate_number(rates[i].rate));
	data = json_object();
	json_object_set_new(data, "baseCurrency", json_string("NOK"));
	json_object_set_new(data, "rates", map);
	json_object_set_new(data, "updatedAt", json_string(updated));

	return (drop_reply(ctx, 200, data));
}

/* Segment 2 of the path as an upper-case three-letter code. */
static int
path_currency(struct drop_ctx *ctx, char *out)
{
	const char	*p;
	int		 i;

	if ((p = strrchr(ctx->req->path, '/')) == NULL || strlen(p + 1) != 3)
		return (0);
	for (i = 0; i < 3; i++) {
		if (!isalpha((unsigned char)p[1 + i]))
			return (0);
		out[i] = (char)toupper((unsigned char)p[1 + i]);
	}
	out[3] = '\0';

	return (1);
}

static int
rate_start(struct drop_ctx *ctx)
{
	struct rate_state	*st = ctx->data;
	const struct drop_rate	*rate;
	const char		*updated;
	const struct drop_rate	*all;
	json_t			*data;
	int			 n;

	if (drop_rates(&all, &n, &updated) != 0)
		return (drop_error(ctx, 503, "unavailable",
		    "Exchange rates are not loaded yet"));
	if (!path_currency(ctx, st->currency) ||
	    (rate = drop_rate_find(st->currency)) == NULL)
		return (drop_error(ctx, 404, "not_found", "Unknown currency"));
	data = json_object();
	json_object_set_new(data, "baseCurrency", json_string("NOK"));
	json_object_set_new(data, "currency", json_string(rate->currency));
	json_object_set_new(data, "rate", rate_number(rate->rate));
	json_object_set_new(data, "fee", json_real(
	    drop_policy_fee_fraction(drop_policy("remittance"))));
	json_object_set_new(data, "updatedAt", json_string(rate->updated));

	return (drop_reply(ctx, 200, data));
}

/* A positive rate; stored with six decimals. */
static int
put_check(struct drop_ctx *ctx)
{
	struct rate_state	*st = ctx->data;
	json_t			*v;
	double			 rate;

	if ((v = drop_field(ctx, "rate")) == NULL)
		return (0);
	rate = json_number_value(v);
	if (!isfinite(rate) || rate <= 0 || rate >= 1e9 ||
	    snprintf(st->rate, sizeof(st->rate), "%.6f", rate) < 0 ||
	    strtod(st->rate, NULL) <= 0)
		drop_detail(ctx, "rate", "must be a positive number below 1e9");

	return (0);
}

static int
put_start(struct drop_ctx *ctx)
{
	struct rate_state	*st = ctx->data;
	const char		*params[4];

	if (!path_currency(ctx, st->currency))
		return (drop_error(ctx, 404, "not_found", "Unknown currency"));
	params[0] = st->currency;
	params[1] = st->rate;
	params[2] = ctx->reqid;
	params[3] = ctx->sess.operator_id;

	return (drop_sql(ctx, sql_put, 4, params, put_done));
}

static int
put_done(struct drop_ctx *ctx)
{
	json_t		*data;

	if (drop_rows(ctx) != 1)
		return (drop_error(ctx, 404, "not_found", "Unknown currency"));
	data = json_object();
	json_object_set_new(data, "currency",
	    json_string(drop_col(ctx, 0, "currency")));
	json_object_set_new(data, "rate", rate_number(drop_col(ctx, 0, "rate")));
	json_object_set_new(data, "updatedAt",
	    json_string(drop_col(ctx, 0, "updated")));

	return (drop_reply(ctx, 200, data));
}
