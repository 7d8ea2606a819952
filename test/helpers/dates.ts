import { addDaysTo, quarterOf, romeToday } from '../../src/modules/survey/calendar';
import { italianDays } from '../../src/lib/italian-days';

/**
 * Days and quarters counted from today as the app sees it (Europe/Rome), for tests that post a
 * period or a date the app checks against today: a fixed '2027-Q1' stops being a valid future
 * quarter once 2027-Q1 is past. Fixed values stay where the test means the past or a literal.
 */

/** The quarter `n` quarters after the current one, as YYYY-Qn (0: the current, -1: the last). */
export function quarterFromNow(n: number): string {
  return quarterAfter(quarterOf(romeToday()), n);
}

/** The quarter `n` quarters after `quarter` (YYYY-Qn); `n` may be negative. */
export function quarterAfter(quarter: string, n: number): string {
  const [y, q] = quarter.split('-Q').map(Number) as [number, number];
  const index = y * 4 + q - 1 + n;
  return `${Math.floor(index / 4)}-Q${(index % 4) + 1}`;
}

/** The day `n` days after today (negative: before), as YYYY-MM-DD. */
export function daysFromNow(n: number): string {
  return addDaysTo(romeToday(), n);
}

/**
 * A day about four years after today, `n` days later still, as YYYY-MM-DD: the deadline of a
 * call or the last day of a survey that a test needs to be still to come, whenever it runs (a
 * fixed '2030-12-31' made tests fail from 2031).
 */
export function farDay(n = 0): string {
  return daysFromNow(4 * 365 + n);
}

/**
 * Italian words with a day after its article, as the pages write them ("chiude l'8 gennaio",
 * "dal 1º gennaio": lib/italian-days), the apostrophe as the page's HTML escapes it.
 */
export function italianOnDay(text: string): string {
  return italianDays(text).replace(/'/g, '&#x27;');
}
