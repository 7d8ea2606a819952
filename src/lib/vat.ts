/**
 * EU VAT numbers. An Italian partita IVA is checked by its check digit; the other member states
 * by the format VIES publishes (country prefix + pattern). Greece uses the prefix EL.
 */
const FORMATS: Record<string, RegExp> = {
  AT: /^U\d{8}$/,
  BE: /^[01]\d{9}$/,
  BG: /^\d{9,10}$/,
  CY: /^\d{8}[A-Z]$/,
  CZ: /^\d{8,10}$/,
  DE: /^\d{9}$/,
  DK: /^\d{8}$/,
  EE: /^\d{9}$/,
  EL: /^\d{9}$/,
  ES: /^[A-Z0-9]\d{7}[A-Z0-9]$/,
  FI: /^\d{8}$/,
  FR: /^[A-HJ-NP-Z0-9]{2}\d{9}$/,
  HR: /^\d{11}$/,
  HU: /^\d{8}$/,
  IE: /^(\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W])$/,
  IT: /^\d{11}$/,
  LT: /^(\d{9}|\d{12})$/,
  LU: /^\d{8}$/,
  LV: /^\d{11}$/,
  MT: /^\d{8}$/,
  NL: /^\d{9}B\d{2}$/,
  PL: /^\d{10}$/,
  PT: /^\d{9}$/,
  RO: /^[1-9]\d{1,9}$/,
  SE: /^\d{10}01$/,
  SI: /^\d{8}$/,
  SK: /^\d{10}$/,
};

export const VAT_COUNTRIES = Object.keys(FORMATS);

/** The check digit of the first ten digits of a partita IVA (a Luhn variant). */
export function italianCheckDigit(first10: string): number {
  let sum = 0;
  for (let i = 0; i < 10; i++) {
    const d = Number(first10[i]);
    if (i % 2 === 0) sum += d;
    else sum += d * 2 > 9 ? d * 2 - 9 : d * 2;
  }
  return (10 - (sum % 10)) % 10;
}

export function isValidPartitaIva(digits: string): boolean {
  if (!/^\d{11}$/.test(digits) || /^0{7}/.test(digits)) return false;
  return italianCheckDigit(digits.slice(0, 10)) === Number(digits[10]);
}

export type VatResult =
  | { ok: true; value: string; country: string }
  | { ok: false; reason: 'format' | 'country' | 'checkDigit' | 'taxCode' };

/** A person's codice fiscale (omocodia letters allowed): what a sole trader may type instead. */
const PERSONAL_TAX_CODE = /^[A-Z]{6}[\dLMNP-V]{2}[A-EHLMPR-T][\dLMNP-V]{2}[A-Z][\dLMNP-V]{3}[A-Z]$/;

/**
 * Normalises what a user typed ("IT 012.345-678 97", "01234567897") to prefix + number and
 * checks it. Eleven bare digits are an Italian partita IVA.
 */
export function parseVatNumber(input: string): VatResult {
  const compact = input.toUpperCase().replace(/[\s.\-/]/g, '');
  if (PERSONAL_TAX_CODE.test(compact)) return { ok: false, reason: 'taxCode' };
  const withPrefix = /^\d{11}$/.test(compact) ? `IT${compact}` : compact;
  const match = /^([A-Z]{2})([A-Z0-9+*]{2,13})$/.exec(withPrefix);
  if (!match) return { ok: false, reason: 'format' };
  const [, country, number] = match as unknown as [string, string, string];
  const pattern = FORMATS[country === 'GR' ? 'EL' : country];
  if (!pattern) return { ok: false, reason: 'country' };
  if (!pattern.test(number)) return { ok: false, reason: 'format' };
  if (country === 'IT' && !isValidPartitaIva(number)) return { ok: false, reason: 'checkDigit' };
  const code = country === 'GR' ? 'EL' : country;
  return { ok: true, value: `${code}${number}`, country: code };
}
