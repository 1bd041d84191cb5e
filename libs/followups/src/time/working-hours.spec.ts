import { addLocalDays, isWithinWorkingHours, moveIntoWorkingHours } from './working-hours';

const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();

describe('moveIntoWorkingHours', () => {
  const weekdays = { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' };
  // America/La_Paz is UTC-4 all year.
  const LA_PAZ = 'America/La_Paz';

  it('keeps an instant that is already inside the hours', () => {
    const wed = at('2026-11-18T15:30:00Z'); // Wednesday 11:30 in La Paz
    expect(moveIntoWorkingHours(wed, LA_PAZ, weekdays)).toBe(wed);
  });

  it('answers instants of the same minute alike, each inside instant keeping its own value', () => {
    const first = at('2026-11-18T15:30:05.123Z');
    const second = at('2026-11-18T15:30:59.999Z');
    expect(moveIntoWorkingHours(first, LA_PAZ, weekdays)).toBe(first);
    expect(moveIntoWorkingHours(second, LA_PAZ, weekdays)).toBe(second);
    // Closed: both seconds of 07:15 local move to the same opening, remembered or not.
    for (const when of ['2026-11-18T11:15:01Z', '2026-11-18T11:15:58Z', '2026-11-18T11:15:01Z'])
      expect(iso(moveIntoWorkingHours(at(when), LA_PAZ, weekdays))).toBe(
        '2026-11-18T13:00:00.000Z',
      );
    // The last closed minute and the first open one differ.
    expect(iso(moveIntoWorkingHours(at('2026-11-18T12:59:59Z'), LA_PAZ, weekdays))).toBe(
      '2026-11-18T13:00:00.000Z',
    );
    expect(iso(moveIntoWorkingHours(at('2026-11-18T13:00:00Z'), LA_PAZ, weekdays))).toBe(
      '2026-11-18T13:00:00.000Z',
    );
    expect(isWithinWorkingHours(at('2026-11-18T12:59:30Z'), LA_PAZ, weekdays)).toBe(false);
    expect(isWithinWorkingHours(at('2026-11-18T13:00:30Z'), LA_PAZ, weekdays)).toBe(true);
  });

  it('moves an instant before opening to that morning', () => {
    // Wednesday 07:15 local → Wednesday 09:00 local.
    expect(iso(moveIntoWorkingHours(at('2026-11-18T11:15:00Z'), LA_PAZ, weekdays))).toBe(
      '2026-11-18T13:00:00.000Z',
    );
  });

  it('moves an instant after closing to the next open morning', () => {
    // Wednesday 18:00 local (closing is exclusive) → Thursday 09:00 local.
    expect(iso(moveIntoWorkingHours(at('2026-11-18T22:00:00Z'), LA_PAZ, weekdays))).toBe(
      '2026-11-19T13:00:00.000Z',
    );
  });

  it('skips closed days (the weekend) to Monday', () => {
    // Friday 20:00 local, Saturday noon, Sunday 23:59 → Monday 09:00 local.
    for (const when of ['2026-11-21T00:00:00Z', '2026-11-21T16:00:00Z', '2026-11-23T03:59:00Z']) {
      expect(iso(moveIntoWorkingHours(at(when), LA_PAZ, weekdays))).toBe(
        '2026-11-23T13:00:00.000Z',
      );
    }
  });

  it('reads the weekday in the point timezone, not in UTC', () => {
    // Saturday 02:00 UTC is still Friday 22:00 in La Paz: closed, next is Monday.
    expect(isWithinWorkingHours(at('2026-11-21T02:00:00Z'), LA_PAZ, weekdays)).toBe(false);
    expect(
      isWithinWorkingHours(at('2026-11-21T02:00:00Z'), LA_PAZ, {
        days: [5],
        start: '20:00',
        end: '23:00',
      }),
    ).toBe(true);
  });

  describe('hours that wrap past midnight (Fri and Sat 20:00–02:00, UTC)', () => {
    const night = { days: [5, 6], start: '20:00', end: '02:00' };
    it.each([
      ['Friday 21:00', '2026-11-20T21:00:00Z'],
      ['Saturday 01:00 (Friday shift)', '2026-11-21T01:00:00Z'],
      ['Sunday 01:59 (Saturday shift)', '2026-11-22T01:59:00Z'],
    ])('%s is inside', (_label, when) => {
      expect(iso(moveIntoWorkingHours(at(when), 'UTC', night))).toBe(new Date(when).toISOString());
    });
    it.each([
      ['Friday 19:00 → Friday 20:00', '2026-11-20T19:00:00Z', '2026-11-20T20:00:00.000Z'],
      ['Sunday 02:00 → next Friday 20:00', '2026-11-22T02:00:00Z', '2026-11-27T20:00:00.000Z'],
      ['Monday 01:00 → Friday 20:00', '2026-11-23T01:00:00Z', '2026-11-27T20:00:00.000Z'],
      ['Saturday 03:00 → Saturday 20:00', '2026-11-21T03:00:00Z', '2026-11-21T20:00:00.000Z'],
    ])('%s', (_label, when, expected) => {
      expect(iso(moveIntoWorkingHours(at(when), 'UTC', night))).toBe(expected);
    });
  });

  describe('across a DST change (Europe/Madrid, clocks go forward on Sunday 2026-03-29)', () => {
    const madrid = 'Europe/Madrid';
    const monToSat = { days: [1, 2, 3, 4, 5, 6], start: '09:00', end: '22:00' };

    it('opens at 09:00 local wall time after the change (UTC+2, not UTC+1)', () => {
      // Saturday 23:00 CET (UTC+1) → Monday 09:00 CEST = 07:00 UTC.
      expect(iso(moveIntoWorkingHours(at('2026-03-28T22:00:00Z'), madrid, monToSat))).toBe(
        '2026-03-30T07:00:00.000Z',
      );
    });

    it('opens at 09:00 local before the change (UTC+1)', () => {
      expect(iso(moveIntoWorkingHours(at('2026-03-27T06:00:00Z'), madrid, monToSat))).toBe(
        '2026-03-27T08:00:00.000Z',
      );
    });

    it('an opening time skipped by the change becomes the first valid instant after it', () => {
      // 02:30 does not exist on 2026-03-29 in Madrid (02:00 → 03:00).
      const early = { days: [7], start: '02:30', end: '10:00' };
      const moved = moveIntoWorkingHours(at('2026-03-29T00:00:00Z'), madrid, early);
      expect(moved.getTime()).toBeGreaterThan(new Date('2026-03-29T00:00:00Z').getTime());
      expect(isWithinWorkingHours(moved, madrid, early)).toBe(true);
      expect(iso(moved)).toBe('2026-03-29T01:30:00.000Z'); // 03:30 CEST
    });

    it('adds local days across the change keeping the wall-clock hour', () => {
      // Saturday 10:00 CET + 1 local day = Sunday 10:00 CEST (23 hours later).
      expect(iso(addLocalDays(at('2026-03-28T09:00:00Z'), 1, madrid))).toBe(
        '2026-03-29T08:00:00.000Z',
      );
    });
  });

  describe('reminder offsets (1 d / 3 d / 7 d) from a Friday 10:00 in La Paz', () => {
    const base = at('2026-11-20T14:00:00Z');
    const plus = (seconds: number) => new Date(base.getTime() + seconds * 1000);
    it('1 d lands on Saturday (closed) → Monday 09:00', () => {
      expect(iso(moveIntoWorkingHours(plus(86400), LA_PAZ, weekdays))).toBe(
        '2026-11-23T13:00:00.000Z',
      );
    });
    it('3 d lands on Monday 10:00 (open) → unchanged', () => {
      expect(iso(moveIntoWorkingHours(plus(259200), LA_PAZ, weekdays))).toBe(
        '2026-11-23T14:00:00.000Z',
      );
    });
    it('7 d lands on the next Friday 10:00 → unchanged', () => {
      expect(iso(moveIntoWorkingHours(plus(604800), LA_PAZ, weekdays))).toBe(
        '2026-11-27T14:00:00.000Z',
      );
    });
    it('2 d lands on Sunday (closed) → Monday 09:00', () => {
      expect(iso(moveIntoWorkingHours(plus(172800), LA_PAZ, weekdays))).toBe(
        '2026-11-23T13:00:00.000Z',
      );
    });
  });

  it('rejects bad input', () => {
    expect(() => moveIntoWorkingHours(new Date(), 'Mars/Olympus', weekdays)).toThrow(/timezone/);
    expect(() => moveIntoWorkingHours(new Date(), 'UTC', { ...weekdays, start: '9am' })).toThrow();
    expect(() => moveIntoWorkingHours(new Date(), 'UTC', { ...weekdays, days: [] })).toThrow();
  });
});
