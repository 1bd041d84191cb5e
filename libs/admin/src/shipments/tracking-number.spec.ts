import { normalizeTrackingNumber, TRACKING_NUMBER_RE } from './tracking-number';

describe('normalizeTrackingNumber', () => {
  it.each<[string, string, string]>([
    ['already normal', 'LP2024000187', 'LP2024000187'],
    ['lower case', 'lp2024000187', 'LP2024000187'],
    ['mixed case', 'Lp2024aBc', 'LP2024ABC'],
    ['single spaces', 'LP 2024 000187', 'LP2024000187'],
    ['runs of spaces', 'LP   2024    000187', 'LP2024000187'],
    ['dashes', 'LP-2024-000187', 'LP2024000187'],
    ['runs of dashes', 'LP--2024---000187', 'LP2024000187'],
    ['tabs', 'LP\t2024\t000187', 'LP2024000187'],
    ['newlines', 'LP\n2024\r\n000187', 'LP2024000187'],
    ['a no-break space', 'LP\u00a02024', 'LP2024'],
    ['leading and trailing blanks', '  lp-2024 \t', 'LP2024'],
    ['mixed separators and case', 'lp-2024 000187', 'LP2024000187'],
    ['mixed separators in a run', 'a - \t-b', 'AB'],
    ['digits only', '0001', '0001'],
    ['only separators', ' - \t', ''],
    ['empty', '', ''],
  ])('%s: %p → %p', (_label, raw, expected) => {
    expect(normalizeTrackingNumber(raw)).toBe(expected);
  });

  it('maps every spelling of one shipment to the same key', () => {
    const spellings = ['lp-2024 000187', 'LP2024000187', 'Lp 2024-000187', ' lp2024\t000 187 '];

    expect(new Set(spellings.map(normalizeTrackingNumber))).toEqual(new Set(['LP2024000187']));
  });

  it('keeps characters other than blanks and dashes', () => {
    expect(normalizeTrackingNumber('a_b/c.d')).toBe('A_B/C.D');
  });

  it('is idempotent', () => {
    for (const raw of ['lp-2024 000187', 'a - b', 'X']) {
      const once = normalizeTrackingNumber(raw);
      expect(normalizeTrackingNumber(once)).toBe(once);
    }
  });
});

describe('TRACKING_NUMBER_RE', () => {
  it.each([
    'LP2024000187',
    'lp-2024 000187',
    'A',
    '7',
    'ab',
    'A-B-C',
    'A--B',
    'A  B',
    'A - B',
    '0000000000',
  ])('accepts %p', (value) => {
    expect(TRACKING_NUMBER_RE.test(value)).toBe(true);
  });

  it.each<[string, string]>([
    ['empty', ''],
    ['a lone dash', '-'],
    ['a lone space', ' '],
    ['a leading dash', '-LP2024'],
    ['a trailing dash', 'LP2024-'],
    ['a leading space', ' LP2024'],
    ['a trailing space', 'LP2024 '],
    ['an underscore', 'LP_2024'],
    ['a slash', 'LP/2024'],
    ['a dot', 'LP.2024'],
    ['a hash', '#LP2024'],
    ['an at sign', 'LP@2024'],
    ['a tab', 'LP\t2024'],
    ['a newline', 'LP2024\n'],
    ['a no-break space', 'LP\u00a02024'],
    ['an accented letter', 'LPÉ2024'],
    ['an eñe', 'AÑO2024'],
    ['full-width digits', 'LP２０２４'],
    ['an emoji', 'LP2024📦'],
    ['an en dash', 'LP–2024'],
    ['an injection attempt', "LP2024' OR '1'='1"],
  ])('rejects %s (%p)', (_label, value) => {
    expect(TRACKING_NUMBER_RE.test(value)).toBe(false);
  });

  it('normalizes every accepted value to letters and digits only', () => {
    for (const value of ['lp-2024 000187', 'A - B', 'x--y  z']) {
      expect(TRACKING_NUMBER_RE.test(value)).toBe(true);
      expect(normalizeTrackingNumber(value)).toMatch(/^[A-Z0-9]+$/);
    }
  });
});
