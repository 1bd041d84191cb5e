import { extractTrackingNumbers } from './tracking-extractor';

describe('extractTrackingNumbers', () => {
  it.each([
    ['mi guía es ABC123456', ['ABC123456']],
    ['lp-2024-000187 por favor', ['LP2024000187']],
    ['LP 2024 000187', ['LP2024000187']],
    ['abc-123-456', ['ABC123456']],
    ['mi guía es 12345678', ['12345678']],
    ['GUIA 12345678', ['12345678']],
    ['tracking 123456789012', ['123456789012']],
    ['1234 5678 9012', ['123456789012']],
    ['ABC123456 y XYZ987654', ['ABC123456', 'XYZ987654']],
    ['where is AB12CD3456?', ['AB12CD3456']],
    ['ABC123456, abc-123-456', ['ABC123456']],
  ])('%s', (text, expected) => {
    expect(extractTrackingNumbers(text)).toEqual(expected);
  });

  it.each([
    'mensaje 12',
    'hola',
    'abren a las 9 y cierran a las 18',
    'el 2024 fue bueno',
    'año 2024',
  ])('no number in %s', (text) => {
    expect(extractTrackingNumbers(text)).toEqual([]);
  });
});
