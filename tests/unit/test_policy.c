/* Money policy and corridors: every boundary, and display matching charge. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib.h"
#include "issuer.h"
#include "unit.h"

START_TEST(remittance_boundaries)
{
	const struct drop_policy	*p;

	ck_assert_ptr_nonnull(p = drop_policy("remittance"));
	ck_assert(!drop_policy_amount_ok(p, 9999));
	ck_assert(drop_policy_amount_ok(p, 10000));
	ck_assert(drop_policy_amount_ok(p, 5000000));
	ck_assert(!drop_policy_amount_ok(p, 5000001));
	/* 0.5 %, half-up: 100.00 -> 0.50; 100.99 -> 0.505 -> 0.51. */
	ck_assert_int_eq(drop_policy_fee(p, 10000), 50);
	ck_assert_int_eq(drop_policy_fee(p, 10099), 50);
	ck_assert_int_eq(drop_policy_fee(p, 10100), 51);
	ck_assert_int_eq(drop_policy_fee(p, 5000000), 25000);
}
END_TEST

START_TEST(qr_boundaries)
{
	const struct drop_policy	*p;

	ck_assert_ptr_nonnull(p = drop_policy("qr_payment"));
	ck_assert(!drop_policy_amount_ok(p, 99));
	ck_assert(drop_policy_amount_ok(p, 100));
	ck_assert(drop_policy_amount_ok(p, 10000000));
	ck_assert(!drop_policy_amount_ok(p, 10000001));
	ck_assert_int_eq(drop_policy_fee(p, 100), 1);
	ck_assert_int_eq(drop_policy_fee(p, 149), 1);
	ck_assert_int_eq(drop_policy_fee(p, 150), 2);
	ck_assert_int_eq(drop_policy_fee(p, 10000000), 100000);
	ck_assert_ptr_null(drop_policy("wallet"));
	ck_assert_ptr_null(drop_policy(NULL));
}
END_TEST

/* What users are shown is exactly what is charged. */
START_TEST(display_matches_charge)
{
	const char	*types[] = { "remittance", "qr_payment" };
	const struct drop_policy *p;
	size_t		 i;

	for (i = 0; i < 2; i++) {
		p = drop_policy(types[i]);
		ck_assert(p->fee_percent * 100 == (double)p->fee_bp);
		ck_assert(drop_policy_fee_fraction(p) * 10000 ==
		    (double)p->fee_bp);
	}
	ck_assert(drop_policy("remittance")->fee_percent == 0.5);
	ck_assert(drop_policy("qr_payment")->fee_percent == 1.0);
}
END_TEST

START_TEST(corridors_and_delivery)
{
	const struct drop_policy	*rem, *qr;
	char				 buf[64];
	int				 days;

	rem = drop_policy("remittance");
	qr = drop_policy("qr_payment");
	ck_assert_str_eq(drop_corridor("RS")->currency, "RSD");
	ck_assert_str_eq(drop_corridor("PL")->currency, "PLN");
	ck_assert(drop_corridor("PL")->eea);
	ck_assert(!drop_corridor("TR")->eea);
	ck_assert_ptr_null(drop_corridor("NO"));
	ck_assert_ptr_null(drop_corridor("rs"));
	ck_assert_str_eq(drop_policy_delivery(rem, "PL", &days),
	    "1-2 business days");
	ck_assert_int_eq(days, 2);
	ck_assert_str_eq(drop_policy_delivery(rem, "PK", &days),
	    "2-4 business days");
	ck_assert_int_eq(days, 4);
	ck_assert_str_eq(drop_policy_delivery(qr, NULL, NULL), "Instant");
	ck_assert_int_eq(drop_corridor_list(buf, sizeof(buf), ", ", 0), 0);
	ck_assert_str_eq(buf, "RS, BA, PL, PK, TR");
	ck_assert_int_eq(drop_corridor_list(buf, sizeof(buf), ",", 1), 0);
	ck_assert_str_eq(buf, "PL");
	ck_assert_int_eq(drop_corridor_list(buf, 5, ", ", 0), -1);
}
END_TEST

/* The table walked by index: every corridor once, then NULL. */
START_TEST(corridors_by_index)
{
	char	buf[64];
	size_t	off;
	int	i;

	buf[0] = '\0';
	for (i = 0, off = 0; drop_corridor_at(i) != NULL; i++) {
		ck_assert_ptr_eq(drop_corridor_at(i),
		    drop_corridor(drop_corridor_at(i)->country));
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%s",
		    i > 0 ? ", " : "", drop_corridor_at(i)->country);
	}
	ck_assert_int_eq(i, 5);
	ck_assert_str_eq(buf, "RS, BA, PL, PK, TR");
	ck_assert_ptr_null(drop_corridor_at(-1));
	ck_assert_ptr_null(drop_corridor_at(i));
}
END_TEST

