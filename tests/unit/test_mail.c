/* E-mail messages: safe headers, encoded subjects, base64 bodies. */

#include <openssl/evp.h>

#include <string.h>

#include "lib.h"
#include "unit.h"

static struct drop_mail
mail(const char *to, const char *subject, const char *body)
{
	struct drop_mail	m;

	memset(&m, 0, sizeof(m));
	m.from = "Drop <no-reply@drop.example>";
	m.to = to;
	m.subject = subject;
	m.body = body;
	m.msgid = "<eml_0123456789abcdef@drop.example>";
	m.date = 1796530000;	/* 2026-12-06 */

	return (m);
}

START_TEST(message_whole)
{
	struct drop_mail	m;
	char			out[2048], dec[256];
	const char		*b;
	int			n;

	m = mail("kari@example.no", "Tilbakestill passordet ditt",
	    "Hei Kari,\n.\nlenken: https://drop.example/#/reset/abc\n");
	n = drop_mail_format(&m, out, sizeof(out));
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq((int)strlen(out), n);
	ck_assert(!strncmp(out, "From: Drop <no-reply@drop.example>\r\n"
	    "To: <kari@example.no>\r\nSubject: =?UTF-8?B?", 77));
	ck_assert(strstr(out, "\r\nDate: Sun, 06 Dec 2026 ") != NULL);
	ck_assert(strstr(out, "\r\nMessage-ID: <eml_0123456789abcdef@"
	    "drop.example>\r\n") != NULL);
	ck_assert(strstr(out, "Content-Transfer-Encoding: base64\r\n\r\n") !=
	    NULL);
	/* The body decodes back exactly; no line is a lone dot. */
	b = strstr(out, "\r\n\r\n") + 4;
	ck_assert(strstr(b, "\r\n.\r\n") == NULL);
	n = EVP_DecodeBlock((unsigned char *)dec, (const unsigned char *)b,
	    (int)strcspn(b, "\r"));
	ck_assert_int_ge(n, 53);
	ck_assert(!strncmp(dec, "Hei Kari,\n.\nlenken: https://drop.example/"
	    "#/reset/", 49));
}
END_TEST

START_TEST(subject_in_words)
{
	struct drop_mail	m;
	char			out[2048], *s, *e;
	char			subject[] = "Ærlig talt: æøå ÆØÅ æøå ÆØÅ æøå "
	    "ÆØÅ æøå ÆØÅ æøå ÆØÅ æøå ÆØÅ æøå ÆØÅ slutt";

	m = mail("a@b.no", subject, "x");
	ck_assert_int_gt(drop_mail_format(&m, out, sizeof(out)), 0);
	s = strstr(out, "Subject:");
	e = strstr(s, "\r\nDate:");
	/* Folded into several encoded words, each line short. */
	ck_assert(strstr(s, "?=\r\n =?UTF-8?B?") != NULL && strstr(s, "?=\r\n"
	    " =?UTF-8?B?") < e);
	for (; s < e; s = strstr(s, "\r\n") + 2)
		ck_assert_int_le((int)strcspn(s, "\r"), 78);
}
END_TEST

START_TEST(injection_refused)
{
	struct drop_mail	m;
	char			out[1024];

	m = mail("kari@example.no\r\nBcc: x@evil.example", "Hei", "x");
	ck_assert_int_eq(drop_mail_format(&m, out, sizeof(out)), -1);
	m = mail("kari@example.no", "Hei\r\nBcc: x@evil.example", "x");
	ck_assert_int_eq(drop_mail_format(&m, out, sizeof(out)), -1);
	m = mail("not an address", "Hei", "x");
	ck_assert_int_eq(drop_mail_format(&m, out, sizeof(out)), -1);
	m = mail("kari@example.no", "Hei", "x");
	ck_assert_int_eq(drop_mail_format(&m, out, 100), -1);
	ck_assert_int_gt(drop_mail_format(&m, out, sizeof(out)), 0);
}
END_TEST

Suite *
suite_mail(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("mail");
	tc = tcase_create("format");
	tcase_add_test(tc, message_whole);
	tcase_add_test(tc, subject_in_words);
	tcase_add_test(tc, injection_refused);
	suite_add_tcase(s, tc);

	return (s);
}
