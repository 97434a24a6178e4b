# Shared shell functions for run.sh and test.sh (sourced, POSIX sh).

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PACKAGES="kore libjansson-dev libjwt-dev check libcrypt-dev libpq-dev
libssl-dev postgresql postgresql-contrib openssl pkg-config libsubunit-dev
python3 curl gcc make procps libqrencode-dev zbar-tools librsvg2-bin
python3-yaml python3-jsonschema python3-pytest libcurl4-openssl-dev"

# Debian's Python, which the Debian packages above install for.
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=python3

log() { printf '%s\n' "drop: $*" >&2; }
die() { log "$*"; exit 1; }

# Installs the Debian packages that are missing (needs root the first time).
need_packages() {
	missing=""
	for p in $PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
		    grep -q "install ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	[ "$(id -u)" = 0 ] || die "missing packages:$missing (run as root once)"
	log "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -qq $missing >/dev/null
}

# VAR, PGDIR, PGPORT of the development stack (make run, make db).
dev_stack_vars() {
	VAR=${DROP_VAR_DIR:-$ROOT/var}
	case $VAR in /*) ;; *) VAR=$ROOT/$VAR ;; esac
	PGDIR=$VAR/pg
	PGPORT=${DROP_PG_PORT:-55432}
}

# The stack's database, migrated and seeded, with certificate and secrets.
stack_prepare() {
	pg_setup "$PGDIR" "$PGPORT"
	migrate
	seed
	make_cert "$1/tls"
	export_runtime_env "$1"
	operator_first "$1"
	sanctions_first
}

# A database with no sanctions list gets the sample (docs/sanctions.md:
# production loads the official lists with scripts/sanctions.sh).
sanctions_first() {
	n=$(psql_owner -tAc "SELECT count(*) FROM sanctions_loads") ||
	    die "cannot count sanctions loads"
	[ "$n" = 0 ] || return 0
	sanctions_load "$ROOT/data/sanctions/sample.csv" install
	log "sanctions list: the sample of data/sanctions/sample.csv"
}

# owner_db: psql_owner reaches the database libpq's environment names
# (PGHOST set: production) or the development stack's, started for the
# step if it is not running (stopped again on exit).
owner_db() {
	if [ -n "${PGHOST:-}" ]; then
		psql_owner() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
		return 0
	fi
	dev_stack_vars
	[ -f "$PGDIR/data/PG_VERSION" ] ||
	    die "no database under $PGDIR: run make run or make db first"
	if [ ! -f "$PGDIR/data/postmaster.pid" ]; then
		pg_start "$PGDIR" "$PGPORT"
		trap 'pg_stop "$PGDIR"' EXIT
	fi
}

# operator_add NAME ROLE BY: a new operator of the internal API, audited
# as made by BY; its credential goes to standard output, the only copy
# (the database keeps its SHA-256).
operator_add() {
	op_hex=$(openssl rand -hex 8)
	op_secret=$(openssl rand -base64 32 | tr -- '+/' '-_' | tr -d '=\n')
	op_token="do_${op_hex}_${op_secret}"
	op_hash=$(printf '%s' "$op_token" | sha256sum | cut -c1-64)
	psql_owner -v name="$1" -v role="$2" -v by="$3" -v id="opr_$op_hex" \
	    -v hash="$op_hash" >/dev/null <<'SQL' || return 1
BEGIN;
INSERT INTO operators (id, name, role, token_hash, created_by)
    VALUES (:'id', :'name', :'role', :'hash', :'by');
INSERT INTO audit_log (actor, action, entity, entity_id, after)
    VALUES (:'by', 'operator.create', 'operator', :'id',
    jsonb_build_object('name', :'name', 'role', :'role'));
COMMIT;
SQL
	printf '%s\n' "$op_token"
}

# operator_disable NAME BY: the operator's credential stops working.
operator_disable() {
	psql_owner -v name="$1" -v by="$2" -tA <<'SQL'
WITH d AS (UPDATE operators SET disabled_at = now() WHERE name = :'name'
    AND disabled_at IS NULL RETURNING id)
INSERT INTO audit_log (actor, action, entity, entity_id)
    SELECT :'by', 'operator.disable', 'operator', id FROM d RETURNING 1;
SQL
}

# sanctions_load FILE BY: the sanctions list replaced by FILE's (CSV:
# id,name,aliases,country,listed_on,source; aliases split by |), in one
# transaction, recorded and audited as loaded by BY.
sanctions_load() {
	sum=$(sha256sum "$1" | cut -c1-64)
	psql_owner -v file="$(basename "$1")" -v sum="$sum" -v by="$2" \
	    >/dev/null <<SQL || die "cannot load the sanctions list $1"
BEGIN;
CREATE TEMP TABLE s (id text, name text, aliases text, country text,
    listed_on date, source text) ON COMMIT DROP;
\copy s FROM '$1' WITH (FORMAT csv, HEADER true)
DELETE FROM sanctions_entries;
INSERT INTO sanctions_entries (id, name, country, listed_on, source)
    SELECT id, name, nullif(country, ''), listed_on, source FROM s;
INSERT INTO sanctions_names (entry_id, name, norm)
    SELECT id, n, drop_name_norm(n) FROM s, LATERAL unnest(array[name] ||
    coalesce(string_to_array(nullif(aliases, ''), '|'), '{}')) n
    WHERE drop_name_norm(n) <> '';
INSERT INTO sanctions_loads (file, sha256, entries, names, loaded_by)
    SELECT :'file', :'sum', (SELECT count(*) FROM sanctions_entries),
    (SELECT count(*) FROM sanctions_names), :'by';
INSERT INTO audit_log (actor, action, entity, entity_id, after)
    SELECT :'by', 'sanctions.load', 'sanctions_list', :'sum',
    jsonb_build_object('file', :'file', 'entries', entries)
    FROM sanctions_loads ORDER BY id DESC LIMIT 1;
COMMIT;
SQL
}

# At install (a database with no operator): the first one, an admin
# named admin, its credential in DIR/secrets/operator_admin.
operator_first() {
	n=$(psql_owner -tAc "SELECT count(*) FROM operators") ||
	    die "cannot count operators"
	[ "$n" = 0 ] || return 0
	mkdir -p "$1/secrets"
	(umask 077; operator_add admin admin install \
	    >"$1/secrets/operator_admin") ||
	    die "cannot make the first operator"
	log "first operator: admin, credential in $1/secrets/operator_admin"
}

pg_bindir() {
	ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1
}

# Runs a PostgreSQL tool as the cluster owner (postgres refuses root).
as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

# pg_dirs DIR: a cluster's directory and its socket's, owned by postgres
# when root; Kore's unprivileged workers connect through the socket (they
# may pass through the cluster's directory, not list it).
pg_dirs() {
	mkdir -p "$1/run"
	[ "$(id -u)" = 0 ] || return 0
	chown postgres:postgres "$1" "$1/run"
	chmod 711 "$1"
	chmod 755 "$1/run"
}

# pg_setup DIR PORT: a private cluster under DIR, socket only, started.
pg_setup() {
	dir=$1 port=$2 bin=$(pg_bindir)
	[ -n "$bin" ] || die "PostgreSQL binaries not found"
	pg_dirs "$dir"
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		log "initdb in $dir/data"
		as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust \
		    -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
		    die "initdb failed, see $dir/initdb.log"
	fi
	pg_start "$dir" "$port"
	pg_roles
}

# Two roles: drop_owner owns the schema and runs migrations; drop, the
# role the server connects as, may only read and write rows (grants.sql).
pg_roles() {
	for r in drop drop_owner; do
		psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$r'" |
		    grep -q 1 || psql_admin -qc "CREATE ROLE $r LOGIN"
	done
	psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = 'drop'" |
	    grep -q 1 || psql_admin -qc "CREATE DATABASE drop OWNER drop_owner"
	# A database made before the two roles belonged to drop: hand it over.
	if psql_admin -tAc "SELECT 1 FROM pg_database d JOIN pg_roles r ON
	    r.oid = d.datdba WHERE d.datname = 'drop' AND r.rolname = 'drop'" |
	    grep -q 1; then
		log "handing the database to drop_owner"
		psql_admin -qc "ALTER DATABASE drop OWNER TO drop_owner" &&
		    psql_admin -d drop -qc "REASSIGN OWNED BY drop TO drop_owner" ||
		    die "cannot hand the database to drop_owner"
	fi
}

pg_start() {
	dir=$1 port=$2 bin=$(pg_bindir)
	as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 \
	    -o "-p $port -k $dir/run -c listen_addresses='' -c max_connections=200 -c fsync=${DROP_PG_FSYNC:-on}" \
	    start >/dev/null || die "PostgreSQL did not start, see $dir/postgres.log"
}

pg_stop() {
	dir=$1 bin=$(pg_bindir)
	[ -f "$dir/data/postmaster.pid" ] || return 0
	as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

psql_admin() {
	psql -X -q -h "$PGDIR/run" -p "$PGPORT" -U postgres -d postgres "$@"
}

psql_drop() {
	PGOPTIONS="-c client_min_messages=warning" \
	    psql -X -q -v ON_ERROR_STOP=1 -h "$PGDIR/run" -p "$PGPORT" -U drop \
	    -d drop "$@"
}

# As the schema's owner: migrations, functions, grants, seed, population.
psql_owner() {
	PGOPTIONS="-c client_min_messages=warning" \
	    psql -X -q -v ON_ERROR_STOP=1 -h "$PGDIR/run" -p "$PGPORT" \
	    -U drop_owner -d drop "$@"
}

# Migrations once each (recorded), then functions, views and the server
# role's grants every time, all as the owner.
migrate() {
	psql_owner -c "CREATE TABLE IF NOT EXISTS schema_migrations (
	    version text PRIMARY KEY,
	    applied_at timestamptz NOT NULL DEFAULT now())" >/dev/null
	for f in "$ROOT"/sql/migrations/*.sql; do
		v=$(basename "$f" .sql)
		done_v=$(psql_owner -tAc \
		    "SELECT 1 FROM schema_migrations WHERE version = '$v'")
		[ "$done_v" = 1 ] && continue
		log "migrating $v"
		{ echo "BEGIN;"; cat "$f";
		  echo "INSERT INTO schema_migrations (version) VALUES ('$v');";
		  echo "COMMIT;"; } | psql_owner >/dev/null ||
		    die "migration $v failed"
	done
	for f in "$ROOT"/sql/functions/*.sql; do
		psql_owner -f "$f" >/dev/null || die "$f failed"
	done
	psql_owner -f "$ROOT/sql/grants.sql" >/dev/null || die "grants failed"
}

seed() {
	psql_owner -f "$ROOT/sql/seed.sql" >/dev/null || die "seed failed"
}

# A self-signed certificate for localhost and 127.0.0.1.
make_cert() {
	dir=$1
	[ -f "$dir/cert.pem" ] && [ -f "$dir/key.pem" ] && return 0
	mkdir -p "$dir"
	openssl req -x509 -newkey rsa:2048 -nodes -days 825 \
	    -keyout "$dir/key.pem" -out "$dir/cert.pem" -subj "/CN=localhost" \
	    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
	    >/dev/null 2>&1 || die "openssl could not make a certificate"
	chmod 600 "$dir/key.pem"
}

# A secret file of 48 random bytes (base64) unless it exists.
make_secret() {
	[ -s "$1" ] && return 0
	mkdir -p "$(dirname "$1")"
	(umask 077; openssl rand -base64 48 | tr -d '\n' >"$1")
}

# Started by root, Kore's workers and key manager run as this user (Kore's
# privilege separation; no chroot: they reach PostgreSQL's socket).
KORE_USER=${DROP_KORE_USER:-drop-run}

# The flags Kore starts with: -r (keep the user) only when not root.
kore_flags() {
	if [ "$(id -u)" = 0 ]; then echo "-fnc"; else echo "-fnrc"; fi
}

# As root: the user exists and owns the TLS key its key manager reads.
kore_user_ready() {
	[ "$(id -u)" = 0 ] || return 0
	id "$KORE_USER" >/dev/null 2>&1 ||
	    useradd --system --no-create-home --home-dir /nonexistent \
	    --shell /usr/sbin/nologin "$KORE_USER" ||
	    die "cannot create the user $KORE_USER"
	[ ! -f "$1/tls/key.pem" ] || chown "$KORE_USER" "$1/tls/key.pem"
}

# render_conf SO VAR OUT: kore.conf with this run's ports, paths and TLS.
render_conf() {
	so=$1 var=$2 out=$3
	sed -e "s|^\([[:space:]]*bind[[:space:]]*\)127.0.0.1 8443|\1${DROP_HTTPS_HOST:-127.0.0.1} ${DROP_HTTPS_PORT:-8443}|" \
	    -e "s|^\([[:space:]]*bind[[:space:]]*\)127.0.0.1 8444|\1127.0.0.1 ${DROP_INTERNAL_PORT:-8444}|" \
	    -e "0,/tls yes/s|tls yes|tls ${DROP_PUBLIC_TLS:-yes}|" \
	    -e "s|^load.*|load		$so init|" \
	    -e "s|conf/dh2048.pem|$ROOT/conf/dh2048.pem|" \
	    -e "s|var/|$var/|g" \
	    "$ROOT/kore.conf" >"$out"
	# make bench: the trivial handler, before the catch-all route.
	if [ "${DROP_BENCH:-no}" = yes ]; then
		sed -i '0,/route \^\/\.\*\$/s||route /api/bench/ping api_bench_ping\n\t&|' "$out"
	fi
	# Logs every syscall the worker sandbox would refuse (see README).
	if [ "${DROP_SECCOMP_TRACING:-no}" = yes ]; then
		echo "seccomp_tracing yes" >>"$out"
	fi
	if [ "$(id -u)" = 0 ]; then
		kore_user_ready "$var"
		printf 'runas\t\t%s\nkeymgr_runas\t%s\n' "$KORE_USER" \
		    "$KORE_USER" >>"$out"
	fi
}

# instance_conf SO VAR OUT PUB INT: kore.conf of one instance behind a
# balancer: the public listener in plain HTTP on PUB, the internal one on
# INT, a pidfile of its own beside OUT.
instance_conf() {
	DROP_PUBLIC_TLS=no DROP_HTTPS_PORT=$4 DROP_INTERNAL_PORT=$5 \
	    render_conf "$1" "$2" "$3"
	sed -i "s|^pidfile.*|pidfile			${3%.conf}.pid|" "$3"
}

# The environment the module reads (see README, Configuration).
export_runtime_env() {
	var=$1
	export DROP_PG_HOST="$PGDIR/run" DROP_PG_PORT="$PGPORT"
	export DROP_PG_DB=drop DROP_PG_USER=drop
	if [ -z "${DROP_JWT_SECRET:-}" ]; then
		make_secret "$var/secrets/jwt_secret"
		export DROP_JWT_SECRET_FILE="$var/secrets/jwt_secret"
	fi
	if [ -z "${DROP_BANK_CALLBACK_SECRET:-}" ]; then
		make_secret "$var/secrets/bank_callback_secret"
		export DROP_BANK_CALLBACK_SECRET_FILE="$var/secrets/bank_callback_secret"
	fi
	if [ -z "${DROP_DATA_KEY:-}" ]; then
		make_secret "$var/secrets/data_key"
		export DROP_DATA_KEY_FILE="$var/secrets/data_key"
	fi
}

# bank_exec DIR PORT: the sandbox bank (sandbox/bank/) in the foreground,
# its ledger in DIR/bank, the stack's certificate and callback secret.
bank_exec() {
	mkdir -p "$1/bank"
	cd "$ROOT/sandbox/bank"
	BANK_PORT=$2 BANK_DB="$1/bank/bank.db" BANK_CERT="$1/tls/cert.pem" \
	BANK_KEY="$1/tls/key.pem" BANK_CALLBACK_CA="$1/tls/cert.pem" \
	BANK_CALLBACK_SECRET="${DROP_BANK_CALLBACK_SECRET:-}" \
	BANK_CALLBACK_SECRET_FILE="$1/secrets/bank_callback_secret" \
	BANK_PUBLIC_URL="https://127.0.0.1:$2" \
	    exec "$PYTHON" "$ROOT/sandbox/bank/bank.py"
}

# bank_start DIR PORT: the same in the background (BANK_PID), answering.
bank_start() {
	mkdir -p "$1/bank"
	(bank_exec "$1" "$2") >>"$1/bank/bank.log" 2>&1 &
	BANK_PID=$!
	i=0
	until curl -ks -o /dev/null "https://127.0.0.1:$2/sandbox/health"; do
		i=$((i + 1))
		[ $i -lt 150 ] || die "the sandbox bank did not start, see $1/bank/bank.log"
		sleep 0.1
	done
	export DROP_BANK_URL="https://127.0.0.1:$2"
	export DROP_BANK_CA_FILE="$1/tls/cert.pem"
}

# smtp_start DIR PORT: the SMTP sink (sandbox/smtp/) in the background
# (SMTP_PID), keeping every message in DIR/mail; Drop sends to it.
smtp_start() {
	mkdir -p "$1/mail"
	SMTP_PORT=$2 SMTP_DIR="$1/mail" "$PYTHON" "$ROOT/sandbox/smtp/sink.py" \
	    >>"$1/mail/sink.log" 2>&1 &
	SMTP_PID=$!
	i=0
	until "$PYTHON" -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1).close()" "$2" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 100 ] || die "the SMTP sink did not start, see $1/mail/sink.log"
		sleep 0.1
	done
	export DROP_SMTP_URL="smtp://127.0.0.1:$2"
}

smtp_stop() {
	[ -n "${SMTP_PID:-}" ] || return 0
	kill "$SMTP_PID" 2>/dev/null || true
	wait "$SMTP_PID" 2>/dev/null || true
	SMTP_PID=""
}

bank_stop() {
	[ -n "${BANK_PID:-}" ] || return 0
	kill "$BANK_PID" 2>/dev/null || true
	wait "$BANK_PID" 2>/dev/null || true
	BANK_PID=""
}

# The sanitizer runtimes go first; libcrypt too, or ASan's crypt_r
# interceptor finds no real function (drop.so is loaded with dlopen).
asan_env() {
	libs="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so):$(gcc -print-file-name=libcrypt.so.1)"
	echo "LD_PRELOAD=$libs ASAN_OPTIONS=detect_leaks=0:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1"
}

# haproxy_conf DIR PUBLIC_PORT INTERNAL_PORT "PUB:INT ..." OUT NAME
# "NAME:PORT ...": the balancer NAME of conf/haproxy.cfg for instances
# listening on those loopback ports, one of the peers listed (each on its
# loopback port); its TLS from DIR/tls (HAProxy wants certificate and key
# in one file), its stats socket DIR/haproxy-NAME.sock. Each instance
# serves twice: checked on /api/health, and unchecked as a backup for
# when none is ready.
haproxy_conf() {
	(umask 077; cat "$1/tls/cert.pem" "$1/tls/key.pem" >"$1/tls/haproxy.pem")
	pub="" int="" bak="" peers="" n=0
	for peer in $7; do
		peers="$peers	peer ${peer%%:*} 127.0.0.1:${peer##*:}\n"
	done
	for pair in $4; do
		n=$((n + 1))
		pub="$pub	server drop$n 127.0.0.1:${pair%%:*} check\n"
		bak="$bak	server drop${n}_any 127.0.0.1:${pair%%:*} backup\n"
		int="$int	server drop$n 127.0.0.1:${pair##*:} check\n"
	done
	trusted=$(echo "${DROP_TRUSTED_PROXIES:-}" | tr ',' ' ')
	[ -n "$trusted" ] || trusted=0.0.0.0/32
	glob=""
	[ "$(id -u)" != 0 ] || glob="	user haproxy\n	group haproxy"
	awk -v dir="$1" -v pubport="$2" -v intport="$3" -v pem="$1/tls/haproxy.pem" \
	    -v trusted="$trusted" -v pub="$pub$bak" -v intl="$int" -v glob="$glob" \
	    -v name="$6" -v peers="$peers" '
	    /^@GLOBAL@$/ { printf "%s\n", glob; next }
	    /^@PUBLIC_SERVERS@$/ { printf "%s", pub; next }
	    /^@INTERNAL_SERVERS@$/ { printf "%s", intl; next }
	    /^@PEERS@$/ { printf "%s", peers; next }
	    { gsub(/@DIR@/, dir); gsub(/@PUBLIC_PORT@/, pubport); gsub(/@NAME@/, name);
	      gsub(/@INTERNAL_PORT@/, intport); gsub(/@PEM@/, pem);
	      gsub(/@TRUSTED@/, trusted); print }' "$ROOT/conf/haproxy.cfg" >"$5"
	[ "$(id -u)" != 0 ] || chown haproxy "$1/tls/haproxy.pem" 2>/dev/null || true
	haproxy -q -c -f "$5" || die "HAProxy refuses $5"
}

# standby_setup PRIMARY_DIR PRIMARY_PORT DIR PORT: a hot standby of the
# primary under DIR, fed by streaming replication (pg_basebackup, once),
# started; then the primary commits only what the standby has flushed
# (synchronous_standby_names), so a failover loses no acknowledged
# payment. Set after the copy: the standby, once promoted, commits alone.
standby_setup() {
	bin=$(pg_bindir)
	pg_dirs "$3"
	if [ ! -f "$3/data/PG_VERSION" ]; then
		log "pg_basebackup of $1 into $3/data"
		as_pg "$bin/pg_basebackup" -h "$1/run" -p "$2" -U postgres \
		    -D "$3/data" -R -X stream -c fast >"$3/basebackup.log" 2>&1 ||
		    die "pg_basebackup failed, see $3/basebackup.log"
		# Copied from the primary: promoted alone, it must not wait.
		as_pg sed -i '/^synchronous_standby_names/d' \
		    "$3/data/postgresql.auto.conf"
	fi
	pg_start "$3" "$4"
	psql -X -q -h "$1/run" -p "$2" -U postgres -d postgres \
	    -c "ALTER SYSTEM SET synchronous_standby_names = '*'" \
	    -c "SELECT pg_reload_conf()" >/dev/null ||
	    die "cannot make the standby synchronous"
}
