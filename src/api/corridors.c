/*
 * GET /api/corridors (no auth): the countries Drop pays out to, each with
 * its currency, whether it is in the EEA, and the delivery promise, from
 * the one corridor table (src/lib/policy.c). The web client builds its
 * country list from this, so the table is the only place they are named.
 */

#include "drop.h"

static int	corridors_start(struct drop_ctx *);

static const struct drop_method corridors_methods[] = {
	{ .method = HTTP_METHOD_GET, .flags = DROP_RL_RATES,
	    .start = corridors_start },
	{ .method = 0 }
};

static const struct drop_route corridors_route = {
	.name = "corridors",
	.methods = corridors_methods,
};

DROP_ROUTE(api_corridors, corridors_route);

static int
corridors_start(struct drop_ctx *ctx)
{
	const struct drop_policy	*policy;
	const struct drop_corridor	*c;
	json_t				*list, *item;
	int				 i, days;

	policy = drop_policy("remittance");
	list = json_array();
	for (i = 0; (c = drop_corridor_at(i)) != NULL; i++) {
		item = json_object();
		json_object_set_new(item, "country", json_string(c->country));
		json_object_set_new(item, "currency", json_string(c->currency));
		json_object_set_new(item, "eea", json_boolean(c->eea));
		json_object_set_new(item, "delivery", json_string(
		    drop_policy_delivery(policy, c->country, &days)));
		json_object_set_new(item, "deliveryDays", json_integer(days));
		json_array_append_new(list, item);
	}

	return (drop_reply(ctx, 200, list));
}
