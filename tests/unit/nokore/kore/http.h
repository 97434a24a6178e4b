/* Poison: src/lib/ is pure logic and must not include Kore (see Makefile). */
#error "src/lib must not include <kore/http.h>"
