#!/bin/sh
# The steps of a throwaway stack that tests/integration/stack.py (the
# pytest session fixture) runs, so the database, migrations, seed data,
# certificate and rendered kore.conf come from the same code as `make run`.
#   stackctl.sh prepare DIR PGPORT        cluster under DIR/pg, migrated, seeded,
#                                         certificate in DIR/tls (left running)
#   stackctl.sh conf FLAVOR DIR OUT       kore.conf for that build, ports from
#                                         DROP_HTTPS_PORT and DROP_INTERNAL_PORT
#   stackctl.sh instance-conf FLAVOR DIR OUT PUB INT   kore.conf of one
#                                         instance behind the balancer
#   stackctl.sh asan-env                  the environment an asan Kore needs
#   stackctl.sh bank DIR PORT             the sandbox bank, in the foreground
#   stackctl.sh smtp DIR PORT             the SMTP sink, in the foreground
#   stackctl.sh operator DIR PGPORT NAME ROLE   a named operator; its
#                                         credential on standard output
#   stackctl.sh standby PDIR PPORT DIR PORT   a hot standby of the cluster
#                                         under PDIR, under DIR (started)
#   stackctl.sh haproxy-conf DIR PUB INT "PUB:INT ..." OUT NAME "NAME:PORT ..."
#                                         balancer NAME of the instances on
#                                         those ports, one of those peers
set -eu
. "$(dirname "$0")/lib.sh"
case ${1:-} in
prepare)
	PGDIR=$2/pg PGPORT=$3
	stack_prepare "$2" >/dev/null
	;;
conf)
	render_conf "$ROOT/build/$2/drop/drop.so" "$3" "$4"
	;;
instance-conf)
	instance_conf "$ROOT/build/$2/drop/drop.so" "$3" "$4" "$5" "$6"
	;;
asan-env)
	asan_env
	;;
bank)
	bank_exec "$2" "$3"
	;;
smtp)
	mkdir -p "$2/mail"
	SMTP_PORT=$3 SMTP_DIR="$2/mail" exec "$PYTHON" "$ROOT/sandbox/smtp/sink.py"
	;;
operator)
	PGDIR=$2/pg PGPORT=$3
	operator_add "$4" "$5" test
	;;
standby)
	standby_setup "$2" "$3" "$4" "$5"
	;;
haproxy-conf)
	haproxy_conf "$2" "$3" "$4" "$5" "$6" "$7" "$8"
	;;
*)
	die "usage: stackctl.sh prepare DIR PGPORT | conf FLAVOR DIR OUT | instance-conf FLAVOR DIR OUT PUB INT | asan-env | bank DIR PORT | smtp DIR PORT | operator DIR PGPORT NAME ROLE | standby PDIR PPORT DIR PORT | haproxy-conf DIR PUB INT PAIRS OUT NAME PEERS"
	;;
esac
