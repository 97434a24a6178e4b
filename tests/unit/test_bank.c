/* Fees, decimal parsing, account numbers, masking, and NextGenPSD2. */

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "bank.h"
#include "lib.h"
#include "unit.h"

START_TEST(fee_rounds_half_up_to_the_ore)
{
	ck_assert_int_eq(drop_fee(10000, 50), 50);	/* 100.00 -> 0.50 */
	ck_assert_int_eq(drop_fee(10001, 50), 50);	/* 50.005 øre -> 50 */
	ck_assert_int_eq(drop_fee(10100, 50), 51);	/* 50.5 øre -> 51 */
	ck_assert_int_eq(drop_fee(10099, 50), 50);	/* 50.495 -> 50 */
	ck_assert_int_eq(drop_fee(33333, 50), 167);	/* 166.665 -> 167 */
	ck_assert_int_eq(drop_fee(5000000, 50), 25000);
	ck_assert_int_eq(drop_fee(12990, 100), 130);	/* 129.90 -> 1.30 */
	ck_assert_int_eq(drop_fee(150, 100), 2);	/* 1.5 øre -> 2 */
	ck_assert_int_eq(drop_fee(149, 100), 1);
}
END_TEST

START_TEST(decimal_text_parses_exactly)
{
	int64_t	v;

	ck_assert_int_eq(drop_money_parse("1170.00", &v), 0);
	ck_assert_int_eq(v, 117000);
	ck_assert_int_eq(drop_money_parse("11.7", &v), 0);
	ck_assert_int_eq(v, 1170);
	ck_assert_int_eq(drop_money_parse("-3", &v), 0);
	ck_assert_int_eq(v, -300);
	ck_assert_int_eq(drop_money_parse("0.050", &v), 0);
	ck_assert_int_eq(v, 5);
	ck_assert_int_eq(drop_money_parse("0.051", &v), -1);
	ck_assert_int_eq(drop_money_parse("", &v), -1);
	ck_assert_int_eq(drop_money_parse("1e5", &v), -1);
	ck_assert_int_eq(drop_money_parse(".5", &v), -1);
	ck_assert_int_eq(drop_money_parse("1234567890123456", &v), -1);
}
END_TEST

START_TEST(mod11_account_numbers)
{
	char	out[12];

	ck_assert(drop_mod11_valid("12345678903", out, sizeof(out)));
	ck_assert_str_eq(out, "12345678903");
	ck_assert(drop_mod11_valid("1234.56.78903", out, sizeof(out)));
	ck_assert_str_eq(out, "12345678903");
	ck_assert(!drop_mod11_valid("12345678904", out, sizeof(out)));
	ck_assert(!drop_mod11_valid("1234.5678903", out, sizeof(out)));
	ck_assert(!drop_mod11_valid("1234-56-78903", out, sizeof(out)));
	ck_assert(!drop_mod11_valid("1234567890", out, sizeof(out)));
	ck_assert(!drop_mod11_valid("a2345678903", out, sizeof(out)));
	/* 0006000000 sums to 12: its check digit would be 10, never valid */
	ck_assert(!drop_mod11_valid("00060000000", out, sizeof(out)));
	ck_assert(!drop_mod11_valid("00060000001", out, sizeof(out)));
	ck_assert(drop_mod11_valid("98765432103", out, sizeof(out)));
}
END_TEST

