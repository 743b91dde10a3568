/* drivers/rtc/cmos.c: reads the wall-clock time from the PC's CMOS real-time clock once at boot.
 * Handles BCD and binary modes and waits out an update in progress; no alarms, no writing. */
#include <granary/cpu.h>
#include <granary/time.h>

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define REG_SEC 0x00
#define REG_MIN 0x02
#define REG_HOUR 0x04
#define REG_DAY 0x07
#define REG_MONTH 0x08
#define REG_YEAR 0x09
#define REG_STATUS_A 0x0a
#define REG_STATUS_B 0x0b
#define STATUS_A_UIP 0x80
#define STATUS_B_BINARY 0x04
#define STATUS_B_24H 0x02

static u8 cmos(u8 reg)
{
	outb(CMOS_INDEX, reg);
	return inb(CMOS_DATA);
}

static unsigned bcd(u8 v, bool binary)
{
	return binary ? v : (v & 0x0f) + (v >> 4) * 10;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static u64 days_since_epoch(unsigned y, unsigned m, unsigned d)
{
	/* Shift the year to start in March so the leap day is the year's last. */
	if (m <= 2) {
		y--;
		m += 12;
	}
	return 365ULL * y + y / 4 - y / 100 + y / 400 + (153 * (m - 3) + 2) / 5 + d - 719469;
}

u64 rtc_read_epoch(void)
{
	u8 sec, min, hour, day, mon, year, b;
	bool binary;
	unsigned h;

	for (int spins = 0; spins < 1000000 && (cmos(REG_STATUS_A) & STATUS_A_UIP); spins++)
		cpu_relax();
	sec = cmos(REG_SEC);
	min = cmos(REG_MIN);
	hour = cmos(REG_HOUR);
	day = cmos(REG_DAY);
	mon = cmos(REG_MONTH);
	year = cmos(REG_YEAR);
	b = cmos(REG_STATUS_B);
	binary = b & STATUS_B_BINARY;
	h = bcd(hour & 0x7f, binary);
	if (!(b & STATUS_B_24H) && (hour & 0x80))
		h = (h % 12) + 12; /* 12-hour clock, PM */
	return days_since_epoch(2000 + bcd(year, binary), bcd(mon, binary), bcd(day, binary)) * 86400 +
	       h * 3600 + bcd(min, binary) * 60 + bcd(sec, binary);
}
