/** Dates as the region sees them: whole days in Europe/Rome. Pure helpers, no I/O. */

const ROME_DAY = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Rome',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

// Formatting through ICU costs ~30 µs and a request may ask several times. Rome's offsets and
// their changes fall on whole hours, so every instant of a UTC minute is on the same day there.
let cached = { minute: NaN, day: '' };

/** Today (or `now`) as YYYY-MM-DD in Europe/Rome. */
export function romeToday(now: Date = new Date()): string {
  const minute = Math.floor(now.getTime() / 60_000);
  if (minute !== cached.minute) cached = { minute, day: ROME_DAY.format(now) };
  return cached.day;
}

/** The quarter a day falls in, e.g. 2027-Q1. */
export function quarterOf(day: string): string {
  const [y, m] = day.split('-').map(Number) as [number, number];
  return `${y}-Q${Math.floor((m - 1) / 3) + 1}`;
}

/** The quarters a need may be planned for: the current one and the seven after it. */
export function plannableQuarters(today: string, count = 8): string[] {
  const [y, q] = quarterOf(today).split('-Q').map(Number) as [number, number];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const index = q - 1 + i;
    out.push(`${y + Math.floor(index / 4)}-Q${(index % 4) + 1}`);
  }
  return out;
}

export const CAMPAIGN_STATES = ['draft', 'scheduled', 'open', 'closed'] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

/**
 * What a campaign is today. `status` is what the region chose; dates finish the job, so a
 * campaign past its closing day is closed for answers though nobody clicked (no cron needed).
 */
export function effectiveState(
  c: { status: 'draft' | 'open' | 'closed'; opens_at: string; closes_at: string },
  today: string,
): CampaignState {
  if (c.status === 'draft') return 'draft';
  if (c.status === 'closed' || today > c.closes_at) return 'closed';
  if (today < c.opens_at) return 'scheduled';
  return 'open';
}

/** A day `n` days after `day` (both YYYY-MM-DD). */
export function addDaysTo(day: string, n: number): string {
  return new Date(Date.parse(`${day}T12:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}