START_TEST(account_masking)
{
	char	out[16];

	ck_assert_int_eq(drop_mask_account("RS35260005601001611379", out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "*****1379");
	ck_assert_int_eq(drop_mask_account("abc", out, sizeof(out)), 0);
	ck_assert_str_eq(out, "*****abc");
	ck_assert_int_eq(drop_mask_account("12345", out, 4), -1);
}
END_TEST

static const struct drop_bank_call_args args = {
	"1b4e28ba-2fa1-41d2-883f-0016d3cca427", "10.1.2.3", NULL,
	"https://drop.example/#/tx/tx_qr_0123456789abcdef?bank=ok",
	"https://drop.example/#/tx/tx_qr_0123456789abcdef?bank=nok",
	"https://drop.example/api/bank/events", NULL
};

static int
has_header(const struct drop_bank_request *req, const char *line)
{
	int	i;

	for (i = 0; i < req->nheaders; i++) {
		if (!strcmp(req->headers[i], line))
			return (1);
	}
	return (0);
}

START_TEST(payment_request_is_nextgenpsd2)
{
	struct drop_bank_request	req;
	struct drop_bank_payment	p = { DROP_PRODUCT_INSTANT, "12345678903",
					    "99990000013", "Drop Payout Partner AS",
					    101003, "tx_qr_0123456789abcdef Kafé Oslo" };

	ck_assert_int_eq(drop_psd2_pay(&args, &p, &req), 0);
	ck_assert_str_eq(req.method, "POST");
	ck_assert_str_eq(req.path, "/v1/payments/instant-sepa-credit-transfers");
	ck_assert(has_header(&req, "X-Request-ID: 1b4e28ba-2fa1-41d2-883f-0016d3cca427"));
	ck_assert(has_header(&req, "PSU-IP-Address: 10.1.2.3"));
	ck_assert(has_header(&req, "TPP-Notification-URI: https://drop.example/api/bank/events"));
	ck_assert(has_header(&req, "Content-Type: application/json"));
	ck_assert_str_eq(req.body, "{\"debtorAccount\":{\"bban\":\"12345678903\"},"
	    "\"instructedAmount\":{\"currency\":\"NOK\",\"amount\":\"1010.03\"},"
	    "\"creditorAccount\":{\"bban\":\"99990000013\"},"
	    "\"creditorName\":\"Drop Payout Partner AS\","
	    "\"remittanceInformationUnstructured\":\"tx_qr_0123456789abcdef Kafé Oslo\"}");
	drop_psd2_free(&req);
	/* A path or header value that could break out is refused. */
	p.product = "x/../../admin";
	ck_assert_int_eq(drop_psd2_pay(&args, &p, &req), -1);
	drop_psd2_free(&req);
	p.product = DROP_PRODUCT_CREDIT;
	p.amount = 0;
	ck_assert_int_eq(drop_psd2_pay(&args, &p, &req), -1);
	drop_psd2_free(&req);
}
END_TEST

START_TEST(remittance_information_is_cut_to_140_characters)
{
	struct drop_bank_request	req;
	struct drop_bank_payment	p = { DROP_PRODUCT_CREDIT, "12345678903",
					    "99990000013", "Partner", 100, NULL };
	char				long_text[400];

	memset(long_text, 0, sizeof(long_text));
	for (int i = 0; i < 150; i++)
		memcpy(long_text + i * 2, "\xc3\xa6", 2);	/* æ, 2 bytes */
	p.remittance = long_text;
	ck_assert_int_eq(drop_psd2_pay(&args, &p, &req), 0);
	ck_assert_ptr_nonnull(strstr(req.body, "\"remittanceInformationUnstructured\":\""));
	ck_assert_uint_eq(strlen(strstr(req.body, "Unstructured\":\"") + 15), 280 + 2);
	drop_psd2_free(&req);
}
END_TEST

START_TEST(consent_and_account_requests)
{
	struct drop_bank_request	req;
	struct drop_bank_call_args	a = args;

	ck_assert_int_eq(drop_psd2_consent(&a, "12345678903", "2027-05-30", 4,
	    0, &req), 0);
	ck_assert_str_eq(req.path, "/v1/consents");
	ck_assert_str_eq(req.body, "{\"access\":{\"accounts\":[{\"bban\":"
	    "\"12345678903\"}],\"balances\":[{\"bban\":\"12345678903\"}]},"
	    "\"recurringIndicator\":true,\"validUntil\":\"2027-05-30\","
	    "\"frequencyPerDay\":4,\"combinedServiceIndicator\":false}");
	drop_psd2_free(&req);
	ck_assert_int_eq(drop_psd2_accounts(&a, &req), -1);	/* no consent */
	a.consent_id = "con-abc";
	ck_assert_int_eq(drop_psd2_accounts(&a, &req), 0);
	ck_assert(has_header(&req, "Consent-ID: con-abc"));
	ck_assert_int_eq(drop_psd2_balances(&a, "acc-12345678903", &req), 0);
	ck_assert_str_eq(req.path, "/v1/accounts/acc-12345678903/balances");
	ck_assert_int_eq(drop_psd2_pay_status(&a, DROP_PRODUCT_INSTANT,
	    "pay-1", &req), 0);
	ck_assert_str_eq(req.path,
	    "/v1/payments/instant-sepa-credit-transfers/pay-1/status");
	a.request_id = "not-a-uuid";
	ck_assert_int_eq(drop_psd2_consent_status(&a, "con-abc", &req), -1);
	a = args;
	a.psu_ip = "10.0.0.1\r\nX-Evil: 1";
	ck_assert_int_eq(drop_psd2_consent(&a, "12345678903", "2027-05-30", 4,
	    0, &req), -1);
	drop_psd2_free(&req);
}
END_TEST

START_TEST(statement_requests)
{
	struct drop_bank_request	req;
	struct drop_bank_answer		ans;
	struct drop_bank_call_args	a = args;
	const char			*page = "{\"transactions\":{\"booked\":[],"
					    "\"_links\":{}}}";

	ck_assert_int_eq(drop_psd2_consent(&a, "99990000013", "2027-05-30", 4,
	    1, &req), 0);
	ck_assert_ptr_nonnull(strstr(req.body, "\"transactions\":[{\"bban\":"
	    "\"99990000013\"}]"));
	drop_psd2_free(&req);
	ck_assert_int_eq(drop_psd2_transactions(&a, "acc-1", "2026-12-01",
	    "2026-12-03", &req), -1);			/* no consent */
	a.consent_id = "con-abc";
	ck_assert_int_eq(drop_psd2_transactions(&a, "acc-1", "2026-12-01",
	    "2026-12-03", &req), 0);
	ck_assert_str_eq(req.path, "/v1/accounts/acc-1/transactions?"
	    "bookingStatus=booked&dateFrom=2026-12-01&dateTo=2026-12-03");
	ck_assert(has_header(&req, "Consent-ID: con-abc"));
	ck_assert_int_eq(drop_psd2_transactions(&a, "acc-1", "2026-12-1",
	    "2026-12-03", &req), -1);
	ck_assert_int_eq(drop_psd2_transactions(&a, "acc/../x", "2026-12-01",
	    "2026-12-03", &req), -1);
	ck_assert_int_eq(drop_psd2_transactions_next(&a,
	    "/v1/accounts/acc-1/transactions?pageIndex=1", &req), 0);
	ck_assert_str_eq(req.path, "/v1/accounts/acc-1/transactions?pageIndex=1");
	ck_assert_int_eq(drop_psd2_transactions_next(&a,
	    "https://evil.example/v1/accounts/x/transactions", &req), -1);
	ck_assert_int_eq(drop_psd2_transactions_next(&a,
	    "/v1/accounts/../payments/transactions", &req), -1);
	ck_assert_int_eq(drop_psd2_transactions_next(&a,
	    "/v1/accounts/acc-1/balances", &req), -1);
	ck_assert_int_eq(drop_psd2_transactions_next(&a,
	    "/v1/accounts/acc-1/transactions?a=1\r\nX: y", &req), -1);
	ck_assert_int_eq(drop_psd2_parse(DROP_BANK_TRANSACTIONS, 200, page,
	    strlen(page), NULL, &ans), 0);
	ck_assert(ans.ok);
	ck_assert_int_eq(drop_psd2_parse(DROP_BANK_TRANSACTIONS, 200, "{}", 2,
	    NULL, &ans), -1);
}
END_TEST

START_TEST(answers_are_read_defensively)
{
	struct drop_bank_answer	ans;
	const char		*pay = "{\"transactionStatus\":\"RCVD\",\"paymentId\":"
				    "\"pay-1\",\"_links\":{\"scaRedirect\":{\"href\":"
				    "\"https://bank.example/sca/pay-1\"}}}";
	const char		*bal = "{\"balances\":[{\"balanceType\":\"closingBooked\","
				    "\"balanceAmount\":{\"currency\":\"NOK\",\"amount\":\"9.00\"}},"
				    "{\"balanceType\":\"interimAvailable\",\"balanceAmount\":"
				    "{\"currency\":\"NOK\",\"amount\":\"1234.50\"}}]}";
	const char		*err = "{\"tppMessages\":[{\"code\":"
				    "\"FORMAT_ERROR\",\"text\":\"bad\"}]}";
	const char		*acc = "{\"accounts\":[{\"resourceId\":\"a1\",\"bban\":"
				    "\"11111111111\"},{\"resourceId\":\"a2\",\"bban\":"
				    "\"12345678903\"}]}";

	ck_assert_int_eq(drop_psd2_parse(DROP_BANK_PAY, 201, pay, strlen(pay),
	    NULL, &ans), 0);
	ck_assert(ans.ok);
	ck_assert_str_eq(ans.status, "RCVD");
	ck_assert_str_eq(ans.id, "pay-1");
	ck_assert_str_eq(ans.sca_url, "https://bank.example/sca/pay-1");
	ck_assert_int_eq(drop_psd2_parse(DROP_BANK_BALANCES, 200, bal,
	    strlen(bal), NULL, &ans), 0);
	ck_assert_int_eq(ans.balance, 123450);
	ck_assert_int_eq(drop_psd2_parse(DROP_BANK_ACCOUNTS, 200, acc,
	    strlen(acc), "12345678903", &ans), 0);
	ck_assert_str_eq(ans.resource_id, "a2");
	ck_assert_int_eq(drop_psd2_parse(DROP_BANK_ACCOUNTS, 200, acc,
	    strlen(acc), "99999999999", &ans), -1);
	ck_assert_int_eq(drop_psd2_parse(DROP_BANK_PAY, 400, err, strlen(err),
	    NULL, &ans), -1);
	ck_assert(!ans.ok);
	/* the code, never the bank's free text */
	ck_assert_str_eq(ans.error, "FORMAT_ERROR");
	ck_assert_int_eq(drop_psd2_parse(DROP_BANK_PAY, 201,
	    "{\"transactionStatus\":\"RC VD\",\"paymentId\":\"p\"}", 45, NULL,
	    &ans), -1);
	ck_assert_int_eq(drop_psd2_parse(DROP_BANK_PAY, 201,
	    "{\"transactionStatus\":\"ACSC\",\"paymentId\":\"../x\"}", 47, NULL,
	    &ans), -1);
	ck_assert_int_eq(drop_psd2_parse(DROP_BANK_PAY_STATUS, 200, "{", 1,
	    NULL, &ans), -1);
	ck_assert_int_eq(drop_psd2_parse(DROP_BANK_PAY_CANCEL, 204, "", 0,
	    NULL, &ans), 0);
}
END_TEST

START_TEST(callbacks_are_signed_and_fresh)
{
	const unsigned char	 secret[] = "s3cret";
	const char		*body = "{\"eventId\":\"e-1\",\"paymentId\":\"pay-1\","
				    "\"transactionStatus\":\"ACSC\",\"timestamp\":1800000000}";
	struct drop_bank_event	 ev;
	char			 good[80];
	unsigned char		 mac[32];
	unsigned int		 maclen, i;

	HMAC(EVP_sha256(), secret, 6, (const unsigned char *)body, strlen(body),
	    mac, &maclen);
	memcpy(good, "sha256=", 7);
	for (i = 0; i < maclen; i++)
		snprintf(good + 7 + i * 2, 3, "%02x", mac[i]);
	ck_assert(drop_psd2_signed(secret, 6, body, strlen(body), good));
	good[20] = good[20] == 'a' ? 'b' : 'a';
	ck_assert(!drop_psd2_signed(secret, 6, body, strlen(body), good));
	ck_assert(!drop_psd2_signed(secret, 6, body, strlen(body), NULL));
	ck_assert(!drop_psd2_signed(secret, 6, body, strlen(body), "sha256="));
	ck_assert(!drop_psd2_signed(secret, 0, body, strlen(body), good));
	ck_assert_int_eq(drop_psd2_event(body, strlen(body), 1800000100, 300,
	    &ev), 0);
	ck_assert_str_eq(ev.event_id, "e-1");
	ck_assert_str_eq(ev.payment_id, "pay-1");
	ck_assert_str_eq(ev.status, "ACSC");
	ck_assert_int_eq(drop_psd2_event(body, strlen(body), 1800000400, 300,
	    &ev), -2);
	ck_assert_int_eq(drop_psd2_event(body, strlen(body), 1799999600, 300,
	    &ev), -2);
	ck_assert_int_eq(drop_psd2_event("{\"eventId\":1}", 13, 0, 300, &ev), -1);
}
END_TEST

START_TEST(request_ids_are_uuids)
{
	char	a[DROP_UUID_LEN], b[DROP_UUID_LEN];

	ck_assert_int_eq(drop_uuid4(a, sizeof(a)), 0);
	ck_assert_int_eq(drop_uuid4(b, sizeof(b)), 0);
	ck_assert_uint_eq(strlen(a), 36);
	ck_assert(a[14] == '4' && strchr("89ab", a[19]) != NULL);
	ck_assert(a[8] == '-' && a[13] == '-' && a[18] == '-' && a[23] == '-');
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(drop_uuid4(a, 36), -1);
}
END_TEST

Suite *
suite_bank(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("bank");
	tc = tcase_create("money");
	tcase_add_test(tc, fee_rounds_half_up_to_the_ore);
	tcase_add_test(tc, decimal_text_parses_exactly);
	tcase_add_test(tc, mod11_account_numbers);
	tcase_add_test(tc, account_masking);
	tcase_add_test(tc, payment_request_is_nextgenpsd2);
	tcase_add_test(tc, remittance_information_is_cut_to_140_characters);
	tcase_add_test(tc, consent_and_account_requests);
	tcase_add_test(tc, statement_requests);
	tcase_add_test(tc, answers_are_read_defensively);
	tcase_add_test(tc, callbacks_are_signed_and_fresh);
	tcase_add_test(tc, request_ids_are_uuids);
	suite_add_tcase(s, tc);

	return (s);
}
