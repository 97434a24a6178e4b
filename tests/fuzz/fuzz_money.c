/*
 * Money text (drop_money_parse, drop_json_raw_member): never a crash, and
 * every amount parsed prints back to text that parses to the same øre.
 */

#include "fuzz.h"
#include "lib.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s, raw[64], printed[64];
	int64_t		 ore, again;
	size_t		 len;

	s = fuzz_text(data, size, &len);
	if (drop_money_parse(s, &ore) == 0) {
		FUZZ_CHECK(drop_money_format(ore, printed, sizeof(printed)) == 0);
		FUZZ_CHECK(drop_money_parse(printed, &again) == 0);
		FUZZ_CHECK(again == ore);
	}
	/* The same bytes as a request body with an "amount" member. */
	if (drop_json_raw_member(s, len, "amount", raw, sizeof(raw)) == 0)
		FUZZ_CHECK(strlen(raw) < sizeof(raw));
	free(s);

	return (0);
}
