/*
 * QR codes as SVG: libqrencode makes the symbol, this draws it as one
 * path (a square per dark module) with the quiet zone the standard asks.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "lib.h"

#define QR_QUIET	4	/* modules of white border (ISO/IEC 18004) */
#define QR_PIXELS	8	/* drawn size of a module */
#define QR_TEXT_MAX	512
#define QR_HEAD_MAX	512
#define QR_MODULE_MAX	32	/* "M%d %dh1v1h-1z" with 3-digit numbers */

static int
put(char *out, size_t outlen, size_t *off, const char *fmt, int a, int b)
{
	int		n;

	n = snprintf(out + *off, outlen - *off, fmt, a, b);
	if (n < 0 || (size_t)n >= outlen - *off)
		return (-1);
	*off += (size_t)n;

	return (0);
}

/*
 * The SVG of a QR code of text (error correction M), NUL-terminated in
 * a buffer the caller frees; NULL on failure. *len is its length.
 */
char *
drop_qr_svg(const char *text, size_t *len)
{
	QRcode		*qr;
	char		*out;
	size_t		 outlen, off;
	int		 x, y, side, bad;

	if (text == NULL || strlen(text) == 0 || strlen(text) > QR_TEXT_MAX)
		return (NULL);
	if ((qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8,
	    1)) == NULL)
		return (NULL);
	side = qr->width + 2 * QR_QUIET;
	outlen = QR_HEAD_MAX + (size_t)qr->width * (size_t)qr->width *
	    QR_MODULE_MAX;
	if ((out = malloc(outlen)) == NULL) {
		QRcode_free(qr);
		return (NULL);
	}
	off = 0;
	bad = put(out, outlen, &off, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"%d\" ", side * QR_PIXELS, side * QR_PIXELS);
	bad |= put(out, outlen, &off, "viewBox=\"0 0 %d %d\" "
	    "shape-rendering=\"crispEdges\">", side, side);
	bad |= put(out, outlen, &off, "<rect width=\"%d\" height=\"%d\" "
	    "fill=\"#fff\"/><path fill=\"#000\" d=\"", side, side);
	for (y = 0; y < qr->width && !bad; y++) {
		for (x = 0; x < qr->width && !bad; x++) {
			if (qr->data[y * qr->width + x] & 1)
				bad |= put(out, outlen, &off, "M%d %dh1v1h-1z",
				    x + QR_QUIET, y + QR_QUIET);
		}
	}
	bad |= put(out, outlen, &off, "\"/></svg>\n%.0d%.0d", 0, 0);
	QRcode_free(qr);
	if (bad) {
		free(out);
		return (NULL);
	}
	*len = off;

	return (out);
}
