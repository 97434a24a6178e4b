/*
 * GET /internal/audit (issue 20): the audit log for compliance, newest
 * first, paged; filtered by actor (an operator's id, a user's, install),
 * by target (entityId, with entity) and by days (from, to: Oslo dates,
 * both included).
 */

#include <string.h>

#include "drop.h"

static int	audit_filter(struct drop_ctx *, const char **, const char **);

static const struct drop_colmap audit_map[] = {
	{ "id",			"seq",			DROP_COL_INT },
	{ "actor",		"actor",		DROP_COL_TEXT },
	{ "action",		"action",		DROP_COL_TEXT },
	{ "entity",		"entity",		DROP_COL_TEXT },
	{ "entityId",		"entity_id",		DROP_COL_TEXT },
	{ "before",		"before",		DROP_COL_JSON },
	{ "after",		"after",		DROP_COL_JSON },
	{ "requestId",		"request_id",		DROP_COL_TEXT },
	{ "createdAt",		"created",		DROP_COL_TEXT },
	{ NULL, NULL, 0 }
};

/*
 * $1 (the operator) is no filter; $6-$10 are, each NULL when absent.
 * The cursor's id is aud_ and the row's 16 hex digits: ordered as the
 * numbers are, and the shape the shared cursor carries.
 */
#define AUDIT_WHERE \
    "$1::text IS NOT NULL AND ($6::text IS NULL OR a.actor = $6) AND " \
    "($7::text IS NULL OR a.entity = $7) AND ($8::text IS NULL OR " \
    "a.entity_id = $8) AND ($9::date IS NULL OR a.created_at >= " \
    "($9::date)::timestamp AT TIME ZONE 'Europe/Oslo') AND ($10::date IS " \
    "NULL OR a.created_at < ($10::date + 1)::timestamp AT TIME ZONE " \
    "'Europe/Oslo')"

static const struct drop_list audit_list = {
	.def_limit = 50,
	.max_limit = 200,
	.sql = DROP_PAGE_SQL("page AS (SELECT * FROM (SELECT 'aud_' || "
	    "lpad(to_hex(a.id), 16, '0') AS id, a.id AS seq, a.actor, a.action, a.entity, a.entity_id, "
	    "a.before, a.after, a.request_id, a.created_at FROM audit_log a "
	    "WHERE " AUDIT_WHERE ") x WHERE " DROP_PAGE_AFTER("") ")",
	    "SELECT count(*) FROM audit_log a WHERE " AUDIT_WHERE,
	    "iso(p.created_at) AS created,", ""),
	.filter = audit_filter,
	.map = audit_map,
};

static const char *const audit_query[] = { "actor", "entity", "entityId",
    "from", "to", NULL };

static const struct drop_method audit_methods[] = {
	{ .method = HTTP_METHOD_GET, .ops = DROP_OPS_AUDIT,
	    .query = audit_query, .list = &audit_list },
	{ .method = 0 }
};

static const struct drop_route audit_route = {
	.name = "internal.audit",
	.methods = audit_methods,
};

DROP_ROUTE(internal_audit, audit_route);

/* Each filter the pipeline validated, or NULL. */
static int
audit_filter(struct drop_ctx *ctx, const char **params, const char **sql)
{
	static const char *const names[] = { "actor", "entity", "entityId",
	    "from", "to" };
	size_t		i;

	(void)sql;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		params[i] = drop_query_opt(ctx, names[i]);
	}

	return ((int)i);
}
