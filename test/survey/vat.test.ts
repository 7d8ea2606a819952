import { isValidPartitaIva, italianCheckDigit, parseVatNumber } from '../../src/lib/vat';

describe('partita IVA check digit', () => {
  // Computed by hand: odd positions summed, even positions doubled (minus 9 above 9).
  it.each([
    ['12345678903'], // 1+3+5+7+9=25; 4+8+3+7+0=22; 47 → 3
    ['00743110157'],
    ['01234567897'],
    ['10000000009'],
  ])('accepts %s', (n) => {
    expect(isValidPartitaIva(n)).toBe(true);
  });

  it.each([
    ['12345678901', 'wrong check digit'],
    ['00743110158', 'wrong check digit'],
    ['1234567890', 'ten digits'],
    ['123456789012', 'twelve digits'],
    ['00000000000', 'all zeros'],
    ['1234567890A', 'a letter'],
  ])('refuses %s (%s)', (n) => {
    expect(isValidPartitaIva(n)).toBe(false);
  });

  it('catches every single-digit typo of a valid number', () => {
    const valid = '12345678903';
    for (let i = 0; i < 11; i++)
      for (let d = 0; d <= 9; d++) {
        if (String(d) === valid[i]) continue;
        const typo = valid.slice(0, i) + d + valid.slice(i + 1);
        expect(isValidPartitaIva(typo)).toBe(false);
      }
  });

  it('computes the check digit of the first ten', () => {
    expect(italianCheckDigit('1234567890')).toBe(3);
    expect(italianCheckDigit('0074311015')).toBe(7);
  });
});

describe('parseVatNumber', () => {
  it.each([
    ['12345678903', 'IT12345678903'],
    ['IT 123 456 789 03', 'IT12345678903'],
    ['it12345678903', 'IT12345678903'],
    ['DE123456789', 'DE123456789'],
    ['FR 12 345678901', 'FR12345678901'],
    ['NL123456789B01', 'NL123456789B01'],
    ['ATU12345678', 'ATU12345678'],
    ['ESX1234567X', 'ESX1234567X'],
    ['GR123456789', 'EL123456789'],
    ['EL123456789', 'EL123456789'],
  ])('normalises %s to %s', (input, value) => {
    expect(parseVatNumber(input)).toEqual({ ok: true, value, country: value.slice(0, 2) });
  });

  it.each([
    ['IT12345678901', 'checkDigit'],
    ['DE12345678', 'format'],
    ['NL123456789X01', 'format'],
    ['US123456789', 'country'],
    ['GB123456789', 'country'],
    ['hello', 'country'],
    ['', 'format'],
    ['RSSMRA80A01D612Z', 'taxCode'],
    ['rss mra 80a01 d612z', 'taxCode'],
    ['RSSMRA8LA01D61MZ', 'taxCode'], // omocodia: letters in place of digits
  ])('refuses %s (%s)', (input, reason) => {
    expect(parseVatNumber(input)).toEqual({ ok: false, reason });
  });
});
