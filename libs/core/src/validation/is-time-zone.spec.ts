import { validateSync } from 'class-validator';
import { isTimeZone, IsTimeZone } from './is-time-zone';

describe('isTimeZone', () => {
  it.each([
    'America/La_Paz',
    'America/Argentina/Buenos_Aires',
    'Europe/Madrid',
    'Asia/Kolkata',
    'Pacific/Chatham',
    'UTC',
    'Etc/GMT+4',
  ])('accepts the IANA zone %p', (tz) => {
    expect(isTimeZone(tz)).toBe(true);
  });

  it.each([
    'Mars/Base',
    'America/Atlantis',
    'La Paz',
    'America/La Paz',
    'GMT+25',
    '+99:00',
    '../../etc/passwd',
    'not a zone',
  ])('rejects the unknown name %p', (tz) => {
    expect(isTimeZone(tz)).toBe(false);
  });

  // Node 24's Intl also takes UTC offsets such as "-04:00"; they are not IANA names and have no
  // daylight-saving rules, so they are refused.
  it.each(['-04:00', '+05:30'])('rejects the UTC offset %p, which is not an IANA name', (tz) => {
    expect(isTimeZone(tz)).toBe(false);
  });

  it.each<[string, unknown]>([
    ['undefined', undefined],
    ['null', null],
    ['a number', -4],
    ['a boolean', true],
    ['an object', { timeZone: 'America/La_Paz' }],
    ['an array', ['America/La_Paz']],
    ['a String object', new String('America/La_Paz')],
  ])('rejects %s', (_label, value) => {
    expect(isTimeZone(value)).toBe(false);
  });

  it('rejects the empty string (which Intl would read as "no zone")', () => {
    expect(isTimeZone('')).toBe(false);
  });

  it('rejects names longer than 64 characters without asking Intl', () => {
    const long = 'America/' + 'A'.repeat(57);
    expect(long).toHaveLength(65);
    expect(isTimeZone(long)).toBe(false);
    expect(isTimeZone('America/' + 'A'.repeat(10_000))).toBe(false);
  });
});

describe('@IsTimeZone', () => {
  class Settings {
    @IsTimeZone()
    timezone: unknown;

    @IsTimeZone({ message: 'pick a real zone' })
    other: unknown = 'UTC';
  }

  const validate = (timezone: unknown, other: unknown = 'UTC') => {
    const settings = new Settings();
    settings.timezone = timezone;
    settings.other = other;
    return validateSync(settings);
  };

  it('passes a valid zone', () => {
    expect(validate('America/La_Paz')).toEqual([]);
  });

  it('reports an invalid zone with the default message naming the property', () => {
    const [error, ...rest] = validate('Mars/Base');

    expect(rest).toEqual([]);
    expect(error.property).toBe('timezone');
    expect(error.constraints).toEqual({ isTimeZone: 'timezone must be an IANA time zone' });
  });

  it('uses a custom message when given', () => {
    const [error] = validate('UTC', 42);

    expect(error.property).toBe('other');
    expect(error.constraints).toEqual({ isTimeZone: 'pick a real zone' });
  });
});
