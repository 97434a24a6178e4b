#!/bin/sh
# make run: packages, build, private PostgreSQL under var/, migrations,
# seed data, dev certificate, then Kore in the foreground.
set -eu
. "$(dirname "$0")/lib.sh"

dev_stack_vars
FLAVOR=${DROP_FLAVOR:-dev}
scheme=https
[ "${DROP_PUBLIC_TLS:-yes}" = yes ] || scheme=http
WEB_URL="$scheme://${DROP_HTTPS_HOST:-127.0.0.1}:${DROP_HTTPS_PORT:-8443}/"
# Shop QR codes link to the web client's pay page at this origin.
export DROP_PUBLIC_URL="${DROP_PUBLIC_URL:-${WEB_URL%/}}"
# A developer's webhook receiver runs on this machine (never in production).
export DROP_WEBHOOK_ALLOW_LOOPBACK="${DROP_WEBHOOK_ALLOW_LOOPBACK:-yes}"
log "web client:   $WEB_URL (starting; dev certificate is self-signed)"

need_packages
sh "$ROOT/scripts/build.sh" "$FLAVOR"
mkdir -p "$VAR"
KPID=""
stop_all() {
	trap - EXIT INT TERM
	if [ -n "$KPID" ]; then
		kill -TERM "$KPID" 2>/dev/null || true
		wait "$KPID" 2>/dev/null || true
	fi
	bank_stop
	smtp_stop
	pg_stop "$PGDIR"
	log "stopped"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

stack_prepare "$VAR"
BANK_PORT=${DROP_BANK_PORT:-8445}
# The sandbox bank unless a real one is configured.
if [ -z "${DROP_BANK_URL:-}" ]; then
	bank_start "$VAR" "$BANK_PORT"
	BANK_NOTE="sandbox bank: https://127.0.0.1:$BANK_PORT (ledger: /sandbox/ledger)"
else
	BANK_NOTE="bank:         $DROP_BANK_URL"
fi
# The SMTP sink unless a real relay is configured.
if [ -z "${DROP_SMTP_URL:-}" ]; then
	smtp_start "$VAR" "${DROP_SMTP_PORT:-2525}"
	MAIL_NOTE="e-mail:       every message Drop sends is kept in $VAR/mail/ (the SMTP sink)"
else
	MAIL_NOTE="e-mail:       through $DROP_SMTP_URL"
fi
render_conf "$ROOT/build/$FLAVOR/drop/drop.so" "$VAR" "$VAR/kore.conf"

log "web client:   $WEB_URL"
log "public API:   ${WEB_URL}api/health (reference: ${WEB_URL}api/openapi.yaml)"
log "internal API: http://127.0.0.1:${DROP_INTERNAL_PORT:-8444}/internal/"
log "operator:     admin, credential in $VAR/secrets/operator_admin (the first; make operator adds more)"
log "$BANK_NOTE"
log "$MAIL_NOTE"
log "demo login:   demo@drop.example / DemoPass123"

cd "$ROOT"
kore $(kore_flags) "$VAR/kore.conf" &
KPID=$!
wait "$KPID" || true
KPID=""