START_TEST(card_mask)
{
	char	out[DROP_CARD_MASK_LEN];

	ck_assert_int_eq(drop_card_mask("1234", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "**** **** **** 1234");
	ck_assert_int_eq(drop_card_mask("123", out, sizeof(out)), -1);
	ck_assert_int_eq(drop_card_mask("12345", out, sizeof(out)), -1);
	ck_assert_int_eq(drop_card_mask("12a4", out, sizeof(out)), -1);
	ck_assert_int_eq(drop_card_mask(NULL, out, sizeof(out)), -1);
	ck_assert_int_eq(drop_card_mask("1234", out, 19), -1);
}
END_TEST

START_TEST(short_names)
{
	char	out[64];

	ck_assert_int_eq(drop_short_name("Jane", "Doe", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "Jane D.");
	ck_assert_int_eq(drop_short_name("Åse", "Øvrebø", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "Åse Ø.");
	ck_assert_int_eq(drop_short_name("Jane", "", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "Jane");
	ck_assert_int_eq(drop_short_name("Jane", "Doe", out, 7), -1);
}
END_TEST

START_TEST(pins_and_pans)
{
	ck_assert(drop_valid_pin("0000"));
	ck_assert(drop_valid_pin("1234"));
	ck_assert(!drop_valid_pin("123"));
	ck_assert(!drop_valid_pin("12345"));
	ck_assert(!drop_valid_pin("12a4"));
	ck_assert(!drop_valid_pin("１２３４"));
	ck_assert(!drop_valid_pin(NULL));
	ck_assert(!drop_has_card_number("card **** **** **** 1234"));
	ck_assert(!drop_has_card_number("123456789012"));
	ck_assert(drop_has_card_number("x4111111111111y"));
	ck_assert(drop_has_card_number("4111111111111111"));
	ck_assert(drop_has_card_number("4111 1111 1111 1111"));
	ck_assert(drop_has_card_number("Storgata 1, 4111-1111-1111-1111 Oslo"));
	ck_assert(!drop_has_card_number("Storgata 12, 0155 Oslo, +47 123 45 678"));
	ck_assert(!drop_has_card_number("4111  1111 1111 1111"));
}
END_TEST

START_TEST(qr_svg)
{
	char	*svg;
	size_t	 len;

	ck_assert_ptr_nonnull(svg = drop_qr_svg(
	    "drop://pay/mer_0123456789abcdef", &len));
	ck_assert_uint_eq(len, strlen(svg));
	ck_assert(strncmp(svg, "<?xml", 5) == 0);
	ck_assert_ptr_nonnull(strstr(svg, "<svg xmlns="));
	ck_assert_ptr_nonnull(strstr(svg, "</svg>"));
	/* The top-left finder pattern starts inside the quiet zone. */
	ck_assert_ptr_nonnull(strstr(svg, "d=\"M4 4h1v1h-1z"));
	free(svg);
	ck_assert_ptr_null(drop_qr_svg("", &len));
	ck_assert_ptr_null(drop_qr_svg(NULL, &len));
}
END_TEST

START_TEST(sandbox_issuer)
{
	struct drop_issued_card	a, b, c;

	ck_assert_int_eq(drop_issuer->issue("card_0123456789abcdef", 0, 2026,
	    11, &a), DROP_ISSUER_OK);
	ck_assert_int_eq(drop_issuer->issue("card_0123456789abcdef", 1, 2026,
	    11, &b), DROP_ISSUER_OK);
	ck_assert_int_eq(drop_issuer->issue("card_fedcba9876543210", 0, 2026,
	    12, &c), DROP_ISSUER_OK);
	/* Deterministic per card id; another id, another card. */
	ck_assert_str_eq(a.token, b.token);
	ck_assert_str_eq(a.last4, b.last4);
	ck_assert_str_ne(a.token, c.token);
	ck_assert_uint_eq(strlen(a.last4), 4);
	ck_assert_uint_eq(strspn(a.last4, "0123456789"), 4);
	ck_assert_str_eq(a.brand, "Visa");
	ck_assert_int_eq(a.expiry_month, 11);
	ck_assert_int_eq(a.expiry_year, 2026 + DROP_CARD_VALID_YEARS);
	ck_assert_int_eq(c.expiry_month, 12);
	ck_assert(!drop_has_card_number(a.token));
	ck_assert_int_eq(drop_issuer->issue("card_x", 0, 2026, 13, &c),
	    DROP_ISSUER_REJECTED);
	ck_assert_int_eq(drop_issuer->freeze(a.token, 1), DROP_ISSUER_OK);
	ck_assert_int_eq(drop_issuer->freeze("tok_other", 1),
	    DROP_ISSUER_REJECTED);
	ck_assert_int_eq(drop_issuer->cancel(a.token), DROP_ISSUER_OK);
	ck_assert_int_eq(drop_issuer->order_physical(a.token,
	    "Storgata 1, Oslo"), DROP_ISSUER_OK);
	ck_assert_int_eq(drop_issuer->order_physical(a.token, "short"),
	    DROP_ISSUER_REJECTED);
	ck_assert_int_eq(drop_issuer->set_pin(a.token, "1234"), DROP_ISSUER_OK);
	ck_assert_int_eq(drop_issuer->set_pin(a.token, "12345"),
	    DROP_ISSUER_REJECTED);
}
END_TEST

Suite *
suite_policy(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("policy");
	tc = tcase_create("core");
	tcase_add_test(tc, remittance_boundaries);
	tcase_add_test(tc, qr_boundaries);
	tcase_add_test(tc, display_matches_charge);
	tcase_add_test(tc, corridors_and_delivery);
	tcase_add_test(tc, corridors_by_index);
	tcase_add_test(tc, card_mask);
	tcase_add_test(tc, short_names);
	tcase_add_test(tc, pins_and_pans);
	tcase_add_test(tc, qr_svg);
	tcase_add_test(tc, sandbox_issuer);
	suite_add_tcase(s, tc);

	return (s);
}
