/*
 * The calendar: leap years, month lengths, day numbers, and today's date
 * in Europe/Oslo with its daylight-saving rule, without tz files.
 */

#include <time.h>

#include "lib.h"

static int	last_sunday(int, int);

int
drop_leap_year(int y)
{
	return ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0);
}

int
drop_month_days(int y, int m)
{
	static const int	days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
				    31, 30, 31 };

	if (m == 2 && drop_leap_year(y))
		return (29);
	return (days[m - 1]);
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
long
drop_civil_days(int y, int m, int d)
{
	long	era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return (era * 146097 + doe - 719468);
}

/* Day of the month of the last Sunday of month m in year y. */
static int
last_sunday(int y, int m)
{
	int	last, wday;

	last = drop_month_days(y, m);
	wday = (int)((drop_civil_days(y, m, last) + 4) % 7);

	return (last - wday);
}

/* Today's date in Europe/Oslo (CET, CEST from last Sunday of March 01:00Z
 * to last Sunday of October 01:00Z), without reading tz files. */
void
drop_oslo_date(time_t now, int *y, int *m, int *d)
{
	struct tm	tm;
	time_t		start, end;
	long		offset;

	gmtime_r(&now, &tm);
	start = (time_t)drop_civil_days(tm.tm_year + 1900, 3,
	    last_sunday(tm.tm_year + 1900, 3)) * 86400 + 3600;
	end = (time_t)drop_civil_days(tm.tm_year + 1900, 10,
	    last_sunday(tm.tm_year + 1900, 10)) * 86400 + 3600;
	offset = (now >= start && now < end) ? 7200 : 3600;
	now += offset;
	gmtime_r(&now, &tm);
	*y = tm.tm_year + 1900;
	*m = tm.tm_mon + 1;
	*d = tm.tm_mday;
}
