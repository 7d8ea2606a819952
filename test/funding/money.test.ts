import fc from 'fast-check';
import { centsToInput, parseEuros } from '../../src/modules/funding/money';
import { formatMoney } from '../../src/lib/format';

describe('parseEuros', () => {
  it.each([
    ['12500', 12_500_00],
    ['12500.50', 12_500_50],
    ['12500,50', 12_500_50],
    ['12.500,50', 12_500_50],
    ['12,500.50', 12_500_50],
    ['1.234.567,8', 1_234_567_80],
    ['12.500', 12_500_00],
    ['12.5', 12_50],
    ['€ 12 500', 12_500_00],
    ['0', 0],
    ['0,01', 1],
    // Thousands grouped by commas, as an English reader writes them, with no decimals.
    ['1,000,000', 1_000_000_00],
    ['12,345,678', 12_345_678_00],
  ])('reads %s as %i cents', (input, cents) => {
    expect(parseEuros(input)).toEqual({ ok: true, cents });
  });

  it.each([
    ['', 'format'],
    ['abc', 'format'],
    ['-5', 'format'],
    ['1e5', 'format'],
    ['12,5,0', 'format'],
    ['1.2.3', 'format'],
    ['12.50.0,5', 'format'],
    ['1,23,456.00', 'format'],
    ['12,505', 'decimals'],
    ['1,000,00', 'format'],
    ['1,0000,000', 'format'],
    ['12.505,123', 'decimals'],
    ['9'.repeat(30), 'tooBig'],
    ['99999999999999999', 'tooBig'],
    ['9'.repeat(41), 'format'],
  ])('refuses %j (%s)', (input, error) => {
    expect(parseEuros(input)).toEqual({ ok: false, error });
  });

  it('reads back what the form shows, in both languages', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000_000_000_000 }),
        fc.constantFrom('it', 'en'),
        (cents, lang) => {
          expect(parseEuros(centsToInput(cents, lang))).toEqual({ ok: true, cents });
        },
      ),
    );
  });
});

describe('formatMoney', () => {
  it('groups thousands the same way for every amount, in the reader’s locale', () => {
    expect(formatMoney(720_000, 'it')).toBe('7.200,00\u00a0€');
    expect(formatMoney(1_152_000, 'it')).toBe('11.520,00\u00a0€');
    expect(formatMoney(50, 'it')).toBe('0,50\u00a0€');
    expect(formatMoney(720_050, 'en')).toBe('€7,200.50');
  });

  it('reads back as the amount it shows (parseEuros)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e13 }), (cents) => {
        expect(parseEuros(formatMoney(cents, 'it'))).toEqual({ ok: true, cents });
      }),
    );
  });
});
