import { DateTime } from 'luxon';

/** A point's opening hours: `days` uses 1 = Monday … 7 = Sunday; `end < start` wraps past midnight. */
export interface OpeningHours {
  days: number[];
  start: string;
  end: string;
}

const HHMM_RE = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutesOf(hhmm: string): number {
  const match = HHMM_RE.exec(hhmm);
  if (!match) throw new Error(`invalid time of day "${hhmm}" (expected HH:mm)`);
  return Number(match[1]) * 60 + Number(match[2]);
}

function localTime(at: Date, tz: string): DateTime {
  const local = DateTime.fromJSDate(at, { zone: tz });
  if (!local.isValid) throw new Error(`invalid timezone "${tz}"`);
  return local;
}

/** The weekday before `weekday` (1 = Monday … 7 = Sunday). */
const previousDay = (weekday: number) => (weekday === 1 ? 7 : weekday - 1);

/** True when `at` falls inside the opening hours, read on the wall clock of `tz`. */
/**
 * Where an instant stands, by zone, hours and UTC minute: `null` when it is within the working
 * hours, else the next opening (ms). Both depend only on the local weekday, hour and minute,
 * which cannot change within a UTC minute (zone offsets are whole minutes), and every customer
 * message asks, so the zone arithmetic runs about once a minute instead of once a message.
 */
const openingByMinute = new Map<string, number | null>();
const OPENING_CACHE_SIZE = 10_000;

function minuteKey(at: Date, tz: string, hours: OpeningHours): string {
  return `${tz}|${hours.start}|${hours.end}|${hours.days.join(',')}|${Math.floor(at.getTime() / 60_000)}`;
}

function remember(key: string, value: number | null): void {
  if (openingByMinute.size >= OPENING_CACHE_SIZE) openingByMinute.clear();
  openingByMinute.set(key, value);
}

export function isWithinWorkingHours(at: Date, tz: string, hours: OpeningHours): boolean {
  const known = openingByMinute.get(minuteKey(at, tz, hours));
  if (known !== undefined) return known === null;
  return computeWithin(at, tz, hours);
}

function computeWithin(at: Date, tz: string, hours: OpeningHours): boolean {
  const local = localTime(at, tz);
  const start = minutesOf(hours.start);
  const end = minutesOf(hours.end);
  const now = local.hour * 60 + local.minute;
  const open = (weekday: number) => hours.days.includes(weekday);
  // Same start and end: open the whole day.
  if (start === end) return open(local.weekday);
  if (start < end) return open(local.weekday) && now >= start && now < end;
  // Wraps past midnight: the evening part belongs to today, the early part to yesterday's shift.
  return (open(local.weekday) && now >= start) || (open(previousDay(local.weekday)) && now < end);
}

/**
 * The same instant when it is inside the opening hours, else the next opening time. Wall-clock
 * arithmetic happens in `tz` (luxon), so a DST change moves the instant, not the local hour; an
 * opening time that does not exist that day (skipped by DST) becomes the first valid one after it.
 */
export function moveIntoWorkingHours(at: Date, tz: string, hours: OpeningHours): Date {
  if (hours.days.length === 0) throw new Error('working hours have no open day');
  const key = minuteKey(at, tz, hours);
  const known = openingByMinute.get(key);
  if (known === null) return at;
  if (known !== undefined) return new Date(known);
  const opening = nextOpening(at, tz, hours);
  remember(key, opening ? opening.getTime() : null);
  return opening ?? at;
}

/** Null when `at` is within the working hours, else the next opening time. */
function nextOpening(at: Date, tz: string, hours: OpeningHours): Date | null {
  if (computeWithin(at, tz, hours)) return null;
  const local = localTime(at, tz);
  const start = minutesOf(hours.start);
  for (let offset = 0; offset <= 7; offset++) {
    const day = local.startOf('day').plus({ days: offset });
    if (!hours.days.includes(day.weekday)) continue;
    const opening = DateTime.fromObject(
      {
        year: day.year,
        month: day.month,
        day: day.day,
        hour: Math.floor(start / 60),
        minute: start % 60,
      },
      { zone: tz },
    );
    if (opening.toMillis() > at.getTime()) return opening.toJSDate();
  }
  // Unreachable with at least one open day: some opening falls within the next 8 days.
  throw new Error('no opening time found');
}

/** `at` plus whole calendar days on the wall clock of `tz` (a DST day is 23 or 25 hours). */
export function addLocalDays(at: Date, days: number, tz: string): Date {
  return localTime(at, tz).plus({ days }).toJSDate();
}
