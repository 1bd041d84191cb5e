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
    // A lower-case prefix set off by a space, as customers type it on a phone.
    ['lp 2024 000187', ['LP2024000187']],
    ['abc 123456', ['ABC123456']],
    ['mi guía es lp 2024 000187', ['LP2024000187']],
    ['cb 2024 000555 y XYZ987654', ['CB2024000555', 'XYZ987654']],
    ['Abc 123456 por favor', ['ABC123456']],
    // Ordinary words before a number are not a prefix, in any case and with accents.
    ['guía 12345678', ['12345678']],
    ['número 12345678', ['12345678']],
    ['hola 12345678', ['12345678']],
    ['es el 12345678', ['12345678']],
    ['mi pedido 12345678 no llega', ['12345678']],
    ['envio 12345678', ['12345678']],
    ['my order is 12345678', ['12345678']],
    ['the code 1234 5678 9012', ['123456789012']],
  ])('%s', (text, expected) => {
    expect(extractTrackingNumbers(text)).toEqual(expected);
  });

  it.each([
    'mensaje 12',
    'hola',
    'abren a las 9 y cierran a las 18',
    'el 2024 fue bueno',
    'año 2024',
    'hola a las 10 por favor',
    'la caja pesa 12 kg',
  ])('no number in %s', (text) => {
    expect(extractTrackingNumbers(text)).toEqual([]);
  });
});
