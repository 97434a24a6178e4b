# Drop backend. `make run` serves a dev stack; `make test` runs what CI runs.

CC?=		cc
CFLAGS_UNIT=	-std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -Isrc \
		$(shell pkg-config --cflags check 2>/dev/null)
LIBS_UNIT=	$(shell pkg-config --libs check 2>/dev/null) -ljwt -ljansson \
		-lcrypto -lqrencode -lm
PURE_SRC=	src/ids.c src/text.c src/money.c src/jwt.c src/cookie.c \
		src/bank_sandbox.c src/sqlstate.c src/cursor.c \
		src/policy.c src/mask.c src/qrsvg.c src/issuer_sandbox.c
UNIT_SRC=	$(wildcard tests/unit/*.c)

.PHONY: all build asan prod db run test unit bench faults lint-openapi clean \
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

test:
	sh scripts/test.sh

build/unit/drop_unit: $(PURE_SRC) $(UNIT_SRC) src/pure.h src/bank.h src/issuer.h \
		tests/unit/unit.h
	mkdir -p build/unit
	$(CC) $(CFLAGS_UNIT) -o $@ $(UNIT_SRC) $(PURE_SRC) $(LIBS_UNIT)

unit: build/unit/drop_unit
	./build/unit/drop_unit

bench:
	sh scripts/bench.sh

faults:
	sh scripts/faults.sh

lint-openapi:
	sh scripts/lint-openapi.sh

clean:
	rm -rf build

distclean: clean
	rm -rf var
