/**
 * Euro amounts as people type them, to integer cents, with no floating point on the way.
 * Accepted: "12500", "12500.50", "12500,50", "12.500,50", "12,500.50", "1,000,000", "€ 12 500".
 * Italian convention decides the ambiguous cases: "12.500" is twelve thousand five hundred,
 * "12,500" twelve euros and three decimals (refused).
 */
export type EuroParse =
  { ok: true; cents: number } | { ok: false; error: 'format' | 'decimals' | 'tooBig' };

const THOUSANDS_DOT = /^\d{1,3}(\.\d{3})+$/;
// Two commas or more can only group thousands (one decimal separator at most): "1,000,000".
const THOUSANDS_COMMAS = /^\d{1,3}(,\d{3}){2,}$/;

export function parseEuros(input: string): EuroParse {
  const s = input.replace(/[€\s\u00a0]/g, '');
  if (!/^\d[\d.,]*$/.test(s) || s.length > 40) return { ok: false, error: 'format' };
  const lastDot = s.lastIndexOf('.');
  const lastComma = s.lastIndexOf(',');
  let whole: string;
  let fraction = '';
  if (lastDot >= 0 && lastComma >= 0) {
    // Both present: the later one is the decimal separator, the other groups thousands.
    const dec = lastDot > lastComma ? '.' : ',';
    const group = dec === '.' ? ',' : '.';
    const at = s.lastIndexOf(dec);
    whole = s.slice(0, at);
    fraction = s.slice(at + 1);
    if (!new RegExp(`^\\d{1,3}(\\${group}\\d{3})*$`).test(whole) || /[.,]/.test(fraction))
      return { ok: false, error: 'format' };
    whole = whole.split(group).join('');
  } else if (THOUSANDS_COMMAS.test(s)) {
    whole = s.split(',').join('');
  } else if (lastComma >= 0) {
    if (s.indexOf(',') !== lastComma) return { ok: false, error: 'format' };
    [whole, fraction] = [s.slice(0, lastComma), s.slice(lastComma + 1)];
  } else if (lastDot >= 0 && THOUSANDS_DOT.test(s)) {
    whole = s.split('.').join('');
  } else if (lastDot >= 0) {
    if (s.indexOf('.') !== lastDot) return { ok: false, error: 'format' };
    [whole, fraction] = [s.slice(0, lastDot), s.slice(lastDot + 1)];
  } else {
    whole = s;
  }
  if (whole === '' || !/^\d*$/.test(fraction)) return { ok: false, error: 'format' };
  if (fraction.length > 2) return { ok: false, error: 'decimals' };
  const cents = Number(whole) * 100 + Number(fraction.padEnd(2, '0') || '0');
  // Well written, but more euros than any budget: the caller's range says what is allowed.
  if (!Number.isSafeInteger(cents)) return { ok: false, error: 'tooBig' };
  return { ok: true, cents };
}

/** Cents as the form shows them back: "12500,50" (Italian) or "12500.50", no grouping. */
export function centsToInput(cents: number | null | undefined, lang: string): string {
  if (cents === null || cents === undefined) return '';
  const s = `${Math.floor(cents / 100)}${lang === 'en' ? '.' : ','}${String(cents % 100).padStart(2, '0')}`;
  return s;
}

/** Cents as euros (a number) for display through formatNumber or i18next's currency format. */
export const euros = (cents: number | null | undefined): number | null =>
  cents === null || cents === undefined ? null : cents / 100;
