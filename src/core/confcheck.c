/*
 * The start-up check of kore.conf against the route tables, in the parent
 * before any worker starts: Kore is 4.1; every route's handler is a Drop
 * route (DROP_ROUTE); every `validate` names a body field of a method the
 * route serves, or a query argument that method declares; every
 * validator has its failure message. A mistake stops the server with a
 * message that names the line's route and field.
 */

#include <string.h>

#include "drop.h"
#include "kore41.h"

/* The drop_routes linker set (DROP_ROUTE_REF). */
extern const struct drop_route_ref *const __start_drop_routes[];
extern const struct drop_route_ref *const __stop_drop_routes[];

static const struct drop_route_ref *route_ref(const char *);
static void	check_handler(struct kore_module_handle *);
static void	check_param(struct kore_module_handle *,
		    const struct drop_route *, struct kore_handler_params *);
static int	method_reads(const struct drop_method *,
		    struct kore_handler_params *);
static int	name_in(const char *const *, const char *);
static int	check_validator(struct kore_validator *, void *);

void
drop_confcheck(void)
{
	struct kore_server		*srv;
	struct kore_domain		*dom;
	struct kore_module_handle	*hdlr;

	kore41_check_version();
	LIST_FOREACH(srv, &kore_servers, list) {
		TAILQ_FOREACH(dom, &srv->domains, list) {
			TAILQ_FOREACH(hdlr, &dom->handlers, list)
				check_handler(hdlr);
		}
	}
	(void)kore41_validators_each(check_validator, NULL);
}

static const struct drop_route_ref *
route_ref(const char *handler)
{
	const struct drop_route_ref *const	*ref;

	for (ref = __start_drop_routes; ref < __stop_drop_routes; ref++) {
		if (!strcmp((*ref)->handler, handler))
			return (*ref);
	}

	return (NULL);
}

static void
check_handler(struct kore_module_handle *hdlr)
{
	const struct drop_route_ref	*ref;
	struct kore_handler_params	*p;

	if ((ref = route_ref(hdlr->func)) == NULL)
		fatal("kore.conf: route %s: handler %s is not a Drop route "
		    "(declare it with DROP_ROUTE)", hdlr->path, hdlr->func);
	TAILQ_FOREACH(p, &hdlr->params, list) {
		if (ref->route == NULL || ref->route->methods == NULL)
			fatal("kore.conf: params of %s: handler %s reads no "
			    "fields", hdlr->path, hdlr->func);
		check_param(hdlr, ref->route, p);
	}
}

/* Each method the params line names must be served and read the field. */
static void
check_param(struct kore_module_handle *hdlr, const struct drop_route *route,
    struct kore_handler_params *p)
{
	const struct drop_method	*m;
	int				 seen;

	seen = 0;
	for (m = route->methods; m->method != 0; m++) {
		if (!(p->method & m->method))
			continue;
		seen |= m->method;
		if (!method_reads(m, p))
			fatal("kore.conf: params of %s: 'validate %s %s': "
			    "route %s does not read %s %s", hdlr->path,
			    p->name, p->validator->name, route->name,
			    (p->flags & KORE_PARAMS_QUERY_STRING) ?
			    "query argument" : "field", p->name);
	}
	if (seen != p->method)
		fatal("kore.conf: params of %s: 'validate %s %s': route %s "
		    "does not serve every method the params block names",
		    hdlr->path, p->name, p->validator->name, route->name);
}

static int
method_reads(const struct drop_method *m, struct kore_handler_params *p)
{
	const struct drop_field	*f;

	if (p->flags & KORE_PARAMS_QUERY_STRING)
		return (name_in(m->query, p->name) || (m->list != NULL &&
		    name_in(drop_page_args_names, p->name)));
	for (f = m->fields; f != NULL && f->name != NULL; f++) {
		if (!strcmp(f->name, p->name))
			return (1);
	}

	return (0);
}

static int
name_in(const char *const *names, const char *name)
{
	for (; names != NULL && *names != NULL; names++) {
		if (!strcmp(*names, name))
			return (1);
	}

	return (0);
}

static int
check_validator(struct kore_validator *val, void *arg)
{
	(void)arg;
	if (drop_validator_message(val->name) == NULL)
		fatal("kore.conf: validator %s has no failure message "
		    "(add it to src/core/validators.c)", val->name);

	return (0);
}
