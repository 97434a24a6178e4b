# Drop backend. `make run` serves a dev stack; `make test` runs what CI runs.

CC?=		cc
# src/lib/ is compiled where <kore/...> finds only a poisoned header and
# no core or api header is on the path: it proves lib/ includes neither.
CFLAGS_UNIT=	-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g \
		-Itests/unit/nokore -Isrc/lib \
		$(shell pkg-config --cflags check 2>/dev/null)
LIBS_UNIT=	$(shell pkg-config --libs check 2>/dev/null) -ljwt -ljansson \
		-lcrypto -lqrencode -lm
LIB_SRC=	$(wildcard src/lib/*.c)
LIB_HDR=	$(wildcard src/lib/*.h)
UNIT_SRC=	$(wildcard tests/unit/*.c)

.PHONY: all build asan prod db run cluster test unit bench faults fuzz lint-openapi clean \
		operator \
		distclean

all: build

build:
	sh scripts/build.sh dev

asan:
	sh scripts/build.sh asan

prod:
	sh scripts/build.sh prod

db:
	sh scripts/db.sh

run:
	sh scripts/run.sh

# HAProxy, two instances, a primary and a standby (docs/deployment.md).
cluster:
	sh scripts/cluster.sh

test:
	sh scripts/test.sh

build/unit/drop_unit: $(LIB_SRC) $(LIB_HDR) $(UNIT_SRC) tests/unit/unit.h
	mkdir -p build/unit
	$(CC) $(CFLAGS_UNIT) -o $@ $(UNIT_SRC) $(LIB_SRC) $(LIBS_UNIT)

unit: build/unit/drop_unit
	./build/unit/drop_unit

bench:
	sh scripts/bench.sh

# make operator NAME=alice ROLE=support: a named operator, credential once.
operator:
	sh scripts/operator.sh add "$(NAME)" "$(ROLE)"

faults:
	sh scripts/faults.sh

fuzz:
	sh scripts/fuzz.sh

lint-openapi:
	sh scripts/lint-openapi.sh

clean:
	rm -rf build

distclean: clean
	rm -rf var
