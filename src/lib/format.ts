/**
 * Money and dates as the reader writes them: "1.234,50 €" and "7 dicembre 2026" in Italian,
 * "€1,234.50" and "7 December 2026" in English. Pages, helpers and texts built in services all
 * go through these, so one page never mixes "1234.5" and "1.234,50 €".
 */
export const localeOf = (lang: string): string => (lang === 'en' ? 'en-GB' : 'it-IT');

const euroFormats = new Map<string, Intl.NumberFormat>();

/**
 * Euros (a number, e.g. cents / 100) as money: "6.400,00 €", "€6,400.00". Thousands are always
 * grouped: Italian CLDR leaves four-digit amounts bare, so a page read "11.520,00 €" beside
 * "7200,00 €".
 */
export function formatEuros(euros: number, lang: string): string {
  const locale = localeOf(lang);
  let f = euroFormats.get(locale);
  if (!f) {
    f = new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: 'EUR',
      useGrouping: 'always',
    } as Intl.NumberFormatOptions);
    euroFormats.set(locale, f);
  }
  return f.format(euros);
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/**
 * A count or a measure for the reader: "1.500" and "48,3" in Italian, "1,500" and "48.3" in
 * English, at most `maxFractionDigits` decimals. Thousands always grouped, as money is: Italian
 * CLDR leaves four-digit numbers bare, so a column read "1500" above a total of "15.000".
 */
export function formatNumber(value: number, lang: string, maxFractionDigits = 0): string {
  const key = `${localeOf(lang)}|${maxFractionDigits}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat(localeOf(lang), {
      maximumFractionDigits: maxFractionDigits,
      useGrouping: 'always',
    } as Intl.NumberFormatOptions);
    numberFormats.set(key, f);
  }
  return f.format(value);
}

/**
 * A percentage (already × 100) for the reader: "10,8 %" in Italian, "10.8%" in English, at most
 * `maxFractionDigits` decimals.
 */
export const formatPercent = (value: number, lang: string, maxFractionDigits = 1): string =>
  `${formatNumber(value, lang, maxFractionDigits)}${lang === 'en' ? '' : ' '}%`;

/** Integer cents as money: formatMoney(123450, 'it') is "1.234,50 €". */
export const formatMoney = (cents: number, lang: string): string => formatEuros(cents / 100, lang);

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A day ("2026-12-07" or a Date) for the reader: "7 dic 2026" in tables (`medium`), "7 dicembre
 * 2026" in sentences (`long`); with `time`, the hour in Rome. A bare day is read as that calendar
 * day, not as UTC midnight shifted into another day.
 */
export function formatDate(
  value: Date | string,
  lang: string,
  { style = 'medium', time = false }: { style?: 'medium' | 'long'; time?: boolean } = {},
): string {
  const bareDay = typeof value === 'string' && ISO_DAY.test(value);
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(localeOf(lang), {
    dateStyle: style,
    ...(time && !bareDay ? { timeStyle: 'short' } : {}),
    timeZone: bareDay ? 'UTC' : 'Europe/Rome',
  }).format(d);
}
